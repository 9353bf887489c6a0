/**
 * Changes to the action plan (rencana aksi). An administrator builds the
 * plan of a year: objectives, their indicators with targets and owners, and
 * scheduled activities. The owner of an indicator or activity (an officer of
 * the owning agency, or a user with the owning role) and administrators
 * enter manual realisation values and tick off activities, each with
 * evidence: a link or an uploaded file, checked and cleaned like complaint
 * attachments. Every change appends a row to `action_plan_changes` in the
 * same transaction.
 *
 * Example:
 *   const plan = await createActionPlan(ctx, { year: 2026, title: 'Rencana Aksi 2026' });
 *   const objective = await addObjective(ctx, plan.id, { title: 'Pengaduan ditangani tepat waktu' });
 *   await addIndicator(ctx, objective.id, { name: 'Laporan terverifikasi ≤ 3 hari kerja', targetValue: 100,
 *     comparison: 'gte', period: 'monthly', source: 'formula', formulaCode: 'verified_on_time_share', ownerRole: 'complaint_officer' });
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { sql, type Kysely } from 'kysely';
import type {
  DB, IndicatorComparison, IndicatorPeriod, IndicatorSlice, IndicatorSource, IndicatorUnit, ManualAggregate, Role,
} from '../db/schema.ts';
import { CHANNELS, COMPLAINT_TYPES, ROLES, type Channel, type ComplaintType, type StaffUser } from '../domain/types.ts';
import { AttachmentError, prepareAttachment } from '../domain/images.ts';
import { isValidDate, wibDate } from '../domain/time.ts';
import { logger } from '../logger.ts';
import type { Actor, CommandContext, Tx } from './context.ts';
import { CommandError, invalid } from './errors.ts';
import { cleanText, textLength } from '../domain/text.ts';

const MIN_YEAR = 2000;
const MAX_YEAR = 2100;
const MAX_TITLE_CHARS = 300;
const MAX_NOTE_CHARS = 2000;
const MAX_URL_CHARS = 2000;
/** Largest absolute target or value; anything above is a typo, not a measurement. */
const MAX_ABS_VALUE = 1e9;
const HTTP_URL_RE = /^https?:\/\//i;

export const INDICATOR_UNITS: readonly IndicatorUnit[] = ['percent', 'days', 'working_hours', 'rating', 'count', 'day_of_month'];
export const INDICATOR_PERIODS: readonly IndicatorPeriod[] = ['monthly', 'quarterly', 'yearly'];
export const MANUAL_AGGREGATES: readonly ManualAggregate[] = ['sum', 'mean', 'last'];
export const COMPARISONS: readonly IndicatorComparison[] = ['gte', 'lte'];
export const SOURCES: readonly IndicatorSource[] = ['formula', 'manual'];

/**
 * Codes of the indicators computed from the complaint data (INDICATORS in
 * reports/indicators.ts, which this layer may not import), each with the unit
 * a plan shows it in: shares become percentages. A test keeps both lists equal.
 */
export const FORMULA_UNITS: Readonly<Record<string, IndicatorUnit>> = {
  received: 'count',
  resolved: 'count',
  resolved_share: 'percent',
  resolved_within_sla_share: 'percent',
  verified_on_time_share: 'percent',
  first_followup_on_time_share: 'percent',
  answered_within_1_working_day_share: 'percent',
  median_response_days: 'days',
  p90_response_days: 'days',
  median_response_working_hours: 'working_hours',
  p90_response_working_hours: 'working_hours',
  median_resolution_days: 'days',
  p90_resolution_days: 'days',
  median_resolution_working_hours: 'working_hours',
  rating_average: 'rating',
  rating_satisfied_share: 'percent',
  reopen_rate: 'percent',
};

/** Range of a manual value per unit, so that a percentage of 950 is caught at entry. */
const VALUE_RANGES: Record<IndicatorUnit, [number, number]> = {
  percent: [0, 100],
  days: [0, 3660],
  working_hours: [0, 100_000],
  rating: [0, 5],
  count: [0, MAX_ABS_VALUE],
  day_of_month: [1, 31],
};

/** Units whose values are whole numbers: a day of the month, a number of reports. */
const WHOLE_UNITS: readonly IndicatorUnit[] = ['day_of_month', 'count'];

/** Checks a target or an actual against its unit's range, and that a day or a count is whole. */
function requireValueInUnit(value: number, unit: IndicatorUnit, field: 'value' | 'targetValue'): number {
  const [min, max] = VALUE_RANGES[unit];
  if (value < min || value > max) throw invalid(field, `${field} must be from ${min} to ${max}`, 'error.plan_value_range', { min, max });
  if (WHOLE_UNITS.includes(unit) && !Number.isInteger(value)) throw invalid(field, `${field} must be a whole number`, 'error.plan_value_whole');
  return value;
}

