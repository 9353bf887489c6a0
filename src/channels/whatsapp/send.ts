/**
 * Outbound client for the WhatsApp Cloud API:
 * `POST /{version}/{phone-number-id}/messages` with a Bearer access token.
 *
 * A free-form text is allowed only within 24 hours of the citizen's last
 * message. After that WhatsApp returns error 131047 and only an approved
 * template can be sent (`sendWhatsAppTemplate`).
 * Error codes: https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes
 */
import type { SendResult } from '../../domain/inbound.ts';
import { normalizeInternationalDigits } from '../../domain/phone.ts';
import { sendFailure } from '../shared/http.ts';
import { isObject } from '../shared/payload.ts';
import { checkText, postGraph, type GraphErrorRule } from '../meta/send.ts';

/** WhatsApp allows 4096 characters in a text message body. */
export const WHATSAPP_MAX_TEXT_LENGTH = 4096;

export interface WhatsAppSendConfig {
  /** Graph API base URL, e.g. `https://graph.facebook.com`; a local fake server in tests. */
  baseUrl: string;
  /** Graph API version path segment, e.g. `v21.0`. */
  apiVersion: string;
  /** Id of the business phone number that sends (not the phone number itself). */
  phoneNumberId: string;
  /** System-user or business access token. */
  accessToken: string;
  /** Time limit for one request in milliseconds; default 15000. */
  timeoutMs?: number;
}

/** WhatsApp codes, checked before the generic Graph API codes. */
export const WHATSAPP_ERROR_RULES: Record<string, GraphErrorRule> = {
  // Re-engagement: more than 24 hours since the citizen's last message; send a template instead.
  '131047': { category: 'outside_window', retryable: false },
  // Throughput of the business number exceeded.
  '130429': { category: 'rate_limited', retryable: true },
  // Spam rate limit: too many messages from this number; retry later.
  '131048': { category: 'rate_limited', retryable: true },
  // Too many messages to the same user in a short time (pair rate limit).
  '131056': { category: 'rate_limited', retryable: true },
  // Per-user marketing message limit; retrying soon does not help.
  '131049': { category: 'rate_limited', retryable: false },
  '131000': { category: 'provider_error', retryable: true },
  '131016': { category: 'provider_error', retryable: true },
  '133004': { category: 'provider_error', retryable: true },
  // Undeliverable: no WhatsApp account, old app version, or the user blocked us.
  '131026': { category: 'recipient_unreachable', retryable: false },
  // Recipient not in the allowed list of a test number.
  '131030': { category: 'recipient_unreachable', retryable: false },
  // User opted out of marketing messages.
  '131050': { category: 'recipient_unreachable', retryable: false },
  '130472': { category: 'recipient_unreachable', retryable: false },
  '131021': { category: 'invalid_request', retryable: false },
  '131008': { category: 'invalid_request', retryable: false },
  '131009': { category: 'invalid_request', retryable: false },
  '131051': { category: 'invalid_request', retryable: false },
  '131052': { category: 'invalid_request', retryable: false },
  '131053': { category: 'invalid_request', retryable: false },
  '135000': { category: 'invalid_request', retryable: false },
  // Business account locked, payment problem, or sender number not registered.
  '131031': { category: 'auth', retryable: false },
  '131042': { category: 'auth', retryable: false },
  '133010': { category: 'auth', retryable: false },
};

/** 132000–132069 are template errors (missing, paused, wrong parameters). */
function templateRules(): Record<string, GraphErrorRule> {
  const rules: Record<string, GraphErrorRule> = {};
  for (let code = 132000; code <= 132069; code++) rules[String(code)] = { category: 'invalid_request', retryable: false };
  return rules;
}

const ALL_WHATSAPP_RULES: Record<string, GraphErrorRule> = { ...templateRules(), ...WHATSAPP_ERROR_RULES };

export interface WhatsAppTextRequest {
  /** Recipient in E.164 (`+6281234567890`). */
  to: string;
  text: string;
  /** wamid of the citizen's message to quote. */
  replyToMessageId?: string;
  /** Show a link preview for the first URL; off by default. */
  previewUrl?: boolean;
}

/**
 * Sends a free-form text message.
 *
 * @example
 *   const result = await sendWhatsAppText(config, { to: '+6281234567890', text: 'Laporan Anda tercatat dengan nomor ADU-2026-0001.' });
 *   if (!result.ok && result.category === 'outside_window') {
 *     // send a template instead
 *   }
 */
export async function sendWhatsAppText(config: WhatsAppSendConfig, request: WhatsAppTextRequest): Promise<SendResult> {
  const invalid = checkText(request.text, WHATSAPP_MAX_TEXT_LENGTH);
  if (invalid) return invalid;
  const to = recipientDigits(request.to);
  if (!to) return invalidRecipient();

  const body: Record<string, unknown> = {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to,
    type: 'text',
    text: { body: request.text, preview_url: request.previewUrl ?? false },
  };
  if (request.replyToMessageId) body.context = { message_id: request.replyToMessageId };
  return postMessages(config, body);
}

export interface WhatsAppTemplateRequest {
  /** Recipient in E.164. */
  to: string;
  /** Name of an approved message template. */
  templateName: string;
  /** Template language code, e.g. `id` or `en_US`. */
  languageCode: string;
  /** Values for the body's {{1}}, {{2}}, … placeholders, in order. */
  bodyParameters?: string[];
}

/**
 * Sends an approved template, the only kind of message allowed outside the
 * 24-hour window.
 *
 * @example
 *   await sendWhatsAppTemplate(config, { to, templateName: 'tanggapan_aduan', languageCode: 'id', bodyParameters: ['ADU-2026-0001'] });
 */
export async function sendWhatsAppTemplate(config: WhatsAppSendConfig, request: WhatsAppTemplateRequest): Promise<SendResult> {
  const to = recipientDigits(request.to);
  if (!to) return invalidRecipient();
  if (!request.templateName || !request.languageCode) {
    return sendFailure('invalid_request', false, 'invalid_template', 'The template name and language code are required.');
  }
  const template: Record<string, unknown> = { name: request.templateName, language: { code: request.languageCode } };
  if (request.bodyParameters && request.bodyParameters.length > 0) {
    template.components = [{ type: 'body', parameters: request.bodyParameters.map((text) => ({ type: 'text', text })) }];
  }
  return postMessages(config, { messaging_product: 'whatsapp', recipient_type: 'individual', to, type: 'template', template });
}

function postMessages(config: WhatsAppSendConfig, body: Record<string, unknown>): Promise<SendResult> {
  return postGraph(config, `${encodeURIComponent(config.phoneNumberId)}/messages`, body, 'messages', ALL_WHATSAPP_RULES, (json) => {
    // Success: { messaging_product, contacts: [{ input, wa_id }], messages: [{ id }] }
    const messages = Array.isArray(json.messages) ? json.messages : [];
    const first = messages[0];
    return isObject(first) && typeof first.id === 'string' ? first.id : undefined;
  });
}

/** Converts E.164 to what the Cloud API takes: digits with country code and no `+`. */
function recipientDigits(e164: string): string | undefined {
  const digits = e164.startsWith('+') ? e164.slice(1) : e164;
  return normalizeInternationalDigits(digits) ? digits : undefined;
}

function invalidRecipient(): SendResult {
  return sendFailure('invalid_request', false, 'invalid_recipient', 'The recipient must be a phone number in E.164 form, e.g. +6281234567890.');
}
