/**
 * Canned answers (template tanggapan): keeping templates, marking them
 * reviewed, filling one for a case, and sending an answer written from a
 * template so that its event records `templateId` and usage can be counted.
 */
import type { Kysely } from 'kysely';
import type { AnswerTemplate, Complaint, DB } from '../db/schema.ts';
import {
  fillTemplate, findPlaceholders, mayManageAnswers, mayUseReporterName, mayUseTemplate, type TemplateLocale, type TemplateValues,
} from '../domain/templates.ts';
import { wibDate } from '../domain/time.ts';
import { canSeeComplaint, identityAccess } from '../policies/complaints.ts';
import { getReporterIdentity } from '../queries/complaints.ts';
import { authorizeTransition, changeComplaint, requireText, staffUser, type CommandContext, type StaffUser } from './context.ts';
import { CommandError, invalid, notFound } from './errors.ts';

export const TEMPLATE_TITLE_MAX = 200;
export const TEMPLATE_BODY_MAX = 5000;

export interface TemplateInput {
  title: string;
  bodyId: string;
  bodyEn?: string;
  categoryCode?: string;
  agencyCode?: string;
  /** Officer responsible for reviewing it; defaults to the one who saves it. */
  ownerUserId?: number;
}

function requireStaff(ctx: CommandContext): StaffUser {
  const user = staffUser(ctx.actor);
  if (!user || user.role === 'leader') {
    throw new CommandError('forbidden', 'only officers may keep templates', 'error.answers.forbidden');
  }
  return user;
}

function checkPlaceholders(text: string, field: string): void {
  const { unknown } = findPlaceholders(text);
  if (unknown.length > 0) {
    throw invalid(field, `unknown placeholder(s) ${unknown.map((name) => `{{${name}}}`).join(', ')}`, 'error.answers.placeholder_unknown', {
      names: unknown.map((name) => `{{${name}}}`).join(', '),
    });
  }
}

/**
 * Creates a template (no `id`) or updates one. Saving counts as a review, so
 * the last-reviewed date becomes today (WIB). Unknown placeholders are
 * rejected, so a typo never reaches a citizen as raw braces. An agency
 * officer's template always belongs to their agency.
 *
 * @example await saveTemplate(ctx, { title: 'Jadwal pemangkasan', bodyId: 'Laporan {{kode_lacak}} …', agencyCode: 'dlh' })
 */
export async function saveTemplate(ctx: CommandContext, input: TemplateInput, id?: number): Promise<AnswerTemplate> {
  const user = requireStaff(ctx);
  const now = ctx.now ?? new Date();
  const title = requireText(input.title, 'title', 3, TEMPLATE_TITLE_MAX);
  const bodyId = requireText(input.bodyId, 'bodyId', 5, TEMPLATE_BODY_MAX);
  const bodyEn = input.bodyEn?.trim() ? requireText(input.bodyEn, 'bodyEn', 5, TEMPLATE_BODY_MAX) : null;
  checkPlaceholders(bodyId, 'bodyId');
  if (bodyEn) checkPlaceholders(bodyEn, 'bodyEn');

  return ctx.db.transaction().execute(async (trx) => {
    let categoryId: number | null = null;
    if (input.categoryCode) {
      const category = await trx.selectFrom('categories').select(['id', 'active']).where('code', '=', input.categoryCode).executeTakeFirst();
      if (!category || !category.active) {
        throw invalid('categoryCode', `category "${input.categoryCode}" does not exist`, 'error.category_unknown', { code: input.categoryCode });
      }
      categoryId = category.id;
    }
    let agencyId: number | null = null;
    if (user.role === 'agency_officer') {
      agencyId = user.agencyId;
    } else if (input.agencyCode) {
      const agency = await trx.selectFrom('agencies').select(['id', 'active']).where('code', '=', input.agencyCode).executeTakeFirst();
      if (!agency || !agency.active) {
        throw invalid('agencyCode', `agency "${input.agencyCode}" does not exist`, 'error.agency_unknown', { code: input.agencyCode });
      }
      agencyId = agency.id;
    }
    const ownerUserId = input.ownerUserId ?? user.id;
    const owner = await trx.selectFrom('users').select(['id', 'active', 'role', 'agency_id']).where('id', '=', ownerUserId).executeTakeFirst();
    if (!owner || !owner.active || owner.role === 'leader') {
      throw invalid('ownerUserId', `user ${ownerUserId} cannot own templates`, 'error.answers.owner_invalid');
    }
    // The owner reviews the template, so must be able to open and edit it.
    if (!mayManageAnswers({ id: owner.id, role: owner.role, agencyId: owner.agency_id, name: '' }, agencyId)) {
      throw invalid('ownerUserId', `user ${ownerUserId} works for another agency`, 'error.answers.owner_other_agency');
    }
    if (!mayManageAnswers(user, agencyId)) throw new CommandError('forbidden', 'the template belongs to another agency', 'error.answers.forbidden');

    const values = {
      title, body_id: bodyId, body_en: bodyEn, category_id: categoryId, agency_id: agencyId, owner_user_id: owner.id,
      last_reviewed_on: wibDate(now), updated_at: now,
    };
    if (id === undefined) {
      return trx.insertInto('answer_templates').values({ ...values, created_by_user_id: user.id, created_at: now }).returningAll().executeTakeFirstOrThrow();
    }
    const existing = await trx.selectFrom('answer_templates').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!existing) throw notFound('template');
    if (!mayManageAnswers(user, existing.agency_id)) throw new CommandError('forbidden', 'the template belongs to another agency', 'error.answers.forbidden');
    return trx.updateTable('answer_templates').set(values).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  });
}