// ---------------------------------------------------------------------------
// Who may do what

/** Only administrators change the structure of a plan. */
export function canEditActionPlan(user: StaffUser): boolean {
  return user.role === 'admin';
}

export interface OwnerRef {
  agencyId: number | null;
  role: Role | null;
}

/**
 * Returns whether a user may enter values for, or tick off, an item with this
 * owner: administrators always; otherwise a user whose role is the owning
 * role, or a member of the owning agency. Complaint officers count as members
 * of the agency they were given (Diskominfo's officers report on Diskominfo's
 * items); the leaders only read.
 */
export function canReportFor(user: StaffUser, owner: OwnerRef): boolean {
  if (user.role === 'admin') return true;
  if (owner.role !== null && owner.role === user.role) return true;
  return user.role !== 'leader' && owner.agencyId !== null && owner.agencyId === user.agencyId;
}

function requireEditor(ctx: CommandContext): StaffUser | null {
  if (ctx.actor.kind === 'system') return null;
  if (ctx.actor.kind !== 'staff' || !canEditActionPlan(ctx.actor.user)) {
    throw new CommandError('forbidden', 'only an administrator may change the action plan', 'error.plan_admin_only');
  }
  return ctx.actor.user;
}

function requireReporter(ctx: CommandContext, owner: OwnerRef): StaffUser {
  if (ctx.actor.kind !== 'staff' || !canReportFor(ctx.actor.user, owner)) {
    throw new CommandError('forbidden', 'only the owner or an administrator may report on this item', 'error.plan_owner_only');
  }
  return ctx.actor.user;
}

// ---------------------------------------------------------------------------
// Validation

function requireTitle(value: string | undefined | null, field: string): string {
  const text = cleanText(value ?? '').trim();
  if (!text) throw invalid(field, `${field} is required`, 'error.plan_text_required');
  if (textLength(text) > MAX_TITLE_CHARS) throw invalid(field, `${field} has more than ${MAX_TITLE_CHARS} characters`, 'error.text_too_long', { max: MAX_TITLE_CHARS });
  return text;
}

function optionalNote(value: string | undefined | null): string | null {
  const text = cleanText(value ?? '').trim();
  if (!text) return null;
  if (textLength(text) > MAX_NOTE_CHARS) throw invalid('note', `note has more than ${MAX_NOTE_CHARS} characters`, 'error.text_too_long', { max: MAX_NOTE_CHARS });
  return text;
}

function requireNumber(value: number | undefined | null, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) > MAX_ABS_VALUE) {
    throw invalid(field, `${field} must be a number`, 'error.plan_number_invalid');
  }
  return value;
}

function requireOneOf<T extends string>(value: string | undefined | null, allowed: readonly T[], field: string): T {
  if (!allowed.includes(value as T)) {
    throw invalid(field, `${field} must be one of ${allowed.join(', ')}`, 'error.plan_choice_invalid', { allowed: allowed.join(', ') });
  }
  return value as T;
}

function requireYear(year: number): number {
  if (!Number.isInteger(year) || year < MIN_YEAR || year > MAX_YEAR) {
    throw invalid('year', `year must be a whole number from ${MIN_YEAR} to ${MAX_YEAR}`, 'error.plan_year_invalid', { min: MIN_YEAR, max: MAX_YEAR });
  }
  return year;
}

function requireMonth(month: number, field = 'month'): number {
  if (!Number.isInteger(month) || month < 1 || month > 12) throw invalid(field, `${field} must be 1 to 12`, 'error.plan_month_invalid');
  return month;
}

async function agencyIdOf(db: Kysely<DB> | Tx, code: string, field: string): Promise<number> {
  const row = await db.selectFrom('agencies').select('id').where('code', '=', code).executeTakeFirst();
  if (!row) throw invalid(field, `agency ${code} not found`, 'error.plan_agency_unknown', { code });
  return row.id;
}

async function resolveOwner(db: Kysely<DB> | Tx, agencyCode: string | null | undefined, role: string | null | undefined) {
  const code = (agencyCode ?? '').trim();
  const roleValue = (role ?? '').trim();
  if (!code && !roleValue) throw invalid('ownerAgencyCode', 'an owner agency or role is required', 'error.plan_owner_required');
  return {
    owner_agency_id: code ? await agencyIdOf(db, code, 'ownerAgencyCode') : null,
    owner_role: roleValue ? requireOneOf(roleValue, ROLES, 'ownerRole') : null,
  };
}

