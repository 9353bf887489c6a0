/**
 * Read models of the fast-answer features: settings, canned answers with
 * their usage and stale flag, FAQ search and matching, the duty roster, the
 * acknowledgement a citizen sees, and officers' notification settings.
 *
 * FAQ matching reads a citizen's free text, which rarely shares every word
 * with an article. It keeps the words that carry a topic (`tokenize` with
 * slang expanded, minus function words), stems them with PostgreSQL's
 * `indonesian` configuration, and finds articles that share at least
 * FAQ_MIN_SHARED_LEXEMES of those stems, one of them in the article's
 * question, ranked by `ts_rank`.
 */
import { sql, type Kysely } from 'kysely';
import type { Complaint, DB, FaqStatus } from '../db/schema.ts';
import type { Channel, StaffUser } from '../domain/types.ts';
import { CHANNELS } from '../domain/types.ts';
import { tokenize } from '../domain/triage/normalize.ts';
import { SIMILARITY_STOP_WORDS } from '../domain/triage/similarity.ts';
import { DEFAULT_TEMPLATE_STALE_DAYS, isTemplateStale, mayManageAnswers, mayUseTemplate } from '../domain/templates.ts';
import { ROSTER_ROLES, type DutyShift } from '../domain/roster.ts';
import type { Weekday } from '../domain/time.ts';
import { wibDate } from '../domain/time.ts';
import { OPEN_STATUSES } from '../domain/lifecycle.ts';

type Queryable = Kysely<DB>;

export interface AnswerSettings {
  maxOpenCases: number;
  templateStaleDays: number;
}

/** Returns the one settings row; the migration inserts it, so defaults apply only to a damaged table. */
export async function getAnswerSettings(db: Queryable): Promise<AnswerSettings> {
  const row = await db.selectFrom('answer_settings').select(['max_open_cases', 'template_stale_days']).executeTakeFirst();
  return { maxOpenCases: row?.max_open_cases ?? 25, templateStaleDays: row?.template_stale_days ?? DEFAULT_TEMPLATE_STALE_DAYS };
}

// ---------------------------------------------------------------------------
// Canned answers

/** Maximum search text length, because the cost of a full-text query grows with it. */
export const MAX_SEARCH_CHARS = 200;
/** Templates listed per page of the management list and offered in the picker. */
export const TEMPLATE_LIST_LIMIT = 200;
export const TEMPLATE_PICKER_LIMIT = 5;

export interface TemplateRow {
  id: number;
  title: string;
  bodyId: string;
  bodyEn: string | null;
  categoryId: number | null;
  categoryName: string | null;
  agencyId: number | null;
  agencyName: string | null;
  ownerUserId: number;
  ownerName: string;
  lastReviewedOn: string;
  active: boolean;
  /** Answers sent with this template, counted from the events that name it. */
  usageCount: number;
  stale: boolean;
  /** Whether the user who asked may edit it. */
  editable: boolean;
}

export interface TemplateFilters {
  q?: string;
  categoryId?: number;
  agencyId?: number;
  /** Include deactivated templates (management list). */
  includeInactive?: boolean;
  staleOnly?: boolean;
}

/**
 * Lists the templates a user may use, with usage counts and the stale flag.
 * A search text is matched with `websearch_to_tsquery('indonesian', …)`.
 *
 * @example await listTemplates(db, user, { q: 'pohon' })
 */
