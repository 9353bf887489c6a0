/**
 * The one shape every intake channel produces. A channel adapter turns a
 * provider payload (WhatsApp, Telegram, Meta, X, e-mail, SMS) into
 * `InboundMessage`s and `DeliveryStatus`es, so nothing downstream needs to
 * know which provider a message came from.
 *
 * Pure types and one error class: no I/O.
 */

/** Intake channel (kanal). The last three are typed in by an officer. */
export type ChannelCode =
  | 'whatsapp'
  | 'telegram'
  | 'facebook'
  | 'instagram'
  | 'x'
  | 'email'
  | 'sms'
  | 'web'
  | 'walk_in'
  | 'phone';

/**
 * Kind of contact (kontak). Values are normalised:
 * - `phone`: E.164 (`+6281234567890`);
 * - `whatsapp`: E.164 of the wa_id, or the business-scoped user id (`US.…`)
 *   when WhatsApp withholds the phone number;
 * - `telegram`, `facebook`, `instagram`, `x`: the provider's numeric user id
 *   as a string (a page-scoped id for Messenger, an Instagram-scoped id for
 *   Instagram DMs);
 * - `email`: lowercase address.
 */
export type ContactKind = 'phone' | 'whatsapp' | 'telegram' | 'facebook' | 'instagram' | 'x' | 'email';

/** A contact value of a given kind. */
export interface ContactRef {
  kind: ContactKind;
  value: string;
}

/** The person who sent a message. */
export interface InboundSender extends ContactRef {
  /** Name shown by the provider (profile name, From display name); not verified. */
  displayName?: string;
}

export type AttachmentKind = 'image' | 'video' | 'audio' | 'document' | 'sticker' | 'location' | 'contact';

/** A file, location or shared contact card that came with a message. */
export interface InboundAttachment {
  kind: AttachmentKind;
  /** Provider media handle to download later (WhatsApp media id, Telegram file_id). */
  providerMediaId?: string;
  /** Download URL when the provider sends one; Meta URLs expire. */
  url?: string;
  mimeType?: string;
  fileName?: string;
  /** Size in bytes, when known. */
  sizeBytes?: number;
  /** Base64 SHA-256 digest of the file, as WhatsApp sends it; computed here for e-mail. */
  sha256?: string;
  /** File bytes when the provider delivers them inline (e-mail attachments). */
  content?: Uint8Array;
  /** WGS84 degrees, for `location`. */
  latitude?: number;
  longitude?: number;
  /** Caption of a photo or video, or the name and address of a shared location. */
  caption?: string;
  /** Shared contact card, for `contact`. Phones are E.164 where they could be normalised. */
  contact?: { name?: string; phones: string[] };
}

/** The provider's own kinds of comment moderation event. */
export type CommentAction = 'add' | 'edited' | 'remove' | 'hide' | 'unhide';

export type EmailClassification = 'human' | 'auto_reply' | 'bounce' | 'feedback_report' | 'loop';

/** One message from a citizen, whatever the channel. */
export interface InboundMessage {
  channel: ChannelCode;
  /**
   * Unique per channel; the dedupe key. Edits and moderation events get their
   * own id (derived from the original) so that they never collide with it.
   */
  providerMessageId: string;
  /** `comment` for public comments, posts and mentions; `direct` for private messages and mail. */
  conversationKind: 'direct' | 'comment';
  sender: InboundSender;
  /** Other contacts known to belong to the sender, e.g. a WhatsApp wa_id is also a phone number. */
  alsoKnownAs?: ContactRef[];
  /**
   * Our account that received the message: WhatsApp phone-number id, Page or
   * Instagram account id, Telegram bot id, X user id, e-mail address, SMS number.
   */
  account?: string;
  /** Message text; `''` when the message is only attachments. */
  text: string;
  sentAt: Date;
  attachments: InboundAttachment[];
  /** The message this one replies to: a provider message id, or e-mail In-Reply-To and References. */
  replyTo?: { providerMessageId?: string; messageIds?: string[] };
  /** Set on `conversationKind: 'comment'`. For a top-level post, `commentId` equals `postId`. */
  comment?: { postId: string; commentId: string; parentId?: string; action: CommentAction };
  /** True for a new version of an earlier message; see `originalProviderMessageId`. */
  edited?: boolean;
  /** For an edit, the `providerMessageId` of the message it replaces. */
  originalProviderMessageId?: string;
  /** True when the provider marks the message as forwarded. */
  forwarded?: boolean;
  /** A message type we cannot handle; the case shows a visible placeholder. */
  unsupported?: { type: string };
  email?: {
    subject: string;
    /** Message-ID header with angle brackets, as sent. */
    messageId?: string;
    classification: EmailClassification;
    /** Size of the raw RFC 822 message in bytes. */
    rawSize: number;
    /** Signature block split off the reply text (may carry a phone number or address). */
    signature?: string;
    /** Quoted history removed from the reply text. */
    quoted?: string;
  };
}

