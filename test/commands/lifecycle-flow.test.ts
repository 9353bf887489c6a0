/**
 * The complaint lifecycle through the commands, on PGlite and (when
 * TEST_DATABASE_URL is set) on PostgreSQL.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../support/db.ts';
import { makeStaff, type TestStaff } from '../support/staff.ts';
import { receiveComplaint } from '../../src/commands/receive-complaint.ts';
import { verifyComplaint } from '../../src/commands/verify-complaint.ts';
import { dispatchComplaint } from '../../src/commands/dispatch-complaint.ts';
import { returnComplaint } from '../../src/commands/return-complaint.ts';
import { followUpComplaint } from '../../src/commands/follow-up-complaint.ts';
import { answerComplaint, resolveComplaint } from '../../src/commands/resolve-complaint.ts';
import { holdComplaint, resumeComplaint } from '../../src/commands/hold-complaint.ts';
import { forwardComplaint, archiveComplaint } from '../../src/commands/close-complaint.ts';
import { rateComplaint, replyAsCitizen } from '../../src/commands/reopen-complaint.ts';
import { mergeComplaints } from '../../src/commands/merge-complaints.ts';
import { CommandError } from '../../src/commands/errors.ts';
import { requestDeadlineRecompute, runDeadlineRecompute } from '../../src/commands/recompute-deadlines.ts';
import { scanDeadlines } from '../../src/jobs/deadlines.ts';

const citizen = { kind: 'citizen' } as const;
// Friday 2026-03-13 16:00 WIB, before Nyepi, Idulfitri and cuti bersama.
const FRIDAY_BEFORE_LEBARAN = new Date('2026-03-13T09:00:00Z');

function rejectsWith(code: string) {
  return (error: unknown) => {
    assert.ok(error instanceof CommandError, `expected CommandError, got ${String(error)}`);
    assert.equal(error.code, code);
    return true;
  };
}

for (const backend of BACKENDS) {
  describe(`lifecycle on ${backend}`, () => {
    let database: TestDatabase;
    let officer: TestStaff;
    let dpupr: TestStaff;
    let dlh: TestStaff;
    let inspektorat: TestStaff;

    before(async () => {
      database = await createTestDatabase(backend);
      officer = await makeStaff(database.db, 'complaint_officer');
      dpupr = await makeStaff(database.db, 'agency_officer', 'dpupr');
      dlh = await makeStaff(database.db, 'agency_officer', 'dlh');
      inspektorat = await makeStaff(database.db, 'agency_officer', 'inspektorat');
    });
    after(async () => database?.dispose());

    const ctx = (actor: TestStaff['actor'] | typeof citizen, now?: Date) => ({ db: database.db, actor, now });

    async function events(id: number) {
      return (await database.db.selectFrom('complaint_events').select('type').where('complaint_id', '=', id).orderBy('id').execute()).map((e) => e.type);
    }
    async function deadline(id: number, clock: string) {
      return database.db.selectFrom('complaint_deadlines').selectAll().where('complaint_id', '=', id).where('clock', '=', clock as never).executeTakeFirstOrThrow();
    }

    test('received report gets the verification deadline across Lebaran', async () => {
      const { complaint } = await receiveComplaint(ctx(citizen, new Date('2026-03-14T00:00:00Z')), {
        type: 'pengaduan',
        description: 'Jalan desa berlubang besar dekat balai desa.',
        channel: 'web',
        receivedAt: FRIDAY_BEFORE_LEBARAN,
      });
      const verification = await deadline(complaint.id, 'verification');
      assert.equal(verification.due_date, '2026-03-25');
      assert.equal(verification.due_at?.toISOString(), '2026-03-25T16:59:59.999Z');
      assert.equal(verification.status, 'running');
    });

    test('full path: verify, dispatch, follow up, resolve, rate', async () => {
      const { complaint } = await receiveComplaint(ctx(citizen), {
        type: 'pengaduan',
        description: 'Jembatan penghubung dua dusun retak parah.',
        channel: 'web',
        reporter: { name: 'Warga Uji', phone: '0812-0000-0000' },
      });
      assert.equal(complaint.status, 'new');
      await verifyComplaint(ctx(officer.actor), complaint.id, { type: 'pengaduan', categoryCode: 'jalan-jembatan', districtCode: '33.13.09' });
      const { complaint: dispatched } = await dispatchComplaint(ctx(officer.actor), complaint.id, { agencyCode: 'dpupr' });
      assert.equal(dispatched.status, 'dispatched');
      assert.equal((await deadline(complaint.id, 'verification')).status, 'met');
      assert.equal((await deadline(complaint.id, 'first_follow_up')).status, 'running');

      await followUpComplaint(ctx(dpupr.actor), complaint.id, { body: 'Tim sudah meninjau lokasi.' });
      assert.equal((await deadline(complaint.id, 'first_follow_up')).status, 'met');
      const { complaint: resolved } = await resolveComplaint(ctx(dpupr.actor), complaint.id, { body: 'Jembatan sudah diperbaiki.' });
      assert.equal(resolved.status, 'resolved');
      assert.equal((await deadline(complaint.id, 'auto_close')).status, 'running');

      const rated = await rateComplaint(ctx(citizen), complaint.id, { rating: 5 });
      assert.equal(rated.status, 'resolved');
      assert.equal(rated.rating, 5);
      await assert.rejects(rateComplaint(ctx(citizen), complaint.id, { rating: 4 }), rejectsWith('conflict'));
      assert.deepEqual(await events(complaint.id), ['received', 'verified', 'dispatched', 'followed_up', 'resolved', 'rated']);

      const reporter = await database.db.selectFrom('contacts').select('value').where('reporter_id', '=', resolved.reporter_id!).executeTakeFirstOrThrow();
      assert.equal(reporter.value, '+6281200000000');
    });

    test('low rating reopens to the agency', async () => {
      const { complaint } = await receiveComplaint(ctx(citizen), { type: 'pengaduan', description: 'Lampu jalan mati sebulan.', channel: 'web' });
      await verifyComplaint(ctx(officer.actor), complaint.id, { type: 'pengaduan', categoryCode: 'jalan-jembatan', districtCode: '33.13.09' });
      await dispatchComplaint(ctx(officer.actor), complaint.id, { agencyCode: 'dpupr' });
      await resolveComplaint(ctx(dpupr.actor), complaint.id, { body: 'Sudah ditangani.' });
      const reopened = await rateComplaint(ctx(citizen), complaint.id, { rating: 2, comment: 'Belum diperbaiki' });
      assert.equal(reopened.status, 'in_progress');
      assert.equal(reopened.resolved_at, null);
      assert.deepEqual((await events(complaint.id)).slice(-2), ['rated', 'reopened']);
    });

    test('citizen reply reopens a resolved report and resumes one on hold', async () => {
      const { complaint } = await receiveComplaint(ctx(citizen), { type: 'permintaan_informasi', description: 'Syarat pindah domisili apa saja?', channel: 'web' });
      await holdComplaint(ctx(officer.actor), complaint.id, { reason: 'Mohon sebutkan desa asal dan tujuan.' });
      const resumed = await replyAsCitizen(ctx(citizen), complaint.id, { body: 'Dari Jaten ke Tasikmadu.' });
      assert.equal(resumed.status, 'new');
      await answerComplaint(ctx(officer.actor), complaint.id, { body: 'Syaratnya KK dan KTP-el asli.' });
      const reopened = await replyAsCitizen(ctx(citizen), complaint.id, { body: 'Bagaimana kalau KK hilang?' });
      assert.equal(reopened.status, 'verified');
    });

    test('hold pauses the verification clock', async () => {
      const { complaint } = await receiveComplaint(ctx(citizen, new Date('2026-04-06T02:00:00Z')), {
        type: 'pengaduan', description: 'Sampah menumpuk di pinggir jalan.', channel: 'web', receivedAt: new Date('2026-04-06T02:00:00Z'),
      });
      const before = await deadline(complaint.id, 'verification');
      await holdComplaint(ctx(officer.actor, new Date('2026-04-07T02:00:00Z')), complaint.id, { reason: 'Mohon kirim foto lokasi.' });
      assert.equal((await deadline(complaint.id, 'verification')).status, 'paused');
      await resumeComplaint(ctx(officer.actor, new Date('2026-04-09T02:00:00Z')), complaint.id);
      const after = await deadline(complaint.id, 'verification');
      assert.equal(after.status, 'running');
      assert.ok(after.due_date! > before.due_date!, `deadline ${after.due_date} should move past ${before.due_date}`);
    });

    test('agency returns a wrong disposisi and loses access', async () => {
      const { complaint } = await receiveComplaint(ctx(citizen), { type: 'pengaduan', description: 'Sampah tidak diangkut seminggu.', channel: 'web' });
      await verifyComplaint(ctx(officer.actor), complaint.id, { type: 'pengaduan', categoryCode: 'jalan-jembatan', districtCode: '33.13.09' });
      await dispatchComplaint(ctx(officer.actor), complaint.id, { agencyCode: 'dpupr' });
      await assert.rejects(returnComplaint(ctx(dpupr.actor), complaint.id, { reason: '' }), rejectsWith('invalid'));
      const { complaint: returned } = await returnComplaint(ctx(dpupr.actor), complaint.id, { reason: 'Ini urusan DLH.' });
      assert.equal(returned.status, 'verified');
      assert.equal(returned.agency_id, null);
      await assert.rejects(followUpComplaint(ctx(dpupr.actor), complaint.id, { body: 'Coba tindak lanjut.' }), rejectsWith('not_found'));
      await dispatchComplaint(ctx(officer.actor), complaint.id, { agencyCode: 'dlh' });
      await followUpComplaint(ctx(dlh.actor), complaint.id, { body: 'Truk dijadwalkan besok.' });
    });

    test('agency officer cannot act on another agency\'s report', async () => {
      const { complaint } = await receiveComplaint(ctx(citizen), { type: 'pengaduan', description: 'Drainase tersumbat di perumahan.', channel: 'web' });
      await verifyComplaint(ctx(officer.actor), complaint.id, { type: 'pengaduan', categoryCode: 'drainase-irigasi', districtCode: '33.13.09' });
      await assert.rejects(followUpComplaint(ctx(dpupr.actor), complaint.id, { body: 'Belum didisposisi.' }), rejectsWith('not_found'));
      await dispatchComplaint(ctx(officer.actor), complaint.id, { agencyCode: 'dpupr' });
      await assert.rejects(followUpComplaint(ctx(dlh.actor), complaint.id, { body: 'Bukan OPD kami.' }), rejectsWith('not_found'));
      await assert.rejects(dispatchComplaint(ctx(dpupr.actor), complaint.id, { agencyCode: 'dlh' }), rejectsWith('forbidden'));
    });

    test('oversight report is confidential and goes only to the Inspektorat', async () => {
      const { complaint } = await receiveComplaint(ctx(citizen), {
        type: 'pengaduan', description: 'Ada pungutan liar saat mengurus KTP di kecamatan.', channel: 'web', privacy: 'public', categoryCode: 'pelanggaran-pungli',
      });
      assert.equal(complaint.oversight, true);
      assert.equal(complaint.privacy, 'confidential');
      await assert.rejects(
        verifyComplaint(ctx(officer.actor), complaint.id, { type: 'pengaduan', categoryCode: 'pelanggaran-pungli', districtCode: '33.13.09', agencyCode: 'disdukcapil' }),
        rejectsWith('forbidden'),
      );
      await verifyComplaint(ctx(officer.actor), complaint.id, { type: 'pengaduan', categoryCode: 'pelanggaran-pungli', districtCode: '33.13.09' });
      await assert.rejects(dispatchComplaint(ctx(officer.actor), complaint.id, { agencyCode: 'disdukcapil' }), rejectsWith('forbidden'));
      await dispatchComplaint(ctx(officer.actor), complaint.id, { agencyCode: 'inspektorat' });
      await followUpComplaint(ctx(inspektorat.actor), complaint.id, { body: 'Sedang diperiksa.', visibleToCitizen: false });
    });

    test('forward and archive end the report and stop its clocks', async () => {
      const { complaint: a } = await receiveComplaint(ctx(citizen), { type: 'pengaduan', description: 'Listrik PLN padam terus.', channel: 'web' });
      const { complaint: forwarded } = await forwardComplaint(ctx(officer.actor), a.id, { destination: 'PLN UP3 Surakarta' });
      assert.equal(forwarded.status, 'out_of_scope');
      assert.equal((await deadline(a.id, 'verification')).status, 'met');
      const { complaint: b } = await receiveComplaint(ctx(citizen), { type: 'pengaduan', description: 'promo pulsa murah klik link', channel: 'web' });
      await archiveComplaint(ctx(officer.actor), b.id, { reason: 'spam' });
      await assert.rejects(replyAsCitizen(ctx(citizen), b.id, { body: 'halo' }), rejectsWith('invalid_transition'));
      await assert.rejects(dispatchComplaint(ctx(officer.actor), b.id, { agencyCode: 'dpupr' }), rejectsWith('invalid_transition'));
    });

    test('merge archives the duplicate with a link', async () => {
      const { complaint: kept } = await receiveComplaint(ctx(citizen), { type: 'pengaduan', description: 'Jalan Lawu rusak berat.', channel: 'web' });
      const { complaint: dup } = await receiveComplaint(ctx(citizen), { type: 'pengaduan', description: 'Jalan Lawu rusak parah sekali.', channel: 'whatsapp' });
      await assert.rejects(mergeComplaints(ctx(officer.actor), dup.id, { intoId: dup.id }), rejectsWith('invalid'));
      const { duplicate } = await mergeComplaints(ctx(officer.actor), dup.id, { intoId: kept.id });
      assert.equal(duplicate.status, 'archived');
      assert.equal(duplicate.merged_into_id, kept.id);
      assert.deepEqual(await events(kept.id), ['received', 'duplicate_merged']);
    });

    test('a misconduct report and an ordinary one are never merged', async () => {
      const { complaint: road } = await receiveComplaint(ctx(citizen), { type: 'pengaduan', description: 'Jalan Lawu berlubang di depan kantor kelurahan.', channel: 'web' });
      const { complaint: pungli } = await receiveComplaint(ctx(citizen), {
        type: 'pengaduan', description: 'Petugas kantor kelurahan minta uang untuk surat pengantar.', channel: 'web', categoryCode: 'pelanggaran-pungli',
      });
      for (const [from, into] of [[pungli.id, road.id], [road.id, pungli.id]]) {
        await assert.rejects(mergeComplaints(ctx(officer.actor), from, { intoId: into }), (error: unknown) => {
          assert.ok(error instanceof CommandError);
          assert.equal(error.key, 'error.merge_oversight');
          assert.equal(error.field, 'intoId');
          return true;
        });
      }
      const rows = await database.db.selectFrom('complaints').select(['status', 'merged_into_id']).where('id', 'in', [road.id, pungli.id]).execute();
      assert.deepEqual(rows.map((row) => [row.status, row.merged_into_id]), [['new', null], ['new', null]], 'both reports stay as they were');

      // Nor by reclassifying the kept case after a merge.
      const { complaint: kept } = await receiveComplaint(ctx(citizen), { type: 'pengaduan', description: 'Petugas kelurahan meminta uang tambahan.', channel: 'web' });
      await mergeComplaints(ctx(officer.actor), road.id, { intoId: kept.id });
      await assert.rejects(
        verifyComplaint(ctx(officer.actor), kept.id, { type: 'pengaduan', categoryCode: 'pelanggaran-pungli', districtCode: '33.13.09' }),
        (error: unknown) => error instanceof CommandError && error.key === 'error.oversight_has_merged' && error.field === 'categoryCode',
      );
    });

    test('invalid input is rejected and nothing is stored', async () => {
      const before = await database.db.selectFrom('complaints').select(database.db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      await assert.rejects(receiveComplaint(ctx(citizen), { type: 'pengaduan', description: 'pendek', channel: 'web' }), rejectsWith('invalid'));
      await assert.rejects(
        receiveComplaint(ctx(citizen), { type: 'pengaduan', description: 'Deskripsi yang cukup panjang.', channel: 'web', villageCode: '33.13.01.2001', districtCode: '33.13.09' }),
        rejectsWith('invalid'),
      );
      await assert.rejects(
        receiveComplaint(ctx(citizen), { type: 'pengaduan', description: 'Deskripsi yang cukup panjang.', channel: 'web', reporter: { phone: '12' } }),
        rejectsWith('invalid'),
      );
      await assert.rejects(
        receiveComplaint(ctx(citizen), { type: 'pengaduan', description: 'Deskripsi yang cukup panjang.', channel: 'web', attachments: [{ fileName: 'x.exe', content: Buffer.from('MZ') }] }),
        rejectsWith('invalid'),
      );
      const afterCount = await database.db.selectFrom('complaints').select(database.db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      assert.equal(Number(afterCount.n), Number(before.n));
    });

    test('deadline scan records a breach once and auto-closes', async () => {
      const received = new Date('2026-05-04T02:00:00Z');
      const { complaint } = await receiveComplaint(ctx(citizen, received), { type: 'pengaduan', description: 'Pasar becek tidak ada saluran.', channel: 'web', receivedAt: received });
      const late = new Date('2026-06-15T02:00:00Z');
      const first = await scanDeadlines(database.db, late);
      assert.ok(first.breaches >= 1);
      await scanDeadlines(database.db, late);
      const breaches = (await events(complaint.id)).filter((type) => type === 'deadline_breached');
      assert.equal(breaches.length, 1);

      await answerComplaint(ctx(officer.actor, new Date('2026-06-15T03:00:00Z')), complaint.id, { body: 'Sudah kami teruskan ke pengelola pasar.' });
      const closeDue = await deadline(complaint.id, 'auto_close');
      assert.equal(closeDue.status, 'running');
      await scanDeadlines(database.db, new Date(closeDue.due_at!.getTime() + 60_000));
      const closed = await database.db.selectFrom('complaints').select('status').where('id', '=', complaint.id).executeTakeFirstOrThrow();
      assert.equal(closed.status, 'closed');
    });

    test('changing a category clock recomputes open deadlines', async () => {
      const received = new Date('2026-07-06T02:00:00Z');
      const { complaint } = await receiveComplaint(ctx(citizen, received), {
        type: 'pengaduan', description: 'Air PDAM keruh tiga hari.', channel: 'web', receivedAt: received, categoryCode: 'air-bersih',
      });
      assert.equal((await deadline(complaint.id, 'verification')).due_date, '2026-07-09');
      const category = await database.db.updateTable('categories').set({ verify_days: 1 }).where('code', '=', 'air-bersih').returning('id').executeTakeFirstOrThrow();
      const run = await requestDeadlineRecompute(database.db, { reason: 'category_changed', changedFrom: null, changedTo: null, categoryId: category.id });
      await runDeadlineRecompute(database.db, run.id, { now: () => received });
      assert.equal((await deadline(complaint.id, 'verification')).due_date, '2026-07-07');
    });

    test('event log refuses updates', async () => {
      const { complaint } = await receiveComplaint(ctx(citizen), { type: 'aspirasi', description: 'Usul taman bermain anak di alun-alun.', channel: 'web' });
      await assert.rejects(
        database.db.updateTable('complaint_events').set({ body: 'changed' }).where('complaint_id', '=', complaint.id).execute(),
        /append-only/,
      );
    });
  });
}
