import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';

import {
  HolidayCsvError,
  MAX_WORKING_DAYS,
  UncoveredYearError,
  WorkingCalendar,
  parseHolidayCsv,
  type OfficeHours,
} from '../../src/domain/calendar.ts';
import {
  addCalendarDays,
  calendarDaysBetween,
  dayOfWeek,
  endOfWibDay,
  isValidDate,
  startOfWibDay,
  wibDate,
  wibInstant,
} from '../../src/domain/time.ts';

const repoRoot = new URL('../../', import.meta.url);
const holidayCsvUrl = new URL('../shared/data/calendar/id-holidays-2022-2026.csv', repoRoot);
const holidayCsv = await readFile(holidayCsvUrl, 'utf8');
const holidays = parseHolidayCsv(holidayCsv);
const calendar = new WorkingCalendar(holidays);
const calendarWithoutLeave = new WorkingCalendar(holidays, { countCollectiveLeave: false });

const HEADER = 'date,type,name,skb_or_basis,note';

describe('time helpers (WIB)', () => {
  test('wibDate across the midnight boundary', () => {
    const cases: [string, string][] = [
      ['2026-03-12T16:59:59.999Z', '2026-03-12'], // 23:59:59.999 WIB
      ['2026-03-12T17:00:00.000Z', '2026-03-13'], // 00:00 WIB
      ['2026-03-12T16:30:00.000Z', '2026-03-12'], // 23:30 WIB
      ['2026-03-12T17:30:00.000Z', '2026-03-13'], // 00:30 WIB, still 12 March in UTC
      ['2025-12-31T17:00:00.000Z', '2026-01-01'],
    ];
    for (const [iso, expected] of cases) {
      assert.equal(wibDate(new Date(iso)), expected, iso);
    }
  });

  test('start and end of a WIB day', () => {
    assert.equal(startOfWibDay('2026-03-25').toISOString(), '2026-03-24T17:00:00.000Z');
    assert.equal(endOfWibDay('2026-03-25').toISOString(), '2026-03-25T16:59:59.999Z');
    assert.equal(wibDate(endOfWibDay('2026-03-25')), '2026-03-25');
    assert.equal(wibDate(startOfWibDay('2026-03-25')), '2026-03-25');
    assert.equal(wibInstant('2026-03-13', 16 * 60).toISOString(), '2026-03-13T09:00:00.000Z');
  });

  test('addCalendarDays over month and leap days', () => {
    const cases: [string, number, string][] = [
      ['2026-02-27', 2, '2026-03-01'],
      ['2024-02-28', 1, '2024-02-29'],
      ['2024-03-01', -1, '2024-02-29'],
      ['2026-12-31', 1, '2027-01-01'],
      ['2026-03-13', 0, '2026-03-13'],
    ];
    for (const [date, n, expected] of cases) {
      assert.equal(addCalendarDays(date, n), expected, `${date} + ${n}`);
    }
    assert.equal(calendarDaysBetween('2026-03-13', '2026-03-16'), 3);
    assert.equal(calendarDaysBetween('2026-03-16', '2026-03-13'), -3);
  });

  test('dayOfWeek uses 0 for Sunday', () => {
    assert.equal(dayOfWeek('2026-03-13'), 5);
    assert.equal(dayOfWeek('2026-03-14'), 6);
    assert.equal(dayOfWeek('2026-03-15'), 0);
    assert.equal(dayOfWeek('2022-07-10'), 0);
  });

  test('invalid date strings are rejected', () => {
    const cases: [string, RegExp][] = [
      ['2026-02-30', /February 2026 has days 01 to 28/],
      ['2025-02-29', /February 2025 has days 01 to 28/],
      ['2026-13-01', /month must be 01 to 12/],
      ['2026-04-31', /April 2026 has days 01 to 30/],
      ['2026-3-13', /expected the form YYYY-MM-DD/],
      ['13-03-2026', /expected the form YYYY-MM-DD/],
      ['2026-03-13T00:00', /expected the form YYYY-MM-DD/],
      ['0099-01-01', /year must be 1000 or later/],
    ];
    for (const [date, message] of cases) {
      assert.throws(() => addCalendarDays(date, 1), message, date);
      assert.equal(isValidDate(date), false, date);
    }
    assert.equal(isValidDate('2024-02-29'), true);
  });

  test('invalid instants are rejected', () => {
    assert.throws(() => wibDate(new Date('not a date')), /Invalid instant/);
  });
});

