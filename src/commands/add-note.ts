/** An internal note on a complaint (any staff role that can see it, including leaders' instructions). */
import { authorize, changeComplaint, requireText, type CommandContext } from './context.ts';

export async function addNote(ctx: CommandContext, complaintId: number, input: { body: string }) {
  return changeComplaint(ctx, complaintId, async (complaint) => {
    authorize(ctx.actor, complaint, 'note');
    const body = requireText(input.body, 'body', 1, 5000);
    return { event: { type: 'note', visibility: 'internal', body } };
  });
}