async function editableTemplate(ctx: CommandContext, id: number): Promise<{ user: StaffUser; template: AnswerTemplate }> {
  const user = requireStaff(ctx);
  const template = Number.isSafeInteger(id) && id > 0
    ? await ctx.db.selectFrom('answer_templates').selectAll().where('id', '=', id).executeTakeFirst()
    : undefined;
  if (!template) throw notFound('template');
  if (!mayManageAnswers(user, template.agency_id)) throw new CommandError('forbidden', 'the template belongs to another agency', 'error.answers.forbidden');
  return { user, template };
}

/** Records that a template was reviewed today (WIB) without changing its text. */
export async function markTemplateReviewed(ctx: CommandContext, id: number): Promise<void> {
  await editableTemplate(ctx, id);
  const now = ctx.now ?? new Date();
  await ctx.db.updateTable('answer_templates').set({ last_reviewed_on: wibDate(now), updated_at: now }).where('id', '=', id).execute();
}

/** Deactivates a template (it leaves the picker but keeps its usage history) or activates it again. */
export async function setTemplateActive(ctx: CommandContext, id: number, active: boolean): Promise<void> {
  await editableTemplate(ctx, id);
  await ctx.db.updateTable('answer_templates').set({ active, updated_at: ctx.now ?? new Date() }).where('id', '=', id).execute();
}

/** Clocks whose deadline `{{tenggat}}` names, nearest first when several run. */
const DEADLINE_CLOCKS = ['resolution', 'first_follow_up', 'verification'] as const;

/**
 * Returns the values a template inserts for this case, as the user may see
 * them. The reporter's name is read only when `mayUseReporterName` allows
 * it and the text uses it, and that read is logged like every identity view.
 */
export async function templateValuesFor(db: Kysely<DB>, user: StaffUser, complaint: Complaint, needsName: boolean): Promise<TemplateValues> {
  const [agency, deadlines] = await Promise.all([
    complaint.agency_id === null ? undefined : db.selectFrom('agencies').select('name').where('id', '=', complaint.agency_id).executeTakeFirst(),
    db
      .selectFrom('complaint_deadlines')
      .select(['clock', 'due_date'])
      .where('complaint_id', '=', complaint.id)
      .where('status', 'in', ['running', 'breached', 'paused'])
      .where('clock', 'in', [...DEADLINE_CLOCKS])
      .execute(),
  ]);
  const running = deadlines.filter((row) => row.due_date !== null).sort((a, b) => a.due_date!.localeCompare(b.due_date!));
  let reporterName: string | null = null;
  if (needsName && mayUseReporterName(identityAccess(user, complaint), complaint.privacy)) {
    reporterName = (await getReporterIdentity(db, user.id, complaint))?.name ?? null;
  }
  return { trackingCode: complaint.tracking_code, reporterName, agency: agency?.name ?? null, deadline: running[0]?.due_date ?? null };
}

export interface FilledTemplate {
  templateId: number;
  text: string;
  /** Placeholders the case has no value for; the text shows a bracketed hint in their place. */
  missing: string[];
}

