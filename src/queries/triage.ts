/**
 * Read models of text triage: the settings, the suggestions stored for a
 * case, duplicate candidates, the low-priority queue, model versions and the
 * accuracy of each version against the officers' decisions.
 *
 * Triage serves verification, so only complaint officers and administrators
 * use it (`canUseTriage`). They see every complaint, which is why the
 * duplicate search is not narrowed by agency.
 */
import { sql, type Kysely, type RawBuilder, type SelectQueryBuilder } from 'kysely';
import type {
  Channel, Complaint, ComplaintStatus, DB, StoredRankedLabel, StoredTriageMetrics, TriageKind, TriageModelSource, TriageSettings,
} from '../db/schema.ts';
import type { StaffUser } from '../domain/types.ts';
import { FINAL_STATUSES, isClosedOrMerged } from '../domain/lifecycle.ts';
import { duplicateSearchWords, similarityTo } from '../domain/triage/index.ts';

export const TRIAGE_KINDS: readonly TriageKind[] = ['relevance', 'type', 'category', 'agency'];
/** Kinds whose suggestions prefill the verify form, in form order. */
export const CLASSIFICATION_KINDS: readonly TriageKind[] = ['type', 'category', 'agency'];

/** Labels of the complaint-or-not model. */
export const RELEVANCE_REPORT = 'report';
export const RELEVANCE_NOISE = 'noise';

/**
 * Agency label that stands for "the kecamatan or kelurahan of the report's
 * location". Those units handle the same problems as the dinas do, and the
 * text rarely names the place, so the model learns the group and the
 * location picks the unit.
 */
export const REGIONAL_AGENCY_LABEL = '@wilayah';
/** Agency kinds grouped under REGIONAL_AGENCY_LABEL (values of agencies.kind). */
export const REGIONAL_AGENCY_KINDS = ['kecamatan', 'kelurahan'];

/** Archive reasons that mark a message as noise for the relevance model and its accuracy. */
export const NOISE_ARCHIVE_REASONS = ['spam', 'not_a_report'];
/**
 * Events that show an officer treated a message as a report: it was
 * classified, answered, sent to an agency or forwarded outside the regency.
 */
export const REPORT_DECISION_EVENTS = ['verified', 'answered', 'dispatched', 'forwarded'];

/** Returns whether the user works with triage: suggestions, duplicates and the low-priority queue. */
export function canUseTriage(user: StaffUser): boolean {
  return user.role === 'admin' || user.role === 'complaint_officer';
}

/** Returns whether the user may change triage settings, request a retrain and activate model versions. */
export function canManageTriage(user: StaffUser): boolean {
  return user.role === 'admin';
}

/** Reads the single settings row (the migration creates it). */
export async function readTriageSettings(db: Kysely<DB>): Promise<TriageSettings> {
  return db.selectFrom('triage_settings').selectAll().executeTakeFirstOrThrow();
}

// SQL fragments over a complaint aliased `c`, shared by training and accuracy
// so that both read an officer's decision the same way.

/** True when the officer classified the complaint (a `verified` event exists). */
export function verifiedCondition(): RawBuilder<boolean> {
  return sql<boolean>`exists (select 1 from complaint_events ve where ve.complaint_id = c.id and ve.type = 'verified')`;
}

/** True when an officer treated the message as a report. */
export function reportDecisionCondition(): RawBuilder<boolean> {
  return sql<boolean>`exists (select 1 from complaint_events re where re.complaint_id = c.id and re.type in (${sql.join(REPORT_DECISION_EVENTS)}))`;
}

/** True when an officer archived the message as spam or as not a report. */
export function noiseDecisionCondition(): RawBuilder<boolean> {
  return sql<boolean>`c.status = 'archived' and exists (
    select 1 from complaint_events ae
    where ae.complaint_id = c.id and ae.type = 'archived' and ae.data->>'reason' in (${sql.join(NOISE_ARCHIVE_REASONS)}))`;
}

/** Returns the agency label of a complaint's agency (alias `a`): its code, or REGIONAL_AGENCY_LABEL for a kecamatan or kelurahan. */
export function agencyLabelExpression(): RawBuilder<string | null> {
  return sql<string | null>`case when a.kind in (${sql.join(REGIONAL_AGENCY_KINDS)}) then ${REGIONAL_AGENCY_LABEL}::text else a.code end`;
}

