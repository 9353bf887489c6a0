import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createCrcResponse, verifyXSignature } from '../../../src/channels/x/verify.ts';

const secret = 'consumer-secret-uji';
const body = readFileSync(fileURLToPath(new URL('../../fixtures/webhooks/x/aaa_direct_message_events.json', import.meta.url)));
// Computed independently: openssl dgst -sha256 -hmac consumer-secret-uji -binary < file | base64
const bodySignature = 'sha256=sKA73ICybhDlkm+jOwbd7UN0Ki83/6yLbJENVR907tk=';

describe('createCrcResponse', () => {
  it('answers with the base64 HMAC of the token', () => {
    // printf crc-token-2026 | openssl dgst -sha256 -hmac consumer-secret-uji -binary | base64
    assert.deepEqual(createCrcResponse('crc-token-2026', secret), { response_token: 'sha256=bxfsOv8aT1TUZGSfqmd4jqCnGo8jWLuuI637pEh5SLo=' });
  });

  it('changes with the token and the secret', () => {
    const base = createCrcResponse('crc-token-2026', secret).response_token;
    assert.notEqual(createCrcResponse('crc-token-2027', secret).response_token, base);
    assert.notEqual(createCrcResponse('crc-token-2026', 'other-secret').response_token, base);
  });

  it('rejects a missing token or secret', () => {
    assert.throws(() => createCrcResponse('', secret), /crc_token is empty/);
    assert.throws(() => createCrcResponse('t', ''), /consumer secret is not configured/);
  });
});

describe('verifyXSignature', () => {
  it('accepts a valid signature', () => {
    assert.deepEqual(verifyXSignature(body, bodySignature, secret), { ok: true });
    assert.deepEqual(verifyXSignature(body.toString('utf8'), bodySignature, secret), { ok: true });
  });

  it('rejects a one-byte change', () => {
    const changed = Buffer.from(body);
    changed[changed.indexOf('RT 03')] = 'Q'.charCodeAt(0);
    const result = verifyXSignature(changed, bodySignature, secret);
    assert.equal(!result.ok && result.reason, 'signature_mismatch');
  });

  it('rejects a wrong secret and a missing header', () => {
    const wrong = verifyXSignature(body, bodySignature, 'consumer-secret-lain');
    assert.equal(!wrong.ok && wrong.reason, 'signature_mismatch');
    const missing = verifyXSignature(body, undefined, secret);
    assert.equal(!missing.ok && missing.reason, 'missing_header');
    const malformed = verifyXSignature(body, 'sha256=not-base64', secret);
    assert.equal(!malformed.ok && malformed.reason, 'malformed_header');
  });
});
