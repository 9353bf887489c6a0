/**
 * The public FAQ: officers write and publish articles, turn a resolved
 * question into a draft in one step, and citizens' "this answered my
 * question" is counted without opening a case or keeping personal data.
 */
import type { Kysely } from 'kysely';
import type { DB, FaqArticle, FaqStatus } from '../db/schema.ts';
import { maskPersonNames } from '../domain/person-names.ts';
import { mayManageAnswers, redactIdentity } from '../domain/templates.ts';
import { canSeeComplaint } from '../policies/complaints.ts';
import { appendEvent, lockComplaint, requireText, staffUser, type CommandContext, type StaffUser, type Tx } from './context.ts';
import { CommandError, invalid, notFound } from './errors.ts';

export const FAQ_STATUSES: readonly FaqStatus[] = ['draft', 'published', 'archived'];
export const FAQ_QUESTION_MAX = 500;
export const FAQ_ANSWER_MAX = 10_000;

export interface FaqInput {
  question: string;
  questionEn?: string;
  answer: string;
  answerEn?: string;
  categoryCode?: string;
  agencyCode?: string;
  status: FaqStatus;
}

function requireStaff(ctx: CommandContext): StaffUser {
  const user = staffUser(ctx.actor);
  if (!user) throw new CommandError('forbidden', 'only staff may edit the FAQ', 'error.forbidden_action', { action: 'faq' });
  return user;
}

function forbidden(): CommandError {
  return new CommandError('forbidden', 'this FAQ article belongs to another agency', 'error.answers.forbidden');
}

async function resolveCodes(db: Kysely<DB> | Tx, categoryCode?: string, agencyCode?: string) {
  let categoryId: number | null = null;
  let agencyId: number | null = null;
  if (categoryCode) {
    const category = await db.selectFrom('categories').select(['id', 'active']).where('code', '=', categoryCode).executeTakeFirst();
    if (!category || !category.active) throw invalid('categoryCode', `category "${categoryCode}" does not exist`, 'error.category_unknown', { code: categoryCode });
    categoryId = category.id;
  }
  if (agencyCode) {
    const agency = await db.selectFrom('agencies').select(['id', 'active']).where('code', '=', agencyCode).executeTakeFirst();
    if (!agency || !agency.active) throw invalid('agencyCode', `agency "${agencyCode}" does not exist`, 'error.agency_unknown', { code: agencyCode });
    agencyId = agency.id;
  }
  return { categoryId, agencyId };
}

function optionalText(value: string | undefined, field: string, max: number): string | null {
  const text = (value ?? '').trim();
  if (!text) return null;
  return requireText(text, field, 5, max);
}

/**
 * Creates an article (no `id`) or updates one. Publishing needs the
 * responsible agency. An agency officer may only keep their own agency's
 * articles, so their article always names their agency.
 *
 * @example await saveFaqArticle(ctx, { question: 'Bagaimana …?', answer: '…', agencyCode: 'dlh', status: 'published' })
 */
export async function saveFaqArticle(ctx: CommandContext, input: FaqInput, id?: number): Promise<FaqArticle> {
  const user = requireStaff(ctx);
  const now = ctx.now ?? new Date();
  const question = requireText(input.question, 'question', 5, FAQ_QUESTION_MAX);
  const answer = requireText(input.answer, 'answer', 5, FAQ_ANSWER_MAX);
  const questionEn = optionalText(input.questionEn, 'questionEn', FAQ_QUESTION_MAX);
  const answerEn = optionalText(input.answerEn, 'answerEn', FAQ_ANSWER_MAX);
  if (!FAQ_STATUSES.includes(input.status)) throw invalid('status', `status must be one of ${FAQ_STATUSES.join(', ')}`, 'error.answers.faq_status_invalid');

  return ctx.db.transaction().execute(async (trx) => {
    const codes = await resolveCodes(trx, input.categoryCode, input.agencyCode);
    const agencyId = user.role === 'agency_officer' ? user.agencyId : codes.agencyId;
    if (input.status === 'published' && agencyId === null) {
      throw invalid('agencyCode', 'choose the responsible agency before publishing', 'error.answers.faq_agency_required');
    }
    if (!mayManageAnswers(user, agencyId)) throw forbidden();
    const values = {
      question, question_en: questionEn, answer, answer_en: answerEn, category_id: codes.categoryId, agency_id: agencyId, status: input.status,
      updated_by_user_id: user.id, updated_at: now,
    };
    if (id === undefined) {
      return trx
        .insertInto('faq_articles')
        .values({ ...values, created_by_user_id: user.id, created_at: now, published_at: input.status === 'published' ? now : null })
        .returningAll()
        .executeTakeFirstOrThrow();
    }
    const existing = await trx.selectFrom('faq_articles').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!existing) throw notFound('faq');
    if (!mayManageAnswers(user, existing.agency_id)) throw forbidden();
    const publishedAt = input.status === 'published' ? (existing.published_at ?? now) : existing.published_at;
    return trx.updateTable('faq_articles').set({ ...values, published_at: publishedAt }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  });
}

