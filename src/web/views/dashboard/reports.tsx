/**
 * The reports page (/staff/reports): request a monthly recap as XLSX or PDF,
 * download stored ones, open the recap on screen, and export the filtered
 * inbox as CSV. Files are built in the background; the page shows their
 * status and the officer reloads it to download.
 */
import type { PageContext } from '../layout.tsx';
import { Button, Checkbox, CsrfField, NotificationBanner, Radios, SelectField, TextField, type FieldErrors, type SelectOption } from '../components.tsx';
import { formatFileSize } from '../format.tsx';
import type { StoredReport } from '../../../reports/monthly-report.ts';
import type { MonthlyReportData } from '../../../reports/monthly-report.ts';
import { MonthlyReportBody } from '../../../reports/monthly-html.tsx';
import { formatInstant, formatMonth } from '../../../reports/report-labels.ts';
import { CHANNELS } from '../../../domain/types.ts';
import { STATUSES } from '../../../domain/lifecycle.ts';
import { ReportsLayout } from './common.tsx';

export const REQUEST_FIELDS = ['month', 'agency', 'format'] as const;

export interface ReportsPageProps {
  ctx: PageContext;
  months: string[];
  reports: StoredReport[];
  /** Agency choices; null for agency officers, whose reports are always their own agency's. */
  agencies: SelectOption[] | null;
  ownAgency: { code: string; name: string } | null;
  categories: SelectOption[];
  districts: SelectOption[];
  pdfAvailable: boolean;
  /** Id of the report just requested, for the banner. */
  requested?: StoredReport;
  values?: Record<string, string>;
  errors?: FieldErrors;
}

function statusTag(ctx: PageContext, report: StoredReport) {
  const colour = report.status === 'ready' ? 'green' : report.status === 'failed' ? 'red' : 'yellow';
  return <strong class={`tag tag--small tag--${colour}`}>{ctx.t(`reports.status.${report.status}`)}</strong>;
}

