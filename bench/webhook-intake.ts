/**
 * Webhook intake: signed WhatsApp Cloud API text messages POSTed to
 * /webhooks/whatsapp on the real server under load. After each run the
 * suite waits (bounded) until the stored envelopes are processed, then
 * counts in the database how many deliveries were stored, stored twice, or
 * did not become a complaint or a reply. Finally it sends 1,000 deliveries
 * again (replays) and counts what they added, which should be nothing.
 *
 * The server runs with JOBS=off, acknowledgements off and the WhatsApp API
 * URL on a closed port of 127.0.0.1, so no request leaves this machine. With
 * jobs off there is no sweep, so an envelope whose background processing
 * fails stays pending and shows up in `webhooks.envelopes.pending`.
 */
import { createHmac, randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import type pg from 'pg';
import { WHATSAPP_MAX_TEXT_LENGTH } from '../src/channels/whatsapp/send.ts';
import { Random } from './lib/random.ts';
import { note, type Report } from './lib/report.ts';
import { ADUAN_START, startNodeServer, type RunningServer } from './lib/server.ts';

/** Synthetic senders, 6281200000000 to 6281200004999, so that many messages thread onto an earlier report. */
const SENDERS = 5_000;
const SENDER_PREFIX = '62812000';
/** Deliveries sent again after the timed runs. */
export const REPLAYS = 1_000;
/** Concurrent requests of the replay. */
const REPLAY_CONCURRENCY = 8;
/** Maximum wait for pending envelopes after a run, in milliseconds. */
const DRAIN_TIMEOUT_MS = 180_000;
const DRAIN_POLL_MS = 250;
/** Phone-number id of the receiving business number in every body; any id is accepted. */
const PHONE_NUMBER_ID = '106540352242922';

/** Signing secret of this benchmark's server, new for every run. */
const APP_SECRET = `bench-${randomBytes(16).toString('hex')}`;

export interface Delivery {
  /** The `wamid.` message id, unique per delivery. */
  id: string;
  body: string;
  /** The X-Hub-Signature-256 header value for `body`. */
  signature: string;
}

/**
 * Starts the Aduan server with the WhatsApp webhook configured, jobs off and
 * acknowledgements off. Outbound WhatsApp calls, if any, go to a closed
 * port on 127.0.0.1.
 */
export function startWebhookServer(databaseUrl: string): Promise<RunningServer> {
  return startNodeServer(ADUAN_START, {
    LOG_LEVEL: 'warn',
    JOBS: 'off',
    DATABASE_URL: databaseUrl,
    WHATSAPP_APP_SECRET: APP_SECRET,
    WHATSAPP_VERIFY_TOKEN: `bench-verify-${randomBytes(8).toString('hex')}`,
    WHATSAPP_API_URL: 'http://127.0.0.1:9',
    CHANNEL_ACKNOWLEDGEMENTS: 'off',
  }, '/health');
}

/** Returns `sha256=<hex HMAC-SHA256 of body>`, as Meta signs a webhook. */
export function signWhatsApp(body: string, secret = APP_SECRET): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * Returns a function that builds one signed delivery as the WhatsApp Cloud
 * API sends it: one entry, one change and one text message with a fresh
 * `wamid.` id. The sender is one of SENDERS synthetic numbers. The text is a
 * real complaint text, cut to WhatsApp's 4,096 characters.
 *
 * @example
 *   const next = whatsappDeliveryFactory(new Random(1), texts, 'a1');
 *   const { id, body, signature } = next();
 */
export function whatsappDeliveryFactory(random: Random, texts: readonly string[], runTag: string): () => Delivery {
  let counter = 0;
  return () => {
    counter += 1;
    const from = `${SENDER_PREFIX}${String(random.int(SENDERS)).padStart(5, '0')}`;
    const id = `wamid.${Buffer.from(`bench:${runTag}:${counter}`).toString('base64url')}`;
    const body = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [{
        id: '102290129340398',
        changes: [{
          field: 'messages',
          value: {
            messaging_product: 'whatsapp',
            metadata: { display_phone_number: '6227100000000', phone_number_id: PHONE_NUMBER_ID },
            contacts: [{ profile: { name: 'Warga' }, wa_id: from }],
            messages: [{
              from,
              id,
              timestamp: String(Math.floor(Date.now() / 1000)),
              type: 'text',
              text: { body: random.pick(texts).slice(0, WHATSAPP_MAX_TEXT_LENGTH) },
            }],
          },
        }],
      }],
    });
    return { id, body, signature: signWhatsApp(body) };
  };
}

