/**
 * Back-office pages of canned answers (/staff/templates) and of the FAQ
 * (/staff/faq), what the case page shows of them (template picker, case
 * holder, FAQ-draft button), and `registerAnswerRoutes`, which registers
 * every fast-answer page: these, the roster, notification settings and the
 * public FAQ. The commands check permissions again, so a route that forgot
 * its gate still could not change anything.
 */
import type { Context, Hono, MiddlewareHandler } from 'hono';
import type { Child } from 'hono/jsx';
import type { AppEnv } from '../../context.ts';
import type { Complaint, FaqStatus } from '../../../db/schema.ts';
import type { CommandContext } from '../../../commands/context.ts';
import { CommandError } from '../../../commands/errors.ts';
import { fillTemplateForComplaint, markTemplateReviewed, saveTemplate, setTemplateActive, type TemplateInput } from '../../../commands/answer-templates.ts';
import { createFaqDraftFromComplaint, saveFaqArticle, type FaqInput } from '../../../commands/faq.ts';
import { saveAnswerSettings } from '../../../commands/roster.ts';
import {
  getAnswerSettings, getAssignee, getFaqArticle, listFaqForStaff, listTemplates, suggestTemplates, type TemplateRow,
} from '../../../queries/answers.ts';
import { listReferenceData } from '../../../queries/complaints.ts';
import { mayManageAnswers } from '../../../domain/templates.ts';
import { mayManageRoster } from '../../../domain/roster.ts';
import { OPEN_STATUSES } from '../../../domain/lifecycle.ts';
import { pageContext, renderPage } from '../../views/layout.tsx';
import { TemplateFormPage, TemplatesPage, TEMPLATE_FIELDS, SETTINGS_FIELDS } from '../../views/staff/templates/templates.tsx';
import { StaffFaqFormPage, StaffFaqListPage, FAQ_FIELDS } from '../../views/staff/templates/faq.tsx';
import {
  CaseHandlingPanel, TEMPLATE_ACTIONS, TemplatePicker, type ChosenTemplate, type TemplateAction,
} from '../../views/staff/templates/case-extras.tsx';
import type { ActionFormState, CaseAction } from '../../views/staff/case-actions.tsx';
import type { FieldErrors } from '../../views/components.tsx';
import { attempt, formChecked, formText, parseId, readForm, type FormBody } from '../../views/form.tsx';
import { errorPageResponse } from '../public/errors.tsx';
import { forbiddenPage, notFoundPage, staffUser } from './guard.tsx';
import { registerRosterRoutes } from './roster.tsx';
import { registerNotificationSettingsRoutes } from './notification-settings.tsx';
import { registerFaqRoutes } from '../public/faq.tsx';

const TEMPLATE_BANNERS = ['template-added', 'template-saved', 'template-reviewed', 'settings-saved'] as const;
const FAQ_BANNERS = ['faq-added', 'faq-saved', 'faq-drafted'] as const;

export function commandContext(c: Context<AppEnv>): CommandContext {
  return { db: c.get('deps').db, actor: { kind: 'staff', user: staffUser(c) } };
}

function templateNotFound(c: Context<AppEnv>) {
  return notFoundPage(c, 'error.not_found.template', { href: '/staff/templates', labelKey: 'nav.templates' });
}

function faqNotFound(c: Context<AppEnv>) {
  return notFoundPage(c, 'error.not_found.faq', { href: '/staff/faq', labelKey: 'nav.faq' });
}

/** Returns the translated banner for a `done` query value from the allowed list, or undefined. */
export function answersBanner(c: Context<AppEnv>, allowed: readonly string[]): string | undefined {
  const done = c.req.query('done');
  return done && allowed.includes(done) ? c.get('t')(`answers.banner.${done}`) : undefined;
}

const requireOfficer: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (staffUser(c).role === 'leader') return forbiddenPage(c);
  return next();
};

// ---------------------------------------------------------------------------
// Templates

async function templatesPage(c: Context<AppEnv>, options: { settingsValues?: Record<string, string>; errors?: FieldErrors; status?: number } = {}) {
  const user = staffUser(c);
  const db = c.get('deps').db;
  const reference = await listReferenceData(db);
  const query = (name: string) => (c.req.query(name) ?? '').trim();
  const filters = { q: query('q'), categoryCode: query('categoryCode'), agencyCode: query('agencyCode'), staleOnly: query('stale') !== '' };
  const categoryId = reference.categories.find((category) => category.code === filters.categoryCode)?.id;
  const agencyId = reference.agencies.find((agency) => agency.code === filters.agencyCode)?.id;
  const [templates, settings] = await Promise.all([
    listTemplates(db, user, { q: filters.q || undefined, categoryId, agencyId, includeInactive: true, staleOnly: filters.staleOnly }),
    getAnswerSettings(db),
  ]);
  return renderPage(
    c,
    <TemplatesPage ctx={pageContext(c)} templates={templates} filters={filters} reference={reference} staleDays={settings.templateStaleDays}
      canEditSettings={mayManageRoster(user)} settingsValues={options.settingsValues ?? {}} errors={options.errors ?? {}}
      banner={answersBanner(c, TEMPLATE_BANNERS)} />,
    options.status ?? 200,
  );
}

