/**
 * The duty roster (jadwal piket) and case assignment. This module keeps
 * shifts, absences and the settings, and assigns new reports by
 * round-robin. It acknowledges a report that arrives outside duty hours,
 * and lets an officer take or hand back a case (events `assigned`, `unassigned`).
 *
 * Assignments run one at a time under a transaction-level advisory lock, so
 * two processes never give the same "next" officer two reports at once.
 */
import { sql, type Kysely } from 'kysely';
import type { Complaint, DB } from '../db/schema.ts';
import type { Channel } from '../domain/types.ts';
import { CHANNELS } from '../domain/types.ts';
import { OPEN_STATUSES } from '../domain/lifecycle.ts';
import {
  mayManageRoster, nextShiftStart, officersOnDuty, parseClockTime, pickOfficer, ROSTER_ROLES, type DutyCandidate, type PickResult,
} from '../domain/roster.ts';
import { formatLongDate } from '../domain/templates.ts';
import { dayOfWeek, isValidDate, wibDate, WIB_OFFSET_MS } from '../domain/time.ts';
import { canSeeComplaint } from '../policies/complaints.ts';
import { getAnswerSettings, listShifts, openCaseCounts } from '../queries/answers.ts';
import { appendEvent, changeComplaint, lockComplaint, staffUser, type Actor, type CommandContext, type StaffUser, type Tx } from './context.ts';
import { loadCalendar } from './deadlines.ts';
import { CommandError, invalid, notFound } from './errors.ts';
import { cleanText, textLength } from '../domain/text.ts';

/** Characters of an absence's note. */
const MAX_ABSENCE_NOTE_CHARS = 200;

// Arbitrary constant shared by every Aduan process: the advisory lock key of assignment.
const ASSIGNMENT_LOCK_KEY = 7_316_452_006;

/** Reports the assignment job handles per run; the next run takes the rest. */
export const ASSIGNMENT_BATCH = 100;

const ROSTER_ACTOR: Actor = { kind: 'system', reason: 'roster' };

function requireRosterManager(ctx: CommandContext): StaffUser {
  const user = staffUser(ctx.actor);
  if (!user || !mayManageRoster(user)) throw new CommandError('forbidden', 'only administrators and complaint officers may edit the roster', 'error.answers.forbidden');
  return user;
}

// ---------------------------------------------------------------------------
// Settings, shifts and absences

export interface SettingsInput {
  maxOpenCases?: number;
  templateStaleDays?: number;
}

/** Changes the open-case limit of the round-robin and the days after which a template is stale. */
export async function saveAnswerSettings(ctx: CommandContext, input: SettingsInput): Promise<void> {
  const user = requireRosterManager(ctx);
  const update: Record<string, unknown> = { updated_at: ctx.now ?? new Date(), updated_by_user_id: user.id };
  if (input.maxOpenCases !== undefined) {
    if (!Number.isInteger(input.maxOpenCases) || input.maxOpenCases < 1 || input.maxOpenCases > 1000) {
      throw invalid('maxOpenCases', 'the open-case limit must be a whole number from 1 to 1000', 'error.answers.max_open_cases_invalid');
    }
    update.max_open_cases = input.maxOpenCases;
  }
  if (input.templateStaleDays !== undefined) {
    if (!Number.isInteger(input.templateStaleDays) || input.templateStaleDays < 1 || input.templateStaleDays > 3650) {
      throw invalid('templateStaleDays', 'the review period must be a whole number of days from 1 to 3650', 'error.answers.stale_days_invalid');
    }
    update.template_stale_days = input.templateStaleDays;
  }
  await ctx.db.updateTable('answer_settings').set(update).execute();
}

export interface ShiftInput {
  userId: number;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
  /** WIB `HH:MM`. */
  start: string;
  /** WIB `HH:MM`, later than `start`; `24:00` ends at midnight. */
  end: string;
  /** Intake channels; empty covers every channel. */
  channels: string[];
  onHolidays: boolean;
}

/**
 * Adds a weekly shift for an officer who takes new reports (administrator or
 * complaint officer).
 *
 * @example await addShift(ctx, { userId: 4, weekday: 1, start: '07:30', end: '12:00', channels: ['web', 'whatsapp'], onHolidays: false })
 */