interface DeliveryLoad {
  seconds: number;
  ok: number;
  /** Connection errors and timeouts plus every response that was not 200. */
  errors: number;
  p50: number;
  p99: number;
  max: number;
}

/**
 * Sends deliveries for `seconds` with autocannon and records each one built
 * in `built`. Each request gets its own body and signature, so this does not
 * go through lib/load.ts, whose headers are fixed per run.
 */
async function sendDeliveries(url: string, connections: number, seconds: number, next: () => Delivery, built: Map<string, Delivery>): Promise<DeliveryLoad> {
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    requests: [{
      method: 'POST',
      setupRequest: (request) => {
        const delivery = next();
        built.set(delivery.id, delivery);
        return {
          ...request,
          body: delivery.body,
          headers: { ...request.headers, 'content-type': 'application/json', 'x-hub-signature-256': delivery.signature },
        };
      },
    }],
  });
  // statusCodeStats is returned by autocannon 9 but not declared by @types/autocannon.
  const statusCounts = (result as unknown as { statusCodeStats?: Record<string, { count: number }> }).statusCodeStats ?? {};
  let ok = 0;
  let notOk = 0;
  for (const [code, stat] of Object.entries(statusCounts)) {
    if (code === '200') ok += Number(stat.count);
    else notOk += Number(stat.count);
  }
  return { seconds: result.duration, ok, errors: result.errors + notOk, p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max };
}

/** Returns the highest id of `table`, or 0 when it is empty. */
async function maxId(pool: pg.Pool, table: 'channel_envelopes' | 'inbound_messages' | 'complaints' | 'complaint_events' | 'outbound_messages'): Promise<number> {
  const result = await pool.query<{ id: string | null }>(`SELECT max(id)::text AS id FROM ${table}`);
  return Number(result.rows[0].id ?? 0);
}

interface Marks {
  envelope: number;
  inbound: number;
  complaint: number;
  event: number;
  outbound: number;
}

async function takeMarks(pool: pg.Pool): Promise<Marks> {
  return {
    envelope: await maxId(pool, 'channel_envelopes'),
    inbound: await maxId(pool, 'inbound_messages'),
    complaint: await maxId(pool, 'complaints'),
    event: await maxId(pool, 'complaint_events'),
    outbound: await maxId(pool, 'outbound_messages'),
  };
}

/**
 * Waits until no envelope after `afterEnvelopeId` is pending, at most
 * DRAIN_TIMEOUT_MS, and returns the seconds waited and the count still pending.
 */
