/**
 * Imports historical complaints. `importComplaint` stores one complaint as it
 * happened: the `received` event at its historical time and, when it was
 * answered, a `resolved` event at the answer's time by the mapped agency.
 * `importRows` runs a whole file: it validates each row, resolves agency,
 * category and location names, skips rows imported before (same external
 * source and id), and writes the rest in transactions of `batchSize` rows.
 * Every row ends as exactly one of imported, skipped or rejected.
 *
 * History is settled as it is stored, so that the deadline scan does not
 * act on the past as if it happened now. An answered complaint whose
 * auto-close period ended before the import is stored closed, with the
 * `closed` event at the end of that period. A deadline that had already
 * passed counts as missed in every report but raises no escalation: the
 * breach happened before Aduan, so the scan does not record it again and no
 * officer is notified about it.
 */
import { sql, type Kysely } from 'kysely';
import type { Category, Complaint, DB } from '../db/schema.ts';
import type { Channel, Complexity } from '../domain/types.ts';
import { generateTrackingCode } from '../domain/tracking-code.ts';
import {
  generateCode,
  inferAgencyKind,
  LocationIndex,
  MappingError,
  normalizeName,
  readRow,
  type CellValue,
  type ColumnIndex,
  type ImportMapping,
  type ImportRow,
  type ValueMapping,
} from '../domain/import-mapping.ts';
import { appendEvent, eventRow, type Actor, type NewEvent, type Tx } from './context.ts';
import { CommandError } from './errors.ts';
import { loadCalendar, refreshDeadlines, slaSettingsOfCategory } from './deadlines.ts';
import { computeClocks } from '../domain/sla.ts';
import type { WorkingCalendar } from '../domain/calendar.ts';
import { recomputeComplaints } from './recompute-deadlines.ts';
import { DESCRIPTION_MAX, DESCRIPTION_MIN } from './receive-complaint.ts';
import { MAX_NAME_CHARS, textLength } from '../domain/text.ts';

/** Actor of every event the import writes. */
export const IMPORT_ACTOR: Actor = { kind: 'system', reason: 'import' };

/** Rows per transaction: large enough to amortise the commit, small enough that one bad row costs little to retry. */
export const DEFAULT_BATCH_SIZE = 200;
export const MAX_BATCH_SIZE = 5000;

/** One historical complaint with every name already resolved to an id or code. */
export interface HistoricalComplaint {
  externalSource: string;
  externalId: string;
  description: string;
  receivedAt: Date;
  /** When the agency answered; the complaint is then stored as resolved. */
  answeredAt?: Date;
  channel: Channel;
  agencyId: number | null;
  category: CategoryRef | null;
  districtCode: string | null;
  villageCode: string | null;
  /** Names as the source file wrote them, kept on the `received` event. */
  source: { district?: string; village?: string; agency?: string; category?: string };
}

export interface AgencyRef { id: number; code: string }
export interface CategoryRef { id: number; code: string; agencyId: number | null; complexity: Complexity; oversight: boolean }

/**
 * Stores one historical complaint in the caller's transaction. Returns
 * `created: false`, and changes nothing, when a complaint with the same
 * external source and id exists. The caller has validated the text and the
 * dates (see `readRow`) and resolved every code. `importComplaints` stores
 * a batch the same way with a few statements.
 *
 * @example await db.transaction().execute((trx) => importComplaint(trx, complaint, new Date()));
 */
