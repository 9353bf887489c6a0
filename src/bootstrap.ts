/**
 * Opens a ready database for the server, the CLI and the tests: applies
 * migrations and loads the reference data on first start.
 *
 * A fresh PGlite data folder takes seconds to initialise, so the first
 * migrated and seeded database is saved as a snapshot (a gzipped data folder)
 * in `.cache/pglite/`, keyed by a hash of the migrations and seed files. Later
 * fresh folders, including every test database, start from that snapshot.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase, type Database } from './db/database.ts';
import { migrate, MIGRATIONS_DIR, readMigrations } from './db/migrate.ts';
import { loadReferenceData, SEED_DIR } from './commands/load-reference-data.ts';
import { seedActionPlan } from './commands/manage-action-plan.ts';

// The example action plan of Karanganyar loaded on first start; administrators edit it afterwards.
const EXAMPLE_ACTION_PLAN = 'action-plan-2026.json';
import { logger } from './logger.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SNAPSHOT_DIR = path.join(ROOT, '.cache', 'pglite');

export interface PrepareOptions {
  databaseUrl?: string;
  /** PGlite folder, or `memory://` */
  dataDir: string;
}

function snapshotKey(): string {
  const hash = crypto.createHash('sha256');
  for (const dir of [MIGRATIONS_DIR, SEED_DIR]) {
    for (const file of fs.readdirSync(dir).sort()) {
      hash.update(file);
      hash.update(fs.readFileSync(path.join(dir, file)));
    }
  }
  const pglitePackage = path.join(ROOT, 'node_modules', '@electric-sql', 'pglite', 'package.json');
  if (fs.existsSync(pglitePackage)) hash.update(JSON.parse(fs.readFileSync(pglitePackage, 'utf8')).version);
  return hash.digest('hex').slice(0, 16);
}

function snapshotPath(): string {
  return path.join(SNAPSHOT_DIR, `${snapshotKey()}.tar.gz`);
}

function isFreshPgliteDir(dataDir: string): boolean {
  return dataDir.startsWith('memory://') || !fs.existsSync(path.join(dataDir, 'PG_VERSION'));
}

async function readSnapshot(): Promise<Blob | undefined> {
  const file = snapshotPath();
  if (!fs.existsSync(file)) return undefined;
  return new Blob([fs.readFileSync(file)]);
}

async function writeSnapshot(database: Database): Promise<void> {
  if (!database.dumpDataDir) return;
  const blob = await database.dumpDataDir();
  fs.mkdirSync(SNAPSHOT_DIR, { recursive: true });
  const file = snapshotPath();
  // Write then rename, so that a parallel reader never sees half a file.
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, Buffer.from(await blob.arrayBuffer()));
  fs.renameSync(temporary, file);
}

/** Builds the snapshot when it is missing; returns it. */
export async function ensureSnapshot(): Promise<Blob> {
  const existing = await readSnapshot();
  if (existing) return existing;
  const database = await openDatabase({ dataDir: 'memory://' });
  try {
    await migrate(database.pool);
    await loadReferenceData(database.db);
    await seedActionPlan(database.db, path.join(SEED_DIR, EXAMPLE_ACTION_PLAN));
    await writeSnapshot(database);
  } finally {
    await database.close();
  }
  return (await readSnapshot())!;
}

export async function prepareDatabase(options: PrepareOptions): Promise<Database> {
  if (options.databaseUrl) {
    const database = await openDatabase({ databaseUrl: options.databaseUrl });
    await initialise(database);
    return database;
  }
  let loadDataDir: Blob | undefined;
  if (isFreshPgliteDir(options.dataDir)) {
    const started = Date.now();
    loadDataDir = await ensureSnapshot();
    logger.info({ ms: Date.now() - started }, 'embedded database snapshot ready');
  }
  const database = await openDatabase({ dataDir: options.dataDir, loadDataDir });
  try {
    await initialise(database);
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}

async function initialise(database: Database): Promise<void> {
  const applied = await migrate(database.pool, readMigrations());
  if (applied.length > 0) logger.info({ migrations: applied }, 'migrations applied');
  const seeded = await database.db.selectFrom('districts').select('code').limit(1).execute();
  if (seeded.length === 0) {
    const counts = await loadReferenceData(database.db);
    logger.info(counts, 'reference data loaded');
    await seedActionPlan(database.db, path.join(SEED_DIR, EXAMPLE_ACTION_PLAN));
  }
}