export async function listTemplates(db: Queryable, user: StaffUser, filters: TemplateFilters = {}, now = new Date()): Promise<TemplateRow[]> {
  const settings = await getAnswerSettings(db);
  let query = db
    .selectFrom('answer_templates as t')
    .innerJoin('users as o', 'o.id', 't.owner_user_id')
    .leftJoin('categories as c', 'c.id', 't.category_id')
    .leftJoin('agencies as a', 'a.id', 't.agency_id')
    .select([
      't.id', 't.title', 't.body_id', 't.body_en', 't.category_id', 'c.name as category_name', 't.agency_id', 'a.name as agency_name',
      't.owner_user_id', 'o.name as owner_name', 't.last_reviewed_on', 't.active',
      (eb) => eb
        .selectFrom('complaint_events as e')
        .select((inner) => inner.fn.countAll<number>().as('n'))
        .where(sql<boolean>`e.data ? 'templateId'`)
        .where(sql<boolean>`e.data->>'templateId' = t.id::text`)
        .as('usage_count'),
    ]);
  // Agency officers see their agency's templates and the general ones; leaders see none.
  if (user.role === 'agency_officer') {
    const agencyId = user.agencyId ?? -1;
    query = query.where((eb) => eb.or([eb('t.agency_id', 'is', null), eb('t.agency_id', '=', agencyId)]));
  } else if (user.role === 'leader') {
    query = query.where('t.id', '=', -1);
  }
  if (!filters.includeInactive) query = query.where('t.active', '=', true);
  if (filters.categoryId !== undefined) query = query.where('t.category_id', '=', filters.categoryId);
  if (filters.agencyId !== undefined) query = query.where('t.agency_id', '=', filters.agencyId);
  const q = filters.q?.trim().slice(0, MAX_SEARCH_CHARS);
  if (q) {
    query = query
      .where(sql<boolean>`t.search @@ websearch_to_tsquery('indonesian', ${q})`)
      .orderBy(sql`ts_rank(t.search, websearch_to_tsquery('indonesian', ${q}))`, 'desc');
  }
  const rows = await query.orderBy('t.title').limit(TEMPLATE_LIST_LIMIT).execute();
  const today = wibDate(now);
  const result = rows.map((row) => ({
    id: row.id,
    title: row.title,
    bodyId: row.body_id,
    bodyEn: row.body_en,
    categoryId: row.category_id,
    categoryName: row.category_name,
    agencyId: row.agency_id,
    agencyName: row.agency_name,
    ownerUserId: row.owner_user_id,
    ownerName: row.owner_name,
    lastReviewedOn: row.last_reviewed_on,
    active: row.active,
    usageCount: Number(row.usage_count ?? 0),
    stale: isTemplateStale(row.last_reviewed_on, today, settings.templateStaleDays),
    editable: mayManageAnswers(user, row.agency_id),
  }));
  return filters.staleOnly ? result.filter((row) => row.stale) : result;
}

/** Returns one template the user may use, or undefined. */
export async function getTemplate(db: Queryable, user: StaffUser, id: number) {
  if (!Number.isSafeInteger(id) || id <= 0) return undefined;
  const row = await db.selectFrom('answer_templates').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row || !mayUseTemplate(user, row.agency_id)) return undefined;
  return row;
}

/**
 * Returns the templates to offer on a case: active templates the user may
 * use, for the case's category and agency or for any, best first. A search
 * text decides the order when given. Without one, the case's own description
 * is matched word by word, so a fitting template shows up without typing.
 */
export async function suggestTemplates(
  db: Queryable,
  user: StaffUser,
  complaint: Pick<Complaint, 'category_id' | 'agency_id' | 'description'>,
  q?: string,
): Promise<TemplateRow[]> {
  const text = q?.trim().slice(0, MAX_SEARCH_CHARS);
  const rows = await listTemplates(db, user, text ? { q: text } : {});
  const fits = rows.filter(
    (row) => (row.categoryId === null || row.categoryId === complaint.category_id) && (row.agencyId === null || row.agencyId === complaint.agency_id),
  );
  if (text) return fits.slice(0, TEMPLATE_PICKER_LIMIT);

  const lexemes = await contentLexemes(db, complaint.description);
  const shared = await sharedLexemeCounts(db, 'answer_templates', fits.map((row) => row.id), lexemes);
  // Same category first, then the most shared words, then the most used.
  return fits
    .map((row) => ({ row, shared: shared.get(row.id) ?? 0, sameCategory: row.categoryId !== null ? 1 : 0 }))
    .sort((a, b) => b.sameCategory - a.sameCategory || b.shared - a.shared || b.row.usageCount - a.row.usageCount || a.row.title.localeCompare(b.row.title))
    .slice(0, TEMPLATE_PICKER_LIMIT)
    .map((entry) => entry.row);
}

// ---------------------------------------------------------------------------
// FAQ