async function validateSlice(db: Kysely<DB> | Tx, slice: IndicatorSlice | undefined): Promise<IndicatorSlice> {
  const result: IndicatorSlice = {};
  if (!slice) return result;
  if (slice.agency) {
    await agencyIdOf(db, slice.agency, 'sliceAgency');
    result.agency = slice.agency;
  }
  if (slice.category) {
    const row = await db.selectFrom('categories').select('id').where('code', '=', slice.category).executeTakeFirst();
    if (!row) throw invalid('sliceCategory', `category ${slice.category} not found`, 'error.plan_category_unknown', { code: slice.category });
    result.category = slice.category;
  }
  if (slice.district) {
    const row = await db.selectFrom('districts').select('code').where('code', '=', slice.district).executeTakeFirst();
    if (!row) throw invalid('sliceDistrict', `district ${slice.district} not found`, 'error.plan_district_unknown', { code: slice.district });
    result.district = slice.district;
  }
  if (slice.channel) result.channel = requireOneOf<Channel>(slice.channel, CHANNELS, 'sliceChannel');
  if (slice.type) result.type = requireOneOf<ComplaintType>(slice.type, COMPLAINT_TYPES, 'sliceType');
  return result;
}

function validateEvidenceUrl(value: string | null | undefined): string | null {
  const text = (value ?? '').trim();
  if (!text) return null;
  let valid = text.length <= MAX_URL_CHARS && HTTP_URL_RE.test(text);
  if (valid) {
    try {
      new URL(text);
    } catch {
      valid = false;
    }
  }
  if (!valid) throw invalid('evidenceUrl', 'evidence link must be an http or https address', 'error.plan_url_invalid');
  return text;
}

// ---------------------------------------------------------------------------
// Audit and lookups

async function logChange(trx: Tx, planId: number, actor: Actor, action: string, data: Record<string, unknown>, now: Date): Promise<void> {
  await trx
    .insertInto('action_plan_changes')
    .values({ plan_id: planId, at: now, actor_user_id: actor.kind === 'staff' ? actor.user.id : null, action, data: JSON.stringify(data) })
    .execute();
  await trx.updateTable('action_plans').set({ updated_at: now }).where('id', '=', planId).execute();
}

function notFoundError(what: 'plan' | 'objective' | 'indicator' | 'activity'): CommandError {
  return new CommandError('not_found', `${what} not found`, `error.not_found.plan_${what}`);
}

async function planOfObjective(trx: Tx, objectiveId: number) {
  const row = await trx
    .selectFrom('action_plan_objectives as o')
    .innerJoin('action_plans as p', 'p.id', 'o.plan_id')
    .select(['o.id', 'o.plan_id', 'p.year'])
    .where('o.id', '=', objectiveId)
    .executeTakeFirst();
  if (!row) throw notFoundError('objective');
  return row;
}

async function lockIndicator(trx: Tx, indicatorId: number) {
  const row = await trx
    .selectFrom('action_plan_indicators as i')
    .innerJoin('action_plan_objectives as o', 'o.id', 'i.objective_id')
    .innerJoin('action_plans as p', 'p.id', 'o.plan_id')
    .selectAll('i')
    .select(['o.plan_id', 'p.year'])
    .where('i.id', '=', indicatorId)
    .executeTakeFirst();
  if (!row) throw notFoundError('indicator');
  return row;
}

async function lockActivity(trx: Tx, activityId: number) {
  const row = await trx
    .selectFrom('action_plan_activities as t')
    .innerJoin('action_plan_objectives as o', 'o.id', 't.objective_id')
    .innerJoin('action_plans as p', 'p.id', 'o.plan_id')
    .selectAll('t')
    .select(['o.plan_id', 'p.year'])
    .where('t.id', '=', activityId)
    .executeTakeFirst();
  if (!row) throw notFoundError('activity');
  return row;
}

// ---------------------------------------------------------------------------
// Plans and objectives

export async function createActionPlan(ctx: CommandContext, input: { year: number; title: string }) {
  const editor = requireEditor(ctx);
  const year = requireYear(input.year);
  const title = requireTitle(input.title, 'title');
  const now = ctx.now ?? new Date();
  return ctx.db.transaction().execute(async (trx) => {
    const existing = await trx.selectFrom('action_plans').select('id').where('year', '=', year).executeTakeFirst();
    if (existing) throw new CommandError('conflict', `a plan for ${year} exists`, 'error.plan_exists', { year }, 'year');
    const plan = await trx.insertInto('action_plans').values({ year, title, created_at: now, updated_at: now }).returningAll().executeTakeFirstOrThrow();
    await logChange(trx, plan.id, ctx.actor, 'plan_created', { year, title }, now);
    logger.info({ userId: editor?.id, planId: plan.id, year }, 'action plan created');
    return plan;
  });
}

