/**
 * Ceilings that the product's figures are compared with, measured in the
 * same run on the same machine: the bare HTTP stack (Hono on
 * @hono/node-server returning a fixed JSON body) and PostgreSQL's rate of
 * single-row INSERT statements, each committed on its own.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { runLoad } from './lib/load.ts';
import { note, type Report } from './lib/report.ts';
import { startNodeServer } from './lib/server.ts';

const run = promisify(execFile);

export interface HttpCeilingOptions {
  seconds: number;
  connections: readonly number[];
  /** Request body of the POST ceiling: the same shape as an intake request. */
  makeBody: () => string;
}

/** GET and POST against the bare Hono server at each connection count. */
export async function runHttpCeiling(report: Report, options: HttpCeilingOptions): Promise<void> {
  const server = await startNodeServer('bench/ceiling-server.ts', {}, '/json');
  try {
    for (const connections of options.connections) {
      note(`ceiling: GET fixed JSON, ${connections} connections, ${options.seconds} s`);
      await report.settle(`ceiling.http.get c=${connections}`);
      const get = await runLoad({ url: `${server.baseUrl}/json`, connections, seconds: options.seconds });
      report.add('ceiling.http.get.rate', null, connections, get.okPerSecond, 'req/s');
      report.add('ceiling.http.get.mean', null, connections, get.mean, 'ms');
      report.add('ceiling.http.get.p50', null, connections, get.p50, 'ms');
      report.add('ceiling.http.get.p99', null, connections, get.p99, 'ms');
      // Connection errors and non-2xx responses. Requests still in flight when the run stops are not errors.
      report.add('ceiling.http.get.errors', null, connections, get.errors + nonOkCount(get.statusCounts), 'count');

      // `post` reads the body through Hono's web stream, `post_node` with the
      // server's own readBody middleware, as the intake route does.
      for (const [name, route] of [['post', '/json'], ['post_node', '/json-node']] as const) {
        note(`ceiling: POST JSON body to ${route}, ${connections} connections, ${options.seconds} s`);
        await report.settle(`ceiling.http.${name} c=${connections}`);
        const post = await runLoad({
          url: `${server.baseUrl}${route}`, connections, seconds: options.seconds, method: 'POST',
          headers: { 'content-type': 'application/json' }, body: options.makeBody,
        });
        report.add(`ceiling.http.${name}.rate`, null, connections, post.okPerSecond, 'req/s');
        report.add(`ceiling.http.${name}.mean`, null, connections, post.mean, 'ms');
        report.add(`ceiling.http.${name}.p50`, null, connections, post.p50, 'ms');
        report.add(`ceiling.http.${name}.p99`, null, connections, post.p99, 'ms');
        report.add(`ceiling.http.${name}.errors`, null, connections, post.errors + nonOkCount(post.statusCounts), 'count');
      }
    }
  } finally {
    await server.stop();
  }
}

function nonOkCount(counts: Record<string, number>): number {
  return Object.entries(counts)
    .filter(([code]) => !code.startsWith('2'))
    .reduce((sum, [, count]) => sum + count, 0);
}

const CEILING_TABLE = 'bench_insert_ceiling';

export interface InsertCeilingOptions {
  /** A database of the suite's own; the ceiling creates and drops one table in it. */
  databaseUrl: string;
  seconds: number;
  clients: readonly number[];
}

/**
 * Single-row INSERTs in autocommit, with pgbench when it is installed and
 * with node-postgres (the driver the server uses) in any case.
 */
export async function runInsertCeiling(report: Report, options: InsertCeilingOptions): Promise<void> {
  const admin = new pg.Client({ connectionString: options.databaseUrl });
  await admin.connect();
  try {
    await admin.query(`DROP TABLE IF EXISTS ${CEILING_TABLE}`);
    await admin.query(`CREATE TABLE ${CEILING_TABLE} (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), payload text NOT NULL)`);
    const pgbench = await findPgbench();
    for (const clients of options.clients) {
      if (pgbench) {
        note(`ceiling: pgbench single-row INSERT, ${clients} clients, ${options.seconds} s`);
        await report.settle(`ceiling.pg.insert.pgbench c=${clients}`);
        const result = await runPgbench(pgbench, options.databaseUrl, clients, options.seconds);
        report.add('ceiling.pg.insert.pgbench.rate', null, clients, result.tps, 'rows/s');
        report.add('ceiling.pg.insert.pgbench.latency_avg', null, clients, result.latencyMs, 'ms');
      }
      note(`ceiling: node-postgres single-row INSERT, ${clients} clients, ${options.seconds} s`);
      await report.settle(`ceiling.pg.insert.node c=${clients}`);
      const rate = await runNodeInserts(options.databaseUrl, clients, options.seconds);
      report.add('ceiling.pg.insert.node.rate', null, clients, rate, 'rows/s');
    }
  } finally {
    await admin.query(`DROP TABLE IF EXISTS ${CEILING_TABLE}`);
    await admin.end();
  }
}

async function findPgbench(): Promise<string | undefined> {
  try {
    await run('pgbench', ['--version']);
    return 'pgbench';
  } catch {
    note('ceiling: pgbench is not installed; only the node-postgres insert ceiling runs');
    return undefined;
  }
}

async function runPgbench(pgbench: string, databaseUrl: string, clients: number, seconds: number): Promise<{ tps: number; latencyMs: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aduan-bench-pgbench-'));
  const script = path.join(dir, 'insert.sql');
  fs.writeFileSync(script, `INSERT INTO ${CEILING_TABLE} (payload) VALUES (md5(random()::text));\n`);
  try {
    const { stdout } = await run(pgbench, ['-n', '-c', String(clients), '-j', String(Math.min(clients, 2)), '-T', String(seconds), '-f', script, databaseUrl], {
      timeout: (seconds + 30) * 1000,
    });
    const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(stdout);
    const latency = /latency average = ([\d.]+) ms/.exec(stdout);
    if (!tps || !latency) throw new Error(`could not read tps and latency from pgbench's output:\n${stdout}`);
    return { tps: Number(tps[1]), latencyMs: Number(latency[1]) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function runNodeInserts(databaseUrl: string, clients: number, seconds: number): Promise<number> {
  const connections = await Promise.all(
    Array.from({ length: clients }, async () => {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      return client;
    }),
  );
  try {
    const started = performance.now();
    const deadline = started + seconds * 1000;
    let rows = 0;
    await Promise.all(
      connections.map(async (client, index) => {
        let i = 0;
        while (performance.now() < deadline) {
          await client.query(`INSERT INTO ${CEILING_TABLE} (payload) VALUES ($1)`, [`client ${index} row ${i++}`]);
          rows += 1;
        }
      }),
    );
    return rows / ((performance.now() - started) / 1000);
  } finally {
    await Promise.all(connections.map((client) => client.end()));
  }
}
