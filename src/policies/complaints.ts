/**
 * Who may see and do what with a complaint. Every route and query that
 * touches complaints asks this module; nothing re-derives access by hand.
 *
 * The hard rule: an agency officer sees only complaints currently sent to
 * their own agency. Oversight complaints (misconduct, pungli) can only be
 * sent to the Inspektorat, so the agency complained about never holds them.
 */
import type { ExpressionBuilder, SelectQueryBuilder } from 'kysely';
import type { Complaint, DB } from '../db/schema.ts';
import type { Action } from '../domain/lifecycle.ts';
import { AGENCY_STATUSES } from '../domain/lifecycle.ts';
import type { StaffUser } from '../domain/types.ts';

/** The agency that alone receives oversight complaints. */
export const OVERSIGHT_AGENCY_CODE = 'inspektorat';

const INTAKE_ACTIONS: readonly Action[] = [
  'verify', 'dispatch', 'answer', 'hold', 'resume', 'forward', 'archive', 'merge', 'reopen', 'resolve', 'follow_up', 'note',
];
const AGENCY_ACTIONS: readonly Action[] = ['follow_up', 'resolve', 'return', 'hold', 'resume', 'note'];
const LEADER_ACTIONS: readonly Action[] = ['note'];

export function canSeeComplaint(user: StaffUser, complaint: Pick<Complaint, 'agency_id' | 'status' | 'status_before_hold' | 'oversight'>): boolean {
  switch (user.role) {
    case 'admin':
    case 'complaint_officer':
      return true;
    case 'leader':
      // Reports of abuse of office go to the Inspektorat only; the leaders see them in the counts, not one by one.
      return !complaint.oversight;
    case 'agency_officer':
      return user.agencyId !== null && complaint.agency_id === user.agencyId && heldByAgency(complaint);
  }
}

/** An agency holds a complaint from disposisi until it is resolved, and while it waits for the citizen. */
function heldByAgency(complaint: Pick<Complaint, 'status' | 'status_before_hold'>): boolean {
  if (AGENCY_STATUSES.includes(complaint.status)) return true;
  if (complaint.status === 'on_hold') return complaint.status_before_hold !== null && AGENCY_STATUSES.includes(complaint.status_before_hold);
  // After the agency's final answer it can still read what it answered.
  return complaint.status === 'resolved' || complaint.status === 'closed';
}

export function canAct(user: StaffUser, complaint: Complaint, action: Action): boolean {
  if (!canSeeComplaint(user, complaint)) return false;
  switch (user.role) {
    case 'admin':
    case 'complaint_officer':
      return INTAKE_ACTIONS.includes(action);
    case 'agency_officer':
      if (complaint.status === 'resolved' || complaint.status === 'closed') return action === 'note';
      return AGENCY_ACTIONS.includes(action);
    case 'leader':
      return LEADER_ACTIONS.includes(action);
  }
}

/** Limits a complaint query to what the user may see. */
export function scopeComplaints<O>(
  user: StaffUser,
  query: SelectQueryBuilder<DB, 'complaints', O>,
): SelectQueryBuilder<DB, 'complaints', O> {
  if (user.role === 'leader') return query.where('complaints.oversight', '=', false);
  if (user.role !== 'agency_officer') return query;
  const agencyId = user.agencyId ?? -1;
  return query.where((eb: ExpressionBuilder<DB, 'complaints'>) =>
    eb.and([
      eb('complaints.agency_id', '=', agencyId),
      eb.or([
        eb('complaints.status', 'in', ['dispatched', 'in_progress', 'resolved', 'closed']),
        eb.and([eb('complaints.status', '=', 'on_hold'), eb('complaints.status_before_hold', 'in', ['dispatched', 'in_progress'])]),
      ]),
    ]),
  );
}

/**
 * How much of the reporter's identity a user may see: `full` (complaint
 * officers, logged), `on_request` (the handling agency when the reporter chose
 * `public`: shown after an explicit, logged request), or `none`.
 */
export type IdentityAccess = 'full' | 'on_request' | 'none';

export function identityAccess(user: StaffUser, complaint: Pick<Complaint, 'privacy' | 'agency_id' | 'status' | 'status_before_hold' | 'oversight'>): IdentityAccess {
  if (user.role === 'admin' || user.role === 'complaint_officer') return 'full';
  if (user.role === 'agency_officer' && canSeeComplaint(user, complaint) && complaint.privacy === 'public') return 'on_request';
  return 'none';
}

export function canManageReferenceData(user: StaffUser): boolean {
  return user.role === 'admin';
}

export function canCreateOnBehalf(user: StaffUser): boolean {
  return user.role === 'admin' || user.role === 'complaint_officer';
}
