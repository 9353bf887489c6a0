/**
 * Performance indicators of complaint handling, computed in SQL from the
 * complaints, their SLA clocks and their event log, identically on
 * PostgreSQL and PGlite.
 *
 * How the product counts:
 * - A complaint belongs to the period, and to the month, of its received-at
 *   date in WIB (Asia/Jakarta). Periods are whole WIB days, `from` and `to`
 *   included.
 * - Archived reports (spam, not a report, merged duplicates) are noise and
 *   count nowhere. Reports forwarded as outside the regency's authority count
 *   as received but not in the resolution shares.
 * - "Answered" is the first response visible to the citizen: a visible
 *   follow-up, a direct answer or a final answer.
 * - Working days follow the SLA convention: the day of receipt does not
 *   count, so an answer on the next working day took 1 working day and an
 *   answer on the same day took 0. Working hours count office hours only
 *   (Monday–Thursday 07:30–16:00, Friday 07:30–16:30 WIB, minus holidays).
 * - Calendar days are (answered-at − received-at) / 24 h, fractional.
 *   Answers dated before receipt (bad source data) are left out of every time
 *   figure instead of counting as negative times.
 * - Shares are fractions from 0 to 1; null when nothing was eligible.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../db/schema.ts';
import { endOfWibDay, isValidDate, startOfWibDay } from '../domain/time.ts';
import type { Channel, ComplaintType } from '../domain/types.ts';
import { readRollup, tallyIndicators, type RollupDimension } from './indicator-rollup.ts';

export const TIME_ZONE = 'Asia/Jakarta';

export type GroupBy = 'month' | 'agency' | 'category' | 'channel' | 'district' | 'type';
export const GROUP_BYS: readonly GroupBy[] = ['month', 'agency', 'category', 'channel', 'district', 'type'];

export interface IndicatorFilters {
  from: string;
  to: string;
  agency?: string;
  category?: string;
  channel?: Channel;
  district?: string;
  type?: ComplaintType;
  groupBy?: GroupBy;
}

export interface IndicatorDefinition {
  code: string;
  unit: 'count' | 'share' | 'days' | 'working_hours' | 'rating';
  /** Indonesian and English definitions, shown next to the figure. */
  definition: { id: string; en: string };
}

