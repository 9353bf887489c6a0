/**
 * Translations. Indonesian (`id`) is the default; English (`en`) is the second
 * locale. A request's locale comes from `?lang=`, then the `lang` cookie, then
 * Accept-Language, then the default.
 */
import { id } from './id.ts';
import { en } from './en.ts';
import { FEATURE_CATALOGS } from './features.ts';

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
