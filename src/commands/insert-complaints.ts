/**
 * Writes new complaints with their new reporters, their `received` event and
 * their four SLA clocks in one statement, for one complaint (an intake on its
 * own) or many (a batch of the intake batcher).
 *
 * The statement is a chain of data-modifying CTEs over one JSON array of
 * prepared rows. Complaint ids are drawn from the sequence in a materialised
 * CTE, so the event and clock rows can refer to them. Results are matched to
 * the input by position (`ord`), never by the order in which PostgreSQL
 * inserts or returns rows. The foreign keys from events and clocks
 * to complaints are checked at the end of the statement, after every insert.
 * `jsonb_to_recordset` turns the array into typed rows: one parameter per
 * table, whatever the batch size.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Complaint, DB } from '../db/schema.ts';
import { generateTrackingCode } from '../domain/tracking-code.ts';
import { jsonParameter } from './json-parameter.ts';
import { newReportersCte, type NewReporter } from './reporters.ts';
import type { DeadlineRow } from './deadlines.ts';

/** Column values of one new complaint and its `received` event, validated and resolved. */
export interface ComplaintRow {
  tracking_code: string;
  type: string | null;
  category_id: number | null;
  description: string;
  channel: string;
  received_at: Date;
  reporter_id: number | null;
  privacy: string;
  oversight: boolean;
  district_code: string | null;
  village_code: string | null;
  latitude: number | null;
  longitude: number | null;
  agency_id: number | null;
  complexity: string | null;
  external_source: string | null;
  external_id: string | null;
  created_by_user_id: number | null;
  updated_at: Date;
  /** Earliest due instant of the running clocks (`nextDueAt`), for the overdue inbox. */
  next_due_at: Date | null;
  event_actor_kind: string;
  event_actor_user_id: number | null;
  event_data: Record<string, unknown>;
}

export interface NewComplaint {
  row: ComplaintRow;
  deadlines: readonly DeadlineRow[];
  /** A reporter to create with the complaint; `row.reporter_id` is then ignored. */
  reporter?: NewReporter | null;
}

export interface InsertedComplaint {
  complaint: Complaint;
  receivedEventId: number;
}

/**
 * Tracking codes are 50 random bits, so a collision is rare even at millions
 * of complaints. After this many new codes in a row something else is wrong.
 */
const TRACKING_CODE_ATTEMPTS = 5;

/**
 * Inserts the complaints, each with its new reporter, its `received` event
 * and its clocks, and returns them in the order of `complaints`. Outside a
 * transaction the statement commits on its own, as one transaction. A
 * complaint whose tracking code is taken gets a new code and is inserted
 * again by a further statement (`row.tracking_code` is updated in place, and
 * the reporter already created is kept), so one collision never fails the
 * others. Outside a transaction that reporter is committed by the first
 * statement, shortly before its complaint.
 */
export async function insertComplaints(db: Kysely<DB>, complaints: readonly NewComplaint[]): Promise<InsertedComplaint[]> {
  const results = new Array<InsertedComplaint | undefined>(complaints.length);
  // The copies share `row` with the caller's objects, so a new tracking code reaches the caller.
  let pending = complaints.map((complaint) => ({ ...complaint }));
  let positions = complaints.map((_, index) => index);
  for (let attempt = 1; pending.length > 0; attempt++) {
    if (attempt > TRACKING_CODE_ATTEMPTS) {
      throw new Error(`no free tracking code after ${TRACKING_CODE_ATTEMPTS} attempts for ${pending.length} complaints`);
    }
    if (attempt > 1) for (const complaint of pending) complaint.row.tracking_code = generateTrackingCode();
    const outcome = await insertOnce(db, pending);
    const retry: typeof pending = [];
    const retryPositions: number[] = [];
    outcome.forEach((result, ord) => {
      if (result.inserted) {
        results[positions[ord]] = result.inserted;
      } else {
        // The reporter was created by this attempt; the retry links it instead of creating another.
        pending[ord].row.reporter_id = result.reporterId;
        retry.push({ ...pending[ord], reporter: null });
        retryPositions.push(positions[ord]);
      }
    });
    pending = retry;
    positions = retryPositions;
  }
  return results as InsertedComplaint[];
}

