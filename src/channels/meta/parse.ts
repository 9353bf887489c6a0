/**
 * Meta webhook → normalised messages and delivery statuses.
 *
 * - `object: "page"`: Page feed changes (comments and visitor posts: add,
 *   edited, remove, hide, unhide), mentions of the Page, and Messenger events
 *   under `messaging` or `standby`.
 * - `object: "instagram"`: comments on our media and Instagram direct messages.
 * - `object: "whatsapp_business_account"`: passed to the WhatsApp parser.
 *
 * Content the Page or Instagram account created itself (our own replies,
 * echoes) is ignored so that our replies never come back as complaints.
 * Docs: https://developers.facebook.com/docs/graph-api/webhooks/reference/page
 * and https://developers.facebook.com/docs/messenger-platform/webhooks
 */
import {
  eachItem,
  emptyParseResult,
  type ChannelCode,
  type CommentAction,
  type ContactKind,
  type InboundAttachment,
  type InboundMessage,
  type ParseResult,
} from '../../domain/inbound.ts';
import { parseWhatsAppWebhook } from '../whatsapp/parse.ts';
import { isObject, parseJsonObject, payloadReader, type JsonObject, type WebhookBody } from '../shared/payload.ts';

const read = payloadReader('meta');

/** Feed items that carry a citizen's words. Reactions, shares and likes do not. */
const FEED_TEXT_ITEMS = new Set(['comment', 'post', 'status', 'photo', 'video']);
const COMMENT_ACTIONS = new Set<CommentAction>(['add', 'edited', 'remove', 'hide', 'unhide']);

/** Messenger attachment types and the attachment kind each becomes. */
const MESSAGING_ATTACHMENT_KINDS: Record<string, InboundAttachment['kind']> = {
  image: 'image',
  video: 'video',
  audio: 'audio',
  file: 'document',
  reel: 'video',
  ig_reel: 'video',
};

/** Messenger events that are not messages and that we do not track. */
const IGNORED_MESSAGING_EVENTS = [
  'postback',
  'optin',
  'referral',
  'reaction',
  'policy-enforcement',
  'account_linking',
  'pass_thread_control',
  'take_thread_control',
  'request_thread_control',
  'app_roles',
  'game_play',
  'messaging_feedback',
];

interface EntryContext {
  channel: 'facebook' | 'instagram';
  /** Page id or Instagram account id that received the webhook. */
  accountId: string;
  /** Entry time; Page feed entries use seconds, messaging entries milliseconds. */
  time: Date | undefined;
}

/**
 * Parses a Meta webhook body for a Page, an Instagram account or a WhatsApp
 * Business Account.
 *
 * @example
 *   const { messages, statuses, ignored } = parseMetaWebhook(rawBody);
 */
export function parseMetaWebhook(body: WebhookBody): ParseResult {
  const root = parseJsonObject('meta', body);
  const object = read.string(root.object, 'object');
  if (object === 'whatsapp_business_account') return parseWhatsAppWebhook(root);
  if (object !== 'page' && object !== 'instagram') {
    throw read.error('object', 'must be "page", "instagram" or "whatsapp_business_account"');
  }
  const channel = object === 'page' ? 'facebook' : 'instagram';

  const result = emptyParseResult();
  read.array(root.entry, 'entry').forEach((entryValue, entryIndex) => {
    const entryPath = `entry[${entryIndex}]`;
    const entry = read.object(entryValue, entryPath);
    const context: EntryContext = {
      channel,
      accountId: read.id(entry.id, `${entryPath}.id`),
      time: entry.time === undefined ? undefined : read.unixTime(entry.time, `${entryPath}.time`),
    };

    eachItem(read.optionalArray(entry.changes, `${entryPath}.changes`), result, (changeValue, changeIndex) => {
      const changePath = `${entryPath}.changes[${changeIndex}]`;
      parseChange(read.object(changeValue, changePath), changePath, context, result);
    });
    for (const key of ['messaging', 'standby'] as const) {
      eachItem(read.optionalArray(entry[key], `${entryPath}.${key}`), result, (eventValue, eventIndex) => {
        const eventPath = `${entryPath}.${key}[${eventIndex}]`;
        parseMessagingEvent(read.object(eventValue, eventPath), eventPath, context, result);
      });
    }
  });
  return result;
}

