/**
 * Read models of complaints for staff: the inbox list with its filters and
 * the case detail. Every query goes through `scopeComplaints`, so an agency
 * officer's list, search and detail can only return their agency's cases.
 */
import { sql, type Kysely } from 'kysely';
import type { Complaint, DB } from '../db/schema.ts';
import type { Channel, ClockName, ClockStatus, ComplaintStatus, StaffUser } from '../domain/types.ts';
import { OPEN_STATUSES } from '../domain/lifecycle.ts';
import { cleanText } from '../domain/text.ts';
import { excludeLowPriority } from './triage.ts';
import { canSeeComplaint, identityAccess, scopeComplaints } from '../policies/complaints.ts';
import { redactIdentity } from '../domain/templates.ts';
import { maskPersonNames } from '../domain/person-names.ts';

export const PAGE_SIZE_DEFAULT = 25;
export const PAGE_SIZE_MAX = 100;

export interface InboxFilters {
  status?: ComplaintStatus[];
  /** Agency code. */
  agency?: string;
  /** Category code. */
  category?: string;
  channel?: Channel;
  /** Kecamatan code. */
  district?: string;
  /** Only complaints with a running clock past its deadline. */
  overdue?: boolean;
  /** Full-text search with the `indonesian` configuration, or a tracking code. */
  q?: string;
  page?: number;
  pageSize?: number;
}

export interface InboxRow {
  id: number;
  trackingCode: string;
  type: string | null;
  status: ComplaintStatus;
  channel: Channel;
  receivedAt: Date;
  excerpt: string;
  categoryCode: string | null;
  categoryName: string | null;
  agencyCode: string | null;
  agencyName: string | null;
  districtName: string | null;
  oversight: boolean;
  /** Earliest deadline of a running clock. */
  nextDueAt: Date | null;
  overdue: boolean;
}

export interface InboxPage {
  rows: InboxRow[];
  /** Matching complaints, counted up to TOTAL_COUNT_CAP; see `totalCapped`. */
  total: number;
  /** True when more than TOTAL_COUNT_CAP complaints match and `total` is that cap. */
  totalCapped: boolean;
  page: number;
  pageSize: number;
}

/**
 * Counting every match costs 100–500 ms at a million complaints while the page
 * itself takes a few milliseconds, so the total stops at this many.
 */
export const TOTAL_COUNT_CAP = 10_000;

// Longest excerpt shown in the inbox list; the case page shows the full text.
const EXCERPT_CHARS = 160;
/** Characters read past the excerpt, so that the masks match whole numbers and addresses before the cut. */
const EXCERPT_MASK_MARGIN = 40;

/**
 * Returns the inbox excerpt as the user may read it. Complaint officers, who
 * have full identity access, get it as written. Everyone else gets it masked
 * as on the case page: the reporter's name, typed numbers and addresses, and
 * names of people.
 */
function listExcerpt(user: StaffUser, row: { excerpt: string; reporter_name: string | null; privacy: Complaint['privacy']; agency_id: number | null; status: ComplaintStatus; status_before_hold: ComplaintStatus | null; oversight: boolean }): string {
  if (identityAccess(user, row) === 'full') return row.excerpt.slice(0, EXCERPT_CHARS);
  return maskPersonNames(redactIdentity(row.excerpt, { name: row.reporter_name, contacts: [] })).slice(0, EXCERPT_CHARS);
}

