import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';

import { detectDelimiter, importFile, printableName, ProgressDisplay, runImportCli, type ImportIo } from '../../src/cli/import.ts';
import type { Database } from '../../src/db/database.ts';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../support/db.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const fixture = (name: string) => path.join(repoRoot, 'test', 'fixtures', 'import', name);
const SURABAYA_CSV = path.resolve(repoRoot, '../shared/data/complaints/surabaya-mediacenter.csv');
const SURABAYA_MAPPING = path.join(repoRoot, 'mappings', 'surabaya-mediacenter.json');
const KARANGANYAR_CSV = fixture('karanganyar-semicolon.csv');
const KARANGANYAR_MAPPING = fixture('karanganyar.mapping.json');

function temporaryDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'aduan-import-test-'));
}

/** Creates an ImportIo that keeps what the command writes. */
function captureIo(isTTY = false) {
  const out: string[] = [];
  const err: string[] = [];
  const io: ImportIo = {
    stdout: { write: (text: string) => out.push(text) },
    stderr: { isTTY, write: (text: string) => err.push(text) },
  };
  return { io, stdout: () => out.join(''), stderr: () => err.join('') };
}

/** withDatabase for runImportCli that hands over an open test database. */
function usingDatabase(database: Database) {
  return <T>(run: (db: Database) => Promise<T>): Promise<T> => run(database);
}

const noDatabase = <T>(): Promise<T> => {
  throw new Error('the command should stop before opening the database');
};

interface ReportLine {
  row: string;
  external_id: string;
  reason: string;
}

function readReport(file: string): ReportLine[] {
  return parse(fs.readFileSync(file), { columns: true }) as ReportLine[];
}

function summaryLine(stdout: string): string {
  return stdout.trimEnd().split('\n').at(-1) ?? '';
}