function parseChange(change: JsonObject, path: string, context: EntryContext, result: ParseResult): void {
  const field = read.string(change.field, `${path}.field`);
  const value = change.value === undefined ? undefined : read.object(change.value, `${path}.value`);
  const valuePath = `${path}.value`;

  if (context.channel === 'facebook' && field === 'feed' && value) {
    parseFeedChange(value, valuePath, context, result);
  } else if (context.channel === 'facebook' && field === 'mention' && value) {
    parseMention(value, valuePath, context, result);
  } else if (context.channel === 'instagram' && (field === 'comments' || field === 'live_comments') && value) {
    parseInstagramComment(value, valuePath, context, result);
  } else {
    const providerId = value ? read.optionalId(value.comment_id ?? value.id ?? value.post_id, `${valuePath}.id`) : undefined;
    result.ignored.push({ reason: `${context.channel} webhook field "${field}" is not handled`, providerId });
  }
}

function parseFeedChange(value: JsonObject, path: string, context: EntryContext, result: ParseResult): void {
  const item = read.string(value.item, `${path}.item`);
  const verb = read.string(value.verb, `${path}.verb`);
  const postId = read.id(value.post_id, `${path}.post_id`);
  const commentId = item === 'comment' ? read.id(value.comment_id, `${path}.comment_id`) : postId;

  if (!FEED_TEXT_ITEMS.has(item)) {
    result.ignored.push({ reason: `Page feed item "${item}" is not handled`, providerId: commentId });
    return;
  }
  if (!COMMENT_ACTIONS.has(verb as CommentAction)) {
    result.ignored.push({ reason: `Page feed verb "${verb}" is not handled`, providerId: commentId });
    return;
  }
  const action = verb as CommentAction;
  const sender = readFeedSender(value, path);
  // Moderation events (remove, hide, unhide) are kept regardless of who acted. New content by the Page is our own.
  if ((action === 'add' || action === 'edited') && sender.id === context.accountId) {
    result.ignored.push({ reason: 'content posted by the Page itself', providerId: commentId });
    return;
  }

  const attachments: InboundAttachment[] = [];
  const photo = read.optionalString(value.photo, `${path}.photo`) ?? (item === 'photo' ? read.optionalString(value.link, `${path}.link`) : undefined);
  if (photo) attachments.push({ kind: 'image', url: photo });
  const video = read.optionalString(value.video, `${path}.video`) ?? (item === 'video' ? read.optionalString(value.link, `${path}.link`) : undefined);
  if (video) attachments.push({ kind: 'video', url: video });

  const sentAt = readChangeTime(value, path, context);
  const parentId = read.optionalId(value.parent_id, `${path}.parent_id`);
  const message: InboundMessage = {
    channel: 'facebook',
    providerMessageId: actionMessageId(commentId, action, sentAt, context),
    conversationKind: 'comment',
    sender: { kind: 'facebook', value: sender.id },
    account: context.accountId,
    text: read.optionalString(value.message, `${path}.message`) ?? '',
    sentAt,
    attachments,
    comment: { postId, commentId, action },
  };
  // A top-level comment's parent is the post; only replies to comments get a parentId.
  if (parentId && parentId !== postId && message.comment) message.comment.parentId = parentId;
  if (sender.name) message.sender.displayName = sender.name;
  if (action === 'edited') {
    message.edited = true;
    message.originalProviderMessageId = commentId;
  }
  result.messages.push(message);
}

function parseMention(value: JsonObject, path: string, context: EntryContext, result: ParseResult): void {
  const postId = read.id(value.post_id, `${path}.post_id`);
  const commentId = read.optionalId(value.comment_id, `${path}.comment_id`) ?? postId;
  const hasSender = value.from !== undefined || value.sender_id !== undefined;
  if (!hasSender) {
    // NOTE: mention webhooks name no author; the delivery pipeline would need a Graph API lookup to keep them.
    result.ignored.push({ reason: 'mention of the Page without an author; fetch it with the Graph API', providerId: commentId });
    return;
  }
  parseFeedChange({ ...value, item: value.comment_id !== undefined ? 'comment' : 'post', verb: value.verb ?? 'add' }, path, context, result);
}

function parseInstagramComment(value: JsonObject, path: string, context: EntryContext, result: ParseResult): void {
  const commentId = read.id(value.id, `${path}.id`);
  const from = read.optionalObject(value.from, `${path}.from`);
  const media = read.optionalObject(value.media, `${path}.media`);
  if (!from || !media) {
    // Before October 2021 the comment webhook carried only id and text.
    result.ignored.push({ reason: 'Instagram comment without author or media; fetch it with the Graph API', providerId: commentId });
    return;
  }

  const senderId = read.id(from.id, `${path}.from.id`);
  if (senderId === context.accountId) {
    result.ignored.push({ reason: 'comment by our own Instagram account', providerId: commentId });
    return;
  }

  const postId = read.id(media.id, `${path}.media.id`);
  const parentId = read.optionalId(value.parent_id, `${path}.parent_id`);
  const message: InboundMessage = {
    channel: 'instagram',
    providerMessageId: commentId,
    conversationKind: 'comment',
    sender: { kind: 'instagram', value: senderId },
    account: context.accountId,
    text: read.optionalString(value.text, `${path}.text`) ?? '',
    sentAt: context.time ?? missingTime(path),
    attachments: [],
    comment: { postId, commentId, action: 'add' },
  };
  if (parentId && message.comment) message.comment.parentId = parentId;

  const username = read.optionalString(from.username, `${path}.from.username`);
  if (username) message.sender.displayName = username;
  result.messages.push(message);
}

