/**
 * The low-priority queue (/staff/triage): new messages whose complaint-or-not
 * score fell below the threshold, lowest score first. An officer ticks
 * messages and archives them as not a report or as spam, or moves them back
 * to the normal inbox. Nothing is deleted.
 */
import type { LowPriorityPage } from '../../../../queries/triage.ts';
import { Layout, type PageContext } from '../../layout.tsx';
import { Button, CsrfField, ErrorSummary, NotificationBanner, Pagination, type FieldErrors } from '../../components.tsx';
import { formatDateTime } from '../../format.tsx';
import { formatDecimal, formatPercent } from './format.tsx';
import { TriageSubNav } from './sub-nav.tsx';

/** Outcome banner after a sweep, from the redirect's query string. */
export interface SweepBanner {
  action: 'archive_not_report' | 'archive_spam' | 'restore';
  done: number;
  skipped: number;
}

export function queueHref(page: number): string {
  return page > 1 ? `/staff/triage?page=${page}` : '/staff/triage';
}

function SweepButtons(props: { ctx: PageContext }) {
  const { t } = props.ctx;
  return (
    <div class="button-group">
      <Button kind="warning" name="action" value="archive_not_report">{t('triage.sweep.archive_not_report')}</Button>
      <Button kind="warning" name="action" value="archive_spam">{t('triage.sweep.archive_spam')}</Button>
      <Button kind="secondary" name="action" value="restore">{t('triage.sweep.restore')}</Button>
    </div>
  );
}

export function LowPriorityQueuePage(props: {
  ctx: PageContext;
  result: LowPriorityPage;
  threshold: number;
  banner?: SweepBanner;
  errors?: FieldErrors;
  /** Ids ticked before a failed submit, so that they stay ticked. */
  selected?: number[];
}) {
  const { ctx, result } = props;
  const { t, locale, csrfToken } = ctx;
  const errors = props.errors ?? {};
  const selected = new Set(props.selected ?? []);
  const hasErrors = Object.keys(errors).length > 0;
  return (
    <Layout ctx={ctx} title={`${hasErrors ? `${t('ui.error_title_prefix')} ` : ''}${t('triage.queue.title')}`} area="staff" wide>
      <TriageSubNav ctx={ctx} current="queue" />
      <h1 class="heading-l">{t('triage.queue.title')}</h1>
      <p class="body">{t('triage.queue.intro', { threshold: formatDecimal(props.threshold, locale) })}</p>

      {props.banner ? (
        <NotificationBanner kind="success" title={t(`triage.queue.done.${props.banner.action}`, { count: props.banner.done })}>
          {props.banner.skipped > 0 ? <p class="body">{t('triage.queue.skipped', { count: props.banner.skipped })}</p> : null}
        </NotificationBanner>
      ) : null}
      <ErrorSummary t={t} errors={errors} order={['complaintId', 'action']} />

      {result.total === 0 ? (
        <NotificationBanner kind="info" title={t('triage.queue.empty')} />
      ) : (
        <form method="post" action="/staff/triage/sweep" novalidate>
          <CsrfField token={csrfToken} />
          <input type="hidden" name="page" value={String(result.page)} />
          <p class="body">{t('triage.queue.count', { total: result.total })}</p>
          <p class="hint">{t('triage.queue.select_hint')}</p>
          <div class={`form-group${errors.complaintId ? ' form-group--error' : ''}`} id="complaintId">
            {errors.complaintId ? <p class="error-message" id="complaintId-error">{errors.complaintId}</p> : null}
            <table class="table table--responsive table--inbox">
              <caption class="visually-hidden">{t('triage.queue.caption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('triage.queue.col.select')}</th>
                  <th scope="col">{t('triage.queue.col.received')}</th>
                  <th scope="col">{t('triage.queue.col.score')}</th>
                  <th scope="col">{t('triage.queue.col.message')}</th>
                </tr>
              </thead>
              <tbody>
                {result.rows.map((row) => {
                  const checkboxId = `select-${row.id}`;
                  return (
                    <tr data-queue-id={String(row.id)}>
                      <th scope="row" data-label={t('triage.queue.col.select')}>
                        <div class="checkboxes__item">
                          <input class="checkboxes__input" id={checkboxId} type="checkbox" name="complaintId" value={String(row.id)}
                            checked={selected.has(row.id)} />
                          <label class="checkboxes__label" for={checkboxId}>
                            <span class="visually-hidden">{t('triage.queue.select_one')} </span>{row.trackingCode}
                          </label>
                        </div>
                        <a class="secondary-text" href={`/staff/complaints/${row.id}`}>{t('triage.queue.open')}</a>
                      </th>
                      <td data-label={t('triage.queue.col.received')}>
                        {formatDateTime(row.receivedAt, locale)}
                        <br />
                        <span class="secondary-text">{t(`channel.${row.channel}`)}</span>
                      </td>
                      <td data-label={t('triage.queue.col.score')}>
                        {formatPercent(row.relevanceScore, locale)}
                        {row.noiseTerms.length > 0 ? (
                          <>
                            <br />
                            <span class="secondary-text">{t('triage.queue.noise_terms', { terms: row.noiseTerms.join(', ') })}</span>
                          </>
                        ) : null}
                      </td>
                      <td data-label={t('triage.queue.col.message')}>{row.excerpt}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <SweepButtons ctx={ctx} />
        </form>
      )}
      <Pagination t={t} page={result.page} pageSize={result.pageSize} total={result.total} hrefFor={queueHref} />
    </Layout>
  );
}
