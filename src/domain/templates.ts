/**
 * Canned answers (template tanggapan): placeholders, filling them for one
 * case, the stale rule, identity redaction for text that leaves the case
 * (FAQ drafts, notifications), and who may use or edit a template or FAQ
 * article. Pure functions, no I/O.
 *
 * A placeholder is a name in double braces. Indonesian and English names
 * are aliases of one value, so a template's two languages can use either:
 *
 * | Indonesian          | English             | value                                   |
 * |---------------------|---------------------|-----------------------------------------|
 * | `{{kode_lacak}}`    | `{{tracking_code}}` | the tracking code                       |
 * | `{{nama_pelapor}}`  | `{{reporter_name}}` | the reporter's name, or a salutation    |
 * | `{{instansi}}`      | `{{agency}}`        | the responsible agency (OPD)            |
 * | `{{tenggat}}`       | `{{deadline}}`      | the nearest running deadline, WIB date  |
 *
 * @example
 * fillTemplate('Laporan {{kode_lacak}} ditangani {{instansi}}.', { trackingCode: 'ADU-1', agency: 'DPUPR', reporterName: null, deadline: null }, 'id')
 * // → { text: 'Laporan ADU-1 ditangani DPUPR.', missing: [] }
 */
import type { Privacy, StaffUser } from './types.ts';
import { calendarDaysBetween, parseDate } from './time.ts';
import { maskPersonalData, PERSONAL_DATA_MASKS } from './triage/personal-data.ts';
import { NAME_MASK } from './person-names.ts';

export type TemplateLocale = 'id' | 'en';

/** The values a template can insert, by their Indonesian name. */
export const TEMPLATE_PLACEHOLDERS = ['kode_lacak', 'nama_pelapor', 'instansi', 'tenggat'] as const;
export type TemplatePlaceholder = (typeof TEMPLATE_PLACEHOLDERS)[number];

const PLACEHOLDER_ALIASES: Readonly<Record<string, TemplatePlaceholder>> = {
  kode_lacak: 'kode_lacak',
  tracking_code: 'kode_lacak',
  nama_pelapor: 'nama_pelapor',
  reporter_name: 'nama_pelapor',
  instansi: 'instansi',
  agency: 'instansi',
  tenggat: 'tenggat',
  deadline: 'tenggat',
};

const PLACEHOLDER_RE = /\{\{\s*([A-Za-z_]+)\s*\}\}/g;

/** Default number of days after its last review that a template counts as stale. */
export const DEFAULT_TEMPLATE_STALE_DAYS = 180;

/** What a template needs to know about the case it answers. */
export interface TemplateValues {
  trackingCode: string;
  /** The reporter's name, only when `mayUseReporterName` allows it; otherwise null. */
  reporterName: string | null;
  /** Name of the responsible agency, or null before disposisi. */
  agency: string | null;
  /** WIB date `YYYY-MM-DD` of the nearest running deadline, or null. */
  deadline: string | null;
}

/** Text put in place of a value the case does not have, so the officer sees what to edit. */
const MISSING_TEXT: Record<TemplateLocale, Record<Exclude<TemplatePlaceholder, 'nama_pelapor'>, string>> = {
  id: { kode_lacak: '[kode lacak]', instansi: '[instansi]', tenggat: '[tanggal]' },
  en: { kode_lacak: '[tracking code]', instansi: '[agency]', tenggat: '[date]' },
};

/** Salutation used in place of the reporter's name. */
export const SALUTATION: Record<TemplateLocale, string> = { id: 'Bapak/Ibu', en: 'Sir or Madam' };

const MONTHS: Record<TemplateLocale, readonly string[]> = {
  id: ['Januari', 'Februari', 'Maret', 'April', 'Mei', 'Juni', 'Juli', 'Agustus', 'September', 'Oktober', 'November', 'Desember'],
  en: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
};

/**
 * Lists the placeholders a text uses: the known ones by their Indonesian
 * name, and the unknown names as written, each once.
 *
 * @example findPlaceholders('{{kode_lacak}} {{deadline}} {{nomor}}') // { known: ['kode_lacak', 'tenggat'], unknown: ['nomor'] }
 */
