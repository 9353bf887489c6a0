/**
 * HMAC and constant-time comparison used by the webhook authenticity checks.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type RawBody = string | Uint8Array;

/** Result of an authenticity check. `reason` is safe to log; it never contains the secret. */
export type VerifyResult = { ok: true } | { ok: false; reason: VerifyFailure; message: string };

export type VerifyFailure = 'missing_header' | 'malformed_header' | 'signature_mismatch' | 'missing_secret' | 'expired';

/** HMAC-SHA256 of the exact body bytes. A string body is taken as UTF-8. */
export function hmacSha256(secret: string, body: RawBody): Buffer {
  return createHmac('sha256', secret).update(typeof body === 'string' ? Buffer.from(body, 'utf8') : body).digest();
}

/** Compares two strings in time independent of where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) {
    // Compare against itself so the time taken does not depend on the secret's prefix.
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}

/** Compares two byte strings in time independent of where they differ. */
export function constantTimeEqualBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}

export function verifyFailure(reason: VerifyFailure, message: string): VerifyResult {
  return { ok: false, reason, message };
}

