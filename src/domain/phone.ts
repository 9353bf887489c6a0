/**
 * Phone numbers as citizens write them, normalised to E.164.
 *
 * Indonesian numbers come as `0812-3456-7890`, `62812…`, `+62 812…`,
 * `0062 812…`, `+62 (0) 812…` or `(0271) 123456`; all become
 * `+6281234567890`. Numbers of other countries are accepted only with an
 * explicit international prefix (`+` or `00`), because a number without one
 * is read as Indonesian.
 *
 * Length rules (digits after the country code 62, without the trunk 0):
 * mobile numbers start with 8[1-9] and have 9 to 12 digits; fixed-line numbers
 * start with 2–7 or 9 (area code plus subscriber) and have 7 to 11 digits;
 * `80x` service numbers (0800 toll-free) have 9 to 11 digits.
 * NOTE: these ranges come from the numbering in use (0811…0899 mobile prefixes,
 * 2–4 digit area codes); they are not taken from the regulator's plan.
 */

/** Indonesia's country calling code. */
export const INDONESIA_CALLING_CODE = '62';

/** E.164 allows at most 15 digits including the country code. */
const MAX_E164_DIGITS = 15;
/** Shortest international number we accept (country code included). */
const MIN_INTERNATIONAL_DIGITS = 8;

const MOBILE_NSN_LENGTH = { min: 9, max: 12 } as const;
const FIXED_NSN_LENGTH = { min: 7, max: 11 } as const;
const SERVICE_NSN_LENGTH = { min: 9, max: 11 } as const;

/** Characters people put between digit groups. */
const separatorRe = /[\s.\-()/\u00a0\u2010-\u2015]/g;
const digitsOnlyRe = /^\d+$/;
const mobileNsnRe = /^8[1-9]/;
const serviceNsnRe = /^80/;
const fixedNsnRe = /^[2-79]/;

export type PhoneKind = 'mobile' | 'fixed' | 'service' | 'international';

export type PhoneParseResult =
  | {
      ok: true;
      /** `+` and digits, e.g. `+6281234567890`. */
      e164: string;
      /** Indonesian national form with trunk 0 (`081234567890`); absent for foreign numbers. */
      national?: string;
      kind: PhoneKind;
    }
  | {
      ok: false;
      reason: 'empty' | 'invalid_characters' | 'too_short' | 'too_long' | 'unknown_prefix';
      /** English explanation that says what to change. */
      message: string;
    };

/**
 * Parses a phone number typed by a person or sent by a provider.
 *
 * @example
 *   parsePhone('0812-3456-7890')  // { ok: true, e164: '+6281234567890', national: '081234567890', kind: 'mobile' }
 *   parsePhone('0812')            // { ok: false, reason: 'too_short', message: '…' }
 */
export function parsePhone(input: string): PhoneParseResult {
  // NFKC folds full-width digits and signs ("０８１２", "＋６２") typed on some phone keyboards.
  const trimmed = input.normalize('NFKC').trim();
  if (trimmed === '') {
    return fail('empty', 'Phone number is empty.');
  }

  let compact = trimmed.replace(separatorRe, '');
  const hasPlus = compact.startsWith('+');
  if (hasPlus) compact = compact.slice(1);
  if (!digitsOnlyRe.test(compact)) {
    return fail(
      'invalid_characters',
      'Phone number contains characters other than digits, spaces, dashes, dots, brackets and a leading +.',
    );
  }

  if (hasPlus) return parseInternational(compact);
  if (compact.startsWith('00')) return parseInternational(compact.slice(2));
  if (compact.startsWith(INDONESIA_CALLING_CODE)) return parseIndonesianNsn(compact.slice(2));
  if (compact.startsWith('0')) return parseIndonesianNsn(compact.slice(1));
  // A bare mobile number, as typed into a form field that shows "+62" before it.
  if (mobileNsnRe.test(compact)) return parseIndonesianNsn(compact);

  return fail(
    'unknown_prefix',
    'Phone number must start with 0, 62, +62 or another + country code (for example 0812… or +62812…).',
  );
}

/**
 * Normalises a phone number to E.164, or returns null when it is not a valid
 * number. Use `parsePhone` to get the reason.
 *
 * @example
 *   normalizePhone('+62 (0) 812.3456.7890')  // '+6281234567890'
 *   normalizePhone('0062 271 123456')        // '+62271123456'
 *   normalizePhone('12345')                  // null
 */
export function normalizePhone(input: string): string | null {
  const parsed = parsePhone(input);
  return parsed.ok ? parsed.e164 : null;
}

/**
 * Normalises an international number given as digits only, as WhatsApp sends
 * a wa_id (`6281234567890`). Returns null unless it is a plausible E.164 number.
 *
 * @example
 *   normalizeInternationalDigits('6281234567890')  // '+6281234567890'
 *   normalizeInternationalDigits('972987654321')   // '+972987654321'
 */
export function normalizeInternationalDigits(digits: string): string | null {
  if (!digitsOnlyRe.test(digits)) return null;
  const parsed = parseInternational(digits);
  return parsed.ok ? parsed.e164 : null;
}

/**
 * Lists the forms one number may be stored or typed in, for matching a
 * contact: E.164, digits without `+` (a WhatsApp wa_id), and for Indonesian
 * numbers the national form with 0.
 *
 * @example
 *   phoneVariants('+6281234567890')  // ['+6281234567890', '6281234567890', '081234567890']
 */
