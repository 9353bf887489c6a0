/**
 * The monthly recap (rekap bulanan) for the whole regency or for one agency:
 * its figures, its files (XLSX and PDF), and their storage.
 *
 * Files are generated in the background and kept in `monthly_reports`, so a
 * request never waits for a PDF. `requestMonthlyReport` records a pending
 * row and returns at once. `processPendingReports` runs every minute as a job
 * and starts in-process right after a request. It claims pending rows one at
 * a time with `FOR UPDATE SKIP LOCKED` and a claim time, so several processes
 * never build the same file. A failed attempt is retried up to
 * `MAX_ATTEMPTS` times; a missing Chromium fails a PDF at once with a message
 * that says what to install.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql, type Kysely } from 'kysely';
import type { DB, IndicatorComparison, IndicatorUnit, MonthlyReportFormat, MonthlyReportRow } from '../db/schema.ts';
import { CHANNELS, type Channel } from '../domain/types.ts';
import { wibDate } from '../domain/time.ts';
import { logger } from '../logger.ts';
import { backlogByAge, computeIndicators, overdueByAgency, TIME_ZONE } from './indicators.ts';
import { chooseFigureSource, snapshotBacklog } from './indicator-rollup.ts';
import { compareLeague, type Figures, type LeagueRow } from './dashboard.ts';
import { loadCodeNames } from '../queries/dashboard.ts';
import {
  computePlanProgress, loadActionPlan, type ActivityMonthState, type IndicatorStatus, type PlanOwner,
} from './action-plan.ts';
import type { IndicatorPeriod } from '../db/schema.ts';
import type { ReportLocale } from './report-labels.ts';
import { buildMonthlyXlsx } from './monthly-xlsx.ts';
import { renderMonthlyReportDocument } from './monthly-html.tsx';
import { ChromiumMissingError, DEFAULT_CHROMIUM_PATH, htmlToPdf, chromiumAvailable } from './pdf.ts';
import { reportText, formatMonth } from './report-labels.ts';

export const REPORT_FORMATS: readonly MonthlyReportFormat[] = ['xlsx', 'pdf'];
export const MIME_TYPES: Record<MonthlyReportFormat, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
};

/** Attempts before a report is marked failed. */
export const MAX_ATTEMPTS = 3;
/** How long a claim on a pending report lasts; a PDF takes seconds, so ten minutes means the generator died. */
const CLAIM_MS = 10 * 60_000;
/** Wait before a failed attempt is tried again. */
const RETRY_DELAY_MS = 60_000;

const MONTH_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;

const ASSETS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../web/assets');

/** A request for a report that cannot be served. `code` is stable; `message` states what to fix. */
export class MonthlyReportError extends Error {
  constructor(readonly code: 'invalid_month' | 'future_month' | 'unknown_agency' | 'invalid_format' | 'chromium_missing', message: string) {
    super(message);
    this.name = 'MonthlyReportError';
  }
}

export interface ReportMonth {
  month: string;
  year: number;
  monthNumber: number;
  from: string;
  to: string;
}

/**
 * Validates a `YYYY-MM` month and returns its first and last WIB dates.
 *
 * @example parseReportMonth('2026-02') // { month: '2026-02', year: 2026, monthNumber: 2, from: '2026-02-01', to: '2026-02-28' }
 */
export function parseReportMonth(month: string): ReportMonth {
  const match = MONTH_RE.exec(month ?? '');
  if (!match) throw new MonthlyReportError('invalid_month', `month must have the form YYYY-MM, for example 2026-02; got "${month}"`);
  const year = Number(match[1]);
  const monthNumber = Number(match[2]);
  const lastDay = new Date(Date.UTC(year, monthNumber, 0)).getUTCDate();
  return { month, year, monthNumber, from: `${month}-01`, to: `${month}-${String(lastDay).padStart(2, '0')}` };
}

/** Returns the `YYYY-MM` month before the WIB month of `now`, the month the scheduled report covers. */
export function previousMonth(now: Date): string {
  const today = wibDate(now);
  let year = Number(today.slice(0, 4));
  let month = Number(today.slice(5, 7)) - 1;
  if (month === 0) {
    month = 12;
    year -= 1;
  }
  return `${year}-${String(month).padStart(2, '0')}`;
}

// ---------------------------------------------------------------------------
// Figures

export interface PlanIndicatorLine {
  objective: string;
  name: string;
  targetValue: number;
  unit: IndicatorUnit;
  comparison: IndicatorComparison;
  periodType: IndicatorPeriod;
  periodKey: string;
  actual: number | null;
  status: IndicatorStatus;
  provisional: boolean;
  owner: PlanOwner;
}

