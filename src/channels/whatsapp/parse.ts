/**
 * WhatsApp Cloud API webhook (`object: "whatsapp_business_account"`) →
 * normalised messages and delivery statuses.
 *
 * Handles the `messages` field: incoming messages of every type, edits,
 * delivery statuses and webhook-level errors. Reactions, revokes, system
 * notices, group messages, echoes of messages sent from the WhatsApp Business
 * app (`smb_message_echoes`) and account-level fields are listed in `ignored`.
 */
import {
  eachItem,
  emptyParseResult,
  type ContactRef,
  type DeliveryState,
  type InboundAttachment,
  type InboundMessage,
  type InboundSender,
  type ParseResult,
} from '../../domain/inbound.ts';
import { normalizeInternationalDigits, normalizePhone } from '../../domain/phone.ts';
import { isObject, parseJsonObject, payloadReader, type JsonObject, type WebhookBody } from '../shared/payload.ts';

const read = payloadReader('whatsapp');

/** Message types that carry a media object under the key of the same name. */
const MEDIA_TYPES = ['image', 'video', 'audio', 'document', 'sticker'] as const;
type MediaType = (typeof MEDIA_TYPES)[number];

/** Message types that are not messages from the citizen to the regency. */
const IGNORED_MESSAGE_TYPES: Record<string, string> = {
  reaction: 'reaction to a message',
  revoke: 'message deleted by the sender',
  request_welcome: 'request for a welcome message',
};

const STATUS_MAP: Record<string, DeliveryState> = {
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  // A voice message was played; for our purposes it was read.
  played: 'read',
  failed: 'failed',
};

/**
 * Parses a WhatsApp Cloud API webhook body.
 *
 * @example
 *   const { messages, statuses, ignored } = parseWhatsAppWebhook(rawBody);
 */
export function parseWhatsAppWebhook(body: WebhookBody): ParseResult {
  const root = parseJsonObject('whatsapp', body);
  if (root.object !== 'whatsapp_business_account') {
    throw read.error('object', 'must be "whatsapp_business_account"');
  }
  const result = emptyParseResult();
  read.array(root.entry, 'entry').forEach((entryValue, entryIndex) => {
    const entryPath = `entry[${entryIndex}]`;
    const entry = read.object(entryValue, entryPath);
    read.array(entry.changes, `${entryPath}.changes`).forEach((changeValue, changeIndex) => {
      const changePath = `${entryPath}.changes[${changeIndex}]`;
      const change = read.object(changeValue, changePath);
      const field = read.string(change.field, `${changePath}.field`);
      const value = read.object(change.value, `${changePath}.value`);
      if (field === 'messages') {
        parseMessagesValue(value, `${changePath}.value`, result);
      } else if (field === 'smb_message_echoes') {
        for (const echo of read.optionalArray(value.message_echoes, `${changePath}.value.message_echoes`)) {
          result.ignored.push({ reason: 'echo of a message sent from the WhatsApp Business app', providerId: echoId(echo) });
        }
      } else {
        result.ignored.push({ reason: `WhatsApp webhook field "${field}" is not handled` });
      }
    });
  });
  return result;
}

interface ContactProfile {
  name?: string;
  waId?: string;
  userId?: string;
}

function parseMessagesValue(value: JsonObject, path: string, result: ParseResult): void {
  const metadata = read.optionalObject(value.metadata, `${path}.metadata`);
  const account = metadata ? read.optionalId(metadata.phone_number_id, `${path}.metadata.phone_number_id`) : undefined;
  const contacts = readContacts(value, path);
  const webhookHasErrors = Array.isArray(value.errors) && value.errors.length > 0;

  eachItem(read.optionalArray(value.messages, `${path}.messages`), result, (messageValue, index) => {
    const messagePath = `${path}.messages[${index}]`;
    const parsed = parseMessage(read.object(messageValue, messagePath), messagePath, contacts, account, webhookHasErrors);
    if ('reason' in parsed) result.ignored.push(parsed);
    else result.messages.push(parsed);
  });

  eachItem(read.optionalArray(value.statuses, `${path}.statuses`), result, (statusValue, index) => {
    const statusPath = `${path}.statuses[${index}]`;
    parseStatus(read.object(statusValue, statusPath), statusPath, result);
  });

  // Errors not tied to one message, e.g. "Unsupported webhook payload".
  read.optionalArray(value.errors, `${path}.errors`).forEach((errorValue) => {
    const error = describeError(errorValue);
    result.ignored.push({ reason: `WhatsApp reported webhook error ${error.code}: ${error.title}` });
  });
}

