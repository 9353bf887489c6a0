/**
 * The inbound channel pipeline end to end: signed HTTP request → stored
 * envelope → background processing → inbound message → report, reply or
 * event; on PGlite and (with TEST_DATABASE_URL) PostgreSQL.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../support/db.ts';
import { makeStaff, type TestStaff } from '../support/staff.ts';
import { createApp } from '../../src/web/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createChannelRegistry, type ChannelRegistry, type WebhookSource } from '../../src/channels/registry.ts';
import {
  processEnvelope, processPendingEnvelopes, retryDeadLetter, settleInboundProcessing, storeEnvelope,
} from '../../src/jobs/inbound.ts';
import { deliverDueMessages } from '../../src/jobs/delivery.ts';
import { answerComplaint } from '../../src/commands/resolve-complaint.ts';
import type { MailTransport } from '../../src/channels/email/send.ts';
import type { ParseResult } from '../../src/domain/inbound.ts';

const fixturesDir = fileURLToPath(new URL('../fixtures/webhooks/', import.meta.url));
const emailDir = fileURLToPath(new URL('../fixtures/email/', import.meta.url));

const SECRETS = {
  WHATSAPP_APP_SECRET: 'wa-app-secret-for-tests',
  WHATSAPP_VERIFY_TOKEN: 'wa-verify-token',
  WHATSAPP_TOKEN: 'wa-access-token',
  WHATSAPP_PHONE_NUMBER_ID: '1122334455667',
  TELEGRAM_BOT_TOKEN: '123456789:AAFakeBotTokenForTests',
  TELEGRAM_SECRET_TOKEN: 'telegram-secret_token-1',
  META_APP_SECRET: 'meta-app-secret-for-tests',
  META_VERIFY_TOKEN: 'meta-verify-token',
  META_PAGE_TOKEN: 'meta-page-token',
  X_CONSUMER_SECRET: 'x-consumer-secret-for-tests',
  X_ACCESS_TOKEN: 'x-access-token',
  SMS_GATEWAY_SECRET: 'sms-gateway-secret',
  MAIL_FROM: 'aduan@karanganyarkab.go.id',
  PUBLIC_URL: 'https://aduan.example.id',
};

/** Builds a structurally valid JPEG whose EXIF segment contains a GPS text that must not survive storing. */
function jpegWithExif(): Buffer {
  const segment = (marker: number, payload: Buffer) => {
    const header = Buffer.from([0xff, marker, 0, 0]);
    header.writeUInt16BE(payload.length + 2, 2);
    return Buffer.concat([header, payload]);
  };
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    segment(0xe0, Buffer.from('JFIF\0\x01\x01\0\0\x01\0\x01\0\0', 'binary')),
    segment(0xe1, Buffer.concat([Buffer.from('Exif\0\0'), Buffer.from('GPSLatitude -7.59 GPSLongitude 110.95')])),
    segment(0xdb, Buffer.alloc(65, 1)),
    segment(0xda, Buffer.from([1, 1, 0, 0, 0x3f, 0])),
    Buffer.from([0x12, 0x34, 0xff, 0x00, 0x56, 0xff, 0xd9]),
  ]);
}

/**
 * A loopback stand-in for the providers' media endpoints: WhatsApp
 * `GET /v21.0/{media-id}` → URL → bytes, and Telegram `getFile` → file path →
 * bytes. Media ids in `served` exist; every other id answers 404.
 */
async function startMediaServer(served: Set<string>) {
  const requests: string[] = [];
  const image = jpegWithExif();
  let base = '';
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(url.pathname);
    const authorised = req.headers.authorization === `Bearer ${SECRETS.WHATSAPP_TOKEN}`;
    const mediaInfo = /^\/v21\.0\/([^/]+)$/.exec(url.pathname);
    if (mediaInfo && authorised && served.has(decodeURIComponent(mediaInfo[1]))) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ url: `${base}/download/${mediaInfo[1]}`, mime_type: 'image/jpeg', file_size: image.length, id: mediaInfo[1] }));
      return;
    }
    if (/^\/download\//.test(url.pathname) && authorised) {
      res.writeHead(200, { 'content-type': 'image/jpeg' });
      res.end(image);
      return;
    }
    if (url.pathname === `/bot${SECRETS.TELEGRAM_BOT_TOKEN}/getFile` && served.has(url.searchParams.get('file_id') ?? '')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, result: { file_id: url.searchParams.get('file_id'), file_path: 'photos/file_7.jpg', file_size: image.length } }));
      return;
    }
    if (url.pathname === `/file/bot${SECRETS.TELEGRAM_BOT_TOKEN}/photos/file_7.jpg`) {
      res.writeHead(200, { 'content-type': 'image/jpeg' });
      res.end(image);
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: 'Unsupported get request.', code: 100 } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl: base,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** Headers a provider would send with `body`, signed with the test secrets (computed here, not by the code under test). */
function signedHeaders(source: WebhookSource, body: Buffer): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  switch (source) {
    case 'whatsapp':
      headers['x-hub-signature-256'] = `sha256=${createHmac('sha256', SECRETS.WHATSAPP_APP_SECRET).update(body).digest('hex')}`;
      break;
    case 'meta':
      headers['x-hub-signature-256'] = `sha256=${createHmac('sha256', SECRETS.META_APP_SECRET).update(body).digest('hex')}`;
      break;
    case 'x':
      headers['x-twitter-webhooks-signature'] = `sha256=${createHmac('sha256', SECRETS.X_CONSUMER_SECRET).update(body).digest('base64')}`;
      break;
    case 'telegram':
      headers['x-telegram-bot-api-secret-token'] = SECRETS.TELEGRAM_SECRET_TOKEN;
      break;
    case 'sms': {
      const timestamp = Math.floor(Date.now() / 1000);
      const digest = createHmac('sha256', SECRETS.SMS_GATEWAY_SECRET).update(Buffer.concat([Buffer.from(`${timestamp}.`), body])).digest('hex');
      headers['x-aduan-timestamp'] = String(timestamp);
      headers['x-aduan-signature'] = `sha256=${digest}`;
      break;
    }
  }
  return headers;
}

