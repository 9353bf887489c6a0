/**
 * Length limits count characters as users see them: an emoji is one
 * character, not two UTF-16 units, and a cut text never ends in half an emoji.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanText, textLength, truncateText, visibleLength } from '../../src/domain/text.ts';
import { requireText } from '../../src/commands/context.ts';
import { CommandError } from '../../src/commands/errors.ts';
import { describeInbound } from '../../src/commands/receive-inbound.ts';
import type { InboundMessage } from '../../src/domain/inbound.ts';

const PRAY = '\u{1F64F}';

/** Returns whether a string contains a surrogate without its partner (half an emoji). */
function hasLoneSurrogate(value: string): boolean {
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value);
}

describe('text lengths', () => {
  test('counts an emoji once', () => {
    assert.equal(textLength('jalan rusak'), 11);
    assert.equal(textLength(`jalan rusak ${PRAY}${PRAY}`), 14);
    assert.equal(textLength(PRAY.repeat(4000)), 4000);
    // A lone surrogate (a broken emoji) still counts as one character.
    assert.equal(textLength('a\uD83D'), 2);
  });

  test('visible length skips format characters', () => {
    assert.equal(visibleLength(' ok\u200B\u200E '), 2);
    assert.equal(visibleLength('\u200B'.repeat(20)), 0);
    assert.equal(visibleLength('jalan \u{1F64F}'), 7);
  });

  test('truncates between characters', () => {
    const text = `ok${PRAY}${PRAY}${PRAY}`;
    assert.equal(truncateText(text, 3), `ok${PRAY}`);
    assert.equal(truncateText(text, 10), text);
    assert.equal(truncateText(text, 0), '');
    assert.ok(!hasLoneSurrogate(truncateText(PRAY.repeat(10), 5)));
    assert.ok(hasLoneSurrogate(PRAY.repeat(10).slice(0, 5)), 'the check itself sees a cut emoji');
  });

  test('cleanText drops control characters only', () => {
    assert.equal(cleanText('matur\u0000 suwun\u0007\tmin\n'), 'matur suwun\tmin\n');
  });

  test('requireText limits characters, not UTF-16 units', () => {
    assert.equal(textLength(requireText(PRAY.repeat(4000), 'description', 10, 5000)), 4000);
    assert.throws(
      () => requireText(PRAY.repeat(5001), 'description', 10, 5000),
      (error: unknown) => error instanceof CommandError && error.key === 'error.text_too_long',
    );
    // Zero-width spaces and direction marks are invisible, so they do not make a text long enough.
    assert.throws(() => requireText('\u200B'.repeat(20), 'description', 10, 5000), CommandError);
    assert.throws(() => requireText(`ok\u200E${'\u200B'.repeat(20)}`, 'description', 10, 5000), CommandError);
    // A joined emoji keeps its zero-width joiner.
    const family = '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}';
    assert.equal(requireText(`Taman bermain rusak ${family}`, 'description', 10, 5000), `Taman bermain rusak ${family}`);
    // Five emoji are five characters, below a minimum of ten.
    assert.throws(() => requireText(PRAY.repeat(5), 'description', 10, 5000), CommandError);
  });

  test('an attachment not stored is named', () => {
    const message = {
      channel: 'email', providerMessageId: '<uji@contoh.id>', conversationKind: 'direct',
      sender: { kind: 'email', value: 'warga@contoh.id' }, text: 'Foto jalan rusak terlampir.', sentAt: new Date('2026-12-01T03:00:00Z'),
      attachments: [{ kind: 'image' }],
    } as unknown as InboundMessage;
    assert.equal(describeInbound(message, 'email', { min: 10, max: 5000 }), 'Foto jalan rusak terlampir.\n[Foto / photo]');
    assert.equal(
      describeInbound(message, 'email', { min: 10, max: 5000 }, 1),
      'Foto jalan rusak terlampir.\n[Foto / photo]\n[1 lampiran tidak dapat disimpan / 1 attachment(s) could not be stored]',
    );
  });

  test('a long channel message is cut between characters', () => {
    const message: InboundMessage = {
      channel: 'whatsapp', providerMessageId: 'wamid.TEST', conversationKind: 'direct',
      sender: { kind: 'whatsapp', value: '6281200000000' }, text: `a${PRAY.repeat(6000)}`, sentAt: new Date('2026-12-01T03:00:00Z'), attachments: [],
    } as InboundMessage;
    const description = describeInbound(message, 'whatsapp', { min: 10, max: 5000 });
    assert.equal(textLength(description), 5000);
    assert.ok(!hasLoneSurrogate(description), 'no half emoji before the marker');
    assert.ok(description.endsWith('[terpotong / truncated]'));
  });
});
