/**
 * The public transparency page (/transparansi), without sign-in: figures of
 * one calendar year (to today for the current year) and the resolved reports
 * of that year as the public presenter shows them.
 */
import type { Hono } from 'hono';
import type { AppEnv } from '../../context.ts';
import { pageContext, renderPage } from '../../views/layout.tsx';
import { TransparencyPage } from '../../views/dashboard/transparency.tsx';
import { buildTransparency } from '../../../reports/dashboard.ts';
import { listPublicResolved } from '../../../queries/dashboard.ts';
import { wibDate } from '../../../domain/time.ts';

/** Years offered before the current one. */
const PAST_YEARS = 4;
/** Resolved reports per page. */
const PAGE_SIZE = 20;
/** Highest page number accepted, so that a typed URL cannot ask for an absurd offset. */
const MAX_PAGE = 1000;

export function registerTransparencyRoutes(app: Hono<AppEnv>): void {
  app.get('/transparansi', async (c) => {
    const today = wibDate(new Date());
    const currentYear = Number(today.slice(0, 4));
    const years = Array.from({ length: PAST_YEARS + 1 }, (_, index) => currentYear - PAST_YEARS + index);
    const requested = Number(c.req.query('year'));
    // An unknown year falls back to the current one rather than failing: old links keep working.
    const year = years.includes(requested) ? requested : currentYear;
    const page = Math.min(Math.max(Number.parseInt(c.req.query('page') ?? '', 10) || 1, 1), MAX_PAGE);
    const period = { from: `${year}-01-01`, to: year === currentYear ? today : `${year}-12-31` };
    const db = c.get('deps').db;
    const [data, resolved] = await Promise.all([
      buildTransparency(db, period),
      listPublicResolved(db, { ...period, page, pageSize: PAGE_SIZE }),
    ]);
    // Public figures change slowly and carry no personal data; a short shared cache spares the database.
    c.header('Cache-Control', 'public, max-age=300');
    // The language comes from the query, the cookie or Accept-Language.
    c.header('Vary', 'Cookie, Accept-Language');
    return renderPage(c, <TransparencyPage ctx={pageContext(c)} year={year} years={years} data={data} resolved={resolved} />);
  });
}