function readContacts(value: JsonObject, path: string): ContactProfile[] {
  return read.optionalArray(value.contacts, `${path}.contacts`).map((contactValue, index) => {
    const contactPath = `${path}.contacts[${index}]`;
    const contact = read.object(contactValue, contactPath);
    const profile = read.optionalObject(contact.profile, `${contactPath}.profile`);
    return {
      name: profile ? read.optionalString(profile.name, `${contactPath}.profile.name`) : undefined,
      waId: read.optionalId(contact.wa_id, `${contactPath}.wa_id`),
      userId: read.optionalId(contact.user_id, `${contactPath}.user_id`),
    };
  });
}

function parseMessage(
  message: JsonObject,
  path: string,
  contacts: ContactProfile[],
  account: string | undefined,
  webhookHasErrors: boolean,
): InboundMessage | { reason: string; providerId?: string } {
  const id = read.id(message.id, `${path}.id`);
  const type = read.string(message.type, `${path}.type`);
  const sentAt = read.unixTime(message.timestamp, `${path}.timestamp`);

  if (IGNORED_MESSAGE_TYPES[type]) return { reason: IGNORED_MESSAGE_TYPES[type], providerId: id };
  if (type === 'system') {
    const system = read.optionalObject(message.system, `${path}.system`);
    const systemType = system ? read.optionalString(system.type, `${path}.system.type`) : undefined;
    // NOTE: user_changed_number carries the citizen's new number; linking it to the old contact is not done yet.
    return { reason: `WhatsApp system notice "${systemType ?? 'unknown'}"`, providerId: id };
  }
  if (read.optionalId(message.group_id, `${path}.group_id`) !== undefined) {
    return { reason: 'message in a WhatsApp group; only one-to-one chats are handled', providerId: id };
  }

  const { sender, alsoKnownAs } = readSender(message, path, contacts);

  let content: JsonObject = message;
  let contentPath = path;
  let contentType = type;
  let originalProviderMessageId: string | undefined;
  if (type === 'edit') {
    const edit = read.object(message.edit, `${path}.edit`);
    originalProviderMessageId = read.id(edit.original_message_id, `${path}.edit.original_message_id`);
    content = read.object(edit.message, `${path}.edit.message`);
    contentPath = `${path}.edit.message`;
    contentType = read.string(content.type, `${contentPath}.type`);
  }

  const hasErrors = webhookHasErrors || (Array.isArray(message.errors) && message.errors.length > 0);
  const body = readContent(content, contentPath, contentType, hasErrors);
  const inbound: InboundMessage = {
    channel: 'whatsapp',
    providerMessageId: id,
    conversationKind: 'direct',
    sender,
    text: body.text,
    sentAt,
    attachments: body.attachments,
  };
  if (alsoKnownAs.length > 0) inbound.alsoKnownAs = alsoKnownAs;
  if (account) inbound.account = account;
  if (body.unsupported) inbound.unsupported = body.unsupported;
  if (originalProviderMessageId) {
    inbound.edited = true;
    inbound.originalProviderMessageId = originalProviderMessageId;
  }

  const context = read.optionalObject(message.context, `${path}.context`);
  if (context) {
    const repliedId = read.optionalId(context.id, `${path}.context.id`);
    if (repliedId) inbound.replyTo = { providerMessageId: repliedId };
    if (context.forwarded === true || context.frequently_forwarded === true) inbound.forwarded = true;
  }
  return inbound;
}

/**
 * Resolves the sender. WhatsApp identifies a user by phone (`from`, the
 * wa_id) and, since 2025, by a business-scoped user id (`from_user_id`,
 * `US.…`) that may come without the phone number.
 */
