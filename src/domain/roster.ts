/**
 * The duty roster (jadwal piket): who is on duty at an instant, round-robin
 * choice of the officer for a new report, when the next shift starts, and
 * each officer's working hours for notifications. Pure functions, no I/O;
 * every wall-clock time is WIB.
 *
 * A shift runs on one weekday from `startMinute` to `endMinute` (minutes
 * after WIB midnight, end exclusive), for some intake channels or for all.
 * It does not run on a holiday (libur nasional, and cuti bersama when the
 * calendar counts it) unless it is marked `onHolidays`.
 *
 * @example
 * const onDuty = shiftsOnDuty(shifts, calendar, new Date('2026-03-16T02:00:00Z'), 'web');
 * const { userId } = pickOfficer(candidates, { maxOpenCases: 25 });
 */
import type { Holiday, OfficeHours } from './calendar.ts';
import { DEFAULT_OFFICE_HOURS } from './calendar.ts';
import type { Channel, Role, StaffUser } from './types.ts';
import { addCalendarDays, dayOfWeek, wibDate, wibInstant, WIB_OFFSET_MS, MS_PER_DAY, type Weekday } from './time.ts';

/** One weekly shift of one officer. */
export interface DutyShift {
  id: number;
  userId: number;
  weekday: Weekday;
  /** Minutes after WIB midnight, 0–1439. */
  startMinute: number;
  /** Minutes after WIB midnight, 1–1440, later than `startMinute`; exclusive. */
  endMinute: number;
  /** Intake channels the shift covers; empty covers every channel. */
  channels: readonly Channel[];
  /** Whether the shift also runs on holidays. */
  onHolidays: boolean;
}

/** The part of `WorkingCalendar` the roster reads. */
export interface HolidayCalendar {
  isWorkingDay(date: string): boolean;
  holidaysOn(date: string): Holiday[];
  readonly countCollectiveLeave: boolean;
}

/** Roles that take new reports from the roster: the complaint officers who verify them. */
export const ROSTER_ROLES: readonly Role[] = ['admin', 'complaint_officer'];

/** How far ahead `nextShiftStart` and `nextWorkingStart` look, in days. */
export const ROSTER_HORIZON_DAYS = 31;

const CLOCK_TIME_RE = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/;

/**
 * Parses a WIB wall-clock time `HH:MM` (or `24:00`) into minutes after midnight.
 * Throws a RangeError that names the value.
 *
 * @example parseClockTime('07:30') // 450
 */
export function parseClockTime(text: string): number {
  const match = CLOCK_TIME_RE.exec(text.trim());
  if (!match) throw new RangeError(`Invalid time ${JSON.stringify(text)}: expected HH:MM in 24-hour WIB time, for example 07:30.`);
  if (text.trim() === '24:00') return 24 * 60;
  return Number(match[1]) * 60 + Number(match[2]);
}

/**
 * Formats minutes after midnight as `HH:MM`.
 *
 * @example formatClockTime(450) // '07:30'
 */
