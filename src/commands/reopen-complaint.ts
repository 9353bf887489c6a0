/**
 * Reopening a resolved report: by an officer, by the citizen's reply, or by a
 * satisfaction rating of 1 or 2. The report goes back to the agency that
 * answered it, or to the complaint officers when no agency held it.
 */
import type { Complaint } from '../db/schema.ts';
import type { ComplaintStatus } from '../domain/types.ts';
import { nextStatus, REOPENING_RATING_MAX } from '../domain/lifecycle.ts';
import { appendEvent, authorizeTransition, changeComplaint, lockComplaint, requireText, type Actor, type CommandContext, type Tx } from './context.ts';
import { CommandError, invalid } from './errors.ts';
import { refreshDeadlines } from './deadlines.ts';
import { storeAttachments, type AttachmentUpload } from './receive-complaint.ts';

export async function reopenComplaint(ctx: CommandContext, complaintId: number, input: { reason: string }) {
  return changeComplaint(ctx, complaintId, async (complaint) => {
    const status = authorizeTransition(ctx.actor, complaint, 'reopen', { hasAgency: complaint.agency_id !== null });
    const reason = requireText(input.reason, 'reason', 5, 2000);
    return {
      update: { status, resolved_at: null },
      event: { type: 'reopened', visibility: 'public', body: reason, data: { cause: 'officer' } },
    };
  });
}

async function reopenInTransaction(trx: Tx, actor: Actor, complaint: Complaint, cause: string, now: Date): Promise<Complaint> {
  const status = nextStatus(complaint.status, 'reopen', { hasAgency: complaint.agency_id !== null });
  await appendEvent(trx, complaint.id, actor, { type: 'reopened', visibility: 'public', data: { cause } }, now);
  return trx
    .updateTable('complaints')
    .set({ status, resolved_at: null, updated_at: now })
    .where('id', '=', complaint.id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * The citizen rates the final answer (kepuasan), 1 to 5. A rating of 1 or 2
 * on a resolved report reopens it. One rating per answer: a new answer after
 * a reopen may be rated again.
 */
export async function rateComplaint(ctx: CommandContext, complaintId: number, input: { rating: number; comment?: string }) {
  const now = ctx.now ?? new Date();
  if (!Number.isInteger(input.rating) || input.rating < 1 || input.rating > 5) {
    throw invalid('rating', 'rating must be a whole number from 1 to 5', 'error.rating_invalid');
  }
  return ctx.db.transaction().execute(async (trx) => {
    let complaint = await lockComplaint(trx, complaintId);
    if (complaint.status !== 'resolved' && complaint.status !== 'closed') {
      throw new CommandError('invalid_transition', 'only a resolved report can be rated', 'error.rate_not_resolved');
    }
    const lastAnswer = await trx
      .selectFrom('complaint_events')
      .select('at')
      .where('complaint_id', '=', complaintId)
      .where('type', 'in', ['resolved', 'answered'])
      .orderBy('at', 'desc')
      .executeTakeFirst();
    const ratedSince = await trx
      .selectFrom('complaint_events')
      .select('id')
      .where('complaint_id', '=', complaintId)
      .where('type', '=', 'rated')
      .where('at', '>=', lastAnswer?.at ?? new Date(0))
      .executeTakeFirst();
    if (ratedSince) throw new CommandError('conflict', 'this answer was already rated', 'error.already_rated');

    const comment = input.comment?.trim() ? requireText(input.comment, 'comment', 1, 2000) : null;
    await appendEvent(trx, complaintId, ctx.actor, { type: 'rated', visibility: 'public', body: comment, data: { rating: input.rating } }, now);
    complaint = await trx.updateTable('complaints').set({ rating: input.rating }).where('id', '=', complaintId).returningAll().executeTakeFirstOrThrow();
    if (input.rating <= REOPENING_RATING_MAX && complaint.status === 'resolved') {
      complaint = await reopenInTransaction(trx, ctx.actor, complaint, 'low_rating', now);
    }
    await refreshDeadlines(trx, complaint, now);
    return complaint;
  });
}

/**
 * The citizen replies on their report (from the tracking page or a channel).
 * A reply resumes a report on hold and reopens a resolved one; on a closed or
 * ended report it is refused, and the citizen is asked to file a new one.
 */
export async function replyAsCitizen(
  ctx: CommandContext,
  complaintId: number,
  input: { body: string; attachments?: AttachmentUpload[]; eventData?: Record<string, unknown> },
) {
  const now = ctx.now ?? new Date();
  const body = requireText(input.body, 'body', 1, 5000);
  return ctx.db.transaction().execute(async (trx) => {
    const replied = await replyInTransaction(trx, ctx.actor, complaintId, { ...input, body }, now);
    if (!replied) throw new CommandError('invalid_transition', 'this report is closed; file a new report', 'error.reply_closed');
    return replied.complaint;
  });
}

/** Statuses on which a citizen's reply is recorded; a closed or ended report needs a new one. */
export const REPLYABLE_STATUSES: readonly ComplaintStatus[] = ['new', 'verified', 'dispatched', 'in_progress', 'on_hold', 'resolved'];

/**
 * Records a citizen's reply inside the caller's transaction: the
 * `citizen_replied` event and its files, then a resume or reopen. Returns
 * null, writing nothing, when the report no longer takes replies; channels
 * then open a new report instead.
 */
export async function replyInTransaction(
  trx: Tx,
  actor: Actor,
  complaintId: number,
  input: { body: string; attachments?: AttachmentUpload[]; eventData?: Record<string, unknown> },
  now: Date,
): Promise<{ complaint: Complaint; eventId: number } | null> {
  let complaint = await lockComplaint(trx, complaintId);
  if (!REPLYABLE_STATUSES.includes(complaint.status)) return null;
  const eventId = await appendEvent(
    trx, complaintId, actor,
    { type: 'citizen_replied', visibility: 'public', body: input.body, data: input.eventData ?? {} },
    now,
  );
  await storeAttachments(trx, complaintId, eventId, input.attachments ?? []);
  const system: Actor = { kind: 'system', reason: 'citizen_reply' };
  if (complaint.status === 'on_hold') {
    const status = nextStatus('on_hold', 'resume', { statusBeforeHold: complaint.status_before_hold });
    await appendEvent(trx, complaintId, system, { type: 'resumed', data: { cause: 'citizen_reply' } }, now);
    complaint = await trx
      .updateTable('complaints')
      .set({ status, status_before_hold: null, updated_at: now })
      .where('id', '=', complaintId)
      .returningAll()
      .executeTakeFirstOrThrow();
  } else if (complaint.status === 'resolved') {
    complaint = await reopenInTransaction(trx, system, complaint, 'citizen_reply', now);
  }
  await refreshDeadlines(trx, complaint, now);
  return { complaint, eventId };
}
