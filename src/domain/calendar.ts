/**
 * Working-day (hari kerja) calendar for Asia/Jakarta.
 *
 * A working day is Monday to Friday, minus national holidays (libur nasional)
 * and, unless configured otherwise, collective leave days (cuti bersama). Holiday
 * lists change during the year by decree, so they are data: build a
 * `WorkingCalendar` from the rows an administrator maintains. Years without any
 * holiday data are "uncovered", and every calculation that steps over such a
 * year reports it so that callers can warn instead of trusting a guess.
 */
import { parse as parseCsv } from 'csv-parse/sync';

import {
  addCalendarDays,
  assertValidInstant,
  dayOfWeek,
  endOfWibDay,
  parseDate,
  wibDate,
  wibInstant,
  yearOf,
  type Weekday,
} from './time.ts';

export type HolidayKind = 'national' | 'collective_leave';

/** One non-working date set by decree. */
export interface Holiday {
  /** WIB calendar date, `YYYY-MM-DD`. */
  date: string;
  /** `national` is libur nasional, `collective_leave` is cuti bersama. */
  kind: HolidayKind;
  /** Name as the decree gives it, for example "Idulfitri 1447 H". */
  name: string;
  /** Legal basis, for example the joint ministerial decree (SKB) number. */
  basis?: string;
  /** Free remark, for example how a later decree changed the date. */
  note?: string;
}

export interface WorkingCalendarOptions {
  /**
   * Years whose holiday list is known. When omitted, every year with at least
   * one holiday row counts as covered.
   */
  coveredYears?: readonly number[];
  /** Whether cuti bersama days are non-working. Default true. */
  countCollectiveLeave?: boolean;
}

/** Result of stepping through working days. */
export interface WorkingDayResult {
  /** The resulting WIB calendar date. */
  date: string;
  /**
   * Years without holiday data that the calculation stepped over, ascending.
   * Non-empty means `date` counted only weekends in those years and may be too early.
   */
  uncoveredYears: number[];
}

/** Office hours of one day as WIB wall-clock times `HH:MM`, start before end. */
export interface OfficeWindow {
  start: string;
  end: string;
}

/** Office hours by day of the week (0 = Sunday … 6 = Saturday). A day without an entry has no office hours. */
export type OfficeHours = Partial<Record<Weekday, OfficeWindow>>;

/**
 * Default office hours: Monday to Thursday 07:30–16:00 and Friday 07:30–16:30 WIB,
 * the five-day week common in Indonesian regional civil service. Regencies set
 * their own hours by regulation, so callers should pass the configured hours.
 * A window counts from opening to closing, breaks included.
 */
export const DEFAULT_OFFICE_HOURS: Readonly<OfficeHours> = Object.freeze({
  1: { start: '07:30', end: '16:00' },
  2: { start: '07:30', end: '16:00' },
  3: { start: '07:30', end: '16:00' },
  4: { start: '07:30', end: '16:00' },
  5: { start: '07:30', end: '16:30' },
});

/**
 * Maximum `n` for `addWorkingDays`. The longest default SLA is 60 working days,
 * so 10,000 (about 40 years) allows any real setting and rejects runaway input.
 */
export const MAX_WORKING_DAYS = 10_000;

const HOLIDAY_KINDS: readonly HolidayKind[] = ['national', 'collective_leave'];

const TIME_OF_DAY_RE = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/;

/** Working-day arithmetic over a fixed set of holidays. */
export class WorkingCalendar {
  readonly countCollectiveLeave: boolean;
  readonly #holidaysByDate = new Map<string, Holiday[]>();
  readonly #coveredYears: ReadonlySet<number>;

  /**
   * Builds a calendar. Throws a RangeError on a holiday with an invalid date or kind.
   *
   * @example
   * const calendar = new WorkingCalendar(holidays, { countCollectiveLeave: true });
   */
  constructor(holidays: readonly Holiday[], options: WorkingCalendarOptions = {}) {
    this.countCollectiveLeave = options.countCollectiveLeave ?? true;

    for (const [index, holiday] of holidays.entries()) {
      validateHoliday(holiday, index);
      const sameDay = this.#holidaysByDate.get(holiday.date) ?? [];
      sameDay.push(holiday);
      this.#holidaysByDate.set(holiday.date, sameDay);
    }

    if (options.coveredYears) {
      for (const year of options.coveredYears) {
        if (!Number.isInteger(year)) {
          throw new RangeError(`Invalid covered year ${String(year)}: expected a whole number such as 2026.`);
        }
      }
      this.#coveredYears = new Set(options.coveredYears);
    } else {
      this.#coveredYears = new Set(holidays.map((holiday) => yearOf(holiday.date)));
    }
  }

