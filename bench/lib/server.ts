/**
 * Child processes under test: the Aduan server, started as `npm start`
 * starts it (`scripts/start.sh`: compiled JavaScript in build/), and the
 * bare Hono server of the ceiling benchmark. Each listens on a free port on
 * 127.0.0.1 and is stopped by its own pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

// A fresh PGlite folder may first build the migrated snapshot, which takes seconds.
const START_TIMEOUT_MS = 120_000;
/** Script that `npm start` runs. */
export const ADUAN_START = 'scripts/start.sh';
const STOP_TIMEOUT_MS = 15_000;
// Output kept from a child, shown when it fails to start.
const MAX_OUTPUT_CHARS = 8_000;

export interface RunningServer {
  pid: number;
  port: number;
  baseUrl: string;
  /** Stops the process with SIGTERM (SIGKILL after STOP_TIMEOUT_MS) and waits for it to exit. */
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `script` with `env` added to this process's environment and waits
 * until GET `readyPath` responds with 200. A shell script runs under `sh`,
 * which hands its process to node with `exec`, so the pid is the server's.
 * A TypeScript file runs under `node --import tsx`.
 */
export async function startNodeServer(script: string, env: Record<string, string>, readyPath: string): Promise<RunningServer> {
  const port = await freePort();
  const [command, args] = script.endsWith('.sh') ? ['sh', [script]] : [process.execPath, ['--import', 'tsx', script]];
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-MAX_OUTPUT_CHARS);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const baseUrl = `http://127.0.0.1:${port}`;
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${script} exited with ${child.exitCode ?? child.signalCode} before it responded. Its output:\n${output}`);
    }
    if (Date.now() - started > START_TIMEOUT_MS) {
      await stopChild(child, exited);
      throw new Error(`${script} did not respond to GET ${readyPath} within ${START_TIMEOUT_MS / 1000} s. Its output:\n${output}`);
    }
    try {
      const response = await fetch(baseUrl + readyPath);
      await response.arrayBuffer();
      if (response.status === 200) break;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { pid: child.pid!, port, baseUrl, stop: () => stopChild(child, exited) };
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/** Starts the Aduan server on a database URL, or on PGlite in `dataDir` when no URL is given. */
export function startAduan(options: { databaseUrl?: string; dataDir?: string; jobs?: boolean }): Promise<RunningServer> {
  const env: Record<string, string> = { LOG_LEVEL: 'warn', JOBS: options.jobs ? 'on' : 'off' };
  if (options.databaseUrl) env.DATABASE_URL = options.databaseUrl;
  if (options.dataDir) env.DATA_DIR = options.dataDir;
  return startNodeServer(ADUAN_START, env, '/health');
}

/** Resident set size of a process in MiB, from VmRSS in /proc/<pid>/status. */
export function readRssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match) throw new Error(`VmRSS not found in /proc/${pid}/status`);
  return Number(match[1]) / 1024;
}

/** Samples a process's RSS every `intervalMs` until the returned stop function is called. */
export function sampleRss(pid: number, intervalMs = 250): () => number[] {
  const samples: number[] = [];
  const timer = setInterval(() => {
    try {
      samples.push(readRssMiB(pid));
    } catch {
      // The process ended; the samples so far stand.
    }
  }, intervalMs);
  return () => {
    clearInterval(timer);
    return samples;
  };
}
