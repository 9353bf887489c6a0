/**
 * Forms of the action plan: an objective, an indicator (target, formula or
 * manual entry, owner), an activity with its planned months, a manual value
 * with its evidence, and an activity's completion with its evidence. Each
 * form posts without JavaScript; files go up as multipart form data.
 */
import type { Child } from 'hono/jsx';
import type { PageContext } from '../layout.tsx';
import {
  Button, CsrfField, FileField, Radios, SelectField, TextArea, TextField, type FieldErrors, type SelectOption,
} from '../components.tsx';
import { INDICATORS } from '../../../reports/indicators.ts';
import { INDICATOR_PERIODS, INDICATOR_UNITS, MANUAL_AGGREGATES, type PlanActivity, type PlanIndicator } from '../../../reports/action-plan.ts';
import { CHANNELS, COMPLAINT_TYPES, ROLES } from '../../../domain/types.ts';
import { ACCEPTED_TYPES } from '../../../domain/images.ts';
import { formatDay, formatFigure, formatMonth, shortMonthName } from '../../../reports/report-labels.ts';
import { ReportsLayout } from '../dashboard/common.tsx';
import { ownerText, targetText } from './plan.tsx';

export const OBJECTIVE_FIELDS = ['title'] as const;
export const INDICATOR_FIELDS = [
  'name', 'source', 'formulaCode', 'sliceAgency', 'sliceCategory', 'sliceChannel', 'sliceDistrict', 'sliceType', 'unit', 'manualAggregate',
  'comparison', 'targetValue', 'period', 'ownerAgencyCode', 'ownerRole',
] as const;
export const ACTIVITY_FIELDS = ['name', 'plannedMonths', 'ownerAgencyCode', 'ownerRole'] as const;
export const ACTUAL_FIELDS = ['month', 'value', 'evidenceUrl', 'evidenceFile', 'note'] as const;
export const COMPLETION_FIELDS = ['month', 'doneOn', 'evidenceUrl', 'evidenceFile', 'note'] as const;

/** Option lists of the plan forms, read once per request. */
export interface PlanFormChoices {
  agencies: SelectOption[];
  categories: SelectOption[];
  districts: SelectOption[];
}

export interface FormState {
  values: Record<string, string | string[]>;
  errors: FieldErrors;
}

function text(state: FormState, field: string, fallback = ''): string {
  const value = state.values[field];
  if (Array.isArray(value)) return value[0] ?? fallback;
  return value ?? fallback;
}

function PlanFormLayout(props: { ctx: PageContext; title: string; caption: string; state: FormState; order: readonly string[]; year: number; children: Child }) {
  const { ctx } = props;
  return (
    <ReportsLayout ctx={ctx} section="plan" title={props.title} errors={props.state.errors} order={props.order}>
      <a class="back-link" href={`/staff/action-plan?year=${props.year}`}>{ctx.t('plan.back')}</a>
      <p class="caption">{props.caption}</p>
      <h1 class="heading-l">{props.title}</h1>
      {props.children}
    </ReportsLayout>
  );
}

function OwnerFields(props: { ctx: PageContext; state: FormState; choices: PlanFormChoices }) {
  const { t } = props.ctx;
  return (
    <fieldset class="fieldset">
      <legend class="fieldset__legend fieldset__legend--m">{t('recap.col.owner')}</legend>
      <p class="hint">{t('plan.owner_hint')}</p>
      <SelectField t={t} name="ownerAgencyCode" label={t('plan.field.owner_agency')} value={text(props.state, 'ownerAgencyCode')} emptyLabel={t('plan.none')}
        options={props.choices.agencies} error={props.state.errors.ownerAgencyCode} optional />
      <SelectField t={t} name="ownerRole" label={t('plan.field.owner_role')} value={text(props.state, 'ownerRole')} emptyLabel={t('plan.none')}
        options={ROLES.map((role) => ({ value: role, label: t(`recap.role.${role}`) }))} error={props.state.errors.ownerRole} optional />
    </fieldset>
  );
}

function DeleteForm(props: { ctx: PageContext; action: string; label: string }) {
  return (
    <form method="post" action={props.action} class="inline-form">
      <CsrfField token={props.ctx.csrfToken} />
      <Button kind="warning">{props.label}</Button>
    </form>
  );
}

// ---------------------------------------------------------------------------
// Objective