interface FixtureCase {
  name: string;
  source: WebhookSource;
  body: Buffer;
  /** Header value to send instead of computing one (the signature test vector). */
  headers?: Record<string, string>;
}

/** Every webhook fixture as the request a provider would send; multi-case files are split into their cases. */
function webhookFixtureCases(): FixtureCase[] {
  const cases: FixtureCase[] = [];
  const folders: Array<[string, WebhookSource]> = [
    ['whatsapp', 'whatsapp'],
    ['messenger', 'meta'],
    ['facebook_page_feed', 'meta'],
    ['instagram', 'meta'],
    ['telegram', 'telegram'],
    ['x', 'x'],
  ];
  for (const [folder, source] of folders) {
    for (const file of readdirSync(fixturesDir + folder).sort()) {
      const text = readFileSync(`${fixturesDir}${folder}/${file}`, 'utf8');
      const json = JSON.parse(text) as Record<string, unknown>;
      const isMultiCase = folder === 'whatsapp' && json.object === undefined;
      if (!isMultiCase) {
        cases.push({ name: `${folder}/${file}`, source, body: Buffer.from(text) });
        continue;
      }
      for (const [name, body] of Object.entries(json)) {
        cases.push({ name: `${folder}/${file}#${name}`, source, body: Buffer.from(JSON.stringify(body)) });
      }
    }
  }
  // Meta's documentation examples are single messaging events; a Page webhook wraps them in an entry.
  const docs = JSON.parse(readFileSync(fixturesDir + 'meta_official_docs_examples.json', 'utf8')) as Record<string, unknown>;
  for (const [name, value] of Object.entries(docs)) {
    if (typeof value !== 'object' || value === null) continue;
    const event = (value as { example?: Record<string, unknown>; example_partial?: Record<string, unknown> }).example
      ?? (value as { example_partial?: Record<string, unknown> }).example_partial;
    if (!event) continue;
    const body = event.messaging ? { object: 'page', entry: [event] } : { object: 'page', entry: [{ id: '<PAGE_ID>', time: 1458692752478, messaging: [event] }] };
    cases.push({ name: `meta_official_docs_examples.json#${name}`, source: 'meta', body: Buffer.from(JSON.stringify(body)) });
  }
  return cases;
}

/** Builds a WhatsApp Cloud API text message from `from` (digits with country code). */
function whatsappText(from: string, id: string, text: string, sentAt: Date, name = 'Warga Uji'): Buffer {
  return Buffer.from(JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [{
      id: '1234567890',
      changes: [{
        field: 'messages',
        value: {
          messaging_product: 'whatsapp',
          metadata: { display_phone_number: '62271495039', phone_number_id: SECRETS.WHATSAPP_PHONE_NUMBER_ID },
          contacts: [{ profile: { name }, wa_id: from }],
          messages: [{ from, id, timestamp: String(Math.floor(sentAt.getTime() / 1000)), type: 'text', text: { body: text } }],
        },
      }],
    }],
  }));
}

function whatsappMessage(from: string, message: Record<string, unknown>): Buffer {
  return Buffer.from(JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [{
      id: '1234567890',
      changes: [{
        field: 'messages',
        value: {
          messaging_product: 'whatsapp',
          metadata: { display_phone_number: '62271495039', phone_number_id: SECRETS.WHATSAPP_PHONE_NUMBER_ID },
          contacts: [{ profile: { name: 'Warga Uji' }, wa_id: from }],
          messages: [{ from, timestamp: String(Math.floor(Date.now() / 1000)), ...message }],
        },
      }],
    }],
  }));
}

/** Builds a Facebook Page feed change by a citizen. */
function pageFeed(value: Record<string, unknown>): Buffer {
  return Buffer.from(JSON.stringify({
    object: 'page',
    entry: [{ id: '1234567890321', time: Math.floor(Date.now() / 1000), changes: [{ field: 'feed', value }] }],
  }));
}

