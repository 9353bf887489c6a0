/**
 * Process entry: configuration → database (migrations, reference data) →
 * background jobs → HTTP server, with a graceful shutdown on SIGTERM/SIGINT
 * (PGlite must be closed, or the process never exits).
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { serve } from '@hono/node-server';
import { loadConfig } from './config.ts';
import { prepareDatabase } from './bootstrap.ts';
import { DataDirLockedError } from './db/database.ts';
import { countAdmins } from './commands/users.ts';
import { startJobs } from './jobs/index.ts';
import { startGinCleaner } from './db/gin-cleaner.ts';
import { settleInboundProcessing } from './jobs/inbound.ts';
import { createApp } from './web/app.ts';
import { logger } from './logger.ts';

const started = Date.now();
const config = loadConfig();
let database: Awaited<ReturnType<typeof prepareDatabase>>;
// V8 first compiles every WebAssembly function with its baseline compiler
// (Liftoff) and later recompiles the hot ones with TurboFan, keeping both.
// For PGlite's 9 MB module that held 60 to 100 MiB more than compiling with
// TurboFan alone, which made start-up 3 to 5 s longer on a busy 2-core
// machine (docs/benchmarks.md, Memory). The flag must be set before PGlite
// compiles its module, and applies to this process only.
// Lazy compilation compiles a function on its first call only, so the many
// PostgreSQL functions an Aduan server never calls take no code memory.
// NOTE: their effect on PGlite's query speed was not measured reliably.
if (!config.databaseUrl) {
  v8.setFlagsFromString('--no-liftoff');
  v8.setFlagsFromString('--wasm-lazy-compilation');
}
try {
  database = await prepareDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
} catch (error) {
  // A second server on the same data folder is an operator's mistake, not a crash.
  if (error instanceof DataDirLockedError) {
    logger.error({ dataDir: config.dataDir }, error.message);
    process.exit(1);
  }
  throw error;
}
logger.info({ database: database.kind, dataDir: database.kind === 'pglite' ? config.dataDir : undefined }, 'database ready');

const boss = config.jobsEnabled ? await startJobs(database.pool, database.db, config) : undefined;
// Every process that writes complaints cleans the GIN pending lists, jobs or not: the merge would otherwise land on an intake request.
const ginCleaner = database.kind === 'postgres' && config.ginCleanIntervalMs > 0 ? startGinCleaner(database.pool, config.ginCleanIntervalMs) : undefined;
const app = createApp({ db: database.db, config });

const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
  logger.info({ host: config.host, port: info.port, ms: Date.now() - started }, 'listening');
});

collectStartupGarbage();

if ((await countAdmins(database.db)) === 0) {
  logger.warn(
    'No administrator exists yet. Create one with: ' +
      'npx aduan user add --email admin@contoh.id --name "Admin" --role admin ' +
      '(stop the server first when it runs on the embedded database; the password is printed once).',
  );
}

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  server.close();
  try {
    await boss?.stop({ graceful: true, wait: true, timeout: 5000 });
  } catch (error) {
    logger.error({ err: error }, 'job queue did not stop cleanly');
  }
  await settleInboundProcessing();
  await ginCleaner?.stop();
  await database.close();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

/**
 * Runs one full garbage collection after start-up. Loading the PGlite
 * snapshot leaves about 90 MiB of unreferenced buffers (the unpacked data
 * folder), and an idle server allocates too little for V8 to collect them on
 * its own, so without this they stay resident until the first load.
 */
function collectStartupGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  gc();
}
