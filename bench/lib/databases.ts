/**
 * Throwaway databases on the PostgreSQL server named by BENCH_DATABASE_URL.
 * Every database the suite creates is called `aduan_bench_<purpose>_<pid>`
 * and is dropped again at the end of the run unless `--keep` is given.
 */
import pg from 'pg';

export const DATABASE_PREFIX = 'aduan_bench_';

/** Returns `serverUrl` with its database name replaced by `name`. */
export function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export function benchDatabaseName(purpose: string): string {
  return `${DATABASE_PREFIX}${purpose}_${process.pid}`;
}

async function withAdminClient<T>(serverUrl: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database and returns its URL. */
export async function createDatabase(serverUrl: string, name: string): Promise<string> {
  if (!name.startsWith(DATABASE_PREFIX) || !/^[a-z0-9_]+$/.test(name)) {
    throw new Error(`Refusing to create database "${name}": bench databases are named ${DATABASE_PREFIX}<purpose>_<pid>.`);
  }
  await withAdminClient(serverUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  return databaseUrl(serverUrl, name);
}

/** Drops a database that this suite created, disconnecting any session still in it. */
export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  if (!name.startsWith(DATABASE_PREFIX) || !/^[a-z0-9_]+$/.test(name)) {
    throw new Error(`Refusing to drop database "${name}": only ${DATABASE_PREFIX}* databases are dropped.`);
  }
  await withAdminClient(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

/** Returns the server's version string and the settings that bound write and read speed. */
export async function serverFacts(serverUrl: string): Promise<Record<string, string>> {
  return withAdminClient(serverUrl, async (client) => {
    const facts: Record<string, string> = {};
    facts.version = (await client.query('SHOW server_version')).rows[0].server_version;
    for (const setting of ['shared_buffers', 'work_mem', 'synchronous_commit', 'fsync', 'max_connections', 'jit', 'autovacuum']) {
      facts[setting] = (await client.query(`SHOW ${setting}`)).rows[0][setting];
    }
    return facts;
  });
}