export type DeliveryState = 'sent' | 'delivered' | 'read' | 'failed';

/** A delivery or read receipt for a message we sent. */
export interface DeliveryStatus {
  channel: ChannelCode;
  /**
   * Id of our outbound message. Absent when the provider reports a watermark
   * instead (Messenger read receipts): then the status applies to every
   * message sent to `watermark.recipient` at or before `watermark.upTo`.
   */
  providerMessageId?: string;
  watermark?: { recipient: ContactRef; upTo: Date };
  /** The contact the message was sent to, when the provider reports it. */
  recipient?: ContactRef;
  status: DeliveryState;
  at: Date;
  error?: { code: string; title: string };
}

/** An event in a payload that was understood but deliberately not turned into a message. */
export interface IgnoredEvent {
  /** English reason, without personal data. */
  reason: string;
  /** Provider id of the ignored item, when it has one. */
  providerId?: string;
}

/** Result of every channel parser. */
export interface ParseResult {
  messages: InboundMessage[];
  statuses: DeliveryStatus[];
  ignored: IgnoredEvent[];
  /**
   * Items of a batched payload that could not be read, as PayloadError
   * messages. The other items of the payload stand; set only when one failed.
   */
  rejected?: string[];
}

/**
 * Parses each item of a batched payload on its own: a malformed item is
 * recorded in `result.rejected`, and the items around it are still read.
 * Errors other than PayloadError are thrown.
 */
export function eachItem<T>(items: readonly T[], result: ParseResult, parse: (item: T, index: number) => void): void {
  items.forEach((item, index) => {
    try {
      parse(item, index);
    } catch (error) {
      if (!(error instanceof PayloadError)) throw error;
      (result.rejected ??= []).push(error.message);
    }
  });
}

/** Returns an empty `ParseResult` to fill. */
export function emptyParseResult(): ParseResult {
  return { messages: [], statuses: [], ignored: [] };
}

/**
 * Raised by a channel parser when a payload is malformed: not JSON, or a
 * required field is missing or has the wrong type. The message names the
 * channel and the JSON path, and never contains message text.
 *
 * @example
 *   throw new PayloadError('whatsapp', 'entry[0].changes', 'is missing');
 *   // "Invalid whatsapp payload: entry[0].changes is missing."
 */
export class PayloadError extends Error {
  readonly channel: string;
  /** JSON path of the offending field, e.g. `entry[0].messaging[1].sender.id`. */
  readonly path: string;

  constructor(channel: string, path: string, problem: string) {
    const where = path ? `${path} ${problem}` : problem;
    super(`Invalid ${channel} payload: ${where}.`);
    this.name = 'PayloadError';
    this.channel = channel;
    this.path = path;
  }
}

/** Result of an outbound send. */
export type SendResult = SendSuccess | SendFailure;

export interface SendSuccess {
  ok: true;
  /** Id the provider gave the sent message, in the same form its webhooks report statuses for. */
  providerMessageId: string;
}

/** Broad reason for a failed send, so the delivery job can choose what to do next. */
export type SendFailureCategory =
  /** The provider only allows a free-form reply within a window after the citizen's last message. */
  | 'outside_window'
  | 'rate_limited'
  /** The recipient cannot be reached: blocked us, unknown number, deleted account. */
  | 'recipient_unreachable'
  /** Credentials are invalid, expired or lack a permission. */
  | 'auth'
  /** The request itself is wrong: bad parameter, text too long, unknown template. */
  | 'invalid_request'
  /** A temporary failure at the provider. */
  | 'provider_error'
  /** Connection refused, reset or timed out before the provider responded. */
  | 'network';

export interface SendFailure {
  ok: false;
  /** True when sending the same request later may succeed. */
  retryable: boolean;
  category: SendFailureCategory;
  /** Provider error code (e.g. `131047`), or `http_<status>`, `network_error`, `timeout`, `invalid_response`. */
  code: string;
  /** English description from the provider or from us; contains no message text. */
  message: string;
  /** HTTP status of the provider's response, when there was one. */
  httpStatus?: number;
  /** Seconds to wait before retrying, when the provider gives a wait. */
  retryAfterSeconds?: number;
}
