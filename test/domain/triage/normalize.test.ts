import { test } from 'node:test';
import assert from 'node:assert/strict';

import { lightStem, normalizeText, tokenize } from '../../../src/domain/triage/normalize.ts';

test('normalizeText expands chat abbreviations', () => {
  assert.equal(normalizeText('jln rusak parah min'), 'jalan rusak parah admin');
  assert.equal(normalizeText('yg gk ada dgn sdh blm utk krn dr'), 'yang tidak ada dengan sudah belum untuk karena dari');
  assert.equal(normalizeText('ga nggak tdk gak'), 'tidak tidak tidak tidak');
  assert.equal(normalizeText('mimin tolong dong'), 'admin tolong dong');
});

test('normalizeText maps Javanese words', () => {
  assert.equal(normalizeText('Matur suwun'), 'terima kasih');
  assert.equal(normalizeText('matur nuwun pak'), 'terima kasih bapak');
  assert.equal(normalizeText('aku ora iso lewat dalan iki'), 'saya tidak bisa lewat jalan ini');
  assert.equal(normalizeText('lampune durung urip'), 'lampune belum urip');
});

test('normalizeText collapses repeated letters', () => {
  assert.equal(normalizeText('parahhhh'), 'parah');
  assert.equal(normalizeText('tolonggg dongggg'), 'tolong dong');
  assert.equal(normalizeText('Maaaaf'), 'maaf');
  // Two equal letters are ordinary spelling and stay.
  assert.equal(normalizeText('saat'), 'saat');
});

test('normalizeText removes emoji and punctuation', () => {
  assert.equal(normalizeText('Sampah numpuk 😡😡 !!! 🙏🏽'), 'sampah numpuk');
  assert.equal(normalizeText('banjir lagi... 👍🏻'), 'banjir lagi');
});

test('normalizeText reduces "2" reduplication', () => {
  assert.equal(normalizeText('anak2 sekolah'), 'anak sekolah');
  assert.equal(normalizeText('lampu2 mati'), 'lampu mati');
});

test('normalizeText replaces personal data by kind tokens', () => {
  const normalised = normalizeText('hub 0812-3456-7890 atau warga@contoh.id');
  assert.ok(normalised.includes('xteleponxtoken'), normalised);
  assert.ok(normalised.includes('xemailtoken'), normalised);
  assert.ok(!/\d/.test(normalised), normalised);
});

test('normalizeText without slang keeps raw words', () => {
  assert.equal(normalizeText('jln yg rusak', { expandSlang: false }), 'jln yg rusak');
});

test('tokenize matches normalizeText', () => {
  const text = 'Jln. Raya Kalijudan, lampu PJU mati sdh 3 hr';
  assert.deepEqual(tokenize(text), normalizeText(text).split(' '));
});

test('lightStem strips particles and affixes', () => {
  assert.equal(lightStem('jalannya'), 'jalan');
  assert.equal(lightStem('sampahnya'), 'sampah');
  assert.equal(lightStem('kebersihan'), 'bersih');
  assert.equal(lightStem('diangkut'), 'angkut');
});

test('lightStem keeps short roots', () => {
  assert.equal(lightStem('kaku'), 'kaku');
  assert.equal(lightStem('punya'), 'punya');
  assert.equal(lightStem('dia'), 'dia');
});
