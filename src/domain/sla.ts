/**
 * SLA clocks of a complaint, replayed from its event log.
 *
 * Four clocks count hari kerja in WIB (see `WorkingCalendar`):
 *
 * | clock             | starts                                | stops                                   |
 * |-------------------|---------------------------------------|-----------------------------------------|
 * | `verification`    | first `received`                      | dispatched, answered, resolved          |
 * | `first_follow_up` | latest `dispatched`                   | followed_up visible to the citizen, answered, resolved |
 * | `resolution`      | first `verified`; again at `reopened` | resolved, answered                      |
 * | `auto_close`      | latest `resolved` or `answered`       | citizen_replied, reopened               |
 *
 * Every clock also stops at the events that take the complaint out of the
 * process: `forwarded`, `archived`, `merged` and `closed`. `stoppedBy` tells
 * which event stopped a clock, so reports can leave such cases out.
 *
 * A clock's deadline is the end (23:59:59.999 WIB) of the Nth working day after
 * the WIB date of its start, where the start day itself does not count.
 * For `auto_close` the deadline binds no officer: `breached` there means the
 * citizen's reply window has ended, so the complaint is due to be closed.
 *
 * Hold rule (tunda): the complaint is on hold from `held` to the next `resumed`.
 * A clock that is running when the hold starts, and whose deadline has not yet
 * passed, is paused. When the hold ends, its deadline moves later by the number
 * of working days in (WIB date of held, WIB date of resumed]. So a hold placed
 * and lifted on the same day moves nothing, and a hold from Friday to Monday
 * moves the deadline by one working day. While paused, the status is `paused`
 * and the deadline shown is the one before the hold. A clock stopped during a
 * hold ends its hold at the stop time. A clock that starts during a hold is
 * paused from its own start. A hold placed after the deadline has passed does
 * not pause the clock, because the breach has already happened.
 */
import type { WorkingCalendar } from './calendar.ts';
import type { ClockName, ClockStatus, Complexity } from './types.ts';
import { assertValidInstant, endOfWibDay, wibDate } from './time.ts';

export type { ClockName, ClockStatus } from './types.ts';

/** One entry of a complaint's event log. */
export interface ComplaintEvent {
  /** Event type, for example `dispatched`. Types that no clock uses are ignored. */
  type: string;
  /** When it happened (UTC instant). */
  at: Date;
  /** Event details. For `followed_up`, only `visibleToCitizen: true` stops the first follow-up clock. */
  data?: Record<string, unknown>;
}

/** Deadlines of one category, in working days. */
export interface SlaSettings {
  /** Received to disposisi, direct answer or closing. */
  verifyDays: number;
  /** Disposisi to the first tindak lanjut visible to the citizen. */
  firstFollowUpDays: number;
  /** Verified (or reopened) to the final answer. Depends on complexity, see `RESOLUTION_DAYS_BY_COMPLEXITY`. */
  resolutionDays: number;
  /** Final answer to automatic closing when the citizen does not reply. */
  autoCloseDays: number;
}

/** State of one clock at `now`. */
export interface ClockState {
  clock: ClockName;
  /** Start of the current run; null when not started. */
  startedAt: Date | null;
  /** WIB date of the deadline, `YYYY-MM-DD`; null when not started. */
  dueDate: string | null;
  /** Last instant of `dueDate` in WIB; null when not started. */
  dueAt: Date | null;
  /** When the current run stopped; absent while it runs. */
  stoppedAt?: Date;
  /** Type of the event that stopped the run, for example `resolved`. */
  stoppedBy?: string;
  status: ClockStatus;
  /** Working days the deadline moved because of finished holds. */
  pausedWorkingDays: number;
  /** True when the deadline relies on a year without holiday data. */
  calendarMissing: boolean;
  /** The years without holiday data that the deadline or a hold stepped over, ascending. */
  uncoveredYears: number[];
}

export type ClockStates = Record<ClockName, ClockState>;

/** Clock names in the order a complaint meets them. */
export const CLOCK_NAMES: readonly ClockName[] = ['verification', 'first_follow_up', 'resolution', 'auto_close'];

/**
 * Default resolution deadline by complexity, from the SP4N-LAPOR! rules in
 * force before PermenPANRB 5/2025. Categories may override them.
 */
export const RESOLUTION_DAYS_BY_COMPLEXITY: Readonly<Record<Complexity, number>> = Object.freeze({
  simple: 5,
  medium: 14,
  complex: 60,
});

/** Default settings, with the resolution deadline of a `medium` complaint. */
export const DEFAULT_SLA_SETTINGS: Readonly<SlaSettings> = Object.freeze({
  verifyDays: 3,
  firstFollowUpDays: 5,
  resolutionDays: RESOLUTION_DAYS_BY_COMPLEXITY.medium,
  autoCloseDays: 10,
});