export function findPlaceholders(text: string): { known: TemplatePlaceholder[]; unknown: string[] } {
  const known = new Set<TemplatePlaceholder>();
  const unknown = new Set<string>();
  for (const match of text.matchAll(PLACEHOLDER_RE)) {
    const name = match[1].toLowerCase();
    // Own keys only: `constructor` or `__proto__` must not count as placeholders.
    const placeholder = Object.hasOwn(PLACEHOLDER_ALIASES, name) ? PLACEHOLDER_ALIASES[name] : undefined;
    if (placeholder) known.add(placeholder);
    else unknown.add(match[1]);
  }
  return { known: [...known], unknown: [...unknown] };
}

/**
 * Formats a WIB calendar date the way a letter writes it.
 *
 * @example formatLongDate('2026-03-25', 'id') // '25 Maret 2026'
 */
export function formatLongDate(date: string, locale: TemplateLocale): string {
  const { year, month, day } = parseDate(date);
  return locale === 'id' ? `${day} ${MONTHS.id[month - 1]} ${year}` : `${day} ${MONTHS.en[month - 1]} ${year}`;
}

/**
 * Replaces every placeholder with the case's value. A value the case lacks
 * becomes a bracketed hint and is listed in `missing`. An unknown
 * placeholder stays as written, so nothing the officer typed disappears.
 *
 * @example fillTemplate('Yth. {{nama_pelapor}}', { trackingCode: 'ADU-1', reporterName: null, agency: null, deadline: null }, 'id').text // 'Yth. Bapak/Ibu'
 */
export function fillTemplate(text: string, values: TemplateValues, locale: TemplateLocale): { text: string; missing: TemplatePlaceholder[] } {
  const missing = new Set<TemplatePlaceholder>();
  const filled = text.replace(PLACEHOLDER_RE, (whole, rawName: string) => {
    const placeholder = Object.hasOwn(PLACEHOLDER_ALIASES, rawName.toLowerCase()) ? PLACEHOLDER_ALIASES[rawName.toLowerCase()] : undefined;
    switch (placeholder) {
      case undefined:
        return whole;
      case 'nama_pelapor':
        return values.reporterName?.trim() || SALUTATION[locale];
      case 'kode_lacak':
        if (values.trackingCode) return values.trackingCode;
        break;
      case 'instansi':
        if (values.agency) return values.agency;
        break;
      case 'tenggat':
        if (values.deadline) return formatLongDate(values.deadline, locale);
        break;
    }
    missing.add(placeholder);
    return MISSING_TEXT[locale][placeholder];
  });
  return { text: filled, missing: [...missing] };
}

/**
 * Returns whether an answer may address the reporter by name. The handling
 * agency reads every answer in the case timeline, and only a reporter who
 * chose `public` agreed that the agency may know who they are, so the name is
 * used on those reports only and by a role that sees the identity in full.
 * Public pages hide the known name again.
 *
 * @example mayUseReporterName('full', 'anonymous') // false
 */
export function mayUseReporterName(access: 'full' | 'on_request' | 'none', privacy: Privacy): boolean {
  return access === 'full' && privacy === 'public';
}

/**
 * Returns whether a template last reviewed on `lastReviewedOn` is stale on
 * `today` (both WIB dates): `staleDays` or more days have passed.
 *
 * @example isTemplateStale('2025-09-01', '2026-03-01', 180) // true (181 days)
 */
export function isTemplateStale(lastReviewedOn: string, today: string, staleDays: number): boolean {
  return calendarDaysBetween(lastReviewedOn, today) >= staleDays;
}

/** The reporter's known identity, removed from text that leaves the case. */
export interface KnownIdentity {
  name: string | null;
  /** Contact values as stored: phone numbers in E.164, e-mail addresses, account ids. */
  contacts: string[];
}

/** Names shorter than this are not searched for, because they match ordinary words. */
const MIN_REDACTED_NAME_LENGTH = 3;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Removes the reporter's known name and contact values from a text, then
 * masks NIK, phone numbers, e-mail addresses and plates that the text
 * carries (`maskPersonalData`). Other people's names are not detected.
 *
 * @example redactIdentity('Saya Sri Wahyuni, hp 081234567890', { name: 'Sri Wahyuni', contacts: [] }) // 'Saya [nama disamarkan], hp [nomor telepon disamarkan]'
 */
/**
 * Returns the mask of one of the reporter's contacts: the same words as
 * maskPersonalData uses for an e-mail address or a phone number, so that a
 * contact reads alike on every page, and a general one for account ids.
 */