  /**
   * Returns the years with holiday data, ascending.
   *
   * @example calendar.coveredYears // [2022, 2023, 2024, 2025, 2026]
   */
  get coveredYears(): number[] {
    return [...this.#coveredYears].sort((a, b) => a - b);
  }

  /**
   * Returns whether the holiday list of `year` is known.
   *
   * @example calendar.isCoveredYear(2027) // false
   */
  isCoveredYear(year: number): boolean {
    return this.#coveredYears.has(year);
  }

  /**
   * Returns the holiday rows on a date, including cuti bersama even when it counts as working.
   *
   * @example calendar.holidaysOn('2026-03-19') // [{ date: '2026-03-19', kind: 'national', name: 'Nyepi Saka 1948', … }]
   */
  holidaysOn(date: string): Holiday[] {
    parseDate(date);
    return [...(this.#holidaysByDate.get(date) ?? [])];
  }

  /**
   * Returns whether a date is a working day: Monday to Friday and not a holiday.
   * Cuti bersama counts as a holiday when `countCollectiveLeave` is true.
   *
   * @example calendar.isWorkingDay('2026-03-18') // false (cuti bersama Nyepi)
   */
  isWorkingDay(date: string): boolean {
    const weekday = dayOfWeek(date);
    if (weekday === 0 || weekday === 6) {
      return false;
    }
    const holidays = this.#holidaysByDate.get(date) ?? [];
    return !holidays.some((holiday) => holiday.kind === 'national' || this.countCollectiveLeave);
  }

  /**
   * Returns the Nth working day after `date`. The start date itself never counts,
   * and n = 0 returns `date` unchanged even if it is not a working day.
   * Reports the uncovered years among the days in (date, result].
   *
   * @example calendar.addWorkingDays('2026-03-13', 3) // { date: '2026-03-25', uncoveredYears: [] }
   */
  addWorkingDays(date: string, n: number): WorkingDayResult {
    parseDate(date);
    if (!Number.isInteger(n) || n < 0 || n > MAX_WORKING_DAYS) {
      throw new RangeError(
        `Invalid number of working days ${n}: expected a whole number from 0 to ${MAX_WORKING_DAYS}.`,
      );
    }

    let current = date;
    let remaining = n;
    while (remaining > 0) {
      current = addCalendarDays(current, 1);
      if (this.isWorkingDay(current)) {
        remaining -= 1;
      }
    }
    return { date: current, uncoveredYears: this.uncoveredYearsBetween(date, current) };
  }

  /**
   * Same as `addWorkingDays` but returns only the date, and throws when a year
   * stepped over has no holiday data.
   *
   * @example calendar.addWorkingDaysStrict('2026-03-13', 3) // '2026-03-25'
   */
  addWorkingDaysStrict(date: string, n: number): string {
    const result = this.addWorkingDays(date, n);
    if (result.uncoveredYears.length > 0) {
      throw new UncoveredYearError(result.uncoveredYears);
    }
    return result.date;
  }

  /**
   * Counts the working days in (from, to]: `from` itself does not count, `to` does.
   * Returns 0 when `to` is on or before `from`. In uncovered years only weekends
   * are non-working, so check `uncoveredYearsBetween` for the same range.
   *
   * @example calendar.workingDaysBetween('2026-03-13', '2026-03-25') // 3
   */
  workingDaysBetween(from: string, to: string): number {
    parseDate(from);
    parseDate(to);
    let count = 0;
    for (let current = addCalendarDays(from, 1); current <= to; current = addCalendarDays(current, 1)) {
      if (this.isWorkingDay(current)) {
        count += 1;
      }
    }
    return count;
  }

  /**
   * Returns the years without holiday data among the days in (from, to], ascending.
   *
   * @example calendar.uncoveredYearsBetween('2026-12-30', '2027-01-05') // [2027]
   */
  uncoveredYearsBetween(from: string, to: string): number[] {
    parseDate(from);
    parseDate(to);
    if (to <= from) {
      return [];
    }
    const years: number[] = [];
    for (let year = yearOf(addCalendarDays(from, 1)); year <= yearOf(to); year += 1) {
      if (!this.#coveredYears.has(year)) {
        years.push(year);
      }
    }
    return years;
  }

  /**
   * Returns the working time in hours between two instants: the part of (a, b)
   * that falls inside office hours on working days. Returns 0 when b <= a.
   *
   * @example
   * // Friday 15:00 WIB to Monday 08:30 WIB: 1.5 h on Friday + 1 h on Monday
   * calendar.workingHoursBetween(new Date('2026-03-06T08:00:00Z'), new Date('2026-03-09T01:30:00Z')) // 2.5
   */
  workingHoursBetween(a: Date, b: Date, hours: OfficeHours = DEFAULT_OFFICE_HOURS): number {
    assertValidInstant(a, 'start instant');
    assertValidInstant(b, 'end instant');
    const windows = parseOfficeHours(hours);
    if (b.getTime() <= a.getTime()) {
      return 0;
    }

    let totalMs = 0;
    const lastDate = wibDate(b);
    for (let date = wibDate(a); date <= lastDate; date = addCalendarDays(date, 1)) {
      const window = windows.get(dayOfWeek(date));
      if (!window || !this.isWorkingDay(date)) {
        continue;
      }
      const openMs = wibInstant(date, window.startMinute).getTime();
      const closeMs = wibInstant(date, window.endMinute).getTime();
      const overlapMs = Math.min(b.getTime(), closeMs) - Math.max(a.getTime(), openMs);
      totalMs += Math.max(0, overlapMs);
    }
    return totalMs / 3_600_000;
  }

  /**
   * Returns the last instant of the Nth working day after the WIB date of `instant`.
   *
   * @example calendar.workingDeadline(new Date('2026-03-13T09:00:00Z'), 3).dueAt // 2026-03-25T16:59:59.999Z
   */
  workingDeadline(instant: Date, n: number): WorkingDayResult & { dueAt: Date } {
    const result = this.addWorkingDays(wibDate(instant), n);
    return { ...result, dueAt: endOfWibDay(result.date) };
  }
}

/** Thrown by strict calculations that would step over a year without holiday data. */
export class UncoveredYearError extends Error {
  readonly uncoveredYears: number[];

  constructor(uncoveredYears: number[]) {
    super(
      `No holiday calendar for ${uncoveredYears.join(', ')}: add the national holidays ` +
        'and cuti bersama for that year before computing working-day deadlines.',
    );
    this.name = 'UncoveredYearError';
    this.uncoveredYears = uncoveredYears;
  }
}

function validateHoliday(holiday: Holiday, index: number): void {
  try {
    parseDate(holiday.date);
  } catch (error) {
    throw new RangeError(`Invalid holiday at index ${index}: ${(error as Error).message}`);
  }
  if (!HOLIDAY_KINDS.includes(holiday.kind)) {
    throw new RangeError(
      `Invalid holiday kind ${JSON.stringify(holiday.kind)} at index ${index} (${holiday.date}): ` +
        `expected one of ${HOLIDAY_KINDS.join(', ')}.`,
    );
  }
}

interface MinuteWindow {
  startMinute: number;
  endMinute: number;
}

/** Converts `HH:MM` office hours to minutes after midnight, rejecting bad times and empty windows. */
function parseOfficeHours(hours: OfficeHours): Map<number, MinuteWindow> {
  const windows = new Map<number, MinuteWindow>();
  for (const [key, window] of Object.entries(hours)) {
    const weekday = Number(key);
    if (!Number.isInteger(weekday) || weekday < 0 || weekday > 6) {
      throw new RangeError(`Invalid office-hours day ${JSON.stringify(key)}: expected 0 (Sunday) to 6 (Saturday).`);
    }
    if (!window) {
      continue;
    }
    const startMinute = parseTimeOfDay(window.start, weekday);
    const endMinute = parseTimeOfDay(window.end, weekday);
    if (endMinute <= startMinute) {
      throw new RangeError(
        `Invalid office hours for day ${weekday}: end ${window.end} must be later than start ${window.start}.`,
      );
    }
    windows.set(weekday, { startMinute, endMinute });
  }
  return windows;
}

function parseTimeOfDay(time: string, weekday: number): number {
  const match = typeof time === 'string' ? TIME_OF_DAY_RE.exec(time) : null;
  if (!match) {
    throw new RangeError(
      `Invalid office-hours time ${JSON.stringify(time)} for day ${weekday}: expected HH:MM in 24-hour WIB time, for example 07:30.`,
    );
  }
  if (time === '24:00') {
    return 24 * 60;
  }
  return Number(match[1]) * 60 + Number(match[2]);
}

// ---------------------------------------------------------------------------
// Holiday CSV

/** Header of the holiday CSV, in order. */
export const HOLIDAY_CSV_COLUMNS = ['date', 'type', 'name', 'skb_or_basis', 'note'] as const;

/** Values of the CSV `type` column and the holiday kind each maps to. */
const CSV_TYPE_TO_KIND: ReadonlyMap<string, HolidayKind> = new Map([
  ['libur', 'national'],
  ['cuti_bersama', 'collective_leave'],
]);

/** Error in the holiday CSV. `line` is the 1-based line number of the bad row. */
export class HolidayCsvError extends Error {
  readonly line: number;

  constructor(line: number, message: string) {
    super(`Holiday CSV line ${line}: ${message}`);
    this.name = 'HolidayCsvError';
    this.line = line;
  }
}

/**
 * Parses the holiday CSV (`date,type,name,skb_or_basis,note`) into holidays.
 * `type` is `libur` (national holiday) or `cuti_bersama` (collective leave).
 * Rows carry final dates: a date moved by a later decree appears once, at its
 * new date, with the change described in `note`. Throws HolidayCsvError naming
 * the line of the first bad row.
 *
 * @example
 * parseHolidayCsv('date,type,name,skb_or_basis,note\n2026-03-19,libur,Nyepi Saka 1948,SKB 1497/2025,\n')
 * // [{ date: '2026-03-19', kind: 'national', name: 'Nyepi Saka 1948', basis: 'SKB 1497/2025' }]
 */
export function parseHolidayCsv(text: string): Holiday[] {
  const rows = readCsvRows(text);
  if (rows.length === 0) {
    throw new HolidayCsvError(1, `the file is empty. Expected the header ${HOLIDAY_CSV_COLUMNS.join(',')}.`);
  }

  const [header, ...dataRows] = rows;
  const expectedHeader = HOLIDAY_CSV_COLUMNS.join(',');
  if (header.fields.map((field) => field.trim()).join(',') !== expectedHeader) {
    throw new HolidayCsvError(header.line, `expected the header ${expectedHeader}, got ${header.fields.join(',')}.`);
  }

  return dataRows.map((row) => parseHolidayRow(row));
}

interface CsvRow {
  fields: string[];
  line: number;
}

function readCsvRows(text: string): CsvRow[] {
  if (typeof text !== 'string') {
    throw new TypeError('Holiday CSV: expected the file contents as a string.');
  }
  try {
    const records = parseCsv(text, {
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
    return records.map(({ record, info }) => ({ fields: record, line: info.lines }));
  } catch (error) {
    const line = (error as { lines?: number }).lines ?? 1;
    throw new HolidayCsvError(line, `the file is not valid CSV (${(error as Error).message}).`);
  }
}

function parseHolidayRow({ fields, line }: CsvRow): Holiday {
  if (fields.length !== HOLIDAY_CSV_COLUMNS.length) {
    throw new HolidayCsvError(
      line,
      `expected ${HOLIDAY_CSV_COLUMNS.length} columns (${HOLIDAY_CSV_COLUMNS.join(',')}), got ${fields.length}.`,
    );
  }
  const [date, type, name, basis, note] = fields.map((field) => field.trim());

  try {
    parseDate(date);
  } catch (error) {
    throw new HolidayCsvError(line, (error as Error).message);
  }
  const kind = CSV_TYPE_TO_KIND.get(type);
  if (!kind) {
    throw new HolidayCsvError(line, `invalid type ${JSON.stringify(type)}. Expected libur or cuti_bersama.`);
  }
  if (name === '') {
    throw new HolidayCsvError(line, 'the name column is empty. Give the holiday name from the decree.');
  }

  const holiday: Holiday = { date, kind, name };
  if (basis !== '') {
    holiday.basis = basis;
  }
  if (note !== '') {
    holiday.note = note;
  }
  return holiday;
}
