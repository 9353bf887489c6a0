/**
 * The HTTP call every outbound sender makes: a JSON POST with a timeout over
 * the global `fetch`, returning either the provider's response or a
 * classified network failure. Provider-specific error classification stays in
 * each channel's send.ts.
 */
import type { SendFailure, SendFailureCategory } from '../../domain/inbound.ts';

/** Default time limit for one provider request, in milliseconds. */
export const DEFAULT_SEND_TIMEOUT_MS = 15_000;

export interface HttpResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON body, or undefined when the body is empty or not JSON. */
  json: unknown;
}

export type HttpOutcome = { ok: true; response: HttpResponse } | { ok: false; failure: SendFailure };

export interface PostJsonOptions {
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/**
 * POSTs a JSON body and reads the JSON answer. Network errors and timeouts
 * become retryable `network` failures; any HTTP status is returned for the
 * caller to classify.
 *
 * @example
 *   const outcome = await postJson('http://127.0.0.1:8080/messages', { to, text });
 */
export async function postJson(url: string, body: unknown, options: PostJsonOptions = {}): Promise<HttpOutcome> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_SEND_TIMEOUT_MS;
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...options.headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    return {
      ok: false,
      failure: {
        ok: false,
        retryable: true,
        category: 'network',
        code: timedOut ? 'timeout' : 'network_error',
        message: timedOut
          ? `The provider did not answer within ${timeoutMs} ms.`
          : `The request to the provider failed before a response: ${describeNetworkError(error)}.`,
      },
    };
  }

  const text = await response.text().catch(() => '');
  let json: unknown;
  if (text !== '') {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  return { ok: true, response: { status: response.status, headers: response.headers, json } };
}

/** Builds a failure result. */
export function sendFailure(
  category: SendFailureCategory,
  retryable: boolean,
  code: string,
  message: string,
  extra: { httpStatus?: number; retryAfterSeconds?: number } = {},
): SendFailure {
  const failure: SendFailure = { ok: false, retryable, category, code, message };
  if (extra.httpStatus !== undefined) failure.httpStatus = extra.httpStatus;
  if (extra.retryAfterSeconds !== undefined) failure.retryAfterSeconds = extra.retryAfterSeconds;
  return failure;
}

/**
 * Classifies a response whose body the provider-specific code did not
 * recognise, by HTTP status alone: 408, 429 and 5xx are retryable.
 */
export function failureFromStatus(response: HttpResponse, detail: string): SendFailure {
  const { status } = response;
  const extra = { httpStatus: status, retryAfterSeconds: retryAfterSeconds(response.headers) };
  if (status === 429) return sendFailure('rate_limited', true, 'http_429', `Rate limited by the provider. ${detail}`.trim(), extra);
  if (status === 408) return sendFailure('provider_error', true, 'http_408', `The provider timed out. ${detail}`.trim(), extra);
  if (status >= 500) return sendFailure('provider_error', true, `http_${status}`, `The provider failed with HTTP ${status}. ${detail}`.trim(), extra);
  if (status === 401 || status === 403) return sendFailure('auth', false, `http_${status}`, `The provider rejected the credentials with HTTP ${status}. ${detail}`.trim(), extra);
  return sendFailure('invalid_request', false, `http_${status}`, `The provider rejected the request with HTTP ${status}. ${detail}`.trim(), extra);
}

/** Reads a Retry-After header given in seconds; HTTP dates are ignored. */
export function retryAfterSeconds(headers: Headers): number | undefined {
  const value = headers.get('retry-after');
  if (value === null || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value.trim());
}

/** Joins a base URL and a path without doubling or dropping the slash. */
export function joinUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown error';
  const cause = (error as Error & { cause?: { code?: string } }).cause;
  return cause?.code ?? error.message;
}
