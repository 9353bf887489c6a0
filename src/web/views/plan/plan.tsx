/**
 * The action plan page (/staff/action-plan): per objective, each indicator's
 * target against its realisation per month (a quarter spans three months, a
 * year twelve), with a status per period, and the activity schedule as a
 * month-by-month grid. Footnotes give the status rule and the definitions
 * of computed indicators. Administrators get links to change the plan;
 * owners get links to enter values and tick off activities.
 */
import type { PageContext } from '../layout.tsx';
import { Button, CsrfField, TextField, type FieldErrors } from '../components.tsx';
import type {
  ActivityProgress, IndicatorProgress, PeriodProgress, PlanIndicator, PlanOwner, PlanProgress,
} from '../../../reports/action-plan.ts';
import { AT_RISK_TOLERANCE, findIndicatorDefinition } from '../../../reports/action-plan.ts';
import { formatDay, formatFigure, shortMonthName } from '../../../reports/report-labels.ts';
import { ReportsLayout } from '../dashboard/common.tsx';

const MONTHS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

export interface PlanPermissions {
  /** May change the plan's structure (administrators). */
  edit: boolean;
  /** May enter values for, or tick off, an item with this owner. */
  reportFor: (owner: PlanOwner) => boolean;
}

export function ownerText(ctx: PageContext, owner: PlanOwner): string {
  return [owner.agencyName, owner.role ? ctx.t(`recap.role.${owner.role}`) : null].filter(Boolean).join(' · ');
}

export function targetText(ctx: PageContext, indicator: Pick<PlanIndicator, 'comparison' | 'targetValue' | 'unit'>): string {
  const unit = indicator.unit === 'percent' ? '' : ` ${ctx.t(`recap.unit.${indicator.unit}`)}`;
  return `${ctx.t(`recap.comparison.${indicator.comparison}`)} ${formatFigure(indicator.targetValue, indicator.unit, ctx.locale)}${unit}`;
}

function YearSwitch(props: { ctx: PageContext; years: number[]; year: number }) {
  const { t } = props.ctx;
  return (
    <nav class="year-switch" aria-label={t('plan.years')}>
      <ul class="year-switch__list">
        {props.years.map((option) => (
          <li><a class="year-switch__link" href={`/staff/action-plan?year=${option}`} aria-current={option === props.year ? 'page' : undefined}>{option}</a></li>
        ))}
      </ul>
    </nav>
  );
}

function StatusTag(props: { ctx: PageContext; status: string; provisional?: boolean }) {
  const { t } = props.ctx;
  return (
    <>
      <strong class={`tag tag--small plan-status plan-status--${props.status}`}>{t(`recap.status.${props.status}`)}</strong>
      {props.provisional ? <span class="secondary-text"> ({t('recap.status.provisional')})</span> : null}
    </>
  );
}

function PeriodCell(props: { ctx: PageContext; indicator: PlanIndicator; period: PeriodProgress }) {
  const { ctx, indicator, period } = props;
  const { t, locale } = ctx;
  const span = period.lastMonth - period.firstMonth + 1;
  const evidence = indicator.source === 'manual'
    ? indicator.actuals.filter((actual) => actual.month >= period.firstMonth && actual.month <= period.lastMonth)
    : [];
  return (
    <td class={`plan-grid__cell plan-grid__cell--${period.status}`} colspan={span > 1 ? span : undefined} data-period={period.key} data-status={period.status}>
      {period.state === 'future' ? <span class="visually-hidden">{t('recap.status.not_due')}</span> : (
        <>
          <span class="plan-grid__value">{formatFigure(period.actual, indicator.unit, locale)}</span>
          <span class="plan-grid__status">{t(`recap.status.${period.status}`)}{period.provisional ? '*' : ''}</span>
          {evidence.map((actual) =>
            actual.evidence.fileId ? (
              <a class="plan-grid__status" href={`/staff/action-plan/files/${actual.evidence.fileId}`}>{t('plan.evidence_file', { month: shortMonthName(actual.month, locale) })}</a>
            ) : actual.evidence.url ? (
              <a class="plan-grid__status" href={actual.evidence.url} rel="noopener noreferrer">{t('plan.evidence_link', { month: shortMonthName(actual.month, locale) })}</a>
            ) : null,
          )}
        </>
      )}
    </td>
  );
}

