/**
 * The monthly recap as HTML: the same body on the staff page and in the PDF.
 * Charts are server-drawn SVG images with their data in the table beside
 * them, so the report reads the same without JavaScript and on paper. Every
 * table states the period and WIB in the report header, and every indicator
 * carries its definition.
 */
import type { Child } from 'hono/jsx';
import { raw } from 'hono/html';
import { INDICATORS } from './indicators.ts';
import type { MonthlyReportData } from './monthly-report.ts';
import type { PlanOwner } from './action-plan.ts';
import { barChartSvg, mapChartSvg, svgDataUrl } from './svg-charts.ts';
import {
  formatDay, formatFigure, formatInstant, formatMonth, reportText, type FigureUnit, type ReportLocale, type ReportText,
} from './report-labels.ts';

/** Agencies drawn in the report's bar chart; the table lists them all. */
const CHART_AGENCIES = 15;

/** Figures of the per-channel, per-agency and per-category tables, in column order. */
const TABLE_FIGURES = ['received', 'resolved_share', 'resolved_within_sla_share', 'verified_on_time_share', 'median_response_working_hours', 'rating_average'] as const;

function unitOf(code: string): FigureUnit {
  return INDICATORS.find((definition) => definition.code === code)?.unit ?? 'count';
}

function definitionOf(code: string, locale: ReportLocale): string {
  return INDICATORS.find((definition) => definition.code === code)?.definition[locale] ?? '';
}

function Figure(props: { value: number | null | undefined; code: string; locale: ReportLocale }) {
  return <>{formatFigure(props.value ?? (unitOf(props.code) === 'count' ? 0 : null), unitOf(props.code), props.locale)}</>;
}

/** Renders a column header with the indicator's name, and its definition as the abbreviation's title. */
function IndicatorHeader(props: { code: string; t: ReportText; locale: ReportLocale }) {
  return (
    <th scope="col" class="report-table__number">
      <abbr title={definitionOf(props.code, props.locale)}>{props.t(`recap.indicator.${props.code}`)}</abbr>
    </th>
  );
}

function Chart(props: { svg: string; alt: string }) {
  return <img class="report-chart" src={svgDataUrl(props.svg)} alt={props.alt} />;
}

function ownerText(owner: PlanOwner, t: ReportText): string {
  return [owner.agencyName, owner.role ? t(`recap.role.${owner.role}`) : null].filter(Boolean).join(' · ');
}

function Section(props: { title: string; id: string; children: Child }) {
  return (
    <section class="report-section" aria-labelledby={props.id}>
      <h2 class="heading-m" id={props.id}>{props.title}</h2>
      {props.children}
    </section>
  );
}