export function ObjectiveFormPage(props: { ctx: PageContext; year: number; objectiveId: number; state: FormState }) {
  const { ctx, state } = props;
  const { t } = ctx;
  return (
    <PlanFormLayout ctx={ctx} title={t('plan.edit_objective')} caption={t('plan.caption', { year: props.year })} state={state} order={OBJECTIVE_FIELDS} year={props.year}>
      <form method="post" action={`/staff/action-plan/objectives/${props.objectiveId}/edit`} class="narrow-form">
        <CsrfField token={ctx.csrfToken} />
        <TextField t={t} name="title" label={t('plan.field.objective_title')} value={text(state, 'title')} error={state.errors.title} />
        <Button>{t('plan.save')}</Button>
      </form>
      <h2 class="heading-m">{t('plan.delete_heading')}</h2>
      <p class="body">{t('plan.delete_objective_warning')}</p>
      <DeleteForm ctx={ctx} action={`/staff/action-plan/objectives/${props.objectiveId}/delete`} label={t('plan.delete_objective')} />
    </PlanFormLayout>
  );
}

// ---------------------------------------------------------------------------
// Indicator

/** Form values of an existing indicator. */
export function indicatorFormValues(indicator: PlanIndicator): Record<string, string> {
  return {
    name: indicator.name,
    source: indicator.source,
    formulaCode: indicator.formulaCode ?? '',
    sliceAgency: indicator.slice.agency ?? '',
    sliceCategory: indicator.slice.category ?? '',
    sliceChannel: indicator.slice.channel ?? '',
    sliceDistrict: indicator.slice.district ?? '',
    sliceType: indicator.slice.type ?? '',
    unit: indicator.unit,
    manualAggregate: indicator.manualAggregate,
    comparison: indicator.comparison,
    targetValue: String(indicator.targetValue),
    period: indicator.period,
    ownerAgencyCode: indicator.owner.agencyCode ?? '',
    ownerRole: indicator.owner.role ?? '',
  };
}

