/**
 * The complaint lifecycle: states, named sets of states, and which action may
 * move a complaint from which state. The states follow SP4N-LAPOR! so that
 * officers recognise them; the UI shows their Indonesian labels.
 *
 * Example:
 *   nextStatus('verified', 'dispatch') // → 'dispatched'
 *   nextStatus('resolved', 'dispatch') // throws TransitionError
 */
import type { ComplaintStatus } from './types.ts';

export const STATUSES: readonly ComplaintStatus[] = [
  'new', 'verified', 'dispatched', 'in_progress', 'on_hold',
  'resolved', 'closed', 'out_of_scope', 'archived',
];

/** States in which somebody still owes the citizen an answer. */
export const OPEN_STATUSES: readonly ComplaintStatus[] = ['new', 'verified', 'dispatched', 'in_progress', 'on_hold'];
/** States that are final: nothing but a note can be added. */
export const FINAL_STATUSES: readonly ComplaintStatus[] = ['closed', 'out_of_scope', 'archived'];
/** States that sit with an agency (OPD). */
export const AGENCY_STATUSES: readonly ComplaintStatus[] = ['dispatched', 'in_progress'];

export type Action =
  | 'verify' | 'dispatch' | 'return' | 'follow_up' | 'resolve' | 'answer'
  | 'hold' | 'resume' | 'forward' | 'archive' | 'merge' | 'reopen' | 'close'
  | 'rate' | 'citizen_reply' | 'note';

/** Allowed source states per action; resume and reopen compute their target separately. */
const TRANSITIONS: Record<Action, { from: readonly ComplaintStatus[]; to: ComplaintStatus | 'same' | 'computed' }> = {
  verify: { from: ['new', 'verified'], to: 'verified' },
  dispatch: { from: ['new', 'verified', 'dispatched', 'in_progress'], to: 'dispatched' },
  return: { from: ['dispatched', 'in_progress'], to: 'verified' },
  follow_up: { from: ['dispatched', 'in_progress'], to: 'in_progress' },
  resolve: { from: ['dispatched', 'in_progress'], to: 'resolved' },
  answer: { from: ['new', 'verified'], to: 'resolved' },
  hold: { from: ['new', 'verified', 'dispatched', 'in_progress'], to: 'on_hold' },
  resume: { from: ['on_hold'], to: 'computed' },
  forward: { from: ['new', 'verified'], to: 'out_of_scope' },
  archive: { from: ['new', 'verified', 'on_hold'], to: 'archived' },
  merge: { from: ['new', 'verified', 'dispatched', 'in_progress', 'on_hold'], to: 'archived' },
  reopen: { from: ['resolved'], to: 'computed' },
  close: { from: ['resolved'], to: 'closed' },
  rate: { from: ['resolved', 'closed'], to: 'same' },
  citizen_reply: { from: ['new', 'verified', 'dispatched', 'in_progress', 'on_hold', 'resolved'], to: 'same' },
  note: { from: STATUSES, to: 'same' },
};

export class TransitionError extends Error {
  readonly code = 'invalid_transition';
  constructor(
    readonly status: ComplaintStatus,
    readonly action: Action,
  ) {
    super(`Action "${action}" is not allowed while the complaint is "${status}"`);
    this.name = 'TransitionError';
  }
}

export function canApply(status: ComplaintStatus, action: Action): boolean {
  return TRANSITIONS[action].from.includes(status);
}

/**
 * Returns the status after `action`. For `resume`, pass the status the
 * complaint had before it was put on hold; for `reopen`, whether an agency
 * still holds the complaint (it goes back to that agency, otherwise to the
 * complaint officers).
 */
export function nextStatus(
  status: ComplaintStatus,
  action: Action,
  context: { statusBeforeHold?: ComplaintStatus | null; hasAgency?: boolean } = {},
): ComplaintStatus {
  const rule = TRANSITIONS[action];
  if (!rule.from.includes(status)) throw new TransitionError(status, action);
  if (rule.to === 'same') return status;
  if (rule.to !== 'computed') return rule.to;
  if (action === 'resume') {
    const previous = context.statusBeforeHold;
    return previous && OPEN_STATUSES.includes(previous) && previous !== 'on_hold' ? previous : 'verified';
  }
  return context.hasAgency ? 'in_progress' : 'verified';
}

/** A rating at or below this reopens a resolved complaint. */
export const REOPENING_RATING_MAX = 2;

export function isOpen(status: ComplaintStatus): boolean {
  return OPEN_STATUSES.includes(status);
}

/** Tells whether a complaint is closed for good or merged into another: it takes no merge and has no duplicates. */
export function isClosedOrMerged(complaint: { status: ComplaintStatus; merged_into_id: number | null }): boolean {
  return FINAL_STATUSES.includes(complaint.status) || complaint.merged_into_id !== null;
}
