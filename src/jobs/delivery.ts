/**
 * The delivery job: sends queued outbound messages through their channel's
 * sender, with retries and exponential backoff, and writes the result on
 * the case.
 *
 * Each run claims due messages (`status = 'pending'`, `next_attempt_at`
 * passed, no live claim) with `FOR UPDATE SKIP LOCKED` and a claim time, so
 * two runs at once, in one process or several, never send the same message.
 * The HTTP call happens outside any transaction. A retryable failure
 * schedules the next attempt after 30 s, 60 s, 120 s … (at most an hour, or
 * the provider's Retry-After when longer) until DELIVERY_MAX_ATTEMPTS. A
 * final failure marks the message failed and appends `delivery_failed`, an
 * internal event shown to the officer on the case. Delivery events are not
 * answers: the SLA clocks read only the officer's own events.
 *
 * WhatsApp allows free text only within 24 hours of the citizen's last
 * message; outside it the job sends the approved template
 * (WHATSAPP_TEMPLATE_NAME) with the tracking code as its one parameter, and
 * records that on the `message_sent` event.
 */
import { sql, type Kysely } from 'kysely';
import type PgBoss from 'pg-boss';
import type { DB, OutboundMessage } from '../db/schema.ts';
import { claimDueRows } from './claim.ts';
import type { SendFailure, SendResult } from '../domain/inbound.ts';
import { textLimit, type ChannelRegistry, type OutboundRequest } from '../channels/registry.ts';
import { appendEvent, type Actor } from '../commands/context.ts';
import { ACKNOWLEDGEMENT_EVENT_TYPE } from '../commands/queue-outbound.ts';
import { logger } from '../logger.ts';

export const DELIVERY_QUEUE = 'channel-delivery';

/** How long a claim lasts, in milliseconds; a send takes at most 15 s per request (twice for a template fallback). */
const CLAIM_MS = 5 * 60_000;
/** Messages claimed per run; the next run, a minute later, takes the rest. */
const BATCH_SIZE = 20;
/** First retry delay in seconds; each further attempt doubles it. */
export const BASE_BACKOFF_SECONDS = 30;
/** Maximum delay between attempts, in seconds. */
export const MAX_BACKOFF_SECONDS = 3600;
/** WhatsApp's customer service window and Messenger's standard messaging window, in hours. */
export const MESSAGING_WINDOW_HOURS = 24;

const DELIVERY_ACTOR: Actor = { kind: 'system', reason: 'delivery' };

export interface DeliveryDeps {
  db: Kysely<DB>;
  registry: ChannelRegistry;
  /** Base URL of the public site, for the tracking link (PUBLIC_URL). */
  publicUrl: string;
}

export interface DeliveryRunResult {
  sent: number;
  retrying: number;
  failed: number;
}

/**
 * Seconds to wait before the attempt after `attempt` (1-based):
 * 30, 60, 120 … capped at an hour, or the provider's Retry-After when longer.
 *
 * @example
 *   backoffSeconds(3)        // 120
 *   backoffSeconds(1, 600)   // 600
 */
export function backoffSeconds(attempt: number, retryAfterSeconds?: number): number {
  const exponential = Math.min(BASE_BACKOFF_SECONDS * 2 ** Math.max(0, attempt - 1), MAX_BACKOFF_SECONDS);
  return Math.max(exponential, retryAfterSeconds ?? 0);
}

/**
 * Sends every due outbound message once and returns what happened.
 *
 * @example
 *   await deliverDueMessages({ db, registry, publicUrl: config.publicUrl });
 */
export async function deliverDueMessages(deps: DeliveryDeps, now = new Date()): Promise<DeliveryRunResult> {
  const result: DeliveryRunResult = { sent: 0, retrying: 0, failed: 0 };
  // A run can take minutes (a slow provider takes up to DEFAULT_SEND_TIMEOUT_MS
  // per send), so each send is dated by the time it happens, counted on from `now`.
  const runStarted = Date.now();
  const current = () => new Date(now.getTime() + (Date.now() - runStarted));
  for (;;) {
    const claimed = await claimDue(deps.db, current());
    if (claimed.length === 0) break;
    for (const message of claimed) {
      // The batch's claim may have run out while earlier messages were sent. Another run then owns the message.
      if (!(await renewClaim(deps.db, message, current()))) continue;
      const outcome = await deliver(deps, message, current);
      result[outcome] += 1;
    }
    if (claimed.length < BATCH_SIZE) break;
  }
  if (result.sent || result.retrying || result.failed) logger.info(result, 'delivery run');
  return result;
}

