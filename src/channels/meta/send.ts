/**
 * Outbound client for Meta's Graph API: Messenger and Instagram Send API
 * (direct replies and private replies to comments) and public replies to
 * Facebook and Instagram comments. Also classifies Graph API errors, which
 * the WhatsApp sender reuses.
 *
 * Endpoints (Graph API, https://developers.facebook.com/docs/graph-api):
 * - `POST /{version}/{page-id}/messages` with `recipient: { id }` (Send API)
 *   or `recipient: { comment_id }` (private reply to a comment);
 * - `POST /{version}/{comment-id}/comments` (reply under a Facebook comment);
 * - `POST /{version}/{ig-comment-id}/replies` (reply under an Instagram comment).
 * Errors come as `{ error: { message, type, code, error_subcode, is_transient } }`.
 */
import type { SendFailure, SendFailureCategory, SendResult } from '../../domain/inbound.ts';
import { isObject } from '../shared/payload.ts';
import { failureFromStatus, joinUrl, postJson, retryAfterSeconds, sendFailure, type HttpResponse } from '../shared/http.ts';

/** Messenger allows 2000 characters in a text message. */
export const MESSENGER_MAX_TEXT_LENGTH = 2000;
/** Facebook and Instagram comments are cut well below this; 8000 is the Graph API limit for a comment. */
export const COMMENT_MAX_TEXT_LENGTH = 8000;

export interface MetaSendConfig {
  /** Graph API base URL, e.g. `https://graph.facebook.com`; a local fake server in tests. */
  baseUrl: string;
  /** Graph API version path segment, e.g. `v21.0`. */
  apiVersion: string;
  /** Page access token (also used for the Instagram account linked to the Page). */
  accessToken: string;
  /** Page id, or Instagram account id, that sends Send API messages. */
  pageId: string;
  /** Time limit for one request in milliseconds; default 15000. */
  timeoutMs?: number;
}

export interface MessengerTextRequest {
  /** Page-scoped (Messenger) or Instagram-scoped user id. */
  recipientId: string;
  text: string;
  /**
   * Message tag for replies outside the 24-hour window. `HUMAN_AGENT` allows a
   * human officer's reply up to 7 days after the citizen's last message.
   */
  tag?: 'HUMAN_AGENT' | 'ACCOUNT_UPDATE' | 'CONFIRMED_EVENT_UPDATE' | 'POST_PURCHASE_UPDATE';
}

/**
 * Sends a Messenger or Instagram direct message through the Send API.
 *
 * @example
 *   const result = await sendMessengerText(config, { recipientId: psid, text: 'Terima kasih, laporan Anda kami terima.' });
 */
export async function sendMessengerText(config: MetaSendConfig, request: MessengerTextRequest): Promise<SendResult> {
  const invalid = checkText(request.text, MESSENGER_MAX_TEXT_LENGTH);
  if (invalid) return invalid;
  if (!request.recipientId) return sendFailure('invalid_request', false, 'invalid_recipient', 'The recipient id is empty.');
  const body: Record<string, unknown> = {
    recipient: { id: request.recipientId },
    messaging_type: request.tag ? 'MESSAGE_TAG' : 'RESPONSE',
    message: { text: request.text },
  };
  if (request.tag) body.tag = request.tag;
  return postGraph(config, `${config.pageId}/messages`, body, 'message_id');
}

/**
 * Sends a private reply: a direct message to the author of a Page or
 * Instagram comment. Meta allows one private reply per comment, within 7 days.
 *
 * @example
 *   await sendPrivateReply(config, { commentId: '901097836652708_903438993085259', text: 'Mohon kirim detail lokasi lewat pesan ini.' });
 */
export async function sendPrivateReply(config: MetaSendConfig, request: { commentId: string; text: string }): Promise<SendResult> {
  const invalid = checkText(request.text, MESSENGER_MAX_TEXT_LENGTH);
  if (invalid) return invalid;
  if (!request.commentId) return sendFailure('invalid_request', false, 'invalid_recipient', 'The comment id is empty.');
  const body = { recipient: { comment_id: request.commentId }, message: { text: request.text } };
  return postGraph(config, `${config.pageId}/messages`, body, 'message_id');
}

/**
 * Posts a public reply under a comment: `/{comment-id}/comments` on Facebook,
 * `/{comment-id}/replies` on Instagram.
 *
 * @example
 *   await replyToComment(config, { platform: 'facebook', commentId, text: 'Terima kasih, sudah kami teruskan ke DPUPR.' });
 */
export async function replyToComment(
  config: MetaSendConfig,
  request: { platform: 'facebook' | 'instagram'; commentId: string; text: string },
): Promise<SendResult> {
  const invalid = checkText(request.text, COMMENT_MAX_TEXT_LENGTH);
  if (invalid) return invalid;
  if (!request.commentId) return sendFailure('invalid_request', false, 'invalid_recipient', 'The comment id is empty.');
  const edge = request.platform === 'instagram' ? 'replies' : 'comments';
  return postGraph(config, `${encodeURIComponent(request.commentId)}/${edge}`, { message: request.text }, 'id');
}

/** Handling of one Graph API error code. */
export interface GraphErrorRule {
  category: SendFailureCategory;
  retryable: boolean;
}

/**
 * Codes shared by every Graph API product
 * (https://developers.facebook.com/docs/graph-api/guides/error-handling).
 */