/** Events that take the complaint out of the process and stop every running clock. */
export const TERMINAL_EVENT_TYPES: readonly string[] = ['forwarded', 'archived', 'merged', 'closed'];

const SETTING_FOR_CLOCK: Record<ClockName, keyof SlaSettings> = {
  verification: 'verifyDays',
  first_follow_up: 'firstFollowUpDays',
  resolution: 'resolutionDays',
  auto_close: 'autoCloseDays',
};

/** Events that stop a running clock, besides the terminal ones. */
const STOP_EVENTS: Record<ClockName, readonly string[]> = {
  verification: ['dispatched', 'answered', 'resolved'],
  first_follow_up: ['answered', 'resolved'], // and a followed_up visible to the citizen, see stopsClock
  resolution: ['resolved', 'answered'],
  auto_close: ['citizen_replied', 'reopened'],
};

/** One run of a clock, from a start event to a stop event or `now`. */
class ClockRun {
  readonly startedAt: Date;
  readonly startDate: string;
  pausedWorkingDays = 0;
  /** Start of the hold that pauses this run, or null. */
  heldSince: Date | null = null;
  stoppedAt: Date | null = null;
  stoppedBy: string | null = null;
  readonly uncoveredYears = new Set<number>();

  constructor(
    startedAt: Date,
    readonly workingDays: number,
    private readonly calendar: WorkingCalendar,
  ) {
    this.startedAt = startedAt;
    this.startDate = wibDate(startedAt);
  }

  get isRunning(): boolean {
    return this.stoppedAt === null;
  }

  /** Deadline including finished holds; records the uncovered years it steps over. */
  deadline(): { dueDate: string; dueAt: Date } {
    const result = this.calendar.addWorkingDays(this.startDate, this.workingDays + this.pausedWorkingDays);
    result.uncoveredYears.forEach((year) => this.uncoveredYears.add(year));
    return { dueDate: result.date, dueAt: endOfWibDay(result.date) };
  }

  /** Pauses the run unless its deadline has already passed at `at`. */
  hold(at: Date): void {
    if (this.isRunning && this.heldSince === null && at.getTime() <= this.deadline().dueAt.getTime()) {
      this.heldSince = at;
    }
  }

  /** Ends a pause and moves the deadline by the working days in (held date, `at` date]. */
  resume(at: Date): void {
    if (this.heldSince === null) {
      return;
    }
    const from = wibDate(this.heldSince);
    const to = wibDate(at);
    this.pausedWorkingDays += this.calendar.workingDaysBetween(from, to);
    this.calendar.uncoveredYearsBetween(from, to).forEach((year) => this.uncoveredYears.add(year));
    this.heldSince = null;
  }

  stop(at: Date, eventType: string): void {
    this.resume(at);
    this.stoppedAt = at;
    this.stoppedBy = eventType;
  }
}

/**
 * Replays a complaint's events and returns the state of each clock at `now`.
 * Events must be sorted by time, and events with the same time apply in the
 * given order. Types that no clock uses, such as `note` or `rated`, are ignored.
 * `now` should not be earlier than the last event. Throws a RangeError on
 * unsorted events, invalid dates or invalid settings.
 *
 * @example
 * const clocks = computeClocks(
 *   [{ type: 'received', at: new Date('2026-03-13T09:00:00Z') }],
 *   DEFAULT_SLA_SETTINGS, calendar, new Date('2026-03-16T02:00:00Z'),
 * );
 * clocks.verification.dueDate // '2026-03-25'
 * clocks.verification.status  // 'running'
 */
export function computeClocks(
  events: readonly ComplaintEvent[],
  settings: SlaSettings,
  calendar: WorkingCalendar,
  now: Date,
): ClockStates {
  validateSettings(settings);
  validateEvents(events);
  assertValidInstant(now, 'now');

  const runs: Record<ClockName, ClockRun | null> = {
    verification: null,
    first_follow_up: null,
    resolution: null,
    auto_close: null,
  };
  let caseHeldSince: Date | null = null;

  const startRun = (clock: ClockName, at: Date): void => {
    const run = new ClockRun(at, settings[SETTING_FOR_CLOCK[clock]], calendar);
    if (caseHeldSince !== null) {
      run.hold(at);
    }
    runs[clock] = run;
  };

  for (const event of events) {
    for (const clock of CLOCK_NAMES) {
      const run = runs[clock];
      if (run?.isRunning && stopsClock(clock, event)) {
        run.stop(event.at, event.type);
      }
    }

    applyStarts(event, runs, startRun);

    if (event.type === 'held' && caseHeldSince === null) {
      caseHeldSince = event.at;
      Object.values(runs).forEach((run) => run?.hold(event.at));
    } else if (event.type === 'resumed' && caseHeldSince !== null) {
      caseHeldSince = null;
      Object.values(runs).forEach((run) => run?.resume(event.at));
    }
  }

  const states = {} as ClockStates;
  for (const clock of CLOCK_NAMES) {
    states[clock] = describeRun(clock, runs[clock], calendar, now);
  }
  return states;
}

