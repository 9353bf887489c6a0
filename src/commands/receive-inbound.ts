/**
 * One normalised channel message → a new report, a reply on an open one, or
 * an event on the report it belongs to; all in one transaction whose first
 * statement records the message under UNIQUE (channel, provider_message_id).
 * A repeated, concurrent or replayed delivery therefore inserts nothing and
 * changes nothing.
 *
 * Threading rules:
 * - the sender and the contacts known to be theirs (a WhatsApp id is also a
 *   phone number, a phone number in an e-mail signature) resolve to one reporter;
 * - a direct message joins the reporter's latest open or resolved report
 *   that came in on a direct channel and was active within the thread
 *   window; a resolved report is reopened by it;
 * - a public comment joins the sender's open report from the same post,
 *   otherwise it opens a report; edits, removals and hides of a comment are
 *   events on the report that comment opened;
 * - e-mail joins a report only through In-Reply-To/References, and only when
 *   the sender is a contact of that report's reporter; automatic mail
 *   (auto-replies, bounces, feedback reports, loops) is stored as ignored.
 */
import { sql, type Kysely } from 'kysely';
import type { DB, InboundOutcome, MessagingChannel } from '../db/schema.ts';
import type { InboundAttachment, InboundMessage } from '../domain/inbound.ts';
import { findPhoneNumbers } from '../domain/phone.ts';
import { AttachmentError, MAX_ATTACHMENTS, prepareAttachment } from '../domain/images.ts';
import { OPEN_STATUSES } from '../domain/lifecycle.ts';
import type { ComplaintStatus } from '../domain/types.ts';
import { appendEvent, type Actor, type Tx } from './context.ts';
import { CommandError } from './errors.ts';
import { DESCRIPTION_MAX, DESCRIPTION_MIN, receiveInTransaction, type AttachmentUpload } from './receive-complaint.ts';
import { REPLYABLE_STATUSES, replyInTransaction } from './reopen-complaint.ts';
import { normalizeContact, resolveReporter, type ContactInput } from './reporters.ts';
import { isMessagingChannel, queueAcknowledgement } from './queue-outbound.ts';
import { textLength, truncateText } from '../domain/text.ts';
import { CONTACT_CARD_LABEL } from '../domain/triage/personal-data.ts';

/** Reports a citizen message may still be added to; a closed or archived one needs a new report. */

/** Channels that are one-to-one conversations whatever the message; Meta and X carry both comments and DMs. */
const DIRECT_ONLY_CHANNELS: readonly MessagingChannel[] = ['whatsapp', 'telegram', 'sms'];

/** Maximum length of a reply event's text, as `replyAsCitizen` allows. */
const REPLY_MAX = 5000;

/** Advisory lock namespace for "one sender at a time" (first key of pg_advisory_xact_lock). */
const SENDER_LOCK_NAMESPACE = 73_164_520;

const CITIZEN: Actor = { kind: 'citizen' };
const CHANNEL_ACTOR: Actor = { kind: 'system', reason: 'channel' };

const CHANNEL_LABELS: Record<MessagingChannel, string> = {
  whatsapp: 'WhatsApp',
  telegram: 'Telegram',
  facebook: 'Facebook',
  instagram: 'Instagram',
  x: 'X',
  email: 'e-mail',
  sms: 'SMS',
};

/** A file or link that came with a message but could not be stored. */
export interface AttachmentFailure {
  kind: string;
  /** English reason without personal data, e.g. `download failed: HTTP 404`. */
  reason: string;
}

/** Files the caller fetched for a message's attachments before the transaction. */
export interface InboundFiles {
  /** Downloaded or inline files, in message order. */
  uploads: AttachmentUpload[];
  failures: AttachmentFailure[];
  /** Attachments kept as a link only (providers that send a URL, not a file handle). */
  links: Array<{ kind: string; url: string }>;
}

export const NO_FILES: InboundFiles = { uploads: [], failures: [], links: [] };

