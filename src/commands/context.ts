/**
 * What every command receives: the database, the clock, and who acts. Commands
 * write their event in the same transaction as the change they make.
 */
import type { Kysely, Transaction } from 'kysely';
import type { ActorKind, Complaint, DB } from '../db/schema.ts';
import type { StaffUser } from '../domain/types.ts';
import { cleanText, textLength, visibleLength } from '../domain/text.ts';
import { CommandError, notFound } from './errors.ts';
import { refreshDeadlines } from './deadlines.ts';
import { queueOutboundForEvent } from './queue-outbound.ts';
import { refreshDuplicatesAfterMove } from './search-duplicates.ts';
import { duplicatePlaceKey } from '../queries/triage.ts';
import { nextStatus, TransitionError, type Action } from '../domain/lifecycle.ts';
import type { ComplaintStatus } from '../domain/types.ts';
import { canAct, canSeeComplaint } from '../policies/complaints.ts';

export type Tx = Transaction<DB>;

export type { StaffUser };

export type Actor =
  | { kind: 'staff'; user: StaffUser }
  | { kind: 'citizen' }
  | { kind: 'system'; reason: string };

export interface CommandContext {
  db: Kysely<DB>;
  actor: Actor;
  /** Current instant; tests pass a fixed one. */
  now?: Date;
}

export function staffUser(actor: Actor): StaffUser | undefined {
  return actor.kind === 'staff' ? actor.user : undefined;
}

export interface NewEvent {
  type: string;
  at?: Date;
  visibility?: 'public' | 'internal';
  body?: string | null;
  agencyId?: number | null;
  data?: Record<string, unknown>;
}

/** Appends one event to a complaint's log and returns its id. */
export async function appendEvent(trx: Tx, complaintId: number, actor: Actor, event: NewEvent, now: Date): Promise<number> {
  const row = await trx.insertInto('complaint_events').values(eventRow(complaintId, actor, event, now)).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

/** Builds the `complaint_events` row of an event, for `appendEvent` and for inserts of many events at once. */
export function eventRow(complaintId: number, actor: Actor, event: NewEvent, now: Date) {
  return {
    complaint_id: complaintId,
    type: event.type,
    at: event.at ?? now,
    actor_kind: actor.kind as ActorKind,
    actor_user_id: actor.kind === 'staff' ? actor.user.id : null,
    agency_id: event.agencyId ?? null,
    visibility: event.visibility ?? 'internal',
    body: event.body === undefined || event.body === null ? null : cleanText(event.body),
    data: JSON.stringify(event.data ?? {}),
  };
}

/** Locks a complaint row for the rest of the transaction. */
export async function lockComplaint(trx: Tx, complaintId: number): Promise<Complaint> {
  if (!Number.isSafeInteger(complaintId) || complaintId <= 0) throw notFound();
  const complaint = await trx.selectFrom('complaints').selectAll().where('id', '=', complaintId).forUpdate().executeTakeFirst();
  if (!complaint) throw notFound();
  return complaint;
}

/**
 * Runs one state change: locks the complaint, lets `change` check and apply it
 * (returning the column updates and the event), writes both, and recomputes the
 * SLA clocks, all in one transaction.
 */
export async function changeComplaint(
  ctx: CommandContext,
  complaintId: number,
  change: (complaint: Complaint, trx: Tx, now: Date) => Promise<{ update?: Record<string, unknown>; event: NewEvent }>,
): Promise<{ complaint: Complaint; eventId: number }> {
  const now = ctx.now ?? new Date();
  const result = await ctx.db.transaction().execute(async (trx) => {
    const complaint = await lockComplaint(trx, complaintId);
    const { update, event } = await change(complaint, trx, now);
    let updated = complaint;
    if (update && Object.keys(update).length > 0) {
      updated = await trx
        .updateTable('complaints')
        .set({ ...update, updated_at: now })
        .where('id', '=', complaintId)
        .returningAll()
        .executeTakeFirstOrThrow();
    }
    const eventId = await appendEvent(trx, complaintId, ctx.actor, event, now);
    // Answers the citizen can see go back on the channel they wrote on.
    await queueOutboundForEvent(trx, updated, eventId, now);
    await refreshDeadlines(trx, updated, now);
    return { complaint: updated, eventId, placeChanged: duplicatePlaceKey(complaint) !== duplicatePlaceKey(updated) };
  });
  // Reports at the new place must see this one in their duplicate proposals
  // at once, not when someone opens this report's page.
  if (result.placeChanged) await refreshDuplicatesAfterMove(ctx.db, result.complaint);
  return { complaint: result.complaint, eventId: result.eventId };
}

export function requireText(value: string | undefined | null, field: string, min = 1, max = 5000): string {
  const text = cleanText(value ?? '').trim();
  // Invisible format characters (zero-width space, direction marks) do not count towards the minimum, so a text of them alone is too short.
  if (visibleLength(text) < min) {
    throw new CommandError('invalid', `${field} must have at least ${min} characters`, 'error.text_too_short', { min }, field);
  }
  if (textLength(text) > max) {
    throw new CommandError('invalid', `${field} must have at most ${max} characters`, 'error.text_too_long', { max }, field);
  }
  return text;
}

/**
 * Checks that a member of staff may take `action` on the complaint. A user who
 * may not even see it gets "not found", so ids of other agencies' complaints
 * reveal nothing. Citizen and system actors are checked by their callers.
 */
export function authorize(actor: Actor, complaint: Complaint, action: Action): void {
  if (actor.kind !== 'staff') return;
  if (!canSeeComplaint(actor.user, complaint)) throw notFound();
  if (!canAct(actor.user, complaint, action)) {
    throw new CommandError('forbidden', `role ${actor.user.role} may not ${action} this complaint`, 'error.forbidden_action', { action });
  }
}

/** Checks both the actor and the lifecycle, then returns the status after `action`. */
export function authorizeTransition(
  actor: Actor,
  complaint: Complaint,
  action: Action,
  context: Parameters<typeof nextStatus>[2] = {},
): ComplaintStatus {
  authorize(actor, complaint, action);
  try {
    return nextStatus(complaint.status, action, context);
  } catch (error) {
    if (error instanceof TransitionError) {
      throw new CommandError('invalid_transition', error.message, 'error.invalid_transition', { action, status: complaint.status });
    }
    throw error;
  }
}
