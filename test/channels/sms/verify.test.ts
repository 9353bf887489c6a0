import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { signSmsGatewayBody, verifySmsSignature } from '../../../src/channels/sms/verify.ts';

const secret = 'sms-gateway-secret-uji';
const body = '{"id":"gw-000123","from":"081234567890","to":"+62271495039","text":"Lampu jalan mati","receivedAt":"2026-03-13T16:00:00+07:00"}';
const timestamp = 1773392400;
const now = new Date(timestamp * 1000 + 30_000);

describe('SMS gateway signature', () => {
  it('signs timestamp dot body', () => {
    const expected = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
    assert.equal(signSmsGatewayBody(body, secret, timestamp), `sha256=${expected}`);
  });

  it('accepts a fresh valid signature', () => {
    const signature = signSmsGatewayBody(body, secret, timestamp);
    assert.deepEqual(verifySmsSignature(body, signature, String(timestamp), secret, { now }), { ok: true });
    assert.deepEqual(verifySmsSignature(Buffer.from(body), signature, String(timestamp), secret, { now }), { ok: true });
  });

  it('rejects changed body, timestamp or secret', () => {
    const signature = signSmsGatewayBody(body, secret, timestamp);
    const changedBody = verifySmsSignature(body.replace('mati', 'mat1'), signature, String(timestamp), secret, { now });
    assert.equal(!changedBody.ok && changedBody.reason, 'signature_mismatch');
    const changedTime = verifySmsSignature(body, signature, String(timestamp + 1), secret, { now });
    assert.equal(!changedTime.ok && changedTime.reason, 'signature_mismatch');
    const wrongSecret = verifySmsSignature(body, signature, String(timestamp), 'lain', { now });
    assert.equal(!wrongSecret.ok && wrongSecret.reason, 'signature_mismatch');
  });

  it('rejects an old timestamp', () => {
    const signature = signSmsGatewayBody(body, secret, timestamp);
    const later = new Date((timestamp + 301) * 1000);
    const result = verifySmsSignature(body, signature, String(timestamp), secret, { now: later });
    assert.equal(!result.ok && result.reason, 'expired');
  });

  it('rejects missing and malformed headers', () => {
    const signature = signSmsGatewayBody(body, secret, timestamp);
    const missing = verifySmsSignature(body, signature, undefined, secret, { now });
    assert.equal(!missing.ok && missing.reason, 'missing_header');
    const malformed = verifySmsSignature(body, 'md5=abc', String(timestamp), secret, { now });
    assert.equal(!malformed.ok && malformed.reason, 'malformed_header');
    const noSecret = verifySmsSignature(body, signature, String(timestamp), '', { now });
    assert.equal(!noSecret.ok && noSecret.reason, 'missing_secret');
  });
});
