/**
 * The page frame of both areas: doctype, header with the language switch,
 * main content, footer. `c.html()` does not emit `<!DOCTYPE html>`, so
 * `renderPage` does. Styles and scripts come from /assets only, because the
 * Content-Security-Policy forbids inline ones.
 */
import type { Context } from 'hono';
import type { Child } from 'hono/jsx';
import { raw } from 'hono/html';
import type { AppEnv, AuthUser } from '../context.ts';
import type { Locale, Translate } from '../i18n/index.ts';
import { canCreateOnBehalf, canManageReferenceData } from '../../policies/complaints.ts';
import { canUseTriage } from '../../queries/triage.ts';
import { CsrfField } from './components.tsx';

/** Request values that every view needs. */
export interface PageContext {
  t: Translate;
  locale: Locale;
  user: AuthUser | null;
  csrfToken: string | null;
  /** Path and query of the current request, for the language switch. */
  url: URL;
}

export function pageContext(c: Context<AppEnv>): PageContext {
  return { t: c.get('t'), locale: c.get('locale'), user: c.get('user'), csrfToken: c.get('csrfToken'), url: new URL(c.req.url) };
}

/** Cache-busting suffix for assets: changes on every process start, so a deploy never serves stale CSS. */
const ASSET_VERSION = Date.now().toString(36);

/** Returns the current URL with `lang` set, so switching language keeps the page and its filters. */
export function languageHref(url: URL, locale: Locale): string {
  const params = new URLSearchParams(url.search);
  params.set('lang', locale);
  return `${url.pathname}?${params.toString()}`;
}

function LanguageSwitch(props: { ctx: PageContext }) {
  const { ctx } = props;
  const other: Locale = ctx.locale === 'id' ? 'en' : 'id';
  return (
    <nav class="language-switch" aria-label={ctx.t('ui.language')}>
      <span class="language-switch__current" aria-current="true">{ctx.locale === 'id' ? 'Bahasa Indonesia' : 'English'}</span>
      <a class="language-switch__link" href={languageHref(ctx.url, other)} hreflang={other} lang={other}>
        {other === 'id' ? 'Bahasa Indonesia' : 'English'}
      </a>
    </nav>
  );
}

function PublicNavigation(props: { ctx: PageContext }) {
  const { t } = props.ctx;
  const path = props.ctx.url.pathname;
  return (
    <nav class="header__nav" aria-label={t('ui.menu')}>
      <ul class="header__nav-list">
        <li><a class="header__nav-link" href="/lapor" aria-current={path.startsWith('/lapor') ? 'page' : undefined}>{t('nav.report')}</a></li>
        <li><a class="header__nav-link" href="/lacak" aria-current={path.startsWith('/lacak') ? 'page' : undefined}>{t('nav.track')}</a></li>
        <li><a class="header__nav-link" href="/faq" aria-current={path.startsWith('/faq') ? 'page' : undefined}>{t('nav.faq')}</a></li>
        <li><a class="header__nav-link" href="/transparansi" aria-current={path.startsWith('/transparansi') ? 'page' : undefined}>{t('nav.transparency')}</a></li>
      </ul>
    </nav>
  );
}

