/**
 * Process entry: configuration → database (migrations, reference data) →
 * background jobs → HTTP server, with a graceful shutdown on SIGTERM/SIGINT
 * (PGlite must be closed, or the process never exits).
 */
import { serve } from '@hono/node-server';
import { loadConfig } from './config.ts';
import { prepareDatabase } from './bootstrap.ts';
import { DataDirLockedError } from './db/database.ts';
import { countAdmins } from './commands/users.ts';
import { startJobs } from './jobs/index.ts';
import { settleInboundProcessing } from './jobs/inbound.ts';
import { createApp } from './web/app.ts';
import { logger } from './logger.ts';

const started = Date.now();
const config = loadConfig();
let database: Awaited<ReturnType<typeof prepareDatabase>>;
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
const app = createApp({ db: database.db, config });

const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
  logger.info({ host: config.host, port: info.port, ms: Date.now() - started }, 'listening');
});

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
  await database.close();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
