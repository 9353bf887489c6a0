/** Names of people in free text, masked on public pages; the examples are made up. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { findPersonNames, maskPersonNames } from '../../src/domain/person-names.ts';

describe('person names', () => {
  const masked: [string, string][] = [
    ['Rumah Pak Slamet Riyadi dekat balai desa rusak', 'Rumah Pak [nama disamarkan] dekat balai desa rusak'],
    ['Nama saya Sri Wahyuni warga RT 03', 'Nama saya [nama disamarkan] warga RT 03'],
    ['nama saya budi santoso dari desa Jaten', 'nama saya [nama disamarkan] dari desa Jaten'],
    ['atas nama: Joko Susilo, alamat Jl. Lawu', 'atas nama: [nama disamarkan], alamat Jl. Lawu'],
    ['a.n. Siti Aminah belum terima bantuan', 'a.n. [nama disamarkan] belum terima bantuan'],
    ['Sdr. Bambang dan Mbak Rina sudah dihubungi', 'Sdr. [nama disamarkan] dan Mbak [nama disamarkan] sudah dihubungi'],
    ['Alm. Suparman meninggal, KK belum diubah', 'Alm. [nama disamarkan] meninggal, KK belum diubah'],
    ['matur suwun Mas Ahmad', 'matur suwun Mas [nama disamarkan]'],
  ];
  for (const [text, expected] of masked) {
    test(`masks: ${text}`, () => {
      assert.equal(maskPersonNames(text), expected);
    });
  }

  const kept = [
    'Mohon Pak Lurah segera menindaklanjuti',
    'sudah lapor ke Bu Camat tapi belum ada jawaban',
    'pak min tolong jalan rusak parah',
    'Terima kasih Pak, sudah diperbaiki',
    'Mas Admin, lampu PJU mati',
    'nama saya tidak mau disebut',
    'jln rusak parah min, tolong dong',
  ];
  for (const text of kept) {
    test(`keeps: ${text}`, () => {
      assert.deepEqual(findPersonNames(text), []);
      assert.equal(maskPersonNames(text), text);
    });
  }

  test('spans point at the name only', () => {
    const text = 'Rumah Bu Endang Lestari';
    const [span] = findPersonNames(text);
    assert.equal(text.slice(span.start, span.end), 'Endang Lestari');
  });
});
