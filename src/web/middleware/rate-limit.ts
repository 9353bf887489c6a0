/**
 * Limits how often one client address may file reports, reply, rate or sign
 * in, so that one machine cannot flood the officers' inbox or try passwords
 * without end. Each kind of request has a token bucket per address: a client
 * may send `perHour` requests at once, then one every 3600 / `perHour`
 * seconds.
 *
 * The buckets live in this process's memory. Several processes behind one
 * proxy each keep their own, so a client gets the limit once per process.
 *
 * The client address is the TCP peer, or behind a reverse proxy
 * (`TRUST_PROXY=true`) the last address of X-Forwarded-For, which the proxy
 * appended. Without TRUST_PROXY a loopback peer is not limited, since it is
 * most likely a proxy on the same machine that every citizen would share.
 * IPv6 addresses count per /64 prefix, the block one subscriber usually
 * gets, so a client cannot escape its limit by changing the last 64 bits.
 */
import type { IncomingMessage } from 'node:http';
import { isIPv4, isIPv6 } from 'node:net';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context.ts';
import { logger } from '../../logger.ts';

const HOUR_MS = 3_600_000;
/** Buckets kept before the full ones (idle for an hour or more) are removed. */
const SWEEP_AT = 10_000;
/** Buckets kept at most; past it the oldest are removed, which resets those clients' limits. */
const MAX_BUCKETS = 100_000;

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/**
 * Token buckets of one kind of request, by client key.
 *
 * @example
 * const limiter = new RateLimiter(2);
 * limiter.take('203.0.113.5', 0); // → 0 (allowed)
 * limiter.take('203.0.113.5', 0); // → 0
 * limiter.take('203.0.113.5', 0); // → 1800 (seconds until the next is allowed)
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(readonly perHour: number) {
    if (!Number.isInteger(perHour) || perHour < 1) throw new RangeError(`perHour must be a whole number of at least 1, got ${perHour}`);
  }

  /** Tokens earned in `elapsedMs`, multiplied before dividing so that whole hours give whole tokens. */
  private refill(elapsedMs: number): number {
    return (elapsedMs * this.perHour) / HOUR_MS;
  }

  /**
   * Takes one token for `key` at `nowMs`. Returns 0 when the request is
   * allowed, otherwise the whole seconds until a token is free again.
   */
  take(key: string, nowMs: number): number {
    let bucket = this.buckets.get(key);
    if (bucket) {
      bucket.tokens = Math.min(this.perHour, bucket.tokens + this.refill(nowMs - bucket.updatedMs));
      bucket.updatedMs = nowMs;
    } else {
      if (this.buckets.size >= SWEEP_AT) this.sweep(nowMs);
      bucket = { tokens: this.perHour, updatedMs: nowMs };
      this.buckets.set(key, bucket);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    // As in refill, multiplying first keeps a whole wait exact (1,800 s, not 1,800.0000000000002).
    return Math.max(1, Math.ceil(((1 - bucket.tokens) * HOUR_MS) / this.perHour / 1000));
  }

  /** Number of clients with a bucket, for tests. */
  get size(): number {
    return this.buckets.size;
  }

  private sweep(nowMs: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + this.refill(nowMs - bucket.updatedMs) >= this.perHour) this.buckets.delete(key);
    }
    // Map iteration follows insertion order, so the oldest buckets go first.
    for (const key of this.buckets.keys()) {
      if (this.buckets.size < MAX_BUCKETS) break;
      this.buckets.delete(key);
    }
  }
}

/**
 * Returns the key a client is limited by: an IPv4 address, or the /64
 * prefix of an IPv6 address. IPv4-mapped IPv6 addresses count as IPv4.
 * Returns null for anything that is not an IP address.
 */
export function clientKey(address: string): string | null {
  const trimmed = address.trim();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(trimmed);
  if (mapped && isIPv4(mapped[1])) return mapped[1];
  if (isIPv4(trimmed)) return trimmed;
  if (!isIPv6(trimmed)) return null;
  return `${expandIPv6(trimmed).slice(0, 4).join(':')}::/64`;
}

/** Expands an IPv6 address into its eight groups, each as lower-case hex without leading zeros. */
function expandIPv6(address: string): string[] {
  const [head, tail] = address.toLowerCase().split('::') as [string, string | undefined];
  const groups = (part: string | undefined) => (part ? part.split(':') : []);
  const left = groups(head);
  const right = groups(tail);
  const middle = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...middle, ...right].map((group) => Number.parseInt(group, 16).toString(16));
}

function isLoopback(key: string): boolean {
  return key.startsWith('127.') || key === '0:0:0:0::/64';
}

let loopbackNoticeLogged = false;

/**
 * Returns the key of the client that sent the request, or null when it is
 * not limited: the request did not come over a socket (in-process calls),
 * or from loopback without TRUST_PROXY.
 */
export function requestClientKey(c: Context<AppEnv>, trustProxy: boolean): string | null {
  const peer = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket?.remoteAddress;
  if (!peer) return null;
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',').at(-1);
    const key = forwarded ? clientKey(forwarded) : null;
    if (key) return key;
  }
  const key = clientKey(peer);
  if (key === null) return null;
  if (!trustProxy && isLoopback(key)) {
    if (!loopbackNoticeLogged) {
      loopbackNoticeLogged = true;
      logger.info('requests from loopback are not rate-limited; behind a reverse proxy, set TRUST_PROXY=true');
    }
    return null;
  }
  return key;
}

export interface RateLimitOptions {
  limiter: RateLimiter;
  trustProxy: boolean;
  /** Filter of the requests that count; without it, every request that reaches the middleware counts. */
  applies?: (c: Context<AppEnv>) => boolean;
  /** The response to a request over the limit; the middleware adds Retry-After to it. */
  onLimited: (c: Context<AppEnv>, retryAfterSeconds: number) => Response | Promise<Response>;
  /** Kind of request, for the log line. */
  kind: string;
}

/** Returns middleware that responds to a request over its client's limit with `onLimited`. */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (options.applies && !options.applies(c)) return next();
    const key = requestClientKey(c, options.trustProxy);
    if (key === null) return next();
    const retryAfter = options.limiter.take(key, Date.now());
    if (retryAfter === 0) return next();
    // The address is personal data, so the log names only the kind and path.
    logger.info({ kind: options.kind, path: c.req.path, retryAfter }, 'request over the rate limit rejected');
    const response = await options.onLimited(c, retryAfter);
    response.headers.set('Retry-After', String(retryAfter));
    return response;
  };
}
