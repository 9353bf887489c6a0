/**
 * CSV export of the filtered inbox. It reads through `listComplaints`, so it
 * applies exactly the inbox's filters and policy scope: an agency officer
 * gets only their agency's cases. It streams, fetching pages of
 * `EXPORT_PAGE_SIZE` rows as the client reads. A large export therefore never
 * keeps the whole list in memory or blocks other requests.
 *
 * The file is UTF-8 with a byte-order mark (so spreadsheet programs read the
 * Indonesian text correctly), comma separated, with Indonesian headers and
 * WIB times. It carries no identity; the excerpt of the description is
 * masked for phone numbers, NIK, e-mail addresses and plate numbers. Cells
 * that a spreadsheet would run as a formula get a leading apostrophe.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { StaffUser } from '../domain/types.ts';
import { WIB_OFFSET_MS } from '../domain/time.ts';
import { maskPersonalData } from '../domain/triage/personal-data.ts';
import { maskPersonNames } from '../domain/person-names.ts';
import { listComplaints, PAGE_SIZE_MAX, type InboxFilters, type InboxRow } from '../queries/complaints.ts';

/** Rows fetched per query: the inbox's maximum page size. */
export const EXPORT_PAGE_SIZE = PAGE_SIZE_MAX;

// Spreadsheet programs run cells that start with these characters as formulas.
const FORMULA_START_RE = /^[=+\-@\t\r]/;
const NEEDS_QUOTES_RE = /[",\r\n]/;

/** Translator for status, type and channel names, supplied by the caller in the user's language. */
export type Label = (key: string) => string;

export const CSV_HEADER_KEYS = [
  'csv.tracking_code', 'csv.received', 'csv.status', 'csv.type', 'csv.channel', 'csv.category', 'csv.agency', 'csv.district',
  'csv.oversight', 'csv.next_due', 'csv.overdue', 'csv.excerpt',
] as const;

/**
 * Quotes one CSV cell when needed and defuses formulas.
 *
 * @example csvCell('=1+1') // "'=1+1"
 */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && FORMULA_START_RE.test(text)) text = `'${text}`;
  return NEEDS_QUOTES_RE.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Formats an instant as `YYYY-MM-DD HH:mm` in WIB. */
export function wibDateTime(instant: Date | null): string {
  if (!instant) return '';
  return new Date(instant.getTime() + WIB_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');
}

function csvLine(cells: (string | number | null | undefined)[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

function rowCells(row: InboxRow, label: Label): (string | number | null)[] {
  return [
    row.trackingCode,
    wibDateTime(row.receivedAt),
    label(`status.${row.status}`),
    row.type ? label(`type.${row.type}`) : '',
    label(`channel.${row.channel}`),
    row.categoryName,
    row.agencyName,
    row.districtName,
    row.oversight ? label('csv.yes') : label('csv.no'),
    wibDateTime(row.nextDueAt),
    row.overdue ? label('csv.yes') : label('csv.no'),
    maskPersonNames(maskPersonalData(row.excerpt.replace(/\s+/g, ' ').trim())),
  ];
}

/**
 * Returns a stream of the CSV file for the inbox filters, within the scope of `user`.
 *
 * @example return new Response(inboxCsvStream(db, user, { status: ['new'] }, t), { headers: { 'Content-Type': 'text/csv' } });
 */
export function inboxCsvStream(db: Kysely<DB>, user: StaffUser, filters: InboxFilters, label: Label, now = new Date()): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const seen = new Set<number>();
  let page = 0;
  let done = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(`\uFEFF${csvLine(CSV_HEADER_KEYS.map((key) => label(key)))}`));
    },
    async pull(controller) {
      if (done) return;
      page += 1;
      const result = await listComplaints(db, user, { ...filters, page, pageSize: EXPORT_PAGE_SIZE }, now);
      // A report received during the export shifts later pages by one; the id check drops the repeat.
      const lines = result.rows.filter((row) => !seen.has(row.id)).map((row) => {
        seen.add(row.id);
        return csvLine(rowCells(row, label));
      });
      if (lines.length > 0) controller.enqueue(encoder.encode(lines.join('')));
      if (result.rows.length < EXPORT_PAGE_SIZE || page * EXPORT_PAGE_SIZE >= result.total) {
        done = true;
        controller.close();
      }
    },
  });
}
