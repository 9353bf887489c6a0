/**
 * The monthly recap: its XLSX read back with exceljs (sheets, headers, typed
 * cells, figures equal to the indicators), its PDF (skipped only without
 * Chromium), background generation and storage, the schedule, and the API.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { makeStaff, type TestStaff } from '../support/staff.ts';
import { jsonRequest, testApp } from '../support/app.ts';
import { createSampleComplaints } from './sample-data.ts';
import { seedActionPlan } from '../../src/commands/manage-action-plan.ts';
import { computeIndicators } from '../../src/reports/indicators.ts';
import {
  collectMonthlyReport, getReportContent, MonthlyReportError, parseReportMonth, previousMonth, processPendingReports,
  renderMonthlyReport, requestMonthlyReport, startReportGeneration,
} from '../../src/reports/monthly-report.ts';
import { buildMonthlyXlsx } from '../../src/reports/monthly-xlsx.ts';
import { ChromiumMissingError, chromiumAvailable, DEFAULT_CHROMIUM_PATH } from '../../src/reports/pdf.ts';
import { scheduleMonthlyReports } from '../../src/jobs/monthly-report.ts';
import { createReportApiRoutes } from '../../src/web/routes/api-reports.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MISSING_CHROMIUM = '/nonexistent/chromium';
const noChromium = chromiumAvailable(DEFAULT_CHROMIUM_PATH) ? false : `Chromium not found at ${DEFAULT_CHROMIUM_PATH}; install it with apt-get install -y chromium`;
/** An instant after the sample period, so every February deadline has been decided. */
const NOW = new Date('2026-04-02T03:00:00Z');

describe('report months', () => {
  test('month bounds', () => {
    assert.deepEqual(parseReportMonth('2026-02'), { month: '2026-02', year: 2026, monthNumber: 2, from: '2026-02-01', to: '2026-02-28' });
    assert.equal(parseReportMonth('2024-02').to, '2024-02-29');
    for (const bad of ['2026-13', '2026-2', '26-02', '2026-02-01', '']) {
      assert.throws(() => parseReportMonth(bad), (error: MonthlyReportError) => error.code === 'invalid_month', bad);
    }
  });

  test('previous WIB month', () => {
    // 1 March 2026 00:30 WIB is still 28 February in UTC.
    assert.equal(previousMonth(new Date('2026-02-28T17:30:00Z')), '2026-02');
    assert.equal(previousMonth(new Date('2026-01-10T00:00:00Z')), '2025-12');
  });
});

