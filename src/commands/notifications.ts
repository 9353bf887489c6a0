/**
 * Notifications to officers: their channel choices, and the scan that turns
 * case events into notification rows.
 *
 * Four events notify: a disposisi (`dispatched`) tells the agency's
 * officers, a citizen's reply (`citizen_replied`) tells the officer holding
 * the case and, while an agency holds it, that agency's officers, and a
 * deadline reminder (`reminder_sent`) or breach (`deadline_breached`) tells
 * whoever owes the next step. A recipient must be able to see the case.
 *
 * Each row is keyed UNIQUE (event, officer, channel), so a repeated or
 * concurrent scan queues nothing twice. The text is composed here, for its
 * recipient: it never names the reporter or their contacts, and the
 * citizen's text is masked (`redactIdentity`) for every role, because
 * e-mail and chat services lie outside the system. A message is due at once
 * inside the officer's working hours and otherwise at the start of the
 * next; a breach is due at once, always, and never waits for a digest.
 */
import type { Kysely } from 'kysely';
import type { Complaint, DB, NotificationChannel, NotificationKind } from '../db/schema.ts';
import type { DutyShift, HolidayCalendar } from '../domain/roster.ts';
import { nextDigestTime, nextWorkingStart } from '../domain/roster.ts';
import { formatLongDate, redactIdentity, type KnownIdentity } from '../domain/templates.ts';
import { AGENCY_STATUSES } from '../domain/lifecycle.ts';
import { MS_PER_DAY } from '../domain/time.ts';
import { canSeeComplaint } from '../policies/complaints.ts';
import { getNotificationPreferences, listShifts, type NotificationPreferences } from '../queries/answers.ts';
import { staffUser, type CommandContext, type Tx } from './context.ts';
import { loadCalendar } from './deadlines.ts';
import { CommandError, invalid } from './errors.ts';
import { normalizeContact } from './reporters.ts';
import { toStaffUser } from './users.ts';

/** Event type → notification kind. */
export const NOTIFYING_EVENTS: Readonly<Record<string, NotificationKind>> = {
  dispatched: 'dispatched',
  citizen_replied: 'citizen_replied',
  reminder_sent: 'deadline_reminder',
  deadline_breached: 'deadline_breached',
};

/**
 * Events older than this are not scanned. It bounds the scan's cost, and it
 * keeps the first run after an upgrade from notifying about old history.
 */
export const NOTIFICATION_LOOKBACK_DAYS = 3;
/** Events read per scan; the next scan, a minute later, takes the rest. */
export const NOTIFICATION_SCAN_BATCH = 200;
/** Characters of the citizen's text a notification quotes. */
export const EXCERPT_CHARS = 200;

// ---------------------------------------------------------------------------
// Preferences

export interface PreferencesInput {
  emailEnabled: boolean;
  telegramEnabled: boolean;
  telegramChatId?: string;
  whatsappEnabled: boolean;
  whatsappNumber?: string;
  dailyDigest: boolean;
}

/**
 * Saves the signed-in officer's own channel choices. A chat channel needs
 * its address: the Telegram chat id of the officer's chat with the bot, or a
 * WhatsApp number (normalised to E.164).
 *
 * @example await saveNotificationPreferences(ctx, { emailEnabled: true, telegramEnabled: false, whatsappEnabled: true, whatsappNumber: '0812 3456 7890', dailyDigest: false })
 */
export async function saveNotificationPreferences(ctx: CommandContext, input: PreferencesInput): Promise<void> {
  const user = staffUser(ctx.actor);
  if (!user) throw new CommandError('forbidden', 'only staff have notification settings', 'error.answers.forbidden');
  const chatId = input.telegramChatId?.trim() || null;
  if (chatId !== null && !/^-?\d{1,20}$/.test(chatId)) {
    throw invalid('telegramChatId', 'the Telegram chat id is a number such as 123456789', 'error.answers.telegram_chat_invalid');
  }
  if (input.telegramEnabled && chatId === null) {
    throw invalid('telegramChatId', 'give the Telegram chat id to get messages there', 'error.answers.telegram_chat_required');
  }
  let whatsappNumber: string | null = null;
  if (input.whatsappNumber?.trim()) {
    try {
      whatsappNumber = normalizeContact({ kind: 'whatsapp', value: input.whatsappNumber }).value;
    } catch {
      throw invalid('whatsappNumber', 'the WhatsApp number is not valid', 'error.phone_invalid');
    }
    if (!whatsappNumber.startsWith('+')) throw invalid('whatsappNumber', 'the WhatsApp number is not valid', 'error.phone_invalid');
  }
  if (input.whatsappEnabled && whatsappNumber === null) {
    throw invalid('whatsappNumber', 'give the WhatsApp number to get messages there', 'error.answers.whatsapp_number_required');
  }
  const values = {
    email_enabled: input.emailEnabled,
    telegram_enabled: input.telegramEnabled,
    telegram_chat_id: chatId,
    whatsapp_enabled: input.whatsappEnabled,
    whatsapp_number: whatsappNumber,
    daily_digest: input.dailyDigest,
    updated_at: ctx.now ?? new Date(),
  };
  await ctx.db
    .insertInto('notification_preferences')
    .values({ user_id: user.id, ...values })
    .onConflict((oc) => oc.column('user_id').doUpdateSet(values))
    .execute();
}