/** Every indicator the API returns, with its definition. */
export const INDICATORS: readonly IndicatorDefinition[] = [
  { code: 'received', unit: 'count', definition: { id: 'Laporan diterima dalam periode (tanpa spam, bukan laporan, dan duplikat yang digabung).', en: 'Reports received in the period (without spam, non-reports and merged duplicates).' } },
  { code: 'resolved', unit: 'count', definition: { id: 'Laporan periode ini yang sudah selesai atau ditutup.', en: 'Reports of the period that are resolved or closed.' } },
  { code: 'resolved_share', unit: 'share', definition: { id: 'Persentase penyelesaian: selesai dibagi diterima, tanpa laporan bukan wewenang.', en: 'Resolved divided by received, leaving out reports outside the regency\'s authority.' } },
  { code: 'resolved_within_sla_share', unit: 'share', definition: { id: 'Bagian laporan yang selesai sebelum tenggat penyelesaian, dari yang tenggatnya sudah lewat atau sudah selesai.', en: 'Share resolved before the resolution deadline, among reports whose deadline passed or that were resolved.' } },
  { code: 'verified_on_time_share', unit: 'share', definition: { id: 'Bagian laporan yang diverifikasi dan didisposisikan (atau dijawab) dalam tenggat verifikasi.', en: 'Share verified and dispatched (or answered) within the verification deadline.' } },
  { code: 'first_followup_on_time_share', unit: 'share', definition: { id: 'Bagian laporan terdisposisi yang mendapat tindak lanjut pertama dalam tenggatnya.', en: 'Share of dispatched reports with a first follow-up within its deadline.' } },
  { code: 'answered_within_1_working_day_share', unit: 'share', definition: { id: 'Bagian laporan yang mendapat tanggapan pertama paling lambat pada hari kerja berikutnya setelah diterima.', en: 'Share of reports with a first response by the end of the next working day after receipt.' } },
  { code: 'median_response_days', unit: 'days', definition: { id: 'Median waktu dari diterima sampai tanggapan pertama, dalam hari kalender (pecahan).', en: 'Median time from receipt to the first response, in calendar days (fractional).' } },
  { code: 'p90_response_days', unit: 'days', definition: { id: 'Persentil ke-90 waktu tanggapan pertama, dalam hari kalender.', en: '90th percentile of the time to the first response, in calendar days.' } },
  { code: 'median_response_working_hours', unit: 'working_hours', definition: { id: 'Median waktu tanggapan pertama dalam jam kerja.', en: 'Median time to the first response, in working hours.' } },
  { code: 'p90_response_working_hours', unit: 'working_hours', definition: { id: 'Persentil ke-90 waktu tanggapan pertama dalam jam kerja.', en: '90th percentile of the time to the first response, in working hours.' } },
  { code: 'median_resolution_days', unit: 'days', definition: { id: 'Median waktu dari diterima sampai tanggapan akhir, dalam hari kalender.', en: 'Median time from receipt to the final answer, in calendar days.' } },
  { code: 'p90_resolution_days', unit: 'days', definition: { id: 'Persentil ke-90 waktu penyelesaian, dalam hari kalender.', en: '90th percentile of the time to the final answer, in calendar days.' } },
  { code: 'median_resolution_working_hours', unit: 'working_hours', definition: { id: 'Median waktu penyelesaian dalam jam kerja.', en: 'Median time to the final answer, in working hours.' } },
  { code: 'rating_average', unit: 'rating', definition: { id: 'Rata-rata penilaian kepuasan warga (1–5).', en: 'Average citizen satisfaction rating (1–5).' } },
  { code: 'rating_satisfied_share', unit: 'share', definition: { id: 'Bagian penilaian yang bernilai 4 atau 5.', en: 'Share of ratings of 4 or 5.' } },
  { code: 'reopen_rate', unit: 'share', definition: { id: 'Bagian laporan yang pernah dijawab lalu dibuka kembali.', en: 'Share of answered reports that were reopened.' } },
];

export class IndicatorQueryError extends Error {
  /** `key` and `params` name the message in the user's language; `message` is for logs. */
  constructor(readonly field: string, message: string, readonly key: string, readonly params: Record<string, string | number> = {}) {
    super(message);
    this.name = 'IndicatorQueryError';
  }
}

function groupExpression(groupBy: GroupBy | undefined): RawBuilder<string> {
  switch (groupBy) {
    case 'month':
      return sql<string>`to_char(timezone(${TIME_ZONE}, c.received_at), 'YYYY-MM')`;
    case 'agency':
      return sql<string>`coalesce(a.code, '-')`;
    case 'category':
      return sql<string>`coalesce(cat.code, '-')`;
    case 'channel':
      return sql<string>`c.channel`;
    case 'district':
      return sql<string>`coalesce(c.district_code, '-')`;
    case 'type':
      return sql<string>`coalesce(c.type, '-')`;
    default:
      return sql<string>`'all'`;
  }
}

export interface IndicatorResult {
  period: { from: string; to: string; timeZone: string };
  groupBy: GroupBy | null;
  rows: { group: string; indicators: Record<string, number | null> }[];
  /**
   * `live` when computed from the complaints now; `rollup` when read from the
   * monthly rollup (indicator-rollup.ts), whose figures are as of `asOf`.
   */
  source: 'live' | 'rollup';
  asOf: string;
}

export interface IndicatorOptions {
  /** `auto` (default) reads the rollup when it can; `live` never does; `rollup` uses it whenever the period is covered, whatever its size. */
  source?: 'auto' | 'live' | 'rollup';
}

function round(value: unknown, digits = 4): number | null {
  if (value === null || value === undefined) return null;
  const number = Number(value);
  if (!Number.isFinite(number)) return null;
  const factor = 10 ** digits;
  return Math.round(number * factor) / factor;
}

