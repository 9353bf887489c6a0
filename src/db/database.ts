/**
 * Opens the database: PGlite (PostgreSQL in WebAssembly) in a data folder, or
 * a PostgreSQL server when a URL is given. Both are reached through one
 * `pg.Pool`, and every consumer (Kysely, pg-boss, migrations) must use that
 * pool: a PGlite instance is a single session, so a second pool would share
 * its transaction and one pool's ROLLBACK would erase the other's writes.
 */
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { DB } from './schema.ts';
import type { PGliteOptions } from '@electric-sql/pglite';

// node-postgres returns int8 as strings and DATE as a local-time Date. Ids
// and counts fit in a double, and calendar dates must stay plain YYYY-MM-DD
// strings so that no process time zone can shift them.
pg.types.setTypeParser(20, (value: string) => Number(value));
pg.types.setTypeParser(1082, (value: string) => value);

/**
 * PostgreSQL settings of the embedded database. PGlite 0.5 starts with
 * PostgreSQL's default `shared_buffers` of 128MB inside its WebAssembly
 * memory, which cannot shrink once grown. In a probe of PGlite alone, that
 * buffer pool made the process 110 to 140 MiB larger than with 16MB, and
 * 8MB saved about 5 MiB more. A PGlite database is one session whose data
 * files stay in the operating system's page cache, so a small pool costs
 * little: intake rates with 8MB and 16MB were within the noise of a busy
 * machine (docs/benchmarks.md, Memory).
 */
const PGLITE_SETTINGS = ['shared_buffers=8MB'];

export type DatabaseKind = 'pglite' | 'postgres';

export interface Database {
  kind: DatabaseKind;
  pool: pg.Pool;
  db: Kysely<DB>;
  /** Serialises the data folder into a gzipped tarball (PGlite only). */
  dumpDataDir?: () => Promise<Blob>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** PostgreSQL URL; when absent PGlite is used. */
  databaseUrl?: string;
  /** PGlite data folder, or `memory://` for a throwaway in-memory database. */
  dataDir?: string;
  /** Gzipped tarball of a data folder to start from (PGlite only). */
  loadDataDir?: Blob;
  /** Maximum connections for a PostgreSQL server. */
  poolSize?: number;
}

export async function openDatabase(options: OpenOptions): Promise<Database> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.poolSize ?? 10);
  return openPglite(options.dataDir ?? 'memory://', options.loadDataDir);
}

async function openPostgres(url: string, poolSize: number): Promise<Database> {
  // JIT compilation costs more than it saves on the short queries of an inbox
  // and a dashboard (measured: +41 ms on an inbox count, +207 ms on a 1M
  // dashboard query), so it is off for the app's sessions.
  const pool = new pg.Pool({ connectionString: url, max: poolSize, options: '-c jit=off' });
  // A pool error on an idle client would otherwise crash the process.
  pool.on('error', () => {});
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: 'postgres',
    pool,
    db,
    async close() {
      await db.destroy();
    },
  };
}

async function openPglite(dataDir: string, loadDataDir?: Blob): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
  const { createPgConfig } = await import('@electric-sql/pglite/node-postgres');

  let lockPath: string | undefined;
  if (!dataDir.startsWith('memory://')) {
    fs.mkdirSync(dataDir, { recursive: true });
    lockPath = acquireDataDirLock(dataDir);
  }
  const options: PGliteOptions = {
    dataDir,
    loadDataDir,
    extensions: { pg_trgm },
    startParams: [...PGlite.defaultStartParams, ...PGLITE_SETTINGS.flatMap((setting) => ['-c', setting])],
  };
  const pglite = new PGlite(options);
  try {
    await pglite.waitReady;
  } catch (error) {
    if (lockPath) fs.rmSync(lockPath, { force: true });
    throw error;
  } finally {
    // PGlite 0.5.17 keeps its options object for the life of the instance,
    // and with it the snapshot (5 MiB) it has already unpacked.
    delete options.loadDataDir;
  }
  const pool = new pg.Pool(createPgConfig(pglite) as unknown as pg.PoolConfig);
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: 'pglite',
    pool,
    db,
    dumpDataDir: () => pglite.dumpDataDir('gzip') as Promise<Blob>,
    async close() {
      await db.destroy();
      await pglite.close();
      if (lockPath) fs.rmSync(lockPath, { force: true });
    },
  };
}

/**
 * Takes the data folder's lock file, so that a second process (for example
 * `aduan user add` while the server runs) fails with a clear message instead
 * of writing the same PGlite files at once. A lock left by a dead process is
 * taken over.
 */
function acquireDataDirLock(dataDir: string): string {
  const lockPath = path.join(dataDir, 'aduan.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
      return lockPath;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(fs.readFileSync(lockPath, 'utf8').trim());
      if (owner && owner !== process.pid && isProcessAlive(owner)) {
        throw new DataDirLockedError(dataDir, owner);
      }
      fs.rmSync(lockPath, { force: true });
    }
  }
  throw new Error(`Could not take the lock file ${lockPath}; remove it if no Aduan process is running.`);
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class DataDirLockedError extends Error {
  constructor(dataDir: string, pid: number) {
    super(
      `The embedded database in ${dataDir} is in use by process ${pid} (probably the running server). ` +
        'PGlite allows one process per data folder: stop the other process first (a server, or a command such as aduan user add), ' +
        'or run the server on PostgreSQL (DATABASE_URL) to use the command while it runs.',
    );
    this.name = 'DataDirLockedError';
  }
}
