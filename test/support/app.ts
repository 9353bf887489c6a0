/** Builds the Hono app on a test database, for requests through `app.request()`. */
import { createApp } from '../../src/web/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { TestDatabase } from './db.ts';

export function testApp(database: TestDatabase) {
  const config = { ...loadConfig({}), dataDir: '/nonexistent' };
  return createApp({ db: database.db, config });
}

export function jsonRequest(method: string, body?: unknown, token?: string, headers: Record<string, string> = {}): RequestInit {
  return {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  };
}
