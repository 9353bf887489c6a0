/**
 * The assignment job, run every minute: gives waiting new reports to the
 * officers on duty by round-robin, and acknowledges, once, those that must
 * wait for the next shift (commands/roster.ts). It catches reports from
 * every channel, including those whose caller did not assign at once.
 */
import type { Kysely } from 'kysely';
import type PgBoss from 'pg-boss';
import type { DB } from '../db/schema.ts';
import { assignWaitingComplaints } from '../commands/roster.ts';
import { logger } from '../logger.ts';

export const ASSIGNMENT_QUEUE = 'roster-assignment';

/**
 * Registers the queue, schedules it every minute and starts its worker.
 *
 * @example await startAssignmentJobs(boss, db);
 */
export async function startAssignmentJobs(boss: PgBoss, db: Kysely<DB>): Promise<void> {
  await boss.createQueue(ASSIGNMENT_QUEUE);
  await boss.schedule(ASSIGNMENT_QUEUE, '* * * * *', {}, { tz: 'Asia/Jakarta' });
  await boss.work(ASSIGNMENT_QUEUE, async () => {
    const result = await assignWaitingComplaints(db);
    if (result.assigned || result.acknowledged) logger.info(result, 'roster assignment run');
  });
}
