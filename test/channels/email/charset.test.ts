import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeHeaderBytes, decodeUtf7, repairTextPartCharsets } from '../../../src/channels/email/charset.ts';

describe('e-mail charset helpers', () => {
  it('decodes UTF-7', () => {
    assert.equal(decodeUtf7('Fr+APY-sche'), 'Frösche');
    assert.equal(decodeUtf7('1 +- 1 = 2'), '1 + 1 = 2');
    assert.equal(decodeUtf7('+ADw-b+AD4-'), '<b>');
    assert.equal(decodeUtf7('plain text'), 'plain text');
  });

  it('decodes raw and encoded header bytes', () => {
    assert.equal(decodeHeaderBytes(Buffer.from('Die Fr\xf6sche', 'latin1')), 'Die Frösche');
    assert.equal(decodeHeaderBytes(Buffer.from('=?iso-8859-1?Q?Fr\xf6sche_und?= =?utf-8?B?4pyU?=', 'latin1')), 'Frösche und✔');
    assert.equal(decodeHeaderBytes(Buffer.from('=?utf-7?Q?Fr+APY-sche?=', 'latin1')), 'Frösche');
    assert.equal(decodeHeaderBytes(Buffer.from('Jalan rusak ✔', 'utf8')), 'Jalan rusak ✔');
  });

  it('rewrites only undecodable text part charsets', () => {
    const multipart = Buffer.from(
      [
        'Content-Type: multipart/alternative; boundary="b1"',
        '',
        '--b1',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: 8bit',
        '',
        'Gr\xfc\xdfe',
        '--b1',
        'Content-Type: text/html; charset=utf-8',
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.from('<p>Grüße</p>', 'utf8').toString('base64'),
        '--b1--',
        '',
      ].join('\r\n'),
      'latin1',
    );
    const { raw, repaired } = repairTextPartCharsets(multipart);
    assert.equal(repaired, true);
    const text = raw.toString('latin1');
    assert.match(text, /Content-Type: text\/plain; charset="windows-1252"/);
    assert.match(text, /Content-Type: text\/html; charset=utf-8/);
    const ascii = Buffer.from('Content-Type: text/plain\r\n\r\nhalo\r\n');
    assert.equal(repairTextPartCharsets(ascii).repaired, false);
  });
});