// The low-priority queue.

/**
 * Removes reports waiting in the low-priority queue from a complaint list,
 * so that the normal inbox shows only what was not set aside.
 *
 * @example
 * let query = scopeComplaints(user, db.selectFrom('complaints'));
 * query = excludeLowPriority(query);
 */
export function excludeLowPriority<O>(query: SelectQueryBuilder<DB, 'complaints', O>): SelectQueryBuilder<DB, 'complaints', O> {
  return query.where((eb) =>
    eb.not(
      eb.exists(
        eb
          .selectFrom('complaint_triage as lp')
          .select(sql`1`.as('one'))
          .whereRef('lp.complaint_id', '=', 'complaints.id')
          .where('lp.queue', '=', 'low_priority')
          .where('complaints.status', '=', 'new'),
      ),
    ),
  );
}

export interface LowPriorityRow {
  id: number;
  trackingCode: string;
  channel: Channel;
  receivedAt: Date;
  excerpt: string;
  relevanceScore: number;
  threshold: number;
  modelVersion: string | null;
  /** Words that made the message look like noise, from the stored relevance suggestion. */
  noiseTerms: string[];
}

export interface LowPriorityPage {
  rows: LowPriorityRow[];
  total: number;
  page: number;
  pageSize: number;
}

/** Rows per page of the queue; also the most a bulk sweep accepts at once. */
export const LOW_PRIORITY_PAGE_SIZE = 50;
// Maximum excerpt length in the queue, in characters. The case page shows the full text.
const QUEUE_EXCERPT_CHARS = 280;

/**
 * Counts the new reports set aside in the low-priority queue, and those of
 * them with a deadline already missed. The queue page pages through them.
 * The inbox leaves them out while their verification clock runs, so it
 * shows how many wait there.
 */
export async function lowPriorityBacklog(db: Kysely<DB>, now: Date): Promise<{ waiting: number; overdue: number }> {
  const row = await db
    .selectFrom('complaint_triage as t')
    .innerJoin('complaints as c', 'c.id', 't.complaint_id')
    .select((eb) => [
      eb.fn.countAll<number>().as('waiting'),
      sql<number>`count(*) filter (where c.next_due_at < ${now})`.as('overdue'),
    ])
    .where('t.queue', '=', 'low_priority')
    .where('c.status', '=', 'new')
    .executeTakeFirstOrThrow();
  return { waiting: Number(row.waiting), overdue: Number(row.overdue) };
}

/**
 * Lists new reports in the low-priority queue, the clearest noise first
 * (lowest score), so that an officer can sweep a page at a time.
 * Returns an empty page for a user who does not work with triage.
 */
export async function listLowPriorityQueue(db: Kysely<DB>, user: StaffUser, page = 1): Promise<LowPriorityPage> {
  const pageSize = LOW_PRIORITY_PAGE_SIZE;
  const current = Math.max(1, Math.floor(page));
  if (!canUseTriage(user)) return { rows: [], total: 0, page: current, pageSize };

  const { waiting: total } = await lowPriorityBacklog(db, new Date());
  const rows = await db
    .selectFrom('complaint_triage as t')
    .innerJoin('complaints as c', 'c.id', 't.complaint_id')
    .leftJoin('triage_suggestions as s', (join) =>
      join.onRef('s.complaint_id', '=', 't.complaint_id').on('s.kind', '=', 'relevance').onRef('s.model_version', '=', 't.model_version'),
    )
    .select([
      'c.id', 'c.tracking_code', 'c.channel', 'c.received_at',
      sql<string>`left(c.description, ${QUEUE_EXCERPT_CHARS})`.as('excerpt'),
      't.relevance_score', 't.threshold', 't.model_version', 's.ranking',
    ])
    .where('t.queue', '=', 'low_priority')
    .where('c.status', '=', 'new')
    .orderBy('t.relevance_score')
    .orderBy('c.id')
    .limit(pageSize)
    .offset((current - 1) * pageSize)
    .execute();

  return {
    total,
    page: current,
    pageSize,
    rows: rows.map((row) => ({
      id: row.id,
      trackingCode: row.tracking_code,
      channel: row.channel,
      receivedAt: row.received_at,
      excerpt: row.excerpt,
      relevanceScore: row.relevance_score ?? 0,
      threshold: row.threshold,
      modelVersion: row.model_version,
      noiseTerms: (row.ranking ?? []).find((entry) => entry.label === RELEVANCE_NOISE)?.terms.map((term) => term.term) ?? [],
    })),
  };
}

