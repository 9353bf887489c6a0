import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { verifyMetaSignature, verifySubscription } from '../../../src/channels/meta/verify.ts';

const signaturesDir = fileURLToPath(new URL('../../fixtures/webhooks/signatures/', import.meta.url));
const vector = JSON.parse(readFileSync(signaturesDir + 'meta_x_hub_signature_256_vector_pywa.json', 'utf8')) as {
  app_secret: string;
  raw_body: string;
  header_value: string;
  expected_valid: boolean;
};
const rawBytes = readFileSync(signaturesDir + 'meta_whatsapp_signed_body_pywa.raw');

describe('verifyMetaSignature', () => {
  it('accepts the published test vector', () => {
    assert.equal(vector.expected_valid, true);
    assert.deepEqual(verifyMetaSignature(vector.raw_body, vector.header_value, vector.app_secret), { ok: true });
  });

  it('accepts the raw body bytes file', () => {
    assert.equal(rawBytes.toString('utf8'), vector.raw_body);
    assert.deepEqual(verifyMetaSignature(rawBytes, vector.header_value, vector.app_secret), { ok: true });
  });

  it('accepts an uppercase hex digest', () => {
    const upper = 'sha256=' + vector.header_value.slice('sha256='.length).toUpperCase();
    assert.equal(verifyMetaSignature(rawBytes, upper, vector.app_secret).ok, true);
  });

  it('rejects a one-byte change in the body', () => {
    const changed = Buffer.from(rawBytes);
    const index = changed.indexOf('PyWa');
    changed[index] = 'Q'.charCodeAt(0);
    const result = verifyMetaSignature(changed, vector.header_value, vector.app_secret);
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.reason, 'signature_mismatch');
  });

  it('rejects a re-serialised body', () => {
    const reserialised = JSON.stringify(JSON.parse(vector.raw_body), null, 1);
    assert.equal(verifyMetaSignature(reserialised, vector.header_value, vector.app_secret).ok, false);
  });

  it('rejects a wrong secret', () => {
    const result = verifyMetaSignature(rawBytes, vector.header_value, vector.app_secret.replace(/.$/, '0'));
    assert.equal(!result.ok && result.reason, 'signature_mismatch');
  });

  it('rejects a missing header', () => {
    for (const header of [undefined, null, '', '   ']) {
      const result = verifyMetaSignature(rawBytes, header, vector.app_secret);
      assert.equal(!result.ok && result.reason, 'missing_header', String(header));
    }
  });

  it('rejects a malformed header', () => {
    for (const header of ['sha1=' + 'a'.repeat(40), 'sha256=xyz', vector.header_value.slice('sha256='.length)]) {
      const result = verifyMetaSignature(rawBytes, header, vector.app_secret);
      assert.equal(!result.ok && result.reason, 'malformed_header', header);
    }
  });

  it('rejects when no secret is configured', () => {
    const result = verifyMetaSignature(rawBytes, vector.header_value, '');
    assert.equal(!result.ok && result.reason, 'missing_secret');
  });
});

describe('verifySubscription', () => {
  const token = 'token-rahasia-aduan';

  it('echoes hub.challenge for a matching token', () => {
    const query = new URLSearchParams({ 'hub.mode': 'subscribe', 'hub.verify_token': token, 'hub.challenge': '1158201444' });
    assert.deepEqual(verifySubscription(query, token), { ok: true, challenge: '1158201444' });
  });

  it('accepts a plain query object', () => {
    const result = verifySubscription({ 'hub.mode': 'subscribe', 'hub.verify_token': token, 'hub.challenge': 'abc' }, token);
    assert.deepEqual(result, { ok: true, challenge: 'abc' });
  });

  it('rejects a wrong token', () => {
    const query = new URLSearchParams({ 'hub.mode': 'subscribe', 'hub.verify_token': 'salah', 'hub.challenge': '1' });
    const result = verifySubscription(query, token);
    assert.equal(!result.ok && result.reason, 'token_mismatch');
  });

  it('rejects another mode and a missing challenge', () => {
    const unsubscribe = verifySubscription(new URLSearchParams({ 'hub.mode': 'unsubscribe', 'hub.verify_token': token, 'hub.challenge': '1' }), token);
    assert.equal(!unsubscribe.ok && unsubscribe.reason, 'not_subscribe');
    const noChallenge = verifySubscription(new URLSearchParams({ 'hub.mode': 'subscribe', 'hub.verify_token': token }), token);
    assert.equal(!noChallenge.ok && noChallenge.reason, 'missing_challenge');
  });

  it('rejects everything without a configured token', () => {
    const result = verifySubscription(new URLSearchParams({ 'hub.mode': 'subscribe', 'hub.verify_token': '', 'hub.challenge': '1' }), '');
    assert.equal(!result.ok && result.reason, 'missing_secret');
  });
});
