/**
 * Environment variables of the server and the `aduan` command, parsed and
 * documented in one place. Every other module receives a `Config` object and
 * never reads `process.env` itself.
 */
import path from 'node:path';

export interface Config {
  /** TCP port of the HTTP server (`PORT`, default 3000). */
  port: number;
  /** Interface the HTTP server binds to (`HOST`, default 127.0.0.1). */
  host: string;
  /** Folder of the embedded PGlite database and other local state (`DATA_DIR`, default ./data). */
  dataDir: string;
  /** PostgreSQL server URL (`DATABASE_URL`); when set, PGlite is not used. */
  databaseUrl?: string;
  /** Public base URL used in links sent to citizens (`PUBLIC_URL`). */
  publicUrl: string;
  /** Secret that signs session cookies (`SESSION_SECRET`); generated per data dir when unset. */
  sessionSecret?: string;
  /** Log level for pino (`LOG_LEVEL`, default info). */
  logLevel: string;
  /** Whether cookies carry the Secure flag (`COOKIE_SECURE`, default true when PUBLIC_URL is https). */
  cookieSecure: boolean;
  /** Whether background jobs (deadlines, auto-close) run in this process (`JOBS`, default on). */
  jobsEnabled: boolean;
}

function parsePort(raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be a whole number from 0 to 65535, got "${raw}"`);
  }
  return port;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = parsePort(env.PORT, 3000);
  const host = env.HOST || '127.0.0.1';
  const publicUrl = (env.PUBLIC_URL || `http://localhost:${port}`).replace(/\/+$/, '');
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new Error('DATABASE_URL must start with postgres:// or postgresql://');
  }
  return {
    port,
    host,
    dataDir: path.resolve(env.DATA_DIR || 'data'),
    databaseUrl,
    publicUrl,
    sessionSecret: env.SESSION_SECRET || undefined,
    logLevel: env.LOG_LEVEL || 'info',
    cookieSecure: env.COOKIE_SECURE ? env.COOKIE_SECURE === 'true' : publicUrl.startsWith('https://'),
    jobsEnabled: env.JOBS !== 'off',
  };
}