async function waitForDrain(pool: pg.Pool, afterEnvelopeId: number): Promise<{ seconds: number; pending: number }> {
  const started = performance.now();
  for (;;) {
    const result = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM channel_envelopes WHERE id > $1 AND status = 'pending'`,
      [afterEnvelopeId],
    );
    const pending = result.rows[0].n;
    const seconds = (performance.now() - started) / 1000;
    if (pending === 0 || seconds * 1000 >= DRAIN_TIMEOUT_MS) return { seconds, pending };
    await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
  }
}

interface StoredCheck {
  envelopes: number;
  processed: number;
  dead: number;
  ignoredEnvelopes: number;
  inbound: number;
  distinctIds: number;
  /** Inbound rows whose provider id this run never built. */
  unknownIds: number;
  created: number;
  replied: number;
  ignoredMessages: number;
  /** Created or replied rows without their complaint or event. */
  unlinked: number;
  complaints: number;
  events: number;
  outbound: number;
}

/** Counts what the database stored after `marks` for the deliveries in `built`. */
async function checkStored(pool: pg.Pool, marks: Marks, built: Map<string, Delivery>): Promise<StoredCheck> {
  const envelopes = await pool.query<{ total: number; processed: number; dead: number; ignored: number }>(`
    SELECT count(*)::int AS total,
      count(*) FILTER (WHERE status = 'processed')::int AS processed,
      count(*) FILTER (WHERE status = 'dead')::int AS dead,
      count(*) FILTER (WHERE status = 'ignored')::int AS ignored
    FROM channel_envelopes WHERE id > $1`, [marks.envelope]);
  const inbound = await pool.query<{ total: number; distinct_ids: number; created: number; replied: number; ignored: number; unlinked: number }>(`
    SELECT count(*)::int AS total,
      count(DISTINCT provider_message_id)::int AS distinct_ids,
      count(*) FILTER (WHERE outcome = 'created')::int AS created,
      count(*) FILTER (WHERE outcome = 'replied')::int AS replied,
      count(*) FILTER (WHERE outcome = 'ignored')::int AS ignored,
      count(*) FILTER (WHERE outcome IN ('created', 'replied') AND (complaint_id IS NULL OR event_id IS NULL))::int AS unlinked
    FROM inbound_messages WHERE id > $1 AND channel = 'whatsapp'`, [marks.inbound]);
  const ids = await pool.query<{ provider_message_id: string }>(
    `SELECT provider_message_id FROM inbound_messages WHERE id > $1 AND channel = 'whatsapp'`, [marks.inbound]);
  const e = envelopes.rows[0];
  const i = inbound.rows[0];
  return {
    envelopes: e.total,
    processed: e.processed,
    dead: e.dead,
    ignoredEnvelopes: e.ignored,
    inbound: i.total,
    distinctIds: i.distinct_ids,
    unknownIds: ids.rows.filter((row) => !built.has(row.provider_message_id)).length,
    created: i.created,
    replied: i.replied,
    ignoredMessages: i.ignored,
    unlinked: i.unlinked,
    complaints: await countAfter(pool, 'complaints', marks.complaint),
    events: await countAfter(pool, 'complaint_events', marks.event),
    outbound: await countAfter(pool, 'outbound_messages', marks.outbound),
  };
}

async function countAfter(pool: pg.Pool, table: 'complaints' | 'complaint_events' | 'outbound_messages', afterId: number): Promise<number> {
  const result = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE id > $1`, [afterId]);
  return result.rows[0].n;
}

export interface WebhookIntakeOptions {
  seconds: number;
  warmupSeconds: number;
  connections: readonly number[];
  texts: readonly string[];
  seed: number;
  replays?: number;
}

/**
 * Runs the delivery load at each connection count against `server`, whose
 * database is `pool`'s, then the replay.
 *
 * @example
 *   await runWebhookIntake(report, server, database.pool, { seconds: 20, warmupSeconds: 3, connections: [8, 32], texts, seed: 1 });
 */
export async function runWebhookIntake(report: Report, server: RunningServer, pool: pg.Pool, options: WebhookIntakeOptions): Promise<void> {
  const url = `${server.baseUrl}/webhooks/whatsapp`;
  const random = new Random(options.seed);
  const runTag = `${process.pid.toString(36)}${Date.now().toString(36)}`;
  const next = whatsappDeliveryFactory(random, options.texts, runTag);
  const built = new Map<string, Delivery>();

  if (options.warmupSeconds > 0) {
    note(`webhooks: warm-up, 8 connections, ${options.warmupSeconds} s (not reported)`);
    const warmupMarks = await takeMarks(pool);
    await sendDeliveries(url, 8, options.warmupSeconds, next, built);
    await waitForDrain(pool, warmupMarks.envelope);
  }

  for (const connections of options.connections) {
    const marks = await takeMarks(pool);
    note(`webhooks: POST /webhooks/whatsapp, ${connections} connections, ${options.seconds} s`);
    await report.settle(`webhooks c=${connections}`);
    const load = await sendDeliveries(url, connections, options.seconds, next, built);
    const drain = await waitForDrain(pool, marks.envelope);
    const check = await checkStored(pool, marks, built);

    report.add('webhooks.rate', null, connections, load.ok / load.seconds, 'deliveries/s');
    report.add('webhooks.p50', null, connections, load.p50, 'ms');
    report.add('webhooks.p99', null, connections, load.p99, 'ms');
    report.add('webhooks.max', null, connections, load.max, 'ms');
    report.add('webhooks.responses.200', null, connections, load.ok, 'count');
    report.add('webhooks.errors', null, connections, load.errors, 'count');
    report.add('webhooks.drain', null, connections, drain.seconds, 's');
    report.add('webhooks.envelopes.new', null, connections, check.envelopes, 'count');
    // Requests still running when the load generator stopped can be stored without a counted 200, usually at most one per connection.
    report.add('webhooks.envelopes.unanswered', null, connections, check.envelopes - load.ok, 'count');
    report.add('webhooks.envelopes.pending', null, connections, drain.pending, 'count');
    report.add('webhooks.envelopes.dead', null, connections, check.dead, 'count');
    report.add('webhooks.envelopes.ignored', null, connections, check.ignoredEnvelopes, 'count');
    report.add('webhooks.inbound.new', null, connections, check.inbound, 'count');
    report.add('webhooks.inbound.duplicates', null, connections, check.inbound - check.distinctIds, 'count');
    report.add('webhooks.inbound.unknown_ids', null, connections, check.unknownIds, 'count');
    report.add('webhooks.inbound.missing', null, connections, check.processed - check.inbound, 'count');
    report.add('webhooks.inbound.created', null, connections, check.created, 'count');
    report.add('webhooks.inbound.replied', null, connections, check.replied, 'count');
    report.add('webhooks.inbound.ignored', null, connections, check.ignoredMessages, 'count');
    report.add('webhooks.inbound.unlinked', null, connections, check.unlinked, 'count');
    report.add('webhooks.complaints.new', null, connections, check.complaints, 'count');
    // Processing runs during the load too, so its rate is taken over the load plus the drain.
    report.add('webhooks.processing.rate', null, connections, check.processed / (load.seconds + drain.seconds), 'envelopes/s');
    if (check.complaints !== check.created) note(`webhooks: ${check.complaints} new complaints but ${check.created} messages with outcome created`);
  }

  await runReplay(report, url, pool, built, options.replays ?? REPLAYS);
}

