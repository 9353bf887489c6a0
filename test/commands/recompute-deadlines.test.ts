/**
 * Deadline recomputes after a calendar change: queuing for the background
 * job, batch progress, the choice of affected complaints, and resuming a
 * run after a failed batch.
 */
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../support/db.ts';
import { makeStaff, type TestStaff } from '../support/staff.ts';
import { addHoliday, removeHoliday } from '../../src/commands/manage-reference-data.ts';
import { receiveComplaint } from '../../src/commands/receive-complaint.ts';
import {
  getRecomputeRun, recomputeSettings, requestDeadlineRecompute, runDeadlineRecompute, runPendingRecomputes, unfinishedRecomputeRuns,
} from '../../src/commands/recompute-deadlines.ts';

// Monday 2027-01-04 10:00 WIB: 2027 has no holiday list in the seed data, so
// a verification clock of 3 working days is due on Thursday 2027-01-07.
const MONDAY_2027 = new Date('2027-01-04T03:00:00Z');
// Monday 2027-01-11 10:00 WIB, after the test holidays.
const NEXT_MONDAY = new Date('2027-01-11T03:00:00Z');
const SPANNING = 5;
const defaultInlineLimit = recomputeSettings.inlineLimit;

for (const backend of BACKENDS) {
  describe(`deadline recompute on ${backend}`, () => {
    let database: TestDatabase;
    let admin: TestStaff;
    const spanningIds: number[] = [];
    let laterId = 0;

    before(async () => {
      database = await createTestDatabase(backend);
      admin = await makeStaff(database.db, 'admin');
      for (let i = 0; i < SPANNING; i++) {
        const { complaint } = await receiveComplaint({ db: database.db, actor: { kind: 'citizen' }, now: MONDAY_2027 }, {
          type: 'pengaduan', description: `Pengujian penghitungan ulang tenggat nomor ${i + 1}.`, channel: 'web',
        });
        spanningIds.push(complaint.id);
      }
      const { complaint } = await receiveComplaint({ db: database.db, actor: { kind: 'citizen' }, now: NEXT_MONDAY }, {
        type: 'pengaduan', description: 'Pengujian laporan yang diterima setelah hari libur uji.', channel: 'web',
      });
      laterId = complaint.id;
    });
    afterEach(() => {
      recomputeSettings.inlineLimit = defaultInlineLimit;
    });
    after(async () => database?.dispose());

    const asAdmin = () => ({ db: database.db, actor: admin.actor, now: MONDAY_2027 });

    async function verificationDue(complaintId: number): Promise<string | null> {
      const row = await database.db.selectFrom('complaint_deadlines').select('due_date')
        .where('complaint_id', '=', complaintId).where('clock', '=', 'verification').executeTakeFirstOrThrow();
      return row.due_date;
    }

    test('small change recomputes inside the request', async () => {
      const result = await addHoliday(asAdmin(), { date: '2027-01-05', kind: 'collective_leave', name: 'Cuti bersama uji' });
      assert.equal(result.run.status, 'done');
      assert.equal(result.run.total, SPANNING, 'only the complaints received before the holiday are affected');
      assert.equal(result.recomputed, SPANNING);
      assert.equal(result.run.changed, SPANNING);
      for (const id of spanningIds) assert.equal(await verificationDue(id), '2027-01-08');
      assert.equal(await verificationDue(laterId), '2027-01-14', 'a complaint received after the holiday keeps its deadline');

      const removed = await removeHoliday(asAdmin(), '2027-01-05');
      assert.equal(removed.run.status, 'done');
      for (const id of spanningIds) assert.equal(await verificationDue(id), '2027-01-07');

      // With the calendar unchanged, a second run visits the same complaints and writes nothing.
      const again = await requestDeadlineRecompute(database.db, { reason: 'holiday_removed', changedFrom: '2027-01-05', changedTo: '2027-01-05' });
      const rerun = await runDeadlineRecompute(database.db, again.id, { now: () => MONDAY_2027 });
      assert.equal(rerun.processed, SPANNING);
      assert.equal(rerun.changed, 0);
    });

    test('adding a holiday queues a background run', async () => {
      recomputeSettings.inlineLimit = 0;
      const result = await addHoliday(asAdmin(), { date: '2027-01-06', kind: 'national', name: 'Libur uji antrean' });
      assert.equal(result.run.status, 'pending');
      assert.equal(result.run.reason, 'holiday_added');
      assert.equal(result.run.changedFrom, '2027-01-06');
      assert.equal(result.run.total, SPANNING);
      assert.equal(result.recomputed, 0);
      assert.deepEqual(await unfinishedRecomputeRuns(database.db), [result.run.id]);
      for (const id of spanningIds) assert.equal(await verificationDue(id), '2027-01-07', 'nothing moves before the job runs');

      // One batch of two: the run reports its progress and stays resumable.
      const partial = await runDeadlineRecompute(database.db, result.run.id, { now: () => MONDAY_2027, batchSize: 2, maxBatches: 1 });
      assert.equal(partial.status, 'running');
      assert.equal(partial.processed, 2);
      assert.equal(partial.total, SPANNING);
      assert.ok(partial.startedAt);
      assert.equal(await verificationDue(spanningIds[0]), '2027-01-08');
      assert.equal(await verificationDue(spanningIds[2]), '2027-01-07', 'the next batch has not run yet');

      // The job's handler finishes every unfinished run.
      assert.equal(await runPendingRecomputes(database.db, { now: () => MONDAY_2027, batchSize: 2 }), 1);
      const done = await getRecomputeRun(database.db, result.run.id);
      assert.equal(done?.status, 'done');
      assert.equal(done?.processed, SPANNING);
      assert.equal(done?.changed, SPANNING);
      assert.ok(done?.finishedAt);
      for (const id of spanningIds) assert.equal(await verificationDue(id), '2027-01-08');
      assert.deepEqual(await unfinishedRecomputeRuns(database.db), []);

      // The overdue inbox reads the earliest running deadline from the complaint row.
      const complaint = await database.db.selectFrom('complaints').select('next_due_at').where('id', '=', spanningIds[0]).executeTakeFirstOrThrow();
      const verification = await database.db.selectFrom('complaint_deadlines').select('due_at')
        .where('complaint_id', '=', spanningIds[0]).where('clock', '=', 'verification').executeTakeFirstOrThrow();
      assert.ok(complaint.next_due_at && verification.due_at);
      assert.equal(new Date(complaint.next_due_at).getTime(), new Date(verification.due_at).getTime());
    });

    test('failed batch resumes at the cursor', async () => {
      recomputeSettings.inlineLimit = 0;
      const result = await removeHoliday(asAdmin(), '2027-01-06');
      assert.equal(result.run.status, 'pending');
      // Make the third complaint's batch fail, as a crash in the middle of a run would.
      await sql`CREATE FUNCTION test_fail_recompute() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'simulated crash'; END $$`.execute(database.db);
      await sql`CREATE TRIGGER test_fail_recompute BEFORE UPDATE ON complaint_deadlines FOR EACH ROW
        WHEN (NEW.complaint_id = ${sql.lit(spanningIds[2])}) EXECUTE FUNCTION test_fail_recompute()`.execute(database.db);
      try {
        await assert.rejects(
          runDeadlineRecompute(database.db, result.run.id, { now: () => MONDAY_2027, batchSize: 2 }),
          /simulated crash/,
        );
      } finally {
        await sql`DROP TRIGGER test_fail_recompute ON complaint_deadlines`.execute(database.db);
        await sql`DROP FUNCTION test_fail_recompute()`.execute(database.db);
      }
      const stopped = await getRecomputeRun(database.db, result.run.id);
      assert.equal(stopped?.status, 'running');
      assert.equal(stopped?.processed, 2, 'only the first batch was committed');
      assert.match(stopped?.error ?? '', /simulated crash/);
      assert.equal(await verificationDue(spanningIds[0]), '2027-01-07');
      assert.equal(await verificationDue(spanningIds[2]), '2027-01-08', 'the failed batch was rolled back');

      const resumed = await runDeadlineRecompute(database.db, result.run.id, { now: () => MONDAY_2027, batchSize: 2 });
      assert.equal(resumed.status, 'done');
      assert.equal(resumed.processed, SPANNING, 'no batch was processed twice');
      assert.equal(resumed.changed, SPANNING);
      assert.equal(resumed.error, null);
      for (const id of spanningIds) assert.equal(await verificationDue(id), '2027-01-07');
    });
  });
}