// Suggestions stored for one complaint.

export interface StoredSuggestion {
  kind: TriageKind;
  modelVersion: string;
  ranking: StoredRankedLabel[];
  createdAt: Date;
  /** Whether the suggestion came from the model that is active now. */
  fromActiveModel: boolean;
}

/**
 * Returns one suggestion per kind for a complaint: the active model's when
 * stored, otherwise the newest.
 */
export async function getStoredSuggestions(db: Kysely<DB>, complaintId: number): Promise<Partial<Record<TriageKind, StoredSuggestion>>> {
  const [rows, active] = await Promise.all([
    db
      .selectFrom('triage_suggestions')
      .select(['kind', 'model_version', 'ranking', 'created_at'])
      .where('complaint_id', '=', complaintId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .execute(),
    db.selectFrom('triage_models').select(['kind', 'version']).where('active', '=', true).execute(),
  ]);
  const activeVersion = new Map(active.map((row) => [row.kind, row.version]));
  const result: Partial<Record<TriageKind, StoredSuggestion>> = {};
  for (const row of rows) {
    const fromActiveModel = activeVersion.get(row.kind) === row.model_version;
    const existing = result[row.kind];
    if (existing && (existing.fromActiveModel || !fromActiveModel)) continue;
    result[row.kind] = { kind: row.kind, modelVersion: row.model_version, ranking: row.ranking, createdAt: row.created_at, fromActiveModel };
  }
  return result;
}

export interface RelevanceState {
  score: number | null;
  threshold: number;
  queue: 'normal' | 'low_priority';
  modelVersion: string | null;
  sweepOutcome: 'archived' | 'restored' | null;
}

/** Returns the complaint-or-not score and queue of a complaint, or null before it was scored. */
export async function getRelevanceState(db: Kysely<DB>, complaintId: number): Promise<RelevanceState | null> {
  const row = await db.selectFrom('complaint_triage').selectAll().where('complaint_id', '=', complaintId).executeTakeFirst();
  if (!row) return null;
  return {
    score: row.relevance_score,
    threshold: row.threshold,
    queue: row.queue,
    modelVersion: row.model_version,
    sweepOutcome: row.sweep_outcome,
  };
}

/**
 * Finds the kecamatan or kelurahan agency for a location: the kelurahan's
 * own agency when the village is a kelurahan that has one, else the
 * kecamatan's. Agencies are matched by name ("Kecamatan Jaten"), as the
 * reference data loader creates them. Returns undefined when none matches.
 */
export async function findRegionalAgency(
  db: Kysely<DB>,
  location: { districtCode: string | null; villageCode: string | null },
): Promise<{ code: string; name: string } | undefined> {
  if (location.villageCode) {
    const kelurahan = await db
      .selectFrom('villages as v')
      .innerJoin('agencies as a', (join) => join.on(sql<boolean>`lower(a.name) = lower('Kelurahan ' || v.name)`))
      .select(['a.code', 'a.name'])
      .where('v.code', '=', location.villageCode)
      .where('v.kind', '=', 'kelurahan')
      .where('a.kind', '=', 'kelurahan')
      .where('a.active', '=', true)
      .executeTakeFirst();
    if (kelurahan) return kelurahan;
  }
  if (!location.districtCode) return undefined;
  return db
    .selectFrom('districts as d')
    .innerJoin('agencies as a', (join) => join.on(sql<boolean>`lower(a.name) = lower('Kecamatan ' || d.name)`))
    .select(['a.code', 'a.name'])
    .where('d.code', '=', location.districtCode)
    .where('a.kind', '=', 'kecamatan')
    .where('a.active', '=', true)
    .executeTakeFirst();
}

// Duplicate candidates.

/** Relation between the locations of two reports, strongest first. */
export type LocationMatch = 'same_village' | 'same_district' | 'nearby' | 'location_unknown';

export interface DuplicateCandidate {
  id: number;
  trackingCode: string;
  status: ComplaintStatus;
  channel: Channel;
  receivedAt: Date;
  excerpt: string;
  /** `textSimilarity` score, 0 to 1. */
  score: number;
  /** pg_trgm `similarity()` of the two descriptions, 0 to 1. */
  trigramSimilarity: number;
  /** Content words both texts contain, in the order of the open case's text. */
  matchingWords: string[];
  location: LocationMatch;
  districtName: string | null;
  villageName: string | null;
  /** Straight-line distance when both reports have coordinates. */
  distanceKm: number | null;
  /** Whole days between the two reports' arrival, always ≥ 0. */
  daysApart: number;
  /** The newer report is merged into the older one, which keeps going. */
  mergeDuplicateId: number;
  mergeIntoId: number;
}

/**
 * Open reports read per kind of place (same kecamatan, none, any) on each
 * side of a report's arrival, closest in time first.
 * NOTE: a duplicate further away in time than this many such reports is not
 * proposed. On 200 of the newest open reports at 100k seeded complaints,
 * the proposals matched those of an earlier search over every report of
 * the window for 140 reports with a limit of 300, and for 188 with 600 or
 * 1,000.
 */
const DUPLICATE_NEARBY_LIMIT = 600;
/** Candidates that share words, taken by full-text rank before pg_trgm scores them. */
const DUPLICATE_POOL_LIMIT = 80;
/** Candidates fetched from the database before scoring. */
const DUPLICATE_FETCH_LIMIT = 60;
/** Candidates shown on the case page. */
export const DUPLICATE_SHOW_LIMIT = 5;
/**
 * Lowest `textSimilarity` score for a candidate at the same or a
 * neighbouring place, and for one whose location is not known. An unknown
 * location needs more shared words. Both were set by hand on made-up
 * pairs. Paraphrases of one problem scored 0.42 to 0.48, and reports of
 * different problems without shared place words about 0.06. Different
 * problems at one named place (same street, same housing estate) scored
 * 0.38 to 0.45, so those are still proposed and an officer dismisses them.
 * NOTE: not measured on labelled duplicates; none were available.
 */
const MIN_SCORE_KNOWN_LOCATION = 0.2;
const MIN_SCORE_UNKNOWN_LOCATION = 0.3;
/** Distance under which two reports with coordinates count as neighbours, across kecamatan borders too. */
const NEARBY_KM = 1.5;
/** Degrees of latitude and longitude that certainly cover NEARBY_KM near the equator (1° ≈ 111 km). */
const NEARBY_DEGREES = 0.03;
/** Most shared words listed per candidate. */
const MAX_MATCHING_WORDS = 8;
// Maximum excerpt length of a candidate on the case page, in characters.
const CANDIDATE_EXCERPT_CHARS = 240;

const DAY_MS = 86_400_000;

interface CandidateRow {
  id: number;
  tracking_code: string;
  status: ComplaintStatus;
  channel: Channel;
  received_at: Date;
  description: string;
  district_code: string | null;
  village_code: string | null;
  latitude: number | null;
  longitude: number | null;
  district_name: string | null;
  village_name: string | null;
  trigram_similarity: number;
}

/** Condition on candidate `c`: still open and not merged, as `isClosedOrMerged` tells it in code. */
function openCandidate(): RawBuilder<boolean> {
  return sql<boolean>`c.merged_into_id is null and c.status not in (${sql.join(FINAL_STATUSES)})`;
}

/**
 * Condition on candidate `c`: on the same side of the oversight line as the
 * report. A misconduct report goes to the Inspektorat only, so it is never
 * proposed as a duplicate of an agency's case, nor one of those of it.
 */
function sameOversight(complaint: Pick<Complaint, 'oversight'>): RawBuilder<boolean> {
  return sql<boolean>`c.oversight = ${complaint.oversight}`;
}

/** Condition on candidate `c`: no officer dismissed it as a duplicate of `complaintId`. */
function notDismissedWith(complaintId: number): RawBuilder<boolean> {
  return sql<boolean>`not exists (
    select 1 from triage_duplicate_dismissals x
    where x.first_id = least(c.id, ${complaintId}::bigint) and x.second_id = greatest(c.id, ${complaintId}::bigint))`;
}

/** A candidate as found by the search, with its full text. */
export interface FoundDuplicate extends DuplicateCandidate {
  description: string;
}

/**
 * Proposes reports about the same problem as `complaint`, searching now:
 * the user's view of `searchDuplicates`. The case page reads stored
 * proposals instead (`readDuplicateProposals`).
 * Returns [] for a user who does not work with triage and for a closed or
 * merged complaint.
 */
export async function findDuplicateCandidates(
  db: Kysely<DB>,
  user: StaffUser,
  complaint: Complaint,
  options: { windowDays: number; limit?: number },
): Promise<DuplicateCandidate[]> {
  if (!canUseTriage(user)) return [];
  const found = await searchDuplicates(db, complaint, options);
  return found.map(({ description: _description, ...candidate }) => candidate);
}

/**
 * Searches for reports about the same problem as `complaint`: arrived within
 * `windowDays` before or after it on any channel, still open, not merged,
 * at the same or a neighbouring place, and with similar text. Candidates
 * are the open reports of the place closest in time that share a content
 * word under the `indonesian` full-text configuration, ranked by `ts_rank`.
 * pg_trgm `similarity()` orders the first of them, and `textSimilarity`
 * then scores and explains each.
 *
 * Neighbouring means the same kecamatan (village codes share the kecamatan
 * prefix), or within NEARBY_KM when both have coordinates. When either
 * report has no kecamatan, the location cannot rule it out and a higher
 * text score is required. Pairs an officer dismissed are left out.
 * Returns [] for a closed or merged complaint. Checks no user: the triage
 * job calls it too.
 *
 * NOTE: without village boundaries, desa adjacency is approximated by the
 * kecamatan; two adjacent desa in different kecamatan only match by coordinates.
 */
export async function searchDuplicates(
  db: Kysely<DB>,
  complaint: Complaint,
  options: { windowDays: number; limit?: number },
): Promise<FoundDuplicate[]> {
  if (isClosedOrMerged(complaint)) return [];

  const windowMs = options.windowDays * DAY_MS;
  const from = new Date(complaint.received_at.getTime() - windowMs);
  const to = new Date(complaint.received_at.getTime() + windowMs);
  const text = complaint.description;
  // Candidates must share a content word, because textSimilarity drops the
  // others. The report's words form one OR query, built once (MATERIALIZED).
  // It is matched against the open reports of the place closest in time, not
  // through the full-text index. In that index an OR of common words matched
  // 94 % of 100k seeded reports (75 ms), while the place and window held 447.
  // DUPLICATE_NEARBY_LIMIT keeps the work the same at any size, also for a
  // report without a kecamatan, which every place matches. pg_trgm's
  // similarity() took about 50 µs per pair of the benchmark's texts, so it
  // runs once per candidate, on the DUPLICATE_POOL_LIMIT that ts_rank ranks first.
  const words = duplicateSearchWords(text);
  if (words.length === 0) return [];
  const columns = sql.raw(
    'c.id, c.tracking_code, c.status, c.channel, c.received_at, c.description, c.district_code, c.village_code, c.latitude, c.longitude, c.search',
  );
  const open = sql<boolean>`c.id <> ${complaint.id} and ${openCandidate()} and ${sameOversight(complaint)}`;
  const sides = [
    { window: sql<boolean>`c.received_at >= ${complaint.received_at} and c.received_at <= ${to}`, order: sql.raw('c.received_at, c.id') },
    { window: sql<boolean>`c.received_at >= ${from} and c.received_at < ${complaint.received_at}`, order: sql.raw('c.received_at desc, c.id desc') },
  ];
  // One branch per kind of place and side of the report's arrival. Each reads
  // at most DUPLICATE_NEARBY_LIMIT reports, closest in time first, in index
  // order. The same kecamatan and no kecamatan use complaints_district_received_idx,
  // and any place uses complaints_received_idx.
  const places = complaint.district_code === null
    ? [sql<boolean>`true`]
    : [sql<boolean>`c.district_code = ${complaint.district_code}`, sql<boolean>`c.district_code is null`];
  const branches = sides.flatMap((side) => places.map((place) => sql`(select ${columns} from complaints c
      where ${open} and ${place} and ${side.window} order by ${side.order} limit ${DUPLICATE_NEARBY_LIMIT})`));
  if (complaint.district_code !== null && complaint.latitude !== null && complaint.longitude !== null) {
    // Reports of other kecamatan within NEARBY_KM: no index covers the
    // coordinates, so the box is applied to the reports closest in time.
    const { latitude, longitude } = complaint;
    for (const side of sides) {
      branches.push(sql`(select * from (select ${columns} from complaints c
          where ${open} and ${side.window} order by ${side.order} limit ${DUPLICATE_NEARBY_LIMIT * 4}) r
        where r.district_code <> ${complaint.district_code}
          and r.latitude between ${latitude - NEARBY_DEGREES} and ${latitude + NEARBY_DEGREES}
          and r.longitude between ${longitude - NEARBY_DEGREES} and ${longitude + NEARBY_DEGREES})`);
    }
  }
  const result = await sql<CandidateRow>`
    with q as materialized (
      select string_agg('(' || plainto_tsquery('indonesian', w)::text || ')', ' | ')::tsquery as query
      from unnest(${words}::text[]) as w
      where plainto_tsquery('indonesian', w)::text <> ''
    ),
    nearby as (
      ${sql.join(branches, sql` union all `)}
    ),
    pool as materialized (
      select c.id, c.tracking_code, c.status, c.channel, c.received_at, c.description, c.district_code, c.village_code,
             c.latitude, c.longitude
      from nearby c
      cross join q
      where c.search @@ q.query
        and ${notDismissedWith(complaint.id)}
      order by ts_rank(c.search, q.query, 1) desc, c.id desc
      limit ${DUPLICATE_POOL_LIMIT}
    ),
    scored as materialized (
      select pool.*, similarity(pool.description, ${text}) as trigram_similarity from pool
    )
    select s.*, d.name as district_name, v.name as village_name
    from scored s
    left join districts d on d.code = s.district_code
    left join villages v on v.code = s.village_code
    order by s.trigram_similarity desc, s.id desc
    limit ${DUPLICATE_FETCH_LIMIT}
  `.execute(db);

  const found: FoundDuplicate[] = [];
  const scoreAgainst = similarityTo(text);
  for (const row of result.rows) {
    const similarity = scoreAgainst(row.description);
    const candidate = proposal(complaint, row, {
      score: similarity.score, trigramSimilarity: Number(row.trigram_similarity), matchingWords: similarity.matchingWords,
    });
    if (candidate) found.push({ ...candidate, description: row.description });
  }
  return rankProposals(found, options.limit ?? DUPLICATE_SHOW_LIMIT);
}

/** The candidate's columns a proposal is built from. */
type ProposalRow = Omit<CandidateRow, 'trigram_similarity'>;

/**
 * Builds the proposal of `row` on `complaint`'s case page, or returns null
 * when their places rule it out or the text score is under the minimum for
 * how their places relate.
 */
function proposal(
  complaint: Complaint,
  row: ProposalRow,
  text: { score: number; trigramSimilarity: number; matchingWords: string[] },
): DuplicateCandidate | null {
  const location = classifyLocation(complaint, row);
  if (location === null) return null;
  const minimum = location.match === 'location_unknown' ? MIN_SCORE_UNKNOWN_LOCATION : MIN_SCORE_KNOWN_LOCATION;
  if (text.score < minimum || text.matchingWords.length === 0) return null;

  const receivedAt = new Date(row.received_at);
  const candidateIsNewer = receivedAt.getTime() > complaint.received_at.getTime()
    || (receivedAt.getTime() === complaint.received_at.getTime() && row.id > complaint.id);
  return {
    id: row.id,
    trackingCode: row.tracking_code,
    status: row.status,
    channel: row.channel,
    receivedAt,
    excerpt: row.description.slice(0, CANDIDATE_EXCERPT_CHARS),
    score: text.score,
    trigramSimilarity: text.trigramSimilarity,
    matchingWords: text.matchingWords.slice(0, MAX_MATCHING_WORDS),
    location: location.match,
    districtName: row.district_name,
    villageName: row.village_name,
    distanceKm: location.distanceKm,
    daysApart: Math.floor(Math.abs(receivedAt.getTime() - complaint.received_at.getTime()) / DAY_MS),
    mergeDuplicateId: candidateIsNewer ? row.id : complaint.id,
    mergeIntoId: candidateIsNewer ? complaint.id : row.id,
  };
}

/** Highest score first; at equal scores the closer place, then the older report. */
function rankProposals<T extends DuplicateCandidate>(candidates: T[], limit: number): T[] {
  const strength: Record<LocationMatch, number> = { same_village: 0, nearby: 1, same_district: 2, location_unknown: 3 };
  return candidates
    .sort((a, b) => b.score - a.score || strength[a.location] - strength[b.location] || a.id - b.id)
    .slice(0, limit);
}

/**
 * Returns the place a stored search of `complaint` depended on besides the
 * window: its kecamatan, desa and coordinates, joined by '|'.
 */
export function duplicatePlaceKey(complaint: Pick<Complaint, 'district_code' | 'village_code' | 'latitude' | 'longitude'>): string {
  return [complaint.district_code, complaint.village_code, complaint.latitude, complaint.longitude].map((value) => value ?? '').join('|');
}

/**
 * Stored proposals read per report before the place and score are checked
 * again. It is well above the 20 a search stores, so candidates that moved
 * away do not hide the ones behind them.
 */
const STORED_READ_LIMIT = 200;

/**
 * Reads the duplicate proposals stored for `complaint`, as
 * `findDuplicateCandidates` would return them. Returns null when the report
 * was never searched, or was searched with another window or at another
 * place; the caller then searches again (`refreshDuplicateProposals`).
 *
 * A stored candidate is checked again as it is now: still open and not
 * merged, not dismissed, within the window, and at a place that still
 * relates to the report's with a high enough score. Its score and matching
 * words are those of the search, since a description does not change.
 * Two indexed reads: the search row and the report's candidates by primary key.
 */
export async function readDuplicateProposals(
  db: Kysely<DB>,
  user: StaffUser,
  complaint: Complaint,
  options: { windowDays: number; limit?: number },
): Promise<DuplicateCandidate[] | null> {
  if (!canUseTriage(user)) return [];
  if (isClosedOrMerged(complaint)) return [];
  const windowMs = options.windowDays * DAY_MS;
  const [search, rows] = await Promise.all([
    db.selectFrom('triage_duplicate_searches').select(['window_days', 'place'])
      .where('complaint_id', '=', complaint.id).executeTakeFirst(),
    sql<ProposalRow & { score: number; trigram_similarity: number; matching_words: string[] }>`
      select c.id, c.tracking_code, c.status, c.channel, c.received_at, left(c.description, ${CANDIDATE_EXCERPT_CHARS}) as description,
             c.district_code, c.village_code, c.latitude, c.longitude, d.name as district_name, v.name as village_name,
             p.score, p.trigram_similarity, p.matching_words
      from triage_duplicate_candidates p
      join complaints c on c.id = p.candidate_id
      left join districts d on d.code = c.district_code
      left join villages v on v.code = c.village_code
      where p.complaint_id = ${complaint.id}
        and ${openCandidate()}
        and ${sameOversight(complaint)}
        and c.received_at between ${new Date(complaint.received_at.getTime() - windowMs)} and ${new Date(complaint.received_at.getTime() + windowMs)}
        and ${notDismissedWith(complaint.id)}
      order by p.score desc, c.id
      limit ${Math.max(STORED_READ_LIMIT, options.limit ?? 0)}
    `.execute(db),
  ]);
  if (!search || search.window_days !== options.windowDays || search.place !== duplicatePlaceKey(complaint)) return null;
  const candidates: DuplicateCandidate[] = [];
  for (const row of rows.rows) {
    const candidate = proposal(complaint, row, {
      score: Number(row.score), trigramSimilarity: Number(row.trigram_similarity), matchingWords: row.matching_words,
    });
    if (candidate) candidates.push(candidate);
  }
  return rankProposals(candidates, options.limit ?? DUPLICATE_SHOW_LIMIT);
}

type LocatedRow = Pick<Complaint, 'district_code' | 'village_code' | 'latitude' | 'longitude'>;

/**
 * Classifies where two reports are relative to each other, or returns null
 * when they are in different kecamatan and not within NEARBY_KM.
 */
export function classifyLocation(a: LocatedRow, b: LocatedRow): { match: LocationMatch; distanceKm: number | null } | null {
  const distanceKm = a.latitude !== null && a.longitude !== null && b.latitude !== null && b.longitude !== null
    ? haversineKm(a.latitude, a.longitude, b.latitude, b.longitude)
    : null;
  if (a.village_code !== null && a.village_code === b.village_code) return { match: 'same_village', distanceKm };
  if (distanceKm !== null && distanceKm <= NEARBY_KM) return { match: 'nearby', distanceKm };
  if (a.district_code !== null && a.district_code === b.district_code) return { match: 'same_district', distanceKm };
  if (a.district_code === null || b.district_code === null) return { match: 'location_unknown', distanceKm };
  return null;
}

/** Great-circle distance in kilometres on a sphere of radius 6371 km. */
export function haversineKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const radians = (degrees: number) => (degrees * Math.PI) / 180;
  const dLat = radians(lat2 - lat1);
  const dLon = radians(lon2 - lon1);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(radians(lat1)) * Math.cos(radians(lat2)) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}

