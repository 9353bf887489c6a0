import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { replyToPost, sendXDirectMessage, type XSendConfig } from '../../../src/channels/x/send.ts';
import { startFakeX, xProblem, type FakeProviderServer } from '../../support/fake-providers.ts';

describe('X senders', () => {
  let server: FakeProviderServer;
  let config: XSendConfig;
  const now = new Date('2026-03-13T09:00:00Z');

  before(async () => {
    server = await startFakeX({ accessToken: 'x-user-token' });
    config = { baseUrl: server.baseUrl, accessToken: 'x-user-token', timeoutMs: 2000, now: () => now };
  });
  after(() => server.close());

  it('replies to a post', async () => {
    const result = await replyToPost(config, { inReplyToPostId: '1900000000000000002', text: 'Terima kasih, sudah kami teruskan ke DPUPR.' });
    assert.equal(result.ok, true);
    const request = server.requests.at(-1)!;
    assert.equal(request.path, '/2/tweets');
    assert.deepEqual(request.body, { text: 'Terima kasih, sudah kami teruskan ke DPUPR.', reply: { in_reply_to_tweet_id: '1900000000000000002' } });
  });

  it('sends a direct message and returns the event id', async () => {
    const result = await sendXDirectMessage(config, { participantId: '1600000000000000003', text: 'Laporan Anda sudah kami terima.' });
    assert.equal(result.ok && /^19000000000000\d+$/.test(result.providerMessageId), true);
    assert.equal(server.requests.at(-1)!.path, '/2/dm_conversations/with/1600000000000000003/messages');
  });

  it('waits for the rate limit reset', async () => {
    const reset = String(Math.floor(now.getTime() / 1000) + 90);
    server.failNext(xProblem(429, 'Too Many Requests', 'Too Many Requests', { 'x-rate-limit-reset': reset }));
    const result = await replyToPost(config, { inReplyToPostId: '1', text: 'Halo' });
    assert.deepEqual(result.ok ? undefined : [result.retryable, result.category, result.retryAfterSeconds], [true, 'rate_limited', 90]);
  });

  it('classifies final errors', async () => {
    server.failNext(xProblem(403, 'Forbidden', 'You are not allowed to create a Tweet with duplicate content.'));
    const duplicate = await replyToPost(config, { inReplyToPostId: '1', text: 'Halo' });
    assert.deepEqual(duplicate.ok ? undefined : [duplicate.retryable, duplicate.category], [false, 'invalid_request']);
    server.failNext(xProblem(403, 'Forbidden', 'You cannot send messages to this user.'));
    const closedDm = await sendXDirectMessage(config, { participantId: '1', text: 'Halo' });
    assert.deepEqual(closedDm.ok ? undefined : [closedDm.retryable, closedDm.category], [false, 'recipient_unreachable']);
    const badToken = await replyToPost({ ...config, accessToken: 'x' }, { inReplyToPostId: '1', text: 'Halo' });
    assert.deepEqual(badToken.ok ? undefined : [badToken.retryable, badToken.category], [false, 'auth']);
    server.failNext({ status: 503, body: { title: 'Service Unavailable', detail: 'Service Unavailable', status: 503 } });
    const down = await replyToPost(config, { inReplyToPostId: '1', text: 'Halo' });
    assert.deepEqual(down.ok ? undefined : [down.retryable, down.category], [true, 'provider_error']);
  });

  it('checks length in code points', async () => {
    const count = server.requests.length;
    assert.equal((await replyToPost(config, { inReplyToPostId: '1', text: '😀'.repeat(281) })).ok, false);
    assert.equal(server.requests.length, count);
    assert.equal((await replyToPost(config, { inReplyToPostId: '1', text: '😀'.repeat(280) })).ok, true);
  });
});
