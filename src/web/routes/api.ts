/**
 * The JSON API under /api/v1, documented as OpenAPI at /api/v1/openapi.json.
 * Scripts outside the project rely on it: change it only by adding.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv, AuthUser } from '../context.ts';
import { CommandError } from '../../commands/errors.ts';
import type { Actor, CommandContext } from '../../commands/context.ts';
import { receiveComplaintBatched } from '../../commands/intake-batcher.ts';
import { verifyComplaint } from '../../commands/verify-complaint.ts';
import { dispatchComplaint } from '../../commands/dispatch-complaint.ts';
import { returnComplaint } from '../../commands/return-complaint.ts';
import { followUpComplaint } from '../../commands/follow-up-complaint.ts';
import { answerComplaint, resolveComplaint } from '../../commands/resolve-complaint.ts';
import { holdComplaint, resumeComplaint } from '../../commands/hold-complaint.ts';
import { archiveComplaint, forwardComplaint, ARCHIVE_REASONS } from '../../commands/close-complaint.ts';
import { rateComplaint, reopenComplaint, replyAsCitizen } from '../../commands/reopen-complaint.ts';
import { addNote } from '../../commands/add-note.ts';
import { mergeComplaints } from '../../commands/merge-complaints.ts';
import { canCreateOnBehalf, identityAccess } from '../../policies/complaints.ts';
import { getComplaintByTrackingCode, getComplaintDetail, getReporterIdentity, listComplaints } from '../../queries/complaints.ts';
import { presentPublicComplaint, presentStaffComplaint } from '../../presenters/complaints.ts';
import { localizeMasks } from '../i18n/index.ts';
import { errorMessage } from '../views/form.tsx';
import { loadCalendar } from '../../commands/deadlines.ts';
import { normalizeTrackingCode } from '../../domain/tracking-code.ts';
import { isValidDate } from '../../domain/time.ts';
import { MAX_WORKING_DAYS } from '../../domain/calendar.ts';
import { computeIndicators, GROUP_BYS, INDICATORS, IndicatorQueryError, type GroupBy } from '../../reports/indicators.ts';
import { CHANNELS, COMPLAINT_TYPES, PRIVACY_LEVELS, STATUS_LIST } from './api-schemas.ts';

const ErrorSchema = z
  .object({ error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }) })
  .openapi('Error');

function errorResponses() {
  return {
    400: { description: 'Invalid request', content: { 'application/json': { schema: ErrorSchema } } },
    401: { description: 'Missing or invalid API token', content: { 'application/json': { schema: ErrorSchema } } },
    404: { description: 'Not found, or not visible to this user', content: { 'application/json': { schema: ErrorSchema } } },
    409: { description: 'Not allowed in the current state', content: { 'application/json': { schema: ErrorSchema } } },
  };
}

/** Returns the value at a zod issue's path in the validated input, or undefined when the path leads nowhere. */
function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let value = data;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/**
 * Describes in the request's language what is wrong with one field, from a
 * zod issue. `sentValue` is the value the request sent there. Zod does not
 * keep it on the issue, and it separates a missing field from a wrong type.
 */
function describeIssue(t: Context<AppEnv>['var']['t'], field: string, issue: { code: string; message: string } & Record<string, unknown>, sentValue: unknown): string {
  switch (issue.code) {
    case 'invalid_value':
      return t('error.field_choice', { field, values: (issue.values as unknown[] | undefined)?.map(String).join(', ') ?? '' });
    case 'too_big':
      return t('error.field_too_big', { field, max: String(issue.maximum) });
    case 'too_small':
      return t('error.field_too_small', { field, min: String(issue.minimum) });
    case 'invalid_type':
      if (sentValue === undefined) return t('error.field_missing', { field });
      return t('error.field_type', { field, expected: String(issue.expected) });
    case 'invalid_format':
      return t('error.field_format', { field });
    default:
      return t('error.field_invalid', { field });
  }
}

export function apiError(c: Context<AppEnv>, status: number, code: string, key: string, params: Record<string, string | number> = {}, field?: string) {
  const message = errorMessage(c.get('t'), key, params);
  return c.json({ error: { code, message, ...(field ? { field } : {}) } }, status as 400);
}

