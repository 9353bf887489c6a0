/** Numbers on the triage pages: scores as percentages and thresholds as decimals, in the page's locale. */
import type { Locale } from '../../../i18n/index.ts';

const INTL_LOCALE: Record<Locale, string> = { id: 'id-ID', en: 'en-GB' };

/**
 * Formats a share from 0 to 1 as a whole percentage.
 *
 * @example formatPercent(0.456, 'id') // '46%'
 */
export function formatPercent(share: number, locale: Locale): string {
  return new Intl.NumberFormat(INTL_LOCALE[locale], { style: 'percent', maximumFractionDigits: 0 }).format(share);
}

/**
 * Formats a number with at most `digits` decimals.
 *
 * @example formatDecimal(0.4, 'id') // '0,40'
 */
export function formatDecimal(value: number, locale: Locale, digits = 2): string {
  return new Intl.NumberFormat(INTL_LOCALE[locale], { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
}
