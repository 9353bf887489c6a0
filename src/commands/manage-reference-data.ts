/**
 * Reference data that administrators edit without a deploy: agencies (OPD),
 * categories with their routing and SLA clocks, the holiday calendar, and
 * staff accounts. Every function is for the `admin` role only and throws a
 * CommandError `forbidden` for anyone else. A change to a category's clocks
 * or to the calendar recomputes the deadlines of open complaints.
 *
 * Example:
 *   await saveCategory(ctx, { code: 'jalan-jembatan', name: 'Jalan dan jembatan', agencyCode: 'dpupr', verifyDays: 2, ... }, 1)
 *   // → { category, recomputed: 42, run: { status: 'done', ... } }
 */
import type { Agency, Category, User } from '../db/schema.ts';
import type { Complexity, StaffUser } from '../domain/types.ts';
import { isValidDate } from '../domain/time.ts';
import type { HolidayKind } from '../domain/calendar.ts';
import { OPEN_STATUSES } from '../domain/lifecycle.ts';
import { canManageReferenceData, OVERSIGHT_AGENCY_CODE } from '../policies/complaints.ts';
import { logger } from '../logger.ts';
import { eventRow, type CommandContext, type Tx } from './context.ts';
import { CommandError, invalid } from './errors.ts';
import { createUser, requireName, type CreateUserInput } from './users.ts';
import { recomputeAfterCalendarChange, requestDeadlineRecompute, runInlineOrQueue, type RecomputeRun } from './recompute-deadlines.ts';
import { invalidateReferenceCache } from './reference-cache.ts';

/** Agency kinds the seed data uses; the admin form offers these. */
export const AGENCY_KINDS = ['dinas', 'badan', 'sekretariat', 'inspektorat', 'rsud', 'satuan', 'unit', 'bumd', 'kecamatan', 'kelurahan'] as const;
export type AgencyKind = (typeof AGENCY_KINDS)[number];

export const COMPLEXITIES: readonly Complexity[] = ['simple', 'medium', 'complex'];
export const HOLIDAY_KINDS: readonly HolidayKind[] = ['national', 'collective_leave'];

/** Codes are stable identifiers used in URLs, the API and imports: lower case, digits and dashes. */
const CODE_RE = /^[a-z0-9][a-z0-9-]{1,39}$/;
/** Working-day limits of every SLA clock; the same range as the database's CHECK constraints. */
export const MIN_CLOCK_DAYS = 0;
export const MAX_CLOCK_DAYS = 365;
/** Years the calendar editor accepts; outside them a typo is far more likely than a real need. */
const MIN_CALENDAR_YEAR = 2000;
const MAX_CALENDAR_YEAR = 2100;

function requireAdmin(ctx: CommandContext): StaffUser {
  if (ctx.actor.kind !== 'staff' || !canManageReferenceData(ctx.actor.user)) {
    throw new CommandError('forbidden', 'only an administrator may change reference data', 'error.admin_only');
  }
  return ctx.actor.user;
}

export function requireCode(value: string | undefined): string {
  const code = (value ?? '').trim().toLowerCase();
  if (!CODE_RE.test(code)) throw invalid('code', `code "${code}" must be 2 to 40 lower-case letters, digits or dashes`, 'error.code_invalid');
  return code;
}

// Agencies (OPD)

export async function addAgency(ctx: CommandContext, input: { code: string; name: string; kind: string }): Promise<Agency> {
  const admin = requireAdmin(ctx);
  const code = requireCode(input.code);
  const name = requireName(input.name);
  if (!AGENCY_KINDS.includes(input.kind as AgencyKind)) {
    throw invalid('kind', `kind must be one of ${AGENCY_KINDS.join(', ')}`, 'error.agency_kind_invalid');
  }
  const existing = await ctx.db.selectFrom('agencies').select('id').where('code', '=', code).executeTakeFirst();
  if (existing) throw new CommandError('conflict', `an agency with code ${code} exists`, 'error.agency_exists', { code }, 'code');
  const agency = await ctx.db.insertInto('agencies').values({ code, name, kind: input.kind }).returningAll().executeTakeFirstOrThrow();
  logger.info({ adminId: admin.id, agencyId: agency.id }, 'agency added');
  return agency;
}

