/** Administration of agencies (OPD): add, rename, deactivate and reactivate. */
import { AGENCY_KINDS } from '../../../commands/manage-reference-data.ts';
import type { PageContext } from '../layout.tsx';
import { Button, CsrfField, SelectField, TextField, type FieldErrors } from '../components.tsx';
import type { ReferenceRows } from '../report-fields.tsx';
import { AdminLayout } from './admin-layout.tsx';

export const AGENCY_FIELDS = ['code', 'name', 'kind'] as const;

export function AdminAgenciesPage(props: {
  ctx: PageContext;
  reference: ReferenceRows;
  values: Record<string, string>;
  errors: FieldErrors;
  /** Agency whose rename failed, with the error shown on its row. */
  renameError?: { agencyId: number; name: string; message: string };
  banner?: string;
}) {
  const { ctx, values, errors } = props;
  const { t } = ctx;
  return (
    <AdminLayout ctx={ctx} section="agencies" title={t('admin.agencies.title')} banner={props.banner} errors={errors} order={AGENCY_FIELDS} prefix="agency">
      <section class="form-section">
        <h2 class="heading-m">{t('admin.agencies.add')}</h2>
        <form method="post" action="/staff/admin/agencies" novalidate class="narrow-form">
          <CsrfField token={ctx.csrfToken} />
          <TextField t={t} prefix="agency" name="code" label={t('admin.agencies.code')} hint={t('admin.code_hint')} value={values.code}
            error={errors.code} width="medium" spellcheck={false} />
          <TextField t={t} prefix="agency" name="name" label={t('admin.agencies.name')} value={values.name} error={errors.name} />
          <SelectField t={t} prefix="agency" name="kind" label={t('admin.agencies.kind')} value={values.kind ?? 'dinas'} error={errors.kind}
            options={AGENCY_KINDS.map((kind) => ({ value: kind, label: t(`agency_kind.${kind}`) }))} />
          <Button>{t('admin.agencies.submit')}</Button>
        </form>
      </section>

      <table class="table table--responsive table--agencies">
        <caption class="visually-hidden">{t('admin.agencies.title')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('admin.agencies.name')}</th>
            <th scope="col">{t('admin.agencies.code')}</th>
            <th scope="col">{t('admin.agencies.kind')}</th>
            <th scope="col">{t('admin.users.state')}</th>
            <th scope="col"><span class="visually-hidden">{t('admin.actions')}</span></th>
          </tr>
        </thead>
        <tbody>
          {props.reference.agencies.map((agency) => {
            const renameFailed = props.renameError?.agencyId === agency.id ? props.renameError : undefined;
            const inputId = `rename-${agency.id}`;
            return (
              <tr class={agency.active ? undefined : 'table__row--inactive'}>
                <th scope="row" data-label={t('admin.agencies.name')}>
                  <form method="post" action={`/staff/admin/agencies/${agency.id}/rename`} class={`inline-form${renameFailed ? ' form-group--error' : ''}`}>
                    <CsrfField token={ctx.csrfToken} />
                    <label class="visually-hidden" for={inputId}>{t('admin.agencies.rename_label', { name: agency.name })}</label>
                    {renameFailed ? <p class="error-message" id={`${inputId}-error`}>{renameFailed.message}</p> : null}
                    <input class={`input input--inline${renameFailed ? ' input--error' : ''}`} id={inputId} name="name"
                      value={renameFailed ? renameFailed.name : agency.name} aria-describedby={renameFailed ? `${inputId}-error` : undefined} />
                    <Button kind="secondary">{t('admin.agencies.rename')}<span class="visually-hidden"> {agency.name}</span></Button>
                  </form>
                </th>
                <td data-label={t('admin.agencies.code')}><code>{agency.code}</code></td>
                <td data-label={t('admin.agencies.kind')}>{t(`agency_kind.${agency.kind}`)}</td>
                <td data-label={t('admin.users.state')}>{agency.active ? t('admin.active') : t('admin.inactive')}</td>
                <td>
                  <form method="post" action={`/staff/admin/agencies/${agency.id}/active`} class="inline-form">
                    <CsrfField token={ctx.csrfToken} />
                    <input type="hidden" name="active" value={agency.active ? '0' : '1'} />
                    <Button kind="secondary">
                      {agency.active ? t('admin.deactivate') : t('admin.reactivate')}
                      <span class="visually-hidden"> {agency.name}</span>
                    </Button>
                  </form>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </AdminLayout>
  );
}