describe('parseHolidayCsv with the published calendar', () => {
  const dataLines = holidayCsv.split('\n').slice(1).filter((line) => line.trim() !== '');

  test('one holiday per data line', () => {
    assert.equal(holidays.length, dataLines.length);
    const liburLines = dataLines.filter((line) => line.split(',')[1] === 'libur').length;
    assert.equal(holidays.filter((holiday) => holiday.kind === 'national').length, liburLines);
    assert.equal(holidays.filter((holiday) => holiday.kind === 'collective_leave').length, dataLines.length - liburLines);
  });

  test('fields of a changed row', () => {
    const [iduladha] = calendar.holidaysOn('2022-07-10');
    assert.equal(iduladha.kind, 'national');
    assert.equal(iduladha.name, 'Iduladha 1443 H');
    assert.equal(iduladha.basis, 'SKB 678/2022;2/2022;2/2022');
    assert.match(iduladha.note ?? '', /moved from 9 Jul/);
    assert.deepEqual(calendar.holidaysOn('2022-07-09'), []);
    assert.deepEqual(calendar.holidaysOn('2022-12-26'), []);
    assert.deepEqual(calendar.holidaysOn('2023-04-26'), []);
  });

  test('empty basis and note are omitted', () => {
    const [nyepi] = calendar.holidaysOn('2026-03-19');
    assert.equal(nyepi.basis, 'SKB 1497/2025');
    assert.equal('note' in nyepi, false);
  });

  test('covered years come from the rows', () => {
    assert.deepEqual(calendar.coveredYears, [2022, 2023, 2024, 2025, 2026]);
    assert.equal(calendar.isCoveredYear(2027), false);
  });
});

describe('parseHolidayCsv rejects bad rows', () => {
  const cases: { name: string; text: string; line: number; message: RegExp }[] = [
    { name: 'empty file', text: '', line: 1, message: /empty/ },
    { name: 'wrong header', text: 'date,kind,name\n', line: 1, message: /expected the header/ },
    {
      name: 'impossible date',
      text: `${HEADER}\n2026-01-01,libur,Tahun Baru,SKB,\n2026-02-30,libur,X,SKB,\n`,
      line: 3,
      message: /February 2026/,
    },
    {
      name: 'unknown type',
      text: `${HEADER}\n2026-01-01,holiday,Tahun Baru,SKB,\n`,
      line: 2,
      message: /invalid type "holiday"\. Expected libur or cuti_bersama/,
    },
    {
      name: 'inherited property as type',
      text: `${HEADER}\n2026-01-01,constructor,Tahun Baru,SKB,\n`,
      line: 2,
      message: /invalid type/,
    },
    {
      name: 'missing column',
      text: `${HEADER}\n2026-01-01,libur,Tahun Baru,SKB,\n2026-01-16,libur,Isra Mikraj\n`,
      line: 3,
      message: /expected 5 columns/,
    },
    { name: 'empty name', text: `${HEADER}\n2026-01-01,libur,,SKB,\n`, line: 2, message: /name column is empty/ },
    { name: 'unclosed quote', text: `${HEADER}\n2026-01-01,libur,"Tahun Baru,SKB,\n`, line: 2, message: /not valid CSV/ },
  ];

  for (const { name, text, line, message } of cases) {
    test(name, () => {
      assert.throws(
        () => parseHolidayCsv(text),
        (error: unknown) => {
          assert.ok(error instanceof HolidayCsvError);
          assert.equal(error.line, line);
          assert.match(error.message, message);
          assert.match(error.message, new RegExp(`^Holiday CSV line ${line}:`));
          return true;
        },
      );
    });
  }

  test('BOM, CRLF and quoted commas are accepted', () => {
    const text = `\uFEFF${HEADER}\r\n2026-01-01,libur,"Tahun Baru, Masehi",SKB 1497/2025,\r\n`;
    assert.deepEqual(parseHolidayCsv(text), [
      { date: '2026-01-01', kind: 'national', name: 'Tahun Baru, Masehi', basis: 'SKB 1497/2025' },
    ]);
  });
});

