/**
 * Recomputes SLA deadlines after a holiday calendar change or a change to a
 * category's clocks, in batches.
 *
 * A change is recorded as a run in `deadline_recomputes`. Only complaints
 * whose stored figures can change are visited: open and resolved ones,
 * received on or before the last changed day, with a deadline due on or after
 * the first changed day or an answer (first response, resolution) on or
 * after it. A complaint outside that set has no counted working day inside
 * the changed range, so its clocks and response metrics stay the same.
 * After a category change, every open and resolved complaint of the category.
 *
 * Each batch is one short transaction that reads the batch's complaints,
 * events and stored deadlines with one query each, computes the clocks in
 * memory, writes only the rows that differ with one statement per table,
 * and advances the run's cursor. A run that stops half-way (crash, restart)
 * resumes at its cursor; batches already committed are not repeated.
 *
 * Example:
 *   const run = await requestDeadlineRecompute(db, { reason: 'holiday_added', changedFrom: '2027-01-05', changedTo: '2027-01-05' });
 *   await runDeadlineRecompute(db, run.id); // → { status: 'done', processed: 42, ... }
 */
import { markRollupMonthsOfComplaints } from '../reports/indicator-rollup.ts';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Category, Complaint, DB } from '../db/schema.ts';
import type { WorkingCalendar } from '../domain/calendar.ts';
import { OPEN_STATUSES } from '../domain/lifecycle.ts';
import { computeClocks, type ComplaintEvent } from '../domain/sla.ts';
import { logger } from '../logger.ts';
import { complaintMetrics, deadlineRows, invalidateCalendarCache, loadCalendar, metricsChanged, slaSettingsOfCategory, type DeadlineRow } from './deadlines.ts';

/**
 * Complaints per batch transaction. The batch's complaint rows stay locked
 * until it commits, so an officer acting on one of them waits for the batch:
 * about 0.75 s for 500 in the 100k benchmark (bench/recompute.ts) on a busy
 * 2-core machine.
 */
export const RECOMPUTE_BATCH_SIZE = 500;

/**
 * Pause after each background batch, as a share of the batch's own time, so
 * that the run leaves CPU to the inbox: 0.5 makes a run about 1.5 times
 * longer. The administrator's inline runs do not pause.
 */
export const RECOMPUTE_PAUSE_RATIO = 0.5;

/**
 * `inlineLimit`: the maximum of affected complaints that are recomputed
 * inside the administrator's request, which then shows the new deadlines at
 * once. Larger runs go to the background. The 100k benchmark recomputed
 * about 780 complaints/s without pauses on a busy 2-core machine, so 1,000
 * take about 1.3 s. Tests lower the limit to exercise the background path.
 */
export const recomputeSettings = { inlineLimit: 1000 };

export type RecomputeReason = 'holiday_added' | 'holiday_removed' | 'calendar_year' | 'category_changed';
export type RecomputeStatus = 'pending' | 'running' | 'done';

export interface RecomputeRun {
  id: number;
  reason: RecomputeReason;
  /** First and last calendar day (YYYY-MM-DD) whose working-day status changed; null for every open complaint. */
  changedFrom: string | null;
  changedTo: string | null;
  /** Category whose clocks changed, for a 'category_changed' run. */
  categoryId: number | null;
  /** Name of that category, for the progress table. */
  categoryName: string | null;
  status: RecomputeStatus;
  /** Affected complaints counted when the run was requested. */
  total: number;
  processed: number;
  /** Complaints whose stored deadlines or response metrics changed. */
  changed: number;
  requestedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** Last batch failure; the next attempt retries from the cursor. */
  error: string | null;
}

interface RunRow {
  id: number;
  reason: RecomputeReason;
  changed_from: string | null;
  changed_to: string | null;
  category_id: number | null;
  category_name?: string | null;
  status: RecomputeStatus;
  total: number | null;
  processed: number;
  changed: number;
  after_id: number;
  requested_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  error: string | null;
}

const RECOMPUTED_STATUSES = [...OPEN_STATUSES, 'resolved'];

function toRun(row: RunRow): RecomputeRun {
  return {
    id: Number(row.id),
    reason: row.reason,
    changedFrom: row.changed_from,
    changedTo: row.changed_to,
    categoryId: row.category_id,
    categoryName: row.category_name ?? null,
    status: row.status,
    total: row.total ?? 0,
    processed: row.processed,
    changed: row.changed,
    requestedAt: row.requested_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    error: row.error,
  };
}