function claimDue(db: Kysely<DB>, now: Date): Promise<OutboundMessage[]> {
  return claimDueRows(db, 'outbound_messages', now, { claimMs: CLAIM_MS, batchSize: BATCH_SIZE }) as Promise<OutboundMessage[]>;
}

/** Extends this run's claim on a message. Returns false when another run took the claim or the message is no longer pending. */
async function renewClaim(db: Kysely<DB>, message: OutboundMessage, at: Date): Promise<boolean> {
  if (message.claimed_until === null) return false;
  const renewed = await db
    .updateTable('outbound_messages')
    .set({ claimed_until: new Date(at.getTime() + CLAIM_MS) })
    .where('id', '=', message.id)
    .where('status', '=', 'pending')
    .where('claimed_until', '=', message.claimed_until)
    .returning('claimed_until')
    .executeTakeFirst();
  if (!renewed) return false;
  message.claimed_until = renewed.claimed_until;
  return true;
}

type DeliveryOutcome = keyof DeliveryRunResult;

async function deliver(deps: DeliveryDeps, message: OutboundMessage, clock: () => Date): Promise<DeliveryOutcome> {
  const { db, registry } = deps;
  let now = clock();
  const complaint = await db.selectFrom('complaints').select('tracking_code').where('id', '=', message.complaint_id).executeTakeFirstOrThrow();
  // The tracking code lets anyone who has it reply and rate, so on a public comment it goes out privately, once.
  const privateReply = message.conversation_kind === 'comment' && message.event_type === ACKNOWLEDGEMENT_EVENT_TYPE;
  const limit = textLimit(message.channel, message.conversation_kind, privateReply);
  const text = composeOutboundText(message, complaint.tracking_code, deps.publicUrl, limit);
  const request: OutboundRequest = {
    channel: message.channel,
    conversationKind: message.conversation_kind,
    recipient: message.recipient_value,
    account: message.account,
    replyTo: message.reply_to_provider_message_id,
    text,
    idempotencyKey: message.idempotency_key,
    email: { subject: message.email_subject, references: message.email_references },
    privateReply,
  };

  const window = await windowState(db, message, now);
  const template = registry.settings.whatsapp.templateName
    ? { name: registry.settings.whatsapp.templateName, language: registry.settings.whatsapp.templateLanguage, parameters: [complaint.tracking_code] }
    : undefined;
  let mode = 'text';
  if (privateReply) mode = 'private_reply';
  else if (message.conversation_kind === 'comment') mode = 'public_reply';
  if (message.channel === 'whatsapp' && !window.open) {
    if (!template) {
      return fail(db, message, now, {
        ok: false, retryable: false, category: 'outside_window', code: 'no_template',
        message: `The citizen's last WhatsApp message is more than ${MESSAGING_WINDOW_HOURS} hours old and WHATSAPP_TEMPLATE_NAME is not set, so only a template could be sent.`,
      });
    }
    request.template = template;
    mode = 'template';
  }
  if ((message.channel === 'facebook' || message.channel === 'instagram') && message.conversation_kind === 'direct' && !window.open) {
    request.humanAgentTag = true;
    mode = 'human_agent_tag';
  }

  let result: SendResult;
  try {
    result = await registry.send(request);
    if (!result.ok && result.category === 'outside_window' && message.channel === 'whatsapp' && mode === 'text' && template) {
      // Our clock and WhatsApp's disagree about the window: the template is allowed either way.
      request.template = template;
      mode = 'template';
      result = await registry.send(request);
    }
  } catch (error) {
    result = {
      ok: false, retryable: true, category: 'provider_error', code: 'sender_error',
      message: `The ${message.channel} sender failed: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  // Waits and failures count from the end of the send, not from its start.
  now = clock();

  if (result.ok) {
    const providerMessageId = result.providerMessageId;
    const recordSent = (providerId: string | null, note: string | null) => db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('outbound_messages')
        .set({
          status: 'sent',
          provider_message_id: providerId,
          sent_at: now,
          send_mode: mode,
          template_name: mode === 'template' ? request.template!.name : null,
          claimed_until: null,
          last_error_code: note === null ? null : 'provider_id_not_stored',
          last_error: note,
          updated_at: now,
        })
        .where('id', '=', message.id)
        .where('status', '=', 'pending')
        .returning('id')
        .executeTakeFirst();
      if (!updated) return;
      await appendEvent(trx, message.complaint_id, DELIVERY_ACTOR, {
        type: 'message_sent',
        data: {
          outboundMessageId: message.id,
          eventId: message.event_id,
          channel: message.channel,
          mode,
          ...(mode === 'template' ? { templateName: request.template!.name } : {}),
          attempts: message.attempts,
        },
      }, now);
    });
    try {
      await recordSent(providerMessageId, null);
    } catch (error) {
      // The provider has the message, so a failed record would send it again
      // when its claim runs out. A gateway that reuses ids breaks the unique
      // index, so the message is recorded without the provider's id, and its
      // delivery receipts then match nothing.
      logger.error({ outboundMessageId: message.id, channel: message.channel, err: describeDbError(error) }, 'sent message could not be recorded with its provider id');
      await recordSent(null, `Sent, but the provider's message id could not be stored: ${describeDbError(error)}`.slice(0, 1000));
    }
    logger.info({ outboundMessageId: message.id, complaintId: message.complaint_id, channel: message.channel, mode }, 'message sent');
    return 'sent';
  }

  if (result.retryable && message.attempts < registry.settings.deliveryMaxAttempts) {
    const delay = backoffSeconds(message.attempts, result.retryAfterSeconds);
    await db
      .updateTable('outbound_messages')
      .set({
        next_attempt_at: new Date(now.getTime() + delay * 1000),
        claimed_until: null,
        last_error_code: result.code,
        last_error: result.message.slice(0, 1000),
        updated_at: now,
      })
      .where('id', '=', message.id)
      .where('status', '=', 'pending')
      .execute();
    logger.warn(
      { outboundMessageId: message.id, channel: message.channel, attempt: message.attempts, code: result.code, retryInSeconds: delay },
      'send failed; will retry',
    );
    return 'retrying';
  }
  return fail(db, message, now, result);
}

