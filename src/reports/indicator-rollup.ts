/**
 * Monthly rollup of the indicators, so that the dashboard, the transparency
 * page and the monthly recap read a few hundred stored rows instead of every
 * complaint of a long period.
 *
 * How it works:
 * - `rollUpMonth` reads one WIB month's complaints with the same counting
 *   rules as `computeIndicators` (see indicators.ts) and stores, for the
 *   whole regency and for each slice in `ROLLUP_SLICES`, the counts behind
 *   every share and a histogram of each time figure. It also stores reports
 *   per WIB day, agency and channel for the weekly chart.
 * - `refreshIndicatorRollup` runs every minute from the background job. It
 *   rolls up again every month that received a complaint event since its
 *   last run, every month marked with `markRollupMonthsDirty`, and on its
 *   first run every month that has complaints. New events are found through
 *   their ids, which only grow. An id missing below the newest one may
 *   belong to a transaction not yet committed, so it is looked for again.
 * - `readRollup` computes an indicator query from the stored rows when the
 *   period is made of whole months, the first refresh has finished (after
 *   it, a month without rows had no reports), the filters and grouping are
 *   one of the stored slices, and the period
 *   holds at least `ROLLUP_MIN_RECEIVED` reports. Otherwise the caller
 *   computes the figures from the complaints, which is exact and, below that
 *   size, fast enough.
 *
 * Precision: counts and shares from the rollup equal the live computation
 * at the time of the refresh. Medians and 90th percentiles come from
 * histograms with logarithmic buckets 2 % wide, each read at its geometric
 * middle, so they are within 1 % of the live value (interpolated like
 * `percentile_cont`). Figures are as of the refresh, at most about a minute
 * old while the job runs; the result carries `asOf`.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { addCalendarDays, startOfWibDay, wibDate } from '../domain/time.ts';
import { logger } from '../logger.ts';
import { AGE_BUCKETS, backlogByAgencyAndAge, clockAndReopenJoins, overdueByAgency } from './indicators.ts';

export const TIME_ZONE = 'Asia/Jakarta';

/** Dimensions a slice may combine, in the order used in slice names. */
export const ROLLUP_DIMENSIONS = ['agency', 'category', 'channel', 'district', 'type'] as const;
export type RollupDimension = (typeof ROLLUP_DIMENSIONS)[number];

/**
 * Slices stored per month: the whole regency, each dimension alone, and
 * each dimension within an agency (what an agency's dashboard and recap
 * need). A query with another combination of filters is computed live.
 */
export const ROLLUP_SLICES: readonly string[] = [
  '', 'agency', 'category', 'channel', 'district', 'type',
  'agency+category', 'agency+channel', 'agency+district', 'agency+type',
];

/**
 * Below this many reports in a period the live computation is exact and fast,
 * so the rollup is not used. A dashboard runs about ten indicator queries: at
 * 8,000 reports live they took about 200 ms together (docs/benchmarks.md).
 */
export const ROLLUP_MIN_RECEIVED = 2_000;

/**
 * An event id below the newest one may be missing when the refresh reads,
 * because its transaction has not committed yet or rolled back. The refresh
 * keeps such ids and looks for them again while they are within this many
 * ids of the newest. Older gaps are treated as rolled back.
 */
const MISSING_ID_WINDOW = 100_000;

function parseIdArray(value: string[] | string | number[]): number[] {
  if (Array.isArray(value)) return value.map(Number);
  const inner = value.replace(/^\{|\}$/g, '');
  return inner === '' ? [] : inner.split(',').map(Number);
}

/** Histogram buckets grow by this factor: 2 % wide, read at the middle, within 1 %. */
const GAMMA = 1.02;
const LOG_GAMMA = Math.log(GAMMA);
/** Shifts bucket numbers so that values down to about 1e-6 get a positive key; 0 is bucket 0. */
const BUCKET_OFFSET = 700;

/**
 * Counts per bucket, stored densely: `z` values of exactly 0, then `c[i]`
 * values in bucket `o + i`. At a million complaints this halved the stored
 * JSON of the regency-wide rows compared with a map of bucket numbers.
 */
export interface Histogram {
  z: number;
  o: number;
  c: number[];
}

export function emptyHistogram(): Histogram {
  return { z: 0, o: 0, c: [] };
}

