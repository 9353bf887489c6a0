/**
 * The channel health page through `app.request()`: a signed but malformed
 * WhatsApp webhook becomes a dead letter that an admin sees and retries from
 * the page, other roles are refused, the retry needs the CSRF token, and
 * nothing from the stored body reaches the page. Runs on PGlite and (with
 * TEST_DATABASE_URL) PostgreSQL.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import type { Hono } from 'hono';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../support/db.ts';
import { makeStaff, type TestStaff } from '../support/staff.ts';
import { loadConfig } from '../../src/config.ts';
import { createApp } from '../../src/web/app.ts';
import type { AppEnv } from '../../src/web/context.ts';
import { settleInboundProcessing } from '../../src/jobs/inbound.ts';
import { missingChannelSettings } from '../../src/web/routes/staff/channels.tsx';
import { summarizeDeadLetterReason } from '../../src/web/views/staff/channels.tsx';

const ORIGIN = 'http://localhost';
const STAFF_PASSWORD = 'kata-sandi-uji-123';
const WHATSAPP_APP_SECRET = 'wa-app-secret-for-page-tests';

// Made-up sender and text; the page must show neither.
const SENDER_PHONE = '6281298765432';
const SENDER_NAME = 'Warga Penguji Kanal';
const MESSAGE_TEXT = 'Jembatan gantung di dusun Ngargoyoso putus sejak kemarin sore.';

/** A WhatsApp text message without its required `id`: correctly signed, but the parser rejects it. */
function malformedWhatsAppBody(): Buffer {
  return Buffer.from(JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [{
      id: '1234567890',
      changes: [{
        field: 'messages',
        value: {
          messaging_product: 'whatsapp',
          metadata: { display_phone_number: '62271495039', phone_number_id: '1122334455667' },
          contacts: [{ profile: { name: SENDER_NAME }, wa_id: SENDER_PHONE }],
          messages: [{ from: SENDER_PHONE, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: MESSAGE_TEXT } }],
        },
      }],
    }],
  }));
}

/** The signature header WhatsApp sends, computed here with the test secret rather than by the code under test. */
function whatsappSignature(body: Buffer): string {
  return `sha256=${createHmac('sha256', WHATSAPP_APP_SECRET).update(body).digest('hex')}`;
}

function csrfTokenOf(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  assert.ok(match, 'page has a CSRF field');
  return match[1];
}

/** Returns the markup of the dead-letter row with this id. */
function deadLetterRow(html: string, id: number): string | undefined {
  return new RegExp(`<tr data-dead-letter="${id}">([\\s\\S]*?)</tr>`).exec(html)?.[1];
}

function attemptsIn(row: string): number {
  const match = /data-attempts="(\d+)"/.exec(row);
  assert.ok(match, 'row shows its attempts');
  return Number(match[1]);
}

describe('summarizeDeadLetterReason', () => {
  test('payload reason keeps path and problem', () => {
    const reason = summarizeDeadLetterReason('Invalid whatsapp payload: entry[0].changes[0].value.messages[0].id is missing.');
    assert.equal(reason.kind, 'payload');
    assert.equal(reason.detail, 'Invalid whatsapp payload: entry[0].changes[0].value.messages[0].id is missing.');
  });

  test('payload reason keeps quoted field names', () => {
    const reason = summarizeDeadLetterReason('Invalid whatsapp payload: entry[0].changes[0].value.messages[0] has neither "from" nor "from_user_id".');
    assert.match(reason.detail, /"from" nor "from_user_id"/);
  });

  test('payload reason masks values', () => {
    const reason = summarizeDeadLetterReason(`Invalid sms payload: from "${MESSAGE_TEXT}" 081298765432 warga@example.id is not valid.`);
    assert.equal(reason.kind, 'payload');
    assert.ok(!reason.detail.includes('Jembatan'), 'quoted text is masked');
    assert.ok(!reason.detail.includes('081298765432'), 'long numbers are masked');
    assert.ok(!reason.detail.includes('warga@example.id'), 'addresses are masked');
  });

  test('other kinds drop free text', () => {
    const cases: Array<[string, string, string]> = [
      ['Message 1 of 2 (whatsapp) could not be threaded: sender +6281298765432 is not valid.', 'thread', 'Message 1 of 2 (whatsapp) could not be threaded.'],
      ['The telegram parser failed: TypeError: cannot read "Jembatan putus"', 'parser', 'The telegram parser failed (TypeError)'],
      ['Processing failed: error: invalid input syntax for type integer: "0812" (after 5 attempts)', 'processing', 'Processing failed (error) after 5 attempts'],
      ['Processing failed: simulated', 'processing', 'Processing failed (simulated)'],
      ['Jembatan gantung putus', 'other', ''],
    ];
    for (const [stored, kind, detail] of cases) {
      const reason = summarizeDeadLetterReason(stored);
      assert.equal(reason.kind, kind, `kind of reason ${kind}`);
      assert.equal(reason.detail, detail, `detail of reason ${kind}`);
    }
    assert.deepEqual(summarizeDeadLetterReason(null), { kind: 'none', detail: '' });
  });
});

