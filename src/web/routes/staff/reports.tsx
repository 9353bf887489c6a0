/**
 * Monthly recaps and the inbox CSV export (/staff/reports). A requested
 * recap is recorded as pending and built in the background (see
 * reports/monthly-report.ts), so the request returns at once. The CSV export
 * streams page by page. Agency officers get only their own agency's recaps
 * and, like in the inbox, only their own agency's cases.
 */
import type { Context, Hono } from 'hono';
import type { AppEnv } from '../../context.ts';
import { MessagePage, pageContext, renderPage } from '../../views/layout.tsx';
import { formChecked, formText, readForm } from '../../views/form.tsx';
import type { FieldErrors, SelectOption } from '../../views/components.tsx';
import { MonthlyReportScreen, ReportsPage, type ReportsPageProps } from '../../views/dashboard/reports.tsx';
import {
  collectMonthlyReport, getReportContent, getStoredReport, listStoredReports, MonthlyReportError, requestMonthlyReport,
  startReportGeneration, type StoredReport,
} from '../../../reports/monthly-report.ts';
import { chromiumAvailable, DEFAULT_CHROMIUM_PATH } from '../../../reports/pdf.ts';
import { inboxCsvStream } from '../../../reports/inbox-csv.ts';
import type { InboxFilters } from '../../../queries/complaints.ts';
import type { MonthlyReportFormat } from '../../../db/schema.ts';
import { OPEN_STATUSES, STATUSES } from '../../../domain/lifecycle.ts';
import { CHANNELS, type Channel, type ComplaintStatus, type StaffUser } from '../../../domain/types.ts';
import { normalizeTrackingCode } from '../../../domain/tracking-code.ts';
import { wibDate } from '../../../domain/time.ts';
import { staffUser } from './guard.tsx';
import { agencyOptions } from './dashboard.tsx';

/** Months offered in the request form, newest first. */
const MONTHS_OFFERED = 24;
/** Maximum search text length, in characters, as in the inbox. */
const MAX_SEARCH_CHARS = 200;
const TRACKING_CODE_PREFIX_RE = /^adu[\s-]?/i;

/**
 * Path of the Chromium binary for PDFs: `config.chromiumPath` when the
 * configuration provides one, otherwise Debian's default.
 */
export function chromiumPathOf(c: Context<AppEnv>): string {
  return c.get('deps').config.chromiumPath ?? DEFAULT_CHROMIUM_PATH;
}

/** Lists the `YYYY-MM` months from the current WIB month back, newest first. */
export function recentMonths(now: Date, count = MONTHS_OFFERED): string[] {
  const today = wibDate(now);
  let index = Number(today.slice(0, 4)) * 12 + Number(today.slice(5, 7)) - 1;
  const months: string[] = [];
  for (let n = 0; n < count; n++, index--) months.push(`${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`);
  return months;
}

/** Returns the agency an agency officer's reports are limited to, or null for other staff. */
async function ownAgency(c: Context<AppEnv>, user: StaffUser) {
  if (user.role !== 'agency_officer') return null;
  const row = await c.get('deps').db.selectFrom('agencies').select(['id', 'code', 'name']).where('id', '=', user.agencyId ?? -1).executeTakeFirst();
  return row ?? { id: -1, code: '-', name: '-' };
}

/** Returns whether a user may read a stored report: agency officers only their own agency's. */
export function maySeeReport(user: StaffUser, report: Pick<StoredReport, 'agency_id'>): boolean {
  return user.role !== 'agency_officer' || (report.agency_id !== null && report.agency_id === user.agencyId);
}

async function renderReports(c: Context<AppEnv>, extra: Pick<ReportsPageProps, 'requested' | 'values' | 'errors'> = {}, status = 200) {
  const user = staffUser(c);
  const db = c.get('deps').db;
  const own = await ownAgency(c, user);
  const [reports, categories, districts, agencies] = await Promise.all([
    listStoredReports(db, own ? { agencyId: own.id } : {}),
    db.selectFrom('categories').select(['code', 'name']).where('active', '=', true).orderBy('name').execute(),
    db.selectFrom('districts').select(['code', 'name']).orderBy('name').execute(),
    own ? Promise.resolve(null) : agencyOptions(c),
  ]);
  const toOptions = (rows: { code: string; name: string }[]): SelectOption[] => rows.map((row) => ({ value: row.code, label: row.name }));
  return renderPage(
    c,
    <ReportsPage ctx={pageContext(c)} months={recentMonths(new Date())} reports={reports} agencies={agencies}
      ownAgency={own ? { code: own.code, name: own.name } : null} categories={toOptions(categories)} districts={toOptions(districts)}
      pdfAvailable={chromiumAvailable(chromiumPathOf(c))} {...extra} />,
    status as 200,
  );
}

