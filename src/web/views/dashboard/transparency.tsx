/**
 * The public transparency page (/transparansi): monthly counts, share
 * resolved and response times, by category and agency, and resolved reports
 * with the agency's answer. Every report comes through the public presenter
 * (no identity, free text masked); confidential and oversight reports never
 * appear, and neither do tracking codes, which would let a stranger reply to
 * or rate someone else's report. Tables work without JavaScript; charts are
 * an enhancement.
 */
import { Layout, type PageContext } from '../layout.tsx';
import { Pagination } from '../components.tsx';
import type { TransparencyData } from '../../../reports/dashboard.ts';
import type { PublicResolvedPage } from '../../../queries/dashboard.ts';
import { formatDay, formatInstant, formatMonth } from '../../../reports/report-labels.ts';
import { formatDateTime } from '../format.tsx';
import { localizeMasks } from '../../i18n/index.ts';
import { ChartBlock, DefinitionList, figure, IndicatorName, periodText, ReportAssets } from './common.tsx';

const MONTH_CODES = ['received', 'resolved', 'resolved_share', 'median_response_days', 'answered_within_1_working_day_share'] as const;
const GROUP_CODES = ['received', 'resolved_share', 'median_response_days'] as const;
const KEY_CODES = ['received', 'resolved_share', 'median_response_days', 'answered_within_1_working_day_share', 'rating_average'] as const;

/** Maximum description length shown in the list, in characters; the masking runs on the whole text first. */
const MAX_DESCRIPTION_CHARS = 600;

export function transparencyHref(year: number, page: number): string {
  return `/transparansi?year=${year}${page > 1 ? `&page=${page}` : ''}#resolved`;
}

function shorten(text: string): string {
  return text.length > MAX_DESCRIPTION_CHARS ? `${text.slice(0, MAX_DESCRIPTION_CHARS).trimEnd()}…` : text;
}

