/**
 * The real HTTP server for browser tests: the app on `@hono/node-server`,
 * bound to a free loopback port, over a fresh PGlite test database. Jobs do
 * not run; tests drive every state change themselves.
 */
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { loadConfig } from '../../src/config.ts';
import { createApp } from '../../src/web/app.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';

export interface TestServer {
  /** Base URL without a trailing slash, for example http://127.0.0.1:43125. */
  url: string;
  database: TestDatabase;
  stop(): Promise<void>;
}

/** `env` adds configuration, for example a channel's secrets. */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const database = await createTestDatabase('pglite');
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: 'memory://', JOBS: 'off', COOKIE_SECURE: 'false', ...env });
  const app = createApp({ db: database.db, config });
  const server: ServerType = await new Promise((resolve) => {
    const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    database,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await database.dispose();
    },
  };
}
