/**
 * Per-process cache of the reference data that every intake reads:
 * categories, kecamatan (districts) and desa/kelurahan (villages). Without it
 * an intake spent two to three of its nine SQL round trips on these lookups.
 *
 * Like the holiday calendar in `deadlines.ts`, an entry lives for
 * REFERENCE_CACHE_MS. An edit made through this process (`saveCategory`)
 * clears every entry at once. Other processes see the edit only when their
 * entry expires, so for up to 30 s they may still file a report under a
 * category that was just deactivated. A code that is not in the cache is
 * looked up in the database before it is rejected, so a category or village
 * added anywhere is usable at once.
 */
import type { Kysely } from 'kysely';
import type { Category, DB } from '../db/schema.ts';

const REFERENCE_CACHE_MS = 30_000;

export interface ReferenceData {
  /** Active categories only, as intake accepts them. */
  activeCategoriesByCode: ReadonlyMap<string, Category>;
  districtCodes: ReadonlySet<string>;
  /** District code of each village. */
  villageDistricts: ReadonlyMap<string, string>;
}

interface CacheEntry {
  data: ReferenceData;
  loadedAt: number;
  generation: number;
}

// Keyed by the Kysely dialect adapter, which a `Kysely` instance shares with
// every transaction it opens. So commands that only hold a transaction hit
// the same entry, and two databases open in one process (as in the tests)
// never see each other's rows.
const cache = new WeakMap<object, CacheEntry>();
const loading = new WeakMap<object, Promise<CacheEntry>>();
let generation = 0;

// NOTE: `getExecutor()` is marked internal in Kysely 0.28. Should it change,
// keying by the root `Kysely` instance keeps the cache for callers outside a transaction.
function cacheKey(db: Kysely<DB>): object {
  return db.getExecutor().adapter;
}

/** Drops every cached entry, for every database of this process. */
export function invalidateReferenceCache(): void {
  generation += 1;
}

/**
 * Returns the cached reference data of `db`'s database, loading it when it is
 * missing or stale. Inside a transaction only a fresh entry is returned (else
 * undefined): a load there could cache rows that the transaction wrote and
 * may still roll back.
 */
export async function loadReferenceData(db: Kysely<DB>, now = Date.now()): Promise<ReferenceData | undefined> {
  const key = cacheKey(db);
  const entry = cache.get(key);
  if (entry && entry.generation === generation && now - entry.loadedAt < REFERENCE_CACHE_MS) return entry.data;
  if (db.isTransaction) return undefined;

  // Concurrent requests after an expiry share one load instead of each reading the tables.
  let pending = loading.get(key);
  if (!pending) {
    pending = readReferenceData(db, now).finally(() => loading.delete(key));
    loading.set(key, pending);
  }
  const loaded = await pending;
  cache.set(key, loaded);
  return loaded.data;
}

async function readReferenceData(db: Kysely<DB>, now: number): Promise<CacheEntry> {
  const startGeneration = generation;
  const [categories, districts, villages] = await Promise.all([
    db.selectFrom('categories').selectAll().where('active', '=', true).execute(),
    db.selectFrom('districts').select('code').execute(),
    db.selectFrom('villages').select(['code', 'district_code']).execute(),
  ]);
  const data: ReferenceData = {
    activeCategoriesByCode: new Map(categories.map((row) => [row.code, row])),
    districtCodes: new Set(districts.map((row) => row.code)),
    villageDistricts: new Map(villages.map((row) => [row.code, row.district_code])),
  };
  // An invalidation during the load marks this result stale at once.
  return { data, loadedAt: now, generation: startGeneration };
}

/** Active category by code: from the cache, else from the database; undefined when unknown or inactive. */
export async function findActiveCategory(db: Kysely<DB>, code: string): Promise<Category | undefined> {
  const cached = (await loadReferenceData(db))?.activeCategoriesByCode.get(code);
  if (cached) return cached;
  return db.selectFrom('categories').selectAll().where('code', '=', code).where('active', '=', true).executeTakeFirst();
}

/** True when the district exists. */
export async function districtExists(db: Kysely<DB>, code: string): Promise<boolean> {
  if ((await loadReferenceData(db))?.districtCodes.has(code)) return true;
  const row = await db.selectFrom('districts').select('code').where('code', '=', code).executeTakeFirst();
  return row !== undefined;
}

/** District code of a village, or undefined when the village does not exist. */
export async function villageDistrict(db: Kysely<DB>, code: string): Promise<string | undefined> {
  const cached = (await loadReferenceData(db))?.villageDistricts.get(code);
  if (cached) return cached;
  const row = await db.selectFrom('villages').select('district_code').where('code', '=', code).executeTakeFirst();
  return row?.district_code;
}