export interface PlanActivityLine {
  objective: string;
  name: string;
  state: ActivityMonthState;
  doneOn: string | null;
  owner: PlanOwner;
}

export interface MonthlyReportData extends ReportMonth {
  timeZone: string;
  generatedAt: Date;
  agency: { code: string; name: string } | null;
  totals: Figures;
  byChannel: { channel: Channel; figures: Figures }[];
  /** Regency report only; empty for an agency's report. */
  byAgency: LeagueRow[];
  byCategory: { code: string; name: string; nameEn: string | null; figures: Figures }[];
  byDistrict: { code: string; name: string; received: number }[];
  /** When the figures were taken: `generatedAt`, or the rollup's last refresh for a large month. */
  asOf: Date;
  /** Open reports by age at `asOf`. */
  backlog: { bucket: string; count: number }[];
  plan: { year: number; title: string; indicators: PlanIndicatorLine[]; activities: PlanActivityLine[] } | null;
}

async function agencyOf(db: Kysely<DB>, code: string | undefined) {
  if (!code) return null;
  const agency = await db.selectFrom('agencies').select(['id', 'code', 'name']).where('code', '=', code).executeTakeFirst();
  if (!agency) throw new MonthlyReportError('unknown_agency', `agency "${code}" not found; use an agency code such as dpupr`);
  return agency;
}

/**
 * Collects every figure of a monthly recap.
 *
 * @example const data = await collectMonthlyReport(db, { month: '2026-02' }); // regency-wide
 */
export async function collectMonthlyReport(db: Kysely<DB>, scope: { month: string; agency?: string }, now = new Date()): Promise<MonthlyReportData> {
  const period = parseReportMonth(scope.month);
  const agency = await agencyOf(db, scope.agency);
  const filter = { from: period.from, to: period.to, agency: agency?.code };
  // A large month that has been rolled up is read from the rollup, open and overdue reports from its snapshot.
  const { rollup, snapshot, indicatorOptions: source } = await chooseFigureSource(db, filter, now);
  // The regency's recap lists overdue reports per agency; an agency's recap does not.
  let overdueRows: Promise<{ agency: string | null; name: string | null; overdue: number }[]> = Promise.resolve([]);
  if (!agency) overdueRows = snapshot ? Promise.resolve(snapshot.overdue) : overdueByAgency(db, now);
  const [totals, byChannel, byAgency, byCategory, byDistrict, backlog, overdue, names] = await Promise.all([
    computeIndicators(db, filter, now, source),
    computeIndicators(db, { ...filter, groupBy: 'channel' }, now, source),
    agency ? Promise.resolve(null) : computeIndicators(db, { ...filter, groupBy: 'agency' }, now, source),
    computeIndicators(db, { ...filter, groupBy: 'category' }, now, source),
    computeIndicators(db, { ...filter, groupBy: 'district' }, now, source),
    snapshot ? snapshotBacklog(snapshot, agency?.code) : backlogByAge(db, now, agency?.code),
    overdueRows,
    loadCodeNames(db),
  ]);

  const channelFigures = new Map(byChannel.rows.map((row) => [row.group, row.indicators]));
  const overdueByCode = new Map(overdue.map((row) => [row.agency, row.overdue]));
  const districtCounts = new Map(byDistrict.rows.map((row) => [row.group, row.indicators.received ?? 0]));

  return {
    ...period,
    timeZone: TIME_ZONE,
    generatedAt: now,
    asOf: new Date(totals.asOf),
    agency: agency ? { code: agency.code, name: agency.name } : null,
    totals: totals.rows[0]?.indicators ?? { received: 0 },
    byChannel: CHANNELS.filter((channel) => channelFigures.has(channel)).map((channel) => ({ channel, figures: channelFigures.get(channel)! })),
    byAgency: (byAgency?.rows ?? [])
      .map((row) => ({
        code: row.group === '-' ? null : row.group,
        name: row.group === '-' ? '' : (names.agencies.get(row.group) ?? row.group),
        figures: row.indicators,
        overdue: overdueByCode.get(row.group === '-' ? null : row.group) ?? 0,
      }))
      .sort(compareLeague),
    byCategory: byCategory.rows
      .filter((row) => row.group !== '-')
      .sort((a, b) => (b.indicators.received ?? 0) - (a.indicators.received ?? 0) || a.group.localeCompare(b.group))
      .map((row) => {
        const category = names.categories.get(row.group);
        return { code: row.group, name: category?.name ?? row.group, nameEn: category?.nameEn ?? null, figures: row.indicators };
      }),
    byDistrict: [...names.districts.entries()].map(([code, name]) => ({ code, name, received: districtCounts.get(code) ?? 0 })),
    backlog,
    plan: await planLines(db, period, agency?.code, now),
  };
}

