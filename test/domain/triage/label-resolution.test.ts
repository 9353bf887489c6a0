import { test } from 'node:test';
import assert from 'node:assert/strict';

import { crossValidate } from '../../../src/domain/triage/cross-validation.ts';
import {
  knownLabelIndex,
  labelKey,
  parseLabelResolution,
  resolutionColumns,
  resolveRanking,
} from '../../../src/domain/triage/label-resolution.ts';

const KELURAHAN = parseLabelResolution('Kelurahan (sesuai lokasi)=>Kelurahan {kelurahan}');
const KECAMATAN = parseLabelResolution('Kecamatan (sesuai lokasi)=>Kecamatan {kecamatan}');
const EITHER = parseLabelResolution('Wilayah=>Kelurahan {kelurahan}|Kecamatan {kecamatan}');
const KNOWN = knownLabelIndex(['Kelurahan Pacar Kembang', 'Kecamatan Tambaksari', 'Dinas Sosial']);

test('parseLabelResolution reads label and templates', () => {
  assert.deepEqual(KELURAHAN, { label: 'Kelurahan (sesuai lokasi)', templates: ['Kelurahan {kelurahan}'] });
  assert.deepEqual(EITHER.templates, ['Kelurahan {kelurahan}', 'Kecamatan {kecamatan}']);
  assert.deepEqual(resolutionColumns([KELURAHAN, KECAMATAN, EITHER]), ['kelurahan', 'kecamatan']);
});

test('parseLabelResolution rejects bad rules', () => {
  assert.throws(() => parseLabelResolution('Kelurahan {kelurahan}'), /must look like 'LABEL=>TEMPLATE'/);
  assert.throws(() => parseLabelResolution('=>Kelurahan {kelurahan}'), /must look like/);
  assert.throws(() => parseLabelResolution('Wilayah=>'), /must look like/);
  assert.throws(() => parseLabelResolution('Wilayah=>Kelurahan setempat'), /names no column/);
});

test('labelKey ignores case, spaces and punctuation', () => {
  assert.equal(labelKey('Kelurahan Pacar Kembang'), labelKey('kelurahan pacarkembang'));
  assert.equal(labelKey('Kecamatan Pabean-Cantian'), 'kecamatanpabeancantian');
  assert.notEqual(labelKey('Kecamatan Pabean Cantikan'), labelKey('Kecamatan Pabean Cantian'));
});

test('resolveRanking uses the known spelling', () => {
  const ranking = ['Kelurahan (sesuai lokasi)', 'Dinas Sosial', 'Kecamatan (sesuai lokasi)'];
  const row = { kelurahan: 'Pacarkembang', kecamatan: 'TAMBAKSARI' };
  assert.deepEqual(resolveRanking(ranking, [KELURAHAN, KECAMATAN], row, KNOWN), [
    'Kelurahan Pacar Kembang',
    'Dinas Sosial',
    'Kecamatan Tambaksari',
  ]);
});

test('resolveRanking tries templates in order', () => {
  const inKnownKelurahan = { kelurahan: 'Pacar Kembang', kecamatan: 'Tambaksari' };
  assert.deepEqual(resolveRanking(['Wilayah'], [EITHER], inKnownKelurahan, KNOWN), ['Kelurahan Pacar Kembang']);
  const inOtherKelurahan = { kelurahan: 'Ploso', kecamatan: 'Tambaksari' };
  assert.deepEqual(resolveRanking(['Wilayah'], [EITHER], inOtherKelurahan, KNOWN), ['Kecamatan Tambaksari']);
});

test('resolveRanking falls back to the filled template', () => {
  const unknownPlace = { kelurahan: 'Ploso', kecamatan: 'Wiyung' };
  assert.deepEqual(resolveRanking(['Wilayah', 'Dinas Sosial'], [EITHER], unknownPlace, KNOWN), ['Kelurahan Ploso', 'Dinas Sosial']);
  const noKelurahan = { kelurahan: ' ', kecamatan: 'Wiyung' };
  assert.deepEqual(resolveRanking(['Wilayah'], [EITHER], noKelurahan, KNOWN), ['Kecamatan Wiyung']);
});

test('resolveRanking keeps a group without location', () => {
  const ranking = ['Kelurahan (sesuai lokasi)', 'Dinas Sosial'];
  assert.deepEqual(resolveRanking(ranking, [KELURAHAN], { kelurahan: '' }, KNOWN), ranking);
  assert.deepEqual(resolveRanking(ranking, [KELURAHAN], {}, KNOWN), ranking);
});

test('resolveRanking keeps the better rank of a repeat', () => {
  const row = { kelurahan: 'Pacar Kembang', kecamatan: 'Tambaksari' };
  const ranking = ['Wilayah', 'Dinas Sosial', 'Kelurahan (sesuai lokasi)', 'Kelurahan Pacar Kembang'];
  assert.deepEqual(resolveRanking(ranking, [EITHER, KELURAHAN], row, KNOWN), ['Kelurahan Pacar Kembang', 'Dinas Sosial']);
});

test('crossValidate scores resolved rankings on other labels', () => {
  // Street-light reports go to one agency. Market reports go to the kelurahan of the report's place.
  const places = ['Ploso', 'Tambaksari', 'Ploso', 'Tambaksari', 'Ploso', 'Tambaksari', 'Ploso', 'Tambaksari'];
  const examples = [
    ...places.map((place, i) => ({ text: `lampu jalan mati gelap ${i}`, label: 'Dinas Perhubungan', place })),
    ...places.map((place, i) => ({ text: `pasar becek kotor pedagang ${i}`, label: 'Kelurahan (sesuai lokasi)', place })),
  ];
  const rawLabels = examples.map((example) => (example.label === 'Dinas Perhubungan' ? example.label : `Kelurahan ${example.place}`));
  const known = knownLabelIndex(rawLabels);

  const [result] = crossValidate(examples, [{ name: 'model', options: { seed: 3 } }], 2, 42, {
    strata: rawLabels,
    scoredLabels: rawLabels,
    rewriteRanking: (ranking, i) => resolveRanking(ranking, [KELURAHAN], { kelurahan: examples[i].place }, known),
  });

  assert.equal(result.metrics.count, examples.length);
  assert.deepEqual(result.metrics.confusion.labels, ['Dinas Perhubungan', 'Kelurahan Ploso', 'Kelurahan Tambaksari']);
  assert.equal(result.metrics.top1Accuracy, 1);
});

test('crossValidate rejects misaligned options', () => {
  const examples = [
    { text: 'a', label: 'x' },
    { text: 'b', label: 'y' },
    { text: 'c', label: 'x' },
    { text: 'd', label: 'y' },
  ];
  assert.throws(() => crossValidate(examples, [], 2, 1, { scoredLabels: ['x'] }), /one entry per example/);
});
