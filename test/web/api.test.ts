/**
 * The JSON API through HTTP: the public contract, staff actions, agency
 * isolation (list, detail, search, action) and the absence of identity in
 * every public response.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../support/db.ts';
import { makeStaff, type TestStaff } from '../support/staff.ts';
import { jsonRequest, testApp } from '../support/app.ts';

const REPORTER = { name: 'Warga Uji Coba', phone: '081200000000', email: 'warga@contoh.id' };
const IDENTITY_STRINGS = ['Warga Uji Coba', '081200000000', '+6281200000000', '6281200000000', 'warga@contoh.id'];

function assertNoIdentity(body: string) {
  for (const value of IDENTITY_STRINGS) assert.equal(body.includes(value), false, `public response contains "${value}"`);
}

for (const backend of BACKENDS) {
  describe(`API on ${backend}`, () => {
    let database: TestDatabase;
    let app: ReturnType<typeof testApp>;
    let officer: TestStaff;
    let dpupr: TestStaff;
    let dlh: TestStaff;
    let leader: TestStaff;

    before(async () => {
      database = await createTestDatabase(backend);
      app = testApp(database);
      officer = await makeStaff(database.db, 'complaint_officer');
      dpupr = await makeStaff(database.db, 'agency_officer', 'dpupr');
      dlh = await makeStaff(database.db, 'agency_officer', 'dlh');
      leader = await makeStaff(database.db, 'leader');
    });
    after(async () => database?.dispose());

    async function call(method: string, path: string, body?: unknown, token?: string, headers?: Record<string, string>) {
      const response = await app.request(path, jsonRequest(method, body, token, headers));
      const text = await response.text();
      return { status: response.status, text, json: text ? JSON.parse(text) : undefined };
    }

    async function file(description: string, extra: Record<string, unknown> = {}) {
      const response = await call('POST', '/api/v1/complaints', { type: 'pengaduan', description, reporter: REPORTER, ...extra });
      assert.equal(response.status, 201, response.text);
      const list = await call('GET', `/api/v1/complaints?q=${encodeURIComponent(response.json.trackingCode)}`, undefined, officer.token);
      assert.equal(list.json.items.length, 1);
      return { trackingCode: response.json.trackingCode as string, id: list.json.items[0].id as number };
    }

    test('health answers when the database does', async () => {
      const response = await call('GET', '/health');
      assert.equal(response.status, 200);
      assert.equal(response.json.status, 'ok');
    });

    test('openapi document lists the contract', async () => {
      const response = await call('GET', '/api/v1/openapi.json');
      assert.equal(response.status, 200);
      for (const path of ['/complaints', '/track/{trackingCode}', '/agencies', '/categories', '/complaints/{id}', '/complaints/{id}/dispatch', '/calendar/working-days']) {
        assert.ok(response.json.paths[path], `missing ${path}`);
      }
    });

    test('agencies and categories carry stable codes', async () => {
      const agencies = await call('GET', '/api/v1/agencies');
      const codes = agencies.json.items.map((a: { code: string }) => a.code);
      for (const code of ['dpupr', 'dlh', 'inspektorat', 'disdukcapil', 'kec-karanganyar']) assert.ok(codes.includes(code), code);
      const categories = await call('GET', '/api/v1/categories');
      const pungli = categories.json.items.find((c: { code: string }) => c.code === 'pelanggaran-pungli');
      assert.equal(pungli.agencyCode, 'inspektorat');
      assert.equal(pungli.oversight, true);
    });

    test('working-day calculator crosses Lebaran 2026', async () => {
      const response = await call('GET', '/api/v1/calendar/working-days?from=2026-03-13&add=3');
      assert.equal(response.status, 200);
      assert.equal(response.json.date, '2026-03-25');
      assert.equal(response.json.calendarMissing, false);
      const future = await call('GET', '/api/v1/calendar/working-days?from=2026-12-30&add=5');
      assert.equal(future.json.calendarMissing, true);
      assert.match(future.json.warning, /2027/);
      const bad = await call('GET', '/api/v1/calendar/working-days?from=2026-02-30&add=1');
      assert.equal(bad.status, 400);
      assert.equal(bad.json.error.code, 'invalid');
    });

    test('validation errors are JSON in Indonesian, English on request', async () => {
      const id = await call('POST', '/api/v1/complaints', { type: 'keluhan', description: 'x' });
      assert.equal(id.status, 400);
      assert.equal(id.json.error.code, 'invalid');
      assert.match(id.json.error.message, /Data tidak valid/);
      const en = await call('POST', '/api/v1/complaints', { type: 'pengaduan', description: 'short' }, undefined, { 'accept-language': 'en' });
      assert.equal(en.status, 400);
      assert.match(en.json.error.message, /at least 10 characters/);
      const broken = await app.request('/api/v1/complaints', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"type":' });
      assert.equal(broken.status, 400);
      assert.equal((await broken.json()).error.code, 'invalid');
    });

    test('receivedAt and walk-in need a staff token', async () => {
      const anonymous = await call('POST', '/api/v1/complaints', { type: 'pengaduan', description: 'Laporan dari loket pelayanan.', receivedAt: '2026-03-13T16:00:00+07:00' });
      assert.equal(anonymous.status, 403);
      const staff = await call('POST', '/api/v1/complaints', {
        type: 'pengaduan', description: 'Laporan dari loket pelayanan.', receivedAt: '2026-03-13T16:00:00+07:00', channel: 'walk_in',
      }, officer.token);
      assert.equal(staff.status, 201);
      const list = await call('GET', `/api/v1/complaints?q=${staff.json.trackingCode}`, undefined, officer.token);
      const detail = await call('GET', `/api/v1/complaints/${list.json.items[0].id}`, undefined, officer.token);
      assert.equal(detail.json.channel, 'walk_in');
      const verification = detail.json.deadlines.find((d: { clock: string }) => d.clock === 'verification');
      assert.equal(verification.dueDate, '2026-03-25');
    });

    test('staff endpoints need a token', async () => {
      const response = await call('GET', '/api/v1/complaints');
      assert.equal(response.status, 401);
      assert.equal(response.json.error.code, 'unauthorized');
      const forged = await call('GET', '/api/v1/complaints', undefined, 'adn_not-a-real-token');
      assert.equal(forged.status, 401);
    });

    test('end to end through the API, and the tracking view never shows identity', async () => {
      const { trackingCode, id } = await file('Jalan di depan SD berlubang, bahaya untuk anak-anak. Hubungi saya 081200000000.');
      assert.equal((await call('POST', `/api/v1/complaints/${id}/verify`, { type: 'pengaduan', categoryCode: 'jalan-jembatan', districtCode: '33.13.09', villageCode: '33.13.09.1007' }, officer.token)).status, 200);
      assert.equal((await call('POST', `/api/v1/complaints/${id}/dispatch`, { agencyCode: 'dpupr', note: 'Catatan internal untuk OPD' }, officer.token)).json.status, 'dispatched');
      assert.equal((await call('POST', `/api/v1/complaints/${id}/follow-ups`, { body: 'Survei lokasi dijadwalkan.' }, dpupr.token)).json.status, 'in_progress');
      assert.equal((await call('POST', `/api/v1/complaints/${id}/resolve`, { body: 'Lubang sudah ditambal.' }, dpupr.token)).json.status, 'resolved');

      const tracked = await call('GET', `/api/v1/track/${trackingCode.toLowerCase()}`);
      assert.equal(tracked.status, 200);
      assert.equal(tracked.json.status, 'resolved');
      assert.equal(tracked.json.village, 'Karanganyar');
      assert.equal(tracked.json.categoryEn, 'Roads and bridges');
      const englishPage = await (await app.request(`/lacak/${trackingCode}?lang=en`)).text();
      assert.match(englishPage, /Roads and bridges/);
      assert.deepEqual(tracked.json.timeline.map((e: { type: string }) => e.type), ['received', 'verified', 'dispatched', 'followed_up', 'resolved']);
      assert.match(tracked.json.description, /disamarkan/);
      assertNoIdentity(tracked.text);
      assert.equal(tracked.text.includes('Catatan internal untuk OPD'), false);

      const detail = await call('GET', `/api/v1/complaints/${id}`, undefined, dpupr.token);
      assert.equal(detail.status, 200);
      assertNoIdentity(detail.text);
      assert.equal(detail.json.identityAccess, 'none');
      const identityForAgency = await call('GET', `/api/v1/complaints/${id}/reporter`, undefined, dpupr.token);
      assert.equal(identityForAgency.status, 403);
      const identity = await call('GET', `/api/v1/complaints/${id}/reporter`, undefined, officer.token);
      assert.equal(identity.json.name, REPORTER.name);
      const views = await database.db.selectFrom('identity_views').selectAll().where('complaint_id', '=', id).execute();
      assert.equal(views.length, 1);

      const rating = await call('POST', `/api/v1/track/${trackingCode}/rating`, { rating: 1 });
      assert.equal(rating.json.status, 'in_progress');
    });

    test('merged duplicate never reveals the kept case code', async () => {
      const kept = await file('Lampu jalan di gang sekolah mati, mohon segera diganti.', { privacy: 'confidential' });
      const duplicate = await file('Jalan rusak di depan sekolah dasar negeri.');
      const merge = await call('POST', `/api/v1/complaints/${duplicate.id}/merge`, { intoId: kept.id }, officer.token);
      assert.equal(merge.status, 200, merge.text);

      const tracked = await call('GET', `/api/v1/track/${duplicate.trackingCode}`);
      assert.equal(tracked.json.merged, true);
      assert.equal(tracked.text.includes(kept.trackingCode), false);
      const page = await app.request(`/lacak/${duplicate.trackingCode}`);
      const html = await page.text();
      assert.equal(page.status, 200);
      assert.equal(html.includes(kept.trackingCode), false);
      assert.equal(html.includes('gang sekolah'), false, 'a confidential kept case shows nothing');
    });

    test('merged duplicate does not see questions to the other reporter', async () => {
      const kept = await file('Jalan berlubang di depan balai desa Bolong, mohon ditambal.');
      const duplicate = await file('Lubang besar di jalan depan balai desa Bolong.');
      const merge = await call('POST', `/api/v1/complaints/${duplicate.id}/merge`, { intoId: kept.id }, officer.token);
      assert.equal(merge.status, 200, merge.text);
      const question = 'Mohon kirim foto lubang di depan rumah Bapak di Jl. Mawar 7 RT 02.';
      const hold = await call('POST', `/api/v1/complaints/${kept.id}/hold`, { reason: question }, officer.token);
      assert.equal(hold.status, 200, hold.text);

      assert.ok((await (await app.request(`/lacak/${kept.trackingCode}`)).text()).includes('Jl. Mawar 7'), 'the kept case\'s own reporter sees the question');
      const html = await (await app.request(`/lacak/${duplicate.trackingCode}`)).text();
      assert.equal(html.includes('Jl. Mawar 7'), false, 'the other reporter does not');
    });

    test('typed phone number cannot hijack another reporter', async () => {
      const victim = await call('POST', '/api/v1/complaints', {
        type: 'pengaduan', description: 'Laporan pertama tentang jalan berlubang.', reporter: { name: 'Warga Pertama', phone: '0812-3456-7890' },
      });
      const attacker = await call('POST', '/api/v1/complaints', {
        type: 'pengaduan', description: 'Laporan kedua memakai nomor yang sama.', reporter: { name: 'Orang Lain', phone: '+62 812 3456 7890', email: 'penyusup@contoh.id' },
      });
      const ids = [];
      for (const code of [victim.json.trackingCode, attacker.json.trackingCode]) {
        ids.push((await call('GET', `/api/v1/complaints?q=${code}`, undefined, officer.token)).json.items[0].id);
      }
      const first = await call('GET', `/api/v1/complaints/${ids[0]}/reporter`, undefined, officer.token);
      assert.equal(first.json.name, 'Warga Pertama');
      assert.deepEqual(first.json.contacts.map((c: { value: string }) => c.value), ['+6281234567890']);
      const second = await call('GET', `/api/v1/complaints/${ids[1]}/reporter`, undefined, officer.token);
      assert.equal(second.json.name, 'Orang Lain');
    });

    test('hostile input gets clear errors, never a 500', async () => {
      const nul = await call('POST', '/api/v1/complaints', { type: 'pengaduan', description: 'Jalan\u0000 rusak di dekat pasar.', reporter: { name: 'A\u0000B' } });
      assert.equal(nul.status, 201, nul.text);
      const search = await call('GET', '/api/v1/complaints?q=%00', undefined, officer.token);
      assert.equal(search.status, 200);
      const rolledOver = await call('POST', '/api/v1/complaints', {
        type: 'pengaduan', description: 'Laporan loket dengan tanggal salah.', receivedAt: '2026-02-30T10:00:00+07:00', channel: 'walk_in',
      }, officer.token);
      assert.equal(rolledOver.status, 400);
      assert.equal(rolledOver.json.error.field, 'receivedAt');
      const ancient = await call('POST', '/api/v1/complaints', {
        type: 'pengaduan', description: 'Laporan loket dengan tahun salah ketik.', receivedAt: '1999-01-01T10:00:00+07:00', channel: 'walk_in',
      }, officer.token);
      assert.equal(ancient.status, 400);
      assert.match(ancient.json.error.message, /aduan import/);
      const agencyWalkIn = await call('POST', '/api/v1/complaints', {
        type: 'pengaduan', description: 'Petugas OPD mencoba mencatat laporan loket.', channel: 'walk_in',
      }, dpupr.token);
      assert.equal(agencyWalkIn.status, 403);
      assert.match(agencyWalkIn.json.error.message, /Peran Anda/);
      const otherAgency = await call('GET', '/api/v1/indicators?from=2026-01-01&to=2026-12-31&agency=dlh', undefined, dpupr.token);
      assert.equal(otherAgency.status, 403);
      const farFuture = await call('GET', '/api/v1/calendar/working-days?from=9999-12-31&add=3');
      assert.equal(farFuture.status, 400);
      const exponent = await call('GET', '/api/v1/complaints/1e1', undefined, officer.token);
      assert.equal(exponent.status, 400);
      const huge = await app.request('/api/v1/complaints', {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'pengaduan', description: 'x'.repeat(2_000_000) }),
      });
      assert.equal(huge.status, 413);
      assert.equal((await huge.json()).error.code, 'too_large');
      const wrongEnum = await call('POST', '/api/v1/complaints', { type: 'keluhan', description: 'Deskripsi yang cukup panjang.' });
      assert.match(wrongEnum.json.error.message, /type harus salah satu dari: pengaduan, aspirasi, permintaan_informasi/);
    });

    test('wrong type is not called missing', async () => {
      const status = await call('GET', '/api/v1/complaints?status=bogus', undefined, officer.token);
      assert.equal(status.status, 400);
      assert.match(status.json.error.message, /^status harus salah satu dari: new, /);
      const number = await call('POST', '/api/v1/complaints', { type: 'pengaduan', description: 12345678901 });
      assert.equal(number.status, 400);
      assert.equal(number.json.error.field, 'description');
      assert.match(number.json.error.message, /description harus berjenis string/);
      const missing = await call('POST', '/api/v1/complaints', { type: 'pengaduan' });
      assert.match(missing.json.error.message, /description wajib diisi/);
      const nested = await call('POST', '/api/v1/complaints', { type: 'pengaduan', description: 'Jalan rusak di dekat pasar.', reporter: { name: 12 } });
      assert.match(nested.json.error.message, /reporter\.name harus berjenis string/);
      const text = await app.request('/api/v1/complaints', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'Jalan rusak di dekat pasar.' });
      assert.ok([400, 415].includes(text.status), `text/plain answered ${text.status}`);
      assert.match((await text.json()).error.message, /Content-Type: application\/json/);
      for (const body of [[], null]) {
        const notObject = await call('POST', '/api/v1/complaints', body);
        assert.equal(notObject.status, 400);
        assert.match(notObject.json.error.message, /body harus berjenis object/, JSON.stringify(body));
      }
    });

    test('session cookie alone cannot change data through the API', async () => {
      const { id } = await file('Trotoar rusak di depan kantor pos.');
      const { createSession } = await import('../../src/commands/users.ts');
      const session = await createSession(database.db, officer.user.id);
      const cookie = { cookie: `aduan_session=${session.token}` };
      const withoutToken = await app.request(`/api/v1/complaints/${id}/notes`, jsonRequest('POST', { body: 'Catatan dari sesi.' }, undefined, cookie));
      assert.equal(withoutToken.status, 403);
      assert.match((await withoutToken.json()).error.message, /X-CSRF-Token/, 'the message names the missing header');
      const withToken = await app.request(`/api/v1/complaints/${id}/notes`, jsonRequest('POST', { body: 'Catatan dari sesi.' }, undefined, { ...cookie, 'x-csrf-token': session.csrfToken }));
      assert.equal(withToken.status, 200);
      const read = await app.request(`/api/v1/complaints/${id}`, jsonRequest('GET', undefined, undefined, cookie));
      assert.equal(read.status, 200);
    });

    test('name typed into the text is hidden publicly', async () => {
      const filed = await call('POST', '/api/v1/complaints', {
        type: 'pengaduan',
        description: 'Saya Wulandari Kusumaningtyas, rumah saya dekat pasar. Wulandari minta jalan diperbaiki.',
        reporter: { name: 'Wulandari Kusumaningtyas' },
      });
      const tracked = await call('GET', `/api/v1/track/${filed.json.trackingCode}`);
      assert.equal(tracked.text.includes('Wulandari'), false);
      assert.equal(tracked.text.includes('Kusumaningtyas'), false);
      assert.match(tracked.json.description, /nama disamarkan/);
    });

    test('third-party name is hidden publicly', async () => {
      const filed = await call('POST', '/api/v1/complaints', {
        type: 'pengaduan',
        description: 'Pohon di pekarangan Pak Sutrisno Hadiwijoyo tumbang menutup jalan desa.',
      });
      const tracked = await call('GET', `/api/v1/track/${filed.json.trackingCode}`);
      assert.equal(tracked.text.includes('Sutrisno'), false);
      assert.match(tracked.json.description, /Pak \[nama disamarkan\] tumbang/);
      const english = await call('GET', `/api/v1/track/${filed.json.trackingCode}`, undefined, undefined, { 'Accept-Language': 'en' });
      assert.match(english.json.description, /Pak \[name hidden\] tumbang/, 'an English client reads the mask in English');
    });

    test('unknown tracking code is 404', async () => {
      const response = await call('GET', '/api/v1/track/ADU-0000-0000-00');
      assert.equal(response.status, 404);
      assert.equal(response.json.error.code, 'not_found');
    });

    test('agency officer cannot reach another agency\'s report by list, detail, search or action', async () => {
      const { id, trackingCode } = await file('Tumpukan sampah liar di bantaran sungai Jaten.');
      await call('POST', `/api/v1/complaints/${id}/verify`, { type: 'pengaduan', categoryCode: 'sampah-lingkungan', districtCode: '33.13.10' }, officer.token);
      await call('POST', `/api/v1/complaints/${id}/dispatch`, { agencyCode: 'dlh' }, officer.token);

      const dlhList = await call('GET', '/api/v1/complaints?q=sampah', undefined, dlh.token);
      assert.ok(dlhList.json.items.some((row: { id: number }) => row.id === id));

      const list = await call('GET', '/api/v1/complaints?pageSize=100', undefined, dpupr.token);
      assert.equal(list.json.items.some((row: { id: number }) => row.id === id), false);
      const search = await call('GET', '/api/v1/complaints?q=sampah', undefined, dpupr.token);
      assert.equal(search.json.items.some((row: { id: number }) => row.id === id), false);
      const byCode = await call('GET', `/api/v1/complaints?q=${trackingCode}`, undefined, dpupr.token);
      assert.equal(byCode.json.total, 0);
      const filtered = await call('GET', '/api/v1/complaints?agency=dlh', undefined, dpupr.token);
      assert.equal(filtered.json.total, 0);
      const detail = await call('GET', `/api/v1/complaints/${id}`, undefined, dpupr.token);
      assert.equal(detail.status, 404);
      const action = await call('POST', `/api/v1/complaints/${id}/follow-ups`, { body: 'Mencoba menindaklanjuti.' }, dpupr.token);
      assert.equal(action.status, 404);
      const identity = await call('GET', `/api/v1/complaints/${id}/reporter`, undefined, dpupr.token);
      assert.equal(identity.status, 404);
      const events = await database.db.selectFrom('complaint_events').select('type').where('complaint_id', '=', id).execute();
      assert.equal(events.some((e) => e.type === 'followed_up'), false);
    });

    test('leader reads but cannot act', async () => {
      const { id } = await file('Usulan penambahan jam layanan puskesmas.', { type: 'aspirasi' });
      assert.equal((await call('GET', `/api/v1/complaints/${id}`, undefined, leader.token)).status, 200);
      const action = await call('POST', `/api/v1/complaints/${id}/verify`, { type: 'aspirasi', categoryCode: 'kesehatan', districtCode: '33.13.09' }, leader.token);
      assert.equal(action.status, 403);
      assert.equal(action.json.error.code, 'forbidden');
      assert.equal((await call('POST', `/api/v1/complaints/${id}/notes`, { body: 'Mohon diprioritaskan.' }, leader.token)).status, 200);
    });

    test('the inbox excerpt is masked for those who may not see identities', async () => {
      const description = `Jalan depan rumah berlubang. Hubungi saya 0812 0000 0971, email pelapor.uji@contoh.id.\nHormat saya, ${REPORTER.name}`;
      const filed = await file(description);
      const list = (token: string) => call('GET', `/api/v1/complaints?q=${encodeURIComponent(filed.trackingCode)}`, undefined, token);
      const full = (await list(officer.token)).json.items[0].excerpt as string;
      assert.ok(full.includes('0812 0000 0971'), 'the complaint officer sees the text as written');
      const masked = (await list(leader.token)).json.items[0].excerpt as string;
      for (const secret of ['0812 0000 0971', 'pelapor.uji@contoh.id', REPORTER.name]) assert.equal(masked.includes(secret), false, `the leader's list hides "${secret}"`);
      assert.ok(masked.includes('Jalan depan rumah berlubang'), 'the rest of the excerpt stays');
    });

    test('reports of abuse of office stay with the Inspektorat, not the leaders', async () => {
      const pungli = await file('Oknum petugas kelurahan meminta uang untuk surat pengantar.', { categoryCode: 'pelanggaran-pungli' });
      assert.equal((await call('GET', `/api/v1/complaints/${pungli.id}`, undefined, officer.token)).status, 200, 'the complaint officer verifies it');
      assert.equal((await call('GET', `/api/v1/complaints/${pungli.id}`, undefined, leader.token)).status, 404);
      const search = await call('GET', `/api/v1/complaints?q=${encodeURIComponent(pungli.trackingCode)}`, undefined, leader.token);
      assert.equal(search.status, 200);
      assert.equal(search.json.items.length, 0, 'not in the leader\'s list or search');
      const notes = await call('POST', `/api/v1/complaints/${pungli.id}/notes`, { body: 'Mohon ditindak.' }, leader.token);
      assert.equal(notes.status, 404);
    });

    test('illegal transition is a clear 409', async () => {
      const { id } = await file('Bantuan sosial belum cair tiga bulan.');
      const response = await call('POST', `/api/v1/complaints/${id}/resolve`, { body: 'Sudah selesai.' }, officer.token);
      assert.equal(response.status, 409);
      assert.equal(response.json.error.code, 'invalid_transition');
      assert.match(response.json.error.message, /tidak dapat dilakukan/);
    });

    test('inbox filters by status, channel, district and overdue', async () => {
      const { id } = await file('Parkir liar di depan pasar Jungke.', { districtCode: '33.13.09' });
      const byDistrict = await call('GET', '/api/v1/complaints?district=33.13.09&status=new&channel=api', undefined, officer.token);
      assert.ok(byDistrict.json.items.some((row: { id: number }) => row.id === id));
      const otherDistrict = await call('GET', '/api/v1/complaints?district=33.13.01', undefined, officer.token);
      assert.equal(otherDistrict.json.items.some((row: { id: number }) => row.id === id), false);
      const overdue = await call('GET', '/api/v1/complaints?overdue=true', undefined, officer.token);
      assert.equal(overdue.json.items.some((row: { id: number }) => row.id === id), false);
      const badStatus = await call('GET', '/api/v1/complaints?status=selesai', undefined, officer.token);
      assert.equal(badStatus.status, 400);
    });
  });
}
