/**
 * Read models behind the dashboards, the transparency page and the monthly
 * report that `reports/indicators.ts` does not already provide: counts per
 * WIB week and channel, the rating distribution, display names of codes, and
 * the public list of resolved reports.
 *
 * Counting follows the indicators: a report belongs to the WIB date of its
 * receipt, archived reports (spam, not a report, merged duplicates) count
 * nowhere, and a period is whole WIB days with both ends included.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Channel, StaffUser } from '../domain/types.ts';
import { endOfWibDay, startOfWibDay } from '../domain/time.ts';
import { isListedPublicly } from '../domain/privacy.ts';
import { getComplaintDetail } from './complaints.ts';
import { presentPublicComplaint, type PublicComplaint } from '../presenters/complaints.ts';

const TIME_ZONE = 'Asia/Jakarta';

/** Largest page of the public list of resolved reports. */
export const MAX_PUBLIC_PAGE_SIZE = 50;

export interface PeriodFilter {
  /** First WIB date, `YYYY-MM-DD`. */
  from: string;
  /** Last WIB date, included. */
  to: string;
  /** Agency code; limits every figure to reports held by that agency. */
  agency?: string;
}

function periodConditions(filter: PeriodFilter) {
  const conditions = [
    sql`c.received_at >= ${startOfWibDay(filter.from)}`,
    sql`c.received_at <= ${endOfWibDay(filter.to)}`,
    sql`c.status <> 'archived'`,
  ];
  if (filter.agency) conditions.push(sql`a.code = ${filter.agency}`);
  return sql.join(conditions, sql` AND `);
}

/**
 * Returns the agency code whose figures a user may see. An agency officer
 * always gets their own agency, whatever was requested. Everyone else gets
 * the requested code, or all agencies when none was requested.
 *
 * @example await dashboardAgencyFor(db, dpuprOfficer, 'dlh') // 'dpupr'
 */
export async function dashboardAgencyFor(db: Kysely<DB>, user: StaffUser, requested: string | undefined): Promise<string | undefined> {
  if (user.role !== 'agency_officer') return requested || undefined;
  const own = await db.selectFrom('agencies').select('code').where('id', '=', user.agencyId ?? -1).executeTakeFirst();
  // An agency officer without an agency gets no figures rather than every agency's.
  return own?.code ?? '-';
}

export interface WeekChannelCount {
  /** Monday that starts the WIB week, `YYYY-MM-DD`. */
  week: string;
  channel: Channel;
  count: number;
}

/**
 * Counts reports per WIB week (Monday to Sunday) and channel.
 *
 * @example await countByWeekAndChannel(db, { from: '2026-01-01', to: '2026-03-31' })
 */
export async function countByWeekAndChannel(db: Kysely<DB>, filter: PeriodFilter): Promise<WeekChannelCount[]> {
  const result = await sql<{ week: string; channel: Channel; n: number }>`
    SELECT to_char(date_trunc('week', timezone(${TIME_ZONE}, c.received_at)), 'YYYY-MM-DD') AS week, c.channel, count(*)::int AS n
    FROM complaints c LEFT JOIN agencies a ON a.id = c.agency_id
    WHERE ${periodConditions(filter)}
    GROUP BY 1, 2
    ORDER BY 1, 2
  `.execute(db);
  return result.rows.map((row) => ({ week: row.week, channel: row.channel, count: Number(row.n) }));
}

/** Counts the ratings 1–5 given to reports received in the period; every rating appears, with 0 when unused. */
export async function ratingDistribution(db: Kysely<DB>, filter: PeriodFilter): Promise<{ rating: number; count: number }[]> {
  const result = await sql<{ rating: number; n: number }>`
    SELECT c.rating, count(*)::int AS n
    FROM complaints c LEFT JOIN agencies a ON a.id = c.agency_id
    WHERE ${periodConditions(filter)} AND c.rating IS NOT NULL
    GROUP BY 1
  `.execute(db);
  const counts = new Map(result.rows.map((row) => [Number(row.rating), Number(row.n)]));
  return [1, 2, 3, 4, 5].map((rating) => ({ rating, count: counts.get(rating) ?? 0 }));
}

