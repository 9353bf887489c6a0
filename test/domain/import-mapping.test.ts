import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';

import {
  generateCode,
  inferAgencyKind,
  LocationIndex,
  MappingError,
  normalizeName,
  parseDateTime,
  parseMapping,
  readRow,
  resolveColumns,
  type CellValue,
  type ImportMapping,
  type RowResult,
} from '../../src/domain/import-mapping.ts';

const repoRoot = new URL('../../', import.meta.url);
const readJson = async (path: string): Promise<unknown> => JSON.parse(await readFile(new URL(path, repoRoot), 'utf8'));

const surabaya = parseMapping(await readJson('mappings/surabaya-mediacenter.json'), 'surabaya');
const karanganyar = parseMapping(await readJson('test/fixtures/import/karanganyar.mapping.json'), 'karanganyar');

const SURABAYA_HEADER = ['id', 'keluhan', 'tanggal_keluhan', 'tanggal_ditanggapi', 'group_hari_respon_keluhan', 'topik', 'instansi', 'kecamatan', 'kelurahan'];
const limits = { descriptionMin: 10, descriptionMax: 5000, now: new Date('2026-01-01T00:00:00Z') };

/** Builds a Surabaya-shaped row with the given overrides. */
function surabayaRow(overrides: Partial<Record<(typeof SURABAYA_HEADER)[number], CellValue>> = {}): CellValue[] {
  const values: Record<string, CellValue> = {
    id: '9001',
    keluhan: 'Lampu jalan di gang tiga padam sejak kemarin malam.',
    tanggal_keluhan: '2022-01-01 00:29:00',
    tanggal_ditanggapi: '2022-01-03 10:00:00',
    group_hari_respon_keluhan: '1 Sampai 3 Hari',
    topik: 'PJU',
    instansi: 'Dinas Sumber Daya Air dan Bina Marga',
    kecamatan: 'Wonocolo',
    kelurahan: 'Jemur Wonosari',
    ...overrides,
  };
  return SURABAYA_HEADER.map((column) => values[column]);
}

const surabayaColumns = resolveColumns(surabaya, SURABAYA_HEADER);
const read = (cells: CellValue[]): RowResult => readRow(surabaya, surabayaColumns, cells, limits);

function rejectionOf(result: RowResult): string {
  assert.equal(result.ok, false, 'row should be rejected');
  return (result as { reason: string }).reason;
}

