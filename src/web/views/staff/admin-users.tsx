/** Administration of staff accounts: list, add with role and agency, deactivate and reactivate. */
import { ROLES } from '../../../domain/types.ts';
import type { PageContext } from '../layout.tsx';
import { Button, CsrfField, SelectField, TextField, type FieldErrors } from '../components.tsx';
import { agencyOptions, type ReferenceRows } from '../report-fields.tsx';
import { AdminLayout } from './admin-layout.tsx';

export interface UserRow {
  id: number;
  name: string;
  email: string;
  role: string;
  agencyName: string | null;
  active: boolean;
  locked: boolean;
}

export const USER_FIELDS = ['email', 'name', 'role', 'agency', 'password'] as const;

export function AdminUsersPage(props: {
  ctx: PageContext;
  users: UserRow[];
  reference: ReferenceRows;
  values: Record<string, string>;
  errors: FieldErrors;
  banner?: string;
  /** A password generated for a new account, shown once. */
  generatedPassword?: { email: string; password: string };
}) {
  const { ctx, values, errors } = props;
  const { t } = ctx;
  return (
    <AdminLayout ctx={ctx} section="users" title={t('admin.users.title')} banner={props.banner} errors={errors} order={USER_FIELDS} prefix="user">
      {props.generatedPassword ? (
        <div class="panel panel--notice" role="status">
          <p class="body">{t('admin.users.generated', { email: props.generatedPassword.email })}</p>
          <p><strong class="tracking-code">{props.generatedPassword.password}</strong></p>
        </div>
      ) : null}
      <table class="table table--responsive">
        <caption class="visually-hidden">{t('admin.users.title')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('admin.users.name')}</th>
            <th scope="col">{t('admin.users.email')}</th>
            <th scope="col">{t('admin.users.role')}</th>
            <th scope="col">{t('admin.users.agency')}</th>
            <th scope="col">{t('admin.users.state')}</th>
            <th scope="col"><span class="visually-hidden">{t('admin.actions')}</span></th>
          </tr>
        </thead>
        <tbody>
          {props.users.map((user) => (
            <tr class={user.active ? undefined : 'table__row--inactive'}>
              <th scope="row" data-label={t('admin.users.name')}>{user.name}</th>
              <td data-label={t('admin.users.email')}>{user.email}</td>
              <td data-label={t('admin.users.role')}>{t(`role.${user.role}`)}</td>
              <td data-label={t('admin.users.agency')}>{user.agencyName ?? '–'}</td>
              <td data-label={t('admin.users.state')}>
                {user.active ? t('admin.active') : t('admin.inactive')}
                {user.locked ? <strong class="tag tag--orange tag--small">{t('admin.users.locked')}</strong> : null}
              </td>
              <td>
                {ctx.user?.id === user.id ? null : (
                  <form method="post" action={`/staff/admin/users/${user.id}/active`} class="inline-form">
                    <CsrfField token={ctx.csrfToken} />
                    <input type="hidden" name="active" value={user.active ? '0' : '1'} />
                    <Button kind="secondary">
                      {user.active ? t('admin.deactivate') : t('admin.reactivate')}
                      <span class="visually-hidden"> {user.name}</span>
                    </Button>
                  </form>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <section class="form-section">
        <h2 class="heading-m">{t('admin.users.add')}</h2>
        <form method="post" action="/staff/admin/users" novalidate class="narrow-form">
          <CsrfField token={ctx.csrfToken} />
          <TextField t={t} prefix="user" name="email" label={t('admin.users.email')} type="email" value={values.email} error={errors.email} spellcheck={false} />
          <TextField t={t} prefix="user" name="name" label={t('admin.users.name')} value={values.name} error={errors.name} />
          <SelectField t={t} prefix="user" name="role" label={t('admin.users.role')} value={values.role} error={errors.role} emptyLabel={t('case.choose')}
            options={ROLES.map((role) => ({ value: role, label: t(`role.${role}`) }))} />
          <SelectField t={t} prefix="user" name="agency" label={t('admin.users.agency')} value={values.agency} error={errors.agency}
            emptyLabel={t('admin.users.no_agency')} options={agencyOptions(props.reference)} hint={t('admin.users.agency_hint')} />
          <TextField t={t} prefix="user" name="password" label={t('admin.users.password')} type="password" value="" error={errors.password}
            hint={t('admin.users.password_hint')} optional />
          <Button>{t('admin.users.submit')}</Button>
        </form>
      </section>
    </AdminLayout>
  );
}
