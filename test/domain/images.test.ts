import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AttachmentError, MAX_ATTACHMENT_BYTES, prepareAttachment, sniffType, stripImageMetadata } from '../../src/domain/images.ts';

function segment(marker: number, payload: Buffer): Buffer {
  const header = Buffer.from([0xff, marker, 0, 0]);
  header.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([header, payload]);
}

/** A structurally valid JPEG with JFIF, an EXIF segment holding a GPS marker text, a comment, a table and scan data. */
export function jpegWithExif(): Buffer {
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    segment(0xe0, Buffer.from('JFIF\0\x01\x01\0\0\x01\0\x01\0\0', 'binary')),
    segment(0xe1, Buffer.concat([Buffer.from('Exif\0\0'), Buffer.from('GPSLatitude -7.59 GPSLongitude 110.95')])),
    segment(0xfe, Buffer.from('camera owner Warga Uji')),
    segment(0xdb, Buffer.alloc(65, 1)),
    segment(0xda, Buffer.from([1, 1, 0, 0, 0x3f, 0])),
    Buffer.from([0x12, 0x34, 0xff, 0x00, 0x56, 0xff, 0xd9]),
  ]);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  return Buffer.concat([length, Buffer.from(type, 'ascii'), data, Buffer.alloc(4)]);
}

function pngWithText(): Buffer {
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', Buffer.alloc(13)),
    pngChunk('tEXt', Buffer.from('Author\0Warga Uji')),
    pngChunk('eXIf', Buffer.from('GPS')),
    pngChunk('IDAT', Buffer.alloc(10, 7)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

test('sniffType recognises files by their bytes', () => {
  assert.equal(sniffType(jpegWithExif()), 'image/jpeg');
  assert.equal(sniffType(pngWithText()), 'image/png');
  assert.equal(sniffType(Buffer.from('%PDF-1.7\n')), 'application/pdf');
  assert.equal(sniffType(Buffer.from('<html>not an image</html>')), null);
});

test('JPEG loses EXIF and comments but keeps image segments', () => {
  const input = jpegWithExif();
  const output = stripImageMetadata(input);
  assert.equal(output.includes(Buffer.from('GPSLatitude')), false);
  assert.equal(output.includes(Buffer.from('Warga Uji')), false);
  assert.equal(output.includes(Buffer.from('JFIF')), true);
  assert.deepEqual(output.subarray(-7), input.subarray(-7));
  assert.equal(sniffType(output), 'image/jpeg');
});

test('JPEG keeps the JFIF header but no other APP0 segment', () => {
  const input = jpegWithExif();
  // A second APP0 that is not JFIF, carrying a made-up position, after the JFIF header.
  const foreign = segment(0xe0, Buffer.from('MAKR\0GPS -7.6 110.9'));
  const withForeign = Buffer.concat([input.subarray(0, 20), foreign, input.subarray(20)]);
  const output = stripImageMetadata(withForeign);
  assert.equal(output.includes(Buffer.from('GPS -7.6')), false);
  assert.equal(output.includes(Buffer.from('JFIF\0')), true);
  assert.equal(sniffType(output), 'image/jpeg');
});

test('an empty file is called empty', () => {
  assert.throws(() => prepareAttachment(Buffer.alloc(0)), (error: unknown) => error instanceof AttachmentError && error.reason === 'empty');
});

test('PNG loses text and EXIF chunks', () => {
  const output = stripImageMetadata(pngWithText());
  assert.equal(output.includes(Buffer.from('Warga Uji')), false);
  assert.equal(output.includes(Buffer.from('eXIf')), false);
  assert.equal(output.includes(Buffer.from('IDAT')), true);
  assert.equal(output.includes(Buffer.from('IEND')), true);
});

test('prepareAttachment rejects unsupported and oversized files', () => {
  assert.throws(() => prepareAttachment(Buffer.from('MZ executable')), (error: unknown) => error instanceof AttachmentError && error.reason === 'unsupported_type');
  const big = Buffer.alloc(MAX_ATTACHMENT_BYTES + 1);
  big.set([0xff, 0xd8, 0xff]);
  assert.throws(() => prepareAttachment(big), (error: unknown) => error instanceof AttachmentError && error.reason === 'too_large');
});

test('truncated JPEG is reported as corrupt', () => {
  const truncated = jpegWithExif().subarray(0, 30);
  assert.throws(() => stripImageMetadata(truncated), (error: unknown) => error instanceof AttachmentError && error.reason === 'corrupt');
});

test('JPEG keeps only its first picture', () => {
  // A multi-picture file or motion photo: a second JPEG (with its own GPS) after the first one's end.
  const second = jpegWithExif();
  const input = Buffer.concat([jpegWithExif(), second, Buffer.from('ftypmp42 video of Warga Uji')]);
  const output = stripImageMetadata(input);
  assert.equal(output.includes(Buffer.from('GPSLatitude')), false, 'the appended picture\'s GPS is gone');
  assert.equal(output.includes(Buffer.from('Warga Uji')), false, 'the appended video is gone');
  assert.deepEqual(output, stripImageMetadata(jpegWithExif()), 'the first picture is kept as it was');
  assert.deepEqual(output.subarray(-2), Buffer.from([0xff, 0xd9]));
});

test('progressive JPEG keeps every scan', () => {
  // Two scans with a table between them, and stuffed bytes and a restart marker inside the data.
  const input = Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    segment(0xdb, Buffer.alloc(65, 1)),
    segment(0xda, Buffer.from([1, 1, 0, 0, 0x3f, 0])),
    Buffer.from([0x10, 0xff, 0x00, 0x11, 0xff, 0xd0, 0x12]),
    segment(0xc4, Buffer.alloc(20, 2)),
    segment(0xe1, Buffer.from('Exif\0\0GPSLatitude -7.59')),
    segment(0xda, Buffer.from([1, 1, 0, 0, 0x3f, 0])),
    Buffer.from([0x20, 0x21, 0xff, 0x00, 0x22]),
    Buffer.from([0xff, 0xd9]),
  ]);
  const output = stripImageMetadata(input);
  assert.equal(output.includes(Buffer.from('GPSLatitude')), false, 'EXIF between scans is dropped');
  assert.ok(output.includes(Buffer.from([0x10, 0xff, 0x00, 0x11, 0xff, 0xd0, 0x12])), 'the first scan\'s data is whole');
  assert.ok(output.includes(Buffer.from([0x20, 0x21, 0xff, 0x00, 0x22])), 'the second scan\'s data is whole');
  assert.equal(output.length, input.length - (4 + 'Exif\0\0GPSLatitude -7.59'.length));
});

test('WebP drops bytes after its container', () => {
  const vp8 = Buffer.concat([Buffer.from('VP8 ', 'ascii'), Buffer.from([4, 0, 0, 0]), Buffer.alloc(4, 9)]);
  const riff = Buffer.concat([Buffer.from('RIFF', 'ascii'), Buffer.alloc(4), Buffer.from('WEBP', 'ascii'), vp8]);
  riff.writeUInt32LE(riff.length - 8, 4);
  const output = stripImageMetadata(Buffer.concat([riff, jpegWithExif()]));
  assert.equal(output.includes(Buffer.from('GPSLatitude')), false);
  assert.deepEqual(output, riff);
});