async function owners(c: Context<AppEnv>) {
  const user = staffUser(c);
  let query = c.get('deps').db.selectFrom('users').select(['id', 'name']).where('active', '=', true).where('role', '!=', 'leader');
  // An agency's templates are owned within the agency or by the complaint officers.
  if (user.role === 'agency_officer') {
    query = query.where((eb) => eb.or([eb('agency_id', '=', user.agencyId ?? -1), eb('role', 'in', ['admin', 'complaint_officer'])]));
  }
  return query.orderBy('name').execute();
}

async function agencyNameOf(c: Context<AppEnv>, agencyId: number | null): Promise<string | null> {
  if (agencyId === null) return null;
  const row = await c.get('deps').db.selectFrom('agencies').select('name').where('id', '=', agencyId).executeTakeFirst();
  return row?.name ?? null;
}

async function templateForm(c: Context<AppEnv>, templateId: number | undefined, values: Record<string, string>, errors: FieldErrors = {}, status = 200) {
  const user = staffUser(c);
  const [reference, ownerRows, fixedAgency] = await Promise.all([
    listReferenceData(c.get('deps').db),
    owners(c),
    user.role === 'agency_officer' ? agencyNameOf(c, user.agencyId) : Promise.resolve(null),
  ]);
  return renderPage(
    c,
    <TemplateFormPage ctx={pageContext(c)} templateId={templateId} values={values} errors={errors} reference={reference} owners={ownerRows}
      fixedAgencyName={user.role === 'agency_officer' ? (fixedAgency ?? '–') : null} />,
    status,
  );
}

function templateValues(form: FormBody): Record<string, string> {
  const values: Record<string, string> = {};
  for (const field of TEMPLATE_FIELDS) values[field] = formText(form, field);
  values.active = formChecked(form, 'active') ? '1' : '';
  return values;
}

function templateInput(values: Record<string, string>): TemplateInput {
  return {
    title: values.title,
    bodyId: values.bodyId,
    bodyEn: values.bodyEn,
    categoryCode: values.categoryCode || undefined,
    agencyCode: values.agencyCode || undefined,
    // An empty choice means the officer who saves it. Any other value must be a user id, so -1 makes the command reject the owner.
    ownerUserId: values.ownerUserId.trim() === '' ? undefined : (parseId(values.ownerUserId) ?? -1),
  };
}

function registerTemplateRoutes(app: Hono<AppEnv>): void {
  app.use('/staff/templates', requireOfficer);
  app.use('/staff/templates/*', requireOfficer);

  app.get('/staff/templates', (c) => templatesPage(c));

  app.post('/staff/templates/settings', async (c) => {
    const value = formText(await readForm(c), 'templateStaleDays').trim();
    const days = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
    const result = await attempt(c.get('t'), SETTINGS_FIELDS, () => saveAnswerSettings(commandContext(c), { templateStaleDays: days }));
    if (!result.ok) return templatesPage(c, { settingsValues: { templateStaleDays: value }, errors: result.errors, status: result.error.httpStatus });
    return c.redirect('/staff/templates?done=settings-saved', 303);
  });

  app.get('/staff/templates/new', (c) => templateForm(c, undefined, { ownerUserId: String(staffUser(c).id), active: '1' }));

  app.post('/staff/templates/new', async (c) => {
    const values = templateValues(await readForm(c));
    const result = await attempt(c.get('t'), TEMPLATE_FIELDS, () => saveTemplate(commandContext(c), templateInput(values)));
    if (!result.ok) return templateForm(c, undefined, values, result.errors, result.error.httpStatus);
    return c.redirect('/staff/templates?done=template-added', 303);
  });

  app.get('/staff/templates/:id', async (c) => {
    const id = parseId(c.req.param('id'));
    const db = c.get('deps').db;
    const row = id === null ? undefined : await db.selectFrom('answer_templates').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row || !mayManageAnswers(staffUser(c), row.agency_id)) return templateNotFound(c);
    const codes = await Promise.all([
      row.category_id === null ? undefined : db.selectFrom('categories').select('code').where('id', '=', row.category_id).executeTakeFirst(),
      row.agency_id === null ? undefined : db.selectFrom('agencies').select('code').where('id', '=', row.agency_id).executeTakeFirst(),
    ]);
    return templateForm(c, row.id, {
      title: row.title, bodyId: row.body_id, bodyEn: row.body_en ?? '', categoryCode: codes[0]?.code ?? '', agencyCode: codes[1]?.code ?? '',
      ownerUserId: String(row.owner_user_id), active: row.active ? '1' : '',
    });
  });

  app.post('/staff/templates/:id', async (c) => {
    const id = parseId(c.req.param('id'));
    if (id === null) return templateNotFound(c);
    const values = templateValues(await readForm(c));
    const ctx = commandContext(c);
    const result = await attempt(c.get('t'), TEMPLATE_FIELDS, async () => {
      await saveTemplate(ctx, templateInput(values), id);
      await setTemplateActive(ctx, id, values.active === '1');
    });
    if (!result.ok) return templateForm(c, id, values, result.errors, result.error.httpStatus);
    return c.redirect('/staff/templates?done=template-saved', 303);
  });

  app.post('/staff/templates/:id/reviewed', async (c) => {
    const id = parseId(c.req.param('id'));
    const result = await attempt(c.get('t'), [], () => markTemplateReviewed(commandContext(c), id ?? -1));
    if (!result.ok) return templatesPage(c, { errors: result.errors, status: result.error.httpStatus });
    return c.redirect('/staff/templates?done=template-reviewed', 303);
  });
}