describe('parseMapping', () => {
  test('Surabaya mapping fields', () => {
    assert.equal(surabaya.source, 'surabaya-mediacenter');
    assert.equal(surabaya.columns.description, 'keluhan');
    assert.equal(surabaya.columns.answeredAt, 'tanggal_ditanggapi');
    assert.deepEqual(surabaya.dates, { formats: ['YYYY-MM-DD HH:mm:ss'], timeZone: 'Asia/Jakarta' });
    assert.equal(surabaya.agencies.codePrefix, 'sby-');
    assert.equal(surabaya.categories.codePrefix, 'sby-');
    assert.deepEqual(surabaya.createUnknown, { agencies: true, categories: true });
    assert.equal(surabaya.channel, 'import');
  });

  test('value maps use normalised names', () => {
    assert.equal(karanganyar.agencies.values.get('dpu'), 'dpupr');
    assert.equal(karanganyar.categories.values.get('pju'), 'penerangan-jalan');
    assert.equal(karanganyar.channels.get('wa'), 'whatsapp');
    assert.deepEqual(karanganyar.createUnknown, { agencies: false, categories: false });
  });

  test('lists every problem at once', () => {
    const bad = {
      columns: { description: 'text', receivedAt: 7, colour: 'c' },
      dates: { format: 'YY-MM-DD', timeZone: 'Mars/Olympus' },
      createUnknown: { agencies: 'yes' },
      agencies: { codePrefix: 'SBY ' },
      channel: 'pigeon',
      typo: true,
    };
    assert.throws(() => parseMapping(bad, 'bad.json'), (error: unknown) => {
      assert.ok(error instanceof MappingError);
      const text = error.message;
      assert.match(text, /^Mapping bad\.json is invalid:/);
      assert.match(text, /"source" is missing/);
      assert.match(text, /columns\.externalId is missing/);
      assert.match(text, /columns\.receivedAt must be a column name/);
      assert.match(text, /unknown field "colour"/);
      assert.match(text, /dates\.format "YY-MM-DD": .*stray/);
      assert.match(text, /dates\.timeZone must be an IANA time zone/);
      assert.match(text, /createUnknown\.agencies must be true or false/);
      assert.match(text, /agencies\.codePrefix must be lower-case/);
      assert.match(text, /"channel" must be one of/);
      assert.match(text, /unknown key "typo"/);
      assert.ok(error.problems.length >= 10, `expected at least 10 problems, got ${error.problems.length}`);
      return true;
    });
  });

  test('rejects a value mapped twice', () => {
    const mapping = {
      source: 's',
      columns: { externalId: 'a', description: 'b', receivedAt: 'c' },
      dates: { format: 'YYYY-MM-DD', timeZone: 'Asia/Jakarta' },
      agencies: { values: { 'Dinas A': 'a', 'dinas  a': 'b' } },
    };
    assert.throws(() => parseMapping(mapping), /maps "dinas {2}a" twice/);
  });

  test('rejects a format without a day', () => {
    const mapping = { source: 's', columns: { externalId: 'a', description: 'b', receivedAt: 'c' }, dates: { format: 'YYYY-MM', timeZone: 'Asia/Jakarta' } };
    assert.throws(() => parseMapping(mapping), /needs a year \(YYYY\), a month \(MM or M\) and a day/);
  });
});

describe('resolveColumns', () => {
  test('finds mapped columns by position', () => {
    assert.deepEqual(surabayaColumns, {
      externalId: 0, description: 1, receivedAt: 2, answeredAt: 3, category: 5, agency: 6, district: 7, village: 8,
    });
  });

  test('matches names ignoring case and spaces', () => {
    const columns = resolveColumns(surabaya, SURABAYA_HEADER.map((name) => ` ${name.toUpperCase()} `));
    assert.equal(columns.receivedAt, 2);
  });

  test('missing column lists existing columns', () => {
    const header = ['id', 'keluhan', 'tanggal', 'instansi', 'topik', 'kecamatan', 'kelurahan', 'tanggal_ditanggapi'];
    assert.throws(() => resolveColumns(surabaya, header), (error: unknown) => {
      assert.ok(error instanceof MappingError);
      assert.match(error.message, /column "tanggal_keluhan" \(receivedAt\) is missing/);
      assert.match(error.message, /Columns in the file: "id", "keluhan", "tanggal", "instansi"/);
      assert.doesNotMatch(error.message, /"instansi" \(agency\) is missing/);
      return true;
    });
  });

  test('duplicate column is ambiguous', () => {
    assert.throws(() => resolveColumns(surabaya, [...SURABAYA_HEADER, 'keluhan']), /column "keluhan" \(description\) appears 2 times/);
  });
});

