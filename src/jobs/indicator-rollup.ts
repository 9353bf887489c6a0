/**
 * Keeps the monthly indicator rollup current (src/reports/indicator-rollup.ts):
 * `indicator-rollup` runs every minute, one run at a time, and rolls up the
 * months that changed since the previous run.
 */
import type PgBoss from 'pg-boss';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { logger } from '../logger.ts';
import { refreshIndicatorRollup } from '../reports/indicator-rollup.ts';

export const INDICATOR_ROLLUP_QUEUE = 'indicator-rollup';

export async function startIndicatorRollupJobs(boss: PgBoss, db: Kysely<DB>): Promise<void> {
  // 'stately': at most one run waiting and one running, so a slow first run never piles up runs behind it.
  await boss.createQueue(INDICATOR_ROLLUP_QUEUE, { name: INDICATOR_ROLLUP_QUEUE, policy: 'stately', retryLimit: 0 });
  await boss.schedule(INDICATOR_ROLLUP_QUEUE, '* * * * *', {}, { tz: 'Asia/Jakarta' });
  await boss.work(INDICATOR_ROLLUP_QUEUE, async () => {
    const started = Date.now();
    const result = await refreshIndicatorRollup(db);
    if (result.months.length > 0) {
      logger.info({ months: result.months.length, complaints: result.complaints, ms: Date.now() - started }, 'indicator rollup refreshed');
    }
  });
}