export function IndicatorFormPage(props: {
  ctx: PageContext;
  year: number;
  objectiveTitle: string;
  /** Absent for a new indicator. */
  indicatorId?: number;
  action: string;
  state: FormState;
  choices: PlanFormChoices;
}) {
  const { ctx, state, choices } = props;
  const { t, locale } = ctx;
  const title = props.indicatorId ? t('plan.edit_indicator') : t('plan.add_indicator');
  return (
    <PlanFormLayout ctx={ctx} title={title} caption={props.objectiveTitle} state={state} order={INDICATOR_FIELDS} year={props.year}>
      <form method="post" action={props.action} class="narrow-form">
        <CsrfField token={ctx.csrfToken} />
        <TextField t={t} name="name" label={t('plan.field.indicator_name')} value={text(state, 'name')} error={state.errors.name} />
        <Radios t={t} name="source" label={t('plan.field.source')} value={text(state, 'source', 'formula')} error={state.errors.source}
          options={[
            { value: 'formula', label: t('plan.source.formula'), hint: t('plan.source.formula_hint') },
            { value: 'manual', label: t('plan.source.manual'), hint: t('plan.source.manual_hint') },
          ]} />
        <fieldset class="fieldset">
          <legend class="fieldset__legend fieldset__legend--m">{t('plan.formula_fields')}</legend>
          <SelectField t={t} name="formulaCode" label={t('plan.field.formula')} value={text(state, 'formulaCode')} emptyLabel={t('plan.choose')}
            error={state.errors.formulaCode}
            options={INDICATORS.map((definition) => ({ value: definition.code, label: `${t(`recap.indicator.${definition.code}`)} – ${definition.definition[locale]}` }))} />
          <p class="hint">{t('plan.slice_hint')}</p>
          <SelectField t={t} name="sliceAgency" label={t('plan.slice.agency')} value={text(state, 'sliceAgency')} emptyLabel={t('plan.all')} options={choices.agencies} error={state.errors.sliceAgency} optional />
          <SelectField t={t} name="sliceCategory" label={t('plan.slice.category')} value={text(state, 'sliceCategory')} emptyLabel={t('plan.all')} options={choices.categories} error={state.errors.sliceCategory} optional />
          <SelectField t={t} name="sliceChannel" label={t('plan.slice.channel')} value={text(state, 'sliceChannel')} emptyLabel={t('plan.all')}
            options={CHANNELS.map((channel) => ({ value: channel, label: t(`recap.channel.${channel}`) }))} error={state.errors.sliceChannel} optional />
          <SelectField t={t} name="sliceDistrict" label={t('plan.slice.district')} value={text(state, 'sliceDistrict')} emptyLabel={t('plan.all')} options={choices.districts} error={state.errors.sliceDistrict} optional />
          <SelectField t={t} name="sliceType" label={t('plan.slice.type')} value={text(state, 'sliceType')} emptyLabel={t('plan.all')}
            options={COMPLAINT_TYPES.map((type) => ({ value: type, label: t(`type.${type}`) }))} error={state.errors.sliceType} optional />
        </fieldset>
        <fieldset class="fieldset">
          <legend class="fieldset__legend fieldset__legend--m">{t('plan.manual_fields')}</legend>
          <SelectField t={t} name="unit" label={t('plan.field.unit')} value={text(state, 'unit')} emptyLabel={t('plan.choose')} error={state.errors.unit}
            hint={t('plan.unit_hint')} options={INDICATOR_UNITS.map((unit) => ({ value: unit, label: t(`recap.unit.${unit}`) }))} />
          <SelectField t={t} name="manualAggregate" label={t('plan.field.aggregate')} value={text(state, 'manualAggregate', 'last')} error={state.errors.manualAggregate}
            options={MANUAL_AGGREGATES.map((aggregate) => ({ value: aggregate, label: t(`plan.aggregate.${aggregate}`) }))} />
        </fieldset>
        <fieldset class="fieldset">
          <legend class="fieldset__legend fieldset__legend--m">{t('recap.col.target')}</legend>
          <Radios t={t} name="comparison" label={t('plan.field.comparison')} value={text(state, 'comparison', 'gte')} error={state.errors.comparison} inline
            options={[{ value: 'gte', label: t('plan.comparison.gte') }, { value: 'lte', label: t('plan.comparison.lte') }]} />
          <TextField t={t} name="targetValue" label={t('plan.field.target')} hint={t('plan.target_hint')} value={text(state, 'targetValue')} error={state.errors.targetValue}
            inputmode="text" width="short" />
          <SelectField t={t} name="period" label={t('plan.field.period')} value={text(state, 'period', 'monthly')} error={state.errors.period}
            options={INDICATOR_PERIODS.map((period) => ({ value: period, label: t(`recap.period_type.${period}`) }))} />
        </fieldset>
        <OwnerFields ctx={ctx} state={state} choices={choices} />
        <Button>{t('plan.save')}</Button>
      </form>
      {props.indicatorId ? (
        <>
          <h2 class="heading-m">{t('plan.delete_heading')}</h2>
          <p class="body">{t('plan.delete_indicator_warning')}</p>
          <DeleteForm ctx={ctx} action={`/staff/action-plan/indicators/${props.indicatorId}/delete`} label={t('plan.delete_indicator')} />
        </>
      ) : null}
    </PlanFormLayout>
  );
}

// ---------------------------------------------------------------------------
// Activity

