/**
 * Figures of the back-office dashboard and of the public transparency page
 * for one WIB period, optionally limited to one agency. The dashboard has
 * totals, reports per week and channel, the SLA trend of the busiest
 * agencies, backlog by age, top categories, satisfaction, reports per
 * kecamatan and the agency league table. Every figure follows the counting
 * rules of `indicators.ts`.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { CHANNELS, type Channel } from '../domain/types.ts';
import { addCalendarDays, wibDate } from '../domain/time.ts';
import { backlogByAge, computeIndicators, overdueByAgency, TIME_ZONE } from './indicators.ts';
import { chooseFigureSource, readWeeklyRollup, snapshotBacklog } from './indicator-rollup.ts';
import {
  countByWeekAndChannel, countOverdue, loadCodeNames, ratingDistribution, type CodeNames, type PeriodFilter,
} from '../queries/dashboard.ts';

/** Agencies drawn in the SLA trend; more lines than this are hard to distinguish. */
export const TREND_AGENCIES = 5;
/** Categories in the top-categories chart. */
export const TOP_CATEGORIES = 10;
/** Default dashboard period: this many months back from today, including the current month. */
export const DEFAULT_MONTHS = 6;

/** Indicator drawn in the SLA trend: resolved before the resolution deadline. */
export const SLA_TREND_INDICATOR = 'resolved_within_sla_share';

export type Figures = Record<string, number | null>;

export interface LeagueRow {
  /** Agency code, or null for reports not yet sent to any agency. */
  code: string | null;
  name: string;
  figures: Figures;
  /** Open reports now past a deadline. */
  overdue: number;
}

export interface DashboardData {
  period: { from: string; to: string; timeZone: string };
  /** When the figures were computed: now, or the rollup's last refresh. */
  asOf: string;
  agency: { code: string; name: string } | null;
  totals: Figures;
  overdueNow: number;
  weekly: { weeks: string[]; channels: Channel[]; counts: number[][] };
  slaTrend: { months: string[]; agencies: { code: string; name: string; values: (number | null)[] }[] };
  backlog: { bucket: string; count: number }[];
  topCategories: { code: string; name: string; nameEn: string | null; figures: Figures }[];
  satisfaction: { distribution: { rating: number; count: number }[]; byMonth: { month: string; figures: Figures }[] };
  districts: { code: string; name: string; received: number }[];
  league: LeagueRow[];
  names: CodeNames;
}

/**
 * Returns the default period: the first day of the month `DEFAULT_MONTHS − 1`
 * months back, to today (WIB).
 *
 * @example defaultPeriod(new Date('2026-05-10T00:00:00Z')) // { from: '2025-12-01', to: '2026-05-10' }
 */
export function defaultPeriod(now = new Date()): { from: string; to: string } {
  const today = wibDate(now);
  const year = Number(today.slice(0, 4));
  const month = Number(today.slice(5, 7));
  const index = year * 12 + (month - 1) - (DEFAULT_MONTHS - 1);
  const from = `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}-01`;
  return { from, to: today };
}

/** Lists the `YYYY-MM` months that a period touches. */
export function monthsOf(from: string, to: string): string[] {
  const months: string[] = [];
  let year = Number(from.slice(0, 4));
  let month = Number(from.slice(5, 7));
  const last = to.slice(0, 7);
  for (;;) {
    const key = `${year}-${String(month).padStart(2, '0')}`;
    if (key > last) break;
    months.push(key);
    month += 1;
    if (month > 12) {
      month = 1;
      year += 1;
    }
  }
  return months;
}

/** Lists the Mondays of the WIB weeks a period touches. */
export function weeksOf(from: string, to: string): string[] {
  const start = new Date(`${from}T00:00:00Z`);
  const offset = (start.getUTCDay() + 6) % 7;
  const weeks: string[] = [];
  for (let monday = addCalendarDays(from, -offset); monday <= to; monday = addCalendarDays(monday, 7)) weeks.push(monday);
  return weeks;
}

function byGroup(rows: { group: string; indicators: Figures }[]): Map<string, Figures> {
  return new Map(rows.map((row) => [row.group, row.indicators]));
}

