/** The deadline scan through pg-boss itself, on the application's own pool, on every back end. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type PgBoss from 'pg-boss';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../support/db.ts';
import { prepareDatabase } from '../../src/bootstrap.ts';
import { receiveComplaint } from '../../src/commands/receive-complaint.ts';
import { DEADLINE_SCAN_QUEUE, startJobs } from '../../src/jobs/index.ts';
import { loadConfig } from '../../src/config.ts';
import { DEADLINE_RECOMPUTE_QUEUE } from '../../src/jobs/recompute-deadlines.ts';
import { getRecomputeRun, requestDeadlineRecompute } from '../../src/commands/recompute-deadlines.ts';

for (const backend of BACKENDS) {
  describe(`pg-boss on ${backend}`, () => {
    let database: TestDatabase;
    let boss: PgBoss | undefined;

    before(async () => {
      database = await createTestDatabase(backend);
    });
    after(async () => {
      await boss?.stop({ graceful: true, wait: true, timeout: 30_000 });
      await database?.dispose();
    });

    test('queued scan records a missed deadline', async () => {
      const longAgo = new Date('2026-01-05T02:00:00Z');
      const { complaint } = await receiveComplaint({ db: database.db, actor: { kind: 'citizen' }, now: longAgo }, {
        type: 'pengaduan', description: 'Saluran air tersumbat sejak lama.', channel: 'web', receivedAt: longAgo,
      });
      boss = await startJobs(database.pool, database.db, { ...loadConfig({}), jobsEnabled: true });
      await boss.send(DEADLINE_SCAN_QUEUE, {});

      const deadline = Date.now() + 20_000;
      let breaches = 0;
      while (Date.now() < deadline) {
        const rows = await database.db
          .selectFrom('complaint_events')
          .select('id')
          .where('complaint_id', '=', complaint.id)
          .where('type', '=', 'deadline_breached')
          .execute();
        breaches = rows.length;
        if (breaches > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      assert.equal(breaches, 1);
    });

    test('queued recompute run finishes', async () => {
      assert.ok(boss, 'the previous test started the job queue');
      // Received Monday 2027-01-04 10:00 WIB; 2027-01-05 is a working day in the seed calendar.
      const monday = new Date('2027-01-04T03:00:00Z');
      const { complaint } = await receiveComplaint({ db: database.db, actor: { kind: 'citizen' }, now: monday }, {
        type: 'pengaduan', description: 'Jalan berlubang di depan sekolah dasar.', channel: 'web', receivedAt: monday,
      });
      await database.db.insertInto('holidays').values({ date: '2027-01-05', kind: 'national', name: 'Libur uji antrean', basis: null, note: null }).execute();
      const run = await requestDeadlineRecompute(database.db, { reason: 'holiday_added', changedFrom: '2027-01-05', changedTo: '2027-01-05' });
      assert.ok(run.total >= 1);
      await boss.send(DEADLINE_RECOMPUTE_QUEUE, {});

      const deadline = Date.now() + 20_000;
      let status = run.status;
      while (Date.now() < deadline && status !== 'done') {
        await new Promise((resolve) => setTimeout(resolve, 250));
        status = (await getRecomputeRun(database.db, run.id))?.status ?? 'pending';
      }
      assert.equal(status, 'done');
      const row = await database.db.selectFrom('complaint_deadlines').select('due_date')
        .where('complaint_id', '=', complaint.id).where('clock', '=', 'verification').executeTakeFirstOrThrow();
      assert.equal(row.due_date, '2027-01-08', 'the holiday moves the deadline by one working day');
    });
  });
}

if (BACKENDS.includes('postgres')) {
  describe('pg-boss start on a fresh PostgreSQL database', () => {
    test('two servers start their queues together', async () => {
      const database = await createTestDatabase('postgres');
      const second = await prepareDatabase({ databaseUrl: database.url, dataDir: 'memory://' });
      const config = { ...loadConfig({}), databaseUrl: database.url!, jobsEnabled: true };
      const started: PgBoss[] = [];
      try {
        const results = await Promise.allSettled([startJobs(database.pool, database.db, config), startJobs(second.pool, second.db, config)]);
        for (const result of results) if (result.status === 'fulfilled') started.push(result.value);
        assert.deepEqual(results.map((result) => result.status), ['fulfilled', 'fulfilled'], String(results.find((result) => result.status === 'rejected')?.reason));
      } finally {
        // A graceful stop waits for a job the queue started meanwhile. Without it,
        // pg-boss marks that job failed on a pool that is already closed.
        for (const boss of started) await boss.stop({ graceful: true, wait: true, timeout: 30_000 });
        await second.close();
        await database.dispose();
      }
    });
  });
}
