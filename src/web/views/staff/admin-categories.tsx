/**
 * Administration of categories: default agency, oversight flag, complexity
 * and the SLA clocks in working days. Saving recomputes the deadlines of the
 * category's open complaints, in the background when there are many.
 */
import { COMPLEXITIES } from '../../../commands/manage-reference-data.ts';
import type { PageContext } from '../layout.tsx';
import { Button, Checkbox, CsrfField, SelectField, TextField, type FieldErrors } from '../components.tsx';
import { agencyOptions, categoryName, type ReferenceRows } from '../report-fields.tsx';
import { AdminLayout } from './admin-layout.tsx';
import { RecomputeProgress } from './recompute-progress.tsx';
import type { RecomputeRun } from '../../../commands/recompute-deadlines.ts';

export interface CategoryRow {
  id: number;
  code: string;
  name: string;
  name_en: string | null;
  active: boolean;
  oversight: boolean;
  complexity: string;
  verify_days: number;
  first_follow_up_days: number;
  resolution_days_simple: number;
  resolution_days_medium: number;
  resolution_days_complex: number;
  auto_close_days: number;
  agency_code: string | null;
}

/** Form fields in page order; the day fields use the command's names so its errors land on them. */
export const CATEGORY_FIELDS = [
  'code', 'name', 'nameEn', 'agencyCode', 'oversight', 'complexity', 'verifyDays', 'firstFollowUpDays',
  'resolutionDaysSimple', 'resolutionDaysMedium', 'resolutionDaysComplex', 'autoCloseDays', 'active',
] as const;

export const DAY_FIELDS = ['verifyDays', 'firstFollowUpDays', 'resolutionDaysSimple', 'resolutionDaysMedium', 'resolutionDaysComplex', 'autoCloseDays'] as const;

export function categoryFormValues(row: CategoryRow): Record<string, string> {
  return {
    code: row.code,
    name: row.name,
    nameEn: row.name_en ?? '',
    agencyCode: row.agency_code ?? '',
    oversight: row.oversight ? '1' : '',
    complexity: row.complexity,
    verifyDays: String(row.verify_days),
    firstFollowUpDays: String(row.first_follow_up_days),
    resolutionDaysSimple: String(row.resolution_days_simple),
    resolutionDaysMedium: String(row.resolution_days_medium),
    resolutionDaysComplex: String(row.resolution_days_complex),
    autoCloseDays: String(row.auto_close_days),
    active: row.active ? '1' : '',
  };
}

/** Default values of a new category: the clocks of the database defaults (3, 5, 5/14/60 and 10 working days). */
export const NEW_CATEGORY_VALUES: Record<string, string> = {
  code: '', name: '', nameEn: '', agencyCode: '', oversight: '', complexity: 'medium', verifyDays: '3', firstFollowUpDays: '5',
  resolutionDaysSimple: '5', resolutionDaysMedium: '14', resolutionDaysComplex: '60', autoCloseDays: '10', active: '1',
};

