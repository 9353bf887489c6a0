import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maskPersonalData } from '../../../src/domain/triage/personal-data.ts';

const leaks: [string, string, string][] = [
  ['full-width phone', 'hubungi ０８１２３４５６７８９０ ya', '0812'],
  ['phone digit by digit', 'wa saya 0 8 1 2 3 4 5 6 7 8 9 0', '3 4 5 6'],
  ['zero-width inside NIK', 'NIK 3313\u200B012345678901', '012345678901'],
  ['invalid-date NIK', 'NIK saya 3313999999990001', '3313999999990001'],
  ['KK number in groups', 'KK 3313 0112 3456 7890', '3456 7890'],
  ['obfuscated e-mail', 'kirim ke budi.santoso [at] gmail [dot] com', 'budi.santoso'],
];

for (const [name, input, secret] of leaks) {
  test(`public mask hides ${name}`, () => {
    const masked = maskPersonalData(input);
    assert.equal(masked.includes(secret), false, masked);
    assert.match(masked, /disamarkan/);
  });
}

test('public mask drops bidirectional overrides', () => {
  // Reversed digits behind U+202E would display as a phone number.
  const masked = maskPersonalData('nomor \u202E0987654321280');
  assert.equal(masked.includes('\u202E'), false);
});

test('public mask keeps money and dates', () => {
  const text = 'Biaya Rp 150.000 dibayar tanggal 12-03-2026 jam 10.30';
  assert.equal(maskPersonalData(text), text);
});