// ---------------------------------------------------------------------------
// Scan

export interface ScanOptions {
  /** Base URL of the site, for the link to the case (PUBLIC_URL). */
  publicUrl: string;
  /** Channels this server can send on; a channel without settings queues nothing. */
  channels: readonly NotificationChannel[];
  now?: Date;
}

export interface ScanResult {
  events: number;
  queued: number;
}

interface ScannedEvent {
  id: number;
  complaint_id: number;
  type: string;
  actor_user_id: number | null;
  agency_id: number | null;
  body: string | null;
  data: Record<string, unknown>;
}

interface Recipient {
  id: number;
  name: string;
  role: 'admin' | 'complaint_officer' | 'agency_officer' | 'leader';
  agency_id: number | null;
}

/**
 * Queues the notifications of events not scanned yet. Each event is handled
 * in its own transaction that also records it as scanned, so a crash leaves
 * it for the next scan and a repeated scan adds nothing.
 *
 * @example await queueOfficerNotifications(db, { publicUrl: 'https://aduan.karanganyarkab.go.id', channels: ['email'] })
 */
export async function queueOfficerNotifications(db: Kysely<DB>, options: ScanOptions): Promise<ScanResult> {
  const now = options.now ?? new Date();
  const result: ScanResult = { events: 0, queued: 0 };
  const events = await db
    .selectFrom('complaint_events as e')
    .select(['e.id', 'e.complaint_id', 'e.type', 'e.actor_user_id', 'e.agency_id', 'e.body', 'e.data'])
    .where('e.type', 'in', Object.keys(NOTIFYING_EVENTS))
    .where('e.at', '>=', new Date(now.getTime() - NOTIFICATION_LOOKBACK_DAYS * MS_PER_DAY))
    .where((eb) => eb.not(eb.exists(eb.selectFrom('notification_scanned_events as s').select('s.event_id').whereRef('s.event_id', '=', 'e.id'))))
    .orderBy('e.id')
    .limit(NOTIFICATION_SCAN_BATCH)
    .execute();
  if (events.length === 0) return result;

  const [calendar, shifts] = await Promise.all([loadCalendar(db), listShifts(db)]);
  for (const event of events) {
    const queued = await db.transaction().execute(async (trx) => {
      const claimed = await trx
        .insertInto('notification_scanned_events')
        .values({ event_id: event.id, scanned_at: now })
        .onConflict((oc) => oc.column('event_id').doNothing())
        .returning('event_id')
        .executeTakeFirst();
      // Another process scanned it in the meantime.
      if (!claimed) return 0;
      return queueForEvent(trx, event, { ...options, now }, calendar, shifts);
    });
    result.events += 1;
    result.queued += queued;
  }
  return result;
}

