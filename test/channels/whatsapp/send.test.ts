import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sendWhatsAppTemplate, sendWhatsAppText, type WhatsAppSendConfig } from '../../../src/channels/whatsapp/send.ts';
import { graphError, startFakeWhatsApp, type FakeProviderServer } from '../../support/fake-providers.ts';

describe('sendWhatsAppText', () => {
  let server: FakeProviderServer;
  let config: WhatsAppSendConfig;

  before(async () => {
    server = await startFakeWhatsApp({ accessToken: 'wa-token' });
    config = { baseUrl: server.baseUrl, apiVersion: 'v21.0', phoneNumberId: '106540352242922', accessToken: 'wa-token', timeoutMs: 2000 };
  });
  after(() => server.close());

  it('posts a text and returns the wamid', async () => {
    const result = await sendWhatsAppText(config, { to: '+6281234567890', text: 'Laporan Anda tercatat.', replyToMessageId: 'wamid.IN1' });
    assert.equal(result.ok, true);
    assert.match(result.ok ? result.providerMessageId : '', /^wamid\.FAKE\d+$/);
    const request = server.requests.at(-1)!;
    assert.equal(request.path, '/v21.0/106540352242922/messages');
    assert.equal(request.headers.authorization, 'Bearer wa-token');
    assert.deepEqual(request.body, {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '6281234567890',
      type: 'text',
      text: { body: 'Laporan Anda tercatat.', preview_url: false },
      context: { message_id: 'wamid.IN1' },
    });
  });

  it('sends a template with body parameters', async () => {
    const result = await sendWhatsAppTemplate(config, { to: '+6281234567890', templateName: 'tanggapan_aduan', languageCode: 'id', bodyParameters: ['ADU-2026-0001'] });
    assert.equal(result.ok, true);
    assert.deepEqual((server.requests.at(-1)!.body as Record<string, unknown>).template, {
      name: 'tanggapan_aduan',
      language: { code: 'id' },
      components: [{ type: 'body', parameters: [{ type: 'text', text: 'ADU-2026-0001' }] }],
    });
  });

  it('treats 131047 as final outside the window', async () => {
    server.failNext(graphError(400, 131047, 'Re-engagement message', { details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.' }));
    const result = await sendWhatsAppText(config, { to: '+6281234567890', text: 'Halo' });
    assert.equal(result.ok, false);
    assert.deepEqual(result.ok ? undefined : [result.retryable, result.category, result.code, result.httpStatus], [false, 'outside_window', '131047', 400]);
    assert.match(result.ok ? '' : result.message, /24 hours/);
  });

  it('retries rate limits and server errors', async () => {
    server.failNext(graphError(400, 130429, 'Rate limit hit'));
    const throughput = await sendWhatsAppText(config, { to: '+6281234567890', text: 'Halo' });
    assert.deepEqual(throughput.ok ? undefined : [throughput.retryable, throughput.category, throughput.code], [true, 'rate_limited', '130429']);

    server.failNext({ status: 429, body: { error: { message: 'Too many calls', code: 80007 } }, headers: { 'retry-after': '7' } });
    const waba = await sendWhatsAppText(config, { to: '+6281234567890', text: 'Halo' });
    assert.deepEqual(waba.ok ? undefined : [waba.retryable, waba.category, waba.retryAfterSeconds], [true, 'rate_limited', 7]);

    server.failNext({ status: 500, body: 'Internal Server Error' });
    const crash = await sendWhatsAppText(config, { to: '+6281234567890', text: 'Halo' });
    assert.deepEqual(crash.ok ? undefined : [crash.retryable, crash.category, crash.code], [true, 'provider_error', 'http_500']);

    server.failNext({ status: 503, body: { error: { message: 'Service temporarily unavailable', code: 2, is_transient: true } } });
    const transient = await sendWhatsAppText(config, { to: '+6281234567890', text: 'Halo' });
    assert.deepEqual(transient.ok ? undefined : [transient.retryable, transient.code], [true, '2']);
  });

  it('treats recipient and auth errors as final', async () => {
    server.failNext(graphError(400, 131026, 'Message Undeliverable.'));
    const undeliverable = await sendWhatsAppText(config, { to: '+6281234567890', text: 'Halo' });
    assert.deepEqual(undeliverable.ok ? undefined : [undeliverable.retryable, undeliverable.category], [false, 'recipient_unreachable']);

    const expired = await sendWhatsAppText({ ...config, accessToken: 'expired' }, { to: '+6281234567890', text: 'Halo' });
    assert.deepEqual(expired.ok ? undefined : [expired.retryable, expired.category, expired.code], [false, 'auth', '190']);

    server.failNext(graphError(400, 132001, 'Template name does not exist in the translation'));
    const template = await sendWhatsAppTemplate(config, { to: '+6281234567890', templateName: 'tidak_ada', languageCode: 'id' });
    assert.deepEqual(template.ok ? undefined : [template.retryable, template.category], [false, 'invalid_request']);
  });

  it('checks input before sending', async () => {
    const count = server.requests.length;
    const badNumber = await sendWhatsAppText(config, { to: '0812', text: 'Halo' });
    assert.equal(!badNumber.ok && badNumber.code, 'invalid_recipient');
    const tooLong = await sendWhatsAppText(config, { to: '+6281234567890', text: 'x'.repeat(4097) });
    assert.equal(!tooLong.ok && tooLong.code, 'text_too_long');
    const empty = await sendWhatsAppText(config, { to: '+6281234567890', text: '  ' });
    assert.equal(!empty.ok && empty.code, 'empty_text');
    assert.equal(server.requests.length, count, 'no request was made');
  });

  it('reports timeouts and refused connections as retryable', async () => {
    server.failNext({ status: 200, body: {}, delayMs: 500 });
    const slow = await sendWhatsAppText({ ...config, timeoutMs: 100 }, { to: '+6281234567890', text: 'Halo' });
    assert.deepEqual(slow.ok ? undefined : [slow.retryable, slow.category, slow.code], [true, 'network', 'timeout']);

    const closed = await startFakeWhatsApp({ accessToken: 'wa-token' });
    const closedUrl = closed.baseUrl;
    await closed.close();
    const refused = await sendWhatsAppText({ ...config, baseUrl: closedUrl }, { to: '+6281234567890', text: 'Halo' });
    assert.deepEqual(refused.ok ? undefined : [refused.retryable, refused.category, refused.code], [true, 'network', 'network_error']);
  });

  it('does not retry a success without an id', async () => {
    server.failNext({ status: 200, body: { messaging_product: 'whatsapp', messages: [] } });
    const result = await sendWhatsAppText(config, { to: '+6281234567890', text: 'Halo' });
    assert.deepEqual(result.ok ? undefined : [result.retryable, result.code], [false, 'invalid_response']);
  });
});
