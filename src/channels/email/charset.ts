/**
 * Charset repairs around mailparser, so that a message with a wrong, unknown
 * or missing charset is still readable instead of full of U+FFFD.
 *
 * mailparser (3.14) decodes a text part whose charset it does not know, or
 * which lacks one, as UTF-8 and replaces invalid bytes. It also leaves UTF-7
 * undecoded on purpose, because UTF-7 can smuggle markup (`+ADw-script+AD4-`)
 * past an HTML filter. We therefore:
 * - rewrite the charset of text parts whose bytes do not decode in the
 *   declared charset to windows-1252 (a superset of ISO-8859-1 that maps
 *   every byte), before parsing;
 * - decode UTF-7 only in plain text and subjects, which the UI always escapes;
 * - decode a raw 8-bit Subject header ourselves.
 */

/** The charset used when the declared one is unknown or does not fit the bytes. */
export const FALLBACK_CHARSET = 'windows-1252';

const textContentTypeRe = /(^|\n)content-type:[ \t]*text\/[a-z0-9.+-]+[^\n]*(?:\n[ \t][^\n]*)*/gi;
const boundaryRe = /boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/gi;
const charsetParamRe = /(charset\s*=\s*)(?:"([^"]*)"|([^;\s]*))/i;
const transferEncodingRe = /(?:^|\n)content-transfer-encoding:[ \t]*([a-z0-9-]+)/i;

/**
 * Returns the raw message with the charset parameter of undecodable text
 * parts replaced by windows-1252, and whether anything changed. Bodies are
 * never touched, only the Content-Type header of the part.
 */
export function repairTextPartCharsets(raw: Buffer): { raw: Buffer; repaired: boolean } {
  // latin1 maps each byte to one code unit, so string offsets are byte offsets.
  const source = raw.toString('latin1');
  const boundaries = collectBoundaries(source);
  const edits: Array<{ start: number; end: number; replacement: string }> = [];

  for (const match of source.matchAll(textContentTypeRe)) {
    const headerStart = (match.index ?? 0) + match[1].length;
    const headerText = match[0].slice(match[1].length);
    const blockEnd = findHeaderBlockEnd(source, headerStart);
    if (blockEnd < 0) continue;
    // Content-Transfer-Encoding may come before Content-Type in the same header block.
    const partStart = Math.max(source.lastIndexOf('\n\n', headerStart), source.lastIndexOf('\n\r\n', headerStart), 0);
    const headerBlock = source.slice(partStart, blockEnd);
    const bodyStart = skipBlankLine(source, blockEnd);
    const bodyEnd = findBodyEnd(source, bodyStart, boundaries);
    const encoding = transferEncodingRe.exec(headerBlock)?.[1]?.toLowerCase() ?? '7bit';
    const body = decodeTransferEncoding(source.slice(bodyStart, bodyEnd), encoding);

    const declared = charsetParamRe.exec(headerText);
    const charset = declared ? (declared[2] ?? declared[3] ?? '').trim() : '';
    const replacement = chooseCharset(charset, body);
    if (replacement === undefined) continue;

    const newHeader = declared
      ? headerText.replace(charsetParamRe, `$1"${replacement}"`)
      : `${headerText.replace(/\s+$/, '')}; charset="${replacement}"`;
    edits.push({ start: headerStart, end: headerStart + headerText.length, replacement: newHeader });
  }

  if (edits.length === 0) return { raw, repaired: false };
  let repaired = source;
  for (const edit of edits.reverse()) {
    repaired = repaired.slice(0, edit.start) + edit.replacement + repaired.slice(edit.end);
  }
  return { raw: Buffer.from(repaired, 'latin1'), repaired: true };
}

/**
 * Picks the charset a text part should be decoded with, or undefined to keep
 * the declared one. UTF-7 is kept (see `decodeUtf7`).
 */
function chooseCharset(declared: string, body: Buffer): string | undefined {
  const normalized = declared.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (normalized === 'utf7' || normalized === 'unicode11utf7') return undefined;
  const asciiOnly = body.every((byte) => byte < 0x80);
  if (asciiOnly) return undefined;

  if (declared === '' || normalized === 'usascii' || normalized === 'ascii') {
    // 8-bit bytes without a charset: modern clients mean UTF-8, older ones a Latin code page.
    return isValidUtf8(body) ? 'utf-8' : FALLBACK_CHARSET;
  }
  if (!isKnownCharset(declared)) return isValidUtf8(body) ? 'utf-8' : FALLBACK_CHARSET;
  if (normalized === 'utf8' && !isValidUtf8(body)) return FALLBACK_CHARSET;
  return undefined;
}

function isKnownCharset(charset: string): boolean {
  try {
    new TextDecoder(charset);
    return true;
  } catch {
    return false;
  }
}

export function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function collectBoundaries(source: string): string[] {
  const boundaries: string[] = [];
  for (const match of source.matchAll(boundaryRe)) boundaries.push(match[1] ?? match[2]);
  return boundaries;
}

