/**
 * Outbound client for the Telegram Bot API: `POST /bot<token>/sendMessage`.
 *
 * Telegram responds with `{ ok: true, result: Message }` or
 * `{ ok: false, error_code, description, parameters?: { retry_after } }`.
 * 429 carries `retry_after` in seconds; 403 means the user blocked the bot.
 * Docs: https://core.telegram.org/bots/api#making-requests
 */
import type { SendFailure, SendResult } from '../../domain/inbound.ts';
import { joinUrl, postJson, sendFailure, type HttpResponse } from '../shared/http.ts';
import { isObject } from '../shared/payload.ts';

/** Telegram allows 4096 characters in a text message. */
export const TELEGRAM_MAX_TEXT_LENGTH = 4096;

export interface TelegramSendConfig {
  /** Bot API base URL, e.g. `https://api.telegram.org`; a local fake server in tests. */
  baseUrl: string;
  /** Bot token from BotFather; it is part of the URL path, so never log URLs. */
  botToken: string;
  /** Time limit for one request in milliseconds; default 15000. */
  timeoutMs?: number;
}

export interface TelegramTextRequest {
  /** Chat id; in a private chat it equals the user's id. */
  chatId: string;
  text: string;
  /** Telegram message id (the part after the colon in our `providerMessageId`) to reply to. */
  replyToMessageId?: string;
}

/**
 * Sends a text message. The returned `providerMessageId` has the same
 * `<chat id>:<message id>` form the parser produces.
 *
 * @example
 *   await sendTelegramText(config, { chatId: '12345678', text: 'Laporan Anda sudah kami terima.' });
 */
export async function sendTelegramText(config: TelegramSendConfig, request: TelegramTextRequest): Promise<SendResult> {
  if (request.text.trim() === '') return sendFailure('invalid_request', false, 'empty_text', 'The message text is empty.');
  if (request.text.length > TELEGRAM_MAX_TEXT_LENGTH) {
    return sendFailure('invalid_request', false, 'text_too_long', `The message text has ${request.text.length} characters; Telegram allows ${TELEGRAM_MAX_TEXT_LENGTH}.`);
  }
  if (!/^-?\d+$/.test(request.chatId)) {
    return sendFailure('invalid_request', false, 'invalid_recipient', 'The Telegram chat id must be an integer.');
  }

  const body: Record<string, unknown> = {
    chat_id: request.chatId,
    text: request.text,
    link_preview_options: { is_disabled: true },
  };
  if (request.replyToMessageId) {
    body.reply_parameters = { message_id: Number(request.replyToMessageId), allow_sending_without_reply: true };
  }

  const url = joinUrl(config.baseUrl, `bot${config.botToken}/sendMessage`);
  const outcome = await postJson(url, body, { timeoutMs: config.timeoutMs });
  if (!outcome.ok) return outcome.failure;
  const { response } = outcome;
  const json = isObject(response.json) ? response.json : undefined;

  if (json?.ok === true && isObject(json.result)) {
    const result = json.result;
    const messageId = typeof result.message_id === 'number' ? result.message_id : undefined;
    const chat = isObject(result.chat) ? result.chat : undefined;
    const chatId = chat && (typeof chat.id === 'number' || typeof chat.id === 'string') ? String(chat.id) : request.chatId;
    if (messageId !== undefined) return { ok: true, providerMessageId: `${chatId}:${messageId}` };
  }
  if (response.status >= 200 && response.status < 300 && json?.ok !== false) {
    // Telegram may have sent the message; retrying could send it twice.
    return sendFailure('provider_error', false, 'invalid_response', `Telegram responded with HTTP ${response.status} but without a message id.`, { httpStatus: response.status });
  }
  return classifyTelegramError(response);
}

/**
 * Classifies a Telegram error: 429 and 5xx are retryable; 403 (blocked,
 * deactivated) is final; 401 and 404 mean a wrong bot token.
 */
export function classifyTelegramError(response: HttpResponse): SendFailure {
  const json = isObject(response.json) ? response.json : {};
  const errorCode = typeof json.error_code === 'number' ? json.error_code : response.status;
  const description = typeof json.description === 'string' ? json.description : `Telegram responded with HTTP ${response.status}.`;
  const parameters = isObject(json.parameters) ? json.parameters : {};
  const retryAfter = typeof parameters.retry_after === 'number' ? parameters.retry_after : undefined;
  const extra = { httpStatus: response.status, retryAfterSeconds: retryAfter };
  const code = String(errorCode);

  if (errorCode === 429) return sendFailure('rate_limited', true, code, description, extra);
  if (errorCode >= 500) return sendFailure('provider_error', true, code, description, extra);
  if (errorCode === 403) return sendFailure('recipient_unreachable', false, code, description, extra);
  if (errorCode === 401 || errorCode === 404) return sendFailure('auth', false, code, description, extra);
  if (errorCode === 400 && /chat not found|user not found/i.test(description)) {
    return sendFailure('recipient_unreachable', false, code, description, extra);
  }
  return sendFailure('invalid_request', false, code, description, extra);
}