export function phoneVariants(e164: string): string[] {
  const parsed = parsePhone(e164);
  if (!parsed.ok || parsed.e164 !== e164) {
    throw new Error(`phoneVariants expects an E.164 number such as +6281234567890; normalise it with normalizePhone first.`);
  }
  const variants = [parsed.e164, parsed.e164.slice(1)];
  if (parsed.national) variants.push(parsed.national);
  return variants;
}

/** A phone number found in free text. */
export interface PhoneMatch {
  e164: string;
  /** The text as written, e.g. `0812-3456-7890`. */
  raw: string;
  /** Offset of `raw` in the searched text, in UTF-16 code units. */
  index: number;
}

/**
 * Digit groups joined by single separators, optionally with a leading `+` and
 * brackets around an area code. Not preceded by a word character, `+`, or a
 * digit-separator pair, so a number is not found inside a longer number.
 */
const phoneCandidateRe = /(?<![\w+]|\d[.\-/ ])(?:\+\s?)?(?:\(\d{1,4}\)\s?)?\d(?:[ .\-/]?(?:\(\d{1,4}\)|\d)){5,17}(?![\w]|[.\-/ ]\d)/g;

/**
 * Finds phone numbers in free text, such as a number typed into an e-mail
 * signature or a complaint. Only numbers written with an explicit prefix
 * (`0`, `62`, `+62`, `0062`, or `+`/`00` and a country code) are found,
 * so dates, NIK (16 digits) and tracking codes are not matched.
 *
 * @example
 *   findPhoneNumbers('Hubungi saya di 0812 3456 7890 ya')
 *   // [{ e164: '+6281234567890', raw: '0812 3456 7890', index: 16 }]
 */
export function findPhoneNumbers(text: string): PhoneMatch[] {
  const found: PhoneMatch[] = [];
  const seen = new Set<string>();
  for (const match of text.matchAll(phoneCandidateRe)) {
    const raw = match[0];
    const parsed = parsePhone(raw);
    if (!parsed.ok) continue;
    const compact = raw.replace(separatorRe, '');
    // A bare "8…" is fine in a phone field but too ambiguous in free text.
    if (mobileNsnRe.test(compact)) continue;
    // "62…" without "+" in running text must at least look like a mobile number.
    if (compact.startsWith(INDONESIA_CALLING_CODE) && parsed.kind !== 'mobile') continue;
    const key = `${parsed.e164}@${match.index}`;
    if (seen.has(key)) continue;
    seen.add(key);
    found.push({ e164: parsed.e164, raw, index: match.index ?? 0 });
  }
  return found;
}

function parseIndonesianNsn(rest: string): PhoneParseResult {
  // "+62 (0) 812…" and "62 0812…" carry a redundant trunk 0.
  const nsn = rest.startsWith('0') ? rest.slice(1) : rest;
  if (nsn === '') {
    return fail('too_short', 'Phone number has no digits after the country code 62.');
  }

  let kind: PhoneKind;
  let limits: { min: number; max: number };
  if (mobileNsnRe.test(nsn)) {
    kind = 'mobile';
    limits = MOBILE_NSN_LENGTH;
  } else if (serviceNsnRe.test(nsn)) {
    kind = 'service';
    limits = SERVICE_NSN_LENGTH;
  } else if (fixedNsnRe.test(nsn)) {
    kind = 'fixed';
    limits = FIXED_NSN_LENGTH;
  } else {
    return fail(
      'unknown_prefix',
      'Indonesian phone number must continue with 8 (mobile) or an area code (2–7, 9) after 0 or 62; numbers such as 112 or 1500… are service codes, not subscriber numbers.',
    );
  }

  const withTrunk = { min: limits.min + 1, max: limits.max + 1 };
  if (nsn.length < limits.min) {
    return fail(
      'too_short',
      `Phone number is too short: an Indonesian ${kind} number has ${withTrunk.min} to ${withTrunk.max} digits including the leading 0.`,
    );
  }
  if (nsn.length > limits.max) {
    return fail(
      'too_long',
      `Phone number is too long: an Indonesian ${kind} number has ${withTrunk.min} to ${withTrunk.max} digits including the leading 0.`,
    );
  }
  return { ok: true, e164: `+${INDONESIA_CALLING_CODE}${nsn}`, national: `0${nsn}`, kind };
}

function parseInternational(digits: string): PhoneParseResult {
  if (digits.startsWith(INDONESIA_CALLING_CODE)) return parseIndonesianNsn(digits.slice(2));
  if (digits === '' || digits.startsWith('0')) {
    return fail('unknown_prefix', 'International phone number must start with a country code after + or 00 (for example +62).');
  }
  if (digits.length < MIN_INTERNATIONAL_DIGITS) {
    return fail('too_short', `Phone number is too short: an international number has at least ${MIN_INTERNATIONAL_DIGITS} digits including the country code.`);
  }
  if (digits.length > MAX_E164_DIGITS) {
    return fail('too_long', `Phone number is too long: E.164 allows at most ${MAX_E164_DIGITS} digits including the country code.`);
  }
  return { ok: true, e164: `+${digits}`, kind: 'international' };
}

function fail(reason: Extract<PhoneParseResult, { ok: false }>['reason'], message: string): PhoneParseResult {
  return { ok: false, reason, message };
}