export function AdminCategoriesPage(props: {
  ctx: PageContext;
  categories: CategoryRow[];
  reference: ReferenceRows;
  banner?: string;
  /** Recent deadline recomputes, newest first; the section is hidden when empty. */
  recomputes?: RecomputeRun[];
}) {
  const { ctx } = props;
  const { t, locale } = ctx;
  const agencyName = (code: string | null) => props.reference.agencies.find((agency) => agency.code === code)?.name ?? '–';
  return (
    <AdminLayout ctx={ctx} section="categories" title={t('admin.categories.title')} banner={props.banner}>
      <p class="body">{t('admin.categories.intro')}</p>
      <p class="body"><a class="button button--secondary" href="/staff/admin/categories/new" role="button">{t('admin.categories.add')}</a></p>
      <table class="table table--responsive">
        <caption class="visually-hidden">{t('admin.categories.title')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('admin.categories.name')}</th>
            <th scope="col">{t('admin.categories.agency')}</th>
            <th scope="col">{t('admin.categories.complexity')}</th>
            <th scope="col">{t('admin.categories.clocks')}</th>
            <th scope="col">{t('admin.users.state')}</th>
          </tr>
        </thead>
        <tbody>
          {props.categories.map((category) => (
            <tr class={category.active ? undefined : 'table__row--inactive'}>
              <th scope="row" data-label={t('admin.categories.name')}>
                <a href={`/staff/admin/categories/${category.id}`}>{categoryName(category, locale)}</a>
                {category.oversight ? <strong class="tag tag--red tag--small">{t('case.oversight')}</strong> : null}
                <br /><code class="secondary-text">{category.code}</code>
              </th>
              <td data-label={t('admin.categories.agency')}>{agencyName(category.agency_code)}</td>
              <td data-label={t('admin.categories.complexity')}>{t(`complexity.${category.complexity}`)}</td>
              <td data-label={t('admin.categories.clocks')}>
                {t('admin.categories.clock_summary', {
                  verify: category.verify_days,
                  follow: category.first_follow_up_days,
                  simple: category.resolution_days_simple,
                  medium: category.resolution_days_medium,
                  complex: category.resolution_days_complex,
                  close: category.auto_close_days,
                })}
              </td>
              <td data-label={t('admin.users.state')}>{category.active ? t('admin.active') : t('admin.inactive')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {props.recomputes && props.recomputes.length > 0 ? <RecomputeProgress ctx={ctx} runs={props.recomputes} /> : null}
    </AdminLayout>
  );
}

export function AdminCategoryFormPage(props: {
  ctx: PageContext;
  /** Absent for a new category. */
  categoryId?: number;
  values: Record<string, string>;
  errors: FieldErrors;
  reference: ReferenceRows;
}) {
  const { ctx, values, errors, categoryId } = props;
  const { t } = ctx;
  const isNew = categoryId === undefined;
  const title = isNew ? t('admin.categories.add') : t('admin.categories.edit', { name: values.name });
  const dayField = (name: (typeof DAY_FIELDS)[number]) => (
    <TextField t={t} prefix="category" name={name} label={t(`admin.categories.${name}`)} type="number" inputmode="numeric" min="0" max="365"
      value={values[name]} error={errors[name]} width="short" />
  );
  return (
    <AdminLayout ctx={ctx} section="categories" title={title} errors={errors} order={CATEGORY_FIELDS} prefix="category">
      <a class="back-link" href="/staff/admin/categories">{t('admin.categories.back')}</a>
      <form method="post" action={isNew ? '/staff/admin/categories/new' : `/staff/admin/categories/${categoryId}`} novalidate class="narrow-form">
        <CsrfField token={ctx.csrfToken} />
        <TextField t={t} prefix="category" name="code" label={t('admin.categories.code')} hint={isNew ? t('admin.code_hint') : t('admin.code_fixed')}
          value={values.code} error={errors.code} width="medium" readonly={!isNew} spellcheck={false} />
        <TextField t={t} prefix="category" name="name" label={t('admin.categories.name')} value={values.name} error={errors.name} />
        <TextField t={t} prefix="category" name="nameEn" label={t('admin.categories.name_en')} value={values.nameEn} error={errors.nameEn} optional />
        <SelectField t={t} prefix="category" name="agencyCode" label={t('admin.categories.agency')} value={values.agencyCode} error={errors.agencyCode}
          emptyLabel={t('admin.categories.no_agency')} options={agencyOptions(props.reference, values.agencyCode)} hint={t('admin.categories.agency_hint')} />
        <Checkbox prefix="category" name="oversight" label={t('admin.categories.oversight')} hint={t('admin.categories.oversight_hint')}
          checked={values.oversight === '1'} />
        <SelectField t={t} prefix="category" name="complexity" label={t('admin.categories.complexity')} value={values.complexity} error={errors.complexity}
          hint={t('admin.categories.complexity_hint')} options={COMPLEXITIES.map((value) => ({ value, label: t(`complexity.${value}`) }))} />
        <fieldset class="fieldset form-group">
          <legend class="fieldset__legend fieldset__legend--m">{t('admin.categories.clocks')}</legend>
          <p class="hint">{t('admin.categories.clocks_hint')}</p>
          {DAY_FIELDS.map(dayField)}
        </fieldset>
        <Checkbox prefix="category" name="active" label={t('admin.categories.active')} checked={values.active === '1'} />
        <div class="warning-text" role="note">
          <span class="warning-text__icon" aria-hidden="true">!</span>
          <p class="warning-text__text">{t('admin.categories.recompute_warning')}</p>
        </div>
        <Button>{t('admin.categories.submit')}</Button>
      </form>
    </AdminLayout>
  );
}