/** Event types whose text is the final answer to a question. */
const ANSWER_EVENT_TYPES = ['answered', 'resolved'];

/**
 * Turns a resolved question and its final answer into an FAQ draft: the
 * question is the report's description and the answer the last final
 * answer, both with the reporter's name and contacts removed and personal
 * data masked. The draft keeps the report's category and agency, and an
 * internal `faq_drafted` event records it on the case. An officer must still
 * read and publish it, because names of other people are not detected.
 *
 * @example const draft = await createFaqDraftFromComplaint(ctx, 42);
 */
export async function createFaqDraftFromComplaint(ctx: CommandContext, complaintId: number): Promise<FaqArticle> {
  const user = requireStaff(ctx);
  const now = ctx.now ?? new Date();
  return ctx.db.transaction().execute(async (trx) => {
    const complaint = await lockComplaint(trx, complaintId);
    if (!canSeeComplaint(user, complaint)) throw notFound();
    if (complaint.type !== 'permintaan_informasi' || (complaint.status !== 'resolved' && complaint.status !== 'closed')) {
      throw new CommandError('invalid_transition', 'only a resolved question can become an FAQ draft', 'error.answers.faq_not_resolved_question');
    }
    const answer = await trx
      .selectFrom('complaint_events')
      .select('body')
      .where('complaint_id', '=', complaint.id)
      .where('type', 'in', ANSWER_EVENT_TYPES)
      .where('visibility', '=', 'public')
      .where('body', 'is not', null)
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .executeTakeFirst();
    if (!answer?.body) throw new CommandError('invalid_transition', 'the question has no written answer', 'error.answers.faq_no_answer');

    const identity = await knownIdentity(trx, complaint.reporter_id);
    let agencyId = complaint.agency_id;
    if (agencyId === null && complaint.category_id !== null) {
      const category = await trx.selectFrom('categories').select('agency_id').where('id', '=', complaint.category_id).executeTakeFirst();
      agencyId = category?.agency_id ?? null;
    }
    if (user.role === 'agency_officer') agencyId = user.agencyId;
    if (!mayManageAnswers(user, agencyId)) throw forbidden();

    const draft = await trx
      .insertInto('faq_articles')
      .values({
        question: maskPersonNames(redactIdentity(complaint.description, identity)).slice(0, FAQ_QUESTION_MAX),
        answer: maskPersonNames(redactIdentity(answer.body, identity)).slice(0, FAQ_ANSWER_MAX),
        category_id: complaint.category_id,
        agency_id: agencyId,
        status: 'draft',
        source_complaint_id: complaint.id,
        created_by_user_id: user.id,
        updated_by_user_id: user.id,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendEvent(trx, complaint.id, ctx.actor, { type: 'faq_drafted', visibility: 'internal', data: { faqId: draft.id } }, now);
    return draft;
  });
}

async function knownIdentity(trx: Tx, reporterId: number | null) {
  if (reporterId === null) return { name: null, contacts: [] };
  const [reporter, contacts] = await Promise.all([
    trx.selectFrom('reporters').select('name').where('id', '=', reporterId).executeTakeFirst(),
    trx.selectFrom('contacts').select('value').where('reporter_id', '=', reporterId).execute(),
  ]);
  return { name: reporter?.name ?? null, contacts: contacts.map((contact) => contact.value) };
}

/**
 * Counts one self-service answer: a citizen said a published article
 * answered their question, so no report was filed. Stores the article and
 * the time only. Throws not found for an article that is not published.
 *
 * @example await recordSelfServiceAnswer(db, 7)
 */
export async function recordSelfServiceAnswer(db: Kysely<DB>, faqId: number, now = new Date()): Promise<void> {
  if (!Number.isSafeInteger(faqId) || faqId <= 0) throw notFound('faq');
  const article = await db.selectFrom('faq_articles').select('status').where('id', '=', faqId).executeTakeFirst();
  if (!article || article.status !== 'published') throw notFound('faq');
  await db.insertInto('faq_self_service_answers').values({ faq_id: faqId, answered_at: now }).execute();
}