export async function addShift(ctx: CommandContext, input: ShiftInput): Promise<number> {
  requireRosterManager(ctx);
  if (!Number.isInteger(input.weekday) || input.weekday < 0 || input.weekday > 6) {
    throw invalid('weekday', 'choose a day of the week', 'error.answers.weekday_invalid');
  }
  const startMinute = clockField(input.start, 'start');
  const endMinute = clockField(input.end, 'end');
  if (endMinute <= startMinute) throw invalid('end', 'the shift must end after it starts', 'error.answers.shift_end_before_start');
  if (startMinute >= 24 * 60) throw invalid('start', 'a shift starts before midnight', 'error.answers.time_invalid');
  const unknown = input.channels.filter((channel) => !CHANNELS.includes(channel as Channel));
  if (unknown.length > 0) throw invalid('channels', `unknown channel(s) ${unknown.join(', ')}`, 'error.answers.channel_invalid');
  const officer = await ctx.db.selectFrom('users').select(['id', 'role', 'active']).where('id', '=', input.userId).executeTakeFirst();
  if (!officer || !officer.active || !ROSTER_ROLES.includes(officer.role)) {
    throw invalid('userId', 'choose an active complaint officer', 'error.answers.roster_officer_invalid');
  }
  // Two shifts of one officer that overlap would count the same hours twice and hide a typing error.
  const overlapping = await ctx.db
    .selectFrom('duty_shifts')
    .select('id')
    .where('user_id', '=', officer.id)
    .where('weekday', '=', input.weekday)
    .where('start_minute', '<', endMinute)
    .where('end_minute', '>', startMinute)
    .executeTakeFirst();
  if (overlapping) throw invalid('start', 'the officer already has a shift at that time on that day', 'error.answers.shift_overlap');
  const row = await ctx.db
    .insertInto('duty_shifts')
    .values({
      user_id: officer.id,
      weekday: input.weekday,
      start_minute: startMinute,
      end_minute: endMinute,
      channels: [...new Set(input.channels)],
      on_holidays: input.onHolidays,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

function clockField(value: string, field: string): number {
  try {
    return parseClockTime(value);
  } catch {
    throw invalid(field, `"${value}" is not a time such as 07:30`, 'error.answers.time_invalid');
  }
}

export async function removeShift(ctx: CommandContext, id: number): Promise<void> {
  requireRosterManager(ctx);
  const result = await ctx.db.deleteFrom('duty_shifts').where('id', '=', id).executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) throw notFound('shift');
}

export interface AbsenceInput {
  userId: number;
  /** First day off, WIB `YYYY-MM-DD`. */
  startsOn: string;
  /** Last day off, inclusive. */
  endsOn: string;
  note?: string;
}

/** Records days an officer is off, so that the round-robin skips them. */
export async function addAbsence(ctx: CommandContext, input: AbsenceInput): Promise<number> {
  requireRosterManager(ctx);
  if (!isValidDate(input.startsOn)) throw invalid('startsOn', 'give the first day off as a date', 'error.answers.date_invalid');
  if (!isValidDate(input.endsOn)) throw invalid('endsOn', 'give the last day off as a date', 'error.answers.date_invalid');
  if (input.endsOn < input.startsOn) throw invalid('endsOn', 'the last day off is before the first', 'error.answers.absence_end_before_start');
  const officer = await ctx.db.selectFrom('users').select('id').where('id', '=', input.userId).executeTakeFirst();
  if (!officer) throw invalid('userId', 'choose an officer', 'error.answers.roster_officer_invalid');
  const note = cleanText(input.note ?? '').trim() || null;
  if (note && textLength(note) > MAX_ABSENCE_NOTE_CHARS) {
    throw invalid('note', `note has more than ${MAX_ABSENCE_NOTE_CHARS} characters`, 'error.text_too_long', { max: MAX_ABSENCE_NOTE_CHARS });
  }
  const row = await ctx.db
    .insertInto('duty_absences')
    .values({ user_id: officer.id, starts_on: input.startsOn, ends_on: input.endsOn, note })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function removeAbsence(ctx: CommandContext, id: number): Promise<void> {
  requireRosterManager(ctx);
  const result = await ctx.db.deleteFrom('duty_absences').where('id', '=', id).executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) throw notFound('absence');
}

// ---------------------------------------------------------------------------
// Automatic assignment and acknowledgement

export type AssignmentOutcome =
  | { outcome: 'assigned'; userId: number; skipped: PickResult['skipped'] }
  | {
      outcome: 'queued';
      expectedBy: string | null;
      nextShiftAt: Date | null;
      /** True when this call wrote the acknowledgement; false when an earlier one did. */
      acknowledged: boolean;
      skipped: PickResult['skipped'];
    }
  /** Nothing to do: the report is not new, already held, or no roster is set up. */
  | { outcome: 'unchanged' };

/**
 * Gives a new report to an officer on duty for its channel, by round-robin.
 * When nobody can take it (outside duty hours, or everyone on duty is off or
 * over the open-case limit), the report waits for the next shift and the
 * citizen gets a public `acknowledged` event, once, that names the
 * verification deadline as the date to expect an answer by. Without any
 * shift in the roster, nothing happens.
 *
 * @example const result = await assignNewComplaint({ db, actor: { kind: 'system', reason: 'roster' } }, complaint.id);
 */
export async function assignNewComplaint(ctx: CommandContext, complaintId: number): Promise<AssignmentOutcome> {
  const now = ctx.now ?? new Date();
  return ctx.db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${ASSIGNMENT_LOCK_KEY})`.execute(trx);
    const complaint = await lockComplaint(trx, complaintId);
    if (complaint.status !== 'new' || complaint.assigned_user_id !== null) return { outcome: 'unchanged' };
    return assignInTransaction(trx, complaint, now);
  });
}

async function assignInTransaction(trx: Tx, complaint: Complaint, now: Date): Promise<AssignmentOutcome> {
  const shifts = (await listShifts(trx)).filter((shift) => shift.userActive);
  if (shifts.length === 0) return { outcome: 'unchanged' };
  const calendar = await loadCalendar(trx);
  const onDuty = officersOnDuty(shifts, calendar, now, complaint.channel);
  const [settings, candidates, handedBack] = await Promise.all([
    getAnswerSettings(trx),
    dutyCandidates(trx, onDuty, wibDate(now)),
    usersWhoHandedBack(trx, complaint.id),
  ]);
  const pick = pickOfficer(candidates, { maxOpenCases: settings.maxOpenCases, exclude: handedBack });

  if (pick.userId !== null) {
    const officer = await trx.selectFrom('users').select(['id', 'name']).where('id', '=', pick.userId).executeTakeFirstOrThrow();
    await trx.updateTable('complaints').set({ assigned_user_id: officer.id, updated_at: now }).where('id', '=', complaint.id).execute();
    await appendEvent(trx, complaint.id, ROSTER_ACTOR, {
      type: 'assigned',
      data: { userId: officer.id, userName: officer.name, automatic: true, skipped: pick.skipped },
    }, now);
    await trx
      .insertInto('duty_rotation')
      .values({ user_id: officer.id, last_assigned_at: now })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ last_assigned_at: now }))
      .execute();
    return { outcome: 'assigned', userId: officer.id, skipped: pick.skipped };
  }

  const nextShiftAt = nextShiftStart(shifts, calendar, now, complaint.channel);
  const { expectedBy, acknowledged } = await acknowledgeQueued(trx, complaint, now, nextShiftAt && nextShiftAt.getTime() > now.getTime() ? nextShiftAt : null);
  return { outcome: 'queued', expectedBy, nextShiftAt, acknowledged, skipped: pick.skipped };
}

async function dutyCandidates(trx: Tx, userIds: number[], today: string): Promise<DutyCandidate[]> {
  if (userIds.length === 0) return [];
  const [users, absences, rotation, openCases] = await Promise.all([
    trx.selectFrom('users').select(['id', 'active']).where('id', 'in', userIds).execute(),
    trx.selectFrom('duty_absences').select('user_id').where('user_id', 'in', userIds).where('starts_on', '<=', today).where('ends_on', '>=', today).execute(),
    // Locked, so that the round-robin position read here is the one this transaction updates.
    trx.selectFrom('duty_rotation').select(['user_id', 'last_assigned_at']).where('user_id', 'in', userIds).forUpdate().execute(),
    openCaseCounts(trx, userIds),
  ]);
  const absent = new Set(absences.map((row) => row.user_id));
  const lastAssigned = new Map(rotation.map((row) => [row.user_id, row.last_assigned_at]));
  return users.map((user) => ({
    userId: user.id,
    active: user.active,
    absent: absent.has(user.id),
    openCases: openCases.get(user.id) ?? 0,
    lastAssignedAt: lastAssigned.get(user.id) ?? null,
  }));
}

/** Officers who handed this report back; the roster does not give it to them again. */
async function usersWhoHandedBack(trx: Tx, complaintId: number): Promise<number[]> {
  const rows = await trx
    .selectFrom('complaint_events')
    .select(sql<string>`data->>'userId'`.as('user_id'))
    .where('complaint_id', '=', complaintId)
    .where('type', '=', 'unassigned')
    .execute();
  return rows.map((row) => Number(row.user_id)).filter((id) => Number.isSafeInteger(id));
}

const WEEKDAYS: Record<'id' | 'en', readonly string[]> = {
  id: ['Minggu', 'Senin', 'Selasa', 'Rabu', 'Kamis', 'Jumat', 'Sabtu'],
  en: ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'],
};

/** Formats a WIB date with its weekday, e.g. "Rabu, 25 Maret 2026". */
function formatDay(date: string, locale: 'id' | 'en'): string {
  return `${WEEKDAYS[locale][dayOfWeek(date)]}, ${formatLongDate(date, locale)}`;
}

/** Formats an instant as a WIB date and time, e.g. "Senin, 16 Maret 2026 pukul 07.30 WIB". */
function formatShiftStart(instant: Date, locale: 'id' | 'en'): string {
  const wib = new Date(instant.getTime() + WIB_OFFSET_MS);
  const hours = String(wib.getUTCHours()).padStart(2, '0');
  const minutes = String(wib.getUTCMinutes()).padStart(2, '0');
  const day = formatDay(wibDate(instant), locale);
  return locale === 'id' ? `${day} pukul ${hours}.${minutes} WIB` : `${day} at ${hours}:${minutes} WIB`;
}

/**
 * Writes the automatic acknowledgement once and returns the date it names:
 * the verification deadline (WIB date), computed by the SLA clocks.
 * NOTE: the delivery job does not send `acknowledged` events on messaging
 * channels, and the public presenter shows only its title on the tracking
 * page, so only web reporters read the date (on the confirmation page).
 */
async function acknowledgeQueued(trx: Tx, complaint: Complaint, now: Date, nextShiftAt: Date | null): Promise<{ expectedBy: string | null; acknowledged: boolean }> {
  const deadline = await trx
    .selectFrom('complaint_deadlines')
    .select(['due_date', 'calendar_missing'])
    .where('complaint_id', '=', complaint.id)
    .where('clock', '=', 'verification')
    .executeTakeFirst();
  const expectedBy = deadline?.due_date ?? null;
  const existing = await trx.selectFrom('complaint_events').select('id').where('complaint_id', '=', complaint.id).where('type', '=', 'acknowledged').executeTakeFirst();
  if (existing) return { expectedBy, acknowledged: false };

  const shiftId = nextShiftAt ? ` pada shift berikutnya (${formatShiftStart(nextShiftAt, 'id')})` : ' pada jam kerja berikutnya';
  const shiftEn = nextShiftAt ? ` in the next shift (${formatShiftStart(nextShiftAt, 'en')})` : ' in the next working hours';
  const whenId = expectedBy ? ` Anda dapat mengharapkan jawaban paling lambat ${formatDay(expectedBy, 'id')}.` : '';
  const whenEn = expectedBy ? ` You can expect an answer by ${formatDay(expectedBy, 'en')}.` : '';
  const body = [
    `Laporan Anda sudah kami terima di luar jam piket petugas dan akan ditangani${shiftId}.${whenId}`,
    `We received your report outside our officers' duty hours; it will be handled${shiftEn}.${whenEn}`,
  ].join('\n\n');
  await appendEvent(trx, complaint.id, ROSTER_ACTOR, {
    type: 'acknowledged',
    visibility: 'public',
    body,
    data: { expectedBy, nextShiftAt: nextShiftAt?.toISOString() ?? null, calendarMissing: deadline?.calendar_missing ?? false },
  }, now);
  return { expectedBy, acknowledged: true };
}

