/**
 * The case page (/staff/complaints/{id}), its action forms, the identity
 * reveal and attachment downloads. A case the user may not see returns 404,
 * the same as one that does not exist. After a successful action the page
 * redirects back with a banner (post/redirect/get); a CommandError renders
 * the page again with the message next to the field.
 */
import type { Context, Hono } from 'hono';
import type { AppEnv, AuthUser } from '../../context.ts';
import type { Complaint } from '../../../db/schema.ts';
import type { CommandContext } from '../../../commands/context.ts';
import { invalid } from '../../../commands/errors.ts';
import { verifyComplaint } from '../../../commands/verify-complaint.ts';
import { dispatchComplaint } from '../../../commands/dispatch-complaint.ts';
import { returnComplaint } from '../../../commands/return-complaint.ts';
import { followUpComplaint } from '../../../commands/follow-up-complaint.ts';
import { answerComplaint, resolveComplaint } from '../../../commands/resolve-complaint.ts';
import { holdComplaint, resumeComplaint } from '../../../commands/hold-complaint.ts';
import { archiveComplaint, forwardComplaint, type ArchiveReason } from '../../../commands/close-complaint.ts';
import { reopenComplaint } from '../../../commands/reopen-complaint.ts';
import { addNote } from '../../../commands/add-note.ts';
import { mergeComplaints } from '../../../commands/merge-complaints.ts';
import { canAct, identityAccess } from '../../../policies/complaints.ts';
import { getComplaintByTrackingCode, getComplaintDetail, getReporterIdentity, listReferenceData } from '../../../queries/complaints.ts';
import { presentStaffComplaint } from '../../../presenters/complaints.ts';
import { canApply, type Action } from '../../../domain/lifecycle.ts';
import { COMPLAINT_TYPES, PRIVACY_LEVELS, type ComplaintType, type Complexity, type Privacy } from '../../../domain/types.ts';
import { normalizeTrackingCode } from '../../../domain/tracking-code.ts';
import { MessagePage, pageContext, renderPage } from '../../views/layout.tsx';
import { CASE_BANNERS, CasePage, TYPED_TEXT_FIELDS, type CaseBanner, type IdentityPanelState } from '../../views/staff/case.tsx';
import { ACTION_FIELDS, CASE_ACTIONS, SEEN_AGENCY_FIELD, SEEN_STATUS_FIELD, type ActionFormState, type CaseAction } from '../../views/staff/case-actions.tsx';
import { attempt, formText, parseId, readForm } from '../../views/form.tsx';
import { FORM_ERROR, TextArea } from '../../views/components.tsx';
import { forbiddenPage, staffUser } from './guard.tsx';
import { logger } from '../../../logger.ts';
import { loadCaseTriage } from './triage.tsx';
import { respondWithTemplate } from '../../../commands/answer-templates.ts';
import { loadCaseAnswerExtras, TEMPLATE_ANSWER_ACTIONS } from './templates.tsx';

const POLICY_ACTION: Record<CaseAction, Action> = {
  verify: 'verify', dispatch: 'dispatch', 'follow-up': 'follow_up', resolve: 'resolve', answer: 'answer', return: 'return',
  hold: 'hold', resume: 'resume', reopen: 'reopen', forward: 'forward', archive: 'archive', merge: 'merge', note: 'note',
};

const COMPLEXITIES: readonly string[] = ['simple', 'medium', 'complex'];

/** Actions the user may take on the complaint in its current status, in page order. */
export function allowedActions(user: AuthUser, complaint: Complaint): CaseAction[] {
  return CASE_ACTIONS.filter((action) => {
    const policyAction = POLICY_ACTION[action];
    if (!canAct(user, complaint, policyAction) || !canApply(complaint.status, policyAction)) return false;
    // Disposisi needs a classified report; until then the verify form is the way forward.
    if (action === 'dispatch') return complaint.type !== null && complaint.category_id !== null && complaint.district_code !== null;
    return true;
  });
}

