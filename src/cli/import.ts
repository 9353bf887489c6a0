/**
 * `aduan import FILE --mapping MAPPING.json [--report FILE] [--dry-run] [--batch-size N]`:
 * imports historical complaints from a CSV or XLSX file. Both formats are
 * streamed, so memory stays bounded whatever the file's size. Progress goes
 * to stderr (a bar on a terminal, otherwise a plain line every few seconds),
 * rejected rows go to a CSV report, and the last line on stdout is
 * `imported N, skipped (already imported) M, rejected R, total T`.
 * See docs/import.md for the mapping format.
 */
import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { CsvError, parse as parseCsv, type Info } from 'csv-parse';
import ExcelJS from 'exceljs';
import type { Database } from '../db/database.ts';
import {
  CSV_DELIMITERS,
  MappingError,
  parseMapping,
  resolveColumns,
  type CellValue,
  type ImportMapping,
} from '../domain/import-mapping.ts';
import {
  DEFAULT_BATCH_SIZE,
  importRows,
  MAX_BATCH_SIZE,
  type ImportCounts,
  type ImportSummary,
  type Rejection,
  type SourceRow,
} from '../commands/import-complaint.ts';
import { textLength, truncateText } from '../domain/text.ts';

const USAGE = `Usage: aduan import FILE --mapping MAPPING.json [--report FILE] [--dry-run] [--batch-size N]

Imports historical complaints from a CSV (comma or semicolon separated) or XLSX file.

  --mapping FILE     mapping of the file's columns to complaint fields (see docs/import.md)
  --report FILE      where to write rejected rows as CSV (row, external_id, reason);
                     default: <input name>.rejected.csv in the current folder
  --dry-run          validate and count every row without writing to the database
  --batch-size N     rows per transaction (default ${DEFAULT_BATCH_SIZE}, at most ${MAX_BATCH_SIZE})

Rows imported before (same external source and id) are skipped, so the command can be run again.`;

// Plain progress lines for logs: often enough to show life, rare enough to read.
const PLAIN_PROGRESS_INTERVAL_MS = 5_000;
// A terminal redraw faster than this only costs time.
const BAR_REDRAW_INTERVAL_MS = 100;
const BAR_WIDTH = 30;
// Enough bytes to hold the header line of any sensible file.
const DELIMITER_SNIFF_BYTES = 64 * 1024;
// XLSX files are zip archives, which start with "PK\x03\x04".
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
// Spreadsheet programs run cells that start with these characters as formulas.
const FORMULA_START_RE = /^[=+@\t\r]|^-[^0-9.]/;

/** Output streams of the command; tests pass their own. */
export interface ImportIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean };
}

export interface ImportFileOptions {
  file: string;
  mappingPath: string;
  /** Rejected-row report; defaults to `<input name>.rejected.csv` in the current folder. */
  reportPath?: string;
  dryRun?: boolean;
  batchSize?: number;
}

/** Input or mapping that cannot be used; the message states what to fix. */
export class ImportInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportInputError';
  }
}

function processIo(): ImportIo {
  return { stdout: process.stdout, stderr: process.stderr };
}

/**
 * Runs `aduan import` and returns the exit code. The code is 0 when every row
 * was accounted for, rejected rows included. It is 1 when the input, the
 * mapping or the database failed, and 2 for a usage error.
 */