describe('parseDateTime', () => {
  const wib = 'Asia/Jakarta';
  const cases: Array<[string, string | Date, string[], string, string | undefined]> = [
    ['WIB wall clock', '2022-01-01 00:29:00', ['YYYY-MM-DD HH:mm:ss'], wib, '2021-12-31T17:29:00.000Z'],
    ['WITA wall clock', '2022-01-01 08:00:00', ['YYYY-MM-DD HH:mm:ss'], 'Asia/Makassar', '2022-01-01T00:00:00.000Z'],
    ['fixed offset', '2022-01-01 08:00:00', ['YYYY-MM-DD HH:mm:ss'], '+07:00', '2022-01-01T01:00:00.000Z'],
    ['day first, short parts', '3/1/2023 8:05', ['D/M/YYYY H:mm'], wib, '2023-01-03T01:05:00.000Z'],
    ['date only is midnight', '2023-01-03', ['YYYY-MM-DD HH:mm', 'YYYY-MM-DD'], wib, '2023-01-02T17:00:00.000Z'],
    ['second format tried', '03/01/2023', ['YYYY-MM-DD', 'DD/MM/YYYY'], wib, '2023-01-02T17:00:00.000Z'],
    ['ISO 8601 keeps its offset', '2023-01-03T08:00:00+08:00', ['ISO8601'], wib, '2023-01-03T00:00:00.000Z'],
    ['spreadsheet date cell', new Date(Date.UTC(2023, 2, 1, 8, 0)), ['YYYY-MM-DD'], wib, '2023-03-01T01:00:00.000Z'],
    ['cell with float error', new Date(Date.UTC(2023, 2, 1, 8, 0) - 1), ['YYYY-MM-DD'], wib, '2023-03-01T01:00:00.000Z'],
    ['30 February', '2023-02-30 10:00:00', ['YYYY-MM-DD HH:mm:ss'], wib, undefined],
    ['29 February 2023', '2023-02-29', ['YYYY-MM-DD'], wib, undefined],
    ['hour 24', '2023-01-01 24:00:00', ['YYYY-MM-DD HH:mm:ss'], wib, undefined],
    ['minute 60', '2023-01-01 10:60:00', ['YYYY-MM-DD HH:mm:ss'], wib, undefined],
    ['other layout', '01-03-2023 10:00:00', ['YYYY-MM-DD HH:mm:ss'], wib, undefined],
    ['trailing text', '2023-01-01 10:00:00 WIB', ['YYYY-MM-DD HH:mm:ss'], wib, undefined],
    ['words', 'kemarin sore', ['YYYY-MM-DD HH:mm:ss'], wib, undefined],
    ['ISO without offset', '2023-01-03T08:00:00', ['ISO8601'], wib, undefined],
    ['skipped by daylight saving', '2022-03-13 02:30:00', ['YYYY-MM-DD HH:mm:ss'], 'America/New_York', undefined],
    ['invalid Date cell', new Date(Number.NaN), ['YYYY-MM-DD'], wib, undefined],
  ];
  for (const [name, value, formats, zone, expected] of cases) {
    test(name, () => {
      assert.equal(parseDateTime(value, formats, zone)?.toISOString(), expected);
    });
  }
});