const GRAPH_ERROR_RULES: Record<string, GraphErrorRule> = {
  '0': { category: 'auth', retryable: false },
  '1': { category: 'provider_error', retryable: true },
  '2': { category: 'provider_error', retryable: true },
  '3': { category: 'auth', retryable: false },
  '4': { category: 'rate_limited', retryable: true },
  '10': { category: 'auth', retryable: false },
  '17': { category: 'rate_limited', retryable: true },
  '32': { category: 'rate_limited', retryable: true },
  '100': { category: 'invalid_request', retryable: false },
  '190': { category: 'auth', retryable: false },
  '368': { category: 'auth', retryable: false },
  '613': { category: 'rate_limited', retryable: true },
};

/**
 * Messenger Platform codes (https://developers.facebook.com/docs/messenger-platform/error-codes).
 * Keys are `code` or `code/subcode`; the more specific key wins.
 */
export const MESSENGER_ERROR_RULES: Record<string, GraphErrorRule> = {
  // Messenger: message sent outside the 24-hour window without a tag.
  '10/2018278': { category: 'outside_window', retryable: false },
  // Instagram: "This message is sent outside of allowed window."
  '10/2534022': { category: 'outside_window', retryable: false },
  // "This person isn't available right now."
  '551': { category: 'recipient_unreachable', retryable: false },
  // "No matching user found."
  '100/2018001': { category: 'recipient_unreachable', retryable: false },
  // Temporary send failure.
  '1200': { category: 'provider_error', retryable: true },
};

/**
 * Classifies a Graph API error response. Product rules (WhatsApp, Messenger)
 * are checked first, then the generic Graph API codes, then `is_transient`,
 * then the HTTP status (429 and 5xx retryable).
 */
export function classifyGraphError(response: HttpResponse, productRules: Record<string, GraphErrorRule> = MESSENGER_ERROR_RULES): SendFailure {
  const error = isObject(response.json) && isObject(response.json.error) ? response.json.error : undefined;
  if (!error) return failureFromStatus(response, 'The response has no Graph API error object.');

  const code = typeof error.code === 'number' || typeof error.code === 'string' ? String(error.code) : 'unknown';
  const subcode = typeof error.error_subcode === 'number' || typeof error.error_subcode === 'string' ? String(error.error_subcode) : undefined;
  const message = describeGraphError(error);
  const extra = { httpStatus: response.status, retryAfterSeconds: retryAfterSeconds(response.headers) };

  const rule =
    (subcode ? productRules[`${code}/${subcode}`] : undefined) ??
    productRules[code] ??
    (subcode ? GRAPH_ERROR_RULES[`${code}/${subcode}`] : undefined) ??
    GRAPH_ERROR_RULES[code] ??
    graphRuleByRange(Number(code));
  if (rule) return sendFailure(rule.category, rule.retryable, code, message, extra);
  if (error.is_transient === true) return sendFailure('provider_error', true, code, message, extra);

  const byStatus = failureFromStatus(response, message);
  return { ...byStatus, code };
}

function graphRuleByRange(code: number): GraphErrorRule | undefined {
  // 200–299: permission errors; 80000–80014: business-use-case rate limits.
  if (code >= 200 && code <= 299) return { category: 'auth', retryable: false };
  if (code >= 80000 && code <= 80014) return { category: 'rate_limited', retryable: true };
  return undefined;
}

function describeGraphError(error: Record<string, unknown>): string {
  const parts: string[] = [];
  if (typeof error.message === 'string') parts.push(error.message);
  const data = isObject(error.error_data) ? error.error_data : undefined;
  if (data && typeof data.details === 'string') parts.push(data.details);
  if (typeof error.fbtrace_id === 'string') parts.push(`fbtrace_id ${error.fbtrace_id}`);
  return parts.length > 0 ? parts.join(' — ') : 'Graph API error without a message.';
}

/** POSTs to the Graph API and reads the new object's id from `idField`. */
export async function postGraph(
  config: { baseUrl: string; apiVersion: string; accessToken: string; timeoutMs?: number },
  path: string,
  body: unknown,
  idField: string,
  productRules?: Record<string, GraphErrorRule>,
  readId?: (json: Record<string, unknown>) => string | undefined,
): Promise<SendResult> {
  const url = joinUrl(config.baseUrl, `${config.apiVersion}/${path}`);
  const outcome = await postJson(url, body, {
    headers: { authorization: `Bearer ${config.accessToken}` },
    timeoutMs: config.timeoutMs,
  });
  if (!outcome.ok) return outcome.failure;
  const { response } = outcome;
  if (response.status < 200 || response.status >= 300) return classifyGraphError(response, productRules);

  const json = isObject(response.json) ? response.json : {};
  const plainId = typeof json[idField] === 'string' ? (json[idField] as string) : undefined;
  const id = readId ? readId(json) : plainId;
  if (!id) {
    // The provider may have sent the message; retrying could send it twice.
    return sendFailure('provider_error', false, 'invalid_response', `The Graph API responded with HTTP ${response.status} but without "${idField}".`, {
      httpStatus: response.status,
    });
  }
  return { ok: true, providerMessageId: id };
}

/** Rejects empty or over-long text before any request is made. */
export function checkText(text: string, maxLength: number): SendFailure | undefined {
  if (text.trim() === '') return sendFailure('invalid_request', false, 'empty_text', 'The message text is empty.');
  if (text.length > maxLength) {
    return sendFailure('invalid_request', false, 'text_too_long', `The message text has ${text.length} characters; the provider allows ${maxLength}.`);
  }
  return undefined;
}