function readSender(
  message: JsonObject,
  path: string,
  contacts: ContactProfile[],
): { sender: InboundSender; alsoKnownAs: ContactRef[] } {
  const from = read.optionalId(message.from, `${path}.from`);
  const fromUserId = read.optionalId(message.from_user_id, `${path}.from_user_id`);
  const profile =
    contacts.find((c) => (from !== undefined && c.waId === from) || (fromUserId !== undefined && c.userId === fromUserId)) ??
    // Some payloads (contact requests) name the sender only in `contacts`.
    (from === undefined && fromUserId === undefined && contacts.length === 1 ? contacts[0] : undefined);
  const userId = fromUserId ?? profile?.userId;

  const alsoKnownAs: ContactRef[] = [];
  let sender: InboundSender;
  if (from !== undefined) {
    const phone = normalizeInternationalDigits(from);
    if (!phone) throw read.error(`${path}.from`, 'is not a phone number in international format (digits with country code)');
    sender = { kind: 'whatsapp', value: phone };
    alsoKnownAs.push({ kind: 'phone', value: phone });
    if (userId) alsoKnownAs.push({ kind: 'whatsapp', value: userId });
  } else if (userId) {
    sender = { kind: 'whatsapp', value: userId };
  } else {
    throw read.error(path, 'has neither "from" nor "from_user_id"');
  }
  if (profile?.name) sender.displayName = profile.name;
  return { sender, alsoKnownAs };
}

interface MessageBody {
  text: string;
  attachments: InboundAttachment[];
  unsupported?: { type: string };
}

function readContent(content: JsonObject, path: string, type: string, hasErrors: boolean): MessageBody {
  // WhatsApp sends messages it could not decode with errors (code 131051 and others) and without their content object.
  if (hasErrors && (type === 'unsupported' || type === 'unknown' || !isObject(content[type]))) {
    return { text: '', attachments: [], unsupported: { type: unsupportedType(content, type) } };
  }

  if (type === 'text') {
    const text = read.object(content.text, `${path}.text`);
    return { text: read.string(text.body, `${path}.text.body`), attachments: [] };
  }
  if ((MEDIA_TYPES as readonly string[]).includes(type)) {
    return readMedia(content, path, type as MediaType);
  }
  if (type === 'location') {
    const location = read.object(content.location, `${path}.location`);
    const latitude = read.optionalNumber(location.latitude, `${path}.location.latitude`);
    const longitude = read.optionalNumber(location.longitude, `${path}.location.longitude`);
    if (latitude === undefined || longitude === undefined) throw read.error(`${path}.location`, 'must have latitude and longitude');
    const attachment: InboundAttachment = { kind: 'location', latitude, longitude };
    const label = [location.name, location.address].filter((part): part is string => typeof part === 'string' && part !== '');
    if (label.length > 0) attachment.caption = label.join(', ');
    if (typeof location.url === 'string') attachment.url = location.url;
    return { text: '', attachments: [attachment] };
  }
  if (type === 'contacts') {
    const cards = read.array(content.contacts, `${path}.contacts`);
    return { text: '', attachments: cards.map((card, index) => readContactCard(card, `${path}.contacts[${index}]`)) };
  }
  if (type === 'button') {
    const button = read.object(content.button, `${path}.button`);
    return { text: read.string(button.text, `${path}.button.text`), attachments: [] };
  }
  if (type === 'interactive') {
    const interactive = read.object(content.interactive, `${path}.interactive`);
    const kind = read.string(interactive.type, `${path}.interactive.type`);
    if (kind === 'button_reply' || kind === 'list_reply') {
      const reply = read.object(interactive[kind], `${path}.interactive.${kind}`);
      return { text: read.string(reply.title, `${path}.interactive.${kind}.title`), attachments: [] };
    }
    return { text: '', attachments: [], unsupported: { type: `interactive.${kind}` } };
  }
  return { text: '', attachments: [], unsupported: { type: unsupportedType(content, type) } };
}

function unsupportedType(content: JsonObject, type: string): string {
  // `unsupported: { type: "poll" }` names what the user actually sent.
  const detail = isObject(content.unsupported) && typeof content.unsupported.type === 'string' ? content.unsupported.type : undefined;
  return detail ?? type;
}

