/**
 * Administration pages (/staff/admin/...), for the admin role only: staff
 * accounts and agencies here, categories and the holiday calendar in
 * admin-calendar.tsx. The commands check the role again, so a route that
 * forgot the gate still could not change anything.
 */
import type { Context, Hono, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../../context.ts';
import type { CommandContext } from '../../../commands/context.ts';
import { addAgency, addStaffUser, renameAgency, setAgencyActive, setUserActive } from '../../../commands/manage-reference-data.ts';
import { lockedAddresses } from '../../../commands/users.ts';
import { canManageReferenceData } from '../../../policies/complaints.ts';
import { listReferenceData } from '../../../queries/complaints.ts';
import type { Role } from '../../../domain/types.ts';
import { pageContext, renderPage } from '../../views/layout.tsx';
import { AdminIndexPage } from '../../views/staff/admin-layout.tsx';
import { AdminUsersPage, USER_FIELDS, type UserRow } from '../../views/staff/admin-users.tsx';
import { AdminAgenciesPage, AGENCY_FIELDS } from '../../views/staff/admin-agencies.tsx';
import type { FieldErrors } from '../../views/components.tsx';
import { attempt, formText, parseId, readForm } from '../../views/form.tsx';
import { forbiddenPage, staffUser } from './guard.tsx';

export const requireAdmin: MiddlewareHandler<AppEnv> = async (c, next) => {
  const user = c.get('user');
  if (!user || !canManageReferenceData(user)) return forbiddenPage(c);
  return next();
};

export function adminContext(c: Context<AppEnv>): CommandContext {
  return { db: c.get('deps').db, actor: { kind: 'staff', user: staffUser(c) } };
}

/** Returns the translated banner for a `done` query value from the allowed list, or undefined. */
export function adminBanner(c: Context<AppEnv>, allowed: readonly string[]): string | undefined {
  const done = c.req.query('done');
  if (!done || !allowed.includes(done)) return undefined;
  const count = (name: string) => {
    const value = Number.parseInt(c.req.query(name) ?? '', 10);
    return Number.isFinite(value) ? value : 0;
  };
  return c.get('t')(`admin.banner.${done}`, { n: count('n'), m: count('m') });
}

const USER_BANNERS = ['user-added', 'user-deactivated', 'user-reactivated'] as const;
const AGENCY_BANNERS = [
  'agency-added', 'agency-renamed', 'agency-deactivated', 'agency-deactivated-holding', 'agency-deactivated-reports', 'agency-deactivated-categories',
  'agency-reactivated',
] as const;

async function listUsers(c: Context<AppEnv>): Promise<UserRow[]> {
  // NOTE: a read model for the admin list; it belongs in queries/ once another page needs it.
  const rows = await c
    .get('deps')
    .db.selectFrom('users')
    .leftJoin('agencies', 'agencies.id', 'users.agency_id')
    .select(['users.id', 'users.name', 'users.email', 'users.role', 'users.active', 'agencies.name as agency_name'])
    .orderBy('users.active', 'desc')
    .orderBy('users.name')
    .execute();
  const locked = await lockedAddresses(c.get('deps').db, rows.map((row) => row.email));
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    email: row.email,
    role: row.role,
    agencyName: row.agency_name,
    active: row.active,
    locked: locked.has(row.email),
  }));
}

async function usersPage(c: Context<AppEnv>, options: { values?: Record<string, string>; errors?: FieldErrors; generatedPassword?: { email: string; password: string }; status?: number } = {}) {
  const [users, reference] = await Promise.all([listUsers(c), listReferenceData(c.get('deps').db)]);
  return renderPage(
    c,
    <AdminUsersPage ctx={pageContext(c)} users={users} reference={reference} values={options.values ?? {}} errors={options.errors ?? {}}
      banner={options.generatedPassword ? c.get('t')('admin.banner.user-added') : adminBanner(c, USER_BANNERS)}
      generatedPassword={options.generatedPassword} />,
    options.status ?? 200,
  );
}

async function agenciesPage(c: Context<AppEnv>, options: { values?: Record<string, string>; errors?: FieldErrors; renameError?: { agencyId: number; name: string; message: string }; status?: number } = {}) {
  const reference = await listReferenceData(c.get('deps').db);
  return renderPage(
    c,
    <AdminAgenciesPage ctx={pageContext(c)} reference={reference} values={options.values ?? {}} errors={options.errors ?? {}}
      renameError={options.renameError} banner={adminBanner(c, AGENCY_BANNERS)} />,
    options.status ?? 200,
  );
}

