/**
 * Server memory: resident set size (VmRSS) of an idle server with its
 * background jobs on, on PostgreSQL and on PGlite, the same on PGlite with
 * jobs off (the difference is pg-boss and its pollers), and PGlite's intake
 * rate with its RSS under that load for comparison. The RSS under the
 * PostgreSQL intake load is measured by bench/intake.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runLoad, okCount } from './lib/load.ts';
import { note, type Report } from './lib/report.ts';
import { readRssMiB, sampleRss, startAduan } from './lib/server.ts';

/** Time after start-up before the idle reading, so start-up garbage can be collected and the job queue settles. */
const IDLE_WAIT_MS = 10_000;
/** Time after start-up by which the job queue's first runs (one a minute) are over. */
const SETTLED_WAIT_MS = 75_000;

export interface MemoryOptions {
  /** Database of the PostgreSQL idle reading; null skips it. */
  databaseUrl: string | null;
  /** Seconds of the PGlite intake run; 0 skips it. */
  pgliteIntakeSeconds: number;
  makeBody: () => string;
}

export async function runMemory(report: Report, options: MemoryOptions): Promise<void> {
  if (options.databaseUrl) {
    note(`memory: idle server on PostgreSQL, jobs on, reading after ${IDLE_WAIT_MS / 1000} s`);
    const server = await startAduan({ databaseUrl: options.databaseUrl, jobs: true });
    try {
      await new Promise((resolve) => setTimeout(resolve, IDLE_WAIT_MS));
      report.add('memory.rss.idle.postgres', null, null, readRssMiB(server.pid), 'MiB');
    } finally {
      await server.stop();
    }
  }

  const jobsOffDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aduan-bench-pglite-'));
  try {
    note(`memory: idle server on PGlite in a fresh data folder, jobs off, reading after ${IDLE_WAIT_MS / 1000} s`);
    const server = await startAduan({ dataDir: jobsOffDir, jobs: false });
    try {
      await new Promise((resolve) => setTimeout(resolve, IDLE_WAIT_MS));
      await report.settle('memory.rss.idle.pglite.jobs_off');
      report.add('memory.rss.idle.pglite.jobs_off', null, null, readRssMiB(server.pid), 'MiB');
    } finally {
      await server.stop();
    }
  } finally {
    fs.rmSync(jobsOffDir, { recursive: true, force: true });
  }

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aduan-bench-pglite-'));
  try {
    // A first start on a fresh folder trains the seed triage models in a
    // worker thread during the job queue's first minute, so the server is
    // not idle then. The idle reading of record comes after that first pass
    // (SETTLED_WAIT_MS), with the 10 s reading and the first minute's peak
    // beside it. A restart on the same folder trains nothing.
    note(`memory: first start of a server on PGlite in a fresh data folder, jobs on, readings after ${IDLE_WAIT_MS / 1000} s and ${SETTLED_WAIT_MS / 1000} s`);
    const started = performance.now();
    const first = await startAduan({ dataDir, jobs: true });
    report.add('pglite.start', null, null, (performance.now() - started) / 1000, 's');
    try {
      const stopSampling = sampleRss(first.pid);
      await new Promise((resolve) => setTimeout(resolve, IDLE_WAIT_MS));
      report.add('memory.rss.pglite.first_start.10s', null, null, readRssMiB(first.pid), 'MiB');
      await new Promise((resolve) => setTimeout(resolve, SETTLED_WAIT_MS - IDLE_WAIT_MS));
      report.add('memory.rss.pglite.first_start.max', null, null, Math.max(...stopSampling()), 'MiB');
      await report.settle('memory.rss.idle.pglite');
      report.add('memory.rss.idle.pglite', null, null, readRssMiB(first.pid), 'MiB');
    } finally {
      await first.stop();
    }

    note(`memory: the same folder started again, jobs on, reading after ${IDLE_WAIT_MS / 1000} s`);
    const server = await startAduan({ dataDir, jobs: true });
    try {
      await new Promise((resolve) => setTimeout(resolve, IDLE_WAIT_MS));
      await report.settle('memory.rss.idle.pglite.restart');
      report.add('memory.rss.idle.pglite.restart', null, null, readRssMiB(server.pid), 'MiB');
      if (options.pgliteIntakeSeconds > 0) {
        note(`memory: PGlite intake, 8 connections, ${options.pgliteIntakeSeconds} s`);
        await report.settle('pglite.intake c=8');
        const stopSampling = sampleRss(server.pid);
        const result = await runLoad({
          url: `${server.baseUrl}/api/v1/complaints`, connections: 8, seconds: options.pgliteIntakeSeconds, method: 'POST',
          headers: { 'content-type': 'application/json' }, body: options.makeBody,
        });
        const rss = stopSampling();
        report.add('pglite.intake.rate', null, 8, okCount(result) / result.seconds, 'complaints/s');
        report.add('pglite.intake.p50', null, 8, result.p50, 'ms');
        report.add('pglite.intake.p99', null, 8, result.p99, 'ms');
        report.add('memory.rss.load.pglite.max', null, 8, Math.max(...rss), 'MiB');
      }
    } finally {
      await server.stop();
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
