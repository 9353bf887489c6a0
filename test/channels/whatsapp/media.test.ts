/**
 * WhatsApp media downloads against a loopback stand-in that speaks the
 * Cloud API's two steps: the media id's metadata with a URL, then the file.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadChannelSettings } from '../../../src/config.ts';
import { createChannelRegistry } from '../../../src/channels/registry.ts';

const PHOTO = Buffer.from([0xff, 0xd8, 0xff, 0xdb, 0x00, 0x04, 0x01, 0x02, 0xff, 0xd9]);

describe('WhatsApp media download', () => {
  let server: http.Server;
  let baseUrl: string;
  let dropNext = 0;
  let fileRequests = 0;

  before(async () => {
    server = http.createServer((request, response) => {
      if (request.url?.startsWith('/file/')) {
        fileRequests += 1;
        // The server closes the connection without a response, as happens to a stale pooled socket.
        if (dropNext > 0) {
          dropNext -= 1;
          request.socket.destroy();
          return;
        }
        response.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': String(PHOTO.length) });
        response.end(PHOTO);
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ url: `${baseUrl}/file/foto-uji`, mime_type: 'image/jpeg', file_size: PHOTO.length }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  function registry() {
    return createChannelRegistry(loadChannelSettings({ WHATSAPP_API_URL: baseUrl, WHATSAPP_TOKEN: 'token-uji' }));
  }

  test('one dropped connection is tried again', async () => {
    dropNext = 1;
    fileRequests = 0;
    const result = await registry().fetchMedia('whatsapp', { kind: 'image', providerMediaId: 'media-uji' });
    assert.equal(result.ok, true, JSON.stringify(result));
    assert.deepEqual(result.ok === true ? Buffer.from(result.content) : null, PHOTO);
    assert.equal(fileRequests, 2);
  });

  test('a second dropped connection is reported', async () => {
    dropNext = 2;
    fileRequests = 0;
    const result = await registry().fetchMedia('whatsapp', { kind: 'image', providerMediaId: 'media-uji' });
    assert.deepEqual(result, { ok: false, reason: 'download failed before a response (network error)' });
    assert.equal(fileRequests, 2, 'no third try');
  });
});
