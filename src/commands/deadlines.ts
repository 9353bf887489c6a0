/**
 * Keeps `complaint_deadlines` equal to the SLA clocks computed from each
 * complaint's event log. Commands call `refreshDeadlines` in the transaction
 * that appends an event. After a change to a category's clocks or to the
 * holiday calendar, `recompute-deadlines.ts` recomputes them in batches.
 */
import { sql, type Kysely } from 'kysely';
import type { Category, Complaint, DB } from '../db/schema.ts';
import { WorkingCalendar, type Holiday } from '../domain/calendar.ts';
import { CLOCK_NAMES, DEFAULT_SLA_SETTINGS, computeClocks, type ClockStates, type ComplaintEvent, type SlaSettings } from '../domain/sla.ts';
import type { Complexity } from '../domain/types.ts';
import { wibDate } from '../domain/time.ts';

type Queryable = Kysely<DB>;

// The holiday table changes a few times a year, but deadlines are computed on
// every event. Each process caches it for a short time; an edit made through
// this process clears the cache at once, and other processes see it within
// this many milliseconds.
const CALENDAR_CACHE_MS = 30_000;

let cachedCalendar: { calendar: WorkingCalendar; loadedAt: number } | undefined;

export function invalidateCalendarCache(): void {
  cachedCalendar = undefined;
}

export async function loadCalendar(db: Queryable, now = Date.now()): Promise<WorkingCalendar> {
  if (cachedCalendar && now - cachedCalendar.loadedAt < CALENDAR_CACHE_MS) return cachedCalendar.calendar;
  const [holidays, years] = await Promise.all([
    db.selectFrom('holidays').selectAll().execute(),
    db.selectFrom('calendar_years').select('year').execute(),
  ]);
  const calendar = new WorkingCalendar(
    holidays.map((row): Holiday => ({
      date: row.date,
      kind: row.kind,
      name: row.name,
      basis: row.basis ?? undefined,
      note: row.note ?? undefined,
    })),
    { coveredYears: years.map((row) => row.year) },
  );
  cachedCalendar = { calendar, loadedAt: now };
  return calendar;
}

/**
 * SLA settings of a complaint: its category's clocks, or the defaults when it
 * has none yet. A caller that has already read the category row passes it
 * and saves a query.
 */
export async function slaSettingsFor(
  db: Queryable,
  complaint: Pick<Complaint, 'category_id' | 'complexity'>,
  category?: Category,
): Promise<SlaSettings> {
  if (complaint.category_id === null) return { ...DEFAULT_SLA_SETTINGS };
  const row = category?.id === complaint.category_id
    ? category
    : await db.selectFrom('categories').selectAll().where('id', '=', complaint.category_id).executeTakeFirst();
  return slaSettingsOfCategory(row, complaint.complexity);
}

/** SLA settings from a category row; the defaults when there is none. */
export function slaSettingsOfCategory(category: Category | undefined, complexity: Complexity | null): SlaSettings {
  if (!category) return { ...DEFAULT_SLA_SETTINGS };
  const resolutionDays = {
    simple: category.resolution_days_simple,
    medium: category.resolution_days_medium,
    complex: category.resolution_days_complex,
  }[complexity ?? category.complexity];
  return {
    verifyDays: category.verify_days,
    firstFollowUpDays: category.first_follow_up_days,
    resolutionDays,
    autoCloseDays: category.auto_close_days,
  };
}

/** Working time from receipt to an answer; null when there is no answer. */
export function workingTimeTo(calendar: WorkingCalendar, receivedAt: Date, answeredAt: Date | null) {
  if (answeredAt === null || answeredAt.getTime() < receivedAt.getTime()) return { hours: null, days: null };
  return {
    hours: Math.round(calendar.workingHoursBetween(receivedAt, answeredAt) * 1000) / 1000,
    days: calendar.workingDaysBetween(wibDate(receivedAt), wibDate(answeredAt)),
  };
}

/**
 * Returns the earliest due instant of the clocks that run or breached without
 * stopping: the complaint is overdue once it has passed. Kept on the complaint
 * as `next_due_at` for the overdue inbox (migrations/0011).
 */
export function nextDueAt(clocks: ClockStates): Date | null {
  let next: Date | null = null;
  for (const name of CLOCK_NAMES) {
    const state = clocks[name];
    if ((state.status !== 'running' && state.status !== 'breached') || state.stoppedAt || !state.dueAt) continue;
    if (next === null || state.dueAt < next) next = state.dueAt;
  }
  return next;
}

