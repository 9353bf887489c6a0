/**
 * Limits how often one client address may file reports, reply, rate or sign
 * in, so that one machine cannot flood the officers' inbox or try passwords
 * without end. Each kind of request has a token bucket per address: a client
 * may make `perHour` such requests at once, then one every 3600 / `perHour`
 * seconds. A request is refused while the bucket is empty, and only the
 * requests its kind counts take a token (a stored report, a failed sign-in),
 * so a rejected form or a page of FAQ suggestions costs nothing.
 *
 * The buckets live in this process's memory. Several processes behind one
 * proxy each keep their own, so a client gets the limit once per process.
 *
 * The client address is the TCP peer, or behind a reverse proxy
 * (`TRUST_PROXY=true`) the last address of X-Forwarded-For, which the proxy
 * appended. Without TRUST_PROXY a loopback peer is not limited, since it is
 * most likely a proxy on the same machine that every citizen would share.
 * IPv6 addresses count per /64 prefix, the block one subscriber usually
 * gets, so a client cannot escape its limit by changing the last 64 bits,
 * and each /48 has a shared bucket IPV6_SITE_FACTOR times larger.
 */
import type { IncomingMessage } from 'node:http';
import { isIPv4, isIPv6 } from 'node:net';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context.ts';
import { logger } from '../../logger.ts';

const HOUR_MS = 3_600_000;
/** Buckets kept before the full ones (idle for an hour or more) are removed, at most once a minute. */
const SWEEP_AT = 10_000;
const SWEEP_INTERVAL_MS = 60_000;
/**
 * Buckets kept at most. Past it, the bucket used longest ago is removed for
 * each new one, which resets that client's limit. A client that keeps
 * sending keeps its bucket, however many new addresses arrive after it.
 */
const MAX_BUCKETS = 100_000;

interface Bucket {
  tokens: number;
  updatedMs: number;
  /** Tokens per hour, which is also the bucket's capacity. */
  rate: number;
}

/**
 * How many /64 networks' worth of requests one IPv6 /48 may make. A /48 is
 * one site: a household or an office on many providers, or anyone with a
 * free tunnel. Without this bucket such a client could spread requests
 * over its 65,536 /64 networks and multiply its limit by as much.
 */
export const IPV6_SITE_FACTOR = 16;

/** Returns the /48 site key of an IPv6 /64 key, or null for an IPv4 key. */
function siteKey(key: string): string | null {
  if (!key.endsWith('::/64')) return null;
  return `${key.split(':').slice(0, 3).join(':')}::/48`;
}

/**
 * Token buckets of one kind of request, by client key. An IPv6 client also
 * draws from the bucket of its /48 site, whose capacity and refill rate are
 * IPV6_SITE_FACTOR times as large.
 *
 * @example
 * const limiter = new RateLimiter(2);
 * limiter.take('203.0.113.5', 0); // → 0 (allowed)
 * limiter.take('203.0.113.5', 0); // → 0
 * limiter.take('203.0.113.5', 0); // → 1800 (seconds until the next is allowed)
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private lastSweepMs = Number.NEGATIVE_INFINITY;

  constructor(readonly perHour: number, private readonly maxBuckets = MAX_BUCKETS) {
    if (!Number.isInteger(perHour) || perHour < 1) throw new RangeError(`perHour must be a whole number of at least 1, got ${perHour}`);
  }

  /** Returns the tokens in a bucket at `nowMs`. Tokens earned are multiplied before dividing, so that whole hours give whole tokens. */
  private static level(bucket: Bucket, nowMs: number): number {
    return Math.min(bucket.rate, bucket.tokens + ((nowMs - bucket.updatedMs) * bucket.rate) / HOUR_MS);
  }

  /**
   * Returns 0 when `key` has a token at `nowMs`, otherwise the whole seconds
   * until it has one again. Takes nothing.
   */
  wait(key: string, nowMs: number): number {
    const site = siteKey(key);
    return Math.max(this.waitFor(key, nowMs), site === null ? 0 : this.waitFor(site, nowMs));
  }

  private waitFor(key: string, nowMs: number): number {
    const bucket = this.buckets.get(key);
    if (!bucket) return 0;
    this.touch(key, bucket);
    const tokens = RateLimiter.level(bucket, nowMs);
    if (tokens >= 1) return 0;
    // As in level, multiplying first keeps a whole wait exact (1,800 s, not 1,800.0000000000002).
    return Math.max(1, Math.ceil(((1 - tokens) * HOUR_MS) / bucket.rate / 1000));
  }

  /**
   * Takes a token for `key` at `nowMs`. Requests that passed `wait` at the
   * same time may take more tokens than are left. The bucket then goes below
   * zero, down to minus its rate, so the client waits longer.
   */
  consume(key: string, nowMs: number): void {
    this.consumeFrom(key, this.perHour, nowMs);
    const site = siteKey(key);
    if (site !== null) this.consumeFrom(site, this.perHour * IPV6_SITE_FACTOR, nowMs);
  }

  private consumeFrom(key: string, rate: number, nowMs: number): void {
    let bucket = this.buckets.get(key);
    if (bucket) {
      bucket.tokens = RateLimiter.level(bucket, nowMs);
      bucket.updatedMs = nowMs;
      this.touch(key, bucket);
    } else {
      this.makeRoom(nowMs);
      bucket = { tokens: rate, updatedMs: nowMs, rate };
      this.buckets.set(key, bucket);
    }
    bucket.tokens = Math.max(-bucket.rate, bucket.tokens - 1);
  }

  /** Waits and consumes in one step: returns 0 and takes a token, or the seconds to wait. */
  take(key: string, nowMs: number): number {
    const wait = this.wait(key, nowMs);
    if (wait === 0) this.consume(key, nowMs);
    return wait;
  }

  /** Number of buckets, for tests. */
  get size(): number {
    return this.buckets.size;
  }

  /** Moves a key to the end of the map's order, so the map stays ordered by last use, refused requests included. */
  private touch(key: string, bucket: Bucket): void {
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
  }

  /** Keeps the map bounded before a new bucket is added, with work that does not grow per request. */
  private makeRoom(nowMs: number): void {
    if (this.buckets.size >= SWEEP_AT && nowMs - this.lastSweepMs >= SWEEP_INTERVAL_MS) {
      this.lastSweepMs = nowMs;
      for (const [key, bucket] of this.buckets) {
        if (RateLimiter.level(bucket, nowMs) >= bucket.rate) this.buckets.delete(key);
      }
    }
    // Map iteration follows insertion order, and every use re-inserts, so the first key is the one used longest ago.
    if (this.buckets.size >= this.maxBuckets) this.buckets.delete(this.buckets.keys().next().value!);
  }
}

