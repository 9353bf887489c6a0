/**
 * Test databases: a PGlite database started from the shared snapshot, and,
 * when TEST_DATABASE_URL is set, a fresh database on that PostgreSQL server.
 * Database tests loop over `BACKENDS` so that both run the same cases.
 */
import crypto from 'node:crypto';
import pg from 'pg';
import { prepareDatabase } from '../../src/bootstrap.ts';
import type { Database } from '../../src/db/database.ts';

export type Backend = 'pglite' | 'postgres';

export const BACKENDS: Backend[] = process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

export interface TestDatabase extends Database {
  /** Connection URL for other processes; only for `postgres`. */
  url?: string;
  dispose(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

export async function createTestDatabase(backend: Backend): Promise<TestDatabase> {
  if (backend === 'pglite') {
    const database = await prepareDatabase({ dataDir: 'memory://' });
    return { ...database, dispose: () => database.close() };
  }
  const serverUrl = process.env.TEST_DATABASE_URL!;
  const name = `aduan_test_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = withDatabase(serverUrl, name);
  const database = await prepareDatabase({ databaseUrl: url, dataDir: 'memory://' });
  return {
    ...database,
    url,
    async dispose() {
      await database.close();
      const cleanup = new pg.Client({ connectionString: serverUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}