export async function importComplaint(trx: Tx, input: HistoricalComplaint, now: Date): Promise<{ complaint: Complaint; created: boolean }> {
  const category = input.category
    ? await trx.selectFrom('categories').selectAll().where('id', '=', input.category.id).executeTakeFirst()
    : undefined;
  const closedAt = autoClosedAt(input, category, await loadCalendar(trx), now);
  const complaint = await trx
    .insertInto('complaints')
    .values(complaintValues(input, now, closedAt))
    .onConflict((oc) => oc.columns(['external_source', 'external_id']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!complaint) {
    const existing = await trx
      .selectFrom('complaints')
      .selectAll()
      .where('external_source', '=', input.externalSource)
      .where('external_id', '=', input.externalId)
      .executeTakeFirstOrThrow();
    return { complaint: existing, created: false };
  }
  for (const event of historyEvents(input, complaint, closedAt)) await appendEvent(trx, complaint.id, IMPORT_ACTOR, event, now);
  await refreshDeadlines(trx, complaint, now);
  await settleMissedDeadlines(trx, [complaint.id], now);
  return { complaint, created: true };
}

/**
 * Stores a batch of historical complaints in the caller's transaction, as
 * `importComplaint` stores each, and returns the ones created. A complaint
 * whose external source and id exist is left out and changes nothing.
 * One statement inserts the complaints, one their events, and
 * `recomputeComplaints` computes every clock with one read and one write
 * per table. Per complaint, the import took about 3.7 ms, mostly waiting
 * for the 5 to 7 statements of `importComplaint` (Surabaya file on
 * PostgreSQL on the same machine).
 */
export async function importComplaints(trx: Tx, inputs: HistoricalComplaint[], now: Date): Promise<Complaint[]> {
  if (inputs.length === 0) return [];
  // Inactive categories the import created are read here too.
  const [calendar, categoryRows] = await Promise.all([loadCalendar(trx), trx.selectFrom('categories').selectAll().execute()]);
  const categories = new Map(categoryRows.map((category) => [category.id, category]));
  const closedAt = new Map(inputs.map((input) => [
    idKey(input),
    autoClosedAt(input, input.category ? categories.get(input.category.id) : undefined, calendar, now),
  ]));
  const created = await trx
    .insertInto('complaints')
    .values(inputs.map((input) => complaintValues(input, now, closedAt.get(idKey(input)) ?? null)))
    .onConflict((oc) => oc.columns(['external_source', 'external_id']).doNothing())
    .returningAll()
    .execute();
  if (created.length === 0) return [];

  const inputByKey = new Map(inputs.map((input) => [idKey(input), input]));
  const events = created.flatMap((complaint) => {
    const input = inputByKey.get(idKey({ externalSource: complaint.external_source!, externalId: complaint.external_id! }));
    if (!input) throw new Error(`imported complaint ${complaint.id} matches no row of its batch`);
    // In this order the events get increasing ids, as appendEvent gives them one by one.
    return historyEvents(input, complaint, closedAt.get(idKey(input)) ?? null).map((event) => eventRow(complaint.id, IMPORT_ACTOR, event, now));
  });
  await trx.insertInto('complaint_events').values(events).execute();

  await recomputeComplaints(trx, created, now, calendar, categories);
  await settleMissedDeadlines(trx, created.map((complaint) => complaint.id), now);
  return created;
}

/**
 * Returns when an answered complaint closed by itself before `now`: the end
 * of its auto-close period after the answer, as the deadline scan would
 * have closed it had the complaint been in Aduan. Null when it was not
 * answered or the period is still running.
 */
function autoClosedAt(input: HistoricalComplaint, category: Category | undefined, calendar: WorkingCalendar, now: Date): Date | null {
  if (!input.answeredAt) return null;
  const events = historyEvents(input, null, null).map((event) => ({ type: event.type, at: event.at!, data: event.data }));
  const settings = slaSettingsOfCategory(category, input.category?.complexity ?? null);
  const clock = computeClocks(events, settings, calendar, now).auto_close;
  return clock.dueAt !== null && clock.dueAt < now && clock.stoppedAt === undefined ? clock.dueAt : null;
}

/**
 * Marks the deadlines of imported complaints that had passed before the
 * import as already escalated and reminded, so that the deadline scan
 * records no breach and sends no notification for them. Their clocks keep
 * the status `breached`, which every report counts.
 */
async function settleMissedDeadlines(trx: Kysely<DB>, complaintIds: number[], now: Date): Promise<void> {
  if (complaintIds.length === 0) return;
  await sql`
    UPDATE complaint_deadlines SET breach_recorded = true, reminder_sent = true
    WHERE complaint_id = ANY(${complaintIds}::bigint[]) AND clock <> 'auto_close' AND stopped_at IS NULL AND due_at < ${now}`.execute(trx);
}

function historicalStatus(answeredAt: Date | null, closedAt: Date | null): 'new' | 'resolved' | 'closed' {
  if (closedAt) return 'closed';
  if (answeredAt) return 'resolved';
  return 'new';
}

/** Column values of a historical complaint's row. */
function complaintValues(input: HistoricalComplaint, now: Date, closedAt: Date | null) {
  // The complaint is inserted with its final state rather than received and
  // then updated. Each UPDATE rewrote the row's full-text and trigram index
  // entries, which cost about half the import time when measured that way.
  // Migration 0012 later dropped the trigram index.
  // Categories are set by id because the import creates inactive ones.
  const category = input.category;
  const oversight = category?.oversight ?? false;
  const answeredAt = input.answeredAt ?? null;
  return {
    tracking_code: generateTrackingCode(),
    type: null,
    category_id: category?.id ?? null,
    description: input.description,
    channel: input.channel,
    received_at: input.receivedAt,
    reporter_id: null,
    // Reports about misconduct are always confidential.
    privacy: oversight ? 'confidential' as const : 'anonymous' as const,
    oversight,
    district_code: input.districtCode,
    village_code: input.villageCode,
    latitude: null,
    longitude: null,
    agency_id: input.agencyId ?? category?.agencyId ?? null,
    complexity: category?.complexity ?? null,
    status: historicalStatus(answeredAt, closedAt),
    status_before_hold: null,
    external_source: input.externalSource,
    external_id: input.externalId,
    merged_into_id: null,
    forwarded_to: null,
    first_response_at: answeredAt,
    resolved_at: answeredAt,
    rating: null,
    created_by_user_id: null,
    updated_at: now,
  };
}

/**
 * Events of a historical complaint: `received` with the file's names,
 * `resolved` when it was answered, and `closed` when the auto-close period
 * after the answer ended before the import (`closedAt`).
 */
function historyEvents(input: HistoricalComplaint, complaint: Complaint | null, closedAt: Date | null): NewEvent[] {
  const receivedData: Record<string, unknown> = { channel: input.channel };
  if (input.source.district) receivedData.sourceDistrict = input.source.district;
  if (input.source.village) receivedData.sourceVillage = input.source.village;
  if (input.source.agency) receivedData.sourceAgency = input.source.agency;
  if (input.source.category) receivedData.sourceCategory = input.source.category;
  const events: NewEvent[] = [{ type: 'received', at: input.receivedAt, visibility: 'public', data: receivedData }];
  if (input.answeredAt) {
    events.push({ type: 'resolved', at: input.answeredAt, visibility: 'public', agencyId: complaint?.agency_id ?? null, data: { imported: true } });
  }
  if (closedAt) events.push({ type: 'closed', at: closedAt, visibility: 'public', data: { automatic: true, imported: true } });
  return events;
}

// ---------------------------------------------------------------------------
// Reference data: agencies, categories, locations

type Lookup<T> = { ok: true; ref: T | null } | { ok: false; reason: string };

/**
 * Resolves agency and category names of a file to rows of this instance, and
 * creates the missing ones when the mapping allows it. With a `codePrefix`, a
 * name matches only entries whose code starts with the prefix, so another
 * region's "Dinas Kesehatan" never lands on this regency's. Entries created
 * here are inactive until an administrator activates them, so they do not
 * appear in forms and dispatch lists. A dry run records what it would create
 * and writes nothing.
 */
export class ImportCatalog {
  readonly created = { agencies: [] as string[], categories: [] as string[] };
  /** Names that the mapping does not allow to create, with the number of rows that used them. */
  readonly unknown = { agencies: new Map<string, number>(), categories: new Map<string, number>() };

  private readonly agencyCodes = new Map<string, AgencyRef>();
  private readonly agencyNames = new Map<string, AgencyRef>();
  private readonly categoryCodes = new Map<string, CategoryRef>();
  private readonly categoryNames = new Map<string, CategoryRef>();
  private nextDryRunId = -1;

  private constructor(
    private readonly db: Kysely<DB>,
    private readonly mapping: ImportMapping,
    private readonly dryRun: boolean,
    readonly locations: LocationIndex,
  ) {}

  /**
   * Loads agencies, categories and locations, and checks that every code the
   * mapping names exists, or may be created. Throws a MappingError otherwise.
   */
  static async load(db: Kysely<DB>, mapping: ImportMapping, dryRun: boolean): Promise<ImportCatalog> {
    const [agencies, categories, districts, villages] = await Promise.all([
      db.selectFrom('agencies').select(['id', 'code', 'name']).orderBy('id').execute(),
      db.selectFrom('categories').select(['id', 'code', 'name', 'agency_id', 'complexity', 'oversight']).orderBy('id').execute(),
      db.selectFrom('districts').select(['code', 'name']).execute(),
      db.selectFrom('villages').select(['code', 'district_code', 'name']).execute(),
    ]);
    const locations = new LocationIndex(
      districts,
      villages.map((village) => ({ code: village.code, districtCode: village.district_code, name: village.name })),
    );
    const catalog = new ImportCatalog(db, mapping, dryRun, locations);
    for (const agency of agencies) {
      const ref = { id: agency.id, code: agency.code };
      catalog.agencyCodes.set(agency.code, ref);
      if (agency.code.startsWith(mapping.agencies.codePrefix)) setIfAbsent(catalog.agencyNames, normalizeName(agency.name), ref);
    }
    for (const category of categories) {
      const ref = { id: category.id, code: category.code, agencyId: category.agency_id, complexity: category.complexity, oversight: category.oversight };
      catalog.categoryCodes.set(category.code, ref);
      if (category.code.startsWith(mapping.categories.codePrefix)) setIfAbsent(catalog.categoryNames, normalizeName(category.name), ref);
    }

    const problems = [
      ...missingCodes('agencies', mapping.agencies, catalog.agencyCodes, mapping.createUnknown.agencies),
      ...missingCodes('categories', mapping.categories, catalog.categoryCodes, mapping.createUnknown.categories),
    ];
    if (problems.length > 0) throw new MappingError('The mapping names codes that do not exist in this instance:', problems);
    return catalog;
  }

  async agency(name: string | undefined): Promise<Lookup<AgencyRef>> {
    if (!name) return { ok: true, ref: null };
    const key = normalizeName(name);
    const mappedCode = this.mapping.agencies.values.get(key);
    const existing = mappedCode ? this.agencyCodes.get(mappedCode) : this.agencyNames.get(key);
    if (existing) return { ok: true, ref: existing };
    if (textLength(name) > MAX_NAME_CHARS) {
      return {
        ok: false,
        reason: `agency name has ${textLength(name)} characters, more than the ${MAX_NAME_CHARS} a name may have; shorten it in the file or map it under agencies.values`,
      };
    }
    if (!this.mapping.createUnknown.agencies) {
      this.unknown.agencies.set(name, (this.unknown.agencies.get(name) ?? 0) + 1);
      return {
        ok: false,
        reason: `agency "${name}" is not known to this instance; map it under agencies.values, create the agency first, or set createUnknown.agencies to true`,
      };
    }
    const code = mappedCode ?? generateCode(this.mapping.agencies.codePrefix, name, (candidate) => this.agencyCodes.has(candidate));
    const ref = await this.createAgency(code, name);
    this.agencyCodes.set(ref.code, ref);
    this.agencyNames.set(key, ref);
    this.created.agencies.push(ref.code);
    return { ok: true, ref };
  }

  async category(name: string | undefined): Promise<Lookup<CategoryRef>> {
    if (!name) return { ok: true, ref: null };
    const key = normalizeName(name);
    const mappedCode = this.mapping.categories.values.get(key);
    const existing = mappedCode ? this.categoryCodes.get(mappedCode) : this.categoryNames.get(key);
    if (existing) return { ok: true, ref: existing };
    if (textLength(name) > MAX_NAME_CHARS) {
      return {
        ok: false,
        reason: `category name has ${textLength(name)} characters, more than the ${MAX_NAME_CHARS} a name may have; shorten it in the file or map it under categories.values`,
      };
    }
    if (!this.mapping.createUnknown.categories) {
      this.unknown.categories.set(name, (this.unknown.categories.get(name) ?? 0) + 1);
      return {
        ok: false,
        reason: `category "${name}" is not known to this instance; map it under categories.values, create the category first, or set createUnknown.categories to true`,
      };
    }
    const code = mappedCode ?? generateCode(this.mapping.categories.codePrefix, name, (candidate) => this.categoryCodes.has(candidate));
    const ref = await this.createCategory(code, name);
    this.categoryCodes.set(ref.code, ref);
    this.categoryNames.set(key, ref);
    this.created.categories.push(ref.code);
    return { ok: true, ref };
  }

  private async createAgency(code: string, name: string): Promise<AgencyRef> {
    if (this.dryRun) return { id: this.nextDryRunId--, code };
    // Another import may create the same code at the same time; then its row is used.
    const inserted = await this.db
      .insertInto('agencies')
      .values({ code, name, kind: inferAgencyKind(name), active: false })
      .onConflict((oc) => oc.column('code').doNothing())
      .returning(['id', 'code'])
      .executeTakeFirst();
    return inserted ?? this.db.selectFrom('agencies').select(['id', 'code']).where('code', '=', code).executeTakeFirstOrThrow();
  }

  private async createCategory(code: string, name: string): Promise<CategoryRef> {
    if (this.dryRun) return { id: this.nextDryRunId--, code, agencyId: null, complexity: 'medium', oversight: false };
    await this.db
      .insertInto('categories')
      .values({ code, name, agency_id: null, active: false })
      .onConflict((oc) => oc.column('code').doNothing())
      .execute();
    const row = await this.db
      .selectFrom('categories')
      .select(['id', 'code', 'agency_id', 'complexity', 'oversight'])
      .where('code', '=', code)
      .executeTakeFirstOrThrow();
    return { id: row.id, code: row.code, agencyId: row.agency_id, complexity: row.complexity, oversight: row.oversight };
  }
}

function setIfAbsent<K, V>(map: Map<K, V>, key: K, value: V): void {
  if (!map.has(key)) map.set(key, value);
}

function missingCodes(name: 'agencies' | 'categories', mapping: ValueMapping, codes: Map<string, unknown>, mayCreate: boolean): string[] {
  if (mayCreate) return [];
  const missing = [...new Set(mapping.values.values())].filter((code) => !codes.has(code));
  return missing.map(
    (code) => `${name}.values maps to "${code}", which does not exist; create it first, fix the code, or set createUnknown.${name} to true`,
  );
}

// ---------------------------------------------------------------------------
// A whole file

/** A data row as a file reader delivers it. */
export interface SourceRow {
  /** Row number as a spreadsheet shows it: the header is row 1. */
  rowNumber: number;
  cells: (CellValue | undefined)[];
  /** Reason the reader could not split this row into the header's columns; such a row is rejected. */
  problem?: string;
}

export interface Rejection {
  rowNumber: number;
  externalId: string;
  reason: string;
}

export interface ImportCounts {
  imported: number;
  /** Rows whose external source and id were imported before. */
  skipped: number;
  rejected: number;
  total: number;
}

export interface ImportSummary extends ImportCounts {
  dryRun: boolean;
  /** Codes of agencies and categories created (or, in a dry run, that would be created). */
  createdAgencies: string[];
  createdCategories: string[];
  /** Agency and category names that were not created, with their row counts. */
  unknownAgencies: Map<string, number>;
  unknownCategories: Map<string, number>;
  /** Kecamatan names of imported rows that match no reference district, with row counts. */
  unmatchedDistricts: Map<string, number>;
  /** Imported rows whose kelurahan/desa name matched no village of the matched kecamatan, or had no matched kecamatan. */
  unmatchedVillageRows: number;
}

export interface ImportOptions {
  /** Validate and count without writing anything. */
  dryRun?: boolean;
  batchSize?: number;
  /** Current instant; rows dated later are rejected. */
  now?: Date;
  /** Receives rejected rows in file order. */
  onRejected: (rejection: Rejection) => void | Promise<void>;
  /** Called after each batch with the counts so far. */
  onProgress?: (counts: ImportCounts) => void;
}

interface PendingRow {
  rowNumber: number;
  row: ImportRow;
}

/**
 * Imports every row of a file and returns the counts. Throws when the counts
 * do not add up to the rows read, so that no row is lost silently.
 *
 * @example
 *   const summary = await importRows(db, mapping, resolveColumns(mapping, header), rows, { onRejected: writeReportLine });
 *   // summary.imported + summary.skipped + summary.rejected === summary.total
 */
export async function importRows(
  db: Kysely<DB>,
  mapping: ImportMapping,
  columns: ColumnIndex,
  rows: AsyncIterable<SourceRow>,
  options: ImportOptions,
): Promise<ImportSummary> {
  const dryRun = options.dryRun ?? false;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
    throw new RangeError(`batchSize must be a whole number from 1 to ${MAX_BATCH_SIZE}, got ${batchSize}`);
  }
  const now = options.now ?? new Date();
  const catalog = await ImportCatalog.load(db, mapping, dryRun);
  const counts: ImportCounts = { imported: 0, skipped: 0, rejected: 0, total: 0 };
  const unmatchedDistricts = new Map<string, number>();
  let unmatchedVillageRows = 0;
  const limits = { descriptionMin: DESCRIPTION_MIN, descriptionMax: DESCRIPTION_MAX, now };

  const statistics = dryRun ? undefined : await TableStatistics.start(db);
  // NOTE: in-file duplicates are found through this map, so memory grows with
  // the number of distinct external ids (roughly 100 bytes each).
  const firstRowOfId = new Map<string, number>();
  let batch: PendingRow[] = [];
  let rejections: Rejection[] = [];

  const reject = (rowNumber: number, externalId: string, reason: string) => {
    counts.rejected++;
    rejections.push({ rowNumber, externalId, reason });
  };

  const flush = async () => {
    const toInsert: Array<{ rowNumber: number; complaint: HistoricalComplaint }> = [];
    const existing = await findExisting(db, batch.map((pending) => pending.row));
    for (const { rowNumber, row } of batch) {
      if (existing.has(idKey(row))) {
        counts.skipped++;
        continue;
      }
      const resolved = await resolveNames(catalog, row);
      if (!resolved.ok) {
        reject(rowNumber, row.externalId, resolved.reason);
        continue;
      }
      const complaint = resolved.complaint;
      if (row.districtName && !complaint.districtCode) {
        unmatchedDistricts.set(row.districtName, (unmatchedDistricts.get(row.districtName) ?? 0) + 1);
      }
      if (row.villageName && !complaint.villageCode) unmatchedVillageRows++;
      toInsert.push({ rowNumber, complaint });
    }

    if (dryRun) counts.imported += toInsert.length;
    else {
      await insertBatch(db, toInsert, now, counts, reject);
      await statistics?.afterBatch(counts.imported);
    }

    batch = [];
    rejections.sort((a, b) => a.rowNumber - b.rowNumber);
    for (const rejection of rejections) await options.onRejected(rejection);
    rejections = [];
    options.onProgress?.({ ...counts });
  };

  for await (const { rowNumber, cells, problem } of rows) {
    counts.total++;
    const result = readRow(mapping, columns, cells, limits);
    if (problem) {
      reject(rowNumber, result.ok ? result.row.externalId : result.externalId, result.ok ? problem : `${problem}; ${result.reason}`);
    } else if (!result.ok) {
      reject(rowNumber, result.externalId, result.reason);
    } else {
      const key = idKey(result.row);
      const firstRow = firstRowOfId.get(key);
      if (firstRow !== undefined) {
        reject(rowNumber, result.row.externalId, `external id "${result.row.externalId}" already appears on row ${firstRow} of this file`);
      } else {
        firstRowOfId.set(key, rowNumber);
        batch.push({ rowNumber, row: result.row });
      }
    }
    if (batch.length >= batchSize || rejections.length >= batchSize) await flush();
  }
  await flush();

  if (counts.imported + counts.skipped + counts.rejected !== counts.total) {
    throw new Error(
      `import lost track of rows: imported ${counts.imported} + skipped ${counts.skipped} + rejected ${counts.rejected} ≠ total ${counts.total}`,
    );
  }
  return {
    ...counts,
    dryRun,
    createdAgencies: catalog.created.agencies,
    createdCategories: catalog.created.categories,
    unknownAgencies: catalog.unknown.agencies,
    unknownCategories: catalog.unknown.categories,
    unmatchedDistricts,
    unmatchedVillageRows,
  };
}

