/** Canned answers in the back office: the list with search, usage and stale flags, and the edit form. */
import type { PageContext } from '../../layout.tsx';
import { Button, Checkbox, CsrfField, SelectField, TextArea, TextField, type FieldErrors } from '../../components.tsx';
import { formatDate } from '../../format.tsx';
import { agencyOptions, categoryOptions, type ReferenceRows } from '../../report-fields.tsx';
import type { TemplateRow } from '../../../../queries/answers.ts';
import { AnswersLayout } from './layout.tsx';

export const TEMPLATE_FIELDS = ['title', 'bodyId', 'bodyEn', 'categoryCode', 'agencyCode', 'ownerUserId', 'active'] as const;
export const SETTINGS_FIELDS = ['templateStaleDays'] as const;

export interface TemplateListFilters {
  q: string;
  categoryCode: string;
  agencyCode: string;
  staleOnly: boolean;
}

export function TemplatesPage(props: {
  ctx: PageContext;
  templates: TemplateRow[];
  filters: TemplateListFilters;
  reference: ReferenceRows;
  staleDays: number;
  /** Whether the user may change the review period. */
  canEditSettings: boolean;
  settingsValues: Record<string, string>;
  errors: FieldErrors;
  banner?: string;
}) {
  const { ctx, filters, errors } = props;
  const { t, locale } = ctx;
  return (
    <AnswersLayout ctx={ctx} section="templates" title={t('answers.templates.title')} banner={props.banner} errors={errors} order={SETTINGS_FIELDS}
      prefix="settings">
      <p class="body">{t('answers.templates.intro', { days: props.staleDays })}</p>
      <p class="body"><a class="button button--primary" role="button" href="/staff/templates/new">{t('answers.templates.add')}</a></p>

      <form method="get" action="/staff/templates" class="filters">
        <TextField t={t} prefix="filter" name="q" type="search" label={t('answers.templates.search')} value={filters.q} width="medium" />
        <SelectField t={t} prefix="filter" name="categoryCode" label={t('answers.field.category')} value={filters.categoryCode}
          emptyLabel={t('answers.all_categories')} options={categoryOptions(props.reference, locale)} />
        <SelectField t={t} prefix="filter" name="agencyCode" label={t('answers.field.agency')} value={filters.agencyCode}
          emptyLabel={t('answers.all_agencies')} options={agencyOptions(props.reference)} />
        <Checkbox prefix="filter" name="stale" label={t('answers.templates.stale_only')} checked={filters.staleOnly} />
        <Button kind="secondary">{t('answers.search_button')}</Button>
      </form>

      {props.templates.length === 0 ? (
        <p class="body">{t('answers.templates.none')}</p>
      ) : (
        <table class="table table--responsive">
          <caption class="visually-hidden">{t('answers.templates.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('answers.field.title')}</th>
              <th scope="col">{t('answers.field.category')}</th>
              <th scope="col">{t('answers.field.agency')}</th>
              <th scope="col">{t('answers.field.owner')}</th>
              <th scope="col">{t('answers.field.reviewed')}</th>
              <th scope="col">{t('answers.field.usage')}</th>
              <th scope="col"><span class="visually-hidden">{t('answers.actions')}</span></th>
            </tr>
          </thead>
          <tbody>
            {props.templates.map((template) => (
              <tr class={template.active ? undefined : 'table__row--inactive'}>
                <th scope="row" data-label={t('answers.field.title')}>
                  {template.editable ? <a href={`/staff/templates/${template.id}`}>{template.title}</a> : template.title}
                  {template.active ? null : <strong class="tag tag--grey tag--small">{t('answers.inactive')}</strong>}
                </th>
                <td data-label={t('answers.field.category')}>{template.categoryName ?? t('answers.all_categories')}</td>
                <td data-label={t('answers.field.agency')}>{template.agencyName ?? t('answers.all_agencies')}</td>
                <td data-label={t('answers.field.owner')}>{template.ownerName}</td>
                <td data-label={t('answers.field.reviewed')}>
                  {formatDate(template.lastReviewedOn, locale)}
                  {template.stale ? <strong class="tag tag--orange tag--small">{t('answers.templates.stale')}</strong> : null}
                </td>
                <td data-label={t('answers.field.usage')}>{t('answers.templates.usage', { n: template.usageCount })}</td>
                <td>
                  {template.editable ? (
                    <form method="post" action={`/staff/templates/${template.id}/reviewed`} class="inline-form">
                      <CsrfField token={ctx.csrfToken} />
                      <Button kind="secondary">
                        {t('answers.templates.mark_reviewed')}
                        <span class="visually-hidden"> {template.title}</span>
                      </Button>
                    </form>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      {props.canEditSettings ? (
        <section class="form-section">
          <h2 class="heading-m">{t('answers.templates.settings')}</h2>
          <form method="post" action="/staff/templates/settings" novalidate class="narrow-form">
            <CsrfField token={ctx.csrfToken} />
            <TextField t={t} prefix="settings" name="templateStaleDays" label={t('answers.field.stale_days')} inputmode="numeric" width="short"
              value={props.settingsValues.templateStaleDays ?? String(props.staleDays)} error={errors.templateStaleDays}
              hint={t('answers.field.stale_days_hint')} />
            <Button>{t('answers.save_settings')}</Button>
          </form>
        </section>
      ) : null}
    </AnswersLayout>
  );
}

export function TemplateFormPage(props: {
  ctx: PageContext;
  templateId?: number;
  values: Record<string, string>;
  errors: FieldErrors;
  reference: ReferenceRows;
  owners: { id: number; name: string }[];
  /** Agency officers keep their own agency's templates only; the agency field is fixed for them. */
  fixedAgencyName: string | null;
}) {
  const { ctx, values, errors } = props;
  const { t, locale } = ctx;
  const action = props.templateId === undefined ? '/staff/templates/new' : `/staff/templates/${props.templateId}`;
  const title = props.templateId === undefined ? t('answers.templates.add') : t('answers.templates.edit');
  return (
    <AnswersLayout ctx={ctx} section="templates" title={title} errors={errors} order={TEMPLATE_FIELDS} prefix="template">
      <a class="back-link" href="/staff/templates">{t('answers.templates.back')}</a>
      <form method="post" action={action} novalidate class="narrow-form">
        <CsrfField token={ctx.csrfToken} />
        <TextField t={t} prefix="template" name="title" label={t('answers.field.title')} value={values.title} error={errors.title} />
        <TextArea t={t} prefix="template" name="bodyId" label={t('answers.field.body_id')} value={values.bodyId} error={errors.bodyId} rows={8}
          hint={t('answers.field.placeholders_hint')} />
        <TextArea t={t} prefix="template" name="bodyEn" label={t('answers.field.body_en')} value={values.bodyEn} error={errors.bodyEn} rows={6} optional />
        <SelectField t={t} prefix="template" name="categoryCode" label={t('answers.field.category')} value={values.categoryCode} error={errors.categoryCode}
          emptyLabel={t('answers.all_categories')} options={categoryOptions(props.reference, locale, values.categoryCode || undefined)} />
        {props.fixedAgencyName !== null ? (
          <p class="body"><strong>{t('answers.field.agency')}:</strong> {props.fixedAgencyName}</p>
        ) : (
          <SelectField t={t} prefix="template" name="agencyCode" label={t('answers.field.agency')} value={values.agencyCode} error={errors.agencyCode}
            emptyLabel={t('answers.all_agencies')} options={agencyOptions(props.reference, values.agencyCode || undefined)} />
        )}
        <SelectField t={t} prefix="template" name="ownerUserId" label={t('answers.field.owner')} value={values.ownerUserId} error={errors.ownerUserId}
          options={props.owners.map((owner) => ({ value: String(owner.id), label: owner.name }))} hint={t('answers.field.owner_hint')} />
        {props.templateId === undefined ? null : (
          <Checkbox prefix="template" name="active" label={t('answers.field.active')} checked={values.active === '1'} />
        )}
        <Button>{t('answers.templates.save')}</Button>
      </form>
    </AnswersLayout>
  );
}