// Model versions and their accuracy.

export interface ModelVersionRow {
  id: number;
  kind: TriageKind;
  version: string;
  source: TriageModelSource;
  trainedAt: Date;
  trainingSize: number;
  testSize: number;
  labelCount: number;
  metrics: StoredTriageMetrics | null;
  active: boolean;
  activatedAt: Date | null;
}

/** Lists stored model versions, newest first within each kind, without the serialised models. */
export async function listModelVersions(db: Kysely<DB>): Promise<ModelVersionRow[]> {
  const rows = await db
    .selectFrom('triage_models')
    .select(['id', 'kind', 'version', 'source', 'trained_at', 'training_size', 'test_size', 'label_counts', 'metrics', 'active', 'activated_at'])
    .orderBy('kind')
    .orderBy('trained_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    kind: row.kind,
    version: row.version,
    source: row.source,
    trainedAt: row.trained_at,
    trainingSize: row.training_size,
    testSize: row.test_size,
    labelCount: Object.keys(row.label_counts ?? {}).length,
    metrics: row.metrics,
    active: row.active,
    activatedAt: row.activated_at,
  }));
}

export interface VersionAccuracy {
  kind: TriageKind;
  modelVersion: string;
  /** Suggestions this version made. */
  suggestions: number;
  /** Of those, suggestions on complaints an officer has decided. */
  decided: number;
  /** Decided suggestions whose top-1 label equals the officer's decision. */
  matched: number;
  /** matched / decided, or null while nothing is decided. */
  accuracy: number | null;
}