export async function listComplaints(db: Kysely<DB>, user: StaffUser, filters: InboxFilters, now = new Date()): Promise<InboxPage> {
  const pageSize = Math.min(Math.max(filters.pageSize ?? PAGE_SIZE_DEFAULT, 1), PAGE_SIZE_MAX);
  const page = Math.max(filters.page ?? 1, 1);

  // Messages the triage model judged to be noise wait in their own queue, not in the inbox.
  let query = excludeLowPriority(scopeComplaints(user, db.selectFrom('complaints')));
  if (filters.status?.length) query = query.where('complaints.status', 'in', filters.status);
  if (filters.channel) query = query.where('complaints.channel', '=', filters.channel);
  if (filters.district) query = query.where('complaints.district_code', '=', filters.district);
  // Codes are resolved to ids first: with the id as a constant the planner knows how many
  // reports match and can stop an index scan at the count cap. With a subquery it guessed,
  // chose a bitmap scan that reads every match, and took 120–360 ms at a million complaints.
  if (filters.agency) {
    const agency = await db.selectFrom('agencies').select('id').where('code', '=', filters.agency).executeTakeFirst();
    query = query.where('complaints.agency_id', '=', agency?.id ?? -1);
  }
  if (filters.category) {
    const category = await db.selectFrom('categories').select('id').where('code', '=', filters.category).executeTakeFirst();
    query = query.where('complaints.category_id', '=', category?.id ?? -1);
  }
  if (filters.overdue) {
    // Overdue reports are listed by their earliest missed deadline, oldest first, through
    // the partial indexes on complaints.next_due_at (migrations/0011), so a page reads
    // about one index entry per row whatever the table's size.
    query = query.where('complaints.next_due_at', '<', now);
  }
  const q = filters.q === undefined ? undefined : cleanText(filters.q).trim();
  if (q) {
    const code = q.toUpperCase();
    query = query.where((eb) =>
      eb.or([
        eb('complaints.tracking_code', '=', code),
        sql<boolean>`complaints.search @@ websearch_to_tsquery('indonesian', ${q})`,
      ]),
    );
  }

  const totalRow = await db
    .selectFrom(query.select(sql`1`.as('one')).limit(TOTAL_COUNT_CAP + 1).as('capped'))
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const counted = Number(totalRow.n);
  const rows = await query
    .leftJoin('categories', 'categories.id', 'complaints.category_id')
    .leftJoin('agencies', 'agencies.id', 'complaints.agency_id')
    .leftJoin('districts', 'districts.code', 'complaints.district_code')
    .select([
      'complaints.id',
      'complaints.tracking_code',
      'complaints.type',
      'complaints.status',
      'complaints.channel',
      'complaints.received_at',
      'complaints.oversight',
      // A little more than is shown, so that a number cut at the end is still whole when it is masked.
      sql<string>`left(complaints.description, ${EXCERPT_CHARS + EXCERPT_MASK_MARGIN})`.as('excerpt'),
      sql<string | null>`(select r.name from reporters r where r.id = complaints.reporter_id)`.as('reporter_name'),
      'complaints.privacy',
      'complaints.agency_id',
      'complaints.status_before_hold',
      'categories.code as category_code',
      'categories.name as category_name',
      'agencies.code as agency_code',
      'agencies.name as agency_name',
      'districts.name as district_name',
      'complaints.next_due_at',
    ])
    .$if(Boolean(filters.overdue), (ordered) => ordered.orderBy('complaints.next_due_at').orderBy('complaints.id'))
    .$if(!filters.overdue, (ordered) => ordered.orderBy('complaints.received_at', 'desc').orderBy('complaints.id', 'desc'))
    .limit(pageSize)
    .offset((page - 1) * pageSize)
    .execute();

  return {
    total: Math.min(counted, TOTAL_COUNT_CAP),
    totalCapped: counted > TOTAL_COUNT_CAP,
    page,
    pageSize,
    rows: rows.map((row) => {
      const nextDueAt = row.next_due_at ? new Date(row.next_due_at as unknown as string) : null;
      return {
        id: row.id,
        trackingCode: row.tracking_code,
        type: row.type,
        status: row.status,
        channel: row.channel,
        receivedAt: row.received_at,
        excerpt: listExcerpt(user, row),
        categoryCode: row.category_code,
        categoryName: row.category_name,
        agencyCode: row.agency_code,
        agencyName: row.agency_name,
        districtName: row.district_name,
        oversight: row.oversight,
        nextDueAt,
        overdue: nextDueAt !== null && nextDueAt < now && OPEN_STATUSES.includes(row.status),
      };
    }),
  };
}

