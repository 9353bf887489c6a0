/**
 * Merges a duplicate into the case that keeps going. The duplicate is
 * archived with a link, its reporter keeps their tracking code, and the
 * tracking page of the duplicate shows the answers given on the kept case.
 */
import { appendEvent, authorizeTransition, lockComplaint, type CommandContext, type Tx } from './context.ts';
import { CommandError } from './errors.ts';
import { refreshDeadlines } from './deadlines.ts';
import { isClosedOrMerged } from '../domain/lifecycle.ts';

/** Locks a complaint; a missing target is an error on the form's target field, not "this report was not found". */
async function lockOrMissingTarget(trx: Tx, id: number, intoId: number) {
  try {
    return await lockComplaint(trx, id);
  } catch (error) {
    if (id !== intoId || !(error instanceof CommandError) || error.code !== 'not_found') throw error;
    throw new CommandError('not_found', `no report ${intoId} to merge into`, 'error.merge_target_not_found', { value: String(intoId) }, 'intoId');
  }
}

export async function mergeComplaints(ctx: CommandContext, duplicateId: number, input: { intoId: number }) {
  const now = ctx.now ?? new Date();
  if (duplicateId === input.intoId) throw new CommandError('invalid', 'a report cannot be merged into itself', 'error.merge_self', {}, 'intoId');
  return ctx.db.transaction().execute(async (trx) => {
    // Lock in id order so that two officers merging the same pair cannot deadlock.
    const [firstId, secondId] = duplicateId < input.intoId ? [duplicateId, input.intoId] : [input.intoId, duplicateId];
    const first = await lockOrMissingTarget(trx, firstId, input.intoId);
    const second = await lockOrMissingTarget(trx, secondId, input.intoId);
    const duplicate = first.id === duplicateId ? first : second;
    const target = first.id === duplicateId ? second : first;

    const status = authorizeTransition(ctx.actor, duplicate, 'merge');
    if (isClosedOrMerged(target)) {
      throw new CommandError('invalid_transition', 'the target report is already closed or merged', 'error.merge_target_closed', {}, 'intoId');
    }
    // A misconduct report stays with the Inspektorat. Merged into an agency's
    // case, it would leave the Inspektorat's inbox and show the agency's final answer to its reporter.
    if (duplicate.oversight !== target.oversight) {
      throw new CommandError('invalid', 'a misconduct report and an ordinary report cannot be merged', 'error.merge_oversight', {}, 'intoId');
    }
    const updated = await trx
      .updateTable('complaints')
      .set({ status, merged_into_id: target.id, updated_at: now })
      .where('id', '=', duplicate.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendEvent(trx, duplicate.id, ctx.actor, { type: 'merged', visibility: 'public', data: { intoId: target.id, intoTrackingCode: target.tracking_code } }, now);
    await appendEvent(trx, target.id, ctx.actor, { type: 'duplicate_merged', visibility: 'internal', data: { duplicateId: duplicate.id } }, now);
    await refreshDeadlines(trx, updated, now);
    return { duplicate: updated, target };
  });
}
