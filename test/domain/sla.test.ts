import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';

import { WorkingCalendar, parseHolidayCsv } from '../../src/domain/calendar.ts';
import {
  CLOCK_NAMES,
  DEFAULT_SLA_SETTINGS,
  RESOLUTION_DAYS_BY_COMPLEXITY,
  computeClocks,
  type ComplaintEvent,
  type SlaSettings,
} from '../../src/domain/sla.ts';

const repoRoot = new URL('../../', import.meta.url);
const holidayCsv = await readFile(new URL('../shared/data/calendar/id-holidays-2022-2026.csv', repoRoot), 'utf8');
const calendar = new WorkingCalendar(parseHolidayCsv(holidayCsv));

const settings: SlaSettings = { ...DEFAULT_SLA_SETTINGS, resolutionDays: RESOLUTION_DAYS_BY_COMPLEXITY.medium };

/** Instant from a WIB wall-clock time, `YYYY-MM-DDTHH:MM`. */
const wib = (local: string): Date => new Date(`${local}:00+07:00`);

/** Event at a WIB wall-clock time. */
const ev = (type: string, local: string, data?: Record<string, unknown>): ComplaintEvent => ({
  type,
  at: wib(local),
  ...(data ? { data } : {}),
});

describe('verification clock', () => {
  test('Friday 16:00 WIB over Nyepi and Idulfitri', () => {
    const received = new Date('2026-03-13T09:00:00Z');
    const { verification } = computeClocks([{ type: 'received', at: received }], settings, calendar, wib('2026-03-20T10:00'));
    assert.equal(verification.startedAt?.toISOString(), received.toISOString());
    assert.equal(verification.dueDate, '2026-03-25');
    assert.equal(verification.dueAt?.toISOString(), '2026-03-25T16:59:59.999Z');
    assert.equal(verification.status, 'running');
    assert.equal(verification.calendarMissing, false);
    assert.deepEqual(verification.uncoveredYears, []);
  });

  const boundaryCases: { received: string; utc: string; dueDate: string; why: string }[] = [
    { received: '2026-03-12T23:30', utc: '2026-03-12T16:30:00.000Z', dueDate: '2026-03-17', why: 'Thursday 23:30 WIB' },
    { received: '2026-03-13T00:30', utc: '2026-03-12T17:30:00.000Z', dueDate: '2026-03-25', why: 'Friday 00:30 WIB' },
    { received: '2026-03-14T10:00', utc: '2026-03-14T03:00:00.000Z', dueDate: '2026-03-25', why: 'Saturday start' },
    { received: '2026-03-15T23:59', utc: '2026-03-15T16:59:00.000Z', dueDate: '2026-03-25', why: 'Sunday start' },
    { received: '2026-03-19T09:00', utc: '2026-03-19T02:00:00.000Z', dueDate: '2026-03-27', why: 'start on a holiday' },
  ];
  for (const { received, utc, dueDate, why } of boundaryCases) {
    test(`received ${why}`, () => {
      const events = [ev('received', received)];
      assert.equal(events[0].at.toISOString(), utc);
      const { verification } = computeClocks(events, settings, calendar, events[0].at);
      assert.equal(verification.dueDate, dueDate);
    });
  }

  const stopCases: { stop: string; at: string; status: 'met' | 'breached' }[] = [
    { stop: 'dispatched', at: '2026-03-25T23:59', status: 'met' },
    { stop: 'dispatched', at: '2026-03-26T00:00', status: 'breached' },
    { stop: 'answered', at: '2026-03-16T08:00', status: 'met' },
    { stop: 'resolved', at: '2026-03-26T08:00', status: 'breached' },
    { stop: 'forwarded', at: '2026-03-17T08:00', status: 'met' },
    { stop: 'archived', at: '2026-03-17T08:00', status: 'met' },
    { stop: 'merged', at: '2026-03-17T08:00', status: 'met' },
    { stop: 'closed', at: '2026-03-27T08:00', status: 'breached' },
  ];
  for (const { stop, at, status } of stopCases) {
    test(`stopped by ${stop} is ${status}`, () => {
      const events = [ev('received', '2026-03-13T16:00'), ev(stop, at)];
      const { verification } = computeClocks(events, settings, calendar, wib('2026-04-30T12:00'));
      assert.equal(verification.status, status);
      assert.equal(verification.stoppedAt?.toISOString(), wib(at).toISOString());
      assert.equal(verification.stoppedBy, stop);
    });
  }

  test('running then breached by now', () => {
    const events = [ev('received', '2026-03-13T16:00')];
    assert.equal(computeClocks(events, settings, calendar, wib('2026-03-25T23:59')).verification.status, 'running');
    assert.equal(computeClocks(events, settings, calendar, wib('2026-03-26T00:00')).verification.status, 'breached');
  });

  test('first stop wins', () => {
    const events = [ev('received', '2026-03-02T09:00'), ev('dispatched', '2026-03-03T09:00'), ev('resolved', '2026-03-20T09:00')];
    const { verification } = computeClocks(events, settings, calendar, wib('2026-03-30T09:00'));
    assert.equal(verification.stoppedBy, 'dispatched');
    assert.equal(verification.status, 'met');
  });

  test('zero days due the same WIB day', () => {
    const events = [ev('received', '2026-03-14T10:00')];
    const { verification } = computeClocks(events, { ...settings, verifyDays: 0 }, calendar, events[0].at);
    assert.equal(verification.dueDate, '2026-03-14');
  });

  test('2027 deadline flags missing calendar', () => {
    const events = [ev('received', '2026-12-30T10:00')];
    const { verification } = computeClocks(events, settings, calendar, events[0].at);
    assert.equal(verification.dueDate, '2027-01-04');
    assert.equal(verification.calendarMissing, true);
    assert.deepEqual(verification.uncoveredYears, [2027]);
  });
});

