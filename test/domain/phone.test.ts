import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findPhoneNumbers, normalizeInternationalDigits, normalizePhone, parsePhone, phoneVariants } from '../../src/domain/phone.ts';

/** Forms people type, and the E.164 each must become (null when invalid). */
const forms: Array<[string, string | null]> = [
  ['081234567890', '+6281234567890'],
  ['0812-3456-7890', '+6281234567890'],
  ['0812 3456 7890', '+6281234567890'],
  ['0812.3456.7890', '+6281234567890'],
  ['(0812) 3456-7890', '+6281234567890'],
  ['6281234567890', '+6281234567890'],
  ['62 812 3456 7890', '+6281234567890'],
  ['+6281234567890', '+6281234567890'],
  ['+62 812-3456-7890', '+6281234567890'],
  ['+62 (0) 812 3456 7890', '+6281234567890'],
  ['62 0812 3456 7890', '+6281234567890'],
  ['0062 812 3456 7890', '+6281234567890'],
  ['0062-812-3456-7890', '+6281234567890'],
  ['8123456789', '+628123456789'],
  ['  0811 234 567  ', '+62811234567'],
  ['081200000000', '+6281200000000'],
  ['0812345678901', '+62812345678901'],
  ['(0271) 495039', '+62271495039'],
  ['0271-495039', '+62271495039'],
  ['021 1234 5678', '+622112345678'],
  ['+62 271 495039', '+62271495039'],
  ['0800 1 234567', '+628001234567'],
  ['+60 12-345 6789', '+60123456789'],
  ['0060 12 345 6789', '+60123456789'],
  ['+1 (555) 555-5555', '+15555555555'],
  // Full-width digits and signs from some phone keyboards.
  ['０８１２３４５６７８９０', '+6281234567890'],
  ['＋６２ ８１２ ３４５６ ７８９０', '+6281234567890'],
  // Too short, too long, no prefix, service codes, letters.
  ['0812', null],
  ['0812345', null],
  ['08123456789012', null],
  ['+62812345678901234', null],
  ['112', null],
  ['1500-123', null],
  ['271495039', null],
  ['0123456789', null],
  ['+0812345678', null],
  ['+123', null],
  ['+1234567890123456', null],
  ['0812-ABCD-7890', null],
  ['', null],
  ['   ', null],
];

describe('normalizePhone', () => {
  for (const [input, want] of forms) {
    it(`${JSON.stringify(input)} → ${want}`, () => {
      assert.equal(normalizePhone(input), want);
    });
  }
});

describe('parsePhone', () => {
  it('says why a number is rejected', () => {
    const short = parsePhone('0812');
    assert.equal(short.ok, false);
    assert.equal(!short.ok && short.reason, 'too_short');
    assert.match(!short.ok ? short.message : '', /too short: an Indonesian mobile number has 10 to 13 digits including the leading 0/);
    const long = parsePhone('08123456789012');
    assert.equal(!long.ok && long.reason, 'too_long');
    assert.equal(!parsePhone('12345678').ok && (parsePhone('12345678') as { reason: string }).reason, 'unknown_prefix');
    assert.equal(!parsePhone('0812-ABCD').ok && (parsePhone('0812-ABCD') as { reason: string }).reason, 'invalid_characters');
    assert.equal(!parsePhone('').ok && (parsePhone('') as { reason: string }).reason, 'empty');
  });

  it('reports kind and national form', () => {
    assert.deepEqual(parsePhone('0812-3456-7890'), { ok: true, e164: '+6281234567890', national: '081234567890', kind: 'mobile' });
    assert.deepEqual(parsePhone('(0271) 495039'), { ok: true, e164: '+62271495039', national: '0271495039', kind: 'fixed' });
    assert.deepEqual(parsePhone('+972 98 765 4321'), { ok: true, e164: '+972987654321', kind: 'international' });
  });
});

describe('normalizeInternationalDigits', () => {
  it('reads WhatsApp wa_ids', () => {
    assert.equal(normalizeInternationalDigits('6281234567890'), '+6281234567890');
    assert.equal(normalizeInternationalDigits('972987654321'), '+972987654321');
    assert.equal(normalizeInternationalDigits('REDACTED'), null);
    assert.equal(normalizeInternationalDigits('081234567890'), null);
  });
});

describe('phoneVariants', () => {
  it('lists stored forms', () => {
    assert.deepEqual(phoneVariants('+6281234567890'), ['+6281234567890', '6281234567890', '081234567890']);
    assert.deepEqual(phoneVariants('+972987654321'), ['+972987654321', '972987654321']);
  });

  it('rejects non-E.164 input', () => {
    assert.throws(() => phoneVariants('081234567890'), /expects an E\.164 number/);
  });
});

describe('findPhoneNumbers', () => {
  it('finds numbers in a signature', () => {
    const text = 'Hormat saya,\nBudi\nHP/WA: 0812-3456-7890\nKantor: (0271) 495039';
    assert.deepEqual(findPhoneNumbers(text), [
      { e164: '+6281234567890', raw: '0812-3456-7890', index: text.indexOf('0812') },
      { e164: '+62271495039', raw: '(0271) 495039', index: text.indexOf('(0271)') },
    ]);
  });

  it('finds international forms', () => {
    const found = findPhoneNumbers('hubungi +62 856 1234 5678 atau 0062 812 3456 7890 atau 6281234567890.');
    assert.deepEqual(found.map((match) => match.e164), ['+6285612345678', '+6281234567890', '+6281234567890']);
  });

  it('skips dates, NIK, codes and bare digits', () => {
    const text = 'NIK 3313000000000000, tanggal 13-03-2026 jam 16.00, kode ADU-2026-000123, RT 03 RW 05, no 8123456789, 2026-03-13.';
    assert.deepEqual(findPhoneNumbers(text), []);
  });

  it('does not cut a longer digit run', () => {
    assert.deepEqual(findPhoneNumbers('rekening 0812345678901234567'), []);
  });
});
