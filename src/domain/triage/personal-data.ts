/**
 * Detectors for personal data that citizens type into complaint text: NIK
 * (the 16-digit national identity number), Indonesian mobile numbers, e-mail
 * addresses and vehicle registration plates.
 *
 * Detection favours precision on the look-alikes that complaints are full of:
 * money ("Rp 150.000"), dates ("08-12-2023"), RT/RW numbers and account
 * numbers are not reported. The placeholders that the scrubbed source
 * datasets use (081200000000, 3313000000000000, warga@contoh.id) are detected.
 *
 * NOTE: landline numbers ("(0271) 123456"), names and street addresses are
 * not detected, so masked text can still identify a reporter.
 *
 * @example
 * maskPersonalData('hubungi 0812-3456-7890 ya')
 * // → 'hubungi [nomor telepon disamarkan] ya'
 */

/** Kind of personal data found in text. */
export type PersonalDataKind = 'nik' | 'phone' | 'email' | 'plate';

/** One occurrence of personal data: `text.slice(start, end)` is the match. */
export interface PersonalDataMatch {
  kind: PersonalDataKind;
  /** UTF-16 offset of the first character. */
  start: number;
  /** UTF-16 offset just past the last character. */
  end: number;
}

/** Replacement text shown to the public, Indonesian first as the UI is. */
export const PERSONAL_DATA_MASKS: Record<PersonalDataKind, string> = {
  nik: '[NIK disamarkan]',
  phone: '[nomor telepon disamarkan]',
  email: '[email disamarkan]',
  plate: '[nomor polisi disamarkan]',
};

/**
 * Province codes that start a NIK (Kemendagri codes, including the Papua
 * provinces created in 2022). A 16-digit number with another prefix is not a NIK.
 */
const NIK_PROVINCE_CODES = new Set([
  '11', '12', '13', '14', '15', '16', '17', '18', '19', '21',
  '31', '32', '33', '34', '35', '36',
  '51', '52', '53',
  '61', '62', '63', '64', '65',
  '71', '72', '73', '74', '75', '76',
  '81', '82',
  '91', '92', '93', '94', '95', '96',
]);

/** NIK placeholder used by the scrubbed datasets; its date part is all zeros. */
const NIK_PLACEHOLDER = '3313000000000000';

/** 16 digits, contiguous or in four groups of four, not inside a longer number. */
const NIK_CANDIDATE_RE = /(?<![\d.,-])(\d{16}|\d{4}[ .-]\d{4}[ .-]\d{4}[ .-]\d{4})(?![\d]|[.,-]\d)/g;

/**
 * Mobile numbers: 0, 62 or +62, then 8 and the operator prefix, then groups
 * of digits split by at most one space, dash or dot each. The digit count is
 * checked afterwards (10–13 digits with a leading 0).
 */
const PHONE_CANDIDATE_RE =
  /(?<![\w+])(?:\+62[ .-]?|62[ .-]?|\(?0)8\d{1,3}\)?(?:[ .-]?\d){6,10}(?![\d]|[.,-]\d)/g;

/**
 * Landlines: 0 or +62, an area code of 2 or 3 digits that is not a mobile
 * prefix (021 Jakarta, 0271 Surakarta and Karanganyar), then the subscriber
 * number in up to two groups. The digit count is checked afterwards (9–11
 * with a leading 0). A date ("02.12.2023") or a time ("07.30") has a
 * separator right after its first two digits and is not matched.
 */
const LANDLINE_CANDIDATE_RE =
  /(?<![\w+])(?:\+62[ .-]?|\(?0)[2-79]\d{1,2}\)?(?: ?[/_\u2013\u2014-] ?|[ .])?\d{3,4}(?: ?[/_\u2013\u2014-] ?|[ .])?\d{2,4}(?![\d]|[.,-]\d)/g;