/** Periods must lie within these years; a report outside them is a typing error. */
export const INDICATOR_YEARS = { first: 1900, last: 2999 } as const;

export function validateIndicatorFilters(filters: IndicatorFilters): void {
  for (const field of ['from', 'to'] as const) {
    const value = filters[field];
    if (!isValidDate(value)) throw new IndicatorQueryError(field, `${field} must be a date YYYY-MM-DD`, 'error.indicator_date', { field });
    const year = Number(value.slice(0, 4));
    if (year < INDICATOR_YEARS.first || year > INDICATOR_YEARS.last) {
      throw new IndicatorQueryError(field, `${field} must be a date from ${INDICATOR_YEARS.first}-01-01 to ${INDICATOR_YEARS.last}-12-31; got ${value}`,
        'error.indicator_year', { field, first: INDICATOR_YEARS.first, last: INDICATOR_YEARS.last, value });
    }
  }
  if (filters.to < filters.from) throw new IndicatorQueryError('to', 'to must not be before from', 'error.indicator_order');
  if (filters.groupBy && !GROUP_BYS.includes(filters.groupBy)) {
    throw new IndicatorQueryError('groupBy', `groupBy must be one of ${GROUP_BYS.join(', ')}`, 'error.field_choice', { field: 'groupBy', values: GROUP_BYS.join(', ') });
  }
}

/**
 * Returns the joins that both the live computation and the rollup read each
 * complaint's clocks and reopening through, so both count alike:
 * - `k.verification`, `k.follow_up`, `k.resolution`: 'met', 'missed', or null
 *   while undecided. A clock is decided when it stopped, or when its deadline
 *   passed while it ran. A paused clock is undecided, because the end of the
 *   hold moves its deadline.
 * - `reopened.complaint_id`: not null when the complaint was ever reopened.
 * One LATERAL lookup per complaint pivots its three clocks through the
 * deadlines' primary key, so the cost follows the complaints selected rather
 * than the size of complaint_deadlines. `receivedFrom` bounds the reopened
 * events read, because a complaint is reopened only after it was received.
 */
export function clockAndReopenJoins(now: Date, receivedFrom: Date): RawBuilder<unknown> {
  const clockState = (clock: string) => sql`max(CASE WHEN d.clock = ${clock} THEN
      CASE WHEN d.status = 'met' THEN 'met'
           WHEN d.status = 'breached' OR (d.status = 'running' AND d.due_at < ${now}) THEN 'missed' END END)`;
  return sql`
    LEFT JOIN LATERAL (
      SELECT ${clockState('verification')} AS verification, ${clockState('first_follow_up')} AS follow_up,
        ${clockState('resolution')} AS resolution
      FROM complaint_deadlines d
      WHERE d.complaint_id = c.id AND d.clock IN ('verification', 'first_follow_up', 'resolution')
    ) k ON true
    LEFT JOIN (
      SELECT DISTINCT complaint_id FROM complaint_events WHERE type = 'reopened' AND at >= ${receivedFrom}
    ) reopened ON reopened.complaint_id = c.id`;
}

/**
 * Computes every indicator for the period, one row per group.
 *
 * Example: computeIndicators(db, { from: '2026-01-01', to: '2026-01-31', groupBy: 'agency' })
 */
