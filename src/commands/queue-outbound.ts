/**
 * Outbound messages to citizens on the channel their report came from.
 *
 * Commands queue a message in the same transaction as the event it carries
 * (`queueOutboundForEvent`), so an answer is never recorded without its
 * message or the other way round; the delivery job (jobs/delivery.ts) sends
 * it later. Providers' delivery receipts come back through
 * `recordDeliveryStatus`, which moves the message forward and writes what
 * happened on the case as internal events.
 */
import { sql } from 'kysely';
import type { Complaint, MessagingChannel, OutboundStatus } from '../db/schema.ts';
import type { ContactKind, DeliveryStatus } from '../domain/inbound.ts';
import { appendEvent, type Actor, type Tx } from './context.ts';

/** Channels we can answer on; the others (web, walk-in, phone, imports) have no conversation to answer in. */
export const MESSAGING_CHANNELS: readonly MessagingChannel[] = ['whatsapp', 'telegram', 'facebook', 'instagram', 'x', 'email', 'sms'];

/**
 * Event types whose text the citizen must receive on their channel:
 * a visible tindak lanjut, a direct answer, the final answer, and a hold
 * (the question the citizen must answer). `received` is queued separately as
 * the acknowledgement.
 */
export const OUTBOUND_EVENT_TYPES: readonly string[] = ['followed_up', 'answered', 'resolved', 'held'];

/** The event type of an acknowledgement: the report's own `received` event. */
export const ACKNOWLEDGEMENT_EVENT_TYPE = 'received';

/** Contact kind that reaches a citizen on each channel, for reports with no message on record. */
const CONTACT_KIND_FOR_CHANNEL: Record<MessagingChannel, ContactKind[]> = {
  whatsapp: ['whatsapp', 'phone'],
  telegram: ['telegram'],
  facebook: ['facebook'],
  instagram: ['instagram'],
  x: ['x'],
  email: ['email'],
  sms: ['phone'],
};

/** E-mail References we carry, newest last; mail clients need only the recent ones to thread. */
const MAX_EMAIL_REFERENCES = 20;

const DELIVERY_ACTOR: Actor = { kind: 'system', reason: 'delivery' };

export function isMessagingChannel(channel: string): channel is MessagingChannel {
  return (MESSAGING_CHANNELS as readonly string[]).includes(channel);
}

/**
 * Queues the citizen's copy of an officer's answer when `eventId` is one
 * (see `OUTBOUND_EVENT_TYPES`; a `followed_up` only when visible to the
 * citizen) and the report came in on a messaging channel. Call it inside the
 * command's transaction, after the event is appended. Returns the outbound
 * message id, or null when nothing is to be sent: another event type, an
 * internal note, a report from the web form, or no contact on that channel.
 * Queueing the same event twice queues one message.
 *
 * @example
 *   const eventId = await appendEvent(trx, complaint.id, ctx.actor, event, now);
 *   await queueOutboundForEvent(trx, complaint, eventId, now);
 */
export async function queueOutboundForEvent(trx: Tx, complaint: Complaint, eventId: number, now: Date = new Date()): Promise<number | null> {
  const event = await trx
    .selectFrom('complaint_events')
    .select(['id', 'type', 'visibility', 'data', 'body', 'complaint_id'])
    .where('id', '=', eventId)
    .executeTakeFirst();
  if (!event || event.complaint_id !== complaint.id) {
    throw new Error(`queueOutboundForEvent: event ${eventId} does not belong to complaint ${complaint.id}.`);
  }
  if (!OUTBOUND_EVENT_TYPES.includes(event.type) || event.visibility !== 'public') return null;
  if (event.type === 'followed_up' && event.data?.visibleToCitizen !== true) return null;
  return queueOutbound(trx, complaint, { eventId, eventType: event.type, body: event.body }, now);
}

/**
 * Queues the acknowledgement of a report opened by a channel message: the
 * tracking code and link, sent on the same conversation. Keyed on the
 * `received` event like every other outbound message.
 */
