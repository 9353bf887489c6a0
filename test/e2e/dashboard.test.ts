/**
 * A leader in Chromium: opens the dashboard, sees the charts drawn by
 * ECharts under the strict Content-Security-Policy, and drills down from the
 * agency league table to the inbox filtered to that agency. Skipped only when
 * Chromium is not installed at /usr/bin/chromium.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/server.ts';
import { makeStaff, type TestStaff } from '../support/staff.ts';
import { createSampleComplaints } from '../reports/sample-data.ts';
import { defaultPeriod } from '../../src/reports/dashboard.ts';
import { launchChromium, skipWithoutChromium } from '../support/browser.ts';

const STAFF_PASSWORD = 'kata-sandi-uji-123';
const skip = skipWithoutChromium;

describe('dashboard drill-down in Chromium', { skip }, () => {
  let server: TestServer;
  let browser: Browser;
  let leader: TestStaff;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  before(async () => {
    server = await startTestServer();
    const db = server.database.db;
    const officer = await makeStaff(db, 'complaint_officer');
    leader = await makeStaff(db, 'leader');
    const agencies: Record<string, TestStaff['actor']> = {};
    for (const code of ['dpupr', 'dlh', 'disdukcapil', 'pdam', 'dinkes']) agencies[code] = (await makeStaff(db, 'agency_officer', code)).actor;
    const { from } = defaultPeriod();
    await createSampleComplaints(db, { officer: officer.actor, agencies }, {
      count: 25, from: new Date(`${from}T00:00:00Z`), to: new Date(Date.now() - 2 * 24 * 3600_000), seed: 3,
    });
    browser = await launchChromium();
  });
  after(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await server?.stop();
  });

  async function newPage(viewport = { width: 1280, height: 900 }): Promise<Page> {
    const context = await browser.newContext({ viewport, locale: 'id-ID' });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`));
    page.on('console', (message) => {
      // A CSP violation is reported as a console error; it would mean a chart needs an inline style or script.
      if (message.type() === 'error') pageErrors.push(`${page.url()}: ${message.text()}`);
    });
    return page;
  }

  test('league table row opens the inbox', async () => {
    const page = await newPage();
    await page.goto(`${server.url}/staff/dashboard`);
    assert.match(page.url(), /\/staff\/login\?next=%2Fstaff%2Fdashboard/);
    await page.fill('#email', leader.email);
    await page.fill('#password', STAFF_PASSWORD);
    await page.click('button:has-text("Masuk")');
    await page.waitForURL(`${server.url}/staff/dashboard`);
    assert.equal((await page.textContent('h1'))?.trim(), 'Dasbor kinerja penanganan pengaduan');

    // ECharts draws every chart as SVG, the map included once its polygons load.
    await page.waitForSelector('#chart-map ~ .chart__canvas svg path', { timeout: 15_000 });
    const drawn = await page.$$eval('.chart__canvas', (nodes) => nodes.filter((node) => node.querySelector('svg')).length);
    const canvases = await page.$$eval('.chart__canvas', (nodes) => nodes.length);
    assert.ok(canvases >= 6, `${canvases} charts on the page`);
    assert.equal(drawn, canvases, 'every chart is drawn');

    const row = page.locator('table[data-league] a[data-agency]').first();
    const agency = await row.getAttribute('data-agency');
    const name = (await row.textContent())?.trim() ?? '';
    assert.ok(agency, 'the league table row names its agency code');
    assert.ok(name, 'the league table row shows the agency name');
    await row.click();
    await page.waitForURL(`${server.url}/staff?agency=${agency}`);
    assert.equal(await page.inputValue('#filter-agency'), agency, 'the inbox filter shows the agency');
    const agencies = await page.$$eval('table.table--inbox td[data-label="OPD"]', (cells) => cells.map((cell) => cell.textContent?.trim()));
    assert.ok(agencies.length > 0, 'the inbox lists the agency\'s reports');
    assert.ok(agencies.every((value) => value === name), `every row belongs to ${name}`);

    // A kecamatan of the map leads to the inbox too, through the table below it.
    await page.goBack();
    await page.click('#chart-map ~ .table-scroll table a >> nth=0');
    await page.waitForURL(/\/staff\?district=33\.13\.\d{2}$/);

    assert.deepEqual(pageErrors, []);
  });

  test('narrow screen keeps tables usable', async () => {
    const page = await newPage({ width: 375, height: 740 });
    await page.goto(`${server.url}/staff/login?next=%2Fstaff%2Fdashboard`);
    await page.fill('#email', leader.email);
    await page.fill('#password', STAFF_PASSWORD);
    await page.click('button:has-text("Masuk")');
    await page.waitForURL(`${server.url}/staff/dashboard`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 1, `the page itself does not scroll sideways (${overflow} px); wide tables scroll inside their box`);
    assert.deepEqual(pageErrors, []);
  });
});