/**
 * Returns the key a client is limited by: an IPv4 address, or the /64
 * prefix of an IPv6 address. IPv4-mapped IPv6 addresses count as IPv4.
 * Returns null for anything that is not an IP address.
 */
export function clientKey(address: string): string | null {
  let trimmed = address.trim();
  // Some proxies write a port: 192.0.2.7:51234 or [2001:db8::1]:51234.
  const withPort = /^(\d+\.\d+\.\d+\.\d+):\d+$/.exec(trimmed) ?? /^\[([^\]]+)\](?::\d+)?$/.exec(trimmed);
  if (withPort) trimmed = withPort[1]!;
  if (isIPv4(trimmed)) return trimmed;
  if (!isIPv6(trimmed)) return null;
  const groups = expandIPv6(trimmed.replace(/%.*$/, ''));
  // An IPv4-mapped address, written dotted (::ffff:192.0.2.7) or in hex groups (::ffff:c000:207).
  if (groups.slice(0, 5).every((group) => group === '0') && groups[5] === 'ffff') {
    const [high, low] = [Number.parseInt(groups[6]!, 16), Number.parseInt(groups[7]!, 16)];
    return [high >> 8, high & 255, low >> 8, low & 255].join('.');
  }
  return `${groups.slice(0, 4).join(':')}::/64`;
}

/** Expands an IPv6 address into its eight groups, each as lower-case hex without leading zeros. */
function expandIPv6(address: string): string[] {
  const [head, tail] = address.toLowerCase().split('::') as [string, string | undefined];
  const groups = (part: string | undefined) => (part ? part.split(':').flatMap(ipv4AsGroups) : []);
  const left = groups(head);
  const right = groups(tail);
  const middle = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...middle, ...right].map((group) => Number.parseInt(group, 16).toString(16));
}

/** Turns a trailing dotted IPv4 part of an IPv6 address (::ffff:192.0.2.7) into two hex groups. */
function ipv4AsGroups(group: string): string[] {
  if (!group.includes('.')) return [group];
  const [a, b, c, d] = group.split('.').map(Number) as [number, number, number, number];
  return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
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
  /** Filter of the POST requests the limit applies to; without it, every one that reaches the middleware. */
  applies?: (c: Context<AppEnv>) => boolean;
  /** Filter of the responses that take a token; without it, every response. */
  counts?: (status: number) => boolean;
  /** The response to a request over the limit; the middleware adds Retry-After to it. */
  onLimited: (c: Context<AppEnv>, retryAfterSeconds: number) => Response | Promise<Response>;
  /** Kind of request, for the log line. */
  kind: string;
}

/**
 * Returns middleware that responds to a POST request over its client's
 * limit with `onLimited`. Other methods change nothing and are not limited.
 */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.req.method !== 'POST' || (options.applies && !options.applies(c))) return next();
    const key = requestClientKey(c, options.trustProxy);
    if (key === null) return next();
    const retryAfter = options.limiter.wait(key, Date.now());
    if (retryAfter === 0) {
      await next();
      if (!options.counts || options.counts(c.res.status)) options.limiter.consume(key, Date.now());
      return;
    }
    // The address is personal data, and a path can hold a tracking code, so the log names only the kind and route.
    logger.info({ kind: options.kind, route: c.req.routePath, retryAfter }, 'request over the rate limit rejected');
    const response = await options.onLimited(c, retryAfter);
    response.headers.set('Retry-After', String(retryAfter));
    return response;
  };
}
