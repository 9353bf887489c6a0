/** Tunda: the report waits for the citizen to complete it; every SLA clock pauses until it resumes. */
import { authorizeTransition, changeComplaint, requireText, type CommandContext } from './context.ts';

export async function holdComplaint(ctx: CommandContext, complaintId: number, input: { reason: string }) {
  return changeComplaint(ctx, complaintId, async (complaint) => {
    const status = authorizeTransition(ctx.actor, complaint, 'hold');
    // The reason is the question the citizen must answer, so they see it.
    const reason = requireText(input.reason, 'reason', 5, 2000);
    return {
      update: { status, status_before_hold: complaint.status },
      event: { type: 'held', visibility: 'public', body: reason, data: { previousStatus: complaint.status } },
    };
  });
}

export async function resumeComplaint(ctx: CommandContext, complaintId: number, input: { note?: string } = {}) {
  return changeComplaint(ctx, complaintId, async (complaint) => {
    const status = authorizeTransition(ctx.actor, complaint, 'resume', { statusBeforeHold: complaint.status_before_hold });
    return {
      update: { status, status_before_hold: null },
      event: { type: 'resumed', visibility: 'internal', body: input.note?.trim() || null },
    };
  });
}