export async function computeIndicators(
  db: Kysely<DB>, filters: IndicatorFilters, now = new Date(), options: IndicatorOptions = {},
): Promise<IndicatorResult> {
  validateIndicatorFilters(filters);
  if (options.source !== 'live') {
    const fromRollup = await computeFromRollup(db, filters, now, options.source === 'rollup' ? 0 : undefined);
    if (fromRollup) return fromRollup;
  }
  const group = groupExpression(filters.groupBy);
  const conditions = [
    sql`c.received_at >= ${startOfWibDay(filters.from)}`,
    sql`c.received_at <= ${endOfWibDay(filters.to)}`,
    sql`c.status <> 'archived'`,
  ];
  if (filters.agency) conditions.push(sql`a.code = ${filters.agency}`);
  if (filters.category) conditions.push(sql`cat.code = ${filters.category}`);
  if (filters.channel) conditions.push(sql`c.channel = ${filters.channel}`);
  if (filters.district) conditions.push(sql`c.district_code = ${filters.district}`);
  if (filters.type) conditions.push(sql`c.type = ${filters.type}`);
  const where = sql.join(conditions, sql` AND `);

  const result = await sql<Record<string, unknown>>`
    SELECT ${group} AS grp,
      count(*) AS received,
      count(*) FILTER (WHERE c.status IN ('resolved', 'closed')) AS resolved,
      count(*) FILTER (WHERE c.status IN ('resolved', 'closed'))::float8
        / nullif(count(*) FILTER (WHERE c.status <> 'out_of_scope'), 0) AS resolved_share,
      count(*) FILTER (WHERE k.resolution = 'met')::float8
        / nullif(count(k.resolution), 0) AS resolved_within_sla_share,
      count(*) FILTER (WHERE k.verification = 'met')::float8
        / nullif(count(k.verification), 0) AS verified_on_time_share,
      count(*) FILTER (WHERE k.follow_up = 'met')::float8
        / nullif(count(k.follow_up), 0) AS first_followup_on_time_share,
      count(*) FILTER (WHERE c.first_response_working_days <= 1)::float8
        / nullif(count(*) FILTER (WHERE c.status <> 'out_of_scope'), 0) AS answered_within_1_working_day_share,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM c.first_response_at - c.received_at) / 86400)
        FILTER (WHERE c.first_response_at >= c.received_at) AS median_response_days,
      percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM c.first_response_at - c.received_at) / 86400)
        FILTER (WHERE c.first_response_at >= c.received_at) AS p90_response_days,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY c.first_response_working_hours) AS median_response_working_hours,
      percentile_cont(0.9) WITHIN GROUP (ORDER BY c.first_response_working_hours) AS p90_response_working_hours,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM c.resolved_at - c.received_at) / 86400)
        FILTER (WHERE c.resolved_at >= c.received_at) AS median_resolution_days,
      percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM c.resolved_at - c.received_at) / 86400)
        FILTER (WHERE c.resolved_at >= c.received_at) AS p90_resolution_days,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY c.resolution_working_hours) AS median_resolution_working_hours,
      avg(c.rating) AS rating_average,
      count(*) FILTER (WHERE c.rating >= 4)::float8 / nullif(count(c.rating), 0) AS rating_satisfied_share,
      count(*) FILTER (WHERE reopened.complaint_id IS NOT NULL)::float8
        / nullif(count(*) FILTER (WHERE c.resolved_at IS NOT NULL OR reopened.complaint_id IS NOT NULL), 0) AS reopen_rate
    FROM complaints c
    LEFT JOIN agencies a ON a.id = c.agency_id
    LEFT JOIN categories cat ON cat.id = c.category_id
    ${clockAndReopenJoins(now, startOfWibDay(filters.from))}
    WHERE ${where}
    GROUP BY 1
    ORDER BY 1
  `.execute(db);

  return {
    period: { from: filters.from, to: filters.to, timeZone: TIME_ZONE },
    groupBy: filters.groupBy ?? null,
    rows: result.rows.map((row) => ({ group: String(row.grp), indicators: roundIndicators(row) })),
    source: 'live',
    asOf: now.toISOString(),
  };
}

function roundIndicators(values: Record<string, unknown>): Record<string, number | null> {
  const indicators: Record<string, number | null> = {};
  for (const definition of INDICATORS) {
    const value = values[definition.code];
    indicators[definition.code] = definition.unit === 'count' ? Number(value ?? 0) : round(value);
  }
  return indicators;
}

