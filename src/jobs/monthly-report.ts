/**
 * Monthly recap jobs on pg-boss:
 * - `monthly-report-schedule` runs at 01:00 WIB on the 1st of every month
 *   (cron in Asia/Jakarta) and requests last month's recap, regency-wide and
 *   for every agency that received reports, as XLSX and (when Chromium is
 *   installed) PDF;
 * - `monthly-report-sweep` runs every minute and builds pending reports,
 *   including those requested on the web or through the API.
 * Building happens in `processPendingReports`, which claims rows with
 * `SKIP LOCKED`, so several processes can run the sweep at once.
 */
import type PgBoss from 'pg-boss';
import { sql, type Kysely } from 'kysely';
import type { DB, MonthlyReportFormat } from '../db/schema.ts';
import { logger } from '../logger.ts';
import { startOfWibDay, endOfWibDay } from '../domain/time.ts';
import { parseReportMonth, previousMonth, processPendingReports, requestMonthlyReport } from '../reports/monthly-report.ts';
import { chromiumAvailable, DEFAULT_CHROMIUM_PATH } from '../reports/pdf.ts';

export const MONTHLY_REPORT_SCHEDULE_QUEUE = 'monthly-report-schedule';
export const MONTHLY_REPORT_SWEEP_QUEUE = 'monthly-report-sweep';
/** 01:00 on day 1 of every month, read in Asia/Jakarta. */
export const MONTHLY_REPORT_CRON = '0 1 1 * *';

export interface MonthlyReportJobOptions {
  /** Chromium binary for PDFs; without it only XLSX files are scheduled. */
  chromiumPath?: string;
}

/**
 * Requests the recaps of `month` (default: the month before `now` in WIB):
 * the regency's and one per agency that received reports in it. Returns how
 * many reports were requested.
 *
 * @example await scheduleMonthlyReports(db, new Date('2026-03-01T00:00:00Z')) // February 2026
 */
export async function scheduleMonthlyReports(db: Kysely<DB>, now = new Date(), options: MonthlyReportJobOptions & { month?: string } = {}): Promise<number> {
  const month = options.month ?? previousMonth(now);
  const period = parseReportMonth(month);
  const chromiumPath = options.chromiumPath ?? DEFAULT_CHROMIUM_PATH;
  const formats: MonthlyReportFormat[] = chromiumAvailable(chromiumPath) ? ['xlsx', 'pdf'] : ['xlsx'];
  if (formats.length === 1) logger.warn({ chromiumPath, month }, 'Chromium not found; scheduling XLSX recaps only');

  const agencies = await sql<{ code: string }>`
    SELECT DISTINCT a.code FROM complaints c JOIN agencies a ON a.id = c.agency_id
    WHERE c.received_at >= ${startOfWibDay(period.from)} AND c.received_at <= ${endOfWibDay(period.to)} AND c.status <> 'archived'
    ORDER BY a.code
  `.execute(db);
  let requested = 0;
  for (const agency of [undefined, ...agencies.rows.map((row) => row.code)]) {
    for (const format of formats) {
      await requestMonthlyReport(db, { month, agency, format, scheduled: true, refresh: true }, now, chromiumPath);
      requested += 1;
    }
  }
  logger.info({ month, requested }, 'monthly recaps scheduled');
  return requested;
}

/** Registers both queues, the monthly cron and the minute sweep. */
export async function startMonthlyReportJobs(boss: PgBoss, db: Kysely<DB>, options: MonthlyReportJobOptions = {}): Promise<void> {
  await boss.createQueue(MONTHLY_REPORT_SCHEDULE_QUEUE);
  await boss.createQueue(MONTHLY_REPORT_SWEEP_QUEUE);
  await boss.schedule(MONTHLY_REPORT_SCHEDULE_QUEUE, MONTHLY_REPORT_CRON, {}, { tz: 'Asia/Jakarta' });
  await boss.schedule(MONTHLY_REPORT_SWEEP_QUEUE, '* * * * *', {}, { tz: 'Asia/Jakarta' });
  await boss.work(MONTHLY_REPORT_SCHEDULE_QUEUE, async () => {
    await scheduleMonthlyReports(db, new Date(), options);
    await processPendingReports(db, { chromiumPath: options.chromiumPath });
  });
  await boss.work(MONTHLY_REPORT_SWEEP_QUEUE, async () => {
    const result = await processPendingReports(db, { chromiumPath: options.chromiumPath });
    if (result.ready + result.failed + result.retrying > 0) logger.info(result, 'monthly report sweep finished');
  });
}
