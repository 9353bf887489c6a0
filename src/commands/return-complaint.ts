/** An agency returns a disposisi that is not its business; the complaint officers dispatch it again. */
import { authorizeTransition, changeComplaint, requireText, type CommandContext } from './context.ts';

export async function returnComplaint(ctx: CommandContext, complaintId: number, input: { reason: string }) {
  return changeComplaint(ctx, complaintId, async (complaint) => {
    const status = authorizeTransition(ctx.actor, complaint, 'return');
    const reason = requireText(input.reason, 'reason', 5, 2000);
    return {
      update: { status, agency_id: null },
      event: { type: 'returned', visibility: 'internal', agencyId: complaint.agency_id, body: reason, data: { agencyId: complaint.agency_id } },
    };
  });
}
