/** The back-office inbox: filters as GET parameters, a table of cases, pagination. */
import type { InboxPage } from '../../../queries/complaints.ts';
import { CHANNELS } from '../../../domain/types.ts';
import { STATUSES } from '../../../domain/lifecycle.ts';
import { Layout, type PageContext } from '../layout.tsx';
import { Button, Checkbox, NotificationBanner, Pagination, SelectField, StatusTag, TextField, type SelectOption } from '../components.tsx';
import { formatDateTime } from '../format.tsx';
import { agencyOptions, categoryOptions, districtOptions, type ReferenceRows } from '../report-fields.tsx';

/** Filter values exactly as they appear in the query string. */
export interface InboxFilterValues {
  status: string;
  agency: string;
  category: string;
  channel: string;
  district: string;
  overdue: boolean;
  q: string;
}

/** Status filter value that selects every open status (the citizen still waits for an answer). */
export const OPEN_FILTER = 'open';

export function inboxHref(filters: InboxFilterValues, page: number): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) {
    if (key === 'overdue') {
      if (value) params.set('overdue', '1');
    } else if (value) params.set(key, String(value));
  }
  if (page > 1) params.set('page', String(page));
  const query = params.toString();
  return query ? `/staff?${query}` : '/staff';
}

export function InboxPageView(props: {
  ctx: PageContext;
  filters: InboxFilterValues;
  result: InboxPage;
  reference: ReferenceRows;
  /** Agency officers see only their own agency, so the agency filter is hidden from them. */
  showAgencyFilter: boolean;
  agencyName?: string | null;
  /** Reports set aside in the low-priority queue, which this list leaves out; absent for users without the queue. */
  lowPriority?: { waiting: number; overdue: number };
}) {
  const { ctx, filters, result, reference } = props;
  const { t, locale } = ctx;
  const statusOptions: SelectOption[] = [
    { value: OPEN_FILTER, label: t('inbox.status_open') },
    ...STATUSES.map((status) => ({ value: status, label: t(`status.${status}`) })),
  ];
  const first = result.total === 0 ? 0 : (result.page - 1) * result.pageSize + 1;
  const last = Math.min(result.total, result.page * result.pageSize);
  return (
    <Layout ctx={ctx} title={t('inbox.title')} area="staff" wide>
      <h1 class="heading-l">{t('inbox.heading')}</h1>
      {props.agencyName ? <p class="body">{t('inbox.agency_scope', { agency: props.agencyName })}</p> : null}
      {props.lowPriority && props.lowPriority.waiting > 0 ? (
        <div class="inset-text" data-low-priority={String(props.lowPriority.waiting)}>
          <p class="body">
            {t(props.lowPriority.overdue > 0 ? 'inbox.low_priority_overdue' : 'inbox.low_priority', props.lowPriority)}{' '}
            <a class="link" href="/staff/triage">{t('inbox.low_priority_link')}</a>
          </p>
        </div>
      ) : null}

      <div class="inbox">
        <form method="get" action="/staff" class="filters" role="search" aria-label={t('inbox.filters')}>
          <h2 class="heading-s">{t('inbox.filters')}</h2>
          <TextField t={t} name="q" label={t('inbox.search')} hint={t('inbox.search_hint')} value={filters.q} type="search" prefix="filter" />
          <SelectField t={t} name="status" label={t('inbox.status')} value={filters.status} emptyLabel={t('inbox.all')} options={statusOptions} prefix="filter" />
          {props.showAgencyFilter ? (
            <SelectField t={t} name="agency" label={t('inbox.agency')} value={filters.agency} emptyLabel={t('inbox.all')}
              options={agencyOptions(reference, filters.agency)} prefix="filter" />
          ) : null}
          <SelectField t={t} name="category" label={t('inbox.category')} value={filters.category} emptyLabel={t('inbox.all')}
            options={categoryOptions(reference, locale, filters.category)} prefix="filter" />
          <SelectField t={t} name="channel" label={t('inbox.channel')} value={filters.channel} emptyLabel={t('inbox.all')}
            options={CHANNELS.map((channel) => ({ value: channel, label: t(`channel.${channel}`) }))} prefix="filter" />
          <SelectField t={t} name="district" label={t('inbox.district')} value={filters.district} emptyLabel={t('inbox.all')}
            options={districtOptions(reference)} prefix="filter" />
          <Checkbox name="overdue" label={t('inbox.overdue_only')} checked={filters.overdue} prefix="filter" />
          <div class="button-group">
            <Button kind="secondary">{t('inbox.apply')}</Button>
            <a class="link" href="/staff">{t('inbox.clear')}</a>
          </div>
        </form>

        <section class="inbox__results" aria-labelledby="results-title">
          <h2 class="heading-s" id="results-title">
            {result.total === 0 ? t('inbox.none') : t('inbox.showing', { first, last, total: result.totalCapped ? `${result.total}+` : result.total })}
          </h2>
          {result.total === 0 ? (
            <NotificationBanner kind="info" title={t('inbox.none_hint')} />
          ) : (
            <table class="table table--responsive table--inbox">
              <caption class="visually-hidden">{t('inbox.table_caption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('inbox.col.code')}</th>
                  <th scope="col">{t('inbox.col.received')}</th>
                  <th scope="col">{t('inbox.col.status')}</th>
                  <th scope="col">{t('inbox.col.subject')}</th>
                  <th scope="col">{t('inbox.col.agency')}</th>
                  <th scope="col">{t('inbox.col.due')}</th>
                </tr>
              </thead>
              <tbody>
                {result.rows.map((row) => (
                  <tr class={row.overdue ? 'table__row--overdue' : undefined}>
                    <th scope="row" data-label={t('inbox.col.code')}>
                      <a class="link--strong nowrap" href={`/staff/complaints/${row.id}`}>{row.trackingCode}</a>
                      {row.oversight ? <strong class="tag tag--red tag--small">{t('inbox.oversight')}</strong> : null}
                    </th>
                    <td data-label={t('inbox.col.received')}>
                      {formatDateTime(row.receivedAt, locale)}
                      <br />
                      <span class="secondary-text">{t(`channel.${row.channel}`)}</span>
                    </td>
                    <td data-label={t('inbox.col.status')}><StatusTag t={t} status={row.status} /></td>
                    <td data-label={t('inbox.col.subject')}>
                      <span class="secondary-text">
                        {[row.type ? t(`type.${row.type}`) : null, row.categoryName, row.districtName].filter(Boolean).join(' · ') || t('inbox.unclassified')}
                      </span>
                      <br />
                      {row.excerpt}
                    </td>
                    <td data-label={t('inbox.col.agency')}>{row.agencyName ?? '–'}</td>
                    <td data-label={t('inbox.col.due')}>
                      {row.nextDueAt ? formatDateTime(row.nextDueAt, locale) : '–'}
                      {row.overdue ? <strong class="tag tag--red tag--small">{t('inbox.overdue')}</strong> : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <Pagination t={t} page={result.page} pageSize={result.pageSize} total={result.total} hrefFor={(page) => inboxHref(filters, page)} />
        </section>
      </div>
    </Layout>
  );
}