async function queueForEvent(trx: Tx, event: ScannedEvent, options: ScanOptions & { now: Date }, calendar: HolidayCalendar, shifts: readonly DutyShift[]): Promise<number> {
  const kind = NOTIFYING_EVENTS[event.type];
  const complaint = await trx.selectFrom('complaints').selectAll().where('id', '=', event.complaint_id).executeTakeFirst();
  if (!kind || !complaint) return 0;
  const recipients = (await recipientsFor(trx, event, kind, complaint)).filter(
    (user) => user.id !== event.actor_user_id && canSeeComplaint(toStaffUser(user), complaint),
  );
  if (recipients.length === 0) return 0;

  const content = await contentFor(trx, event, kind, complaint);
  let queued = 0;
  for (const recipient of recipients) {
    const preferences = await getNotificationPreferences(trx, recipient.id);
    const userShifts = shifts.filter((shift) => shift.userId === recipient.id);
    const delivery = kind !== 'deadline_breached' && preferences.dailyDigest ? 'digest' : 'single';
    const dueAt = kind === 'deadline_breached'
      ? options.now
      : (delivery === 'digest' ? nextDigestTime(options.now, userShifts, calendar) : nextWorkingStart(options.now, userShifts, calendar)) ?? options.now;
    const message = composeNotification(kind, content, complaint, options.publicUrl);
    for (const channel of channelsFor(preferences, options.channels)) {
      const row = await trx
        .insertInto('officer_notifications')
        .values({
          event_id: event.id,
          complaint_id: complaint.id,
          user_id: recipient.id,
          channel,
          kind,
          delivery,
          subject: message.subject,
          body: message.body,
          next_attempt_at: dueAt,
          created_at: options.now,
          updated_at: options.now,
        })
        .onConflict((oc) => oc.columns(['event_id', 'user_id', 'channel']).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (row) queued += 1;
    }
  }
  return queued;
}

/** Returns the channels an officer chose that this server can send on. */
export function channelsFor(preferences: NotificationPreferences, available: readonly NotificationChannel[]): NotificationChannel[] {
  const chosen: NotificationChannel[] = [];
  if (preferences.emailEnabled) chosen.push('email');
  if (preferences.telegramEnabled && preferences.telegramChatId) chosen.push('telegram');
  if (preferences.whatsappEnabled && preferences.whatsappNumber) chosen.push('whatsapp');
  return chosen.filter((channel) => available.includes(channel));
}

function activeStaff(trx: Tx) {
  return trx.selectFrom('users').select(['id', 'name', 'role', 'agency_id']).where('active', '=', true);
}

async function recipientsFor(trx: Tx, event: ScannedEvent, kind: NotificationKind, complaint: Complaint): Promise<Recipient[]> {
  const byId = new Map<number, Recipient>();
  const add = (rows: Recipient[]) => rows.forEach((row) => byId.set(row.id, row));
  const agencyOfficers = async (agencyId: number | null) =>
    agencyId === null ? [] : activeStaff(trx).where('role', '=', 'agency_officer').where('agency_id', '=', agencyId).execute();
  const assignee = async () =>
    complaint.assigned_user_id === null ? [] : activeStaff(trx).where('id', '=', complaint.assigned_user_id).execute();
  const agencyHolds = AGENCY_STATUSES.includes(complaint.status) || (complaint.status === 'on_hold' && complaint.status_before_hold !== null && AGENCY_STATUSES.includes(complaint.status_before_hold));

  switch (kind) {
    case 'dispatched':
      add(await agencyOfficers(event.agency_id ?? complaint.agency_id));
      break;
    case 'citizen_replied':
      add(await assignee());
      if (agencyHolds) add(await agencyOfficers(complaint.agency_id));
      break;
    case 'deadline_reminder':
    case 'deadline_breached': {
      const clock = typeof event.data.clock === 'string' ? event.data.clock : '';
      add(await assignee());
      // The agency owes the follow-up and resolution clocks once it holds the case.
      if (clock !== 'verification' && agencyHolds) add(await agencyOfficers(complaint.agency_id));
      // A breach is escalated to the complaint officers too when nobody holds the case.
      if (kind === 'deadline_breached' && complaint.assigned_user_id === null) {
        add(await activeStaff(trx).where('role', '=', 'complaint_officer').execute());
      }
      break;
    }
  }
  return [...byId.values()];
}

interface NotificationContent {
  agency: string | null;
  category: string | null;
  /** Citizen text, redacted: the report for a disposisi, the reply for a reply. */
  excerpt: string | null;
  clock: string | null;
  dueDate: string | null;
}

async function contentFor(trx: Tx, event: ScannedEvent, kind: NotificationKind, complaint: Complaint): Promise<NotificationContent> {
  const agencyId = event.agency_id ?? complaint.agency_id;
  const [agency, category, identity] = await Promise.all([
    agencyId === null ? undefined : trx.selectFrom('agencies').select('name').where('id', '=', agencyId).executeTakeFirst(),
    complaint.category_id === null ? undefined : trx.selectFrom('categories').select('name').where('id', '=', complaint.category_id).executeTakeFirst(),
    reporterIdentity(trx, complaint.reporter_id),
  ]);
  const source = kind === 'dispatched' ? complaint.description : kind === 'citizen_replied' ? event.body : null;
  return {
    agency: agency?.name ?? null,
    category: category?.name ?? null,
    excerpt: source ? excerpt(redactIdentity(source, identity)) : null,
    clock: typeof event.data.clock === 'string' ? event.data.clock : null,
    dueDate: typeof event.data.dueDate === 'string' ? event.data.dueDate : null,
  };
}

async function reporterIdentity(trx: Tx, reporterId: number | null): Promise<KnownIdentity> {
  if (reporterId === null) return { name: null, contacts: [] };
  const [reporter, contacts] = await Promise.all([
    trx.selectFrom('reporters').select('name').where('id', '=', reporterId).executeTakeFirst(),
    trx.selectFrom('contacts').select('value').where('reporter_id', '=', reporterId).execute(),
  ]);
  return { name: reporter?.name ?? null, contacts: contacts.map((row) => row.value) };
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= EXCERPT_CHARS ? flat : `${flat.slice(0, EXCERPT_CHARS - 1)}…`;
}

const CLOCK_NAMES: Record<string, { id: string; en: string }> = {
  verification: { id: 'verifikasi dan disposisi', en: 'verification and referral' },
  first_follow_up: { id: 'tindak lanjut pertama', en: 'first follow-up' },
  resolution: { id: 'penyelesaian', en: 'resolution' },
};

/**
 * Composes a notification's subject and text, Indonesian first, then
 * English. It carries the tracking code, category, agency, the redacted
 * excerpt and a link to the case, and nothing about the reporter.
 */
export function composeNotification(
  kind: NotificationKind,
  content: NotificationContent,
  complaint: Pick<Complaint, 'id' | 'tracking_code'>,
  publicUrl: string,
): { subject: string; body: string } {
  const code = complaint.tracking_code;
  const link = `${publicUrl.replace(/\/+$/, '')}/staff/complaints/${complaint.id}`;
  const clock = CLOCK_NAMES[content.clock ?? ''] ?? { id: 'tenggat', en: 'deadline' };
  const dueId = content.dueDate ? formatLongDate(content.dueDate, 'id') : '–';
  const dueEn = content.dueDate ? formatLongDate(content.dueDate, 'en') : '–';
  let subjectId: string;
  let subjectEn: string;
  let leadId: string;
  let leadEn: string;
  switch (kind) {
    case 'dispatched':
      subjectId = `Disposisi baru ${code}`;
      subjectEn = `New referral ${code}`;
      leadId = `Laporan ${code} didisposisikan ke ${content.agency ?? 'instansi Anda'}.`;
      leadEn = `Report ${code} was referred to ${content.agency ?? 'your agency'}.`;
      break;
    case 'citizen_replied':
      subjectId = `Balasan warga pada ${code}`;
      subjectEn = `Citizen reply on ${code}`;
      leadId = `Warga membalas laporan ${code}.`;
      leadEn = `The citizen replied on report ${code}.`;
      break;
    case 'deadline_reminder':
      subjectId = `Tenggat ${code} segera tiba`;
      subjectEn = `Deadline of ${code} is near`;
      leadId = `Tenggat ${clock.id} laporan ${code} jatuh pada ${dueId} (akhir hari, WIB).`;
      leadEn = `The ${clock.en} deadline of report ${code} is ${dueEn} (end of day, WIB).`;
      break;
    case 'deadline_breached':
      subjectId = `Tenggat ${code} terlewati`;
      subjectEn = `Deadline of ${code} missed`;
      leadId = `Tenggat ${clock.id} laporan ${code} (${dueId}) sudah terlewati.`;
      leadEn = `The ${clock.en} deadline of report ${code} (${dueEn}) has passed.`;
      break;
  }
  const detailsId = [
    content.category ? `Kategori: ${content.category}` : null,
    content.agency && kind !== 'dispatched' ? `OPD: ${content.agency}` : null,
    content.excerpt ? `Ringkasan: ${content.excerpt}` : null,
  ].filter((line): line is string => line !== null);
  const body = [
    [leadId, ...detailsId, `Buka laporan: ${link}`].join('\n'),
    [leadEn, `Open the report: ${link}`].join('\n'),
  ].join('\n\n');
  return { subject: `[Aduan] ${subjectId} / ${subjectEn}`, body };
}