/**
 * Measures each model version against the officers: the share of its
 * suggestions whose top-1 label equals the final decision. The decision is
 * the complaint's current type, category or agency once a `verified` event
 * exists (an agency of kind kecamatan or kelurahan counts as
 * REGIONAL_AGENCY_LABEL). For relevance it is `report` once an officer
 * verified, answered, dispatched or forwarded the message, and `noise` once
 * it was archived as spam or not a report.
 */
export async function accuracyByVersion(db: Kysely<DB>): Promise<VersionAccuracy[]> {
  const result = await sql<{ kind: TriageKind; model_version: string; suggestions: number; decided: number; matched: number }>`
    select s.kind, s.model_version,
           count(*)::int as suggestions,
           count(d.decision)::int as decided,
           count(*) filter (where d.decision = s.top_label)::int as matched
    from triage_suggestions s
    join complaints c on c.id = s.complaint_id
    left join categories cat on cat.id = c.category_id
    left join agencies a on a.id = c.agency_id
    cross join lateral (
      select case
        when s.kind = 'relevance' then
          case when ${reportDecisionCondition()} then ${RELEVANCE_REPORT}::text
               when ${noiseDecisionCondition()} then ${RELEVANCE_NOISE}::text end
        when not ${verifiedCondition()} then null
        when s.kind = 'type' then c.type
        when s.kind = 'category' then cat.code
        when s.kind = 'agency' then ${agencyLabelExpression()}
      end as decision
    ) d
    group by s.kind, s.model_version
    order by s.kind, s.model_version
  `.execute(db);
  return result.rows.map((row) => ({
    kind: row.kind,
    modelVersion: row.model_version,
    suggestions: Number(row.suggestions),
    decided: Number(row.decided),
    matched: Number(row.matched),
    accuracy: Number(row.decided) > 0 ? Number(row.matched) / Number(row.decided) : null,
  }));
}
