/**
 * Benchmark runner (`npm run bench`). Creates its own databases on the
 * PostgreSQL server of BENCH_DATABASE_URL, runs the chosen benchmarks,
 * prints one line per figure (`name size connections value unit`), then
 * the targets with met or missed and the ratio, and drops the databases.
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench -- --only intake,inbox --sizes 10k,100k
 *
 * Every load runs on 127.0.0.1 and is bounded by its duration; every timing
 * loop is bounded by a count and a time. Results and EXPLAIN output go to
 * `--out` (default: a new folder under the system's temporary folder).
 */
import type pg from 'pg';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { prepareDatabase } from '../src/bootstrap.ts';
import { createApiToken, createUser, toStaffUser } from '../src/commands/users.ts';
import type { Database } from '../src/db/database.ts';
import { runHttpCeiling, runInsertCeiling } from './ceiling.ts';
import { runIndicators } from './indicators.ts';
import { runInbox } from './inbox.ts';
import { intakeBodyFactory, loadIntakeReference, runIntake } from './intake.ts';
import { runIntakeStatements } from './intake-statements.ts';
import { benchDatabaseName, createDatabase, dropDatabase, serverFacts } from './lib/databases.ts';
import { Random } from './lib/random.ts';
import { Report, formatSize, note } from './lib/report.ts';
import { ROOT, startAduan, type RunningServer } from './lib/server.ts';
import { runImport } from './import.ts';
import { runMemory } from './memory.ts';
import { cloneOpenComplaints, runRecompute } from './recompute.ts';
import { runWebhookIntake, startWebhookServer } from './webhook-intake.ts';
import { TIMELINE_EVENTS, checkDeadlineSample, loadSeedReference, sampleIds, seedComplaints } from './seed.ts';
import { loadComplaintTexts } from './texts.ts';
import { evaluateTargets } from './targets.ts';

const BENCHMARKS = ['ceiling', 'intake', 'memory', 'inbox', 'indicators', 'webhooks', 'recompute', 'import'] as const;
type Benchmark = (typeof BENCHMARKS)[number];

const HELP = `Usage: BENCH_DATABASE_URL=postgres://USER@127.0.0.1:5432/postgres npm run bench -- [options]

BENCH_DATABASE_URL names a PostgreSQL server (15 or newer) and a database to
connect to for CREATE DATABASE; the suite works in databases of its own,
aduan_bench_<purpose>_<pid>, and drops them at the end.

Options:
  --only LIST              benchmarks to run, comma-separated: ${BENCHMARKS.join(', ')} (default: all)
  --sizes LIST             complaint counts for inbox and indicators, e.g. 10k,100k,1m (default: 10k,100k)
  --connections LIST       load-generator connections for ceiling, intake and webhooks (default: 8,32)
  --intake-seconds N       seconds of each intake and webhooks run (default: 20)
  --ceiling-seconds N      seconds of each ceiling run (default: 15)
  --pglite-seconds N       seconds of the PGlite intake run in the memory benchmark, 0 to skip (default: 10)
  --import-rows N          rows of the generated file the import benchmark imports, 0 for the Surabaya file alone (default: 100k)
  --samples N              timed requests per inbox filter, at most (default: 60)
  --indicator-samples N    timed calls per indicator period, at most (default: 10)
  --seed N                 seed of the data generator (default: 1)
  --quiet-busy P           before each timed run, wait until the CPU is at most P % busy (default: 30)
  --quiet-wait N           but wait at most N seconds before running anyway (default: 120)
  --out DIR                folder for results.json and EXPLAIN output (default: a new temporary folder)
  --keep                   keep the databases instead of dropping them
  --help                   show this text`;

interface Options {
  only: Set<Benchmark>;
  sizes: number[];
  connections: number[];
  intakeSeconds: number;
  ceilingSeconds: number;
  pgliteSeconds: number;
  samples: number;
  importRows: number;
  indicatorSamples: number;
  seed: number;
  quietBusy: number;
  quietWait: number;
  out: string;
  keep: boolean;
}