/** Question words and fillers that say nothing about a question's topic, beyond SIMILARITY_STOP_WORDS. */
const QUESTION_STOP_WORDS: ReadonlySet<string> = new Set([
  'apakah', 'bagaimanakah', 'gimana', 'berapa', 'kapan', 'dimana', 'mana', 'siapa', 'cara', 'caranya', 'tanya', 'bertanya',
  'informasi', 'info', 'minta', 'boleh', 'harus', 'perlu', 'dapat', 'tidak', 'belum', 'bila', 'jika', 'gak', 'nggak', 'mengapa',
  'kenapa', 'adakah', 'kah', 'hal', 'terkait', 'mengenai', 'tentang', 'seperti', 'sebagai', 'tersebut', 'kalau', 'tetapi', 'tapi',
]);

/**
 * Stems so common in reports that sharing them says nothing: requests and
 * offices ("permohonan", "mengajukan", "dinas", "petugas"), and "jalan",
 * which most reports carry as part of an address. With these dropped and a
 * shared stem required in the question, an article on tree pruning matched
 * 65 of 120 Surabaya Media Center reports of that topic and 16 of 400 reports
 * of other topics (82 and 87 without both rules).
 */
const GENERIC_LEXEMES: ReadonlySet<string> = new Set([
  'aju', 'mohon', 'dinas', 'tugas', 'lokasi', 'urus', 'layan', 'daerah', 'kabupaten', 'kota', 'pemerintah', 'bantu', 'tolong', 'jalan', 'warga', 'foto',
]);

/** Articles must share at least this many topic stems with the text to match it (fewer when the text has fewer). */
export const FAQ_MIN_SHARED_LEXEMES = 2;
/** Suggestions offered while typing and before filing a question. */
export const FAQ_SUGGESTION_LIMIT = 3;
/** Articles per page of the public FAQ. */
export const FAQ_PAGE_SIZE = 50;
/** Maximum text length read for matching, in characters. A report can have 5000, and its start carries the topic. */
const MATCH_TEXT_CHARS = 1500;

/** Returns the topic words of a text: slang expanded, personal data and function words dropped. */
export function topicWords(text: string): string[] {
  return tokenize(text.slice(0, MATCH_TEXT_CHARS)).filter(
    (word) => word.length >= 3 && !SIMILARITY_STOP_WORDS.has(word) && !QUESTION_STOP_WORDS.has(word) && !/^\d+$/.test(word),
  );
}

/** Stems the topic words of a text with the `indonesian` configuration; returns distinct lexemes. */
async function contentLexemes(db: Queryable, text: string): Promise<string[]> {
  const words = topicWords(text);
  if (words.length === 0) return [];
  const result = await sql<{ lexeme: string }>`SELECT unnest(tsvector_to_array(to_tsvector('indonesian', ${words.join(' ')}))) AS lexeme`.execute(db);
  return result.rows.map((row) => row.lexeme).filter((lexeme) => !GENERIC_LEXEMES.has(lexeme));
}

/** Counts, per row id, how many of `lexemes` a table's `search` vector contains. */
async function sharedLexemeCounts(db: Queryable, table: 'answer_templates' | 'faq_articles', ids: number[], lexemes: string[]): Promise<Map<number, number>> {
  if (ids.length === 0 || lexemes.length === 0) return new Map();
  const result = await sql<{ id: number; shared: number }>`
    SELECT t.id, cardinality(ARRAY(SELECT unnest(tsvector_to_array(t.search)) INTERSECT SELECT unnest(${lexemes}::text[]))) AS shared
    FROM ${sql.table(table)} AS t
    WHERE t.id = ANY(${ids}::int[])`.execute(db);
  return new Map(result.rows.map((row) => [row.id, Number(row.shared)]));
}

export interface FaqRow {
  id: number;
  question: string;
  questionEn: string | null;
  answer: string;
  answerEn: string | null;
  categoryId: number | null;
  categoryCode: string | null;
  categoryName: string | null;
  categoryNameEn: string | null;
  agencyId: number | null;
  agencyCode: string | null;
  agencyName: string | null;
  status: FaqStatus;
  updatedAt: Date;
  publishedAt: Date | null;
  sourceComplaintId: number | null;
  /** Times a citizen said the article answered their question. */
  selfServiceCount: number;
}

