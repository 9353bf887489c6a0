/**
 * The triage jobs through pg-boss itself, on the application's own pool:
 * a queued scoring run trains the seed models, scores a report that intake
 * committed before and searches it for duplicates, on every back end.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import PgBoss from 'pg-boss';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../support/db.ts';
import { receiveComplaint } from '../../src/commands/receive-complaint.ts';
import { startTriageJobs, TRIAGE_SCORE_QUEUE } from '../../src/jobs/triage.ts';

/** Maximum wait for the queued run, in milliseconds, because seed training takes several seconds of CPU. */
const WAIT_MS = 60_000;

for (const backend of BACKENDS) {
  describe(`triage job on ${backend}`, () => {
    let database: TestDatabase;
    let boss: PgBoss | undefined;

    before(async () => {
      database = await createTestDatabase(backend);
    });
    after(async () => {
      await boss?.stop({ graceful: true, wait: true, timeout: 10_000 });
      await database?.dispose();
    });

    test('queued run scores a committed report', async () => {
      const { complaint } = await receiveComplaint({ db: database.db, actor: { kind: 'citizen' } }, {
        description: 'Promo pinjaman online cair cepat tanpa jaminan, cek link di bio sekarang juga',
        channel: 'instagram',
      });
      const before = await database.db.selectFrom('complaint_triage').select('complaint_id').where('complaint_id', '=', complaint.id).execute();
      assert.equal(before.length, 0, 'intake itself scores nothing');

      boss = new PgBoss({ db: { executeSql: (text: string, values: unknown[]) => database.pool.query(text, values as unknown[]) }, supervise: true, schedule: false });
      await boss.start();
      await startTriageJobs(boss, database.db);
      await boss.send(TRIAGE_SCORE_QUEUE, {});

      const deadline = Date.now() + WAIT_MS;
      let queue: string | undefined;
      while (Date.now() < deadline && queue === undefined) {
        queue = (await database.db.selectFrom('complaint_triage').select('queue').where('complaint_id', '=', complaint.id).executeTakeFirst())?.queue;
        if (queue === undefined) await new Promise((resolve) => setTimeout(resolve, 250));
      }
      assert.equal(queue, 'low_priority', 'the spam message was set aside');
      const status = await database.db.selectFrom('complaints').select('status').where('id', '=', complaint.id).executeTakeFirstOrThrow();
      assert.equal(status.status, 'new', 'set aside, not deleted or archived');

      // The same run then searches the report for duplicates.
      let searched = false;
      while (Date.now() < deadline && !searched) {
        searched = (await database.db.selectFrom('triage_duplicate_searches').select('complaint_id').where('complaint_id', '=', complaint.id).executeTakeFirst()) !== undefined;
        if (!searched) await new Promise((resolve) => setTimeout(resolve, 250));
      }
      assert.ok(searched, 'the run searched the report for duplicates');
    });
  });
}
