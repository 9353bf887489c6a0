/**
 * The back-office dashboard: key figures, reports per week and channel, the
 * SLA trend of the busiest agencies, backlog by age, top categories,
 * satisfaction, a map of reports per kecamatan and the agency league table.
 * Every chart has its data as a table and states the period in WIB; every
 * bar, point, kecamatan and table row leads to the inbox filtered to it.
 */
import type { PageContext } from '../layout.tsx';
import type { FieldErrors, SelectOption } from '../components.tsx';
import type { DashboardData } from '../../../reports/dashboard.ts';
import { SLA_TREND_INDICATOR } from '../../../reports/dashboard.ts';
import { formatFigure, formatDay, formatInstant, formatMonth } from '../../../reports/report-labels.ts';
import {
  ChartBlock, DefinitionList, figure, inboxLink, IndicatorName, PeriodForm, periodText, ReportsLayout,
} from './common.tsx';

/** Figures of the league table, in column order. */
const LEAGUE_CODES = [
  'received', 'resolved_share', 'resolved_within_sla_share', 'verified_on_time_share', 'median_response_working_hours', 'rating_average',
] as const;

const KEY_CODES = [
  'received', 'resolved_share', 'verified_on_time_share', 'answered_within_1_working_day_share', 'median_response_working_hours', 'rating_average',
] as const;

const CATEGORY_CODES = ['received', 'resolved_share', 'median_response_working_hours'] as const;

export const MAP_GEOJSON_URL = '/assets/charts/karanganyar-kecamatan.geojson';

export interface DashboardViewProps {
  ctx: PageContext;
  data: DashboardData;
  /** Agency choices of the filter; null for agency officers. */
  agencies: SelectOption[] | null;
  errors?: FieldErrors;
}

