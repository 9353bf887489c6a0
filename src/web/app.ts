/**
 * The Hono application: public portal, back office, JSON API and health
 * check. It keeps no state in memory that another process would need, so
 * several processes can run behind one proxy. The rate limits' buckets are
 * the exception: each process counts its own requests.
 */
import { Hono, type Context } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { getCookie } from 'hono/cookie';
import { sql } from 'kysely';
import { CommandError } from '../commands/errors.ts';
import { errorPageResponse } from './routes/public/errors.tsx';
import { logger } from '../logger.ts';
import type { AppDeps, AppEnv } from './context.ts';
import { pickLocale, translator } from './i18n/index.ts';
import { authenticate } from './middleware/auth.ts';
import { readBody } from './middleware/body.ts';
import { rateLimit, RateLimiter } from './middleware/rate-limit.ts';
import { createApiRoutes, apiError } from './routes/api.ts';
import { registerPages, type RateLimits } from './routes/pages.ts';
import { createReportApiRoutes } from './routes/api-reports.ts';
import { createChannelApiRoutes, createWebhookRoutes, MAX_WEBHOOK_BODY_BYTES, webhookTooLarge } from './routes/webhooks.ts';

/** Largest JSON request body the API reads. */
export const API_BODY_LIMIT_BYTES = 1024 * 1024;

export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.use('*', async (c, next) => {
    c.set('deps', deps);
    // Pages are Indonesian unless the user picks English with the switch (many
    // officers' browsers say English without meaning it); API clients may ask
    // with Accept-Language.
    const acceptLanguage = c.req.path.startsWith('/api/') ? c.req.header('accept-language') : undefined;
    const locale = pickLocale(c.req.query('lang'), getCookie(c, 'lang'), acceptLanguage);
    c.set('locale', locale);
    c.set('t', translator(locale));
    await next();
  });
  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
      },
      referrerPolicy: 'same-origin',
    }),
  );
  app.use('*', authenticate);
  // An API call that changes something with a browser session's cookie must
  // also send that session's CSRF token; API tokens are not sent by browsers
  // on their own, so they need none.
  app.use('/api/*', async (c, next) => {
    const unsafe = !['GET', 'HEAD', 'OPTIONS'].includes(c.req.method);
    if (unsafe && c.get('user')?.via === 'session' && c.req.header('x-csrf-token') !== c.get('csrfToken')) {
      return apiError(c, 403, 'forbidden', 'error.api_csrf');
    }
    await next();
  });

  const limits = createRateLimits(deps);
  const onLimited = (c: Context<AppEnv>, seconds: number) =>
    apiError(c, 429, 'rate_limited', 'error.rate_limited', { minutes: Math.ceil(seconds / 60) });
  if (limits.reports) {
    // Staff with a token file reports on citizens' behalf (walk-in, phone, imports), so only anonymous callers count.
    app.use('/api/v1/complaints', rateLimit({
      ...limits.reports, applies: (c) => !c.get('user'), counts: (status) => status === 201, onLimited,
    }));
  }
  if (limits.actions) {
    app.use('/api/v1/track/*', rateLimit({ ...limits.actions, counts: (status) => status < 400, onLimited }));
  }

  // A tracking page shows a report to anyone with its link. Search engines
  // must not index it, even when a citizen posts the link publicly.
  // robots.txt leaves these pages open to crawlers, because a crawler must
  // fetch a page to read its noindex header.
  for (const path of ['/lacak/*', '/lapor/terkirim/*', '/api/v1/track/*']) {
    app.use(path, async (c, next) => {
      await next();
      c.header('X-Robots-Tag', 'noindex, nofollow');
    });
  }
  app.get('/robots.txt', (c) => c.text('User-agent: *\nDisallow: /staff/\nDisallow: /api/\nDisallow: /webhooks/\n'));

  app.get('/health', async (c) => {
    try {
      await sql`SELECT 1`.execute(deps.db);
      return c.json({ status: 'ok' });
    } catch (error) {
      logger.error({ err: error }, 'health check failed: database query failed');
      return c.json({ status: 'error', error: { code: 'database_unavailable', message: 'database query failed; check DATABASE_URL or the data folder' } }, 503);
    }
  });

  // JSON requests are small; refuse a large body before parsing it, so a few
  // oversized requests cannot exhaust memory. The body is read from Node's
  // request rather than through a web stream (middleware/body.ts).
  app.use(
    '/api/v1/*',
    readBody({ maxSize: API_BODY_LIMIT_BYTES, onTooLarge: (c) => apiError(c, 413, 'too_large', 'error.body_too_large', { max: '1 MB' }) }),
  );
  app.use('/webhooks/*', readBody({ maxSize: MAX_WEBHOOK_BODY_BYTES, onTooLarge: webhookTooLarge }));
  app.route('/api/v1', createApiRoutes());
  app.route('/api/v1', createReportApiRoutes());
  app.route('/webhooks', createWebhookRoutes()).route('/api/v1/channels', createChannelApiRoutes());
  registerPages(app, limits);

  app.notFound((c) => {
    if (c.req.path.startsWith('/api/')) return apiError(c, 404, 'not_found', 'error.not_found.route');
    return errorPageResponse(c, 404, c.get('t')('error.not_found.route'));
  });

  app.onError((error, c) => handleError(error, c));
  return app;
}

/** Builds a limiter per kind of request whose limit is not 0; the API and the pages share them. */
function createRateLimits(deps: AppDeps): RateLimits {
  const { rateLimits, trustProxy } = deps.config;
  const make = (kind: string, perHour: number) => (perHour > 0 ? { kind, limiter: new RateLimiter(perHour), trustProxy } : undefined);
  return {
    reports: make('report', rateLimits.reportsPerHour),
    actions: make('citizen action', rateLimits.actionsPerHour),
    signIns: make('sign-in', rateLimits.signInsPerHour),
  };
}

/** Message keys of the 4xx errors that Hono raises itself; other statuses read as a body that is not valid JSON. */
const HONO_ERROR_KEYS: Record<number, string> = { 403: 'error.csrf', 415: 'error.json_content_type' };

function handleError(error: Error, c: Context<AppEnv>) {
  const isApi = c.req.path.startsWith('/api/');
  if (error instanceof CommandError) {
    if (isApi) return apiError(c, error.httpStatus, error.code, error.key, error.params, error.field);
    return errorPageResponse(c, error.httpStatus, c.get('t')(error.key, error.params));
  }
  if (error instanceof SyntaxError && isApi) return apiError(c, 400, 'invalid', 'error.json_invalid');
  const status = (error as { status?: number }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // Errors raised by Hono itself, e.g. a malformed JSON body, a body that is not JSON, or a CSRF refusal.
    const key = HONO_ERROR_KEYS[status] ?? 'error.json_invalid';
    if (isApi) return apiError(c, status, status === 403 ? 'forbidden' : 'invalid', key);
    return errorPageResponse(c, status, c.get('t')(key));
  }
  logger.error({ err: error, path: c.req.path, method: c.req.method }, 'request failed');
  if (isApi) return apiError(c, 500, 'internal', 'error.internal');
  return errorPageResponse(c, 500, c.get('t')('error.internal'));
}
