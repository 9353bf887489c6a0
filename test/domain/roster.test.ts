import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkingCalendar, parseHolidayCsv } from '../../src/domain/calendar.ts';
import {
  formatClockTime, isHoliday, isWorkingTime, nextDigestTime, nextShiftStart, nextWorkingStart, officersOnDuty, parseClockTime, pickOfficer,
  shiftsOnDuty, wibMinuteOfDay, type DutyCandidate, type DutyShift,
} from '../../src/domain/roster.ts';
import type { Weekday } from '../../src/domain/time.ts';

const HOLIDAYS = parseHolidayCsv(fs.readFileSync(path.resolve(import.meta.dirname, '../../seed/id-holidays-2022-2026.csv'), 'utf8'));
const calendar = new WorkingCalendar(HOLIDAYS);

/** A WIB wall-clock instant. */
function wib(dateTime: string): Date {
  return new Date(`${dateTime}:00+07:00`);
}

let nextId = 1;
function shift(userId: number, weekday: number, start: string, end: string, options: Partial<DutyShift> = {}): DutyShift {
  return {
    id: nextId++, userId, weekday: weekday as Weekday, startMinute: parseClockTime(start), endMinute: parseClockTime(end),
    channels: [], onHolidays: false, ...options,
  };
}

// Officers 1 and 2 take mornings, 3 and 4 afternoons, Monday to Friday; 5 covers Thursdays, holidays included.
const A = 1, B = 2, C = 3, D = 4, E = 5;
const ROSTER: DutyShift[] = [
  ...[1, 2, 3, 4, 5].flatMap((day) => [shift(A, day, '07:30', '12:00'), shift(B, day, '07:30', '12:00')]),
  ...[1, 2, 3, 4, 5].flatMap((day) => [shift(C, day, '12:00', '16:00'), shift(D, day, '12:00', '16:00')]),
  shift(E, 4, '08:00', '16:00', { onHolidays: true }),
];

/** Plays the roster: each report goes to `pickOfficer`'s choice, which then counts as just assigned. */
function assignAll(instants: Date[], state: Map<number, DutyCandidate>, maxOpenCases = 25): (number | null)[] {
  return instants.map((instant) => {
    const onDuty = officersOnDuty(ROSTER, calendar, instant, 'web');
    const candidates = onDuty.map((userId) => state.get(userId) ?? { userId, active: true, absent: false, openCases: 0, lastAssignedAt: null });
    const { userId } = pickOfficer(candidates, { maxOpenCases });
    if (userId !== null) {
      const current = candidates.find((candidate) => candidate.userId === userId)!;
      state.set(userId, { ...current, openCases: current.openCases + 1, lastAssignedAt: instant });
    }
    return userId;
  });
}

describe('clock times', () => {
  test('parse and format round trip', () => {
    assert.equal(parseClockTime('07:30'), 450);
    assert.equal(parseClockTime('24:00'), 1440);
    assert.equal(formatClockTime(450), '07:30');
    assert.throws(() => parseClockTime('7.30'), /HH:MM/);
    assert.throws(() => parseClockTime('25:00'), /HH:MM/);
  });

  test('minute of WIB day', () => {
    assert.equal(wibMinuteOfDay(wib('2026-03-16T00:05')), 5);
    assert.equal(wibMinuteOfDay(wib('2026-03-16T23:59')), 23 * 60 + 59);
  });
});

describe('who is on duty', () => {
  test('weekday shifts by hour', () => {
    assert.deepEqual(officersOnDuty(ROSTER, calendar, wib('2026-03-16T09:00')), [A, B]);
    assert.deepEqual(officersOnDuty(ROSTER, calendar, wib('2026-03-16T12:00')), [C, D], 'the afternoon starts at 12:00 and the morning ends');
    assert.deepEqual(officersOnDuty(ROSTER, calendar, wib('2026-03-16T16:00')), [], 'end is exclusive');
    assert.deepEqual(officersOnDuty(ROSTER, calendar, wib('2026-03-14T09:00')), [], 'no Saturday shift');
  });

  test('holiday keeps only marked shifts', () => {
    assert.equal(isHoliday(calendar, '2026-03-19'), true, 'Nyepi');
    assert.equal(isHoliday(calendar, '2026-03-14'), false, 'a plain Saturday is no holiday');
    assert.deepEqual(officersOnDuty(ROSTER, calendar, wib('2026-03-19T09:00')), [E]);
    assert.deepEqual(officersOnDuty(ROSTER, calendar, wib('2026-03-12T09:00')), [A, B, E], 'an ordinary Thursday');
  });

  test('cuti bersama counts as holiday unless the calendar works on it', () => {
    assert.deepEqual(officersOnDuty(ROSTER, calendar, wib('2026-03-20T09:00')), []);
    const working = new WorkingCalendar(HOLIDAYS, { countCollectiveLeave: false });
    assert.deepEqual(officersOnDuty(ROSTER, working, wib('2026-03-20T09:00')), [A, B]);
  });

  test('channel filter', () => {
    const shifts = [shift(A, 1, '08:00', '12:00', { channels: ['whatsapp'] }), shift(B, 1, '08:00', '12:00')];
    assert.deepEqual(shiftsOnDuty(shifts, calendar, wib('2026-03-16T09:00'), 'web').map((s) => s.userId), [B]);
    assert.deepEqual(shiftsOnDuty(shifts, calendar, wib('2026-03-16T09:00'), 'whatsapp').map((s) => s.userId), [A, B]);
  });
});