function idKey(row: Pick<ImportRow, 'externalSource' | 'externalId'>): string {
  return `${row.externalSource}\u0000${row.externalId}`;
}

/** Keys of the rows whose external source and id are already stored. */
async function findExisting(db: Kysely<DB>, rows: ImportRow[]): Promise<Set<string>> {
  const idsBySource = new Map<string, string[]>();
  for (const row of rows) {
    const ids = idsBySource.get(row.externalSource) ?? [];
    ids.push(row.externalId);
    idsBySource.set(row.externalSource, ids);
  }
  const existing = new Set<string>();
  for (const [source, ids] of idsBySource) {
    const found = await db
      .selectFrom('complaints')
      .select('external_id')
      .where('external_source', '=', source)
      .where('external_id', 'in', ids)
      .execute();
    for (const { external_id } of found) existing.add(idKey({ externalSource: source, externalId: external_id! }));
  }
  return existing;
}

async function resolveNames(
  catalog: ImportCatalog,
  row: ImportRow,
): Promise<{ ok: true; complaint: HistoricalComplaint } | { ok: false; reason: string }> {
  const [agency, category] = [await catalog.agency(row.agencyName), await catalog.category(row.categoryName)];
  const reasons = [agency, category].flatMap((lookup) => (lookup.ok ? [] : [lookup.reason]));
  if (!agency.ok || !category.ok) return { ok: false, reason: reasons.join('; ') };
  const location = catalog.locations.match(row.districtName, row.villageName);
  return {
    ok: true,
    complaint: {
      externalSource: row.externalSource,
      externalId: row.externalId,
      description: row.description,
      receivedAt: row.receivedAt,
      answeredAt: row.answeredAt,
      channel: row.channel,
      agencyId: agency.ref?.id ?? null,
      category: category.ref,
      districtCode: location.districtCode,
      villageCode: location.villageCode,
      source: { district: row.districtName, village: row.villageName, agency: row.agencyName, category: row.categoryName },
    },
  };
}

