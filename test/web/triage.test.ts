/**
 * Triage in the back office through `app.request()` on PGlite: suggestions
 * and duplicates on the case page for complaint officers only, accepting
 * suggestions into the verify form, the low-priority queue's bulk sweep,
 * merging on an officer's click, and the model page.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Hono } from 'hono';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { makeStaff, type TestStaff } from '../support/staff.ts';
import { loadConfig } from '../../src/config.ts';
import { createApp } from '../../src/web/app.ts';
import type { AppEnv } from '../../src/web/context.ts';
import { receiveComplaint } from '../../src/commands/receive-complaint.ts';
import { verifyComplaint } from '../../src/commands/verify-complaint.ts';
import { dispatchComplaint } from '../../src/commands/dispatch-complaint.ts';
import { runTriageScoring } from '../../src/jobs/triage.ts';
import { accuracyByVersion, listModelVersions } from '../../src/queries/triage.ts';
import type { Channel } from '../../src/domain/types.ts';

const ORIGIN = 'http://localhost';
const STAFF_PASSWORD = 'kata-sandi-uji-123';
const BOLONG = { districtCode: '33.13.09', villageCode: '33.13.09.1002' };

// Made-up messages; the phone number is the scrubbed-data placeholder.
const LAMP = 'Lampu penerangan jalan di depan pasar Karangpandan mati sejak seminggu, gelap sekali. Hubungi saya di 081200000000.';
const NOISE = ['Selamat pagi min, semangat terus kerjanya ya', 'Promo pinjaman online cair cepat tanpa jaminan, cek link di bio',
  'Mantap sekali pemandangannya, jadi pengen liburan ke sana'];

function csrfTokenOf(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  assert.ok(match, 'page has a CSRF field');
  return match[1];
}

/** Returns the markup of the select with this id. */
function selectMarkup(html: string, id: string): string {
  const match = new RegExp(`<select[^>]*id="${id}"[^>]*>([\\s\\S]*?)</select>`).exec(html);
  assert.ok(match, `select #${id} is on the page`);
  return match[1];
}

function selectedValue(html: string, id: string): string | undefined {
  return /<option value="([^"]*)" selected=""/.exec(selectMarkup(html, id))?.[1];
}

