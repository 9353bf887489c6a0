/**
 * Ends a report without an agency: forwarded as outside the regency's
 * authority (bukan wewenang), archived (spam, not a report), or closed
 * automatically when the citizen did not reply to the final answer.
 */
import { authorizeTransition, changeComplaint, requireText, type CommandContext } from './context.ts';
import { invalid } from './errors.ts';

export async function forwardComplaint(ctx: CommandContext, complaintId: number, input: { destination: string; body?: string }) {
  return changeComplaint(ctx, complaintId, async (complaint) => {
    const status = authorizeTransition(ctx.actor, complaint, 'forward');
    const destination = requireText(input.destination, 'destination', 2, 200);
    return {
      update: { status, forwarded_to: destination },
      event: { type: 'forwarded', visibility: 'public', body: input.body?.trim() || null, data: { destination } },
    };
  });
}

export const ARCHIVE_REASONS = ['spam', 'not_a_report', 'duplicate', 'test', 'other'] as const;
export type ArchiveReason = (typeof ARCHIVE_REASONS)[number];

export async function archiveComplaint(ctx: CommandContext, complaintId: number, input: { reason: ArchiveReason; note?: string }) {
  return changeComplaint(ctx, complaintId, async (complaint) => {
    const status = authorizeTransition(ctx.actor, complaint, 'archive');
    if (!ARCHIVE_REASONS.includes(input.reason)) {
      throw invalid('reason', `reason must be one of ${ARCHIVE_REASONS.join(', ')}`, 'error.archive_reason_invalid');
    }
    return {
      update: { status },
      event: { type: 'archived', visibility: 'internal', body: input.note?.trim() || null, data: { reason: input.reason } },
    };
  });
}

/** Closes a resolved complaint whose auto-close deadline passed; run by the deadline job. */
export async function autoCloseComplaint(ctx: CommandContext, complaintId: number) {
  return changeComplaint(ctx, complaintId, async (complaint) => {
    const status = authorizeTransition(ctx.actor, complaint, 'close');
    return { update: { status }, event: { type: 'closed', visibility: 'public', data: { automatic: true } } };
  });
}
