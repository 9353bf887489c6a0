/**
 * Background deadline recomputes on pg-boss. A calendar change records a
 * pending run (src/commands/recompute-deadlines.ts). The `deadline-recompute`
 * queue runs every minute and finishes every unfinished run, including one
 * that a crash or restart stopped half-way. Each batch is its own short
 * transaction, so the inbox keeps answering while a run proceeds.
 */
import type PgBoss from 'pg-boss';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { runPendingRecomputes } from '../commands/recompute-deadlines.ts';

export const DEADLINE_RECOMPUTE_QUEUE = 'deadline-recompute';

export async function startRecomputeJobs(boss: PgBoss, db: Kysely<DB>): Promise<void> {
  await boss.createQueue(DEADLINE_RECOMPUTE_QUEUE);
  await boss.schedule(DEADLINE_RECOMPUTE_QUEUE, '* * * * *', {}, { tz: 'Asia/Jakarta' });
  await boss.work(DEADLINE_RECOMPUTE_QUEUE, async () => {
    await runPendingRecomputes(db);
  });
  // Resume a run that the last process left unfinished without waiting for the first minute.
  await boss.send(DEADLINE_RECOMPUTE_QUEUE, {});
}
