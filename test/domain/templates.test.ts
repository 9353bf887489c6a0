import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  fillTemplate, findPlaceholders, formatLongDate, isTemplateStale, mayManageAnswers, mayUseReporterName, mayUseTemplate, redactIdentity,
  type TemplateValues,
} from '../../src/domain/templates.ts';
import type { StaffUser } from '../../src/domain/types.ts';

const VALUES: TemplateValues = { trackingCode: 'ADU-7K2M-Q9PX-3F', reporterName: null, agency: 'Dinas Lingkungan Hidup', deadline: '2026-03-25' };

describe('placeholders', () => {
  test('known names in both languages and unknown names', () => {
    const found = findPlaceholders('{{kode_lacak}} {{ Tracking_Code }} {{deadline}} {{nomor_hp}} {tunggal}');
    assert.deepEqual(found.known, ['kode_lacak', 'tenggat']);
    assert.deepEqual(found.unknown, ['nomor_hp']);
  });

  test('fill in Indonesian', () => {
    const { text, missing } = fillTemplate(
      'Yth. {{nama_pelapor}}, laporan {{kode_lacak}} ditangani {{instansi}} paling lambat {{tenggat}}.',
      VALUES,
      'id',
    );
    assert.equal(text, 'Yth. Bapak/Ibu, laporan ADU-7K2M-Q9PX-3F ditangani Dinas Lingkungan Hidup paling lambat 25 Maret 2026.');
    assert.deepEqual(missing, []);
  });

  test('fill in English with the name', () => {
    const { text } = fillTemplate('Dear {{reporter_name}}, by {{deadline}}.', { ...VALUES, reporterName: 'Sri' }, 'en');
    assert.equal(text, 'Dear Sri, by 25 March 2026.');
  });

  test('missing values become visible hints', () => {
    const { text, missing } = fillTemplate('{{instansi}} / {{tenggat}}', { ...VALUES, agency: null, deadline: null }, 'id');
    assert.equal(text, '[instansi] / [tanggal]');
    assert.deepEqual(missing, ['instansi', 'tenggat']);
  });

  test('unknown placeholder stays as written', () => {
    assert.equal(fillTemplate('Nomor {{nomor}}', VALUES, 'id').text, 'Nomor {{nomor}}');
  });

  test('long date', () => {
    assert.equal(formatLongDate('2026-05-01', 'id'), '1 Mei 2026');
    assert.equal(formatLongDate('2026-05-01', 'en'), '1 May 2026');
  });
});

describe('reporter name rule', () => {
  test('inherited object keys are not placeholders', () => {
    const found = findPlaceholders('Halo {{constructor}} dan {{__proto__}}');
    assert.deepEqual(found.known, []);
    assert.deepEqual(found.unknown, ['constructor', '__proto__']);
  });

  test('only public reports and full access', () => {
    assert.equal(mayUseReporterName('full', 'public'), true);
    assert.equal(mayUseReporterName('full', 'anonymous'), false);
    assert.equal(mayUseReporterName('full', 'confidential'), false);
    assert.equal(mayUseReporterName('on_request', 'public'), false);
    assert.equal(mayUseReporterName('none', 'public'), false);
  });
});

describe('stale templates', () => {
  test('flagged from the configured number of days', () => {
    assert.equal(isTemplateStale('2025-09-01', '2026-02-27', 180), false, '179 days');
    assert.equal(isTemplateStale('2025-09-01', '2026-02-28', 180), true, '180 days');
    assert.equal(isTemplateStale('2026-02-01', '2026-03-01', 28), true);
  });
});

describe('identity redaction', () => {
  test('name, stored contacts and typed personal data', () => {
    const text = 'Saya Sri Wahyuni dari Jaten, hubungi 0812-3456-7890 atau sri.w@contoh.id. Bu sri wahyuni menunggu.';
    const redacted = redactIdentity(text, { name: 'Sri Wahyuni', contacts: ['+6281234567890', 'sri.w@contoh.id'] });
    assert.ok(!/sri/i.test(redacted), 'no part of the name or e-mail remains');
    assert.ok(!redacted.includes('3456'), 'the phone number is masked');
    assert.ok(redacted.includes('[nama disamarkan]'));
    assert.ok(redacted.includes('Jaten'), 'other words stay');
    // A stored contact reads as the same mask as a typed one.
    assert.ok(redacted.includes('[email disamarkan]'), redacted);
    assert.equal(redactIdentity('akun saya warga_uji_01 di instagram', { name: null, contacts: ['warga_uji_01'] }), 'akun saya [kontak disamarkan] di instagram');
  });

  test('a known phone number however it is typed', () => {
    const landline = { name: null, contacts: ['+62271495000'] };
    for (const typed of ['0271495000', '(0271) 495000', '0271-495-000', '271 495 000', '+62 271 495000']) {
      assert.equal(redactIdentity(`Telepon rumah saya ${typed}, silakan hubungi.`, landline), 'Telepon rumah saya [nomor telepon disamarkan], silakan hubungi.', typed);
    }
    const mobile = { name: null, contacts: ['+6281200000009'] };
    for (const typed of ['812 0000 0009', '81200000009', '0812/0000/0009', '0812\u20130000\u20130009', '0812 \u2014 0000 \u2014 0009', '0812,0000,0009', '(+62) 812 0000 0009']) {
      assert.equal(redactIdentity(`wa ${typed} ya`, mobile), 'wa [nomor telepon disamarkan] ya', typed);
    }
    // Other numbers stay, also one that contains the known digits.
    assert.equal(redactIdentity('Rumah nomor 27 RT 04, biaya Rp 1.495.000', landline), 'Rumah nomor 27 RT 04, biaya Rp 1.495.000');
    assert.equal(redactIdentity('kode 902714950001', landline), 'kode 902714950001');
  });

  test('name part inside an e-mail address', () => {
    const redacted = redactIdentity('Email anak saya rina.santoso@contoh.id, terima kasih', { name: 'Budi Santoso', contacts: [] });
    assert.equal(redacted, 'Email anak saya [email disamarkan], terima kasih');
  });

  test('short names are left alone', () => {
    assert.equal(redactIdentity('Ada apa di sana', { name: 'Ad', contacts: [] }), 'Ada apa di sana');
  });
});

describe('who may keep and use templates', () => {
  const officer: StaffUser = { id: 1, role: 'complaint_officer', agencyId: null, name: 'Petugas' };
  const dlh: StaffUser = { id: 2, role: 'agency_officer', agencyId: 7, name: 'Petugas DLH' };
  const leader: StaffUser = { id: 3, role: 'leader', agencyId: null, name: 'Pimpinan' };

  test('complaint officers keep all, agency officers their own', () => {
    assert.equal(mayManageAnswers(officer, null), true);
    assert.equal(mayManageAnswers(officer, 7), true);
    assert.equal(mayManageAnswers(dlh, 7), true);
    assert.equal(mayManageAnswers(dlh, 8), false);
    assert.equal(mayManageAnswers(dlh, null), false);
    assert.equal(mayManageAnswers(leader, null), false);
  });

  test('agency officers use general and own templates', () => {
    assert.equal(mayUseTemplate(dlh, null), true);
    assert.equal(mayUseTemplate(dlh, 7), true);
    assert.equal(mayUseTemplate(dlh, 8), false);
    assert.equal(mayUseTemplate(leader, null), false);
  });
});
