/**
 * Processing of stored envelopes: parse → fetch attachments → hand each
 * message to `receiveInbound` → apply delivery receipts.
 *
 * The webhook route stores the envelope, responds 200 and starts
 * `processEnvelope` without waiting for it; the pg-boss sweep picks up
 * whatever is still pending (a crash, a restart), so nothing is lost. Both
 * may run at once: a worker claims an envelope by setting `claimed_until`
 * while it is pending, and every message is deduplicated by
 * `receiveInbound`, so processing an envelope twice creates nothing twice.
 *
 * An envelope that cannot be parsed, or whose message cannot be threaded,
 * becomes a dead letter with the reason; an admin can retry it.
 */
import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type PgBoss from 'pg-boss';
import type { ChannelEnvelope, DB, EnvelopeSource, EnvelopeStatus, MessagingChannel } from '../db/schema.ts';
import { PayloadError, type InboundMessage, type ParseResult } from '../domain/inbound.ts';
import { ACCEPTED_TYPES, MAX_ATTACHMENTS } from '../domain/images.ts';
import type { ChannelRegistry } from '../channels/registry.ts';
import { CommandError } from '../commands/errors.ts';
import { receiveInbound, type InboundFiles } from '../commands/receive-inbound.ts';
import { isMessagingChannel, recordDeliveryStatus } from '../commands/queue-outbound.ts';
import { logger } from '../logger.ts';

export const INBOUND_QUEUE = 'channel-inbound';

/** How long a claim lasts, in milliseconds: longer than parsing plus five media downloads at 15 s each. */
const CLAIM_MS = 10 * 60_000;
/** Envelopes taken per sweep; the next sweep, a minute later, takes the rest. */
const SWEEP_LIMIT = 100;
/** Unexpected failures (database down, a bug) are retried this many times before the envelope becomes a dead letter. */
export const MAX_ENVELOPE_ATTEMPTS = 5;
/** Maximum length of the reason stored on an envelope, in characters. */
const MAX_REASON_LENGTH = 2000;

export interface StoreEnvelopeInput {
  source: EnvelopeSource;
  rawBody: Uint8Array;
  headers: Record<string, string>;
  receivedAt: Date;
}

/**
 * Stores one provider request as a pending envelope and returns its id.
 * For e-mail, `rawBody` is the RFC 822 message as fetched from the mailbox.
 *
 * @example
 *   const id = await storeEnvelope(db, { source: 'whatsapp', rawBody, headers: {}, receivedAt: new Date() });
 */