/** Ranks agencies: resolved within SLA first, then resolved share, then volume; missing values last. */
export function compareLeague(a: LeagueRow, b: LeagueRow): number {
  for (const code of ['resolved_within_sla_share', 'resolved_share', 'received']) {
    const left = a.figures[code] ?? Number.NEGATIVE_INFINITY;
    const right = b.figures[code] ?? Number.NEGATIVE_INFINITY;
    if (left !== right) return right - left;
  }
  return a.name.localeCompare(b.name);
}

/**
 * Collects every figure of the dashboard.
 *
 * @example await buildDashboard(db, { from: '2026-01-01', to: '2026-06-30', agency: 'dpupr' })
 */
export async function buildDashboard(
  db: Kysely<DB>, filter: PeriodFilter, now = new Date(), options: { rollupMinReceived?: number } = {},
): Promise<DashboardData> {
  const base = { from: filter.from, to: filter.to, agency: filter.agency };
  // A large period that has been rolled up is read from the rollup, the weekly chart, ratings and open reports included.
  const { rollup, snapshot, indicatorOptions: source } = await chooseFigureSource(db, filter, now, options.rollupMinReceived);
  const rolledUpTotals = rollup?.groups.get('all');
  const [totals, byAgency, byCategory, byDistrict, byMonth, weekly, ratings, backlog, overdue, overdueNow, names] = await Promise.all([
    computeIndicators(db, base, now, source),
    computeIndicators(db, { ...base, groupBy: 'agency' }, now, source),
    computeIndicators(db, { ...base, groupBy: 'category' }, now, source),
    computeIndicators(db, { ...base, groupBy: 'district' }, now, source),
    computeIndicators(db, { ...base, groupBy: 'month' }, now, source),
    rollup ? readWeeklyRollup(db, filter) as Promise<{ week: string; channel: Channel; count: number }[]> : countByWeekAndChannel(db, filter),
    rollup
      ? Promise.resolve([1, 2, 3, 4, 5].map((rating) => ({ rating, count: rolledUpTotals?.ratings[rating - 1] ?? 0 })))
      : ratingDistribution(db, filter),
    snapshot ? snapshotBacklog(snapshot, filter.agency) : backlogByAge(db, now, filter.agency),
    snapshot ? snapshot.overdue : overdueByAgency(db, now),
    snapshot
      ? snapshot.overdue.filter((row) => !filter.agency || row.agency === filter.agency).reduce((sum, row) => sum + row.overdue, 0)
      : countOverdue(db, now, filter.agency),
    loadCodeNames(db),
  ]);

  const months = monthsOf(filter.from, filter.to);

  // Reports per week and channel: channels in their usual order, only those used.
  const weeks = weeksOf(filter.from, filter.to);
  const channels = CHANNELS.filter((channel) => weekly.some((row) => row.channel === channel));
  const counts = channels.map((channel) =>
    weeks.map((week) => weekly.find((row) => row.week === week && row.channel === channel)?.count ?? 0),
  );

  // SLA trend: the busiest agencies of the period, one query per agency grouped by month.
  const agencyRows = byAgency.rows.filter((row) => row.group !== '-').sort((a, b) => (b.indicators.received ?? 0) - (a.indicators.received ?? 0));
  const trendAgencies = agencyRows.slice(0, TREND_AGENCIES);
  const trend = await Promise.all(
    trendAgencies.map(async (row) => {
      const result = await computeIndicators(db, { from: filter.from, to: filter.to, agency: row.group, groupBy: 'month' }, now, source);
      const perMonth = byGroup(result.rows);
      return {
        code: row.group,
        name: names.agencies.get(row.group) ?? row.group,
        values: months.map((month) => perMonth.get(month)?.[SLA_TREND_INDICATOR] ?? null),
      };
    }),
  );

  const topCategories = byCategory.rows
    .filter((row) => row.group !== '-')
    .sort((a, b) => (b.indicators.received ?? 0) - (a.indicators.received ?? 0) || a.group.localeCompare(b.group))
    .slice(0, TOP_CATEGORIES)
    .map((row) => {
      const category = names.categories.get(row.group);
      return { code: row.group, name: category?.name ?? row.group, nameEn: category?.nameEn ?? null, figures: row.indicators };
    });

  const districtCounts = byGroup(byDistrict.rows);
  const districts = [...names.districts.entries()].map(([code, name]) => ({ code, name, received: districtCounts.get(code)?.received ?? 0 }));

  const overdueByCode = new Map(overdue.map((row) => [row.agency, row.overdue]));
  const league: LeagueRow[] = byAgency.rows.map((row) => ({
    code: row.group === '-' ? null : row.group,
    name: row.group === '-' ? '' : (names.agencies.get(row.group) ?? row.group),
    figures: row.indicators,
    overdue: overdueByCode.get(row.group === '-' ? null : row.group) ?? 0,
  }));
  // Agencies with overdue reports but nothing received in the period still belong in the table.
  if (!filter.agency) {
    for (const row of overdue) {
      if (row.agency && !league.some((entry) => entry.code === row.agency)) {
        league.push({ code: row.agency, name: row.name ?? row.agency, figures: { received: 0 }, overdue: row.overdue });
      }
    }
  }
  league.sort(compareLeague);

  const perMonth = byGroup(byMonth.rows);
  return {
    period: { from: filter.from, to: filter.to, timeZone: TIME_ZONE },
    asOf: totals.asOf,
    agency: filter.agency ? { code: filter.agency, name: names.agencies.get(filter.agency) ?? filter.agency } : null,
    totals: totals.rows[0]?.indicators ?? { received: 0 },
    overdueNow,
    weekly: { weeks, channels, counts },
    slaTrend: { months, agencies: trend },
    backlog,
    topCategories,
    satisfaction: {
      distribution: ratings,
      byMonth: months.map((month) => ({ month, figures: perMonth.get(month) ?? { received: 0 } })),
    },
    districts,
    league,
    names,
  };
}