const EMAIL_RE = /(?<![\w.+-])[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/gu;

/** Region codes of Indonesian registration plates (Korlantas), plus RI and CD. */
const PLATE_REGION_CODES = new Set([
  'A', 'B', 'D', 'E', 'F', 'G', 'H', 'K', 'L', 'M', 'N', 'P', 'R', 'S', 'T', 'W', 'Z',
  'AA', 'AB', 'AD', 'AE', 'AG',
  'BA', 'BB', 'BD', 'BE', 'BG', 'BH', 'BK', 'BL', 'BM', 'BN', 'BP',
  'DA', 'DB', 'DC', 'DD', 'DE', 'DG', 'DH', 'DK', 'DL', 'DM', 'DN', 'DR', 'DT',
  'EA', 'EB', 'ED',
  'KB', 'KH', 'KT', 'KU',
  'PA', 'PB', 'PG', 'PS', 'PT', 'PY',
  'RI', 'CD',
]);

/** Region code, 1–4 digits, 1–3 suffix letters, as whole words. */
const PLATE_CANDIDATE_RE = /(?<![\p{L}\p{N}])(\p{L}{1,2})[ .-]?(\d{1,4})[ .-]?(\p{L}{1,3})(?![\p{L}\p{N}])/gu;

/**
 * Suffixes that make a lower-case candidate read as prose ("b 2023 ini",
 * "s 1 di"), so it is not reported. Upper-case plates are never filtered.
 */
const PLATE_PROSE_SUFFIXES = new Set([
  'ini', 'itu', 'dan', 'di', 'ke', 'yg', 'rt', 'rw', 'rp', 'km', 'kg', 'jam', 'thn', 'th', 'no',
  'kali', 'x', 'm', 'cm', 'mm', 'ton', 'ha', 'dr', 'sd', 'smp', 'sma', 'ya', 'pak', 'bu', 'tgl',
]);

/**
 * Finds personal data in `text`, sorted by start offset. Overlapping
 * candidates keep the earlier and, at equal start, the longer one.
 *
 * @example
 * findPersonalData('NIK 3313000000000000') // → [{ kind: 'nik', start: 4, end: 20 }]
 */
export function findPersonalData(text: string): PersonalDataMatch[] {
  const candidates = [
    ...findEmails(text),
    ...findNiks(text),
    ...findPhones(text),
    ...findLandlines(text),
    ...findPlates(text),
  ];
  candidates.sort((a, b) => a.start - b.start || b.end - b.start - (a.end - a.start));

  const result: PersonalDataMatch[] = [];
  let coveredUntil = 0;
  for (const candidate of candidates) {
    if (candidate.start < coveredUntil) continue;
    result.push(candidate);
    coveredUntil = candidate.end;
  }
  return result;
}

/**
 * Replaces every detected personal data item with its mask from
 * `PERSONAL_DATA_MASKS`.
 *
 * @example
 * maskPersonalData('email saya warga@contoh.id') // → 'email saya [email disamarkan]'
 */
export function maskPersonalData(text: string): string {
  // Full-width digits and invisible characters would let a number slip past
  // the patterns, so the public text is folded to plain characters first.
  const plain = text.normalize('NFKC').replace(INVISIBLE_CHARS_RE, '');
  let result = '';
  let cursor = 0;
  for (const match of findPersonalData(plain)) {
    result += plain.slice(cursor, match.start) + PERSONAL_DATA_MASKS[match.kind];
    cursor = match.end;
  }
  result += plain.slice(cursor);
  // Looser patterns for the public view only: any 16-digit number (a KK
  // number or a mistyped NIK is personal too), a phone typed digit by digit,
  // and an address written as "nama [at] domain [dot] com".
  let masked = result
    .replace(CONTACT_CARD_RE, CONTACT_CARD_MASKED)
    .replace(INTERNATIONAL_PHONE_RE, PERSONAL_DATA_MASKS.phone)
    .replace(ANY_16_DIGITS_RE, PERSONAL_DATA_MASKS.nik)
    .replace(SLASHED_16_DIGITS_RE, PERSONAL_DATA_MASKS.nik)
    .replace(SPACED_PHONE_RE, PERSONAL_DATA_MASKS.phone)
    .replace(OBFUSCATED_EMAIL_RE, PERSONAL_DATA_MASKS.email)
    .replace(SPACED_EMAIL_RE, PERSONAL_DATA_MASKS.email);
  for (const pattern of SEPARATED_PHONE_RES) masked = masked.replace(pattern, PERSONAL_DATA_MASKS.phone);
  return masked;
}

/** Zero-width characters, the word joiner, the byte-order mark and bidirectional controls. */
const INVISIBLE_CHARS_RE = /[\u200B-\u200F\u202A-\u202E\u2060-\u2064\uFEFF]/g;
const ANY_16_DIGITS_RE = /(?<!\d)\d(?:[ .-]?\d){15}(?!\d)/g;
const SPACED_PHONE_RE = /(?<![\d+])(?:\+ ?6 ?2|0) ?8(?: ?\d){7,11}(?!\d)/g;
/** Label of a contact card shared on a channel in the report text (`describeAttachment` in receive-inbound.ts). */
export const CONTACT_CARD_LABEL = 'Kartu kontak / contact card';
/**
 * A contact card as the report text records it. The card names a third
 * person and their numbers, so public text keeps only the label.
 */
const CONTACT_CARD_RE = new RegExp(`\\[${CONTACT_CARD_LABEL.replace('/', '\\/')}: [^\\]\\n]*\\]`, 'g');
const CONTACT_CARD_MASKED = `[${CONTACT_CARD_LABEL}]`;
/** A number in international form with another country code ("+1 555 123 4567"). */
const INTERNATIONAL_PHONE_RE = /(?<![\w+(])\(?(?:\+|00)[1-9](?:[ .-]?\(?\d\)?){7,14}(?!\d)/g;
/** 16 digits split by slashes or underscores ("3313/0000/0000/0000"). */
const SLASHED_16_DIGITS_RE = /(?<!\d)\d(?:[/_]?\d){15}(?!\d)/g;
/**
 * Matches a mobile number with one kind of separator between any of its digits
 * ("0812/0000/0000", "0812_0000_0000", "0-8-1-2-…"), one pattern per
 * separator. A date and a time ("08/12/2023 10:30") mix two and are kept.
 */
const SEPARATED_PHONE_RES = ['/', '_', '-', '.'].map((separator) => {
  const gap = `\\${separator}?`;
  return new RegExp(`(?<![\\d+])(?:\\+?62|0)${gap}8(?:${gap}\\d){7,11}(?!\\d)`, 'g');
});
/**
 * An e-mail address with spaces around its "@" or a dot, or with "at",
 * "(at)", "[at]" or "{at}" for "@" and "dot" for a dot ("warga @ contoh.id",
 * "warga at contoh dot id", "warga{at}contoh.id", "warga@contoh .id"). The
 * address must end in a common top-level domain, so a mention at the end of
 * a sentence ("ke @dinaspu. Mohon") is kept.
 */
const SPACED_EMAIL_RE =
  /(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}._%+-]+(?:\s*@|\s*[[({]\s*(?:at|et)\s*[\])}]|\s+at)\s*[\p{L}\p{N}-]+(?:(?:\s*\.\s*|\s+dot\s+)[\p{L}\p{N}-]+)*?(?:\s*\.\s*|\s+dot\s+)(?:id|com|net|org|info|biz)(?![\p{L}\p{N}])/giu;
const OBFUSCATED_EMAIL_RE = /[\p{L}\p{N}._%+-]+\s*[[(]\s*(?:at|et)\s*[\])]\s*[\p{L}\p{N}-]+(?:\s*[[(]\s*(?:dot|titik)\s*[\])]\s*[\p{L}\p{N}-]+)+/giu;

/**
 * Checks the structure of a NIK: province code, regency and district codes
 * not 00, birth date DDMMYY with 40 added to the day for women, and a serial
 * that is not 0000. The scrubbed-data placeholder is accepted as well.
 */
export function isPlausibleNik(digits: string): boolean {
  if (!/^\d{16}$/.test(digits)) return false;
  if (digits === NIK_PLACEHOLDER) return true;
  if (!NIK_PROVINCE_CODES.has(digits.slice(0, 2))) return false;
  if (digits.slice(2, 4) === '00' || digits.slice(4, 6) === '00') return false;

  let day = Number(digits.slice(6, 8));
  if (day > 40) day -= 40;
  const month = Number(digits.slice(8, 10));
  if (day < 1 || day > 31 || month < 1 || month > 12) return false;
  return digits.slice(12, 16) !== '0000';
}

function findNiks(text: string): PersonalDataMatch[] {
  const matches: PersonalDataMatch[] = [];
  for (const match of text.matchAll(NIK_CANDIDATE_RE)) {
    const digits = match[0].replace(/\D/g, '');
    if (!isPlausibleNik(digits)) continue;
    matches.push({ kind: 'nik', start: match.index, end: match.index + match[0].length });
  }
  return matches;
}

/**
 * Finds phone numbers with one of the candidate patterns, keeping those
 * whose digit count, written with a leading 0, lies within `digits`.
 */
function findNumbers(text: string, pattern: RegExp, digits: { min: number; max: number }): PersonalDataMatch[] {
  const matches: PersonalDataMatch[] = [];
  for (const match of text.matchAll(pattern)) {
    let national = match[0].replace(/\D/g, '');
    if (national.startsWith('62')) national = '0' + national.slice(2);
    if (national.length < digits.min || national.length > digits.max) continue;

    // An opening bracket before "08" belongs to the match only with its pair.
    let start = match.index;
    if (match[0].startsWith('(') && !match[0].includes(')')) start += 1;
    matches.push({ kind: 'phone', start, end: match.index + match[0].length });
  }
  return matches;
}

const findPhones = (text: string) => findNumbers(text, PHONE_CANDIDATE_RE, { min: 10, max: 13 });
const findLandlines = (text: string) => findNumbers(text, LANDLINE_CANDIDATE_RE, { min: 9, max: 11 });

function findEmails(text: string): PersonalDataMatch[] {
  const matches: PersonalDataMatch[] = [];
  for (const match of text.matchAll(EMAIL_RE)) {
    matches.push({ kind: 'email', start: match.index, end: match.index + match[0].length });
  }
  return matches;
}

function findPlates(text: string): PersonalDataMatch[] {
  const matches: PersonalDataMatch[] = [];
  for (const match of text.matchAll(PLATE_CANDIDATE_RE)) {
    const [whole, region, number, suffix] = match;
    if (!PLATE_REGION_CODES.has(region.toUpperCase())) continue;
    // "S1", "D3" are academic degrees; real S and D plates have longer numbers in practice.
    if (number.length === 1 && (region.toUpperCase() === 'S' || region.toUpperCase() === 'D')) continue;

    const isUpperCase = region === region.toUpperCase() && suffix === suffix.toUpperCase();
    if (!isUpperCase) {
      // Lower-case text needs more evidence: a 3–4 digit number and a suffix that is not a word.
      if (region !== region.toLowerCase() || suffix !== suffix.toLowerCase()) continue;
      if (number.length < 3 || PLATE_PROSE_SUFFIXES.has(suffix)) continue;
    }
    matches.push({ kind: 'plate', start: match.index, end: match.index + whole.length });
  }
  return matches;
}
