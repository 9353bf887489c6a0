/**
 * Sign-in and sign-out. The session cookie is HttpOnly and SameSite=Lax, and
 * Secure when `config.cookieSecure` is set; five wrong passwords in a row
 * lock the account (see `authenticate`).
 */
import type { Hono, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AppEnv } from '../../context.ts';
import { authenticate, createSession, deleteSession, SESSION_HOURS } from '../../../commands/users.ts';
import { CommandError } from '../../../commands/errors.ts';
import { SESSION_COOKIE } from '../../middleware/auth.ts';
import { logger } from '../../../logger.ts';
import { pageContext, renderPage } from '../../views/layout.tsx';
import { LoginPage } from '../../views/staff/login.tsx';
import { formText, readForm } from '../../views/form.tsx';
import { safeNextPath } from './guard.tsx';

export function registerAuthRoutes(app: Hono<AppEnv>, guards: { originCheck: MiddlewareHandler<AppEnv> }): void {
  app.get('/staff/login', (c) => {
    if (c.get('user')) return c.redirect(safeNextPath(c.req.query('next')), 303);
    return renderPage(c, <LoginPage ctx={pageContext(c)} email="" next={safeNextPath(c.req.query('next'))} errors={{}}
      signedOut={c.req.query('keluar') === '1'} />);
  });

  app.post('/staff/login', guards.originCheck, async (c) => {
    const t = c.get('t');
    const { db, config } = c.get('deps');
    const form = await readForm(c);
    const email = formText(form, 'email').trim();
    const password = formText(form, 'password');
    const next = safeNextPath(formText(form, 'next'));
    const fail = (errors: Record<string, string>, status: number) =>
      renderPage(c, <LoginPage ctx={pageContext(c)} email={email} next={next} errors={errors} />, status);

    const missing: Record<string, string> = {};
    if (!email) missing.email = t('error.email_required');
    if (!password) missing.password = t('error.password_required');
    if (Object.keys(missing).length > 0) return fail(missing, 400);

    let userId: number;
    try {
      userId = (await authenticate(db, email, password)).id;
    } catch (error) {
      if (!(error instanceof CommandError)) throw error;
      logger.info({ code: error.code }, 'staff sign-in rejected');
      // Both messages go on the password field, so the page reveals nothing about whether the e-mail exists.
      return fail({ password: t(error.key, error.params) }, error.code === 'locked' ? 423 : 401);
    }
    const session = await createSession(db, userId);
    setCookie(c, SESSION_COOKIE, session.token, {
      httpOnly: true,
      sameSite: 'Lax',
      secure: config.cookieSecure,
      path: '/',
      maxAge: SESSION_HOURS * 3600,
    });
    logger.info({ userId }, 'staff signed in');
    return c.redirect(next, 303);
  });

  app.post('/staff/logout', async (c) => {
    const token = getCookie(c, SESSION_COOKIE);
    if (token) await deleteSession(c.get('deps').db, token);
    deleteCookie(c, SESSION_COOKIE, { path: '/', secure: c.get('deps').config.cookieSecure });
    return c.redirect('/staff/login?keluar=1', 303);
  });
}
