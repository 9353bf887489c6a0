/**
 * The back-office dashboard (/staff/dashboard), and the registration of every
 * reporting page: chart assets under /assets/charts/, the dashboard, the
 * action plan, the monthly reports and the public transparency page.
 *
 * Agency officers see only their own agency's figures, whatever the query
 * string requests. Other staff may pick any agency or all of them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Context, Hono } from 'hono';
import type { AppEnv } from '../../context.ts';
import { pageContext, renderPage } from '../../views/layout.tsx';
import type { FieldErrors, SelectOption } from '../../views/components.tsx';
import { DashboardPage } from '../../views/dashboard/dashboard.tsx';
import { buildDashboard, defaultPeriod } from '../../../reports/dashboard.ts';
import { DISTRICT_GEOJSON } from '../../../reports/svg-charts.ts';
import { dashboardAgencyFor } from '../../../queries/dashboard.ts';
import { calendarDaysBetween, isValidDate } from '../../../domain/time.ts';
import { staffUser } from './guard.tsx';
import { registerActionPlanRoutes } from './action-plan.tsx';
import { registerReportsRoutes } from './reports.tsx';
import { registerTransparencyRoutes } from '../public/transparency.tsx';

/** Maximum period of a dashboard, in days: longer ones are slow and unreadable as weekly charts. */
export const MAX_PERIOD_DAYS = 3 * 366;

const CHART_ASSETS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../assets/charts');
const ECHARTS_FILE = path.join(path.dirname(createRequire(import.meta.url).resolve('echarts')), 'echarts.min.js');
const ASSET_TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.geojson': 'application/geo+json; charset=utf-8',
};

/** Registers every reporting page; pages.ts calls this once, after the /staff guards. */
export function registerReportingPages(app: Hono<AppEnv>): void {
  registerChartAssets(app);
  registerDashboardRoutes(app);
  registerActionPlanRoutes(app);
  registerReportsRoutes(app);
  registerTransparencyRoutes(app);
}

/**
 * Serves the chart files: our own CSS and JS, ECharts' minified build from
 * node_modules (no CDN), and the kecamatan polygons from seed/. Each file is
 * read on its first request and then kept, because it changes only with a
 * deploy. Reading them at start made every server hold ECharts' 1 MB build,
 * 2 MiB as a string, even when no chart was ever opened.
 */
function registerChartAssets(app: Hono<AppEnv>): void {
  const files = new Map<string, { file: string; type: string }>();
  for (const file of fs.readdirSync(CHART_ASSETS_DIR)) {
    const type = ASSET_TYPES[path.extname(file)];
    if (type) files.set(file, { file: path.join(CHART_ASSETS_DIR, file), type });
  }
  files.set('echarts.min.js', { file: ECHARTS_FILE, type: ASSET_TYPES['.js'] });
  files.set('karanganyar-kecamatan.geojson', { file: DISTRICT_GEOJSON, type: ASSET_TYPES['.geojson'] });
  const bodies = new Map<string, Uint8Array<ArrayBuffer>>();
  app.get('/assets/charts/:file', (c) => {
    const name = c.req.param('file');
    const asset = files.get(name);
    if (!asset) return c.notFound();
    let body = bodies.get(name);
    if (!body) {
      body = new Uint8Array(fs.readFileSync(asset.file));
      bodies.set(name, body);
    }
    c.header('Content-Type', asset.type);
    c.header('Cache-Control', 'public, max-age=86400');
    return c.body(body);
  });
}

export interface PeriodQuery {
  from: string;
  to: string;
  errors: FieldErrors;
}

/**
 * Reads `from` and `to` from the query string. A missing value takes the
 * default period. An invalid one is reported next to its field and replaced
 * by the default, so the page still shows figures.
 */
export function readPeriod(c: Context<AppEnv>, fallback: { from: string; to: string }): PeriodQuery {
  const t = c.get('t');
  const errors: FieldErrors = {};
  let from = (c.req.query('from') ?? '').trim() || fallback.from;
  let to = (c.req.query('to') ?? '').trim() || fallback.to;
  if (!isValidDate(from)) {
    errors.from = t('dash.error.date');
    from = fallback.from;
  }
  if (!isValidDate(to)) {
    errors.to = t('dash.error.date');
    to = fallback.to;
  }
  if (to < from) {
    errors.to = t('dash.error.order');
    ({ from, to } = fallback);
  } else if (calendarDaysBetween(from, to) > MAX_PERIOD_DAYS) {
    errors.from = t('dash.error.too_long', { days: MAX_PERIOD_DAYS });
    ({ from, to } = fallback);
  }
  return { from, to, errors };
}

/** Active agencies as filter choices, by name. */
export async function agencyOptions(c: Context<AppEnv>): Promise<SelectOption[]> {
  const rows = await c.get('deps').db.selectFrom('agencies').select(['code', 'name']).where('active', '=', true).orderBy('name').execute();
  return rows.map((row) => ({ value: row.code, label: row.name }));
}

function registerDashboardRoutes(app: Hono<AppEnv>): void {
  app.get('/staff/dashboard', async (c) => {
    const user = staffUser(c);
    const db = c.get('deps').db;
    const now = new Date();
    const period = readPeriod(c, defaultPeriod(now));
    let requested = (c.req.query('agency') ?? '').trim() || undefined;
    if (requested && user.role !== 'agency_officer') {
      const known = await db.selectFrom('agencies').select('code').where('code', '=', requested).executeTakeFirst();
      if (!known) {
        period.errors.agency = c.get('t')('dash.error.agency', { code: requested });
        requested = undefined;
      }
    }
    const agency = await dashboardAgencyFor(db, user, requested);
    const data = await buildDashboard(db, { from: period.from, to: period.to, agency }, now);
    const agencies = user.role === 'agency_officer' ? null : await agencyOptions(c);
    return renderPage(c, <DashboardPage ctx={pageContext(c)} data={data} agencies={agencies} errors={period.errors} />);
  });
}
