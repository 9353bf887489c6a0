/**
 * Inbox and case page over HTTP on seeded data: sequential requests with a
 * staff bearer token, p50 and p95 per filter, and the EXPLAIN (ANALYZE,
 * BUFFERS) of the SQL behind each. The case is timed twice: as JSON from the
 * API, and as the back-office page a complaint officer opens, whose triage
 * panel also shows duplicate proposals.
 *
 * The triage job searches each report for duplicates within a minute of its
 * arrival and stores the proposals, which the page then reads. The seeded
 * reports never went through the job, so before the page is timed the same
 * search runs in process on each report the page is timed on, and its time
 * per report is a figure of its own (`case.duplicate_search`).
 */
import type pg from 'pg';
import type { StaffUser } from '../src/domain/types.ts';
import type { ComplaintStatus } from '../src/domain/types.ts';
import { getComplaintDetail, listComplaints, type InboxFilters } from '../src/queries/complaints.ts';
import { Kysely, PostgresDialect } from 'kysely';
import type { DB } from '../src/db/schema.ts';
import { refreshDuplicateProposals } from '../src/commands/search-duplicates.ts';
import { findDuplicateCandidates, readDuplicateProposals } from '../src/queries/triage.ts';
import { explainCalls, writeExplain } from './lib/explain.ts';
import { formatSize, note, type Report } from './lib/report.ts';
import { percentile, timeSequential, type TimingOptions } from './lib/stats.ts';

export interface InboxContext {
  size: number;
  baseUrl: string;
  pool: pg.Pool;
  officer: { token: string; user: StaffUser };
  agencyOfficer: { token: string; user: StaffUser };
  timelineIds: readonly number[];
  typicalIds: readonly number[];
  /** Open reports, newest first: the ones whose case page searches for duplicates. */
  openIds: readonly number[];
  timing: TimingOptions;
  explainDir?: string;
}

/** One benchmark: a list of requests taken in turn, and what its first request runs in-process for EXPLAIN. */
interface Variant {
  name: string;
  paths: string[];
  token: string;
  /** The response is an HTML page rather than JSON. */
  html?: boolean;
  explain: (db: Parameters<Parameters<typeof explainCalls>[1]>[0]) => Promise<unknown>;
  /** Setup that runs before the warm-up, outside the timed requests. */
  prepare?: (report: Report) => Promise<void>;
}

// Filters an officer uses every day; the search words are frequent and rare words of the complaint texts.
const STATUS_FILTERS = ['new,verified', 'dispatched,in_progress', 'on_hold'];
const AGENCY_FILTERS = ['dpupr', 'dlh', 'disdukcapil', 'bpbd'];
const SEARCH_TERMS = ['jalan rusak', 'sampah', 'lampu', 'banjir', 'ktp', 'air pdam', 'sertifikat'];
/** The default duplicate window of the triage settings (migrations/0005_triage.sql). */
const DUPLICATE_WINDOW_DAYS = 30;

function listVariant(name: string, params: Record<string, string>[], token: string, user: StaffUser): Variant {
  const toFilters = (param: Record<string, string>): InboxFilters => ({
    status: param.status?.split(',') as ComplaintStatus[] | undefined,
    agency: param.agency,
    overdue: param.overdue === 'true',
    q: param.q,
  });
  return {
    name,
    token,
    paths: params.map((param) => {
      const query = new URLSearchParams(param).toString();
      return `/api/v1/complaints${query ? `?${query}` : ''}`;
    }),
    explain: (db) => listComplaints(db, user, toFilters(params[0])),
  };
}

