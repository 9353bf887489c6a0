/**
 * Error pages that middleware returns before a route runs: an upload over the
 * size limit, a form posted from another site, too many posts or sign-in
 * attempts from one address.
 */
import type { Context } from 'hono';
import type { AppEnv } from '../../context.ts';
import { MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS } from '../../../domain/images.ts';
import { MessagePage, pageContext, renderPage } from '../../views/layout.tsx';

export type MiddlewareError = 'upload_too_large' | 'form_origin' | 'rate_limited' | 'sign_in_limited';

/** Returns the page that shows the form a rejected POST came from, so the link back leads to a page that exists. */
export function formPagePath(path: string): string {
  const tracking = /^(\/lacak\/[^/]+)\/(?:balas|nilai)$/.exec(path);
  if (tracking) return tracking[1];
  const faq = /^(\/faq\/\d+)\/terjawab$/.exec(path);
  if (faq) return faq[1];
  const complaint = /^(\/staff\/complaints\/\d+)\/[a-z-]+$/.exec(path);
  if (complaint) return complaint[1];
  if (path.startsWith('/staff/admin/')) return '/staff/admin';
  return path;
}

export function messagePageResponse(c: Context<AppEnv>, error: MiddlewareError, status: number, params: Record<string, number> = {}) {
  const ctx = pageContext(c);
  const area = c.req.path.startsWith('/staff') ? 'staff' : 'public';
  const maxMegabytes = MAX_ATTACHMENT_BYTES / (1024 * 1024);
  return renderPage(
    c,
    <MessagePage ctx={ctx} area={area} title={ctx.t(`page_error.${error}.title`)}
      message={ctx.t(`page_error.${error}.body`, { files: MAX_ATTACHMENTS, megabytes: maxMegabytes, ...params })}>
      <p class="body"><a href={formPagePath(c.req.path)}>{ctx.t('page_error.back')}</a></p>
    </MessagePage>,
    status,
  );
}

/** Heading of an error page by HTTP status; other statuses use the 400 one. */
const ERROR_TITLES: Record<number, string> = { 403: 'page_error.status.403', 404: 'page_error.status.404', 409: 'page_error.status.409', 500: 'page_error.status.500' };

/**
 * Renders the error response of a route or of the application's error
 * handler: a page in the site's layout with `message` and a link back,
 * instead of bare text. Falls back to text when the page cannot be built.
 */
export function errorPageResponse(c: Context<AppEnv>, status: number, message: string) {
  try {
    const ctx = pageContext(c);
    const area = c.req.path.startsWith('/staff') ? 'staff' : 'public';
    const back = area === 'staff' ? '/staff' : '/';
    return renderPage(
      c,
      <MessagePage ctx={ctx} area={area} title={ctx.t(ERROR_TITLES[status] ?? 'page_error.status.400')} message={message}>
        <p class="body"><a href={back}>{ctx.t(area === 'staff' ? 'staff.back_to_inbox' : 'page_error.home')}</a></p>
      </MessagePage>,
      status,
    );
  } catch {
    return c.text(message, status as 400);
  }
}