/**
 * Writes a batch in one transaction. When the transaction fails, each row is
 * retried in a transaction of its own, so that one bad row rejects only itself.
 */
/** Rows an import adds before its first ANALYZE; below this the planner's defaults do no harm. */
const ANALYZE_FIRST_ROWS = 10_000;

/**
 * Keeps the planner's statistics of the tables an import fills current.
 * The clock recompute reads events and clocks by complaint ids. With the
 * statistics of the empty tables, PostgreSQL expected so many rows per id
 * that it scanned whole tables. On a server with autovacuum off, a 1M-row
 * import slowed from about 1,000 to 250 rows/s by half-way. Each ANALYZE
 * runs once the import has added as many complaints as the table held at
 * the previous one (and at least ANALYZE_FIRST_ROWS), so a whole import
 * runs it about log2(rows / 10,000) times.
 */
class TableStatistics {
  private constructor(private readonly db: Kysely<DB>, private rowsAtLastAnalyze: number, private importedAtLastAnalyze = 0) {}

  static async start(db: Kysely<DB>): Promise<TableStatistics> {
    const row = await db.selectFrom('complaints').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    return new TableStatistics(db, Number(row.n));
  }

  async afterBatch(imported: number): Promise<void> {
    const added = imported - this.importedAtLastAnalyze;
    if (added < Math.max(ANALYZE_FIRST_ROWS, this.rowsAtLastAnalyze)) return;
    await sql`ANALYZE complaints, complaint_events, complaint_deadlines`.execute(this.db);
    this.rowsAtLastAnalyze += added;
    this.importedAtLastAnalyze = imported;
  }
}

