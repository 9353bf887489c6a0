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

export const DEADLINE_SCAN_QUEUE = 'deadline-scan';

export async function startJobs(pool: pg.Pool, db: Kysely<DB>): Promise<PgBoss> {
  const boss = new PgBoss({
    db: { executeSql: (text: string, values: unknown[]) => pool.query(text, values as unknown[]) },
    // A single PGlite session cannot serve many pollers; one per queue is enough here.
    supervise: true,
    schedule: true,
  });
  boss.on('error', (error) => logger.error({ err: error }, 'job queue error'));
  await boss.start();
  await boss.createQueue(DEADLINE_SCAN_QUEUE);
  await boss.schedule(DEADLINE_SCAN_QUEUE, '* * * * *', {}, { tz: 'Asia/Jakarta' });
  await boss.work(DEADLINE_SCAN_QUEUE, async () => {
    await scanDeadlines(db);
  });
  logger.info('background jobs started');
  return boss;
}
