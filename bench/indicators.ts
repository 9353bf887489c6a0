/**
 * Indicators (the leaders' dashboard): `computeIndicators` grouped by
 * agency for the last full month and the last twelve full months, called
 * in-process on seeded data.
 */
import type { Kysely } from 'kysely';
import type pg from 'pg';
import type { DB } from '../src/db/schema.ts';
import { wibDate } from '../src/domain/time.ts';
import { computeIndicators, type IndicatorFilters } from '../src/reports/indicators.ts';
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
  const periods = indicatorPeriods(context.now);
  for (const [name, filters] of Object.entries(periods)) {
    note(`indicators: ${name} ${filters.from}..${filters.to} by agency at ${formatSize(context.size)} complaints`);
    let rows = 0;
    await report.settle(`indicators.${name} at ${formatSize(context.size)}`);
    const timing = await timeSequential(async () => {
      const result = await computeIndicators(context.db, filters, context.now);
      rows = result.rows.length;
    }, context.timing);
    report.add(`indicators.${name}.p50`, context.size, 1, timing.p50, 'ms');
    report.add(`indicators.${name}.p95`, context.size, 1, timing.p95, 'ms');
    report.add(`indicators.${name}.groups`, context.size, null, rows, 'count');
    if (context.explainDir) {
      writeExplain(context.explainDir, `${formatSize(context.size)}-indicators-${name}`, await explainCalls(context.pool, (db) => computeIndicators(db, filters, context.now)));
    }
  }
}