describe('WorkingCalendar.isWorkingDay', () => {
  const cases: [string, boolean, string][] = [
    ['2022-07-09', false, 'Saturday, no longer Iduladha'],
    ['2022-07-10', false, 'Sunday, Iduladha after the July 2022 decree'],
    ['2022-07-11', true, 'Monday after the moved Iduladha'],
    ['2022-12-26', true, 'no cuti bersama after Christmas 2022'],
    ['2023-04-19', false, 'cuti bersama added by the 2023 decree'],
    ['2023-04-26', true, 'dropped from the earlier cuti bersama set'],
    ['2023-06-28', false, 'cuti bersama added in June 2023'],
    ['2024-02-14', false, 'election day'],
    ['2024-11-27', false, 'regional election day'],
    ['2025-08-18', false, 'cuti bersama added in August 2025'],
    ['2026-03-13', true, 'ordinary Friday'],
    ['2026-03-18', false, 'cuti bersama Nyepi'],
    ['2026-03-19', false, 'Nyepi'],
    ['2026-03-20', false, 'cuti bersama Idulfitri'],
    ['2026-03-23', false, 'cuti bersama Idulfitri'],
    ['2026-03-24', false, 'cuti bersama Idulfitri'],
    ['2026-03-25', true, 'first working day after Idulfitri'],
    ['2027-01-01', true, 'no data for 2027: weekdays only'],
    ['2027-01-02', false, 'Saturday in 2027'],
  ];
  for (const [date, expected, reason] of cases) {
    test(`${date} ${reason}`, () => {
      assert.equal(calendar.isWorkingDay(date), expected);
    });
  }

  test('cuti bersama optional', () => {
    assert.equal(calendarWithoutLeave.isWorkingDay('2023-04-19'), true);
    assert.equal(calendarWithoutLeave.isWorkingDay('2025-08-18'), true);
    assert.equal(calendarWithoutLeave.isWorkingDay('2026-03-19'), false);
    assert.equal(calendarWithoutLeave.isWorkingDay('2026-03-21'), false);
  });

  test('invalid date rejected', () => {
    assert.throws(() => calendar.isWorkingDay('2026-02-30'), /February 2026/);
  });
});