/** Column values that `refreshDeadlines` keeps on the complaint itself. */
export interface ComplaintMetrics {
  first_response_working_hours: number | null;
  first_response_working_days: number | null;
  resolution_working_hours: number | null;
  resolution_working_days: number | null;
  next_due_at: Date | null;
}

/** Computes the working-time response metrics and the next due instant of a complaint. */
export function complaintMetrics(calendar: WorkingCalendar, complaint: Complaint, clocks: ClockStates): ComplaintMetrics {
  const firstResponse = workingTimeTo(calendar, complaint.received_at, complaint.first_response_at);
  const resolution = workingTimeTo(calendar, complaint.received_at, complaint.resolved_at);
  return {
    first_response_working_hours: firstResponse.hours,
    first_response_working_days: firstResponse.days,
    resolution_working_hours: resolution.hours,
    resolution_working_days: resolution.days,
    next_due_at: nextDueAt(clocks),
  };
}

/** Returns whether the stored columns of a complaint differ from freshly computed metrics. */
export function metricsChanged(complaint: Complaint, metrics: ComplaintMetrics): boolean {
  const storedNextDue = complaint.next_due_at ? new Date(complaint.next_due_at).getTime() : null;
  return (
    metrics.first_response_working_hours !== complaint.first_response_working_hours ||
    metrics.first_response_working_days !== complaint.first_response_working_days ||
    metrics.resolution_working_hours !== complaint.resolution_working_hours ||
    metrics.resolution_working_days !== complaint.resolution_working_days ||
    (metrics.next_due_at?.getTime() ?? null) !== storedNextDue
  );
}

/** Column values of one `complaint_deadlines` row, without `complaint_id`. */
export type DeadlineRow = ReturnType<typeof deadlineRows>[number];

/** Returns the four `complaint_deadlines` rows of one complaint's clocks, without `complaint_id`. */
export function deadlineRows(clocks: ClockStates) {
  return CLOCK_NAMES.map((name) => {
    const state = clocks[name];
    return {
      clock: name,
      started_at: state.startedAt,
      due_date: state.dueDate,
      due_at: state.dueAt,
      stopped_at: state.stoppedAt ?? null,
      status: state.status,
      calendar_missing: state.calendarMissing,
    };
  });
}

/** Rows a caller has already read, so that `refreshDeadlines` need not read them again. */
export interface KnownDeadlineInputs {
  /** The complaint's whole event log, in `at`, `id` order. */
  events?: readonly ComplaintEvent[];
  /** The complaint's category row. */
  category?: Category;
}

/** Recomputes and stores the four clocks of one complaint, and its response metrics. */
export async function refreshDeadlines(db: Queryable, complaint: Complaint, now: Date, known: KnownDeadlineInputs = {}): Promise<void> {
  const [events, settings, calendar] = await Promise.all([
    known.events ??
      db
        .selectFrom('complaint_events')
        .select(['type', 'at', 'data'])
        .where('complaint_id', '=', complaint.id)
        .orderBy('at')
        .orderBy('id')
        .execute(),
    slaSettingsFor(db, complaint, known.category),
    loadCalendar(db),
  ]);
  const clocks = computeClocks(events, settings, calendar, now);
  const metrics = complaintMetrics(calendar, complaint, clocks);
  if (metricsChanged(complaint, metrics)) await db.updateTable('complaints').set(metrics).where('id', '=', complaint.id).execute();
  const rows = deadlineRows(clocks).map((row) => ({ complaint_id: complaint.id, ...row }));
  await db
    .insertInto('complaint_deadlines')
    .values(rows)
    .onConflict((oc) =>
      oc.columns(['complaint_id', 'clock']).doUpdateSet((eb) => ({
        started_at: eb.ref('excluded.started_at'),
        due_date: eb.ref('excluded.due_date'),
        due_at: eb.ref('excluded.due_at'),
        stopped_at: eb.ref('excluded.stopped_at'),
        status: eb.ref('excluded.status'),
        calendar_missing: eb.ref('excluded.calendar_missing'),
        // A new deadline (re-dispatch, reopen, changed settings) deserves its own reminder and breach record.
        breach_recorded: sql<boolean>`CASE WHEN complaint_deadlines.due_at IS DISTINCT FROM excluded.due_at THEN false ELSE complaint_deadlines.breach_recorded END`,
        reminder_sent: sql<boolean>`CASE WHEN complaint_deadlines.due_at IS DISTINCT FROM excluded.due_at THEN false ELSE complaint_deadlines.reminder_sent END`,
      })),
    )
    .execute();
}

