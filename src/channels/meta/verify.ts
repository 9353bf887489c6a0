/**
 * Authenticity checks for Meta webhooks (Facebook Page, Messenger, Instagram
 * and the WhatsApp Cloud API, which all sign the same way).
 *
 * POST: `X-Hub-Signature-256: sha256=<hex>` is the HMAC-SHA256 of the exact
 * raw body bytes keyed with the App Secret. Verify before parsing and never
 * re-serialise parsed JSON, because Meta escapes non-ASCII as `\uXXXX`.
 * GET: the subscription handshake echoes `hub.challenge` when `hub.mode` is
 * `subscribe` and `hub.verify_token` equals our configured token.
 */
import {
  constantTimeEqual,
  constantTimeEqualBytes,
  hmacSha256,
  verifyFailure,
  type RawBody,
  type VerifyResult,
} from '../shared/crypto.ts';

/** Header Meta signs webhook POSTs with. */
export const META_SIGNATURE_HEADER = 'x-hub-signature-256';

const signatureHeaderRe = /^sha256=([0-9a-f]{64})$/i;

/**
 * Checks the `X-Hub-Signature-256` header of a Meta webhook POST.
 * A missing header is rejected: Meta signs every delivery.
 *
 * @example
 *   const result = verifyMetaSignature(rawBody, req.headers.get('x-hub-signature-256'), config.appSecret);
 *   if (!result.ok) return c.text('invalid signature', 401);
 */
export function verifyMetaSignature(rawBody: RawBody, header: string | null | undefined, appSecret: string): VerifyResult {
  if (!appSecret) {
    return verifyFailure('missing_secret', 'The Meta App Secret is not configured; set it before accepting webhooks.');
  }
  if (header === null || header === undefined || header.trim() === '') {
    return verifyFailure('missing_header', 'The X-Hub-Signature-256 header is missing.');
  }
  const match = signatureHeaderRe.exec(header.trim());
  if (!match) {
    return verifyFailure('malformed_header', 'The X-Hub-Signature-256 header must be "sha256=" followed by 64 hex digits.');
  }
  const expected = hmacSha256(appSecret, rawBody);
  const given = Buffer.from(match[1].toLowerCase(), 'hex');
  if (!constantTimeEqualBytes(expected, given)) {
    return verifyFailure('signature_mismatch', 'The X-Hub-Signature-256 header does not match the body; the body was changed or the App Secret is wrong.');
  }
  return { ok: true };
}

/** Query parameters of the GET subscription handshake, as a URLSearchParams or a plain object. */
export type SubscriptionQuery = URLSearchParams | Record<string, string | undefined>;

export type SubscriptionResult =
  | { ok: true; challenge: string }
  | { ok: false; reason: 'not_subscribe' | 'token_mismatch' | 'missing_challenge' | 'missing_secret'; message: string };

/**
 * Checks Meta's GET subscription handshake. Respond 200 with `challenge` as
 * the plain-text body when `ok`, and 403 otherwise.
 *
 * @example
 *   const result = verifySubscription(new URL(req.url).searchParams, config.verifyToken);
 *   return result.ok ? c.text(result.challenge) : c.text('forbidden', 403);
 */
export function verifySubscription(query: SubscriptionQuery, verifyToken: string): SubscriptionResult {
  const read = (name: string) => (query instanceof URLSearchParams ? query.get(name) ?? undefined : query[name]);
  if (!verifyToken) {
    return { ok: false, reason: 'missing_secret', message: 'The webhook verify token is not configured.' };
  }
  if (read('hub.mode') !== 'subscribe') {
    return { ok: false, reason: 'not_subscribe', message: 'hub.mode must be "subscribe".' };
  }
  if (!constantTimeEqual(read('hub.verify_token') ?? '', verifyToken)) {
    return { ok: false, reason: 'token_mismatch', message: 'hub.verify_token does not match the configured verify token.' };
  }
  const challenge = read('hub.challenge');
  if (!challenge) {
    return { ok: false, reason: 'missing_challenge', message: 'hub.challenge is missing.' };
  }
  return { ok: true, challenge };
}