/** Index of the line break that ends the header block starting at `from`, or -1. */
function findHeaderBlockEnd(source: string, from: number): number {
  const match = /\r?\n\r?\n/.exec(source.slice(from));
  return match ? from + match.index : -1;
}

function skipBlankLine(source: string, at: number): number {
  const match = /^\r?\n\r?\n/.exec(source.slice(at));
  return at + (match ? match[0].length : 0);
}

function findBodyEnd(source: string, from: number, boundaries: string[]): number {
  let end = source.length;
  for (const boundary of boundaries) {
    const index = source.indexOf(`\n--${boundary}`, from);
    if (index >= 0 && index < end) end = index;
  }
  return end;
}

function decodeTransferEncoding(body: string, encoding: string): Buffer {
  if (encoding === 'base64') return Buffer.from(body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(body);
  return Buffer.from(body, 'latin1');
}

function decodeQuotedPrintable(body: string): Buffer {
  const unfolded = body.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < unfolded.length; i++) {
    const char = unfolded[i];
    const hex = unfolded.slice(i + 1, i + 3);
    if (char === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(unfolded.charCodeAt(i) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

/** Charsets whose name means UTF-7 (RFC 2152). */
export function isUtf7Charset(charset: string): boolean {
  const normalized = charset.toLowerCase().replace(/[^a-z0-9]/g, '');
  return normalized === 'utf7' || normalized === 'unicode11utf7';
}

/**
 * Decodes UTF-7 (RFC 2152). A `+` starts modified base64 of UTF-16BE code
 * units, ended by any non-base64 character. A `-` right after is dropped,
 * and `+-` is a literal `+`. Use only on plain text that is escaped on display.
 *
 * @example
 *   decodeUtf7('Fr+APY-sche')  // 'Frösche'
 */
export function decodeUtf7(text: string): string {
  return text.replace(/\+([A-Za-z0-9+/]*)(-?)/g, (match, base64: string, dash: string) => {
    if (base64 === '') return dash ? '+' : match;
    const bytes = Buffer.from(base64, 'base64');
    let decoded = '';
    for (let i = 0; i + 1 < bytes.length; i += 2) decoded += String.fromCharCode((bytes[i] << 8) | bytes[i + 1]);
    return decoded;
  });
}

/**
 * Decodes a raw header value given as bytes. RFC 2047 encoded words are
 * decoded in any charset TextDecoder supports, and in UTF-7. Raw 8-bit bytes,
 * inside or outside them, are read as UTF-8 when valid and windows-1252 otherwise.
 *
 * @example
 *   decodeHeaderBytes(Buffer.from('=?iso-8859-1?Q?Fr\xf6sche?=', 'latin1'))  // 'Frösche'
 */
export function decodeHeaderBytes(value: Buffer): string {
  const source = value.toString('latin1').replace(/\r?\n[ \t]+/g, ' ').trim();
  const encodedWordRe = /=\?([^?\s]+)\?([QqBb])\?([^?]*)\?=/g;
  let output = '';
  let last = 0;
  let previousWasEncoded = false;
  for (const match of source.matchAll(encodedWordRe)) {
    const index = match.index ?? 0;
    const between = source.slice(last, index);
    // Whitespace between two encoded words is not part of the text (RFC 2047, section 6.2).
    if (!(previousWasEncoded && /^\s*$/.test(between))) output += decodeBytes(Buffer.from(between, 'latin1'), '');
    const [, charsetWithLanguage, encoding, payload] = match;
    const charset = charsetWithLanguage.split('*')[0];
    const bytes =
      encoding.toUpperCase() === 'B'
        ? Buffer.from(payload, 'base64')
        : decodeQuotedPrintable(payload.replace(/_/g, ' '));
    output += decodeBytes(bytes, charset);
    last = index + match[0].length;
    previousWasEncoded = true;
  }
  output += decodeBytes(Buffer.from(source.slice(last), 'latin1'), '');
  return output;
}

function decodeBytes(bytes: Buffer, charset: string): string {
  if (charset && isUtf7Charset(charset)) return decodeUtf7(bytes.toString('latin1'));
  if (charset && isKnownCharset(charset)) {
    const normalized = charset.toLowerCase().replace(/[^a-z0-9]/g, '');
    if (normalized !== 'utf8' || isValidUtf8(bytes)) return new TextDecoder(charset).decode(bytes);
  }
  return isValidUtf8(bytes) ? bytes.toString('utf8') : new TextDecoder(FALLBACK_CHARSET).decode(bytes);
}

/** Returns the raw bytes of the first header named `name` in the message header block, unfolded lines included. */
export function rawHeaderBytes(raw: Buffer, name: string): Buffer | undefined {
  const source = raw.toString('latin1');
  const headerEnd = /\r?\n\r?\n/.exec(source);
  const headerBlock = headerEnd ? source.slice(0, headerEnd.index) : source;
  const headerRe = new RegExp(`(?:^|\\n)${name}:[ \\t]*([^\\n]*(?:\\n[ \\t][^\\n]*)*)`, 'i');
  const match = headerRe.exec(headerBlock);
  return match ? Buffer.from(match[1].replace(/\r$/, ''), 'latin1') : undefined;
}