/** Describes a database error without its parameters, which may hold message text. */
function describeDbError(error: unknown): string {
  if (!(error instanceof Error)) return String(error).slice(0, 200);
  const code = (error as { code?: string }).code;
  const firstLine = error.message.split('\n')[0]!.slice(0, 200);
  return code ? `${code}: ${firstLine}` : firstLine;
}

/** Marks a message failed for good and shows it on the case. */
async function fail(db: Kysely<DB>, message: OutboundMessage, now: Date, failure: SendFailure): Promise<DeliveryOutcome> {
  await db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('outbound_messages')
      .set({
        status: 'failed',
        failed_at: now,
        claimed_until: null,
        last_error_code: failure.code,
        last_error: failure.message.slice(0, 1000),
        updated_at: now,
      })
      .where('id', '=', message.id)
      .where('status', '=', 'pending')
      .returning('id')
      .executeTakeFirst();
    if (!updated) return;
    await appendEvent(trx, message.complaint_id, DELIVERY_ACTOR, {
      type: 'delivery_failed',
      data: {
        outboundMessageId: message.id,
        eventId: message.event_id,
        channel: message.channel,
        source: 'send',
        category: failure.category,
        code: failure.code,
        message: failure.message,
        attempts: message.attempts,
      },
    }, now);
  });
  logger.warn(
    { outboundMessageId: message.id, complaintId: message.complaint_id, channel: message.channel, code: failure.code, attempts: message.attempts },
    'send failed for good; shown on the case',
  );
  return 'failed';
}

/**
 * Checks whether the provider's messaging window is open: the citizen wrote
 * on this channel, from this contact, within MESSAGING_WINDOW_HOURS.
 */
