/**
 * Calendar dates and instants in Asia/Jakarta (WIB, UTC+7, no daylight saving).
 *
 * Instants are JS `Date` values (UTC). A calendar date is a `YYYY-MM-DD` string
 * read in WIB. WIB is derived by adding 7 hours to UTC, never from the process
 * time zone, so results are the same on every server.
 */

/** Offset of WIB from UTC in milliseconds (UTC+7, no daylight saving). */
export const WIB_OFFSET_MS = 7 * 60 * 60 * 1000;

export const MS_PER_DAY = 24 * 60 * 60 * 1000;

/** Day of the week as JS numbers it: 0 = Sunday, 1 = Monday, …, 6 = Saturday. */
export type Weekday = 0 | 1 | 2 | 3 | 4 | 5 | 6;

const DATE_FORMAT_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

// Date.UTC maps years 0–99 to 1900–1999, so years below 1000 are rejected.
const MIN_YEAR = 1000;

const MONTH_NAMES = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
];

/** Year, month (1–12) and day of a validated calendar date. */
export interface DateParts {
  year: number;
  month: number;
  day: number;
}

/**
 * Splits a `YYYY-MM-DD` string into numbers, or throws a RangeError that names
 * the value and what is wrong with it.
 *
 * @example parseDate('2026-03-13') // { year: 2026, month: 3, day: 13 }
 */
export function parseDate(date: string): DateParts {
  const match = typeof date === 'string' ? DATE_FORMAT_RE.exec(date) : null;
  if (!match) {
    throw new RangeError(
      `Invalid date ${JSON.stringify(date)}: expected the form YYYY-MM-DD, for example 2026-03-13.`,
    );
  }
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (year < MIN_YEAR) {
    throw new RangeError(`Invalid date "${date}": the year must be ${MIN_YEAR} or later.`);
  }
  if (month < 1 || month > 12) {
    throw new RangeError(`Invalid date "${date}": the month must be 01 to 12.`);
  }
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > daysInMonth) {
    throw new RangeError(
      `Invalid date "${date}": ${MONTH_NAMES[month - 1]} ${year} has days 01 to ${daysInMonth}.`,
    );
  }
  return { year, month, day };
}

/**
 * Returns whether the string is a real calendar date in the form `YYYY-MM-DD`.
 *
 * @example isValidDate('2026-02-30') // false
 */
export function isValidDate(date: string): boolean {
  try {
    parseDate(date);
    return true;
  } catch {
    return false;
  }
}

/**
 * Throws a RangeError unless `instant` is a `Date` holding a valid time.
 *
 * @example assertValidInstant(new Date('2026-03-13T09:00:00Z'), 'receivedAt') // passes
 */
export function assertValidInstant(instant: Date, label = 'instant'): void {
  if (!(instant instanceof Date) || Number.isNaN(instant.getTime())) {
    throw new RangeError(`Invalid ${label}: expected a valid Date, got ${String(instant)}.`);
  }
}

/** Formats the UTC fields of `utcMidnight` as `YYYY-MM-DD`. */
function formatUtcDate(utcMidnight: Date): string {
  const year = String(utcMidnight.getUTCFullYear()).padStart(4, '0');
  const month = String(utcMidnight.getUTCMonth() + 1).padStart(2, '0');
  const day = String(utcMidnight.getUTCDate()).padStart(2, '0');
  return `${year}-${month}-${day}`;
}

/** Milliseconds of UTC midnight that starts the given date (not WIB midnight). */
function utcMidnightMs(date: string): number {
  const { year, month, day } = parseDate(date);
  return Date.UTC(year, month - 1, day);
}

/**
 * Returns the WIB calendar date of an instant.
 *
 * @example wibDate(new Date('2026-03-12T17:30:00Z')) // '2026-03-13' (00:30 WIB)
 */
export function wibDate(instant: Date): string {
  assertValidInstant(instant);
  return formatUtcDate(new Date(instant.getTime() + WIB_OFFSET_MS));
}

/**
 * Returns the first instant of a WIB day (00:00:00.000 +07:00).
 *
 * @example startOfWibDay('2026-03-25') // 2026-03-24T17:00:00.000Z
 */
export function startOfWibDay(date: string): Date {
  return new Date(utcMidnightMs(date) - WIB_OFFSET_MS);
}

/**
 * Returns the last instant of a WIB day (23:59:59.999 +07:00).
 *
 * @example endOfWibDay('2026-03-25') // 2026-03-25T16:59:59.999Z
 */
export function endOfWibDay(date: string): Date {
  return new Date(utcMidnightMs(date) + MS_PER_DAY - WIB_OFFSET_MS - 1);
}

/**
 * Adds `n` calendar days (negative `n` goes back).
 *
 * @example addCalendarDays('2026-02-27', 2) // '2026-03-01'
 */
export function addCalendarDays(date: string, n: number): string {
  if (!Number.isInteger(n)) {
    throw new RangeError(`Invalid number of days ${n}: expected a whole number.`);
  }
  return formatUtcDate(new Date(utcMidnightMs(date) + n * MS_PER_DAY));
}

/**
 * Returns the day of the week, 0 = Sunday … 6 = Saturday.
 *
 * @example dayOfWeek('2026-03-13') // 5 (Friday)
 */
export function dayOfWeek(date: string): Weekday {
  return new Date(utcMidnightMs(date)).getUTCDay() as Weekday;
}

/**
 * Returns the year of a calendar date.
 *
 * @example yearOf('2027-01-04') // 2027
 */
export function yearOf(date: string): number {
  return parseDate(date).year;
}

/**
 * Returns the number of calendar days from `from` to `to` (negative when `to` is earlier).
 *
 * @example calendarDaysBetween('2026-03-13', '2026-03-16') // 3
 */
export function calendarDaysBetween(from: string, to: string): number {
  return Math.round((utcMidnightMs(to) - utcMidnightMs(from)) / MS_PER_DAY);
}

/**
 * Returns the instant at a WIB wall-clock time on a date; `minuteOfDay` counts from midnight.
 *
 * @example wibInstant('2026-03-13', 16 * 60) // 2026-03-13T09:00:00.000Z
 */
export function wibInstant(date: string, minuteOfDay: number): Date {
  if (!Number.isInteger(minuteOfDay) || minuteOfDay < 0 || minuteOfDay > 24 * 60) {
    throw new RangeError(`Invalid minute of day ${minuteOfDay}: expected a whole number from 0 to 1440.`);
  }
  return new Date(startOfWibDay(date).getTime() + minuteOfDay * 60_000);
}