function MonthCheckboxes(props: { ctx: PageContext; selected: string[]; error?: string }) {
  const { t, locale } = props.ctx;
  return (
    <div class={`form-group${props.error ? ' form-group--error' : ''}`}>
      <fieldset class="fieldset" aria-describedby={props.error ? 'plannedMonths-error' : undefined}>
        <legend class="fieldset__legend">{t('plan.field.planned_months')}</legend>
        {props.error ? <p class="error-message" id="plannedMonths-error"><span class="visually-hidden">{t('ui.error_prefix')} </span>{props.error}</p> : null}
        <div class="month-checkboxes">
          {[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((month) => {
            // The first box carries the field's id, so the error summary can link to it.
            const id = month === 1 ? 'plannedMonths' : `plannedMonths-${month}`;
            return (
              <div class="checkboxes__item">
                <input class="checkboxes__input" id={id} name="plannedMonths" type="checkbox" value={String(month)} checked={props.selected.includes(String(month))} />
                <label class="checkboxes__label" for={id}>{shortMonthName(month, locale)}</label>
              </div>
            );
          })}
        </div>
      </fieldset>
    </div>
  );
}

export function activityFormValues(activity: PlanActivity): Record<string, string | string[]> {
  return {
    name: activity.name,
    plannedMonths: activity.plannedMonths.map(String),
    ownerAgencyCode: activity.owner.agencyCode ?? '',
    ownerRole: activity.owner.role ?? '',
  };
}

export function ActivityFormPage(props: {
  ctx: PageContext;
  year: number;
  objectiveTitle: string;
  activityId?: number;
  action: string;
  state: FormState;
  choices: PlanFormChoices;
}) {
  const { ctx, state } = props;
  const { t } = ctx;
  const title = props.activityId ? t('plan.edit_activity') : t('plan.add_activity');
  const months = state.values.plannedMonths;
  const selectedMonths = Array.isArray(months) ? months : [months ?? ''].filter(Boolean);
  return (
    <PlanFormLayout ctx={ctx} title={title} caption={props.objectiveTitle} state={state} order={ACTIVITY_FIELDS} year={props.year}>
      <form method="post" action={props.action} class="narrow-form">
        <CsrfField token={ctx.csrfToken} />
        <TextField t={t} name="name" label={t('plan.field.activity_name')} value={text(state, 'name')} error={state.errors.name} />
        <MonthCheckboxes ctx={ctx} selected={selectedMonths} error={state.errors.plannedMonths} />
        <OwnerFields ctx={ctx} state={state} choices={props.choices} />
        <Button>{t('plan.save')}</Button>
      </form>
      {props.activityId ? (
        <>
          <h2 class="heading-m">{t('plan.delete_heading')}</h2>
          <p class="body">{t('plan.delete_activity_warning')}</p>
          <DeleteForm ctx={ctx} action={`/staff/action-plan/activities/${props.activityId}/delete`} label={t('plan.delete_activity')} />
        </>
      ) : null}
    </PlanFormLayout>
  );
}

// ---------------------------------------------------------------------------
// Evidence: manual values and completions

function EvidenceFields(props: { ctx: PageContext; state: FormState }) {
  const { t } = props.ctx;
  return (
    <fieldset class="fieldset">
      <legend class="fieldset__legend fieldset__legend--m">{t('plan.evidence_heading')}</legend>
      <p class="hint">{t('plan.evidence_hint')}</p>
      <TextField t={t} name="evidenceUrl" label={t('plan.field.evidence_url')} type="text" inputmode="text" value={text(props.state, 'evidenceUrl')} error={props.state.errors.evidenceUrl} optional />
      <FileField t={t} name="evidenceFile" label={t('plan.field.evidence_file')} hint={t('plan.evidence_file_hint')} accept={ACCEPTED_TYPES.join(',')} error={props.state.errors.evidenceFile} optional />
      <TextArea t={t} name="note" label={t('plan.field.note')} value={text(props.state, 'note')} rows={3} error={props.state.errors.note} optional />
    </fieldset>
  );
}

function EvidenceLink(props: { ctx: PageContext; evidence: { url: string | null; fileId: number | null; fileName: string | null } }) {
  const { evidence } = props;
  if (evidence.fileId) return <a href={`/staff/action-plan/files/${evidence.fileId}`}>{evidence.fileName ?? props.ctx.t('plan.evidence')}</a>;
  if (evidence.url) return <a href={evidence.url} rel="noopener noreferrer">{evidence.url}</a>;
  return <>–</>;
}

export function ActualFormPage(props: { ctx: PageContext; year: number; indicator: PlanIndicator; months: number[]; state: FormState }) {
  const { ctx, indicator, state } = props;
  const { t, locale } = ctx;
  return (
    <PlanFormLayout ctx={ctx} title={t('plan.enter_actual')} caption={indicator.name} state={state} order={ACTUAL_FIELDS} year={props.year}>
      <p class="body">{t('recap.col.target')}: {targetText(ctx, indicator)} ({t(`recap.period_type.${indicator.period}`)}) · {ownerText(ctx, indicator.owner)}</p>
      {props.months.length === 0 ? <p class="body">{t('plan.no_month_yet')}</p> : (
        <form method="post" action={`/staff/action-plan/indicators/${indicator.id}/actual`} enctype="multipart/form-data" class="narrow-form">
          <CsrfField token={ctx.csrfToken} />
          <SelectField t={t} name="month" label={t('recap.col.month')} value={text(state, 'month', String(props.months[props.months.length - 1]))} error={state.errors.month}
            options={props.months.map((month) => ({ value: String(month), label: formatMonth(`${props.year}-${String(month).padStart(2, '0')}`, locale) }))} />
          <TextField t={t} name="value" label={t('plan.field.value', { unit: t(`recap.unit.${indicator.unit}`) })} value={text(state, 'value')} error={state.errors.value} width="short" />
          <EvidenceFields ctx={ctx} state={state} />
          <Button>{t('plan.save')}</Button>
        </form>
      )}
      <h2 class="heading-m">{t('plan.entered_values')}</h2>
      {indicator.actuals.length === 0 ? <p class="body">{t('plan.no_values')}</p> : (
        <table class="table report-table">
          <caption class="visually-hidden">{t('plan.entered_values')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('recap.col.month')}</th>
              <th scope="col" class="report-table__number">{t('recap.col.actual')}</th>
              <th scope="col">{t('plan.evidence')}</th>
              <th scope="col">{t('plan.field.note')}</th>
              <th scope="col"><span class="visually-hidden">{t('plan.actions')}</span></th>
            </tr>
          </thead>
          <tbody>
            {indicator.actuals.map((actual) => (
              <tr>
                <th scope="row">{formatMonth(`${props.year}-${String(actual.month).padStart(2, '0')}`, locale)}</th>
                <td class="report-table__number">{formatFigure(actual.value, indicator.unit, locale)}</td>
                <td><EvidenceLink ctx={ctx} evidence={actual.evidence} /></td>
                <td>{actual.note ?? '–'}</td>
                <td>
                  <form method="post" action={`/staff/action-plan/indicators/${indicator.id}/actual/${actual.month}/delete`} class="inline-form">
                    <CsrfField token={ctx.csrfToken} />
                    <button type="submit" class="button button--link">{t('plan.remove')}<span class="visually-hidden"> {shortMonthName(actual.month, locale)}</span></button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </PlanFormLayout>
  );
}

export function CompletionFormPage(props: { ctx: PageContext; year: number; activity: PlanActivity; state: FormState; today: string }) {
  const { ctx, activity, state } = props;
  const { t, locale } = ctx;
  const open = activity.plannedMonths.filter((month) => !activity.completions.some((entry) => entry.month === month));
  return (
    <PlanFormLayout ctx={ctx} title={t('plan.tick_off')} caption={activity.name} state={state} order={COMPLETION_FIELDS} year={props.year}>
      <p class="body">{t('recap.col.owner')}: {ownerText(ctx, activity.owner)}</p>
      <form method="post" action={`/staff/action-plan/activities/${activity.id}/complete`} enctype="multipart/form-data" class="narrow-form">
        <CsrfField token={ctx.csrfToken} />
        <SelectField t={t} name="month" label={t('plan.field.planned_month')} value={text(state, 'month', String(open[0] ?? activity.plannedMonths[0]))} error={state.errors.month}
          options={activity.plannedMonths.map((month) => ({ value: String(month), label: formatMonth(`${props.year}-${String(month).padStart(2, '0')}`, locale) }))} />
        <TextField t={t} name="doneOn" label={t('plan.field.done_on')} type="date" max={props.today} value={text(state, 'doneOn', props.today)} error={state.errors.doneOn} width="medium" />
        <EvidenceFields ctx={ctx} state={state} />
        <Button>{t('plan.save')}</Button>
      </form>
      <h2 class="heading-m">{t('plan.completed_months')}</h2>
      {activity.completions.length === 0 ? <p class="body">{t('plan.no_completions')}</p> : (
        <table class="table report-table">
          <caption class="visually-hidden">{t('plan.completed_months')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('recap.col.month')}</th>
              <th scope="col">{t('recap.col.done_on')}</th>
              <th scope="col">{t('plan.evidence')}</th>
              <th scope="col">{t('plan.field.note')}</th>
              <th scope="col"><span class="visually-hidden">{t('plan.actions')}</span></th>
            </tr>
          </thead>
          <tbody>
            {activity.completions.map((completion) => (
              <tr>
                <th scope="row">{formatMonth(`${props.year}-${String(completion.month).padStart(2, '0')}`, locale)}</th>
                <td>{formatDay(completion.doneOn, locale)}</td>
                <td><EvidenceLink ctx={ctx} evidence={completion.evidence} /></td>
                <td>{completion.note ?? '–'}</td>
                <td>
                  <form method="post" action={`/staff/action-plan/activities/${activity.id}/complete/${completion.month}/delete`} class="inline-form">
                    <CsrfField token={ctx.csrfToken} />
                    <button type="submit" class="button button--link">{t('plan.undo')}<span class="visually-hidden"> {shortMonthName(completion.month, locale)}</span></button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </PlanFormLayout>
  );
}
