/**
 * X (Twitter) Account Activity API webhook → normalised messages.
 *
 * A delivery names the subscribed account in `for_user_id` and carries one
 * or more event arrays:
 * - `tweet_create_events`: posts that mention or reply to us become comment
 *   messages; our own posts and reposts are ignored;
 * - `direct_message_events` (`type: "message_create"`): DMs to us become
 *   direct messages; DMs we sent are ignored;
 * - `direct_message_mark_read_events`: read receipts of our DMs.
 * Other events (likes, follows, deletes, typing) are listed in `ignored`.
 * Docs: https://developer.x.com/en/docs/x-api/enterprise/account-activity-api/guides/account-activity-data-objects
 */
import { eachItem, emptyParseResult, type InboundAttachment, type InboundMessage, type ParseResult } from '../../domain/inbound.ts';
import { isObject, parseJsonObject, payloadReader, type JsonObject, type WebhookBody } from '../shared/payload.ts';

const read = payloadReader('x');

/** Keys that describe the delivery rather than carry events. */
const ENVELOPE_KEYS = new Set(['for_user_id', 'users', 'apps', 'is_blocked_by', 'user_has_blocked', 'source', 'target']);

/**
 * Parses an Account Activity webhook body.
 *
 * @example
 *   const { messages, statuses } = parseXActivity(rawBody);
 */
export function parseXActivity(body: WebhookBody): ParseResult {
  const root = parseJsonObject('x', body);
  const accountId = read.id(root.for_user_id, 'for_user_id');
  const users = read.optionalObject(root.users, 'users') ?? {};
  const result = emptyParseResult();

  for (const key of Object.keys(root)) {
    if (ENVELOPE_KEYS.has(key)) continue;
    if (key === 'tweet_create_events') {
      eachItem(read.array(root[key], key), result, (tweet, index) => parseTweet(read.object(tweet, `${key}[${index}]`), `${key}[${index}]`, accountId, result));
    } else if (key === 'direct_message_events') {
      eachItem(read.array(root[key], key), result, (event, index) => parseDirectMessage(read.object(event, `${key}[${index}]`), `${key}[${index}]`, accountId, users, result));
    } else if (key === 'direct_message_mark_read_events') {
      eachItem(read.array(root[key], key), result, (event, index) => parseMarkRead(read.object(event, `${key}[${index}]`), `${key}[${index}]`, accountId, result));
    } else {
      result.ignored.push({ reason: `X event "${key}" is not handled` });
    }
  }
  return result;
}

function parseTweet(tweet: JsonObject, path: string, accountId: string, result: ParseResult): void {
  const id = read.id(tweet.id_str ?? tweet.id, `${path}.id_str`);
  const user = read.object(tweet.user, `${path}.user`);
  const userId = read.id(user.id_str ?? user.id, `${path}.user.id_str`);
  if (userId === accountId) {
    result.ignored.push({ reason: 'post by our own X account', providerId: id });
    return;
  }
  if (tweet.retweeted_status !== undefined) {
    result.ignored.push({ reason: 'repost of another post', providerId: id });
    return;
  }

  const inReplyTo = read.optionalId(tweet.in_reply_to_status_id_str, `${path}.in_reply_to_status_id_str`);
  const message: InboundMessage = {
    channel: 'x',
    providerMessageId: id,
    conversationKind: 'comment',
    sender: { kind: 'x', value: userId },
    account: accountId,
    text: readTweetText(tweet, path),
    sentAt: readTweetTime(tweet, path),
    attachments: readTweetMedia(tweet, path),
    comment: { postId: inReplyTo ?? id, commentId: id, action: 'add' },
  };
  if (inReplyTo && message.comment) message.comment.parentId = inReplyTo;
  if (inReplyTo) message.replyTo = { providerMessageId: inReplyTo };
  const name = read.optionalString(user.name, `${path}.user.name`);
  if (name) message.sender.displayName = name;
  result.messages.push(message);
}

/**
 * Full text of a post. Posts over 140 characters arrive truncated with the
 * whole text in `extended_tweet.full_text`; `display_text_range` excludes the
 * leading @mentions that a reply carries.
 */
