/**
 * Starts pg-boss on the application's own pool and schedules the recurring
 * jobs. pg-boss keeps its tables in the `pgboss` schema of the same database.
 */
import PgBoss from 'pg-boss';
import type pg from 'pg';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { logger } from '../logger.ts';
import { scanDeadlines } from './deadlines.ts';
import { loadConfig, type Config } from '../config.ts';
import { createChannelRegistry } from '../channels/registry.ts';
import { startInboundJobs } from './inbound.ts';
import { startDeliveryJobs } from './delivery.ts';
import { startEmailPollJobs } from './email-poll.ts';
import { startAssignmentJobs } from './assignment.ts';
import { notificationDepsFromConfig, startNotificationJobs } from './notifications.ts';
import { startTriageJobs } from './triage.ts';
import { startMonthlyReportJobs } from './monthly-report.ts';
import { startIndicatorRollupJobs } from './indicator-rollup.ts';
import { startRecomputeJobs } from './recompute-deadlines.ts';
import { runMetadataPass } from '../commands/attachment-metadata.ts';

export const DEADLINE_SCAN_QUEUE = 'deadline-scan';
export const ATTACHMENT_METADATA_QUEUE = 'attachment-metadata';
// Arbitrary constant shared by every Aduan process: the advisory lock key of the job queue's start.
const JOB_QUEUE_START_LOCK_KEY = 7_316_452_007;

/**
 * Runs `setup` while holding an advisory lock on PostgreSQL. Two servers
 * started together on a fresh database otherwise both create pg-boss's
 * schema and queues: one stopped with a duplicate-key error on `pgboss`,
 * and with only `start` serialised, creating the queues deadlocked. A
 * PGlite database has one session and one process, so it needs no lock.
 */
async function serializeSetup(pool: pg.Pool, onServer: boolean, setup: () => Promise<void>): Promise<void> {
  if (!onServer) {
    await setup();
    return;
  }
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [JOB_QUEUE_START_LOCK_KEY]);
    try {
      await setup();
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [JOB_QUEUE_START_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}

/** `config` defaults to the environment's; pass the one the server loaded. */
export async function startJobs(pool: pg.Pool, db: Kysely<DB>, config: Config = loadConfig()): Promise<PgBoss> {
  const boss = new PgBoss({
    db: { executeSql: (text: string, values: unknown[]) => pool.query(text, values as unknown[]) },
    // A single PGlite session cannot serve many pollers; one per queue is enough here.
    supervise: true,
    schedule: true,
  });
  boss.on('error', (error) => logger.error({ err: error }, 'job queue error'));
  await serializeSetup(pool, Boolean(config.databaseUrl), async () => {
    await boss.start();
    await boss.createQueue(DEADLINE_SCAN_QUEUE);
    await boss.schedule(DEADLINE_SCAN_QUEUE, '* * * * *', {}, { tz: 'Asia/Jakarta' });
    await boss.work(DEADLINE_SCAN_QUEUE, async () => {
      await scanDeadlines(db);
    });
    // Channel pipeline: the sweep of pending webhook envelopes and the outbound delivery run.
    const registry = createChannelRegistry(config.channels);
    await startInboundJobs(boss, db, registry);
    await startDeliveryJobs(boss, { db, registry, publicUrl: config.publicUrl });
    const imap = config.channels.email.imap;
    if (imap) await startEmailPollJobs(boss, { db, registry, settings: imap });
    // Duty roster assignment and officer notifications.
    await startAssignmentJobs(boss, db);
    await startNotificationJobs(boss, notificationDepsFromConfig(db, config));
    // Triage: scores new reports after commit and retrains the suggestion models.
    await startTriageJobs(boss, db);
    // Monthly recaps: built on the 1st of each month and on request.
    await startMonthlyReportJobs(boss, db, { chromiumPath: config.chromiumPath });
    // Indicators: the monthly rollup that the dashboard reads for long periods.
    await startIndicatorRollupJobs(boss, db);
    // Deadline recomputes after a holiday calendar change.
    await startRecomputeJobs(boss, db);
    // Attachments stored by an earlier metadata removal, until none is left; then each run is one index lookup.
    await boss.createQueue(ATTACHMENT_METADATA_QUEUE);
    await boss.schedule(ATTACHMENT_METADATA_QUEUE, '* * * * *', {}, { tz: 'Asia/Jakarta' });
    await boss.work(ATTACHMENT_METADATA_QUEUE, async () => {
      await runMetadataPass(db);
    });
  });
  logger.info('background jobs started');
  return boss;
}