interface AttemptResult {
  /** Undefined when the tracking code was taken. */
  inserted?: InsertedComplaint;
  reporterId: number | null;
}

/** One attempt; returns one result per entry of `complaints`. Rows whose tracking code is taken are skipped. */
async function insertOnce(db: Kysely<DB>, complaints: readonly NewComplaint[]): Promise<AttemptResult[]> {
  const rows = complaints.map((complaint, ord) => ({ ord, ...complaint.row }));
  const clocks = complaints.flatMap((complaint, ord) => complaint.deadlines.map((deadline) => ({ ord, ...deadline })));
  // `complaints_id_seq` is the sequence of the bigserial `complaints.id`.
  const result = await sql<Complaint & { ord: number; received_event_id: number | null; new_reporter_id: number | null }>`
    WITH ${newReportersCte(complaints.map((complaint) => complaint.reporter ?? null))},
    input AS MATERIALIZED (
      SELECT nextval('complaints_id_seq') AS id, coalesce(new_reporter.id, i.reporter_id) AS resolved_reporter_id, i.*
      FROM jsonb_to_recordset(${jsonParameter(rows)}::jsonb) AS i(
        ord int, tracking_code text, type text, category_id int, description text, channel text,
        received_at timestamptz, reporter_id bigint, privacy text, oversight boolean,
        district_code text, village_code text, latitude double precision, longitude double precision,
        agency_id int, complexity text, external_source text, external_id text,
        created_by_user_id int, updated_at timestamptz, next_due_at timestamptz,
        event_actor_kind text, event_actor_user_id int, event_data jsonb
      )
      LEFT JOIN new_reporter ON new_reporter.ord = i.ord
    ), inserted AS (
      INSERT INTO complaints (
        id, tracking_code, type, category_id, description, channel, received_at, reporter_id, privacy, oversight,
        district_code, village_code, latitude, longitude, agency_id, complexity, external_source, external_id,
        created_by_user_id, updated_at, next_due_at
      )
      SELECT
        id, tracking_code, type, category_id, description, channel, received_at, resolved_reporter_id, privacy, oversight,
        district_code, village_code, latitude, longitude, agency_id, complexity, external_source, external_id,
        created_by_user_id, updated_at, next_due_at
      FROM input
      ORDER BY ord
      ON CONFLICT (tracking_code) DO NOTHING
      RETURNING *
    ), received AS (
      INSERT INTO complaint_events (complaint_id, type, at, actor_kind, actor_user_id, visibility, data)
      SELECT input.id, 'received', input.received_at, input.event_actor_kind, input.event_actor_user_id, 'public', input.event_data
      FROM input JOIN inserted ON inserted.id = input.id
      ORDER BY input.ord
      RETURNING id, complaint_id
    ), clocks AS (
      INSERT INTO complaint_deadlines (complaint_id, clock, started_at, due_date, due_at, stopped_at, status, calendar_missing)
      SELECT input.id, d.clock, d.started_at, d.due_date, d.due_at, d.stopped_at, d.status, d.calendar_missing
      FROM jsonb_to_recordset(${jsonParameter(clocks)}::jsonb) AS d(
        ord int, clock text, started_at timestamptz, due_date date, due_at timestamptz,
        stopped_at timestamptz, status text, calendar_missing boolean
      )
      JOIN input ON input.ord = d.ord
      JOIN inserted ON inserted.id = input.id
    )
    SELECT input.ord, input.resolved_reporter_id AS new_reporter_id, received.id AS received_event_id, inserted.*
    FROM input
    LEFT JOIN inserted ON inserted.id = input.id
    LEFT JOIN received ON received.complaint_id = inserted.id
  `.execute(db);

  const outcome = new Array<AttemptResult>(complaints.length);
  for (const { ord, received_event_id: receivedEventId, new_reporter_id: reporterId, ...complaint } of result.rows) {
    outcome[ord] = receivedEventId === null
      ? { reporterId: reporterId === null ? null : Number(reporterId) }
      : { inserted: { complaint: complaint as Complaint, receivedEventId: Number(receivedEventId) }, reporterId };
  }
  return outcome;
}