/** Open reports now whose running deadline has passed, for one agency or all. */
export async function countOverdue(db: Kysely<DB>, now: Date, agency?: string): Promise<number> {
  const result = await sql<{ n: number }>`
    SELECT count(*)::int AS n
    FROM complaints c
    LEFT JOIN agencies a ON a.id = c.agency_id
    WHERE c.status IN ('new', 'verified', 'dispatched', 'in_progress', 'on_hold') AND c.next_due_at < ${now}
      ${agency ? sql`AND a.code = ${agency}` : sql``}
  `.execute(db);
  return Number(result.rows[0]?.n ?? 0);
}

/** Buckets of the time to the first response in calendar days (fractional): lower bound included, upper bound excluded. */
export const CALENDAR_DAY_BUCKETS = [
  { code: '0-1', min: 0, max: 1 },
  { code: '1-2', min: 1, max: 2 },
  { code: '2-4', min: 2, max: 4 },
  { code: '4-8', min: 4, max: 8 },
  { code: '8-15', min: 8, max: 15 },
  { code: '15+', min: 15, max: Number.POSITIVE_INFINITY },
] as const;

/** Buckets of the time to the first response in working days (whole; the day of receipt does not count), both bounds included. */
export const WORKING_DAY_BUCKETS = [
  { code: '0', min: 0, max: 0 },
  { code: '1', min: 1, max: 1 },
  { code: '2-3', min: 2, max: 3 },
  { code: '4-7', min: 4, max: 7 },
  { code: '8-14', min: 8, max: 14 },
  { code: '15+', min: 15, max: Number.POSITIVE_INFINITY },
] as const;

export interface ResponseDistributionRow {
  /** Agency code, or '-' for reports not sent to any agency. */
  agency: string;
  /** WIB month of receipt, `YYYY-MM`. */
  month: string;
  received: number;
  /** Reports without a response visible to the citizen. */
  unanswered: number;
  /** Responses dated before receipt (bad source data): in no bucket, as in the indicators. */
  answeredBeforeReceipt: number;
  /** Counts per CALENDAR_DAY_BUCKETS entry, in order. */
  calendarDays: number[];
  /** Counts per WORKING_DAY_BUCKETS entry, in order. */
  workingDays: number[];
}

/**
 * Counts, per agency and WIB month of receipt, how long the first response
 * took, in calendar days and in working days.
 *
 * @example await responseTimeDistribution(db, { from: '2026-01-01', to: '2026-06-30' })
 */
export async function responseTimeDistribution(db: Kysely<DB>, filter: PeriodFilter): Promise<ResponseDistributionRow[]> {
  const days = sql`extract(epoch FROM c.first_response_at - c.received_at) / 86400`;
  const calendar = CALENDAR_DAY_BUCKETS.map((bucket, index) =>
    Number.isFinite(bucket.max)
      ? sql`count(*) FILTER (WHERE c.first_response_at >= c.received_at AND ${days} >= ${bucket.min} AND ${days} < ${bucket.max})::int AS ${sql.ref(`cal_${index}`)}`
      : sql`count(*) FILTER (WHERE c.first_response_at >= c.received_at AND ${days} >= ${bucket.min})::int AS ${sql.ref(`cal_${index}`)}`,
  );
  const working = WORKING_DAY_BUCKETS.map((bucket, index) =>
    Number.isFinite(bucket.max)
      ? sql`count(*) FILTER (WHERE c.first_response_working_days BETWEEN ${bucket.min} AND ${bucket.max})::int AS ${sql.ref(`wd_${index}`)}`
      : sql`count(*) FILTER (WHERE c.first_response_working_days >= ${bucket.min})::int AS ${sql.ref(`wd_${index}`)}`,
  );
  const result = await sql<Record<string, string | number>>`
    SELECT coalesce(a.code, '-') AS agency, to_char(timezone(${TIME_ZONE}, c.received_at), 'YYYY-MM') AS month,
      count(*)::int AS received,
      count(*) FILTER (WHERE c.first_response_at IS NULL)::int AS unanswered,
      count(*) FILTER (WHERE c.first_response_at < c.received_at)::int AS early,
      ${sql.join([...calendar, ...working], sql`, `)}
    FROM complaints c LEFT JOIN agencies a ON a.id = c.agency_id
    WHERE ${periodConditions(filter)}
    GROUP BY 1, 2
    ORDER BY 1, 2
  `.execute(db);
  return result.rows.map((row) => ({
    agency: String(row.agency),
    month: String(row.month),
    received: Number(row.received),
    unanswered: Number(row.unanswered),
    answeredBeforeReceipt: Number(row.early),
    calendarDays: CALENDAR_DAY_BUCKETS.map((_, index) => Number(row[`cal_${index}`])),
    workingDays: WORKING_DAY_BUCKETS.map((_, index) => Number(row[`wd_${index}`])),
  }));
}