/** Collects the plan's indicators for the period that contains the month, and the activities planned in it. */
async function planLines(db: Kysely<DB>, period: ReportMonth, agencyCode: string | undefined, now: Date): Promise<MonthlyReportData['plan']> {
  const plan = await loadActionPlan(db, period.year);
  if (!plan) return null;
  const progress = await computePlanProgress(db, plan, now);
  const concerns = (owner: PlanOwner, sliceAgency?: string) => !agencyCode || owner.agencyCode === agencyCode || sliceAgency === agencyCode;
  const indicators: PlanIndicatorLine[] = [];
  const activities: PlanActivityLine[] = [];
  for (const { objective, indicators: indicatorProgress, activities: activityProgress } of progress.objectives) {
    for (const { indicator, periods } of indicatorProgress) {
      if (!concerns(indicator.owner, indicator.slice.agency)) continue;
      const current = periods.find((entry) => entry.firstMonth <= period.monthNumber && entry.lastMonth >= period.monthNumber);
      if (!current) continue;
      indicators.push({
        objective: objective.title,
        name: indicator.name,
        targetValue: indicator.targetValue,
        unit: indicator.unit,
        comparison: indicator.comparison,
        periodType: indicator.period,
        periodKey: current.key,
        actual: current.actual,
        status: current.status,
        provisional: current.provisional,
        owner: indicator.owner,
      });
    }
    for (const { activity, months } of activityProgress) {
      if (!concerns(activity.owner)) continue;
      const month = months[period.monthNumber - 1];
      if (month.state === 'not_planned') continue;
      activities.push({ objective: objective.title, name: activity.name, state: month.state, doneOn: month.completion?.doneOn ?? null, owner: activity.owner });
    }
  }
  return { year: plan.year, title: plan.title, indicators, activities };
}

// ---------------------------------------------------------------------------
// Files

export interface ReportFile {
  fileName: string;
  mimeType: string;
  content: Buffer;
}

export interface RenderOptions {
  now?: Date;
  locale?: ReportLocale;
  chromiumPath?: string;
}

export function reportFileName(month: string, agency: string | null | undefined, format: MonthlyReportFormat): string {
  return `rekap-aduan-${month}${agency ? `-${agency}` : ''}.${format}`;
}

/** Reads the stylesheets that the on-screen report uses, for the self-contained PDF document. */
export function reportStylesheets(): string {
  return ['app.css', 'charts/reports.css'].map((file) => fs.readFileSync(path.join(ASSETS_DIR, file), 'utf8')).join('\n');
}

/**
 * Builds one report file from fresh figures.
 *
 * @example const file = await renderMonthlyReport(db, { month: '2026-02', format: 'xlsx' });
 */
export async function renderMonthlyReport(
  db: Kysely<DB>,
  scope: { month: string; agency?: string; format: MonthlyReportFormat },
  options: RenderOptions = {},
): Promise<ReportFile> {
  if (!REPORT_FORMATS.includes(scope.format)) throw new MonthlyReportError('invalid_format', `format must be xlsx or pdf; got "${scope.format}"`);
  const chromiumPath = options.chromiumPath ?? DEFAULT_CHROMIUM_PATH;
  // Checked before any query, so a missing browser fails fast.
  if (scope.format === 'pdf' && !chromiumAvailable(chromiumPath)) throw new ChromiumMissingError(chromiumPath);
  const locale = options.locale ?? 'id';
  const data = await collectMonthlyReport(db, scope, options.now ?? new Date());
  const fileName = reportFileName(data.month, data.agency?.code, scope.format);
  if (scope.format === 'xlsx') return { fileName, mimeType: MIME_TYPES.xlsx, content: await buildMonthlyXlsx(data, locale) };
  const html = await renderMonthlyReportDocument(data, locale, reportStylesheets());
  const t = reportText(locale);
  const footer = `${t('recap.title')} · ${formatMonth(data.month, locale)} · ${data.agency ? data.agency.name : t('recap.scope_regency')}`;
  return { fileName, mimeType: MIME_TYPES.pdf, content: await htmlToPdf(html, { chromiumPath, footer }) };
}