function faqBaseQuery(db: Queryable) {
  return db
    .selectFrom('faq_articles as f')
    .leftJoin('categories as c', 'c.id', 'f.category_id')
    .leftJoin('agencies as a', 'a.id', 'f.agency_id')
    .select([
      'f.id', 'f.question', 'f.question_en', 'f.answer', 'f.answer_en', 'f.category_id', 'c.code as category_code', 'c.name as category_name',
      'c.name_en as category_name_en', 'f.agency_id', 'a.code as agency_code', 'a.name as agency_name', 'f.status', 'f.updated_at',
      'f.published_at', 'f.source_complaint_id',
      (eb) => eb.selectFrom('faq_self_service_answers as s').select((inner) => inner.fn.countAll<number>().as('n')).whereRef('s.faq_id', '=', 'f.id').as('self_service_count'),
    ]);
}

type FaqQueryRow = Awaited<ReturnType<ReturnType<typeof faqBaseQuery>['execute']>>[number];

function toFaqRow(row: FaqQueryRow): FaqRow {
  return {
    id: row.id,
    question: row.question,
    questionEn: row.question_en,
    answer: row.answer,
    answerEn: row.answer_en,
    categoryId: row.category_id,
    categoryCode: row.category_code,
    categoryName: row.category_name,
    categoryNameEn: row.category_name_en,
    agencyId: row.agency_id,
    agencyCode: row.agency_code,
    agencyName: row.agency_name,
    status: row.status,
    updatedAt: row.updated_at,
    publishedAt: row.published_at,
    sourceComplaintId: row.source_complaint_id,
    selfServiceCount: Number(row.self_service_count ?? 0),
  };
}

export interface FaqSearch {
  q?: string;
  categoryCode?: string;
  agencyCode?: string;
}

/**
 * Searches the published FAQ for the public portal. A search text is
 * matched like a citizen's question (see the module comment); without one,
 * every published article is listed, grouped by category and agency.
 */
export async function searchPublishedFaq(db: Queryable, search: FaqSearch = {}): Promise<FaqRow[]> {
  let query = faqBaseQuery(db).where('f.status', '=', 'published');
  if (search.categoryCode) query = query.where('c.code', '=', search.categoryCode);
  if (search.agencyCode) query = query.where('a.code', '=', search.agencyCode);
  const q = search.q?.trim().slice(0, MAX_SEARCH_CHARS);
  if (q) {
    const matches = await matchFaqIds(db, q, FAQ_PAGE_SIZE);
    if (matches.length === 0) return [];
    const rows = (await query.where('f.id', 'in', matches).execute()).map(toFaqRow);
    return rows.sort((a, b) => matches.indexOf(a.id) - matches.indexOf(b.id));
  }
  const rows = await query.orderBy('c.name').orderBy('a.name').orderBy('f.question').limit(FAQ_PAGE_SIZE * 10).execute();
  return rows.map(toFaqRow);
}

/**
 * Returns ids of published articles that match a citizen's text, best first.
 *
 * @example await matchFaqIds(db, 'bagaimana cara mengajukan pemangkasan pohon di depan rumah', 3)
 */
export async function matchFaqIds(db: Queryable, text: string, limit = FAQ_SUGGESTION_LIMIT): Promise<number[]> {
  const lexemes = await contentLexemes(db, text);
  if (lexemes.length === 0) return [];
  const minShared = Math.min(FAQ_MIN_SHARED_LEXEMES, lexemes.length);
  const result = await sql<{ id: number }>`
    WITH q AS (
      SELECT array_to_string(ARRAY(SELECT quote_literal(l) FROM unnest(${lexemes}::text[]) AS l), ' | ')::tsquery AS query
    )
    SELECT f.id
    FROM faq_articles AS f, q
    WHERE f.status = 'published'
      AND f.search @@ q.query
      AND cardinality(ARRAY(SELECT unnest(tsvector_to_array(f.search)) INTERSECT SELECT unnest(${lexemes}::text[]))) >= ${minShared}
      -- At least one shared stem must be in the question itself (weight A), not only in the answer.
      AND cardinality(ARRAY(SELECT unnest(tsvector_to_array(ts_filter(f.search, '{a}'))) INTERSECT SELECT unnest(${lexemes}::text[]))) >= 1
    ORDER BY ts_rank(f.search, q.query) DESC, f.id
    LIMIT ${limit}`.execute(db);
  return result.rows.map((row) => row.id);
}

