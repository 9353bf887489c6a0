/**
 * Outbound client for the X API v2:
 * - `POST /2/tweets` with `reply.in_reply_to_tweet_id` replies to a post in public;
 * - `POST /2/dm_conversations/with/{participant_id}/messages` sends a DM.
 * Both need a user-context OAuth 2.0 access token of our account.
 * Errors come as `{ title, detail, type, status }` (problem JSON) or
 * `{ errors: [{ message, code }] }`; 429 carries `x-rate-limit-reset`
 * (Unix seconds).
 * Docs: https://docs.x.com/x-api/posts/create-post and https://docs.x.com/x-api/direct-messages
 */
import type { SendFailure, SendResult } from '../../domain/inbound.ts';
import { failureFromStatus, joinUrl, postJson, sendFailure, type HttpResponse } from '../shared/http.ts';
import { isObject } from '../shared/payload.ts';

/** Maximum post length for standard accounts, in characters. */
export const X_MAX_POST_LENGTH = 280;
/** Maximum direct message length, in characters. */
export const X_MAX_DM_LENGTH = 10_000;

export interface XSendConfig {
  /** API base URL, e.g. `https://api.x.com`; a local fake server in tests. */
  baseUrl: string;
  /** OAuth 2.0 user-context access token with tweet.write and dm.write scopes. */
  accessToken: string;
  /** Time limit for one request in milliseconds; default 15000. */
  timeoutMs?: number;
  /** Clock for turning `x-rate-limit-reset` into a wait; defaults to the system clock. */
  now?: () => Date;
}

/**
 * Posts a public reply to a post.
 *
 * @example
 *   await replyToPost(config, { inReplyToPostId: '1850000000000000000', text: 'Terima kasih, sudah kami teruskan ke DPUPR.' });
 */
export async function replyToPost(config: XSendConfig, request: { inReplyToPostId: string; text: string }): Promise<SendResult> {
  const invalid = checkLength(request.text, X_MAX_POST_LENGTH);
  if (invalid) return invalid;
  if (!/^\d+$/.test(request.inReplyToPostId)) {
    return sendFailure('invalid_request', false, 'invalid_recipient', 'The post id to reply to must be numeric.');
  }
  const body = { text: request.text, reply: { in_reply_to_tweet_id: request.inReplyToPostId } };
  return postX(config, '2/tweets', body, (data) => (typeof data.id === 'string' ? data.id : undefined));
}

/**
 * Sends a direct message to a user.
 *
 * @example
 *   await sendXDirectMessage(config, { participantId: '3805104374', text: 'Laporan Anda sudah kami terima.' });
 */
export async function sendXDirectMessage(config: XSendConfig, request: { participantId: string; text: string }): Promise<SendResult> {
  const invalid = checkLength(request.text, X_MAX_DM_LENGTH);
  if (invalid) return invalid;
  if (!/^\d+$/.test(request.participantId)) {
    return sendFailure('invalid_request', false, 'invalid_recipient', 'The X user id must be numeric.');
  }
  const path = `2/dm_conversations/with/${request.participantId}/messages`;
  return postX(config, path, { text: request.text }, (data) => (typeof data.dm_event_id === 'string' ? data.dm_event_id : undefined));
}

async function postX(config: XSendConfig, path: string, body: unknown, readId: (data: Record<string, unknown>) => string | undefined): Promise<SendResult> {
  const outcome = await postJson(joinUrl(config.baseUrl, path), body, {
    headers: { authorization: `Bearer ${config.accessToken}` },
    timeoutMs: config.timeoutMs,
  });
  if (!outcome.ok) return outcome.failure;
  const { response } = outcome;
  if (response.status >= 200 && response.status < 300) {
    const data = isObject(response.json) && isObject(response.json.data) ? response.json.data : undefined;
    const id = data ? readId(data) : undefined;
    if (id) return { ok: true, providerMessageId: id };
    // X may have posted; retrying could post twice.
    return sendFailure('provider_error', false, 'invalid_response', `X responded with HTTP ${response.status} but without the new id.`, { httpStatus: response.status });
  }
  return classifyXError(response, config.now ?? (() => new Date()));
}

/**
 * Classifies an X API error: 429 (with the wait from `x-rate-limit-reset`)
 * and 5xx are retryable; 401 is auth; 403 is final (duplicate post, DM not
 * allowed by the recipient, suspended account).
 */
export function classifyXError(response: HttpResponse, now: () => Date = () => new Date()): SendFailure {
  const json = isObject(response.json) ? response.json : {};
  const firstError = Array.isArray(json.errors) && isObject(json.errors[0]) ? json.errors[0] : undefined;
  const detail =
    (typeof json.detail === 'string' ? json.detail : undefined) ??
    (firstError && typeof firstError.message === 'string' ? firstError.message : undefined) ??
    (typeof json.title === 'string' ? json.title : undefined) ??
    `X responded with HTTP ${response.status}.`;
  const providerCode = firstError && (typeof firstError.code === 'number' || typeof firstError.code === 'string') ? String(firstError.code) : undefined;

  if (response.status === 429) {
    const reset = Number(response.headers.get('x-rate-limit-reset'));
    const wait = Number.isFinite(reset) && reset > 0 ? Math.max(0, Math.ceil(reset - now().getTime() / 1000)) : undefined;
    return sendFailure('rate_limited', true, providerCode ?? 'http_429', detail, { httpStatus: 429, retryAfterSeconds: wait });
  }
  if (response.status === 403) {
    const unreachable = /not allowed to send|cannot send messages|blocked|suspended/i.test(detail);
    return sendFailure(unreachable ? 'recipient_unreachable' : 'invalid_request', false, providerCode ?? 'http_403', detail, { httpStatus: 403 });
  }
  const byStatus = failureFromStatus(response, detail);
  return providerCode ? { ...byStatus, code: providerCode } : byStatus;
}

function checkLength(text: string, max: number): SendFailure | undefined {
  if (text.trim() === '') return sendFailure('invalid_request', false, 'empty_text', 'The message text is empty.');
  // X counts code points (URLs count 23, some scripts count double); this check uses code points only.
  if (Array.from(text).length > max) {
    return sendFailure('invalid_request', false, 'text_too_long', `The message text is longer than X allows (${max} characters).`);
  }
  return undefined;
}