function IndicatorRow(props: { ctx: PageContext; progress: IndicatorProgress; permissions: PlanPermissions }) {
  const { ctx, progress, permissions } = props;
  const { t } = ctx;
  const { indicator } = progress;
  const definition = findIndicatorDefinition(indicator.formulaCode);
  // Channels and report types have labels; agency, category and district slices are codes an administrator chose.
  const valueLabel = (key: string, value: string) => (key === 'channel' || key === 'type' ? t(`${key}.${value}`) : value);
  const slice = Object.entries(indicator.slice).map(([key, value]) => `${t(`plan.slice.${key}`)}: ${valueLabel(key, String(value))}`).join(', ');
  return (
    <tr data-indicator={indicator.id}>
      <th scope="row">
        {indicator.name}
        <span class="plan-grid__status secondary-text">
          {definition
            ? <>{t('plan.source_formula')}: <abbr title={definition.definition[ctx.locale]}>{t(`recap.indicator.${definition.code}`)}</abbr>{slice ? ` (${slice})` : ''}</>
            : indicator.period === 'monthly'
              ? t('plan.source_manual_monthly')
              : t('plan.source_manual', { aggregate: t(`plan.aggregate.${indicator.manualAggregate}`) })}
        </span>
        <span class="plan-actions">
          {indicator.source === 'manual' && permissions.reportFor(indicator.owner)
            ? <a href={`/staff/action-plan/indicators/${indicator.id}/actual`}>{t('plan.enter_actual')}<span class="visually-hidden">: {indicator.name}</span></a>
            : null}
          {permissions.edit ? <a href={`/staff/action-plan/indicators/${indicator.id}/edit`}>{t('plan.edit')}<span class="visually-hidden">: {indicator.name}</span></a> : null}
        </span>
      </th>
      <td>{targetText(ctx, indicator)}<span class="plan-grid__status secondary-text">{t(`recap.period_type.${indicator.period}`)}</span></td>
      <td>{ownerText(ctx, indicator.owner)}</td>
      {progress.periods.map((period) => <PeriodCell ctx={ctx} indicator={indicator} period={period} />)}
      <td>{progress.latest ? <StatusTag ctx={ctx} status={progress.latest.status} provisional={progress.latest.provisional} /> : <StatusTag ctx={ctx} status="not_due" />}</td>
    </tr>
  );
}

const ACTIVITY_SYMBOLS: Record<string, string> = { done: '✓', overdue: '!', due: '•', planned: '○', not_planned: '' };

function ActivityRow(props: { ctx: PageContext; progress: ActivityProgress; permissions: PlanPermissions }) {
  const { ctx, progress, permissions } = props;
  const { t, locale } = ctx;
  const { activity } = progress;
  return (
    <tr data-activity={activity.id}>
      <th scope="row">
        {activity.name}
        <span class="plan-actions">
          {permissions.reportFor(activity.owner)
            ? <a href={`/staff/action-plan/activities/${activity.id}/complete`}>{t('plan.tick_off')}<span class="visually-hidden">: {activity.name}</span></a>
            : null}
          {permissions.edit ? <a href={`/staff/action-plan/activities/${activity.id}/edit`}>{t('plan.edit')}<span class="visually-hidden">: {activity.name}</span></a> : null}
        </span>
      </th>
      <td>{ownerText(ctx, activity.owner)}</td>
      {progress.months.map((month) => (
        <td class={`plan-grid__cell plan-grid__cell--${month.state}`} data-month={month.month} data-state={month.state}>
          <span aria-hidden="true">{ACTIVITY_SYMBOLS[month.state]}</span>
          {month.state === 'not_planned' ? null : <span class="visually-hidden">{t(`recap.activity.${month.state}`)}</span>}
          {month.completion ? (
            <>
              <span class="plan-grid__status">{formatDay(month.completion.doneOn, locale)}</span>
              {month.completion.evidence.fileId
                ? <a class="plan-grid__status" href={`/staff/action-plan/files/${month.completion.evidence.fileId}`}>{t('plan.evidence')}</a>
                : month.completion.evidence.url ? <a class="plan-grid__status" href={month.completion.evidence.url} rel="noopener noreferrer">{t('plan.evidence')}</a> : null}
            </>
          ) : null}
        </td>
      ))}
    </tr>
  );
}

