import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sendSms, type SmsSendConfig } from '../../../src/channels/sms/send.ts';
import { smsGatewayError, startFakeSmsGateway } from '../../support/fake-providers.ts';

describe('sendSms', () => {
  let server: Awaited<ReturnType<typeof startFakeSmsGateway>>;
  let config: SmsSendConfig;

  before(async () => {
    server = await startFakeSmsGateway({ apiKey: 'sms-key' });
    config = { baseUrl: server.baseUrl, apiKey: 'sms-key', timeoutMs: 2000 };
  });
  after(() => server.close());

  it('sends with E.164 and an idempotency key', async () => {
    const result = await sendSms(config, { to: '0812-3456-7890', text: 'Aduan ADU-2026-0001 sudah selesai.', clientReference: 'delivery-1' });
    assert.deepEqual(result, { ok: true, providerMessageId: 'gw-out-1' });
    const request = server.requests.at(-1)!;
    assert.equal(request.headers['idempotency-key'], 'delivery-1');
    assert.equal(request.headers.authorization, 'Bearer sms-key');
    assert.deepEqual(request.body, { to: '+6281234567890', text: 'Aduan ADU-2026-0001 sudah selesai.', clientReference: 'delivery-1' });
  });

  it('does not send twice on retry', async () => {
    const before = server.sentCount();
    const first = await sendSms(config, { to: '+6281234567890', text: 'Halo', clientReference: 'delivery-2' });
    const second = await sendSms(config, { to: '+6281234567890', text: 'Halo', clientReference: 'delivery-2' });
    assert.deepEqual(first, second);
    assert.equal(server.sentCount(), before + 1);
  });

  it('classifies gateway errors', async () => {
    server.failNext(smsGatewayError(429, 'rate_limited', 'Slow down.', { 'retry-after': '30' }));
    const limited = await sendSms(config, { to: '+6281234567890', text: 'Halo', clientReference: 'd3' });
    assert.deepEqual(limited.ok ? undefined : [limited.retryable, limited.category, limited.retryAfterSeconds], [true, 'rate_limited', 30]);
    server.failNext(smsGatewayError(400, 'invalid_number', 'The number is not a valid mobile number.'));
    const invalid = await sendSms(config, { to: '+6281234567890', text: 'Halo', clientReference: 'd4' });
    assert.deepEqual(invalid.ok ? undefined : [invalid.retryable, invalid.category], [false, 'recipient_unreachable']);
    server.failNext({ status: 500, body: 'oops' });
    const crash = await sendSms(config, { to: '+6281234567890', text: 'Halo', clientReference: 'd5' });
    assert.deepEqual(crash.ok ? undefined : [crash.retryable, crash.code], [true, 'http_500']);
    const badKey = await sendSms({ ...config, apiKey: 'x' }, { to: '+6281234567890', text: 'Halo', clientReference: 'd6' });
    assert.deepEqual(badKey.ok ? undefined : [badKey.retryable, badKey.category], [false, 'auth']);
  });

  it('checks input before sending', async () => {
    const count = server.requests.length;
    assert.equal((await sendSms(config, { to: '12', text: 'Halo', clientReference: 'x' })).ok, false);
    assert.equal((await sendSms(config, { to: '+6281234567890', text: 'x'.repeat(919), clientReference: 'x' })).ok, false);
    assert.equal((await sendSms(config, { to: '+6281234567890', text: 'Halo', clientReference: '' })).ok, false);
    assert.equal(server.requests.length, count);
  });
});