export interface ComplaintDetail {
  complaint: Complaint;
  category: { code: string; name: string; nameEn: string | null } | null;
  agency: { code: string; name: string } | null;
  district: { code: string; name: string } | null;
  village: { code: string; name: string } | null;
  events: {
    id: number;
    type: string;
    at: Date;
    actorKind: string;
    actorName: string | null;
    agencyName: string | null;
    visibility: 'public' | 'internal';
    body: string | null;
    data: Record<string, unknown>;
  }[];
  deadlines: {
    clock: ClockName;
    startedAt: Date | null;
    dueDate: string | null;
    dueAt: Date | null;
    stoppedAt: Date | null;
    status: ClockStatus;
    calendarMissing: boolean;
  }[];
  attachments: { id: number; fileName: string; mimeType: string; sizeBytes: number; publicApproved: boolean }[];
  mergedInto: { id: number; trackingCode: string } | null;
  /**
   * The reporter's name and contact values, loaded only so that presenters can
   * hide them where a citizen typed them into free text. Never shown.
   */
  knownIdentity: { name: string | null; contacts: string[] };
}

/** Loads one complaint for a user, or undefined when it does not exist or the user may not see it. */
export async function getComplaintDetail(db: Kysely<DB>, user: StaffUser | null, complaintId: number): Promise<ComplaintDetail | undefined> {
  if (!Number.isSafeInteger(complaintId) || complaintId <= 0) return undefined;
  const complaint = await db.selectFrom('complaints').selectAll().where('id', '=', complaintId).executeTakeFirst();
  if (!complaint) return undefined;
  if (user && !canSeeComplaint(user, complaint)) return undefined;
  return loadDetail(db, complaint);
}

export async function getComplaintByTrackingCode(db: Kysely<DB>, trackingCode: string): Promise<ComplaintDetail | undefined> {
  const complaint = await db.selectFrom('complaints').selectAll().where('tracking_code', '=', trackingCode).executeTakeFirst();
  return complaint ? loadDetail(db, complaint) : undefined;
}