describe('round-robin', () => {
  test('across a shift change and a holiday', () => {
    const state = new Map<number, DutyCandidate>();
    const assigned = assignAll([
      wib('2026-03-16T08:00'), wib('2026-03-16T09:00'), wib('2026-03-16T10:00'),
      // The afternoon shift starts: its officers take turns from the beginning.
      wib('2026-03-16T12:30'), wib('2026-03-16T13:00'), wib('2026-03-16T14:00'),
      // Tuesday morning: officer 1 got a report later than officer 2 on Monday, so 2 goes first.
      wib('2026-03-17T08:00'), wib('2026-03-17T08:30'),
      // Nyepi: only the holiday shift works.
      wib('2026-03-19T09:00'), wib('2026-03-19T10:00'),
      // Cuti bersama Idulfitri: nobody is on duty.
      wib('2026-03-20T09:00'),
    ], state);
    assert.deepEqual(assigned, [A, B, A, C, D, C, B, A, E, E, null]);
  });

  test('officer over the open-case limit is skipped', () => {
    const candidates: DutyCandidate[] = [
      { userId: A, active: true, absent: false, openCases: 10, lastAssignedAt: null },
      { userId: B, active: true, absent: false, openCases: 3, lastAssignedAt: wib('2026-03-16T09:00') },
    ];
    const result = pickOfficer(candidates, { maxOpenCases: 10 });
    assert.equal(result.userId, B);
    assert.deepEqual(result.skipped, [{ userId: A, reason: 'over_limit' }]);
  });

  test('absent, inactive and excluded officers are skipped', () => {
    const result = pickOfficer([
      { userId: A, active: true, absent: true, openCases: 0, lastAssignedAt: null },
      { userId: B, active: false, absent: false, openCases: 0, lastAssignedAt: null },
      { userId: C, active: true, absent: false, openCases: 0, lastAssignedAt: null },
    ], { maxOpenCases: 5, exclude: [C] });
    assert.equal(result.userId, null);
    assert.deepEqual(result.skipped.map((entry) => entry.reason), ['absent', 'inactive', 'excluded']);
  });
});

describe('next shift', () => {
  test('now when a shift runs', () => {
    const now = wib('2026-03-16T09:00');
    assert.equal(nextShiftStart(ROSTER, calendar, now, 'web'), now);
  });

  test('Friday evening before the Nyepi and Idulfitri days waits for Monday', () => {
    assert.deepEqual(nextShiftStart(ROSTER, calendar, wib('2026-03-13T16:00'), 'web'), wib('2026-03-16T07:30'));
  });

  test('holiday run skips to the holiday shift, then to the first working day', () => {
    assert.deepEqual(nextShiftStart(ROSTER, calendar, wib('2026-03-18T20:00'), 'web'), wib('2026-03-19T08:00'));
    assert.deepEqual(nextShiftStart(ROSTER, calendar, wib('2026-03-19T17:00'), 'web'), wib('2026-03-25T07:30'));
  });

  test('null without shifts for the channel', () => {
    assert.equal(nextShiftStart([shift(A, 1, '08:00', '12:00', { channels: ['sms'] })], calendar, wib('2026-03-16T09:00'), 'web'), null);
  });
});

describe('working hours for notifications', () => {
  test('office hours on working days for an officer without shifts', () => {
    assert.equal(isWorkingTime(wib('2026-03-16T10:00'), [], calendar), true);
    assert.equal(isWorkingTime(wib('2026-03-16T17:00'), [], calendar), false);
    assert.equal(isWorkingTime(wib('2026-03-19T10:00'), [], calendar), false, 'Nyepi');
  });

  test('next working start after hours and holidays', () => {
    assert.deepEqual(nextWorkingStart(wib('2026-03-17T18:00'), [], calendar), wib('2026-03-25T07:30'));
    const now = wib('2026-03-16T10:00');
    assert.equal(nextWorkingStart(now, [], calendar), now);
  });

  test('own shifts decide for an officer on the roster', () => {
    const shifts = ROSTER.filter((s) => s.userId === E);
    assert.equal(isWorkingTime(wib('2026-03-19T10:00'), shifts, calendar), true);
    assert.deepEqual(nextWorkingStart(wib('2026-03-16T10:00'), shifts, calendar), wib('2026-03-19T08:00'));
  });

  test('digest goes at the start of the next working day', () => {
    assert.deepEqual(nextDigestTime(wib('2026-03-16T10:00'), [], calendar), wib('2026-03-17T07:30'));
    assert.deepEqual(nextDigestTime(wib('2026-03-16T06:00'), [], calendar), wib('2026-03-16T07:30'));
  });
});
