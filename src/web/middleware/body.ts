/**
 * Reads a request body straight from Node's request, with a size limit.
 *
 * `@hono/node-server` hands Hono a `Request` whose body is a web stream
 * wrapped around Node's request. Through that stream a POST that only
 * parsed JSON reached 14–24 % of the server's GET rate, and node:http alone
 * 67–88 % (docs/benchmarks.md, "What bounds an intake now"). On Node this
 * middleware collects the bytes itself and stores them in Hono's body cache, so `c.req.json()`,
 * `c.req.text()` and `c.req.arrayBuffer()` read them from there and the
 * web `Request` is never built. Where no Node request exists (tests through
 * `app.request()`, other runtimes) it falls back to Hono's `bodyLimit`.
 */
import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from '../context.ts';

export interface ReadBodyOptions {
  /** Maximum body size in bytes. A larger body is rejected before it is stored. */
  maxSize: number;
  /** The response for a body over `maxSize`. */
  onTooLarge: (c: Context<AppEnv>) => Response | Promise<Response>;
}

const UTF8_BOM = [0xef, 0xbb, 0xbf];

/** Returns middleware that reads the body of every request except GET and HEAD, within `maxSize`. */
export function readBody(options: ReadBodyOptions): MiddlewareHandler<AppEnv> {
  const fallback = bodyLimit({ maxSize: options.maxSize, onError: (c) => options.onTooLarge(c as Context<AppEnv>) });
  return async (c, next) => {
    const method = c.req.method;
    if (method === 'GET' || method === 'HEAD') return next();
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
    if (!incoming || typeof incoming.on !== 'function') return fallback(c, next);

    const declared = incoming.headers['content-length'];
    if (declared !== undefined && !incoming.headers['transfer-encoding'] && Number(declared) > options.maxSize) {
      return options.onTooLarge(c);
    }
    const body = await collect(incoming, options.maxSize);
    if (body === null) return options.onTooLarge(c);
    cacheBody(c.req.bodyCache as Record<string, unknown>, body);
    return next();
  };
}

/** Resolves with the whole body, or null as soon as it exceeds `maxSize`. */
function collect(incoming: IncomingMessage, maxSize: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
      incoming.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxSize) {
        cleanup();
        // The request keeps flowing without a listener, so Node reads and drops the rest.
        resolve(null);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(new HTTPException(400, { message: 'reading the request body failed; the client may have disconnected', cause: error }));
    };
    // A client that disconnects mid-body closes the request without 'end'.
    const onClose = () => onError(new Error('client closed the connection before the body ended'));
    if (incoming.readableEnded) {
      resolve(Buffer.alloc(0));
      return;
    }
    incoming.on('data', onData);
    incoming.once('end', onEnd);
    incoming.once('error', onError);
    incoming.once('close', onClose);
  });
}

/**
 * Fills Hono's body cache lazily: `text` for JSON and forms, `arrayBuffer`
 * for signature checks over the exact bytes. Text decoding follows the
 * Fetch standard: a leading byte order mark is dropped and invalid UTF-8
 * becomes U+FFFD.
 */
function cacheBody(bodyCache: Record<string, unknown>, body: Buffer): void {
  let text: Promise<string> | undefined;
  let bytes: Promise<ArrayBuffer> | undefined;
  Object.defineProperties(bodyCache, {
    text: {
      enumerable: true,
      configurable: true,
      get: () => (text ??= Promise.resolve(body.toString('utf8', startsWithBom(body) ? UTF8_BOM.length : 0))),
    },
    arrayBuffer: {
      enumerable: true,
      configurable: true,
      get: () => (bytes ??= Promise.resolve(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer)),
    },
  });
}

function startsWithBom(body: Buffer): boolean {
  return body.length >= 3 && body[0] === UTF8_BOM[0] && body[1] === UTF8_BOM[1] && body[2] === UTF8_BOM[2];
}