function readTweetText(tweet: JsonObject, path: string): string {
  const extended = read.optionalObject(tweet.extended_tweet, `${path}.extended_tweet`);
  const source = extended ?? tweet;
  const sourcePath = extended ? `${path}.extended_tweet` : path;
  const text =
    read.optionalString(source.full_text, `${sourcePath}.full_text`) ?? read.optionalString(source.text, `${sourcePath}.text`) ?? '';
  const range = read.optionalArray(source.display_text_range, `${sourcePath}.display_text_range`);
  if (range.length === 2 && typeof range[0] === 'number' && typeof range[1] === 'number') {
    // The range counts Unicode code points, not UTF-16 units.
    return Array.from(text).slice(range[0], range[1]).join('').trim();
  }
  return text;
}

function readTweetTime(tweet: JsonObject, path: string): Date {
  if (tweet.timestamp_ms !== undefined) return read.unixTime(tweet.timestamp_ms, `${path}.timestamp_ms`);
  const createdAt = read.string(tweet.created_at, `${path}.created_at`);
  // v1.1 format: "Wed Oct 10 20:19:24 +0000 2018".
  const parsed = new Date(createdAt);
  if (Number.isNaN(parsed.getTime())) throw read.error(`${path}.created_at`, 'is not a valid time');
  return parsed;
}

function readTweetMedia(tweet: JsonObject, path: string): InboundAttachment[] {
  const extended = read.optionalObject(tweet.extended_tweet, `${path}.extended_tweet`);
  const holder = read.optionalObject((extended ?? tweet).extended_entities, `${path}.extended_entities`) ?? read.optionalObject((extended ?? tweet).entities, `${path}.entities`);
  if (!holder) return [];
  return read.optionalArray(holder.media, `${path}.extended_entities.media`).map((value, index) => mediaAttachment(value, `${path}.extended_entities.media[${index}]`));
}

function mediaAttachment(value: unknown, path: string): InboundAttachment {
  const media = read.object(value, path);
  const type = read.optionalString(media.type, `${path}.type`);
  const attachment: InboundAttachment = { kind: type === 'video' || type === 'animated_gif' ? 'video' : 'image' };
  const id = read.optionalId(media.id_str ?? media.id, `${path}.id_str`);
  if (id) attachment.providerMediaId = id;
  const url = read.optionalString(media.media_url_https ?? media.media_url, `${path}.media_url_https`);
  if (url) attachment.url = url;
  return attachment;
}

function parseDirectMessage(event: JsonObject, path: string, accountId: string, users: JsonObject, result: ParseResult): void {
  const id = read.id(event.id, `${path}.id`);
  const type = read.string(event.type, `${path}.type`);
  if (type !== 'message_create') {
    result.ignored.push({ reason: `X direct message event "${type}" is not handled`, providerId: id });
    return;
  }
  const create = read.object(event.message_create, `${path}.message_create`);
  const senderId = read.id(create.sender_id, `${path}.message_create.sender_id`);
  if (senderId === accountId) {
    result.ignored.push({ reason: 'direct message sent by our own X account', providerId: id });
    return;
  }
  const data = read.object(create.message_data, `${path}.message_create.message_data`);
  const attachments: InboundAttachment[] = [];
  const attachment = read.optionalObject(data.attachment, `${path}.message_create.message_data.attachment`);
  if (attachment && attachment.type === 'media' && isObject(attachment.media)) {
    attachments.push(mediaAttachment(attachment.media, `${path}.message_create.message_data.attachment.media`));
  }

  const message: InboundMessage = {
    channel: 'x',
    providerMessageId: id,
    conversationKind: 'direct',
    sender: { kind: 'x', value: senderId },
    account: accountId,
    text: read.optionalString(data.text, `${path}.message_create.message_data.text`) ?? '',
    sentAt: read.unixTime(event.created_timestamp, `${path}.created_timestamp`),
    attachments,
  };
  const profile = isObject(users[senderId]) ? (users[senderId] as JsonObject) : undefined;
  if (profile && typeof profile.name === 'string') message.sender.displayName = profile.name;
  result.messages.push(message);
}

function parseMarkRead(event: JsonObject, path: string, accountId: string, result: ParseResult): void {
  const readerId = read.id(event.sender_id, `${path}.sender_id`);
  if (readerId === accountId) {
    result.ignored.push({ reason: 'read receipt from our own X account' });
    return;
  }
  result.statuses.push({
    channel: 'x',
    providerMessageId: read.id(event.last_read_event_id, `${path}.last_read_event_id`),
    recipient: { kind: 'x', value: readerId },
    status: 'read',
    at: read.unixTime(event.created_timestamp, `${path}.created_timestamp`),
  });
}
