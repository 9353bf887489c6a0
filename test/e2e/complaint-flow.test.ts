/**
 * One complaint through the browser, in Chromium: a citizen files it on
 * /lapor, the complaint officer verifies it and sends it to DPUPR, the DPUPR
 * officer records a follow-up and a final answer, and the citizen reads the
 * answer on the tracking page and rates it. Skipped only when Chromium is
 * not installed at /usr/bin/chromium.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/server.ts';
import { makeStaff, type TestStaff } from '../support/staff.ts';
import { launchChromium, skipWithoutChromium } from '../support/browser.ts';

const STAFF_PASSWORD = 'kata-sandi-uji-123';
const skip = skipWithoutChromium;

const DESCRIPTION = 'Jalan di depan balai desa berlubang besar sejak dua minggu, berbahaya bagi pengendara motor pada malam hari.';
const FOLLOW_UP = 'Tim UPT Jaten sudah meninjau lokasi dan menjadwalkan penambalan pekan depan.';
const ANSWER = 'Lubang sudah ditambal dengan aspal pada hari Kamis. Terima kasih atas laporan Anda.';

describe('complaint flow in Chromium', { skip }, () => {
  let server: TestServer;
  let browser: Browser;
  let officer: TestStaff;
  let dpupr: TestStaff;
  const contexts: BrowserContext[] = [];
  const scriptErrors: string[] = [];

  before(async () => {
    server = await startTestServer();
    officer = await makeStaff(server.database.db, 'complaint_officer');
    dpupr = await makeStaff(server.database.db, 'agency_officer', 'dpupr');
    browser = await launchChromium();
  });
  after(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await server?.stop();
  });

  /** Opens a page in a fresh browser profile; its Indonesian locale makes Accept-Language pick the default language. */
  async function newPage(viewport = { width: 1280, height: 900 }): Promise<Page> {
    const context = await browser.newContext({ viewport, locale: 'id-ID' });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => scriptErrors.push(`${page.url()}: ${error.message}`));
    return page;
  }

  async function signIn(page: Page, email: string): Promise<void> {
    await page.goto(`${server.url}/staff`);
    assert.match(page.url(), /\/staff\/login\?next=/);
    await page.fill('#email', email);
    await page.fill('#password', STAFF_PASSWORD);
    await page.click('button:has-text("Masuk")');
    await page.waitForURL(`${server.url}/staff`);
  }

  async function openCase(page: Page, code: string): Promise<void> {
    await page.click(`a:has-text("${code}")`);
    await page.waitForURL(/\/staff\/complaints\/\d+$/);
  }

  async function bannerText(page: Page): Promise<string> {
    return (await page.textContent('.notification-banner--success .notification-banner__title'))?.trim() ?? '';
  }

  test('one report from form to answer', async () => {
    // The citizen files the report on a phone-sized screen.
    const citizen = await newPage({ width: 375, height: 740 });
    await citizen.goto(`${server.url}/lapor`);
    await citizen.check('#type');
    await citizen.fill('#description', DESCRIPTION);
    await citizen.selectOption('#districtCode', { label: 'Jaten' });
    // app.js narrows the desa list to the chosen kecamatan.
    const groups = await citizen.$$eval('#villageCode optgroup', (nodes) => nodes.map((node) => node.getAttribute('label')));
    assert.deepEqual(groups, ['Kecamatan Jaten']);
    await citizen.selectOption('#villageCode', { label: 'Dagen' });
    await citizen.click('button:has-text("Kirim laporan")');
    await citizen.waitForURL(/\/lapor\/terkirim\//);
    const code = (await citizen.textContent('[data-tracking-code]'))?.trim() ?? '';
    assert.match(code, /^ADU-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2}$/);

    // The complaint officer verifies it and sends it to DPUPR.
    const desk = await newPage();
    await signIn(desk, officer.email);
    await openCase(desk, code);
    assert.equal(await desk.getAttribute('#action-verify', 'open'), '', 'verification is the open next step');
    await desk.selectOption('#verify-categoryCode', 'jalan-jembatan');
    assert.equal(await desk.inputValue('#verify-districtCode'), '33.13.11', 'the kecamatan the citizen chose is kept');
    await desk.click('button:has-text("Simpan verifikasi")');
    await desk.waitForURL(/done=verify/);
    assert.equal(await bannerText(desk), 'Verifikasi tersimpan.');
    assert.equal(await desk.inputValue('#dispatch-agencyCode'), 'dpupr', 'the category proposes DPUPR');
    await desk.click('button:has-text("Disposisikan")');
    await desk.waitForURL(/done=dispatch/);
    assert.equal(await bannerText(desk), 'Laporan sudah didisposisikan.');
    assert.equal((await desk.textContent('h1 .tag'))?.trim(), 'Didisposisikan');

    // The DPUPR officer records a follow-up the citizen sees, then the final answer.
    const agency = await newPage({ width: 375, height: 740 });
    await signIn(agency, dpupr.email);
    await openCase(agency, code);
    await agency.fill('#follow-up-body', FOLLOW_UP);
    await agency.click('button:has-text("Simpan tindak lanjut")');
    await agency.waitForURL(/done=follow-up/);
    assert.equal(await bannerText(agency), 'Tindak lanjut tersimpan.');
    await agency.fill('#resolve-body', ANSWER);
    await agency.click('button:has-text("Kirim tanggapan akhir")');
    await agency.waitForURL(/done=resolve/);
    assert.equal(await bannerText(agency), 'Tanggapan akhir terkirim.');
    assert.equal((await agency.textContent('h1 .tag'))?.trim(), 'Selesai');

    // The citizen reads the answer on the tracking page and rates it.
    await citizen.goto(`${server.url}/lacak`);
    await citizen.fill('#kode', code.toLowerCase());
    await citizen.click('button:has-text("Lacak")');
    await citizen.waitForURL(`${server.url}/lacak/${code}`);
    const timeline = (await citizen.textContent('.timeline')) ?? '';
    assert.ok(timeline.includes(FOLLOW_UP), 'the follow-up is on the timeline');
    assert.ok(timeline.includes(ANSWER), 'the final answer is on the timeline');
    assert.ok(timeline.includes('Didisposisikan ke Dinas Pekerjaan Umum dan Penataan Ruang'));
    assert.equal((await citizen.textContent('h1 .tag'))?.trim(), 'Selesai');
    await citizen.check('input[name="rating"][value="5"]');
    await citizen.click('button:has-text("Kirim penilaian")');
    await citizen.waitForURL(/pesan=penilaian-terkirim/);
    assert.equal(await bannerText(citizen), 'Terima kasih atas penilaian Anda.');
    assert.equal(await citizen.$('input[name="rating"]'), null, 'the answer cannot be rated twice');

    const complaint = await server.database.db.selectFrom('complaints').selectAll().where('tracking_code', '=', code).executeTakeFirstOrThrow();
    assert.equal(complaint.status, 'resolved');
    assert.equal(complaint.rating, 5);
    assert.equal(complaint.village_code, '33.13.11.2004', 'Dagen, the desa chosen');
    assert.deepEqual(scriptErrors, [], 'no script error on any page');
  });
});
