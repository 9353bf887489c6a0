/**
 * HTTP load with autocannon, run in this process against a server on
 * 127.0.0.1. Every run is bounded by its duration.
 */
import autocannon from 'autocannon';

export interface LoadOptions {
  url: string;
  connections: number;
  seconds: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** A fixed body, or a function called for every request. */
  body?: string | (() => string);
  /** Called with every response; used to collect what the server returned. */
  onResponse?: (status: number, body: string) => void;
}

export interface LoadResult {
  seconds: number;
  /** Requests written to sockets, with or without a response. */
  sent: number;
  /** Responses by status code. */
  statusCounts: Record<string, number>;
  /** 2xx responses per second over the whole run. */
  okPerSecond: number;
  /** Latency percentiles of all responses, in whole milliseconds (autocannon's resolution), and the mean. */
  mean: number;
  p50: number;
  p99: number;
  max: number;
  /** Connection errors, including timeouts. */
  errors: number;
  timeouts: number;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { body } = options;

  const request: autocannon.Request = {
    method: options.method ?? 'GET',
    headers: options.headers,
  };
  if (typeof body === 'function') {
    request.setupRequest = (req) => ({ ...req, body: body() });
  } else if (body !== undefined) {
    request.body = body;
  }

  const onResponse = options.onResponse;
  if (onResponse) request.onResponse = (status, responseBody) => onResponse(status, responseBody);
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    requests: [request],
  });

  // Fields that autocannon 9 returns but @types/autocannon does not declare.
  const extra = result as unknown as { statusCodeStats?: Record<string, { count: number }>; requests: { sent: number } };
  const statusCounts: Record<string, number> = {};
  for (const [code, stat] of Object.entries(extra.statusCodeStats ?? {})) statusCounts[code] = Number(stat.count);

  const ok = Object.entries(statusCounts)
    .filter(([code]) => code.startsWith('2'))
    .reduce((sum, [, count]) => sum + count, 0);
  return {
    seconds: result.duration,
    sent: extra.requests.sent,
    statusCounts,
    okPerSecond: ok / result.duration,
    mean: result.latency.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

/** Number of 2xx responses in a result. */
export function okCount(result: LoadResult): number {
  return Object.entries(result.statusCounts)
    .filter(([code]) => code.startsWith('2'))
    .reduce((sum, [, count]) => sum + count, 0);
}
