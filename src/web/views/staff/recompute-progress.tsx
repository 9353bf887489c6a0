/**
 * The progress table of recent deadline recomputes, shown on the holiday
 * calendar and category pages, whose changes start them.
 */
import type { RecomputeRun } from '../../../commands/recompute-deadlines.ts';
import type { PageContext } from '../layout.tsx';
import { formatDateTime } from '../format.tsx';

function recomputeChange(t: PageContext['t'], run: RecomputeRun): string {
  if (run.reason === 'calendar_year') return t('admin.recompute.reason.calendar_year', { year: (run.changedFrom ?? '').slice(0, 4) });
  if (run.reason === 'category_changed') return t('admin.recompute.reason.category_changed', { category: run.categoryName ?? '' });
  return t(`admin.recompute.reason.${run.reason}`, { date: run.changedFrom ?? '' });
}

/** Progress of the recent deadline recomputes that calendar and category changes started. */
export function RecomputeProgress(props: { ctx: PageContext; runs: RecomputeRun[] }) {
  const { t, locale } = props.ctx;
  return (
    <section class="form-section" id="recompute-progress">
      <h2 class="heading-m">{t('admin.recompute.title')}</h2>
      <p class="body">{t('admin.recompute.intro')}</p>
      <table class="table table--responsive">
        <caption class="visually-hidden">{t('admin.recompute.title')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('admin.recompute.requested')}</th>
            <th scope="col">{t('admin.recompute.change')}</th>
            <th scope="col">{t('admin.recompute.status')}</th>
            <th scope="col">{t('admin.recompute.progress')}</th>
          </tr>
        </thead>
        <tbody>
          {props.runs.map((run) => (
            <tr>
              <td data-label={t('admin.recompute.requested')}>{formatDateTime(run.requestedAt, locale)}</td>
              <td data-label={t('admin.recompute.change')}>{recomputeChange(t, run)}</td>
              <td data-label={t('admin.recompute.status')}>{t(`admin.recompute.status.${run.status}`)}</td>
              <td data-label={t('admin.recompute.progress')}>
                <progress max={Math.max(run.total, 1)} value={run.status === 'done' ? Math.max(run.total, 1) : Math.min(run.processed, run.total)}></progress>{' '}
                {t('admin.recompute.count', { processed: run.processed, total: run.total, changed: run.changed })}
                {run.error ? <p class="error-message">{t('admin.recompute.error', { error: run.error })}</p> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
