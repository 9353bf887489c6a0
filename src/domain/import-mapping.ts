/**
 * Pure rules of the historical complaint import: the mapping file that maps
 * each field to a column, the check of a file's header against it,
 * date parsing in a stated time zone, and the validation of one row. Nothing
 * here reads files or the database, so every rule is tested with plain values.
 *
 * Example:
 *   const mapping = parseMapping(JSON.parse(text), 'mappings/surabaya-mediacenter.json');
 *   const columns = resolveColumns(mapping, header);
 *   const result = readRow(mapping, columns, cells, { descriptionMin: 10, descriptionMax: 5000, now: new Date() });
 *   if (!result.ok) report(result.reason);
 */
import { CHANNELS, type Channel } from './types.ts';
import { cleanText } from './text.ts';

/** Fields that a mapping can take from a column. */
export const IMPORT_FIELDS = [
  'externalId', 'externalSource', 'description', 'receivedAt', 'answeredAt',
  'agency', 'category', 'district', 'village', 'channel',
] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];

/** Fields without which a row cannot become a complaint or be imported twice safely. */
const REQUIRED_FIELDS: readonly ImportField[] = ['externalId', 'description', 'receivedAt'];

/** Words a person reads in messages for each field. */
const FIELD_LABELS: Record<ImportField, string> = {
  externalId: 'external id',
  externalSource: 'external source',
  description: 'description',
  receivedAt: 'received-at',
  answeredAt: 'answered-at',
  agency: 'agency',
  category: 'category',
  district: 'kecamatan',
  village: 'kelurahan/desa',
  channel: 'channel',
};

// Agency and category codes are stable keys in URLs and seed files.
const CODE_RE = /^[a-z0-9][a-z0-9._-]*$/;
// A prefix may end in a separator, as in "sby-".
const CODE_PREFIX_RE = /^[a-z0-9][a-z0-9._-]*$|^$/;
const MAX_CODE_LENGTH = 64;
// Longer external ids are rejected: they are keys, not text.
const MAX_EXTERNAL_ID_LENGTH = 200;
const MAX_SOURCE_LENGTH = 100;

const TOP_LEVEL_KEYS = new Set([
  'source', 'columns', 'dates', 'agencies', 'categories', 'channels', 'channel', 'createUnknown', 'csv', 'xlsx',
]);
export const CSV_DELIMITERS = [',', ';', '\t', '|'] as const;
export const CSV_ENCODINGS = ['utf8', 'latin1', 'utf16le'] as const;
export type CsvEncoding = (typeof CSV_ENCODINGS)[number];

/** Source name → code of an existing (or to-be-created) agency or category, plus how new codes are named. */
export interface ValueMapping {
  /** Prepended to codes generated for new entries; also limits name matching to codes with this prefix. */
  codePrefix: string;
  /** Normalised source name (see `normalizeName`) → code. */
  values: Map<string, string>;
}

/** A validated mapping file. */
export interface ImportMapping {
  /** Stored as `external_source` of rows whose external-source column is absent or empty. */
  source: string;
  /** Column header name per field. */
  columns: Partial<Record<ImportField, string>>;
  dates: {
    /** Formats tried in order; see `parseDateTime`. */
    formats: string[];
    /** IANA zone such as Asia/Jakarta, or a fixed offset such as +07:00, of the wall-clock times in the file. */
    timeZone: string;
  };
  agencies: ValueMapping;
  categories: ValueMapping;
  /** Normalised source value → channel, for a channel column. */
  channels: Map<string, Channel>;
  /** Channel of rows without a channel column or with an empty cell. */
  channel: Channel;
  createUnknown: { agencies: boolean; categories: boolean };
  csv: { delimiter?: string; encoding: CsvEncoding };
  xlsx: { sheet?: string };
}

/** A mapping file, or a file header, that cannot be used; the message lists every problem. */
export class MappingError extends Error {
  constructor(message: string, readonly problems: string[] = []) {
    super(problems.length > 0 ? `${message}\n${problems.map((problem) => `  - ${problem}`).join('\n')}` : message);
    this.name = 'MappingError';
  }
}

