/**
 * The action plan pages (/staff/action-plan). Every member of staff may read
 * the plan, and administrators change its structure. An item's owner, or an
 * administrator, enters manual values and ticks off activities, with a link
 * or an uploaded file as evidence. Commands check these rights again, so a
 * hand-made POST gets the same answer as the page.
 */
import type { Context, Hono } from 'hono';
import type { AppEnv } from '../../context.ts';
import { MessagePage, pageContext, renderPage } from '../../views/layout.tsx';
import { attempt, formFiles, formText, parseId, readForm, type FormBody } from '../../views/form.tsx';
import { PlanPage, type PlanPageProps, type PlanPermissions } from '../../views/plan/plan.tsx';
import {
  ActivityFormPage, ActualFormPage, CompletionFormPage, IndicatorFormPage, ObjectiveFormPage,
  ACTIVITY_FIELDS, ACTUAL_FIELDS, COMPLETION_FIELDS, INDICATOR_FIELDS, OBJECTIVE_FIELDS,
  activityFormValues, indicatorFormValues, type FormState, type PlanFormChoices,
} from '../../views/plan/forms.tsx';
import {
  addActivity, addIndicator, addObjective, canEditActionPlan, canReportFor, completeActivity, createActionPlan, deleteActivity,
  deleteIndicator, deleteObjective, recordActual, removeActual, renameActionPlan, undoActivityCompletion, updateActivity,
  updateIndicator, updateObjective, type ActivityInput, type EvidenceInput, type IndicatorInput,
} from '../../../commands/manage-action-plan.ts';
import type { CommandContext } from '../../../commands/context.ts';
import { computePlanProgress, listPlanYears, loadActionPlan, loadPlanFile, type ActionPlan } from '../../../reports/action-plan.ts';
import type { IndicatorSlice } from '../../../db/schema.ts';
import { wibDate } from '../../../domain/time.ts';
import { forbiddenPage, staffUser } from './guard.tsx';

/** Years offered in the year switch around the current one, besides years that have a plan. */
const YEARS_AROUND = 1;

/** Reads a number typed with a decimal comma or point; NaN when it is not one, which the command reports. */
function parseNumber(raw: string): number {
  const text = raw.trim().replace(/\s/g, '').replace(',', '.');
  return text === '' ? Number.NaN : Number(text);
}

function commandContext(c: Context<AppEnv>): CommandContext {
  return { db: c.get('deps').db, actor: { kind: 'staff', user: staffUser(c) } };
}

function permissions(c: Context<AppEnv>): PlanPermissions {
  const user = staffUser(c);
  return { edit: canEditActionPlan(user), reportFor: (owner) => canReportFor(user, { agencyId: owner.agencyId, role: owner.role }) };
}

function notFoundPage(c: Context<AppEnv>) {
  const ctx = pageContext(c);
  return renderPage(c, <MessagePage ctx={ctx} area="staff" title={ctx.t('plan.not_found_title')} message={ctx.t('plan.not_found')} />, 404);
}

function currentYear(): number {
  return Number(wibDate(new Date()).slice(0, 4));
}

async function renderPlan(c: Context<AppEnv>, year: number, extra: Pick<PlanPageProps, 'banner' | 'form'> = {}, status = 200) {
  const db = c.get('deps').db;
  const [plan, planYears] = await Promise.all([loadActionPlan(db, year), listPlanYears(db)]);
  const around = Array.from({ length: YEARS_AROUND * 2 + 1 }, (_, index) => currentYear() - YEARS_AROUND + index);
  const years = [...new Set([...planYears, ...around, year])].sort((a, b) => a - b);
  const progress = plan ? await computePlanProgress(db, plan) : null;
  return renderPage(c, <PlanPage ctx={pageContext(c)} year={year} years={years} progress={progress} permissions={permissions(c)} {...extra} />, status as 200);
}

async function formChoices(c: Context<AppEnv>): Promise<PlanFormChoices> {
  const db = c.get('deps').db;
  const [agencies, categories, districts] = await Promise.all([
    db.selectFrom('agencies').select(['code', 'name']).where('active', '=', true).orderBy('name').execute(),
    db.selectFrom('categories').select(['code', 'name']).where('active', '=', true).orderBy('name').execute(),
    db.selectFrom('districts').select(['code', 'name']).orderBy('name').execute(),
  ]);
  return {
    agencies: agencies.map((row) => ({ value: row.code, label: row.name })),
    categories: categories.map((row) => ({ value: row.code, label: row.name })),
    districts: districts.map((row) => ({ value: row.code, label: row.name })),
  };
}

