/**
 * Rate limits per client address (src/web/middleware/rate-limit.ts): the
 * token bucket and address keys on their own, then through the real HTTP
 * server behind a proxy (TRUST_PROXY) and without one. Client addresses are
 * documentation addresses (RFC 5737, RFC 3849) sent in X-Forwarded-For;
 * every request goes to the test server on loopback.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { clientKey, IPV6_SITE_FACTOR, RateLimiter } from '../../src/web/middleware/rate-limit.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { makeStaff } from '../support/staff.ts';

const HOUR_MS = 3_600_000;
const REPORT = { type: 'pengaduan', description: 'Lampu jalan di depan balai desa mati sejak tiga hari.', channel: 'web' };

describe('token bucket', () => {
  test('burst then one per interval', () => {
    const limiter = new RateLimiter(2);
    assert.equal(limiter.take('198.51.100.1', 0), 0);
    assert.equal(limiter.take('198.51.100.1', 0), 0);
    assert.equal(limiter.take('198.51.100.1', 0), 1800, 'the third waits half an hour');
    assert.equal(limiter.take('198.51.100.2', 0), 0, 'another address has its own bucket');
    assert.equal(limiter.take('198.51.100.1', 1_800_000), 0, 'one token back after half an hour');
    assert.equal(limiter.take('198.51.100.1', 1_800_000), 1800);
  });

  test('idle buckets removed past 10,000', () => {
    const limiter = new RateLimiter(5);
    for (let i = 0; i < 10_000; i++) limiter.take(`key-${i}`, 0);
    assert.equal(limiter.size, 10_000);
    limiter.take('late', HOUR_MS);
    assert.equal(limiter.size, 1, 'buckets full again after an hour are dropped');
  });

  test('a full map drops the bucket used longest ago', () => {
    const limiter = new RateLimiter(1, 3);
    limiter.take('198.51.100.10', 0);
    limiter.take('198.51.100.11', 1);
    limiter.take('198.51.100.12', 2);
    // The first client is still limited and keeps sending; its bucket is now the newest.
    assert.equal(limiter.take('198.51.100.10', 3), 3600);
    limiter.take('198.51.100.13', 4);
    assert.equal(limiter.size, 3);
    assert.ok(limiter.wait('198.51.100.10', 5) > 0, 'the client that kept sending is still limited');
    assert.equal(limiter.wait('198.51.100.11', 5), 0, 'the bucket used longest ago was dropped');
  });

  test('an IPv6 site shares one larger bucket', () => {
    const limiter = new RateLimiter(2);
    const allowed = [];
    // Each request from another /64 of the same /48, as a client with a tunnel could send.
    for (let network = 0; network < 2 * IPV6_SITE_FACTOR + 5; network++) {
      const key = clientKey(`2001:db8:42:${network.toString(16)}::1`)!;
      if (limiter.take(key, 0) === 0) allowed.push(key);
    }
    assert.equal(allowed.length, 2 * IPV6_SITE_FACTOR, 'the site gets sixteen times one client\'s limit, no more');
    assert.equal(limiter.take(clientKey('2001:db8:43::1')!, 0), 0, 'another /48 has its own bucket');
    assert.ok(limiter.take(clientKey('2001:db8:42:ffff::1')!, 0) > 0, 'a fresh /64 of the spent site waits');
  });

  test('wait takes nothing; consume does', () => {
    const limiter = new RateLimiter(1);
    assert.equal(limiter.wait('198.51.100.3', 0), 0);
    assert.equal(limiter.wait('198.51.100.3', 0), 0, 'waiting twice takes no token');
    limiter.consume('198.51.100.3', 0);
    assert.equal(limiter.wait('198.51.100.3', 0), 3600);
    limiter.consume('198.51.100.3', 0);
    assert.equal(limiter.wait('198.51.100.3', 0), 7200, 'a request that passed at the same time makes the wait longer');
  });

  test('invalid limit rejected', () => {
    assert.throws(() => new RateLimiter(0), /perHour must be a whole number of at least 1, got 0/);
  });
});

describe('client keys', () => {
  const cases: Array<[string, string | null]> = [
    ['203.0.113.9', '203.0.113.9'],
    [' 203.0.113.9 ', '203.0.113.9'],
    ['::ffff:203.0.113.9', '203.0.113.9'],
    ['2001:db8:1:2::5', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:ffff:0:0:1', '2001:db8:1:2::/64'],
    ['2001:db8:1:3::5', '2001:db8:1:3::/64'],
    ['::1', '0:0:0:0::/64'],
    ['192.0.2.7:51234', '192.0.2.7'],
    ['[2001:db8:1:2::5]:443', '2001:db8:1:2::/64'],
    ['::ffff:c000:207', '192.0.2.7'],
    ['0:0:0:0:0:ffff:192.0.2.7', '192.0.2.7'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['unknown', null],
    ['203.0.113.300', null],
  ];
  for (const [address, key] of cases) {
    test(`key of "${address}"`, () => assert.equal(clientKey(address), key));
  }
});

async function postReport(base: string, headers: Record<string, string> = {}) {
  return fetch(`${base}/api/v1/complaints`, {
    method: 'POST', body: JSON.stringify(REPORT), headers: { 'content-type': 'application/json', ...headers },
  });
}

describe('limits behind a proxy', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({
      TRUST_PROXY: 'true', RATE_LIMIT_REPORTS_PER_HOUR: '2', RATE_LIMIT_ACTIONS_PER_HOUR: '1', RATE_LIMIT_SIGN_INS_PER_HOUR: '1',
    });
  });
  after(async () => server?.stop());

  const countReports = async () => Number((await server.database.db.selectFrom('complaints').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  test('API reports over the limit rejected', async () => {
    const client = { 'x-forwarded-for': '192.0.2.77, 198.51.100.7' };
    const before = await countReports();
    assert.equal((await postReport(server.url, client)).status, 201);
    assert.equal((await postReport(server.url, client)).status, 201);
    const third = await postReport(server.url, client);
    assert.equal(third.status, 429);
    assert.equal(third.headers.get('retry-after'), '1800');
    const body = await third.json() as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'rate_limited');
    assert.equal(body.error.message, 'Terlalu banyak permintaan dari alamat ini. Coba lagi dalam 30 menit.');
    assert.equal(await countReports(), before + 2, 'the rejected report is not stored');

    assert.equal((await postReport(server.url, { 'x-forwarded-for': '198.51.100.8' })).status, 201, 'another client is not limited');
  });

  test('staff token not limited', async () => {
    const officer = await makeStaff(server.database.db, 'complaint_officer');
    const staff = { 'x-forwarded-for': '198.51.100.9', authorization: `Bearer ${officer.token}` };
    for (let i = 0; i < 3; i++) assert.equal((await postReport(server.url, staff)).status, 201, `staff report ${i + 1}`);
  });

  test('web form limit shows a page', async () => {
    const client = { 'x-forwarded-for': '2001:db8:5:6::1' };
    for (let i = 0; i < 2; i++) await postReport(server.url, client);
    const form = new URLSearchParams({ type: 'pengaduan', description: REPORT.description });
    const response = await fetch(`${server.url}/lapor`, {
      method: 'POST', body: form, headers: { ...client, 'x-forwarded-for': '2001:db8:5:6::2', origin: server.url },
    });
    assert.equal(response.status, 429, 'the same /64 shares the limit with the API');
    const html = await response.text();
    assert.ok(html.includes('Terlalu banyak kiriman'), 'the page names the problem');
    assert.ok(html.includes('Coba lagi dalam 30 menit'), 'the page says when to retry');
    assert.ok(html.includes('href="/lapor"'), 'the page links back to the form');
  });

  test('refused posts take no token', async () => {
    const attempt = (origin: string, password = 'kata-sandi-salah') => fetch(`${server.url}/staff/login`, {
      method: 'POST', redirect: 'manual',
      body: new URLSearchParams({ email: 'belum-terdaftar@contoh.go.id', password }),
      headers: { 'x-forwarded-for': '203.0.113.30', origin },
    });
    for (let i = 0; i < 3; i++) assert.equal((await attempt('http://evil.example')).status, 403, `cross-site post ${i + 1} refused`);
    assert.equal((await attempt(server.url, '')).status, 400, 'a form with a missing field');
    assert.equal((await attempt(server.url)).status, 401, 'the first real attempt is still allowed');
  });

  test('sign-in attempts limited', async () => {
    const attempt = () => fetch(`${server.url}/staff/login`, {
      method: 'POST', redirect: 'manual',
      body: new URLSearchParams({ email: 'belum-terdaftar@contoh.go.id', password: 'kata-sandi-salah' }),
      headers: { 'x-forwarded-for': '203.0.113.20', origin: server.url },
    });
    assert.equal((await attempt()).status, 401);
    const limited = await attempt();
    assert.equal(limited.status, 429);
    assert.ok((await limited.text()).includes('Terlalu banyak percobaan masuk'));
  });
});

describe('limits without a proxy', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ RATE_LIMIT_REPORTS_PER_HOUR: '1' });
  });
  after(async () => server?.stop());

  test('loopback peer not limited', async () => {
    for (let i = 0; i < 3; i++) {
      const response = await postReport(server.url, { 'x-forwarded-for': '198.51.100.7' });
      assert.equal(response.status, 201, `report ${i + 1}: a forwarded address is ignored without TRUST_PROXY`);
    }
  });
});