export interface TransparencyData {
  period: { from: string; to: string; timeZone: string };
  /** When the figures were computed: now, or the rollup's last refresh. */
  asOf: string;
  totals: Figures;
  byMonth: { month: string; figures: Figures }[];
  byCategory: { code: string; name: string; nameEn: string | null; figures: Figures }[];
  byAgency: { code: string; name: string; figures: Figures }[];
}

/**
 * Collects the public figures of a period: totals, per month, per category
 * and per agency. Counts only; no report text.
 *
 * @example await buildTransparency(db, { from: '2026-01-01', to: '2026-12-31' })
 */
export async function buildTransparency(db: Kysely<DB>, period: { from: string; to: string }, now = new Date()): Promise<TransparencyData> {
  const [totals, byMonth, byCategory, byAgency, names] = await Promise.all([
    computeIndicators(db, period, now),
    computeIndicators(db, { ...period, groupBy: 'month' }, now),
    computeIndicators(db, { ...period, groupBy: 'category' }, now),
    computeIndicators(db, { ...period, groupBy: 'agency' }, now),
    loadCodeNames(db),
  ]);
  const perMonth = byGroup(byMonth.rows);
  const byReceived = (a: { indicators: Figures; group: string }, b: { indicators: Figures; group: string }) =>
    (b.indicators.received ?? 0) - (a.indicators.received ?? 0) || a.group.localeCompare(b.group);
  return {
    period: { ...period, timeZone: TIME_ZONE },
    asOf: totals.asOf,
    totals: totals.rows[0]?.indicators ?? { received: 0 },
    byMonth: monthsOf(period.from, period.to).map((month) => ({ month, figures: perMonth.get(month) ?? { received: 0 } })),
    byCategory: byCategory.rows
      .filter((row) => row.group !== '-')
      .sort(byReceived)
      .map((row) => {
        const category = names.categories.get(row.group);
        return { code: row.group, name: category?.name ?? row.group, nameEn: category?.nameEn ?? null, figures: row.indicators };
      }),
    byAgency: byAgency.rows
      .filter((row) => row.group !== '-')
      .sort(byReceived)
      .map((row) => ({ code: row.group, name: names.agencies.get(row.group) ?? row.group, figures: row.indicators })),
  };
}