function StaffNavigation(props: { ctx: PageContext }) {
  const { t, user, csrfToken } = props.ctx;
  const path = props.ctx.url.pathname;
  if (!user) return null;
  return (
    <nav class="header__nav" aria-label={t('ui.menu')}>
      <ul class="header__nav-list">
        <li><a class="header__nav-link" href="/staff" aria-current={path === '/staff' ? 'page' : undefined}>{t('nav.inbox')}</a></li>
        <li><a class="header__nav-link" href="/staff/dashboard" aria-current={path.startsWith('/staff/dashboard') ? 'page' : undefined}>{t('nav.dashboard')}</a></li>
        <li><a class="header__nav-link" href="/staff/action-plan" aria-current={path.startsWith('/staff/action-plan') ? 'page' : undefined}>{t('nav.action_plan')}</a></li>
        <li><a class="header__nav-link" href="/staff/reports" aria-current={path.startsWith('/staff/reports') ? 'page' : undefined}>{t('nav.reports')}</a></li>
        {canCreateOnBehalf(user) ? (
          <li><a class="header__nav-link" href="/staff/new" aria-current={path === '/staff/new' ? 'page' : undefined}>{t('nav.new_complaint')}</a></li>
        ) : null}
        {canUseTriage(user) ? (
          <li><a class="header__nav-link" href="/staff/triage" aria-current={path.startsWith('/staff/triage') ? 'page' : undefined}>{t('nav.triage')}</a></li>
        ) : null}
        <li><a class="header__nav-link" href="/staff/templates" aria-current={path.startsWith('/staff/templates') ? 'page' : undefined}>{t('nav.templates')}</a></li>
        {/* NOTE: the same roles as canManageChannels in routes/staff/channels.tsx, repeated because importing it here would form an import cycle. */}
        {user.role === 'admin' || user.role === 'complaint_officer' ? (
          <li><a class="header__nav-link" href="/staff/channels" aria-current={path.startsWith('/staff/channels') ? 'page' : undefined}>{t('nav.channels')}</a></li>
        ) : null}
        {canManageReferenceData(user) ? (
          <li><a class="header__nav-link" href="/staff/admin" aria-current={path.startsWith('/staff/admin') ? 'page' : undefined}>{t('nav.admin')}</a></li>
        ) : null}
      </ul>
      <div class="header__account">
        <span class="header__user">{user.name} · {t(`role.${user.role}`)}</span>
        <form method="post" action="/staff/logout" class="header__logout">
          <CsrfField token={csrfToken} />
          <button type="submit" class="button button--link button--inverse">{t('nav.logout')}</button>
        </form>
      </div>
    </nav>
  );
}

export function Layout(props: { ctx: PageContext; title: string; area: 'public' | 'staff'; children: Child; wide?: boolean }) {
  const { ctx, area } = props;
  const { t } = ctx;
  const serviceName = area === 'staff' ? t('staff.service_name') : t('app.name');
  return (
    <>
      {raw('<!DOCTYPE html>')}
      <html lang={ctx.locale} class={`area-${area}`}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="referrer" content="same-origin" />
          <title>{`${props.title} – ${serviceName}`}</title>
          {/* An empty icon, so that browsers do not request /favicon.ico. */}
          <link rel="icon" href="data:," />
          <link rel="stylesheet" href={`/assets/app.css?v=${ASSET_VERSION}`} />
          <script src={`/assets/app.js?v=${ASSET_VERSION}`} defer></script>
        </head>
        <body>
          <a class="skip-link" href="#main">{t('ui.skip_to_content')}</a>
          <header class={`header header--${area}`}>
            <div class={`width-container${props.wide ? ' width-container--wide' : ''} header__container`}>
              <div class="header__brand">
                <a class="header__service" href={area === 'staff' ? '/staff' : '/'}>
                  <span class="header__logo" aria-hidden="true">▍</span>
                  {serviceName}
                </a>
                <LanguageSwitch ctx={ctx} />
              </div>
              {area === 'staff' ? <StaffNavigation ctx={ctx} /> : <PublicNavigation ctx={ctx} />}
            </div>
          </header>
          <div class={`width-container${props.wide ? ' width-container--wide' : ''}`}>
            <main class="main" id="main" tabindex={-1}>
              {props.children}
            </main>
          </div>
          <footer class="footer">
            <div class={`width-container${props.wide ? ' width-container--wide' : ''}`}>
              {area === 'public' ? <p class="footer__emergency">{t('ui.footer_emergency')}</p> : null}
              <p>{t('ui.footer_times')}</p>
              <p>{area === 'public' ? <a href="/staff/login">{t('ui.footer_staff_login')}</a> : <a href="/">{t('ui.footer_portal')}</a>}</p>
            </div>
          </footer>
        </body>
      </html>
    </>
  );
}

/** Renders a full page with its doctype. */
export function renderPage(c: Context<AppEnv>, page: Child, status = 200) {
  return c.html(page as never, status as 200);
}

/** Renders a page with a heading and a message, for 403, 404 and similar responses. */
export function MessagePage(props: { ctx: PageContext; area: 'public' | 'staff'; title: string; message: string; children?: Child }) {
  return (
    <Layout ctx={props.ctx} title={props.title} area={props.area}>
      <h1 class="heading-l">{props.title}</h1>
      <p class="body">{props.message}</p>
      {props.children}
    </Layout>
  );
}
