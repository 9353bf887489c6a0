/**
 * The reporting pages through `app.request()` on PGlite: dashboard scoping
 * for agency officers, chart assets, the public transparency page without
 * identity, the inbox CSV export within the inbox's scope, the action plan
 * forms, and monthly recaps requested and downloaded from the reports page.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Hono } from 'hono';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { makeStaff, type TestStaff } from '../support/staff.ts';
import { createSampleComplaints } from '../reports/sample-data.ts';
import { loadConfig } from '../../src/config.ts';
import { createApp } from '../../src/web/app.ts';
import type { AppEnv } from '../../src/web/context.ts';
import { receiveComplaint } from '../../src/commands/receive-complaint.ts';
import { verifyComplaint } from '../../src/commands/verify-complaint.ts';
import { dispatchComplaint } from '../../src/commands/dispatch-complaint.ts';
import { resolveComplaint } from '../../src/commands/resolve-complaint.ts';
import { seedActionPlan } from '../../src/commands/manage-action-plan.ts';
import { listComplaints } from '../../src/queries/complaints.ts';
import { computeIndicators } from '../../src/reports/indicators.ts';
import { defaultPeriod } from '../../src/reports/dashboard.ts';
import { startReportGeneration } from '../../src/reports/monthly-report.ts';
import { formatFigure } from '../../src/reports/report-labels.ts';

const ORIGIN = 'http://localhost';
const STAFF_PASSWORD = 'kata-sandi-uji-123';
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

// Made-up reporter details; none of them may appear on a public page or in an export.
const REPORTER = { name: 'Warga Uji Transparansi', phone: '081299990000', email: 'warga.uji@contoh.id' };
const PERSONAL_STRINGS = [REPORTER.name, REPORTER.phone, '+6281299990000', '81299990000', REPORTER.email];

function csrfTokenOf(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  assert.ok(match, 'page has a CSRF field');
  return match[1];
}

/** Agency codes of the league table's rows, in order. */
function leagueAgencies(html: string): string[] {
  const table = /<table class="table report-table" data-league[^>]*>([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '';
  return [...table.matchAll(/data-agency="([^"]+)"/g)].map((match) => match[1]);
}

describe('reporting pages', () => {
  let database: TestDatabase;
  let app: Hono<AppEnv>;
  let officer: TestStaff;
  let leader: TestStaff;
  let admin: TestStaff;
  let dpupr: TestStaff;
  let diskominfo: TestStaff;
  const agencies: Record<string, TestStaff> = {};

  before(async () => {
    database = await createTestDatabase('pglite');
    app = createApp({ db: database.db, config: loadConfig({ DATA_DIR: 'memory://', PUBLIC_URL: ORIGIN, JOBS: 'off' }) });
    officer = await makeStaff(database.db, 'complaint_officer');
    leader = await makeStaff(database.db, 'leader');
    admin = await makeStaff(database.db, 'admin');
    diskominfo = await makeStaff(database.db, 'agency_officer', 'diskominfo');
    for (const code of ['dpupr', 'dlh', 'disdukcapil', 'pdam', 'dinkes']) agencies[code] = await makeStaff(database.db, 'agency_officer', code);
    dpupr = agencies.dpupr;
    await seedActionPlan(database.db, path.join(repoRoot, 'seed', 'action-plan-2026.json'));
    // Recent reports, inside the dashboard's default period.
    const { from } = defaultPeriod();
    await createSampleComplaints(database.db, {
      officer: officer.actor,
      agencies: Object.fromEntries(Object.entries(agencies).map(([code, staff]) => [code, staff.actor])),
    }, { count: 30, from: new Date(`${from}T00:00:00Z`), to: new Date(Date.now() - 3 * 24 * 3600_000), seed: 11 });
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

  async function get(cookie: string | null, url: string) {
    const response = await app.request(url, { headers: cookie ? { Cookie: cookie } : {} });
    return { status: response.status, response, text: await response.text() };
  }

  async function post(cookie: string, url: string, body: URLSearchParams | FormData) {
    const headers: Record<string, string> = { Cookie: cookie };
    if (body instanceof URLSearchParams) headers['Content-Type'] = 'application/x-www-form-urlencoded';
    return app.request(url, { method: 'POST', body, headers });
  }

  test('agency officer sees only own figures', async () => {
    const cookie = await signIn(dpupr.email);
    const page = await get(cookie, '/staff/dashboard?agency=dlh');
    assert.equal(page.status, 200);
    assert.match(page.text, /Dasbor kinerja: Dinas Pekerjaan Umum dan Penataan Ruang/);
    assert.deepEqual(leagueAgencies(page.text), ['dpupr'], 'the league table holds only the officer\'s agency');
    assert.doesNotMatch(page.text, /name="agency"/, 'no agency filter for agency officers');
    assert.doesNotMatch(page.text, /href="\/staff\?[^"]*agency=dlh/, 'no drill-down link leads to another agency');

    const { from, to } = defaultPeriod();
    const expected = (await computeIndicators(database.db, { from, to, agency: 'dpupr' })).rows[0].indicators;
    const received = /<span class="key-figure__value">([^<]+)<\/span>\s*<span class="key-figure__label"><abbr title="[^"]*">Laporan diterima<\/abbr>/.exec(page.text)?.[1];
    assert.equal(received, formatFigure(expected.received, 'count', 'id'));
  });

  test('leader sees every agency and drill-down links', async () => {
    const cookie = await signIn(leader.email);
    const page = await get(cookie, '/staff/dashboard');
    assert.equal(page.status, 200);
    const league = leagueAgencies(page.text);
    assert.ok(league.length >= 4, `league table lists the agencies, got ${league.join(', ')}`);
    for (const code of league) assert.match(page.text, new RegExp(`href="/staff\\?agency=${code}"`));
    assert.match(page.text, /href="\/staff\?district=33\.13\.09"/, 'kecamatan rows open the inbox');
    assert.match(page.text, /href="\/staff\?channel=whatsapp"/, 'channel columns open the inbox');
    assert.match(page.text, /href="\/staff\?category=jalan-jembatan"/, 'category rows open the inbox');

    // Every chart states its period and WIB; every indicator header carries its definition.
    const charts = [...page.text.matchAll(/<section class="chart"[\s\S]*?<p class="chart__note">([^<]*)<\/p>/g)].map((match) => match[1]);
    assert.ok(charts.length >= 6, `${charts.length} charts`);
    for (const note of charts) assert.match(note, /WIB/);
    assert.ok((page.text.match(/<abbr title="[^"]{20,}">/g) ?? []).length >= 10, 'indicator names have their definitions');
    assert.match(page.text, /data-chart="\{&quot;kind&quot;:&quot;map&quot;/, 'the map chart has its data');

    const filtered = await get(cookie, '/staff/dashboard?agency=dlh&from=2026-13-01');
    assert.equal(filtered.status, 200);
    assert.deepEqual(leagueAgencies(filtered.text), ['dlh']);
    assert.match(filtered.text, /format TTTT-BB-HH/, 'an invalid date is reported next to its field');
  });

  test('chart assets are served locally', async () => {
    const echarts = await app.request('/assets/charts/echarts.min.js');
    assert.equal(echarts.status, 200);
    assert.match(echarts.headers.get('content-type') ?? '', /javascript/);
    assert.match(await echarts.text(), /echarts/);
    const map = await app.request('/assets/charts/karanganyar-kecamatan.geojson');
    assert.equal(map.status, 200);
    const geojson = await map.json();
    assert.equal(geojson.features.length, 17);
    assert.equal((await app.request('/assets/charts/charts.js')).status, 200);
    assert.equal((await app.request('/assets/charts/reports.css')).status, 200);
    assert.equal((await app.request('/assets/charts/tidak-ada.js')).status, 404);
  });

  test('transparency page shows no identity', async () => {
    const db = database.db;
    const answer = `Saluran sudah dibersihkan. Bila masih tersumbat hubungi ${REPORTER.phone}.`;
    const resolveWith = async (privacy: 'anonymous' | 'confidential', text: string) => {
      const { complaint } = await receiveComplaint({ db, actor: { kind: 'citizen' } }, {
        type: 'pengaduan', description: text, channel: 'web', privacy, reporter: { name: REPORTER.name, phone: REPORTER.phone, email: REPORTER.email },
      });
      await verifyComplaint({ db, actor: officer.actor }, complaint.id, { type: 'pengaduan', categoryCode: 'drainase-irigasi', districtCode: '33.13.09' });
      await dispatchComplaint({ db, actor: officer.actor }, complaint.id, { agencyCode: 'dpupr' });
      await resolveComplaint({ db, actor: dpupr.actor }, complaint.id, { body: answer });
      return complaint;
    };
    // Names typed into free text cannot be recognised; phone numbers and e-mail addresses are masked.
    const open = await resolveWith('anonymous', `Saluran air di depan rumah saya tersumbat. Telepon ${REPORTER.phone}, e-mail ${REPORTER.email}.`);
    const secret = await resolveWith('confidential', 'Laporan rahasia tentang saluran yang tersumbat di gang sempit belakang pasar.');

    const page = await get(null, '/transparansi');
    assert.equal(page.status, 200);
    for (const value of PERSONAL_STRINGS) assert.equal(page.text.includes(value), false, `the page must not contain "${value}"`);
    assert.equal(page.text.includes(open.tracking_code), false, 'no tracking code');
    assert.equal(page.text.includes(secret.tracking_code), false);
    assert.doesNotMatch(page.text, /ADU-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2}/, 'no tracking code of any report');
    assert.equal(page.text.includes('Laporan rahasia tentang saluran'), false, 'confidential reports are not listed');
    assert.match(page.text, /Saluran air di depan rumah saya tersumbat/, 'the anonymous report is listed');
    assert.match(page.text, /Saluran sudah dibersihkan/, 'with the agency\'s answer');
    assert.match(page.text, /Tanggapan Dinas Pekerjaan Umum dan Penataan Ruang/);
    assert.match(page.text, /data-transparency-months/, 'monthly table without JavaScript');
    assert.match(page.text, /WIB/);
    assert.equal(page.response.headers.get('set-cookie'), null, 'no session is needed or made');

    const english = await get(null, '/transparansi?lang=en');
    assert.match(english.text, /<h3 class="heading-s">Drainage and irrigation · /, 'the English page names the category in English');
    assert.doesNotMatch(english.text, /disamarkan/, 'and writes the masks in English');
  });

  test('CSV export keeps the inbox scope', async () => {
    const cookie = await signIn(dpupr.email);
    const response = await app.request('/staff/reports/inbox.csv?agency=dlh', { headers: { Cookie: cookie } });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/csv/);
    const bytes = Buffer.from(await response.arrayBuffer());
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'starts with a UTF-8 byte-order mark');
    const text = bytes.subarray(3).toString('utf8');
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    assert.ok(rows.length > 0);
    const inbox = await listComplaints(database.db, dpupr.user, { pageSize: 100 });
    assert.deepEqual(rows.map((row) => row['Kode lacak']).sort(), inbox.rows.map((row) => row.trackingCode).sort(), 'same cases as the officer\'s inbox');
    assert.ok(rows.every((row) => row.OPD === 'Dinas Pekerjaan Umum dan Penataan Ruang'));
    for (const value of PERSONAL_STRINGS) assert.equal(text.includes(value), false, `the export must not contain "${value}"`);
    assert.match(rows[0]['Diterima (WIB)'], /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);

    const leaderCookie = await signIn(leader.email);
    const filtered = await app.request('/staff/reports/inbox.csv?agency=dlh&status=resolved', { headers: { Cookie: leaderCookie } });
    const dlhRows = parse(Buffer.from(await filtered.arrayBuffer()).subarray(3), { columns: true }) as Record<string, string>[];
    const expected = await listComplaints(database.db, leader.user, { agency: 'dlh', status: ['resolved'], pageSize: 100 });
    assert.equal(dlhRows.length, expected.total);
    assert.ok(dlhRows.every((row) => row.OPD === 'Dinas Lingkungan Hidup' && row.Status === 'Selesai'));

    const anonymous = await app.request('/staff/reports/inbox.csv');
    assert.equal(anonymous.status, 303, 'sign-in required');
  });

  test('action plan page per role', async () => {
    const leaderPage = await get(await signIn(leader.email), '/staff/action-plan?year=2026');
    assert.equal(leaderPage.status, 200);
    assert.match(leaderPage.text, /Rencana Aksi Pengelolaan Pengaduan Pelayanan Publik Kabupaten Karanganyar Tahun 2026/);
    assert.match(leaderPage.text, /data-status-rule[^>]*>[^<]*5 %/, 'the status rule is in the footnote');
    assert.doesNotMatch(leaderPage.text, /\/edit"/, 'leaders get no edit links');
    assert.equal((leaderPage.text.match(/data-month="/g) ?? []).length, 4 * 12, 'one grid cell per activity and month');

    const adminCookie = await signIn(admin.email);
    const adminPage = await get(adminCookie, '/staff/action-plan?year=2026');
    assert.match(adminPage.text, /\/staff\/action-plan\/indicators\/\d+\/edit/);

    const empty = await get(adminCookie, '/staff/action-plan?year=2025');
    assert.match(empty.text, /Belum ada rencana aksi/);
    const csrf = csrfTokenOf(empty.text);
    const rejected = await post(adminCookie, '/staff/action-plan', new URLSearchParams({ _csrf: csrf, year: '2025', title: ' ' }));
    assert.equal(rejected.status, 400);
    assert.match(await rejected.text(), /Isian ini wajib diisi/);
    const created = await post(adminCookie, '/staff/action-plan', new URLSearchParams({ _csrf: csrf, year: '2025', title: 'Rencana Aksi 2025' }));
    assert.equal(created.status, 303);
    assert.match(created.headers.get('location') ?? '', /year=2025&done=created/);

    const officerCookie = await signIn(dpupr.email);
    const forbidden = await post(officerCookie, '/staff/action-plan', new URLSearchParams({ _csrf: csrfTokenOf((await get(officerCookie, '/staff/action-plan')).text), year: '2024', title: 'X' }));
    assert.equal(forbidden.status, 403);
  });

  test('owner uploads evidence through the form', async () => {
    const indicator = await database.db
      .selectFrom('action_plan_indicators')
      .select('id')
      .where('unit', '=', 'day_of_month')
      .executeTakeFirstOrThrow();
    const cookie = await signIn(diskominfo.email);
    const formPage = await get(cookie, `/staff/action-plan/indicators/${indicator.id}/actual`);
    assert.equal(formPage.status, 200);
    const form = new FormData();
    form.append('_csrf', csrfTokenOf(formPage.text));
    form.append('month', '1');
    form.append('value', '5');
    form.append('evidenceUrl', '');
    form.append('note', 'Surat pengantar rekap Januari.');
    form.append('evidenceFile', new Blob([Buffer.from('%PDF-1.4\n% rekap\n')], { type: 'application/pdf' }), 'rekap januari.pdf');
    const saved = await post(cookie, `/staff/action-plan/indicators/${indicator.id}/actual`, form);
    assert.equal(saved.status, 303);
    const file = await database.db.selectFrom('action_plan_files').select(['id', 'file_name']).orderBy('id', 'desc').executeTakeFirstOrThrow();
    assert.equal(file.file_name, 'rekap januari.pdf');
    const download = await app.request(`/staff/action-plan/files/${file.id}`, { headers: { Cookie: await signIn(leader.email) } });
    assert.equal(download.status, 200);
    assert.match(download.headers.get('content-disposition') ?? '', /^attachment/);
    assert.equal((await download.text()).slice(0, 5), '%PDF-');

    const other = await signIn(dpupr.email);
    assert.equal((await get(other, `/staff/action-plan/indicators/${indicator.id}/actual`)).status, 403);
  });

  test('monthly recap requested and downloaded', async () => {
    const cookie = await signIn(leader.email);
    const page = await get(cookie, '/staff/reports');
    assert.equal(page.status, 200);
    const month = /<select class="select" id="month" name="month"[^>]*>[\s\S]*?<option value="(\d{4}-\d{2})" selected/.exec(page.text)?.[1];
    assert.ok(month, 'last month is preselected');
    const requested = await post(cookie, '/staff/reports/monthly', new URLSearchParams({ _csrf: csrfTokenOf(page.text), month, agency: '', format: 'xlsx' }));
    assert.equal(requested.status, 303);
    const id = /requested=(\d+)/.exec(requested.headers.get('location') ?? '')?.[1];
    assert.ok(id);
    await startReportGeneration(database.db);
    const list = await get(cookie, `/staff/reports?requested=${id}`);
    assert.match(list.text, /sudah siap/);
    const download = await app.request(`/staff/reports/monthly/${id}/download`, { headers: { Cookie: cookie } });
    assert.equal(download.status, 200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(await download.arrayBuffer()) as never);
    assert.equal(workbook.getWorksheet('Ringkasan')?.getCell('B2').value, 'Laporan diterima');

    const agencyCookie = await signIn(dpupr.email);
    assert.equal((await app.request(`/staff/reports/monthly/${id}/download`, { headers: { Cookie: agencyCookie } })).status, 404, 'the regency recap is not an agency officer\'s');

    const view = await get(cookie, `/staff/reports/monthly/view?month=${month}`);
    assert.equal(view.status, 200);
    assert.match(view.text, /data-report-month="\d{4}-\d{2}"/);
    assert.match(view.text, /<img class="report-chart" src="data:image\/svg\+xml;base64,/, 'charts are drawn on the server');
    assert.match(view.text, /WIB \(Asia\/Jakarta\)/);
    const invalid = await get(cookie, '/staff/reports/monthly/view?month=2026-13');
    assert.equal(invalid.status, 400);
  });
});
