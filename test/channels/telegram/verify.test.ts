import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isValidTelegramSecret, verifyTelegramSecret } from '../../../src/channels/telegram/verify.ts';

describe('verifyTelegramSecret', () => {
  const secret = 'Aduan_Karanganyar-2026';

  it('accepts the configured secret', () => {
    assert.deepEqual(verifyTelegramSecret(secret, secret), { ok: true });
  });

  it('rejects a different or missing header', () => {
    const wrong = verifyTelegramSecret('Aduan_Karanganyar-2025', secret);
    assert.equal(!wrong.ok && wrong.reason, 'signature_mismatch');
    const prefix = verifyTelegramSecret(secret.slice(0, -1), secret);
    assert.equal(!prefix.ok && prefix.reason, 'signature_mismatch');
    for (const header of [undefined, null, '']) {
      const missing = verifyTelegramSecret(header, secret);
      assert.equal(!missing.ok && missing.reason, 'missing_header');
    }
  });

  it('rejects an invalid configured secret', () => {
    for (const configured of ['', 'has space', 'x'.repeat(257), 'titik.koma']) {
      const result = verifyTelegramSecret(configured, configured);
      assert.equal(!result.ok && result.reason, 'missing_secret', configured);
      assert.equal(isValidTelegramSecret(configured), false);
    }
    assert.equal(isValidTelegramSecret('x'.repeat(256)), true);
  });
});
