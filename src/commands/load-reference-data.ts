/**
 * Loads Karanganyar's reference data from `seed/` into an empty database:
 * kecamatan, desa and kelurahan, the holiday calendar, agencies (OPD) and
 * categories with their routing. Rows that already exist are left as the
 * administrator edited them, so running it again changes nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { parseHolidayCsv } from '../domain/calendar.ts';
import type { Complexity } from '../domain/types.ts';
import { invalidateCalendarCache } from './deadlines.ts';

export const SEED_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../seed');

interface WilayahRow {
  kode: string;
  nama: string;
  level: string;
  jenis: string;
  kode_kecamatan: string;
}

interface SeedAgency { code: string; name: string; kind: string }
interface SeedCategory { code: string; name: string; nameEn: string; agency: string | null; complexity: Complexity; oversight?: boolean }

export interface ReferenceDataCounts {
  districts: number;
  villages: number;
  holidays: number;
  agencies: number;
  categories: number;
}

export function slugify(name: string): string {
  return name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

export async function loadReferenceData(db: Kysely<DB>, seedDir = SEED_DIR): Promise<ReferenceDataCounts> {
  const wilayah = parse(fs.readFileSync(path.join(seedDir, 'karanganyar-kemendagri-2025.csv'), 'utf8'), {
    columns: true,
    skip_empty_lines: true,
  }) as WilayahRow[];
  const districts = wilayah.filter((row) => row.level === 'kecamatan');
  const villages = wilayah.filter((row) => row.level === 'desa_kelurahan');
  const holidays = parseHolidayCsv(fs.readFileSync(path.join(seedDir, 'id-holidays-2022-2026.csv'), 'utf8'));
  const agencies = JSON.parse(fs.readFileSync(path.join(seedDir, 'agencies.json'), 'utf8')) as SeedAgency[];
  const categories = JSON.parse(fs.readFileSync(path.join(seedDir, 'categories.json'), 'utf8')) as SeedCategory[];

  // Every kecamatan and kelurahan is an agency (OPD) of its own.
  for (const district of districts) {
    agencies.push({ code: `kec-${slugify(district.nama)}`, name: `Kecamatan ${district.nama}`, kind: 'kecamatan' });
  }
  for (const village of villages.filter((row) => row.jenis === 'kelurahan')) {
    agencies.push({ code: `kel-${slugify(village.nama)}`, name: `Kelurahan ${village.nama}`, kind: 'kelurahan' });
  }

  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('districts')
      .values(districts.map((row) => ({ code: row.kode, name: row.nama })))
      .onConflict((oc) => oc.column('code').doNothing())
      .execute();
    await trx
      .insertInto('villages')
      .values(villages.map((row) => ({
        code: row.kode,
        district_code: row.kode_kecamatan,
        name: row.nama,
        kind: row.jenis === 'kelurahan' ? ('kelurahan' as const) : ('desa' as const),
      })))
      .onConflict((oc) => oc.column('code').doNothing())
      .execute();
    await trx
      .insertInto('holidays')
      .values(holidays.map((holiday) => ({
        date: holiday.date,
        kind: holiday.kind,
        name: holiday.name,
        basis: holiday.basis ?? null,
        note: holiday.note ?? null,
      })))
      .onConflict((oc) => oc.column('date').doNothing())
      .execute();
    const years = [...new Set(holidays.map((holiday) => Number(holiday.date.slice(0, 4))))];
    await trx
      .insertInto('calendar_years')
      .values(years.map((year) => ({ year })))
      .onConflict((oc) => oc.column('year').doNothing())
      .execute();
    await trx
      .insertInto('agencies')
      .values(agencies.map((agency) => ({ code: agency.code, name: agency.name, kind: agency.kind })))
      .onConflict((oc) => oc.column('code').doNothing())
      .execute();
    const agencyIds = new Map((await trx.selectFrom('agencies').select(['id', 'code']).execute()).map((row) => [row.code, row.id]));
    await trx
      .insertInto('categories')
      .values(categories.map((category) => ({
        code: category.code,
        name: category.name,
        name_en: category.nameEn,
        agency_id: category.agency ? (agencyIds.get(category.agency) ?? null) : null,
        complexity: category.complexity,
        oversight: category.oversight ?? false,
      })))
      .onConflict((oc) => oc.column('code').doNothing())
      .execute();
  });
  invalidateCalendarCache();
  return { districts: districts.length, villages: villages.length, holidays: holidays.length, agencies: agencies.length, categories: categories.length };
}