export async function storeEnvelope(db: Kysely<DB>, input: StoreEnvelopeInput): Promise<number> {
  const row = await db
    .insertInto('channel_envelopes')
    .values({
      source: input.source,
      raw_body: Buffer.from(input.rawBody),
      headers: JSON.stringify(input.headers),
      body_sha256: createHash('sha256').update(input.rawBody).digest('hex'),
      received_at: input.receivedAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface InboundSettings {
  threadWindowDays: number;
  acknowledge: boolean;
}

export interface EnvelopeOutcome {
  envelopeId: number;
  status: EnvelopeStatus;
  /** Dead-letter or ignore reason; or, while still pending, the error that will be retried. */
  error: string | null;
  created: number;
  replied: number;
  events: number;
  duplicates: number;
  ignored: number;
  statusesApplied: number;
}

/**
 * Claims and processes one envelope. Returns null when it is not pending or
 * another worker has claimed it.
 *
 * @example
 *   const outcome = await processEnvelope(db, registry, envelopeId);
 *   // { status: 'processed', created: 1, … }
 */
export async function processEnvelope(db: Kysely<DB>, registry: ChannelRegistry, envelopeId: number, now = new Date()): Promise<EnvelopeOutcome | null> {
  const envelope = await db
    .updateTable('channel_envelopes')
    .set({ claimed_until: new Date(now.getTime() + CLAIM_MS), attempts: sql<number>`attempts + 1` })
    .where('id', '=', envelopeId)
    .where('status', '=', 'pending')
    .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
    .returningAll()
    .executeTakeFirst();
  if (!envelope) return null;

  const outcome: EnvelopeOutcome = {
    envelopeId, status: 'processed', error: null, created: 0, replied: 0, events: 0, duplicates: 0, ignored: 0, statusesApplied: 0,
  };

  let parsed: ParseResult;
  try {
    parsed = await registry.parse(envelope.source, envelope.raw_body, envelope.received_at);
  } catch (error) {
    const reason = error instanceof PayloadError ? error.message : `The ${envelope.source} parser failed: ${describeError(error)}`;
    return finish(db, envelope, { ...outcome, status: 'dead', error: reason }, now);
  }

  const settings: InboundSettings = { threadWindowDays: registry.settings.threadWindowDays, acknowledge: registry.settings.acknowledge };
  const ignoredReasons = parsed.ignored.map((item) => item.reason);
  for (const [index, message] of parsed.messages.entries()) {
    try {
      const result = await receiveMessage(db, registry, message, envelope.id, settings, now);
      if (result.outcome === 'duplicate') outcome.duplicates += 1;
      else if (result.outcome === 'created') outcome.created += 1;
      else if (result.outcome === 'replied') outcome.replied += 1;
      else if (result.outcome === 'event') outcome.events += 1;
      else {
        outcome.ignored += 1;
        if (result.reason) ignoredReasons.push(result.reason);
      }
    } catch (error) {
      if (error instanceof CommandError) {
        // The message is valid JSON but cannot become a report (e.g. an invalid sender); retrying the same body will not help.
        const reason = `Message ${index + 1} of ${parsed.messages.length} (${message.channel}) could not be threaded: ${error.message}.`;
        return finish(db, envelope, { ...outcome, status: 'dead', error: reason }, now);
      }
      return release(db, envelope, outcome, error, now);
    }
  }

  try {
    if (parsed.statuses.length > 0) {
      await db.transaction().execute(async (trx) => {
        for (const status of parsed.statuses) outcome.statusesApplied += (await recordDeliveryStatus(trx, status, now)).updated;
      });
    }
  } catch (error) {
    return release(db, envelope, outcome, error, now);
  }

  // Malformed items of a batch: the others are stored above, and the envelope
  // stays a dead letter that names them. A retry stores nothing twice.
  if (parsed.rejected && parsed.rejected.length > 0) {
    const stored = parsed.messages.length + parsed.statuses.length;
    const reason = `${parsed.rejected.join(' ')} The other ${stored} item(s) of this payload were read and stored; a retry stores nothing twice.`;
    return finish(db, envelope, { ...outcome, status: 'dead', error: reason }, now);
  }

  const unmatched = parsed.statuses.length - outcome.statusesApplied;
  // A provider can report on a message before our send has recorded its id:
  // the receipt for a send still in flight waits a little, then is read again.
  if (unmatched > 0 && now.getTime() - envelope.received_at.getTime() < RECEIPT_WAIT_MS
    && await sendInFlight(db, parsed.statuses.map((status) => status.channel), now)) {
    return waitForSend(db, envelope, outcome, now);
  }
  if (unmatched > 0) ignoredReasons.push(`${unmatched} delivery status(es) matched no message we sent, or changed nothing`);
  const nothingHappened = outcome.created + outcome.replied + outcome.events + outcome.duplicates + outcome.statusesApplied === 0;
  if (nothingHappened) {
    const reason = ignoredReasons.length > 0 ? [...new Set(ignoredReasons)].join('; ') : 'The payload carried no messages or statuses.';
    return finish(db, envelope, { ...outcome, status: 'ignored', error: reason }, now);
  }
  return finish(db, envelope, outcome, now);
}

async function receiveMessage(
  db: Kysely<DB>,
  registry: ChannelRegistry,
  message: InboundMessage,
  envelopeId: number,
  settings: InboundSettings,
  now: Date,
) {
  if (!isMessagingChannel(message.channel)) {
    throw new CommandError('invalid', `channel "${message.channel}" is not a messaging channel`, 'error.channel_invalid');
  }
  // A message already on record needs no download; receiveInbound would drop it anyway.
  const known = await db
    .selectFrom('inbound_messages')
    .select('id')
    .where('channel', '=', message.channel)
    .where('provider_message_id', '=', message.providerMessageId)
    .executeTakeFirst();
  const files = known ? { uploads: [], failures: [], links: [] } : await collectFiles(registry, message.channel, message);
  return receiveInbound(db, message, files, { now, envelopeId, ...settings });
}

/**
 * Fetches what the provider only sends as a handle, takes inline files
 * (e-mail), and keeps plain URLs as links. A failed download is recorded
 * and the message kept.
 */
export async function collectFiles(registry: ChannelRegistry, channel: MessagingChannel, message: InboundMessage): Promise<InboundFiles> {
  const files: InboundFiles = { uploads: [], failures: [], links: [] };
  for (const [index, attachment] of message.attachments.entries()) {
    if (attachment.kind === 'location' || attachment.kind === 'contact') continue;
    const fileName = attachment.fileName ?? `${attachment.kind}-${index + 1}`;
    if (files.uploads.length >= MAX_ATTACHMENTS) {
      files.failures.push({ kind: attachment.kind, reason: `more than ${MAX_ATTACHMENTS} files in one message; the rest were not stored` });
      continue;
    }
    if (attachment.content) {
      files.uploads.push({ fileName, content: attachment.content });
      continue;
    }
    const declaredType = attachment.mimeType?.split(';')[0].trim().toLowerCase();
    if (attachment.providerMediaId && declaredType && !(ACCEPTED_TYPES as readonly string[]).includes(declaredType)) {
      // Voice notes and videos are shown as a placeholder line; only photos and PDFs are stored.
      files.failures.push({ kind: attachment.kind, reason: `type ${declaredType} is not stored; only JPEG, PNG, WebP and PDF are` });
      continue;
    }
    const fetched = await registry.fetchMedia(channel, attachment);
    if (fetched.ok === true) {
      files.uploads.push({ fileName, content: fetched.content });
    } else if (fetched.ok === false) {
      files.failures.push({ kind: attachment.kind, reason: fetched.reason });
      logger.warn({ channel, kind: attachment.kind, reason: fetched.reason }, 'attachment download failed; message kept without it');
    } else if (attachment.url) {
      // NOTE: Meta and X send CDN URLs that expire after a while; they are kept as links, not downloaded.
      files.links.push({ kind: attachment.kind, url: attachment.url });
    }
  }
  return files;
}

async function finish(db: Kysely<DB>, envelope: ChannelEnvelope, outcome: EnvelopeOutcome, now: Date): Promise<EnvelopeOutcome> {
  const error = outcome.error ? outcome.error.slice(0, MAX_REASON_LENGTH) : null;
  await db
    .updateTable('channel_envelopes')
    .set({ status: outcome.status, error, processed_at: now, claimed_until: null })
    .where('id', '=', envelope.id)
    .where('status', '=', 'pending')
    .execute();
  const log = { envelopeId: envelope.id, source: envelope.source, ...counts(outcome) };
  if (outcome.status === 'dead') logger.warn({ ...log, reason: error }, 'envelope is a dead letter');
  else logger.info({ ...log, status: outcome.status }, 'envelope processed');
  return { ...outcome, error };
}

/** How long a delivery receipt that matched nothing waits for a send in flight to record its id. */
const RECEIPT_WAIT_MS = 10 * 60_000;
/** Pause before such a receipt is read again. */
const RECEIPT_RETRY_MS = 30_000;

/** Checks whether a message on one of these channels is being sent right now (claimed and not yet recorded). */
async function sendInFlight(db: Kysely<DB>, channels: string[], now: Date): Promise<boolean> {
  const messaging = [...new Set(channels)].filter(isMessagingChannel) as MessagingChannel[];
  if (messaging.length === 0) return false;
  const row = await db.selectFrom('outbound_messages').select('id')
    .where('channel', 'in', messaging).where('status', '=', 'pending').where('claimed_until', '>', now)
    .limit(1).executeTakeFirst();
  return row !== undefined;
}

/** Leaves an envelope pending, claimed for RECEIPT_RETRY_MS, so that the sweep reads it again after the send has recorded. */
async function waitForSend(db: Kysely<DB>, envelope: ChannelEnvelope, outcome: EnvelopeOutcome, now: Date): Promise<EnvelopeOutcome> {
  const reason = 'A delivery receipt matched no message yet; waiting for a send in progress to record its id.';
  await db
    .updateTable('channel_envelopes')
    .set({ error: reason, claimed_until: new Date(now.getTime() + RECEIPT_RETRY_MS) })
    .where('id', '=', envelope.id)
    .where('status', '=', 'pending')
    .execute();
  logger.info({ envelopeId: envelope.id, source: envelope.source }, 'delivery receipt waits for a send in progress');
  return { ...outcome, status: 'pending', error: reason };
}

/**
 * Gives an envelope back after an unexpected failure, for the sweep to try
 * again; after MAX_ENVELOPE_ATTEMPTS it becomes a dead letter.
 */
async function release(db: Kysely<DB>, envelope: ChannelEnvelope, outcome: EnvelopeOutcome, error: unknown, now: Date): Promise<EnvelopeOutcome> {
  const reason = `Processing failed: ${describeError(error)}`;
  if (envelope.attempts >= MAX_ENVELOPE_ATTEMPTS) {
    return finish(db, envelope, { ...outcome, status: 'dead', error: `${reason} (after ${envelope.attempts} attempts)` }, now);
  }
  await db
    .updateTable('channel_envelopes')
    .set({ error: reason.slice(0, MAX_REASON_LENGTH), claimed_until: null })
    .where('id', '=', envelope.id)
    .where('status', '=', 'pending')
    .execute();
  logger.error({ envelopeId: envelope.id, source: envelope.source, attempt: envelope.attempts, reason }, 'envelope processing failed; will retry');
  return { ...outcome, status: 'pending', error: reason };
}

function counts(outcome: EnvelopeOutcome) {
  const { created, replied, events, duplicates, ignored, statusesApplied } = outcome;
  return { created, replied, events, duplicates, ignored, statusesApplied };
}

/** Error name and message only: a driver error's detail can quote row values. */
function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/**
 * Processes every pending envelope whose claim is free, oldest first, and
 * returns how many it processed.
 */
export async function processPendingEnvelopes(db: Kysely<DB>, registry: ChannelRegistry, now = new Date()): Promise<number> {
  const pending = await db
    .selectFrom('channel_envelopes')
    .select('id')
    .where('status', '=', 'pending')
    .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
    .orderBy('received_at')
    .orderBy('id')
    .limit(SWEEP_LIMIT)
    .execute();
  let processed = 0;
  for (const { id } of pending) {
    if (await processEnvelope(db, registry, id, now)) processed += 1;
  }
  return processed;
}

const inFlight = new Set<Promise<unknown>>();

/**
 * Starts processing an envelope in the background, for the webhook route,
 * which must answer the provider first. Failures are logged; the sweep
 * retries whatever stays pending.
 */
export function startEnvelopeProcessing(db: Kysely<DB>, registry: ChannelRegistry, envelopeId: number): void {
  // One after another, in arrival order: a citizen's second message must not
  // be threaded before the first one opened the report, nor an edit before
  // the comment it edits.
  const run = processingTail
    .then(() => processEnvelope(db, registry, envelopeId))
    .catch((error: unknown) => logger.error({ envelopeId, reason: describeError(error) }, 'background envelope processing failed; the sweep will retry'))
    .finally(() => inFlight.delete(run));
  processingTail = run;
  inFlight.add(run);
}

/** The last envelope queued for background processing in this process. */
let processingTail: Promise<unknown> = Promise.resolve();

/** Resolves when every envelope started by `startEnvelopeProcessing` in this process has finished; for tests and shutdown. */
export async function settleInboundProcessing(): Promise<void> {
  while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
}

/**
 * Puts a dead letter back to pending and processes it at once. Returns the
 * outcome, or null when no dead letter has that id.
 */
export async function retryDeadLetter(
  db: Kysely<DB>,
  registry: ChannelRegistry,
  envelopeId: number,
  userId: number | null,
  now = new Date(),
): Promise<EnvelopeOutcome | null> {
  const reset = await db
    .updateTable('channel_envelopes')
    .set({ status: 'pending', error: null, claimed_until: null, attempts: 0, retried_at: now, retried_by_user_id: userId })
    .where('id', '=', envelopeId)
    .where('status', '=', 'dead')
    .returning('id')
    .executeTakeFirst();
  if (!reset) return null;
  logger.info({ envelopeId, userId }, 'dead letter retried');
  const outcome = await processEnvelope(db, registry, envelopeId, now);
  // Another worker took it between the reset and the claim; report it as pending.
  return outcome ?? { envelopeId, status: 'pending', error: null, created: 0, replied: 0, events: 0, duplicates: 0, ignored: 0, statusesApplied: 0 };
}

/**
 * Registers the sweep: a pg-boss queue run every minute (and whenever a job
 * is sent to it) that processes pending envelopes.
 */
export async function startInboundJobs(boss: PgBoss, db: Kysely<DB>, registry: ChannelRegistry): Promise<void> {
  await boss.createQueue(INBOUND_QUEUE);
  await boss.schedule(INBOUND_QUEUE, '* * * * *', {}, { tz: 'Asia/Jakarta' });
  await boss.work(INBOUND_QUEUE, async () => {
    await processPendingEnvelopes(db, registry);
  });
}
