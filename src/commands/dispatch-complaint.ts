/** Disposisi: the complaint officer sends a verified report to the responsible agency, or to another one. */
import { authorizeTransition, changeComplaint, type CommandContext } from './context.ts';
import { CommandError } from './errors.ts';
import { findActiveAgency } from './verify-complaint.ts';
import { OVERSIGHT_AGENCY_CODE } from '../policies/complaints.ts';

export interface DispatchInput {
  agencyCode: string;
  /** Instruction to the agency, kept internal. */
  note?: string;
}

export async function dispatchComplaint(ctx: CommandContext, complaintId: number, input: DispatchInput) {
  return changeComplaint(ctx, complaintId, async (complaint, trx) => {
    const status = authorizeTransition(ctx.actor, complaint, 'dispatch');
    if (complaint.type === null || complaint.category_id === null || complaint.district_code === null) {
      throw new CommandError('invalid_transition', 'verify the report (type, category, kecamatan) before dispatching it', 'error.verify_first');
    }
    const agency = await findActiveAgency(trx, input.agencyCode);
    if (complaint.oversight && agency.code !== OVERSIGHT_AGENCY_CODE) {
      throw new CommandError('forbidden', 'oversight reports go only to the Inspektorat', 'error.oversight_only_inspektorat', {}, 'agencyCode');
    }
    const redispatch = complaint.status === 'dispatched' || complaint.status === 'in_progress';
    // Sending a case again to the agency that holds it would only restart its follow-up clock.
    if (redispatch && complaint.agency_id === agency.id) {
      throw new CommandError('invalid', 'the report is already with this agency', 'error.redispatch_same_agency', { agency: agency.name }, 'agencyCode');
    }
    return {
      update: { status, agency_id: agency.id },
      event: {
        type: 'dispatched',
        visibility: 'public',
        agencyId: agency.id,
        body: input.note?.trim() || null,
        data: { agency: agency.code, agencyName: agency.name, redispatch, previousAgencyId: complaint.agency_id },
      },
    };
  });
}