export function DashboardPage(props: DashboardViewProps) {
  const { ctx, data } = props;
  const { t, locale } = ctx;
  const agency = data.agency?.code;
  const period = data.period;
  const title = data.agency ? t('dash.title_agency', { agency: data.agency.name }) : t('dash.title');
  const channelName = (channel: string) => t(`recap.channel.${channel}`);

  const weeklyTotal = data.weekly.weeks.map((_, index) => data.weekly.counts.reduce((sum, row) => sum + row[index], 0));
  const ratingCount = data.satisfaction.distribution.reduce((sum, row) => sum + row.count, 0);

  return (
    <ReportsLayout ctx={ctx} section="dashboard" title={title} charts errors={props.errors} order={['from', 'to']}>
      <h1 class="heading-l">{title}</h1>
      <PeriodForm ctx={ctx} action="/staff/dashboard" from={period.from} to={period.to} agency={agency} agencies={props.agencies ?? undefined} errors={props.errors} />
      <p class="period-statement">{periodText(ctx, period)} {t('dash.as_of', { at: formatInstant(new Date(data.asOf), locale) })} {t('dash.scope_note')}</p>

      <ul class="key-figures" aria-label={t('dash.key_figures')}>
        {KEY_CODES.map((code) => (
          <li class="key-figure">
            <span class="key-figure__value">{figure(ctx, data.totals, code)}</span>
            <span class="key-figure__label"><IndicatorName ctx={ctx} code={code} /></span>
          </li>
        ))}
        <li class={`key-figure${data.overdueNow > 0 ? ' key-figure--warning' : ''}`}>
          <a class="key-figure__value" href={inboxLink({ status: 'open', overdue: '1', agency })}>{formatFigure(data.overdueNow, 'count', locale)}</a>
          <span class="key-figure__label"><abbr title={t('dash.overdue_definition')}>{t('dash.overdue_now')}</abbr></span>
        </li>
      </ul>

      <ChartBlock ctx={ctx} id="chart-weekly" title={t('dash.chart.weekly')} period={period} tall
        spec={data.weekly.channels.length === 0 ? null : {
          kind: 'stacked',
          format: 'count',
          categories: data.weekly.weeks.map((week) => formatDay(week, locale)),
          series: data.weekly.channels.map((channel, index) => ({
            name: channelName(channel),
            data: data.weekly.counts[index],
            hrefs: data.weekly.weeks.map(() => inboxLink({ channel, agency })),
          })),
        }}>
        {data.weekly.channels.length === 0 ? <p class="body">{t('recap.none')}</p> : (
          <div class="table-scroll" tabindex={0}>
            <table class="table report-table">
              <caption class="visually-hidden">{t('dash.chart.weekly')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('recap.col.week')}</th>
                  {data.weekly.channels.map((channel) => (
                    <th scope="col" class="report-table__number"><a href={inboxLink({ channel, agency })}>{channelName(channel)}</a></th>
                  ))}
                  <th scope="col" class="report-table__number">{t('dash.total')}</th>
                </tr>
              </thead>
              <tbody>
                {data.weekly.weeks.map((week, index) => (
                  <tr>
                    <th scope="row">{formatDay(week, locale)}</th>
                    {data.weekly.counts.map((row) => <td class="report-table__number">{formatFigure(row[index], 'count', locale)}</td>)}
                    <td class="report-table__number">{formatFigure(weeklyTotal[index], 'count', locale)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </ChartBlock>

      <div class="dashboard-grid">
        <ChartBlock ctx={ctx} id="chart-sla" title={t('dash.chart.sla')} period={period}
          spec={data.slaTrend.agencies.length === 0 ? null : {
            kind: 'line',
            format: 'percent',
            categories: data.slaTrend.months.map((month) => formatMonth(month, locale)),
            series: data.slaTrend.agencies.map((row) => ({ name: row.name, data: row.values, hrefs: row.values.map(() => inboxLink({ agency: row.code })) })),
          }}>
          <p class="chart__note"><IndicatorName ctx={ctx} code={SLA_TREND_INDICATOR} />: {t('dash.sla_note', { n: data.slaTrend.agencies.length })}</p>
          {data.slaTrend.agencies.length === 0 ? <p class="body">{t('recap.none')}</p> : (
            <div class="table-scroll" tabindex={0}>
              <table class="table report-table">
                <caption class="visually-hidden">{t('dash.chart.sla')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('recap.col.agency')}</th>
                    {data.slaTrend.months.map((month) => <th scope="col" class="report-table__number">{formatMonth(month, locale)}</th>)}
                  </tr>
                </thead>
                <tbody>
                  {data.slaTrend.agencies.map((row) => (
                    <tr>
                      <th scope="row"><a href={inboxLink({ agency: row.code })}>{row.name}</a></th>
                      {row.values.map((value) => <td class="report-table__number">{formatFigure(value, 'share', locale)}</td>)}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </ChartBlock>

        <ChartBlock ctx={ctx} id="chart-backlog" title={t('dash.chart.backlog')} period={t('dash.now_wib', { at: formatDay(period.to, locale) })}
          spec={{
            kind: 'bar',
            format: 'count',
            categories: data.backlog.map((row) => t(`recap.age.${row.bucket}`)),
            series: [{ name: t('recap.col.count'), data: data.backlog.map((row) => row.count), hrefs: data.backlog.map(() => inboxLink({ status: 'open', agency })) }],
          }}>
          <div class="table-scroll" tabindex={0}>
            <table class="table report-table report-table--compact">
              <caption class="visually-hidden">{t('dash.chart.backlog')}</caption>
              <thead><tr><th scope="col">{t('recap.col.age')}</th><th scope="col" class="report-table__number">{t('recap.col.count')}</th></tr></thead>
              <tbody>
                {data.backlog.map((row) => (
                  <tr>
                    <th scope="row"><a href={inboxLink({ status: 'open', agency })}>{t(`recap.age.${row.bucket}`)}</a></th>
                    <td class="report-table__number">{formatFigure(row.count, 'count', locale)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p class="chart__note">{t('dash.backlog_note')}</p>
        </ChartBlock>

        <ChartBlock ctx={ctx} id="chart-categories" title={t('dash.chart.categories', { n: data.topCategories.length })} period={period} tall
          spec={data.topCategories.length === 0 ? null : {
            kind: 'hbar',
            format: 'count',
            categories: data.topCategories.map((row) => (locale === 'en' && row.nameEn ? row.nameEn : row.name)),
            series: [{ name: t('recap.indicator.received'), data: data.topCategories.map((row) => row.figures.received ?? 0), hrefs: data.topCategories.map((row) => inboxLink({ category: row.code, agency })) }],
          }}>
          {data.topCategories.length === 0 ? <p class="body">{t('recap.none')}</p> : (
            <div class="table-scroll" tabindex={0}>
              <table class="table report-table">
                <caption class="visually-hidden">{t('dash.chart.categories', { n: data.topCategories.length })}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('recap.col.category')}</th>
                    {CATEGORY_CODES.map((code) => <th scope="col" class="report-table__number"><IndicatorName ctx={ctx} code={code} /></th>)}
                  </tr>
                </thead>
                <tbody>
                  {data.topCategories.map((row) => (
                    <tr>
                      <th scope="row"><a href={inboxLink({ category: row.code, agency })}>{locale === 'en' && row.nameEn ? row.nameEn : row.name}</a></th>
                      {CATEGORY_CODES.map((code) => <td class="report-table__number">{figure(ctx, row.figures, code)}</td>)}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </ChartBlock>

        <ChartBlock ctx={ctx} id="chart-satisfaction" title={t('dash.chart.satisfaction')} period={period}
          spec={ratingCount === 0 ? null : {
            kind: 'bar',
            format: 'count',
            categories: data.satisfaction.distribution.map((row) => String(row.rating)),
            series: [{ name: t('recap.col.count'), data: data.satisfaction.distribution.map((row) => row.count) }],
          }}>
          <div class="table-scroll" tabindex={0}>
            <table class="table report-table report-table--compact">
              <caption class="visually-hidden">{t('dash.rating_distribution')}</caption>
              <thead><tr><th scope="col">{t('recap.col.rating')}</th><th scope="col" class="report-table__number">{t('recap.col.count')}</th></tr></thead>
              <tbody>
                {data.satisfaction.distribution.map((row) => (
                  <tr><th scope="row">{row.rating}</th><td class="report-table__number">{formatFigure(row.count, 'count', locale)}</td></tr>
                ))}
              </tbody>
            </table>
          </div>
          <div class="table-scroll" tabindex={0}>
            <table class="table report-table report-table--compact">
              <caption class="visually-hidden">{t('dash.rating_by_month')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('recap.col.month')}</th>
                  <th scope="col" class="report-table__number"><IndicatorName ctx={ctx} code="rating_average" /></th>
                  <th scope="col" class="report-table__number"><IndicatorName ctx={ctx} code="rating_satisfied_share" /></th>
                </tr>
              </thead>
              <tbody>
                {data.satisfaction.byMonth.map((row) => (
                  <tr>
                    <th scope="row">{formatMonth(row.month, locale)}</th>
                    <td class="report-table__number">{figure(ctx, row.figures, 'rating_average')}</td>
                    <td class="report-table__number">{figure(ctx, row.figures, 'rating_satisfied_share')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </ChartBlock>

        <ChartBlock ctx={ctx} id="chart-map" title={t('dash.chart.map')} period={period}
          spec={{
            kind: 'map',
            format: 'count',
            geojson: MAP_GEOJSON_URL,
            categories: data.districts.map((row) => row.name),
            codes: data.districts.map((row) => row.code),
            series: [{ name: t('recap.indicator.received'), data: data.districts.map((row) => row.received), hrefs: data.districts.map((row) => inboxLink({ district: row.code, agency })) }],
          }}>
          <div class="table-scroll" tabindex={0}>
            <table class="table report-table report-table--compact">
              <caption class="visually-hidden">{t('dash.chart.map')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('recap.col.district')}</th>
                  <th scope="col" class="report-table__number"><IndicatorName ctx={ctx} code="received" /></th>
                </tr>
              </thead>
              <tbody>
                {data.districts.map((row) => (
                  <tr>
                    <th scope="row"><a href={inboxLink({ district: row.code, agency })}>{row.name}</a></th>
                    <td class="report-table__number">{formatFigure(row.received, 'count', locale)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </ChartBlock>
      </div>

      <section class="report-section" aria-labelledby="league-title">
        <h2 class="heading-m" id="league-title">{t('dash.league')}</h2>
        <p class="chart__note">{periodText(ctx, period)} {t('dash.league_note')}</p>
        {data.league.length === 0 ? <p class="body">{t('recap.none')}</p> : (
          <div class="table-scroll" tabindex={0}>
            <table class="table report-table" data-league>
              <caption class="visually-hidden">{t('dash.league')}</caption>
              <thead>
                <tr>
                  <th scope="col" class="report-table__number">{t('recap.col.rank')}</th>
                  <th scope="col">{t('recap.col.agency')}</th>
                  {LEAGUE_CODES.map((code) => <th scope="col" class="report-table__number"><IndicatorName ctx={ctx} code={code} /></th>)}
                  <th scope="col" class="report-table__number"><abbr title={t('dash.overdue_definition')}>{t('recap.col.overdue')}</abbr></th>
                </tr>
              </thead>
              <tbody>
                {data.league.map((row, index) => (
                  <tr>
                    <td class="report-table__number">{index + 1}</td>
                    <th scope="row">
                      {row.code ? <a href={inboxLink({ agency: row.code })} data-agency={row.code}>{row.name}</a> : <a href={inboxLink({ status: 'new' })}>{t('recap.no_agency')}</a>}
                    </th>
                    {LEAGUE_CODES.map((code) => <td class="report-table__number">{figure(ctx, row.figures, code)}</td>)}
                    <td class="report-table__number">
                      {row.overdue > 0 && row.code ? <a href={inboxLink({ agency: row.code, status: 'open', overdue: '1' })}>{formatFigure(row.overdue, 'count', locale)}</a> : formatFigure(row.overdue, 'count', locale)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <DefinitionList ctx={ctx} codes={[...new Set<string>([...KEY_CODES, ...LEAGUE_CODES, SLA_TREND_INDICATOR, 'rating_satisfied_share'])]} />
    </ReportsLayout>
  );
}