function formValues(form: FormBody, fields: readonly string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const field of fields) values[field] = formText(form, field);
  return values;
}

function indicatorInput(values: Record<string, string>): IndicatorInput {
  const slice: IndicatorSlice = {};
  if (values.sliceAgency) slice.agency = values.sliceAgency;
  if (values.sliceCategory) slice.category = values.sliceCategory;
  if (values.sliceChannel) slice.channel = values.sliceChannel as IndicatorSlice['channel'];
  if (values.sliceDistrict) slice.district = values.sliceDistrict;
  if (values.sliceType) slice.type = values.sliceType as IndicatorSlice['type'];
  return {
    name: values.name,
    source: values.source,
    formulaCode: values.formulaCode || null,
    slice,
    unit: values.unit || null,
    manualAggregate: values.manualAggregate || null,
    comparison: values.comparison,
    targetValue: parseNumber(values.targetValue),
    period: values.period,
    ownerAgencyCode: values.ownerAgencyCode || null,
    ownerRole: values.ownerRole || null,
  };
}

function activityInput(form: FormBody): { values: Record<string, string | string[]>; input: ActivityInput } {
  const months = (form.plannedMonths ?? []).filter((entry): entry is string => typeof entry === 'string');
  const texts = formValues(form, ['name', 'ownerAgencyCode', 'ownerRole']);
  return {
    values: { ...texts, plannedMonths: months },
    input: {
      name: texts.name,
      plannedMonths: months.map(Number),
      ownerAgencyCode: texts.ownerAgencyCode || null,
      ownerRole: texts.ownerRole || null,
    },
  };
}

async function evidenceInput(form: FormBody): Promise<EvidenceInput> {
  const [file] = formFiles(form, 'evidenceFile');
  return {
    evidenceUrl: formText(form, 'evidenceUrl'),
    evidenceFile: file ? { fileName: file.name, content: new Uint8Array(await file.arrayBuffer()) } : null,
    note: formText(form, 'note'),
  };
}

async function objectiveWithYear(c: Context<AppEnv>, objectiveId: number) {
  return c.get('deps').db
    .selectFrom('action_plan_objectives as o')
    .innerJoin('action_plans as p', 'p.id', 'o.plan_id')
    .select(['o.id', 'o.title', 'p.year'])
    .where('o.id', '=', objectiveId)
    .executeTakeFirst();
}