function contactMask(value: string): string {
  if (value.includes('@')) return PERSONAL_DATA_MASKS.email;
  if (/^\+?[\d\s-]{8,}$/.test(value.trim())) return PERSONAL_DATA_MASKS.phone;
  return CONTACT_MASK;
}

/** Mask of a reporter's contact that is neither an e-mail address nor a phone number (an account id). */
export const CONTACT_MASK = '[kontak disamarkan]';

/** Characters citizens put between the digits of a phone number. */
const DIGIT_GAP = '[\\s.,()/_\\u2010-\\u2015-]*';

/**
 * Returns a pattern for a known phone number as citizens type it: with 0,
 * 62, +62 or no prefix at all, and with any spacing or punctuation between
 * the digits ("+62271495000" is also "(0271) 495000" and "271 495 000").
 * Returns null for a value without a national number of at least 6 digits.
 */
function knownPhonePattern(value: string): RegExp | null {
  const digits = value.replace(/\D/g, '');
  const national = digits.startsWith('62') ? digits.slice(2) : digits.startsWith('0') ? digits.slice(1) : digits;
  if (national.length < 6) return null;
  // The prefix starts at a sign, a bracket or a digit, never at a space, so the space before the number stays.
  const prefix = '(?:\\(\\s*\\+\\s*6\\s*2\\s*\\)|\\(\\s*6\\s*2\\s*\\)|(?:\\+\\s*)?6\\s*2|\\(\\s*0|0)';
  return new RegExp(`(?<!\\d)(?:${prefix}${DIGIT_GAP})?${national.split('').join(DIGIT_GAP)}(?!\\d)`, 'g');
}

export function redactIdentity(text: string, identity: KnownIdentity): string {
  // Typed addresses, numbers and plates go first: a name part replaced inside
  // an e-mail address ("rina.santoso@…") would leave the rest of it unmasked.
  let result = maskPersonalData(text);
  // Citizens often write only part of their name ("Saya Sri"), so each part
  // of the known name is hidden too, not just the full name.
  const nameParts = (identity.name ?? '').split(/\s+/).filter((part) => part.length >= MIN_REDACTED_NAME_LENGTH);
  const replacements = [
    { value: identity.name ?? '', mask: NAME_MASK },
    ...nameParts.map((value) => ({ value, mask: NAME_MASK })),
    ...identity.contacts.map((value) => ({ value, mask: contactMask(value) })),
  ]
    .map((entry) => ({ ...entry, value: entry.value.trim() }))
    .filter((entry) => entry.value.length >= MIN_REDACTED_NAME_LENGTH)
    // Longest first, so that a full name is replaced before a part of it.
    .sort((a, b) => b.value.length - a.value.length);
  for (const { value, mask } of replacements) {
    const pattern = new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(value)}(?![\\p{L}\\p{N}])`, 'giu');
    result = result.replace(pattern, mask);
  }
  // A known phone number in any of the ways it is typed.
  for (const value of identity.contacts) {
    if (contactMask(value) !== PERSONAL_DATA_MASKS.phone) continue;
    const pattern = knownPhonePattern(value);
    if (pattern) result = result.replace(pattern, PERSONAL_DATA_MASKS.phone);
  }
  // A phone stored as +62… is often typed as 08…; maskPersonalData catches that form.
  return maskPersonalData(result);
}

/**
 * Returns whether a user may create or edit a template or FAQ article of
 * `agencyId` (null: for every agency). Complaint officers and administrators
 * keep all of them; an agency officer keeps only their own agency's.
 *
 * @example mayManageAnswers({ id: 1, role: 'agency_officer', agencyId: 4, name: 'x' }, null) // false
 */
export function mayManageAnswers(user: StaffUser, agencyId: number | null): boolean {
  if (user.role === 'admin' || user.role === 'complaint_officer') return true;
  if (user.role === 'agency_officer') return agencyId !== null && agencyId === user.agencyId;
  return false;
}

/**
 * Returns whether a user may insert a template of `agencyId` into an
 * answer: the agency's own templates and the general ones (no agency).
 * Leaders write no answers.
 */
export function mayUseTemplate(user: StaffUser, agencyId: number | null): boolean {
  if (user.role === 'admin' || user.role === 'complaint_officer') return true;
  if (user.role === 'agency_officer') return agencyId === null || agencyId === user.agencyId;
  return false;
}