/** Returns the form to show expanded when nothing failed: the usual next step for the case's status. */
function nextStep(allowed: readonly CaseAction[], status: string): CaseAction | null {
  const preferred: Record<string, CaseAction[]> = {
    new: ['verify'],
    verified: ['dispatch'],
    dispatched: ['follow-up'],
    in_progress: ['resolve'],
    on_hold: ['resume'],
  };
  return (preferred[status] ?? []).find((action) => allowed.includes(action)) ?? null;
}

/**
 * Shows the not-found page with the text the officer typed, for a case that
 * left their view while they typed (returned, or sent to another agency).
 */
function lostCase(c: Context<AppEnv>, values: Record<string, string>) {
  const texts = Object.entries(values).filter(([field, value]) => TYPED_TEXT_FIELDS.has(field) && value.trim() !== '');
  if (texts.length === 0) return caseNotFound(c);
  const ctx = pageContext(c);
  return renderPage(
    c,
    <MessagePage ctx={ctx} area="staff" title={ctx.t('case.not_found_title')} message={ctx.t('case.lost_body')}>
      {texts.map(([field, value]) => <TextArea t={ctx.t} prefix="lost" name={field} label={ctx.t('case.stale_text')} value={value} rows={4} />)}
      <p class="body"><a href="/staff">{ctx.t('staff.back_to_inbox')}</a></p>
    </MessagePage>,
    404,
  );
}

function caseNotFound(c: Context<AppEnv>) {
  const ctx = pageContext(c);
  return renderPage(
    c,
    <MessagePage ctx={ctx} area="staff" title={ctx.t('case.not_found_title')} message={ctx.t('error.not_found.complaint')}>
      <p class="body"><a href="/staff">{ctx.t('staff.back_to_inbox')}</a></p>
    </MessagePage>,
    404,
  );
}

async function renderCase(
  c: Context<AppEnv>,
  id: number,
  options: { state?: ActionFormState; banner?: CaseBanner; revealIdentity?: boolean; missing?: () => Response | Promise<Response> } = {},
  status = 200,
) {
  const user = staffUser(c);
  const db = c.get('deps').db;
  const detail = await getComplaintDetail(db, user, id);
  if (!detail) return options.missing ? options.missing() : caseNotFound(c);
  const access = identityAccess(user, detail.complaint);
  const identity: IdentityPanelState = { access };
  // Complaint officers see identity at once; the handling agency only after asking. Both views are logged.
  if (access === 'full' || (access === 'on_request' && options.revealIdentity)) {
    identity.identity = await getReporterIdentity(db, user.id, detail.complaint);
  }
  const allowed = allowedActions(user, detail.complaint);
  // The three loads are independent, so they share the wait for the database;
  // the duplicate search in the triage block is the slowest of them.
  const [reference, triage, answers] = await Promise.all([
    listReferenceData(db),
    // Triage block (routes/staff/triage.tsx): suggestions that may fill the verify form, duplicates, personal data marker.
    loadCaseTriage(c, detail.complaint, allowed),
    // Fast answers (routes/staff/templates.tsx): template pickers, a template chosen by URL, the case holder and FAQ-draft panel.
    loadCaseAnswerExtras(c, detail.complaint, allowed),
  ]);
  const state = options.state ?? answers.state ?? triage.prefill;
  return renderPage(
    c,
    <CasePage ctx={pageContext(c)} complaint={presentStaffComplaint(detail, access)} reference={reference} identity={identity}
      allowed={allowed} open={state?.action ?? nextStep(allowed, detail.complaint.status)} state={state} banner={options.banner}
      triage={triage.panel} templatePickers={answers.pickers} handling={answers.panel} />,
    status,
  );
}

