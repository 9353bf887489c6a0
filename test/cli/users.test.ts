/** The `aduan` command as an operator runs it: separate processes on a temporary data folder. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'bin', 'aduan.js');
let dataDir: string;

before(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aduan-cli-'));
});
after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

function aduan(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'warn' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdin.end(input ?? '');
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

test('user add with a generated password prints it once', async () => {
  const result = await aduan(['user', 'add', '--email', 'Admin@Contoh.id', '--name', 'Admin Uji', '--role', 'admin']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /Created user admin@contoh\.id/);
  const password = result.stdout.trim().split('\n').pop()!;
  assert.ok(password.length >= 16);
});

test('user add reads the password from stdin', async () => {
  const result = await aduan(
    ['user', 'add', '--email', 'opd@contoh.id', '--name', 'Petugas DPUPR', '--role', 'agency_officer', '--agency', 'dpupr', '--password-stdin'],
    'kata-sandi-yang-panjang\n',
  );
  assert.equal(result.code, 0, result.stderr);
  assert.doesNotMatch(result.stdout, /Generated password/);
});

test('user add rejects bad input with a clear message', async () => {
  const role = await aduan(['user', 'add', '--email', 'x@contoh.id', '--name', 'X', '--role', 'bupati']);
  assert.equal(role.code, 1);
  assert.match(role.stderr, /role must be one of admin, complaint_officer, agency_officer, leader/);
  const agency = await aduan(['user', 'add', '--email', 'y@contoh.id', '--name', 'Y', '--role', 'agency_officer']);
  assert.equal(agency.code, 1);
  assert.match(agency.stderr, /needs --agency/);
  const duplicate = await aduan(['user', 'add', '--email', 'admin@contoh.id', '--name', 'Again', '--role', 'admin']);
  assert.equal(duplicate.code, 1);
  assert.match(duplicate.stderr, /already exists/);
  const missing = await aduan(['user', 'add', '--email', 'z@contoh.id']);
  assert.equal(missing.code, 2);
});

test('token create prints the token as the last line', async () => {
  const result = await aduan(['token', 'create', '--email', 'admin@contoh.id', '--label', 'skrip rekap']);
  assert.equal(result.code, 0, result.stderr);
  const token = result.stdout.trim().split('\n').pop()!;
  assert.match(token, /^adn_[A-Za-z0-9_-]{32}$/);
  const unknown = await aduan(['token', 'create', '--email', 'nobody@contoh.id', '--label', 'x']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /no active user/);
});

test('a second process on the same data folder gets a clear message', async () => {
  const lock = path.join(dataDir, 'aduan.lock');
  // The test runner's own pid is alive, so the lock counts as held.
  fs.writeFileSync(lock, String(process.pid));
  try {
    const result = await aduan(['user', 'add', '--email', 'late@contoh.id', '--name', 'Late', '--role', 'leader']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /in use by process \d+/);
    assert.match(result.stderr, /stop the other process first/);
  } finally {
    fs.rmSync(lock, { force: true });
  }
});

test('unknown command prints usage', async () => {
  const result = await aduan(['frobnicate']);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /Usage: aduan/);
});

