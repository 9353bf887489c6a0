/**
 * The holiday calendar by year: libur nasional and cuti bersama, add and
 * remove a date, and mark a year's list as complete. A deadline in a year not
 * marked complete is flagged "calendar not available" on case pages.
 */
import { HOLIDAY_KINDS } from '../../../commands/manage-reference-data.ts';
import type { RecomputeRun } from '../../../commands/recompute-deadlines.ts';
import { RecomputeProgress } from './recompute-progress.tsx';
import type { PageContext } from '../layout.tsx';
import { Button, CsrfField, SelectField, TextField, type FieldErrors } from '../components.tsx';
import { formatDate } from '../format.tsx';
import { AdminLayout } from './admin-layout.tsx';

export interface HolidayRow {
  date: string;
  kind: string;
  name: string;
  basis: string | null;
}

export const HOLIDAY_FIELDS = ['date', 'kind', 'name', 'basis'] as const;

export function AdminHolidaysPage(props: {
  ctx: PageContext;
  year: number;
  /** Years to offer in the year switch, ascending. */
  years: number[];
  covered: boolean;
  holidays: HolidayRow[];
  values: Record<string, string>;
  errors: FieldErrors;
  banner?: string;
  /** Recent deadline recomputes, newest first; the section is hidden when empty. */
  recomputes?: RecomputeRun[];
}) {
  const { ctx, year, values, errors } = props;
  const { t, locale } = ctx;
  return (
    <AdminLayout ctx={ctx} section="holidays" title={t('admin.holidays.title', { year })} banner={props.banner} errors={errors}
      order={HOLIDAY_FIELDS} prefix="holiday">
      <nav class="year-switch" aria-label={t('admin.holidays.years')}>
        <ul class="year-switch__list">
          {props.years.map((option) => (
            <li><a class="year-switch__link" href={`/staff/admin/holidays?year=${option}`} aria-current={option === year ? 'page' : undefined}>{option}</a></li>
          ))}
        </ul>
      </nav>

      <div class={`panel ${props.covered ? 'panel--notice' : 'panel--warning'}`}>
        <p class="body">{props.covered ? t('admin.holidays.covered', { year }) : t('admin.holidays.not_covered', { year })}</p>
        <form method="post" action={`/staff/admin/holidays/years/${year}`} class="inline-form">
          <CsrfField token={ctx.csrfToken} />
          <input type="hidden" name="covered" value={props.covered ? '0' : '1'} />
          <Button kind={props.covered ? 'secondary' : 'primary'}>
            {props.covered ? t('admin.holidays.unmark', { year }) : t('admin.holidays.mark', { year })}
          </Button>
        </form>
      </div>

      {props.recomputes && props.recomputes.length > 0 ? <RecomputeProgress ctx={ctx} runs={props.recomputes} /> : null}

      {props.holidays.length === 0 ? (
        <p class="body">{t('admin.holidays.none', { year })}</p>
      ) : (
        <table class="table table--responsive">
          <caption class="visually-hidden">{t('admin.holidays.title', { year })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('admin.holidays.date')}</th>
              <th scope="col">{t('admin.holidays.name')}</th>
              <th scope="col">{t('admin.holidays.kind')}</th>
              <th scope="col">{t('admin.holidays.basis')}</th>
              <th scope="col"><span class="visually-hidden">{t('admin.actions')}</span></th>
            </tr>
          </thead>
          <tbody>
            {props.holidays.map((holiday) => (
              <tr>
                <th scope="row" data-label={t('admin.holidays.date')}><time datetime={holiday.date}>{formatDate(holiday.date, locale)}</time></th>
                <td data-label={t('admin.holidays.name')}>{holiday.name}</td>
                <td data-label={t('admin.holidays.kind')}>{t(`holiday_kind.${holiday.kind}`)}</td>
                <td data-label={t('admin.holidays.basis')}>{holiday.basis ?? '–'}</td>
                <td>
                  <form method="post" action={`/staff/admin/holidays/${holiday.date}/remove`} class="inline-form">
                    <CsrfField token={ctx.csrfToken} />
                    <Button kind="warning">{t('admin.holidays.remove')}<span class="visually-hidden"> {holiday.date}</span></Button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <section class="form-section">
        <h2 class="heading-m">{t('admin.holidays.add')}</h2>
        <form method="post" action="/staff/admin/holidays" novalidate class="narrow-form">
          <CsrfField token={ctx.csrfToken} />
          <TextField t={t} prefix="holiday" name="date" label={t('admin.holidays.date')} type="date" value={values.date} error={errors.date} width="medium"
            hint={t('admin.holidays.date_hint')} />
          <SelectField t={t} prefix="holiday" name="kind" label={t('admin.holidays.kind')} value={values.kind ?? 'national'} error={errors.kind}
            options={HOLIDAY_KINDS.map((kind) => ({ value: kind, label: t(`holiday_kind.${kind}`) }))} />
          <TextField t={t} prefix="holiday" name="name" label={t('admin.holidays.name')} value={values.name} error={errors.name} />
          <TextField t={t} prefix="holiday" name="basis" label={t('admin.holidays.basis')} hint={t('admin.holidays.basis_hint')} value={values.basis}
            error={errors.basis} optional />
          <Button>{t('admin.holidays.submit')}</Button>
        </form>
      </section>
    </AdminLayout>
  );
}