describe('hold and resume', () => {
  // Received Monday 2 March 2026; a 3-day verification deadline is Thursday 5 March.
  const received = ev('received', '2026-03-02T09:00');

  test('paused clock keeps its deadline', () => {
    const events = [received, ev('held', '2026-03-03T10:00')];
    const { verification } = computeClocks(events, settings, calendar, wib('2026-03-20T10:00'));
    assert.equal(verification.status, 'paused');
    assert.equal(verification.dueDate, '2026-03-05');
    assert.equal(verification.pausedWorkingDays, 0);
  });

  test('resume moves deadline by (held, resumed]', () => {
    // Working days in (3 Mar, 9 Mar]: 4, 5, 6 and 9 March.
    const events = [received, ev('held', '2026-03-03T10:00'), ev('resumed', '2026-03-09T08:00')];
    const { verification } = computeClocks(events, settings, calendar, wib('2026-03-10T10:00'));
    assert.equal(verification.pausedWorkingDays, 4);
    assert.equal(verification.dueDate, '2026-03-11');
    assert.equal(verification.status, 'running');
  });

  test('hold over holidays counts working days', () => {
    // Working days in (17 Mar, 26 Mar]: 25 and 26 March only.
    const events = [ev('received', '2026-03-16T09:00'), ev('held', '2026-03-17T09:00'), ev('resumed', '2026-03-26T09:00')];
    const { verification } = computeClocks(events, settings, calendar, wib('2026-03-26T09:00'));
    assert.equal(verification.pausedWorkingDays, 2);
    assert.equal(verification.dueDate, calendar.addWorkingDays('2026-03-16', 5).date);
    assert.equal(verification.dueDate, '2026-03-30');
  });

  test('same-day hold moves nothing', () => {
    const events = [received, ev('held', '2026-03-03T10:00'), ev('resumed', '2026-03-03T15:00')];
    const { verification } = computeClocks(events, settings, calendar, wib('2026-03-03T15:00'));
    assert.equal(verification.pausedWorkingDays, 0);
    assert.equal(verification.dueDate, '2026-03-05');
  });

  test('two holds add up', () => {
    const events = [
      received,
      ev('held', '2026-03-03T10:00'),
      ev('resumed', '2026-03-04T10:00'),
      ev('held', '2026-03-05T10:00'),
      ev('resumed', '2026-03-09T10:00'),
    ];
    const { verification } = computeClocks(events, settings, calendar, wib('2026-03-09T10:00'));
    assert.equal(verification.pausedWorkingDays, 3);
    assert.equal(verification.dueDate, '2026-03-10');
  });

  test('stop during hold ends the pause', () => {
    // Working days in (3 Mar, 10 Mar]: 4, 5, 6, 9, 10 → deadline 2 Mar + 8 = 12 Mar.
    const events = [received, ev('held', '2026-03-03T10:00'), ev('dispatched', '2026-03-10T10:00')];
    const { verification } = computeClocks(events, settings, calendar, wib('2026-03-30T10:00'));
    assert.equal(verification.pausedWorkingDays, 5);
    assert.equal(verification.dueDate, '2026-03-12');
    assert.equal(verification.status, 'met');
  });

  test('hold after deadline does not pause', () => {
    const events = [received, ev('held', '2026-03-09T10:00')];
    const { verification } = computeClocks(events, settings, calendar, wib('2026-03-09T10:00'));
    assert.equal(verification.status, 'breached');
    const resumed = [...events, ev('resumed', '2026-03-12T10:00')];
    const after = computeClocks(resumed, settings, calendar, wib('2026-03-12T10:00')).verification;
    assert.equal(after.dueDate, '2026-03-05');
    assert.equal(after.status, 'breached');
  });

  test('clock started during hold is paused', () => {
    // Resolution starts at verified on 3 March while held; working days in (3 Mar, 5 Mar]: 2.
    const events = [
      ev('received', '2026-03-02T09:00'),
      ev('held', '2026-03-02T10:00'),
      ev('verified', '2026-03-03T09:00'),
    ];
    const paused = computeClocks(events, settings, calendar, wib('2026-03-04T09:00')).resolution;
    assert.equal(paused.status, 'paused');
    const resumed = computeClocks([...events, ev('resumed', '2026-03-05T09:00')], settings, calendar, wib('2026-03-05T09:00'));
    assert.equal(resumed.resolution.pausedWorkingDays, 2);
    assert.equal(resumed.resolution.dueDate, calendar.addWorkingDays('2026-03-03', settings.resolutionDays + 2).date);
  });

  test('resume without hold ignored', () => {
    const events = [received, ev('resumed', '2026-03-04T10:00')];
    const { verification } = computeClocks(events, settings, calendar, wib('2026-03-04T10:00'));
    assert.equal(verification.pausedWorkingDays, 0);
    assert.equal(verification.dueDate, '2026-03-05');
  });

  test('hold into 2027 flags missing calendar', () => {
    const events = [ev('received', '2026-12-28T09:00'), ev('held', '2026-12-29T09:00')];
    const paused = computeClocks(events, settings, calendar, wib('2027-01-05T09:00')).verification;
    assert.equal(paused.status, 'paused');
    assert.equal(paused.dueDate, '2026-12-31');
    assert.deepEqual(paused.uncoveredYears, [2027]);
    const resumed = computeClocks([...events, ev('resumed', '2027-01-05T09:00')], settings, calendar, wib('2027-01-05T09:00'));
    assert.equal(resumed.verification.calendarMissing, true);
    assert.deepEqual(resumed.verification.uncoveredYears, [2027]);
  });
});