function reportErrorField(error: MonthlyReportError): string {
  switch (error.code) {
    case 'unknown_agency':
      return 'agency';
    case 'invalid_format':
    case 'chromium_missing':
      return 'format';
    default:
      return 'month';
  }
}

/** Reads the inbox filters from the query string exactly as the inbox does; unknown values are dropped. */
export function inboxFiltersFromQuery(c: Context<AppEnv>, user: StaffUser): InboxFilters {
  const query = (name: string) => (c.req.query(name) ?? '').trim();
  const status = query('status');
  const channel = query('channel');
  let q = query('q').slice(0, MAX_SEARCH_CHARS);
  if (q && TRACKING_CODE_PREFIX_RE.test(q)) q = normalizeTrackingCode(q) ?? q;
  return {
    status: status === 'open' ? [...OPEN_STATUSES] : STATUSES.includes(status as ComplaintStatus) ? [status as ComplaintStatus] : undefined,
    agency: user.role === 'agency_officer' ? undefined : query('agency') || undefined,
    category: query('category') || undefined,
    channel: CHANNELS.includes(channel as Channel) ? (channel as Channel) : undefined,
    district: query('district') || undefined,
    overdue: query('overdue') !== '',
    q: q || undefined,
  };
}

export function registerReportsRoutes(app: Hono<AppEnv>): void {
  app.get('/staff/reports', async (c) => {
    const requestedId = Number(c.req.query('requested'));
    const requested = Number.isSafeInteger(requestedId) && requestedId > 0 ? await getStoredReport(c.get('deps').db, requestedId) : undefined;
    return renderReports(c, { requested: requested && maySeeReport(staffUser(c), requested) ? requested : undefined });
  });

  app.post('/staff/reports/monthly', async (c) => {
    const user = staffUser(c);
    const db = c.get('deps').db;
    const form = await readForm(c);
    const values = { month: formText(form, 'month'), agency: formText(form, 'agency'), format: formText(form, 'format'), refresh: formChecked(form, 'refresh') ? '1' : '' };
    const own = await ownAgency(c, user);
    const chromiumPath = chromiumPathOf(c);
    try {
      const report = await requestMonthlyReport(db, {
        month: values.month,
        agency: own ? own.code : values.agency || undefined,
        format: values.format as MonthlyReportFormat,
        userId: user.id,
        refresh: values.refresh === '1',
      }, new Date(), chromiumPath);
      if (report.status === 'pending') void startReportGeneration(db, { chromiumPath });
      return c.redirect(`/staff/reports?requested=${report.id}`, 303);
    } catch (error) {
      if (!(error instanceof MonthlyReportError)) throw error;
      const errors: FieldErrors = { [reportErrorField(error)]: c.get('t')(`reports.error.${error.code}`) };
      return renderReports(c, { values, errors }, 400);
    }
  });

  app.get('/staff/reports/monthly/view', async (c) => {
    const user = staffUser(c);
    const own = await ownAgency(c, user);
    try {
      const data = await collectMonthlyReport(c.get('deps').db, {
        month: (c.req.query('month') ?? '').trim(),
        agency: own ? own.code : (c.req.query('agency') ?? '').trim() || undefined,
      });
      return renderPage(c, <MonthlyReportScreen ctx={pageContext(c)} data={data} />);
    } catch (error) {
      if (!(error instanceof MonthlyReportError)) throw error;
      const ctx = pageContext(c);
      return renderPage(c, <MessagePage ctx={ctx} area="staff" title={ctx.t('reports.title')} message={ctx.t(`reports.error.${error.code}`)}>
        <p class="body"><a href="/staff/reports">{ctx.t('reports.back')}</a></p>
      </MessagePage>, 400);
    }
  });

  app.get('/staff/reports/monthly/:id/download', async (c) => {
    const db = c.get('deps').db;
    const report = await getStoredReport(db, Number(c.req.param('id')));
    const content = report && maySeeReport(staffUser(c), report) ? await getReportContent(db, report.id) : undefined;
    if (!content) {
      const ctx = pageContext(c);
      return renderPage(c, <MessagePage ctx={ctx} area="staff" title={ctx.t('reports.title')} message={ctx.t('reports.not_ready')} />, 404);
    }
    c.header('Content-Type', content.mimeType);
    c.header('Content-Disposition', `attachment; filename="${content.fileName}"`);
    c.header('Cache-Control', 'private, no-store');
    return c.body(new Uint8Array(content.content));
  });

  app.get('/staff/reports/inbox.csv', (c) => {
    const user = staffUser(c);
    const filters = inboxFiltersFromQuery(c, user);
    const t = c.get('t');
    const stream = inboxCsvStream(c.get('deps').db, user, filters, (key) => t(key));
    const stamp = wibDate(new Date());
    return c.body(stream, 200, {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="aduan-${stamp}.csv"`,
      'Cache-Control': 'private, no-store',
    });
  });
}