/** Returns the published articles that match a citizen's text, best first (see `matchFaqIds`). */
export async function matchFaqArticles(db: Queryable, text: string, limit = FAQ_SUGGESTION_LIMIT): Promise<FaqRow[]> {
  const ids = await matchFaqIds(db, text, limit);
  if (ids.length === 0) return [];
  const rows = (await faqBaseQuery(db).where('f.id', 'in', ids).execute()).map(toFaqRow);
  return rows.sort((a, b) => ids.indexOf(a.id) - ids.indexOf(b.id));
}

/** Returns one article; `publishedOnly` for the public portal. */
export async function getFaqArticle(db: Queryable, id: number, options: { publishedOnly: boolean }): Promise<FaqRow | undefined> {
  if (!Number.isSafeInteger(id) || id <= 0) return undefined;
  let query = faqBaseQuery(db).where('f.id', '=', id);
  if (options.publishedOnly) query = query.where('f.status', '=', 'published');
  const row = await query.executeTakeFirst();
  return row ? toFaqRow(row) : undefined;
}

/** Lists articles for the back office: every status, the user's agency only for agency officers. */
export async function listFaqForStaff(db: Queryable, user: StaffUser, status?: FaqStatus): Promise<FaqRow[]> {
  let query = faqBaseQuery(db);
  if (status) query = query.where('f.status', '=', status);
  if (user.role === 'agency_officer') query = query.where('f.agency_id', '=', user.agencyId ?? -1);
  if (user.role === 'leader') query = query.where('f.status', '=', 'published');
  const rows = await query.orderBy('f.status').orderBy('f.updated_at', 'desc').limit(FAQ_PAGE_SIZE * 10).execute();
  return rows.map(toFaqRow);
}

// ---------------------------------------------------------------------------
// Duty roster

export interface RosterShiftRow extends DutyShift {
  userName: string;
  userActive: boolean;
}

function toChannels(values: string[]): Channel[] {
  return values.filter((value): value is Channel => (CHANNELS as readonly string[]).includes(value));
}

/** Returns every shift with its officer, ordered by weekday and start. */
export async function listShifts(db: Queryable): Promise<RosterShiftRow[]> {
  const rows = await db
    .selectFrom('duty_shifts as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select(['s.id', 's.user_id', 's.weekday', 's.start_minute', 's.end_minute', 's.channels', 's.on_holidays', 'u.name', 'u.active'])
    .orderBy('s.weekday')
    .orderBy('s.start_minute')
    .orderBy('u.name')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    userId: row.user_id,
    weekday: row.weekday as Weekday,
    startMinute: row.start_minute,
    endMinute: row.end_minute,
    channels: toChannels(row.channels),
    onHolidays: row.on_holidays,
    userName: row.name,
    userActive: row.active,
  }));
}

/** Returns one officer's shifts (their working hours for notifications). */
export async function shiftsOfUser(db: Queryable, userId: number): Promise<DutyShift[]> {
  return (await listShifts(db)).filter((shift) => shift.userId === userId);
}

/** Active staff who can be put on the roster. */
export async function listRosterOfficers(db: Queryable): Promise<{ id: number; name: string; role: string }[]> {
  return db
    .selectFrom('users')
    .select(['id', 'name', 'role'])
    .where('active', '=', true)
    .where('role', 'in', [...ROSTER_ROLES])
    .orderBy('name')
    .execute();
}

export interface AbsenceRow {
  id: number;
  userId: number;
  userName: string;
  startsOn: string;
  endsOn: string;
  note: string | null;
}

/** Absences that end on or after a WIB date. */
export async function listAbsences(db: Queryable, fromDate: string): Promise<AbsenceRow[]> {
  const rows = await db
    .selectFrom('duty_absences as a')
    .innerJoin('users as u', 'u.id', 'a.user_id')
    .select(['a.id', 'a.user_id', 'u.name', 'a.starts_on', 'a.ends_on', 'a.note'])
    .where('a.ends_on', '>=', fromDate)
    .orderBy('a.starts_on')
    .execute();
  return rows.map((row) => ({ id: row.id, userId: row.user_id, userName: row.name, startsOn: row.starts_on, endsOn: row.ends_on, note: row.note }));
}

