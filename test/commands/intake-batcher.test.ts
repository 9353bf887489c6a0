/**
 * Intake through the batcher and the set-based statement. Concurrent reports
 * share one transaction, and each gets its complaint, `received` event, four
 * clocks and reporter. A report that fails in a batch fails alone. Taken
 * tracking codes are replaced. The reference cache follows an
 * administrator's category change.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../support/db.ts';
import { makeStaff, type TestStaff } from '../support/staff.ts';
import { jsonRequest, testApp } from '../support/app.ts';
import { IntakeBatcher, intakeBatcherFor } from '../../src/commands/intake-batcher.ts';
import { insertComplaints } from '../../src/commands/insert-complaints.ts';
import { prepareComplaint, receiveComplaint, type ReceiveInput } from '../../src/commands/receive-complaint.ts';
import { loadCalendar, refreshDeadlines } from '../../src/commands/deadlines.ts';
import { saveCategory } from '../../src/commands/manage-reference-data.ts';
import { loadReferenceData } from '../../src/commands/reference-cache.ts';
import { CommandError } from '../../src/commands/errors.ts';
import type { CommandContext } from '../../src/commands/context.ts';

// Wednesday 2026-03-11 10:00 WIB, a working day with holiday data.
const NOW = new Date('2026-03-11T03:00:00Z');

const CLOCKS = {
  verifyDays: 3, firstFollowUpDays: 5, resolutionDaysSimple: 5, resolutionDaysMedium: 14, resolutionDaysComplex: 60, autoCloseDays: 10,
};

function report(index: number, extra: Partial<ReceiveInput> = {}): ReceiveInput {
  return {
    channel: 'api',
    type: 'pengaduan',
    description: `Lampu jalan nomor ${index} di depan balai desa mati sejak minggu lalu.`,
    categoryCode: index % 2 === 0 ? 'penerangan-jalan' : undefined,
    districtCode: '33.13.09',
    villageCode: index % 3 === 0 ? '33.13.09.1007' : undefined,
    reporter: index % 4 === 0 ? undefined : { name: `Warga Uji ${index}`, phone: `0812000${String(index).padStart(5, '0')}` },
    ...extra,
  };
}

for (const backend of BACKENDS) {
  describe(`intake batcher on ${backend}`, () => {
    let database: TestDatabase;
    let admin: TestStaff;
    const citizen = (): CommandContext => ({ db: database.db, actor: { kind: 'citizen' }, now: NOW });

    before(async () => {
      database = await createTestDatabase(backend);
      admin = await makeStaff(database.db, 'admin');
    });
    after(async () => database?.dispose());

    async function eventsOf(complaintId: number) {
      return database.db.selectFrom('complaint_events').selectAll().where('complaint_id', '=', complaintId).execute();
    }

    async function deadlinesOf(complaintId: number) {
      return database.db.selectFrom('complaint_deadlines').selectAll().where('complaint_id', '=', complaintId).orderBy('clock').execute();
    }

    test('concurrent reports share one batch and are complete', async () => {
      const batcher = new IntakeBatcher(database.db, { maxConcurrentBatches: 1 });
      // Warm the caches, so that every report is queued before the first batch starts.
      await loadReferenceData(database.db);
      await loadCalendar(database.db);
      const inputs = Array.from({ length: 12 }, (_, index) => report(index));
      const results = await Promise.all(inputs.map((input) => batcher.receive(citizen(), input)));

      assert.equal(batcher.stats.batches, 1);
      assert.equal(batcher.stats.largestBatch, 12);
      assert.equal(new Set(results.map((result) => result.complaint.tracking_code)).size, 12);

      for (const [index, result] of results.entries()) {
        const { complaint } = result;
        assert.equal(result.created, true);
        assert.equal(complaint.description, inputs[index].description);
        assert.equal(complaint.status, 'new');
        assert.equal(complaint.channel, 'api');
        assert.equal(complaint.received_at.getTime(), NOW.getTime());
        assert.equal(complaint.district_code, '33.13.09');
        assert.equal(complaint.village_code, index % 3 === 0 ? '33.13.09.1007' : null);
        assert.equal(complaint.category_id === null, index % 2 !== 0);
        if (index % 2 === 0) assert.notEqual(complaint.agency_id, null);

        const events = await eventsOf(complaint.id);
        assert.equal(events.length, 1);
        assert.equal(events[0].id, result.receivedEventId);
        assert.equal(events[0].type, 'received');
        assert.equal(events[0].visibility, 'public');
        assert.equal(events[0].actor_kind, 'citizen');
        assert.deepEqual(events[0].data, { channel: 'api' });

        // The clocks written by the batch equal those refreshDeadlines computes from the stored event log.
        const written = await deadlinesOf(complaint.id);
        assert.equal(written.length, 4);
        await refreshDeadlines(database.db, complaint, NOW);
        assert.deepEqual(await deadlinesOf(complaint.id), written);
        const verification = written.find((row) => row.clock === 'verification');
        assert.equal(verification?.status, 'running');
        // The overdue inbox reads next_due_at; the batch sets it as refreshDeadlines would.
        assert.deepEqual(complaint.next_due_at, verification?.due_at);
        const refreshed = await database.db.selectFrom('complaints').select('next_due_at').where('id', '=', complaint.id).executeTakeFirstOrThrow();
        assert.deepEqual(refreshed.next_due_at, complaint.next_due_at);

        if (index % 4 === 0) {
          assert.equal(complaint.reporter_id, null);
        } else {
          const reporter = await database.db.selectFrom('reporters').selectAll().where('id', '=', complaint.reporter_id!).executeTakeFirstOrThrow();
          assert.equal(reporter.name, `Warga Uji ${index}`);
          const contacts = await database.db.selectFrom('contacts').selectAll().where('reporter_id', '=', reporter.id).execute();
          assert.equal(contacts.length, 1);
          assert.equal(contacts[0].kind, 'phone');
          assert.equal(contacts[0].value, `+62812000${String(index).padStart(5, '0')}`);
          assert.equal(contacts[0].verified, false);
        }
      }
    });

    test('invalid report is rejected, the others commit', async () => {
      const batcher = new IntakeBatcher(database.db, { maxConcurrentBatches: 1 });
      await loadReferenceData(database.db);
      const outcomes = await Promise.allSettled([
        batcher.receive(citizen(), report(1)),
        batcher.receive(citizen(), report(2, { description: 'pendek' })),
        batcher.receive(citizen(), report(3, { categoryCode: 'tidak-ada' })),
        batcher.receive(citizen(), report(5)),
      ]);
      assert.equal(outcomes[0].status, 'fulfilled');
      assert.equal(outcomes[3].status, 'fulfilled');
      assert.equal(outcomes[1].status, 'rejected');
      assert.ok(outcomes[1].status === 'rejected');
      assert.ok(outcomes[1].reason instanceof CommandError);
      assert.equal(outcomes[1].status === 'rejected' && outcomes[1].reason.key, 'error.text_too_short');
      assert.equal(outcomes[2].status === 'rejected' && outcomes[2].reason.key, 'error.category_unknown');
      assert.equal(batcher.stats.largestBatch, 2);
      assert.equal(batcher.stats.failedBatches, 0);
    });

    test('failing batch is retried report by report', async () => {
      const { category } = await saveCategory({ db: database.db, actor: admin.actor }, {
        code: 'sementara', name: 'Kategori sementara', oversight: false, complexity: 'simple', ...CLOCKS,
      });
      await loadReferenceData(database.db);
      // Removed behind the cache's back, as another process would: the batch's
      // insert then violates the foreign key and the whole transaction fails.
      await database.db.deleteFrom('categories').where('id', '=', category.id).execute();

      const batcher = new IntakeBatcher(database.db, { maxConcurrentBatches: 1 });
      const before = await countComplaints();
      const outcomes = await Promise.allSettled([
        batcher.receive(citizen(), report(7)),
        batcher.receive(citizen(), report(8, { categoryCode: 'sementara' })),
        batcher.receive(citizen(), report(9)),
      ]);

      assert.equal(batcher.stats.failedBatches, 1);
      assert.equal(outcomes[0].status, 'fulfilled');
      assert.equal(outcomes[2].status, 'fulfilled');
      assert.equal(outcomes[1].status, 'rejected');
      assert.equal(outcomes[1].status === 'rejected' && outcomes[1].reason.key, 'error.category_unknown');
      assert.equal(await countComplaints(), before + 2);
      for (const outcome of [outcomes[0], outcomes[2]]) {
        assert.ok(outcome.status === 'fulfilled');
        assert.equal((await eventsOf(outcome.value.complaint.id)).length, 1);
        assert.equal((await deadlinesOf(outcome.value.complaint.id)).length, 4);
      }
    });

    test('lone surrogate stored as replacement character', async () => {
      const description = 'Jalan rusak di depan pasar \ud83d dan berlubang.';
      const { complaint } = await intakeBatcherFor(database.db).receive(citizen(), report(30, { description, reporter: { name: 'Warga \udc00' } }));
      assert.equal(complaint.description, 'Jalan rusak di depan pasar \ufffd dan berlubang.');
      const reporter = await database.db.selectFrom('reporters').select('name').where('id', '=', complaint.reporter_id!).executeTakeFirstOrThrow();
      assert.equal(reporter.name, 'Warga \ufffd');
    });

    test('taken tracking codes are replaced', async () => {
      const taken = await receiveComplaint(citizen(), report(10));
      const first = await prepareComplaint(database.db, citizen(), report(11), NOW);
      const second = await prepareComplaint(database.db, citizen(), report(12), NOW);
      const third = await prepareComplaint(database.db, citizen(), report(13), NOW);
      // One code already in the database, and two reports of one batch with the same new code.
      first.row.tracking_code = taken.complaint.tracking_code;
      second.row.tracking_code = 'ADU-AAAA-BBBB-CC';
      third.row.tracking_code = 'ADU-AAAA-BBBB-CC';

      const reportersBefore = await countReporters();
      const inserted = await insertComplaints(database.db, [first, second, third]);
      assert.equal(inserted.length, 3);
      const codes = inserted.map((item) => item.complaint.tracking_code);
      assert.equal(new Set([...codes, taken.complaint.tracking_code]).size, 4);
      assert.equal(inserted[0].complaint.description, first.row.description);
      assert.equal(inserted[2].complaint.description, third.row.description);
      for (const item of inserted) {
        assert.equal(item.complaint.tracking_code, [first, second, third][inserted.indexOf(item)].row.tracking_code);
        assert.deepEqual((await eventsOf(item.complaint.id)).map((event) => event.id), [item.receivedEventId]);
        assert.equal((await deadlinesOf(item.complaint.id)).length, 4);
      }
      // Reports 11 and 13 have a reporter; the retried ones keep the reporter made by the first attempt.
      assert.equal(await countReporters(), reportersBefore + 2);
      const firstReporter = await database.db.selectFrom('reporters').selectAll().where('id', '=', inserted[0].complaint.reporter_id!).executeTakeFirstOrThrow();
      assert.equal(firstReporter.name, 'Warga Uji 11');
      assert.equal(inserted[1].complaint.reporter_id, null);
      assert.notEqual(inserted[2].complaint.reporter_id, null);
    });

    test('category change reaches intake at once', async () => {
      const ctx = { db: database.db, actor: admin.actor };
      const { category } = await saveCategory(ctx, { code: 'berubah', name: 'Kategori berubah', oversight: false, complexity: 'simple', ...CLOCKS });
      const dueOf = async (complaintId: number) => (await deadlinesOf(complaintId)).find((row) => row.clock === 'verification')!.due_date;
      const early = await intakeBatcherFor(database.db).receive(citizen(), report(20, { categoryCode: 'berubah' }));
      // saveCategory recomputes the early complaint's clocks, so its due date is read before.
      const earlyDue = await dueOf(early.complaint.id);
      await saveCategory(ctx, { name: 'Kategori berubah', oversight: false, complexity: 'simple', ...CLOCKS, verifyDays: 10 }, category.id);
      const late = await intakeBatcherFor(database.db).receive(citizen(), report(21, { categoryCode: 'berubah' }));

      const lateDue = await dueOf(late.complaint.id);
      assert.notEqual(earlyDue, lateDue);
      // refreshDeadlines reads the category from the database, not from the cache.
      await refreshDeadlines(database.db, late.complaint, NOW);
      assert.equal(await dueOf(late.complaint.id), lateDue);

      await saveCategory(ctx, { name: 'Kategori berubah', oversight: false, complexity: 'simple', ...CLOCKS, active: false }, category.id);
      await assert.rejects(intakeBatcherFor(database.db).receive(citizen(), report(22, { categoryCode: 'berubah' })),
        (error: unknown) => error instanceof CommandError && error.key === 'error.category_unknown');
    });

    test('API requests share batches', async () => {
      const app = testApp(database);
      const before = await countComplaints();
      const responses = await Promise.all(Array.from({ length: 16 }, (_, index) =>
        app.request('/api/v1/complaints', jsonRequest('POST', {
          type: 'aspirasi', description: `Usulan taman baca nomor ${index} untuk anak-anak di kecamatan.`, reporter: { phone: '081299990000' },
        })),
      ));
      assert.deepEqual(responses.map((response) => response.status), Array(16).fill(201));
      const codes = await Promise.all(responses.map(async (response) => ((await response.json()) as { trackingCode: string }).trackingCode));
      const stored = await database.db.selectFrom('complaints').select('id').where('tracking_code', 'in', codes).execute();
      assert.equal(stored.length, 16);
      assert.equal(await countComplaints(), before + 16);
      assert.ok(intakeBatcherFor(database.db).stats.largestBatch > 1, 'no two requests shared a batch');
    });

    async function countReporters(): Promise<number> {
      const row = await sql<{ count: number }>`SELECT count(*)::int AS count FROM reporters`.execute(database.db);
      return row.rows[0].count;
    }

    async function countComplaints(): Promise<number> {
      const row = await sql<{ count: number }>`SELECT count(*)::int AS count FROM complaints`.execute(database.db);
      return row.rows[0].count;
    }
  });
}