function variants(context: InboxContext): Variant[] {
  const { officer, agencyOfficer } = context;
  return [
    listVariant('list', [{}], officer.token, officer.user),
    listVariant('status', STATUS_FILTERS.map((status) => ({ status })), officer.token, officer.user),
    listVariant('agency', AGENCY_FILTERS.map((agency) => ({ agency })), officer.token, officer.user),
    listVariant('overdue', [{ overdue: 'true' }], officer.token, officer.user),
    listVariant('search', SEARCH_TERMS.map((q) => ({ q })), officer.token, officer.user),
    listVariant('agency_officer', [{}], agencyOfficer.token, agencyOfficer.user),
    {
      name: 'case_timeline50',
      token: officer.token,
      paths: context.timelineIds.map((id) => `/api/v1/complaints/${id}`),
      explain: (db) => getComplaintDetail(db, officer.user, context.timelineIds[0]),
    },
    {
      name: 'case_typical',
      token: officer.token,
      paths: context.typicalIds.map((id) => `/api/v1/complaints/${id}`),
      explain: (db) => getComplaintDetail(db, officer.user, context.typicalIds[0]),
    },
    {
      name: 'case_page',
      token: officer.token,
      html: true,
      paths: context.openIds.map((id) => `/staff/complaints/${id}`),
      explain: async (db) => {
        const complaint = await db.selectFrom('complaints').selectAll().where('id', '=', context.openIds[0]).executeTakeFirstOrThrow();
        return readDuplicateProposals(db, officer.user, complaint, { windowDays: DUPLICATE_WINDOW_DAYS });
      },
      prepare: (report) => searchDuplicatesFirst(report, context),
    },
  ];
}

/**
 * Searches the case page's reports for duplicates and stores the proposals,
 * as the triage job does for each arrival. Reports the time of one search
 * and writes the EXPLAIN of the first.
 */
async function searchDuplicatesFirst(report: Report, context: InboxContext): Promise<void> {
  // Not destroyed: that would end the shared pool.
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: context.pool }) });
  const samplesMs: number[] = [];
  for (const id of context.openIds) {
    const complaint = await db.selectFrom('complaints').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const started = performance.now();
    await refreshDuplicateProposals(db, complaint, { windowDays: DUPLICATE_WINDOW_DAYS });
    samplesMs.push(performance.now() - started);
  }
  report.add('case.duplicate_search.p50', context.size, 1, percentile(samplesMs, 50), 'ms');
  report.add('case.duplicate_search.p95', context.size, 1, percentile(samplesMs, 95), 'ms');
  if (context.explainDir) {
    writeExplain(context.explainDir, `${formatSize(context.size)}-duplicate_search`, await explainCalls(context.pool, async (explainDb) => {
      const complaint = await explainDb.selectFrom('complaints').selectAll().where('id', '=', context.openIds[0]).executeTakeFirstOrThrow();
      return findDuplicateCandidates(explainDb, context.officer.user, complaint, { windowDays: DUPLICATE_WINDOW_DAYS });
    }));
  }
}

async function getText(url: string, token: string): Promise<string> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}`, 'accept-language': 'en' }, redirect: 'manual' });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`GET ${url} returned ${response.status}: ${text.slice(0, 300)}`);
  return text;
}

async function getJson(url: string, token: string): Promise<{ total?: number; timeline?: unknown[] }> {
  return JSON.parse(await getText(url, token)) as { total?: number };
}

export async function runInbox(report: Report, context: InboxContext): Promise<void> {
  for (const variant of variants(context)) {
    if (variant.paths.length === 0) continue;
    note(`inbox: ${variant.name} at ${formatSize(context.size)} complaints (${variant.paths.length} request forms in turn)`);
    const get = variant.html ? getText : getJson;
    await variant.prepare?.(report);
    const first = await get(context.baseUrl + variant.paths[0], variant.token);
    if (typeof first === 'object' && typeof first.total === 'number') report.add(`inbox.${variant.name}.matches`, context.size, null, first.total, 'count');
    await report.settle(`${variant.name} at ${formatSize(context.size)}`);
    const timing = await timeSequential(async (i) => {
      await get(context.baseUrl + variant.paths[i % variant.paths.length], variant.token);
    }, context.timing);
    const prefix = variant.name.startsWith('case_') ? variant.name.replace('_', '.') : `inbox.${variant.name}`;
    report.add(`${prefix}.p50`, context.size, 1, timing.p50, 'ms');
    report.add(`${prefix}.p95`, context.size, 1, timing.p95, 'ms');
    if (context.explainDir) {
      writeExplain(context.explainDir, `${formatSize(context.size)}-${variant.name}`, await explainCalls(context.pool, variant.explain));
    }
  }
}