function requireStaff(c: Context<AppEnv>): AuthUser {
  const user = c.get('user');
  if (!user) throw new CommandError('unauthorized', 'authentication required', 'error.unauthorized');
  return user;
}

function commandContext(c: Context<AppEnv>, actor?: Actor): CommandContext {
  const user = c.get('user');
  return { db: c.get('deps').db, actor: actor ?? (user ? { kind: 'staff', user } : { kind: 'citizen' }) };
}

const ReporterSchema = z
  .object({
    name: z.string().max(200).optional(),
    phone: z.string().max(40).optional(),
    email: z.string().max(254).optional(),
  })
  .openapi('Reporter');

const NewComplaintSchema = z
  .object({
    type: z.enum(COMPLAINT_TYPES).openapi({ example: 'pengaduan' }),
    description: z.string().openapi({ example: 'Jalan berlubang di depan balai desa, mohon segera diperbaiki.' }),
    reporter: ReporterSchema.optional(),
    privacy: z.enum(PRIVACY_LEVELS).default('anonymous'),
    districtCode: z.string().optional().openapi({ example: '33.13.09' }),
    villageCode: z.string().optional().openapi({ example: '33.13.09.1007' }),
    categoryCode: z.string().optional().openapi({ example: 'jalan-jembatan' }),
    latitude: z.number().optional(),
    longitude: z.number().optional(),
    channel: z.enum(['web', 'api', 'walk_in', 'phone']).optional().openapi({ description: 'walk_in and phone need a staff token' }),
    receivedAt: z.string().optional().openapi({ description: 'ISO 8601; staff token only', example: '2026-03-13T16:00:00+07:00' }),
  })
  .openapi('NewComplaint');

const PublicComplaintSchema = z
  .object({
    trackingCode: z.string(),
    type: z.string().nullable(),
    status: z.string(),
    category: z.string().nullable(),
    categoryEn: z.string().nullable(),
    agency: z.string().nullable(),
    district: z.string().nullable(),
    village: z.string().nullable(),
    receivedAt: z.string(),
    description: z.string(),
    rating: z.number().nullable(),
    merged: z.boolean(),
    timeline: z.array(z.object({ type: z.string(), at: z.string(), actor: z.string(), body: z.string().nullable() }).passthrough()),
    deadlines: z.array(z.object({ clock: z.string(), dueDate: z.string().nullable(), status: z.string() })),
  })
  .openapi('PublicComplaint');

const DeadlineSchema = z.object({
  clock: z.enum(['verification', 'first_follow_up', 'resolution', 'auto_close']),
  dueDate: z.string().nullable().openapi({ description: 'YYYY-MM-DD in WIB (Asia/Jakarta)' }),
  dueAt: z.string().nullable().openapi({ description: 'ISO 8601 instant: the end of dueDate in WIB' }),
  startedAt: z.string().nullable(),
  stoppedAt: z.string().nullable(),
  status: z.enum(['not_started', 'running', 'paused', 'met', 'breached']),
  calendarMissing: z.boolean().openapi({ description: 'true when the deadline crosses a year without holiday data' }),
});

const StaffComplaintSchema = z
  .object({
    id: z.number(),
    trackingCode: z.string(),
    status: z.string(),
    deadlines: z.array(DeadlineSchema),
  })
  .passthrough()
  .openapi('StaffComplaint');

// Digits only: `Number()` would also read 1e1 or 0x1c as ids.
const IdParam = z.object({
  id: z.string().regex(/^[1-9][0-9]{0,15}$/).transform(Number).openapi({ param: { name: 'id', in: 'path' }, example: '1', type: 'integer' }),
});