/**
 * Filter of the complaints a calendar change over [from, to] can affect;
 * both null selects every open and resolved complaint. Dates are WIB
 * calendar days, so instants are compared with the start of the WIB day.
 * With `categoryId`, only that category's complaints.
 */
function affectedFilter(from: string | null, to: string | null, categoryId: number | null = null) {
  const statuses = sql.join(RECOMPUTED_STATUSES.map((status) => sql`${status}`));
  const receivedBound = to === null
    ? sql`true`
    : sql`c.received_at < ((${to}::date + 1)::timestamp AT TIME ZONE 'Asia/Jakarta')`;
  const touchesRange = from === null
    ? sql`true`
    : sql`(EXISTS (SELECT 1 FROM complaint_deadlines d WHERE d.complaint_id = c.id AND d.due_date >= ${from}::date)
        OR c.first_response_at >= (${from}::date::timestamp AT TIME ZONE 'Asia/Jakarta')
        OR c.resolved_at >= (${from}::date::timestamp AT TIME ZONE 'Asia/Jakarta'))`;
  const inCategory = categoryId === null ? sql`true` : sql`c.category_id = ${categoryId}`;
  return sql`c.status IN (${statuses}) AND ${receivedBound} AND ${touchesRange} AND ${inCategory}`;
}

/** Counts the complaints a calendar change over [from, to], or a change to one category, can affect. */
export async function countAffectedComplaints(db: Kysely<DB>, from: string | null, to: string | null, categoryId: number | null = null): Promise<number> {
  const result = await sql<{ n: number }>`SELECT count(*)::int AS n FROM complaints c WHERE ${affectedFilter(from, to, categoryId)}`.execute(db);
  return result.rows[0].n;
}

/** Records a pending run with its count of affected complaints and returns it. */
export async function requestDeadlineRecompute(
  db: Kysely<DB>,
  input: { reason: RecomputeReason; changedFrom: string | null; changedTo: string | null; categoryId?: number; requestedBy?: number },
): Promise<RecomputeRun> {
  // Commands that change the calendar call this after their change; later reads must see it.
  invalidateCalendarCache();
  const categoryId = input.categoryId ?? null;
  const total = await countAffectedComplaints(db, input.changedFrom, input.changedTo, categoryId);
  const result = await sql<RunRow>`
    INSERT INTO deadline_recomputes (reason, changed_from, changed_to, category_id, total, requested_by)
    VALUES (${input.reason}, ${input.changedFrom}, ${input.changedTo}, ${categoryId}, ${total}, ${input.requestedBy ?? null})
    RETURNING *`.execute(db);
  return toRun(result.rows[0]);
}

export async function getRecomputeRun(db: Kysely<DB>, id: number): Promise<RecomputeRun | undefined> {
  const result = await sql<RunRow>`SELECT * FROM deadline_recomputes WHERE id = ${id}`.execute(db);
  return result.rows[0] ? toRun(result.rows[0]) : undefined;
}

/** Returns the most recent runs, newest first, for the calendar and category pages; `reasons` keeps those kinds. */
export async function recentRecomputeRuns(db: Kysely<DB>, limit = 5, reasons?: RecomputeReason[]): Promise<RecomputeRun[]> {
  const result = await sql<RunRow>`
    SELECT r.*, k.name AS category_name
    FROM deadline_recomputes r LEFT JOIN categories k ON k.id = r.category_id
    WHERE ${reasons === undefined ? sql`true` : sql`r.reason IN (${sql.join(reasons)})`}
    ORDER BY r.id DESC LIMIT ${limit}`.execute(db);
  return result.rows.map(toRun);
}

/** Ids of runs not yet done, oldest first. */
export async function unfinishedRecomputeRuns(db: Kysely<DB>): Promise<number[]> {
  const result = await sql<{ id: number }>`SELECT id FROM deadline_recomputes WHERE status <> 'done' ORDER BY id`.execute(db);
  return result.rows.map((row) => Number(row.id));
}