// ---------------------------------------------------------------------------
// FAQ management

async function faqForm(c: Context<AppEnv>, articleId: number | undefined, values: Record<string, string>, options: { errors?: FieldErrors; status?: number; fromComplaint?: boolean } = {}) {
  const user = staffUser(c);
  const [reference, fixedAgency] = await Promise.all([
    listReferenceData(c.get('deps').db),
    user.role === 'agency_officer' ? agencyNameOf(c, user.agencyId) : Promise.resolve(null),
  ]);
  return renderPage(
    c,
    <StaffFaqFormPage ctx={pageContext(c)} articleId={articleId} values={values} errors={options.errors ?? {}} reference={reference}
      fixedAgencyName={user.role === 'agency_officer' ? (fixedAgency ?? '–') : null} fromComplaint={options.fromComplaint ?? false}
      banner={answersBanner(c, FAQ_BANNERS)} />,
    options.status ?? 200,
  );
}

function faqValues(form: FormBody): Record<string, string> {
  const values: Record<string, string> = {};
  for (const field of FAQ_FIELDS) values[field] = formText(form, field);
  return values;
}

function faqInput(values: Record<string, string>): FaqInput {
  return {
    question: values.question,
    questionEn: values.questionEn,
    answer: values.answer,
    answerEn: values.answerEn,
    categoryCode: values.categoryCode || undefined,
    agencyCode: values.agencyCode || undefined,
    status: (values.status || 'draft') as FaqStatus,
  };
}

function registerFaqManagementRoutes(app: Hono<AppEnv>): void {
  app.get('/staff/faq', async (c) => {
    const user = staffUser(c);
    const articles = await listFaqForStaff(c.get('deps').db, user);
    return renderPage(c, <StaffFaqListPage ctx={pageContext(c)} articles={articles} canEdit={user.role !== 'leader'} banner={answersBanner(c, FAQ_BANNERS)} />);
  });

  app.use('/staff/faq/*', requireOfficer);

  app.get('/staff/faq/new', (c) => faqForm(c, undefined, { status: 'draft' }));

  app.post('/staff/faq/new', async (c) => {
    const values = faqValues(await readForm(c));
    const result = await attempt(c.get('t'), FAQ_FIELDS, () => saveFaqArticle(commandContext(c), faqInput(values)));
    if (!result.ok) return faqForm(c, undefined, values, { errors: result.errors, status: result.error.httpStatus });
    return c.redirect('/staff/faq?done=faq-added', 303);
  });

  app.post('/staff/faq/from-complaint/:id', async (c) => {
    const complaintId = parseId(c.req.param('id'));
    const result = await attempt(c.get('t'), [], () => createFaqDraftFromComplaint(commandContext(c), complaintId ?? -1));
    if (!result.ok) return errorPageResponse(c, result.error.httpStatus, c.get('t')(result.error.key, result.error.params));
    return c.redirect(`/staff/faq/${result.value.id}?done=faq-drafted`, 303);
  });

  app.get('/staff/faq/:id', async (c) => {
    const id = parseId(c.req.param('id'));
    const article = id === null ? undefined : await getFaqArticle(c.get('deps').db, id, { publishedOnly: false });
    if (!article || !mayManageAnswers(staffUser(c), article.agencyId)) return faqNotFound(c);
    return faqForm(c, article.id, {
      question: article.question, questionEn: article.questionEn ?? '', answer: article.answer, answerEn: article.answerEn ?? '',
      categoryCode: article.categoryCode ?? '', agencyCode: article.agencyCode ?? '', status: article.status,
    }, { fromComplaint: article.sourceComplaintId !== null && article.status === 'draft' });
  });

  app.post('/staff/faq/:id', async (c) => {
    const id = parseId(c.req.param('id'));
    if (id === null) return faqNotFound(c);
    const values = faqValues(await readForm(c));
    const result = await attempt(c.get('t'), FAQ_FIELDS, () => saveFaqArticle(commandContext(c), faqInput(values), id));
    if (!result.ok) return faqForm(c, id, values, { errors: result.errors, status: result.error.httpStatus });
    return c.redirect('/staff/faq?done=faq-saved', 303);
  });
}

