/** The deadline scan through pg-boss itself, on the application's own pool, on every back end. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type PgBoss from 'pg-boss';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../support/db.ts';
import { receiveComplaint } from '../../src/commands/receive-complaint.ts';
import { DEADLINE_SCAN_QUEUE, startJobs } from '../../src/jobs/index.ts';
import { loadConfig } from '../../src/config.ts';

for (const backend of BACKENDS) {
  describe(`pg-boss on ${backend}`, () => {
    let database: TestDatabase;
    let boss: PgBoss | undefined;

    before(async () => {
      database = await createTestDatabase(backend);
    });
    after(async () => {
      await boss?.stop({ graceful: false, wait: true, timeout: 2000 });
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
  });
}
