/**
 * Request bodies read from Node's request (src/web/middleware/body.ts),
 * through the real HTTP server. Covered: bodies sent in pieces, a byte
 * order mark, the size limit with and without Content-Length, a client
 * that leaves mid-body, and a webhook signature over the bytes received.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { startTestServer, type TestServer } from '../support/server.ts';
import { settleInboundProcessing } from '../../src/jobs/inbound.ts';

const fixturesDir = fileURLToPath(new URL('../fixtures/webhooks/signatures/', import.meta.url));
const vector = JSON.parse(readFileSync(fixturesDir + 'meta_x_hub_signature_256_vector_pywa.json', 'utf8')) as {
  app_secret: string; header_name: string; header_value: string;
};

interface Reply { status: number; body: string }

/**
 * Sends `chunks` one by one with a pause between them, so the server
 * receives them as separate reads. Without `contentLength` the body goes
 * chunked. `abortAfter` destroys the socket after that many chunks.
 */
function send(base: string, path: string, chunks: Buffer[], options: { headers?: Record<string, string>; contentLength?: number; abortAfter?: number } = {}): Promise<Reply | 'aborted'> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { 'content-type': 'application/json', connection: 'close', ...options.headers };
    if (options.contentLength !== undefined) headers['content-length'] = options.contentLength;
    const req = request(`${base}${path}`, { method: 'POST', headers });
    req.on('response', (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (piece: string) => { body += piece; });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    // A write that fails after a 413 has arrived changes nothing, because the promise has settled.
    req.on('error', (error) => (options.abortAfter !== undefined ? resolve('aborted') : reject(error)));
    let index = 0;
    const writeNext = () => {
      if (options.abortAfter !== undefined && index === options.abortAfter) {
        req.destroy();
        resolve('aborted');
        return;
      }
      if (index === chunks.length) {
        req.end();
        return;
      }
      req.write(chunks[index++], () => setTimeout(writeNext, 5));
    };
    writeNext();
  });
}

function pieces(buffer: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let start = 0; start < buffer.length; start += size) out.push(buffer.subarray(start, start + size));
  return out;
}

describe('request bodies through the Node server', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ WHATSAPP_APP_SECRET: vector.app_secret });
  });
  after(async () => server?.stop());

  async function complaintCount(): Promise<number> {
    const result = await sql<{ n: number }>`select count(*)::int as n from complaints`.execute(server.database.db);
    return result.rows[0]!.n;
  }

  async function storedDescription(trackingCode: string): Promise<string | undefined> {
    const row = await server.database.db.selectFrom('complaints').select('description').where('tracking_code', '=', trackingCode).executeTakeFirst();
    return row?.description;
  }

  test('body split mid-character stored exactly', async () => {
    const description = 'Jalan berlubang 🚧 di depan pasar, mohon segera diperbaiki — sudah dua minggu';
    const bytes = Buffer.from(JSON.stringify({ type: 'pengaduan', description }));
    // Pieces of 7 bytes cut the emoji and the dash, which take 4 and 3 bytes.
    const reply = await send(server.url, '/api/v1/complaints', pieces(bytes, 7));
    assert.notEqual(reply, 'aborted');
    const { status, body } = reply as Reply;
    assert.equal(status, 201, body);
    const { trackingCode } = JSON.parse(body) as { trackingCode: string };
    assert.equal(await storedDescription(trackingCode), description);
  });

  test('byte order mark ignored', async () => {
    const description = 'Lampu penerangan jalan mati sejak pekan lalu';
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify({ type: 'pengaduan', description }))]);
    const reply = (await send(server.url, '/api/v1/complaints', [bytes], { contentLength: bytes.length })) as Reply;
    assert.equal(reply.status, 201, reply.body);
    assert.equal(await storedDescription((JSON.parse(reply.body) as { trackingCode: string }).trackingCode), description);
  });

  test('invalid JSON rejected with 400', async () => {
    const before = await complaintCount();
    const bytes = Buffer.from('{"type": "pengaduan", "description": ');
    const reply = (await send(server.url, '/api/v1/complaints', [bytes], { contentLength: bytes.length })) as Reply;
    assert.equal(reply.status, 400);
    assert.equal((JSON.parse(reply.body) as { error: { code: string } }).error.code, 'invalid');
    assert.match(reply.body, /JSON/);
    assert.equal(await complaintCount(), before);
  });

  test('declared length over 1 MB rejected', async () => {
    const before = await complaintCount();
    const reply = await send(server.url, '/api/v1/complaints', [Buffer.from('{"type":"pengaduan","description":"')], {
      contentLength: 2 * 1024 * 1024,
    });
    assert.notEqual(reply, 'aborted');
    assert.equal((reply as Reply).status, 413);
    assert.equal((JSON.parse((reply as Reply).body) as { error: { code: string } }).error.code, 'too_large');
    assert.equal(await complaintCount(), before);
  });

  test('chunked body over 1 MB rejected', async () => {
    const before = await complaintCount();
    const filler = Buffer.alloc(64 * 1024, 'a');
    const chunks = [Buffer.from('{"type":"pengaduan","description":"'), ...Array.from({ length: 20 }, () => filler), Buffer.from('"}')];
    const reply = await send(server.url, '/api/v1/complaints', chunks);
    assert.notEqual(reply, 'aborted');
    assert.equal((reply as Reply).status, 413);
    assert.match((reply as Reply).body, /1 MB/);
    assert.equal(await complaintCount(), before);
    const health = await fetch(`${server.url}/health`);
    assert.equal(health.status, 200);
  });

  test('client leaving mid-body stores nothing', async () => {
    const before = await complaintCount();
    const bytes = Buffer.from(JSON.stringify({ type: 'pengaduan', description: 'Saluran air tersumbat di gang sempit dekat masjid' }));
    const reply = await send(server.url, '/api/v1/complaints', pieces(bytes, 20), { contentLength: bytes.length, abortAfter: 2 });
    assert.equal(reply, 'aborted');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(await complaintCount(), before);
    const after = await fetch(`${server.url}/api/v1/complaints`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'pengaduan', description: 'Sampah menumpuk di pinggir jalan desa' }),
    });
    assert.equal(after.status, 201);
  });

  test('webhook signature over bytes in pieces', async () => {
    const raw = readFileSync(fixturesDir + 'meta_whatsapp_signed_body_pywa.raw');
    const accepted = (await send(server.url, '/webhooks/whatsapp', pieces(raw, 13), {
      headers: { [vector.header_name]: vector.header_value },
    })) as Reply;
    assert.equal(accepted.status, 200, accepted.body);
    await settleInboundProcessing();
    const envelope = await server.database.db.selectFrom('channel_envelopes').select('raw_body').where('source', '=', 'whatsapp').orderBy('id', 'desc').executeTakeFirstOrThrow();
    assert.ok(Buffer.from(envelope.raw_body).equals(raw), 'the stored body is the bytes sent');

    // One byte changed: the same signature must no longer match.
    const altered = Buffer.from(raw);
    altered[altered.length - 2] = altered[altered.length - 2]! ^ 1;
    const rejected = (await send(server.url, '/webhooks/whatsapp', pieces(altered, 13), {
      headers: { [vector.header_name]: vector.header_value },
    })) as Reply;
    assert.equal(rejected.status, 401);
  });
});
