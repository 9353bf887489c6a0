/**
 * Telegram Bot API `Update` → normalised messages.
 *
 * Handles `message` and `edited_message` in private chats with the bot.
 * A Telegram message id is unique only within its chat, so
 * `providerMessageId` is `<chat id>:<message id>`; an edit gets
 * `<chat id>:<message id>:edited:<edit date>`.
 * Docs: https://core.telegram.org/bots/api#update
 */
import { emptyParseResult, type InboundAttachment, type InboundMessage, type ParseResult } from '../../domain/inbound.ts';
import { normalizePhone } from '../../domain/phone.ts';
import { parseJsonObject, payloadReader, type JsonObject, type WebhookBody } from '../shared/payload.ts';

const read = payloadReader('telegram');

/** Message content we cannot show; the case gets a placeholder naming the type. */
const UNSUPPORTED_CONTENT = ['poll', 'dice', 'game', 'story', 'invoice', 'paid_media', 'giveaway', 'checklist'] as const;

export interface TelegramParseOptions {
  /** Our bot's user id, recorded as `account` on each message. */
  botId?: string;
}

/**
 * Parses one Telegram webhook update (Telegram sends one update per request).
 *
 * @example
 *   const { messages, ignored } = parseTelegramUpdate(rawBody, { botId: '123456789' });
 */
export function parseTelegramUpdate(body: WebhookBody, options: TelegramParseOptions = {}): ParseResult {
  const update = parseJsonObject('telegram', body);
  const updateId = update.update_id;
  if (typeof updateId !== 'number' || !Number.isInteger(updateId)) {
    throw read.error('update_id', updateId === undefined ? 'is missing' : 'must be an integer');
  }

  const result = emptyParseResult();
  if (update.message !== undefined) {
    addMessage(read.object(update.message, 'message'), 'message', false, options, result);
  } else if (update.edited_message !== undefined) {
    addMessage(read.object(update.edited_message, 'edited_message'), 'edited_message', true, options, result);
  } else {
    const kind = Object.keys(update).find((key) => key !== 'update_id') ?? 'empty';
    result.ignored.push({ reason: `Telegram update type "${kind}" is not handled`, providerId: String(updateId) });
  }
  return result;
}

function addMessage(message: JsonObject, path: string, isEdit: boolean, options: TelegramParseOptions, result: ParseResult): void {
  const messageId = read.id(message.message_id, `${path}.message_id`);
  const chat = read.object(message.chat, `${path}.chat`);
  const chatId = read.id(chat.id, `${path}.chat.id`);
  const chatType = read.string(chat.type, `${path}.chat.type`);
  const baseId = `${chatId}:${messageId}`;

  if (chatType !== 'private') {
    result.ignored.push({ reason: `message in a Telegram ${chatType} chat; only private chats with the bot are handled`, providerId: baseId });
    return;
  }
  const from = read.object(message.from, `${path}.from`);
  if (from.is_bot === true) {
    result.ignored.push({ reason: 'message from a bot', providerId: baseId });
    return;
  }
  const userId = read.id(from.id, `${path}.from.id`);

  const { attachments, unsupported, aliasPhone } = readContent(message, path, userId);
  const text = read.optionalString(message.text, `${path}.text`) ?? read.optionalString(message.caption, `${path}.caption`) ?? '';
  if (text === '' && attachments.length === 0 && !unsupported) {
    result.ignored.push({ reason: 'Telegram service message without content', providerId: baseId });
    return;
  }

  const sentAt = isEdit
    ? read.unixTime(message.edit_date ?? message.date, `${path}.edit_date`)
    : read.unixTime(message.date, `${path}.date`);
  const displayName = [from.first_name, from.last_name].filter((part): part is string => typeof part === 'string' && part !== '').join(' ');

  const inbound: InboundMessage = {
    channel: 'telegram',
    providerMessageId: isEdit ? `${baseId}:edited:${Math.floor(sentAt.getTime() / 1000)}` : baseId,
    conversationKind: 'direct',
    sender: { kind: 'telegram', value: userId },
    text,
    sentAt,
    attachments,
  };
  if (displayName) inbound.sender.displayName = displayName;
  if (aliasPhone) inbound.alsoKnownAs = [{ kind: 'phone', value: aliasPhone }];
  if (options.botId) inbound.account = options.botId;
  if (unsupported) inbound.unsupported = unsupported;
  if (isEdit) {
    inbound.edited = true;
    inbound.originalProviderMessageId = baseId;
  }

  const replied = read.optionalObject(message.reply_to_message, `${path}.reply_to_message`);
  if (replied) inbound.replyTo = { providerMessageId: `${chatId}:${read.id(replied.message_id, `${path}.reply_to_message.message_id`)}` };
  if (message.forward_origin !== undefined || message.forward_from !== undefined || message.forward_date !== undefined) {
    inbound.forwarded = true;
  }
  result.messages.push(inbound);
}