function readMedia(content: JsonObject, path: string, type: MediaType): MessageBody {
  const media = read.object(content[type], `${path}.${type}`);
  const attachment: InboundAttachment = {
    kind: type === 'document' ? 'document' : type,
    providerMediaId: read.id(media.id, `${path}.${type}.id`),
  };
  const mimeType = read.optionalString(media.mime_type, `${path}.${type}.mime_type`);
  if (mimeType) attachment.mimeType = mimeType;
  const sha256 = read.optionalString(media.sha256, `${path}.${type}.sha256`);
  if (sha256) attachment.sha256 = sha256;
  const url = read.optionalString(media.url, `${path}.${type}.url`);
  if (url) attachment.url = url;
  const fileName = read.optionalString(media.filename, `${path}.${type}.filename`);
  if (fileName) attachment.fileName = fileName;
  const caption = read.optionalString(media.caption, `${path}.${type}.caption`);
  if (caption) attachment.caption = caption;
  return { text: caption ?? '', attachments: [attachment] };
}

function readContactCard(value: unknown, path: string): InboundAttachment {
  const card = read.object(value, path);
  const name = read.optionalObject(card.name, `${path}.name`);
  const formatted = name
    ? read.optionalString(name.formatted_name, `${path}.name.formatted_name`) ??
      [name.first_name, name.last_name].filter((part) => typeof part === 'string').join(' ')
    : undefined;
  const phones = read.optionalArray(card.phones, `${path}.phones`).flatMap((phoneValue, index) => {
    const phone = read.object(phoneValue, `${path}.phones[${index}]`);
    const raw = read.optionalString(phone.phone, `${path}.phones[${index}].phone`);
    const waId = read.optionalId(phone.wa_id, `${path}.phones[${index}].wa_id`);
    const normalised = (raw ? normalizePhone(raw) ?? normalizeInternationalDigits(raw) : null) ?? (waId ? normalizeInternationalDigits(waId) : null);
    const kept = normalised ?? raw;
    return kept ? [kept] : [];
  });
  const contact: { name?: string; phones: string[] } = { phones };
  if (formatted) contact.name = formatted;
  return { kind: 'contact', contact };
}

function parseStatus(status: JsonObject, path: string, result: ParseResult): void {
  const id = read.id(status.id, `${path}.id`);
  const state = read.string(status.status, `${path}.status`);
  const at = read.unixTime(status.timestamp, `${path}.timestamp`);
  const mapped = STATUS_MAP[state];
  if (!mapped) {
    result.ignored.push({ reason: `WhatsApp status "${state}" is not tracked`, providerId: id });
    return;
  }

  const recipient = readStatusRecipient(status, path);
  const delivery: ParseResult['statuses'][number] = { channel: 'whatsapp', providerMessageId: id, status: mapped, at };
  if (recipient) delivery.recipient = recipient;
  const errors = read.optionalArray(status.errors, `${path}.errors`);
  if (errors.length > 0) delivery.error = describeError(errors[0]);
  result.statuses.push(delivery);
}

function readStatusRecipient(status: JsonObject, path: string): ContactRef | undefined {
  const recipientId = read.optionalId(status.recipient_id, `${path}.recipient_id`);
  const phone = recipientId ? normalizeInternationalDigits(recipientId) : null;
  if (phone) return { kind: 'whatsapp', value: phone };
  const userId = read.optionalId(status.recipient_user_id, `${path}.recipient_user_id`);
  if (userId) return { kind: 'whatsapp', value: userId };
  return undefined;
}

function describeError(value: unknown): { code: string; title: string } {
  if (!isObject(value)) return { code: 'unknown', title: 'unknown error' };
  const code = typeof value.code === 'number' || typeof value.code === 'string' ? String(value.code) : 'unknown';
  const title = typeof value.title === 'string' ? value.title : typeof value.message === 'string' ? value.message : 'unknown error';
  return { code, title };
}

function echoId(value: unknown): string | undefined {
  return isObject(value) && typeof value.id === 'string' ? value.id : undefined;
}
