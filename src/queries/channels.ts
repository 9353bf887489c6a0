/**
 * Read models of the channel pipeline: dead letters for the admin to retry,
 * and per-channel health (last traffic, errors and dead letters in the last
 * 24 hours). No message text or sender is returned.
 */
import { sql, type Kysely } from 'kysely';
import type { DB, EnvelopeSource, MessagingChannel } from '../db/schema.ts';

/** Most dead letters returned by one request. */
export const MAX_DEAD_LETTER_PAGE = 200;

/** Period that the health counts cover, in hours. */
export const HEALTH_WINDOW_HOURS = 24;

/** The webhook each channel's messages arrive through. */
export const CHANNEL_SOURCES: Record<MessagingChannel, EnvelopeSource> = {
  whatsapp: 'whatsapp',
  telegram: 'telegram',
  facebook: 'meta',
  instagram: 'meta',
  x: 'x',
  email: 'email',
  sms: 'sms',
};

export interface DeadLetter {
  id: number;
  source: EnvelopeSource;
  receivedAt: Date;
  /** Reason processing stopped, in English; for a malformed payload it names the JSON path. */
  error: string | null;
  attempts: number;
  bodySha256: string;
  bodyBytes: number;
  retriedAt: Date | null;
}

export interface DeadLetterFilter {
  source?: EnvelopeSource;
  /** Only ids lower than this, for the next page. */
  beforeId?: number;
  limit?: number;
}

/**
 * Lists dead letters, newest first.
 *
 * @example
 *   const page = await listDeadLetters(db, { source: 'whatsapp', limit: 50 });
 */
export async function listDeadLetters(db: Kysely<DB>, filter: DeadLetterFilter = {}): Promise<DeadLetter[]> {
  const limit = Math.min(Math.max(filter.limit ?? 50, 1), MAX_DEAD_LETTER_PAGE);
  let query = db
    .selectFrom('channel_envelopes')
    .select([
      'id',
      'source',
      'received_at',
      'error',
      'attempts',
      'body_sha256',
      'retried_at',
      sql<number>`octet_length(raw_body)`.as('body_bytes'),
    ])
    .where('status', '=', 'dead');
  if (filter.source) query = query.where('source', '=', filter.source);
  if (filter.beforeId !== undefined) query = query.where('id', '<', filter.beforeId);
  const rows = await query.orderBy('id', 'desc').limit(limit).execute();
  return rows.map((row) => ({
    id: row.id,
    source: row.source,
    receivedAt: row.received_at,
    error: row.error,
    attempts: row.attempts,
    bodySha256: row.body_sha256,
    bodyBytes: Number(row.body_bytes),
    retriedAt: row.retried_at,
  }));
}

export interface ChannelHealth {
  channel: MessagingChannel;
  /** Webhook (or mailbox poller) the channel's messages arrive through; Facebook and Instagram share `meta`. */
  source: EnvelopeSource;
  /** Settings missing to receive or send on this channel, described in English; empty when none are. */
  problems: string[];
  lastInboundAt: Date | null;
  lastOutboundAt: Date | null;
  /** Outbound messages waiting to be sent. */
  pendingOutbound: number;
  /** Final send failures and failed delivery receipts in the window. */
  errors24h: number;
  /** Dead letters of the channel's webhook in the window; Facebook and Instagram both show the `meta` count. */
  deadLetters24h: number;
}

export interface SourceHealth {
  source: EnvelopeSource;
  lastReceivedAt: Date | null;
  /** Envelopes received in the window that became dead letters. */
  deadLetters24h: number;
  /** Envelopes received in the window whose processing failed at least once (dead or retried). */
  errors24h: number;
  /** Envelopes waiting to be processed. */
  pending: number;
}

export interface ChannelHealthReport {
  generatedAt: Date;
  windowHours: number;
  channels: ChannelHealth[];
  sources: SourceHealth[];
}

/**
 * Computes channel health at `now`. The caller supplies `problems`, because
 * it has the configuration.
 *
 * @example
 *   const report = await getChannelHealth(db, (channel) => registry.sendProblem(channel) ? [...] : []);
 */
export async function getChannelHealth(
  db: Kysely<DB>,
  problemsOf: (channel: MessagingChannel) => string[],
  now = new Date(),
): Promise<ChannelHealthReport> {
  const since = new Date(now.getTime() - HEALTH_WINDOW_HOURS * 3_600_000);

  const inbound = await db
    .selectFrom('inbound_messages')
    .select(['channel', (eb) => eb.fn.max('received_at').as('last')])
    .groupBy('channel')
    .execute();
  const outbound = await db
    .selectFrom('outbound_messages')
    .select([
      'channel',
      (eb) => eb.fn.max('sent_at').as('last'),
      sql<number>`count(*) FILTER (WHERE status = 'pending')`.as('pending'),
      sql<number>`count(*) FILTER (WHERE status = 'failed' AND failed_at >= ${since})`.as('errors'),
    ])
    .groupBy('channel')
    .execute();
  const envelopes = await db
    .selectFrom('channel_envelopes')
    .select([
      'source',
      (eb) => eb.fn.max('received_at').as('last'),
      sql<number>`count(*) FILTER (WHERE status = 'dead' AND received_at >= ${since})`.as('dead'),
      sql<number>`count(*) FILTER (WHERE error IS NOT NULL AND status IN ('dead', 'pending') AND received_at >= ${since})`.as('errors'),
      sql<number>`count(*) FILTER (WHERE status = 'pending')`.as('pending'),
    ])
    .groupBy('source')
    .execute();

  const channels = (Object.keys(CHANNEL_SOURCES) as MessagingChannel[]).map((channel): ChannelHealth => {
    const inRow = inbound.find((row) => row.channel === channel);
    const outRow = outbound.find((row) => row.channel === channel);
    const sourceRow = envelopes.find((row) => row.source === CHANNEL_SOURCES[channel]);
    return {
      channel,
      source: CHANNEL_SOURCES[channel],
      problems: problemsOf(channel),
      lastInboundAt: toDate(inRow?.last),
      lastOutboundAt: toDate(outRow?.last),
      pendingOutbound: Number(outRow?.pending ?? 0),
      errors24h: Number(outRow?.errors ?? 0),
      deadLetters24h: Number(sourceRow?.dead ?? 0),
    };
  });
  const sourceNames: EnvelopeSource[] = ['whatsapp', 'telegram', 'meta', 'x', 'sms', 'email'];
  const sources = sourceNames.map((source): SourceHealth => {
    const row = envelopes.find((candidate) => candidate.source === source);
    return {
      source,
      lastReceivedAt: toDate(row?.last),
      deadLetters24h: Number(row?.dead ?? 0),
      errors24h: Number(row?.errors ?? 0),
      pending: Number(row?.pending ?? 0),
    };
  });
  return { generatedAt: now, windowHours: HEALTH_WINDOW_HOURS, channels, sources };
}

function toDate(value: Date | string | null | undefined): Date | null {
  if (value === null || value === undefined) return null;
  return value instanceof Date ? value : new Date(value);
}