export function formatClockTime(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

/** Returns the minutes after WIB midnight of an instant, 0–1439. */
export function wibMinuteOfDay(instant: Date): number {
  const msIntoDay = (((instant.getTime() + WIB_OFFSET_MS) % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY;
  return Math.floor(msIntoDay / 60_000);
}

/**
 * Returns whether a date is a holiday for the roster: a libur nasional, or a
 * cuti bersama when the calendar counts cuti bersama as non-working. A plain
 * weekend is not a holiday, so weekend shifts run.
 *
 * @example isHoliday(calendar, '2026-03-19') // true (Nyepi)
 */
export function isHoliday(calendar: HolidayCalendar, date: string): boolean {
  return calendar.holidaysOn(date).some((holiday) => holiday.kind === 'national' || calendar.countCollectiveLeave);
}

/** Returns whether a shift runs on a WIB date: its weekday, and not a holiday unless marked. */
export function shiftRunsOn(shift: DutyShift, date: string, calendar: HolidayCalendar): boolean {
  if (dayOfWeek(date) !== shift.weekday) return false;
  return shift.onHolidays || !isHoliday(calendar, date);
}

/** Returns whether a shift takes reports of a channel; with no channel given, every shift does. */
export function shiftCoversChannel(shift: DutyShift, channel?: Channel): boolean {
  return channel === undefined || shift.channels.length === 0 || shift.channels.includes(channel);
}

/**
 * Returns the shifts running at an instant that cover the channel.
 *
 * @example shiftsOnDuty(shifts, calendar, new Date('2026-03-16T01:00:00Z'), 'whatsapp') // Monday 08:00 WIB shifts for WhatsApp
 */
export function shiftsOnDuty(shifts: readonly DutyShift[], calendar: HolidayCalendar, instant: Date, channel?: Channel): DutyShift[] {
  const date = wibDate(instant);
  const minute = wibMinuteOfDay(instant);
  return shifts.filter(
    (shift) => shiftRunsOn(shift, date, calendar) && shift.startMinute <= minute && minute < shift.endMinute && shiftCoversChannel(shift, channel),
  );
}

/** Returns the distinct officers on duty at an instant for a channel, ascending by id. */
export function officersOnDuty(shifts: readonly DutyShift[], calendar: HolidayCalendar, instant: Date, channel?: Channel): number[] {
  return [...new Set(shiftsOnDuty(shifts, calendar, instant, channel).map((shift) => shift.userId))].sort((a, b) => a - b);
}

/**
 * Returns when the next shift for the channel starts: `from` itself when a
 * shift is running, otherwise the earliest later start within
 * ROSTER_HORIZON_DAYS, or null when no shift runs in that time.
 *
 * @example nextShiftStart(shifts, calendar, new Date('2026-03-13T10:00:00Z'), 'web') // Monday 07:30 WIB
 */
export function nextShiftStart(shifts: readonly DutyShift[], calendar: HolidayCalendar, from: Date, channel?: Channel): Date | null {
  if (shiftsOnDuty(shifts, calendar, from, channel).length > 0) return from;
  const relevant = shifts.filter((shift) => shiftCoversChannel(shift, channel));
  if (relevant.length === 0) return null;
  const firstDate = wibDate(from);
  for (let offset = 0; offset <= ROSTER_HORIZON_DAYS; offset++) {
    const date = addCalendarDays(firstDate, offset);
    const starts = relevant
      .filter((shift) => shiftRunsOn(shift, date, calendar))
      .map((shift) => wibInstant(date, shift.startMinute))
      .filter((start) => start.getTime() > from.getTime())
      .sort((a, b) => a.getTime() - b.getTime());
    if (starts.length > 0) return starts[0];
  }
  return null;
}

/** One officer as the round-robin sees them. */
export interface DutyCandidate {
  userId: number;
  /** The account is active. */
  active: boolean;
  /** The officer is off today (an absence covers today's WIB date). */
  absent: boolean;
  /** Open cases the officer holds now. */
  openCases: number;
  /** When the roster last gave them a report; null when never. */
  lastAssignedAt: Date | null;
}

export type SkipReason = 'inactive' | 'absent' | 'over_limit' | 'excluded';

export interface PickResult {
  /** The chosen officer, or null when nobody on duty can take the report. */
  userId: number | null;
  /** Officers on duty who were passed over, and why. */
  skipped: { userId: number; reason: SkipReason }[];
}

/**
 * Chooses the officer for a new report by round-robin. Eligible are the
 * officers on duty who are active, not off, not excluded and below
 * `maxOpenCases`. Of those, the one who got a report longest ago wins (never
 * counts as longest), and the lower user id breaks a tie.
 *
 * @example pickOfficer([{ userId: 1, active: true, absent: false, openCases: 30, lastAssignedAt: null }], { maxOpenCases: 25 }) // { userId: null, skipped: [{ userId: 1, reason: 'over_limit' }] }
 */
export function pickOfficer(candidates: readonly DutyCandidate[], options: { maxOpenCases: number; exclude?: readonly number[] }): PickResult {
  const skipped: PickResult['skipped'] = [];
  const eligible: DutyCandidate[] = [];
  for (const candidate of candidates) {
    const reason: SkipReason | null = !candidate.active
      ? 'inactive'
      : candidate.absent
        ? 'absent'
        : options.exclude?.includes(candidate.userId)
          ? 'excluded'
          : candidate.openCases >= options.maxOpenCases
            ? 'over_limit'
            : null;
    if (reason) skipped.push({ userId: candidate.userId, reason });
    else eligible.push(candidate);
  }
  eligible.sort((a, b) => {
    const aTime = a.lastAssignedAt?.getTime() ?? Number.NEGATIVE_INFINITY;
    const bTime = b.lastAssignedAt?.getTime() ?? Number.NEGATIVE_INFINITY;
    return aTime === bTime ? a.userId - b.userId : aTime - bTime;
  });
  return { userId: eligible[0]?.userId ?? null, skipped };
}

/** One stretch of working time, as UTC instants. */
export interface WorkingWindow {
  start: Date;
  end: Date;
}

/**
 * Returns an officer's working windows on a WIB date: their own shifts when
 * they have any, otherwise the office hours on working days.
 *
 * @example workingWindowsOn('2026-03-16', [], calendar) // [{ start: 07:30 WIB, end: 16:00 WIB }]
 */
export function workingWindowsOn(
  date: string,
  shifts: readonly DutyShift[],
  calendar: HolidayCalendar,
  officeHours: OfficeHours = DEFAULT_OFFICE_HOURS,
): WorkingWindow[] {
  if (shifts.length > 0) {
    return shifts
      .filter((shift) => shiftRunsOn(shift, date, calendar))
      .map((shift) => ({ start: wibInstant(date, shift.startMinute), end: wibInstant(date, shift.endMinute) }))
      .sort((a, b) => a.start.getTime() - b.start.getTime());
  }
  const hours = officeHours[dayOfWeek(date)];
  if (!hours || !calendar.isWorkingDay(date)) return [];
  return [{ start: wibInstant(date, parseClockTime(hours.start)), end: wibInstant(date, parseClockTime(hours.end)) }];
}

/** Returns whether an instant falls in one of the officer's working windows. */
export function isWorkingTime(instant: Date, shifts: readonly DutyShift[], calendar: HolidayCalendar, officeHours?: OfficeHours): boolean {
  return workingWindowsOn(wibDate(instant), shifts, calendar, officeHours).some(
    (window) => window.start.getTime() <= instant.getTime() && instant.getTime() < window.end.getTime(),
  );
}

/**
 * Returns the first working window start at or after `from`, within
 * ROSTER_HORIZON_DAYS, or null when there is none.
 */
function firstWindowStartFrom(from: Date, shifts: readonly DutyShift[], calendar: HolidayCalendar, officeHours?: OfficeHours): Date | null {
  const firstDate = wibDate(from);
  for (let offset = 0; offset <= ROSTER_HORIZON_DAYS; offset++) {
    const windows = workingWindowsOn(addCalendarDays(firstDate, offset), shifts, calendar, officeHours);
    const start = windows.find((window) => window.start.getTime() >= from.getTime());
    if (start) return start.start;
  }
  return null;
}

/**
 * Returns when a message for the officer may go out: `from` itself inside
 * working hours, otherwise the start of their next working window. Null when
 * they have no working time within ROSTER_HORIZON_DAYS.
 *
 * @example nextWorkingStart(new Date('2026-03-13T14:00:00Z'), [], calendar) // Monday 2026-03-16 07:30 WIB
 */
export function nextWorkingStart(from: Date, shifts: readonly DutyShift[], calendar: HolidayCalendar, officeHours?: OfficeHours): Date | null {
  if (isWorkingTime(from, shifts, calendar, officeHours)) return from;
  return firstWindowStartFrom(from, shifts, calendar, officeHours);
}

/**
 * Returns when the officer's next daily digest goes out: the start of the
 * first working window at or after `from`. A digest is sent once a day, at
 * the start of the day's first window, so a notification queued during the
 * day waits for the next working day's digest.
 *
 * @example nextDigestTime(new Date('2026-03-16T03:00:00Z'), [], calendar) // Tuesday 2026-03-17 07:30 WIB
 */
export function nextDigestTime(from: Date, shifts: readonly DutyShift[], calendar: HolidayCalendar, officeHours?: OfficeHours): Date | null {
  const firstDate = wibDate(from);
  for (let offset = 0; offset <= ROSTER_HORIZON_DAYS; offset++) {
    const windows = workingWindowsOn(addCalendarDays(firstDate, offset), shifts, calendar, officeHours);
    if (windows.length > 0 && windows[0].start.getTime() >= from.getTime()) return windows[0].start;
  }
  return null;
}

/** Returns whether a user may edit the roster and the assignment settings. */
export function mayManageRoster(user: StaffUser): boolean {
  return user.role === 'admin' || user.role === 'complaint_officer';
}
