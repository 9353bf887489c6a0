/**
 * Registers the server-rendered pages: static assets, the citizen portal
 * (/, /lapor, /lacak) and the back office (/staff). Pages work without
 * JavaScript; /assets/app.js only enhances them.
 *
 * Cross-site form posts are refused in two ways. Public forms have no
 * session, so they use Hono's origin check (hono/csrf): a POST whose Origin
 * is neither this request's origin nor PUBLIC_URL, and whose Sec-Fetch-Site
 * is not same-origin, gets 403. Back-office forms carry the session's CSRF
 * token in `_csrf`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import { bodyLimit } from 'hono/body-limit';
import { setCookie } from 'hono/cookie';
import type { AppEnv } from '../context.ts';
import { LOCALES, type Locale } from '../i18n/index.ts';
import { MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS } from '../../domain/images.ts';
import { registerPortalRoutes } from './public/portal.tsx';
import { registerTrackRoutes } from './public/track.tsx';
import { checkCsrfToken, requireStaffSession } from './staff/guard.tsx';
import { registerAuthRoutes } from './staff/auth.tsx';
import { registerInboxRoutes } from './staff/inbox.tsx';
import { registerComplaintRoutes } from './staff/complaint.tsx';
import { registerNewComplaintRoutes } from './staff/new.tsx';
import { registerAdminRoutes } from './staff/admin.tsx';
import { registerAdminCalendarRoutes } from './staff/admin-calendar.tsx';
import { registerAnswerRoutes } from './staff/templates.tsx';
import { registerTriageRoutes } from './staff/triage.tsx';
import { registerReportingPages } from './staff/dashboard.tsx';
import { registerChannelRoutes } from './staff/channels.tsx';
import { messagePageResponse, type MiddlewareError } from './public/errors.tsx';
import { rateLimit, type RateLimitOptions } from '../middleware/rate-limit.ts';
import { logger } from '../../logger.ts';

const ASSETS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../assets');
const ASSET_TYPES: Record<string, string> = { '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };

/** How long the `lang` cookie keeps a chosen language: one year, in seconds. */
const LANG_COOKIE_SECONDS = 365 * 24 * 3600;

/**
 * Largest accepted form body: every attachment at its maximum size, plus
 * 1 MB for the text fields and the multipart framing.
 */
export const MAX_FORM_BYTES = MAX_ATTACHMENTS * MAX_ATTACHMENT_BYTES + 1024 * 1024;

/** Reads the assets once at start: they are small and change only with a deploy. */
function loadAssets(): Map<string, { body: string; type: string }> {
  const assets = new Map<string, { body: string; type: string }>();
  for (const file of fs.readdirSync(ASSETS_DIR)) {
    const type = ASSET_TYPES[path.extname(file)];
    if (type) assets.set(file, { body: fs.readFileSync(path.join(ASSETS_DIR, file), 'utf8'), type });
  }
  return assets;
}

/** Remembers a language chosen with `?lang=` in a cookie, so later pages keep it without the parameter. */
const rememberLanguage: MiddlewareHandler<AppEnv> = async (c, next) => {
  const lang = c.req.query('lang');
  if (lang && LOCALES.includes(lang as Locale)) {
    setCookie(c, 'lang', lang, { path: '/', sameSite: 'Lax', maxAge: LANG_COOKIE_SECONDS, secure: c.get('deps').config.cookieSecure });
  }
  await next();
};

function originCheck(): MiddlewareHandler<AppEnv> {
  const check = csrf({
    // Behind a TLS proxy the request URL is http while the browser's Origin is https, so PUBLIC_URL is accepted as well.
    origin: (origin, c: Context<AppEnv>) => origin === new URL(c.req.url).origin || origin === c.get('deps').config.publicUrl,
  }) as MiddlewareHandler<AppEnv>;
  // hono/csrf throws a 403 HTTPException; the citizen gets a page that says what to do instead of plain text.
  // Errors of the route itself never reach this catch, because Hono hands them to app.onError first.
  return async (c, next) => {
    try {
      return await check(c, next);
    } catch (error) {
      if (error instanceof HTTPException && error.status === 403) {
        logger.info({ path: c.req.path }, 'cross-origin form post rejected');
        return messagePageResponse(c, 'form_origin', 403);
      }
      throw error;
    }
  };
}

function uploadLimit(): MiddlewareHandler<AppEnv> {
  return bodyLimit({
    maxSize: MAX_FORM_BYTES,
    onError: (c) => messagePageResponse(c as Context<AppEnv>, 'upload_too_large', 413),
  }) as MiddlewareHandler<AppEnv>;
}

/** The limiter of one kind of request, shared by the pages and the API. */
type RateLimit = Pick<RateLimitOptions, 'kind' | 'limiter' | 'trustProxy'>;

/** Rate limiters by kind of request; a kind whose limit is 0 has none. */
export interface RateLimits {
  reports?: RateLimit;
  actions?: RateLimit;
  signIns?: RateLimit;
}

/**
 * Limits the form posts of `paths` by the client's address. A post over the
 * limit gets a page with the time to wait before trying again. Only posts whose response
 * status `counts` accepts take a token, so a post from another site (403)
 * or a form with errors (400) never uses up a citizen's limit.
 */
function limitFormPosts(
  app: Hono<AppEnv>,
  paths: string[],
  limit: RateLimit | undefined,
  counts: (status: number) => boolean,
  page: MiddlewareError = 'rate_limited',
): void {
  if (!limit) return;
  const middleware = rateLimit({
    ...limit,
    counts,
    onLimited: (c, seconds) => messagePageResponse(c, page, 429, { minutes: Math.ceil(seconds / 60) }),
  });
  for (const path of paths) app.use(path, middleware);
}

export function registerPages(app: Hono<AppEnv>, limits: RateLimits = {}): void {
  const assets = loadAssets();
  app.get('/assets/:file', (c) => {
    const asset = assets.get(c.req.param('file'));
    if (!asset) return c.notFound();
    c.header('Content-Type', asset.type);
    // Pages link assets with a version suffix, so a cached copy is never stale.
    c.header('Cache-Control', 'public, max-age=86400');
    return c.body(asset.body);
  });

  app.use('*', rememberLanguage);
  // A stored report redirects to its tracking code; FAQ suggestions (200) and errors take nothing.
  limitFormPosts(app, ['/lapor'], limits.reports, (status) => status === 303);
  limitFormPosts(app, ['/lacak/*', '/faq/*'], limits.actions, (status) => status === 303);
  // Failed sign-ins take a token: a wrong password (401) or a locked address (423).
  limitFormPosts(app, ['/staff/login'], limits.signIns, (status) => status === 401 || status === 423, 'sign_in_limited');
  const guards = { originCheck: originCheck(), uploadLimit: uploadLimit() };
  registerPortalRoutes(app, guards);
  registerTrackRoutes(app, guards);

  app.use('/staff', requireStaffSession);
  app.use('/staff/*', requireStaffSession);
  app.use('/staff/*', guards.uploadLimit);
  app.use('/staff/*', checkCsrfToken);
  registerAuthRoutes(app, guards);
  registerInboxRoutes(app);
  registerNewComplaintRoutes(app);
  registerComplaintRoutes(app);
  registerAdminRoutes(app);
  registerAdminCalendarRoutes(app);
  registerAnswerRoutes(app, guards);
  registerTriageRoutes(app);
  registerReportingPages(app);
  registerChannelRoutes(app);
}