/**
 * Sends `count` deliveries that were already stored, with their original
 * bodies and signatures, and checks that nothing new is threaded.
 */
async function runReplay(report: Report, url: string, pool: pg.Pool, built: Map<string, Delivery>, count: number): Promise<void> {
  const stored = await pool.query<{ provider_message_id: string }>(
    `SELECT provider_message_id FROM inbound_messages WHERE channel = 'whatsapp' AND provider_message_id = ANY($1::text[]) ORDER BY random() LIMIT $2`,
    [[...built.keys()], count],
  );
  const replays = stored.rows.map((row) => built.get(row.provider_message_id)!);
  if (replays.length < count) note(`webhooks: only ${replays.length} stored deliveries to replay, of ${count} requested`);
  const marks = await takeMarks(pool);
  note(`webhooks: replaying ${replays.length} stored deliveries, ${REPLAY_CONCURRENCY} at a time`);

  let ok = 0;
  let errors = 0;
  let position = 0;
  const started = performance.now();
  const worker = async () => {
    while (position < replays.length) {
      const delivery = replays[position++];
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-hub-signature-256': delivery.signature },
          body: delivery.body,
        });
        await response.arrayBuffer();
        if (response.status === 200) ok += 1;
        else errors += 1;
      } catch {
        errors += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: REPLAY_CONCURRENCY }, worker));
  const sendSeconds = (performance.now() - started) / 1000;
  const drain = await waitForDrain(pool, marks.envelope);
  const check = await checkStored(pool, marks, built);

  report.add('webhooks.replay.sent', null, REPLAY_CONCURRENCY, replays.length, 'count');
  report.add('webhooks.replay.responses.200', null, REPLAY_CONCURRENCY, ok, 'count');
  report.add('webhooks.replay.errors', null, REPLAY_CONCURRENCY, errors, 'count');
  report.add('webhooks.replay.rate', null, REPLAY_CONCURRENCY, ok / sendSeconds, 'deliveries/s');
  report.add('webhooks.replay.drain', null, REPLAY_CONCURRENCY, drain.seconds, 's');
  report.add('webhooks.replay.envelopes.new', null, REPLAY_CONCURRENCY, check.envelopes, 'count');
  report.add('webhooks.replay.envelopes.processed', null, REPLAY_CONCURRENCY, check.processed, 'count');
  report.add('webhooks.replay.envelopes.pending', null, REPLAY_CONCURRENCY, drain.pending, 'count');
  report.add('webhooks.replay.inbound.new', null, REPLAY_CONCURRENCY, check.inbound, 'count');
  report.add('webhooks.replay.complaints.new', null, REPLAY_CONCURRENCY, check.complaints, 'count');
  report.add('webhooks.replay.events.new', null, REPLAY_CONCURRENCY, check.events, 'count');
  report.add('webhooks.replay.outbound.new', null, REPLAY_CONCURRENCY, check.outbound, 'count');
}