function parseMessagingEvent(event: JsonObject, path: string, context: EntryContext, result: ParseResult): void {
  const senderObject = read.optionalObject(event.sender, `${path}.sender`);
  const senderId = senderObject ? read.id(senderObject.id, `${path}.sender.id`) : undefined;
  const at = event.timestamp !== undefined ? read.unixTime(event.timestamp, `${path}.timestamp`) : context.time;
  const kind: ContactKind = context.channel;

  if (event.message !== undefined) {
    parseMessagingMessage(read.object(event.message, `${path}.message`), path, senderId, at, context, result);
    return;
  }
  if (event.message_edit !== undefined) {
    const edit = read.object(event.message_edit, `${path}.message_edit`);
    const mid = read.id(edit.mid, `${path}.message_edit.mid`);
    const editNumber = read.optionalId(edit.num_edit, `${path}.message_edit.num_edit`) ?? String(at?.getTime() ?? 0);
    result.messages.push({
      channel: context.channel,
      providerMessageId: `${mid}:edited:${editNumber}`,
      conversationKind: 'direct',
      sender: { kind, value: requireSender(senderId, path) },
      account: context.accountId,
      text: read.optionalString(edit.text, `${path}.message_edit.text`) ?? '',
      sentAt: at ?? missingTime(`${path}.timestamp`),
      attachments: [],
      edited: true,
      originalProviderMessageId: mid,
    });
    return;
  }
  if (event.delivery !== undefined || event.read !== undefined) {
    parseReceipt(event, path, senderId, at, context, result);
    return;
  }
  const eventKind = IGNORED_MESSAGING_EVENTS.find((key) => event[key] !== undefined) ??
    Object.keys(event).find((key) => !['sender', 'recipient', 'timestamp'].includes(key)) ??
    'empty';
  result.ignored.push({ reason: `${context.channel} messaging event "${eventKind}" is not handled` });
}

function parseMessagingMessage(
  message: JsonObject,
  eventPath: string,
  senderId: string | undefined,
  at: Date | undefined,
  context: EntryContext,
  result: ParseResult,
): void {
  const path = `${eventPath}.message`;
  const mid = read.id(message.mid, `${path}.mid`);
  if (message.is_echo === true || senderId === context.accountId) {
    result.ignored.push({ reason: 'echo of a message sent by the Page', providerId: mid });
    return;
  }
  if (message.is_deleted === true) {
    result.ignored.push({ reason: 'message deleted by the sender', providerId: mid });
    return;
  }

  let text = read.optionalString(message.text, `${path}.text`) ?? '';
  const attachments: InboundAttachment[] = [];
  let unsupported: { type: string } | undefined = message.is_unsupported === true ? { type: 'unsupported' } : undefined;
  const isSticker = message.sticker_id !== undefined;

  read.optionalArray(message.attachments, `${path}.attachments`).forEach((attachmentValue, index) => {
    const attachmentPath = `${path}.attachments[${index}]`;
    const attachment = read.object(attachmentValue, attachmentPath);
    const type = read.string(attachment.type, `${attachmentPath}.type`);
    // Legacy `fallback` attachments carry a string payload; only object payloads hold a URL.
    const payload = isObject(attachment.payload) ? attachment.payload : undefined;
    const url = payload ? read.optionalString(payload.url, `${attachmentPath}.payload.url`) : undefined;

    if (type === 'location') {
      const coordinates = payload ? read.object(payload.coordinates, `${attachmentPath}.payload.coordinates`) : undefined;
      const latitude = coordinates ? read.optionalNumber(coordinates.lat, `${attachmentPath}.payload.coordinates.lat`) : undefined;
      const longitude = coordinates ? read.optionalNumber(coordinates.long, `${attachmentPath}.payload.coordinates.long`) : undefined;
      if (latitude === undefined || longitude === undefined) throw read.error(`${attachmentPath}.payload.coordinates`, 'must have lat and long');
      attachments.push({ kind: 'location', latitude, longitude });
    } else if (type === 'fallback') {
      // A shared link; keep what the citizen shared as text.
      const title = read.optionalString(attachment.title, `${attachmentPath}.title`);
      const link = read.optionalString(attachment.url, `${attachmentPath}.url`) ?? url;
      const shared = [title, link].filter((part): part is string => Boolean(part)).join(' ');
      if (shared) text = text ? `${text}\n${shared}` : shared;
    } else if (MESSAGING_ATTACHMENT_KINDS[type]) {
      const kind = isSticker && type === 'image' ? 'sticker' : MESSAGING_ATTACHMENT_KINDS[type];
      const item: InboundAttachment = { kind };
      if (url) item.url = url;
      attachments.push(item);
    } else {
      unsupported = { type };
    }
  });

  const inbound: InboundMessage = {
    channel: context.channel,
    providerMessageId: mid,
    conversationKind: 'direct',
    sender: { kind: context.channel, value: requireSender(senderId, eventPath) },
    account: context.accountId,
    text,
    sentAt: at ?? missingTime(`${eventPath}.timestamp`),
    attachments,
  };
  if (unsupported) inbound.unsupported = unsupported;
  const replyTo = read.optionalObject(message.reply_to, `${path}.reply_to`);
  const repliedMid = replyTo ? read.optionalId(replyTo.mid, `${path}.reply_to.mid`) : undefined;
  if (repliedMid) inbound.replyTo = { providerMessageId: repliedMid };
  result.messages.push(inbound);
}