// ---------------------------------------------------------------------------
// Case page

/** Maps a case-page form to the lifecycle action a template answer performs. */
export const TEMPLATE_ANSWER_ACTIONS: Record<TemplateAction, 'answer' | 'resolve' | 'follow_up'> = {
  answer: 'answer',
  resolve: 'resolve',
  'follow-up': 'follow_up',
};

export function isTemplateAction(action: string): action is TemplateAction {
  return (TEMPLATE_ACTIONS as readonly string[]).includes(action);
}

export interface CaseAnswerExtras {
  /** Template pickers to show above the answer forms. */
  pickers: Partial<Record<CaseAction, Child>>;
  /** The answer form filled from a chosen template, when the URL asks for one. */
  state?: ActionFormState;
  /** Case holder and FAQ-draft panel for the side column. */
  panel: Child;
}

/**
 * Loads what the case page shows of the fast-answer features. `?template=ID&for=answer`
 * fills that form from the template (`bahasa=en` for its English text);
 * `?tq=…&for=answer` searches templates for that form.
 */
export async function loadCaseAnswerExtras(c: Context<AppEnv>, complaint: Complaint, allowed: readonly CaseAction[]): Promise<CaseAnswerExtras> {
  const user = staffUser(c);
  const db = c.get('deps').db;
  const t = c.get('t');
  const forAction = c.req.query('for') ?? '';
  const q = (c.req.query('tq') ?? '').trim();
  const templateId = parseId(c.req.query('template'));

  let state: ActionFormState | undefined;
  let chosen: ChosenTemplate | undefined;
  if (templateId !== null && isTemplateAction(forAction) && allowed.includes(forAction)) {
    try {
      const filled = await fillTemplateForComplaint(db, user, complaint.id, templateId, c.req.query('bahasa') === 'en' ? 'en' : 'id');
      const template = await db.selectFrom('answer_templates').select('title').where('id', '=', templateId).executeTakeFirstOrThrow();
      state = { action: forAction, values: { body: filled.text, templateId: String(filled.templateId) }, errors: {} };
      chosen = { title: template.title, missing: filled.missing };
    } catch (error) {
      // A stale link to a template that is gone or not the user's shows the page without it.
      if (!(error instanceof CommandError)) throw error;
    }
  }

  const pickers: Partial<Record<CaseAction, Child>> = {};
  if (user.role !== 'leader') {
    for (const action of TEMPLATE_ACTIONS.filter((candidate) => allowed.includes(candidate))) {
      const suggestions: TemplateRow[] = await suggestTemplates(db, user, complaint, forAction === action ? q : undefined);
      pickers[action] = (
        <TemplatePicker t={t} complaintId={complaint.id} action={action} suggestions={suggestions} q={forAction === action ? q : ''}
          chosen={state?.action === action ? chosen : undefined} />
      );
    }
  }

  const assignee = await getAssignee(db, complaint);
  const isOpen = OPEN_STATUSES.includes(complaint.status);
  const resolvedQuestion = complaint.type === 'permintaan_informasi' && (complaint.status === 'resolved' || complaint.status === 'closed');
  const panel = (
    <CaseHandlingPanel t={t} csrfToken={c.get('csrfToken')} complaintId={complaint.id} assignee={assignee} userId={user.id}
      canTake={user.role !== 'leader' && isOpen && assignee?.id !== user.id}
      canHandBack={isOpen && assignee !== null && (assignee.id === user.id || mayManageRoster(user))}
      canDraftFaq={resolvedQuestion && user.role !== 'leader'} />
  );
  return { pickers, state, panel };
}

// ---------------------------------------------------------------------------

/**
 * Registers every fast-answer page: templates and FAQ management here, the
 * roster, notification settings, and the public FAQ. Call it after the
 * /staff session and CSRF middleware are in place.
 */
export function registerAnswerRoutes(app: Hono<AppEnv>, guards: { originCheck: MiddlewareHandler<AppEnv> }): void {
  registerFaqRoutes(app, guards);
  registerTemplateRoutes(app);
  registerFaqManagementRoutes(app);
  registerRosterRoutes(app);
  registerNotificationSettingsRoutes(app);
}