export interface AssignmentRunResult {
  assigned: number;
  /** Reports acknowledged in this run as waiting for the next shift. */
  acknowledged: number;
}

/**
 * Assigns waiting new reports, oldest first: reports that came in outside
 * duty hours, while everyone was at the limit, or through a channel whose
 * caller does not assign. Run every minute by the assignment job.
 *
 * @example await assignWaitingComplaints(db)
 */
export async function assignWaitingComplaints(db: Kysely<DB>, now = new Date()): Promise<AssignmentRunResult> {
  const result: AssignmentRunResult = { assigned: 0, acknowledged: 0 };
  const waiting = await db
    .selectFrom('complaints')
    .select('id')
    .where('status', '=', 'new')
    .where('assigned_user_id', 'is', null)
    .orderBy('received_at')
    .orderBy('id')
    .limit(ASSIGNMENT_BATCH)
    .execute();
  for (const row of waiting) {
    const outcome = await assignNewComplaint({ db, actor: ROSTER_ACTOR, now }, row.id);
    if (outcome.outcome === 'assigned') result.assigned += 1;
    else if (outcome.outcome === 'queued' && outcome.acknowledged) result.acknowledged += 1;
  }
  return result;
}

// ---------------------------------------------------------------------------
// Taking and handing back

function requireCaseHolder(ctx: CommandContext): StaffUser {
  const user = staffUser(ctx.actor);
  if (!user || user.role === 'leader') throw new CommandError('forbidden', 'only officers hold cases', 'error.answers.forbidden');
  return user;
}