/** Finds the case a duplicate is merged into, by number or by tracking code. */
async function mergeTargetId(ctx: CommandContext, typed: string): Promise<number> {
  const text = typed.trim();
  if (/^\d+$/.test(text)) {
    const id = parseId(text);
    if (id === null) throw invalid('intoId', `no report with number "${text}"`, 'error.merge_target_not_found', { value: text });
    return id;
  }
  const code = normalizeTrackingCode(text);
  const target = code ? await getComplaintByTrackingCode(ctx.db, code) : undefined;
  if (!target) throw invalid('intoId', `no report with code or number "${text}"`, 'error.merge_target_not_found', { value: text });
  return target.complaint.id;
}

function required(value: string, field: string, key: string): string {
  if (!value.trim()) throw invalid(field, `${field} is required`, key);
  return value;
}

async function runAction(ctx: CommandContext, id: number, action: CaseAction, values: Record<string, string>): Promise<void> {
  // An answer written from a template records the template on its event (commands/answer-templates.ts).
  if ((action === 'follow-up' || action === 'resolve' || action === 'answer') && values.templateId) {
    await respondWithTemplate(ctx, id, {
      action: TEMPLATE_ANSWER_ACTIONS[action], body: values.body, templateId: parseId(values.templateId) ?? -1, visibleToCitizen: values.visibility !== 'internal',
    });
    return;
  }
  switch (action) {
    case 'verify': {
      const type = required(values.type, 'type', 'error.type_required');
      if (!COMPLAINT_TYPES.includes(type as ComplaintType)) throw invalid('type', 'unknown type', 'error.type_invalid');
      const complexity = values.complexity && COMPLEXITIES.includes(values.complexity) ? (values.complexity as Complexity) : undefined;
      const privacy = PRIVACY_LEVELS.includes(values.privacy as Privacy) ? (values.privacy as Privacy) : undefined;
      await verifyComplaint(ctx, id, {
        type: type as ComplaintType,
        categoryCode: required(values.categoryCode, 'categoryCode', 'error.category_required'),
        districtCode: values.districtCode,
        villageCode: values.villageCode || null,
        agencyCode: values.agencyCode || undefined,
        complexity,
        privacy,
        note: values.note,
      });
      return;
    }
    case 'dispatch':
      await dispatchComplaint(ctx, id, { agencyCode: required(values.agencyCode, 'agencyCode', 'error.agency_required'), note: values.note });
      return;
    case 'follow-up':
      await followUpComplaint(ctx, id, { body: values.body, visibleToCitizen: values.visibility !== 'internal' });
      return;
    case 'resolve':
      await resolveComplaint(ctx, id, { body: values.body });
      return;
    case 'answer':
      await answerComplaint(ctx, id, { body: values.body });
      return;
    case 'return':
      await returnComplaint(ctx, id, { reason: values.reason });
      return;
    case 'hold':
      await holdComplaint(ctx, id, { reason: values.reason });
      return;
    case 'resume':
      await resumeComplaint(ctx, id, { note: values.note });
      return;
    case 'reopen':
      await reopenComplaint(ctx, id, { reason: values.reason });
      return;
    case 'forward':
      await forwardComplaint(ctx, id, { destination: values.destination, body: values.body });
      return;
    case 'archive':
      await archiveComplaint(ctx, id, { reason: required(values.reason, 'reason', 'error.archive_reason_required') as ArchiveReason, note: values.note });
      return;
    case 'merge':
      await mergeComplaints(ctx, id, { intoId: await mergeTargetId(ctx, required(values.intoId, 'intoId', 'error.merge_target_required')) });
      return;
    case 'note':
      await addNote(ctx, id, { body: values.body });
      return;
  }
}

