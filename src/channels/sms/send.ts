/**
 * Outbound client for the generic SMS gateway (wire format in
 * docs/channels/sms-gateway.md): `POST {baseUrl}/messages` with a Bearer API
 * key and an `Idempotency-Key`. The gateway responds with `{ "id": "…" }` or
 * `{ "error": { "code", "message" } }`.
 */
import type { SendFailure, SendResult } from '../../domain/inbound.ts';
import { normalizePhone } from '../../domain/phone.ts';
import { failureFromStatus, joinUrl, postJson, retryAfterSeconds, sendFailure, type HttpResponse } from '../shared/http.ts';
import { isObject } from '../shared/payload.ts';

/** Six concatenated GSM-7 segments of 153 characters; longer texts cost too much and arrive out of order on some phones. */
export const SMS_MAX_TEXT_LENGTH = 918;

export interface SmsSendConfig {
  /** Gateway base URL, e.g. `https://sms-gateway.example/api`; a local fake server in tests. */
  baseUrl: string;
  /** API key the gateway issued to us. */
  apiKey: string;
  /** Time limit for one request in milliseconds; default 15000. */
  timeoutMs?: number;
}

export interface SmsTextRequest {
  /** Recipient in E.164 or any form `normalizePhone` accepts. */
  to: string;
  text: string;
  /** Our id for this send; the gateway drops a second request with the same key, so a retry never sends twice. */
  clientReference: string;
}

/**
 * Sends one SMS through the gateway.
 *
 * @example
 *   await sendSms(config, { to: '+6281234567890', text: 'Aduan ADU-2026-0001 sudah selesai.', clientReference: 'delivery-42' });
 */
export async function sendSms(config: SmsSendConfig, request: SmsTextRequest): Promise<SendResult> {
  if (request.text.trim() === '') return sendFailure('invalid_request', false, 'empty_text', 'The message text is empty.');
  if (request.text.length > SMS_MAX_TEXT_LENGTH) {
    return sendFailure('invalid_request', false, 'text_too_long', `The SMS text has ${request.text.length} characters; at most ${SMS_MAX_TEXT_LENGTH} are sent.`);
  }
  const to = normalizePhone(request.to);
  if (!to) return sendFailure('invalid_request', false, 'invalid_recipient', 'The SMS recipient is not a valid phone number.');
  if (!request.clientReference) {
    return sendFailure('invalid_request', false, 'missing_reference', 'clientReference is required so that retries are not sent twice.');
  }

  const outcome = await postJson(
    joinUrl(config.baseUrl, 'messages'),
    { to, text: request.text, clientReference: request.clientReference },
    { headers: { authorization: `Bearer ${config.apiKey}`, 'idempotency-key': request.clientReference }, timeoutMs: config.timeoutMs },
  );
  if (!outcome.ok) return outcome.failure;
  const { response } = outcome;
  if (response.status >= 200 && response.status < 300) {
    const id = isObject(response.json) && typeof response.json.id === 'string' ? response.json.id : undefined;
    if (id) return { ok: true, providerMessageId: id };
    return sendFailure('provider_error', false, 'invalid_response', `The SMS gateway responded with HTTP ${response.status} but without "id".`, { httpStatus: response.status });
  }
  return classifySmsGatewayError(response);
}

/** Gateway error codes and how to treat them; unknown codes fall back to the HTTP status. */
const GATEWAY_ERRORS: Record<string, { category: SendFailure['category']; retryable: boolean }> = {
  invalid_number: { category: 'recipient_unreachable', retryable: false },
  blocked_number: { category: 'recipient_unreachable', retryable: false },
  insufficient_balance: { category: 'auth', retryable: false },
  unauthorized: { category: 'auth', retryable: false },
  invalid_request: { category: 'invalid_request', retryable: false },
  rate_limited: { category: 'rate_limited', retryable: true },
  unavailable: { category: 'provider_error', retryable: true },
};

export function classifySmsGatewayError(response: HttpResponse): SendFailure {
  const error = isObject(response.json) && isObject(response.json.error) ? response.json.error : undefined;
  const code = error && typeof error.code === 'string' ? error.code : undefined;
  const message = error && typeof error.message === 'string' ? error.message : `The SMS gateway responded with HTTP ${response.status}.`;
  const rule = code ? GATEWAY_ERRORS[code] : undefined;
  if (rule) {
    return sendFailure(rule.category, rule.retryable, code!, message, {
      httpStatus: response.status,
      retryAfterSeconds: retryAfterSeconds(response.headers),
    });
  }
  const byStatus = failureFromStatus(response, message);
  return code ? { ...byStatus, code } : byStatus;
}
