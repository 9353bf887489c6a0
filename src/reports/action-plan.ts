/**
 * The action plan (rencana aksi) of one year, read from the database, and its
 * progress: the realisation of every indicator per period, compared with its
 * target, and the state of every scheduled activity per month.
 *
 * Status rule (shown to users in the plan page's footnote):
 * - on track (sesuai target): the actual value meets the target;
 * - at risk (berisiko): it misses the target by at most 5 % of the target
 *   value, for example 90.25–94.99 % against a target of ≥ 95 %;
 * - missed (tidak tercapai): it misses by more than 5 % of the target value;
 * - no data (belum ada data): nothing was measured or entered for a period
 *   that has started;
 * - not due (belum berjalan): the period has not started.
 * A period that is still running gets a provisional status.
 *
 * Formula indicators are computed with `computeIndicators` over the period's
 * WIB dates and the indicator's slice; shares are shown as percentages.
 * Manual indicators combine the monthly values of a quarter or a year by
 * their aggregate: sum, mean, or the last value entered.
 */
import type { Kysely } from 'kysely';
import type {
  DB, IndicatorComparison, IndicatorPeriod, IndicatorSlice, IndicatorSource, IndicatorUnit, ManualAggregate, Role,
} from '../db/schema.ts';
export { FORMULA_UNITS, INDICATOR_PERIODS, INDICATOR_UNITS, MANUAL_AGGREGATES } from '../commands/manage-action-plan.ts';
import { wibDate } from '../domain/time.ts';
import { computeIndicators, INDICATORS, type IndicatorDefinition } from './indicators.ts';

/** Share of the target value within which a miss counts as at risk rather than missed. */
export const AT_RISK_TOLERANCE = 0.05;
// Guards the tolerance comparison against binary rounding, e.g. 95 × 0.05.
const EPSILON = 1e-9;

export type IndicatorStatus = 'on_track' | 'at_risk' | 'missed' | 'no_data' | 'not_due';
export type PeriodState = 'future' | 'running' | 'closed';
export type ActivityMonthState = 'not_planned' | 'planned' | 'due' | 'overdue' | 'done';


/**
 * Returns the status of one measured value against its target.
 *
 * @example indicatorStatus(93, 95, 'gte') // 'at_risk' (misses by 2, within 5 % of 95)
 * @example indicatorStatus(1.2, 1, 'lte') // 'missed' (misses by 0.2, more than 5 % of 1)
 */
export function indicatorStatus(actual: number | null, target: number, comparison: IndicatorComparison): 'on_track' | 'at_risk' | 'missed' | 'no_data' {
  if (actual === null || !Number.isFinite(actual)) return 'no_data';
  const shortfall = comparison === 'gte' ? target - actual : actual - target;
  if (shortfall <= EPSILON) return 'on_track';
  return shortfall <= Math.abs(target) * AT_RISK_TOLERANCE + EPSILON ? 'at_risk' : 'missed';
}

/** Converts a computed value to the plan's unit (fraction → percent). */
function scaleFormulaValue(definition: IndicatorDefinition, value: number | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  return definition.unit === 'share' ? Math.round(value * 100 * 100) / 100 : value;
}

export function findIndicatorDefinition(code: string | null): IndicatorDefinition | undefined {
  return INDICATORS.find((definition) => definition.code === code);
}

// ---------------------------------------------------------------------------
// Loading a plan

export interface PlanOwner {
  agencyId: number | null;
  agencyCode: string | null;
  agencyName: string | null;
  role: Role | null;
}

export interface Evidence {
  url: string | null;
  fileId: number | null;
  fileName: string | null;
}

export interface PlanActual {
  month: number;
  value: number;
  evidence: Evidence;
  note: string | null;
  recordedAt: Date;
}

export interface PlanIndicator {
  id: number;
  objectiveId: number;
  position: number;
  name: string;
  targetValue: number;
  unit: IndicatorUnit;
  comparison: IndicatorComparison;
  period: IndicatorPeriod;
  source: IndicatorSource;
  formulaCode: string | null;
  slice: IndicatorSlice;
  manualAggregate: ManualAggregate;
  owner: PlanOwner;
  /** Manual values by month (1–12). */
  actuals: PlanActual[];
}

export interface PlanCompletion {
  month: number;
  doneOn: string;
  evidence: Evidence;
  note: string | null;
}

export interface PlanActivity {
  id: number;
  objectiveId: number;
  position: number;
  name: string;
  plannedMonths: number[];
  owner: PlanOwner;
  completions: PlanCompletion[];
}

export interface PlanObjective {
  id: number;
  position: number;
  title: string;
  indicators: PlanIndicator[];
  activities: PlanActivity[];
}