export function TransparencyPage(props: { ctx: PageContext; year: number; years: number[]; data: TransparencyData; resolved: PublicResolvedPage }) {
  const { ctx, data, resolved } = props;
  const { t, locale } = ctx;
  const period = data.period;
  return (
    <Layout ctx={ctx} title={t('transparency.title')} area="public" wide>
      <ReportAssets charts />
      <h1 class="heading-l">{t('transparency.title')}</h1>
      <p class="lead">{t('transparency.lead')}</p>
      <nav class="year-switch" aria-label={t('plan.years')}>
        <ul class="year-switch__list">
          {props.years.map((option) => (
            <li><a class="year-switch__link" href={`/transparansi?year=${option}`} aria-current={option === props.year ? 'page' : undefined}>{option}</a></li>
          ))}
        </ul>
      </nav>
      <p class="period-statement">{periodText(ctx, period)} {t('dash.as_of', { at: formatInstant(new Date(data.asOf), locale) })}</p>

      <ul class="key-figures" aria-label={t('dash.key_figures')}>
        {KEY_CODES.map((code) => (
          <li class="key-figure">
            <span class="key-figure__value">{figure(ctx, data.totals, code)}</span>
            <span class="key-figure__label"><IndicatorName ctx={ctx} code={code} /></span>
          </li>
        ))}
      </ul>

      <ChartBlock ctx={ctx} id="chart-months" title={t('transparency.by_month')} period={period}
        spec={{
          kind: 'bar',
          format: 'count',
          categories: data.byMonth.map((row) => formatMonth(row.month, locale)),
          series: [
            { name: t('recap.indicator.received'), data: data.byMonth.map((row) => row.figures.received ?? 0) },
            { name: t('recap.indicator.resolved'), data: data.byMonth.map((row) => row.figures.resolved ?? 0) },
          ],
        }}>
        <div class="table-scroll" tabindex={0}>
          <table class="table report-table" data-transparency-months>
            <caption class="visually-hidden">{t('transparency.by_month')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('recap.col.month')}</th>
                {MONTH_CODES.map((code) => <th scope="col" class="report-table__number"><IndicatorName ctx={ctx} code={code} /></th>)}
              </tr>
            </thead>
            <tbody>
              {data.byMonth.map((row) => (
                <tr>
                  <th scope="row">{formatMonth(row.month, locale)}</th>
                  {MONTH_CODES.map((code) => <td class="report-table__number">{figure(ctx, row.figures, code)}</td>)}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </ChartBlock>

      <div class="dashboard-grid">
        <ChartBlock ctx={ctx} id="chart-categories" title={t('transparency.by_category')} period={period} tall
          spec={data.byCategory.length === 0 ? null : {
            kind: 'hbar',
            format: 'count',
            categories: data.byCategory.slice(0, 10).map((row) => (locale === 'en' && row.nameEn ? row.nameEn : row.name)),
            series: [{ name: t('recap.indicator.received'), data: data.byCategory.slice(0, 10).map((row) => row.figures.received ?? 0) }],
          }}>
          {data.byCategory.length === 0 ? <p class="body">{t('recap.none')}</p> : (
            <div class="table-scroll" tabindex={0}>
              <table class="table report-table">
                <caption class="visually-hidden">{t('transparency.by_category')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('recap.col.category')}</th>
                    {GROUP_CODES.map((code) => <th scope="col" class="report-table__number"><IndicatorName ctx={ctx} code={code} /></th>)}
                  </tr>
                </thead>
                <tbody>
                  {data.byCategory.map((row) => (
                    <tr>
                      <th scope="row">{locale === 'en' && row.nameEn ? row.nameEn : row.name}</th>
                      {GROUP_CODES.map((code) => <td class="report-table__number">{figure(ctx, row.figures, code)}</td>)}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </ChartBlock>

        <section class="chart" aria-labelledby="by-agency">
          <h2 class="heading-m" id="by-agency">{t('transparency.by_agency')}</h2>
          <p class="chart__note">{periodText(ctx, period)}</p>
          {data.byAgency.length === 0 ? <p class="body">{t('recap.none')}</p> : (
            <div class="table-scroll" tabindex={0}>
              <table class="table report-table">
                <caption class="visually-hidden">{t('transparency.by_agency')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('recap.col.agency')}</th>
                    {GROUP_CODES.map((code) => <th scope="col" class="report-table__number"><IndicatorName ctx={ctx} code={code} /></th>)}
                  </tr>
                </thead>
                <tbody>
                  {data.byAgency.map((row) => (
                    <tr>
                      <th scope="row">{row.name}</th>
                      {GROUP_CODES.map((code) => <td class="report-table__number">{figure(ctx, row.figures, code)}</td>)}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      </div>

      <section class="report-section" id="resolved" aria-labelledby="resolved-title">
        <h2 class="heading-m" id="resolved-title">{t('transparency.resolved')}</h2>
        <p class="chart__note">{t('transparency.resolved_note', { from: formatDay(period.from, locale), to: formatDay(period.to, locale) })}</p>
        {resolved.rows.length === 0 ? <p class="body">{t('transparency.resolved_none')}</p> : (
          <ol class="resolved-list" data-resolved-list>
            {resolved.rows.map((row) => (
              <li class="resolved-list__item">
                <h3 class="heading-s">{[locale === 'en' ? row.categoryEn ?? row.category : row.category, row.district].filter(Boolean).join(' · ') || t('transparency.unclassified')}</h3>
                <p class="secondary-text">
                  {t('transparency.received_at', { at: formatDateTime(row.receivedAt, locale) })}
                  {row.resolvedAt ? ` · ${t('transparency.resolved_at', { at: formatDateTime(row.resolvedAt, locale) })}` : ''}
                  {row.agency ? ` · ${row.agency}` : ''}
                </p>
                <p class="resolved-list__text">{shorten(localizeMasks(row.description, t))}</p>
                {row.answer ? (
                  <div class="resolved-list__answer">
                    <p class="heading-s">{t('transparency.answer', { agency: row.agency ?? t('transparency.officer') })}</p>
                    {shorten(localizeMasks(row.answer, t))}
                  </div>
                ) : null}
              </li>
            ))}
          </ol>
        )}
        <Pagination t={t} page={resolved.page} pageSize={resolved.pageSize} total={resolved.total} hrefFor={(page) => transparencyHref(props.year, page)} />
      </section>

      <DefinitionList ctx={ctx} codes={[...new Set<string>([...KEY_CODES, ...MONTH_CODES])]} extra={<p class="report-note">{t('transparency.privacy_note')}</p>} />
    </Layout>
  );
}
