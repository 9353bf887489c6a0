/**
 * The webhook endpoints and the channel admin API over HTTP: handshakes,
 * authenticity checks, unconfigured channels, limits, health and dead letters.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../support/db.ts';
import { makeStaff, type TestStaff } from '../support/staff.ts';
import { createApp } from '../../src/web/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createSession } from '../../src/commands/users.ts';
import { settleInboundProcessing, storeEnvelope } from '../../src/jobs/inbound.ts';
import { MAX_WEBHOOK_BODY_BYTES } from '../../src/web/routes/webhooks.ts';

const SECRETS = {
  WHATSAPP_APP_SECRET: 'wa-app-secret-for-tests',
  WHATSAPP_VERIFY_TOKEN: 'wa-verify-token',
  TELEGRAM_SECRET_TOKEN: 'telegram-secret_token-1',
  META_APP_SECRET: 'meta-app-secret-for-tests',
  META_VERIFY_TOKEN: 'meta-verify-token',
  X_CONSUMER_SECRET: 'x-consumer-secret-for-tests',
  SMS_GATEWAY_SECRET: 'sms-gateway-secret',
};

function smsHeaders(body: Buffer, timestamp: number, secret = SECRETS.SMS_GATEWAY_SECRET): Record<string, string> {
  const digest = createHmac('sha256', secret).update(Buffer.concat([Buffer.from(`${timestamp}.`), body])).digest('hex');
  return { 'content-type': 'application/json', 'x-aduan-timestamp': String(timestamp), 'x-aduan-signature': `sha256=${digest}` };
}

function smsMessage(id: string, text: string): Buffer {
  return Buffer.from(JSON.stringify({ id, from: '0812-1111-2222', to: '+62271495039', text, receivedAt: new Date().toISOString() }));
}

for (const backend of BACKENDS) {
  describe(`webhooks on ${backend}`, () => {
    let database: TestDatabase;
    let app: ReturnType<typeof createApp>;
    let bare: ReturnType<typeof createApp>;
    let officer: TestStaff;
    let leader: TestStaff;

    before(async () => {
      database = await createTestDatabase(backend);
      app = createApp({ db: database.db, config: { ...loadConfig(SECRETS), dataDir: '/nonexistent' } });
      bare = createApp({ db: database.db, config: { ...loadConfig({}), dataDir: '/nonexistent' } });
      officer = await makeStaff(database.db, 'complaint_officer');
      leader = await makeStaff(database.db, 'leader');
    });
    after(async () => {
      await settleInboundProcessing();
      await database?.dispose();
    });

    async function envelopeCount() {
      const row = await database.db.selectFrom('channel_envelopes').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return Number(row.n);
    }

    test('Meta subscription handshake', async () => {
      for (const [source, token] of [['whatsapp', SECRETS.WHATSAPP_VERIFY_TOKEN], ['meta', SECRETS.META_VERIFY_TOKEN]] as const) {
        const ok = await app.request(`/webhooks/${source}?hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=1158201444`);
        assert.equal(ok.status, 200, source);
        assert.equal(await ok.text(), '1158201444');
        const wrong = await app.request(`/webhooks/${source}?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1158201444`);
        assert.equal(wrong.status, 403, `${source}: wrong token`);
        assert.doesNotMatch(await wrong.text(), /1158201444/);
        const mode = await app.request(`/webhooks/${source}?hub.mode=unsubscribe&hub.verify_token=${token}&hub.challenge=1`);
        assert.equal(mode.status, 403, `${source}: wrong mode`);
        const unconfigured = await bare.request(`/webhooks/${source}?hub.mode=subscribe&hub.verify_token=&hub.challenge=1`);
        assert.equal(unconfigured.status, 503, `${source}: no verify token configured`);
        assert.match(await unconfigured.text(), /_VERIFY_TOKEN/);
      }
    });

    test('X CRC check', async () => {
      const response = await app.request('/webhooks/x?crc_token=challenge-123');
      assert.equal(response.status, 200);
      const expected = `sha256=${createHmac('sha256', SECRETS.X_CONSUMER_SECRET).update('challenge-123').digest('base64')}`;
      assert.deepEqual(await response.json(), { response_token: expected });
      assert.equal((await app.request('/webhooks/x')).status, 400);
      assert.equal((await bare.request('/webhooks/x?crc_token=a')).status, 503);
    });

    test('GET on POST-only webhooks', async () => {
      assert.equal((await app.request('/webhooks/telegram')).status, 405);
      assert.equal((await app.request('/webhooks/sms')).status, 405);
      assert.equal((await app.request('/webhooks/whatsapp', { method: 'PUT', body: '{}' })).status, 405);
    });

    test('unconfigured channel rejects input', async () => {
      const before = await envelopeCount();
      for (const source of ['whatsapp', 'telegram', 'meta', 'x', 'sms']) {
        const response = await bare.request(`/webhooks/${source}`, { method: 'POST', body: '{"object":"page","entry":[]}' });
        assert.equal(response.status, 503, source);
        const body = (await response.json()) as { error: { code: string; message: string } };
        assert.equal(body.error.code, 'channel_not_configured');
        assert.match(body.error.message, /set [A-Z_]+_SECRET|set TELEGRAM_SECRET_TOKEN/, source);
      }
      assert.equal(await envelopeCount(), before, 'nothing stored');
    });

    test('unknown webhook is 404', async () => {
      const response = await app.request('/webhooks/line', { method: 'POST', body: '{}' });
      assert.equal(response.status, 404);
      assert.match(((await response.json()) as { error: { message: string } }).error.message, /whatsapp, telegram, meta, x, sms/);
    });

    test('oversized body is 413', async () => {
      const body = Buffer.alloc(MAX_WEBHOOK_BODY_BYTES + 1, 0x20);
      const signature = `sha256=${createHmac('sha256', SECRETS.META_APP_SECRET).update(body).digest('hex')}`;
      const before = await envelopeCount();
      const response = await app.request('/webhooks/meta', { method: 'POST', body: new Uint8Array(body), headers: { 'x-hub-signature-256': signature } });
      assert.equal(response.status, 413);
      assert.equal(await envelopeCount(), before);
    });

    test('SMS gateway signature and timestamp', async () => {
      const body = smsMessage('gw-in-1', 'Mohon info jadwal vaksinasi di puskesmas Jaten.');
      const now = Math.floor(Date.now() / 1000);
      const before = await envelopeCount();
      assert.equal((await app.request('/webhooks/sms', { method: 'POST', body: new Uint8Array(body), headers: smsHeaders(body, now - 600) })).status, 401, 'replayed after 10 minutes');
      assert.equal((await app.request('/webhooks/sms', { method: 'POST', body: new Uint8Array(body), headers: smsHeaders(body, now, 'other-secret') })).status, 401, 'wrong secret');
      assert.equal(await envelopeCount(), before, 'rejected requests are not stored');

      const response = await app.request('/webhooks/sms', { method: 'POST', body: new Uint8Array(body), headers: smsHeaders(body, now) });
      assert.equal(response.status, 200);
      await settleInboundProcessing();
      const row = await database.db.selectFrom('inbound_messages').selectAll().where('channel', '=', 'sms').where('provider_message_id', '=', 'gw-in-1').executeTakeFirstOrThrow();
      assert.equal(row.outcome, 'created');
      assert.equal(row.sender_value, '+6281211112222');
      const complaint = await database.db.selectFrom('complaints').selectAll().where('id', '=', row.complaint_id!).executeTakeFirstOrThrow();
      assert.equal(complaint.channel, 'sms');
      const contact = await database.db.selectFrom('contacts').selectAll().where('reporter_id', '=', complaint.reporter_id!).executeTakeFirstOrThrow();
      assert.deepEqual([contact.kind, contact.value], ['phone', '+6281211112222']);
    });

    test('stored headers keep no secret token', async () => {
      const body = Buffer.from(JSON.stringify({ update_id: 31, message: { message_id: 1, date: Math.floor(Date.now() / 1000), chat: { id: 42, type: 'group' }, from: { id: 42, is_bot: false }, text: 'halo' } }));
      const response = await app.request('/webhooks/telegram', { method: 'POST', body: new Uint8Array(body), headers: { 'x-telegram-bot-api-secret-token': SECRETS.TELEGRAM_SECRET_TOKEN, 'content-type': 'application/json' } });
      assert.equal(response.status, 200);
      await settleInboundProcessing();
      const envelope = await database.db.selectFrom('channel_envelopes').selectAll().where('source', '=', 'telegram').orderBy('id', 'desc').executeTakeFirstOrThrow();
      assert.equal(envelope.headers['content-type'], 'application/json');
      assert.ok(!JSON.stringify(envelope.headers).includes(SECRETS.TELEGRAM_SECRET_TOKEN));
      assert.equal(envelope.status, 'ignored', 'group chats are not handled');
      assert.match(envelope.error ?? '', /group chat/);
    });

    test('health needs staff and counts', async () => {
      assert.equal((await app.request('/api/v1/channels/health')).status, 401);
      const deadId = await storeEnvelope(database.db, { source: 'x', rawBody: Buffer.from('not json'), headers: {}, receivedAt: new Date() });
      await database.db.updateTable('channel_envelopes').set({ status: 'dead', error: 'Invalid x payload: the request body is not valid JSON.' }).where('id', '=', deadId).execute();

      const response = await app.request('/api/v1/channels/health', { headers: { authorization: `Bearer ${leader.token}` } });
      assert.equal(response.status, 200);
      const report = (await response.json()) as {
        windowHours: number;
        channels: Array<{ channel: string; lastInboundAt: string | null; deadLetters24h: number; problems: string[] }>;
        sources: Array<{ source: string; deadLetters24h: number }>;
      };
      assert.equal(report.windowHours, 24);
      const sms = report.channels.find((row) => row.channel === 'sms');
      assert.ok(sms?.lastInboundAt, 'SMS received earlier in this suite');
      assert.ok(sms.problems.some((problem) => /SMS_GATEWAY_URL/.test(problem)), 'sending is not configured');
      const x = report.channels.find((row) => row.channel === 'x');
      assert.ok(x);
      assert.ok(x.deadLetters24h >= 1);
      assert.ok((report.sources.find((row) => row.source === 'x')?.deadLetters24h ?? 0) >= 1);
    });

    test('dead letter API permissions', async () => {
      assert.equal((await app.request('/api/v1/channels/dead-letters')).status, 401);
      assert.equal((await app.request('/api/v1/channels/dead-letters', { headers: { authorization: `Bearer ${leader.token}` } })).status, 403);
      const auth = { authorization: `Bearer ${officer.token}` };
      assert.equal((await app.request('/api/v1/channels/dead-letters?source=line', { headers: auth })).status, 400);
      assert.equal((await app.request('/api/v1/channels/dead-letters?limit=0', { headers: auth })).status, 400);
      assert.equal((await app.request('/api/v1/channels/dead-letters/abc/retry', { method: 'POST', headers: auth })).status, 400);
      assert.equal((await app.request('/api/v1/channels/dead-letters/999999/retry', { method: 'POST', headers: auth })).status, 404);

      for (let index = 0; index < 3; index++) {
        const id = await storeEnvelope(database.db, { source: 'telegram', rawBody: Buffer.from(`broken ${index}`), headers: {}, receivedAt: new Date() });
        await database.db.updateTable('channel_envelopes').set({ status: 'dead', error: 'Invalid telegram payload: the request body is not valid JSON.' }).where('id', '=', id).execute();
      }
      const first = (await (await app.request('/api/v1/channels/dead-letters?source=telegram&limit=2', { headers: auth })).json()) as {
        deadLetters: Array<{ id: number; source: string; bodyBytes: number }>;
        nextBefore: number | null;
      };
      assert.equal(first.deadLetters.length, 2);
      assert.ok(first.deadLetters.every((letter) => letter.source === 'telegram' && letter.bodyBytes === 8));
      assert.ok(first.nextBefore);
      const second = (await (await app.request(`/api/v1/channels/dead-letters?source=telegram&limit=2&before=${first.nextBefore}`, { headers: auth })).json()) as {
        deadLetters: Array<{ id: number }>;
        nextBefore: number | null;
      };
      assert.equal(second.deadLetters.length, 1);
      assert.ok(second.deadLetters[0].id < first.nextBefore!);
      assert.equal(second.nextBefore, null);

      // A browser session must send its CSRF token to retry.
      const officerRow = await database.db.selectFrom('users').select('id').where('email', '=', officer.email).executeTakeFirstOrThrow();
      const session = await createSession(database.db, officerRow.id);
      const cookie = { cookie: `aduan_session=${session.token}` };
      const target = second.deadLetters[0].id;
      assert.equal((await app.request(`/api/v1/channels/dead-letters/${target}/retry`, { method: 'POST', headers: cookie })).status, 403);
      const retried = await app.request(`/api/v1/channels/dead-letters/${target}/retry`, { method: 'POST', headers: { ...cookie, 'x-csrf-token': session.csrfToken } });
      assert.equal(retried.status, 200);
      const retriedRow = await database.db.selectFrom('channel_envelopes').selectAll().where('id', '=', target).executeTakeFirstOrThrow();
      assert.equal(retriedRow.retried_by_user_id, officerRow.id);
      assert.equal(retriedRow.status, 'dead', 'the same broken body fails again');
    });
  });
}
