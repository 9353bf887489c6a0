/** `aduan triage evaluate` and `crossval` with location options, run as separate processes on made-up CSV files. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { locationWord } from '../../src/cli/triage.ts';
import { tokenize } from '../../src/domain/triage/normalize.ts';
import { runAduan } from '../support/cli.ts';

let dataDir: string;

const GROUPS = ['--group-label', '^Kelurahan =>Kelurahan (sesuai lokasi)', '--group-label', '^Kecamatan =>Kecamatan (sesuai lokasi)'];
const RESOLUTIONS = [
  '--resolve-label', 'Kelurahan (sesuai lokasi)=>Kelurahan {kelurahan}',
  '--resolve-label', 'Kecamatan (sesuai lokasi)=>Kecamatan {kecamatan}',
];

/**
 * Made-up reports: street lights go to the transport agency, rubbish to the
 * environment agency, and market and document complaints to the kelurahan
 * or kecamatan of the report's place.
 */
function reportsCsv(copies: number): string {
  const lines = ['text,instansi,kelurahan,kecamatan'];
  const places = [['Ploso', 'Tambaksari'], ['Gading', 'Tambaksari'], ['Babatan', 'Wiyung']];
  for (let i = 0; i < copies; i++) {
    const [kelurahan, kecamatan] = places[i % places.length];
    lines.push(`lampu jalan mati gelap sekali min nomor ${i},Dinas Perhubungan,${kelurahan},${kecamatan}`);
    lines.push(`sampah menumpuk bau tidak diangkut ${i},Dinas Lingkungan Hidup,${kelurahan},${kecamatan}`);
    lines.push(`pasar becek pedagang berjualan di trotoar ${i},Kelurahan ${kelurahan},${kelurahan},${kecamatan}`);
    lines.push(`pengurusan surat pindah di kantor kecamatan lama ${i},Kecamatan ${kecamatan},${kelurahan},${kecamatan}`);
  }
  return lines.join('\n') + '\n';
}

before(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aduan-triage-cli-'));
  fs.writeFileSync(path.join(dataDir, 'reports.csv'), reportsCsv(12));
  fs.writeFileSync(path.join(dataDir, 'test.csv'), reportsCsv(3));
});
after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

function aduan(args: string[]) {
  return runAduan(['triage', ...args], { dataDir, cwd: dataDir });
}

function lastJsonLine(stdout: string): Record<string, any> {
  return JSON.parse(stdout.trim().split('\n').pop()!);
}

test('crossval scores resolved labels on raw labels', async () => {
  const result = await aduan([
    'crossval', '--file', 'reports.csv', '--text', 'text', '--label', 'instansi', '--folds', '3', ...GROUPS, ...RESOLUTIONS,
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /scores are computed on the raw labels/);
  const report = lastJsonLine(result.stdout);
  assert.equal(report.scoredOnRawLabels, true);
  const labels: string[] = report.model.metrics.confusion.labels;
  assert.ok(labels.includes('Kelurahan Ploso'), labels.join(', '));
  assert.ok(labels.includes('Kecamatan Wiyung'), labels.join(', '));
  assert.ok(!labels.some((label) => label.includes('sesuai lokasi')), labels.join(', '));
  assert.ok(report.model.metrics.top1Accuracy >= 0.9, `top-1 ${report.model.metrics.top1Accuracy}`);
});

test('crossval without resolution scores groups', async () => {
  const result = await aduan(['crossval', '--file', 'reports.csv', '--text', 'text', '--label', 'instansi', '--folds', '3', '--json-only', ...GROUPS]);
  assert.equal(result.code, 0, result.stderr);
  const report = lastJsonLine(result.stdout);
  assert.equal(report.scoredOnRawLabels, false);
  assert.ok(report.model.metrics.confusion.labels.includes('Kelurahan (sesuai lokasi)'));
});

test('evaluate resolves from the test rows', async () => {
  const result = await aduan([
    'evaluate', '--train', 'reports.csv', '--test', 'test.csv', '--text', 'text', '--label', 'instansi', '--json-only',
    ...GROUPS, ...RESOLUTIONS,
  ]);
  assert.equal(result.code, 0, result.stderr);
  const report = lastJsonLine(result.stdout);
  assert.equal(report.model.metrics.count, 12);
  assert.deepEqual(report.model.metrics.confusion.labels, [
    'Dinas Lingkungan Hidup', 'Dinas Perhubungan', 'Kecamatan Tambaksari', 'Kecamatan Wiyung',
    'Kelurahan Babatan', 'Kelurahan Gading', 'Kelurahan Ploso',
  ]);
  assert.equal(report.model.metrics.top1Accuracy, 1);
});

test('invalid resolve-label is a usage error', async () => {
  const result = await aduan([
    'crossval', '--file', 'reports.csv', '--text', 'text', '--label', 'instansi', '--resolve-label', 'Kelurahan (sesuai lokasi)=>Kelurahan setempat',
  ]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /--resolve-label: .*names no column/);
});

test('missing location column is a data error', async () => {
  const result = await aduan(['crossval', '--file', 'reports.csv', '--text', 'text', '--label', 'instansi', '--location-column', 'desa']);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /Column "desa" not found .*Columns: text, instansi, kelurahan, kecamatan/);
});

test('location-column is reported in the JSON line', async () => {
  const result = await aduan([
    'crossval', '--file', 'reports.csv', '--text', 'text', '--label', 'instansi', '--folds', '3', '--json-only', '--location-column', 'kelurahan',
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(lastJsonLine(result.stdout).locationColumns, ['kelurahan']);
});

test('locationWord survives tokenisation whole', () => {
  const word = locationWord('kelurahan', 'Pacar Kembang');
  assert.equal(word, 'xlokasikelurahanpacarkembang');
  assert.deepEqual(tokenize(`lampu mati\n${word}`), ['lampu', 'mati', word]);
  assert.notEqual(locationWord('kecamatan', 'Wiyung'), locationWord('kelurahan', 'Wiyung'));
});

test('auxiliary-model is loaded for crossval', async () => {
  const trained = await aduan(['train', '--file', 'reports.csv', '--text', 'text', '--label', 'instansi', '--out', 'auxiliary.json', '--json-only', ...GROUPS]);
  assert.equal(trained.code, 0, trained.stderr);
  const result = await aduan([
    'crossval', '--file', 'test.csv', '--text', 'text', '--label', 'instansi', '--folds', '3', '--json-only', '--auxiliary-model', 'auxiliary.json',
  ]);
  assert.equal(result.code, 0, result.stderr);
  const report = lastJsonLine(result.stdout);
  assert.equal(report.auxiliaryModel, 'auxiliary.json');
  assert.equal(report.model.metrics.count, 12);
});

test('missing auxiliary-model file is a data error', async () => {
  const result = await aduan(['crossval', '--file', 'reports.csv', '--text', 'text', '--label', 'instansi', '--auxiliary-model', 'absent.json']);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /File not found: absent\.json/);
});