export async function renameAgency(ctx: CommandContext, agencyId: number, input: { name: string }): Promise<Agency> {
  const admin = requireAdmin(ctx);
  const name = requireName(input.name);
  const agency = await ctx.db.updateTable('agencies').set({ name }).where('id', '=', agencyId).returningAll().executeTakeFirst();
  if (!agency) throw new CommandError('not_found', `agency ${agencyId} not found`, 'error.not_found.agency');
  logger.info({ adminId: admin.id, agencyId }, 'agency renamed');
  return agency;
}

/**
 * Deactivates (or reactivates) an agency. A deactivated agency receives no
 * new disposisi; complaints already sent to it stay there until they are dispatched
 * again, and its officers can still sign in to finish them.
 */
/** An agency after a change of its active flag, with what it still holds: open reports and categories routed to it. */
export interface AgencyActiveResult {
  agency: Agency;
  openReports: number;
  defaultOfCategories: number;
}

export async function setAgencyActive(ctx: CommandContext, agencyId: number, active: boolean): Promise<AgencyActiveResult> {
  const admin = requireAdmin(ctx);
  const current = await ctx.db.selectFrom('agencies').select('code').where('id', '=', agencyId).executeTakeFirst();
  if (!current) throw new CommandError('not_found', `agency ${agencyId} not found`, 'error.not_found.agency');
  if (!active && current.code === OVERSIGHT_AGENCY_CODE) {
    throw new CommandError('conflict', 'the Inspektorat receives every oversight report and cannot be deactivated', 'error.agency_oversight_required');
  }
  const agency = await ctx.db.updateTable('agencies').set({ active }).where('id', '=', agencyId).returningAll().executeTakeFirstOrThrow();
  logger.info({ adminId: admin.id, agencyId, active }, active ? 'agency reactivated' : 'agency deactivated');
  // An inactive agency keeps its open reports and its categories. The counts go back to the page, so that the administrator moves them.
  const [reports, categories] = await Promise.all([
    ctx.db.selectFrom('complaints').select((eb) => eb.fn.countAll<string>().as('n'))
      .where('agency_id', '=', agencyId).where('status', 'in', [...OPEN_STATUSES]).where('merged_into_id', 'is', null).executeTakeFirstOrThrow(),
    ctx.db.selectFrom('categories').select((eb) => eb.fn.countAll<string>().as('n'))
      .where('agency_id', '=', agencyId).where('active', '=', true).executeTakeFirstOrThrow(),
  ]);
  return { agency, openReports: Number(reports.n), defaultOfCategories: Number(categories.n) };
}

// Categories

export interface CategoryInput {
  /** Only read when a category is added; an existing category keeps its code. */
  code?: string;
  name: string;
  nameEn?: string | null;
  /** Default agency; null or '' for none (the complaint officer then chooses on verification). */
  agencyCode?: string | null;
  oversight: boolean;
  complexity: Complexity;
  verifyDays: number;
  firstFollowUpDays: number;
  resolutionDaysSimple: number;
  resolutionDaysMedium: number;
  resolutionDaysComplex: number;
  autoCloseDays: number;
  active?: boolean;
}

export function requireDays(value: number, field: string): number {
  if (!Number.isInteger(value) || value < MIN_CLOCK_DAYS || value > MAX_CLOCK_DAYS) {
    throw invalid(field, `${field} must be a whole number of working days from ${MIN_CLOCK_DAYS} to ${MAX_CLOCK_DAYS}`, 'error.days_invalid',
      { min: MIN_CLOCK_DAYS, max: MAX_CLOCK_DAYS });
  }
  return value;
}