/**
 * Normalises a name for comparison: Unicode NFKC, trimmed, inner white space
 * collapsed to one space, lower case.
 *
 * @example normalizeName('  Dinas  Kesehatan ') // 'dinas kesehatan'
 */
export function normalizeName(name: string): string {
  return name.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

// ---------------------------------------------------------------------------
// Mapping file

/**
 * Validates a parsed mapping file and returns it in a form ready for use.
 * Throws a MappingError that lists every problem found, so that an operator
 * fixes the file in one pass. `origin` names the file in the message.
 *
 * @example parseMapping({ source: 'x', columns: { externalId: 'id', description: 'text', receivedAt: 'date' },
 *   dates: { format: 'YYYY-MM-DD', timeZone: 'Asia/Jakarta' } })
 */
export function parseMapping(input: unknown, origin = 'mapping'): ImportMapping {
  const problems: string[] = [];
  if (!isPlainObject(input)) {
    throw new MappingError(`Mapping ${origin} is invalid: expected a JSON object at the top level.`);
  }
  for (const key of Object.keys(input)) {
    if (!TOP_LEVEL_KEYS.has(key) && !key.startsWith('$')) {
      problems.push(`unknown key "${key}"; allowed keys: ${[...TOP_LEVEL_KEYS].join(', ')} (keys starting with $ are comments)`);
    }
  }

  const source = typeof input.source === 'string' ? input.source.trim() : '';
  if (!source) problems.push('"source" is missing: give the name stored as each complaint\'s external source, e.g. "surabaya-mediacenter"');
  else if (source.length > MAX_SOURCE_LENGTH) problems.push(`"source" is longer than ${MAX_SOURCE_LENGTH} characters`);

  const columns = parseColumns(input.columns, problems);
  const dates = parseDates(input.dates, problems);
  const agencies = parseValueMapping(input.agencies, 'agencies', problems);
  const categories = parseValueMapping(input.categories, 'categories', problems);
  const channels = parseChannels(input.channels, problems);

  let channel: Channel = 'import';
  if (input.channel !== undefined) {
    if (typeof input.channel === 'string' && (CHANNELS as readonly string[]).includes(input.channel)) channel = input.channel as Channel;
    else problems.push(`"channel" must be one of ${CHANNELS.join(', ')}`);
  }

  const createUnknown = { agencies: false, categories: false };
  if (input.createUnknown !== undefined) {
    if (!isPlainObject(input.createUnknown)) {
      problems.push('"createUnknown" must be an object such as { "agencies": true, "categories": false }');
    } else {
      for (const [key, value] of Object.entries(input.createUnknown)) {
        if (key !== 'agencies' && key !== 'categories') problems.push(`createUnknown: unknown key "${key}"; allowed keys: agencies, categories`);
        else if (typeof value !== 'boolean') problems.push(`createUnknown.${key} must be true or false`);
        else createUnknown[key] = value;
      }
    }
  }

  const csv = parseCsvOptions(input.csv, problems);
  const xlsx = parseXlsxOptions(input.xlsx, problems);

  if (problems.length > 0) throw new MappingError(`Mapping ${origin} is invalid:`, problems);
  return { source, columns, dates, agencies, categories, channels, channel, createUnknown, csv, xlsx };
}

function parseColumns(value: unknown, problems: string[]): Partial<Record<ImportField, string>> {
  const columns: Partial<Record<ImportField, string>> = {};
  if (!isPlainObject(value)) {
    problems.push(`"columns" must be an object from field to column name; fields: ${IMPORT_FIELDS.join(', ')}`);
    return columns;
  }
  for (const [key, column] of Object.entries(value)) {
    if (!(IMPORT_FIELDS as readonly string[]).includes(key)) {
      problems.push(`columns: unknown field "${key}"; fields: ${IMPORT_FIELDS.join(', ')}`);
      continue;
    }
    if (column === null) continue;
    if (typeof column !== 'string' || column.trim() === '') {
      problems.push(`columns.${key} must be a column name (text) or null`);
      continue;
    }
    columns[key as ImportField] = column.trim();
  }
  for (const field of REQUIRED_FIELDS) {
    if (!columns[field]) problems.push(`columns.${field} is missing: name the column that holds the ${FIELD_LABELS[field]}`);
  }
  return columns;
}

function parseDates(value: unknown, problems: string[]): ImportMapping['dates'] {
  const dates = { formats: [] as string[], timeZone: 'Asia/Jakarta' };
  if (!isPlainObject(value)) {
    problems.push('"dates" must be an object such as { "format": "YYYY-MM-DD HH:mm:ss", "timeZone": "Asia/Jakarta" }');
    return dates;
  }
  const formats = typeof value.format === 'string' ? [value.format] : value.format;
  if (!Array.isArray(formats) || formats.length === 0 || !formats.every((format) => typeof format === 'string')) {
    problems.push('dates.format must be a format such as "YYYY-MM-DD HH:mm:ss", or a list of them tried in order');
  } else {
    for (const format of formats as string[]) {
      const problem = checkDateFormat(format);
      if (problem) problems.push(`dates.format "${format}": ${problem}`);
    }
    dates.formats = formats as string[];
  }
  if (typeof value.timeZone !== 'string' || !isValidTimeZone(value.timeZone)) {
    problems.push('dates.timeZone must be an IANA time zone such as "Asia/Jakarta" (WIB), "Asia/Makassar" (WITA), "Asia/Jayapura" (WIT), or an offset such as "+07:00"');
  } else {
    dates.timeZone = value.timeZone;
  }
  for (const key of Object.keys(value)) {
    if (key !== 'format' && key !== 'timeZone') problems.push(`dates: unknown key "${key}"; allowed keys: format, timeZone`);
  }
  return dates;
}

function parseValueMapping(value: unknown, name: 'agencies' | 'categories', problems: string[]): ValueMapping {
  const mapping: ValueMapping = { codePrefix: '', values: new Map() };
  if (value === undefined) return mapping;
  if (!isPlainObject(value)) {
    problems.push(`"${name}" must be an object such as { "codePrefix": "sby-", "values": { "Source name": "code" } }`);
    return mapping;
  }
  for (const key of Object.keys(value)) {
    if (key !== 'codePrefix' && key !== 'values') problems.push(`${name}: unknown key "${key}"; allowed keys: codePrefix, values`);
  }
  if (value.codePrefix !== undefined) {
    if (typeof value.codePrefix !== 'string' || !CODE_PREFIX_RE.test(value.codePrefix) || value.codePrefix.length > 20) {
      problems.push(`${name}.codePrefix must be lower-case letters, digits, ".", "_" or "-", at most 20 characters, e.g. "sby-"`);
    } else {
      mapping.codePrefix = value.codePrefix;
    }
  }
  if (value.values !== undefined) {
    if (!isPlainObject(value.values)) {
      problems.push(`${name}.values must be an object from source name to code`);
      return mapping;
    }
    for (const [sourceName, code] of Object.entries(value.values)) {
      if (typeof code !== 'string' || !CODE_RE.test(code) || code.length > MAX_CODE_LENGTH) {
        problems.push(`${name}.values["${sourceName}"] must be a code of lower-case letters, digits, ".", "_" or "-"`);
        continue;
      }
      const key = normalizeName(sourceName);
      const previous = mapping.values.get(key);
      if (previous !== undefined && previous !== code) {
        problems.push(`${name}.values maps "${sourceName}" twice (to "${previous}" and "${code}"); names are compared ignoring case and extra spaces`);
        continue;
      }
      mapping.values.set(key, code);
    }
  }
  return mapping;
}

function parseChannels(value: unknown, problems: string[]): Map<string, Channel> {
  const channels = new Map<string, Channel>();
  if (value === undefined) return channels;
  if (!isPlainObject(value)) {
    problems.push('"channels" must be an object from source value to channel, e.g. { "WA": "whatsapp" }');
    return channels;
  }
  for (const [sourceValue, channel] of Object.entries(value)) {
    if (typeof channel !== 'string' || !(CHANNELS as readonly string[]).includes(channel)) {
      problems.push(`channels["${sourceValue}"] must be one of ${CHANNELS.join(', ')}`);
      continue;
    }
    channels.set(normalizeName(sourceValue), channel as Channel);
  }
  return channels;
}

function parseCsvOptions(value: unknown, problems: string[]): ImportMapping['csv'] {
  const csv: ImportMapping['csv'] = { encoding: 'utf8' };
  if (value === undefined) return csv;
  if (!isPlainObject(value)) {
    problems.push('"csv" must be an object such as { "delimiter": ";", "encoding": "utf8" }');
    return csv;
  }
  for (const [key, option] of Object.entries(value)) {
    if (key === 'delimiter') {
      if (typeof option === 'string' && (CSV_DELIMITERS as readonly string[]).includes(option)) csv.delimiter = option;
      else problems.push(`csv.delimiter must be one of ${CSV_DELIMITERS.map((d) => JSON.stringify(d)).join(', ')}; leave it out to detect "," or ";"`);
    } else if (key === 'encoding') {
      if (typeof option === 'string' && (CSV_ENCODINGS as readonly string[]).includes(option)) csv.encoding = option as CsvEncoding;
      else problems.push(`csv.encoding must be one of ${CSV_ENCODINGS.join(', ')}`);
    } else {
      problems.push(`csv: unknown key "${key}"; allowed keys: delimiter, encoding`);
    }
  }
  return csv;
}

function parseXlsxOptions(value: unknown, problems: string[]): ImportMapping['xlsx'] {
  if (value === undefined) return {};
  if (!isPlainObject(value)) {
    problems.push('"xlsx" must be an object such as { "sheet": "Sheet1" }');
    return {};
  }
  const xlsx: ImportMapping['xlsx'] = {};
  for (const [key, option] of Object.entries(value)) {
    if (key === 'sheet' && typeof option === 'string' && option.trim()) xlsx.sheet = option.trim();
    else if (key === 'sheet') problems.push('xlsx.sheet must be the name of a worksheet');
    else problems.push(`xlsx: unknown key "${key}"; allowed keys: sheet`);
  }
  return xlsx;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------
// Header

/** Position of each mapped field's column in the file's rows. */
export type ColumnIndex = Partial<Record<ImportField, number>>;

/**
 * Finds each mapped column in a file's header. Names match exactly after
 * trimming, or else ignoring case. Throws a MappingError that names every
 * missing column and lists the columns the file has.
 *
 * @example resolveColumns(mapping, ['id', 'keluhan', 'tanggal_keluhan']) // { externalId: 0, description: 1, receivedAt: 2 }
 */
export function resolveColumns(mapping: ImportMapping, header: readonly string[]): ColumnIndex {
  const trimmed = header.map((name) => name.trim());
  const index: ColumnIndex = {};
  const problems: string[] = [];
  for (const field of IMPORT_FIELDS) {
    const column = mapping.columns[field];
    if (!column) continue;
    let matches = positionsOf(trimmed, (name) => name === column);
    if (matches.length === 0) matches = positionsOf(trimmed, (name) => name.toLowerCase() === column.toLowerCase());
    if (matches.length === 0) problems.push(`column "${column}" (${field}) is missing`);
    else if (matches.length > 1) problems.push(`column "${column}" (${field}) appears ${matches.length} times; rename the duplicates`);
    else index[field] = matches[0];
  }
  if (problems.length > 0) {
    const existing = trimmed.map((name) => JSON.stringify(name)).join(', ');
    throw new MappingError(
      `The file's header does not match the mapping's "columns". Columns in the file: ${existing}. Fix the column names in the mapping:`,
      problems,
    );
  }
  return index;
}

function positionsOf(names: string[], test: (name: string) => boolean): number[] {
  const positions: number[] = [];
  names.forEach((name, position) => {
    if (test(name)) positions.push(position);
  });
  return positions;
}

// ---------------------------------------------------------------------------
// Dates

const DATE_TOKEN_RE = /YYYY|MM|M|DD|D|HH|H|mm|ss/g;
// Letters that belong to tokens: a stray one (as in "YY") is a typo, not a literal.
const TOKEN_LETTER_RE = /[YMDHms]/;
const TOKEN_PATTERNS: Record<string, string> = {
  YYYY: '(\\d{4})', MM: '(\\d{2})', M: '(\\d{1,2})', DD: '(\\d{2})', D: '(\\d{1,2})',
  HH: '(\\d{2})', H: '(\\d{1,2})', mm: '(\\d{2})', ss: '(\\d{2})',
};
/** The special format name for ISO 8601 text with its own offset, e.g. 2022-01-01T07:29:00+07:00. */
export const ISO_8601_FORMAT = 'ISO8601';
const ISO_8601_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
const FIXED_OFFSET_RE = /^(?:UTC|Z|([+-])(\d{2}):(\d{2}))$/;

interface CompiledFormat {
  re: RegExp;
  tokens: string[];
}

const compiledFormats = new Map<string, CompiledFormat>();

function compileFormat(format: string): CompiledFormat {
  const cached = compiledFormats.get(format);
  if (cached) return cached;
  const tokens: string[] = [];
  let pattern = '';
  let last = 0;
  for (const match of format.matchAll(DATE_TOKEN_RE)) {
    pattern += escapeRegExp(format.slice(last, match.index));
    pattern += TOKEN_PATTERNS[match[0]];
    tokens.push(match[0]);
    last = match.index + match[0].length;
  }
  pattern += escapeRegExp(format.slice(last));
  const compiled = { re: new RegExp(`^${pattern}$`), tokens };
  compiledFormats.set(format, compiled);
  return compiled;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Returns what is wrong with a date format, or undefined when it is usable. */
function checkDateFormat(format: string): string | undefined {
  if (format === ISO_8601_FORMAT) return undefined;
  const { tokens } = compileFormat(format);
  const literal = format.replace(DATE_TOKEN_RE, '');
  if (TOKEN_LETTER_RE.test(literal)) return 'contains a stray Y, M, D, H, m or s; tokens are YYYY, MM, M, DD, D, HH, H, mm, ss';
  const has = (...names: string[]) => tokens.some((token) => names.includes(token));
  if (!has('YYYY') || !has('MM', 'M') || !has('DD', 'D')) return 'needs a year (YYYY), a month (MM or M) and a day (DD or D)';
  if (has('mm') && !has('HH', 'H')) return 'has minutes (mm) but no hour (HH or H)';
  if (has('ss') && !has('mm')) return 'has seconds (ss) but no minutes (mm)';
  if (new Set(tokens.map((token) => token[0])).size !== tokens.length) return 'repeats a part of the date';
  return undefined;
}

function isValidTimeZone(timeZone: string): boolean {
  if (FIXED_OFFSET_RE.test(timeZone)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

const zoneFormatters = new Map<string, Intl.DateTimeFormat>();

/** Offset of a zone from UTC at an instant, in milliseconds (positive east of Greenwich). */
function zoneOffsetMs(instantMs: number, timeZone: string): number {
  const fixed = FIXED_OFFSET_RE.exec(timeZone);
  if (fixed) {
    if (!fixed[1]) return 0;
    const minutes = Number(fixed[2]) * 60 + Number(fixed[3]);
    return (fixed[1] === '-' ? -1 : 1) * minutes * 60_000;
  }
  let formatter = zoneFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    zoneFormatters.set(timeZone, formatter);
  }
  const parts: Record<string, number> = {};
  for (const part of formatter.formatToParts(new Date(instantMs))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const wallMs = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return wallMs - (instantMs - (instantMs % 1000 + 1000) % 1000);
}

/**
 * Converts a wall-clock time in a zone to an instant. Returns undefined for a
 * time that the zone skips (a daylight-saving gap).
 * NOTE: a time that occurs twice (the hour repeated when daylight saving ends)
 * resolves to one of the two instants; Indonesian zones have no daylight saving.
 */
function wallClockToInstant(wallMs: number, timeZone: string): Date | undefined {
  let instant = wallMs - zoneOffsetMs(wallMs, timeZone);
  instant = wallMs - zoneOffsetMs(instant, timeZone);
  if (instant + zoneOffsetMs(instant, timeZone) !== wallMs) return undefined;
  return new Date(instant);
}

/** Wall-clock fields as milliseconds, or undefined when a field is out of range. */
function wallClockMs(year: number, month: number, day: number, hour: number, minute: number, second: number): number | undefined {
  if (year < 1000 || month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > daysInMonth) return undefined;
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

/**
 * Parses a date and time from a file into an instant. Text must match one of
 * `formats` whole. The tokens are YYYY, MM or M (month), DD or D (day), HH or
 * H (hour 0–23), mm (minute) and ss (second). Every other character is
 * literal, and missing time parts are zero. The format "ISO8601" takes text
 * with its own offset. A spreadsheet date cell (a Date whose UTC fields hold
 * the wall-clock time, as exceljs returns it) is read as a wall-clock time
 * too. Returns undefined for text that does not match or names an impossible
 * date.
 *
 * @example parseDateTime('2022-01-01 00:29:00', ['YYYY-MM-DD HH:mm:ss'], 'Asia/Jakarta') // 2021-12-31T17:29:00.000Z
 */
export function parseDateTime(value: string | Date, formats: readonly string[], timeZone: string): Date | undefined {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return undefined;
    // Spreadsheet serial numbers carry float error, so 00:29:00 can arrive as 00:28:59.999.
    return wallClockToInstant(Math.round(value.getTime() / 1000) * 1000, timeZone);
  }
  const text = value.trim();
  for (const format of formats) {
    if (format === ISO_8601_FORMAT) {
      if (!ISO_8601_RE.test(text)) continue;
      const instant = new Date(text);
      if (!Number.isNaN(instant.getTime()) && wallClockMs(...isoWallClock(text)) !== undefined) return instant;
      continue;
    }
    const { re, tokens } = compileFormat(format);
    const match = re.exec(text);
    if (!match) continue;
    const fields: Record<string, number> = { Y: 0, M: 1, D: 1, H: 0, m: 0, s: 0 };
    tokens.forEach((token, position) => {
      fields[token[0]] = Number(match[position + 1]);
    });
    const wallMs = wallClockMs(fields.Y, fields.M, fields.D, fields.H, fields.m, fields.s);
    if (wallMs === undefined) continue;
    return wallClockToInstant(wallMs, timeZone);
  }
  return undefined;
}

function isoWallClock(text: string): [number, number, number, number, number, number] {
  const numbers = text.slice(0, 19).split(/[-T:]/).map(Number);
  return [numbers[0], numbers[1], numbers[2], numbers[3], numbers[4], numbers[5] || 0];
}

// ---------------------------------------------------------------------------
// Rows

/** A cell as the file readers deliver it: text, or a spreadsheet date. */
export type CellValue = string | Date;

/** One valid row of a file, still with names where the database needs ids. */
export interface ImportRow {
  externalSource: string;
  externalId: string;
  description: string;
  receivedAt: Date;
  /** When the agency answered; absent for complaints that were never answered. */
  answeredAt?: Date;
  agencyName?: string;
  categoryName?: string;
  districtName?: string;
  villageName?: string;
  channel: Channel;
}

export type RowResult =
  | { ok: true; row: ImportRow }
  | { ok: false; externalId: string; reason: string };

/** Limits applied to every row; the caller passes the values the complaint command enforces. */
export interface RowLimits {
  descriptionMin: number;
  descriptionMax: number;
  /** Rows dated after this instant are rejected. */
  now: Date;
}

/**
 * Checks one row and returns either the values to import or every reason it
 * cannot be imported, joined by "; ". Nothing is guessed: an unparseable date,
 * an answer before the complaint, or a description that is empty, too short
 * or too long rejects the row.
 *
 * @example readRow(mapping, { externalId: 0, description: 1, receivedAt: 2 }, ['7', 'Lampu jalan mati', '2022-01-01'], limits)
 */
export function readRow(mapping: ImportMapping, columns: ColumnIndex, cells: readonly (CellValue | undefined)[], limits: RowLimits): RowResult {
  const rawText = (field: ImportField): string => {
    const position = columns[field];
    if (position === undefined) return '';
    const cell = cells[position];
    if (cell === undefined) return '';
    return cell instanceof Date ? cell.toISOString() : cell.trim();
  };
  // Control characters are dropped as the intake drops them; a NUL cannot even be stored.
  const text = (field: ImportField): string => cleanText(rawText(field)).trim();
  const reasons: string[] = [];
  const label = (field: ImportField) => `${FIELD_LABELS[field]} (column "${mapping.columns[field]}")`;

  // An id is compared with the ids already stored, so it is rejected rather than changed.
  const externalId = rawText('externalId');
  if (!externalId) reasons.push(`${label('externalId')} is empty`);
  else if (cleanText(externalId) !== externalId) reasons.push(`${label('externalId')} contains control characters`);
  else if (externalId.length > MAX_EXTERNAL_ID_LENGTH) reasons.push(`${label('externalId')} is longer than ${MAX_EXTERNAL_ID_LENGTH} characters`);
  const externalSource = text('externalSource') || mapping.source;
  if (externalSource.length > MAX_SOURCE_LENGTH) reasons.push(`${label('externalSource')} is longer than ${MAX_SOURCE_LENGTH} characters`);

  const description = text('description');
  if (!description) reasons.push(`${label('description')} is empty`);
  else if (description.length < limits.descriptionMin) {
    reasons.push(`${label('description')} has ${description.length} characters; at least ${limits.descriptionMin} are required`);
  } else if (description.length > limits.descriptionMax) {
    reasons.push(`${label('description')} has ${description.length} characters; at most ${limits.descriptionMax} are allowed`);
  }

  const receivedAt = readDate(mapping, columns, cells, 'receivedAt', reasons, limits.now);
  const answeredAt = readDate(mapping, columns, cells, 'answeredAt', reasons, limits.now);
  if (receivedAt && answeredAt && answeredAt.getTime() < receivedAt.getTime()) {
    reasons.push(`${label('answeredAt')} ${formatCell(cellAt(columns, cells, 'answeredAt'))} is before ${label('receivedAt')} ${formatCell(cellAt(columns, cells, 'receivedAt'))}`);
  }

  let channel = mapping.channel;
  const channelText = text('channel');
  if (channelText) {
    const mapped = mapping.channels.get(normalizeName(channelText)) ?? CHANNELS.find((name) => name === channelText.toLowerCase());
    if (mapped) channel = mapped;
    else reasons.push(`${label('channel')} "${channelText}" is not a channel; map it under "channels" in the mapping (channels: ${CHANNELS.join(', ')})`);
  }

  // readDate has recorded why receivedAt is missing.
  if (reasons.length > 0 || !receivedAt) return { ok: false, externalId, reason: reasons.join('; ') };
  const row: ImportRow = { externalSource, externalId, description, receivedAt, channel };
  if (answeredAt) row.answeredAt = answeredAt;
  const optional: Array<[ImportField, 'agencyName' | 'categoryName' | 'districtName' | 'villageName']> = [
    ['agency', 'agencyName'], ['category', 'categoryName'], ['district', 'districtName'], ['village', 'villageName'],
  ];
  for (const [field, key] of optional) {
    const value = text(field).replace(/\s+/g, ' ');
    if (value) row[key] = value;
  }
  return { ok: true, row };
}

function cellAt(columns: ColumnIndex, cells: readonly (CellValue | undefined)[], field: ImportField): CellValue | undefined {
  const position = columns[field];
  return position === undefined ? undefined : cells[position];
}

function formatCell(cell: CellValue | undefined): string {
  if (cell instanceof Date) return `"${cell.toISOString().slice(0, 19).replace('T', ' ')}"`;
  return JSON.stringify((cell ?? '').trim());
}

/** Reads a date column; records a reason and returns undefined when it is present but unusable. */
function readDate(
  mapping: ImportMapping,
  columns: ColumnIndex,
  cells: readonly (CellValue | undefined)[],
  field: 'receivedAt' | 'answeredAt',
  reasons: string[],
  now: Date,
): Date | undefined {
  const cell = cellAt(columns, cells, field);
  const label = `${FIELD_LABELS[field]} (column "${mapping.columns[field]}")`;
  if (cell === undefined || (typeof cell === 'string' && cell.trim() === '')) {
    if (field === 'receivedAt' && columns[field] !== undefined) reasons.push(`${label} is empty`);
    return undefined;
  }
  const instant = parseDateTime(cell, mapping.dates.formats, mapping.dates.timeZone);
  if (!instant) {
    const formats = mapping.dates.formats.map((format) => `"${format}"`).join(' or ');
    reasons.push(`${label} ${formatCell(cell)} is not a valid date in the format ${formats}`);
    return undefined;
  }
  if (instant.getTime() > now.getTime()) {
    reasons.push(`${label} ${formatCell(cell)} lies in the future`);
    return undefined;
  }
  return instant;
}

// ---------------------------------------------------------------------------
// Agencies, categories and locations

const MAX_SLUG_LENGTH = 48;

/**
 * Builds a code for a new agency or category from its name: the prefix, then
 * the name in lower-case ASCII with "-" between words, at most 48 characters.
 * When `isTaken` says the code exists, "-2", "-3", … is appended.
 *
 * @example generateCode('sby-', 'Dinas Lingkungan Hidup', () => false) // 'sby-dinas-lingkungan-hidup'
 */
export function generateCode(prefix: string, name: string, isTaken: (code: string) => boolean): string {
  let slug = name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (slug.length > MAX_SLUG_LENGTH) slug = slug.slice(0, MAX_SLUG_LENGTH).replace(/-[^-]*$/, '') || slug.slice(0, MAX_SLUG_LENGTH);
  const base = `${prefix}${slug || 'unnamed'}`;
  if (!isTaken(base)) return base;
  for (let suffix = 2; ; suffix++) {
    const candidate = `${base}-${suffix}`;
    if (!isTaken(candidate)) return candidate;
  }
}

const AGENCY_KIND_WORDS: Record<string, string> = {
  dinas: 'dinas', badan: 'badan', kecamatan: 'kecamatan', kelurahan: 'kelurahan',
  inspektorat: 'inspektorat', sekretariat: 'sekretariat', satuan: 'satuan', rsud: 'rsud',
};

/**
 * Kind of a new agency, from the first word of its name (Dinas, Badan,
 * Kecamatan, …); "unit" when the word is not one of those.
 *
 * @example inferAgencyKind('Kelurahan Gundih') // 'kelurahan'
 */
export function inferAgencyKind(name: string): string {
  const firstWord = normalizeName(name).split(' ')[0];
  return AGENCY_KIND_WORDS[firstWord] ?? 'unit';
}

export interface DistrictRef { code: string; name: string }
export interface VillageRef { code: string; districtCode: string; name: string }

// Written prefixes such as "Kec. Jaten" or "Desa Jaten" are not part of the name.
const PLACE_PREFIX_RE = /^(?:kecamatan|kec\.?|kelurahan|kel\.?|desa|ds\.?)\s+/;

function normalizePlaceName(name: string): string {
  return normalizeName(name).replace(PLACE_PREFIX_RE, '').trim();
}

/**
 * Finds reference codes for a kecamatan and a kelurahan or desa by name,
 * ignoring case, spaces and written prefixes such as "Kec." or "Desa". A
 * village matches only inside the matched kecamatan, because village names
 * repeat across kecamatan.
 *
 * @example new LocationIndex(districts, villages).match('JATEN', 'Jaten') // { districtCode: '33.13.11', villageCode: '33.13.11.…' }
 */
export class LocationIndex {
  private readonly districts = new Map<string, string>();
  private readonly villages = new Map<string, string>();

  constructor(districts: readonly DistrictRef[], villages: readonly VillageRef[]) {
    for (const district of districts) this.districts.set(normalizePlaceName(district.name), district.code);
    for (const village of villages) this.villages.set(`${village.districtCode}|${normalizePlaceName(village.name)}`, village.code);
  }

  match(districtName?: string, villageName?: string): { districtCode: string | null; villageCode: string | null } {
    const districtCode = districtName ? this.districts.get(normalizePlaceName(districtName)) ?? null : null;
    if (!districtCode || !villageName) return { districtCode, villageCode: null };
    return { districtCode, villageCode: this.villages.get(`${districtCode}|${normalizePlaceName(villageName)}`) ?? null };
  }
}