export async function renameActionPlan(ctx: CommandContext, planId: number, input: { title: string }) {
  requireEditor(ctx);
  const title = requireTitle(input.title, 'title');
  const now = ctx.now ?? new Date();
  return ctx.db.transaction().execute(async (trx) => {
    const plan = await trx.updateTable('action_plans').set({ title }).where('id', '=', planId).returningAll().executeTakeFirst();
    if (!plan) throw notFoundError('plan');
    await logChange(trx, plan.id, ctx.actor, 'plan_renamed', { title }, now);
    return plan;
  });
}

export async function addObjective(ctx: CommandContext, planId: number, input: { title: string; position?: number }) {
  requireEditor(ctx);
  const title = requireTitle(input.title, 'title');
  const now = ctx.now ?? new Date();
  return ctx.db.transaction().execute(async (trx) => {
    const plan = await trx.selectFrom('action_plans').select('id').where('id', '=', planId).executeTakeFirst();
    if (!plan) throw notFoundError('plan');
    const position = input.position ?? (await nextPosition(trx, 'action_plan_objectives', planId));
    const objective = await trx.insertInto('action_plan_objectives').values({ plan_id: planId, title, position }).returningAll().executeTakeFirstOrThrow();
    await logChange(trx, planId, ctx.actor, 'objective_added', { objectiveId: objective.id, title }, now);
    return objective;
  });
}

export async function updateObjective(ctx: CommandContext, objectiveId: number, input: { title: string }) {
  requireEditor(ctx);
  const title = requireTitle(input.title, 'title');
  const now = ctx.now ?? new Date();
  return ctx.db.transaction().execute(async (trx) => {
    const found = await planOfObjective(trx, objectiveId);
    const objective = await trx.updateTable('action_plan_objectives').set({ title }).where('id', '=', objectiveId).returningAll().executeTakeFirstOrThrow();
    await logChange(trx, found.plan_id, ctx.actor, 'objective_updated', { objectiveId, title }, now);
    return objective;
  });
}

/** Deletes an objective with its indicators, activities, values and completions. */
export async function deleteObjective(ctx: CommandContext, objectiveId: number): Promise<void> {
  requireEditor(ctx);
  const now = ctx.now ?? new Date();
  await ctx.db.transaction().execute(async (trx) => {
    const found = await planOfObjective(trx, objectiveId);
    await trx.deleteFrom('action_plan_objectives').where('id', '=', objectiveId).execute();
    await logChange(trx, found.plan_id, ctx.actor, 'objective_deleted', { objectiveId }, now);
  });
}

/** Returns the position after the last sibling, so a new entry goes to the end of its list. */
async function nextPosition(trx: Tx, table: 'action_plan_objectives' | 'action_plan_indicators' | 'action_plan_activities', parentId: number): Promise<number> {
  const parent = table === 'action_plan_objectives' ? sql.ref('plan_id') : sql.ref('objective_id');
  const result = await sql<{ max: number | null }>`SELECT max(position) AS max FROM ${sql.table(table)} WHERE ${parent} = ${parentId}`.execute(trx);
  const max = result.rows[0]?.max;
  return max === null || max === undefined ? 1 : Number(max) + 1;
}

// ---------------------------------------------------------------------------
// Indicators

export interface IndicatorInput {
  name: string;
  targetValue: number;
  /** Required for manual indicators; a formula indicator takes the unit of its computed figure. */
  unit?: IndicatorUnit | string | null;
  comparison: IndicatorComparison | string;
  period: IndicatorPeriod | string;
  source: IndicatorSource | string;
  /** Code of a computed indicator (see INDICATORS); formula indicators only. */
  formulaCode?: string | null;
  slice?: IndicatorSlice;
  /** How monthly manual values make a quarter or a year; default `last`. */
  manualAggregate?: ManualAggregate | string | null;
  ownerAgencyCode?: string | null;
  ownerRole?: Role | string | null;
  position?: number;
}