/** Returns whether `event` stops a running `clock`. */
function stopsClock(clock: ClockName, event: ComplaintEvent): boolean {
  if (TERMINAL_EVENT_TYPES.includes(event.type) || STOP_EVENTS[clock].includes(event.type)) {
    return true;
  }
  return clock === 'first_follow_up' && event.type === 'followed_up' && event.data?.visibleToCitizen === true;
}

/**
 * Starts, restarts or cancels runs for one event. Rules: `received` and
 * `verified` start their clock only the first time. `dispatched` always
 * restarts first_follow_up, so the latest disposisi counts. `returned` cancels a
 * running first_follow_up, because no agency has the complaint until the
 * next disposisi. `reopened` starts resolution again when it is not running.
 * `resolved` and `answered` restart auto_close from the latest final answer.
 */
function applyStarts(
  event: ComplaintEvent,
  runs: Record<ClockName, ClockRun | null>,
  startRun: (clock: ClockName, at: Date) => void,
): void {
  switch (event.type) {
    case 'received':
      if (runs.verification === null) startRun('verification', event.at);
      break;
    case 'verified':
      if (runs.resolution === null) startRun('resolution', event.at);
      break;
    case 'dispatched':
      startRun('first_follow_up', event.at);
      break;
    case 'returned':
      if (runs.first_follow_up?.isRunning) runs.first_follow_up = null;
      break;
    case 'reopened':
      if (!runs.resolution?.isRunning) startRun('resolution', event.at);
      break;
    case 'resolved':
    case 'answered':
      startRun('auto_close', event.at);
      break;
  }
}

/** Builds the public state of a run at `now`. */
function describeRun(clock: ClockName, run: ClockRun | null, calendar: WorkingCalendar, now: Date): ClockState {
  if (run === null) {
    return {
      clock,
      startedAt: null,
      dueDate: null,
      dueAt: null,
      status: 'not_started',
      pausedWorkingDays: 0,
      calendarMissing: false,
      uncoveredYears: [],
    };
  }

  const { dueDate, dueAt } = run.deadline();
  const years = new Set(run.uncoveredYears);
  if (run.heldSince !== null) {
    // A pause that runs into a year without holiday data will move the deadline by a guess.
    calendar.uncoveredYearsBetween(wibDate(run.heldSince), wibDate(now)).forEach((year) => years.add(year));
  }
  const uncoveredYears = [...years].sort((a, b) => a - b);

  const state: ClockState = {
    clock,
    startedAt: run.startedAt,
    dueDate,
    dueAt,
    status: runStatus(run, dueAt, now),
    pausedWorkingDays: run.pausedWorkingDays,
    calendarMissing: uncoveredYears.length > 0,
    uncoveredYears,
  };
  if (run.stoppedAt !== null) {
    state.stoppedAt = run.stoppedAt;
    state.stoppedBy = run.stoppedBy ?? undefined;
  }
  return state;
}

function runStatus(run: ClockRun, dueAt: Date, now: Date): ClockStatus {
  if (run.stoppedAt !== null) {
    return run.stoppedAt.getTime() > dueAt.getTime() ? 'breached' : 'met';
  }
  if (run.heldSince !== null) {
    return 'paused';
  }
  return now.getTime() > dueAt.getTime() ? 'breached' : 'running';
}

function validateSettings(settings: SlaSettings): void {
  for (const key of Object.values(SETTING_FOR_CLOCK)) {
    const value = settings?.[key];
    if (!Number.isInteger(value) || value < 0) {
      throw new RangeError(`Invalid SLA setting ${key}: ${String(value)}. Use a whole number of working days, 0 or more.`);
    }
  }
}

function validateEvents(events: readonly ComplaintEvent[]): void {
  let previous: Date | null = null;
  for (const [index, event] of events.entries()) {
    if (typeof event?.type !== 'string') {
      throw new RangeError(`Invalid event at index ${index}: the type must be a string such as "received".`);
    }
    assertValidInstant(event.at, `time of event ${index} (${event.type})`);
    if (previous !== null && event.at.getTime() < previous.getTime()) {
      throw new RangeError(
        `Events are not sorted by time: event ${index} (${event.type}) at ${event.at.toISOString()} ` +
          `is earlier than the one before it at ${previous.toISOString()}. Sort the event log by time first.`,
      );
    }
    previous = event.at;
  }
}
