/**
 * The duty roster and case assignment through the commands, on PGlite and
 * (when TEST_DATABASE_URL is set) on PostgreSQL, with the real 2026 holiday
 * calendar: Nyepi and Idulfitri fall on 18–24 March 2026.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../support/db.ts';
import { makeStaff, type TestStaff } from '../support/staff.ts';
import { receiveComplaint } from '../../src/commands/receive-complaint.ts';
import {
  addAbsence, addShift, assignNewComplaint, assignWaitingComplaints, handBackComplaint, saveAnswerSettings, takeComplaint,
} from '../../src/commands/roster.ts';
import { CommandError } from '../../src/commands/errors.ts';
import { setUserActive } from '../../src/commands/manage-reference-data.ts';
import { getReportAcknowledgement } from '../../src/queries/answers.ts';

const citizen = { kind: 'citizen' } as const;
const system = { kind: 'system', reason: 'roster' } as const;

/** A WIB wall-clock instant. */
function wib(dateTime: string): Date {
  return new Date(`${dateTime}:00+07:00`);
}

for (const backend of BACKENDS) {
  describe(`duty roster on ${backend}`, () => {
    let database: TestDatabase;
    let morning1: TestStaff;
    let morning2: TestStaff;
    let afternoon1: TestStaff;
    let afternoon2: TestStaff;
    let holidayDesk: TestStaff;
    let dpupr: TestStaff;

    before(async () => {
      database = await createTestDatabase(backend);
      morning1 = await makeStaff(database.db, 'complaint_officer');
      morning2 = await makeStaff(database.db, 'complaint_officer');
      afternoon1 = await makeStaff(database.db, 'complaint_officer');
      afternoon2 = await makeStaff(database.db, 'complaint_officer');
      holidayDesk = await makeStaff(database.db, 'complaint_officer');
      dpupr = await makeStaff(database.db, 'agency_officer', 'dpupr');
    });
    after(async () => database?.dispose());

    beforeEach(async () => {
      // Each test starts from an empty roster, no held cases and the default limit.
      await database.db.deleteFrom('duty_shifts').execute();
      await database.db.deleteFrom('duty_absences').execute();
      await database.db.deleteFrom('duty_rotation').execute();
      await database.db.updateTable('complaints').set({ assigned_user_id: null }).execute();
      await database.db.updateTable('complaints').set({ status: 'archived' }).where('status', '=', 'new').execute();
      await saveAnswerSettings({ db: database.db, actor: morning1.actor }, { maxOpenCases: 25 });
    });

    const manage = () => ({ db: database.db, actor: morning1.actor });

    async function weekdayRoster() {
      for (let day = 1; day <= 5; day++) {
        for (const officer of [morning1, morning2]) {
          await addShift(manage(), { userId: officer.user.id, weekday: day, start: '07:30', end: '12:00', channels: [], onHolidays: false });
        }
        for (const officer of [afternoon1, afternoon2]) {
          await addShift(manage(), { userId: officer.user.id, weekday: day, start: '12:00', end: '16:00', channels: ['web', 'whatsapp'], onHolidays: false });
        }
      }
      await addShift(manage(), { userId: holidayDesk.user.id, weekday: 4, start: '08:00', end: '16:00', channels: [], onHolidays: true });
    }

    /** Files a web report at `at` and runs the roster at the same instant; returns the assignee. */
    async function fileAndAssign(at: Date, channel: 'web' | 'sms' = 'web') {
      const { complaint } = await receiveComplaint({ db: database.db, actor: citizen, now: at }, {
        type: 'pengaduan', description: 'Saluran air di depan sekolah tersumbat sampah.', channel,
      });
      const outcome = await assignNewComplaint({ db: database.db, actor: system, now: at }, complaint.id);
      const row = await database.db.selectFrom('complaints').select('assigned_user_id').where('id', '=', complaint.id).executeTakeFirstOrThrow();
      return { complaint, outcome, assignee: row.assigned_user_id };
    }

    test('round-robin across a shift change and a holiday', async () => {
      await weekdayRoster();
      const instants = [
        wib('2026-03-16T08:00'), wib('2026-03-16T09:00'), wib('2026-03-16T10:00'),
        wib('2026-03-16T12:30'), wib('2026-03-16T13:00'), wib('2026-03-16T14:00'),
        wib('2026-03-17T08:00'), wib('2026-03-17T08:30'),
        wib('2026-03-19T09:00'), wib('2026-03-19T10:00'),
      ];
      const assignees = [];
      for (const at of instants) assignees.push((await fileAndAssign(at)).assignee);
      const [a, b, c, d, e] = [morning1, morning2, afternoon1, afternoon2, holidayDesk].map((staff) => staff.user.id);
      assert.deepEqual(assignees, [a, b, a, c, d, c, b, a, e, e]);

      const events = await database.db.selectFrom('complaint_events').select(['type', 'data', 'visibility']).where('type', '=', 'assigned').execute();
      assert.equal(events.length, instants.length);
      assert.ok(events.every((event) => event.data.automatic === true && event.visibility === 'internal'));
    });

    test('officer over the open-case limit is skipped', async () => {
      await weekdayRoster();
      await saveAnswerSettings(manage(), { maxOpenCases: 2 });
      const first = await fileAndAssign(wib('2026-03-16T08:00'));
      const second = await fileAndAssign(wib('2026-03-16T08:10'));
      const third = await fileAndAssign(wib('2026-03-16T08:20'));
      assert.deepEqual([first.assignee, second.assignee, third.assignee], [morning1.user.id, morning2.user.id, morning1.user.id]);
      // Officer 1 now holds two open cases, the limit; officer 2 holds one.
      const fourth = await fileAndAssign(wib('2026-03-16T08:30'));
      assert.equal(fourth.assignee, morning2.user.id);
      const fifth = await fileAndAssign(wib('2026-03-16T08:40'));
      assert.equal(fifth.assignee, null, 'both morning officers are at the limit');
      assert.equal(fifth.outcome.outcome, 'queued');
      if (fifth.outcome.outcome === 'queued') {
        assert.deepEqual(fifth.outcome.skipped.map((entry) => entry.reason).sort(), ['over_limit', 'over_limit']);
      }
    });

    test('absent officer is skipped', async () => {
      await weekdayRoster();
      await addAbsence(manage(), { userId: morning1.user.id, startsOn: '2026-03-16', endsOn: '2026-03-16', note: 'Cuti' });
      const first = await fileAndAssign(wib('2026-03-16T08:00'));
      const second = await fileAndAssign(wib('2026-03-16T08:10'));
      assert.deepEqual([first.assignee, second.assignee], [morning2.user.id, morning2.user.id]);
    });

    test('absence note limited', async () => {
      await assert.rejects(
        addAbsence(manage(), { userId: morning1.user.id, startsOn: '2026-03-17', endsOn: '2026-03-17', note: 'x'.repeat(201) }),
        (error: unknown) => error instanceof CommandError && error.key === 'error.text_too_long' && error.field === 'note',
      );
      const stored = await database.db.selectFrom('duty_absences').select('id').where('starts_on', '=', '2026-03-17').execute();
      assert.equal(stored.length, 0);
    });

    test('channel outside every afternoon shift waits', async () => {
      await weekdayRoster();
      const sms = await fileAndAssign(wib('2026-03-16T13:00'), 'sms');
      assert.equal(sms.assignee, null, 'the afternoon shifts take web and WhatsApp only');
      assert.equal(sms.outcome.outcome, 'queued');
      if (sms.outcome.outcome === 'queued') assert.deepEqual(sms.outcome.nextShiftAt, wib('2026-03-17T07:30'));
    });

    test('outside duty hours: acknowledged once, assigned at the next shift', async () => {
      await weekdayRoster();
      // Friday 13 March 2026, 20:00 WIB: the next working day is Monday the 16th.
      const { complaint, outcome, assignee } = await fileAndAssign(wib('2026-03-13T20:00'));
      assert.equal(assignee, null);
      assert.equal(outcome.outcome, 'queued');
      const deadline = await database.db.selectFrom('complaint_deadlines').select('due_date').where('complaint_id', '=', complaint.id)
        .where('clock', '=', 'verification').executeTakeFirstOrThrow();
      assert.equal(deadline.due_date, '2026-03-25', 'three working days after Friday, past Nyepi and Idulfitri');

      const acknowledgements = await database.db.selectFrom('complaint_events').selectAll().where('complaint_id', '=', complaint.id)
        .where('type', '=', 'acknowledged').execute();
      assert.equal(acknowledgements.length, 1);
      assert.equal(acknowledgements[0].visibility, 'public');
      assert.equal(acknowledgements[0].data.expectedBy, '2026-03-25');
      assert.match(acknowledgements[0].body ?? '', /Rabu, 25 Maret 2026/);
      assert.match(acknowledgements[0].body ?? '', /Senin, 16 Maret 2026 pukul 07\.30 WIB/);
      assert.match(acknowledgements[0].body ?? '', /Wednesday, 25 March 2026/);

      const page = await getReportAcknowledgement(database.db, complaint.id);
      assert.deepEqual(page, { expectedBy: '2026-03-25', queued: true, nextShiftAt: wib('2026-03-16T07:30') });

      // The job runs again that night: nothing new.
      const night = await assignWaitingComplaints(database.db, wib('2026-03-14T09:00'));
      assert.equal(night.assigned, 0);
      assert.equal(night.acknowledged, 0);
      const count = await database.db.selectFrom('complaint_events').select('id').where('complaint_id', '=', complaint.id).where('type', '=', 'acknowledged').execute();
      assert.equal(count.length, 1, 'acknowledged once');

      const monday = await assignWaitingComplaints(database.db, wib('2026-03-16T07:31'));
      assert.equal(monday.assigned, 1);
      const held = await database.db.selectFrom('complaints').select('assigned_user_id').where('id', '=', complaint.id).executeTakeFirstOrThrow();
      assert.equal(held.assigned_user_id, morning1.user.id);
    });

    test('no roster, no assignment', async () => {
      const { outcome, assignee, complaint } = await fileAndAssign(wib('2026-03-16T09:00'));
      assert.deepEqual(outcome, { outcome: 'unchanged' });
      assert.equal(assignee, null);
      const events = await database.db.selectFrom('complaint_events').select('type').where('complaint_id', '=', complaint.id).execute();
      assert.deepEqual(events.map((event) => event.type), ['received']);
    });

    test('overlapping shift refused', async () => {
      await addShift(manage(), { userId: morning1.user.id, weekday: 2, start: '07:30', end: '12:00', channels: ['web'], onHolidays: false });
      await assert.rejects(
        addShift(manage(), { userId: morning1.user.id, weekday: 2, start: '11:00', end: '15:00', channels: ['web'], onHolidays: false }),
        (error: unknown) => error instanceof CommandError && error.key === 'error.answers.shift_overlap',
      );
      // Back to back is no overlap, and another officer may work the same hours.
      await addShift(manage(), { userId: morning1.user.id, weekday: 2, start: '12:00', end: '15:00', channels: ['web'], onHolidays: false });
      await addShift(manage(), { userId: morning2.user.id, weekday: 2, start: '07:30', end: '12:00', channels: ['web'], onHolidays: false });
    });

    test('deactivated officer hands back', async () => {
      const leaving = await makeStaff(database.db, 'complaint_officer');
      const admin = await makeStaff(database.db, 'admin');
      const { complaint } = await receiveComplaint({ db: database.db, actor: { kind: 'citizen' } }, {
        type: 'pengaduan', description: 'Lampu jalan di depan balai desa mati sejak Kamis.', channel: 'web',
      });
      await takeComplaint({ db: database.db, actor: leaving.actor }, complaint.id);

      await setUserActive({ db: database.db, actor: admin.actor }, leaving.user.id, false);

      const stored = await database.db.selectFrom('complaints').select('assigned_user_id').where('id', '=', complaint.id).executeTakeFirstOrThrow();
      assert.equal(stored.assigned_user_id, null, 'the open report waits for the roster again');
      const events = await database.db.selectFrom('complaint_events').select(['type', 'data']).where('complaint_id', '=', complaint.id).orderBy('id').execute();
      assert.deepEqual(events.at(-1), { type: 'unassigned', data: { userId: leaving.user.id, byUserId: admin.user.id, reason: 'deactivated' } });
    });

    test('take and hand back', async () => {
      await weekdayRoster();
      const { complaint } = await fileAndAssign(wib('2026-03-16T09:00'));
      await takeComplaint({ db: database.db, actor: morning2.actor, now: wib('2026-03-16T09:05') }, complaint.id);
      await assert.rejects(
        takeComplaint({ db: database.db, actor: morning2.actor }, complaint.id),
        (error) => error instanceof CommandError && error.code === 'conflict',
      );
      await assert.rejects(
        handBackComplaint({ db: database.db, actor: dpupr.actor }, complaint.id),
        (error) => error instanceof CommandError && error.code === 'not_found',
        'an agency that does not hold the case cannot see it',
      );
      await handBackComplaint({ db: database.db, actor: morning2.actor, now: wib('2026-03-16T09:10') }, complaint.id, { reason: 'Salah ambil' });
      const events = await database.db.selectFrom('complaint_events').select(['type', 'data', 'body']).where('complaint_id', '=', complaint.id)
        .where('type', 'in', ['assigned', 'unassigned']).orderBy('id').execute();
      assert.deepEqual(events.map((event) => event.type), ['assigned', 'assigned', 'unassigned']);
      assert.equal(events[1].data.previousUserId, morning1.user.id);
      assert.equal(events[2].data.userId, morning2.user.id);
      assert.equal(events[2].body, 'Salah ambil');

      // Back on the roster: officer 2 handed it back, so officer 1 gets it although officer 2 is next in turn.
      const run = await assignWaitingComplaints(database.db, wib('2026-03-16T09:11'));
      assert.equal(run.assigned, 1);
      const held = await database.db.selectFrom('complaints').select('assigned_user_id').where('id', '=', complaint.id).executeTakeFirstOrThrow();
      assert.equal(held.assigned_user_id, morning1.user.id);
    });

    test('shift input checked', async () => {
      await assert.rejects(
        addShift(manage(), { userId: morning1.user.id, weekday: 1, start: '12:00', end: '08:00', channels: [], onHolidays: false }),
        (error) => error instanceof CommandError && error.field === 'end',
      );
      await assert.rejects(
        addShift(manage(), { userId: dpupr.user.id, weekday: 1, start: '08:00', end: '12:00', channels: [], onHolidays: false }),
        (error) => error instanceof CommandError && error.key === 'error.answers.roster_officer_invalid',
      );
      await assert.rejects(
        addShift({ db: database.db, actor: dpupr.actor }, { userId: morning1.user.id, weekday: 1, start: '08:00', end: '12:00', channels: [], onHolidays: false }),
        (error) => error instanceof CommandError && error.code === 'forbidden',
      );
      await assert.rejects(
        addShift(manage(), { userId: morning1.user.id, weekday: 1, start: '08:00', end: '12:00', channels: ['fax'], onHolidays: false }),
        (error) => error instanceof CommandError && error.field === 'channels',
      );
    });
  });
}
