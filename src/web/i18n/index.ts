/**
 * Translations. Indonesian (`id`) is the default; English (`en`) is the second
 * locale. A request's locale comes from `?lang=`, then the `lang` cookie, then
 * Accept-Language, then the default.
 */
import { id } from './id.ts';
import { en } from './en.ts';
import { FEATURE_CATALOGS } from './features.ts';
import { NAME_MASK } from '../../domain/person-names.ts';
import { CONTACT_MASK } from '../../domain/templates.ts';
import { PERSONAL_DATA_MASKS } from '../../domain/triage/personal-data.ts';

export type Locale = 'id' | 'en';
export const LOCALES: readonly Locale[] = ['id', 'en'];
export const DEFAULT_LOCALE: Locale = 'id';

export type Messages = typeof id;
const CATALOGS: Record<Locale, Record<string, string>> = {
  id: Object.assign({}, id, ...FEATURE_CATALOGS.map((catalog) => catalog.id)),
  en: Object.assign({}, en, ...FEATURE_CATALOGS.map((catalog) => catalog.en)),
};

export type Translate = (key: string, params?: Record<string, string | number>) => string;

/** Returns a translator; a missing key falls back to Indonesian, then to the key itself. */
export function translator(locale: Locale): Translate {
  const catalog = CATALOGS[locale];
  return (key, params = {}) => {
    const template = catalog[key] ?? CATALOGS.id[key] ?? key;
    return template.replace(/\{(\w+)\}/g, (match, name: string) => (name in params ? String(params[name]) : match));
  };
}

export function pickLocale(query: string | undefined, cookie: string | undefined, acceptLanguage: string | undefined): Locale {
  for (const candidate of [query, cookie]) {
    if (candidate === 'id' || candidate === 'en') return candidate;
  }
  const first = acceptLanguage?.split(',')[0]?.trim().slice(0, 2).toLowerCase();
  return first === 'en' ? 'en' : DEFAULT_LOCALE;
}

// Stored text carries its masks in Indonesian (`redactIdentity`,
// `maskPersonNames`). Each mask has a catalog key for the other locales.
const MASK_KEYS = new Map<string, string>([
  [NAME_MASK, 'mask.name'],
  [CONTACT_MASK, 'mask.contact'],
  [PERSONAL_DATA_MASKS.nik, 'mask.nik'],
  [PERSONAL_DATA_MASKS.phone, 'mask.phone'],
  [PERSONAL_DATA_MASKS.email, 'mask.email'],
  [PERSONAL_DATA_MASKS.plate, 'mask.plate'],
]);
const MASK_PATTERN = new RegExp([...MASK_KEYS.keys()].map((mask) => mask.replace(/[[\]]/g, '\\$&')).join('|'), 'g');

/**
 * Writes the masks in a masked text in the page's language.
 *
 * @example localizeMasks('hp [nomor telepon disamarkan]', translator('en')) // 'hp [phone number hidden]'
 */
export function localizeMasks(text: string, t: Translate): string {
  return text.replace(MASK_PATTERN, (mask) => t(MASK_KEYS.get(mask)!));
}
