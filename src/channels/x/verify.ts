/**
 * Authenticity checks for the X (Twitter) Account Activity API.
 *
 * CRC: X sends `GET ?crc_token=T` when the webhook is registered and about
 * hourly after. The response, due within 3 seconds, is JSON
 * `{ "response_token": "sha256=" + base64(HMAC-SHA256(consumer secret, T)) }`.
 * POST: `x-twitter-webhooks-signature: sha256=<base64>` is the HMAC-SHA256 of
 * the raw body keyed with the same consumer (API key) secret.
 * Docs: https://developer.x.com/en/docs/x-api/enterprise/account-activity-api/guides/securing-webhooks
 */
import { constantTimeEqualBytes, hmacSha256, verifyFailure, type RawBody, type VerifyResult } from '../shared/crypto.ts';

export const X_SIGNATURE_HEADER = 'x-twitter-webhooks-signature';

const signatureHeaderRe = /^sha256=([A-Za-z0-9+/]{43}=)$/;

/**
 * Builds the JSON response to a CRC check.
 *
 * @example
 *   const crcToken = new URL(req.url).searchParams.get('crc_token');
 *   if (crcToken) return c.json(createCrcResponse(crcToken, config.consumerSecret));
 */
export function createCrcResponse(crcToken: string, consumerSecret: string): { response_token: string } {
  if (!consumerSecret) throw new Error('The X consumer secret is not configured; set it before responding to CRC checks.');
  if (!crcToken) throw new Error('crc_token is empty; X sends it as a query parameter of the GET request.');
  return { response_token: `sha256=${hmacSha256(consumerSecret, crcToken).toString('base64')}` };
}

/**
 * Checks the `x-twitter-webhooks-signature` header of an Account Activity POST.
 *
 * @example
 *   const result = verifyXSignature(rawBody, req.headers.get('x-twitter-webhooks-signature'), config.consumerSecret);
 */
export function verifyXSignature(rawBody: RawBody, header: string | null | undefined, consumerSecret: string): VerifyResult {
  if (!consumerSecret) {
    return verifyFailure('missing_secret', 'The X consumer secret is not configured; set it before accepting webhooks.');
  }
  if (header === null || header === undefined || header.trim() === '') {
    return verifyFailure('missing_header', 'The x-twitter-webhooks-signature header is missing.');
  }
  const match = signatureHeaderRe.exec(header.trim());
  if (!match) {
    return verifyFailure('malformed_header', 'The x-twitter-webhooks-signature header must be "sha256=" followed by a base64 SHA-256 digest.');
  }
  const expected = hmacSha256(consumerSecret, rawBody);
  if (!constantTimeEqualBytes(expected, Buffer.from(match[1], 'base64'))) {
    return verifyFailure('signature_mismatch', 'The x-twitter-webhooks-signature header does not match the body; the body was changed or the consumer secret is wrong.');
  }
  return { ok: true };
}
