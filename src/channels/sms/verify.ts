/**
 * Authenticity check for the generic SMS gateway webhook (wire format in
 * docs/channels/sms-gateway.md).
 *
 * The gateway sends `X-Aduan-Timestamp: <Unix seconds>` and
 * `X-Aduan-Signature: sha256=<hex>`, the HMAC-SHA256 of
 * `<timestamp>.<raw body>` keyed with SMS_GATEWAY_SECRET. Signing the
 * timestamp lets us reject a captured request replayed later.
 */
import { constantTimeEqualBytes, hmacSha256, verifyFailure, type RawBody, type VerifyResult } from '../shared/crypto.ts';

export const SMS_SIGNATURE_HEADER = 'x-aduan-signature';
export const SMS_TIMESTAMP_HEADER = 'x-aduan-timestamp';

/** How far the gateway's timestamp may be from our clock, in seconds. */
export const SMS_SIGNATURE_TOLERANCE_SECONDS = 300;

const signatureHeaderRe = /^sha256=([0-9a-f]{64})$/i;

/**
 * Computes the signature header value for a body, as the gateway must.
 *
 * @example
 *   const signature = signSmsGatewayBody(body, secret, Math.floor(Date.now() / 1000));
 *   // "sha256=3f1c…"
 */
export function signSmsGatewayBody(rawBody: RawBody, secret: string, timestampSeconds: number): string {
  const bodyBytes = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : Buffer.from(rawBody);
  const signed = Buffer.concat([Buffer.from(`${timestampSeconds}.`, 'utf8'), bodyBytes]);
  return `sha256=${hmacSha256(secret, signed).toString('hex')}`;
}

export interface SmsVerifyOptions {
  /** Current time; defaults to the system clock. */
  now?: Date;
  /** Allowed clock difference in seconds; default 300. */
  toleranceSeconds?: number;
}

/**
 * Checks the signature and timestamp headers of an SMS gateway POST.
 *
 * @example
 *   const result = verifySmsSignature(rawBody, headers.get('x-aduan-signature'), headers.get('x-aduan-timestamp'), config.smsGatewaySecret);
 *   if (!result.ok) return c.text('invalid signature', 401);
 */
export function verifySmsSignature(
  rawBody: RawBody,
  signatureHeader: string | null | undefined,
  timestampHeader: string | null | undefined,
  secret: string,
  options: SmsVerifyOptions = {},
): VerifyResult {
  if (!secret) {
    return verifyFailure('missing_secret', 'SMS_GATEWAY_SECRET is not configured; set it before accepting SMS webhooks.');
  }
  if (!signatureHeader || !timestampHeader) {
    return verifyFailure('missing_header', 'The X-Aduan-Signature or X-Aduan-Timestamp header is missing.');
  }
  const match = signatureHeaderRe.exec(signatureHeader.trim());
  if (!match || !/^\d{1,12}$/.test(timestampHeader.trim())) {
    return verifyFailure(
      'malformed_header',
      'X-Aduan-Signature must be "sha256=" and 64 hex digits, and X-Aduan-Timestamp a Unix time in seconds.',
    );
  }
  const timestamp = Number(timestampHeader.trim());
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const tolerance = options.toleranceSeconds ?? SMS_SIGNATURE_TOLERANCE_SECONDS;
  if (Math.abs(now - timestamp) > tolerance) {
    return verifyFailure('expired', `X-Aduan-Timestamp is more than ${tolerance} seconds from the server clock; check the gateway's clock or a replayed request.`);
  }
  const expected = Buffer.from(signSmsGatewayBody(rawBody, secret, timestamp).slice('sha256='.length), 'hex');
  if (!constantTimeEqualBytes(expected, Buffer.from(match[1].toLowerCase(), 'hex'))) {
    return verifyFailure('signature_mismatch', 'X-Aduan-Signature does not match the body; the body was changed or SMS_GATEWAY_SECRET differs from the gateway.');
  }
  return { ok: true };
}
