/**
 * Gates of the back office. Every /staff page except the sign-in page needs a
 * signed-in user. Every POST from a browser session must carry the session's
 * CSRF token in the `_csrf` field and is rejected with 403 otherwise. Requests
 * with an API token need none, because browsers never send that token on their own.
 */
import crypto from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv, AuthUser } from '../../context.ts';
import { MessagePage, pageContext, renderPage } from '../../views/layout.tsx';
import { formText, readForm } from '../../views/form.tsx';

/** Paths under /staff that need no signed-in user. */
const PUBLIC_STAFF_PATHS = new Set(['/staff/login']);

/** Returns a safe place to go after signing in: a back-office path on this site, never another host. */
export function safeNextPath(next: string | undefined): string {
  if (!next || !next.startsWith('/staff') || next.startsWith('//') || next.includes('\\')) return '/staff';
  return next;
}

export const requireStaffSession: MiddlewareHandler<AppEnv> = async (c, next) => {
  // Back-office pages carry personal data: never store them in a shared cache or the browser's history cache.
  c.header('Cache-Control', 'no-store');
  if (PUBLIC_STAFF_PATHS.has(c.req.path)) return next();
  if (!c.get('user')) {
    const url = new URL(c.req.url);
    const target = c.req.method === 'GET' ? `${url.pathname}${url.search}` : '/staff';
    return c.redirect(`/staff/login?next=${encodeURIComponent(target)}`, 303);
  }
  return next();
};

function tokensMatch(sent: string, expected: string): boolean {
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

export const checkCsrfToken: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.req.method !== 'POST' || PUBLIC_STAFF_PATHS.has(c.req.path)) return next();
  const user = c.get('user');
  if (user?.via === 'session') {
    const expected = c.get('csrfToken') ?? '';
    const contentType = c.req.header('content-type') ?? '';
    const isForm = /^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(contentType);
    const sent = isForm ? formText(await readForm(c), '_csrf') : '';
    if (!expected || !tokensMatch(sent, expected)) return csrfRejected(c);
  }
  return next();
};

export function csrfRejected(c: Context<AppEnv>) {
  const ctx = pageContext(c);
  return renderPage(
    c,
    <MessagePage ctx={ctx} area="staff" title={ctx.t('staff.csrf_title')} message={ctx.t('error.csrf')}>
      <p class="body"><a href="/staff">{ctx.t('staff.back_to_inbox')}</a></p>
    </MessagePage>,
    403,
  );
}

/** Renders 403 for a signed-in user whose role may not open the page. */
export function forbiddenPage(c: Context<AppEnv>) {
  const ctx = pageContext(c);
  return renderPage(c, <MessagePage ctx={ctx} area="staff" title={ctx.t('staff.forbidden_title')} message={ctx.t('error.forbidden')} />, 403);
}

/**
 * Renders 404 for an address that names no row the user may see: what was
 * not found (an `error.not_found.*` key) and a link back to its list.
 */
export function notFoundPage(c: Context<AppEnv>, messageKey: string, back: { href: string; labelKey: string }) {
  const ctx = pageContext(c);
  return renderPage(
    c,
    <MessagePage ctx={ctx} area="staff" title={ctx.t('staff.not_found_title')} message={ctx.t(messageKey)}>
      <p class="body">{ctx.t('staff.not_found_hint')}</p>
      <p class="body"><a href={back.href}>{ctx.t(back.labelKey)}</a></p>
    </MessagePage>,
    404,
  );
}

/** Returns the signed-in user; only call behind `requireStaffSession`. */
export function staffUser(c: Context<AppEnv>): AuthUser {
  const user = c.get('user');
  if (!user) throw new Error('staffUser() called on a route without requireStaffSession');
  return user;
}
