/**
 * Tracking codes (kode lacak) given to citizens. They are random, so a code
 * cannot be guessed from another one, and they avoid letters that are read
 * or typed wrongly (0/O, 1/I/L, U).
 *
 * Example: generateTrackingCode() // → 'ADU-7KQ3-M9XP-2W'
 */
import { randomInt } from 'node:crypto';

// Crockford's base 32 alphabet: no I, L, O or U.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const RANDOM_CHARS = 10; // 50 bits: guessing one live code among a million takes ~2^30 tries

export const TRACKING_CODE_RE = /^ADU-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{2}$/;

export function generateTrackingCode(): string {
  let chars = '';
  for (let i = 0; i < RANDOM_CHARS; i++) chars += ALPHABET[randomInt(ALPHABET.length)];
  return `ADU-${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8)}`;
}

/**
 * Normalises what a citizen typed or copied: full-width and other
 * compatibility forms folded (NFKC), upper case, and everything but letters
 * and digits removed (spaces, dashes of any kind, the full stop that ends
 * the acknowledgement's sentence). The look-alike letters O, I and L read
 * as the digits 0 and 1. Returns null when the result is not a tracking code.
 *
 * Example: normalizeTrackingCode('adu–h8y1–4gzk–17.') // → 'ADU-H8Y1-4GZK-17'
 */
export function normalizeTrackingCode(input: string): string | null {
  // Longer input cannot hold a code; the bound keeps the work small.
  if (input.length > 200) return null;
  const compact = input.normalize('NFKC').toUpperCase().replace(/[^A-Z0-9]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  const body = compact.startsWith('ADU') ? compact.slice(3) : compact;
  if (body.length !== RANDOM_CHARS) return null;
  const code = `ADU-${body.slice(0, 4)}-${body.slice(4, 8)}-${body.slice(8)}`;
  return TRACKING_CODE_RE.test(code) ? code : null;
}