export interface ActionPlan {
  id: number;
  year: number;
  title: string;
  updatedAt: Date;
  objectives: PlanObjective[];
}

/** Years that have a plan, newest first. */
export async function listPlanYears(db: Kysely<DB>): Promise<number[]> {
  const rows = await db.selectFrom('action_plans').select('year').orderBy('year', 'desc').execute();
  return rows.map((row) => row.year);
}

/**
 * Loads the plan of a year with its objectives, indicators, activities,
 * manual values and completions; undefined when the year has no plan.
 *
 * @example const plan = await loadActionPlan(db, 2026);
 */
export async function loadActionPlan(db: Kysely<DB>, year: number): Promise<ActionPlan | undefined> {
  const plan = await db.selectFrom('action_plans').selectAll().where('year', '=', year).executeTakeFirst();
  if (!plan) return undefined;

  const [objectives, indicators, activities, actuals, completions] = await Promise.all([
    db.selectFrom('action_plan_objectives').selectAll().where('plan_id', '=', plan.id).orderBy('position').orderBy('id').execute(),
    db
      .selectFrom('action_plan_indicators as i')
      .innerJoin('action_plan_objectives as o', 'o.id', 'i.objective_id')
      .leftJoin('agencies as a', 'a.id', 'i.owner_agency_id')
      .selectAll('i')
      .select(['a.code as agency_code', 'a.name as agency_name'])
      .where('o.plan_id', '=', plan.id)
      .orderBy('i.position')
      .orderBy('i.id')
      .execute(),
    db
      .selectFrom('action_plan_activities as t')
      .innerJoin('action_plan_objectives as o', 'o.id', 't.objective_id')
      .leftJoin('agencies as a', 'a.id', 't.owner_agency_id')
      .selectAll('t')
      .select(['a.code as agency_code', 'a.name as agency_name'])
      .where('o.plan_id', '=', plan.id)
      .orderBy('t.position')
      .orderBy('t.id')
      .execute(),
    db
      .selectFrom('action_plan_actuals as v')
      .innerJoin('action_plan_indicators as i', 'i.id', 'v.indicator_id')
      .innerJoin('action_plan_objectives as o', 'o.id', 'i.objective_id')
      .leftJoin('action_plan_files as f', 'f.id', 'v.evidence_file_id')
      .select(['v.indicator_id', 'v.month', 'v.value', 'v.evidence_url', 'v.evidence_file_id', 'v.note', 'v.recorded_at', 'f.file_name'])
      .where('o.plan_id', '=', plan.id)
      .orderBy('v.month')
      .execute(),
    db
      .selectFrom('action_plan_activity_completions as d')
      .innerJoin('action_plan_activities as t', 't.id', 'd.activity_id')
      .innerJoin('action_plan_objectives as o', 'o.id', 't.objective_id')
      .leftJoin('action_plan_files as f', 'f.id', 'd.evidence_file_id')
      .select(['d.activity_id', 'd.month', 'd.done_on', 'd.evidence_url', 'd.evidence_file_id', 'd.note', 'f.file_name'])
      .where('o.plan_id', '=', plan.id)
      .orderBy('d.month')
      .execute(),
  ]);

  const owner = (row: { owner_agency_id: number | null; owner_role: Role | null; agency_code: string | null; agency_name: string | null }): PlanOwner => ({
    agencyId: row.owner_agency_id,
    agencyCode: row.agency_code,
    agencyName: row.agency_name,
    role: row.owner_role,
  });

  return {
    id: plan.id,
    year: plan.year,
    title: plan.title,
    updatedAt: plan.updated_at,
    objectives: objectives.map((objective) => ({
      id: objective.id,
      position: objective.position,
      title: objective.title,
      indicators: indicators
        .filter((row) => row.objective_id === objective.id)
        .map((row) => ({
          id: row.id,
          objectiveId: row.objective_id,
          position: row.position,
          name: row.name,
          targetValue: row.target_value,
          unit: row.unit,
          comparison: row.comparison,
          period: row.period,
          source: row.source,
          formulaCode: row.formula_code,
          slice: row.slice ?? {},
          manualAggregate: row.manual_aggregate,
          owner: owner(row),
          actuals: actuals
            .filter((actual) => actual.indicator_id === row.id)
            .map((actual) => ({
              month: actual.month,
              value: actual.value,
              evidence: { url: actual.evidence_url, fileId: actual.evidence_file_id, fileName: actual.file_name },
              note: actual.note,
              recordedAt: actual.recorded_at,
            })),
        })),
      activities: activities
        .filter((row) => row.objective_id === objective.id)
        .map((row) => ({
          id: row.id,
          objectiveId: row.objective_id,
          position: row.position,
          name: row.name,
          plannedMonths: [...row.planned_months].map(Number).sort((a, b) => a - b),
          owner: owner(row),
          completions: completions
            .filter((completion) => completion.activity_id === row.id)
            .map((completion) => ({
              month: completion.month,
              doneOn: completion.done_on,
              evidence: { url: completion.evidence_url, fileId: completion.evidence_file_id, fileName: completion.file_name },
              note: completion.note,
            })),
        })),
    })),
  };
}

