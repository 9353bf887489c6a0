/**
 * Masks written into stored text in Indonesian read in the page's language.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { localizeMasks, translator } from '../../src/web/i18n/index.ts';
import { redactIdentity } from '../../src/domain/templates.ts';
import { maskPersonNames } from '../../src/domain/person-names.ts';

describe('localizeMasks', () => {
  const masked = maskPersonNames(redactIdentity(
    'Saya Rina Uji, akun rina_uji_01, hp 081200000000, email warga@contoh.id, NIK 3313000000000000, motor AD 1234 XY, kata Pak Darmo.',
    { name: 'Rina Uji', contacts: ['rina_uji_01'] },
  ));

  test('writes every mask in English on an English page', () => {
    const english = localizeMasks(masked, translator('en'));
    assert.equal(
      english,
      'Saya [name hidden], akun [contact hidden], hp [phone number hidden], email [e-mail hidden], NIK [NIK hidden], motor [plate number hidden], kata Pak [name hidden].',
    );
  });

  test('leaves Indonesian text as it was stored', () => {
    assert.equal(localizeMasks(masked, translator('id')), masked);
    assert.ok(masked.includes('[nomor telepon disamarkan]'));
  });

  test('leaves a bracketed word that is no mask alone', () => {
    assert.equal(localizeMasks('[nama] dan [disamarkan]', translator('en')), '[nama] dan [disamarkan]');
  });
});