describe('triage pages', () => {
  let database: TestDatabase;
  let app: Hono<AppEnv>;
  let officer: TestStaff;
  let admin: TestStaff;
  let dpupr: TestStaff;
  let dlh: TestStaff;

  before(async () => {
    database = await createTestDatabase('pglite');
    app = createApp({ db: database.db, config: loadConfig({ DATA_DIR: 'memory://', PUBLIC_URL: ORIGIN, JOBS: 'off' }) });
    officer = await makeStaff(database.db, 'complaint_officer');
    admin = await makeStaff(database.db, 'admin');
    dpupr = await makeStaff(database.db, 'agency_officer', 'dpupr');
    dlh = await makeStaff(database.db, 'agency_officer', 'dlh');
    await runTriageScoring(database.db);
  });
  after(async () => database?.dispose());

  async function signIn(email: string): Promise<string> {
    const response = await app.request('/staff/login', {
      method: 'POST',
      body: new URLSearchParams({ email, password: STAFF_PASSWORD, next: '/staff' }),
      headers: { Origin: ORIGIN, 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(response.status, 303, `sign-in of ${email} redirects`);
    const match = /aduan_session=([^;]+)/.exec(response.headers.get('set-cookie') ?? '');
    assert.ok(match, 'sign-in sets the session cookie');
    return `aduan_session=${match[1]}`;
  }

  async function get(cookie: string, path: string) {
    const response = await app.request(path, { headers: { Cookie: cookie } });
    return { status: response.status, html: await response.text(), location: response.headers.get('location') };
  }

  async function post(cookie: string, path: string, fields: [string, string][]) {
    const response = await app.request(path, {
      method: 'POST',
      body: new URLSearchParams(fields),
      headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    return { status: response.status, html: await response.text(), location: response.headers.get('location') };
  }

  async function receive(description: string, channel: Channel, place: { districtCode?: string; villageCode?: string } = {}) {
    const { complaint } = await receiveComplaint({ db: database.db, actor: { kind: 'citizen' } }, { description, channel, ...place });
    return complaint;
  }

  async function activeVersions() {
    return new Map((await listModelVersions(database.db)).filter((row) => row.active).map((row) => [row.kind, row.version]));
  }

  test('officer sees suggestions and the personal data marker', async () => {
    const complaint = await receive(LAMP, 'web');
    await runTriageScoring(database.db);
    const cookie = await signIn(officer.email);
    const page = await get(cookie, `/staff/complaints/${complaint.id}`);
    assert.equal(page.status, 200);
    const versions = await activeVersions();
    for (const kind of ['type', 'category', 'agency'] as const) {
      assert.ok(page.html.includes(`data-suggestion-kind="${kind}" data-model-version="${versions.get(kind)}"`), `${kind} suggestion with its version`);
    }
    assert.ok(page.html.includes('data-suggestion-value="penerangan-jalan"'), 'street lights suggested');
    assert.ok(page.html.includes('Penerangan jalan umum'), 'category shown by name');
    assert.ok(page.html.includes('>lampu</span>'), 'the deciding word is shown');
    assert.ok(page.html.includes('data-personal-data="phone"'), 'the marker names the phone number');
    assert.ok(page.html.includes('Teks laporan memuat data pribadi: nomor telepon.'));
    assert.ok(page.html.includes('triage_category=penerangan-jalan'), 'one-click link for the category');
  });

  test('accepting suggestions fills the verify form', async () => {
    const complaint = await receive(LAMP.replace('Karangpandan', 'Matesih'), 'whatsapp');
    const cookie = await signIn(officer.email);
    // The job has not run: the case page triages the report itself.
    const first = await get(cookie, `/staff/complaints/${complaint.id}`);
    const accept = /<a class="button button--secondary" href="([^"]+)">Pakai semua saran teratas<\/a>/.exec(first.html);
    assert.ok(accept, 'the accept-all link is shown');
    const href = accept[1].replace(/&amp;/g, '&');
    assert.match(href, /triage_type=pengaduan/);

    const filled = await get(cookie, href.split('#')[0]);
    assert.equal(filled.status, 200);
    assert.ok(filled.html.includes('Formulir verifikasi di bawah sudah diisi dari saran.'));
    assert.equal(selectedValue(filled.html, 'verify-type'), 'pengaduan');
    assert.equal(selectedValue(filled.html, 'verify-categoryCode'), 'penerangan-jalan');
    assert.equal(selectedValue(filled.html, 'verify-agencyCode'), 'dishub');
    const stored = await database.db.selectFrom('complaints').select(['status', 'type']).where('id', '=', complaint.id).executeTakeFirstOrThrow();
    assert.deepEqual(stored, { status: 'new', type: null }, 'filling the form saves nothing');

    // A value that is no category is ignored instead of reaching the form.
    const forged = await get(cookie, `/staff/complaints/${complaint.id}?triage_category=tidak-ada`);
    assert.notEqual(selectedValue(forged.html, 'verify-categoryCode'), 'tidak-ada');

    const saved = await post(cookie, `/staff/complaints/${complaint.id}/verify`, [
      ['_csrf', csrfTokenOf(filled.html)], ['type', 'pengaduan'], ['categoryCode', 'penerangan-jalan'], ['agencyCode', 'dishub'],
      ['districtCode', '33.13.08'], ['villageCode', ''], ['complexity', ''], ['privacy', 'anonymous'], ['note', ''],
    ]);
    assert.equal(saved.status, 303);
    const categoryVersion = (await activeVersions()).get('category');
    const category = (await accuracyByVersion(database.db)).find((row) => row.kind === 'category' && row.modelVersion === categoryVersion);
    assert.ok(category, 'the active category version has an accuracy row');
    assert.ok(category.decided >= 1, 'the verified report counts as decided');
    assert.ok(category.matched >= 1, 'the accepted suggestion counts as matched');
  });

  test('agency officers never see suggestions', async () => {
    const complaint = await receive(LAMP.replace('Karangpandan', 'Kerjo'), 'web');
    await runTriageScoring(database.db);
    await verifyComplaint({ db: database.db, actor: officer.actor }, complaint.id, { type: 'pengaduan', categoryCode: 'jalan-jembatan', districtCode: '33.13.08' });
    await dispatchComplaint({ db: database.db, actor: officer.actor }, complaint.id, { agencyCode: 'dpupr' });

    const own = await get(await signIn(dpupr.email), `/staff/complaints/${complaint.id}`);
    assert.equal(own.status, 200);
    assert.equal(own.html.includes('data-suggestion-kind'), false, 'no suggestions for the handling agency');
    assert.equal(own.html.includes('Saran klasifikasi'), false);
    assert.equal(own.html.includes('Kemungkinan laporan ganda'), false, 'no duplicate proposals');
    assert.ok(own.html.includes('data-personal-data="phone"'), 'the personal data marker is shown');

    const other = await get(await signIn(dlh.email), `/staff/complaints/${complaint.id}`);
    assert.equal(other.status, 404, 'another agency cannot open the case');
    assert.equal(other.html.includes('data-suggestion-kind'), false);

    const officerPage = await get(await signIn(officer.email), `/staff/complaints/${complaint.id}`);
    assert.ok(officerPage.html.includes('data-suggestion-kind="category"'), 'the complaint officer still sees them');
    assert.equal(officerPage.html.includes('triage_category='), false, 'no one-click links once the report is past verification');
  });

  test('queue sweep changes only the ticked messages', async () => {
    const noise = [];
    for (const text of NOISE) noise.push(await receive(text, 'instagram'));
    await runTriageScoring(database.db);
    const cookie = await signIn(officer.email);
    const queue = await get(cookie, '/staff/triage');
    assert.equal(queue.status, 200);
    for (const complaint of noise) assert.ok(queue.html.includes(`data-queue-id="${complaint.id}"`), `message ${complaint.id} listed`);

    const empty = await post(cookie, '/staff/triage/sweep', [['_csrf', csrfTokenOf(queue.html)], ['action', 'archive_not_report']]);
    assert.equal(empty.status, 400);
    assert.ok(empty.html.includes('Centang paling sedikit satu pesan.'));

    const swept = await post(cookie, '/staff/triage/sweep', [
      ['_csrf', csrfTokenOf(queue.html)], ['complaintId', String(noise[0].id)], ['complaintId', String(noise[1].id)], ['action', 'archive_spam'],
    ]);
    assert.equal(swept.status, 303);
    assert.equal(swept.location, '/staff/triage?done=archive_spam&count=2&skipped=0');
    const after = await get(cookie, swept.location!);
    assert.ok(after.html.includes('2 pesan diarsipkan sebagai spam.'));
    assert.equal(after.html.includes(`data-queue-id="${noise[0].id}"`), false);
    assert.ok(after.html.includes(`data-queue-id="${noise[2].id}"`), 'the unticked message is still waiting');

    const rows = await database.db.selectFrom('complaints').select(['id', 'status']).where('id', 'in', noise.map((c) => c.id)).orderBy('id').execute();
    assert.deepEqual(rows.map((row) => row.status), ['archived', 'archived', 'new']);

    // The inbox leaves the waiting messages out and shows how many wait in the queue.
    const waiting = await database.db.selectFrom('complaint_triage as t').innerJoin('complaints as c', 'c.id', 't.complaint_id')
      .select('c.id').where('t.queue', '=', 'low_priority').where('c.status', '=', 'new').execute();
    const inbox = await get(cookie, '/staff');
    assert.ok(waiting.length >= 1);
    assert.ok(inbox.html.includes(`data-low-priority="${waiting.length}"`), 'the inbox counts the waiting messages');
    assert.ok(inbox.html.includes(`${waiting.length} laporan baru menunggu di antrean prioritas rendah`));
    assert.equal(inbox.html.includes(`/staff/complaints/${noise[2].id}"`), false, 'the waiting message is not listed');

    const agencyCookie = await signIn(dpupr.email);
    assert.equal((await get(agencyCookie, '/staff/triage')).status, 403);
    const agencyPage = await get(agencyCookie, '/staff');
    assert.equal(agencyPage.html.includes('data-low-priority'), false, 'agency officers do not work the queue');
    const refused = await post(agencyCookie, '/staff/triage/sweep', [
      ['_csrf', csrfTokenOf(agencyPage.html)], ['complaintId', String(noise[2].id)], ['action', 'archive_spam'],
    ]);
    assert.equal(refused.status, 403);
  });

  test('restore from the case page', async () => {
    const complaint = await receive('Selamat siang admin, salam kenal dari warga baru', 'facebook');
    await runTriageScoring(database.db);
    const cookie = await signIn(officer.email);
    const page = await get(cookie, `/staff/complaints/${complaint.id}`);
    assert.ok(page.html.includes('Pesan ini ada di antrean prioritas rendah'), 'the case says where it waits');
    const restored = await post(cookie, '/staff/triage/sweep', [
      ['_csrf', csrfTokenOf(page.html)], ['complaintId', String(complaint.id)], ['returnTo', String(complaint.id)], ['action', 'restore'],
    ]);
    assert.equal(restored.status, 303);
    assert.equal(restored.location, `/staff/complaints/${complaint.id}?triage_done=restored`);
    const after = await get(cookie, restored.location!);
    assert.ok(after.html.includes('Pesan dikembalikan ke kotak masuk.'));
    assert.ok(after.html.includes('Dikembalikan dari antrean prioritas rendah'), 'the timeline shows the event');
    const queue = await database.db.selectFrom('complaint_triage').select('queue').where('complaint_id', '=', complaint.id).executeTakeFirstOrThrow();
    assert.equal(queue.queue, 'normal');
  });

  test('duplicates merge only on the officer\'s click', async () => {
    const older = await receive('Lampu PJU depan SD Bolong mati semua, jalannya gelap sekali kalau malam.', 'whatsapp', BOLONG);
    const newer = await receive('Lampu penerangan jalan depan SD Bolong mati sudah seminggu, gelap dan rawan.', 'web', BOLONG);
    const cookie = await signIn(officer.email);
    const page = await get(cookie, `/staff/complaints/${newer.id}`);
    assert.ok(page.html.includes(`data-duplicate-id="${older.id}"`), 'the WhatsApp report is proposed');
    assert.ok(page.html.includes('Kata yang sama: lampu'), 'the shared words are shown');
    assert.ok(page.html.includes('Lokasi: desa/kelurahan yang sama (Bolong)'));
    assert.ok(page.html.includes('Waktu: selisih 0 hari'));
    let rows = await database.db.selectFrom('complaints').select('merged_into_id').where('id', 'in', [older.id, newer.id]).execute();
    assert.ok(rows.every((row) => row.merged_into_id === null), 'opening the page merges nothing');

    const merged = await post(cookie, '/staff/triage/merge', [
      ['_csrf', csrfTokenOf(page.html)], ['duplicateId', String(newer.id)], ['intoId', String(older.id)], ['returnTo', String(newer.id)],
    ]);
    assert.equal(merged.status, 303);
    assert.equal(merged.location, `/staff/complaints/${older.id}?done=merge`);
    rows = await database.db.selectFrom('complaints').select(['id', 'merged_into_id', 'status']).where('id', '=', newer.id).execute();
    assert.deepEqual(rows[0], { id: newer.id, merged_into_id: older.id, status: 'archived' });

    const again = await post(cookie, '/staff/triage/merge', [
      ['_csrf', csrfTokenOf(page.html)], ['duplicateId', String(newer.id)], ['intoId', String(older.id)], ['returnTo', String(newer.id)],
    ]);
    assert.equal(again.status, 303);
    assert.match(again.location ?? '', /triage_error=error\.invalid_transition&triage_status=archived#triage-duplicates$/);
    const shown = await get(cookie, again.location!.split('#')[0]);
    assert.ok(shown.html.includes('Tindakan ini tidak dapat dilakukan pada laporan berstatus Arsip.'), 'the error names the status');
  });

  test('dismissed duplicate leaves the page', async () => {
    const first = await receive('Air PDAM di perumahan Bolong Indah mati sejak tiga hari, mohon segera diperbaiki.', 'web', BOLONG);
    const second = await receive('Air PDAM mati tiga hari di perumahan Bolong Indah, warga kesulitan air.', 'telegram', BOLONG);
    const cookie = await signIn(officer.email);
    const page = await get(cookie, `/staff/complaints/${second.id}`);
    assert.ok(page.html.includes(`data-duplicate-id="${first.id}"`));
    const dismissed = await post(cookie, '/staff/triage/dismiss', [
      ['_csrf', csrfTokenOf(page.html)], ['complaintId', String(second.id)], ['otherId', String(first.id)],
    ]);
    assert.equal(dismissed.status, 303);
    const after = await get(cookie, dismissed.location!.split('#')[0]);
    assert.ok(after.html.includes('Usulan laporan ganda ditolak'));
    assert.equal(after.html.includes(`data-duplicate-id="${first.id}"`), false);
  });

  test('model page lists versions and accuracy', async () => {
    const officerCookie = await signIn(officer.email);
    const page = await get(officerCookie, '/staff/triage/models');
    assert.equal(page.status, 200);
    for (const version of (await activeVersions()).values()) assert.ok(page.html.includes(`data-version="${version}"`), `version ${version} listed`);
    assert.match(page.html, /\d+% \(\d+ dari \d+ saran teratas sesuai keputusan petugas\)/, 'accuracy in use is shown');
    assert.ok(page.html.includes('Data contoh bawaan'));
    assert.equal(page.html.includes('action="/staff/triage/settings"'), false, 'officers see the settings but cannot change them');
    assert.equal((await post(officerCookie, '/staff/triage/models/retrain', [['_csrf', csrfTokenOf(page.html)]])).status, 403);

    const adminCookie = await signIn(admin.email);
    const adminPage = await get(adminCookie, '/staff/triage/models');
    const token = csrfTokenOf(adminPage.html);
    const invalid = await post(adminCookie, '/staff/triage/settings', [
      ['_csrf', token], ['relevanceThreshold', '1,5'], ['duplicateWindowDays', '30'], ['minTrainingSize', '100'],
    ]);
    assert.equal(invalid.status, 400);
    assert.ok(invalid.html.includes('Ambang harus angka 0 sampai 1, misalnya 0,4.'));
    assert.ok(invalid.html.includes('value="1,5"'), 'the typed value is kept');
    const saved = await post(adminCookie, '/staff/triage/settings', [
      ['_csrf', token], ['relevanceThreshold', '0,35'], ['duplicateWindowDays', '14'], ['minTrainingSize', '100'],
    ]);
    assert.equal(saved.status, 303);
    const settings = await database.db.selectFrom('triage_settings').selectAll().executeTakeFirstOrThrow();
    assert.equal(settings.relevance_threshold, 0.35);
    assert.equal(settings.duplicate_window_days, 14);

    const retrain = await post(adminCookie, '/staff/triage/models/retrain', [['_csrf', token]]);
    assert.equal(retrain.status, 303);
    const requested = await database.db.selectFrom('triage_settings').select('retrain_requested_at').executeTakeFirstOrThrow();
    assert.ok(requested.retrain_requested_at instanceof Date, 'the retrain request is stored for the job');
    const run = await runTriageScoring(database.db);
    assert.equal(run.retrained.length, 4, 'the job retrains every kind on request');
  });

  test('triage pages have no untranslated keys', async () => {
    const KEY_RE = /[>"](?:triage|error)\.[a-z_]+(?:\.[a-z_]+)*[<"]/;
    const cookie = await signIn(admin.email);
    const complaint = await receive(LAMP.replace('Karangpandan', 'Jenawi'), 'web');
    for (const lang of ['id', 'en']) {
      for (const path of ['/staff/triage', '/staff/triage/models', `/staff/complaints/${complaint.id}`]) {
        const { status, html } = await get(cookie, `${path}?lang=${lang}`);
        assert.equal(status, 200, `${path} in ${lang}`);
        assert.equal(KEY_RE.exec(html)?.[0], undefined, `${path} in ${lang} shows a raw message key`);
      }
    }
  });
});