/**
 * Fills a template for one case in the chosen language (English falls back
 * to Indonesian when the template has no English text).
 *
 * @example const filled = await fillTemplateForComplaint(db, user, 12, 3, 'id');
 */
export async function fillTemplateForComplaint(
  db: Kysely<DB>,
  user: StaffUser,
  complaintId: number,
  templateId: number,
  locale: TemplateLocale,
): Promise<FilledTemplate> {
  const complaint = await db.selectFrom('complaints').selectAll().where('id', '=', complaintId).executeTakeFirst();
  if (!complaint || !canSeeComplaint(user, complaint)) throw notFound();
  const template = await db.selectFrom('answer_templates').selectAll().where('id', '=', templateId).executeTakeFirst();
  if (!template || !template.active || !mayUseTemplate(user, template.agency_id)) throw notFound('template');
  const source = locale === 'en' && template.body_en ? template.body_en : template.body_id;
  const values = await templateValuesFor(db, user, complaint, findPlaceholders(source).known.includes('nama_pelapor'));
  const filled = fillTemplate(source, values, locale === 'en' && template.body_en ? 'en' : 'id');
  return { templateId: template.id, text: filled.text, missing: filled.missing };
}

/** The answer forms a template can be used in, by lifecycle action. */
export type TemplateAnswerAction = 'answer' | 'resolve' | 'follow_up';

export interface TemplateAnswerInput {
  action: TemplateAnswerAction;
  /** The text as the officer sends it, after editing the filled template. */
  body: string;
  templateId: number;
  /** For a follow-up: whether the citizen sees it (default true). */
  visibleToCitizen?: boolean;
}

/**
 * Sends an answer, final answer or follow-up written from a template. It
 * makes the same change and writes the same event as `answerComplaint`,
 * `resolveComplaint` and `followUpComplaint`, with `templateId` in the
 * event data. The template must be active and usable by the officer.
 *
 * @example await respondWithTemplate(ctx, 12, { action: 'answer', body: filled.text, templateId: 3 })
 */
export async function respondWithTemplate(ctx: CommandContext, complaintId: number, input: TemplateAnswerInput) {
  const user = requireStaff(ctx);
  // The officer's text is kept on the form, so the error belongs to the template field, not to the case.
  const unavailable = new CommandError('not_found', `template ${input.templateId} is not available`, 'error.template_unavailable', {}, 'templateId');
  if (!Number.isSafeInteger(input.templateId) || input.templateId <= 0 || input.templateId > 2_147_483_647) throw unavailable;
  const template = await ctx.db.selectFrom('answer_templates').select(['id', 'active', 'agency_id']).where('id', '=', input.templateId).executeTakeFirst();
  if (!template || !template.active || !mayUseTemplate(user, template.agency_id)) throw unavailable;

  // NOTE: this mirrors the three answer commands; a change to what they update or record must be made here too.
  return changeComplaint(ctx, complaintId, async (complaint, _trx, now) => {
    const data = { templateId: template.id };
    switch (input.action) {
      case 'answer': {
        const status = authorizeTransition(ctx.actor, complaint, 'answer');
        const body = requireText(input.body, 'body', 5, 5000);
        return {
          update: { status, resolved_at: now, first_response_at: complaint.first_response_at ?? now },
          event: { type: 'answered', visibility: 'public', body, data },
        };
      }
      case 'resolve': {
        const status = authorizeTransition(ctx.actor, complaint, 'resolve');
        const body = requireText(input.body, 'body', 5, 5000);
        return {
          update: { status, resolved_at: now, first_response_at: complaint.first_response_at ?? now },
          event: { type: 'resolved', visibility: 'public', agencyId: complaint.agency_id, body, data },
        };
      }
      case 'follow_up': {
        const status = authorizeTransition(ctx.actor, complaint, 'follow_up');
        const body = requireText(input.body, 'body', 5, 5000);
        const visible = input.visibleToCitizen ?? true;
        return {
          update: { status, ...(visible && complaint.first_response_at === null ? { first_response_at: now } : {}) },
          event: {
            type: 'followed_up',
            visibility: visible ? 'public' : 'internal',
            agencyId: complaint.agency_id,
            body,
            data: { ...data, visibleToCitizen: visible },
          },
        };
      }
    }
  });
}
