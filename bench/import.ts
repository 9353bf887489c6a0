/**
 * Import benchmark: `aduan import` of the Surabaya Media Center file and of
 * a generated file of `rows` rows, each into an empty PostgreSQL database,
 * as an administrator runs it. The generated file repeats the Surabaya
 * rows with new ids (`155340-c7`), so its texts, dates and names are real
 * ones and about 0.3 % of its rows are rejected, as in the original. The
 * file is written to the system's temporary folder, never into the
 * repository, and removed afterwards.
 *
 * Figures per file: wall time, rows per second (all rows read), peak RSS of
 * the import process (from /usr/bin/time), and the counts the command
 * printed, checked against the rows found in the database.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import pg from 'pg';
import type { Report } from './lib/report.ts';
import { note } from './lib/report.ts';
import { ROOT } from './lib/server.ts';
import { COMPLAINTS_DIR } from './texts.ts';

const SURABAYA_CSV = path.join(COMPLAINTS_DIR, 'surabaya-mediacenter.csv');
const SURABAYA_MAPPING = path.join(ROOT, 'mappings', 'surabaya-mediacenter.json');

export interface ImportBenchOptions {
  /** Creates an empty database for one import and returns its URL. */
  newDatabase: (purpose: string) => Promise<string>;
  /** Rows of the generated file; 0 runs the Surabaya file alone. */
  rows: number;
  settle: (label: string) => Promise<void>;
}

interface ImportRun {
  seconds: number;
  maxRssKiB: number;
  imported: number;
  rejected: number;
  total: number;
}

/** Quotes one CSV field as RFC 4180 allows: always in double quotes, with inner quotes doubled. */
function csvField(value: string): string {
  return `"${value.replace(/"/g, '""')}"`;
}

/** Writes `rows` rows made of the Surabaya file's rows, copy after copy, with ids made unique per copy. */
export function writeGeneratedFile(file: string, rows: number): void {
  const records = parse(fs.readFileSync(SURABAYA_CSV), { bom: true, relax_column_count: true }) as string[][];
  const [header, ...data] = records;
  const idColumn = header!.indexOf('id');
  if (idColumn < 0) throw new Error(`${SURABAYA_CSV} has no "id" column`);
  const out = fs.openSync(file, 'w');
  try {
    fs.writeSync(out, `${header!.map(csvField).join(',')}\n`);
    let written = 0;
    for (let copy = 0; written < rows; copy++) {
      const lines: string[] = [];
      for (const record of data) {
        if (written >= rows) break;
        const cells = [...record];
        cells[idColumn] = `${cells[idColumn]}-c${copy}`;
        lines.push(cells.map(csvField).join(','));
        written++;
      }
      fs.writeSync(out, `${lines.join('\n')}\n`);
    }
  } finally {
    fs.closeSync(out);
  }
}

/** Runs `aduan import` in a child process under /usr/bin/time and reads its summary line and peak RSS. */
function runImportCommand(databaseUrl: string, file: string, reportPath: string): Promise<ImportRun> {
  const args = ['-f', 'ADUAN_BENCH %e %M', process.execPath, path.join(ROOT, 'bin', 'aduan.js'), 'import', file, '--mapping', SURABAYA_MAPPING, '--report', reportPath];
  return new Promise((resolve, reject) => {
    execFile('/usr/bin/time', args, { cwd: ROOT, env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' }, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`aduan import failed (${error.message}): ${stderr.slice(-2000)}`));
        return;
      }
      const timing = /ADUAN_BENCH ([\d.]+) (\d+)/.exec(stderr);
      const summary = /imported (\d+), skipped \(already imported\) \d+, rejected (\d+), total (\d+)/.exec(stdout);
      if (!timing || !summary) {
        reject(new Error(`cannot read the import's summary or timing; stdout: ${stdout.slice(-1000)} stderr: ${stderr.slice(-1000)}`));
        return;
      }
      resolve({ seconds: Number(timing[1]), maxRssKiB: Number(timing[2]), imported: Number(summary[1]), rejected: Number(summary[2]), total: Number(summary[3]) });
    });
  });
}

async function countImported(databaseUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const result = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM complaints WHERE external_source = 'surabaya-mediacenter'");
    return result.rows[0]!.n;
  } finally {
    await client.end();
  }
}

async function measure(report: Report, label: string, size: number | null, databaseUrl: string, file: string, options: ImportBenchOptions): Promise<void> {
  const reportPath = path.join(os.tmpdir(), `aduan-bench-import-${process.pid}-${label}.rejected.csv`);
  await options.settle(`import ${label}`);
  note(`import: ${label}, ${path.basename(file)}`);
  try {
    const run = await runImportCommand(databaseUrl, file, reportPath);
    const stored = await countImported(databaseUrl);
    report.add(`import.${label}.seconds`, size, null, run.seconds, 's');
    report.add(`import.${label}.rate`, size, null, run.total / run.seconds, 'rows/s');
    report.add(`import.${label}.peak_rss`, size, null, run.maxRssKiB / 1024, 'MiB');
    report.add(`import.${label}.imported`, size, null, run.imported, `of ${run.total}`);
    report.add(`import.${label}.rejected`, size, null, run.rejected, `of ${run.total}`);
    // The printed count and the rows in the database must agree: nothing lost or doubled.
    report.add(`import.${label}.stored_minus_imported`, size, null, stored - run.imported, 'rows');
  } finally {
    fs.rmSync(reportPath, { force: true });
  }
}

export async function runImport(report: Report, options: ImportBenchOptions): Promise<void> {
  if (!fs.existsSync(SURABAYA_CSV)) {
    note(`import: ${SURABAYA_CSV} is absent, skipped`);
    return;
  }
  await measure(report, 'surabaya', null, await options.newDatabase('import_surabaya'), SURABAYA_CSV, options);
  if (options.rows <= 0) return;

  const file = path.join(os.tmpdir(), `aduan-bench-import-${process.pid}.csv`);
  try {
    note(`import: writing ${options.rows} generated rows to ${file}`);
    writeGeneratedFile(file, options.rows);
    report.add('import.generated.file_size', options.rows, null, fs.statSync(file).size / 1024 / 1024, 'MiB');
    await measure(report, 'generated', options.rows, await options.newDatabase('import_generated'), file, options);
  } finally {
    fs.rmSync(file, { force: true });
  }
}