async function indicatorValues(db: Kysely<DB> | Tx, input: IndicatorInput) {
  const name = requireTitle(input.name, 'name');
  const targetValue = requireNumber(input.targetValue, 'targetValue');
  const comparison = requireOneOf(input.comparison, COMPARISONS, 'comparison');
  const period = requireOneOf(input.period, INDICATOR_PERIODS, 'period');
  const source = requireOneOf(input.source, SOURCES, 'source');
  let unit: IndicatorUnit;
  let formulaCode: string | null = null;
  let slice: IndicatorSlice = {};
  if (source === 'formula') {
    const code = input.formulaCode ?? '';
    if (!Object.hasOwn(FORMULA_UNITS, code)) {
      throw invalid('formulaCode', `formula must be one of ${Object.keys(FORMULA_UNITS).join(', ')}`, 'error.plan_formula_unknown');
    }
    formulaCode = code;
    unit = FORMULA_UNITS[code];
    slice = await validateSlice(db, input.slice);
  } else {
    unit = requireOneOf(input.unit ?? '', INDICATOR_UNITS, 'unit');
  }
  requireValueInUnit(targetValue, unit, 'targetValue');
  const manualAggregate = input.manualAggregate ? requireOneOf(input.manualAggregate, MANUAL_AGGREGATES, 'manualAggregate') : 'last';
  const owner = await resolveOwner(db, input.ownerAgencyCode, input.ownerRole);
  return {
    name, target_value: targetValue, unit, comparison, period, source, formula_code: formulaCode,
    slice: JSON.stringify(slice), manual_aggregate: manualAggregate, ...owner,
  };
}

export async function addIndicator(ctx: CommandContext, objectiveId: number, input: IndicatorInput) {
  requireEditor(ctx);
  const now = ctx.now ?? new Date();
  return ctx.db.transaction().execute(async (trx) => {
    const found = await planOfObjective(trx, objectiveId);
    const values = await indicatorValues(trx, input);
    const position = input.position ?? (await nextPosition(trx, 'action_plan_indicators', objectiveId));
    const indicator = await trx
      .insertInto('action_plan_indicators')
      .values({ ...values, objective_id: objectiveId, position })
      .returningAll()
      .executeTakeFirstOrThrow();
    await logChange(trx, found.plan_id, ctx.actor, 'indicator_added', { indicatorId: indicator.id, name: values.name }, now);
    return indicator;
  });
}

/**
 * Updates an indicator. Manual values already entered stay; switching an
 * indicator to a formula leaves them unused until it is switched back.
 */
export async function updateIndicator(ctx: CommandContext, indicatorId: number, input: IndicatorInput) {
  requireEditor(ctx);
  const now = ctx.now ?? new Date();
  return ctx.db.transaction().execute(async (trx) => {
    const found = await lockIndicator(trx, indicatorId);
    const values = await indicatorValues(trx, input);
    const indicator = await trx.updateTable('action_plan_indicators').set(values).where('id', '=', indicatorId).returningAll().executeTakeFirstOrThrow();
    await logChange(trx, found.plan_id, ctx.actor, 'indicator_updated', { indicatorId, name: values.name, targetValue: values.target_value }, now);
    return indicator;
  });
}

export async function deleteIndicator(ctx: CommandContext, indicatorId: number): Promise<void> {
  requireEditor(ctx);
  const now = ctx.now ?? new Date();
  await ctx.db.transaction().execute(async (trx) => {
    const found = await lockIndicator(trx, indicatorId);
    await trx.deleteFrom('action_plan_indicators').where('id', '=', indicatorId).execute();
    await logChange(trx, found.plan_id, ctx.actor, 'indicator_deleted', { indicatorId, name: found.name }, now);
  });
}

// ---------------------------------------------------------------------------
// Activities

export interface ActivityInput {
  name: string;
  /** Months 1–12 of the plan's year in which the activity is due. */
  plannedMonths: number[];
  ownerAgencyCode?: string | null;
  ownerRole?: Role | string | null;
  position?: number;
}

async function activityValues(db: Kysely<DB> | Tx, input: ActivityInput) {
  const name = requireTitle(input.name, 'name');
  const months = [...new Set(input.plannedMonths ?? [])].sort((a, b) => a - b);
  if (months.length === 0) throw invalid('plannedMonths', 'choose at least one month', 'error.plan_months_required');
  for (const month of months) requireMonth(month, 'plannedMonths');
  const owner = await resolveOwner(db, input.ownerAgencyCode, input.ownerRole);
  return { name, planned_months: months, ...owner };
}

export async function addActivity(ctx: CommandContext, objectiveId: number, input: ActivityInput) {
  requireEditor(ctx);
  const now = ctx.now ?? new Date();
  return ctx.db.transaction().execute(async (trx) => {
    const found = await planOfObjective(trx, objectiveId);
    const values = await activityValues(trx, input);
    const position = input.position ?? (await nextPosition(trx, 'action_plan_activities', objectiveId));
    const activity = await trx
      .insertInto('action_plan_activities')
      .values({ ...values, objective_id: objectiveId, position })
      .returningAll()
      .executeTakeFirstOrThrow();
    await logChange(trx, found.plan_id, ctx.actor, 'activity_added', { activityId: activity.id, name: values.name }, now);
    return activity;
  });
}

