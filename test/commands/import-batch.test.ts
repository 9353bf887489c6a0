/**
 * The import's batch path (`importComplaints`) stores exactly what the
 * one-row path (`importComplaint`) stores: the complaint rows, their events
 * and their clocks, on PGlite and (when TEST_DATABASE_URL is set)
 * PostgreSQL. Made-up reports, answered and unanswered, around holidays.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../support/db.ts';
import { importComplaint, importComplaints, type CategoryRef, type HistoricalComplaint } from '../../src/commands/import-complaint.ts';
import { scanDeadlines } from '../../src/jobs/deadlines.ts';

const NOW = new Date('2026-11-02T03:00:00Z');

async function categoryRef(database: TestDatabase, code: string): Promise<CategoryRef> {
  const row = await database.db.selectFrom('categories').select(['id', 'code', 'agency_id', 'complexity', 'oversight'])
    .where('code', '=', code).executeTakeFirstOrThrow();
  return { id: row.id, code: row.code, agencyId: row.agency_id, complexity: row.complexity, oversight: row.oversight };
}

function historical(index: number, category: CategoryRef | null, receivedAt: string, answeredAt?: string): HistoricalComplaint {
  return {
    externalSource: 'uji-batch',
    externalId: `B-${index}`,
    description: `Laporan uji nomor ${index}: jalan berlubang di dekat pasar desa belum diperbaiki.`,
    receivedAt: new Date(receivedAt),
    answeredAt: answeredAt ? new Date(answeredAt) : undefined,
    channel: 'web',
    agencyId: null,
    category,
    districtCode: index % 2 === 0 ? '33.13.09' : null,
    villageCode: null,
    source: { district: 'Tasikmadu', agency: 'Dinas Uji', category: 'Jalan' },
  };
}

/** Everything the import stored, without ids, tracking codes and insert times. */
async function stored(database: TestDatabase) {
  const complaints = await sql<Record<string, unknown>>`
    SELECT type, category_id, description, channel, received_at, privacy, oversight, district_code, village_code, agency_id, complexity,
           status, external_source, external_id, first_response_at, resolved_at, first_response_working_hours, first_response_working_days,
           resolution_working_hours, resolution_working_days, next_due_at, updated_at
    FROM complaints WHERE external_source = 'uji-batch' ORDER BY external_id`.execute(database.db);
  const events = await sql<Record<string, unknown>>`
    SELECT c.external_id, e.type, e.at, e.actor_kind, e.actor_user_id, e.agency_id, e.visibility, e.body, e.data
    FROM complaint_events e JOIN complaints c ON c.id = e.complaint_id
    WHERE c.external_source = 'uji-batch' ORDER BY c.external_id, e.id`.execute(database.db);
  const deadlines = await sql<Record<string, unknown>>`
    SELECT c.external_id, d.clock, d.started_at, to_char(d.due_date, 'YYYY-MM-DD') AS due_date, d.due_at, d.stopped_at, d.status,
           d.calendar_missing, d.breach_recorded, d.reminder_sent
    FROM complaint_deadlines d JOIN complaints c ON c.id = d.complaint_id
    WHERE c.external_source = 'uji-batch' ORDER BY c.external_id, d.clock`.execute(database.db);
  return { complaints: complaints.rows, events: events.rows, deadlines: deadlines.rows };
}