export function registerAdminRoutes(app: Hono<AppEnv>): void {
  app.use('/staff/admin', requireAdmin);
  app.use('/staff/admin/*', requireAdmin);

  app.get('/staff/admin', (c) => renderPage(c, <AdminIndexPage ctx={pageContext(c)} />));

  app.get('/staff/admin/users', (c) => usersPage(c));

  app.post('/staff/admin/users', async (c) => {
    const form = await readForm(c);
    const values: Record<string, string> = {};
    for (const field of USER_FIELDS) values[field] = formText(form, field);
    const result = await attempt(c.get('t'), USER_FIELDS, () =>
      addStaffUser(adminContext(c), {
        email: values.email,
        name: values.name,
        role: values.role as Role,
        agencyCode: values.agency,
        password: values.password,
      }),
    );
    if (!result.ok) return usersPage(c, { values: { ...values, password: '' }, errors: result.errors, status: result.error.httpStatus });
    // A generated password is shown once on this response instead of after a redirect, so it never appears in a URL.
    if (result.value.generatedPassword) {
      return usersPage(c, { generatedPassword: { email: result.value.user.email, password: result.value.generatedPassword } });
    }
    return c.redirect('/staff/admin/users?done=user-added', 303);
  });

  app.post('/staff/admin/users/:id/active', async (c) => {
    const id = parseId(c.req.param('id'));
    const active = formText(await readForm(c), 'active') === '1';
    if (id === null) return usersPage(c, { errors: { _form: c.get('t')('error.not_found.user') }, status: 404 });
    const result = await attempt(c.get('t'), [], () => setUserActive(adminContext(c), id, active));
    if (!result.ok) return usersPage(c, { errors: result.errors, status: result.error.httpStatus });
    return c.redirect(`/staff/admin/users?done=${active ? 'user-reactivated' : 'user-deactivated'}`, 303);
  });

  app.get('/staff/admin/agencies', (c) => agenciesPage(c));

  app.post('/staff/admin/agencies', async (c) => {
    const form = await readForm(c);
    const values: Record<string, string> = {};
    for (const field of AGENCY_FIELDS) values[field] = formText(form, field);
    const result = await attempt(c.get('t'), AGENCY_FIELDS, () => addAgency(adminContext(c), { code: values.code, name: values.name, kind: values.kind }));
    if (!result.ok) return agenciesPage(c, { values, errors: result.errors, status: result.error.httpStatus });
    return c.redirect('/staff/admin/agencies?done=agency-added', 303);
  });

  app.post('/staff/admin/agencies/:id/rename', async (c) => {
    const id = parseId(c.req.param('id'));
    const name = formText(await readForm(c), 'name');
    if (id === null) return agenciesPage(c, { errors: { _form: c.get('t')('error.not_found.agency') }, status: 404 });
    const result = await attempt(c.get('t'), [], () => renameAgency(adminContext(c), id, { name }));
    if (!result.ok) {
      const message = Object.values(result.errors)[0];
      return agenciesPage(c, { errors: { _form: message }, renameError: { agencyId: id, name, message }, status: result.error.httpStatus });
    }
    return c.redirect('/staff/admin/agencies?done=agency-renamed', 303);
  });

  app.post('/staff/admin/agencies/:id/active', async (c) => {
    const id = parseId(c.req.param('id'));
    const active = formText(await readForm(c), 'active') === '1';
    if (id === null) return agenciesPage(c, { errors: { _form: c.get('t')('error.not_found.agency') }, status: 404 });
    const result = await attempt(c.get('t'), [], () => setAgencyActive(adminContext(c), id, active));
    if (!result.ok) return agenciesPage(c, { errors: result.errors, status: result.error.httpStatus });
    const { openReports, defaultOfCategories } = result.value;
    if (!active && openReports + defaultOfCategories > 0) {
      // The banner names only what the agency still holds.
      let banner = 'agency-deactivated-holding';
      if (defaultOfCategories === 0) banner = 'agency-deactivated-reports';
      if (openReports === 0) banner = 'agency-deactivated-categories';
      return c.redirect(`/staff/admin/agencies?done=${banner}&n=${openReports}&m=${defaultOfCategories}`, 303);
    }
    return c.redirect(`/staff/admin/agencies?done=${active ? 'agency-reactivated' : 'agency-deactivated'}`, 303);
  });
}
