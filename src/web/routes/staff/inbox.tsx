/** The back-office inbox (/staff). `listComplaints` limits an agency officer to their own agency's cases. */
import type { Hono } from 'hono';
import type { AppEnv } from '../../context.ts';
import { listComplaints, listReferenceData, type InboxFilters } from '../../../queries/complaints.ts';
import { canUseTriage, lowPriorityBacklog } from '../../../queries/triage.ts';
import { OPEN_STATUSES, STATUSES } from '../../../domain/lifecycle.ts';
import { CHANNELS, type Channel, type ComplaintStatus } from '../../../domain/types.ts';
import { normalizeTrackingCode } from '../../../domain/tracking-code.ts';
import { pageContext, renderPage } from '../../views/layout.tsx';
import { InboxPageView, OPEN_FILTER, type InboxFilterValues } from '../../views/staff/inbox.tsx';
import { staffUser } from './guard.tsx';

/** Maximum search text length; longer input is cut, because the cost of a websearch query grows with its length. */
const MAX_SEARCH_CHARS = 200;
/** Highest page number accepted, so that a typed URL cannot ask for an absurd offset. */
const MAX_PAGE = 10_000;

// Only text that starts with the code's prefix is read as a tracking code, so
// that a ten-letter search word is never mistaken for one.
const TRACKING_CODE_PREFIX_RE = /^adu[\s-]?/i;

/** Returns the search text, with a tracking code typed in any spacing or case rewritten to its stored form. */
function searchText(q: string): string {
  if (!TRACKING_CODE_PREFIX_RE.test(q)) return q;
  return normalizeTrackingCode(q) ?? q;
}

function statusFilter(status: string): ComplaintStatus[] | undefined {
  if (status === OPEN_FILTER) return [...OPEN_STATUSES];
  if (status) return [status as ComplaintStatus];
  return undefined;
}

export function registerInboxRoutes(app: Hono<AppEnv>): void {
  app.get('/staff', async (c) => {
    const user = staffUser(c);
    const db = c.get('deps').db;
    const query = (name: string) => (c.req.query(name) ?? '').trim();
    const values: InboxFilterValues = {
      status: query('status'),
      agency: user.role === 'agency_officer' ? '' : query('agency'),
      category: query('category'),
      channel: query('channel'),
      district: query('district'),
      overdue: query('overdue') !== '',
      q: query('q').slice(0, MAX_SEARCH_CHARS),
    };
    // Unknown values are dropped rather than rejected: a stale bookmark still opens the inbox.
    if (values.status !== OPEN_FILTER && !STATUSES.includes(values.status as ComplaintStatus)) values.status = '';
    if (!CHANNELS.includes(values.channel as Channel)) values.channel = '';
    const page = Math.min(Math.max(Number.parseInt(query('page'), 10) || 1, 1), MAX_PAGE);

    const filters: InboxFilters = {
      status: statusFilter(values.status),
      agency: values.agency || undefined,
      category: values.category || undefined,
      channel: (values.channel || undefined) as Channel | undefined,
      district: values.district || undefined,
      overdue: values.overdue,
      q: values.q ? searchText(values.q) : undefined,
      page,
    };
    const [result, reference, backlog] = await Promise.all([
      listComplaints(db, user, filters),
      listReferenceData(db),
      canUseTriage(user) ? lowPriorityBacklog(db, new Date()) : undefined,
    ]);
    const agencyName = user.agencyId === null ? null : (reference.agencies.find((agency) => agency.id === user.agencyId)?.name ?? null);
    return renderPage(
      c,
      <InboxPageView ctx={pageContext(c)} filters={values} result={result} reference={reference}
        showAgencyFilter={user.role !== 'agency_officer'} agencyName={user.role === 'agency_officer' ? agencyName : null} lowPriority={backlog} />,
    );
  });
}