describe('WorkingCalendar.addWorkingDays', () => {
  const cases: { from: string; n: number; expected: string; uncovered: number[]; why: string }[] = [
    { from: '2026-03-13', n: 3, expected: '2026-03-25', uncovered: [], why: 'Friday over Nyepi and Idulfitri' },
    { from: '2026-03-14', n: 3, expected: '2026-03-25', uncovered: [], why: 'Saturday start' },
    { from: '2026-03-15', n: 1, expected: '2026-03-16', uncovered: [], why: 'Sunday start' },
    { from: '2026-03-17', n: 1, expected: '2026-03-25', uncovered: [], why: 'day before the holiday block' },
    { from: '2026-03-13', n: 0, expected: '2026-03-13', uncovered: [], why: 'n = 0 on a working day' },
    { from: '2026-03-14', n: 0, expected: '2026-03-14', uncovered: [], why: 'n = 0 on a weekend stays put' },
    { from: '2022-12-23', n: 1, expected: '2022-12-26', uncovered: [], why: '26 Dec 2022 is working' },
    { from: '2023-04-18', n: 1, expected: '2023-04-26', uncovered: [], why: 'Idulfitri 2023 after the change' },
    { from: '2025-08-15', n: 1, expected: '2025-08-19', uncovered: [], why: '18 Aug 2025 cuti bersama' },
    { from: '2022-07-08', n: 1, expected: '2022-07-11', uncovered: [], why: 'weekend of the moved Iduladha' },
    { from: '2026-12-23', n: 2, expected: '2026-12-29', uncovered: [], why: 'Christmas 2026' },
    { from: '2026-12-30', n: 3, expected: '2027-01-04', uncovered: [2027], why: 'into 2027 without data' },
    { from: '2027-03-01', n: 5, expected: '2027-03-08', uncovered: [2027], why: 'inside 2027' },
    { from: '2027-03-01', n: 0, expected: '2027-03-01', uncovered: [], why: 'n = 0 steps over nothing' },
  ];
  for (const { from, n, expected, uncovered, why } of cases) {
    test(`${from} + ${n}: ${why}`, () => {
      const result = calendar.addWorkingDays(from, n);
      assert.equal(result.date, expected);
      assert.deepEqual(result.uncoveredYears, uncovered);
    });
  }

  test('cuti bersama optional', () => {
    assert.equal(calendarWithoutLeave.addWorkingDays('2026-03-13', 3).date, '2026-03-18');
  });

  test('explicit covered years override the rows', () => {
    const explicit = new WorkingCalendar(holidays, { coveredYears: [2026, 2027] });
    assert.deepEqual(explicit.addWorkingDays('2026-12-30', 3).uncoveredYears, []);
    assert.deepEqual(explicit.addWorkingDays('2025-12-30', 3).uncoveredYears, [2025]);
  });

  test('strict variant throws on uncovered year', () => {
    assert.equal(calendar.addWorkingDaysStrict('2026-03-13', 3), '2026-03-25');
    assert.throws(
      () => calendar.addWorkingDaysStrict('2026-12-30', 3),
      (error: unknown) => {
        assert.ok(error instanceof UncoveredYearError);
        assert.deepEqual(error.uncoveredYears, [2027]);
        assert.match(error.message, /No holiday calendar for 2027/);
        return true;
      },
    );
  });

  test('bad n and dates rejected', () => {
    assert.throws(() => calendar.addWorkingDays('2026-03-13', -1), /Invalid number of working days -1/);
    assert.throws(() => calendar.addWorkingDays('2026-03-13', 1.5), /whole number/);
    assert.throws(() => calendar.addWorkingDays('2026-03-13', MAX_WORKING_DAYS + 1), /Invalid number/);
    assert.throws(() => calendar.addWorkingDays('2026-02-30', 1), /February 2026/);
  });

  test('every result is a working day', () => {
    for (let offset = 0; offset < 366; offset += 7) {
      const from = addCalendarDays('2025-01-03', offset);
      for (const n of [1, 3, 5, 14]) {
        const { date } = calendar.addWorkingDays(from, n);
        assert.equal(calendar.isWorkingDay(date), true, `${from} + ${n} = ${date}`);
      }
    }
  });
});

describe('WorkingCalendar.workingDaysBetween', () => {
  const cases: [string, string, number][] = [
    ['2026-03-13', '2026-03-25', 3],
    ['2026-03-13', '2026-03-16', 1],
    ['2026-03-13', '2026-03-13', 0],
    ['2026-03-25', '2026-03-13', 0],
    ['2026-03-17', '2026-03-24', 0],
    ['2026-12-31', '2027-01-01', 1],
  ];
  for (const [from, to, expected] of cases) {
    test(`(${from}, ${to}]`, () => {
      assert.equal(calendar.workingDaysBetween(from, to), expected);
    });
  }

  test('inverse of addWorkingDays', () => {
    for (const from of ['2022-07-08', '2023-04-14', '2024-04-05', '2025-08-15', '2026-03-13', '2026-03-14']) {
      for (let n = 0; n <= 25; n += 1) {
        const to = calendar.addWorkingDays(from, n).date;
        assert.equal(calendar.workingDaysBetween(from, to), n, `${from} + ${n} = ${to}`);
      }
    }
  });

  test('uncovered years in a range', () => {
    assert.deepEqual(calendar.uncoveredYearsBetween('2026-12-30', '2027-01-05'), [2027]);
    assert.deepEqual(calendar.uncoveredYearsBetween('2026-12-30', '2026-12-31'), []);
    assert.deepEqual(calendar.uncoveredYearsBetween('2027-12-31', '2027-12-31'), []);
    assert.deepEqual(calendar.uncoveredYearsBetween('2021-12-31', '2028-01-01'), [2027, 2028]);
  });
});