// ---------------------------------------------------------------------------
// Storage and background generation

/** A stored report without its bytes, for lists and status checks. */
export type StoredReport = Omit<MonthlyReportRow, 'content'> & { agencyCode: string | null; agencyName: string | null };

const STORED_COLUMNS = [
  'r.id', 'r.month', 'r.agency_id', 'r.format', 'r.status', 'r.file_name', 'r.size_bytes', 'r.error', 'r.requested_by_user_id',
  'r.scheduled', 'r.claimed_until', 'r.attempts', 'r.created_at', 'r.generated_at', 'a.code as agencyCode', 'a.name as agencyName',
] as const;

export interface ReportRequest {
  month: string;
  agency?: string;
  format: MonthlyReportFormat;
  userId?: number | null;
  /** Build the file again even when a ready one is stored. */
  refresh?: boolean;
  scheduled?: boolean;
}

/**
 * Records that a report is wanted and returns its row. A stored report, ready
 * or failed, is returned as it is unless `refresh` asks to build it again; a
 * pending one is returned as well. Otherwise a pending row is created for the
 * generator. Months that have not started yet are rejected.
 *
 * @example const row = await requestMonthlyReport(db, { month: '2026-02', format: 'pdf', userId: 3 });
 */
export async function requestMonthlyReport(db: Kysely<DB>, request: ReportRequest, now = new Date(), chromiumPath = DEFAULT_CHROMIUM_PATH): Promise<StoredReport> {
  const period = parseReportMonth(request.month);
  if (period.from > wibDate(now)) throw new MonthlyReportError('future_month', `${request.month} has not started yet; choose this month or an earlier one`);
  if (!REPORT_FORMATS.includes(request.format)) throw new MonthlyReportError('invalid_format', `format must be xlsx or pdf; got "${request.format}"`);
  if (request.format === 'pdf' && !chromiumAvailable(chromiumPath)) {
    throw new MonthlyReportError('chromium_missing', new ChromiumMissingError(chromiumPath).message);
  }
  const agency = await agencyOf(db, request.agency);
  const agencyId = agency?.id ?? null;

  const existing = await findStored(db, period.month, agencyId, request.format);
  if (existing && (existing.status === 'pending' || !request.refresh)) return existing;
  if (existing) {
    await db
      .updateTable('monthly_reports')
      .set({ status: 'pending', error: null, claimed_until: null, attempts: 0, requested_by_user_id: request.userId ?? null, scheduled: request.scheduled ?? false, created_at: now })
      .where('id', '=', existing.id)
      .execute();
  } else {
    await db
      .insertInto('monthly_reports')
      .values({ month: period.month, agency_id: agencyId, format: request.format, requested_by_user_id: request.userId ?? null, scheduled: request.scheduled ?? false, created_at: now })
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
  return (await findStored(db, period.month, agencyId, request.format))!;
}

async function findStored(db: Kysely<DB>, month: string, agencyId: number | null, format: MonthlyReportFormat): Promise<StoredReport | undefined> {
  return db
    .selectFrom('monthly_reports as r')
    .leftJoin('agencies as a', 'a.id', 'r.agency_id')
    .select(STORED_COLUMNS)
    .where('r.month', '=', month)
    .where(sql<boolean>`coalesce(r.agency_id, 0) = ${agencyId ?? 0}`)
    .where('r.format', '=', format)
    .executeTakeFirst();
}

export async function getStoredReport(db: Kysely<DB>, id: number): Promise<StoredReport | undefined> {
  if (!Number.isSafeInteger(id) || id <= 0) return undefined;
  return db.selectFrom('monthly_reports as r').leftJoin('agencies as a', 'a.id', 'r.agency_id').select(STORED_COLUMNS).where('r.id', '=', id).executeTakeFirst();
}

/** Returns the bytes of a ready report. */
export async function getReportContent(db: Kysely<DB>, id: number): Promise<{ fileName: string; mimeType: string; content: Buffer } | undefined> {
  const row = await db.selectFrom('monthly_reports').select(['file_name', 'format', 'content', 'status']).where('id', '=', id).executeTakeFirst();
  if (!row || row.status !== 'ready' || !row.content || !row.file_name) return undefined;
  return { fileName: row.file_name, mimeType: MIME_TYPES[row.format], content: row.content };
}

/**
 * Lists stored reports, newest month first; with `agencyId`, only that
 * agency's reports (agency officers see no other).
 */
export async function listStoredReports(db: Kysely<DB>, options: { agencyId?: number | null; limit?: number } = {}): Promise<StoredReport[]> {
  let query = db.selectFrom('monthly_reports as r').leftJoin('agencies as a', 'a.id', 'r.agency_id').select(STORED_COLUMNS);
  if (options.agencyId !== undefined) {
    query = options.agencyId === null ? query.where('r.agency_id', 'is', null) : query.where('r.agency_id', '=', options.agencyId);
  }
  return query.orderBy('r.month', 'desc').orderBy('r.agency_id').orderBy('r.format').limit(options.limit ?? 60).execute();
}

async function claimPending(db: Kysely<DB>, now: Date) {
  const result = await sql<{ id: number; month: string; format: MonthlyReportFormat; attempts: number; agency_code: string | null }>`
    UPDATE monthly_reports r SET claimed_until = ${new Date(now.getTime() + CLAIM_MS)}, attempts = r.attempts + 1
    FROM (
      SELECT id FROM monthly_reports
      WHERE status = 'pending' AND (claimed_until IS NULL OR claimed_until < ${now})
      ORDER BY created_at, id
      LIMIT 1
      FOR UPDATE SKIP LOCKED
    ) next
    WHERE r.id = next.id
    RETURNING r.id, r.month, r.format, r.attempts, (SELECT code FROM agencies WHERE id = r.agency_id) AS agency_code
  `.execute(db);
  return result.rows[0];
}

export interface GenerationOptions {
  chromiumPath?: string;
  /** Clock for tests. */
  now?: () => Date;
  /** Stop after this many reports; the next run takes the rest. */
  limit?: number;
}

/**
 * Builds pending reports one at a time until none is left (or `limit` is
 * reached) and returns how many became ready and how many failed for good.
 */
export async function processPendingReports(db: Kysely<DB>, options: GenerationOptions = {}): Promise<{ ready: number; failed: number; retrying: number }> {
  const clock = options.now ?? (() => new Date());
  const counts = { ready: 0, failed: 0, retrying: 0 };
  for (let done = 0; done < (options.limit ?? 50); done++) {
    const claimed = await claimPending(db, clock());
    if (!claimed) break;
    const started = Date.now();
    try {
      const file = await renderMonthlyReport(db, { month: claimed.month, agency: claimed.agency_code ?? undefined, format: claimed.format }, {
        now: clock(),
        chromiumPath: options.chromiumPath,
      });
      await db
        .updateTable('monthly_reports')
        .set({ status: 'ready', content: file.content, file_name: file.fileName, size_bytes: file.content.length, error: null, claimed_until: null, generated_at: clock() })
        .where('id', '=', claimed.id)
        .execute();
      counts.ready += 1;
      logger.info({ reportId: claimed.id, month: claimed.month, format: claimed.format, bytes: file.content.length, ms: Date.now() - started }, 'monthly report generated');
    } catch (error) {
      const final = error instanceof ChromiumMissingError || error instanceof MonthlyReportError || claimed.attempts >= MAX_ATTEMPTS;
      await db
        .updateTable('monthly_reports')
        .set({
          status: final ? 'failed' : 'pending',
          error: (error as Error).message.slice(0, 2000),
          claimed_until: final ? null : new Date(clock().getTime() + RETRY_DELAY_MS),
        })
        .where('id', '=', claimed.id)
        .execute();
      if (final) counts.failed += 1;
      else counts.retrying += 1;
      logger.error({ err: error, reportId: claimed.id, month: claimed.month, format: claimed.format, attempt: claimed.attempts }, final ? 'monthly report failed' : 'monthly report attempt failed; will retry');
    }
  }
  return counts;
}

// One in-process generator per database at a time; a request during a run makes it run once more.
const runs = new WeakMap<Kysely<DB>, { promise: Promise<void>; again: boolean }>();

/**
 * Starts `processPendingReports` in the background of this process and
 * returns at once; the job sweep does the same work on its schedule. Returns
 * the run's promise, which tests await.
 */
export function startReportGeneration(db: Kysely<DB>, options: GenerationOptions = {}): Promise<void> {
  const current = runs.get(db);
  if (current) {
    current.again = true;
    return current.promise;
  }
  const run = { promise: Promise.resolve(), again: true };
  run.promise = (async () => {
    while (run.again) {
      run.again = false;
      try {
        await processPendingReports(db, options);
      } catch (error) {
        logger.error({ err: error }, 'monthly report generation stopped');
      }
    }
    runs.delete(db);
  })();
  runs.set(db, run);
  return run.promise;
}