async function windowState(db: Kysely<DB>, message: OutboundMessage, now: Date): Promise<{ open: boolean }> {
  if (message.channel !== 'whatsapp' && message.channel !== 'facebook' && message.channel !== 'instagram') return { open: true };
  const row = await db
    .selectFrom('inbound_messages')
    .select((eb) => eb.fn.max('sent_at').as('last'))
    .where('channel', '=', message.channel)
    .where('sender_value', '=', message.recipient_value)
    .where('conversation_kind', '=', 'direct')
    .executeTakeFirst();
  const last = row?.last ? new Date(row.last) : undefined;
  return { open: last !== undefined && now.getTime() - last.getTime() < MESSAGING_WINDOW_HOURS * 3_600_000 };
}

/**
 * Composes the text sent to the citizen: Indonesian first, then English,
 * with the tracking code and link. The acknowledgement of a public comment
 * goes to its author privately and has the same text as on a direct
 * channel. Later notices under a public comment carry neither the officer's
 * text nor the tracking code, because anyone who has the code can reply and
 * rate. A body too long for the channel is cut so that the link stays.
 *
 * @example
 *   composeOutboundText(message, 'ADU-2026-0001', 'https://aduan.karanganyarkab.go.id', 4096)
 */
export function composeOutboundText(
  message: Pick<OutboundMessage, 'event_type' | 'body' | 'conversation_kind'>,
  trackingCode: string,
  publicUrl: string,
  maxLength: number,
): string {
  const link = `${publicUrl.replace(/\/+$/, '')}/lacak/${encodeURIComponent(trackingCode)}`;
  if (message.conversation_kind === 'comment' && message.event_type !== ACKNOWLEDGEMENT_EVENT_TYPE) {
    if (message.event_type === 'held') {
      return 'Petugas memerlukan keterangan tambahan untuk laporan Anda; buka tautan di pesan pribadi kami. / An officer needs more information about your report; open the link in our private message.';
    }
    return 'Laporan Anda sudah mendapat tanggapan; buka tautan di pesan pribadi kami. / Your report has an answer; open the link in our private message.';
  }

  let header: string;
  let footer = link;
  switch (message.event_type) {
    case 'received':
      return [
        `Laporan Anda sudah kami terima dengan nomor ${trackingCode}. Pantau perkembangannya di ${link}`,
        `Your report has been received as ${trackingCode}. Follow it at ${link}`,
      ].join('\n\n');
    case 'held':
      header = `Laporan ${trackingCode} ditunda: kami memerlukan keterangan dari Anda / Report ${trackingCode} is on hold: we need information from you.`;
      footer = `Balas pesan ini untuk melengkapinya / Reply to this message to complete it.\n${link}`;
      break;
    case 'followed_up':
      header = `Tindak lanjut laporan ${trackingCode} / Follow-up on report ${trackingCode}:`;
      break;
    default:
      header = `Tanggapan atas laporan ${trackingCode} / Answer to report ${trackingCode}:`;
      footer = `Balas pesan ini bila masalahnya belum selesai / Reply to this message if the problem is not solved.\n${link}`;
  }
  const body = (message.body ?? '').trim();
  const fixed = header.length + footer.length + 4;
  const room = maxLength - fixed;
  // Three dots, not '…': the ellipsis is outside the GSM 7-bit alphabet and
  // would turn a cut SMS into a Unicode one of more than twice the segments.
  const marker = '...';
  let cut = Math.max(0, room - marker.length);
  // Never between the two halves of an emoji, because half a character is not valid UTF-8 and a provider may reject the text.
  if (cut > 0 && /[\uD800-\uDBFF]/.test(body[cut - 1] ?? '')) cut -= 1;
  const shownBody = body.length <= room ? body : `${body.slice(0, cut)}${marker}`;
  return `${header}\n\n${shownBody}\n\n${footer}`;
}

/**
 * Registers the delivery queue: a run every minute, and whenever a job is
 * sent to the queue (send one after a command commits to deliver at once).
 */
export async function startDeliveryJobs(boss: PgBoss, deps: DeliveryDeps): Promise<void> {
  await boss.createQueue(DELIVERY_QUEUE);
  await boss.schedule(DELIVERY_QUEUE, '* * * * *', {}, { tz: 'Asia/Jakarta' });
  await boss.work(DELIVERY_QUEUE, async () => {
    await deliverDueMessages(deps);
  });
}