/** Updates an activity; completions of months that are no longer planned are kept in the log but removed from the grid. */
export async function updateActivity(ctx: CommandContext, activityId: number, input: ActivityInput) {
  requireEditor(ctx);
  const now = ctx.now ?? new Date();
  return ctx.db.transaction().execute(async (trx) => {
    const found = await lockActivity(trx, activityId);
    const values = await activityValues(trx, input);
    const activity = await trx.updateTable('action_plan_activities').set(values).where('id', '=', activityId).returningAll().executeTakeFirstOrThrow();
    const dropped = await trx
      .deleteFrom('action_plan_activity_completions')
      .where('activity_id', '=', activityId)
      .where('month', 'not in', values.planned_months)
      .returning(['month', 'done_on'])
      .execute();
    await logChange(trx, found.plan_id, ctx.actor, 'activity_updated', { activityId, name: values.name, plannedMonths: values.planned_months, droppedCompletions: dropped }, now);
    return activity;
  });
}

export async function deleteActivity(ctx: CommandContext, activityId: number): Promise<void> {
  requireEditor(ctx);
  const now = ctx.now ?? new Date();
  await ctx.db.transaction().execute(async (trx) => {
    const found = await lockActivity(trx, activityId);
    await trx.deleteFrom('action_plan_activities').where('id', '=', activityId).execute();
    await logChange(trx, found.plan_id, ctx.actor, 'activity_deleted', { activityId, name: found.name }, now);
  });
}

// ---------------------------------------------------------------------------
// Realisation: manual values and completed activities

export interface EvidenceUpload {
  fileName: string;
  content: Uint8Array;
}

export interface EvidenceInput {
  /** An http(s) link to the evidence, e.g. minutes in a shared folder. */
  evidenceUrl?: string | null;
  /** An uploaded JPEG, PNG, WebP or PDF of at most 5 MB; image metadata is removed. */
  evidenceFile?: EvidenceUpload | null;
  note?: string | null;
}

function sanitizeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? 'file';
  const cleaned = base.replace(/[^\p{L}\p{N}._ -]/gu, '_').slice(0, 120);
  return cleaned || 'file';
}

