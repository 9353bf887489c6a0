import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  findPersonalData,
  isPlausibleNik,
  maskPersonalData,
  type PersonalDataKind,
} from '../../../src/domain/triage/personal-data.ts';

/** Returns [kind, matched text] pairs, which read better in failures than offsets. */
function found(text: string): Array<[PersonalDataKind, string]> {
  return findPersonalData(text).map((match) => [match.kind, text.slice(match.start, match.end)]);
}

test('NIK with valid structure is found', () => {
  // Central Java (33), Karanganyar (13), district 01, born 12-05-1990, serial 0001.
  assert.deepEqual(found('NIK saya 3313011205900001 mohon dicek'), [['nik', '3313011205900001']]);
  // Women add 40 to the day of birth: 52 is the 12th.
  assert.deepEqual(found('nik 3313015205900002'), [['nik', '3313015205900002']]);
  assert.deepEqual(found('NIK: 3313 0112 0590 0001'), [['nik', '3313 0112 0590 0001']]);
});

test('scrubbed-data placeholders are found', () => {
  assert.deepEqual(found('NIK 3313000000000000'), [['nik', '3313000000000000']]);
  assert.deepEqual(found('WA 081200000000'), [['phone', '081200000000']]);
  assert.deepEqual(found('email warga@contoh.id.'), [['email', 'warga@contoh.id']]);
});

test('16-digit numbers that are not NIK are ignored', () => {
  // Province 12 exists, but day 78 does not.
  assert.deepEqual(found('no rek 1234567890123456'), []);
  // No province 99 or 41 (a card-number prefix).
  assert.deepEqual(found('kode 9999999999999999'), []);
  assert.deepEqual(found('kartu 4111111111111111'), []);
  // Month 13.
  assert.deepEqual(found('3313011213900001'), []);
  // Part of a longer number.
  assert.deepEqual(found('33130112059000011'), []);
});

test('phone numbers in common formats are found', () => {
  assert.deepEqual(found('hub 081234567890'), [['phone', '081234567890']]);
  assert.deepEqual(found('hub 0812-3456-7890'), [['phone', '0812-3456-7890']]);
  assert.deepEqual(found('hub 0812 3456 7890'), [['phone', '0812 3456 7890']]);
  assert.deepEqual(found('hub 0812.3456.7890'), [['phone', '0812.3456.7890']]);
  assert.deepEqual(found('wa +62 812-3456-7890'), [['phone', '+62 812-3456-7890']]);
  assert.deepEqual(found('wa 6281234567890'), [['phone', '6281234567890']]);
  assert.deepEqual(found('telp (0812) 3456 7890'), [['phone', '(0812) 3456 7890']]);
});

test('landlines are found', () => {
  assert.deepEqual(found('telp (0271) 495000'), [['phone', '(0271) 495000']]);
  assert.deepEqual(found('telp 0271-495000'), [['phone', '0271-495000']]);
  assert.deepEqual(found('kantor 021 5550 1234'), [['phone', '021 5550 1234']]);
  assert.deepEqual(found('hub +62 271 495000'), [['phone', '+62 271 495000']]);
});

test('dates, times and money are not phones', () => {
  assert.deepEqual(found('tanggal 02.12.2023 pukul 07.30 - 09.00'), []);
  assert.deepEqual(found('SK nomor 025/KEP/2023, RT 02 RW 03'), []);
  assert.deepEqual(found('tanggal 08-12-2023 jam 08.30'), []);
  assert.deepEqual(found('tgl 08.12.2023 pukul 10.30'), []);
  assert.deepEqual(found('biaya Rp 150.000 per bulan'), []);
  assert.deepEqual(found('denda Rp 8.000.000'), []);
  assert.deepEqual(found('tahun 2023 ada 081 rumah'), []);
});

test('e-mail addresses are found', () => {
  assert.deepEqual(found('kirim ke budi.santoso+aduan@gmail.com ya'), [['email', 'budi.santoso+aduan@gmail.com']]);
  assert.deepEqual(found('admin@karanganyarkab.go.id'), [['email', 'admin@karanganyarkab.go.id']]);
  assert.deepEqual(found('mention @akun_warga saja'), []);
});

test('vehicle plates are found', () => {
  assert.deepEqual(found('mobil AD 1234 XY parkir'), [['plate', 'AD 1234 XY']]);
  assert.deepEqual(found('truk B 1234 ABC'), [['plate', 'B 1234 ABC']]);
  assert.deepEqual(found('motor L1234AB'), [['plate', 'L1234AB']]);
  assert.deepEqual(found('nopol ad 4321 xy'), [['plate', 'ad 4321 xy']]);
});

test('plate look-alikes are ignored', () => {
  assert.deepEqual(found('RT 05 RW 03'), []);
  assert.deepEqual(found('lulusan S1 PGSD dan D3 TI'), []);
  assert.deepEqual(found('s 1 di kampus'), []);
  assert.deepEqual(found('kelas b 2023 ini'), []);
  assert.deepEqual(found('KM 12 A'), []);
});

test('maskPersonalData replaces each kind', () => {
  assert.equal(
    maskPersonalData('NIK 3313000000000000, HP 0812-3456-7890, email warga@contoh.id, mobil AD 1234 XY'),
    'NIK [NIK disamarkan], HP [nomor telepon disamarkan], email [email disamarkan], mobil [nomor polisi disamarkan]',
  );
});

test('maskPersonalData leaves clean text unchanged', () => {
  const text = 'Jalan rusak di RT 05 RW 03, sudah lapor tgl 08-12-2023, biaya Rp 150.000.';
  assert.equal(maskPersonalData(text), text);
});

test('isPlausibleNik checks structure', () => {
  assert.equal(isPlausibleNik('3313011205900001'), true);
  assert.equal(isPlausibleNik('3313011205900000'), false, 'serial 0000');
  assert.equal(isPlausibleNik('3300011205900001'), false, 'regency 00');
  assert.equal(isPlausibleNik('3313013205900001'), false, 'day 32');
  assert.equal(isPlausibleNik('331301120590001'), false, '15 digits');
});
