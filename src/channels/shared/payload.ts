/**
 * Helpers for reading provider JSON with path-aware errors. Each reader takes
 * the value, its JSON path for messages, and throws `PayloadError` naming the
 * path when a required field is missing or has the wrong type.
 */
import { PayloadError } from '../../domain/inbound.ts';

export type JsonObject = Record<string, unknown>;

/** Accepts the raw request body (string or bytes) or an already parsed JSON value. */
export type WebhookBody = string | Uint8Array | JsonObject;

/**
 * Parses a webhook body into a JSON object.
 *
 * @example
 *   const body = parseJsonObject('telegram', rawBody);
 */
export function parseJsonObject(channel: string, body: WebhookBody): JsonObject {
  let value: unknown = body;
  if (typeof body === 'string' || body instanceof Uint8Array) {
    const text = typeof body === 'string' ? body : new TextDecoder('utf-8').decode(body);
    if (text.trim() === '') throw new PayloadError(channel, '', 'the request body is empty; expected a JSON object');
    try {
      value = JSON.parse(text);
    } catch {
      throw new PayloadError(channel, '', 'the request body is not valid JSON');
    }
  }
  if (!isObject(value)) throw new PayloadError(channel, '', 'the request body must be a JSON object');
  return value;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Binds a channel name to the readers so call sites only pass value and path. */
export function payloadReader(channel: string) {
  const error = (path: string, problem: string) => new PayloadError(channel, path, problem);

  return {
    error,

    object(value: unknown, path: string): JsonObject {
      if (value === undefined || value === null) throw error(path, 'is missing');
      if (!isObject(value)) throw error(path, 'must be an object');
      return value;
    },

    optionalObject(value: unknown, path: string): JsonObject | undefined {
      if (value === undefined || value === null) return undefined;
      if (!isObject(value)) throw error(path, 'must be an object');
      return value;
    },

    array(value: unknown, path: string): unknown[] {
      if (value === undefined || value === null) throw error(path, 'is missing');
      if (!Array.isArray(value)) throw error(path, 'must be an array');
      return value;
    },

    optionalArray(value: unknown, path: string): unknown[] {
      if (value === undefined || value === null) return [];
      if (!Array.isArray(value)) throw error(path, 'must be an array');
      return value;
    },

    /** A non-empty string; numbers are accepted and converted, because Meta sends some ids as numbers. */
    id(value: unknown, path: string): string {
      if (value === undefined || value === null || value === '') throw error(path, 'is missing');
      if (typeof value === 'number' && Number.isFinite(value)) return String(value);
      if (typeof value !== 'string') throw error(path, 'must be a string or number');
      return value;
    },

    optionalId(value: unknown, path: string): string | undefined {
      if (value === undefined || value === null || value === '') return undefined;
      if (typeof value === 'number' && Number.isFinite(value)) return String(value);
      if (typeof value !== 'string') throw error(path, 'must be a string or number');
      return value;
    },

    string(value: unknown, path: string): string {
      if (value === undefined || value === null) throw error(path, 'is missing');
      if (typeof value !== 'string') throw error(path, 'must be a string');
      return value;
    },

    optionalString(value: unknown, path: string): string | undefined {
      if (value === undefined || value === null) return undefined;
      if (typeof value !== 'string') throw error(path, 'must be a string');
      return value;
    },

    optionalNumber(value: unknown, path: string): number | undefined {
      if (value === undefined || value === null) return undefined;
      if (typeof value !== 'number' || !Number.isFinite(value)) throw error(path, 'must be a number');
      return value;
    },

    /**
     * A Unix time in seconds or milliseconds, as a number or numeric string.
     * Values above 1e12 are milliseconds (1e12 s is in the year 33658).
     */
    unixTime(value: unknown, path: string): Date {
      if (value === undefined || value === null || value === '') throw error(path, 'is missing');
      const n = typeof value === 'string' && /^\d+(\.\d+)?$/.test(value) ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) {
        throw error(path, 'must be a Unix time in seconds or milliseconds');
      }
      return new Date(n > 1e12 ? n : n * 1000);
    },
  };
}

export type PayloadReader = ReturnType<typeof payloadReader>;