/** Writes a changed copy of a mapping file and returns its path. */
function writeMapping(dir: string, source: string, change: (mapping: Record<string, any>) => void): string {
  const mapping = JSON.parse(fs.readFileSync(source, 'utf8'));
  change(mapping);
  const file = path.join(dir, `mapping-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, JSON.stringify(mapping));
  return file;
}

async function countRows(database: Database, table: 'complaints' | 'complaint_events' | 'agencies' | 'categories'): Promise<number> {
  const row = await database.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
  return Number(row.count);
}

async function complaintByExternalId(database: Database, source: string, externalId: string) {
  return database.db
    .selectFrom('complaints')
    .leftJoin('agencies', 'agencies.id', 'complaints.agency_id')
    .leftJoin('categories', 'categories.id', 'complaints.category_id')
    .selectAll('complaints')
    .select(['agencies.code as agency_code', 'categories.code as category_code'])
    .where('external_source', '=', source)
    .where('external_id', '=', externalId)
    .executeTakeFirstOrThrow();
}

async function eventsOf(database: Database, complaintId: number) {
  return database.db.selectFrom('complaint_events').selectAll().where('complaint_id', '=', complaintId).orderBy('at').orderBy('id').execute();
}

for (const backend of BACKENDS) {
  describe(`import CSV and XLSX (${backend})`, () => {
    let database: TestDatabase;
    const dir = temporaryDir();

    before(async () => {
      database = await createTestDatabase(backend);
    });
    after(async () => {
      await database.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    test('dry run writes nothing', async () => {
      // The default report goes to the current folder, which the test points at its temporary folder.
      const complaintsBefore = await countRows(database, 'complaints');
      const agenciesBefore = await countRows(database, 'agencies');
      const { io, stdout } = captureIo();
      const previousFolder = process.cwd();
      process.chdir(dir);
      let code: number;
      try {
        code = await runImportCli([KARANGANYAR_CSV, '--mapping', KARANGANYAR_MAPPING, '--dry-run'], usingDatabase(database), io);
      } finally {
        process.chdir(previousFolder);
      }

      assert.equal(code, 0);
      assert.match(stdout(), /Dry run: nothing was written/);
      assert.equal(summaryLine(stdout()), 'imported 5, skipped (already imported) 0, rejected 8, total 13');
      assert.equal(await countRows(database, 'complaints'), complaintsBefore);
      assert.equal(await countRows(database, 'agencies'), agenciesBefore);
      assert.equal(readReport(path.join(dir, 'karanganyar-semicolon.rejected.csv')).length, 8);
    });

    test('CSV rows imported or rejected', async () => {
      const report = path.join(dir, 'report.csv');
      const { io, stdout, stderr } = captureIo();

      const code = await runImportCli([KARANGANYAR_CSV, '--mapping', KARANGANYAR_MAPPING, '--report', report], usingDatabase(database), io);

      assert.equal(code, 0, stderr());
      assert.match(stderr(), /CSV \(delimiter ";", utf8\)/);
      assert.equal(summaryLine(stdout()), 'imported 5, skipped (already imported) 0, rejected 8, total 13');
      const lines = readReport(report);
      const byRow = new Map(lines.map((line) => [line.row, line]));
      assert.deepEqual([...byRow.keys()], ['4', '5', '6', '7', '10', '11', '12', '15']);
      assert.match(byRow.get('4')!.reason, /"30\/02\/2023 10:00" is not a valid date in the format "DD\/MM\/YYYY HH:mm"/);
      assert.match(byRow.get('5')!.reason, /answered-at .* is before received-at/);
      assert.match(byRow.get('6')!.reason, /description \(column "uraian"\) is empty/);
      assert.match(byRow.get('7')!.reason, /agency "Dinas Antah Berantah" is not known to this instance/);
      assert.equal(byRow.get('10')!.external_id, 'K-001');
      assert.match(byRow.get('10')!.reason, /already appears on row 2 of this file/);
      assert.match(byRow.get('11')!.reason, /"Merpati pos" is not a channel/);
      assert.match(byRow.get('12')!.reason, /row has 2 fields but the header has 9/);
      assert.match(byRow.get('15')!.reason, /category "Topik Lama Sekali" is not known/);
      assert.match(stdout(), /Unknown agency names, not created: Dinas Antah Berantah \(1\)/);
      assert.match(stdout(), /1 kecamatan names on 1 rows match no kecamatan .*: Wonocolo \(1\)/);
    });

    test('answered complaint stored as answered, then closed', async () => {
      const complaint = await complaintByExternalId(database, 'arsip-sapamas', 'K-001');
      // Answered in 2023: the citizen's reply window ended long before the import.
      assert.equal(complaint.status, 'closed');
      assert.equal(complaint.channel, 'whatsapp');
      assert.equal(complaint.agency_code, 'dpupr');
      assert.equal(complaint.category_code, 'penerangan-jalan');
      assert.equal(complaint.district_code, '33.13.11');
      assert.equal(complaint.village_code, '33.13.11.2003');
      assert.equal(complaint.received_at.toISOString(), '2023-01-03T01:15:00.000Z');
      assert.equal(complaint.first_response_at?.toISOString(), '2023-01-03T06:45:00.000Z');
      assert.equal(complaint.resolved_at?.toISOString(), '2023-01-03T06:45:00.000Z');

      const events = await eventsOf(database, complaint.id);
      assert.deepEqual(events.map((event) => event.type), ['received', 'resolved', 'closed']);
      const [received, resolved, closed] = events;
      assert.equal(received.at.toISOString(), '2023-01-03T01:15:00.000Z');
      assert.equal(received.actor_kind, 'system');
      assert.equal(received.data.sourceDistrict, 'JATEN');
      assert.equal(received.data.sourceVillage, 'jaten');
      assert.equal(received.data.channel, 'whatsapp');
      assert.equal(resolved.at.toISOString(), '2023-01-03T06:45:00.000Z');
      assert.equal(resolved.agency_id, complaint.agency_id);
      assert.equal(resolved.actor_kind, 'system');
      assert.ok(closed.at > resolved.at, 'closed after the answer');
      assert.ok(closed.at < new Date('2023-02-01T00:00:00Z'), 'closed when the reply window ended, within weeks');

      const clocks = await database.db.selectFrom('complaint_deadlines').select(['clock', 'status']).where('complaint_id', '=', complaint.id).execute();
      assert.equal(clocks.length, 4);
      assert.equal(clocks.find((clock) => clock.clock === 'verification')?.status, 'met');
    });

    test('unanswered complaint stays new', async () => {
      const complaint = await complaintByExternalId(database, 'arsip-sapamas', 'K-002');
      assert.equal(complaint.status, 'new');
      assert.equal(complaint.channel, 'import');
      assert.equal(complaint.agency_code, 'dlh');
      assert.equal(complaint.category_code, 'sampah-lingkungan');
      assert.equal(complaint.district_code, '33.13.09');
      assert.equal(complaint.village_code, '33.13.09.1006');
      assert.equal(complaint.first_response_at, null);
      assert.equal(complaint.resolved_at, null);
      assert.deepEqual((await eventsOf(database, complaint.id)).map((event) => event.type), ['received']);
    });

    test('other region keeps source names', async () => {
      const complaint = await complaintByExternalId(database, 'arsip-sapamas', 'K-007');
      assert.equal(complaint.district_code, null);
      assert.equal(complaint.village_code, null);
      const [received] = await eventsOf(database, complaint.id);
      assert.equal(received.data.sourceDistrict, 'Wonocolo');
      assert.equal(received.data.sourceVillage, 'Jemur Wonosari');
    });

    test('village matched only in its kecamatan', async () => {
      const complaint = await complaintByExternalId(database, 'arsip-sapamas', 'K-012');
      assert.equal(complaint.district_code, '33.13.11');
      assert.equal(complaint.village_code, null);
      assert.equal(complaint.category_code, 'jalan-jembatan');
      assert.match(complaint.description, /pasar; mohon/);
    });

    test('oversight category makes it confidential', async () => {
      const complaint = await complaintByExternalId(database, 'arsip-sapamas', 'K-011');
      assert.equal(complaint.oversight, true);
      assert.equal(complaint.privacy, 'confidential');
      assert.equal(complaint.agency_code, 'inspektorat');
    });

    test('second run adds nothing', async () => {
      const complaints = await countRows(database, 'complaints');
      const events = await countRows(database, 'complaint_events');
      const { io, stdout } = captureIo();

      const code = await runImportCli([KARANGANYAR_CSV, '--mapping', KARANGANYAR_MAPPING, '--report', path.join(dir, 'again.csv')], usingDatabase(database), io);

      assert.equal(code, 0);
      assert.equal(summaryLine(stdout()), 'imported 0, skipped (already imported) 5, rejected 8, total 13');
      assert.match(stdout(), /Nothing new: all 5 valid rows had been imported before/);
      assert.equal(await countRows(database, 'complaints'), complaints);
      assert.equal(await countRows(database, 'complaint_events'), events);
    });

    test('unknown names created when allowed', async () => {
      const mapping = writeMapping(dir, KARANGANYAR_MAPPING, (json) => {
        json.source = 'arsip-sapamas-baru';
        json.createUnknown = { agencies: true, categories: true };
      });
      const agencies = await countRows(database, 'agencies');
      const categories = await countRows(database, 'categories');

      const summary = await importFile(database, { file: KARANGANYAR_CSV, mappingPath: mapping, reportPath: path.join(dir, 'created.csv') }, captureIo().io);

      assert.deepEqual([summary.imported, summary.skipped, summary.rejected, summary.total], [7, 0, 6, 13]);
      assert.deepEqual(summary.createdAgencies, ['dinas-antah-berantah']);
      assert.deepEqual(summary.createdCategories, ['topik-lama-sekali']);
      assert.equal(await countRows(database, 'agencies'), agencies + 1);
      assert.equal(await countRows(database, 'categories'), categories + 1);
      const agency = await database.db.selectFrom('agencies').selectAll().where('code', '=', 'dinas-antah-berantah').executeTakeFirstOrThrow();
      assert.equal(agency.name, 'Dinas Antah Berantah');
      assert.equal(agency.active, false);
      assert.equal(agency.kind, 'dinas');
      const category = await database.db.selectFrom('categories').selectAll().where('code', '=', 'topik-lama-sekali').executeTakeFirstOrThrow();
      assert.equal(category.active, false);
      assert.equal((await complaintByExternalId(database, 'arsip-sapamas-baru', 'K-006')).agency_id, agency.id);
      assert.equal((await complaintByExternalId(database, 'arsip-sapamas-baru', 'K-013')).category_id, category.id);
      // Known names still match the existing rows instead of creating new ones.
      assert.equal((await complaintByExternalId(database, 'arsip-sapamas-baru', 'K-002')).agency_code, 'dlh');
    });

    test('over-long agency name rejected', async () => {
      const [header, firstRow] = fs.readFileSync(KARANGANYAR_CSV, 'utf8').split('\n').map((line) => line.replace(/\r$/, ''));
      const longName = `Dinas ${'Sangat '.repeat(40)}Panjang`;
      const cells = firstRow.replace('K-001', 'N-1').split(';');
      cells[4] = longName;
      const input = path.join(dir, 'long-name.csv');
      fs.writeFileSync(input, `${header}\n${cells.join(';')}\n`);
      const mapping = writeMapping(dir, KARANGANYAR_MAPPING, (json) => {
        json.source = 'arsip-nama';
        json.createUnknown = { agencies: true, categories: true };
      });
      const report = path.join(dir, 'long-name-report.csv');

      const summary = await importFile(database, { file: input, mappingPath: mapping, reportPath: report }, captureIo().io);

      assert.deepEqual([summary.imported, summary.rejected], [0, 1]);
      assert.deepEqual(summary.createdAgencies, []);
      assert.match(JSON.stringify(readReport(report)[0]), /agency name has 293 characters, more than the 200 a name may have/);
    });

    test('mapped code that does not exist', async () => {
      const mapping = writeMapping(dir, KARANGANYAR_MAPPING, (json) => {
        json.source = 'arsip-kode-salah';
        json.agencies.values = { DPU: 'dpu-lama' };
      });
      const { io, stderr } = captureIo();

      const code = await runImportCli([KARANGANYAR_CSV, '--mapping', mapping, '--report', path.join(dir, 'bad-code.csv')], usingDatabase(database), io);

      assert.equal(code, 1);
      assert.match(stderr(), /agencies\.values maps to "dpu-lama", which does not exist/);
      const stored = await database.db.selectFrom('complaints').select('id').where('external_source', '=', 'arsip-kode-salah').execute();
      assert.equal(stored.length, 0);
    });

    test('unclosed quote stops the import', async () => {
      // Enough rows that the parser reaches the broken row after some batches were committed.
      const [header, firstRow] = fs.readFileSync(KARANGANYAR_CSV, 'utf8').split('\n');
      const rows = Array.from({ length: 2000 }, (_, index) => firstRow.replace('K-001', `Q-${index}`));
      rows.push('Q-X;"Teks ini tidak pernah ditutup dengan tanda kutip;03/01/2023 08:15;;DPU;PJU;Jaten;Jaten;');
      const input = path.join(dir, 'unclosed.csv');
      fs.writeFileSync(input, [header, ...rows].join('\n'));
      const mapping = writeMapping(dir, KARANGANYAR_MAPPING, (json) => {
        json.source = 'arsip-kutip';
      });
      const { io, stderr } = captureIo();

      const code = await runImportCli([input, '--mapping', mapping, '--report', path.join(dir, 'quote.csv'), '--batch-size', '100'], usingDatabase(database), io);

      assert.equal(code, 1);
      assert.match(stderr(), /Error: Quote Not Closed: .* at line 2002/);
      const committed = /committed imported (\d+), skipped 0, rejected 0 of (\d+) rows/.exec(stderr());
      assert.ok(committed, stderr());
      const stored = await database.db.selectFrom('complaints').select('id').where('external_source', '=', 'arsip-kutip').execute();
      assert.ok(stored.length > 0, 'batches before the broken row stay committed');
      assert.equal(stored.length, Number(committed[1]));
      assert.equal(committed[1], committed[2]);
    });

    test('mixed line endings read as rows', async () => {
      const [header, firstRow] = fs.readFileSync(KARANGANYAR_CSV, 'utf8').split('\n').map((line) => line.replace(/\r$/, ''));
      const rows = ['M-1', 'M-2', 'M-3', 'M-4'].map((id) => firstRow.replace('K-001', id));
      const input = path.join(dir, 'mixed-endings.csv');
      // A file edited on two systems: the first lines end in CRLF, the rest in LF, one in CR.
      fs.writeFileSync(input, `${header}\r\n${rows[0]}\r\n${rows[1]}\n${rows[2]}\r${rows[3]}\n`);
      const mapping = writeMapping(dir, KARANGANYAR_MAPPING, (json) => {
        json.source = 'arsip-baris';
      });
      const { io, stdout } = captureIo();

      const code = await runImportCli([input, '--mapping', mapping, '--report', path.join(dir, 'endings.csv')], usingDatabase(database), io);

      assert.equal(code, 0);
      assert.equal(summaryLine(stdout()), 'imported 4, skipped (already imported) 0, rejected 0, total 4');
    });

    test('Latin-1 file stops before writing', async () => {
      const [header, firstRow] = fs.readFileSync(KARANGANYAR_CSV, 'utf8').split('\n').map((line) => line.replace(/\r$/, ''));
      const row = firstRow.replace('K-001', 'L-1').replace(/;[^;]*;/, ';Lampu jalan di depan café desa mati sejak Senin;');
      const input = path.join(dir, 'latin1.csv');
      fs.writeFileSync(input, Buffer.from(`${header}\n${row}\n`, 'latin1'));
      const mapping = writeMapping(dir, KARANGANYAR_MAPPING, (json) => {
        json.source = 'arsip-latin';
      });
      const withoutEncoding = captureIo();

      const code = await runImportCli([input, '--mapping', mapping, '--report', path.join(dir, 'latin.csv')], usingDatabase(database), withoutEncoding.io);

      assert.equal(code, 1);
      assert.match(withoutEncoding.stderr(), /is not UTF-8 text: line 2 has bytes that UTF-8 does not allow/);
      assert.match(withoutEncoding.stderr(), /"encoding": "latin1"/);
      const none = await database.db.selectFrom('complaints').select('id').where('external_source', '=', 'arsip-latin').execute();
      assert.equal(none.length, 0);

      const latin1Mapping = writeMapping(dir, KARANGANYAR_MAPPING, (json) => {
        json.source = 'arsip-latin';
        json.csv = { ...json.csv, encoding: 'latin1' };
      });
      const withEncoding = captureIo();
      assert.equal(await runImportCli([input, '--mapping', latin1Mapping, '--report', path.join(dir, 'latin.csv')], usingDatabase(database), withEncoding.io), 0);
      const stored = await complaintByExternalId(database, 'arsip-latin', 'L-1');
      assert.match(stored.description, /café desa/);
    });

    test('bad bytes past the start reject the row', async () => {
      const [header, firstRow] = fs.readFileSync(KARANGANYAR_CSV, 'utf8').split('\n').map((line) => line.replace(/\r$/, ''));
      // About 200 bytes a row: 600 rows put the bad one beyond the 64 KiB checked before the import starts.
      const rows = Array.from({ length: 600 }, (_, index) => Buffer.from(`${firstRow.replace('K-001', `U-${index}`)}\n`));
      const bad = firstRow.replace('K-001', 'U-BAD').replace(/;[^;]*;/, ';Lampu jalan di depan caf\u0000 desa mati sejak Senin;');
      const input = path.join(dir, 'late-latin1.csv');
      fs.writeFileSync(input, Buffer.concat([Buffer.from(`${header}\n`), ...rows, Buffer.from(`${bad}\n`, 'utf8').map((byte) => (byte === 0 ? 0xe9 : byte))]));
      const mapping = writeMapping(dir, KARANGANYAR_MAPPING, (json) => {
        json.source = 'arsip-akhir';
      });
      const report = path.join(dir, 'late.csv');
      const { io, stdout } = captureIo();

      const code = await runImportCli([input, '--mapping', mapping, '--report', report], usingDatabase(database), io);

      assert.equal(code, 0);
      assert.match(summaryLine(stdout()), /rejected 1, total 601/);
      const rejected = readReport(report);
      assert.equal(rejected.length, 1);
      assert.match(JSON.stringify(rejected[0]), /bytes that are not UTF-8/);
    });

    test('XLSX worksheet imported', async () => {
      const report = path.join(dir, 'xlsx-report.csv');
      const { io, stdout, stderr } = captureIo();

      const code = await runImportCli([fixture('arsip.xlsx'), '--mapping', fixture('arsip.mapping.json'), '--report', report], usingDatabase(database), io);

      assert.equal(code, 0, stderr());
      assert.match(stderr(), /XLSX \(sheet "Aduan"\)/);
      assert.equal(summaryLine(stdout()), 'imported 2, skipped (already imported) 0, rejected 1, total 3');
      const [rejected] = readReport(report);
      assert.deepEqual([rejected.row, rejected.external_id], ['5', '103']);
      assert.match(rejected.reason, /"kemarin sore" is not a valid date/);

      const first = await complaintByExternalId(database, 'arsip-xlsx', '101');
      assert.equal(first.received_at.toISOString(), '2023-03-01T01:00:00.000Z');
      assert.equal(first.first_response_at?.toISOString(), '2023-03-02T02:30:00.000Z');
      assert.equal(first.agency_code, 'dishub');
      assert.equal(first.district_code, '33.13.12');
      assert.equal(first.village_code, '33.13.12.2003');
      const second = await complaintByExternalId(database, 'arsip-xlsx', '102');
      assert.equal(second.description, 'Pedagang kaki lima menutup trotoar di depan sekolah.');
      assert.equal(second.agency_code, 'satpolpp');
      assert.equal(second.village_code, '33.13.10.2002');
      assert.equal(second.status, 'new');
    });
  });
}

describe('import command errors', () => {
  test('missing column lists columns', async () => {
    const dir = temporaryDir();
    const mapping = writeMapping(dir, KARANGANYAR_MAPPING, (json) => {
      json.columns.receivedAt = 'tanggal';
    });
    const { io, stderr } = captureIo();

    const code = await runImportCli([KARANGANYAR_CSV, '--mapping', mapping, '--report', path.join(dir, 'r.csv')], noDatabase, io);

    assert.equal(code, 1);
    assert.match(stderr(), /column "tanggal" \(receivedAt\) is missing/);
    assert.match(stderr(), /Columns in the file: "no", "uraian", "tgl_masuk", "tgl_jawab", "opd", "kategori", "kec", "desa", "kanal"/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('mapping without --mapping', async () => {
    const { io, stderr } = captureIo();
    assert.equal(await runImportCli([KARANGANYAR_CSV], noDatabase, io), 2);
    assert.match(stderr(), /import needs --mapping MAPPING\.json/);
  });

  test('invalid mapping JSON', async () => {
    const dir = temporaryDir();
    const mapping = path.join(dir, 'broken.json');
    fs.writeFileSync(mapping, '{ "source": ');
    const { io, stderr } = captureIo();
    assert.equal(await runImportCli([KARANGANYAR_CSV, '--mapping', mapping], noDatabase, io), 1);
    assert.match(stderr(), /is not valid JSON/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('unwritable report path', async () => {
    const { io, stderr } = captureIo();
    const report = path.join(os.tmpdir(), 'no-such-dir-for-aduan', 'r.csv');
    assert.equal(await runImportCli([KARANGANYAR_CSV, '--mapping', KARANGANYAR_MAPPING, '--report', report], noDatabase, io), 1);
    assert.match(stderr(), /Cannot write the report file .* \(ENOENT\); pass --report with a writable path/);
  });

  test('missing input file', async () => {
    const { io, stderr } = captureIo();
    assert.equal(await runImportCli(['/nonexistent/aduan.csv', '--mapping', KARANGANYAR_MAPPING], noDatabase, io), 1);
    assert.match(stderr(), /Cannot read the input file \/nonexistent\/aduan\.csv: ENOENT/);
  });
});

describe('printableName', () => {
  test('control characters escaped', () => assert.equal(printableName('Kec.\u202E Jaten\u0007'), 'Kec.\\u202e Jaten\\u0007'));
  test('long name shortened', () => assert.equal(printableName('a'.repeat(100)), `${'a'.repeat(79)}…`));
  test('plain name unchanged', () => assert.equal(printableName('Kebakkramat'), 'Kebakkramat'));
});

describe('detectDelimiter', () => {
  test('semicolon header', () => assert.equal(detectDelimiter('id;keluhan;tanggal\n1;a,b,c;x\n'), ';'));
  test('comma header', () => assert.equal(detectDelimiter('id,keluhan,tanggal\n'), ','));
  test('quoted delimiters ignored', () => assert.equal(detectDelimiter('"a;b;c;d",e,f\n'), ','));
  test('single column', () => assert.equal(detectDelimiter('keluhan\n'), ','));
});

describe('ProgressDisplay', () => {
  const counts = { imported: 190, skipped: 0, rejected: 10, total: 200 };

  test('plain lines every five seconds', () => {
    let now = 0;
    const { io, stderr } = captureIo(false);
    const progress = new ProgressDisplay(io.stderr, () => 0.5, () => now);
    now = 1_000;
    progress.update(counts);
    assert.equal(stderr(), '');
    now = 5_000;
    progress.update(counts);
    assert.equal(stderr(), 'import: 200 rows read (50% of the file), 40 rows/s; imported 190, skipped 0, rejected 10\n');
  });

  test('bar redrawn on a terminal', () => {
    let now = 0;
    const { io, stderr } = captureIo(true);
    const progress = new ProgressDisplay(io.stderr, () => 0.5, () => now);
    now = 200;
    progress.update(counts);
    progress.finish();
    assert.equal(stderr(), `\r\x1b[K[${'#'.repeat(15)}${'-'.repeat(15)}]  50% 200 rows, 1000 rows/s (imported 190, skipped 0, rejected 10)\r\x1b[K`);
  });
});

describe('Surabaya Media Center file (pglite)', () => {
  const present = fs.existsSync(SURABAYA_CSV);
  if (!present) {
    test('Surabaya file', { skip: `${SURABAYA_CSV} is absent; this test needs the shared complaint data next to the repository` }, () => {});
    return;
  }

  const WIB = '+07:00';
  const sourceRows = parse(fs.readFileSync(SURABAYA_CSV), { columns: true }) as Array<Record<string, string>>;
  const instant = (wallClock: string) => new Date(`${wallClock.replace(' ', 'T')}${WIB}`);
  // Rejections computed here without the importer: text outside 10–5000
  // characters, or an answer dated before the complaint.
  const expectedRejected = new Set(
    sourceRows
      .filter((row) => {
        const length = row.keluhan.trim().length;
        const answeredEarly = row.tanggal_ditanggapi !== '' && instant(row.tanggal_ditanggapi) < instant(row.tanggal_keluhan);
        return length < 10 || length > 5000 || answeredEarly;
      })
      .map((row) => row.id),
  );
  const importedRows = sourceRows.filter((row) => !expectedRejected.has(row.id));
  const answeredRows = importedRows.filter((row) => row.tanggal_ditanggapi !== '');

  let database: TestDatabase;
  const dir = temporaryDir();
  let firstStdout = '';
  let firstStderr = '';

  before(async () => {
    database = await createTestDatabase('pglite');
    const { io, stdout, stderr } = captureIo();
    const code = await runImportCli([SURABAYA_CSV, '--mapping', SURABAYA_MAPPING, '--report', path.join(dir, 'first.csv')], usingDatabase(database), io);
    assert.equal(code, 0, stderr());
    firstStdout = stdout();
    firstStderr = stderr();
  });
  after(async () => {
    await database?.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('every row accounted for', async () => {
    assert.equal(sourceRows.length, 4595);
    const summary = summaryLine(firstStdout);
    const [imported, skipped, rejected, total] = summary.match(/\d+/g)!.map(Number);
    assert.equal(summary, `imported ${imported}, skipped (already imported) ${skipped}, rejected ${rejected}, total ${total}`);
    assert.equal(total, 4595);
    assert.equal(skipped, 0);
    assert.equal(imported + rejected, 4595);
    assert.equal(rejected, expectedRejected.size);
    assert.equal(imported, importedRows.length);
    const stored = await database.db.selectFrom('complaints').select('id').where('external_source', '=', 'surabaya-mediacenter').execute();
    assert.equal(stored.length, imported);
  });

  test('rejected rows have reasons', () => {
    const report = readReport(path.join(dir, 'first.csv'));
    assert.deepEqual(new Set(report.map((line) => line.external_id)), expectedRejected);
    for (const line of report) {
      assert.ok(line.reason.length > 10, `row ${line.row} has a reason`);
      const sourceRow = sourceRows[Number(line.row) - 2];
      assert.equal(sourceRow.id, line.external_id, `report row ${line.row} points at the right line`);
    }
  });

  test('response times match the file', async () => {
    const sample = answeredRows.filter((_, position) => position % 40 === 0);
    assert.ok(sample.length > 100);
    const stored = await database.db
      .selectFrom('complaints')
      .select(['external_id', 'received_at', 'first_response_at', 'resolved_at', 'status'])
      .where('external_source', '=', 'surabaya-mediacenter')
      .where('external_id', 'in', sample.map((row) => row.id))
      .execute();
    const byId = new Map(stored.map((row) => [row.external_id, row]));
    for (const row of sample) {
      const complaint = byId.get(row.id);
      assert.ok(complaint, `complaint ${row.id} stored`);
      const expectedMs = Date.parse(`${row.tanggal_ditanggapi.replace(' ', 'T')}Z`) - Date.parse(`${row.tanggal_keluhan.replace(' ', 'T')}Z`);
      assert.equal(complaint.first_response_at!.getTime() - complaint.received_at.getTime(), expectedMs, `response time of ${row.id}`);
      assert.equal(complaint.received_at.toISOString(), instant(row.tanggal_keluhan).toISOString());
      assert.equal(complaint.resolved_at?.getTime(), complaint.first_response_at?.getTime());
      assert.equal(complaint.status, 'closed', 'answered in 2022-2023, so the reply window has ended');
    }
  });

  test('statuses and events match answers', async () => {
    const counts = await sql<{ status: string; count: number }>`
      select status, count(*)::int as count from complaints where external_source = 'surabaya-mediacenter' group by status`.execute(database.db);
    const byStatus = Object.fromEntries(counts.rows.map((row) => [row.status, row.count]));
    assert.deepEqual(byStatus, { closed: answeredRows.length, new: importedRows.length - answeredRows.length });
    const events = await sql<{ type: string; count: number }>`
      select e.type, count(*)::int as count from complaint_events e join complaints c on c.id = e.complaint_id
      where c.external_source = 'surabaya-mediacenter' group by e.type`.execute(database.db);
    const byType = Object.fromEntries(events.rows.map((row) => [row.type, row.count]));
    assert.deepEqual(byType, { received: importedRows.length, resolved: answeredRows.length, closed: answeredRows.length });
  });

  test('Surabaya places kept as names', async () => {
    const withCodes = await database.db
      .selectFrom('complaints')
      .select('id')
      .where('external_source', '=', 'surabaya-mediacenter')
      .where((eb) => eb.or([eb('district_code', 'is not', null), eb('village_code', 'is not', null)]))
      .execute();
    assert.equal(withCodes.length, 0);
    const sample = importedRows.filter((_, position) => position % 500 === 0);
    for (const row of sample) {
      const complaint = await complaintByExternalId(database, 'surabaya-mediacenter', row.id);
      const [received] = await eventsOf(database, complaint.id);
      assert.equal(received.data.sourceDistrict, row.kecamatan);
      assert.equal(received.data.sourceVillage, row.kelurahan);
    }
    assert.match(firstStdout, /31 kecamatan names on \d+ rows match no kecamatan/);
  });

  test('Surabaya agencies created apart', async () => {
    const created = await database.db.selectFrom('agencies').select(['code', 'active']).where('code', 'like', 'sby-%').execute();
    assert.equal(created.length, new Set(importedRows.map((row) => row.instansi)).size);
    assert.ok(created.every((agency) => !agency.active));
    // Surabaya's Dinas Kesehatan is not Karanganyar's.
    const dinkes = await database.db.selectFrom('agencies').select('id').where('code', '=', 'dinkes').executeTakeFirstOrThrow();
    const onKaranganyar = await database.db
      .selectFrom('complaints')
      .select('id')
      .where('external_source', '=', 'surabaya-mediacenter')
      .where('agency_id', '=', dinkes.id)
      .execute();
    assert.equal(onKaranganyar.length, 0);
  });

  test('progress reported on stderr', () => {
    assert.match(firstStderr, /^Importing surabaya-mediacenter\.csv: CSV \(delimiter ",", utf8\)/);
  });

  test('second run adds nothing', async () => {
    const complaints = await countRows(database, 'complaints');
    const events = await countRows(database, 'complaint_events');
    const agencies = await countRows(database, 'agencies');
    const { io, stdout } = captureIo();

    const code = await runImportCli([SURABAYA_CSV, '--mapping', SURABAYA_MAPPING, '--report', path.join(dir, 'second.csv')], usingDatabase(database), io);

    assert.equal(code, 0);
    assert.equal(
      summaryLine(stdout()),
      `imported 0, skipped (already imported) ${importedRows.length}, rejected ${expectedRejected.size}, total 4595`,
    );
    assert.match(stdout(), /Nothing new/);
    assert.equal(await countRows(database, 'complaints'), complaints);
    assert.equal(await countRows(database, 'complaint_events'), events);
    assert.equal(await countRows(database, 'agencies'), agencies);
  });
});