export function registerComplaintRoutes(app: Hono<AppEnv>): void {
  app.get('/staff/complaints/:id', async (c) => {
    const id = parseId(c.req.param('id'));
    if (id === null) return caseNotFound(c);
    const done = c.req.query('done');
    return renderCase(c, id, { banner: CASE_BANNERS.includes(done as CaseBanner) ? (done as CaseBanner) : undefined });
  });

  app.post('/staff/complaints/:id/identity', async (c) => {
    const id = parseId(c.req.param('id'));
    if (id === null) return caseNotFound(c);
    const user = staffUser(c);
    const detail = await getComplaintDetail(c.get('deps').db, user, id);
    if (!detail) return caseNotFound(c);
    if (identityAccess(user, detail.complaint) === 'none') return forbiddenPage(c);
    return renderCase(c, id, { revealIdentity: true });
  });

  app.post('/staff/complaints/:id/:action', async (c) => {
    const id = parseId(c.req.param('id'));
    const action = c.req.param('action') as CaseAction;
    if (id === null || !CASE_ACTIONS.includes(action)) return caseNotFound(c);
    const t = c.get('t');
    const form = await readForm(c);
    const values: Record<string, string> = {};
    for (const field of ACTION_FIELDS[action]) values[field] = formText(form, field);

    const ctx: CommandContext = { db: c.get('deps').db, actor: { kind: 'staff', user: staffUser(c) } };
    // A form shown before another officer moved the case on (verified,
    // dispatched it elsewhere) would apply to a state its sender never saw.
    const seenStatus = formText(form, SEEN_STATUS_FIELD);
    if (seenStatus) {
      const current = await ctx.db.selectFrom('complaints').leftJoin('agencies', 'agencies.id', 'complaints.agency_id')
        .select(['complaints.status', 'agencies.code as agency_code']).where('complaints.id', '=', id).executeTakeFirst();
      if (current && (current.status !== seenStatus || (current.agency_code ?? '') !== formText(form, SEEN_AGENCY_FIELD))) {
        logger.info({ complaintId: id, userId: staffUser(c).id, action, seenStatus, status: current.status }, 'stale case form rejected');
        const state = { action, values, errors: { [FORM_ERROR]: t('error.stale_form') } };
        return renderCase(c, id, { state, missing: () => lostCase(c, values) }, 409);
      }
    }
    const result = await attempt(t, ACTION_FIELDS[action], () => runAction(ctx, id, action, values));
    if (result.ok) return c.redirect(`/staff/complaints/${id}?done=${action}`, 303);
    if (result.error.code === 'not_found' && !result.error.field) return lostCase(c, values);
    return renderCase(c, id, { state: { action, values, errors: result.errors } }, result.error.httpStatus);
  });

  app.get('/staff/complaints/:id/attachments/:attachmentId', async (c) => {
    const id = parseId(c.req.param('id'));
    const attachmentId = parseId(c.req.param('attachmentId'));
    if (id === null || attachmentId === null) return caseNotFound(c);
    const db = c.get('deps').db;
    // Access follows the case: a user who may open the case may read its files.
    const detail = await getComplaintDetail(db, staffUser(c), id);
    if (!detail || !detail.attachments.some((attachment) => attachment.id === attachmentId)) return caseNotFound(c);
    const row = await db
      .selectFrom('attachments')
      .select(['file_name', 'mime_type', 'content'])
      .where('id', '=', attachmentId)
      .where('complaint_id', '=', id)
      .executeTakeFirst();
    if (!row) return caseNotFound(c);
    // Only images open in the page (for the preview); PDFs always download, so they never run in the site's origin.
    const inline = c.req.query('inline') === '1' && row.mime_type.startsWith('image/');
    const asciiName = row.file_name.replace(/[^\x20-\x7e]|["\\]/g, '_');
    c.header('Content-Type', row.mime_type);
    c.header('Content-Disposition', `${inline ? 'inline' : 'attachment'}; filename="${asciiName}"; filename*=UTF-8''${encodeURIComponent(row.file_name)}`);
    c.header('Cache-Control', 'private, no-store');
    return c.body(new Uint8Array(row.content));
  });
}