/**
 * Adds a category (`categoryId` absent) or updates one, then recomputes the
 * deadlines of its open and resolved complaints so that new clocks apply.
 * The change and its recompute run commit together. Up to
 * `recomputeSettings.inlineLimit` complaints are recomputed before this
 * returns; a larger run is left to the `deadline-recompute` job, and
 * `recomputed` is then 0. `run` is null when no clock changed.
 */
export async function saveCategory(
  ctx: CommandContext,
  input: CategoryInput,
  categoryId?: number,
): Promise<{ category: Category; recomputed: number; run: RecomputeRun | null }> {
  const admin = requireAdmin(ctx);
  const name = requireName(input.name);
  const nameEn = input.nameEn?.trim() ? requireName(input.nameEn, 'nameEn') : null;
  if (!COMPLEXITIES.includes(input.complexity)) throw invalid('complexity', 'complexity must be simple, medium or complex', 'error.complexity_invalid');
  const days = {
    verify_days: requireDays(input.verifyDays, 'verifyDays'),
    first_follow_up_days: requireDays(input.firstFollowUpDays, 'firstFollowUpDays'),
    resolution_days_simple: requireDays(input.resolutionDaysSimple, 'resolutionDaysSimple'),
    resolution_days_medium: requireDays(input.resolutionDaysMedium, 'resolutionDaysMedium'),
    resolution_days_complex: requireDays(input.resolutionDaysComplex, 'resolutionDaysComplex'),
    auto_close_days: requireDays(input.autoCloseDays, 'autoCloseDays'),
  };

  let agencyId: number | null = null;
  const agencyCode = input.agencyCode?.trim() || null;
  if (agencyCode) {
    const agency = await ctx.db.selectFrom('agencies').select(['id', 'active']).where('code', '=', agencyCode).executeTakeFirst();
    if (!agency || !agency.active) throw invalid('agencyCode', `agency "${agencyCode}" does not exist`, 'error.agency_unknown', { code: agencyCode });
    agencyId = agency.id;
  }
  // Oversight reports must never reach the agency complained about, so their category routes to the Inspektorat.
  if (input.oversight && agencyCode !== OVERSIGHT_AGENCY_CODE) {
    throw invalid('agencyCode', 'an oversight category must route to the Inspektorat', 'error.oversight_only_inspektorat');
  }

  const values = {
    name,
    name_en: nameEn,
    agency_id: agencyId,
    oversight: input.oversight,
    complexity: input.complexity,
    ...days,
    active: input.active ?? true,
  };
  const { category, run: requested } = await ctx.db.transaction().execute(async (trx) => {
    let saved: Category | undefined;
    let previous: Category | undefined;
    if (categoryId === undefined) {
      const code = requireCode(input.code);
      const existing = await trx.selectFrom('categories').select('id').where('code', '=', code).executeTakeFirst();
      if (existing) throw new CommandError('conflict', `a category with code ${code} exists`, 'error.category_exists', { code }, 'code');
      saved = await trx.insertInto('categories').values({ code, ...values }).returningAll().executeTakeFirstOrThrow();
    } else {
      previous = await trx.selectFrom('categories').selectAll().where('id', '=', categoryId).forUpdate().executeTakeFirst();
      saved = await trx.updateTable('categories').set(values).where('id', '=', categoryId).returningAll().executeTakeFirst();
      if (!saved) throw new CommandError('not_found', `category ${categoryId} not found`, 'error.not_found.category');
    }
    // A new category has no complaints, and a change that leaves every clock
    // as it was moves no deadline, so neither records a run. The category's
    // complexity picks the resolution clock of complaints that have none.
    const clockFields = [...Object.keys(days), 'complexity'] as (keyof typeof days | 'complexity')[];
    const clocksChanged = previous !== undefined && clockFields.some((key) => previous[key] !== saved[key]);
    const run = clocksChanged
      ? await requestDeadlineRecompute(trx, {
        reason: 'category_changed', changedFrom: null, changedTo: null, categoryId: saved.id, requestedBy: admin.id,
      })
      : null;
    return { category: saved, run };
  });
  // Intake reads categories from a per-process cache, so this process clears it to use the change at once.
  invalidateReferenceCache();
  const run = requested === null ? null : await runInlineOrQueue(ctx.db, requested, ctx.now);
  const recomputed = run?.status === 'done' ? run.processed : 0;
  logger.info({ adminId: admin.id, categoryId: category.id, runId: run?.id ?? null, recomputed }, categoryId === undefined ? 'category added' : 'category updated');
  return { category, recomputed, run };
}