describe('first follow-up clock', () => {
  const base = [ev('received', '2026-03-02T08:00'), ev('verified', '2026-03-02T09:00')];

  test('starts at disposisi', () => {
    const events = [...base, ev('dispatched', '2026-03-02T10:00')];
    const { first_follow_up: clock } = computeClocks(events, settings, calendar, wib('2026-03-05T10:00'));
    assert.equal(clock.startedAt?.toISOString(), wib('2026-03-02T10:00').toISOString());
    assert.equal(clock.dueDate, '2026-03-09');
    assert.equal(clock.status, 'running');
  });

  test('internal follow-up does not stop it', () => {
    const events = [
      ...base,
      ev('dispatched', '2026-03-02T10:00'),
      ev('followed_up', '2026-03-03T10:00', { visibleToCitizen: false }),
      ev('followed_up', '2026-03-04T10:00'),
    ];
    const { first_follow_up: clock } = computeClocks(events, settings, calendar, wib('2026-03-10T10:00'));
    assert.equal(clock.status, 'breached');
    assert.equal(clock.stoppedAt, undefined);
  });

  const stopCases: { event: ComplaintEvent; status: 'met' | 'breached' }[] = [
    { event: ev('followed_up', '2026-03-09T15:00', { visibleToCitizen: true }), status: 'met' },
    { event: ev('followed_up', '2026-03-10T08:00', { visibleToCitizen: true }), status: 'breached' },
    { event: ev('resolved', '2026-03-04T08:00'), status: 'met' },
    { event: ev('answered', '2026-03-11T08:00'), status: 'breached' },
  ];
  for (const { event, status } of stopCases) {
    test(`${event.type} on ${event.at.toISOString()} is ${status}`, () => {
      const events = [...base, ev('dispatched', '2026-03-02T10:00'), event];
      const { first_follow_up: clock } = computeClocks(events, settings, calendar, wib('2026-03-30T10:00'));
      assert.equal(clock.status, status);
      assert.equal(clock.stoppedBy, event.type);
    });
  }

  test('return cancels, re-dispatch restarts', () => {
    const dispatched = [...base, ev('dispatched', '2026-03-02T10:00'), ev('returned', '2026-03-04T10:00')];
    const returned = computeClocks(dispatched, settings, calendar, wib('2026-03-20T10:00')).first_follow_up;
    assert.equal(returned.status, 'not_started');
    assert.equal(returned.dueDate, null);

    const redispatched = [...dispatched, ev('dispatched', '2026-03-10T10:00')];
    const clock = computeClocks(redispatched, settings, calendar, wib('2026-03-16T10:00')).first_follow_up;
    assert.equal(clock.startedAt?.toISOString(), wib('2026-03-10T10:00').toISOString());
    assert.equal(clock.dueDate, '2026-03-17');
    assert.equal(clock.status, 'running');
  });

  test('re-dispatch after a visible follow-up starts a new run', () => {
    const events = [
      ...base,
      ev('dispatched', '2026-03-02T10:00'),
      ev('followed_up', '2026-03-03T10:00', { visibleToCitizen: true }),
      ev('dispatched', '2026-03-05T10:00'),
    ];
    const { first_follow_up: clock } = computeClocks(events, settings, calendar, wib('2026-03-13T10:00'));
    assert.equal(clock.startedAt?.toISOString(), wib('2026-03-05T10:00').toISOString());
    assert.equal(clock.stoppedAt, undefined);
    assert.equal(clock.dueDate, '2026-03-12');
    assert.equal(clock.status, 'breached');
  });

  test('not started on direct answer', () => {
    const events = [...base, ev('answered', '2026-03-02T10:00')];
    const { first_follow_up: clock } = computeClocks(events, settings, calendar, wib('2026-03-30T10:00'));
    assert.equal(clock.status, 'not_started');
    assert.equal(clock.startedAt, null);
  });
});

