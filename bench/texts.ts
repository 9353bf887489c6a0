/**
 * Complaint descriptions for the benchmarks, read at run time from the real
 * (scrubbed) complaint files beside the repository. Those files carry no
 * licence, so they are never copied into the repository or printed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { DESCRIPTION_MAX, DESCRIPTION_MIN } from '../src/commands/receive-complaint.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const COMPLAINTS_DIR = path.resolve(ROOT, '..', 'shared', 'data', 'complaints');

/** The files, and the column of each that contains the citizen's text. */
const SOURCES = [
  { file: 'surabaya-mediacenter.csv', column: 'keluhan' },
  { file: 'purbalingga-kategori.csv', column: 'text' },
] as const;

/**
 * Loads every description that the intake would accept (DESCRIPTION_MIN to
 * DESCRIPTION_MAX characters after trimming), in file order.
 *
 * Example: const texts = loadComplaintTexts(); texts.length // about 12,000
 */
export function loadComplaintTexts(dir = COMPLAINTS_DIR): string[] {
  const texts: string[] = [];
  for (const source of SOURCES) {
    const file = path.join(dir, source.file);
    if (!fs.existsSync(file)) {
      throw new Error(
        `Complaint file ${file} is missing. The benchmarks read real complaint texts from ` +
          `../shared/data/complaints beside the repository; check out the shared folder there.`,
      );
    }
    const rows = parse(fs.readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true, relax_column_count: true }) as Record<string, string>[];
    for (const row of rows) {
      const text = (row[source.column] ?? '').trim();
      if (text.length >= DESCRIPTION_MIN && text.length <= DESCRIPTION_MAX) texts.push(text);
    }
  }
  if (texts.length === 0) throw new Error(`No usable complaint texts found in ${dir}.`);
  return texts;
}
