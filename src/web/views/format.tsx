/**
 * Dates and sizes as pages show them. Every time is shown in WIB
 * (Asia/Jakarta, UTC+7) with the zone named, whatever the server's own zone.
 */
import { WIB_OFFSET_MS } from '../../domain/time.ts';
import type { Locale } from '../i18n/index.ts';

const INTL_LOCALE: Record<Locale, string> = { id: 'id-ID', en: 'en-GB' };
const WIB_ZONE = 'Asia/Jakarta';

const dateTimeFormats = new Map<Locale, Intl.DateTimeFormat>();
const dateFormats = new Map<Locale, Intl.DateTimeFormat>();

function dateTimeFormat(locale: Locale): Intl.DateTimeFormat {
  let format = dateTimeFormats.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(INTL_LOCALE[locale], {
      timeZone: WIB_ZONE, day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false,
    });
    dateTimeFormats.set(locale, format);
  }
  return format;
}

function dateFormat(locale: Locale): Intl.DateTimeFormat {
  let format = dateFormats.get(locale);
  if (!format) {
    // Calendar dates are already WIB dates, so they are read at UTC midnight and formatted in UTC.
    format = new Intl.DateTimeFormat(INTL_LOCALE[locale], { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' });
    dateFormats.set(locale, format);
  }
  return format;
}

/**
 * Formats an instant as a WIB date and time with the zone named.
 *
 * @example formatDateTime(new Date('2026-03-13T09:00:00Z'), 'id') // '13 Mar 2026, 16.00 WIB'
 */
export function formatDateTime(instant: Date | string, locale: Locale): string {
  const date = typeof instant === 'string' ? new Date(instant) : instant;
  if (Number.isNaN(date.getTime())) return '–';
  return `${dateTimeFormat(locale).format(date)} WIB`;
}

/**
 * Formats a `YYYY-MM-DD` WIB calendar date with its weekday.
 *
 * @example formatDate('2026-03-25', 'id') // 'Rab, 25 Mar 2026'
 */
export function formatDate(date: string | null, locale: Locale): string {
  if (!date) return '–';
  const parsed = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(parsed.getTime())) return date;
  return dateFormat(locale).format(parsed);
}

/** Formats a byte count as KB or MB with one decimal. */
export function formatFileSize(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/**
 * Returns the value of a `datetime-local` input for an instant, in WIB.
 *
 * @example toWibDateTimeLocal(new Date('2026-03-13T09:00:00Z')) // '2026-03-13T16:00'
 */
export function toWibDateTimeLocal(instant: Date): string {
  return new Date(instant.getTime() + WIB_OFFSET_MS).toISOString().slice(0, 16);
}