function parseCount(raw: string, option: string): number {
  const match = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(raw.trim());
  const value = match ? Number(match[1]) * ({ '': 1, k: 1_000, m: 1_000_000 } as Record<string, number>)[match[2].toLowerCase()] : Number.NaN;
  if (!Number.isInteger(value) || value < 0) throw new Error(`${option}: "${raw}" is not a whole number; use forms like 20, 10k or 1m.`);
  return value;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      only: { type: 'string' },
      sizes: { type: 'string', default: '10k,100k' },
      connections: { type: 'string', default: '8,32' },
      'intake-seconds': { type: 'string', default: '20' },
      'ceiling-seconds': { type: 'string', default: '15' },
      'pglite-seconds': { type: 'string', default: '10' },
      samples: { type: 'string', default: '60' },
      'indicator-samples': { type: 'string', default: '10' },
      seed: { type: 'string', default: '1' },
      'import-rows': { type: 'string', default: '100k' },
      'quiet-busy': { type: 'string', default: '30' },
      'quiet-wait': { type: 'string', default: '120' },
      out: { type: 'string' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  const only = new Set<Benchmark>();
  for (const name of (values.only ?? BENCHMARKS.join(',')).split(',').map((item) => item.trim()).filter(Boolean)) {
    if (!BENCHMARKS.includes(name as Benchmark)) throw new Error(`--only: unknown benchmark "${name}"; choose from ${BENCHMARKS.join(', ')}.`);
    only.add(name as Benchmark);
  }
  const list = (raw: string, option: string) => raw.split(',').map((item) => parseCount(item, option));
  const sizes = [...new Set(list(values.sizes!, '--sizes'))].sort((a, b) => a - b);
  if (sizes.some((size) => size < 100)) throw new Error('--sizes: each size must be at least 100 complaints.');
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return {
    only,
    sizes,
    connections: list(values.connections!, '--connections'),
    intakeSeconds: parseCount(values['intake-seconds']!, '--intake-seconds'),
    ceilingSeconds: parseCount(values['ceiling-seconds']!, '--ceiling-seconds'),
    pgliteSeconds: parseCount(values['pglite-seconds']!, '--pglite-seconds'),
    samples: parseCount(values.samples!, '--samples'),
    importRows: parseCount(values['import-rows']!, '--import-rows'),
    indicatorSamples: parseCount(values['indicator-samples']!, '--indicator-samples'),
    seed: parseCount(values.seed!, '--seed'),
    quietBusy: parseCount(values['quiet-busy']!, '--quiet-busy'),
    quietWait: parseCount(values['quiet-wait']!, '--quiet-wait'),
    out: path.resolve(values.out ?? path.join(os.tmpdir(), `aduan-bench-${stamp}`)),
    keep: values.keep!,
  };
}

function commandOutput(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8' }).trim();
  } catch {
    return 'unavailable';
  }
}

function packageVersion(name: string): string {
  try {
    return JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return 'not installed';
  }
}

/** Prints the machine, the versions and the server settings that the figures depend on. */
async function printEnvironment(serverUrl: string): Promise<Record<string, unknown>> {
  const cpu = /model name\s*:\s*(.+)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
  const environment = {
    date: new Date().toISOString(),
    cpus: os.availableParallelism(),
    cpuModel: cpu,
    memory: commandOutput('free', ['-h']).split('\n')[1]?.replace(/\s+/g, ' ') ?? 'unknown',
    kernel: os.release(),
    // The figures belong to this revision plus the uncommitted changes counted here.
    gitRevision: commandOutput('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']),
    gitUncommittedFiles: commandOutput('git', ['-C', ROOT, 'status', '--porcelain']).split('\n').filter(Boolean).length,
    node: process.version,
    postgres: await serverFacts(serverUrl),
    pgbench: commandOutput('pgbench', ['--version']),
    packages: Object.fromEntries(
      ['hono', '@hono/node-server', '@hono/zod-openapi', 'pg', 'kysely', 'pg-boss', '@electric-sql/pglite', 'tsx', 'autocannon'].map((name) => [name, packageVersion(name)]),
    ),
  };
  for (const [key, value] of Object.entries(environment)) console.log(`# ${key}: ${typeof value === 'string' || typeof value === 'number' ? value : JSON.stringify(value)}`);
  return environment;
}

/** Things to undo at the end of the run or on Ctrl-C, last first. */
const cleanups: (() => Promise<void>)[] = [];