async function storeEvidence(trx: Tx, input: EvidenceInput, userId: number) {
  const url = validateEvidenceUrl(input.evidenceUrl);
  let fileId: number | null = null;
  if (input.evidenceFile && input.evidenceFile.content.length > 0) {
    let prepared;
    try {
      prepared = prepareAttachment(input.evidenceFile.content);
    } catch (error) {
      if (error instanceof AttachmentError) {
        throw new CommandError('invalid', `${input.evidenceFile.fileName}: ${error.message}`, `error.attachment_${error.reason}`, {}, 'evidenceFile');
      }
      throw error;
    }
    const file = await trx
      .insertInto('action_plan_files')
      .values({
        file_name: sanitizeFileName(input.evidenceFile.fileName),
        mime_type: prepared.mimeType,
        size_bytes: prepared.content.length,
        sha256: createHash('sha256').update(prepared.content).digest('hex'),
        content: prepared.content,
        uploaded_by_user_id: userId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    fileId = file.id;
  }
  if (url === null && fileId === null) throw invalid('evidenceUrl', 'give a link or upload a file as evidence', 'error.plan_evidence_required');
  return { evidence_url: url, evidence_file_id: fileId, note: optionalNote(input.note) };
}

/** Throws unless the month of the plan's year has started (WIB). */
function requireStartedMonth(year: number, month: number, now: Date): void {
  const first = `${year}-${String(month).padStart(2, '0')}-01`;
  if (first > wibDate(now)) throw invalid('month', `${first} has not started yet`, 'error.plan_month_future');
}

/**
 * Records (or replaces) the manual value of an indicator for one month.
 *
 * @example await recordActual(ctx, 7, { month: 3, value: 4, evidenceUrl: 'https://drive.example/notulen-maret.pdf' })
 */
export async function recordActual(ctx: CommandContext, indicatorId: number, input: EvidenceInput & { month: number; value: number }) {
  const now = ctx.now ?? new Date();
  return ctx.db.transaction().execute(async (trx) => {
    const indicator = await lockIndicator(trx, indicatorId);
    const user = requireReporter(ctx, { agencyId: indicator.owner_agency_id, role: indicator.owner_role });
    if (indicator.source !== 'manual') {
      throw new CommandError('conflict', 'this indicator is computed from the complaint data', 'error.plan_indicator_computed', {}, 'value');
    }
    const month = requireMonth(input.month);
    requireStartedMonth(indicator.year, month, now);
    const value = requireValueInUnit(requireNumber(input.value, 'value'), indicator.unit, 'value');
    const evidence = await storeEvidence(trx, input, user.id);
    const row = { indicator_id: indicatorId, month, value, ...evidence, recorded_by_user_id: user.id, recorded_at: now };
    await trx
      .insertInto('action_plan_actuals')
      .values(row)
      .onConflict((oc) => oc.columns(['indicator_id', 'month']).doUpdateSet({
        value, evidence_url: evidence.evidence_url, evidence_file_id: evidence.evidence_file_id, note: evidence.note,
        recorded_by_user_id: user.id, recorded_at: now,
      }))
      .execute();
    await logChange(trx, indicator.plan_id, ctx.actor, 'actual_recorded', { indicatorId, month, value, evidenceFileId: evidence.evidence_file_id }, now);
    return row;
  });
}

export async function removeActual(ctx: CommandContext, indicatorId: number, month: number): Promise<void> {
  const now = ctx.now ?? new Date();
  await ctx.db.transaction().execute(async (trx) => {
    const indicator = await lockIndicator(trx, indicatorId);
    requireReporter(ctx, { agencyId: indicator.owner_agency_id, role: indicator.owner_role });
    const removed = await trx.deleteFrom('action_plan_actuals').where('indicator_id', '=', indicatorId).where('month', '=', requireMonth(month)).returning('value').executeTakeFirst();
    if (removed) await logChange(trx, indicator.plan_id, ctx.actor, 'actual_removed', { indicatorId, month, value: removed.value }, now);
  });
}

/**
 * Ticks off one planned month of an activity with the date it was done.
 *
 * @example await completeActivity(ctx, 3, { month: 3, doneOn: '2026-03-27', evidenceUrl: 'https://drive.example/undangan-rapat.pdf' })
 */
export async function completeActivity(ctx: CommandContext, activityId: number, input: EvidenceInput & { month: number; doneOn: string }) {
  const now = ctx.now ?? new Date();
  return ctx.db.transaction().execute(async (trx) => {
    const activity = await lockActivity(trx, activityId);
    const user = requireReporter(ctx, { agencyId: activity.owner_agency_id, role: activity.owner_role });
    const month = requireMonth(input.month);
    if (!activity.planned_months.map(Number).includes(month)) {
      throw invalid('month', `month ${month} is not planned for this activity`, 'error.plan_month_not_planned');
    }
    const doneOn = (input.doneOn ?? '').trim();
    if (!isValidDate(doneOn)) throw invalid('doneOn', 'date must be YYYY-MM-DD', 'error.plan_date_invalid');
    const doneYear = Number(doneOn.slice(0, 4));
    // A December activity may be finished in the first days of the next year.
    if (doneYear < activity.year || doneYear > activity.year + 1) throw invalid('doneOn', `date must be in ${activity.year}`, 'error.plan_date_year', { year: activity.year });
    if (doneOn > wibDate(now)) throw invalid('doneOn', 'date is in the future', 'error.plan_date_future');
    const evidence = await storeEvidence(trx, input, user.id);
    const row = { activity_id: activityId, month, done_on: doneOn, ...evidence, recorded_by_user_id: user.id, recorded_at: now };
    await trx
      .insertInto('action_plan_activity_completions')
      .values(row)
      .onConflict((oc) => oc.columns(['activity_id', 'month']).doUpdateSet({
        done_on: doneOn, evidence_url: evidence.evidence_url, evidence_file_id: evidence.evidence_file_id, note: evidence.note,
        recorded_by_user_id: user.id, recorded_at: now,
      }))
      .execute();
    await logChange(trx, activity.plan_id, ctx.actor, 'activity_completed', { activityId, month, doneOn, evidenceFileId: evidence.evidence_file_id }, now);
    return row;
  });
}

export async function undoActivityCompletion(ctx: CommandContext, activityId: number, month: number): Promise<void> {
  const now = ctx.now ?? new Date();
  await ctx.db.transaction().execute(async (trx) => {
    const activity = await lockActivity(trx, activityId);
    requireReporter(ctx, { agencyId: activity.owner_agency_id, role: activity.owner_role });
    const removed = await trx
      .deleteFrom('action_plan_activity_completions')
      .where('activity_id', '=', activityId)
      .where('month', '=', requireMonth(month))
      .returning('done_on')
      .executeTakeFirst();
    if (removed) await logChange(trx, activity.plan_id, ctx.actor, 'activity_completion_undone', { activityId, month, doneOn: removed.done_on }, now);
  });
}

// ---------------------------------------------------------------------------
// Seeding a plan from a JSON file

interface SeedOwner { agency?: string; role?: string }
interface SeedIndicator {
  name: string;
  target: number;
  unit?: string;
  comparison: string;
  period: string;
  formula?: string;
  slice?: IndicatorSlice;
  aggregate?: string;
  owner: SeedOwner;
}
interface SeedActivity { name: string; months: number[]; owner: SeedOwner }
interface SeedPlan {
  year: number;
  title: string;
  objectives: { title: string; indicators?: SeedIndicator[]; activities?: SeedActivity[] }[];
}

/** A seed file that cannot be used; the message names the file and what to fix. */
export class ActionPlanSeedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ActionPlanSeedError';
  }
}