// Holiday calendar

export interface HolidayInput {
  /** `YYYY-MM-DD`, a WIB calendar date. */
  date: string;
  kind: HolidayKind;
  name: string;
  /** The decree that set the date, for example "SKB 3 Menteri 2025". */
  basis?: string | null;
}

function requireDate(value: string): string {
  const date = (value ?? '').trim();
  if (!isValidDate(date)) throw invalid('date', `"${date}" is not a date in the form YYYY-MM-DD`, 'error.holiday_date_invalid');
  requireYear(Number(date.slice(0, 4)));
  return date;
}

function requireYear(year: number): number {
  if (!Number.isInteger(year) || year < MIN_CALENDAR_YEAR || year > MAX_CALENDAR_YEAR) {
    throw invalid('year', `year must be from ${MIN_CALENDAR_YEAR} to ${MAX_CALENDAR_YEAR}`, 'error.year_invalid', { min: MIN_CALENDAR_YEAR, max: MAX_CALENDAR_YEAR });
  }
  return year;
}

/**
 * Result of a calendar change: the deadline recompute run it started, and how
 * many complaints that run has recomputed so far. A run over more than
 * `recomputeSettings.inlineLimit` complaints is still pending when this
 * returns, and the `deadline-recompute` job finishes it.
 */
export interface CalendarChangeResult {
  recomputed: number;
  run: RecomputeRun;
}

async function changeCalendar(
  ctx: CommandContext,
  admin: StaffUser,
  range: { changedFrom: string; changedTo: string; reason: RecomputeRun['reason'] },
  change: (trx: Tx) => Promise<void>,
): Promise<CalendarChangeResult> {
  const run = await recomputeAfterCalendarChange(ctx.db, { ...range, requestedBy: admin.id, now: ctx.now }, change);
  return { recomputed: run.processed, run };
}

/** Adds a holiday and recomputes the deadlines it can move (see CalendarChangeResult). */
export async function addHoliday(ctx: CommandContext, input: HolidayInput): Promise<CalendarChangeResult> {
  const admin = requireAdmin(ctx);
  const date = requireDate(input.date);
  if (!HOLIDAY_KINDS.includes(input.kind)) throw invalid('kind', 'kind must be national or collective_leave', 'error.holiday_kind_invalid');
  const name = requireName(input.name);
  const existing = await ctx.db.selectFrom('holidays').select('date').where('date', '=', date).executeTakeFirst();
  if (existing) throw new CommandError('conflict', `${date} is already a holiday`, 'error.holiday_exists', { date }, 'date');
  const result = await changeCalendar(ctx, admin, { changedFrom: date, changedTo: date, reason: 'holiday_added' }, async (trx) => {
    await trx.insertInto('holidays').values({ date, kind: input.kind, name, basis: input.basis?.trim() || null, note: null }).execute();
  });
  logger.info({ adminId: admin.id, date, runId: result.run.id, recomputed: result.recomputed }, 'holiday added');
  return result;
}

