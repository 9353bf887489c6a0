/**
 * A complaint officer answers a citizen's question with a canned answer in
 * Chromium, starting from the inbox, and the clicks are counted: open the
 * case, open the answer form, choose the template, send. Skipped only when
 * Chromium is not installed at /usr/bin/chromium.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/server.ts';
import { makeStaff, type TestStaff } from '../support/staff.ts';
import { receiveComplaint } from '../../src/commands/receive-complaint.ts';
import { saveTemplate } from '../../src/commands/answer-templates.ts';
import { launchChromium, skipWithoutChromium } from '../support/browser.ts';

const STAFF_PASSWORD = 'kata-sandi-uji-123';
const skip = skipWithoutChromium;

/** The requirement: fewer than five clicks from the inbox to a sent answer. */
const MAX_CLICKS = 4;

const QUESTION = 'Apa saja syarat membuat KTP-el untuk warga yang baru berusia 17 tahun, dan di mana mengurusnya?';
const TEMPLATE_BODY = 'Yth. {{nama_pelapor}}, untuk pertanyaan {{kode_lacak}}: KTP-el dibuat di kantor kecamatan dengan membawa KK. Perekaman tidak dipungut biaya.';

describe('template answer in Chromium', { skip }, () => {
  let server: TestServer;
  let browser: Browser;
  let officer: TestStaff;
  const contexts: BrowserContext[] = [];
  const scriptErrors: string[] = [];

  before(async () => {
    server = await startTestServer();
    officer = await makeStaff(server.database.db, 'complaint_officer');
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
    page.on('pageerror', (error) => scriptErrors.push(`${page.url()}: ${error.message}`));
    return page;
  }

  test('answer a question with a template in under five clicks', async () => {
    const db = server.database.db;
    const template = await saveTemplate({ db, actor: officer.actor }, { title: 'Syarat KTP-el pemula', bodyId: TEMPLATE_BODY, categoryCode: 'adminduk' });
    const { complaint } = await receiveComplaint({ db, actor: { kind: 'citizen' } }, {
      type: 'permintaan_informasi', description: QUESTION, channel: 'web', categoryCode: 'adminduk',
    });

    const page = await newPage();
    await page.goto(`${server.url}/staff`);
    await page.fill('#email', officer.email);
    await page.fill('#password', STAFF_PASSWORD);
    await page.click('button:has-text("Masuk")');
    await page.waitForURL(`${server.url}/staff`);

    // From the inbox on, every click counts.
    let clicks = 0;
    const click = async (selector: string) => {
      clicks += 1;
      await page.click(selector);
    };

    await click(`a:has-text("${complaint.tracking_code}")`);
    await page.waitForURL(/\/staff\/complaints\/\d+$/);
    if ((await page.getAttribute('#action-answer', 'open')) === null) await click('#action-answer > summary');
    await click(`#action-answer a[data-template-use="${template.id}"]`);
    await page.waitForURL(/template=/);
    const filled = await page.inputValue('#answer-body');
    assert.ok(filled.startsWith(`Yth. Bapak/Ibu, untuk pertanyaan ${complaint.tracking_code}: KTP-el dibuat`), 'placeholders are filled');
    assert.equal(await page.getAttribute('#action-answer', 'open'), '', 'the answer form is open');
    // The officer edits the text before sending; typing is not a click.
    await page.fill('#answer-body', `${filled} Jadwal layanan: Senin–Jumat 08.00–14.00.`);
    await click('#action-answer button:has-text("Kirim jawaban")');
    await page.waitForURL(/done=answer/);

    assert.ok(clicks <= MAX_CLICKS, `took ${clicks} clicks from the inbox`);
    assert.equal((await page.textContent('h1 .tag'))?.trim(), 'Selesai');

    const event = await db.selectFrom('complaint_events').selectAll().where('complaint_id', '=', complaint.id).where('type', '=', 'answered').executeTakeFirstOrThrow();
    assert.equal(event.data.templateId, template.id, 'the answer records its template');
    assert.ok(event.body?.endsWith('Jadwal layanan: Senin–Jumat 08.00–14.00.'), 'the edited text is sent');

    const templates = await page.goto(`${server.url}/staff/templates`);
    assert.equal(templates?.status(), 200);
    const usage = await page.textContent(`tr:has(a[href="/staff/templates/${template.id}"]) td[data-label="Dipakai"]`);
    assert.equal(usage?.trim(), '1 kali');
    assert.deepEqual(scriptErrors, [], 'no script error on any page');
  });
});