describe('resolution clock', () => {
  test('deadline by complexity', () => {
    const events = [ev('received', '2026-03-02T08:00'), ev('verified', '2026-03-02T09:00')];
    for (const days of Object.values(RESOLUTION_DAYS_BY_COMPLEXITY)) {
      const { resolution } = computeClocks(events, { ...settings, resolutionDays: days }, calendar, wib('2026-03-02T09:00'));
      assert.equal(resolution.dueDate, calendar.addWorkingDays('2026-03-02', days).date, `${days} days`);
      assert.equal(calendar.workingDaysBetween('2026-03-02', resolution.dueDate ?? ''), days);
    }
  });

  test('reopen restarts from the reopen', () => {
    const events = [
      ev('received', '2026-03-02T08:00'),
      ev('verified', '2026-03-02T09:00'),
      ev('dispatched', '2026-03-02T10:00'),
      ev('resolved', '2026-03-10T10:00'),
      ev('reopened', '2026-03-12T10:00'),
    ];
    const clocks = computeClocks(events, { ...settings, resolutionDays: 5 }, calendar, wib('2026-03-13T10:00'));
    assert.equal(clocks.resolution.startedAt?.toISOString(), wib('2026-03-12T10:00').toISOString());
    assert.equal(clocks.resolution.dueDate, '2026-03-26');
    assert.equal(clocks.resolution.status, 'running');
    assert.equal(clocks.auto_close.stoppedBy, 'reopened');
    assert.equal(clocks.auto_close.status, 'met');
  });

  test('met and breached', () => {
    const events = [ev('received', '2026-03-02T08:00'), ev('verified', '2026-03-02T09:00')];
    const fiveDays = { ...settings, resolutionDays: 5 };
    const met = computeClocks([...events, ev('resolved', '2026-03-09T16:00')], fiveDays, calendar, wib('2026-03-30T09:00'));
    assert.equal(met.resolution.status, 'met');
    const late = computeClocks([...events, ev('resolved', '2026-03-10T08:00')], fiveDays, calendar, wib('2026-03-30T09:00'));
    assert.equal(late.resolution.status, 'breached');
    const open = computeClocks(events, fiveDays, calendar, wib('2026-03-10T00:00'));
    assert.equal(open.resolution.status, 'breached');
  });
});