export async function removeHoliday(ctx: CommandContext, date: string): Promise<CalendarChangeResult> {
  const admin = requireAdmin(ctx);
  const checked = requireDate(date);
  const result = await changeCalendar(ctx, admin, { changedFrom: checked, changedTo: checked, reason: 'holiday_removed' }, async (trx) => {
    const deleted = await trx.deleteFrom('holidays').where('date', '=', checked).executeTakeFirst();
    if (Number(deleted.numDeletedRows) === 0) throw new CommandError('not_found', `${checked} is not a holiday`, 'error.not_found.holiday', { date: checked });
  });
  logger.info({ adminId: admin.id, date: checked, runId: result.run.id, recomputed: result.recomputed }, 'holiday removed');
  return result;
}

/**
 * Marks a year's holiday list as complete (or no longer complete). Deadlines
 * that fall in a year not marked are flagged "calendar not available".
 */
export async function setCalendarYearCovered(ctx: CommandContext, year: number, covered: boolean): Promise<CalendarChangeResult> {
  const admin = requireAdmin(ctx);
  const checked = requireYear(year);
  const range = { changedFrom: `${checked}-01-01`, changedTo: `${checked}-12-31`, reason: 'calendar_year' as const };
  const result = await changeCalendar(ctx, admin, range, async (trx) => {
    if (covered) {
      await trx.insertInto('calendar_years').values({ year: checked }).onConflict((oc) => oc.column('year').doNothing()).execute();
    } else {
      await trx.deleteFrom('calendar_years').where('year', '=', checked).execute();
    }
  });
  logger.info({ adminId: admin.id, year: checked, covered, runId: result.run.id, recomputed: result.recomputed }, 'calendar year coverage changed');
  return result;
}

// Staff accounts

/** Adds a staff account; without a password one is generated and returned once. */
export async function addStaffUser(ctx: CommandContext, input: CreateUserInput): Promise<{ user: User; generatedPassword?: string }> {
  const admin = requireAdmin(ctx);
  const result = await createUser(ctx.db, { ...input, agencyCode: input.agencyCode?.trim() || undefined, password: input.password || undefined });
  logger.info({ adminId: admin.id, userId: result.user.id, role: result.user.role }, 'staff user added');
  return result;
}

/**
 * Deactivates (or reactivates) a staff account. Deactivation also ends the
 * user's sessions and revokes their API tokens, so it takes effect at once,
 * and hands back the open reports the user held, each with an `unassigned`
 * event. Otherwise they would wait for someone who can no longer act, and
 * no officer would be notified of their replies and breaches. The roster
 * then assigns them again. An administrator cannot deactivate their own
 * account.
 */
export async function setUserActive(ctx: CommandContext, userId: number, active: boolean): Promise<User> {
  const admin = requireAdmin(ctx);
  if (!active && userId === admin.id) throw new CommandError('conflict', 'an administrator cannot deactivate their own account', 'error.user_self_deactivate');
  const now = ctx.now ?? new Date();
  return ctx.db.transaction().execute(async (trx) => {
    const user = await trx.updateTable('users').set({ active }).where('id', '=', userId).returningAll().executeTakeFirst();
    if (!user) throw new CommandError('not_found', `user ${userId} not found`, 'error.not_found.user');
    if (!active) {
      await trx.deleteFrom('sessions').where('user_id', '=', userId).execute();
      await trx.updateTable('api_tokens').set({ revoked_at: new Date() }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
      const released = await trx
        .updateTable('complaints')
        .set({ assigned_user_id: null, updated_at: now })
        .where('assigned_user_id', '=', userId)
        .where('status', 'in', OPEN_STATUSES)
        .returning('id')
        .execute();
      if (released.length > 0) {
        await trx.insertInto('complaint_events').values(released.map((row) => eventRow(row.id, ctx.actor, {
          type: 'unassigned', data: { userId, byUserId: admin.id, reason: 'deactivated' },
        }, now))).execute();
      }
      logger.info({ adminId: admin.id, userId, released: released.length }, 'staff user deactivated');
      return user;
    }
    logger.info({ adminId: admin.id, userId }, 'staff user reactivated');
    return user;
  });
}