for (const backend of BACKENDS) {
  describe(`import batches on ${backend}`, () => {
    let oneByOne: TestDatabase;
    let batched: TestDatabase;

    before(async () => {
      oneByOne = await createTestDatabase(backend);
      batched = await createTestDatabase(backend);
    });
    after(async () => {
      await oneByOne?.dispose();
      await batched?.dispose();
    });

    async function rows(database: TestDatabase): Promise<HistoricalComplaint[]> {
      const roads = await categoryRef(database, 'jalan-jembatan');
      const water = await categoryRef(database, 'air-bersih');
      return [
        // Friday before Nyepi and Idulfitri 2026, answered after them.
        historical(1, roads, '2026-03-13T09:00:00Z', '2026-03-30T02:00:00Z'),
        historical(2, water, '2026-03-13T09:00:00Z'),
        historical(3, null, '2026-06-01T01:00:00Z', '2026-06-01T05:00:00Z'),
        historical(4, roads, '2026-10-30T08:00:00Z'),
        historical(5, water, '2025-12-24T03:00:00Z', '2026-01-05T03:00:00Z'),
      ];
    }

    test('batch stores what rows store', async () => {
      for (const input of await rows(oneByOne)) {
        await oneByOne.db.transaction().execute((trx) => importComplaint(trx, input, NOW));
      }
      const inputs = await rows(batched);
      const created = await batched.db.transaction().execute((trx) => importComplaints(trx, inputs, NOW));
      assert.equal(created.length, 5);

      const expected = await stored(oneByOne);
      const actual = await stored(batched);
      assert.equal(expected.complaints.length, 5);
      assert.equal(expected.events.length, 11, 'five received, three resolved and three closed events');
      assert.ok(expected.deadlines.length >= 10, 'clocks were stored');
      assert.deepEqual(actual.complaints, expected.complaints);
      assert.deepEqual(actual.events, expected.events);
      assert.deepEqual(actual.deadlines, expected.deadlines);
    });

    test('history settled at import', async () => {
      const settled = await createTestDatabase(backend);
      try {
        const roads = await categoryRef(settled, 'jalan-jembatan');
        const inputs = [
          historical(11, roads, '2026-03-13T09:00:00Z', '2026-03-30T02:00:00Z'),
          historical(12, roads, '2026-03-13T09:00:00Z'),
          // Answered the day before the import: the citizen may still reply.
          historical(13, roads, '2026-10-28T02:00:00Z', '2026-11-01T02:00:00Z'),
          // Received three days before the import: its deadlines are still ahead.
          historical(14, roads, '2026-10-30T08:00:00Z'),
        ];
        await settled.db.transaction().execute((trx) => importComplaints(trx, inputs, NOW));
        const byId = async (externalId: string) => {
          const complaint = await settled.db.selectFrom('complaints').selectAll().where('external_id', '=', externalId).executeTakeFirstOrThrow();
          const clocks = await settled.db.selectFrom('complaint_deadlines').selectAll().where('complaint_id', '=', complaint.id).execute();
          const events = await settled.db.selectFrom('complaint_events').selectAll().where('complaint_id', '=', complaint.id).orderBy('id').execute();
          return { complaint, clocks: new Map(clocks.map((clock) => [clock.clock, clock])), events };
        };

        const answered = await byId('B-11');
        assert.equal(answered.complaint.status, 'closed', 'closed when its auto-close period ended, months ago');
        assert.deepEqual(answered.events.map((event) => event.type), ['received', 'resolved', 'closed']);
        const closed = answered.events[2]!;
        assert.ok(closed.at > new Date('2026-03-30T02:00:00Z'), `closed after the answer, at ${closed.at.toISOString()}`);
        assert.ok(closed.at < NOW, `closed before the import, at ${closed.at.toISOString()}`);
        assert.deepEqual(closed.data, { automatic: true, imported: true });
        assert.equal(answered.clocks.get('auto_close')?.stopped_at?.getTime(), closed.at.getTime(), 'the auto-close clock stopped at its end');

        const unanswered = await byId('B-12');
        assert.equal(unanswered.complaint.status, 'new');
        assert.equal(unanswered.clocks.get('verification')?.status, 'breached', 'the missed deadline still counts');
        assert.equal(unanswered.clocks.get('verification')?.breach_recorded, true);

        const recent = await byId('B-13');
        assert.equal(recent.complaint.status, 'resolved');
        assert.equal(recent.clocks.get('auto_close')?.stopped_at, null);
        const fresh = await byId('B-14');
        assert.equal(fresh.clocks.get('verification')?.breach_recorded, false);

        const scan = await scanDeadlines(settled.db, NOW);
        assert.deepEqual(scan, { breaches: 0, reminders: scan.reminders, autoClosed: 0 }, 'the scan escalates nothing from history');
        const breachEvents = await settled.db.selectFrom('complaint_events').select('type').where('type', '=', 'deadline_breached').execute();
        assert.equal(breachEvents.length, 0);

        // A deadline that passes after the import is escalated as usual.
        const later = await scanDeadlines(settled.db, new Date('2026-11-20T03:00:00Z'));
        assert.ok(later.breaches >= 1, 'the fresh report breaches later and is escalated');
        assert.equal(later.autoClosed, 1, 'the recently answered report closes when its period ends');
        const escalated = await settled.db.selectFrom('complaint_events').select('complaint_id').where('type', '=', 'deadline_breached').execute();
        assert.deepEqual([...new Set(escalated.map((event) => event.complaint_id))], [fresh.complaint.id]);
      } finally {
        await settled.dispose();
      }
    });

    test('stored external id left out', async () => {
      const before = await stored(batched);
      const again = await rows(batched);
      const fresh = historical(6, null, '2026-11-02T02:00:00Z');
      const created = await batched.db.transaction().execute((trx) => importComplaints(trx, [...again, fresh], NOW));
      assert.deepEqual(created.map((complaint) => complaint.external_id), ['B-6'], 'only the new row is created');
      const after = await stored(batched);
      assert.deepEqual(after.complaints.slice(0, 5), before.complaints, 'the stored complaints are unchanged');
      assert.deepEqual(after.events.filter((event) => event.external_id !== 'B-6'), before.events, 'no event added to them');
    });
  });
}