export function ReportsPage(props: ReportsPageProps) {
  const { ctx } = props;
  const { t, locale } = ctx;
  const values = props.values ?? {};
  const monthOptions = props.months.map((month) => ({ value: month, label: formatMonth(month, locale) }));
  return (
    <ReportsLayout ctx={ctx} section="reports" title={t('reports.title')} errors={props.errors} order={REQUEST_FIELDS}>
      <h1 class="heading-l">{t('reports.title')}</h1>
      {props.requested ? (
        <NotificationBanner kind={props.requested.status === 'failed' ? 'warning' : 'success'}
          title={t(`reports.requested.${props.requested.status}`, { month: formatMonth(props.requested.month, locale), format: props.requested.format.toUpperCase() })}>
          {props.requested.status === 'pending' ? <p class="body"><a href="/staff/reports">{t('reports.reload')}</a></p> : null}
          {props.requested.status === 'failed' && props.requested.error ? <p class="body">{props.requested.error}</p> : null}
        </NotificationBanner>
      ) : null}

      <section class="report-section" aria-labelledby="monthly-title">
        <h2 class="heading-m" id="monthly-title">{t('reports.monthly')}</h2>
        <p class="body">{t('reports.monthly_hint')}</p>
        {props.ownAgency ? <p class="body">{t('reports.own_agency', { agency: props.ownAgency.name })}</p> : null}
        <form method="post" action="/staff/reports/monthly" class="narrow-form">
          <CsrfField token={ctx.csrfToken} />
          <SelectField t={t} name="month" label={t('recap.col.month')} value={values.month ?? props.months[1] ?? props.months[0]} options={monthOptions} error={props.errors?.month} />
          {props.agencies ? (
            <SelectField t={t} name="agency" label={t('reports.scope')} value={values.agency ?? ''} emptyLabel={t('recap.scope_regency')} options={props.agencies} error={props.errors?.agency} />
          ) : null}
          <Radios t={t} name="format" label={t('reports.format')} value={values.format ?? 'xlsx'} inline error={props.errors?.format}
            hint={props.pdfAvailable ? undefined : t('reports.pdf_unavailable')}
            options={[{ value: 'xlsx', label: t('reports.format.xlsx') }, { value: 'pdf', label: t('reports.format.pdf') }]} />
          <Checkbox name="refresh" label={t('reports.refresh')} hint={t('reports.refresh_hint')} checked={values.refresh === '1'} />
          <Button>{t('reports.request')}</Button>
        </form>

        <form method="get" action="/staff/reports/monthly/view" class="period-form">
          <SelectField t={t} name="month" prefix="view" label={t('recap.col.month')} value={props.months[1] ?? props.months[0]} options={monthOptions} />
          {props.agencies ? (
            <SelectField t={t} name="agency" prefix="view" label={t('reports.scope')} value="" emptyLabel={t('recap.scope_regency')} options={props.agencies} />
          ) : null}
          <Button kind="secondary">{t('reports.view')}</Button>
        </form>

        <h3 class="heading-s">{t('reports.stored')}</h3>
        {props.reports.length === 0 ? <p class="body">{t('reports.none')}</p> : (
          <div class="table-scroll" tabindex={0}>
            <table class="table report-table" data-stored-reports>
              <caption class="visually-hidden">{t('reports.stored')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('recap.col.month')}</th>
                  <th scope="col">{t('reports.scope')}</th>
                  <th scope="col">{t('reports.format')}</th>
                  <th scope="col">{t('recap.col.status')}</th>
                  <th scope="col">{t('reports.generated')}</th>
                  <th scope="col"><span class="visually-hidden">{t('plan.actions')}</span></th>
                </tr>
              </thead>
              <tbody>
                {props.reports.map((report) => (
                  <tr>
                    <th scope="row">{formatMonth(report.month, locale)}{report.scheduled ? <span class="secondary-text"> ({t('reports.scheduled')})</span> : null}</th>
                    <td>{report.agencyName ?? t('recap.scope_regency')}</td>
                    <td>{report.format.toUpperCase()}</td>
                    <td>{statusTag(ctx, report)}{report.status === 'failed' && report.error ? <span class="plan-grid__status secondary-text">{report.error}</span> : null}</td>
                    <td>{report.generated_at ? formatInstant(report.generated_at, locale) : '–'}</td>
                    <td>
                      {report.status === 'ready'
                        ? <a href={`/staff/reports/monthly/${report.id}/download`} download>{t('reports.download')} ({formatFileSize(report.size_bytes ?? 0)})</a>
                        : null}
                      {' '}
                      <a href={`/staff/reports/monthly/view?month=${report.month}${report.agencyCode ? `&agency=${report.agencyCode}` : ''}`}>{t('reports.view_short')}</a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section class="report-section" aria-labelledby="csv-title">
        <h2 class="heading-m" id="csv-title">{t('reports.csv')}</h2>
        <p class="body">{t('reports.csv_hint')}</p>
        <form method="get" action="/staff/reports/inbox.csv" class="narrow-form">
          <TextField t={t} name="q" prefix="csv" label={t('inbox.search')} type="search" />
          <SelectField t={t} name="status" prefix="csv" label={t('inbox.status')} emptyLabel={t('inbox.all')}
            options={[{ value: 'open', label: t('inbox.status_open') }, ...STATUSES.map((status) => ({ value: status, label: t(`status.${status}`) }))]} />
          {props.agencies ? <SelectField t={t} name="agency" prefix="csv" label={t('inbox.agency')} emptyLabel={t('inbox.all')} options={props.agencies} /> : null}
          <SelectField t={t} name="category" prefix="csv" label={t('inbox.category')} emptyLabel={t('inbox.all')} options={props.categories} />
          <SelectField t={t} name="channel" prefix="csv" label={t('inbox.channel')} emptyLabel={t('inbox.all')}
            options={CHANNELS.map((channel) => ({ value: channel, label: t(`channel.${channel}`) }))} />
          <SelectField t={t} name="district" prefix="csv" label={t('inbox.district')} emptyLabel={t('inbox.all')} options={props.districts} />
          <Checkbox name="overdue" prefix="csv" label={t('inbox.overdue_only')} />
          <Button kind="secondary">{t('reports.csv_download')}</Button>
        </form>
      </section>
    </ReportsLayout>
  );
}

/** The monthly recap on screen: the same body as the PDF, with links to the files. */
export function MonthlyReportScreen(props: { ctx: PageContext; data: MonthlyReportData }) {
  const { ctx, data } = props;
  const { t, locale } = ctx;
  return (
    <ReportsLayout ctx={ctx} section="reports" title={`${t('recap.title')} ${formatMonth(data.month, locale)}`}>
      <a class="back-link no-print" href="/staff/reports">{t('reports.back')}</a>
      <MonthlyReportBody data={data} locale={locale} />
    </ReportsLayout>
  );
}
