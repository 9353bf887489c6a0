import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateTrackingCode, normalizeTrackingCode, TRACKING_CODE_RE } from '../../src/domain/tracking-code.ts';

test('generated codes match the format', () => {
  for (let i = 0; i < 200; i++) assert.match(generateTrackingCode(), TRACKING_CODE_RE);
});

test('generated codes do not repeat in 10,000 draws', () => {
  const codes = new Set(Array.from({ length: 10_000 }, generateTrackingCode));
  assert.equal(codes.size, 10_000);
});

test('normalize accepts typing variants', () => {
  assert.equal(normalizeTrackingCode('adu-7kq3-m9xp-2w'), 'ADU-7KQ3-M9XP-2W');
  assert.equal(normalizeTrackingCode(' ADU 7KQ3 M9XP 2W '), 'ADU-7KQ3-M9XP-2W');
  assert.equal(normalizeTrackingCode('7KQ3M9XP2W'), 'ADU-7KQ3-M9XP-2W');
  assert.equal(normalizeTrackingCode('ADU-7KQ3-M9XP-2O'), 'ADU-7KQ3-M9XP-20');
  assert.equal(normalizeTrackingCode('ADU-IKQ3-M9XP-2W'), 'ADU-1KQ3-M9XP-2W');
});

test('normalize accepts copied variants', () => {
  // The acknowledgement ends its sentence with a full stop right after the code.
  assert.equal(normalizeTrackingCode('ADU-7KQ3-M9XP-2W.'), 'ADU-7KQ3-M9XP-2W');
  assert.equal(normalizeTrackingCode('ADU\u20137KQ3\u2013M9XP\u20132W'), 'ADU-7KQ3-M9XP-2W', 'en dashes');
  assert.equal(normalizeTrackingCode('\uFF21\uFF24\uFF35-\uFF17KQ3-M9XP-2W'), 'ADU-7KQ3-M9XP-2W', 'full-width letters and digits');
  assert.equal(normalizeTrackingCode('\u00A0ADU-7KQ3-M9XP-2W\u00A0'), 'ADU-7KQ3-M9XP-2W', 'non-breaking spaces');
  assert.equal(normalizeTrackingCode(`ADU-7KQ3-M9XP-2W${' '.repeat(300)}`), null, 'over-long input');
});

test('normalize rejects malformed codes', () => {
  assert.equal(normalizeTrackingCode(''), null);
  assert.equal(normalizeTrackingCode('ADU-7KQ3-M9XP'), null);
  assert.equal(normalizeTrackingCode('ADU-7KQ3-M9XP-2W-EXTRA'), null);
  assert.equal(normalizeTrackingCode("ADU-7KQ3-M9XP-2'"), null);
  assert.equal(normalizeTrackingCode('ADU-UUUU-M9XP-2W'), null);
});
