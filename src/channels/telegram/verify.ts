/**
 * Telegram Bot API webhooks carry no signature. The `secret_token` given to
 * `setWebhook` (1–256 characters of A–Z, a–z, 0–9, `_` and `-`) comes back
 * verbatim in the `X-Telegram-Bot-Api-Secret-Token` header of every update.
 * Respond 403 when it is missing or different.
 * Docs: https://core.telegram.org/bots/api#setwebhook
 */
import { constantTimeEqual, verifyFailure, type VerifyResult } from '../shared/crypto.ts';

export const TELEGRAM_SECRET_HEADER = 'x-telegram-bot-api-secret-token';

const secretTokenRe = /^[A-Za-z0-9_-]{1,256}$/;

/** True when `secret` is a token Telegram accepts for `setWebhook`. */
export function isValidTelegramSecret(secret: string): boolean {
  return secretTokenRe.test(secret);
}

/**
 * Checks the secret token header of a Telegram webhook request.
 *
 * @example
 *   const result = verifyTelegramSecret(req.headers.get('x-telegram-bot-api-secret-token'), config.telegramSecret);
 *   if (!result.ok) return c.text('forbidden', 403);
 */
export function verifyTelegramSecret(header: string | null | undefined, expectedSecret: string): VerifyResult {
  if (!isValidTelegramSecret(expectedSecret)) {
    return verifyFailure(
      'missing_secret',
      'The Telegram webhook secret is not configured or invalid: use 1 to 256 characters from A-Z, a-z, 0-9, "_" and "-".',
    );
  }
  if (header === null || header === undefined || header === '') {
    return verifyFailure('missing_header', 'The X-Telegram-Bot-Api-Secret-Token header is missing.');
  }
  if (!constantTimeEqual(header, expectedSecret)) {
    return verifyFailure('signature_mismatch', 'The X-Telegram-Bot-Api-Secret-Token header does not match the configured secret.');
  }
  return { ok: true };
}
