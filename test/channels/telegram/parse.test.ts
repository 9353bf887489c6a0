import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseTelegramUpdate } from '../../../src/channels/telegram/parse.ts';
import { PayloadError } from '../../../src/domain/inbound.ts';

const fixtureDir = fileURLToPath(new URL('../../fixtures/webhooks/telegram/', import.meta.url));
const load = (file: string) => JSON.parse(readFileSync(fixtureDir + file, 'utf8')) as Record<string, unknown>;

/** Hand-checked text and attachment kinds of every fixture. */
const expected: Record<string, { text: string; attachments: string[] }> = {
  'illemius_edited_message.json': { text: 'hi there (edited)', attachments: [] },
  'illemius_forwarded_message.json': { text: 'message text', attachments: [] },
  'illemius_message.json': { text: 'Hi, world!', attachments: [] },
  'illemius_message_with_document.json': { text: 'doc description', attachments: ['document'] },
  'illemius_message_with_location.json': { text: '', attachments: ['location'] },
  'illemius_message_with_photo.json': { text: 'photo description', attachments: ['image'] },
  'illemius_message_with_sticker.json': { text: '', attachments: ['sticker'] },
  'illemius_message_with_video.json': { text: 'description', attachments: ['video'] },
  'illemius_message_with_voice.json': { text: '', attachments: ['audio'] },
  'illemius_reply_message.json': { text: 'Reply to quoted message', attachments: [] },
};

describe('parseTelegramUpdate', () => {
  it('parses every fixture to one message', () => {
    const files = readdirSync(fixtureDir).sort();
    assert.deepEqual(files, Object.keys(expected).sort(), 'every fixture has an expectation');
    for (const file of files) {
      const result = parseTelegramUpdate(readFileSync(fixtureDir + file, 'utf8'), { botId: '777000' });
      assert.equal(result.messages.length, 1, file);
      const [message] = result.messages;
      assert.equal(message.text, expected[file].text, `${file}: text`);
      assert.deepEqual(message.attachments.map((attachment) => attachment.kind), expected[file].attachments, `${file}: attachments`);
      assert.equal(message.channel, 'telegram');
      assert.equal(message.account, '777000');
    }
  });

  it('builds chat-scoped ids and the sender', () => {
    const [message] = parseTelegramUpdate(load('illemius_message.json')).messages;
    assert.equal(message.providerMessageId, '12345678:11223');
    assert.deepEqual(message.sender, { kind: 'telegram', value: '12345678', displayName: 'FirstName LastName' });
    assert.equal(message.sentAt.getTime(), 1508709711 * 1000);
  });

  it('keeps the largest photo size', () => {
    const [message] = parseTelegramUpdate(load('illemius_message_with_photo.json')).messages;
    assert.equal(message.attachments[0].providerMediaId, 'AgADAgADOagxG8vyeUvsltCem_XPv5A6Sw0ABNXULc5u7jny5VkRAAEC');
    assert.equal(message.attachments[0].sizeBytes, 47844);
  });

  it('links edits, replies and forwards', () => {
    const [edit] = parseTelegramUpdate(load('illemius_edited_message.json')).messages;
    assert.equal(edit.providerMessageId, '12345678:12345:edited:1508825379');
    assert.equal(edit.originalProviderMessageId, '12345678:12345');
    assert.equal(edit.edited, true);
    const [reply] = parseTelegramUpdate(load('illemius_reply_message.json')).messages;
    assert.deepEqual(reply.replyTo, { providerMessageId: '12345678:12345' });
    const [forward] = parseTelegramUpdate(load('illemius_forwarded_message.json')).messages;
    assert.equal(forward.forwarded, true);
  });

  it('takes a shared own contact as phone alias', () => {
    const update = structuredClone(load('illemius_message.json')) as { message: Record<string, unknown> };
    delete update.message.text;
    update.message.contact = { phone_number: '6281234567890', first_name: 'Warga', user_id: 12345678 };
    const [message] = parseTelegramUpdate(update).messages;
    assert.deepEqual(message.alsoKnownAs, [{ kind: 'phone', value: '+6281234567890' }]);
    assert.deepEqual(message.attachments[0].contact, { name: 'Warga', phones: ['+6281234567890'] });
  });

  it('marks polls unsupported', () => {
    const update = structuredClone(load('illemius_message.json')) as { message: Record<string, unknown> };
    delete update.message.text;
    update.message.poll = { id: '1', question: 'Setuju?', options: [] };
    const [message] = parseTelegramUpdate(update).messages;
    assert.deepEqual(message.unsupported, { type: 'poll' });
  });

  it('ignores groups, bots and other update types', () => {
    const group = structuredClone(load('illemius_message.json')) as { message: { chat: Record<string, unknown> } };
    group.message.chat.type = 'group';
    assert.match(parseTelegramUpdate(group).ignored[0].reason, /group chat/);
    const bot = structuredClone(load('illemius_message.json')) as { message: { from: Record<string, unknown> } };
    bot.message.from.is_bot = true;
    assert.equal(parseTelegramUpdate(bot).ignored[0].reason, 'message from a bot');
    const callback = parseTelegramUpdate({ update_id: 5, callback_query: { id: 'x' } });
    assert.equal(callback.ignored[0].reason, 'Telegram update type "callback_query" is not handled');
  });

  it('rejects malformed updates', () => {
    assert.throws(() => parseTelegramUpdate('{"message":{}}'), /telegram payload: update_id is missing/);
    assert.throws(() => parseTelegramUpdate({ update_id: 'x' }), /update_id must be an integer/);
    assert.throws(() => parseTelegramUpdate({ update_id: 1, message: { message_id: 1, date: 1, from: { id: 2 } } }), (error: unknown) => {
      assert.ok(error instanceof PayloadError);
      assert.equal(error.path, 'message.chat');
      return true;
    });
  });
});