export async function runImportCli(
  argv: string[],
  withDatabase: <T>(run: (database: Database) => Promise<T>) => Promise<T>,
  io: ImportIo = processIo(),
): Promise<number> {
  let parsed: ImportFileOptions | 'help';
  try {
    parsed = parseImportArgs(argv);
  } catch (error) {
    io.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (parsed === 'help') {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const options = parsed;

  let job: ImportJob;
  try {
    job = await openImport(options);
  } catch (error) {
    if (error instanceof ImportInputError || error instanceof MappingError) {
      io.stderr.write(`Error: ${error.message}\n`);
      return 1;
    }
    throw error;
  }

  let summary: ImportSummary;
  try {
    summary = await withDatabase((database) => job.run(database, io));
  } catch (error) {
    if (error instanceof MappingError || error instanceof ImportInputError || isCsvError(error)) {
      io.stderr.write(`Error: ${error.message}\n`);
      io.stderr.write(describeStop(job.lastCounts));
      return 1;
    }
    throw error;
  } finally {
    await job.close();
  }

  io.stdout.write(formatSummary(summary, job));
  return 0;
}

/**
 * Imports one file into an open database and returns the counts; the CLI and
 * tests share it.
 *
 * @example const summary = await importFile(database, { file: 'old.csv', mappingPath: 'mappings/old.json', reportPath: '/tmp/r.csv' });
 */
export async function importFile(database: Database, options: ImportFileOptions, io: ImportIo = processIo()): Promise<ImportSummary> {
  const job = await openImport(options);
  try {
    return await job.run(database, io);
  } finally {
    await job.close();
  }
}

// ---------------------------------------------------------------------------
// Arguments

function parseImportArgs(argv: string[]): ImportFileOptions | 'help' {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      mapping: { type: 'string' },
      report: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      'batch-size': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  if (positionals.length !== 1) throw new Error(`import needs exactly one input file, got ${positionals.length}.`);
  if (!values.mapping) throw new Error('import needs --mapping MAPPING.json.');
  let batchSize = DEFAULT_BATCH_SIZE;
  if (values['batch-size'] !== undefined) {
    batchSize = Number(values['batch-size']);
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
      throw new Error(`--batch-size must be a whole number from 1 to ${MAX_BATCH_SIZE}, got "${values['batch-size']}".`);
    }
  }
  return {
    file: positionals[0],
    mappingPath: values.mapping,
    reportPath: values.report,
    dryRun: values['dry-run'],
    batchSize,
  };
}

// ---------------------------------------------------------------------------
// The job: mapping, reader and report, opened before the database

interface TableReader {
  /** "CSV (delimiter ",")" or "XLSX (sheet "Aduan")", for messages. */
  description: string;
  header: string[];
  rows: AsyncIterable<SourceRow>;
  /** Share of the file read so far, 0–1. */
  fraction(): number;
  /** Rows with no value in any cell, which are not counted as rows. */
  blankRows(): number;
  close(): void;
}

interface ImportJob {
  reportPath: string;
  reader: TableReader;
  lastCounts: ImportCounts | undefined;
  elapsedMs: number;
  run(database: Database, io: ImportIo): Promise<ImportSummary>;
  close(): Promise<void>;
}

async function openImport(options: ImportFileOptions): Promise<ImportJob> {
  const mapping = await loadMapping(options.mappingPath);
  const file = path.resolve(options.file);
  const reportPath = path.resolve(options.reportPath ?? defaultReportPath(file));
  if (reportPath === file) throw new ImportInputError(`The report path ${reportPath} is the input file; pass another --report path.`);

  const reader = await openReader(file, mapping);
  let report: RejectionReport | undefined;
  try {
    let columns;
    try {
      columns = resolveColumns(mapping, reader.header);
    } catch (error) {
      if (error instanceof MappingError) throw new MappingError(`${options.file}: ${error.message}`);
      throw error;
    }
    report = await RejectionReport.open(reportPath);
    const openedReport = report;

    const job: ImportJob = {
      reportPath,
      reader,
      lastCounts: undefined,
      elapsedMs: 0,
      async run(database, io) {
        const started = Date.now();
        io.stderr.write(
          `Importing ${path.basename(file)}: ${reader.description}, mapping ${path.basename(options.mappingPath)}` +
            `${options.dryRun ? ', dry run (nothing is written to the database)' : ''}.\n`,
        );
        const progress = new ProgressDisplay(io.stderr, reader.fraction);
        try {
          const summary = await importRows(database.db, mapping, columns, reader.rows, {
            dryRun: options.dryRun,
            batchSize: options.batchSize,
            onRejected: (rejection) => openedReport.write(rejection),
            onProgress: (counts) => {
              job.lastCounts = counts;
              progress.update(counts);
            },
          });
          job.elapsedMs = Date.now() - started;
          return summary;
        } finally {
          progress.finish();
        }
      },
      async close() {
        reader.close();
        await openedReport.close();
      },
    };
    return job;
  } catch (error) {
    reader.close();
    await report?.close();
    throw error;
  }
}

async function loadMapping(mappingPath: string): Promise<ImportMapping> {
  let text: string;
  try {
    text = await fs.promises.readFile(mappingPath, 'utf8');
  } catch (error) {
    throw new ImportInputError(`Cannot read the mapping file ${mappingPath}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ImportInputError(`The mapping file ${mappingPath} is not valid JSON: ${(error as Error).message}.`);
  }
  return parseMapping(json, mappingPath);
}

// The report goes to the working folder, not beside the input: inputs often
// sit in shared or read-only folders that an import must not write into.
function defaultReportPath(file: string): string {
  const extension = path.extname(file);
  return path.resolve(`${path.basename(file, extension)}.rejected.csv`);
}

// ---------------------------------------------------------------------------
// Readers

async function openReader(file: string, mapping: ImportMapping): Promise<TableReader> {
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(file);
  } catch (error) {
    throw new ImportInputError(`Cannot read the input file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`);
  }
  if (!stat.isFile()) throw new ImportInputError(`The input ${file} is not a file.`);
  const extension = path.extname(file).toLowerCase();
  if (extension === '.xls') {
    throw new ImportInputError(`${file} is an old Excel .xls file, which is not supported; save it as .xlsx or .csv and import that.`);
  }
  const head = await readHead(file, DELIMITER_SNIFF_BYTES);
  if (extension === '.xlsx' || head.subarray(0, 4).equals(ZIP_MAGIC)) return openXlsx(file, stat.size, mapping);
  return openCsv(file, stat.size, head, mapping);
}

async function readHead(file: string, bytes: number): Promise<Buffer> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * Picks the delimiter that occurs most often outside quotes in the first
 * line: "," or ";" (also tab or "|"); "," when none occurs.
 *
 * @example detectDelimiter('id;keluhan;tanggal\n') // ';'
 */
export function detectDelimiter(text: string): string {
  const counts = new Map<string, number>();
  let quoted = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === '\n' || char === '\r')) break;
    else if (!quoted && (CSV_DELIMITERS as readonly string[]).includes(char)) counts.set(char, (counts.get(char) ?? 0) + 1);
  }
  let best = ',';
  let bestCount = 0;
  for (const delimiter of CSV_DELIMITERS) {
    const count = counts.get(delimiter) ?? 0;
    if (count > bestCount) {
      best = delimiter;
      bestCount = count;
    }
  }
  return best;
}

/**
 * Returns the 1-based line of the first byte sequence in `bytes` that is
 * not UTF-8, or 0 when there is none. A sequence cut off at the end of
 * `bytes` is not an error, because `bytes` may end inside a character.
 */
export function firstNonUtf8Line(bytes: Buffer): number {
  const fails = (length: number) => {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, length), { stream: true });
      return false;
    } catch {
      return true;
    }
  };
  if (!fails(bytes.length)) return 0;
  // The shortest failing prefix ends in the first bad sequence.
  let low = 0;
  let high = bytes.length;
  while (low + 1 < high) {
    const middle = Math.floor((low + high) / 2);
    if (fails(middle)) high = middle;
    else low = middle;
  }
  let line = 1;
  for (let index = 0; index < high - 1; index++) if (bytes[index] === 0x0a) line++;
  return line;
}

async function openCsv(file: string, size: number, head: Buffer, mapping: ImportMapping): Promise<TableReader> {
  const encoding = mapping.csv.encoding;
  const badLine = encoding === 'utf8' ? firstNonUtf8Line(head) : 0;
  if (badLine > 0) {
    throw new ImportInputError(
      `${file} is not UTF-8 text: line ${badLine} has bytes that UTF-8 does not allow, so accented letters would be stored as "\uFFFD". ` +
        'Save the file again as "CSV UTF-8", or name its encoding in the mapping, for example "csv": { "encoding": "latin1" } for a CSV that Excel saved on Windows.',
    );
  }
  const delimiter = mapping.csv.delimiter ?? detectDelimiter(head.toString(encoding));
  const stream = fs.createReadStream(file);
  const parser = stream.pipe(
    parseCsv({
      delimiter,
      encoding,
      bom: true,
      info: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      // Without a list, csv-parse takes the line ending of the first line for the whole file,
      // and a file whose later lines end differently would be read as one long row.
      record_delimiter: ['\r\n', '\n', '\r'],
    }),
  );
  stream.on('error', (error) => parser.destroy(error));
  const records = parser[Symbol.asyncIterator]() as AsyncIterator<{ record: string[]; info: Info }>;
  const first = await records.next();
  if (first.done) {
    stream.destroy();
    throw new ImportInputError(`${file} is empty: expected a header row with the column names.`);
  }
  const header = first.value.record;
  let bytesParsed = first.value.info.bytes;

  async function* rows(): AsyncGenerator<SourceRow> {
    for (;;) {
      const next = await records.next();
      if (next.done) return;
      const { record, info } = next.value;
      bytesParsed = info.bytes;
      // Counting blank lines keeps the number equal to the row a spreadsheet program shows.
      const row: SourceRow = { rowNumber: info.records + info.empty_lines, cells: record };
      if (record.length !== header.length) {
        row.problem = `row has ${record.length} fields but the header has ${header.length}; check its quotes and delimiters`;
      } else if (encoding === 'utf8' && record.some((cell) => cell.includes('\uFFFD'))) {
        // Past the first 64 KiB checked above, bytes that are not UTF-8 reach the row as U+FFFD.
        row.problem = 'row has bytes that are not UTF-8 (or the character U+FFFD); save the file as "CSV UTF-8" or set csv.encoding in the mapping';
      }
      yield row;
    }
  }

  return {
    description: `CSV (delimiter ${JSON.stringify(delimiter)}, ${encoding})`,
    header,
    rows: rows(),
    fraction: () => (size > 0 ? Math.min(1, bytesParsed / size) : 1),
    blankRows: () => 0,
    close: () => stream.destroy(),
  };
}

async function openXlsx(file: string, size: number, mapping: ImportMapping): Promise<TableReader> {
  const stream = fs.createReadStream(file);
  // NOTE: an XLSX file stores each distinct text once, in a shared-string table
  // that the rows point into, so the reader keeps that table in memory. Memory
  // therefore grows with the workbook's distinct text; CSV has no such table.
  const workbook = new ExcelJS.stream.xlsx.WorkbookReader(stream, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  const wanted = mapping.xlsx.sheet;
  const seenSheets: string[] = [];
  let sheetName = '';
  let blankRows = 0;

  async function* allRows(): AsyncGenerator<{ rowNumber: number; cells: (CellValue | undefined)[] }> {
    for await (const worksheet of workbook) {
      const name = (worksheet as unknown as { name: string }).name;
      seenSheets.push(name);
      if (wanted !== undefined && name.toLowerCase() !== wanted.toLowerCase()) continue;
      sheetName = name;
      for await (const row of worksheet) {
        const cells = rowCells(row.values as unknown[]);
        if (cells.every((cell) => cell === undefined || cell === '')) {
          blankRows++;
          continue;
        }
        yield { rowNumber: row.number, cells };
      }
      // Only the first matching sheet is imported.
      return;
    }
  }

  const source = allRows();
  let first;
  try {
    first = await source.next();
  } catch (error) {
    stream.destroy();
    throw new ImportInputError(`${file} could not be read as an XLSX workbook: ${(error as Error).message}.`);
  }
  if (first.done) {
    stream.destroy();
    if (wanted !== undefined && sheetName === '') {
      throw new ImportInputError(`${file} has no worksheet named "${wanted}"; its worksheets: ${seenSheets.map((name) => `"${name}"`).join(', ')}. Fix xlsx.sheet in the mapping.`);
    }
    throw new ImportInputError(`${file} has no rows: expected a header row with the column names.`);
  }
  const header = first.value.cells.map((cell) => (cell instanceof Date ? cell.toISOString() : cell ?? ''));
  const headerRowNumber = first.value.rowNumber;
  blankRows = 0;

  async function* rows(): AsyncGenerator<SourceRow> {
    for await (const row of source) {
      if (row.rowNumber <= headerRowNumber) continue;
      yield row;
    }
  }

  return {
    get description() {
      return `XLSX (sheet ${JSON.stringify(sheetName)})`;
    },
    header,
    rows: rows(),
    fraction: () => (size > 0 ? Math.min(1, stream.bytesRead / size) : 1),
    blankRows: () => blankRows,
    close: () => stream.destroy(),
  };
}

/** Converts exceljs row values (1-based, sparse, rich objects) to text and dates. */
function rowCells(values: unknown[]): (CellValue | undefined)[] {
  const cells: (CellValue | undefined)[] = [];
  for (let column = 1; column < values.length; column++) cells.push(cellValue(values[column]));
  return cells;
}

function cellValue(value: unknown): CellValue | undefined {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Date) return value;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'object') {
    const object = value as Record<string, unknown>;
    if (Array.isArray(object.richText)) return (object.richText as Array<{ text: string }>).map((run) => run.text).join('');
    if ('result' in object) return cellValue(object.result);
    if (typeof object.text === 'string') return object.text;
    if (typeof object.error === 'string') return object.error;
  }
  return String(value);
}

function isCsvError(error: unknown): error is Error {
  return error instanceof CsvError;
}

// ---------------------------------------------------------------------------
// Report and progress

/** The CSV of rejected rows: row, external_id, reason. */
class RejectionReport {
  private constructor(private readonly stream: fs.WriteStream) {}

  static async open(reportPath: string): Promise<RejectionReport> {
    const stream = fs.createWriteStream(reportPath);
    try {
      await once(stream, 'open');
    } catch (error) {
      throw new ImportInputError(
        `Cannot write the report file ${reportPath} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); pass --report with a writable path.`,
      );
    }
    const report = new RejectionReport(stream);
    await report.writeLine(['row', 'external_id', 'reason']);
    return report;
  }

  write(rejection: Rejection): Promise<void> {
    return this.writeLine([String(rejection.rowNumber), rejection.externalId, rejection.reason]);
  }

  async close(): Promise<void> {
    if (this.stream.closed) return;
    this.stream.end();
    await once(this.stream, 'close');
  }

  private async writeLine(fields: string[]): Promise<void> {
    if (!this.stream.write(`${fields.map(csvField).join(',')}\n`)) await once(this.stream, 'drain');
  }
}

function csvField(value: string): string {
  const safe = FORMULA_START_RE.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * Progress on stderr: a bar redrawn in place on a terminal, otherwise a plain
 * line every few seconds, which suits log files.
 *
 * @example
 *   const progress = new ProgressDisplay(process.stderr, () => bytesRead / size);
 *   progress.update(counts); // after each batch
 *   progress.finish();
 */
export class ProgressDisplay {
  private lastDrawn: number;
  private drewBar = false;
  private readonly started: number;

  constructor(
    private readonly stderr: ImportIo['stderr'],
    private readonly fraction: () => number,
    private readonly clock: () => number = Date.now,
  ) {
    this.started = clock();
    this.lastDrawn = this.started;
  }

  update(counts: ImportCounts): void {
    const now = this.clock();
    const interval = this.stderr.isTTY ? BAR_REDRAW_INTERVAL_MS : PLAIN_PROGRESS_INTERVAL_MS;
    if (now - this.lastDrawn < interval) return;
    this.lastDrawn = now;
    const percent = Math.floor(this.fraction() * 100);
    const rate = Math.round(counts.total / Math.max((now - this.started) / 1000, 0.001));
    const tally = `imported ${counts.imported}, skipped ${counts.skipped}, rejected ${counts.rejected}`;
    if (this.stderr.isTTY) {
      const filled = Math.round((percent / 100) * BAR_WIDTH);
      const bar = `${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}`;
      this.stderr.write(`\r\x1b[K[${bar}] ${String(percent).padStart(3)}% ${counts.total} rows, ${rate} rows/s (${tally})`);
      this.drewBar = true;
    } else {
      this.stderr.write(`import: ${counts.total} rows read (${percent}% of the file), ${rate} rows/s; ${tally}\n`);
    }
  }

  /** Clears the bar, so that the summary starts on a clean line. */
  finish(): void {
    if (this.drewBar) this.stderr.write('\r\x1b[K');
  }
}

// ---------------------------------------------------------------------------
// Summary

// Lists of names in the summary stop after this many entries.
const MAX_NAMES_SHOWN = 10;

function formatSummary(summary: ImportSummary, job: ImportJob): string {
  if (summary.imported + summary.skipped + summary.rejected !== summary.total) {
    throw new Error(`import summary does not add up: ${summary.imported} + ${summary.skipped} + ${summary.rejected} ≠ ${summary.total}`);
  }
  const seconds = job.elapsedMs / 1000;
  const rate = seconds > 0 ? Math.round(summary.total / seconds) : summary.total;
  const lines = [`Read ${summary.total} rows in ${seconds.toFixed(1)} s (${rate} rows/s).`];
  if (job.reader.blankRows() > 0) lines.push(`Ignored ${job.reader.blankRows()} blank rows (no value in any cell).`);
  if (summary.dryRun) lines.push('Dry run: nothing was written to the database; the counts show what an import would do.');

  lines.push(...describeNames(summary));

  lines.push(
    summary.rejected > 0
      ? `Rejected rows, with their reasons, are in ${job.reportPath}.`
      : `No row was rejected; the report ${job.reportPath} has only its header.`,
  );
  if (summary.imported === 0 && summary.skipped > 0) lines.push(`Nothing new: all ${summary.skipped} valid rows had been imported before.`);
  lines.push(`imported ${summary.imported}, skipped (already imported) ${summary.skipped}, rejected ${summary.rejected}, total ${summary.total}`);
  return `${lines.join('\n')}\n`;
}

/** Describes created and unknown agencies and categories, and place names without a code. */
function describeNames(summary: ImportSummary): string[] {
  const lines: string[] = [];
  if (summary.createdAgencies.length > 0 || summary.createdCategories.length > 0) {
    const verb = summary.dryRun ? 'Would create' : 'Created';
    const examples = [...summary.createdAgencies.slice(0, 2), ...summary.createdCategories.slice(0, 2)].join(', ');
    lines.push(
      `${verb} ${summary.createdAgencies.length} agencies and ${summary.createdCategories.length} categories, ` +
        `inactive until an administrator activates them (codes such as ${examples}).`,
    );
  }
  if (summary.unknownAgencies.size > 0) lines.push(`Unknown agency names, not created: ${formatCounts(summary.unknownAgencies)}.`);
  if (summary.unknownCategories.size > 0) lines.push(`Unknown category names, not created: ${formatCounts(summary.unknownCategories)}.`);

  if (summary.unmatchedDistricts.size > 0) {
    const rows = [...summary.unmatchedDistricts.values()].reduce((sum, count) => sum + count, 0);
    lines.push(
      `${summary.unmatchedDistricts.size} kecamatan names on ${rows} rows match no kecamatan of the reference data, ` +
        `so those complaints have no district code (names are kept on the received event): ${formatCounts(summary.unmatchedDistricts)}.`,
    );
  }
  if (summary.unmatchedVillageRows > 0) {
    lines.push(
      `${summary.unmatchedVillageRows} rows have a kelurahan/desa name but no village code, because no village of that name lies in a matched kecamatan.`,
    );
  }
  return lines;
}

/**
 * Writes a name from the file so that a terminal shows it as it is: control
 * and format characters (which could move the cursor or reverse the line)
 * as \u escapes, and at most 80 characters.
 */
export function printableName(name: string): string {
  const escaped = name.replace(/[\p{Cc}\p{Cf}]/gu, (char) => `\\u${char.codePointAt(0)!.toString(16).padStart(4, '0')}`);
  return textLength(escaped) > 80 ? `${truncateText(escaped, 79)}…` : escaped;
}

function formatCounts(counts: Map<string, number>): string {
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const shown = sorted.slice(0, MAX_NAMES_SHOWN).map(([name, count]) => `${printableName(name)} (${count})`);
  if (sorted.length > MAX_NAMES_SHOWN) shown.push(`and ${sorted.length - MAX_NAMES_SHOWN} more`);
  return shown.join(', ');
}

function describeStop(counts: ImportCounts | undefined): string {
  const done = counts
    ? `Before it stopped, the import had committed imported ${counts.imported}, skipped ${counts.skipped}, rejected ${counts.rejected} of ${counts.total} rows.`
    : 'The import stopped before the first batch was committed.';
  return `${done} Fix the problem and run the command again: rows imported already are skipped.\n`;
}
