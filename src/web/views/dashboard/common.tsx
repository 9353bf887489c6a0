/**
 * Pieces shared by the dashboard, the action plan, the reports page and the
 * transparency page: the page frame with their stylesheet and chart scripts,
 * the period form, a chart with its data table, indicator names with their
 * definitions, and inbox drill-down links.
 */
import type { Child } from 'hono/jsx';
import { Layout, type PageContext } from '../layout.tsx';
import { Button, ErrorSummary, NotificationBanner, SelectField, TextField, type FieldErrors, type SelectOption } from '../components.tsx';
import { INDICATORS } from '../../../reports/indicators.ts';
import { formatDay, formatFigure, type FigureUnit } from '../../../reports/report-labels.ts';

/** Changes on every process start, so a deploy never serves a stale cached file. */
const ASSET_VERSION = Date.now().toString(36);

export const REPORT_SECTIONS = ['dashboard', 'plan', 'reports'] as const;
export type ReportSection = (typeof REPORT_SECTIONS)[number];

const SECTION_PATHS: Record<ReportSection, string> = {
  dashboard: '/staff/dashboard',
  plan: '/staff/action-plan',
  reports: '/staff/reports',
};

/** Stylesheet and, when `charts` is set, ECharts and its bootstrap; placed in the body because the shared layout owns the head. */
export function ReportAssets(props: { charts?: boolean }) {
  return (
    <>
      <link rel="stylesheet" href={`/assets/charts/reports.css?v=${ASSET_VERSION}`} />
      {props.charts ? (
        <>
          <script src={`/assets/charts/echarts.min.js?v=${ASSET_VERSION}`} defer></script>
          <script src={`/assets/charts/charts.js?v=${ASSET_VERSION}`} defer></script>
        </>
      ) : null}
    </>
  );
}