describe('missingChannelSettings', () => {
  test('names unset variables only', () => {
    const settings = loadConfig({ WHATSAPP_APP_SECRET, TELEGRAM_SECRET_TOKEN: 'not valid!' }).channels;
    assert.deepEqual(missingChannelSettings(settings, 'whatsapp'), ['WHATSAPP_VERIFY_TOKEN', 'WHATSAPP_TOKEN', 'WHATSAPP_PHONE_NUMBER_ID']);
    assert.deepEqual(missingChannelSettings(settings, 'telegram'), ['TELEGRAM_SECRET_TOKEN', 'TELEGRAM_BOT_TOKEN']);
    assert.deepEqual(missingChannelSettings(settings, 'email'), ['IMAP_HOST', 'SMTP_URL', 'MAIL_FROM']);
  });
});

for (const backend of BACKENDS) {
  describe(`channel health page on ${backend}`, () => {
    let database: TestDatabase;
    let app: Hono<AppEnv>;
    let admin: TestStaff;
    let officer: TestStaff;
    let agencyOfficer: TestStaff;
    let deadLetterId: number;

    before(async () => {
      database = await createTestDatabase(backend);
      const config = loadConfig({ DATA_DIR: 'memory://', PUBLIC_URL: ORIGIN, JOBS: 'off', WHATSAPP_APP_SECRET });
      app = createApp({ db: database.db, config });
      admin = await makeStaff(database.db, 'admin');
      officer = await makeStaff(database.db, 'complaint_officer');
      agencyOfficer = await makeStaff(database.db, 'agency_officer', 'dpupr');

      const body = malformedWhatsAppBody();
      const response = await app.request('/webhooks/whatsapp', {
        method: 'POST',
        body: new Uint8Array(body),
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': whatsappSignature(body) },
      });
      assert.equal(response.status, 200, 'signed webhook is accepted');
      await settleInboundProcessing();
      const envelope = await database.db.selectFrom('channel_envelopes').select(['id', 'status'])
        .where('body_sha256', '=', createHash('sha256').update(body).digest('hex')).executeTakeFirstOrThrow();
      assert.equal(envelope.status, 'dead', 'malformed body becomes a dead letter');
      deadLetterId = envelope.id;
    });

    after(async () => {
      await database?.dispose();
    });

    async function signIn(email: string): Promise<string> {
      const response = await app.request('/staff/login', {
        method: 'POST',
        body: new URLSearchParams({ email, password: STAFF_PASSWORD, next: '/staff' }),
        headers: { Origin: ORIGIN, 'Content-Type': 'application/x-www-form-urlencoded' },
      });
      assert.equal(response.status, 303, 'sign-in redirects');
      const match = /aduan_session=([^;]+)/.exec(response.headers.get('set-cookie') ?? '');
      assert.ok(match, 'sign-in sets the session cookie');
      return `aduan_session=${match[1]}`;
    }

    async function get(cookie: string, path: string) {
      const response = await app.request(path, { headers: { Cookie: cookie } });
      return { status: response.status, html: await response.text() };
    }

    async function post(cookie: string, path: string, fields: Record<string, string>) {
      const response = await app.request(path, {
        method: 'POST',
        body: new URLSearchParams(fields),
        headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
      });
      return { status: response.status, location: response.headers.get('location') };
    }

    test('admin sees channels and dead letter', async () => {
      const cookie = await signIn(admin.email);
      const page = await get(cookie, '/staff/channels');
      assert.equal(page.status, 200);
      assert.ok(page.html.includes('<h1 class="heading-l">Kesehatan kanal</h1>'), 'Indonesian heading');
      assert.ok(page.html.includes('href="/staff/channels" aria-current="page"'), 'navigation link is current');
      for (const channel of ['whatsapp', 'telegram', 'facebook', 'instagram', 'x', 'email', 'sms']) {
        assert.ok(page.html.includes(`<tr data-channel="${channel}">`), `row for ${channel}`);
      }
      const whatsapp = /<tr data-channel="whatsapp">([\s\S]*?)<\/tr>/.exec(page.html)?.[1] ?? '';
      assert.ok(whatsapp.includes('WHATSAPP_TOKEN'), 'missing send token is named');
      assert.ok(!whatsapp.includes('WHATSAPP_APP_SECRET'), 'the configured secret is not listed as missing');
      assert.ok(!page.html.includes(WHATSAPP_APP_SECRET), 'no setting value on the page');
      assert.match(whatsapp, /data-count="dead-letters">1</, 'one WhatsApp dead letter in the window');

      const row = deadLetterRow(page.html, deadLetterId);
      assert.ok(row, 'dead letter is listed');
      assert.ok(row.includes('WIB'), 'received time is in WIB');
      assert.ok(row.includes('data-reason-kind="payload"'), 'reason kind is shown');
      assert.ok(row.includes('Format kiriman tidak valid'), 'reason in Indonesian');
      assert.equal(attemptsIn(row), 1);
      assert.ok(row.includes(`action="/staff/channels/dead-letters/${deadLetterId}/retry"`), 'row has a retry form');
    });

    test('page has no payload data', async () => {
      const cookie = await signIn(officer.email);
      const page = await get(cookie, '/staff/channels');
      assert.equal(page.status, 200);
      assert.ok(deadLetterRow(page.html, deadLetterId), 'dead letter is listed');
      assert.ok(!page.html.includes(SENDER_PHONE), 'no sender phone number');
      assert.ok(!page.html.includes(SENDER_PHONE.slice(2)), 'no local form of the phone number');
      assert.ok(!page.html.includes(SENDER_NAME), 'no sender name');
      assert.ok(!page.html.includes('Jembatan'), 'no message text');
    });

    test('English page', async () => {
      const cookie = await signIn(admin.email);
      const page = await get(cookie, '/staff/channels?lang=en');
      assert.ok(page.html.includes('<h1 class="heading-l">Channel health</h1>'));
      assert.ok(page.html.includes('>Channels</a>'), 'English navigation label');
      assert.ok(page.html.includes('Invalid request format'), 'reason in English');
    });

    test('agency officer is refused', async () => {
      const cookie = await signIn(agencyOfficer.email);
      const page = await get(cookie, '/staff/channels');
      assert.equal(page.status, 403);
      assert.ok(!page.html.includes('href="/staff/channels"'), 'no navigation link');
      const token = csrfTokenOf(page.html);
      const retry = await post(cookie, `/staff/channels/dead-letters/${deadLetterId}/retry`, { _csrf: token });
      assert.equal(retry.status, 403);
      const envelope = await database.db.selectFrom('channel_envelopes').select('retried_at').where('id', '=', deadLetterId).executeTakeFirstOrThrow();
      assert.equal(envelope.retried_at, null, 'refused retry changed nothing');
    });

    test('retry without CSRF is rejected', async () => {
      const cookie = await signIn(admin.email);
      const retry = await post(cookie, `/staff/channels/dead-letters/${deadLetterId}/retry`, {});
      assert.equal(retry.status, 403);
      const wrong = await post(cookie, `/staff/channels/dead-letters/${deadLetterId}/retry`, { _csrf: 'not-the-token' });
      assert.equal(wrong.status, 403);
      const envelope = await database.db.selectFrom('channel_envelopes').select('retried_at').where('id', '=', deadLetterId).executeTakeFirstOrThrow();
      assert.equal(envelope.retried_at, null, 'rejected retry changed nothing');
    });

    test('admin retries dead letter', async () => {
      // Stands for a dead letter that has already used up five attempts; a retry resets the count and tries once.
      await database.db.updateTable('channel_envelopes').set({ attempts: 5 }).where('id', '=', deadLetterId).execute();
      const cookie = await signIn(admin.email);
      const before = await get(cookie, '/staff/channels');
      assert.equal(attemptsIn(deadLetterRow(before.html, deadLetterId) ?? ''), 5);

      const retry = await post(cookie, `/staff/channels/dead-letters/${deadLetterId}/retry`, { _csrf: csrfTokenOf(before.html) });
      assert.equal(retry.status, 303, 'retry redirects back to the page');
      assert.equal(retry.location, `/staff/channels?retried=dead&id=${deadLetterId}#dead-letters`);

      const after = await get(cookie, retry.location.split('#')[0]);
      assert.ok(after.html.includes(`Pesan gagal nomor ${deadLetterId} masih gagal diproses.`), 'banner names the outcome');
      const row = deadLetterRow(after.html, deadLetterId);
      assert.ok(row, 'the body is still malformed, so the row stays');
      assert.equal(attemptsIn(row), 1, 'attempts restart at the retry');
      const envelope = await database.db.selectFrom('channel_envelopes').select(['retried_at', 'retried_by_user_id', 'status'])
        .where('id', '=', deadLetterId).executeTakeFirstOrThrow();
      assert.equal(envelope.status, 'dead');
      assert.ok(envelope.retried_at, 'retry time is stored');
      assert.equal(envelope.retried_by_user_id, admin.user.id);
    });

    test('retry of unknown id shows banner', async () => {
      const cookie = await signIn(admin.email);
      const page = await get(cookie, '/staff/channels');
      const retry = await post(cookie, '/staff/channels/dead-letters/999999/retry', { _csrf: csrfTokenOf(page.html) });
      assert.equal(retry.location, '/staff/channels?retried=not_found&id=999999#dead-letters');
      const after = await get(cookie, retry.location!.split('#')[0]);
      assert.ok(after.html.includes('Pesan gagal nomor 999999 tidak ditemukan'), 'not-found banner');
    });
  });
}