describe('readRow', () => {
  test('control characters dropped or rejected', () => {
    assert.match(rejectionOf(read(surabayaRow({ id: '90\u000001' }))), /external id \(column "id"\) contains control characters/);
    assert.match(rejectionOf(read(surabayaRow({ keluhan: '\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000b\u000c\u000e\u000f' }))),
      /is empty/, 'a text of control characters only is empty, as at intake');
    const cleaned = read(surabayaRow({ keluhan: 'Lampu jalan\u0000 di gang tiga padam.', instansi: 'Dinas\u0000 Kesehatan' }));
    assert.ok(cleaned.ok, 'the row is kept');
    assert.equal(cleaned.row.description, 'Lampu jalan di gang tiga padam.');
    assert.equal(cleaned.row.agencyName, 'Dinas Kesehatan');
  });

  test('valid answered row', () => {
    const result = read(surabayaRow());
    assert.ok(result.ok);
    const { row } = result;
    assert.equal(row.externalSource, 'surabaya-mediacenter');
    assert.equal(row.externalId, '9001');
    assert.equal(row.receivedAt.toISOString(), '2021-12-31T17:29:00.000Z');
    assert.equal(row.answeredAt?.toISOString(), '2022-01-03T03:00:00.000Z');
    assert.equal(row.agencyName, 'Dinas Sumber Daya Air dan Bina Marga');
    assert.equal(row.categoryName, 'PJU');
    assert.equal(row.districtName, 'Wonocolo');
    assert.equal(row.villageName, 'Jemur Wonosari');
    assert.equal(row.channel, 'import');
  });

  test('unanswered row has no answer', () => {
    const result = read(surabayaRow({ tanggal_ditanggapi: '  ', topik: '' }));
    assert.ok(result.ok);
    assert.equal(result.row.answeredAt, undefined);
    assert.equal(result.row.categoryName, undefined);
  });

  test('bad received date', () => {
    const reason = rejectionOf(read(surabayaRow({ tanggal_keluhan: '2022-02-30 10:00:00' })));
    assert.match(reason, /received-at \(column "tanggal_keluhan"\) "2022-02-30 10:00:00" is not a valid date in the format "YYYY-MM-DD HH:mm:ss"/);
  });

  test('bad answered date', () => {
    const reason = rejectionOf(read(surabayaRow({ tanggal_ditanggapi: '17/01/2022' })));
    assert.match(reason, /answered-at \(column "tanggal_ditanggapi"\) "17\/01\/2022" is not a valid date/);
  });

  test('answered before received', () => {
    const result = read(surabayaRow({ tanggal_keluhan: '2022-02-19 00:37:00', tanggal_ditanggapi: '2021-10-15 00:01:53' }));
    assert.match(rejectionOf(result), /answered-at .* "2021-10-15 00:01:53" is before received-at .* "2022-02-19 00:37:00"/);
    assert.equal((result as { externalId: string }).externalId, '9001');
  });

  test('answered at the same instant', () => {
    const result = read(surabayaRow({ tanggal_ditanggapi: '2022-01-01 00:29:00' }));
    assert.ok(result.ok);
    assert.equal(result.row.answeredAt?.getTime(), result.row.receivedAt.getTime());
  });

  test('empty received date', () => {
    assert.match(rejectionOf(read(surabayaRow({ tanggal_keluhan: '' }))), /received-at \(column "tanggal_keluhan"\) is empty/);
  });

  test('future date', () => {
    assert.match(rejectionOf(read(surabayaRow({ tanggal_ditanggapi: '2027-01-01 00:00:00' }))), /lies in the future/);
  });

  test('empty text', () => {
    assert.match(rejectionOf(read(surabayaRow({ keluhan: ' \n ' }))), /description \(column "keluhan"\) is empty/);
  });

  test('text too short', () => {
    assert.match(rejectionOf(read(surabayaRow({ keluhan: 'PJU mati' }))), /has 8 characters; at least 10 are required/);
  });

  test('text too long', () => {
    assert.match(rejectionOf(read(surabayaRow({ keluhan: 'a'.repeat(5001) }))), /has 5001 characters; at most 5000 are allowed/);
  });

  test('empty external id', () => {
    assert.match(rejectionOf(read(surabayaRow({ id: '' }))), /external id \(column "id"\) is empty/);
  });

  test('several reasons joined', () => {
    const reason = rejectionOf(read(surabayaRow({ keluhan: '', tanggal_keluhan: 'x' })));
    assert.equal(reason.split('; ').length, 2);
  });

  test('channel mapped and unknown', () => {
    const header = ['no', 'uraian', 'tgl_masuk', 'tgl_jawab', 'opd', 'kategori', 'kec', 'desa', 'kanal'];
    const columns = resolveColumns(karanganyar, header);
    const row = (kanal: string) => ['K-1', 'Lampu jalan padam di gang.', '03/01/2023 08:15', '', 'DPU', 'PJU', 'Jaten', 'Jaten', kanal];
    const mapped = readRow(karanganyar, columns, row('wa'), limits);
    assert.ok(mapped.ok);
    assert.equal(mapped.row.channel, 'whatsapp');
    const direct = readRow(karanganyar, columns, row('sms'), limits);
    assert.ok(direct.ok);
    assert.equal(direct.row.channel, 'sms');
    const empty = readRow(karanganyar, columns, row(''), limits);
    assert.ok(empty.ok);
    assert.equal(empty.row.channel, 'import');
    assert.match(rejectionOf(readRow(karanganyar, columns, row('Merpati pos'), limits)), /channel \(column "kanal"\) "Merpati pos" is not a channel/);
  });
});