export function createApiRoutes(): OpenAPIHono<AppEnv> {
  const api = new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) {
        const issue = result.error.issues[0];
        const field = issue?.path.join('.') || undefined;
        const context = c as unknown as Context<AppEnv>;
        const sentValue = issue ? valueAt((result as { data?: unknown }).data, issue.path) : undefined;
        const detail = issue ? describeIssue(context.get('t'), field ?? 'body', issue as unknown as { code: string; message: string } & Record<string, unknown>, sentValue) : 'invalid';
        return apiError(context, 400, 'invalid', 'error.validation', { detail }, field);
      }
    },
  });

  api.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });

  api.openapi(
    createRoute({
      method: 'post',
      path: '/complaints',
      summary: 'File a complaint, aspirasi or question',
      description: 'Public. With a staff bearer token it also accepts receivedAt and the walk_in and phone channels.',
      request: { body: { content: { 'application/json': { schema: NewComplaintSchema } }, required: true } },
      responses: {
        201: { description: 'Created', content: { 'application/json': { schema: z.object({ trackingCode: z.string() }) } } },
        ...errorResponses(),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const user = c.get('user');
      const staff = user && canCreateOnBehalf(user);
      // Signed-in staff whose role may not file on a citizen's behalf get a message about their role.
      const refusal = user ? 'error.role_may_not_set_field' : 'error.staff_only_field';
      if (!staff && body.receivedAt !== undefined) {
        return apiError(c, 403, 'forbidden', refusal, { field: 'receivedAt' }, 'receivedAt');
      }
      if (!staff && (body.channel === 'walk_in' || body.channel === 'phone')) {
        return apiError(c, 403, 'forbidden', refusal, { field: 'channel' }, 'channel');
      }
      let receivedAt: Date | undefined;
      if (body.receivedAt !== undefined) {
        receivedAt = new Date(body.receivedAt);
        // `Date` rolls 2026-02-30 over to March; the written calendar date must exist.
        const writtenDate = /^(\d{4}-\d{2}-\d{2})T/.exec(body.receivedAt)?.[1];
        if (Number.isNaN(receivedAt.getTime()) || !writtenDate || !isValidDate(writtenDate)) {
          return apiError(c, 400, 'invalid', 'error.date_invalid', {}, 'receivedAt');
        }
      }
      // Concurrent requests share one transaction; the promise settles after its COMMIT.
      const { complaint } = await receiveComplaintBatched(commandContext(c), {
        type: body.type,
        description: body.description,
        channel: body.channel ?? 'api',
        receivedAt,
        reporter: body.reporter,
        privacy: body.privacy,
        districtCode: body.districtCode,
        villageCode: body.villageCode,
        categoryCode: body.categoryCode,
        latitude: body.latitude,
        longitude: body.longitude,
      });
      return c.json({ trackingCode: complaint.tracking_code }, 201);
    },
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/track/{trackingCode}',
      summary: 'Status and public timeline of a report, by tracking code (never identity)',
      request: { params: z.object({ trackingCode: z.string().openapi({ param: { name: 'trackingCode', in: 'path' }, example: 'ADU-7KQ3-M9XP-2W' }) }) },
      responses: { 200: { description: 'Found', content: { 'application/json': { schema: PublicComplaintSchema } } }, ...errorResponses() },
    }),
    async (c) => {
      const code = normalizeTrackingCode(c.req.valid('param').trackingCode);
      if (!code) return apiError(c, 404, 'not_found', 'error.not_found.complaint');
      const detail = await getComplaintByTrackingCode(c.get('deps').db, code);
      if (!detail) return apiError(c, 404, 'not_found', 'error.not_found.complaint');
      const presented = presentPublicComplaint(detail);
      // Masks are stored in Indonesian; an English client reads them in English.
      const t = c.get('t');
      return c.json({
        ...presented,
        description: localizeMasks(presented.description, t),
        timeline: presented.timeline.map((entry) => (entry.body ? { ...entry, body: localizeMasks(entry.body, t) } : entry)),
      }, 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'post',
      path: '/track/{trackingCode}/replies',
      summary: 'The citizen replies on their report',
      request: {
        params: z.object({ trackingCode: z.string().openapi({ param: { name: 'trackingCode', in: 'path' } }) }),
        body: { content: { 'application/json': { schema: z.object({ body: z.string() }) } }, required: true },
      },
      responses: { 201: { description: 'Recorded', content: { 'application/json': { schema: z.object({ status: z.string() }) } } }, ...errorResponses() },
    }),
    async (c) => {
      const detail = await findByCode(c, c.req.valid('param').trackingCode);
      if (!detail) return apiError(c, 404, 'not_found', 'error.not_found.complaint');
      const complaint = await replyAsCitizen(commandContext(c, { kind: 'citizen' }), detail.complaint.id, { body: c.req.valid('json').body });
      return c.json({ status: complaint.status }, 201);
    },
  );

  api.openapi(
    createRoute({
      method: 'post',
      path: '/track/{trackingCode}/rating',
      summary: 'The citizen rates the final answer from 1 to 5; 1 or 2 reopens the report',
      request: {
        params: z.object({ trackingCode: z.string().openapi({ param: { name: 'trackingCode', in: 'path' } }) }),
        body: { content: { 'application/json': { schema: z.object({ rating: z.number().int().min(1).max(5), comment: z.string().max(2000).optional() }) } }, required: true },
      },
      responses: { 201: { description: 'Recorded', content: { 'application/json': { schema: z.object({ status: z.string() }) } } }, ...errorResponses() },
    }),
    async (c) => {
      const detail = await findByCode(c, c.req.valid('param').trackingCode);
      if (!detail) return apiError(c, 404, 'not_found', 'error.not_found.complaint');
      const complaint = await rateComplaint(commandContext(c, { kind: 'citizen' }), detail.complaint.id, c.req.valid('json'));
      return c.json({ status: complaint.status }, 201);
    },
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/agencies',
      summary: 'Agencies (OPD), each with a stable code',
      responses: {
        200: {
          description: 'List',
          content: { 'application/json': { schema: z.object({ items: z.array(z.object({ code: z.string(), name: z.string(), kind: z.string(), active: z.boolean() })) }) } },
        },
      },
    }),
    async (c) => {
      const rows = await c.get('deps').db.selectFrom('agencies').select(['code', 'name', 'kind', 'active']).orderBy('name').execute();
      return c.json({ items: rows }, 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/categories',
      summary: 'Categories with their default agency and SLA clocks in working days',
      responses: { 200: { description: 'List', content: { 'application/json': { schema: z.object({ items: z.array(z.object({ code: z.string(), name: z.string() }).passthrough()) }) } } } },
    }),
    async (c) => {
      const rows = await c
        .get('deps')
        .db.selectFrom('categories')
        .leftJoin('agencies', 'agencies.id', 'categories.agency_id')
        .select([
          'categories.code', 'categories.name', 'categories.name_en', 'categories.active', 'categories.oversight', 'categories.complexity',
          'categories.verify_days', 'categories.first_follow_up_days', 'categories.resolution_days_simple', 'categories.resolution_days_medium',
          'categories.resolution_days_complex', 'categories.auto_close_days', 'agencies.code as agency_code',
        ])
        .orderBy('categories.name')
        .execute();
      return c.json(
        {
          items: rows.map((row) => ({
            code: row.code,
            name: row.name,
            nameEn: row.name_en,
            active: row.active,
            oversight: row.oversight,
            agencyCode: row.agency_code,
            complexity: row.complexity,
            clocks: {
              verifyDays: row.verify_days,
              firstFollowUpDays: row.first_follow_up_days,
              resolutionDays: { simple: row.resolution_days_simple, medium: row.resolution_days_medium, complex: row.resolution_days_complex },
              autoCloseDays: row.auto_close_days,
            },
          })),
        },
        200,
      );
    },
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/districts',
      summary: 'Kecamatan with their desa and kelurahan (Kemendagri codes)',
      responses: { 200: { description: 'List', content: { 'application/json': { schema: z.object({ items: z.array(z.object({ code: z.string(), name: z.string() }).passthrough()) }) } } } },
    }),
    async (c) => {
      const db = c.get('deps').db;
      const [districts, villages] = await Promise.all([
        db.selectFrom('districts').selectAll().orderBy('name').execute(),
        db.selectFrom('villages').selectAll().orderBy('name').execute(),
      ]);
      return c.json(
        {
          items: districts.map((district) => ({
            code: district.code,
            name: district.name,
            villages: villages.filter((village) => village.district_code === district.code).map(({ code, name, kind }) => ({ code, name, kind })),
          })),
        },
        200,
      );
    },
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/complaints',
      summary: 'Inbox: complaints visible to the token\'s user, newest first',
      security: [{ bearer: [] }],
      request: {
        query: z.object({
          status: z.string().optional().openapi({ description: `comma-separated: ${STATUS_LIST.join(', ')}` }),
          agency: z.string().optional(),
          category: z.string().optional(),
          channel: z.enum(CHANNELS).optional(),
          district: z.string().optional(),
          overdue: z.enum(['true', 'false']).optional(),
          q: z.string().max(200).optional(),
          page: z.coerce.number().int().min(1).max(100_000).optional(),
          pageSize: z.coerce.number().int().min(1).max(100).optional(),
        }),
      },
      responses: { 200: { description: 'A page of complaints', content: { 'application/json': { schema: z.object({
        items: z.array(z.any()),
        total: z.number().openapi({ description: 'matching complaints, counted up to 10,000' }),
        totalCapped: z.boolean().openapi({ description: 'true when more than 10,000 match' }),
        page: z.number(),
        pageSize: z.number(),
      }) } } }, ...errorResponses() },
    }),
    async (c) => {
      const user = requireStaff(c);
      const query = c.req.valid('query');
      const statuses = query.status?.split(',').map((s) => s.trim()).filter(Boolean);
      const unknown = statuses?.find((s) => !STATUS_LIST.includes(s as never));
      if (unknown) return apiError(c, 400, 'invalid', 'error.field_choice', { field: 'status', values: STATUS_LIST.join(', ') }, 'status');
      const page = await listComplaints(c.get('deps').db, user, {
        status: statuses as never,
        agency: query.agency,
        category: query.category,
        channel: query.channel,
        district: query.district,
        overdue: query.overdue === 'true',
        q: query.q,
        page: query.page,
        pageSize: query.pageSize,
      });
      return c.json({ items: page.rows, total: page.total, totalCapped: page.totalCapped, page: page.page, pageSize: page.pageSize }, 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/complaints/{id}',
      summary: 'One complaint with timeline and deadlines',
      security: [{ bearer: [] }],
      request: { params: IdParam },
      responses: { 200: { description: 'Found', content: { 'application/json': { schema: StaffComplaintSchema } } }, ...errorResponses() },
    }),
    async (c) => {
      const user = requireStaff(c);
      const detail = await getComplaintDetail(c.get('deps').db, user, c.req.valid('param').id);
      if (!detail) return apiError(c, 404, 'not_found', 'error.not_found.complaint');
      return c.json(presentStaffComplaint(detail, identityAccess(user, detail.complaint)), 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/complaints/{id}/reporter',
      summary: 'The reporter\'s identity, for roles allowed to see it; every call is logged',
      security: [{ bearer: [] }],
      request: { params: IdParam },
      responses: { 200: { description: 'Identity', content: { 'application/json': { schema: z.object({ name: z.string().nullable(), contacts: z.array(z.object({ kind: z.string(), value: z.string() })) }).nullable() } } }, ...errorResponses() },
    }),
    async (c) => {
      const user = requireStaff(c);
      const db = c.get('deps').db;
      const detail = await getComplaintDetail(db, user, c.req.valid('param').id);
      if (!detail) return apiError(c, 404, 'not_found', 'error.not_found.complaint');
      if (identityAccess(user, detail.complaint) === 'none') return apiError(c, 403, 'forbidden', 'error.forbidden_action');
      return c.json(await getReporterIdentity(db, user.id, detail.complaint), 200);
    },
  );

  registerAction(api, 'verify', 'Verify and classify a new report', z.object({
    type: z.enum(COMPLAINT_TYPES),
    categoryCode: z.string(),
    districtCode: z.string(),
    villageCode: z.string().optional(),
    agencyCode: z.string().optional(),
    complexity: z.enum(['simple', 'medium', 'complex']).optional(),
    privacy: z.enum(PRIVACY_LEVELS).optional(),
    note: z.string().max(2000).optional(),
  }), (ctx, id, body) => verifyComplaint(ctx, id, body));
  registerAction(api, 'dispatch', 'Send (disposisi) to an agency, or to another one', z.object({ agencyCode: z.string(), note: z.string().max(2000).optional() }),
    (ctx, id, body) => dispatchComplaint(ctx, id, body));
  registerAction(api, 'return', 'Agency returns a wrong disposisi', z.object({ reason: z.string() }), (ctx, id, body) => returnComplaint(ctx, id, body));
  registerAction(api, 'hold', 'Put on hold while waiting for the citizen (clocks pause)', z.object({ reason: z.string() }), (ctx, id, body) => holdComplaint(ctx, id, body));
  registerAction(api, 'resume', 'Resume a report on hold', z.object({ note: z.string().max(2000).optional() }), (ctx, id, body) => resumeComplaint(ctx, id, body));
  registerAction(api, 'forward', 'Close as outside the regency\'s authority, forwarded to a destination', z.object({ destination: z.string(), body: z.string().max(5000).optional() }),
    (ctx, id, body) => forwardComplaint(ctx, id, body));
  registerAction(api, 'archive', 'Archive spam or a message that is not a report', z.object({ reason: z.enum(ARCHIVE_REASONS), note: z.string().max(2000).optional() }),
    (ctx, id, body) => archiveComplaint(ctx, id, body));
  registerAction(api, 'follow-ups', 'Agency records a follow-up (tindak lanjut)', z.object({ body: z.string(), visibleToCitizen: z.boolean().optional() }),
    (ctx, id, body) => followUpComplaint(ctx, id, body));
  registerAction(api, 'resolve', 'Final answer by the agency', z.object({ body: z.string() }), (ctx, id, body) => resolveComplaint(ctx, id, body));
  registerAction(api, 'answer', 'Direct final answer by the complaint officer (questions)', z.object({ body: z.string() }), (ctx, id, body) => answerComplaint(ctx, id, body));
  registerAction(api, 'reopen', 'Reopen a resolved report', z.object({ reason: z.string() }), (ctx, id, body) => reopenComplaint(ctx, id, body));
  registerAction(api, 'notes', 'Internal note', z.object({ body: z.string() }), (ctx, id, body) => addNote(ctx, id, body));
  registerAction(api, 'merge', 'Merge this duplicate into another report', z.object({ intoId: z.number().int().positive() }),
    async (ctx, id, body) => ({ complaint: (await mergeComplaints(ctx, id, body)).duplicate }));

  api.openapi(
    createRoute({
      method: 'get',
      path: '/calendar/working-days',
      summary: 'Working-day calculator: the Nth working day after a date (the date itself does not count)',
      request: { query: z.object({ from: z.string().openapi({ example: '2026-03-13' }), add: z.string().openapi({ example: '3' }) }) },
      responses: {
        200: { description: 'Result', content: { 'application/json': { schema: z.object({ date: z.string(), calendarMissing: z.boolean(), warning: z.string().optional() }) } } },
        ...errorResponses(),
      },
    }),
    async (c) => {
      const { from, add } = c.req.valid('query');
      const n = Number(add);
      if (!isValidDate(from) || !/^\d+$/.test(add) || n > MAX_WORKING_DAYS) return apiError(c, 400, 'invalid', 'error.calendar_param');
      const calendar = await loadCalendar(c.get('deps').db);
      let result;
      try {
        result = calendar.addWorkingDays(from, n);
      } catch (error) {
        // A result past year 9999 cannot be written as YYYY-MM-DD.
        if (error instanceof RangeError) return apiError(c, 400, 'invalid', 'error.calendar_param');
        throw error;
      }
      const missing = result.uncoveredYears.length > 0;
      return c.json(
        { date: result.date, calendarMissing: missing, ...(missing ? { warning: c.get('t')('error.calendar_missing', { years: result.uncoveredYears.join(', ') }) } : {}) },
        200,
      );
    },
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/indicators',
      summary: 'Performance indicators for a WIB period, optionally grouped; agency officers get their own agency only',
      security: [{ bearer: [] }],
      request: {
        query: z.object({
          from: z.string().openapi({ example: '2026-01-01' }),
          to: z.string().openapi({ example: '2026-12-31' }),
          agency: z.string().optional(),
          category: z.string().optional(),
          channel: z.enum(CHANNELS).optional(),
          district: z.string().optional(),
          type: z.enum(COMPLAINT_TYPES).optional(),
          groupBy: z.enum(GROUP_BYS as [GroupBy, ...GroupBy[]]).optional(),
        }),
      },
      responses: {
        200: {
          description: 'Indicators per group; shares are fractions 0–1, times in days or working hours',
          content: {
            'application/json': {
              schema: z.object({
                period: z.object({ from: z.string(), to: z.string(), timeZone: z.string() }),
                groupBy: z.string().nullable(),
                rows: z.array(z.object({ group: z.string(), indicators: z.record(z.string(), z.number().nullable()) })),
                source: z.enum(['live', 'rollup']).openapi({ description: '`rollup`: read from the monthly rollup (long periods, many reports); medians within 1 %' }),
                asOf: z.string().openapi({ description: 'Instant the figures are current as of (ISO 8601)' }),
                definitions: z.array(z.object({ code: z.string(), unit: z.string(), definition: z.string() })),
              }),
            },
          },
        },
        ...errorResponses(),
      },
    }),
    async (c) => {
      const user = requireStaff(c);
      const query = c.req.valid('query');
      let agency = query.agency;
      if (user.role === 'agency_officer') {
        const own = await c.get('deps').db.selectFrom('agencies').select('code').where('id', '=', user.agencyId ?? -1).executeTakeFirst();
        if (query.agency !== undefined && query.agency !== own?.code) {
          return apiError(c, 403, 'forbidden', 'error.indicators_other_agency', {}, 'agency');
        }
        agency = own?.code ?? '-';
      }
      try {
        const result = await computeIndicators(c.get('deps').db, { ...query, agency });
        const locale = c.get('locale');
        return c.json({ ...result, definitions: INDICATORS.map((d) => ({ code: d.code, unit: d.unit, definition: d.definition[locale] })) }, 200);
      } catch (error) {
        if (error instanceof IndicatorQueryError) {
          return apiError(c, 400, 'invalid', error.key, error.params, error.field);
        }
        throw error;
      }
    },
  );

  api.doc('/openapi.json', {
    openapi: '3.0.3',
    info: {
      title: 'Aduan API',
      version: '1.0.0',
      description: 'Complaint handling for Indonesian local governments. Errors are JSON { error: { code, message } } in the request\'s language (Indonesian by default; send Accept-Language: en for English). Dates are WIB (Asia/Jakarta).',
    },
    servers: [{ url: '/api/v1' }],
  });
  return api;
}