function MonthHeaders(props: { ctx: PageContext }) {
  return <>{MONTHS.map((month) => <th scope="col" class="plan-grid__month">{shortMonthName(month, props.ctx.locale)}</th>)}</>;
}

/** Id prefix of each plan-page form's fields, for the error summary's links. */
const FORM_PREFIXES: Record<'create' | 'objective' | 'title', string | undefined> = { create: undefined, objective: 'objective', title: 'plan' };

export interface PlanPageProps {
  ctx: PageContext;
  year: number;
  years: number[];
  progress: PlanProgress | null;
  permissions: PlanPermissions;
  banner?: string;
  /** Values and errors of the create-plan and add-objective forms after a failed post. */
  form?: { name: 'create' | 'objective' | 'title'; values: Record<string, string>; errors: FieldErrors };
}

export function PlanPage(props: PlanPageProps) {
  const { ctx, progress, permissions } = props;
  const { t, locale } = ctx;
  const title = progress ? progress.plan.title : t('plan.title', { year: props.year });
  const errorsOf = (name: string) => (props.form?.name === name ? props.form.errors : {});
  const valueOf = (name: string, field: string, fallback = '') => (props.form?.name === name ? props.form.values[field] ?? fallback : fallback);
  const formulaCodes = progress
    ? [...new Set(progress.objectives.flatMap((objective) => objective.indicators.map((entry) => entry.indicator.formulaCode)).filter((code): code is string => code !== null))]
    : [];

  return (
    <ReportsLayout ctx={ctx} section="plan" title={title} banner={props.banner} errors={props.form?.errors}
      prefix={FORM_PREFIXES[props.form?.name ?? 'create']}>
      <p class="caption">{t('plan.caption', { year: props.year })}</p>
      <h1 class="heading-l">{title}</h1>
      <YearSwitch ctx={ctx} years={props.years} year={props.year} />

      {progress === null ? (
        <>
          <p class="body">{t('recap.no_plan')}</p>
          {permissions.edit ? (
            <form method="post" action="/staff/action-plan" class="narrow-form">
              <CsrfField token={ctx.csrfToken} />
              <input type="hidden" name="year" value={String(props.year)} />
              <TextField t={t} name="title" label={t('plan.field.plan_title')} value={valueOf('create', 'title', t('plan.default_title', { year: props.year }))} error={errorsOf('create').title} />
              <Button>{t('plan.create', { year: props.year })}</Button>
            </form>
          ) : null}
        </>
      ) : (
        <>
          <p class="period-statement">{t('plan.as_of', { date: formatDay(progress.today, locale) })}</p>
          <ul class="plan-summary" aria-label={t('plan.summary')}>
            {(['on_track', 'at_risk', 'missed', 'no_data'] as const).map((status) => (
              <li><StatusTag ctx={ctx} status={status} /> {progress.summary[status]}</li>
            ))}
          </ul>

          {progress.objectives.map(({ objective, indicators, activities }, index) => (
            <section class="plan-objective" id={`objective-${objective.id}`} aria-labelledby={`objective-${objective.id}-title`}>
              <h2 class="heading-m" id={`objective-${objective.id}-title`}>{t('plan.objective_n', { n: index + 1 })}: {objective.title}</h2>
              {permissions.edit ? (
                <p class="plan-actions">
                  <a href={`/staff/action-plan/objectives/${objective.id}/edit`}>{t('plan.edit_objective')}</a>
                  <a href={`/staff/action-plan/objectives/${objective.id}/indicators/new`}>{t('plan.add_indicator')}</a>
                  <a href={`/staff/action-plan/objectives/${objective.id}/activities/new`}>{t('plan.add_activity')}</a>
                </p>
              ) : null}

              <h3 class="heading-s">{t('plan.indicators')}</h3>
              {indicators.length === 0 ? <p class="body">{t('plan.no_indicators')}</p> : (
                <div class="table-scroll" tabindex={0}>
                  <table class="table plan-grid" data-plan-indicators>
                    <caption class="visually-hidden">{t('plan.indicators_caption', { objective: objective.title })}</caption>
                    <thead>
                      <tr>
                        <th scope="col">{t('recap.col.indicator')}</th>
                        <th scope="col">{t('recap.col.target')}</th>
                        <th scope="col">{t('recap.col.owner')}</th>
                        <MonthHeaders ctx={ctx} />
                        <th scope="col">{t('plan.latest_status')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {indicators.map((entry) => <IndicatorRow ctx={ctx} progress={entry} permissions={permissions} />)}
                    </tbody>
                  </table>
                </div>
              )}

              <h3 class="heading-s">{t('plan.activities')}</h3>
              {activities.length === 0 ? <p class="body">{t('plan.no_activities')}</p> : (
                <div class="table-scroll" tabindex={0}>
                  <table class="table plan-grid" data-plan-activities>
                    <caption class="visually-hidden">{t('plan.activities_caption', { objective: objective.title })}</caption>
                    <thead>
                      <tr>
                        <th scope="col">{t('recap.col.activity')}</th>
                        <th scope="col">{t('recap.col.owner')}</th>
                        <MonthHeaders ctx={ctx} />
                      </tr>
                    </thead>
                    <tbody>
                      {activities.map((entry) => <ActivityRow ctx={ctx} progress={entry} permissions={permissions} />)}
                    </tbody>
                  </table>
                </div>
              )}
            </section>
          ))}

          <section class="report-section" aria-labelledby="plan-notes">
            <h2 class="heading-s" id="plan-notes">{t('plan.notes')}</h2>
            <p class="report-note" data-status-rule>{t('recap.status_rule')} {t('plan.provisional_mark')}</p>
            <p class="report-note">{t('plan.tolerance', { percent: AT_RISK_TOLERANCE * 100 })}</p>
            <p class="report-note">{t('plan.activity_legend')}</p>
            <p class="report-note">{t('plan.formula_note')}</p>
            {formulaCodes.length > 0 ? (
              <dl class="summary-list">
                {formulaCodes.map((code) => (
                  <div class="summary-list__row">
                    <dt class="summary-list__key">{t(`recap.indicator.${code}`)}</dt>
                    <dd class="summary-list__value">{findIndicatorDefinition(code)?.definition[locale]}</dd>
                  </div>
                ))}
              </dl>
            ) : null}
          </section>

          {permissions.edit ? (
            <section class="report-section" aria-labelledby="plan-admin">
              <h2 class="heading-m" id="plan-admin">{t('plan.admin')}</h2>
              <form method="post" action={`/staff/action-plan/${progress.plan.id}/objectives`} class="narrow-form">
                <CsrfField token={ctx.csrfToken} />
                <TextField t={t} name="title" prefix="objective" label={t('plan.field.objective_title')} value={valueOf('objective', 'title')} error={errorsOf('objective').title} />
                <Button kind="secondary">{t('plan.add_objective')}</Button>
              </form>
              <form method="post" action={`/staff/action-plan/${progress.plan.id}/title`} class="narrow-form">
                <CsrfField token={ctx.csrfToken} />
                <TextField t={t} name="title" prefix="plan" label={t('plan.field.plan_title')} value={valueOf('title', 'title', progress.plan.title)} error={errorsOf('title').title} />
                <Button kind="secondary">{t('plan.rename')}</Button>
              </form>
            </section>
          ) : null}
        </>
      )}
    </ReportsLayout>
  );
}