export async function queueAcknowledgement(trx: Tx, complaint: Complaint, receivedEventId: number, now: Date): Promise<number | null> {
  return queueOutbound(trx, complaint, { eventId: receivedEventId, eventType: ACKNOWLEDGEMENT_EVENT_TYPE, body: null }, now);
}

interface OutboundContent {
  eventId: number;
  eventType: string;
  /** The officer's text; null for an acknowledgement. */
  body: string | null;
}

async function queueOutbound(trx: Tx, complaint: Complaint, content: OutboundContent, now: Date): Promise<number | null> {
  if (!isMessagingChannel(complaint.channel)) return null;
  const target = await findConversation(trx, complaint, complaint.channel);
  if (!target) return null;

  const row = await trx
    .insertInto('outbound_messages')
    .values({
      idempotency_key: `${content.eventId}:${complaint.channel}`,
      complaint_id: complaint.id,
      event_id: content.eventId,
      event_type: content.eventType,
      channel: complaint.channel,
      conversation_kind: target.conversationKind,
      recipient_kind: target.recipientKind,
      recipient_value: target.recipientValue,
      account: target.account,
      reply_to_provider_message_id: target.replyTo,
      email_subject: target.emailSubject,
      email_references: JSON.stringify(target.emailReferences),
      body: content.body,
      next_attempt_at: now,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id ?? null;
}

interface Conversation {
  conversationKind: 'direct' | 'comment';
  recipientKind: string;
  recipientValue: string;
  account: string | null;
  replyTo: string | null;
  emailSubject: string | null;
  emailReferences: string[];
}

/**
 * Where to answer: the citizen's latest message on this report and channel,
 * or else the reporter's contact of the channel's kind.
 */
async function findConversation(trx: Tx, complaint: Complaint, channel: MessagingChannel): Promise<Conversation | null> {
  const latest = await trx
    .selectFrom('inbound_messages')
    .selectAll()
    .where('complaint_id', '=', complaint.id)
    .where('channel', '=', channel)
    .where('outcome', 'in', ['created', 'replied'])
    .orderBy('sent_at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();

  if (latest) {
    const conversation: Conversation = {
      conversationKind: latest.conversation_kind,
      recipientKind: latest.sender_kind,
      recipientValue: latest.sender_value,
      account: latest.account,
      replyTo: latest.conversation_kind === 'comment' ? latest.comment_id : null,
      emailSubject: null,
      emailReferences: [],
    };
    if (channel === 'email') Object.assign(conversation, await emailThread(trx, complaint.id));
    return conversation;
  }

  if (complaint.reporter_id === null) return null;
  const contact = await trx
    .selectFrom('contacts')
    .select(['kind', 'value'])
    .where('reporter_id', '=', complaint.reporter_id)
    .where('kind', 'in', CONTACT_KIND_FOR_CHANNEL[channel])
    .orderBy('id', 'desc')
    .executeTakeFirst();
  if (!contact) return null;
  return {
    conversationKind: 'direct',
    recipientKind: contact.kind,
    recipientValue: contact.value,
    account: null,
    replyTo: null,
    emailSubject: null,
    emailReferences: [],
  };
}

/** In-Reply-To (the citizen's latest mail), the thread's subject and its References, oldest first. */
async function emailThread(trx: Tx, complaintId: number): Promise<Pick<Conversation, 'replyTo' | 'emailSubject' | 'emailReferences'>> {
  const inbound = await trx
    .selectFrom('inbound_messages')
    .select(['email_message_id as messageId', 'email_subject as subject', 'sent_at as at'])
    .where('complaint_id', '=', complaintId)
    .where('channel', '=', 'email')
    .where('email_message_id', 'is not', null)
    .execute();
  const outbound = await trx
    .selectFrom('outbound_messages')
    .select(['provider_message_id as messageId', 'sent_at as at'])
    .where('complaint_id', '=', complaintId)
    .where('channel', '=', 'email')
    .where('provider_message_id', 'is not', null)
    .execute();
  const thread = [...inbound, ...outbound.map((row) => ({ ...row, subject: null }))]
    .filter((row): row is { messageId: string; subject: string | null; at: Date } => row.messageId !== null && row.at !== null)
    .sort((a, b) => a.at.getTime() - b.at.getTime());
  const lastInbound = [...inbound].sort((a, b) => a.at.getTime() - b.at.getTime()).pop();
  const references = thread.map((row) => row.messageId);
  return {
    replyTo: lastInbound?.messageId ?? null,
    emailSubject: inbound.find((row) => row.subject)?.subject ?? null,
    emailReferences: references.length > MAX_EMAIL_REFERENCES
      ? [references[0], ...references.slice(references.length - (MAX_EMAIL_REFERENCES - 1))]
      : references,
  };
}

/** Order of the states a receipt can move a message through; `failed` is handled apart. */
const STATUS_RANK: Record<OutboundStatus, number> = { pending: 0, sent: 1, delivered: 2, read: 3, failed: -1 };

export interface DeliveryStatusResult {
  /** Outbound messages whose status changed. */
  updated: number;
}

/**
 * Applies one delivery receipt. A receipt moves a message forward only
 * (sent → delivered → read), or to failed from sent or delivered, so a
 * replayed or late receipt changes nothing and writes no event. A receipt
 * for a message we did not send (e.g. sent from the WhatsApp Business app)
 * matches nothing. Each change is written on the case as an internal
 * `delivery_status` event, or `delivery_failed` with the provider's error.
 *
 * @example
 *   await db.transaction().execute((trx) =>
 *     recordDeliveryStatus(trx, { channel: 'whatsapp', providerMessageId: 'wamid.X', status: 'read', at }, now));
 */
export async function recordDeliveryStatus(trx: Tx, status: DeliveryStatus, now: Date): Promise<DeliveryStatusResult> {
  if (!isMessagingChannel(status.channel)) return { updated: 0 };
  const allowedFrom: OutboundStatus[] =
    status.status === 'failed'
      ? ['sent', 'delivered']
      : (Object.keys(STATUS_RANK) as OutboundStatus[]).filter((name) => STATUS_RANK[name] >= 1 && STATUS_RANK[name] < STATUS_RANK[status.status]);
  if (allowedFrom.length === 0) return { updated: 0 };

  let query = trx
    .updateTable('outbound_messages')
    .set({
      status: status.status,
      updated_at: now,
      ...(status.status === 'delivered' ? { delivered_at: status.at } : {}),
      ...(status.status === 'read' ? { read_at: status.at, delivered_at: sql<Date>`coalesce(delivered_at, ${status.at})` } : {}),
      ...(status.status === 'failed'
        ? { failed_at: status.at, last_error_code: status.error?.code ?? null, last_error: status.error?.title ?? null }
        : {}),
    })
    .where('channel', '=', status.channel)
    .where('status', 'in', allowedFrom);

  if (status.providerMessageId) {
    query = query.where('provider_message_id', '=', status.providerMessageId);
  } else if (status.watermark) {
    query = query
      .where('recipient_value', '=', status.watermark.recipient.value)
      .where('sent_at', '<=', status.watermark.upTo);
  } else {
    return { updated: 0 };
  }

  const changed = await query.returning(['id', 'complaint_id', 'channel', 'send_mode', 'sent_at']).execute();
  for (const row of changed) {
    // A receipt cannot come before the send. Some carry a coarser time (an
    // e-mail bounce's Date header has whole seconds), which would list the
    // receipt before the message it is about.
    const at = row.sent_at && row.sent_at > status.at ? row.sent_at : status.at;
    if (status.status === 'failed') {
      await appendEvent(trx, row.complaint_id, DELIVERY_ACTOR, {
        type: 'delivery_failed',
        at,
        data: {
          outboundMessageId: row.id,
          channel: row.channel,
          source: 'provider_receipt',
          code: status.error?.code ?? null,
          message: status.error?.title ?? null,
        },
      }, now);
    } else {
      await appendEvent(trx, row.complaint_id, DELIVERY_ACTOR, {
        type: 'delivery_status',
        at,
        data: { outboundMessageId: row.id, channel: row.channel, status: status.status },
      }, now);
    }
  }
  return { updated: changed.length };
}