/**
 * The signed-in officer takes an open case they can see, in place of
 * whoever held it.
 *
 * @example await takeComplaint(ctx, 12)
 */
export async function takeComplaint(ctx: CommandContext, complaintId: number) {
  const user = requireCaseHolder(ctx);
  return changeComplaint(ctx, complaintId, async (complaint) => {
    if (!canSeeComplaint(user, complaint)) throw notFound();
    if (!OPEN_STATUSES.includes(complaint.status)) {
      throw new CommandError('invalid_transition', 'only an open case can be taken', 'error.answers.take_closed');
    }
    if (complaint.assigned_user_id === user.id) throw new CommandError('conflict', 'you already hold this case', 'error.answers.already_assigned');
    return {
      update: { assigned_user_id: user.id },
      event: { type: 'assigned', data: { userId: user.id, userName: user.name, automatic: false, previousUserId: complaint.assigned_user_id } },
    };
  });
}

/**
 * Hands a case back: the holder gives it up, or an administrator or
 * complaint officer takes it off the holder. A new report goes back to the
 * roster, which will not give it to the same officer again.
 *
 * @example await handBackComplaint(ctx, 12, { reason: 'Cuti mulai besok' })
 */
export async function handBackComplaint(ctx: CommandContext, complaintId: number, input: { reason?: string } = {}) {
  const user = requireCaseHolder(ctx);
  return changeComplaint(ctx, complaintId, async (complaint) => {
    if (!canSeeComplaint(user, complaint)) throw notFound();
    if (complaint.assigned_user_id === null) throw new CommandError('conflict', 'the complaint has no assigned officer', 'error.answers.not_assigned');
    if (complaint.assigned_user_id !== user.id && !mayManageRoster(user)) {
      throw new CommandError('forbidden', 'only the assigned officer, an administrator or a complaint officer may hand the case back', 'error.answers.forbidden');
    }
    const reason = input.reason?.trim().slice(0, 500) || null;
    return {
      update: { assigned_user_id: null },
      event: { type: 'unassigned', body: reason, data: { userId: complaint.assigned_user_id, byUserId: user.id } },
    };
  });
}
