import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sendTelegramText, type TelegramSendConfig } from '../../../src/channels/telegram/send.ts';
import { startFakeTelegram, telegramError, type FakeProviderServer } from '../../support/fake-providers.ts';

describe('sendTelegramText', () => {
  let server: FakeProviderServer;
  let config: TelegramSendConfig;

  before(async () => {
    server = await startFakeTelegram({ botToken: '123456:ABC-uji' });
    config = { baseUrl: server.baseUrl, botToken: '123456:ABC-uji', timeoutMs: 2000 };
  });
  after(() => server.close());

  it('sends and returns a chat-scoped id', async () => {
    const result = await sendTelegramText(config, { chatId: '12345678', text: 'Laporan Anda sudah kami terima.', replyToMessageId: '11223' });
    assert.equal(result.ok, true);
    assert.match(result.ok ? result.providerMessageId : '', /^12345678:\d+$/);
    const request = server.requests.at(-1)!;
    assert.equal(request.path, '/bot123456:ABC-uji/sendMessage');
    assert.deepEqual(request.body, {
      chat_id: '12345678',
      text: 'Laporan Anda sudah kami terima.',
      link_preview_options: { is_disabled: true },
      reply_parameters: { message_id: 11223, allow_sending_without_reply: true },
    });
  });

  it('retries 429 after retry_after and 5xx', async () => {
    server.failNext(telegramError(429, 'Too Many Requests: retry after 5', 5));
    const limited = await sendTelegramText(config, { chatId: '12345678', text: 'Halo' });
    assert.deepEqual(limited.ok ? undefined : [limited.retryable, limited.category, limited.retryAfterSeconds], [true, 'rate_limited', 5]);
    server.failNext({ status: 502, body: '<html>Bad Gateway</html>' });
    const gateway = await sendTelegramText(config, { chatId: '12345678', text: 'Halo' });
    assert.deepEqual(gateway.ok ? undefined : [gateway.retryable, gateway.category, gateway.code], [true, 'provider_error', '502']);
  });

  it('treats blocked users and bad tokens as final', async () => {
    server.failNext(telegramError(403, 'Forbidden: bot was blocked by the user'));
    const blocked = await sendTelegramText(config, { chatId: '12345678', text: 'Halo' });
    assert.deepEqual(blocked.ok ? undefined : [blocked.retryable, blocked.category], [false, 'recipient_unreachable']);
    server.failNext(telegramError(400, 'Bad Request: chat not found'));
    const noChat = await sendTelegramText(config, { chatId: '999', text: 'Halo' });
    assert.deepEqual(noChat.ok ? undefined : [noChat.retryable, noChat.category], [false, 'recipient_unreachable']);
    const badToken = await sendTelegramText({ ...config, botToken: '999:wrong' }, { chatId: '12345678', text: 'Halo' });
    assert.deepEqual(badToken.ok ? undefined : [badToken.retryable, badToken.category, badToken.code], [false, 'auth', '401']);
  });

  it('checks input before sending', async () => {
    const count = server.requests.length;
    assert.equal((await sendTelegramText(config, { chatId: 'abc', text: 'Halo' })).ok, false);
    assert.equal((await sendTelegramText(config, { chatId: '1', text: 'x'.repeat(4097) })).ok, false);
    assert.equal(server.requests.length, count);
  });
});