/** Loads an evidence file for download. */
export async function loadPlanFile(db: Kysely<DB>, fileId: number) {
  if (!Number.isSafeInteger(fileId) || fileId <= 0) return undefined;
  return db.selectFrom('action_plan_files').select(['id', 'file_name', 'mime_type', 'content']).where('id', '=', fileId).executeTakeFirst();
}

// ---------------------------------------------------------------------------
// Periods

export interface PlanPeriod {
  /** `2026-03`, `2026-Q1` or `2026`. */
  key: string;
  firstMonth: number;
  lastMonth: number;
  /** First and last WIB dates, `YYYY-MM-DD`. */
  from: string;
  to: string;
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

function lastDayOfMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function periodOf(year: number, key: string, firstMonth: number, lastMonth: number): PlanPeriod {
  return {
    key,
    firstMonth,
    lastMonth,
    from: `${year}-${pad(firstMonth)}-01`,
    to: `${year}-${pad(lastMonth)}-${pad(lastDayOfMonth(year, lastMonth))}`,
  };
}

/**
 * Lists the periods of a year for an indicator's period type.
 *
 * @example planPeriods(2026, 'quarterly')[1] // { key: '2026-Q2', firstMonth: 4, lastMonth: 6, from: '2026-04-01', to: '2026-06-30' }
 */
export function planPeriods(year: number, period: IndicatorPeriod): PlanPeriod[] {
  switch (period) {
    case 'monthly':
      return Array.from({ length: 12 }, (_, index) => periodOf(year, `${year}-${pad(index + 1)}`, index + 1, index + 1));
    case 'quarterly':
      return [1, 2, 3, 4].map((quarter) => periodOf(year, `${year}-Q${quarter}`, quarter * 3 - 2, quarter * 3));
    case 'yearly':
      return [periodOf(year, String(year), 1, 12)];
  }
}

export function periodState(period: Pick<PlanPeriod, 'from' | 'to'>, today: string): PeriodState {
  if (today < period.from) return 'future';
  if (today > period.to) return 'closed';
  return 'running';
}

/** Combines the manual monthly values that fall in a period; null when none. */
export function aggregateManual(actuals: readonly Pick<PlanActual, 'month' | 'value'>[], period: Pick<PlanPeriod, 'firstMonth' | 'lastMonth'>, aggregate: ManualAggregate): number | null {
  const inPeriod = actuals
    .filter((actual) => actual.month >= period.firstMonth && actual.month <= period.lastMonth)
    .sort((a, b) => a.month - b.month);
  if (inPeriod.length === 0) return null;
  switch (aggregate) {
    case 'sum':
      return inPeriod.reduce((sum, actual) => sum + actual.value, 0);
    case 'mean':
      return Math.round((inPeriod.reduce((sum, actual) => sum + actual.value, 0) / inPeriod.length) * 100) / 100;
    case 'last':
      return inPeriod[inPeriod.length - 1].value;
  }
}

// ---------------------------------------------------------------------------
// Progress

export interface PeriodProgress extends PlanPeriod {
  state: PeriodState;
  actual: number | null;
  status: IndicatorStatus;
  /** The period is still running, so its status can change. */
  provisional: boolean;
}

export interface IndicatorProgress {
  indicator: PlanIndicator;
  periods: PeriodProgress[];
  /** The period whose status stands for the indicator now (see `latestPeriod`). */
  latest: PeriodProgress | null;
}

export interface ActivityMonth {
  month: number;
  state: ActivityMonthState;
  completion: PlanCompletion | null;
}

export interface ActivityProgress {
  activity: PlanActivity;
  months: ActivityMonth[];
}

export interface PlanProgress {
  plan: ActionPlan;
  /** WIB date the progress was computed for. */
  today: string;
  objectives: { objective: PlanObjective; indicators: IndicatorProgress[]; activities: ActivityProgress[] }[];
  /** Number of indicators per status of their latest period. */
  summary: Record<IndicatorStatus, number>;
}

/**
 * Returns the state of each month of an activity: done when ticked off,
 * overdue when a planned month has ended without it, due in the current
 * planned month, planned for a later one.
 */
export function activityMonths(activity: Pick<PlanActivity, 'plannedMonths' | 'completions'>, year: number, today: string): ActivityMonth[] {
  return Array.from({ length: 12 }, (_, index) => {
    const month = index + 1;
    const completion = activity.completions.find((entry) => entry.month === month) ?? null;
    if (completion) return { month, state: 'done' as const, completion };
    if (!activity.plannedMonths.includes(month)) return { month, state: 'not_planned' as const, completion: null };
    const state = periodState(periodOf(year, '', month, month), today);
    if (state === 'closed') return { month, state: 'overdue' as const, completion: null };
    if (state === 'running') return { month, state: 'due' as const, completion: null };
    return { month, state: 'planned' as const, completion: null };
  });
}

type IndicatorRows = Awaited<ReturnType<typeof computeIndicators>>['rows'];

/**
 * Returns the period whose status is the indicator's current status. That is
 * the running period once it has a value, because a month that began this
 * morning has no data yet. Otherwise it is the last closed period, then the
 * running one. Before the year starts it is null.
 */
export function latestPeriod(periods: readonly PeriodProgress[]): PeriodProgress | null {
  const running = periods.find((period) => period.state === 'running');
  if (running && running.actual !== null) return running;
  const closed = periods.filter((period) => period.state === 'closed');
  if (closed.length > 0) return closed[closed.length - 1];
  return running ?? null;
}

/**
 * Computes the realisation and status of every indicator and activity of a
 * plan, as of `now` (its WIB date decides which periods have started).
 *
 * @example const progress = await computePlanProgress(db, plan, new Date());
 */
export async function computePlanProgress(db: Kysely<DB>, plan: ActionPlan, now = new Date()): Promise<PlanProgress> {
  const today = wibDate(now);
  // One query per distinct (slice, range, grouping) serves every indicator code computed on it.
  const cache = new Map<string, Promise<IndicatorRows>>();
  const compute = (slice: IndicatorSlice, from: string, to: string, byMonth: boolean) => {
    const key = JSON.stringify([slice, from, to, byMonth]);
    let rows = cache.get(key);
    if (!rows) {
      rows = computeIndicators(db, { ...slice, from, to, groupBy: byMonth ? 'month' : undefined }, now).then((result) => result.rows);
      cache.set(key, rows);
    }
    return rows;
  };

  const summary: Record<IndicatorStatus, number> = { on_track: 0, at_risk: 0, missed: 0, no_data: 0, not_due: 0 };
  const objectives = [];
  for (const objective of plan.objectives) {
    const indicators: IndicatorProgress[] = [];
    for (const indicator of objective.indicators) {
      const periods = await indicatorPeriods(indicator, plan.year, today, compute);
      const latest = latestPeriod(periods);
      summary[latest?.status ?? 'not_due'] += 1;
      indicators.push({ indicator, periods, latest });
    }
    const activities = objective.activities.map((activity) => ({ activity, months: activityMonths(activity, plan.year, today) }));
    objectives.push({ objective, indicators, activities });
  }
  return { plan, today, objectives, summary };
}

async function indicatorPeriods(
  indicator: PlanIndicator,
  year: number,
  today: string,
  compute: (slice: IndicatorSlice, from: string, to: string, byMonth: boolean) => Promise<IndicatorRows>,
): Promise<PeriodProgress[]> {
  const periods = planPeriods(year, indicator.period);
  const definition = indicator.source === 'formula' ? findIndicatorDefinition(indicator.formulaCode) : undefined;
  let monthly: Map<string, Record<string, number | null>> | undefined;
  if (definition && indicator.period === 'monthly') {
    const rows = await compute(indicator.slice, periods[0].from, periods[periods.length - 1].to, true);
    monthly = new Map(rows.map((row) => [row.group, row.indicators]));
  }

  const results: PeriodProgress[] = [];
  for (const period of periods) {
    const state = periodState(period, today);
    let actual: number | null = null;
    if (state !== 'future') {
      if (indicator.source === 'manual') {
        actual = aggregateManual(indicator.actuals, period, indicator.manualAggregate);
      } else if (definition) {
        const figures = monthly
          ? monthly.get(period.key)
          : (await compute(indicator.slice, period.from, period.to, false))[0]?.indicators;
        // A month without complaints has no row: its counts are 0, its shares and times have no value.
        const value = figures?.[definition.code] ?? (definition.unit === 'count' ? 0 : null);
        actual = scaleFormulaValue(definition, value);
      }
    }
    const status: IndicatorStatus = state === 'future' ? 'not_due' : indicatorStatus(actual, indicator.targetValue, indicator.comparison);
    results.push({ ...period, state, actual, status, provisional: state === 'running' });
  }
  return results;
}