async function insertBatch(
  db: Kysely<DB>,
  rows: Array<{ rowNumber: number; complaint: HistoricalComplaint }>,
  now: Date,
  counts: ImportCounts,
  reject: (rowNumber: number, externalId: string, reason: string) => void,
): Promise<void> {
  if (rows.length === 0) return;
  try {
    const created = await db.transaction().execute(async (trx) => (await importComplaints(trx, rows.map((row) => row.complaint), now)).length);
    counts.imported += created;
    counts.skipped += rows.length - created;
    return;
  } catch {
    // Fall through to one transaction per row, which names the failing rows.
  }
  for (const { rowNumber, complaint } of rows) {
    try {
      const { created } = await db.transaction().execute((trx) => importComplaint(trx, complaint, now));
      if (created) counts.imported++;
      else counts.skipped++;
    } catch (error) {
      if (!isRowError(error)) throw error;
      reject(rowNumber, complaint.externalId, `could not be stored: ${(error as Error).message}`);
    }
  }
}

// SQLSTATE classes 22 (data exception) and 23 (integrity constraint violation)
// come from a row's values, so only that row is rejected. Any other failure,
// such as a lost connection or a full disk, stops the import instead of
// rejecting every remaining row.
const ROW_SQLSTATE_RE = /^2[23][0-9A-Z]{3}$/;

function isRowError(error: unknown): boolean {
  if (error instanceof CommandError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && ROW_SQLSTATE_RE.test(code);
}
