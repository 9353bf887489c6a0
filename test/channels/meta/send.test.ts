import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { replyToComment, sendMessengerText, sendPrivateReply, type MetaSendConfig } from '../../../src/channels/meta/send.ts';
import { graphError, startFakeMeta, type FakeProviderServer } from '../../support/fake-providers.ts';

describe('Meta senders', () => {
  let server: FakeProviderServer;
  let config: MetaSendConfig;

  before(async () => {
    server = await startFakeMeta({ accessToken: 'page-token' });
    config = { baseUrl: server.baseUrl, apiVersion: 'v21.0', accessToken: 'page-token', pageId: '1234567890321', timeoutMs: 2000 };
  });
  after(() => server.close());

  it('sends a Messenger reply', async () => {
    const result = await sendMessengerText(config, { recipientId: '987654321432', text: 'Terima kasih, laporan Anda kami terima.' });
    assert.equal(result.ok && result.providerMessageId.startsWith('m_FAKE'), true);
    const request = server.requests.at(-1)!;
    assert.equal(request.path, '/v21.0/1234567890321/messages');
    assert.deepEqual(request.body, {
      recipient: { id: '987654321432' },
      messaging_type: 'RESPONSE',
      message: { text: 'Terima kasih, laporan Anda kami terima.' },
    });
  });

  it('tags a human-agent reply', async () => {
    await sendMessengerText(config, { recipientId: '987654321432', text: 'Balasan petugas', tag: 'HUMAN_AGENT' });
    const body = server.requests.at(-1)!.body as Record<string, unknown>;
    assert.equal(body.messaging_type, 'MESSAGE_TAG');
    assert.equal(body.tag, 'HUMAN_AGENT');
  });

  it('sends a private reply to a comment', async () => {
    const result = await sendPrivateReply(config, { commentId: '901097836652708_903438993085259', text: 'Mohon kirim lokasi lengkap.' });
    assert.equal(result.ok, true);
    assert.deepEqual((server.requests.at(-1)!.body as Record<string, unknown>).recipient, { comment_id: '901097836652708_903438993085259' });
  });

  it('replies under Facebook and Instagram comments', async () => {
    const facebook = await replyToComment(config, { platform: 'facebook', commentId: '901097836652708_903438993085259', text: 'Sudah kami teruskan.' });
    assert.equal(facebook.ok && facebook.providerMessageId.startsWith('901097836652708_903438993085259_reply'), true);
    assert.equal(server.requests.at(-1)!.path, '/v21.0/901097836652708_903438993085259/comments');
    assert.deepEqual(server.requests.at(-1)!.body, { message: 'Sudah kami teruskan.' });
    const instagram = await replyToComment(config, { platform: 'instagram', commentId: '17887498072083520', text: 'Terima kasih.' });
    assert.equal(instagram.ok, true);
    assert.equal(server.requests.at(-1)!.path, '/v21.0/17887498072083520/replies');
  });

  it('classifies window, rate and auth errors', async () => {
    server.failNext(graphError(400, 10, '(#10) This message is sent outside of allowed window.', { subcode: 2018278 }));
    const window = await sendMessengerText(config, { recipientId: '987654321432', text: 'Halo' });
    assert.deepEqual(window.ok ? undefined : [window.retryable, window.category, window.code], [false, 'outside_window', '10']);

    server.failNext(graphError(400, 613, 'Calls to this api have exceeded the rate limit.'));
    const rate = await sendMessengerText(config, { recipientId: '987654321432', text: 'Halo' });
    assert.deepEqual(rate.ok ? undefined : [rate.retryable, rate.category], [true, 'rate_limited']);

    server.failNext(graphError(400, 551, "This person isn't available right now."));
    const unavailable = await sendMessengerText(config, { recipientId: '987654321432', text: 'Halo' });
    assert.deepEqual(unavailable.ok ? undefined : [unavailable.retryable, unavailable.category], [false, 'recipient_unreachable']);

    const badToken = await sendMessengerText({ ...config, accessToken: 'wrong' }, { recipientId: '987654321432', text: 'Halo' });
    assert.deepEqual(badToken.ok ? undefined : [badToken.retryable, badToken.category], [false, 'auth']);

    server.failNext({ status: 500, body: { error: { message: 'An unknown error has occurred.', code: 1 } } });
    const unknown = await replyToComment(config, { platform: 'facebook', commentId: 'c1', text: 'Halo' });
    assert.deepEqual(unknown.ok ? undefined : [unknown.retryable, unknown.category], [true, 'provider_error']);
  });

  it('rejects an over-long Messenger text locally', async () => {
    const count = server.requests.length;
    const result = await sendMessengerText(config, { recipientId: '1', text: 'x'.repeat(2001) });
    assert.equal(!result.ok && result.code, 'text_too_long');
    assert.equal(server.requests.length, count);
  });
});
