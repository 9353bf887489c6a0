/**
 * Indicators (the leaders' dashboard), called in-process on seeded data:
 * the first rollup of every month and an incremental refresh after one new
 * report; `computeIndicators` grouped by agency for the last full month and
 * the last twelve full months, from the rollup where it applies and live;
 * the whole dashboard for its default period, regency-wide and for one
 * agency; and the monthly recap (figures and XLSX file) of the last month.
 */
import type { Kysely } from 'kysely';
import type pg from 'pg';
import type { DB } from '../src/db/schema.ts';
import { wibDate } from '../src/domain/time.ts';
import { computeIndicators, type IndicatorFilters } from '../src/reports/indicators.ts';
import { refreshIndicatorRollup } from '../src/reports/indicator-rollup.ts';
import { buildDashboard, defaultPeriod } from '../src/reports/dashboard.ts';
import { renderMonthlyReport } from '../src/reports/monthly-report.ts';
import { receiveComplaint } from '../src/commands/receive-complaint.ts';
import { explainCalls, writeExplain } from './lib/explain.ts';
import { formatSize, note, type Report } from './lib/report.ts';
import { timeSequential, type TimingOptions } from './lib/stats.ts';

export interface IndicatorContext {
  size: number;
  db: Kysely<DB>;
  pool: pg.Pool;
  now: Date;
  timing: TimingOptions;
  explainDir?: string;
}

/** Returns the last full WIB month before `now`, and the twelve full months that end with it. */
export function indicatorPeriods(now: Date): { month: IndicatorFilters; year: IndicatorFilters } {
  const [year, month] = wibDate(now).split('-').map(Number);
  const firstOfThisMonth = Date.UTC(year, month - 1, 1);
  const lastDay = new Date(firstOfThisMonth - 86_400_000).toISOString().slice(0, 10);
  const monthStart = `${lastDay.slice(0, 8)}01`;
  const yearStart = new Date(Date.UTC(year - 1, month - 1, 1)).toISOString().slice(0, 10);
  return {
    month: { from: monthStart, to: lastDay, groupBy: 'agency' },
    year: { from: yearStart, to: lastDay, groupBy: 'agency' },
  };
}

export async function runIndicators(report: Report, context: IndicatorContext): Promise<void> {
  const size = formatSize(context.size);
  // The first refresh rolls up every month; the background job does this once, then only what changed.
  await report.settle(`indicators.rollup at ${size}`);
  let started = performance.now();
  const first = await refreshIndicatorRollup(context.db, context.now);
  report.add('indicators.rollup_first.seconds', context.size, null, (performance.now() - started) / 1000, 's');
  report.add('indicators.rollup_first.months', context.size, null, first.months.length, 'count');
  // One new report: the next refresh rolls up its month again.
  await receiveComplaint({ db: context.db, actor: { kind: 'citizen' }, now: context.now }, {
    type: 'pengaduan', description: 'Laporan uji tolok ukur: jalan desa berlubang di dekat jembatan.', channel: 'web', receivedAt: context.now,
  });
  started = performance.now();
  const next = await refreshIndicatorRollup(context.db, context.now);
  report.add('indicators.rollup_refresh.seconds', context.size, null, (performance.now() - started) / 1000, 's');
  report.add('indicators.rollup_refresh.months', context.size, null, next.months.length, 'count');

  const periods = indicatorPeriods(context.now);
  for (const [name, filters] of Object.entries(periods)) {
    for (const source of ['auto', 'live'] as const) {
      const label = source === 'auto' ? name : `${name}_live`;
      note(`indicators: ${label} ${filters.from}..${filters.to} by agency at ${size} complaints`);
      let rows = 0;
      let used = '';
      await report.settle(`indicators.${label} at ${size}`);
      const timing = await timeSequential(async () => {
        const result = await computeIndicators(context.db, filters, context.now, { source });
        rows = result.rows.length;
        used = result.source;
      }, context.timing);
      note(`indicators.${label} read from: ${used}`);
      report.add(`indicators.${label}.p50`, context.size, 1, timing.p50, 'ms');
      report.add(`indicators.${label}.p95`, context.size, 1, timing.p95, 'ms');
      report.add(`indicators.${label}.groups`, context.size, null, rows, 'count');
    }
    if (context.explainDir) {
      writeExplain(context.explainDir, `${size}-indicators-${name}-live`, await explainCalls(context.pool, (db) => computeIndicators(db, filters, context.now, { source: 'live' })));
    }
  }

  const period = defaultPeriod(context.now);
  for (const [label, agency] of [['dashboard', undefined], ['dashboard_agency', 'dpupr']] as const) {
    note(`${label}: ${period.from}..${period.to}${agency ? ` for ${agency}` : ''} at ${size} complaints`);
    await report.settle(`${label} at ${size}`);
    const timing = await timeSequential(async () => {
      await buildDashboard(context.db, { ...period, agency }, context.now);
    }, context.timing);
    report.add(`${label}.p50`, context.size, 1, timing.p50, 'ms');
    report.add(`${label}.p95`, context.size, 1, timing.p95, 'ms');
  }

  const month = periods.month.from.slice(0, 7);
  note(`monthly recap ${month} (figures and XLSX) at ${size} complaints`);
  await report.settle(`monthly_report at ${size}`);
  const recap = await timeSequential(async () => {
    await renderMonthlyReport(context.db, { month, format: 'xlsx' }, { now: context.now });
  }, { ...context.timing, samples: Math.min(context.timing.samples, 5) });
  report.add('monthly_report.xlsx.p50', context.size, 1, recap.p50, 'ms');
  report.add('monthly_report.xlsx.p95', context.size, 1, recap.p95, 'ms');
}