export interface RunOptions {
  /** Clock of the recompute; default: the current instant at each batch. */
  now?: () => Date;
  batchSize?: number;
  /** Stop after this many batches and leave the run resumable (tests and bounded runs). */
  maxBatches?: number;
  /** Pause after each batch as a share of its time; default RECOMPUTE_PAUSE_RATIO. */
  pauseRatio?: number;
}

/**
 * Processes a run batch by batch until it is done (or `maxBatches` have
 * run) and returns its state. Each batch locks the run's row, so two workers
 * on the same run take turns and never recompute a batch twice. A failed
 * batch is rolled back, its error stored on the run, and the error raised;
 * calling again resumes at the last committed batch.
 */
export async function runDeadlineRecompute(db: Kysely<DB>, runId: number, options: RunOptions = {}): Promise<RecomputeRun> {
  const batchSize = options.batchSize ?? RECOMPUTE_BATCH_SIZE;
  let batches = 0;
  for (;;) {
    if (options.maxBatches !== undefined && batches >= options.maxBatches) break;
    let more: boolean;
    const batchStarted = Date.now();
    try {
      more = await db.transaction().execute((trx) => runBatch(trx, runId, batchSize, options.now?.() ?? new Date()));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await sql`UPDATE deadline_recomputes SET error = ${message} WHERE id = ${runId}`.execute(db);
      logger.error({ err: error, runId }, 'deadline recompute batch failed; the next attempt resumes at the last committed batch');
      throw error;
    }
    batches += 1;
    if (!more) break;
    const pauseMs = (Date.now() - batchStarted) * (options.pauseRatio ?? RECOMPUTE_PAUSE_RATIO);
    if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
  const run = await getRecomputeRun(db, runId);
  if (!run) throw new Error(`deadline recompute run ${runId} not found`);
  if (run.status === 'done') logger.info({ runId, processed: run.processed, changed: run.changed }, 'deadline recompute finished');
  return run;
}

/** Processes the next batch of a run; returns false when the run is done. */
async function runBatch(trx: Transaction<DB>, runId: number, batchSize: number, now: Date): Promise<boolean> {
  const locked = await sql<RunRow>`SELECT * FROM deadline_recomputes WHERE id = ${runId} FOR UPDATE`.execute(trx);
  const run = locked.rows[0];
  if (!run) throw new Error(`deadline recompute run ${runId} not found`);
  if (run.status === 'done') return false;

  // Commands lock a complaint before they append an event and refresh its
  // clocks. Locking the batch's complaints here keeps such a command from
  // committing between this batch's read of the events and its write.
  const batch = await sql<Complaint>`
    SELECT c.* FROM complaints c
    WHERE c.id > ${run.after_id} AND ${affectedFilter(run.changed_from, run.changed_to, run.category_id)}
    ORDER BY c.id LIMIT ${batchSize}
    FOR UPDATE OF c`.execute(trx);
  const complaints = batch.rows;
  if (complaints.length === 0) {
    await sql`
      UPDATE deadline_recomputes SET status = 'done', error = NULL, started_at = coalesce(started_at, ${now}), finished_at = ${now}
      WHERE id = ${runId}`.execute(trx);
    return false;
  }
  // Read after the locks: a calendar change committed before them is seen
  // here, and one committed after them queues a run that waits for them.
  invalidateCalendarCache();
  const calendar = await loadCalendar(trx);
  const categories = new Map((await trx.selectFrom('categories').selectAll().execute()).map((category) => [category.id, category]));
  const changed = await recomputeComplaints(trx, complaints, now, calendar, categories);
  await sql`
    UPDATE deadline_recomputes
    SET status = 'running', error = NULL, started_at = coalesce(started_at, ${now}),
        processed = processed + ${complaints.length}, changed = changed + ${changed}, after_id = ${complaints[complaints.length - 1].id}
    WHERE id = ${runId}`.execute(trx);
  return true;
}

function sameInstant(a: Date | null, b: Date | null): boolean {
  return (a?.getTime() ?? null) === (b?.getTime() ?? null);
}

function sameDeadline(stored: StoredDeadline | undefined, row: DeadlineRow): boolean {
  return stored !== undefined &&
    sameInstant(stored.started_at, row.started_at) &&
    stored.due_date === row.due_date &&
    sameInstant(stored.due_at, row.due_at) &&
    sameInstant(stored.stopped_at, row.stopped_at) &&
    stored.status === row.status &&
    stored.calendar_missing === row.calendar_missing;
}

interface StoredDeadline {
  complaint_id: number;
  clock: string;
  started_at: Date | null;
  due_date: string | null;
  due_at: Date | null;
  stopped_at: Date | null;
  status: string;
  calendar_missing: boolean;
}

/**
 * Recomputes the clocks, response metrics and next due instant of a batch of
 * complaints with one read per table and one write per table, writing only
 * what changed.
 * Returns how many complaints changed.
 */
export async function recomputeComplaints(
  trx: Kysely<DB>,
  complaints: Complaint[],
  now: Date,
  calendar: WorkingCalendar,
  categories: Map<number, Category>,
): Promise<number> {
  const ids = complaints.map((complaint) => complaint.id);
  const [events, stored] = await Promise.all([
    sql<ComplaintEvent & { complaint_id: number }>`
      SELECT complaint_id, type, at, data FROM complaint_events WHERE complaint_id = ANY(${ids}::bigint[]) ORDER BY complaint_id, at, id`.execute(trx),
    sql<StoredDeadline>`
      SELECT complaint_id, clock, started_at, to_char(due_date, 'YYYY-MM-DD') AS due_date, due_at, stopped_at, status, calendar_missing
      FROM complaint_deadlines WHERE complaint_id = ANY(${ids}::bigint[])`.execute(trx),
  ]);
  const eventsByComplaint = new Map<number, ComplaintEvent[]>();
  for (const event of events.rows) {
    const id = Number(event.complaint_id);
    let list = eventsByComplaint.get(id);
    if (!list) eventsByComplaint.set(id, (list = []));
    list.push(event);
  }
  const storedByKey = new Map(stored.rows.map((row) => [`${row.complaint_id}:${row.clock}`, row]));

  const deadlineWrites: (DeadlineRow & { complaint_id: number })[] = [];
  const complaintWrites: { id: number; frh: number | null; frd: number | null; rh: number | null; rd: number | null; nextDue: Date | null }[] = [];
  const changedIds = new Set<number>();
  for (const complaint of complaints) {
    const category = complaint.category_id === null ? undefined : categories.get(complaint.category_id);
    const settings = slaSettingsOfCategory(category, complaint.complexity);
    const clocks = computeClocks(eventsByComplaint.get(complaint.id) ?? [], settings, calendar, now);
    for (const row of deadlineRows(clocks)) {
      if (sameDeadline(storedByKey.get(`${complaint.id}:${row.clock}`), row)) continue;
      deadlineWrites.push({ complaint_id: complaint.id, ...row });
      changedIds.add(complaint.id);
    }
    const metrics = complaintMetrics(calendar, complaint, clocks);
    if (metricsChanged(complaint, metrics)) {
      complaintWrites.push({
        id: complaint.id,
        frh: metrics.first_response_working_hours,
        frd: metrics.first_response_working_days,
        rh: metrics.resolution_working_hours,
        rd: metrics.resolution_working_days,
        nextDue: metrics.next_due_at,
      });
      changedIds.add(complaint.id);
    }
  }

  if (deadlineWrites.length > 0) await writeDeadlines(trx, deadlineWrites);
  if (complaintWrites.length > 0) {
    // Response metrics and the next due instant (the overdue inbox's column), as refreshDeadlines keeps them.
    const column = <K extends keyof (typeof complaintWrites)[number]>(key: K) => complaintWrites.map((write) => write[key]);
    await sql`
      UPDATE complaints c SET first_response_working_hours = v.frh, first_response_working_days = v.frd,
        resolution_working_hours = v.rh, resolution_working_days = v.rd, next_due_at = v.next_due
      FROM unnest(${column('id')}::bigint[], ${column('frh')}::float8[], ${column('frd')}::int[],
                  ${column('rh')}::float8[], ${column('rd')}::int[], ${column('nextDue')}::timestamptz[]) AS v(id, frh, frd, rh, rd, next_due)
      WHERE c.id = v.id`.execute(trx);
  }
  // Changed clocks write no event, so their months are marked for the indicator rollup.
  await markRollupMonthsOfComplaints(trx, [...changedIds]);
  return changedIds.size;
}

/** Upserts clock rows with one statement, with the same reminder and breach rule as `refreshDeadlines`. */
async function writeDeadlines(trx: Kysely<DB>, rows: (DeadlineRow & { complaint_id: number })[]): Promise<void> {
  const column = <K extends keyof (DeadlineRow & { complaint_id: number })>(key: K) => rows.map((row) => row[key]);
  await sql`
    INSERT INTO complaint_deadlines (complaint_id, clock, started_at, due_date, due_at, stopped_at, status, calendar_missing)
    SELECT * FROM unnest(${column('complaint_id')}::bigint[], ${column('clock')}::text[], ${column('started_at')}::timestamptz[],
                         ${column('due_date')}::date[], ${column('due_at')}::timestamptz[], ${column('stopped_at')}::timestamptz[],
                         ${column('status')}::text[], ${column('calendar_missing')}::boolean[])
    ON CONFLICT (complaint_id, clock) DO UPDATE SET
      started_at = excluded.started_at, due_date = excluded.due_date, due_at = excluded.due_at, stopped_at = excluded.stopped_at,
      status = excluded.status, calendar_missing = excluded.calendar_missing,
      -- A new deadline deserves its own reminder and breach record.
      breach_recorded = CASE WHEN complaint_deadlines.due_at IS DISTINCT FROM excluded.due_at THEN false ELSE complaint_deadlines.breach_recorded END,
      reminder_sent = CASE WHEN complaint_deadlines.due_at IS DISTINCT FROM excluded.due_at THEN false ELSE complaint_deadlines.reminder_sent END`.execute(trx);
}

/**
 * Applies a calendar change and records its recompute run in one
 * transaction, so a crash cannot keep the change without the run. Then
 * recomputes inside the caller's request when the change affects at most
 * `recomputeSettings.inlineLimit` complaints, and otherwise leaves the run
 * pending for the `deadline-recompute` job (or `runPendingRecomputes`).
 * Returns the run.
 */
export async function recomputeAfterCalendarChange(
  db: Kysely<DB>,
  input: { reason: RecomputeReason; changedFrom: string | null; changedTo: string | null; requestedBy?: number; now?: Date },
  change: (trx: Transaction<DB>) => Promise<void>,
): Promise<RecomputeRun> {
  const run = await db.transaction().execute(async (trx) => {
    await change(trx);
    return requestDeadlineRecompute(trx, input);
  });
  // Another request may have reloaded the calendar before the commit.
  invalidateCalendarCache();
  return runInlineOrQueue(db, run, input.now);
}

/**
 * Runs a just-requested recompute inside the caller's request when it
 * affects at most `recomputeSettings.inlineLimit` complaints, and otherwise
 * leaves it pending for the `deadline-recompute` job. Returns the run.
 */
export async function runInlineOrQueue(db: Kysely<DB>, run: RecomputeRun, now?: Date): Promise<RecomputeRun> {
  if (run.total > recomputeSettings.inlineLimit) {
    logger.info({ runId: run.id, total: run.total }, 'deadline recompute queued for the background job');
    return run;
  }
  return runDeadlineRecompute(db, run.id, { now: now ? () => now : undefined, pauseRatio: 0 });
}

/**
 * Runs every unfinished run to its end, oldest first, including runs
 * requested meanwhile; returns how many runs it finished. With
 * `maxBatches`, each run gets that many batches and no second pass.
 */
export async function runPendingRecomputes(db: Kysely<DB>, options: RunOptions = {}): Promise<number> {
  let finished = 0;
  for (;;) {
    const ids = await unfinishedRecomputeRuns(db);
    if (ids.length === 0) return finished;
    for (const id of ids) {
      const run = await runDeadlineRecompute(db, id, options);
      if (run.status === 'done') finished += 1;
    }
    if (options.maxBatches !== undefined) return finished;
  }
}

let inProcessRecompute: Promise<void> | undefined;

/**
 * Starts `runPendingRecomputes` in this process without waiting for it, for
 * a server without background jobs (JOBS=off). At most one such loop runs
 * per process; a failure is logged and the run stays resumable.
 */
export function runPendingRecomputesInProcess(db: Kysely<DB>): void {
  if (inProcessRecompute) return;
  inProcessRecompute = runPendingRecomputes(db)
    .then(
      () => undefined,
      (error: unknown) => logger.error({ err: error }, 'in-process deadline recompute stopped; it resumes on the next calendar page view'),
    )
    .finally(() => {
      inProcessRecompute = undefined;
    });
}
