/**
 * Checks uploaded photos and documents by their bytes (never by the name or
 * the declared type) and removes image metadata. JPEG loses its APPn segments
 * other than JFIF (EXIF, GPS, XMP, IPTC, maker notes) and its comments; PNG
 * loses its text, time and EXIF chunks; WebP loses its EXIF and XMP chunks.
 *
 * Example: stripImageMetadata(jpegBytes) // same pixels, no EXIF
 */

export const MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024;
export const MAX_ATTACHMENTS = 5;

export type AttachmentType = 'image/jpeg' | 'image/png' | 'image/webp' | 'application/pdf';
export const ACCEPTED_TYPES: readonly AttachmentType[] = ['image/jpeg', 'image/png', 'image/webp', 'application/pdf'];

export class AttachmentError extends Error {
  constructor(
    readonly reason: 'too_large' | 'unsupported_type' | 'corrupt' | 'too_many' | 'empty',
    message: string,
  ) {
    super(message);
    this.name = 'AttachmentError';
  }
}

/** Detects the file type from its first bytes; returns null for anything not accepted. */
export function sniffType(bytes: Uint8Array): AttachmentType | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.length >= 8 && bytes[0] === 0x89 && ascii(bytes, 1, 3) === 'PNG' && bytes[4] === 0x0d && bytes[5] === 0x0a) return 'image/png';
  if (bytes.length >= 12 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') return 'image/webp';
  if (bytes.length >= 5 && ascii(bytes, 0, 5) === '%PDF-') return 'application/pdf';
  return null;
}

/** Validates one upload and returns its type and cleaned bytes. */
export function prepareAttachment(bytes: Uint8Array): { mimeType: AttachmentType; content: Buffer } {
  if (bytes.length > MAX_ATTACHMENT_BYTES) {
    throw new AttachmentError('too_large', `File is ${bytes.length} bytes; the maximum is ${MAX_ATTACHMENT_BYTES} bytes (5 MB).`);
  }
  if (bytes.length === 0) throw new AttachmentError('empty', 'File is empty.');
  const mimeType = sniffType(bytes);
  if (!mimeType) {
    throw new AttachmentError('unsupported_type', 'File is not a JPEG, PNG or WebP photo or a PDF document.');
  }
  const content = mimeType === 'application/pdf' ? Buffer.from(bytes) : stripImageMetadata(bytes, mimeType);
  return { mimeType, content };
}

export function stripImageMetadata(bytes: Uint8Array, mimeType = sniffType(bytes)): Buffer {
  switch (mimeType) {
    case 'image/jpeg':
      return stripJpeg(bytes);
    case 'image/png':
      return stripPng(bytes);
    case 'image/webp':
      return stripWebp(bytes);
    default:
      throw new AttachmentError('unsupported_type', 'Only JPEG, PNG and WebP images carry metadata that can be removed.');
  }
}

function ascii(bytes: Uint8Array, start: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(start, start + length));
}

const JPEG_SOS = 0xda;
const JPEG_EOI = 0xd9;
const JPEG_COM = 0xfe;
const JPEG_APP0 = 0xe0;

/**
 * Returns the offset of the marker that ends the entropy-coded data starting
 * at `start`: the first 0xFF that is not a stuffed 0x00, a restart marker
 * or a fill byte. Returns the file's length when no marker follows.
 */
function endOfScan(bytes: Uint8Array, start: number): number {
  let index = start;
  while (index + 1 < bytes.length) {
    if (bytes[index] !== 0xff) { index += 1; continue; }
    const next = bytes[index + 1];
    if (next === 0x00 || (next >= 0xd0 && next <= 0xd7)) { index += 2; continue; }
    if (next === 0xff) { index += 1; continue; }
    return index;
  }
  return bytes.length;
}

/**
 * Keeps the image segments of the first picture up to its end-of-image
 * marker. Metadata segments are dropped, and so is everything after the
 * first picture: phones append a second JPEG (multi-picture files, depth
 * maps) or a video (motion photos), which carry their own EXIF and GPS.
 */