/** Computes the same result from the monthly rollup, or returns null when the rollup cannot serve the query (see indicator-rollup.ts). */
async function computeFromRollup(db: Kysely<DB>, filters: IndicatorFilters, now: Date, minReceived?: number): Promise<IndicatorResult | null> {
  const answer = await readRollup(db, {
    from: filters.from,
    to: filters.to,
    filters: { agency: filters.agency, category: filters.category, channel: filters.channel, district: filters.district, type: filters.type },
    groupBy: filters.groupBy as RollupDimension | 'month' | undefined,
  }, now, minReceived);
  if (!answer) return null;
  return {
    period: { from: filters.from, to: filters.to, timeZone: TIME_ZONE },
    groupBy: filters.groupBy ?? null,
    rows: [...answer.groups.entries()].map(([group, tally]) => ({ group, indicators: roundIndicators(tallyIndicators(tally)) })),
    source: 'rollup',
    asOf: answer.asOf.toISOString(),
  };
}

export const AGE_BUCKETS = [
  { code: '0-3', maxDays: 3 },
  { code: '4-7', maxDays: 7 },
  { code: '8-14', maxDays: 14 },
  { code: '15-30', maxDays: 30 },
  { code: '31+', maxDays: Number.POSITIVE_INFINITY },
] as const;

/** Open reports now, by age in calendar days since receipt. */
export async function backlogByAge(db: Kysely<DB>, now = new Date(), agency?: string) {
  const rows = await sql<{ bucket: string; n: number }>`
    SELECT CASE
        WHEN age <= 3 THEN '0-3' WHEN age <= 7 THEN '4-7' WHEN age <= 14 THEN '8-14' WHEN age <= 30 THEN '15-30' ELSE '31+'
      END AS bucket, count(*)::int AS n
    FROM (
      SELECT extract(epoch FROM ${now}::timestamptz - c.received_at) / 86400 AS age
      FROM complaints c LEFT JOIN agencies a ON a.id = c.agency_id
      WHERE c.status IN ('new', 'verified', 'dispatched', 'in_progress', 'on_hold')
        ${agency ? sql`AND a.code = ${agency}` : sql``}
    ) ages
    GROUP BY 1
  `.execute(db);
  const counts = new Map(rows.rows.map((row) => [row.bucket, Number(row.n)]));
  return AGE_BUCKETS.map((bucket) => ({ bucket: bucket.code, count: counts.get(bucket.code) ?? 0 }));
}

/** Open reports now by the agency holding them ('-' for none) and by age bucket. */
export async function backlogByAgencyAndAge(db: Kysely<DB>, now = new Date()): Promise<{ agency: string; bucket: string; count: number }[]> {
  const rows = await sql<{ agency: string; bucket: string; n: number }>`
    SELECT agency, CASE
        WHEN age <= 3 THEN '0-3' WHEN age <= 7 THEN '4-7' WHEN age <= 14 THEN '8-14' WHEN age <= 30 THEN '15-30' ELSE '31+'
      END AS bucket, count(*)::int AS n
    FROM (
      SELECT coalesce(a.code, '-') AS agency, extract(epoch FROM ${now}::timestamptz - c.received_at) / 86400 AS age
      FROM complaints c LEFT JOIN agencies a ON a.id = c.agency_id
      WHERE c.status IN ('new', 'verified', 'dispatched', 'in_progress', 'on_hold')
    ) ages
    GROUP BY 1, 2
  `.execute(db);
  return rows.rows.map((row) => ({ agency: row.agency, bucket: row.bucket, count: Number(row.n) }));
}

/** Open reports with a deadline already missed, by the agency holding them. */
export async function overdueByAgency(db: Kysely<DB>, now = new Date()) {
  // next_due_at is the earliest deadline still running or breached (migrations/0011), so one
  // range of its partial index finds every overdue report.
  const rows = await sql<{ code: string | null; name: string | null; n: number }>`
    SELECT a.code, a.name, count(*)::int AS n
    FROM complaints c
    LEFT JOIN agencies a ON a.id = c.agency_id
    WHERE c.status IN ('new', 'verified', 'dispatched', 'in_progress', 'on_hold') AND c.next_due_at < ${now}
    GROUP BY a.code, a.name
    ORDER BY 3 DESC
  `.execute(db);
  return rows.rows.map((row) => ({ agency: row.code, name: row.name, overdue: Number(row.n) }));
}