function parseReceipt(
  event: JsonObject,
  path: string,
  senderId: string | undefined,
  at: Date | undefined,
  context: EntryContext,
  result: ParseResult,
): void {
  const isDelivery = event.delivery !== undefined;
  const key = isDelivery ? 'delivery' : 'read';
  const receipt = read.object(event[key], `${path}.${key}`);
  const status = isDelivery ? 'delivered' : 'read';
  const recipient = { kind: context.channel as ContactKind, value: requireSender(senderId, path) };
  const channel: ChannelCode = context.channel;

  const mids = isDelivery
    ? read.optionalArray(receipt.mids, `${path}.delivery.mids`).map((mid, index) => read.id(mid, `${path}.delivery.mids[${index}]`))
    : [read.optionalId(receipt.mid, `${path}.read.mid`)].filter((mid): mid is string => mid !== undefined);
  const when = at ?? missingTime(`${path}.timestamp`);
  for (const mid of mids) {
    result.statuses.push({ channel, providerMessageId: mid, recipient, status, at: when });
  }
  if (mids.length === 0) {
    // Messenger reports reads (and older deliveries) as a watermark: everything up to that time.
    const upTo = read.unixTime(receipt.watermark, `${path}.${key}.watermark`);
    result.statuses.push({ channel, watermark: { recipient, upTo }, recipient, status, at: when });
  }
}

function readFeedSender(value: JsonObject, path: string): { id: string; name?: string } {
  const from = read.optionalObject(value.from, `${path}.from`);
  if (from) {
    return { id: read.id(from.id, `${path}.from.id`), name: read.optionalString(from.name, `${path}.from.name`) };
  }
  if (value.sender_id !== undefined) {
    return { id: read.id(value.sender_id, `${path}.sender_id`), name: read.optionalString(value.sender_name, `${path}.sender_name`) };
  }
  throw read.error(path, 'must have "from" or "sender_id"');
}

function readChangeTime(value: JsonObject, path: string, context: EntryContext): Date {
  if (value.created_time !== undefined) {
    // Usually Unix seconds; some older payloads use an ISO 8601 string.
    if (typeof value.created_time === 'string' && !/^\d+$/.test(value.created_time)) {
      const parsed = new Date(value.created_time);
      if (Number.isNaN(parsed.getTime())) throw read.error(`${path}.created_time`, 'is not a valid time');
      return parsed;
    }
    return read.unixTime(value.created_time, `${path}.created_time`);
  }
  return context.time ?? missingTime(`${path}.created_time`);
}

/**
 * `commentId` for a new comment; a distinct id per edit or moderation event
 * so none overwrites another. The event is dated by the later of the
 * comment's `created_time` and the entry's time: Facebook repeats the
 * comment's creation time on every edit and hide, so only the entry's time
 * separates a second edit from the first. A provider's retry of one event
 * carries the same times, so it keeps its id and is dropped as a duplicate.
 */
function actionMessageId(commentId: string, action: CommentAction, at: Date, context: EntryContext): string {
  if (action === 'add') return commentId;
  const eventTime = Math.max(at.getTime(), context.time?.getTime() ?? 0);
  return `${commentId}:${action}:${Math.floor(eventTime / 1000)}`;
}

function requireSender(senderId: string | undefined, path: string): string {
  if (senderId === undefined) throw read.error(`${path}.sender.id`, 'is missing');
  return senderId;
}

function missingTime(path: string): never {
  throw read.error(path, 'has no time: neither the event nor its entry has a timestamp');
}

