/**
 * Report routes of the JSON API, mounted under /api/v1 beside api.ts:
 * `GET /reports/monthly?month=YYYY-MM&format=xlsx|pdf[&agency=CODE][&refresh=1]`.
 *
 * A stored, ready report is returned at once as the file (200). Otherwise
 * the request is recorded, the file is built in the background, and the
 * answer is 202 with `Retry-After`; the client asks again until it gets the
 * file. Agency officers get only their own agency's report.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../context.ts';
import { apiError } from './api.ts';
import {
  getReportContent, MonthlyReportError, requestMonthlyReport, startReportGeneration,
} from '../../reports/monthly-report.ts';
import { chromiumPathOf } from './staff/reports.tsx';

/** Seconds a client should wait before asking again for a pending report; a recap takes a few seconds. */
export const RETRY_AFTER_SECONDS = 5;

const ErrorSchema = z.object({ error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }) });

const PendingSchema = z
  .object({
    status: z.enum(['pending']),
    id: z.number(),
    month: z.string(),
    agency: z.string().nullable(),
    format: z.enum(['xlsx', 'pdf']),
    retryAfterSeconds: z.number(),
  })
  .openapi('MonthlyReportPending');

const MONTHLY_ERROR_STATUS: Record<MonthlyReportError['code'], number> = {
  invalid_month: 400,
  future_month: 400,
  invalid_format: 400,
  unknown_agency: 404,
  chromium_missing: 503,
};

export function createReportApiRoutes(): OpenAPIHono<AppEnv> {
  const api = new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) {
        const issue = result.error.issues[0];
        const field = issue?.path.join('.') || undefined;
        const detail = issue ? `${field ?? 'query'}: ${issue.message}` : 'invalid';
        return apiError(c as unknown as Context<AppEnv>, 400, 'invalid', 'error.validation', { detail }, field);
      }
    },
  });

  api.openapi(
    createRoute({
      method: 'get',
      path: '/reports/monthly',
      summary: 'Monthly recap (XLSX or PDF) of a WIB month, regency-wide or for one agency; 202 while it is being built',
      security: [{ bearer: [] }],
      request: {
        query: z.object({
          month: z.string().openapi({ example: '2026-02', description: 'YYYY-MM; the month counts by WIB (Asia/Jakarta) receipt dates' }),
          format: z.enum(['xlsx', 'pdf']).openapi({ example: 'xlsx' }),
          agency: z.string().optional().openapi({ example: 'dpupr', description: 'Agency code; agency officers always get their own' }),
          refresh: z.enum(['0', '1']).optional().openapi({ description: '1 builds the file again even when one is stored' }),
        }),
      },
      responses: {
        200: {
          description: 'The report file',
          content: {
            'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: z.string().openapi({ format: 'binary' }) },
            'application/pdf': { schema: z.string().openapi({ format: 'binary' }) },
          },
        },
        202: { description: 'Being built; ask again after Retry-After seconds', content: { 'application/json': { schema: PendingSchema } } },
        400: { description: 'Invalid month or format', content: { 'application/json': { schema: ErrorSchema } } },
        401: { description: 'Missing or invalid API token', content: { 'application/json': { schema: ErrorSchema } } },
        403: { description: 'Another agency\'s report', content: { 'application/json': { schema: ErrorSchema } } },
        404: { description: 'Unknown agency', content: { 'application/json': { schema: ErrorSchema } } },
        500: { description: 'The report failed to build; the message says why; retry with refresh=1', content: { 'application/json': { schema: ErrorSchema } } },
        503: { description: 'PDF requested but Chromium is not installed', content: { 'application/json': { schema: ErrorSchema } } },
      },
    }),
    (async (c: Context<AppEnv>) => {
      const user = c.get('user');
      if (!user) return apiError(c, 401, 'unauthorized', 'error.unauthorized');
      const query = (c.req as unknown as { valid(target: 'query'): { month: string; format: 'xlsx' | 'pdf'; agency?: string; refresh?: '0' | '1' } }).valid('query');
      const db = c.get('deps').db;
      let agency = query.agency || undefined;
      if (user.role === 'agency_officer') {
        const own = await db.selectFrom('agencies').select('code').where('id', '=', user.agencyId ?? -1).executeTakeFirst();
        if (agency && agency !== own?.code) return apiError(c, 403, 'forbidden', 'reports.error.other_agency');
        agency = own?.code ?? '-';
      }
      const chromiumPath = chromiumPathOf(c);
      let report;
      try {
        report = await requestMonthlyReport(db, { month: query.month, format: query.format, agency, userId: user.id, refresh: query.refresh === '1' }, new Date(), chromiumPath);
      } catch (error) {
        if (!(error instanceof MonthlyReportError)) throw error;
        const field = error.code === 'unknown_agency' ? 'agency' : error.code === 'invalid_format' || error.code === 'chromium_missing' ? 'format' : 'month';
        return apiError(c, MONTHLY_ERROR_STATUS[error.code], error.code, `reports.error.${error.code}`, {}, field);
      }
      if (report.status === 'failed') {
        return c.json({ error: { code: 'report_failed', message: c.get('t')('reports.error.failed', { error: report.error ?? '' }) } }, 500);
      }
      if (report.status === 'ready') {
        const content = await getReportContent(db, report.id);
        if (content) {
          c.header('Content-Disposition', `attachment; filename="${content.fileName}"`);
          c.header('Cache-Control', 'private, no-store');
          return c.body(new Uint8Array(content.content), 200, { 'Content-Type': content.mimeType });
        }
      }
      void startReportGeneration(db, { chromiumPath });
      c.header('Retry-After', String(RETRY_AFTER_SECONDS));
      return c.json({ status: 'pending' as const, id: report.id, month: report.month, agency: report.agencyCode, format: report.format, retryAfterSeconds: RETRY_AFTER_SECONDS }, 202);
    }) as never,
  );

  return api;
}