function FigureTable(props: {
  t: ReportText;
  locale: ReportLocale;
  caption: string;
  firstHeader: string;
  rows: { label: string; figures: Record<string, number | null> }[];
  extra?: { header: string; values: number[] };
}) {
  const { t, locale } = props;
  return (
    <div class="table-scroll">
      <table class="table report-table">
        <caption class="visually-hidden">{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">{props.firstHeader}</th>
            {TABLE_FIGURES.map((code) => <IndicatorHeader code={code} t={t} locale={locale} />)}
            {props.extra ? <th scope="col" class="report-table__number">{props.extra.header}</th> : null}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row, index) => (
            <tr>
              <th scope="row">{row.label}</th>
              {TABLE_FIGURES.map((code) => <td class="report-table__number"><Figure value={row.figures[code]} code={code} locale={locale} /></td>)}
              {props.extra ? <td class="report-table__number">{formatFigure(props.extra.values[index], 'count', locale)}</td> : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * Renders the report body: header with period and WIB, indicator summary,
 * tables and charts by channel, agency, category and kecamatan, backlog, and
 * the action plan's progress.
 */
export function MonthlyReportBody(props: { data: MonthlyReportData; locale: ReportLocale }) {
  const { data, locale } = props;
  const t = reportText(locale);
  const scope = data.agency ? t('recap.scope_agency', { agency: data.agency.name }) : t('recap.scope_regency');
  const categoryName = (row: MonthlyReportData['byCategory'][number]) => (locale === 'en' && row.nameEn ? row.nameEn : row.name);
  const chartAgencies = data.byAgency.filter((row) => row.code && (row.figures.received ?? 0) > 0).slice(0, CHART_AGENCIES);
  const chartCategories = data.byCategory.slice(0, CHART_AGENCIES);

  return (
    <article class="report" data-report-month={data.month}>
      <header class="report__header">
        <p class="caption">{t('recap.title')}</p>
        <h1 class="heading-l">{formatMonth(data.month, locale)} · {scope}</h1>
        <p class="body report__period">
          {t('recap.period', { from: formatDay(data.from, locale), to: formatDay(data.to, locale) })} {t('recap.generated', { at: formatInstant(data.generatedAt, locale) })}
        </p>
      </header>

      <Section title={t('recap.section.summary')} id="report-summary">
        <div class="table-scroll">
          <table class="table report-table">
            <caption class="visually-hidden">{t('recap.section.summary')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('recap.col.indicator')}</th>
                <th scope="col" class="report-table__number">{t('recap.col.value')}</th>
                <th scope="col">{t('recap.col.definition')}</th>
              </tr>
            </thead>
            <tbody>
              {INDICATORS.map((definition) => (
                <tr>
                  <th scope="row">{t(`recap.indicator.${definition.code}`)}</th>
                  <td class="report-table__number"><Figure value={data.totals[definition.code]} code={definition.code} locale={locale} /></td>
                  <td class="report-table__definition">{definition.definition[locale]}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Section>

      <Section title={t('recap.section.channels')} id="report-channels">
        {data.byChannel.length === 0 ? <p class="body">{t('recap.none')}</p> : (
          <>
            <Chart svg={barChartSvg({ labels: data.byChannel.map((row) => t(`recap.channel.${row.channel}`)), values: data.byChannel.map((row) => row.figures.received ?? 0) })} alt={t('recap.chart.channels')} />
            <FigureTable t={t} locale={locale} caption={t('recap.section.channels')} firstHeader={t('recap.col.channel')}
              rows={data.byChannel.map((row) => ({ label: t(`recap.channel.${row.channel}`), figures: row.figures }))} />
          </>
        )}
      </Section>

      {data.agency ? null : (
        <Section title={t('recap.section.agencies')} id="report-agencies">
          {data.byAgency.length === 0 ? <p class="body">{t('recap.none')}</p> : (
            <>
              {chartAgencies.length > 0 ? (
                <Chart svg={barChartSvg({ labels: chartAgencies.map((row) => row.name), values: chartAgencies.map((row) => row.figures.received ?? 0), horizontal: true })} alt={t('recap.chart.agencies')} />
              ) : null}
              <FigureTable t={t} locale={locale} caption={t('recap.section.agencies')} firstHeader={t('recap.col.agency')}
                rows={data.byAgency.map((row) => ({ label: row.code ? row.name : t('recap.no_agency'), figures: row.figures }))}
                extra={{ header: t('recap.col.overdue'), values: data.byAgency.map((row) => row.overdue) }} />
            </>
          )}
        </Section>
      )}

      <Section title={t('recap.section.categories')} id="report-categories">
        {data.byCategory.length === 0 ? <p class="body">{t('recap.none')}</p> : (
          <>
            {data.agency ? (
              <Chart svg={barChartSvg({ labels: chartCategories.map(categoryName), values: chartCategories.map((row) => row.figures.received ?? 0), horizontal: true })} alt={t('recap.chart.categories')} />
            ) : null}
            <FigureTable t={t} locale={locale} caption={t('recap.section.categories')} firstHeader={t('recap.col.category')}
              rows={data.byCategory.map((row) => ({ label: categoryName(row), figures: row.figures }))} />
          </>
        )}
      </Section>

      <Section title={t('recap.section.districts')} id="report-districts">
        <div class="report-map">
          <Chart svg={mapChartSvg({ values: data.byDistrict.map((row) => ({ code: row.code, name: row.name, value: row.received })) })} alt={t('recap.chart.districts')} />
          <div class="table-scroll" tabindex={0}>
            <table class="table report-table report-table--compact">
              <caption class="visually-hidden">{t('recap.section.districts')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('recap.col.district')}</th>
                  <th scope="col" class="report-table__number"><abbr title={definitionOf('received', locale)}>{t('recap.indicator.received')}</abbr></th>
                </tr>
              </thead>
              <tbody>
                {data.byDistrict.map((row) => (
                  <tr><th scope="row">{row.name}</th><td class="report-table__number">{formatFigure(row.received, 'count', locale)}</td></tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      </Section>

      <Section title={t('recap.section.backlog', { date: formatInstant(data.asOf, locale) })} id="report-backlog">
        <Chart svg={barChartSvg({ labels: data.backlog.map((row) => t(`recap.age.${row.bucket}`)), values: data.backlog.map((row) => row.count), height: 220 })} alt={t('recap.chart.backlog')} />
        <div class="table-scroll" tabindex={0}>
          <table class="table report-table report-table--compact">
            <caption class="visually-hidden">{t('recap.section.backlog', { date: formatInstant(data.asOf, locale) })}</caption>
            <thead><tr><th scope="col">{t('recap.col.age')}</th><th scope="col" class="report-table__number">{t('recap.col.count')}</th></tr></thead>
            <tbody>
              {data.backlog.map((row) => (
                <tr><th scope="row">{t(`recap.age.${row.bucket}`)}</th><td class="report-table__number">{formatFigure(row.count, 'count', locale)}</td></tr>
              ))}
            </tbody>
          </table>
        </div>
      </Section>

      <Section title={t('recap.section.plan', { year: data.year })} id="report-plan">
        {data.plan === null ? <p class="body">{t('recap.no_plan')}</p> : (
          <>
            <div class="table-scroll">
              <table class="table report-table">
                <caption class="visually-hidden">{t('recap.section.plan', { year: data.year })}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('recap.col.indicator')}</th>
                    <th scope="col">{t('recap.col.period')}</th>
                    <th scope="col" class="report-table__number">{t('recap.col.target')}</th>
                    <th scope="col" class="report-table__number">{t('recap.col.actual')}</th>
                    <th scope="col">{t('recap.col.status')}</th>
                    <th scope="col">{t('recap.col.owner')}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.plan.indicators.map((line) => (
                    <tr>
                      <th scope="row">{line.name}<br /><span class="secondary-text">{line.objective}</span></th>
                      <td>{line.periodKey}</td>
                      <td class="report-table__number">{t(`recap.comparison.${line.comparison}`)} {formatFigure(line.targetValue, line.unit, locale)}</td>
                      <td class="report-table__number">{formatFigure(line.actual, line.unit, locale)}</td>
                      <td>
                        <strong class={`tag tag--small plan-status plan-status--${line.status}`}>{t(`recap.status.${line.status}`)}</strong>
                        {line.provisional ? <span class="secondary-text"> ({t('recap.status.provisional')})</span> : null}
                      </td>
                      <td>{ownerText(line.owner, t)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <h3 class="heading-s">{t('recap.section.plan_activities')}</h3>
            {data.plan.activities.length === 0 ? <p class="body">{t('recap.none')}</p> : (
              <div class="table-scroll" tabindex={0}>
                <table class="table report-table">
                  <caption class="visually-hidden">{t('recap.section.plan_activities')}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('recap.col.activity')}</th>
                      <th scope="col">{t('recap.col.status')}</th>
                      <th scope="col">{t('recap.col.owner')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.plan.activities.map((line) => (
                      <tr>
                        <th scope="row">{line.name}</th>
                        <td>
                          <strong class={`tag tag--small activity-state activity-state--${line.state}`}>{t(`recap.activity.${line.state}`)}</strong>
                          {line.doneOn ? <span class="secondary-text"> {formatDay(line.doneOn, locale)}</span> : null}
                        </td>
                        <td>{ownerText(line.owner, t)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            <p class="report-note">{t('recap.status_rule')}</p>
          </>
        )}
      </Section>

      <footer class="report__notes">
        <p class="report-note">{t('recap.counting_note')}</p>
        <p class="report-note">{t('recap.working_time_note')}</p>
      </footer>
    </article>
  );
}

/**
 * Renders the report as a self-contained HTML document (styles inline,
 * charts as data URLs) for printing to PDF.
 */
export async function renderMonthlyReportDocument(data: MonthlyReportData, locale: ReportLocale, css: string): Promise<string> {
  const t = reportText(locale);
  const scope = data.agency ? data.agency.name : t('recap.scope_regency');
  const page = (
    <>
      {raw('<!DOCTYPE html>')}
      <html lang={locale} class="report-print">
        <head>
          <meta charset="utf-8" />
          <title>{`${t('recap.title')} ${formatMonth(data.month, locale)} – ${scope}`}</title>
          <style>{raw(css.replace(/<\/style/gi, '<\\/style'))}</style>
        </head>
        <body>
          <main class="main">
            <MonthlyReportBody data={data} locale={locale} />
          </main>
        </body>
      </html>
    </>
  );
  return String(await page.toString());
}