/** Counts each officer's open cases. */
export async function openCaseCounts(db: Queryable, userIds: number[]): Promise<Map<number, number>> {
  if (userIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('complaints')
    .select(['assigned_user_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('assigned_user_id', 'in', userIds)
    .where('status', 'in', [...OPEN_STATUSES])
    .groupBy('assigned_user_id')
    .execute();
  return new Map(rows.map((row) => [row.assigned_user_id!, Number(row.n)]));
}

// ---------------------------------------------------------------------------
// Acknowledgement and assignment shown on pages

export interface ReportAcknowledgement {
  /** WIB date by which the citizen can expect an answer: the verification deadline. */
  expectedBy: string | null;
  /** The report arrived outside duty hours and waits for the next shift. */
  queued: boolean;
  /** When the next shift starts, for a queued report. */
  nextShiftAt: Date | null;
}

/** Returns what the confirmation page shows the citizen about when to expect an answer. */
export async function getReportAcknowledgement(db: Queryable, complaintId: number): Promise<ReportAcknowledgement> {
  const [deadline, acknowledgement] = await Promise.all([
    db.selectFrom('complaint_deadlines').select('due_date').where('complaint_id', '=', complaintId).where('clock', '=', 'verification').executeTakeFirst(),
    db
      .selectFrom('complaint_events')
      .select('data')
      .where('complaint_id', '=', complaintId)
      .where('type', '=', 'acknowledged')
      .orderBy('id', 'desc')
      .executeTakeFirst(),
  ]);
  const data = acknowledgement?.data ?? {};
  const expectedBy = typeof data.expectedBy === 'string' ? data.expectedBy : (deadline?.due_date ?? null);
  const nextShiftAt = typeof data.nextShiftAt === 'string' ? new Date(data.nextShiftAt) : null;
  return { expectedBy, queued: acknowledgement !== undefined, nextShiftAt };
}

/** Returns the officer holding a case, for the case page. */
export async function getAssignee(db: Queryable, complaint: Pick<Complaint, 'assigned_user_id'>): Promise<{ id: number; name: string } | null> {
  if (complaint.assigned_user_id === null) return null;
  const row = await db.selectFrom('users').select(['id', 'name']).where('id', '=', complaint.assigned_user_id).executeTakeFirst();
  return row ?? null;
}

// ---------------------------------------------------------------------------
// Notification settings

export interface NotificationPreferences {
  emailEnabled: boolean;
  telegramChatId: string | null;
  telegramEnabled: boolean;
  whatsappNumber: string | null;
  whatsappEnabled: boolean;
  dailyDigest: boolean;
}

/** E-mail only, one message per event: what an officer who never opened the settings gets. */
export const DEFAULT_NOTIFICATION_PREFERENCES: NotificationPreferences = {
  emailEnabled: true,
  telegramChatId: null,
  telegramEnabled: false,
  whatsappNumber: null,
  whatsappEnabled: false,
  dailyDigest: false,
};

export async function getNotificationPreferences(db: Queryable, userId: number): Promise<NotificationPreferences> {
  const row = await db.selectFrom('notification_preferences').selectAll().where('user_id', '=', userId).executeTakeFirst();
  if (!row) return { ...DEFAULT_NOTIFICATION_PREFERENCES };
  return {
    emailEnabled: row.email_enabled,
    telegramChatId: row.telegram_chat_id,
    telegramEnabled: row.telegram_enabled,
    whatsappNumber: row.whatsapp_number,
    whatsappEnabled: row.whatsapp_enabled,
    dailyDigest: row.daily_digest,
  };
}

/** Lists the officer's latest notifications, newest first, for their settings page. */
export async function listRecentNotifications(db: Queryable, userId: number, limit = 20) {
  return db
    .selectFrom('officer_notifications as n')
    .innerJoin('complaints as c', 'c.id', 'n.complaint_id')
    .select(['n.id', 'n.kind', 'n.channel', 'n.delivery', 'n.status', 'n.created_at', 'n.sent_at', 'n.next_attempt_at', 'n.attempts', 'c.id as complaint_id', 'c.tracking_code'])
    .where('n.user_id', '=', userId)
    .orderBy('n.created_at', 'desc')
    .orderBy('n.id', 'desc')
    .limit(limit)
    .execute();
}