describe('WorkingCalendar.workingHoursBetween', () => {
  const wib = (iso: string): Date => new Date(`${iso}+07:00`);
  const cases: { from: string; to: string; expected: number; why: string }[] = [
    { from: '2026-03-06T15:00', to: '2026-03-09T08:30', expected: 2.5, why: 'Friday to Monday' },
    { from: '2026-03-09T07:00', to: '2026-03-09T17:00', expected: 8.5, why: 'whole Monday' },
    { from: '2026-03-06T07:00', to: '2026-03-06T17:00', expected: 9, why: 'whole Friday' },
    { from: '2026-03-02T00:00', to: '2026-03-07T00:00', expected: 43, why: 'whole week' },
    { from: '2026-03-09T10:00', to: '2026-03-09T10:45', expected: 0.75, why: 'inside one window' },
    { from: '2026-03-09T17:00', to: '2026-03-10T07:00', expected: 0, why: 'overnight' },
    { from: '2026-03-17T12:00', to: '2026-03-25T08:30', expected: 5, why: 'over Nyepi and Idulfitri' },
    { from: '2026-03-09T12:00', to: '2026-03-09T12:00', expected: 0, why: 'same instant' },
    { from: '2026-03-10T12:00', to: '2026-03-09T12:00', expected: 0, why: 'end before start' },
  ];
  for (const { from, to, expected, why } of cases) {
    test(why, () => {
      assert.equal(calendar.workingHoursBetween(wib(from), wib(to)), expected);
    });
  }

  test('configured office hours', () => {
    const mondayMornings: OfficeHours = { 1: { start: '08:00', end: '12:00' } };
    const hours = calendar.workingHoursBetween(wib('2026-03-02T00:00'), wib('2026-03-16T00:00'), mondayMornings);
    assert.equal(hours, 8);
  });

  test('Saturday hours ignored', () => {
    const saturday: OfficeHours = { 6: { start: '08:00', end: '12:00' } };
    assert.equal(calendar.workingHoursBetween(wib('2026-03-07T00:00'), wib('2026-03-08T00:00'), saturday), 0);
  });

  test('invalid office hours rejected', () => {
    const start = wib('2026-03-09T07:00');
    const end = wib('2026-03-09T17:00');
    assert.throws(() => calendar.workingHoursBetween(start, end, { 1: { start: '7:30', end: '16:00' } }), /expected HH:MM/);
    assert.throws(() => calendar.workingHoursBetween(start, end, { 1: { start: '16:00', end: '07:30' } }), /must be later/);
    assert.throws(() => calendar.workingHoursBetween(new Date(Number.NaN), end), /Invalid start instant/);
  });
});

describe('WorkingCalendar construction', () => {
  test('bad holiday rows rejected', () => {
    assert.throws(
      () => new WorkingCalendar([{ date: '2026-02-30', kind: 'national', name: 'X' }]),
      /Invalid holiday at index 0: .*February 2026/,
    );
    assert.throws(
      () => new WorkingCalendar([{ date: '2026-01-01', kind: 'regional' as 'national', name: 'X' }]),
      /Invalid holiday kind "regional"/,
    );
    assert.throws(() => new WorkingCalendar([], { coveredYears: [2026.5] }), /Invalid covered year/);
  });

  test('deadline instant helper', () => {
    const deadline = calendar.workingDeadline(new Date('2026-03-13T09:00:00Z'), 3);
    assert.equal(deadline.date, '2026-03-25');
    assert.equal(deadline.dueAt.toISOString(), '2026-03-25T16:59:59.999Z');
  });
});