export const HISTOGRAMS = ['response_days', 'response_working_hours', 'resolution_days', 'resolution_working_hours'] as const;
export type HistogramName = (typeof HISTOGRAMS)[number];

/** The sums behind every indicator of one group; additive over months and slices. */
export interface Tally {
  received: number;
  resolved: number;
  /** Received and not forwarded as outside the regency's authority. */
  inScope: number;
  verificationMet: number;
  verificationDecided: number;
  followUpMet: number;
  followUpDecided: number;
  resolutionMet: number;
  resolutionDecided: number;
  answeredWithin1WorkingDay: number;
  ratings: [number, number, number, number, number];
  reopened: number;
  /** Resolved at least once, or reopened: the base of the reopen rate. */
  reopenBase: number;
  histograms: Record<HistogramName, Histogram>;
}

export function emptyTally(): Tally {
  return {
    received: 0, resolved: 0, inScope: 0,
    verificationMet: 0, verificationDecided: 0, followUpMet: 0, followUpDecided: 0, resolutionMet: 0, resolutionDecided: 0,
    answeredWithin1WorkingDay: 0, ratings: [0, 0, 0, 0, 0], reopened: 0, reopenBase: 0,
    histograms: {
      response_days: emptyHistogram(), response_working_hours: emptyHistogram(),
      resolution_days: emptyHistogram(), resolution_working_hours: emptyHistogram(),
    },
  };
}

/** Returns the bucket of a non-negative value: 0 for 0, else the power of GAMMA just below it. */
export function bucketOf(value: number): number {
  if (!(value > 0)) return 0;
  return Math.max(1, Math.floor(Math.log(value) / LOG_GAMMA) + BUCKET_OFFSET);
}

/** Returns the value that represents a bucket: its geometric middle. */
export function bucketValue(bucket: number): number {
  if (bucket === 0) return 0;
  return GAMMA ** (bucket - BUCKET_OFFSET + 0.5);
}

/** Adds `count` values of bucket `bucket` (> 0) to a histogram, growing its range as needed. */
function addBucket(histogram: Histogram, bucket: number, count: number): void {
  if (histogram.c.length === 0) {
    histogram.o = bucket;
    histogram.c = [count];
    return;
  }
  if (bucket < histogram.o) {
    histogram.c = [...new Array<number>(histogram.o - bucket).fill(0), ...histogram.c];
    histogram.o = bucket;
  }
  const index = bucket - histogram.o;
  while (histogram.c.length <= index) histogram.c.push(0);
  histogram.c[index] += count;
}

/** Adds a value; null, negative and non-finite values are left out, as the live computation leaves them out. */
export function addToHistogram(histogram: Histogram, value: number | null): void {
  if (value === null || !Number.isFinite(value) || value < 0) return;
  const bucket = bucketOf(value);
  if (bucket === 0) histogram.z += 1;
  else addBucket(histogram, bucket, 1);
}

function mergeHistogram(target: Histogram, source: Histogram): void {
  target.z += source.z;
  if (source.c.length === 0) return;
  // Grow the target to cover the source's range once, then add element by element.
  addBucket(target, source.o, 0);
  addBucket(target, source.o + source.c.length - 1, 0);
  const shift = source.o - target.o;
  for (let i = 0; i < source.c.length; i += 1) target.c[shift + i] += source.c[i];
}

/**
 * Continuous percentile of the values in a histogram, interpolated between
 * neighbouring ranks like PostgreSQL's `percentile_cont`; null when empty.
 *
 * @example histogramPercentile({ z: 1, o: 700, c: [1] }, 0.5) // about 0.505
 */
export function histogramPercentile(histogram: Histogram, fraction: number): number | null {
  const total = histogram.z + histogram.c.reduce((sum, n) => sum + n, 0);
  if (total === 0) return null;
  const position = fraction * (total - 1);
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const valueAtRank = (rank: number): number => {
    if (rank < histogram.z) return 0;
    let seen = histogram.z;
    for (let i = 0; i < histogram.c.length; i += 1) {
      seen += histogram.c[i];
      if (rank < seen) return bucketValue(histogram.o + i);
    }
    return bucketValue(histogram.o + histogram.c.length - 1);
  };
  const low = valueAtRank(lower);
  if (upper === lower) return low;
  return low + (valueAtRank(upper) - low) * (position - lower);
}