/**
 * Creates the plan described by a JSON file (see seed/action-plan-2026.json)
 * unless a plan for its year exists, which is left as administrators edited
 * it. Every check of the commands applies.
 *
 * @example await seedActionPlan(db, 'seed/action-plan-2026.json') // { created: true, planId: 1, year: 2026 }
 */
export async function seedActionPlan(db: Kysely<DB>, file: string, now = new Date()): Promise<{ created: boolean; planId: number; year: number }> {
  let seed: SeedPlan;
  try {
    seed = JSON.parse(fs.readFileSync(file, 'utf8')) as SeedPlan;
  } catch (error) {
    throw new ActionPlanSeedError(`Cannot read the action plan file ${file}: ${(error as Error).message}`);
  }
  if (!seed || typeof seed !== 'object' || !Array.isArray(seed.objectives)) {
    throw new ActionPlanSeedError(`${file} must be an object with year, title and an objectives list.`);
  }
  const existing = await db.selectFrom('action_plans').select('id').where('year', '=', seed.year).executeTakeFirst();
  if (existing) return { created: false, planId: existing.id, year: seed.year };

  const ctx: CommandContext = { db, actor: { kind: 'system', reason: 'seed' }, now };
  try {
    return await db.transaction().execute(async (trx) => {
      // The commands open their own transactions; here one transaction holds
      // the whole file, so a bad line leaves no half-made plan behind.
      const inner: CommandContext = { ...ctx, db: trx };
      const plan = await createActionPlanInTx(inner, trx, seed);
      return { created: true, planId: plan.id, year: plan.year };
    });
  } catch (error) {
    if (error instanceof CommandError) {
      throw new ActionPlanSeedError(`${file}: ${error.message}${error.field ? ` (field ${error.field})` : ''}`);
    }
    throw error;
  }
}

async function createActionPlanInTx(ctx: CommandContext, trx: Tx, seed: SeedPlan) {
  const now = ctx.now ?? new Date();
  const year = requireYear(seed.year);
  const title = requireTitle(seed.title, 'title');
  const plan = await trx.insertInto('action_plans').values({ year, title, created_at: now, updated_at: now }).returningAll().executeTakeFirstOrThrow();
  let objectivePosition = 0;
  for (const objectiveSeed of seed.objectives) {
    objectivePosition += 1;
    const objective = await trx
      .insertInto('action_plan_objectives')
      .values({ plan_id: plan.id, title: requireTitle(objectiveSeed.title, 'title'), position: objectivePosition })
      .returning('id')
      .executeTakeFirstOrThrow();
    let position = 0;
    for (const entry of objectiveSeed.indicators ?? []) {
      position += 1;
      const values = await indicatorValues(trx, {
        name: entry.name,
        targetValue: entry.target,
        unit: entry.unit,
        comparison: entry.comparison,
        period: entry.period,
        source: entry.formula ? 'formula' : 'manual',
        formulaCode: entry.formula ?? null,
        slice: entry.slice,
        manualAggregate: entry.aggregate,
        ownerAgencyCode: entry.owner?.agency,
        ownerRole: entry.owner?.role,
      });
      await trx.insertInto('action_plan_indicators').values({ ...values, objective_id: objective.id, position }).execute();
    }
    position = 0;
    for (const entry of objectiveSeed.activities ?? []) {
      position += 1;
      const values = await activityValues(trx, { name: entry.name, plannedMonths: entry.months, ownerAgencyCode: entry.owner?.agency, ownerRole: entry.owner?.role });
      await trx.insertInto('action_plan_activities').values({ ...values, objective_id: objective.id, position }).execute();
    }
  }
  await logChange(trx, plan.id, ctx.actor, 'plan_seeded', { year, objectives: seed.objectives.length }, now);
  logger.info({ planId: plan.id, year }, 'action plan seeded');
  return plan;
}