function stripJpeg(bytes: Uint8Array): Buffer {
  const out: Uint8Array[] = [bytes.subarray(0, 2)];
  let offset = 2;
  while (offset < bytes.length) {
    if (bytes[offset] !== 0xff) throw new AttachmentError('corrupt', 'JPEG file is damaged: a segment marker is missing.');
    const marker = bytes[offset + 1];
    // Markers without a length: fill bytes, RSTn, TEM, and the end of the image.
    if (marker === 0xff) { offset += 1; continue; }
    if (marker === JPEG_EOI) { out.push(bytes.subarray(offset, offset + 2)); break; }
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) { out.push(bytes.subarray(offset, offset + 2)); offset += 2; continue; }
    if (offset + 4 > bytes.length) throw new AttachmentError('corrupt', 'JPEG file is damaged: it ends inside a segment header.');
    const length = (bytes[offset + 2] << 8) | bytes[offset + 3];
    const end = offset + 2 + length;
    if (length < 2 || end > bytes.length) throw new AttachmentError('corrupt', 'JPEG file is damaged: a segment runs past the end.');
    if (marker === JPEG_SOS) {
      // The scan header, then its entropy-coded data up to the next marker.
      // A progressive JPEG has several scans, with tables between them.
      const dataEnd = endOfScan(bytes, end);
      out.push(bytes.subarray(offset, dataEnd));
      offset = dataEnd;
      continue;
    }
    // APP0 stays only as the JFIF header; another APP0 (a JFXX thumbnail, a maker's own) can carry anything.
    const isForeignApp0 = marker === JPEG_APP0 && ascii(bytes, offset + 4, 5) !== 'JFIF\0';
    const isMetadata = (marker > JPEG_APP0 && marker <= 0xef) || marker === JPEG_COM || isForeignApp0;
    if (!isMetadata) out.push(bytes.subarray(offset, end));
    offset = end;
  }
  return Buffer.concat(out);
}

// Ancillary PNG chunks that can carry personal data or location.
const PNG_METADATA_CHUNKS = new Set(['tEXt', 'zTXt', 'iTXt', 'eXIf', 'tIME']);

function stripPng(bytes: Uint8Array): Buffer {
  const out: Uint8Array[] = [bytes.subarray(0, 8)];
  let offset = 8;
  while (offset + 12 <= bytes.length) {
    const length = ((bytes[offset] << 24) >>> 0) + (bytes[offset + 1] << 16) + (bytes[offset + 2] << 8) + bytes[offset + 3];
    const type = ascii(bytes, offset + 4, 4);
    const end = offset + 12 + length;
    if (end > bytes.length) throw new AttachmentError('corrupt', 'PNG file is damaged: a chunk runs past the end.');
    if (!PNG_METADATA_CHUNKS.has(type)) out.push(bytes.subarray(offset, end));
    offset = end;
    if (type === 'IEND') break;
  }
  return Buffer.concat(out);
}

function stripWebp(bytes: Uint8Array): Buffer {
  const chunks: Uint8Array[] = [];
  // Bytes after the RIFF container (another file appended to it) are dropped.
  const riffEnd = Math.min(bytes.length, 8 + ((bytes[4] | (bytes[5] << 8) | (bytes[6] << 16) | (bytes[7] << 24)) >>> 0));
  let offset = 12;
  while (offset + 8 <= riffEnd) {
    const type = ascii(bytes, offset, 4);
    const size = bytes[offset + 4] | (bytes[offset + 5] << 8) | (bytes[offset + 6] << 16) | (bytes[offset + 7] << 24);
    const end = offset + 8 + size + (size % 2);
    if (end > riffEnd + 1) throw new AttachmentError('corrupt', 'WebP file is damaged: a chunk runs past the end.');
    if (type !== 'EXIF' && type !== 'XMP ') chunks.push(bytes.subarray(offset, Math.min(end, riffEnd)));
    offset = end;
  }
  const body = Buffer.concat(chunks);
  // VP8X flags announce EXIF (bit 3) and XMP (bit 2); clear them with the chunks gone.
  if (ascii(body, 0, 4) === 'VP8X') body[8] &= ~0b0000_1100;
  const header = Buffer.alloc(12);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(body.length + 4, 4);
  header.write('WEBP', 8, 'ascii');
  return Buffer.concat([header, body]);
}