/** Adds `source` into `target`. */
export function mergeTally(target: Tally, source: Tally): void {
  target.received += source.received;
  target.resolved += source.resolved;
  target.inScope += source.inScope;
  target.verificationMet += source.verificationMet;
  target.verificationDecided += source.verificationDecided;
  target.followUpMet += source.followUpMet;
  target.followUpDecided += source.followUpDecided;
  target.resolutionMet += source.resolutionMet;
  target.resolutionDecided += source.resolutionDecided;
  target.answeredWithin1WorkingDay += source.answeredWithin1WorkingDay;
  for (let i = 0; i < 5; i += 1) target.ratings[i] += source.ratings[i];
  target.reopened += source.reopened;
  target.reopenBase += source.reopenBase;
  for (const name of HISTOGRAMS) mergeHistogram(target.histograms[name], source.histograms[name]);
}

function share(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

/**
 * Computes the indicators of a tally, with the same codes and definitions as the live
 * computation in indicators.ts (unrounded).
 */
export function tallyIndicators(tally: Tally): Record<string, number | null> {
  const rated = tally.ratings.reduce((sum, n) => sum + n, 0);
  const ratingSum = tally.ratings.reduce((sum, n, index) => sum + n * (index + 1), 0);
  const h = tally.histograms;
  return {
    received: tally.received,
    resolved: tally.resolved,
    resolved_share: share(tally.resolved, tally.inScope),
    resolved_within_sla_share: share(tally.resolutionMet, tally.resolutionDecided),
    verified_on_time_share: share(tally.verificationMet, tally.verificationDecided),
    first_followup_on_time_share: share(tally.followUpMet, tally.followUpDecided),
    answered_within_1_working_day_share: share(tally.answeredWithin1WorkingDay, tally.inScope),
    median_response_days: histogramPercentile(h.response_days, 0.5),
    p90_response_days: histogramPercentile(h.response_days, 0.9),
    median_response_working_hours: histogramPercentile(h.response_working_hours, 0.5),
    p90_response_working_hours: histogramPercentile(h.response_working_hours, 0.9),
    median_resolution_days: histogramPercentile(h.resolution_days, 0.5),
    p90_resolution_days: histogramPercentile(h.resolution_days, 0.9),
    median_resolution_working_hours: histogramPercentile(h.resolution_working_hours, 0.5),
    rating_average: rated === 0 ? null : ratingSum / rated,
    rating_satisfied_share: share(tally.ratings[3] + tally.ratings[4], rated),
    reopen_rate: share(tally.reopened, tally.reopenBase),
  };
}

/** One complaint as the rollup reads it. */
interface FactRow {
  day: string;
  agency: string;
  category: string;
  channel: string;
  district: string;
  type: string;
  status: string;
  response_working_days: number | null;
  response_working_hours: number | null;
  resolution_working_hours: number | null;
  response_days: number | null;
  resolution_days: number | null;
  has_resolved_at: boolean;
  rating: number | null;
  verification: 'met' | 'missed' | null;
  follow_up: 'met' | 'missed' | null;
  resolution: 'met' | 'missed' | null;
  reopened: boolean;
}

function addFact(tally: Tally, fact: FactRow): void {
  tally.received += 1;
  if (fact.status === 'resolved' || fact.status === 'closed') tally.resolved += 1;
  if (fact.status !== 'out_of_scope') tally.inScope += 1;
  if (fact.verification) {
    tally.verificationDecided += 1;
    if (fact.verification === 'met') tally.verificationMet += 1;
  }
  if (fact.follow_up) {
    tally.followUpDecided += 1;
    if (fact.follow_up === 'met') tally.followUpMet += 1;
  }
  if (fact.resolution) {
    tally.resolutionDecided += 1;
    if (fact.resolution === 'met') tally.resolutionMet += 1;
  }
  if (fact.response_working_days !== null && Number(fact.response_working_days) <= 1) tally.answeredWithin1WorkingDay += 1;
  if (fact.rating !== null && fact.rating >= 1 && fact.rating <= 5) tally.ratings[Number(fact.rating) - 1] += 1;
  if (fact.reopened) tally.reopened += 1;
  if (fact.has_resolved_at || fact.reopened) tally.reopenBase += 1;
  addToHistogram(tally.histograms.response_days, numberOrNull(fact.response_days));
  addToHistogram(tally.histograms.response_working_hours, numberOrNull(fact.response_working_hours));
  addToHistogram(tally.histograms.resolution_days, numberOrNull(fact.resolution_days));
  addToHistogram(tally.histograms.resolution_working_hours, numberOrNull(fact.resolution_working_hours));
}

function numberOrNull(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const number = Number(value);
  return Number.isFinite(number) ? number : null;
}

/** Returns the `YYYY-MM` of the month after `month`. */
export function nextMonth(month: string): string {
  const year = Number(month.slice(0, 4));
  const index = Number(month.slice(5, 7));
  return index === 12 ? `${year + 1}-01` : `${year}-${String(index + 1).padStart(2, '0')}`;
}

/** Lists every `YYYY-MM` from `first` to `last`, both included. */
export function monthRange(first: string, last: string): string[] {
  const months: string[] = [];
  for (let month = first; month <= last; month = nextMonth(month)) months.push(month);
  return months;
}

/** Returns the last WIB date of a `YYYY-MM` month. */
export function lastDayOfMonth(month: string): string {
  return addCalendarDays(`${nextMonth(month)}-01`, -1);
}

/**
 * Reads one month's complaints, with their clocks and reopening read through
 * the same joins as the live computation (`clockAndReopenJoins`). `now` is
 * the refresh time.
 */
async function readFacts(db: Kysely<DB>, month: string, now: Date): Promise<FactRow[]> {
  const start = startOfWibDay(`${month}-01`);
  const end = startOfWibDay(`${nextMonth(month)}-01`);
  const result = await sql<FactRow>`
    SELECT to_char(timezone(${TIME_ZONE}, c.received_at), 'YYYY-MM-DD') AS day,
      coalesce(a.code, '-') AS agency, coalesce(cat.code, '-') AS category, c.channel,
      coalesce(c.district_code, '-') AS district, coalesce(c.type, '-') AS type, c.status,
      c.first_response_working_days AS response_working_days,
      c.first_response_working_hours AS response_working_hours,
      c.resolution_working_hours,
      CASE WHEN c.first_response_at >= c.received_at THEN extract(epoch FROM c.first_response_at - c.received_at)::float8 / 86400 END AS response_days,
      CASE WHEN c.resolved_at >= c.received_at THEN extract(epoch FROM c.resolved_at - c.received_at)::float8 / 86400 END AS resolution_days,
      c.resolved_at IS NOT NULL AS has_resolved_at,
      c.rating,
      k.verification, k.follow_up, k.resolution,
      reopened.complaint_id IS NOT NULL AS reopened
    FROM complaints c
    LEFT JOIN agencies a ON a.id = c.agency_id
    LEFT JOIN categories cat ON cat.id = c.category_id
    ${clockAndReopenJoins(now, start)}
    WHERE c.received_at >= ${start} AND c.received_at < ${end} AND c.status <> 'archived'
  `.execute(db);
  return result.rows;
}

function sliceKey(slice: string, values: Record<RollupDimension, string>): string {
  const dims = slice === '' ? [] : slice.split('+');
  return [slice, ...ROLLUP_DIMENSIONS.map((dim) => (dims.includes(dim) ? values[dim] : ''))].join('\u0001');
}

/**
 * Rolls up one WIB month (`YYYY-MM`): replaces its stored rows in one
 * transaction. Returns the number of complaints read.
 */
export async function rollUpMonth(db: Kysely<DB>, month: string, now = new Date()): Promise<number> {
  const facts = await readFacts(db, month, now);
  const tallies = new Map<string, { slice: string; values: Record<RollupDimension, string>; tally: Tally }>();
  const daily = new Map<string, number>();
  for (const fact of facts) {
    const values: Record<RollupDimension, string> = {
      agency: fact.agency, category: fact.category, channel: fact.channel, district: fact.district, type: fact.type,
    };
    for (const slice of ROLLUP_SLICES) {
      const key = sliceKey(slice, values);
      let entry = tallies.get(key);
      if (!entry) {
        const dims = slice === '' ? [] : slice.split('+');
        const stored = Object.fromEntries(ROLLUP_DIMENSIONS.map((dim) => [dim, dims.includes(dim) ? values[dim] : ''])) as Record<RollupDimension, string>;
        entry = { slice, values: stored, tally: emptyTally() };
        tallies.set(key, entry);
      }
      addFact(entry.tally, fact);
    }
    // Per agency, and for all agencies together under '' so the regency's chart reads few rows.
    for (const agency of [fact.agency, '']) {
      const dayKey = `${fact.day}\u0001${agency}\u0001${fact.channel}`;
      daily.set(dayKey, (daily.get(dayKey) ?? 0) + 1);
    }
  }

  const entries = [...tallies.values()];
  const monthStart = `${month}-01`;
  const monthEnd = lastDayOfMonth(month);
  await db.transaction().execute(async (trx) => {
    await sql`DELETE FROM indicator_rollup WHERE month = ${monthStart}::date`.execute(trx);
    await sql`DELETE FROM indicator_rollup_daily WHERE day BETWEEN ${monthStart}::date AND ${monthEnd}::date`.execute(trx);
    // Multi-row inserts from arrays: one statement per 2,000 rows.
    for (let i = 0; i < entries.length; i += 2000) {
      const chunk = entries.slice(i, i + 2000);
      await sql`
        INSERT INTO indicator_rollup (month, dims, agency, category, channel, district, type, figures)
        SELECT ${monthStart}::date, s, ag, ca, ch, di, ty, f::jsonb
        FROM unnest(${chunk.map((e) => e.slice)}::text[], ${chunk.map((e) => e.values.agency)}::text[],
          ${chunk.map((e) => e.values.category)}::text[], ${chunk.map((e) => e.values.channel)}::text[],
          ${chunk.map((e) => e.values.district)}::text[], ${chunk.map((e) => e.values.type)}::text[],
          ${chunk.map((e) => JSON.stringify(e.tally))}::text[]) AS t(s, ag, ca, ch, di, ty, f)
      `.execute(trx);
    }
    const days = [...daily.entries()].map(([key, n]) => [...key.split('\u0001'), n] as [string, string, string, number]);
    for (let i = 0; i < days.length; i += 5000) {
      const chunk = days.slice(i, i + 5000);
      await sql`
        INSERT INTO indicator_rollup_daily (day, agency, channel, received)
        SELECT d::date, ag, ch, n FROM unnest(${chunk.map((r) => r[0])}::text[], ${chunk.map((r) => r[1])}::text[],
          ${chunk.map((r) => r[2])}::text[], ${chunk.map((r) => r[3])}::int[]) AS t(d, ag, ch, n)
      `.execute(trx);
    }
    await sql`
      INSERT INTO indicator_rollup_months (month, refreshed_at) VALUES (${monthStart}::date, ${now})
      ON CONFLICT (month) DO UPDATE SET refreshed_at = excluded.refreshed_at
    `.execute(trx);
    await sql`DELETE FROM indicator_rollup_dirty WHERE month = ${monthStart}::date`.execute(trx);
  });
  return facts.length;
}

/**
 * Marks months to roll up again on the next refresh: for changes that alter
 * past figures without writing an event, such as deadlines recomputed after
 * a holiday was added. `fromMonth` marks that month and every later one up
 * to the current month.
 *
 * @example await markRollupMonthsDirty(db, '2026-03')
 */
export async function markRollupMonthsDirty(db: Kysely<DB>, fromMonth: string, now = new Date()): Promise<void> {
  const current = wibDate(now).slice(0, 7);
  const months = monthRange(fromMonth, current > fromMonth ? current : fromMonth);
  await sql`
    INSERT INTO indicator_rollup_dirty (month)
    SELECT m::date FROM unnest(${months.map((m) => `${m}-01`)}::text[]) AS t(m)
    ON CONFLICT (month) DO NOTHING
  `.execute(db);
}

/**
 * Marks the WIB months in which the given complaints were received, for
 * changes to their clocks or metrics that write no event (deadlines
 * recomputed after a calendar or category change). Runs in the caller's
 * transaction.
 */
export async function markRollupMonthsOfComplaints(db: Kysely<DB>, complaintIds: readonly number[]): Promise<void> {
  if (complaintIds.length === 0) return;
  await sql`
    INSERT INTO indicator_rollup_dirty (month)
    SELECT DISTINCT date_trunc('month', timezone(${TIME_ZONE}, received_at))::date FROM complaints WHERE id = ANY(${[...complaintIds]}::bigint[])
    ON CONFLICT (month) DO NOTHING
  `.execute(db);
}

export interface RefreshResult {
  months: string[];
  complaints: number;
  lastEventId: number;
}

/**
 * Rolls up every month that changed since the last refresh (see the module
 * comment). Safe to run at any time; the background job runs it every
 * minute, one run at a time.
 */
export async function refreshIndicatorRollup(db: Kysely<DB>, now = new Date()): Promise<RefreshResult> {
  const state = await sql<{ last_event_id: string; missing_ids: string[] | string }>`
    SELECT last_event_id, missing_ids FROM indicator_rollup_state WHERE id = 1
  `.execute(db);
  const maxRow = await sql<{ max: string | null }>`SELECT max(id) AS max FROM complaint_events`.execute(db);
  const maxId = Number(maxRow.rows[0]?.max ?? 0);
  const dirty = new Set<string>();
  let lastId = 0;
  let missing: number[] = [];

  if (state.rows.length === 0) {
    // First run: every month from the oldest complaint to now.
    const range = await sql<{ first: string | null; last: string | null }>`
      SELECT to_char(timezone(${TIME_ZONE}, min(received_at)), 'YYYY-MM') AS first,
        to_char(timezone(${TIME_ZONE}, max(received_at)), 'YYYY-MM') AS last
      FROM complaints
    `.execute(db);
    const first = range.rows[0]?.first;
    const last = range.rows[0]?.last;
    const current = wibDate(now).slice(0, 7);
    if (first && last) for (const month of monthRange(first, last > current ? last : current)) dirty.add(month);
  } else {
    lastId = Number(state.rows[0].last_event_id);
    missing = parseIdArray(state.rows[0].missing_ids);
    // Events after the last id seen, and those ids that were missing last time and have appeared since.
    const changed = await sql<{ month: string }>`
      SELECT DISTINCT to_char(timezone(${TIME_ZONE}, c.received_at), 'YYYY-MM') AS month
      FROM complaint_events e JOIN complaints c ON c.id = e.complaint_id
      WHERE (e.id > ${lastId} AND e.id <= ${maxId}) OR e.id = ANY(${missing}::bigint[])
    `.execute(db);
    for (const row of changed.rows) dirty.add(row.month);
  }
  // Ids below the newest one that do not exist yet: their transactions may still commit.
  const gaps = await sql<{ id: string }>`
    SELECT g.id FROM (
      SELECT unnest(${missing}::bigint[]) AS id
      UNION ALL
      SELECT generate_series(${Math.max(lastId, maxId - MISSING_ID_WINDOW) + 1}::bigint, ${maxId}::bigint)
    ) g
    WHERE g.id > ${maxId - MISSING_ID_WINDOW} AND NOT EXISTS (SELECT 1 FROM complaint_events e WHERE e.id = g.id)
  `.execute(db);
  const stillMissing = gaps.rows.map((row) => Number(row.id));
  const marked = await sql<{ month: string }>`SELECT to_char(month, 'YYYY-MM') AS month FROM indicator_rollup_dirty`.execute(db);
  for (const row of marked.rows) dirty.add(row.month);

  const months = [...dirty].sort();
  let complaints = 0;
  for (const month of months) complaints += await rollUpMonth(db, month, now);
  await takeNowSnapshot(db, now);
  await sql`
    INSERT INTO indicator_rollup_state (id, last_event_id, missing_ids, refreshed_at) VALUES (1, ${maxId}, ${stillMissing}::bigint[], ${now})
    ON CONFLICT (id) DO UPDATE SET last_event_id = excluded.last_event_id, missing_ids = excluded.missing_ids, refreshed_at = excluded.refreshed_at
  `.execute(db);
  if (months.length > 0) logger.debug({ months: months.length, complaints }, 'indicator rollup refreshed');
  return { months, complaints, lastEventId: maxId };
}

export interface RollupQuery {
  from: string;
  to: string;
  /** Filters, by dimension; absent means all. */
  filters: Partial<Record<RollupDimension, string>>;
  /** Group rows by a dimension, by month, or not at all. */
  groupBy?: RollupDimension | 'month';
}

export interface RollupAnswer {
  /** Tallies per group (`all` when not grouped), in group order. */
  groups: Map<string, Tally>;
  /** The last refresh: the figures are current as of then. */
  asOf: Date;
  received: number;
}

/**
 * Months of a period when it is made of whole WIB months. The last month may
 * end today or later: no report can have been received after today. Returns
 * null for any other period.
 */
export function wholeMonthsOf(from: string, to: string, now: Date): string[] | null {
  if (from.slice(8) !== '01') return null;
  const lastMonth = to.slice(0, 7);
  if (to !== lastDayOfMonth(lastMonth) && to < wibDate(now)) return null;
  return monthRange(from.slice(0, 7), lastMonth);
}

/**
 * Computes a query's tallies from the rollup, or returns null when it cannot (see the
 * module comment). `minReceived` defaults to ROLLUP_MIN_RECEIVED; 0 forces
 * the rollup whenever the period is covered.
 */
export async function readRollup(db: Kysely<DB>, query: RollupQuery, now = new Date(), minReceived = ROLLUP_MIN_RECEIVED): Promise<RollupAnswer | null> {
  // '-' stands for "none" in stored rows; a filter of '-' (an officer without an agency) must match nothing, so go live.
  if (Object.values(query.filters).some((value) => value === '-')) return null;
  const dims = new Set(Object.entries(query.filters).filter(([, value]) => value !== undefined).map(([dim]) => dim));
  if (query.groupBy && query.groupBy !== 'month') dims.add(query.groupBy);
  const slice = ROLLUP_DIMENSIONS.filter((dim) => dims.has(dim)).join('+');
  if (!ROLLUP_SLICES.includes(slice)) return null;
  const months = wholeMonthsOf(query.from, query.to, now);
  if (!months) return null;

  // Once the first refresh has run, every month that has reports has been rolled up: a new
  // report or event marks its month for the next refresh. So a month without stored rows
  // had no reports at the last refresh, and the period is covered.
  const state = await sql<{ refreshed_at: Date }>`SELECT refreshed_at FROM indicator_rollup_state WHERE id = 1`.execute(db);
  if (state.rows.length === 0) return null;
  const asOf = new Date(state.rows[0].refreshed_at);
  const needed = months;

  const conditions = [
    sql`dims = ${slice}`,
    sql`month BETWEEN ${`${needed[0]}-01`}::date AND ${`${needed[needed.length - 1]}-01`}::date`,
  ];
  for (const dim of ROLLUP_DIMENSIONS) {
    const value = query.filters[dim];
    if (value !== undefined) conditions.push(sql`${sql.ref(dim)} = ${value}`);
  }
  if (minReceived > 0) {
    // Below the threshold the caller computes live, so only the count is read, not the histograms.
    const counted = await sql<{ n: string | null }>`
      SELECT sum((figures->>'received')::int) AS n FROM indicator_rollup WHERE ${sql.join(conditions, sql` AND `)}
    `.execute(db);
    if (Number(counted.rows[0]?.n ?? 0) < minReceived) return null;
  }
  const rows = await sql<{ month: string; agency: string; category: string; channel: string; district: string; type: string; figures: Tally | string }>`
    SELECT to_char(month, 'YYYY-MM') AS month, agency, category, channel, district, type, figures
    FROM indicator_rollup WHERE ${sql.join(conditions, sql` AND `)}
  `.execute(db);

  const groups = new Map<string, Tally>();
  let received = 0;
  for (const row of rows.rows) {
    const tally = (typeof row.figures === 'string' ? JSON.parse(row.figures) : row.figures) as Tally;
    let group = 'all';
    if (query.groupBy === 'month') group = row.month;
    else if (query.groupBy) group = row[query.groupBy];
    let target = groups.get(group);
    if (!target) {
      target = emptyTally();
      groups.set(group, target);
    }
    mergeTally(target, tally);
    received += tally.received;
  }
  if (received < minReceived) return null;
  // Code-point order, the same on every machine, unlike localeCompare.
  const sorted = [...groups.entries()].sort(([a], [b]) => {
    if (a === b) return 0;
    return a < b ? -1 : 1;
  });
  return { groups: new Map(sorted), asOf, received };
}

/**
 * Reports per WIB week (Monday to Sunday) and channel from the daily rollup,
 * for one agency or, with none, all of them. Call it only for a period that
 * `readRollup` accepted, because it does not check that the months were rolled up.
 */
export async function readWeeklyRollup(
  db: Kysely<DB>, period: { from: string; to: string; agency?: string },
): Promise<{ week: string; channel: string; count: number }[]> {
  const result = await sql<{ week: string; channel: string; n: number }>`
    SELECT to_char(date_trunc('week', day::timestamp), 'YYYY-MM-DD') AS week, channel, sum(received)::int AS n
    FROM indicator_rollup_daily
    WHERE day BETWEEN ${period.from}::date AND ${period.to}::date
      AND agency = ${period.agency ?? ''}
    GROUP BY 1, 2
    ORDER BY 1, 2
  `.execute(db);
  return result.rows.map((row) => ({ week: row.week, channel: row.channel, count: Number(row.n) }));
}

/** Open reports by age and overdue reports by agency, as of a refresh. */
export interface NowSnapshot {
  takenAt: Date;
  /** Open reports per agency code ('-' for none) and age bucket. */
  backlog: Record<string, Record<string, number>>;
  overdue: { agency: string | null; name: string | null; overdue: number }[];
}

async function takeNowSnapshot(db: Kysely<DB>, now: Date): Promise<void> {
  const [backlog, overdue] = await Promise.all([backlogByAgencyAndAge(db, now), overdueByAgency(db, now)]);
  const byAgency: Record<string, Record<string, number>> = {};
  for (const row of backlog) (byAgency[row.agency] ??= {})[row.bucket] = row.count;
  const figures = JSON.stringify({ backlog: byAgency, overdue });
  await sql`
    INSERT INTO indicator_rollup_now (id, taken_at, figures) VALUES (1, ${now}, ${figures}::jsonb)
    ON CONFLICT (id) DO UPDATE SET taken_at = excluded.taken_at, figures = excluded.figures
  `.execute(db);
}

/** Reads the last snapshot of the open reports, or null before the first refresh. */
export async function readNowSnapshot(db: Kysely<DB>): Promise<NowSnapshot | null> {
  const result = await sql<{ taken_at: Date; figures: Omit<NowSnapshot, 'takenAt'> | string }>`
    SELECT taken_at, figures FROM indicator_rollup_now WHERE id = 1
  `.execute(db);
  const row = result.rows[0];
  if (!row) return null;
  const figures = typeof row.figures === 'string' ? JSON.parse(row.figures) : row.figures;
  return { takenAt: new Date(row.taken_at), ...figures };
}

/** Counts open reports by age from a snapshot, for one agency or all, in the order of AGE_BUCKETS. */
export function snapshotBacklog(snapshot: NowSnapshot, agency?: string): { bucket: string; count: number }[] {
  return AGE_BUCKETS.map((bucket) => ({
    bucket: bucket.code,
    count: Object.entries(snapshot.backlog)
      .filter(([code]) => agency === undefined || code === agency)
      .reduce((sum, [, counts]) => sum + (counts[bucket.code] ?? 0), 0),
  }));
}

/** The source of every figure of one page (dashboard or recap), so that its figures agree. */
export interface FigureSource {
  /** The rollup's tallies of the whole period, or null when the page is computed live. */
  rollup: RollupAnswer | null;
  /** Open and overdue reports as of the rollup's refresh; null when live. */
  snapshot: NowSnapshot | null;
  /** Options for `computeIndicators`: slices too small for the rollup on their own still use it. */
  indicatorOptions: { source: 'rollup' | 'live' };
}

/**
 * Decides whether a page of figures for one period (and agency) is read from
 * the rollup, and reads the snapshot of open reports when it is.
 *
 * @example const source = await chooseFigureSource(db, { from: '2026-01-01', to: '2026-06-30' })
 */
export async function chooseFigureSource(
  db: Kysely<DB>, period: { from: string; to: string; agency?: string }, now = new Date(), minReceived?: number,
): Promise<FigureSource> {
  const rollup = await readRollup(db, { from: period.from, to: period.to, filters: { agency: period.agency } }, now, minReceived);
  const snapshot = rollup ? await readNowSnapshot(db) : null;
  return { rollup, snapshot, indicatorOptions: { source: rollup ? 'rollup' : 'live' } };
}