describe('monthly recap (pglite)', () => {
  let database: TestDatabase;
  let officer: TestStaff;
  let dpupr: TestStaff;
  let leader: TestStaff;

  before(async () => {
    database = await createTestDatabase('pglite');
    officer = await makeStaff(database.db, 'complaint_officer');
    leader = await makeStaff(database.db, 'leader');
    dpupr = await makeStaff(database.db, 'agency_officer', 'dpupr');
    const agencies: Record<string, TestStaff['actor']> = { dpupr: dpupr.actor };
    for (const code of ['dlh', 'disdukcapil', 'pdam', 'dinkes']) agencies[code] = (await makeStaff(database.db, 'agency_officer', code)).actor;
    await seedActionPlan(database.db, path.join(repoRoot, 'seed', 'action-plan-2026.json'), NOW);
    await createSampleComplaints(database.db, { officer: officer.actor, agencies }, {
      count: 40, from: new Date('2026-01-20T00:00:00Z'), to: new Date('2026-03-10T00:00:00Z'), seed: 7,
    });
  });
  after(async () => database?.dispose());

  test('XLSX sheets, headers and typed cells', async () => {
    const data = await collectMonthlyReport(database.db, { month: '2026-02' }, NOW);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await buildMonthlyXlsx(data, 'id') as never);
    assert.deepEqual(workbook.worksheets.map((sheet) => sheet.name), [
      'Keterangan', 'Ringkasan', 'Per kanal', 'Per OPD', 'Per kategori', 'Per kecamatan', 'Tunggakan', 'Rencana aksi', 'Kegiatan',
    ]);

    const info = workbook.getWorksheet('Keterangan')!;
    assert.equal(info.getCell('A4').value, 'Periode mulai');
    assert.ok(info.getCell('B4').value instanceof Date, 'period start is a date cell');
    assert.equal((info.getCell('B4').value as Date).toISOString(), '2026-02-01T00:00:00.000Z');
    assert.equal((info.getCell('B5').value as Date).toISOString(), '2026-02-28T00:00:00.000Z');
    assert.equal(info.getCell('A7').value, 'Dibuat (WIB)');
    // Generated 2 April 03:00 UTC is 10:00 WIB; Excel shows the WIB wall clock.
    assert.equal((info.getCell('B7').value as Date).toISOString(), '2026-04-02T10:00:00.000Z');
    // A small month is computed live, so its figures are as of the generation time.
    assert.equal(info.getCell('A8').value, 'Angka per (WIB)');
    assert.equal((info.getCell('B8').value as Date).toISOString(), '2026-04-02T10:00:00.000Z');
    assert.equal(info.getCell('B6').value, 'WIB (Asia/Jakarta, UTC+7)');

    const expected = (await computeIndicators(database.db, { from: '2026-02-01', to: '2026-02-28' }, NOW)).rows[0].indicators;
    const summary = workbook.getWorksheet('Ringkasan')!;
    assert.deepEqual((summary.getRow(1).values as unknown[]).slice(1), ['Kode', 'Indikator', 'Nilai', 'Satuan', 'Definisi']);
    const byCode = new Map<string, ExcelJS.Row>();
    summary.eachRow((row, number) => { if (number > 1) byCode.set(String(row.getCell(1).value), row); });
    assert.equal(byCode.get('received')!.getCell(3).value, expected.received);
    assert.equal(typeof byCode.get('received')!.getCell(3).value, 'number');
    assert.equal(byCode.get('resolved_share')!.getCell(3).value, expected.resolved_share);
    assert.equal(byCode.get('resolved_share')!.getCell(3).numFmt, '0.0%');
    assert.equal(byCode.get('median_response_days')!.getCell(3).value, expected.median_response_days);
    assert.equal(byCode.get('median_response_days')!.getCell(4).value, 'hari');

    const channels = workbook.getWorksheet('Per kanal')!;
    let channelTotal = 0;
    channels.eachRow((row, number) => { if (number > 1) channelTotal += row.getCell(3).value as number; });
    assert.equal(channelTotal, expected.received, 'channel rows add up to the total');

    const agencies = workbook.getWorksheet('Per OPD')!;
    assert.equal(agencies.getCell('C1').value, 'OPD');
    assert.equal(agencies.getCell('A2').value, 1, 'ranked');
    const districts = workbook.getWorksheet('Per kecamatan')!;
    assert.equal(districts.rowCount, 18, 'header and the 17 kecamatan');

    const plan = workbook.getWorksheet('Rencana aksi')!;
    const verified = plan.getRows(2, plan.rowCount - 1)!.find((row) => String(row.getCell(2).value).startsWith('Laporan diverifikasi'))!;
    assert.equal(verified.getCell(4).value, 1, 'target 100 % stored as the fraction 1');
    assert.equal(verified.getCell(4).numFmt, '0.0%');
    assert.equal(verified.getCell(6).value, expected.verified_on_time_share, 'actual as a fraction');
  });

  test('agency report has only its figures', async () => {
    const data = await collectMonthlyReport(database.db, { month: '2026-02', agency: 'dpupr' }, NOW);
    const expected = (await computeIndicators(database.db, { from: '2026-02-01', to: '2026-02-28', agency: 'dpupr' }, NOW)).rows[0]?.indicators;
    assert.equal(data.totals.received, expected?.received ?? 0);
    assert.deepEqual(data.byAgency, []);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await buildMonthlyXlsx(data, 'en') as never);
    assert.equal(workbook.getWorksheet('By agency'), undefined);
    assert.equal(workbook.getWorksheet('Summary')!.getCell('B1').value, 'Indicator');
    for (const line of data.plan!.indicators) {
      assert.ok(line.owner.agencyCode === 'dpupr' || line.name.includes('DPUPR'), `plan line ${line.name} concerns DPUPR`);
    }
    await assert.rejects(collectMonthlyReport(database.db, { month: '2026-02', agency: 'tidak-ada' }), (error: MonthlyReportError) => error.code === 'unknown_agency');
  });

  test('PDF starts with %PDF', { skip: noChromium }, async () => {
    const file = await renderMonthlyReport(database.db, { month: '2026-02', format: 'pdf' }, { now: NOW });
    assert.equal(file.content.subarray(0, 5).toString('latin1'), '%PDF-');
    assert.equal(file.fileName, 'rekap-aduan-2026-02.pdf');
    assert.ok(file.content.length > 20_000, `a PDF with tables and charts, ${file.content.length} bytes`);
  });

  test('PDF without Chromium says what to install', async () => {
    await assert.rejects(
      renderMonthlyReport(database.db, { month: '2026-02', format: 'pdf' }, { chromiumPath: MISSING_CHROMIUM }),
      (error: Error) => error instanceof ChromiumMissingError && /apt-get install chromium/.test(error.message) && error.message.includes(MISSING_CHROMIUM),
    );
    await assert.rejects(
      requestMonthlyReport(database.db, { month: '2026-02', format: 'pdf' }, NOW, MISSING_CHROMIUM),
      (error: MonthlyReportError) => error.code === 'chromium_missing',
    );
  });

  test('request, generate, store, reuse', async () => {
    const pending = await requestMonthlyReport(database.db, { month: '2026-01', format: 'xlsx', userId: leader.user.id }, NOW);
    assert.equal(pending.status, 'pending');
    const again = await requestMonthlyReport(database.db, { month: '2026-01', format: 'xlsx' }, NOW);
    assert.equal(again.id, pending.id, 'a second request joins the pending one');

    const result = await processPendingReports(database.db, { now: () => NOW });
    assert.equal(result.ready, 1);
    const content = await getReportContent(database.db, pending.id);
    assert.ok(content);
    assert.equal(content.fileName, 'rekap-aduan-2026-01.xlsx');
    assert.equal(content.content.subarray(0, 2).toString('latin1'), 'PK', 'an XLSX is a zip file');

    const ready = await requestMonthlyReport(database.db, { month: '2026-01', format: 'xlsx' }, NOW);
    assert.deepEqual([ready.id, ready.status], [pending.id, 'ready']);
    const refreshed = await requestMonthlyReport(database.db, { month: '2026-01', format: 'xlsx', refresh: true }, NOW);
    assert.deepEqual([refreshed.id, refreshed.status], [pending.id, 'pending']);
    await startReportGeneration(database.db, { now: () => NOW });
    assert.equal((await requestMonthlyReport(database.db, { month: '2026-01', format: 'xlsx' }, NOW)).status, 'ready');

    await assert.rejects(requestMonthlyReport(database.db, { month: '2026-05', format: 'xlsx' }, NOW), (error: MonthlyReportError) => error.code === 'future_month');
  });

  test('missing Chromium fails a pending PDF', async () => {
    const pdf = await database.db.insertInto('monthly_reports').values({ month: '2026-03', format: 'pdf', created_at: NOW }).returning('id').executeTakeFirstOrThrow();
    const xlsx = await requestMonthlyReport(database.db, { month: '2026-03', format: 'xlsx' }, NOW);
    const counts = await processPendingReports(database.db, { chromiumPath: MISSING_CHROMIUM, now: () => NOW });
    assert.deepEqual([counts.ready, counts.failed, counts.retrying], [1, 1, 0]);
    const failed = await database.db.selectFrom('monthly_reports').select(['status', 'error', 'attempts', 'content']).where('id', '=', pdf.id).executeTakeFirstOrThrow();
    assert.deepEqual([failed.status, failed.attempts, failed.content], ['failed', 1, null], 'no retry: the browser will not appear by itself');
    assert.match(failed.error ?? '', /apt-get install chromium/);
    assert.ok(await getReportContent(database.db, xlsx.id), 'the XLSX of the same run was built');

    // Any executable passes the installation check; the failed report stays failed until a refresh is asked for.
    const again = await requestMonthlyReport(database.db, { month: '2026-03', format: 'pdf' }, NOW, process.execPath);
    assert.deepEqual([again.id, again.status], [pdf.id, 'failed']);
    const retried = await requestMonthlyReport(database.db, { month: '2026-03', format: 'pdf', refresh: true }, NOW, process.execPath);
    assert.deepEqual([retried.id, retried.status, retried.error], [pdf.id, 'pending', null]);
    await database.db.deleteFrom('monthly_reports').where('id', '=', pdf.id).execute();
  });

  test('schedule requests last month per agency', async () => {
    const requested = await scheduleMonthlyReports(database.db, new Date('2026-03-01T00:00:00Z'), { chromiumPath: MISSING_CHROMIUM });
    const rows = await database.db
      .selectFrom('monthly_reports as r')
      .leftJoin('agencies as a', 'a.id', 'r.agency_id')
      .select(['a.code', 'r.format', 'r.status', 'r.scheduled'])
      .where('r.month', '=', '2026-02')
      .execute();
    const agenciesWithReports = await database.db
      .selectFrom('complaints')
      .innerJoin('agencies', 'agencies.id', 'complaints.agency_id')
      .select('agencies.code')
      .distinct()
      .where('complaints.received_at', '>=', new Date('2026-01-31T17:00:00Z'))
      .where('complaints.received_at', '<', new Date('2026-02-28T17:00:00Z'))
      .execute();
    assert.equal(requested, 1 + agenciesWithReports.length, 'regency plus one per agency, XLSX only without Chromium');
    assert.deepEqual(new Set(rows.map((row) => row.code)), new Set([null, ...agenciesWithReports.map((row) => row.code)]));
    assert.ok(rows.every((row) => row.format === 'xlsx' && row.status === 'pending' && row.scheduled));
  });

  test('API answers 202, then the file', async () => {
    const app = testApp(database);
    app.route('/api/v1', createReportApiRoutes());
    const url = '/api/v1/reports/monthly?month=2025-12&format=xlsx';
    const first = await app.request(url, jsonRequest('GET', undefined, leader.token));
    assert.equal(first.status, 202);
    assert.equal(first.headers.get('retry-after'), '5');
    const body = await first.json();
    assert.deepEqual([body.status, body.month, body.format, body.agency], ['pending', '2025-12', 'xlsx', null]);
    await startReportGeneration(database.db);
    const second = await app.request(url, jsonRequest('GET', undefined, leader.token));
    assert.equal(second.status, 200);
    assert.equal(second.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    assert.match(second.headers.get('content-disposition') ?? '', /rekap-aduan-2025-12\.xlsx/);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(await second.arrayBuffer()) as never);
    assert.equal(workbook.worksheets[0].name, 'Keterangan');

    const other = await app.request('/api/v1/reports/monthly?month=2026-02&format=xlsx&agency=dlh', jsonRequest('GET', undefined, dpupr.token));
    assert.equal(other.status, 403);
    const own = await app.request('/api/v1/reports/monthly?month=2026-01&format=xlsx', jsonRequest('GET', undefined, dpupr.token));
    assert.equal(own.status, 202);
    assert.equal((await own.json()).agency, 'dpupr', 'an agency officer gets their own agency');
    const badMonth = await app.request('/api/v1/reports/monthly?month=2026-2&format=xlsx', jsonRequest('GET', undefined, leader.token));
    assert.equal(badMonth.status, 400);
    assert.equal((await badMonth.json()).error.code, 'invalid_month');
    const badFormat = await app.request('/api/v1/reports/monthly?month=2026-02&format=docx', jsonRequest('GET', undefined, leader.token));
    assert.equal(badFormat.status, 400);
    const anonymous = await app.request(url);
    assert.equal(anonymous.status, 401);
  });

  test('API PDF without Chromium is 503', async () => {
    const { createApp } = await import('../../src/web/app.ts');
    const { loadConfig } = await import('../../src/config.ts');
    const app = createApp({ db: database.db, config: { ...loadConfig({}), dataDir: '/nonexistent', chromiumPath: MISSING_CHROMIUM } as never });
    app.route('/api/v1', createReportApiRoutes());
    const response = await app.request('/api/v1/reports/monthly?month=2026-02&format=pdf', jsonRequest('GET', undefined, leader.token));
    assert.equal(response.status, 503);
    const body = await response.json();
    assert.equal(body.error.code, 'chromium_missing');
    assert.match(body.error.message, /apt-get install chromium/);
  });

});