async function runCleanups(): Promise<void> {
  while (cleanups.length > 0) {
    try {
      await cleanups.pop()!();
    } catch (error) {
      note(`cleanup failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

async function openBenchDatabase(serverUrl: string, purpose: string, keep: boolean): Promise<Database> {
  const name = benchDatabaseName(purpose);
  const url = await createDatabase(serverUrl, name);
  if (!keep) cleanups.push(() => dropDatabase(serverUrl, name));
  else note(`keeping database ${name}`);
  const database = await prepareDatabase({ databaseUrl: url, dataDir: path.join(os.tmpdir(), 'aduan-bench-unused') });
  cleanups.push(() => database.close());
  return database;
}

function urlOf(serverUrl: string, purpose: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${benchDatabaseName(purpose)}`;
  return url.toString();
}

async function runWriteBenchmarks(report: Report, options: Options, serverUrl: string, texts: string[]): Promise<void> {
  const database = await openBenchDatabase(serverUrl, 'intake', options.keep);
  const intakeUrl = urlOf(serverUrl, 'intake');
  const makeBody = intakeBodyFactory(new Random(options.seed), texts, await loadIntakeReference(database.db));

  if (options.only.has('ceiling')) {
    await runHttpCeiling(report, { seconds: options.ceilingSeconds, connections: options.connections, makeBody });
    await runInsertCeiling(report, { databaseUrl: intakeUrl, seconds: options.ceilingSeconds, clients: options.connections });
  }
  if (options.only.has('memory')) {
    await runMemory(report, { databaseUrl: intakeUrl, pgliteIntakeSeconds: options.pgliteSeconds, makeBody });
  }
  if (options.only.has('intake') || options.only.has('memory')) {
    const server = await startAduan({ databaseUrl: intakeUrl, jobs: false });
    try {
      // Without --only intake, the memory benchmark still needs one load run for the RSS under load.
      const intakeOnlyForMemory = !options.only.has('intake');
      await runIntake(report, server, database.db, {
        seconds: intakeOnlyForMemory ? Math.min(options.intakeSeconds, 10) : options.intakeSeconds,
        warmupSeconds: 3,
        connections: intakeOnlyForMemory ? [Math.max(...options.connections)] : options.connections,
        makeBody,
      });
    } finally {
      await server.stop();
    }
  }
  if (options.only.has('intake')) {
    await runIntakeStatements(report, database.pool, { seconds: 10, workers: 8, makeBody });
  }
}

async function runWebhookBenchmarks(report: Report, options: Options, serverUrl: string, texts: string[]): Promise<void> {
  const database = await openBenchDatabase(serverUrl, 'webhooks', options.keep);
  const server = await startWebhookServer(urlOf(serverUrl, 'webhooks'));
  try {
    await runWebhookIntake(report, server, database.pool, {
      seconds: options.intakeSeconds, warmupSeconds: 3, connections: options.connections, texts, seed: options.seed,
    });
  } finally {
    await server.stop();
  }
}

async function runReadBenchmarks(report: Report, options: Options, serverUrl: string, texts: string[]): Promise<void> {
  const database = await openBenchDatabase(serverUrl, 'data', options.keep);
  const dataUrl = urlOf(serverUrl, 'data');
  const officer = (await createUser(database.db, { email: 'bench.officer@contoh.id', name: 'Bench officer', role: 'complaint_officer' })).user;
  const agencyOfficer = (await createUser(database.db, { email: 'bench.dpupr@contoh.id', name: 'Bench DPUPR', role: 'agency_officer', agencyCode: 'dpupr' })).user;
  const officerToken = await createApiToken(database.db, officer.email, 'bench');
  const agencyToken = await createApiToken(database.db, agencyOfficer.email, 'bench');
  const reference = await loadSeedReference(database.db, texts);
  const now = new Date();

  let server: RunningServer | undefined;
  cleanups.push(async () => server?.stop());
  let seeded = 0;
  let timelineIds: number[] = [];
  for (const size of options.sizes) {
    note(`seed: adding ${size - seeded} complaints to reach ${formatSize(size)}`);
    const result = await seedComplaints(database.pool, reference, {
      count: size - seeded, seed: options.seed, now, timelineCases: seeded === 0 ? 20 : 0,
      onBatch: (inserted) => {
        if (inserted % 50_000 === 0) note(`seed: ${inserted} / ${size - seeded}`);
      },
    });
    if (seeded === 0) timelineIds = result.timelineIds;
    report.add('seed.added', size, null, result.complaints, 'complaints');
    report.add('seed.events', size, null, result.events, 'rows');
    report.add('seed.time', size, null, result.ms / 1000, 's');
    report.add('seed.rate', size, null, result.complaints / (result.ms / 1000), 'complaints/s');
    report.add('seed.index_rebuild', size, null, result.indexMs / 1000, 's');
    const vacuumStarted = performance.now();
    await database.pool.query('VACUUM (ANALYZE) complaints, complaint_events, complaint_deadlines, reporters, contacts');
    report.add('seed.vacuum_analyze', size, null, (performance.now() - vacuumStarted) / 1000, 's');
    const check = await checkDeadlineSample(database.db, sampleIds(result.firstId, result.lastId, 200), now);
    report.add('seed.deadline_check.mismatches', size, null, check.mismatches, `of ${check.checked}`);
    for (const example of check.examples) note(`seed: deadline mismatch, ${example}`);
    const bytes = await database.pool.query<{ size: string }>('SELECT pg_database_size(current_database()) AS size');
    report.add('seed.database_size', size, null, Number(bytes.rows[0].size) / 1024 / 1024, 'MiB');
    seeded = size;

    // A fresh server per size, so its caches hold nothing from the previous size.
    await server?.stop();
    server = await startAduan({ databaseUrl: dataUrl, jobs: false });
    if (options.only.has('inbox')) {
      const timelineCheck = await database.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM complaint_events WHERE complaint_id = $1', [timelineIds[0]]);
      if (timelineCheck.rows[0].n !== TIMELINE_EVENTS) throw new Error(`timeline case ${timelineIds[0]} has ${timelineCheck.rows[0].n} events, expected ${TIMELINE_EVENTS}`);
      await runInbox(report, {
        size,
        baseUrl: server.baseUrl,
        pool: database.pool,
        officer: { token: officerToken, user: toStaffUser(officer) },
        agencyOfficer: { token: agencyToken, user: toStaffUser(agencyOfficer) },
        timelineIds,
        typicalIds: sampleIds(timelineIds.length + 1, size, 50),
        openIds: await openComplaintIds(database.pool, 50),
        timing: { warmup: 5, samples: options.samples, maxMs: 20_000 },
        explainDir: path.join(options.out, 'explain'),
      });
    }
    if (options.only.has('indicators')) {
      await runIndicators(report, {
        size, db: database.db, pool: database.pool, now,
        timing: { warmup: 1, samples: options.indicatorSamples, maxMs: 60_000 },
        explainDir: path.join(options.out, 'explain'),
      });
    }
  }
}

/**
 * Seeds the largest of --sizes with the generator, copies its open
 * complaints until that many are open, and adds a holiday under inbox load.
 */
async function runRecomputeBenchmark(report: Report, options: Options, serverUrl: string, texts: string[]): Promise<void> {
  const size = Math.max(...options.sizes);
  const database = await openBenchDatabase(serverUrl, 'recompute', options.keep);
  const officer = (await createUser(database.db, { email: 'bench.officer@contoh.id', name: 'Bench officer', role: 'complaint_officer' })).user;
  const admin = (await createUser(database.db, { email: 'bench.admin@contoh.id', name: 'Bench admin', role: 'admin' })).user;
  const officerToken = await createApiToken(database.db, officer.email, 'bench');
  const now = new Date();
  note(`recompute: seeding ${size} complaints`);
  const seeded = await seedComplaints(database.pool, await loadSeedReference(database.db, texts), { count: size, seed: options.seed, now, timelineCases: 0 });
  report.add('recompute.seed.time', size, null, seeded.ms / 1000, 's');
  await database.pool.query('VACUUM (ANALYZE) complaints, complaint_events, complaint_deadlines, reporters, contacts');
  const openSeeded = await database.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM complaints WHERE status IN ('new', 'verified', 'dispatched', 'in_progress', 'on_hold')");
  report.add('recompute.seed.open', size, null, openSeeded.rows[0].n, `of ${size}`);
  const cloneStarted = performance.now();
  const copies = await cloneOpenComplaints(database.pool, size);
  report.add('recompute.seed.copies', size, null, copies, 'copies');
  report.add('recompute.seed.copy_time', size, null, (performance.now() - cloneStarted) / 1000, 's');
  const total = await database.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM complaints');
  report.add('recompute.seed.complaints', size, null, total.rows[0].n, 'complaints');

  const server = await startAduan({ databaseUrl: urlOf(serverUrl, 'recompute'), jobs: false });
  try {
    await runRecompute(report, {
      size, baseUrl: server.baseUrl, pool: database.pool, db: database.db, admin: toStaffUser(admin), officerToken, now,
      connections: 4, baselineSeconds: 15, maxSeconds: 900,
    });
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const serverUrl = process.env.BENCH_DATABASE_URL;
  if (!serverUrl || !/^postgres(ql)?:\/\//.test(serverUrl)) {
    throw new Error('BENCH_DATABASE_URL is missing or not a postgres:// URL. Set it to a PostgreSQL server the suite may create databases on, e.g. postgres://postgres@127.0.0.1:5432/postgres');
  }
  const host = new URL(serverUrl).hostname;
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)) {
    throw new Error(`BENCH_DATABASE_URL points at ${host}; the suite only runs against a PostgreSQL server on this machine (127.0.0.1, localhost or ::1).`);
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      note(`${signal}: stopping servers and dropping databases`);
      void runCleanups().finally(() => process.exit(130));
    });
  }

  fs.mkdirSync(options.out, { recursive: true });
  const started = performance.now();
  const environment = await printEnvironment(serverUrl);
  console.log(`# benchmarks: ${[...options.only].join(', ')}; sizes: ${options.sizes.map(formatSize).join(', ')}; output: ${options.out}`);
  const report = new Report({ maxBusy: options.quietBusy / 100, maxWaitMs: options.quietWait * 1000 });
  try {
    const texts = loadComplaintTexts();
    if (options.only.has('ceiling') || options.only.has('intake') || options.only.has('memory')) {
      await runWriteBenchmarks(report, options, serverUrl, texts);
    }
    if (options.only.has('webhooks')) {
      await runWebhookBenchmarks(report, options, serverUrl, texts);
    }
    if (options.only.has('inbox') || options.only.has('indicators')) {
      await runReadBenchmarks(report, options, serverUrl, texts);
    }
    if (options.only.has('recompute')) {
      await runRecomputeBenchmark(report, options, serverUrl, texts);
    }
    if (options.only.has('import')) {
      await runImport(report, {
        rows: options.importRows,
        settle: (label) => report.settle(label),
        // The import migrates an empty database itself, as on a first run; only its creation and removal are the suite's.
        newDatabase: async (purpose) => {
          const name = benchDatabaseName(purpose);
          const url = await createDatabase(serverUrl, name);
          if (!options.keep) cleanups.push(() => dropDatabase(serverUrl, name));
          return url;
        },
      });
    }
  } finally {
    await runCleanups();
  }
  const targets = evaluateTargets(report, options.sizes, options.connections);
  for (const line of targets) console.log(line);
  const seconds = (performance.now() - started) / 1000;
  console.log(`# total time: ${seconds.toFixed(0)} s`);
  fs.writeFileSync(path.join(options.out, 'results.json'), `${JSON.stringify({ environment, options: { ...options, only: [...options.only] }, figures: report.figures, conditions: report.conditions, targets, seconds }, null, 2)}\n`);
}

main().catch(async (error) => {
  console.error(error instanceof Error ? error.stack ?? error.message : error);
  await runCleanups();
  process.exit(1);
});

/** Returns the newest reports that still wait for an officer's check, the ones opened from the triage queue. */
async function openComplaintIds(pool: pg.Pool, count: number): Promise<number[]> {
  const result = await pool.query<{ id: string }>(
    "SELECT id FROM complaints WHERE status IN ('new', 'verified') AND merged_into_id IS NULL ORDER BY received_at DESC, id DESC LIMIT $1",
    [count],
  );
  return result.rows.map((row) => Number(row.id));
}
