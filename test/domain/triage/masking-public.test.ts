import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maskPersonalData } from '../../../src/domain/triage/personal-data.ts';
import { describeInbound } from '../../../src/commands/receive-inbound.ts';
import type { InboundMessage } from '../../../src/domain/inbound.ts';

const leaks: [string, string, string][] = [
  ['full-width phone', 'hubungi ０８１２３４５６７８９０ ya', '0812'],
  ['phone digit by digit', 'wa saya 0 8 1 2 3 4 5 6 7 8 9 0', '3 4 5 6'],
  ['zero-width inside NIK', 'NIK 3313\u200B012345678901', '012345678901'],
  ['invalid-date NIK', 'NIK saya 3313999999990001', '3313999999990001'],
  ['KK number in groups', 'KK 3313 0112 3456 7890', '3456 7890'],
  ['obfuscated e-mail', 'kirim ke budi.santoso [at] gmail [dot] com', 'budi.santoso'],
  ['phone with slashes', 'wa 0812/0000/0000 ya', '0000/0000'],
  ['phone with underscores', 'wa 0812_0000_0000 ya', '0000_0000'],
  ['phone with a dash between every digit', 'wa 0-8-1-2-0-0-0-0-0-0-0-0 ya', '0-0-0-0-0'],
  ['NIK with slashes', 'NIK 3313/0000/0000/0000', '0000/0000'],
  ['e-mail with spaces around @', 'email warga @ contoh.id ya', 'warga'],
  ['e-mail with (at)', 'email warga(at)contoh.id ya', 'warga'],
  ['e-mail with a space before the dot', 'email warga@contoh .id ya', 'warga'],
  ['landline', 'telp rumah (0271) 495000', '495000'],
  ['number of another country', 'saudara saya di luar negeri +1 555 123 4567', '123 4567'],
  ['number of another country with brackets', 'hubungi +1 (555) 010-0000', '010-0000'],
  ['number dialled with 00', 'hubungi 001 555 010 0000', '010 0000'],
  ['landline with a slash', 'telp 0271/495000', '495000'],
  ['landline with underscores', 'telp 0271_495_000', '495_000'],
  ['landline with a spaced dash', 'telp 0271 - 495000', '495000'],
  ['e-mail with "at"', 'email warga at gmail.com ya', 'warga'],
  ['e-mail with "at" and "dot"', 'email warga at contoh dot id ya', 'warga'],
  ['e-mail with {at}', 'email warga{at}contoh.id ya', 'warga'],
];

test('public mask hides what a contact card names', () => {
  const masked = maskPersonalData('Ini nomornya [Kartu kontak / contact card: Darmo Tetangga, +15551234567] tolong dihubungi');
  assert.equal(masked, 'Ini nomornya [Kartu kontak / contact card] tolong dihubungi');
});

test('public mask hides a recorded contact card', () => {
  const message = {
    channel: 'whatsapp', providerMessageId: 'wamid.kartu', conversationKind: 'direct',
    sender: { kind: 'whatsapp', value: '6281200000000' }, text: 'Ini nomor tetangga yang tahu lokasinya.', sentAt: new Date('2026-12-01T03:00:00Z'),
    attachments: [{ kind: 'contact', contact: { name: 'Darmo Tetangga', phones: ['+15551234567'] } }],
  } as unknown as InboundMessage;
  const recorded = describeInbound(message, 'whatsapp', { min: 10, max: 5000 });
  assert.ok(recorded.includes('Darmo Tetangga'), 'the officer sees the card');
  const masked = maskPersonalData(recorded);
  assert.equal(masked.includes('Darmo'), false);
  assert.ok(masked.endsWith('[Kartu kontak / contact card]'));
});

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
  for (const unchanged of [
    'tanggal 08/12/2023 10:30 di balai desa', 'sudah lapor ke @dinaspu. Mohon dibantu', 'tanggal 01/02/2023 sampai 10/12/2023',
    'SK nomor 021/KEP/2023', 'jam 07.30 - 09.00 tutup', 'tanggal 02/12/2023', 'kami bertemu at pasar kemarin',
  ]) {
    assert.equal(maskPersonalData(unchanged), unchanged);
  }
});