async function loadDetail(db: Kysely<DB>, complaint: Complaint): Promise<ComplaintDetail> {
  const [category, agency, district, village, events, deadlines, attachments, mergedInto, reporter, contacts] = await Promise.all([
    complaint.category_id === null
      ? undefined
      : db.selectFrom('categories').select(['code', 'name', 'name_en']).where('id', '=', complaint.category_id).executeTakeFirst(),
    complaint.agency_id === null
      ? undefined
      : db.selectFrom('agencies').select(['code', 'name']).where('id', '=', complaint.agency_id).executeTakeFirst(),
    complaint.district_code === null
      ? undefined
      : db.selectFrom('districts').select(['code', 'name']).where('code', '=', complaint.district_code).executeTakeFirst(),
    complaint.village_code === null
      ? undefined
      : db.selectFrom('villages').select(['code', 'name']).where('code', '=', complaint.village_code).executeTakeFirst(),
    db
      .selectFrom('complaint_events as e')
      .leftJoin('users as u', 'u.id', 'e.actor_user_id')
      .leftJoin('agencies as a', 'a.id', 'e.agency_id')
      .select(['e.id', 'e.type', 'e.at', 'e.actor_kind', 'u.name as actor_name', 'a.name as agency_name', 'e.visibility', 'e.body', 'e.data'])
      .where('e.complaint_id', '=', complaint.id)
      .orderBy('e.at')
      .orderBy('e.id')
      .execute(),
    db.selectFrom('complaint_deadlines').selectAll().where('complaint_id', '=', complaint.id).execute(),
    db
      .selectFrom('attachments')
      .select(['id', 'file_name', 'mime_type', 'size_bytes', 'public_approved'])
      .where('complaint_id', '=', complaint.id)
      .orderBy('id')
      .execute(),
    complaint.merged_into_id === null
      ? undefined
      : db.selectFrom('complaints').select(['id', 'tracking_code']).where('id', '=', complaint.merged_into_id).executeTakeFirst(),
    complaint.reporter_id === null
      ? undefined
      : db.selectFrom('reporters').select('name').where('id', '=', complaint.reporter_id).executeTakeFirst(),
    complaint.reporter_id === null
      ? []
      : db.selectFrom('contacts').select('value').where('reporter_id', '=', complaint.reporter_id).execute(),
  ]);
  const clockOrder = ['verification', 'first_follow_up', 'resolution', 'auto_close'];
  return {
    complaint,
    category: category ? { code: category.code, name: category.name, nameEn: category.name_en } : null,
    agency: agency ?? null,
    district: district ?? null,
    village: village ?? null,
    events: events.map((event) => ({
      id: event.id,
      type: event.type,
      at: event.at,
      actorKind: event.actor_kind,
      actorName: event.actor_name,
      agencyName: event.agency_name,
      visibility: event.visibility,
      body: event.body,
      data: event.data,
    })),
    deadlines: deadlines
      .sort((a, b) => clockOrder.indexOf(a.clock) - clockOrder.indexOf(b.clock))
      .map((row) => ({
        clock: row.clock,
        startedAt: row.started_at,
        dueDate: row.due_date,
        dueAt: row.due_at,
        stoppedAt: row.stopped_at,
        status: row.status,
        calendarMissing: row.calendar_missing,
      })),
    attachments: attachments.map((row) => ({
      id: row.id,
      fileName: row.file_name,
      mimeType: row.mime_type,
      sizeBytes: row.size_bytes,
      publicApproved: row.public_approved,
    })),
    mergedInto: mergedInto ? { id: mergedInto.id, trackingCode: mergedInto.tracking_code } : null,
    knownIdentity: { name: reporter?.name ?? null, contacts: contacts.map((row) => row.value) },
  };
}

/** Reporter identity for a user allowed to see it; records the view. */
export async function getReporterIdentity(db: Kysely<DB>, userId: number, complaint: Complaint) {
  if (complaint.reporter_id === null) return null;
  const [reporter, contacts] = await Promise.all([
    db.selectFrom('reporters').select(['id', 'name']).where('id', '=', complaint.reporter_id).executeTakeFirst(),
    db.selectFrom('contacts').select(['kind', 'value']).where('reporter_id', '=', complaint.reporter_id).orderBy('id').execute(),
  ]);
  await db.insertInto('identity_views').values({ user_id: userId, complaint_id: complaint.id }).execute();
  return { name: reporter?.name ?? null, contacts };
}

export async function listReferenceData(db: Kysely<DB>) {
  const [agencies, categories, districts, villages] = await Promise.all([
    db.selectFrom('agencies').select(['id', 'code', 'name', 'kind', 'active']).orderBy('name').execute(),
    db
      .selectFrom('categories')
      .leftJoin('agencies', 'agencies.id', 'categories.agency_id')
      .select([
        'categories.id', 'categories.code', 'categories.name', 'categories.name_en', 'categories.active', 'categories.oversight',
        'categories.complexity', 'categories.verify_days', 'categories.first_follow_up_days', 'categories.resolution_days_simple',
        'categories.resolution_days_medium', 'categories.resolution_days_complex', 'categories.auto_close_days',
        'agencies.code as agency_code',
      ])
      .orderBy('categories.name')
      .execute(),
    db.selectFrom('districts').selectAll().orderBy('name').execute(),
    db.selectFrom('villages').selectAll().orderBy('name').execute(),
  ]);
  return { agencies, categories, districts, villages };
}