describe('generateCode', () => {
  const none = () => false;
  test('prefix and slug', () => {
    assert.equal(generateCode('sby-', 'Dinas Lingkungan Hidup', none), 'sby-dinas-lingkungan-hidup');
  });

  test('punctuation and accents', () => {
    assert.equal(generateCode('', 'Trotoar / Pedestrian & Café', none), 'trotoar-pedestrian-cafe');
  });

  test('suffix when taken', () => {
    const taken = new Set(['sby-pju', 'sby-pju-2']);
    assert.equal(generateCode('sby-', 'PJU', (code) => taken.has(code)), 'sby-pju-3');
  });

  test('long names cut at a word', () => {
    const code = generateCode('sby-', 'Alih Daya, Perjanjian Kerja Waktu Tertentu, Peraturan Perusahaan dan Perjanjian Kerja Bersama', none);
    assert.equal(code, 'sby-alih-daya-perjanjian-kerja-waktu-tertentu');
  });

  test('name without letters', () => {
    assert.equal(generateCode('x-', '???', none), 'x-unnamed');
  });
});

test('inferAgencyKind first word', () => {
  assert.equal(inferAgencyKind('Kelurahan Gundih'), 'kelurahan');
  assert.equal(inferAgencyKind('kecamatan  Wonocolo'), 'kecamatan');
  assert.equal(inferAgencyKind('Badan Pendapatan Daerah'), 'badan');
  assert.equal(inferAgencyKind('Bagian Hukum dan Kerjasama'), 'unit');
});

test('normalizeName folds case and spaces', () => {
  assert.equal(normalizeName('  Dinas\t Lingkungan  HIDUP '), 'dinas lingkungan hidup');
});

describe('LocationIndex', async () => {
  const wilayah = parse(await readFile(new URL('../shared/data/wilayah/karanganyar-kemendagri-2025.csv', repoRoot)), { columns: true }) as Array<
    Record<string, string>
  >;
  const index = new LocationIndex(
    wilayah.filter((row) => row.level === 'kecamatan').map((row) => ({ code: row.kode, name: row.nama })),
    wilayah.filter((row) => row.level === 'desa_kelurahan').map((row) => ({ code: row.kode, districtCode: row.kode_kecamatan, name: row.nama })),
  );

  test('case-insensitive match', () => {
    assert.deepEqual(index.match('JATEN', 'jaten'), { districtCode: '33.13.11', villageCode: '33.13.11.2003' });
  });

  test('written prefixes ignored', () => {
    assert.deepEqual(index.match('Kec. Karanganyar', 'Kel. Cangakan'), { districtCode: '33.13.09', villageCode: '33.13.09.1006' });
  });

  test('village of another kecamatan', () => {
    assert.deepEqual(index.match('Jaten', 'Cangakan'), { districtCode: '33.13.11', villageCode: null });
  });

  test('repeated village name resolves per kecamatan', () => {
    const dayu = wilayah.filter((row) => row.nama === 'Dayu');
    assert.ok(dayu.length >= 2, 'the reference data has Dayu in two kecamatan');
    for (const row of dayu) {
      assert.equal(index.match(row.nama_kecamatan, 'Dayu').villageCode, row.kode);
    }
  });

  test('Surabaya names unmatched', () => {
    assert.deepEqual(index.match('Wonocolo', 'Jemur Wonosari'), { districtCode: null, villageCode: null });
  });

  test('village without kecamatan', () => {
    assert.deepEqual(index.match(undefined, 'Jaten'), { districtCode: null, villageCode: null });
  });
});
