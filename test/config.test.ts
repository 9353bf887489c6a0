/**
 * Server settings from the environment: a value that would break the
 * product later (links to citizens, cookies, background jobs, mail) stops
 * the start with a message that names the variable.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config.ts';

const REPOSITORY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('configuration', () => {
  test('default data folder is the repository\'s', () => {
    const previous = process.cwd();
    process.chdir(path.join(REPOSITORY, 'docs'));
    try {
      assert.equal(loadConfig({}).dataDir, path.join(REPOSITORY, 'data'), 'the same folder from a subfolder');
      assert.equal(loadConfig({ DATA_DIR: 'lain' }).dataDir, path.join(REPOSITORY, 'docs', 'lain'), 'a relative DATA_DIR is read from here');
    } finally {
      process.chdir(previous);
    }
    assert.equal(loadConfig({ DATA_DIR: 'memory://' }).dataDir, 'memory://');
  });

  test('switches read in any common form', () => {
    for (const off of ['off', 'OFF', 'false', '0']) assert.equal(loadConfig({ JOBS: off }).jobsEnabled, false, off);
    assert.equal(loadConfig({ JOBS: 'on' }).jobsEnabled, true);
    assert.equal(loadConfig({}).jobsEnabled, true);
    assert.equal(loadConfig({ COOKIE_SECURE: '1' }).cookieSecure, true);
    assert.equal(loadConfig({ TRUST_PROXY: 'on' }).trustProxy, true, 'every switch reads on/off as well');
    assert.equal(loadConfig({ PUBLIC_URL: 'https://aduan.contoh.id' }).cookieSecure, true);
    assert.equal(loadConfig({ PUBLIC_URL: 'https://aduan.contoh.id', COOKIE_SECURE: 'false' }).cookieSecure, false);
  });

  test('bad values stop the start', () => {
    assert.throws(() => loadConfig({ PUBLIC_URL: 'aduan.contoh.id' }), /PUBLIC_URL must be an http:\/\/ or https:\/\/ URL/);
    assert.throws(() => loadConfig({ JOBS: 'sometimes' }), /JOBS must be on or off, got "sometimes"/);
    assert.throws(() => loadConfig({ COOKIE_SECURE: 'yes please' }), /COOKIE_SECURE must be true or false/);
    assert.throws(() => loadConfig({ LOG_LEVEL: 'loud' }), /LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"/);
    assert.throws(() => loadConfig({ SMTP_URL: 'ftp://x' }), /SMTP_URL must be an smtp:\/\/ or smtps:\/\/ URL/);
    assert.equal(loadConfig({ SMTP_URL: 'smtp://127.0.0.1:2525' }).channels.email.smtpUrl, 'smtp://127.0.0.1:2525');
  });
});