/** The back-office frame of the reporting pages, with their sub-navigation. */
export function ReportsLayout(props: {
  ctx: PageContext;
  section: ReportSection;
  title: string;
  charts?: boolean;
  banner?: string;
  errors?: FieldErrors;
  order?: readonly string[];
  /** Id prefix of the failed form's fields, for the error summary's links. */
  prefix?: string;
  children: Child;
}) {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={props.title} area="staff" wide>
      <ReportAssets charts={props.charts} />
      <nav class="sub-nav" aria-label={t('dash.nav')}>
        <ul class="sub-nav__list">
          {REPORT_SECTIONS.map((section) => (
            <li>
              <a class="sub-nav__link" href={SECTION_PATHS[section]} aria-current={props.section === section ? 'page' : undefined}>
                {t(`dash.section.${section}`)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <ErrorSummary t={t} errors={props.errors ?? {}} order={props.order} prefix={props.prefix} />
      {props.banner ? <NotificationBanner kind="success" title={props.banner} /> : null}
      {props.children}
    </Layout>
  );
}

/** The period sentence every chart and table repeats: dates and the WIB zone. */
export function periodText(ctx: PageContext, period: { from: string; to: string }): string {
  return ctx.t('dash.period_wib', { from: formatDay(period.from, ctx.locale), to: formatDay(period.to, ctx.locale) });
}

/** The period (and, for most staff, agency) filter; GET, so a filtered view can be bookmarked. */
export function PeriodForm(props: {
  ctx: PageContext;
  action: string;
  from: string;
  to: string;
  agency?: string;
  /** Agency choices; omitted for agency officers, who see only their own. */
  agencies?: SelectOption[];
  errors?: FieldErrors;
}) {
  const { t } = props.ctx;
  return (
    <form method="get" action={props.action} class="period-form" aria-label={t('dash.period_form')}>
      <TextField t={t} name="from" label={t('dash.from')} type="date" value={props.from} width="medium" error={props.errors?.from} />
      <TextField t={t} name="to" label={t('dash.to')} type="date" value={props.to} width="medium" error={props.errors?.to} />
      {props.agencies ? (
        <SelectField t={t} name="agency" label={t('dash.agency')} value={props.agency ?? ''} emptyLabel={t('dash.all_agencies')} options={props.agencies} />
      ) : null}
      <Button kind="secondary">{t('dash.apply')}</Button>
    </form>
  );
}

export function indicatorUnit(code: string): FigureUnit {
  return INDICATORS.find((definition) => definition.code === code)?.unit ?? 'count';
}

export function indicatorDefinition(ctx: PageContext, code: string): string {
  return INDICATORS.find((definition) => definition.code === code)?.definition[ctx.locale] ?? '';
}

/** An indicator's short name, with its definition in the abbreviation's title. */
export function IndicatorName(props: { ctx: PageContext; code: string }) {
  return <abbr title={indicatorDefinition(props.ctx, props.code)}>{props.ctx.t(`recap.indicator.${props.code}`)}</abbr>;
}

/** A figure formatted for its indicator's unit; counts without data show 0, other figures a dash. */
export function figure(ctx: PageContext, figures: Record<string, number | null | undefined>, code: string): string {
  const unit = indicatorUnit(code);
  return formatFigure(figures[code] ?? (unit === 'count' ? 0 : null), unit, ctx.locale);
}

/** Definitions of the indicators a page shows, as its footnote. */
export function DefinitionList(props: { ctx: PageContext; codes: readonly string[]; extra?: Child }) {
  const { ctx } = props;
  return (
    <section class="report-section" aria-labelledby="definitions-title">
      <h2 class="heading-s" id="definitions-title">{ctx.t('dash.definitions')}</h2>
      <dl class="summary-list">
        {props.codes.map((code) => (
          <div class="summary-list__row">
            <dt class="summary-list__key">{ctx.t(`recap.indicator.${code}`)}</dt>
            <dd class="summary-list__value">{indicatorDefinition(ctx, code)}</dd>
          </div>
        ))}
      </dl>
      <p class="report-note">{ctx.t('recap.counting_note')}</p>
      <p class="report-note">{ctx.t('recap.working_time_note')}</p>
      {props.extra}
    </section>
  );
}

/** Data a chart draws: see the header of assets/charts/charts.js. */
export interface ChartSpec {
  kind: 'bar' | 'stacked' | 'hbar' | 'line' | 'map';
  categories: string[];
  codes?: string[];
  series: { name: string; data: (number | null)[]; hrefs?: (string | null)[] }[];
  format: 'count' | 'percent' | 'decimal';
  geojson?: string;
}

/**
 * A chart with its heading, period note and data table. Without JavaScript
 * (or before ECharts loads) only the table shows; the canvas is an image to
 * assistive technology, whose text alternative is the table.
 */
export function ChartBlock(props: { ctx: PageContext; id: string; title: string; period: { from: string; to: string } | string; spec: ChartSpec | null; tall?: boolean; children: Child }) {
  const { ctx } = props;
  const note = typeof props.period === 'string' ? props.period : periodText(ctx, props.period);
  const canvasClass = `chart__canvas${props.spec?.kind === 'map' ? ' chart__canvas--map' : props.tall ? ' chart__canvas--tall' : ''}`;
  return (
    <section class="chart" aria-labelledby={props.id}>
      <h2 class="heading-m" id={props.id}>{props.title}</h2>
      <p class="chart__note">{note}</p>
      {props.spec ? (
        <div class={canvasClass} data-chart={JSON.stringify(props.spec)} role="img" aria-label={ctx.t('dash.chart_alt', { title: props.title })}></div>
      ) : null}
      {props.children}
    </section>
  );
}

/**
 * Returns an inbox URL with the given filters; empty values are left out.
 *
 * @example inboxLink({ agency: 'dpupr', category: 'jalan-jembatan' }) // '/staff?agency=dpupr&category=jalan-jembatan'
 */
export function inboxLink(filters: Record<string, string | undefined | null>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (value) params.set(key, value);
  const query = params.toString();
  return query ? `/staff?${query}` : '/staff';
}