export interface CodeNames {
  agencies: Map<string, string>;
  categories: Map<string, { name: string; nameEn: string | null }>;
  districts: Map<string, string>;
}

/** Display names of agency, category and kecamatan codes, inactive ones included (old reports still name them). */
export async function loadCodeNames(db: Kysely<DB>): Promise<CodeNames> {
  const [agencies, categories, districts] = await Promise.all([
    db.selectFrom('agencies').select(['code', 'name']).execute(),
    db.selectFrom('categories').select(['code', 'name', 'name_en']).execute(),
    db.selectFrom('districts').select(['code', 'name']).orderBy('code').execute(),
  ]);
  return {
    agencies: new Map(agencies.map((row) => [row.code, row.name])),
    categories: new Map(categories.map((row) => [row.code, { name: row.name, nameEn: row.name_en }])),
    districts: new Map(districts.map((row) => [row.code, row.name])),
  };
}

export interface PublicResolvedPage {
  rows: (PublicComplaint & { resolvedAt: string | null; answer: string | null })[];
  total: number;
  page: number;
  pageSize: number;
}

/**
 * Lists resolved reports that may be shown in public, most recently resolved
 * first, through the public presenter: no identity, free text masked.
 * Confidential reports and oversight reports (which are always confidential)
 * never appear.
 *
 * @example await listPublicResolved(db, { from: '2026-01-01', to: '2026-12-31', page: 1 })
 */
export async function listPublicResolved(
  db: Kysely<DB>,
  options: { from: string; to: string; page?: number; pageSize?: number },
): Promise<PublicResolvedPage> {
  const pageSize = Math.min(Math.max(options.pageSize ?? 20, 1), MAX_PUBLIC_PAGE_SIZE);
  const page = Math.max(options.page ?? 1, 1);
  const base = db
    .selectFrom('complaints')
    .where('status', 'in', ['resolved', 'closed'])
    .where('privacy', '<>', 'confidential')
    .where('oversight', '=', false)
    .where('resolved_at', '>=', startOfWibDay(options.from))
    .where('resolved_at', '<=', endOfWibDay(options.to));
  const [total, ids] = await Promise.all([
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    base
      .select(['id', 'resolved_at'])
      .orderBy('resolved_at', 'desc')
      .orderBy('id', 'desc')
      .limit(pageSize)
      .offset((page - 1) * pageSize)
      .execute(),
  ]);

  const rows: PublicResolvedPage['rows'] = [];
  for (const row of ids) {
    const detail = await getComplaintDetail(db, null, row.id);
    // Checked again on the loaded row, so a report made confidential meanwhile is not shown.
    if (!detail || !isListedPublicly(detail.complaint.privacy) || detail.complaint.oversight) continue;
    const presented = presentPublicComplaint(detail);
    const finalAnswer = [...presented.timeline].reverse().find((entry) => (entry.type === 'resolved' || entry.type === 'answered') && entry.body);
    rows.push({ ...presented, resolvedAt: row.resolved_at?.toISOString() ?? null, answer: finalAnswer?.body ?? null });
  }
  return { rows, total: Number(total.n), page, pageSize };
}
