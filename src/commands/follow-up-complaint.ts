/** Tindak lanjut: an agency records progress, visible to the citizen or internal. */
import { authorizeTransition, changeComplaint, requireText, type CommandContext } from './context.ts';

export interface FollowUpInput {
  body: string;
  /** Whether the citizen sees it; only a visible follow-up stops the first follow-up clock. */
  visibleToCitizen?: boolean;
}

export async function followUpComplaint(ctx: CommandContext, complaintId: number, input: FollowUpInput) {
  return changeComplaint(ctx, complaintId, async (complaint, _trx, now) => {
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
        data: { visibleToCitizen: visible },
      },
    };
  });
}