function rawEmail(headers: Record<string, string>, body: string): Buffer {
  const lines = Object.entries({ 'MIME-Version': '1.0', 'Content-Type': 'text/plain; charset=utf-8', Date: new Date().toUTCString(), ...headers })
    .map(([name, value]) => `${name}: ${value}`);
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body.replace(/\n/g, '\r\n')}\r\n`);
}

class RecordingTransport implements MailTransport {
  readonly sent: Array<Record<string, unknown>> = [];
  async sendMail(options: Record<string, unknown>) {
    this.sent.push(options);
    return { messageId: String(options.messageId) };
  }
}

for (const backend of BACKENDS) {
  describe(`channel pipeline on ${backend}`, () => {
    let database: TestDatabase;
    let media: Awaited<ReturnType<typeof startMediaServer>>;
    let app: ReturnType<typeof createApp>;
    let registry: ChannelRegistry;
    let officer: TestStaff;
    const servedMedia = new Set<string>(['wamid-media-ok', 'AgACAgQAAxkBAAIBfoto']);

    before(async () => {
      database = await createTestDatabase(backend);
      media = await startMediaServer(servedMedia);
      const config = {
        ...loadConfig({ ...SECRETS, WHATSAPP_API_URL: media.baseUrl, TELEGRAM_API_URL: media.baseUrl, META_API_URL: media.baseUrl, X_API_URL: media.baseUrl }),
        dataDir: '/nonexistent',
      };
      app = createApp({ db: database.db, config });
      registry = createChannelRegistry(config.channels);
      officer = await makeStaff(database.db, 'complaint_officer');
    });
    after(async () => {
      await settleInboundProcessing();
      await media?.close();
      await database?.dispose();
    });

    async function post(source: WebhookSource, body: Buffer, headers = signedHeaders(source, body)) {
      return app.request(`/webhooks/${source}`, { method: 'POST', body: new Uint8Array(body), headers });
    }

    async function inbound(channel: string, providerMessageId: string) {
      return database.db
        .selectFrom('inbound_messages')
        .selectAll()
        .where('channel', '=', channel as never)
        .where('provider_message_id', '=', providerMessageId)
        .executeTakeFirst();
    }

    async function complaint(id: number) {
      return database.db.selectFrom('complaints').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    }

    async function eventTypes(complaintId: number) {
      const rows = await database.db.selectFrom('complaint_events').select('type').where('complaint_id', '=', complaintId).orderBy('id').execute();
      return rows.map((row) => row.type);
    }

    async function countRows(table: 'channel_envelopes' | 'inbound_messages' | 'complaints' | 'outbound_messages') {
      const row = await database.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return Number(row.n);
    }

    test('every webhook fixture through HTTP', async () => {
      const cases = webhookFixtureCases();
      assert.ok(cases.length > 100, `found ${cases.length} fixture cases`);
      for (const fixture of cases) {
        const before = await database.db.selectFrom('channel_envelopes').select((eb) => eb.fn.max('id').as('id')).executeTakeFirstOrThrow();
        const response = await post(fixture.source, fixture.body);
        assert.equal(response.status, 200, `${fixture.name}: HTTP status`);
        await settleInboundProcessing();
        const envelope = await database.db
          .selectFrom('channel_envelopes')
          .selectAll()
          .where('id', '>', Number(before.id ?? 0))
          .executeTakeFirstOrThrow();
        assert.equal(envelope.body_sha256, createHash('sha256').update(fixture.body).digest('hex'), `${fixture.name}: raw body stored unchanged`);

        // The parser is the oracle for what the envelope carries; the pipeline must store all of it.
        let parsed: ParseResult | undefined;
        try {
          parsed = await registry.parse(fixture.source, fixture.body, envelope.received_at);
        } catch {
          parsed = undefined;
        }
        // A payload that is malformed as a whole, or in some of its items, is a dead letter.
        // The items that could be read are stored all the same.
        if (!parsed || parsed.rejected) {
          assert.equal(envelope.status, 'dead', `${fixture.name}: malformed payload is a dead letter`);
          assert.match(envelope.error ?? '', /^Invalid \w+ payload: /, `${fixture.name}: dead letter reason`);
          if (!parsed || parsed.messages.length === 0) continue;
        } else if (parsed.messages.length === 0) {
          // No fixture receipt names a message we sent, so a payload without messages changes nothing.
          assert.equal(envelope.status, 'ignored', `${fixture.name}: nothing to do`);
          assert.ok(envelope.error, `${fixture.name}: ignored reason recorded`);
          continue;
        }
        let threaded = false;
        for (const message of parsed.messages) {
          const row = await inbound(message.channel, message.providerMessageId);
          assert.ok(row, `${fixture.name}: inbound message ${message.providerMessageId} recorded`);
          // A duplicate (recorded by an earlier envelope) counts as handled.
          if (row.envelope_id !== envelope.id || row.outcome !== 'ignored') threaded = true;
          if (row.envelope_id === envelope.id && row.outcome === 'ignored') assert.ok(row.reason, `${fixture.name}: ignored reason recorded`);
          if (row.outcome === 'created' || row.outcome === 'replied') assert.ok(row.complaint_id, `${fixture.name}: threaded to a report`);
          // Several fixture files reuse one message id: only the first delivery of an id threads it.
          if (row.outcome === 'created' && row.envelope_id === envelope.id) {
            const created = await complaint(row.complaint_id!);
            assert.equal(created.channel, message.channel, `${fixture.name}: report channel`);
            if (message.unsupported) assert.match(created.description, /\[Pesan jenis .+ belum didukung/, `${fixture.name}: placeholder`);
          }
        }
        assert.equal(envelope.status, threaded ? 'processed' : 'ignored', `${fixture.name}: envelope status (error: ${envelope.error})`);
      }

      const outcomes = await database.db
        .selectFrom('inbound_messages')
        .select(['outcome', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('outcome')
        .execute();
      const count = (outcome: string) => Number(outcomes.find((row) => row.outcome === outcome)?.n ?? 0);
      for (const outcome of ['created', 'replied', 'event', 'ignored']) assert.ok(count(outcome) > 0, `fixtures reach outcome ${outcome}`);
      assert.equal(await countRows('complaints'), count('created'), 'one report per created message');
    });

    test('signature test vector accepted', async () => {
      const vector = JSON.parse(readFileSync(fixturesDir + 'signatures/meta_x_hub_signature_256_vector_pywa.json', 'utf8')) as {
        app_secret: string; raw_body: string; header_value: string; header_name: string;
      };
      const raw = readFileSync(fixturesDir + 'signatures/meta_whatsapp_signed_body_pywa.raw');
      assert.equal(raw.toString('utf8'), vector.raw_body);
      const vectorApp = createApp({
        db: database.db,
        config: { ...loadConfig({ WHATSAPP_APP_SECRET: vector.app_secret, WHATSAPP_API_URL: media.baseUrl }), dataDir: '/nonexistent' },
      });
      const response = await vectorApp.request('/webhooks/whatsapp', {
        method: 'POST',
        body: new Uint8Array(raw),
        headers: { [vector.header_name]: vector.header_value, 'content-type': 'application/json' },
      });
      assert.equal(response.status, 200);
      await settleInboundProcessing();
      const row = await inbound('whatsapp', 'wamid.HBgMOTcyNTQ0NDAxMjQzFQIAEhggM0RFQTNCMEEwRTY3QzUwODYzMDc4NjQ4QzM4ODAxM0YA');
      assert.ok(row);
      assert.equal(row.sender_value, '+972544401243');
      assert.ok(row.complaint_id);
      assert.match((await complaint(row.complaint_id)).description, /Hey there! I am using PyWa\./);
    });

    test('parallel duplicate creates one report', async () => {
      const body = whatsappText('6281211110001', 'wamid.parallel-duplicate-1', 'Sampah menumpuk di pinggir jalan desa sejak seminggu.', new Date());
      const envelopesBefore = await countRows('channel_envelopes');
      const complaintsBefore = await countRows('complaints');
      const responses = await Promise.all([post('whatsapp', body), post('whatsapp', body)]);
      assert.deepEqual(responses.map((response) => response.status), [200, 200]);
      await settleInboundProcessing();
      assert.equal(await countRows('channel_envelopes'), envelopesBefore + 2, 'both deliveries stored');
      const rows = await database.db.selectFrom('inbound_messages').selectAll().where('provider_message_id', '=', 'wamid.parallel-duplicate-1').execute();
      assert.equal(rows.length, 1, 'one inbound message');
      assert.equal(await countRows('complaints'), complaintsBefore + 1, 'one report');
      const acks = await database.db.selectFrom('outbound_messages').selectAll().where('complaint_id', '=', rows[0].complaint_id!).execute();
      assert.equal(acks.length, 1, 'one acknowledgement');

      // A replay later, through the sweep, changes nothing either.
      await storeEnvelope(database.db, { source: 'whatsapp', rawBody: body, headers: {}, receivedAt: new Date() });
      assert.equal(await processPendingEnvelopes(database.db, registry), 1);
      assert.equal(await countRows('complaints'), complaintsBefore + 1);
    });

    test('forged signature stores nothing', async () => {
      const body = whatsappText('6281211110002', 'wamid.forged-1', 'Jalan rusak parah di depan balai desa.', new Date());
      const envelopesBefore = await countRows('channel_envelopes');
      const forged = { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${createHmac('sha256', 'wrong-secret').update(body).digest('hex')}` };
      assert.equal((await post('whatsapp', body, forged)).status, 401);
      assert.equal((await post('whatsapp', body, { 'content-type': 'application/json' })).status, 401);
      const tampered = Buffer.from(body.toString('utf8').replace('Jalan rusak', 'Jalan bagus'));
      assert.equal((await post('whatsapp', tampered, signedHeaders('whatsapp', body))).status, 401);
      assert.equal((await post('telegram', Buffer.from('{"update_id":1}'), { 'x-telegram-bot-api-secret-token': 'not-the-secret' })).status, 403);
      const xBody = Buffer.from('{"for_user_id":"1"}');
      assert.equal((await post('x', xBody, { 'x-twitter-webhooks-signature': `sha256=${createHmac('sha256', 'wrong').update(xBody).digest('base64')}` })).status, 401);
      await settleInboundProcessing();
      assert.equal(await countRows('channel_envelopes'), envelopesBefore);
      assert.equal(await inbound('whatsapp', 'wamid.forged-1'), undefined);
    });

    test('malformed body becomes dead letter', async () => {
      const malformed = Buffer.from('{"object":"whatsapp_business_account","entry":[{"changes":"not-a-list"}]');
      assert.equal((await post('whatsapp', malformed)).status, 200);
      const next = whatsappText('6281211110003', 'wamid.after-dead-letter', 'Lampu penerangan jalan mati di dusun kami.', new Date());
      assert.equal((await post('whatsapp', next)).status, 200);
      await settleInboundProcessing();

      const dead = await database.db.selectFrom('channel_envelopes').selectAll().where('body_sha256', '=', createHash('sha256').update(malformed).digest('hex')).executeTakeFirstOrThrow();
      assert.equal(dead.status, 'dead');
      assert.match(dead.error ?? '', /Invalid whatsapp payload/);
      const row = await inbound('whatsapp', 'wamid.after-dead-letter');
      assert.equal(row?.outcome, 'created', 'the next message is processed normally');

      const list = await app.request('/api/v1/channels/dead-letters?source=whatsapp', { headers: { authorization: `Bearer ${officer.token}` } });
      assert.equal(list.status, 200);
      const listed = (await list.json()) as { deadLetters: Array<{ id: number; error: string }> };
      assert.ok(listed.deadLetters.some((letter) => letter.id === dead.id && /Invalid whatsapp payload/.test(letter.error)));

      // Retrying the same malformed body fails again, with the reason kept.
      const retry = await app.request(`/api/v1/channels/dead-letters/${dead.id}/retry`, { method: 'POST', headers: { authorization: `Bearer ${officer.token}` } });
      assert.equal(retry.status, 200);
      const retried = (await retry.json()) as { envelope: { status: string; error: string } };
      assert.equal(retried.envelope.status, 'dead');
      assert.match(retried.envelope.error, /Invalid whatsapp payload/);
    });

    test('one malformed message in a batch loses no other', async () => {
      const batch = JSON.parse(whatsappText('6281211110014', 'wamid.batch-good', 'Jembatan gantung di dusun kami putus talinya.', new Date()).toString('utf8'));
      const value = batch.entry[0].changes[0].value;
      value.messages.push({ from: '6281211110015', id: 'wamid.batch-bad', timestamp: value.messages[0].timestamp, type: 'location', location: { name: 'Lokasi' } });
      const body = Buffer.from(JSON.stringify(batch));
      assert.equal((await post('whatsapp', body)).status, 200);
      await settleInboundProcessing();

      assert.equal((await inbound('whatsapp', 'wamid.batch-good'))?.outcome, 'created', 'the good message became a report');
      const envelope = await database.db.selectFrom('channel_envelopes').selectAll().where('body_sha256', '=', createHash('sha256').update(body).digest('hex')).executeTakeFirstOrThrow();
      assert.equal(envelope.status, 'dead', 'the envelope stays a dead letter for the bad message');
      assert.match(envelope.error ?? '', /messages\[1\]\.location must have latitude and longitude/);
      assert.match(envelope.error ?? '', /other 1 item\(s\) of this payload were read and stored/);

      const retry = await app.request(`/api/v1/channels/dead-letters/${envelope.id}/retry`, { method: 'POST', headers: { authorization: `Bearer ${officer.token}` } });
      assert.equal(retry.status, 200);
      const reports = await database.db.selectFrom('inbound_messages').select('id').where('provider_message_id', '=', 'wamid.batch-good').execute();
      assert.equal(reports.length, 1, 'a retry stores the good message once');
    });

    test('dead letter retry processes it', async () => {
      // An envelope left dead by an earlier failure (e.g. a bug since fixed) whose body is valid.
      const body = whatsappText('6281211110004', 'wamid.retry-me', 'Saluran air tersumbat di gang tiga.', new Date());
      const id = await storeEnvelope(database.db, { source: 'whatsapp', rawBody: body, headers: {}, receivedAt: new Date() });
      await database.db.updateTable('channel_envelopes').set({ status: 'dead', error: 'Processing failed: simulated' }).where('id', '=', id).execute();

      const agencyOfficer = await makeStaff(database.db, 'agency_officer', 'dpupr');
      const forbidden = await app.request(`/api/v1/channels/dead-letters/${id}/retry`, { method: 'POST', headers: { authorization: `Bearer ${agencyOfficer.token}` } });
      assert.equal(forbidden.status, 403);
      const response = await app.request(`/api/v1/channels/dead-letters/${id}/retry`, { method: 'POST', headers: { authorization: `Bearer ${officer.token}` } });
      assert.equal(response.status, 200);
      const result = (await response.json()) as { envelope: { status: string }; outcome: { created: number } };
      assert.equal(result.envelope.status, 'processed');
      assert.equal(result.outcome.created, 1);
      assert.equal((await inbound('whatsapp', 'wamid.retry-me'))?.outcome, 'created');
      const again = await app.request(`/api/v1/channels/dead-letters/${id}/retry`, { method: 'POST', headers: { authorization: `Bearer ${officer.token}` } });
      assert.equal(again.status, 404, 'a processed envelope is no longer a dead letter');
    });

    test('unsupported type then normal message', async () => {
      const from = '6281211110005';
      const unsupported = whatsappMessage(from, { id: 'wamid.unsupported-poll', type: 'unsupported', unsupported: { type: 'poll' }, errors: [{ code: 131051, title: 'Message type unknown' }] });
      assert.equal((await post('whatsapp', unsupported)).status, 200);
      await settleInboundProcessing();
      const first = await inbound('whatsapp', 'wamid.unsupported-poll');
      assert.equal(first?.outcome, 'created');
      assert.match((await complaint(first!.complaint_id!)).description, /\[Pesan jenis poll belum didukung/);

      assert.equal((await post('whatsapp', whatsappText(from, 'wamid.after-unsupported', 'Maaf, maksud saya jembatan di Desa Jati retak.', new Date()))).status, 200);
      await settleInboundProcessing();
      const second = await inbound('whatsapp', 'wamid.after-unsupported');
      assert.equal(second?.outcome, 'replied', 'the normal message joins the open report');
      assert.equal(second?.complaint_id, first?.complaint_id);
      const reply = await database.db.selectFrom('complaint_events').selectAll().where('id', '=', second!.event_id!).executeTakeFirstOrThrow();
      assert.equal(reply.type, 'citizen_replied');
      assert.equal(reply.body, 'Maaf, maksud saya jembatan di Desa Jati retak.');
    });

    test('direct message threading window', async () => {
      const from = '6281211110006';
      const day = 86_400_000;
      const old = new Date(Date.now() - 30 * day);
      // Each delivery is processed before the next one is sent, as the provider's order would have it;
      // background processing of three posts at once may otherwise finish out of order.
      assert.equal((await post('whatsapp', whatsappText(from, 'wamid.window-1', 'Pohon tumbang menutup jalan kampung.', old))).status, 200);
      await settleInboundProcessing();
      assert.equal((await post('whatsapp', whatsappText(from, 'wamid.window-2', 'Sudah dua hari belum ada petugas datang.', new Date(old.getTime() + 2 * day)))).status, 200);
      await settleInboundProcessing();
      assert.equal((await post('whatsapp', whatsappText(from, 'wamid.window-3', 'Sekarang ada masalah lain: air PDAM keruh.', new Date(old.getTime() + 20 * day)))).status, 200);
      await settleInboundProcessing();
      const [first, second, third] = await Promise.all(['wamid.window-1', 'wamid.window-2', 'wamid.window-3'].map((id) => inbound('whatsapp', id)));
      assert.equal(first?.outcome, 'created');
      assert.equal(second?.outcome, 'replied');
      assert.equal(second?.complaint_id, first?.complaint_id);
      assert.equal(third?.outcome, 'created', 'a message 18 days after the last one opens a new report');
      assert.notEqual(third?.complaint_id, first?.complaint_id);
      assert.equal(third?.reporter_id, first?.reporter_id, 'same reporter');
    });

    test('months-old sender time uses arrival', async () => {
      const twoYearsAgo = new Date(Date.now() - 730 * 86_400_000);
      assert.equal((await post('whatsapp', whatsappText('6281211110099', 'wamid.old-clock', 'Jam ponsel saya salah, lampu jalan mati.', twoYearsAgo))).status, 200);
      await settleInboundProcessing();
      const row = await inbound('whatsapp', 'wamid.old-clock');
      assert.equal(row?.outcome, 'created');
      const created = await complaint(row!.complaint_id!);
      assert.ok(Date.now() - created.received_at.getTime() < 5 * 60_000, `received_at ${created.received_at.toISOString()}`);
    });

    test('reply reopens a resolved report', async () => {
      const from = '6281211110007';
      assert.equal((await post('whatsapp', whatsappText(from, 'wamid.reopen-1', 'Kapan jadwal pengambilan KTP elektronik?', new Date()))).status, 200);
      await settleInboundProcessing();
      const first = await inbound('whatsapp', 'wamid.reopen-1');
      await answerComplaint({ db: database.db, actor: officer.actor }, first!.complaint_id!, { body: 'KTP dapat diambil hari Senin di kantor kecamatan.' });
      assert.equal((await complaint(first!.complaint_id!)).status, 'resolved');

      assert.equal((await post('whatsapp', whatsappText(from, 'wamid.reopen-2', 'Saya sudah ke kecamatan tetapi belum jadi.', new Date()))).status, 200);
      await settleInboundProcessing();
      const second = await inbound('whatsapp', 'wamid.reopen-2');
      assert.equal(second?.outcome, 'replied');
      assert.equal(second?.complaint_id, first?.complaint_id);
      assert.notEqual((await complaint(first!.complaint_id!)).status, 'resolved');
      const types = await eventTypes(first!.complaint_id!);
      assert.ok(types.includes('reopened'), `events: ${types.join(', ')}`);
    });

    test('public comments thread by post', async () => {
      const now = Math.floor(Date.now() / 1000);
      const comment = (commentId: string, sender: string, verb: string, message: string, at = now) => pageFeed({
        item: 'comment', verb, post_id: '1234567890321_777', comment_id: commentId, parent_id: '1234567890321_777',
        from: { id: sender, name: 'Warga Komentar' }, message, created_time: at,
      });
      assert.equal((await post('meta', comment('777_1', '5550001', 'add', 'Jalan di Karangpandan berlubang besar, tolong diperbaiki.'))).status, 200);
      assert.equal((await post('meta', comment('777_2', '5550001', 'add', 'Sudah ada korban jatuh dari motor kemarin.'))).status, 200);
      assert.equal((await post('meta', comment('777_3', '5550002', 'add', 'Betul, di dekat pasar juga rusak.'))).status, 200);
      assert.equal((await post('meta', comment('777_1', '5550001', 'edited', 'Jalan di Karangpandan berlubang besar dan dalam.', now + 60))).status, 200);
      assert.equal((await post('meta', comment('777_1', '5550001', 'hide', '', now + 120))).status, 200);
      await settleInboundProcessing();

      const first = await inbound('facebook', '777_1');
      const second = await inbound('facebook', '777_2');
      const other = await inbound('facebook', '777_3');
      assert.equal(first?.outcome, 'created');
      assert.equal(second?.outcome, 'replied', 'same sender, same post');
      assert.equal(second?.complaint_id, first?.complaint_id);
      assert.equal(other?.outcome, 'created', 'another sender opens their own report');
      assert.notEqual(other?.complaint_id, first?.complaint_id);
      const edit = await inbound('facebook', `777_1:edited:${now + 60}`);
      const hide = await inbound('facebook', `777_1:hide:${now + 120}`);
      assert.equal(edit?.outcome, 'event');
      assert.equal(edit?.complaint_id, first?.complaint_id);
      assert.equal(hide?.outcome, 'event');
      const types = await eventTypes(first!.complaint_id!);
      assert.ok(types.includes('comment_edited'));
      assert.ok(types.includes('comment_hidden'));
      const edited = await database.db.selectFrom('complaint_events').selectAll().where('id', '=', edit!.event_id!).executeTakeFirstOrThrow();
      assert.equal(edited.body, 'Jalan di Karangpandan berlubang besar dan dalam.');
    });

    test('WhatsApp image downloaded without EXIF', async () => {
      const from = '6281211110008';
      const image = whatsappMessage(from, { id: 'wamid.image-ok', type: 'image', image: { id: 'wamid-media-ok', mime_type: 'image/jpeg', caption: 'Foto jalan yang rusak parah' } });
      const missing = whatsappMessage('6281211110009', { id: 'wamid.image-missing', type: 'image', image: { id: 'media-gone', mime_type: 'image/jpeg', caption: 'Foto sampah di sungai dekat rumah' } });
      assert.equal((await post('whatsapp', image)).status, 200);
      assert.equal((await post('whatsapp', missing)).status, 200);
      await settleInboundProcessing();

      const stored = await inbound('whatsapp', 'wamid.image-ok');
      const files = await database.db.selectFrom('attachments').selectAll().where('complaint_id', '=', stored!.complaint_id!).execute();
      assert.equal(files.length, 1);
      assert.equal(files[0].mime_type, 'image/jpeg');
      assert.ok(!files[0].content.toString('latin1').includes('GPSLatitude'), 'EXIF removed');

      const kept = await inbound('whatsapp', 'wamid.image-missing');
      assert.equal(kept?.outcome, 'created', 'the message is kept when its download fails');
      assert.deepEqual(kept?.attachment_errors, [{ kind: 'image', reason: 'download failed: HTTP 404' }]);
      const received = await database.db.selectFrom('complaint_events').selectAll().where('id', '=', kept!.event_id!).executeTakeFirstOrThrow();
      assert.deepEqual(received.data.attachmentFailures, [{ kind: 'image', reason: 'download failed: HTTP 404' }]);
      assert.equal((await database.db.selectFrom('attachments').selectAll().where('complaint_id', '=', kept!.complaint_id!).execute()).length, 0);
    });

    test('Telegram photo fetched with getFile', async () => {
      const body = Buffer.from(JSON.stringify({
        update_id: 900001,
        message: {
          message_id: 55,
          from: { id: 70000001, is_bot: false, first_name: 'Warga' },
          chat: { id: 70000001, type: 'private', first_name: 'Warga' },
          date: Math.floor(Date.now() / 1000),
          caption: 'Genangan air di jalan utama desa',
          photo: [{ file_id: 'small', file_unique_id: 's', width: 90, height: 90 }, { file_id: 'AgACAgQAAxkBAAIBfoto', file_unique_id: 'b', width: 800, height: 600 }],
        },
      }));
      assert.equal((await post('telegram', body)).status, 200);
      await settleInboundProcessing();
      const row = await inbound('telegram', '70000001:55');
      assert.equal(row?.outcome, 'created');
      assert.equal(row?.account, '123456789', 'bot id taken from the token');
      const files = await database.db.selectFrom('attachments').selectAll().where('complaint_id', '=', row!.complaint_id!).execute();
      assert.equal(files.length, 1);
      assert.ok(media.requests.includes(`/bot${SECRETS.TELEGRAM_BOT_TOKEN}/getFile`));
    });

    test('a receipt that beats its send waits for it', async () => {
      const now = new Date();
      const report = await storeEnvelope(database.db, { source: 'whatsapp', rawBody: whatsappText('6281211110020', 'wamid.race-report', 'Lampu jalan di gang masjid mati sejak kemarin.', now), headers: {}, receivedAt: now });
      await processEnvelope(database.db, registry, report, now);
      const row = await inbound('whatsapp', 'wamid.race-report');
      const ack = await database.db.selectFrom('outbound_messages').select('id').where('complaint_id', '=', row!.complaint_id!).executeTakeFirstOrThrow();
      // The acknowledgement is being sent: claimed, its provider id not yet stored.
      await database.db.updateTable('outbound_messages').set({ status: 'pending', provider_message_id: null, claimed_until: new Date(now.getTime() + 60_000) }).where('id', '=', ack.id).execute();

      const receipt = Buffer.from(JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '1234567890', changes: [{ field: 'messages', value: {
        messaging_product: 'whatsapp', metadata: { display_phone_number: '62271495039', phone_number_id: SECRETS.WHATSAPP_PHONE_NUMBER_ID },
        statuses: [{ id: 'wamid.RACE1', status: 'delivered', timestamp: String(Math.floor(now.getTime() / 1000)), recipient_id: '6281211110020' }],
      } }] }] }));
      const envelope = await storeEnvelope(database.db, { source: 'whatsapp', rawBody: receipt, headers: {}, receivedAt: now });
      const waiting = await processEnvelope(database.db, registry, envelope, now);
      assert.equal(waiting?.status, 'pending', 'the receipt waits while a send is in flight');

      // The send finishes and records the id; the receipt is read again after its pause.
      await database.db.updateTable('outbound_messages').set({ status: 'sent', provider_message_id: 'wamid.RACE1', sent_at: now, claimed_until: null }).where('id', '=', ack.id).execute();
      assert.equal(await processEnvelope(database.db, registry, envelope, new Date(now.getTime() + 10_000)), null, 'not before the pause');
      const applied = await processEnvelope(database.db, registry, envelope, new Date(now.getTime() + 31_000));
      assert.equal(applied?.status, 'processed');
      assert.equal(applied?.statusesApplied, 1);
      const delivered = await database.db.selectFrom('outbound_messages').select('status').where('id', '=', ack.id).executeTakeFirstOrThrow();
      assert.equal(delivered.status, 'delivered');
    });

    test('sweep processes stored envelopes once', async () => {
      const body = whatsappText('6281211110010', 'wamid.sweep-1', 'Pungutan liar di loket pelayanan.', new Date());
      const id = await storeEnvelope(database.db, { source: 'whatsapp', rawBody: body, headers: {}, receivedAt: new Date() });
      const [a, b] = await Promise.all([processEnvelope(database.db, registry, id), processEnvelope(database.db, registry, id)]);
      assert.equal([a, b].filter((outcome) => outcome !== null).length, 1, 'one worker claims the envelope');
      assert.equal(await processEnvelope(database.db, registry, id), null, 'a processed envelope is not claimed again');
      const rows = await database.db.selectFrom('inbound_messages').selectAll().where('provider_message_id', '=', 'wamid.sweep-1').execute();
      assert.equal(rows.length, 1);
      // A crashed worker's claim expires, and the sweep then finishes the envelope.
      const orphan = await storeEnvelope(database.db, { source: 'whatsapp', rawBody: whatsappText('6281211110011', 'wamid.sweep-2', 'Izin usaha belum terbit sudah sebulan.', new Date()), headers: {}, receivedAt: new Date() });
      await database.db.updateTable('channel_envelopes').set({ claimed_until: new Date(Date.now() - 1000), attempts: 1 }).where('id', '=', orphan).execute();
      assert.equal(await processPendingEnvelopes(database.db, registry), 1);
      assert.equal((await inbound('whatsapp', 'wamid.sweep-2'))?.outcome, 'created');
    });

    describe('e-mail', () => {
      async function receiveMail(raw: Buffer) {
        const id = await storeEnvelope(database.db, { source: 'email', rawBody: raw, headers: {}, receivedAt: new Date() });
        const outcome = await processEnvelope(database.db, registry, id);
        assert.ok(outcome, 'envelope claimed');
        return outcome;
      }

      test('non-participant reply opens new case', async () => {
        await receiveMail(rawEmail(
          { From: 'Warga Satu <warga.satu@contoh.id>', To: SECRETS.MAIL_FROM, Subject: 'Lampu jalan mati di Jaten', 'Message-ID': '<thread-1@contoh.id>' },
          'Lampu jalan di depan pasar Jaten mati sejak Senin.',
        ));
        const original = await inbound('email', '<thread-1@contoh.id>');
        assert.equal(original?.outcome, 'created');

        await receiveMail(rawEmail(
          { From: 'Orang Lain <orang.lain@contoh.id>', To: SECRETS.MAIL_FROM, Subject: 'Re: Lampu jalan mati di Jaten', 'Message-ID': '<thread-2@contoh.id>', 'In-Reply-To': '<thread-1@contoh.id>', References: '<thread-1@contoh.id>' },
          'Saya juga melihat lampu di perempatan mati.',
        ));
        const stranger = await inbound('email', '<thread-2@contoh.id>');
        assert.equal(stranger?.outcome, 'created', 'a sender who is not a participant gets a new report');
        assert.notEqual(stranger?.complaint_id, original?.complaint_id);

        await receiveMail(rawEmail(
          { From: 'Warga Satu <warga.satu@contoh.id>', To: SECRETS.MAIL_FROM, Subject: 'Re: Lampu jalan mati di Jaten', 'Message-ID': '<thread-3@contoh.id>', 'In-Reply-To': '<thread-1@contoh.id>', References: '<thread-1@contoh.id>' },
          'Tambahan: tiangnya juga miring.\n\nPada Sen, 2 Mar 2026 pukul 10.15, Warga Satu <warga.satu@contoh.id> menulis:\n> Lampu jalan di depan pasar Jaten mati sejak Senin.',
        ));
        const participant = await inbound('email', '<thread-3@contoh.id>');
        assert.equal(participant?.outcome, 'replied');
        assert.equal(participant?.complaint_id, original?.complaint_id);
        const reply = await database.db.selectFrom('complaint_events').selectAll().where('id', '=', participant!.event_id!).executeTakeFirstOrThrow();
        assert.equal(reply.body, 'Tambahan: tiangnya juga miring.', 'quoted history is not part of the reply');
      });

      test('reply to our answer threads', async () => {
        await receiveMail(rawEmail(
          { From: 'warga.dua@contoh.id', To: SECRETS.MAIL_FROM, Subject: 'Pelayanan puskesmas', 'Message-ID': '<own-1@contoh.id>' },
          'Antrean di puskesmas sangat panjang setiap pagi.',
        ));
        const original = await inbound('email', '<own-1@contoh.id>');
        const transport = new RecordingTransport();
        const mailRegistry = createChannelRegistry(registry.settings, { mailTransport: transport });
        await database.db.updateTable('outbound_messages').set({ next_attempt_at: new Date(Date.now() + 86_400_000) }).where('complaint_id', '!=', original!.complaint_id!).where('status', '=', 'pending').execute();
        await deliverDueMessages({ db: database.db, registry: mailRegistry, publicUrl: SECRETS.PUBLIC_URL });
        const ack = transport.sent.find((mail) => mail.to === 'warga.dua@contoh.id');
        assert.ok(ack, 'acknowledgement mailed');
        assert.equal((ack.headers as Record<string, string>)['Auto-Submitted'], 'auto-generated');
        assert.equal(ack.inReplyTo, '<own-1@contoh.id>');

        await receiveMail(rawEmail(
          { From: 'warga.dua@contoh.id', To: SECRETS.MAIL_FROM, Subject: 'Re: Pelayanan puskesmas', 'Message-ID': '<own-2@contoh.id>', 'In-Reply-To': String(ack.messageId) },
          'Terima kasih, mohon kabari bila ada perbaikan.',
        ));
        const reply = await inbound('email', '<own-2@contoh.id>');
        assert.equal(reply?.outcome, 'replied');
        assert.equal(reply?.complaint_id, original?.complaint_id);
      });

      test('auto-reply loop opens nothing', async () => {
        const complaintsBefore = await countRows('complaints');
        const outboundBefore = await countRows('outbound_messages');
        await receiveMail(rawEmail(
          { From: 'cuti@contoh.id', To: SECRETS.MAIL_FROM, Subject: 'Automatic reply: Laporan Anda', 'Auto-Submitted': 'auto-replied', 'Message-ID': '<vacation-1@contoh.id>', 'In-Reply-To': '<aduan.x@karanganyarkab.go.id>' },
          'Saya sedang cuti sampai tanggal 10.',
        ));
        await receiveMail(rawEmail(
          { From: SECRETS.MAIL_FROM, To: SECRETS.MAIL_FROM, Subject: 'Re: Laporan', 'X-Aduan-Loop': 'karanganyarkab.go.id', 'Message-ID': '<loop-1@karanganyarkab.go.id>' },
          'Laporan Anda sudah kami terima.',
        ));
        for (const file of ['postalmime__test_fixtures_bounce.eml', 'postalmime__test_fixtures_arf.eml', 'mailparser__test_fixtures_delivery-status.eml']) {
          const outcome = await receiveMail(readFileSync(emailDir + file));
          assert.equal(outcome.status, 'ignored', `${file}: stored as ignored`);
          assert.match(outcome.error ?? '', /e-mail classified as (bounce|feedback_report)/, `${file}: reason`);
        }
        const vacation = await inbound('email', '<vacation-1@contoh.id>');
        assert.equal(vacation?.outcome, 'ignored');
        assert.match(vacation?.reason ?? '', /auto_reply/);
        assert.equal((await inbound('email', '<loop-1@karanganyarkab.go.id>'))?.reason?.includes('loop'), true);
        assert.equal(await countRows('complaints'), complaintsBefore, 'no report opened');
        assert.equal(await countRows('outbound_messages'), outboundBefore, 'nothing queued');

        const transport = new RecordingTransport();
        await deliverDueMessages({ db: database.db, registry: createChannelRegistry(registry.settings, { mailTransport: transport }), publicUrl: SECRETS.PUBLIC_URL });
        assert.ok(!transport.sent.some((mail) => mail.to === 'cuti@contoh.id' || mail.to === SECRETS.MAIL_FROM), 'nothing sent to the robots');
      });

      test('signature phone links WhatsApp reporter', async () => {
        assert.equal((await post('whatsapp', whatsappText('6281234567890', 'wamid.link-1', 'Jembatan gantung di Tawangmangu goyang.', new Date()))).status, 200);
        await settleInboundProcessing();
        const whatsapp = await inbound('whatsapp', 'wamid.link-1');
        assert.ok(whatsapp?.reporter_id);

        await receiveMail(rawEmail(
          { From: 'Budi <budi.warga@contoh.id>', To: SECRETS.MAIL_FROM, Subject: 'Foto jembatan', 'Message-ID': '<link-2@contoh.id>' },
          'Berikut keterangan tambahan tentang jembatan gantung.\n\nSalam,\nBudi\n0812-3456-7890',
        ));
        const email = await inbound('email', '<link-2@contoh.id>');
        assert.equal(email?.reporter_id, whatsapp.reporter_id, 'one reporter for both channels');
        const contacts = await database.db.selectFrom('contacts').select(['kind', 'value']).where('reporter_id', '=', whatsapp.reporter_id).orderBy('kind').execute();
        assert.deepEqual(contacts, [
          { kind: 'email', value: 'budi.warga@contoh.id' },
          { kind: 'phone', value: '+6281234567890' },
          { kind: 'whatsapp', value: '+6281234567890' },
        ]);
      });

      test('every e-mail fixture is stored', async () => {
        for (const file of readdirSync(emailDir).filter((name) => name.endsWith('.eml')).sort()) {
          const raw = readFileSync(emailDir + file);
          const outcome = await receiveMail(raw);
          assert.notEqual(outcome.status, 'dead', `${file}: ${outcome.error}`);
          const parsed = await registry.parse('email', raw, new Date());
          for (const message of parsed.messages) {
            const row = await inbound('email', message.providerMessageId);
            assert.ok(row, `${file}: inbound message recorded`);
            const automatic = message.email?.classification !== 'human';
            assert.equal(row.outcome === 'ignored', automatic, `${file}: ${row.outcome} for ${message.email?.classification}`);
          }
        }
      });
    });
  });
}
