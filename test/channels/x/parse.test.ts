import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseXActivity } from '../../../src/channels/x/parse.ts';
import { payloadProblem } from '../../support/parse.ts';

const fixtureDir = fileURLToPath(new URL('../../fixtures/webhooks/x/', import.meta.url));
const load = (file: string) => readFileSync(fixtureDir + file, 'utf8');

const expected: Record<string, { messages: number; statuses: number; ignored: number }> = {
  'aaa_direct_message_events.json': { messages: 1, statuses: 0, ignored: 1 },
  'aaa_dm_mark_read_and_favorite.json': { messages: 0, statuses: 1, ignored: 1 },
  'aaa_tweet_create_own_and_retweet.json': { messages: 0, statuses: 0, ignored: 2 },
  'aaa_tweet_create_reply_with_media.json': { messages: 1, statuses: 0, ignored: 0 },
};

describe('parseXActivity', () => {
  it('parses every fixture to the expected counts', () => {
    const files = readdirSync(fixtureDir).sort();
    assert.deepEqual(files, Object.keys(expected).sort());
    for (const file of files) {
      const result = parseXActivity(load(file));
      assert.equal(result.messages.length, expected[file].messages, `${file}: messages`);
      assert.equal(result.statuses.length, expected[file].statuses, `${file}: statuses`);
      assert.equal(result.ignored.length, expected[file].ignored, `${file}: ignored`);
    }
  });

  it('maps a reply with full text and media', () => {
    const [message] = parseXActivity(load('aaa_tweet_create_reply_with_media.json')).messages;
    assert.equal(message.conversationKind, 'comment');
    assert.equal(message.providerMessageId, '1900000000000000002');
    assert.deepEqual(message.sender, { kind: 'x', value: '1600000000000000003', displayName: 'Warga Contoh' });
    assert.equal(message.text, 'Jalan di depan balai desa berlubang besar sejak minggu lalu, mohon segera diperbaiki sebelum ada korban. Lokasi dekat pasar.');
    assert.deepEqual(message.comment, { postId: '1900000000000000001', commentId: '1900000000000000002', parentId: '1900000000000000001', action: 'add' });
    assert.deepEqual(message.attachments, [{ kind: 'image', providerMediaId: '1900000000000000099', url: 'https://pbs.twimg.com/media/example.jpg' }]);
    assert.equal(message.sentAt.toISOString(), '2026-03-13T09:00:00.000Z');
    assert.equal(message.account, '1500000000000000001');
  });

  it('maps a direct message and skips our own', () => {
    const result = parseXActivity(load('aaa_direct_message_events.json'));
    const [message] = result.messages;
    assert.equal(message.conversationKind, 'direct');
    assert.equal(message.text, 'Selamat siang, lampu penerangan jalan di RT 03 mati sudah tiga hari.');
    assert.equal(message.sender.displayName, 'Warga Contoh');
    assert.equal(message.attachments[0].kind, 'image');
    assert.equal(result.ignored[0].reason, 'direct message sent by our own X account');
  });

  it('maps read receipts', () => {
    const [status] = parseXActivity(load('aaa_dm_mark_read_and_favorite.json')).statuses;
    assert.deepEqual(status, {
      channel: 'x',
      providerMessageId: '1900000000000000012',
      recipient: { kind: 'x', value: '1600000000000000003' },
      status: 'read',
      at: new Date(1773393120000),
    });
  });

  it('rejects a body without for_user_id', () => {
    assert.match(payloadProblem(() => parseXActivity('{"tweet_create_events":[]}')), /x payload: for_user_id is missing/);
    assert.match(payloadProblem(() => parseXActivity({ for_user_id: '1', tweet_create_events: [{ id_str: '2' }] })), /tweet_create_events\[0\]\.user is missing/);
  });
});