async function findByCode(c: Context<AppEnv>, raw: string) {
  const code = normalizeTrackingCode(raw);
  return code ? getComplaintByTrackingCode(c.get('deps').db, code) : undefined;
}

function registerAction<S extends z.ZodTypeAny>(
  api: OpenAPIHono<AppEnv>,
  action: string,
  summary: string,
  schema: S,
  run: (ctx: CommandContext, id: number, body: z.infer<S>) => Promise<{ complaint: { id: number; status: string } }>,
) {
  api.openapi(
    createRoute({
      method: 'post',
      path: `/complaints/{id}/${action}`,
      summary,
      security: [{ bearer: [] }],
      request: { params: IdParam, body: { content: { 'application/json': { schema } }, required: true } },
      responses: {
        200: { description: 'Done', content: { 'application/json': { schema: z.object({ id: z.number(), status: z.string() }) } } },
        ...errorResponses(),
      },
    }),
    async (c) => {
      requireStaff(c);
      const { id } = (c.req as unknown as { valid(target: 'param'): { id: number } }).valid('param');
      const body = (c.req as unknown as { valid(target: 'json'): z.infer<S> }).valid('json');
      const { complaint } = await run(commandContext(c), id, body);
      return c.json({ id: complaint.id, status: complaint.status }, 200);
    },
  );
}