export interface ReceiveInboundOptions {
  now: Date;
  /** Envelope the message was parsed from. */
  envelopeId?: number;
  /** Days after its last citizen message that a report still takes direct messages (CHANNEL_THREAD_WINDOW_DAYS). */
  threadWindowDays: number;
  /** Queue the tracking-code acknowledgement when a message opens a report. */
  acknowledge: boolean;
}

export type ReceiveInboundResult =
  | { outcome: 'duplicate' }
  | {
      outcome: InboundOutcome;
      inboundMessageId: number;
      complaintId: number | null;
      eventId: number | null;
      /** Reason the message was ignored, in English and without message text. */
      reason?: string;
    };

type Decision = Exclude<ReceiveInboundResult, { outcome: 'duplicate' }>;

/**
 * Records one inbound message and threads it.
 *
 * @example
 *   const result = await receiveInbound(db, message, NO_FILES, { now: new Date(), threadWindowDays: 14, acknowledge: true });
 *   if (result.outcome === 'created') console.log('new report', result.complaintId);
 */
export async function receiveInbound(
  db: Kysely<DB>,
  message: InboundMessage,
  files: InboundFiles,
  options: ReceiveInboundOptions,
): Promise<ReceiveInboundResult> {
  if (!isMessagingChannel(message.channel)) {
    throw new Error(`receiveInbound: channel "${message.channel}" is not a messaging channel.`);
  }
  const channel = message.channel;
  return db.transaction().execute(async (trx) => {
    // The dedupe record comes first: a second delivery of the same message stops here.
    const inserted = await trx
      .insertInto('inbound_messages')
      .values({
        channel,
        provider_message_id: message.providerMessageId,
        envelope_id: options.envelopeId ?? null,
        conversation_kind: message.conversationKind,
        sender_kind: message.sender.kind,
        sender_value: message.sender.value,
        account: message.account ?? null,
        outcome: 'ignored',
        post_id: message.comment?.postId ?? null,
        comment_id: message.comment?.commentId ?? null,
        original_provider_message_id: message.originalProviderMessageId ?? null,
        email_message_id: message.email?.messageId ?? null,
        email_subject: message.email?.subject ?? null,
        sent_at: message.sentAt,
        received_at: options.now,
      })
      .onConflict((oc) => oc.columns(['channel', 'provider_message_id']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) return { outcome: 'duplicate' as const };

    const checked = checkUploads(files);
    const decision = await threadMessage(trx, message, channel, checked, options, inserted.id);
    await trx
      .updateTable('inbound_messages')
      .set({
        outcome: decision.outcome,
        reason: decision.reason ?? null,
        complaint_id: decision.complaintId,
        event_id: decision.eventId,
        reporter_id: decision.reporterId,
        attachment_errors: JSON.stringify(checked.failures),
      })
      .where('id', '=', inserted.id)
      .execute();
    // After the update: the acknowledgement is addressed from this message (its comment, its Message-ID).
    if (decision.outcome === 'created' && options.acknowledge) {
      const complaint = await trx.selectFrom('complaints').selectAll().where('id', '=', decision.complaintId!).executeTakeFirstOrThrow();
      await queueAcknowledgement(trx, complaint, decision.eventId!, options.now);
    }
    const { reporterId: _reporterId, ...result } = decision;
    return result;
  });
}

async function threadMessage(
  trx: Tx,
  message: InboundMessage,
  channel: MessagingChannel,
  files: InboundFiles,
  options: ReceiveInboundOptions,
  inboundMessageId: number,
): Promise<Decision & { reporterId: number | null }> {
  const ignored = (reason: string) => ({ outcome: 'ignored' as const, inboundMessageId, complaintId: null, eventId: null, reason, reporterId: null });

  if (message.email && message.email.classification !== 'human') {
    return ignored(`e-mail classified as ${message.email.classification}; automatic mail opens no report and gets no acknowledgement`);
  }
  // One sender at a time: two messages from a new citizen must not open two reports or two reporters.
  await sql`SELECT pg_advisory_xact_lock(${SENDER_LOCK_NAMESPACE}, hashtext(${`${message.sender.kind}:${message.sender.value}`}))`.execute(trx);

  const now = options.now;
  const eventData = inboundEventData(message, inboundMessageId, files);
  const action = message.comment?.action ?? 'add';

  if (action === 'remove' || action === 'hide' || action === 'unhide') {
    const original = await findMessageComplaint(trx, channel, { commentId: message.comment!.commentId });
    if (!original) return ignored(`comment ${action} for a comment that opened no report`);
    const eventId = await appendEvent(trx, original.complaintId, CHANNEL_ACTOR, {
      type: `comment_${action === 'remove' ? 'removed' : action === 'hide' ? 'hidden' : 'unhidden'}`,
      at: clampToNow(message.sentAt, now),
      data: eventData,
    }, now);
    return { outcome: 'event', inboundMessageId, complaintId: original.complaintId, eventId, reporterId: original.reporterId };
  }

  if (message.edited && message.originalProviderMessageId) {
    const original = message.comment
      ? await findMessageComplaint(trx, channel, { commentId: message.comment.commentId })
      : await findMessageComplaint(trx, channel, { providerMessageId: message.originalProviderMessageId });
    if (original) {
      const eventId = await appendEvent(trx, original.complaintId, CITIZEN, {
        type: message.comment ? 'comment_edited' : 'message_edited',
        at: clampToNow(message.sentAt, now),
        body: describeInbound(message, channel, { min: 1, max: REPLY_MAX }),
        data: eventData,
      }, now);
      return { outcome: 'event', inboundMessageId, complaintId: original.complaintId, eventId, reporterId: original.reporterId };
    }
    // The original never reached us (or opened nothing): the edit is the message.
  }

  const contacts = senderContacts(message);
  // Threading looks at the contacts on record before this message, so a new
  // address or number in it cannot make the sender a participant of a report.
  const knownReporterId = contacts.length > 0 ? await findReporter(trx, contacts) : null;
  const target = await findThread(trx, message, channel, knownReporterId, options);
  if (target) {
    const reporterId = await resolveReporter(trx, message.sender.displayName, contacts, { verified: true });
    const body = describeInbound(message, channel, { min: 1, max: REPLY_MAX }, files.failures.length);
    const replied = await replyInTransaction(trx, CITIZEN, target, { body, attachments: files.uploads, eventData }, now);
    if (replied) return { outcome: 'replied', inboundMessageId, complaintId: target, eventId: replied.eventId, reporterId };
  }

  const location = message.attachments.find((attachment) => attachment.kind === 'location');
  const { complaint } = await receiveInTransaction(trx, { db: trx, actor: CITIZEN }, {
    channel,
    description: describeInbound(message, channel, { min: DESCRIPTION_MIN, max: DESCRIPTION_MAX, withSubject: true }, files.failures.length),
    receivedAt: clampToNow(message.sentAt, now),
    reporter: { name: message.sender.displayName, contacts },
    contactsVerified: true,
    latitude: location?.latitude,
    longitude: location?.longitude,
    attachments: files.uploads,
    eventData,
  }, now);
  const received = await trx
    .selectFrom('complaint_events')
    .select('id')
    .where('complaint_id', '=', complaint.id)
    .where('type', '=', 'received')
    .orderBy('id')
    .executeTakeFirstOrThrow();
  return { outcome: 'created', inboundMessageId, complaintId: complaint.id, eventId: received.id, reporterId: complaint.reporter_id };
}

/**
 * Collects the sender's contacts, normalised, leaving out values the
 * reporter table rejects. E-mail adds the phone numbers written in the signature.
 */
function senderContacts(message: InboundMessage): ContactInput[] {
  const candidates: ContactInput[] = [{ kind: message.sender.kind, value: message.sender.value }, ...(message.alsoKnownAs ?? [])];
  // NOTE: a number in a signature is not verified, so anyone who writes a citizen's number there joins that citizen's reporter.
  for (const phone of findPhoneNumbers(message.email?.signature ?? '')) candidates.push({ kind: 'phone', value: phone.e164 });

  const contacts: ContactInput[] = [];
  const seen = new Set<string>();
  for (const candidate of candidates) {
    let normalised: ContactInput;
    try {
      normalised = normalizeContact(candidate);
    } catch (error) {
      // A contact the provider sent in a form we cannot normalise is skipped; the sender's other contacts still count.
      if (error instanceof CommandError) continue;
      throw error;
    }
    const key = `${normalised.kind}:${normalised.value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    contacts.push(normalised);
  }
  return contacts;
}

/** Finds the reporter of the first contact already on record; contacts are unique across reporters. */
async function findReporter(trx: Tx, contacts: ContactInput[]): Promise<number | null> {
  for (const contact of contacts) {
    const row = await trx
      .selectFrom('contacts')
      .select('reporter_id')
      .where('kind', '=', contact.kind)
      .where('value', '=', contact.value)
      .where('verified', '=', true)
      .executeTakeFirst();
    if (row) return row.reporter_id;
  }
  return null;
}

/** Finds the report a message joins, or returns null for a new report. */
async function findThread(
  trx: Tx,
  message: InboundMessage,
  channel: MessagingChannel,
  reporterId: number | null,
  options: ReceiveInboundOptions,
): Promise<number | null> {
  if (channel === 'email') return findEmailThread(trx, message);
  if (reporterId === null) return null;

  if (message.conversationKind === 'comment') {
    const row = await trx
      .selectFrom('inbound_messages as m')
      .innerJoin('complaints as c', 'c.id', 'm.complaint_id')
      .select('c.id')
      .where('m.channel', '=', channel)
      .where('m.post_id', '=', message.comment!.postId)
      .where('m.reporter_id', '=', reporterId)
      .where('c.status', 'in', OPEN_STATUSES)
      .orderBy('c.received_at', 'desc')
      .executeTakeFirst();
    return row?.id ?? null;
  }

  const reference = clampToNow(message.sentAt, options.now);
  const windowStart = new Date(reference.getTime() - options.threadWindowDays * 86_400_000);
  const row = await trx
    .selectFrom('complaints as c')
    .select('c.id')
    .select(sql<Date>`greatest(c.received_at, (SELECT max(m.sent_at) FROM inbound_messages m WHERE m.complaint_id = c.id))`.as('last_activity'))
    .where('c.reporter_id', '=', reporterId)
    .where('c.status', 'in', REPLYABLE_STATUSES)
    .where((eb) =>
      eb.or([
        eb('c.channel', 'in', DIRECT_ONLY_CHANNELS),
        eb.exists(
          eb.selectFrom('inbound_messages as d')
            .select('d.id')
            .whereRef('d.complaint_id', '=', 'c.id')
            .where('d.conversation_kind', '=', 'direct')
            .where('d.channel', '!=', 'email'),
        ),
      ]),
    )
    .where(sql<boolean>`greatest(c.received_at, (SELECT max(m.sent_at) FROM inbound_messages m WHERE m.complaint_id = c.id)) >= ${windowStart}`)
    .orderBy('last_activity', 'desc')
    .orderBy('c.id', 'desc')
    .executeTakeFirst();
  return row?.id ?? null;
}

/**
 * Finds the report an e-mail replies to, through In-Reply-To and References
 * (our outbound Message-IDs and the citizen's earlier mail), but only when
 * the sender is a contact of that report's reporter: anyone can copy a
 * Message-ID into a new mail.
 */
async function findEmailThread(trx: Tx, message: InboundMessage): Promise<number | null> {
  const ids = message.replyTo?.messageIds ?? [];
  if (ids.length === 0) return null;
  const inbound = await trx
    .selectFrom('inbound_messages')
    .select(['email_message_id as messageId', 'complaint_id as complaintId'])
    .where('channel', '=', 'email')
    .where('email_message_id', 'in', ids)
    .where('complaint_id', 'is not', null)
    .execute();
  const outbound = await trx
    .selectFrom('outbound_messages')
    .select(['provider_message_id as messageId', 'complaint_id as complaintId'])
    .where('channel', '=', 'email')
    .where('provider_message_id', 'in', ids)
    .execute();
  const byId = new Map<string, number>();
  for (const row of [...inbound, ...outbound]) {
    if (row.messageId && row.complaintId !== null) byId.set(row.messageId, row.complaintId);
  }
  // In-Reply-To comes first in `ids`, then References newest first.
  const complaintId = ids.map((id) => byId.get(id)).find((id): id is number => id !== undefined);
  if (complaintId === undefined) return null;

  const participant = await trx
    .selectFrom('complaints as c')
    .innerJoin('contacts as k', 'k.reporter_id', 'c.reporter_id')
    .select('c.id')
    .where('c.id', '=', complaintId)
    .where('k.kind', '=', 'email')
    .where('k.value', '=', message.sender.value.toLowerCase())
    .executeTakeFirst();
  return participant ? complaintId : null;
}

/** Finds the report that an earlier message (by provider id, or a comment by comment id) opened or joined. */
async function findMessageComplaint(
  trx: Tx,
  channel: MessagingChannel,
  by: { providerMessageId?: string; commentId?: string },
): Promise<{ complaintId: number; reporterId: number | null } | undefined> {
  let query = trx
    .selectFrom('inbound_messages')
    .select(['complaint_id', 'reporter_id'])
    .where('channel', '=', channel)
    .where('complaint_id', 'is not', null)
    .where('outcome', 'in', ['created', 'replied']);
  query = by.commentId !== undefined
    ? query.where('comment_id', '=', by.commentId)
    : query.where('provider_message_id', '=', by.providerMessageId!);
  const row = await query.orderBy('id').executeTakeFirst();
  return row && row.complaint_id !== null ? { complaintId: row.complaint_id, reporterId: row.reporter_id } : undefined;
}

/**
 * Keeps the files that `storeAttachments` will accept (JPEG, PNG, WebP, PDF
 * up to 5 MB, at most five) and records why the others were dropped, so one
 * voice note cannot make the whole message fail.
 */
function checkUploads(files: InboundFiles): InboundFiles {
  const uploads: AttachmentUpload[] = [];
  const failures = [...files.failures];
  for (const upload of files.uploads) {
    if (uploads.length >= MAX_ATTACHMENTS) {
      failures.push({ kind: 'file', reason: `more than ${MAX_ATTACHMENTS} files in one message; the rest were not stored` });
      continue;
    }
    try {
      prepareAttachment(upload.content);
      uploads.push(upload);
    } catch (error) {
      if (!(error instanceof AttachmentError)) throw error;
      failures.push({ kind: 'file', reason: `${error.reason}: ${error.message}` });
    }
  }
  return { uploads, failures, links: files.links };
}

/** Builds the data that the `received`, `citizen_replied` or edit event records about the message: ids only, no text. */
function inboundEventData(message: InboundMessage, inboundMessageId: number, files: InboundFiles): Record<string, unknown> {
  const data: Record<string, unknown> = {
    inboundMessageId,
    channelMessageId: message.providerMessageId,
    conversationKind: message.conversationKind,
  };
  if (message.comment) data.comment = { postId: message.comment.postId, commentId: message.comment.commentId, action: message.comment.action };
  if (message.forwarded) data.forwarded = true;
  if (message.unsupported) data.unsupportedType = message.unsupported.type;
  if (message.edited) data.originalChannelMessageId = message.originalProviderMessageId;
  if (files.failures.length > 0) data.attachmentFailures = files.failures;
  if (files.links.length > 0) data.attachmentLinks = files.links;
  return data;
}

/**
 * Builds the text of a report or reply made from a message: its text, then
 * one visible line per attachment and for an unsupported message type, so
 * that an officer knows something came even when it could not be shown.
 * `withSubject` puts an e-mail's subject first, for a new report. A text
 * shorter than `min` gets a note saying it was a short message (a report
 * needs `DESCRIPTION_MIN` characters); a longer one than `max` is cut.
 *
 * @example
 *   describeInbound({ …, text: '', unsupported: { type: 'poll' } }, 'whatsapp', { min: 1, max: 5000 })
 *   // '[Pesan jenis poll belum didukung / unsupported message type: poll]'
 */
export function describeInbound(
  message: InboundMessage,
  channel: MessagingChannel,
  limits: { min: number; max: number; withSubject?: boolean },
  /** Number of the message's files that were not stored. The text names them, because a "[Foto]" line alone would promise a photo. */
  notStored = 0,
): string {
  const lines: string[] = [];
  const text = message.text.trim();
  if (text) lines.push(text);
  if (message.unsupported) {
    lines.push(`[Pesan jenis ${message.unsupported.type} belum didukung / unsupported message type: ${message.unsupported.type}]`);
  }
  for (const attachment of message.attachments) lines.push(describeAttachment(attachment));
  if (notStored > 0) lines.push(`[${notStored} lampiran tidak dapat disimpan / ${notStored} attachment(s) could not be stored]`);
  const subject = message.email?.subject.trim();
  if (limits.withSubject && subject && !text.includes(subject)) lines.unshift(subject);

  let description = lines.filter((line) => line !== '').join('\n');
  if (textLength(description) < limits.min) {
    const note = `[Pesan singkat melalui ${CHANNEL_LABELS[channel]} / short message via ${CHANNEL_LABELS[channel]}]`;
    description = description ? `${description}\n${note}` : note;
  }
  if (textLength(description) > limits.max) {
    const marker = '… [terpotong / truncated]';
    description = truncateText(description, limits.max - marker.length) + marker;
  }
  return description;
}

function describeAttachment(attachment: InboundAttachment): string {
  switch (attachment.kind) {
    case 'image':
      return '[Foto / photo]';
    case 'video':
      return '[Video]';
    case 'audio':
      return '[Pesan suara atau audio / voice or audio message]';
    case 'sticker':
      return '[Stiker / sticker]';
    case 'document':
      return attachment.fileName ? `[Dokumen / document: ${attachment.fileName}]` : '[Dokumen / document]';
    case 'location': {
      const place = attachment.caption ? ` (${attachment.caption})` : '';
      return `[Lokasi / location: ${attachment.latitude}, ${attachment.longitude}${place}]`;
    }
    case 'contact': {
      const card = [attachment.contact?.name, ...(attachment.contact?.phones ?? [])].filter(Boolean).join(', ');
      return card ? `[${CONTACT_CARD_LABEL}: ${card}]` : `[${CONTACT_CARD_LABEL}]`;
    }
  }
}

/** Returns a provider's time capped at our clock, because a report cannot be received in the future. */
/**
 * Providers retry a delivery for days, never for months. A sender time older
 * than this comes from a wrong clock (or a crafted gateway body) and would
 * open a report that is overdue on arrival, so the arrival time is used.
 */
const MAX_DELIVERY_DELAY_DAYS = 60;

/** Returns the sender's time, kept between `MAX_DELIVERY_DELAY_DAYS` ago and now. */
function clampToNow(at: Date, now: Date): Date {
  if (at.getTime() > now.getTime()) return now;
  if (at.getTime() < now.getTime() - MAX_DELIVERY_DELAY_DAYS * 86_400_000) return now;
  return at;
}
