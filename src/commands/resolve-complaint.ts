/**
 * Final answers. `resolveComplaint` is the agency's tanggapan akhir on a
 * dispatched report; `answerComplaint` is the complaint officer's direct
 * answer to a report that needs no agency (typically a question).
 */
import { authorizeTransition, changeComplaint, requireText, type CommandContext } from './context.ts';

export async function resolveComplaint(ctx: CommandContext, complaintId: number, input: { body: string }) {
  return changeComplaint(ctx, complaintId, async (complaint, _trx, now) => {
    const status = authorizeTransition(ctx.actor, complaint, 'resolve');
    const body = requireText(input.body, 'body', 5, 5000);
    return {
      update: { status, resolved_at: now, first_response_at: complaint.first_response_at ?? now },
      event: { type: 'resolved', visibility: 'public', agencyId: complaint.agency_id, body },
    };
  });
}

export async function answerComplaint(ctx: CommandContext, complaintId: number, input: { body: string }) {
  return changeComplaint(ctx, complaintId, async (complaint, _trx, now) => {
    const status = authorizeTransition(ctx.actor, complaint, 'answer');
    const body = requireText(input.body, 'body', 5, 5000);
    return {
      update: { status, resolved_at: now, first_response_at: complaint.first_response_at ?? now },
      event: { type: 'answered', visibility: 'public', body },
    };
  });
}
