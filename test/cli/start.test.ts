/**
 * `npm start` as the README runs it: scripts/start.sh compiles src/ to build/
 * and starts the server from the JavaScript, on a fresh embedded database.
 * The server must serve pages, the API and a chart file that is read on
 * first use, and its first job pass must train the seed triage models in a
 * worker thread without falling back to the main thread.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const START_TIMEOUT_MS = 120_000;
// An import path that still names a TypeScript file: `from "./x.ts"` or `import("../y.tsx")`.
const TS_IMPORT_RE = /(?:from\s*|import\s*\(\s*)["']\.{1,2}\/[^"']*\.tsx?["']/;

let dataDir: string;
let server: ChildProcess;
let log = '';
let baseUrl: string;

/** Resolves with the first log line that `match` accepts; rejects when the process ends first or the time runs out. */
function waitForLog(match: (line: Record<string, unknown>) => boolean, timeoutMs: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const check = () => {
      for (const raw of log.split('\n')) {
        if (!raw.startsWith('{')) continue;
        const line = JSON.parse(raw) as Record<string, unknown>;
        if (match(line)) return finish(() => resolve(line));
      }
    };
    const timer = setTimeout(() => finish(() => reject(new Error(`no matching log line within ${timeoutMs} ms; output:\n${log.slice(-3000)}`))), timeoutMs);
    const onData = () => check();
    const onExit = (code: number | null) => finish(() => reject(new Error(`the server exited with ${code}; output:\n${log.slice(-3000)}`)));
    function finish(settle: () => void) {
      clearTimeout(timer);
      server.stdout!.off('data', onData);
      server.off('exit', onExit);
      settle();
    }
    server.stdout!.on('data', onData);
    server.once('exit', onExit);
    check();
  });
}

before(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aduan-start-'));
  server = spawn('sh', ['scripts/start.sh'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: '', DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', JOBS: 'on' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout!.on('data', (chunk) => (log += chunk));
  server.stderr!.on('data', (chunk) => (log += chunk));
  const listening = await waitForLog((line) => line.msg === 'listening', START_TIMEOUT_MS);
  baseUrl = `http://127.0.0.1:${listening.port}`;
});

after(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('build compiles every module', () => {
  const sources = fs.readdirSync(path.join(ROOT, 'src'), { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.tsx?$/.test(file) && !file.endsWith('.d.ts'));
  assert.ok(sources.length > 100, `found ${sources.length} source modules`);
  for (const source of sources) {
    const built = path.join(ROOT, 'build', source.replace(/\.tsx?$/, '.js'));
    assert.ok(fs.existsSync(built), `${source} is compiled`);
    assert.doesNotMatch(fs.readFileSync(built, 'utf8'), TS_IMPORT_RE, `${source}: imports name the compiled files`);
  }
});

test('compiled server serves pages and API', async () => {
  const health = await fetch(`${baseUrl}/health`);
  assert.equal(health.status, 200);
  const portal = await fetch(`${baseUrl}/lapor`);
  assert.equal(portal.status, 200);
  assert.match(await portal.text(), /<form/);
  const openapi = await fetch(`${baseUrl}/api/v1/openapi.json`);
  assert.equal(openapi.status, 200);
  assert.ok(((await openapi.json()) as { paths: Record<string, unknown> }).paths['/complaints'], 'the intake route is documented');
  const echarts = await fetch(`${baseUrl}/assets/charts/echarts.min.js`);
  assert.equal(echarts.status, 200);
  assert.match(echarts.headers.get('content-type') ?? '', /javascript/);
  assert.ok((await echarts.arrayBuffer()).byteLength > 500_000, 'the whole ECharts build is served');
  assert.equal((await fetch(`${baseUrl}/assets/charts/nothing.js`)).status, 404);
});

test('seed training runs in the worker', async () => {
  for (const kind of ['relevance', 'type', 'category', 'agency']) {
    await waitForLog((line) => line.msg === 'triage model trained' && line.kind === kind, START_TIMEOUT_MS);
  }
  assert.doesNotMatch(log, /training worker could not load/, 'the worker loads the compiled module');
});