/** Finds an indicator or activity with its plan, loading the whole plan (small: tens of rows). */
async function findInPlan(c: Context<AppEnv>, kind: 'indicator' | 'activity', id: number) {
  const db = c.get('deps').db;
  const row = kind === 'indicator'
    ? await db.selectFrom('action_plan_indicators as i').innerJoin('action_plan_objectives as o', 'o.id', 'i.objective_id').innerJoin('action_plans as p', 'p.id', 'o.plan_id').select(['p.year', 'o.title']).where('i.id', '=', id).executeTakeFirst()
    : await db.selectFrom('action_plan_activities as t').innerJoin('action_plan_objectives as o', 'o.id', 't.objective_id').innerJoin('action_plans as p', 'p.id', 'o.plan_id').select(['p.year', 'o.title']).where('t.id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  const plan = (await loadActionPlan(db, row.year)) as ActionPlan;
  const objectives = plan.objectives;
  const indicator = kind === 'indicator' ? objectives.flatMap((objective) => objective.indicators).find((entry) => entry.id === id) : undefined;
  const activity = kind === 'activity' ? objectives.flatMap((objective) => objective.activities).find((entry) => entry.id === id) : undefined;
  return { year: row.year, objectiveTitle: row.title, indicator, activity };
}

/** Months of the plan's year that have started (WIB); values can be entered only for these. */
function startedMonths(year: number): number[] {
  const today = wibDate(new Date());
  return [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].filter((month) => `${year}-${String(month).padStart(2, '0')}-01` <= today);
}

function planUrl(year: number, done: string, anchor = ''): string {
  return `/staff/action-plan?year=${year}&done=${done}${anchor ? `#${anchor}` : ''}`;
}

export function registerActionPlanRoutes(app: Hono<AppEnv>): void {
  app.get('/staff/action-plan', async (c) => {
    const raw = c.req.query('year');
    const year = raw && /^\d{4}$/.test(raw) ? Number(raw) : currentYear();
    const done = c.req.query('done');
    return renderPlan(c, year, { banner: done ? c.get('t')(`plan.done.${done}`) : undefined });
  });

  app.post('/staff/action-plan', async (c) => {
    if (!canEditActionPlan(staffUser(c))) return forbiddenPage(c);
    const form = await readForm(c);
    const values = formValues(form, ['year', 'title']);
    const year = Number(values.year);
    const result = await attempt(c.get('t'), ['title', 'year'], () => createActionPlan(commandContext(c), { year, title: values.title }));
    if (result.ok) return c.redirect(planUrl(year, 'created'), 303);
    return renderPlan(c, /^\d{4}$/.test(values.year.trim()) ? year : currentYear(), { form: { name: 'create', values, errors: result.errors } }, result.error.httpStatus);
  });

  app.post('/staff/action-plan/:planId/title', async (c) => {
    if (!canEditActionPlan(staffUser(c))) return forbiddenPage(c);
    const planId = parseId(c.req.param('planId'));
    const plan = planId === null ? undefined : await c.get('deps').db.selectFrom('action_plans').select(['id', 'year']).where('id', '=', planId).executeTakeFirst();
    if (!plan) return notFoundPage(c);
    const values = formValues(await readForm(c), ['title']);
    const result = await attempt(c.get('t'), ['title'], () => renameActionPlan(commandContext(c), plan.id, { title: values.title }));
    if (result.ok) return c.redirect(planUrl(plan.year, 'renamed'), 303);
    return renderPlan(c, plan.year, { form: { name: 'title', values, errors: result.errors } }, result.error.httpStatus);
  });

  app.post('/staff/action-plan/:planId/objectives', async (c) => {
    if (!canEditActionPlan(staffUser(c))) return forbiddenPage(c);
    const planId = parseId(c.req.param('planId'));
    const plan = planId === null ? undefined : await c.get('deps').db.selectFrom('action_plans').select(['id', 'year']).where('id', '=', planId).executeTakeFirst();
    if (!plan) return notFoundPage(c);
    const values = formValues(await readForm(c), ['title']);
    const result = await attempt(c.get('t'), OBJECTIVE_FIELDS, () => addObjective(commandContext(c), plan.id, { title: values.title }));
    if (result.ok) return c.redirect(planUrl(plan.year, 'objective_added', `objective-${result.value.id}`), 303);
    return renderPlan(c, plan.year, { form: { name: 'objective', values, errors: result.errors } }, result.error.httpStatus);
  });

  // Objectives

  app.get('/staff/action-plan/objectives/:id/edit', async (c) => {
    if (!canEditActionPlan(staffUser(c))) return forbiddenPage(c);
    const objective = await objectiveWithYear(c, parseId(c.req.param('id')) ?? 0);
    if (!objective) return notFoundPage(c);
    const state: FormState = { values: { title: objective.title }, errors: {} };
    return renderPage(c, <ObjectiveFormPage ctx={pageContext(c)} year={objective.year} objectiveId={objective.id} state={state} />);
  });

  app.post('/staff/action-plan/objectives/:id/edit', async (c) => {
    if (!canEditActionPlan(staffUser(c))) return forbiddenPage(c);
    const objective = await objectiveWithYear(c, parseId(c.req.param('id')) ?? 0);
    if (!objective) return notFoundPage(c);
    const values = formValues(await readForm(c), OBJECTIVE_FIELDS);
    const result = await attempt(c.get('t'), OBJECTIVE_FIELDS, () => updateObjective(commandContext(c), objective.id, { title: values.title }));
    if (result.ok) return c.redirect(planUrl(objective.year, 'objective_saved', `objective-${objective.id}`), 303);
    return renderPage(c, <ObjectiveFormPage ctx={pageContext(c)} year={objective.year} objectiveId={objective.id} state={{ values, errors: result.errors }} />, result.error.httpStatus as 400);
  });

  app.post('/staff/action-plan/objectives/:id/delete', async (c) => {
    if (!canEditActionPlan(staffUser(c))) return forbiddenPage(c);
    const objective = await objectiveWithYear(c, parseId(c.req.param('id')) ?? 0);
    if (!objective) return notFoundPage(c);
    await deleteObjective(commandContext(c), objective.id);
    return c.redirect(planUrl(objective.year, 'objective_deleted'), 303);
  });

  // Indicators

  app.get('/staff/action-plan/objectives/:id/indicators/new', async (c) => {
    if (!canEditActionPlan(staffUser(c))) return forbiddenPage(c);
    const objective = await objectiveWithYear(c, parseId(c.req.param('id')) ?? 0);
    if (!objective) return notFoundPage(c);
    return renderPage(c, <IndicatorFormPage ctx={pageContext(c)} year={objective.year} objectiveTitle={objective.title}
      action={`/staff/action-plan/objectives/${objective.id}/indicators/new`} state={{ values: {}, errors: {} }} choices={await formChoices(c)} />);
  });

  app.post('/staff/action-plan/objectives/:id/indicators/new', async (c) => {
    if (!canEditActionPlan(staffUser(c))) return forbiddenPage(c);
    const objective = await objectiveWithYear(c, parseId(c.req.param('id')) ?? 0);
    if (!objective) return notFoundPage(c);
    const values = formValues(await readForm(c), INDICATOR_FIELDS);
    const result = await attempt(c.get('t'), INDICATOR_FIELDS, () => addIndicator(commandContext(c), objective.id, indicatorInput(values)));
    if (result.ok) return c.redirect(planUrl(objective.year, 'indicator_saved', `objective-${objective.id}`), 303);
    return renderPage(c, <IndicatorFormPage ctx={pageContext(c)} year={objective.year} objectiveTitle={objective.title}
      action={`/staff/action-plan/objectives/${objective.id}/indicators/new`} state={{ values, errors: result.errors }} choices={await formChoices(c)} />, result.error.httpStatus as 400);
  });

  app.get('/staff/action-plan/indicators/:id/edit', async (c) => {
    if (!canEditActionPlan(staffUser(c))) return forbiddenPage(c);
    const found = await findInPlan(c, 'indicator', parseId(c.req.param('id')) ?? 0);
    if (!found?.indicator) return notFoundPage(c);
    return renderPage(c, <IndicatorFormPage ctx={pageContext(c)} year={found.year} objectiveTitle={found.objectiveTitle} indicatorId={found.indicator.id}
      action={`/staff/action-plan/indicators/${found.indicator.id}/edit`} state={{ values: indicatorFormValues(found.indicator), errors: {} }} choices={await formChoices(c)} />);
  });

  app.post('/staff/action-plan/indicators/:id/edit', async (c) => {
    if (!canEditActionPlan(staffUser(c))) return forbiddenPage(c);
    const found = await findInPlan(c, 'indicator', parseId(c.req.param('id')) ?? 0);
    if (!found?.indicator) return notFoundPage(c);
    const indicator = found.indicator;
    const values = formValues(await readForm(c), INDICATOR_FIELDS);
    const result = await attempt(c.get('t'), INDICATOR_FIELDS, () => updateIndicator(commandContext(c), indicator.id, indicatorInput(values)));
    if (result.ok) return c.redirect(planUrl(found.year, 'indicator_saved', `objective-${indicator.objectiveId}`), 303);
    return renderPage(c, <IndicatorFormPage ctx={pageContext(c)} year={found.year} objectiveTitle={found.objectiveTitle} indicatorId={indicator.id}
      action={`/staff/action-plan/indicators/${indicator.id}/edit`} state={{ values, errors: result.errors }} choices={await formChoices(c)} />, result.error.httpStatus as 400);
  });

  app.post('/staff/action-plan/indicators/:id/delete', async (c) => {
    if (!canEditActionPlan(staffUser(c))) return forbiddenPage(c);
    const found = await findInPlan(c, 'indicator', parseId(c.req.param('id')) ?? 0);
    if (!found?.indicator) return notFoundPage(c);
    await deleteIndicator(commandContext(c), found.indicator.id);
    return c.redirect(planUrl(found.year, 'indicator_deleted', `objective-${found.indicator.objectiveId}`), 303);
  });

  // Manual values

  app.get('/staff/action-plan/indicators/:id/actual', async (c) => {
    const found = await findInPlan(c, 'indicator', parseId(c.req.param('id')) ?? 0);
    if (!found?.indicator || found.indicator.source !== 'manual') return notFoundPage(c);
    if (!permissions(c).reportFor(found.indicator.owner)) return forbiddenPage(c);
    return renderPage(c, <ActualFormPage ctx={pageContext(c)} year={found.year} indicator={found.indicator} months={startedMonths(found.year)} state={{ values: {}, errors: {} }} />);
  });

  app.post('/staff/action-plan/indicators/:id/actual', async (c) => {
    const found = await findInPlan(c, 'indicator', parseId(c.req.param('id')) ?? 0);
    if (!found?.indicator || found.indicator.source !== 'manual') return notFoundPage(c);
    const indicator = found.indicator;
    if (!permissions(c).reportFor(indicator.owner)) return forbiddenPage(c);
    const form = await readForm(c);
    const values = formValues(form, ['month', 'value', 'evidenceUrl', 'note']);
    const evidence = await evidenceInput(form);
    const result = await attempt(c.get('t'), ACTUAL_FIELDS, () =>
      recordActual(commandContext(c), indicator.id, { ...evidence, month: Number(values.month), value: parseNumber(values.value) }));
    if (result.ok) return c.redirect(planUrl(found.year, 'actual_saved', `objective-${indicator.objectiveId}`), 303);
    return renderPage(c, <ActualFormPage ctx={pageContext(c)} year={found.year} indicator={indicator} months={startedMonths(found.year)} state={{ values, errors: result.errors }} />, result.error.httpStatus as 400);
  });

  app.post('/staff/action-plan/indicators/:id/actual/:month/delete', async (c) => {
    const found = await findInPlan(c, 'indicator', parseId(c.req.param('id')) ?? 0);
    if (!found?.indicator) return notFoundPage(c);
    if (!permissions(c).reportFor(found.indicator.owner)) return forbiddenPage(c);
    await removeActual(commandContext(c), found.indicator.id, Number(c.req.param('month')));
    return c.redirect(`/staff/action-plan/indicators/${found.indicator.id}/actual`, 303);
  });

  // Activities

  app.get('/staff/action-plan/objectives/:id/activities/new', async (c) => {
    if (!canEditActionPlan(staffUser(c))) return forbiddenPage(c);
    const objective = await objectiveWithYear(c, parseId(c.req.param('id')) ?? 0);
    if (!objective) return notFoundPage(c);
    return renderPage(c, <ActivityFormPage ctx={pageContext(c)} year={objective.year} objectiveTitle={objective.title}
      action={`/staff/action-plan/objectives/${objective.id}/activities/new`} state={{ values: {}, errors: {} }} choices={await formChoices(c)} />);
  });

  app.post('/staff/action-plan/objectives/:id/activities/new', async (c) => {
    if (!canEditActionPlan(staffUser(c))) return forbiddenPage(c);
    const objective = await objectiveWithYear(c, parseId(c.req.param('id')) ?? 0);
    if (!objective) return notFoundPage(c);
    const { values, input } = activityInput(await readForm(c));
    const result = await attempt(c.get('t'), ACTIVITY_FIELDS, () => addActivity(commandContext(c), objective.id, input));
    if (result.ok) return c.redirect(planUrl(objective.year, 'activity_saved', `objective-${objective.id}`), 303);
    return renderPage(c, <ActivityFormPage ctx={pageContext(c)} year={objective.year} objectiveTitle={objective.title}
      action={`/staff/action-plan/objectives/${objective.id}/activities/new`} state={{ values, errors: result.errors }} choices={await formChoices(c)} />, result.error.httpStatus as 400);
  });

  app.get('/staff/action-plan/activities/:id/edit', async (c) => {
    if (!canEditActionPlan(staffUser(c))) return forbiddenPage(c);
    const found = await findInPlan(c, 'activity', parseId(c.req.param('id')) ?? 0);
    if (!found?.activity) return notFoundPage(c);
    return renderPage(c, <ActivityFormPage ctx={pageContext(c)} year={found.year} objectiveTitle={found.objectiveTitle} activityId={found.activity.id}
      action={`/staff/action-plan/activities/${found.activity.id}/edit`} state={{ values: activityFormValues(found.activity), errors: {} }} choices={await formChoices(c)} />);
  });

  app.post('/staff/action-plan/activities/:id/edit', async (c) => {
    if (!canEditActionPlan(staffUser(c))) return forbiddenPage(c);
    const found = await findInPlan(c, 'activity', parseId(c.req.param('id')) ?? 0);
    if (!found?.activity) return notFoundPage(c);
    const activity = found.activity;
    const { values, input } = activityInput(await readForm(c));
    const result = await attempt(c.get('t'), ACTIVITY_FIELDS, () => updateActivity(commandContext(c), activity.id, input));
    if (result.ok) return c.redirect(planUrl(found.year, 'activity_saved', `objective-${activity.objectiveId}`), 303);
    return renderPage(c, <ActivityFormPage ctx={pageContext(c)} year={found.year} objectiveTitle={found.objectiveTitle} activityId={activity.id}
      action={`/staff/action-plan/activities/${activity.id}/edit`} state={{ values, errors: result.errors }} choices={await formChoices(c)} />, result.error.httpStatus as 400);
  });

  app.post('/staff/action-plan/activities/:id/delete', async (c) => {
    if (!canEditActionPlan(staffUser(c))) return forbiddenPage(c);
    const found = await findInPlan(c, 'activity', parseId(c.req.param('id')) ?? 0);
    if (!found?.activity) return notFoundPage(c);
    await deleteActivity(commandContext(c), found.activity.id);
    return c.redirect(planUrl(found.year, 'activity_deleted', `objective-${found.activity.objectiveId}`), 303);
  });

  // Completions

  app.get('/staff/action-plan/activities/:id/complete', async (c) => {
    const found = await findInPlan(c, 'activity', parseId(c.req.param('id')) ?? 0);
    if (!found?.activity) return notFoundPage(c);
    if (!permissions(c).reportFor(found.activity.owner)) return forbiddenPage(c);
    return renderPage(c, <CompletionFormPage ctx={pageContext(c)} year={found.year} activity={found.activity} state={{ values: {}, errors: {} }} today={wibDate(new Date())} />);
  });

  app.post('/staff/action-plan/activities/:id/complete', async (c) => {
    const found = await findInPlan(c, 'activity', parseId(c.req.param('id')) ?? 0);
    if (!found?.activity) return notFoundPage(c);
    const activity = found.activity;
    if (!permissions(c).reportFor(activity.owner)) return forbiddenPage(c);
    const form = await readForm(c);
    const values = formValues(form, ['month', 'doneOn', 'evidenceUrl', 'note']);
    const evidence = await evidenceInput(form);
    const result = await attempt(c.get('t'), COMPLETION_FIELDS, () =>
      completeActivity(commandContext(c), activity.id, { ...evidence, month: Number(values.month), doneOn: values.doneOn }));
    if (result.ok) return c.redirect(planUrl(found.year, 'activity_completed', `objective-${activity.objectiveId}`), 303);
    return renderPage(c, <CompletionFormPage ctx={pageContext(c)} year={found.year} activity={activity} state={{ values, errors: result.errors }} today={wibDate(new Date())} />, result.error.httpStatus as 400);
  });

  app.post('/staff/action-plan/activities/:id/complete/:month/delete', async (c) => {
    const found = await findInPlan(c, 'activity', parseId(c.req.param('id')) ?? 0);
    if (!found?.activity) return notFoundPage(c);
    if (!permissions(c).reportFor(found.activity.owner)) return forbiddenPage(c);
    await undoActivityCompletion(commandContext(c), found.activity.id, Number(c.req.param('month')));
    return c.redirect(`/staff/action-plan/activities/${found.activity.id}/complete`, 303);
  });

  // Evidence files: any member of staff may read them, as they may read the plan.
  app.get('/staff/action-plan/files/:id', async (c) => {
    const file = await loadPlanFile(c.get('deps').db, parseId(c.req.param('id')) ?? 0);
    if (!file) return notFoundPage(c);
    // Only images open in the browser; PDFs always download, so they never run in the site's origin.
    const inline = c.req.query('inline') === '1' && file.mime_type.startsWith('image/');
    const asciiName = file.file_name.replace(/[^\x20-\x7e]|["\\]/g, '_');
    c.header('Content-Type', file.mime_type);
    c.header('Content-Disposition', `${inline ? 'inline' : 'attachment'}; filename="${asciiName}"; filename*=UTF-8''${encodeURIComponent(file.file_name)}`);
    c.header('Cache-Control', 'private, no-store');
    c.header('X-Content-Type-Options', 'nosniff');
    return c.body(new Uint8Array(file.content));
  });
}
