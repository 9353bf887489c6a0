/** Indicators on a small, hand-checked set of complaints, on every back end. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../support/db.ts';
import { makeStaff, type TestStaff } from '../support/staff.ts';
import { receiveComplaint } from '../../src/commands/receive-complaint.ts';
import { verifyComplaint } from '../../src/commands/verify-complaint.ts';
import { dispatchComplaint } from '../../src/commands/dispatch-complaint.ts';
import { answerComplaint, resolveComplaint } from '../../src/commands/resolve-complaint.ts';
import { archiveComplaint } from '../../src/commands/close-complaint.ts';
import { rateComplaint } from '../../src/commands/reopen-complaint.ts';
import { computeIndicators, backlogByAge, overdueByAgency, IndicatorQueryError } from '../../src/reports/indicators.ts';
import { jsonRequest, testApp } from '../support/app.ts';

const citizen = { kind: 'citizen' } as const;
const at = (iso: string) => new Date(iso);

for (const backend of BACKENDS) {
  describe(`indicators on ${backend}`, () => {
    let database: TestDatabase;
    let officer: TestStaff;
    let dpupr: TestStaff;

    before(async () => {
      database = await createTestDatabase(backend);
      officer = await makeStaff(database.db, 'complaint_officer');
      dpupr = await makeStaff(database.db, 'agency_officer', 'dpupr');
      const db = database.db;

      // A: received Mon 2026-02-02 09:00 WIB, answered directly Mon 13:00 WIB (same day), rated 5.
      const a = await receiveComplaint({ db, actor: citizen, now: at('2026-02-02T02:00:00Z') }, {
        type: 'permintaan_informasi', description: 'Syarat membuat KTP-el baru apa saja?', channel: 'whatsapp', receivedAt: at('2026-02-02T02:00:00Z'),
      });
      await answerComplaint({ db, actor: officer.actor, now: at('2026-02-02T06:00:00Z') }, a.complaint.id, { body: 'Bawa KK asli ke kecamatan.' });
      await rateComplaint({ db, actor: citizen, now: at('2026-02-03T06:00:00Z') }, a.complaint.id, { rating: 5 });

      // B: received Fri 2026-02-06 09:00 WIB, dispatched Mon, resolved Wed 2026-02-11 09:00 WIB (5 calendar days), rated 2 → reopened.
      const b = await receiveComplaint({ db, actor: citizen, now: at('2026-02-06T02:00:00Z') }, {
        type: 'pengaduan', description: 'Jalan kampung rusak berat dan berlubang.', channel: 'web', receivedAt: at('2026-02-06T02:00:00Z'),
      });
      await verifyComplaint({ db, actor: officer.actor, now: at('2026-02-09T02:00:00Z') }, b.complaint.id, { type: 'pengaduan', categoryCode: 'jalan-jembatan', districtCode: '33.13.09' });
      await dispatchComplaint({ db, actor: officer.actor, now: at('2026-02-09T02:00:00Z') }, b.complaint.id, { agencyCode: 'dpupr' });
      await resolveComplaint({ db, actor: dpupr.actor, now: at('2026-02-11T02:00:00Z') }, b.complaint.id, { body: 'Sudah ditambal.' });
      await rateComplaint({ db, actor: citizen, now: at('2026-02-12T02:00:00Z') }, b.complaint.id, { rating: 2 });

      // C: received 2026-02-10, still new (verification deadline passes on 2026-02-13).
      await receiveComplaint({ db, actor: citizen, now: at('2026-02-10T02:00:00Z') }, {
        type: 'pengaduan', description: 'Lampu penerangan jalan mati total.', channel: 'web', receivedAt: at('2026-02-10T02:00:00Z'),
      });

      // D: spam, archived: counts nowhere.
      const d = await receiveComplaint({ db, actor: citizen, now: at('2026-02-10T03:00:00Z') }, {
        type: 'pengaduan', description: 'promo pinjaman online cepat cair', channel: 'web', receivedAt: at('2026-02-10T03:00:00Z'),
      });
      await archiveComplaint({ db, actor: officer.actor, now: at('2026-02-10T04:00:00Z') }, d.complaint.id, { reason: 'spam' });

      // E: received 2026-01-31 23:30 WIB (= 16:30Z), belongs to January in WIB.
      await receiveComplaint({ db, actor: citizen, now: at('2026-01-31T16:30:00Z') }, {
        type: 'aspirasi', description: 'Usul taman baca di balai desa.', channel: 'web', receivedAt: at('2026-01-31T16:30:00Z'),
      });
    });
    after(async () => database?.dispose());

    test('February totals follow the definitions', async () => {
      const result = await computeIndicators(database.db, { from: '2026-02-01', to: '2026-02-28' }, at('2026-03-02T00:00:00Z'));
      assert.deepEqual(result.period, { from: '2026-02-01', to: '2026-02-28', timeZone: 'Asia/Jakarta' });
      const figures = result.rows[0].indicators;
      assert.equal(figures.received, 3);
      assert.equal(figures.resolved, 1); // B was reopened by its low rating
      assert.equal(figures.resolved_share, 0.3333);
      // A answered same day (0 working days); B first answered 2026-02-11 (3 working days); C not answered.
      assert.equal(figures.answered_within_1_working_day_share, 0.3333);
      // Calendar days to first response: A 4 h = 0.1667 d, B 5 d; median of two is their mean.
      assert.equal(figures.median_response_days, 2.5833);
      // Verification: A met (answered), B met (dispatched on the next working day), C breached (due 2026-02-13).
      assert.equal(figures.verified_on_time_share, 0.6667);
      assert.equal(figures.rating_average, 3.5);
      assert.equal(figures.rating_satisfied_share, 0.5);
      assert.equal(figures.reopen_rate, 0.5);
      // A: 09:00–13:00 WIB is 4 working hours.
      assert.ok(figures.median_response_working_hours! > 4, `median working hours ${figures.median_response_working_hours}`);
    });

    test('a complaint belongs to its WIB month', async () => {
      const result = await computeIndicators(database.db, { from: '2026-01-01', to: '2026-02-28', groupBy: 'month' }, at('2026-03-02T00:00:00Z'));
      assert.deepEqual(result.rows.map((row) => [row.group, row.indicators.received]), [['2026-01', 1], ['2026-02', 3]]);
    });

    test('group by channel and filter by agency', async () => {
      const byChannel = await computeIndicators(database.db, { from: '2026-02-01', to: '2026-02-28', groupBy: 'channel' });
      assert.deepEqual(byChannel.rows.map((row) => [row.group, row.indicators.received]), [['web', 2], ['whatsapp', 1]]);
      const dpuprOnly = await computeIndicators(database.db, { from: '2026-02-01', to: '2026-02-28', agency: 'dpupr' });
      assert.equal(dpuprOnly.rows[0].indicators.received, 1);
    });

    test('invalid periods are rejected', async () => {
      await assert.rejects(computeIndicators(database.db, { from: '2026-02-30', to: '2026-03-01' }), IndicatorQueryError);
      await assert.rejects(computeIndicators(database.db, { from: '2026-03-01', to: '2026-02-01' }), /must not be before/);
      await assert.rejects(computeIndicators(database.db, { from: '2026-01-01', to: '9999-12-31' }), /to must be a date from 1900-01-01 to 2999-12-31/);
      await assert.rejects(computeIndicators(database.db, { from: '1000-01-01', to: '2026-12-31' }), /from must be a date from 1900-01-01/);
    });

    test('backlog and overdue now', async () => {
      const backlog = await backlogByAge(database.db, at('2026-02-20T00:00:00Z'));
      const total = backlog.reduce((sum, bucket) => sum + bucket.count, 0);
      assert.equal(total, 3); // B (reopened), C and E are open
      const overdue = await overdueByAgency(database.db, at('2026-03-02T00:00:00Z'));
      assert.ok(overdue.reduce((sum, row) => sum + row.overdue, 0) >= 2);
    });

    test('API states the period and zone and scopes agency officers', async () => {
      const app = testApp(database);
      const response = await app.request('/api/v1/indicators?from=2026-02-01&to=2026-02-28&groupBy=agency', jsonRequest('GET', undefined, dpupr.token));
      assert.equal(response.status, 200);
      const body = await response.json();
      assert.equal(body.period.timeZone, 'Asia/Jakarta');
      assert.deepEqual(body.rows.map((row: { group: string }) => row.group), ['dpupr']);
      assert.ok(body.definitions.find((d: { code: string }) => d.code === 'median_response_days').definition.length > 10);
      const bad = await app.request('/api/v1/indicators?from=2026-02-01&to=2026-02-28&groupBy=bulan', jsonRequest('GET', undefined, officer.token));
      assert.equal(bad.status, 400);
      const farFuture = await app.request('/api/v1/indicators?from=2026-01-01&to=9999-12-31', jsonRequest('GET', undefined, officer.token));
      assert.equal(farFuture.status, 400);
      assert.equal((await farFuture.json()).error.field, 'to');
      const reversed = await app.request('/api/v1/indicators?from=2026-12-31&to=2026-12-01', jsonRequest('GET', undefined, officer.token));
      assert.equal(reversed.status, 400);
      assert.equal((await reversed.json()).error.message, 'Tanggal akhir (to) tidak boleh sebelum tanggal awal (from). Tukar kedua tanggal itu.');
      const english = await app.request('/api/v1/indicators?from=2026-13-01&to=2026-12-31', jsonRequest('GET', undefined, officer.token, { 'accept-language': 'en' }));
      assert.equal((await english.json()).error.message, 'from must be a date in the form YYYY-MM-DD, for example 2026-12-31.');
    });
  });
}