describe('auto-close clock', () => {
  const answered = [ev('received', '2026-03-02T08:00'), ev('answered', '2026-03-02T09:00')];

  test('starts at the final answer', () => {
    // 10 working days after Monday 2 March 2026.
    const { auto_close: clock } = computeClocks(answered, settings, calendar, wib('2026-03-16T23:59'));
    assert.equal(clock.dueDate, '2026-03-16');
    assert.equal(clock.status, 'running');
    const due = computeClocks(answered, settings, calendar, wib('2026-03-17T00:00')).auto_close;
    assert.equal(due.status, 'breached');
  });

  test('citizen reply stops it', () => {
    const events = [...answered, ev('citizen_replied', '2026-03-05T09:00')];
    const { auto_close: clock } = computeClocks(events, settings, calendar, wib('2026-03-30T09:00'));
    assert.equal(clock.status, 'met');
    assert.equal(clock.stoppedBy, 'citizen_replied');
  });

  test('closed stops it', () => {
    const events = [...answered, ev('closed', '2026-03-17T00:05')];
    const { auto_close: clock } = computeClocks(events, settings, calendar, wib('2026-03-30T09:00'));
    assert.equal(clock.stoppedBy, 'closed');
    assert.equal(clock.stoppedAt?.toISOString(), wib('2026-03-17T00:05').toISOString());
  });

  test('later final answer restarts it', () => {
    const events = [...answered, ev('reopened', '2026-03-03T09:00'), ev('resolved', '2026-03-10T09:00')];
    const { auto_close: clock } = computeClocks(events, settings, calendar, wib('2026-03-10T09:00'));
    assert.equal(clock.startedAt?.toISOString(), wib('2026-03-10T09:00').toISOString());
    assert.equal(clock.dueDate, '2026-03-31');
  });

  test('into 2027 flags missing calendar', () => {
    const events = [ev('received', '2026-12-21T08:00'), ev('answered', '2026-12-21T09:00')];
    const { auto_close: clock } = computeClocks(events, settings, calendar, wib('2026-12-21T09:00'));
    assert.equal(clock.calendarMissing, true);
    assert.deepEqual(clock.uncoveredYears, [2027]);
  });
});

describe('computeClocks input', () => {
  test('empty log: nothing started', () => {
    const clocks = computeClocks([], settings, calendar, wib('2026-03-02T09:00'));
    for (const name of CLOCK_NAMES) {
      assert.equal(clocks[name].clock, name);
      assert.equal(clocks[name].status, 'not_started');
      assert.equal(clocks[name].dueAt, null);
    }
  });

  test('unused event types ignored', () => {
    const plain = [ev('received', '2026-03-02T08:00')];
    const noisy = [...plain, ev('note', '2026-03-02T09:00'), ev('rated', '2026-03-02T10:00', { rating: 5 })];
    const now = wib('2026-03-03T09:00');
    assert.deepEqual(computeClocks(noisy, settings, calendar, now), computeClocks(plain, settings, calendar, now));
  });

  test('unsorted events rejected', () => {
    const events = [ev('received', '2026-03-03T08:00'), ev('verified', '2026-03-02T09:00')];
    assert.throws(() => computeClocks(events, settings, calendar, wib('2026-03-03T09:00')), /not sorted by time: event 1/);
  });

  test('invalid settings rejected', () => {
    const now = wib('2026-03-03T09:00');
    assert.throws(() => computeClocks([], { ...settings, verifyDays: -1 }, calendar, now), /Invalid SLA setting verifyDays: -1/);
    assert.throws(() => computeClocks([], { ...settings, autoCloseDays: 2.5 }, calendar, now), /autoCloseDays/);
  });

  test('invalid instants rejected', () => {
    assert.throws(
      () => computeClocks([{ type: 'received', at: new Date('x') }], settings, calendar, new Date()),
      /Invalid time of event 0 \(received\)/,
    );
    assert.throws(() => computeClocks([], settings, calendar, new Date(Number.NaN)), /Invalid now/);
  });
});