interface TelegramContent {
  attachments: InboundAttachment[];
  unsupported?: { type: string };
  /** The sender's own phone number, when they shared their contact card with the bot. */
  aliasPhone?: string;
}

function readContent(message: JsonObject, path: string, userId: string): TelegramContent {
  const content: TelegramContent = { attachments: [] };

  const photo = read.optionalArray(message.photo, `${path}.photo`);
  if (photo.length > 0) {
    // Telegram sends several sizes of one photo, smallest first.
    const largest = read.object(photo[photo.length - 1], `${path}.photo[${photo.length - 1}]`);
    content.attachments.push(fileAttachment('image', largest, `${path}.photo[${photo.length - 1}]`));
  }

  const animation = read.optionalObject(message.animation, `${path}.animation`);
  if (animation) content.attachments.push(fileAttachment('video', animation, `${path}.animation`));
  // An animation also arrives as `document`; keep only one attachment for it.
  const fileFields: Array<[string, InboundAttachment['kind']]> = [
    ['video', 'video'],
    ['video_note', 'video'],
    ['voice', 'audio'],
    ['audio', 'audio'],
    ['sticker', 'sticker'],
  ];
  if (!animation) fileFields.push(['document', 'document']);
  for (const [field, kind] of fileFields) {
    const file = read.optionalObject(message[field], `${path}.${field}`);
    if (file) content.attachments.push(fileAttachment(kind, file, `${path}.${field}`));
  }

  const venue = read.optionalObject(message.venue, `${path}.venue`);
  const location = read.optionalObject(message.location, `${path}.location`) ?? (venue ? read.optionalObject(venue.location, `${path}.venue.location`) : undefined);
  if (location) {
    const latitude = read.optionalNumber(location.latitude, `${path}.location.latitude`);
    const longitude = read.optionalNumber(location.longitude, `${path}.location.longitude`);
    if (latitude === undefined || longitude === undefined) throw read.error(`${path}.location`, 'must have latitude and longitude');
    const attachment: InboundAttachment = { kind: 'location', latitude, longitude };
    if (venue) {
      const label = [venue.title, venue.address].filter((part): part is string => typeof part === 'string' && part !== '');
      if (label.length > 0) attachment.caption = label.join(', ');
    }
    content.attachments.push(attachment);
  }

  const contact = read.optionalObject(message.contact, `${path}.contact`);
  if (contact) {
    const rawPhone = read.string(contact.phone_number, `${path}.contact.phone_number`);
    // Telegram sends shared phone numbers without "+", e.g. "6281234567890".
    const phone = normalizePhone(rawPhone.startsWith('+') ? rawPhone : `+${rawPhone}`) ?? normalizePhone(rawPhone);
    const name = [contact.first_name, contact.last_name].filter((part): part is string => typeof part === 'string' && part !== '').join(' ');
    const card: { name?: string; phones: string[] } = { phones: [phone ?? rawPhone] };
    if (name) card.name = name;
    content.attachments.push({ kind: 'contact', contact: card });
    const contactUserId = read.optionalId(contact.user_id, `${path}.contact.user_id`);
    if (phone && contactUserId === userId) content.aliasPhone = phone;
  }

  const unsupportedType = UNSUPPORTED_CONTENT.find((field) => message[field] !== undefined);
  if (unsupportedType) content.unsupported = { type: unsupportedType };
  return content;
}

function fileAttachment(kind: InboundAttachment['kind'], file: JsonObject, path: string): InboundAttachment {
  const attachment: InboundAttachment = { kind, providerMediaId: read.id(file.file_id, `${path}.file_id`) };
  const mimeType = read.optionalString(file.mime_type, `${path}.mime_type`);
  if (mimeType) attachment.mimeType = mimeType;
  const fileName = read.optionalString(file.file_name, `${path}.file_name`);
  if (fileName) attachment.fileName = fileName;
  const size = read.optionalNumber(file.file_size, `${path}.file_size`);
  if (size !== undefined) attachment.sizeBytes = size;
  return attachment;
}

