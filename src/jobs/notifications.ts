/**
 * The officer notification job, run every minute: it queues the
 * notifications of new case events (commands/notifications.ts), then sends
 * the due ones by e-mail (SMTP_URL, MAIL_FROM, MAIL_FROM_NAME), Telegram
 * (TELEGRAM_BOT_TOKEN) and WhatsApp (WHATSAPP_TOKEN, WHATSAPP_PHONE_NUMBER_ID),
 * the same settings the citizen channels use.
 *
 * Sending claims due rows with `FOR UPDATE SKIP LOCKED` and a claim time, so
 * two runs never send the same row. A single row is one message; an
 * officer's due digest rows on one channel become one message. A retryable
 * failure is tried again after 30 s, 60 s, 120 s … (at most an hour) until
 * NOTIFICATION_MAX_ATTEMPTS; then the row is marked failed.
 *
 * NOTE: WhatsApp accepts free text only within 24 hours of the officer's last
 * message to the business number. Outside that window the send fails as
 * `outside_window` and the row is marked failed, so e-mail stays the
 * dependable channel.
 */
import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import { sql, type Kysely } from 'kysely';
import type PgBoss from 'pg-boss';
import type { DB, NotificationChannel, OfficerNotification } from '../db/schema.ts';
import { claimDueRows } from './claim.ts';
import type { SendFailure, SendResult } from '../domain/inbound.ts';
import type { ChannelSettings, Config } from '../config.ts';
import { LOOP_HEADER } from '../channels/email/classify.ts';
import { sendEmail, type MailTransport } from '../channels/email/send.ts';
import { sendTelegramText, TELEGRAM_MAX_TEXT_LENGTH, type TelegramSendConfig } from '../channels/telegram/send.ts';
import { sendWhatsAppText, WHATSAPP_MAX_TEXT_LENGTH, type WhatsAppSendConfig } from '../channels/whatsapp/send.ts';
import { queueOfficerNotifications } from '../commands/notifications.ts';
import { loadCalendar } from '../commands/deadlines.ts';
import { getNotificationPreferences, listShifts } from '../queries/answers.ts';
import { isWorkingTime, nextDigestTime, nextWorkingStart } from '../domain/roster.ts';
import { backoffSeconds } from './delivery.ts';
import { logger } from '../logger.ts';

export const NOTIFICATION_QUEUE = 'officer-notifications';

/** Send attempts per notification before it is marked failed. */
export const NOTIFICATION_MAX_ATTEMPTS = 6;
/** How long a claim lasts, in milliseconds; one send takes at most 15 s. */
const CLAIM_MS = 5 * 60_000;
/** Rows claimed per run; the next run takes the rest. */
const BATCH_SIZE = 50;

export interface NotificationDeps {
  db: Kysely<DB>;
  /** Base URL of the site, for links to cases (PUBLIC_URL). */
  publicUrl: string;
  email?: { transport: MailTransport; from: string; fromName: string };
  telegram?: TelegramSendConfig;
  whatsapp?: WhatsAppSendConfig;
}

/**
 * Returns the notification channels whose settings are present, without
 * building any sender. Pages use it to show which channels can be chosen.
 */
export function configuredChannels(settings: ChannelSettings): NotificationChannel[] {
  const channels: NotificationChannel[] = [];
  if (settings.email.from && settings.email.smtpUrl) channels.push('email');
  if (settings.telegram.botToken) channels.push('telegram');
  if (settings.whatsapp.accessToken && settings.whatsapp.phoneNumberId) channels.push('whatsapp');
  return channels;
}

/**
 * Builds the senders from the configuration; a channel without its settings is left out.
 *
 * @example const deps = notificationDepsFromConfig(db, loadConfig());
 */
export function notificationDepsFromConfig(db: Kysely<DB>, config: Config, options: { mailTransport?: MailTransport } = {}): NotificationDeps {
  const { email, telegram, whatsapp } = config.channels;
  const deps: NotificationDeps = { db, publicUrl: config.publicUrl };
  if (email.from && (options.mailTransport || email.smtpUrl)) {
    deps.email = { transport: options.mailTransport ?? nodemailer.createTransport(email.smtpUrl!), from: email.from, fromName: email.fromName };
  }
  if (telegram.botToken) deps.telegram = { baseUrl: telegram.apiUrl, botToken: telegram.botToken };
  if (whatsapp.accessToken && whatsapp.phoneNumberId) {
    deps.whatsapp = { baseUrl: whatsapp.apiUrl, apiVersion: whatsapp.apiVersion, phoneNumberId: whatsapp.phoneNumberId, accessToken: whatsapp.accessToken };
  }
  return deps;
}

/** Returns the channels `deps` can send on. */
export function availableChannels(deps: NotificationDeps): NotificationChannel[] {
  const channels: NotificationChannel[] = [];
  if (deps.email) channels.push('email');
  if (deps.telegram) channels.push('telegram');
  if (deps.whatsapp) channels.push('whatsapp');
  return channels;
}

export interface NotificationRunResult {
  queued: number;
  sent: number;
  retrying: number;
  failed: number;
}

/**
 * Queues notifications of new events, then sends every due one once.
 *
 * @example await runNotificationCycle(deps)
 */
export async function runNotificationCycle(deps: NotificationDeps, now = new Date()): Promise<NotificationRunResult> {
  const scan = await queueOfficerNotifications(deps.db, { publicUrl: deps.publicUrl, channels: availableChannels(deps), now });
  const sent = await sendDueNotifications(deps, now);
  const result = { queued: scan.queued, ...sent };
  if (result.queued || result.sent || result.retrying || result.failed) logger.info(result, 'officer notification run');
  return result;
}

/**
 * Sends every due notification once: single rows one by one, digest rows as
 * one message per officer and channel. A row can fall due while its officer
 * is off work, after the job was down or when their shifts changed. Such a
 * row moves to the start of their next working hours, except a breach, which goes at once.
 */
export async function sendDueNotifications(deps: NotificationDeps, now = new Date()): Promise<Omit<NotificationRunResult, 'queued'>> {
  const result = { sent: 0, retrying: 0, failed: 0 };
  const [calendar, shifts] = await Promise.all([loadCalendar(deps.db), listShifts(deps.db)]);
  for (;;) {
    const claimed = await claimDue(deps.db, now);
    if (claimed.length === 0) break;
    for (const group of groupForSending(claimed)) {
      const userShifts = shifts.filter((shift) => shift.userId === group[0].user_id);
      if (group[0].kind !== 'deadline_breached' && !isWorkingTime(now, userShifts, calendar)) {
        const next = group[0].delivery === 'digest' ? nextDigestTime(now, userShifts, calendar) : nextWorkingStart(now, userShifts, calendar);
        // An officer with no working time ahead still gets the message rather than none.
        if (next !== null) {
          await defer(deps.db, group.map((row) => row.id), next, now);
          continue;
        }
      }
      const outcome = await sendGroup(deps, group, now);
      result[outcome] += group.length;
    }
    if (claimed.length < BATCH_SIZE) break;
  }
  return result;
}

/** Releases claimed rows unsent until `until`; the claim's attempt is not counted. */
async function defer(db: Kysely<DB>, ids: number[], until: Date, now: Date): Promise<void> {
  await db
    .updateTable('officer_notifications')
    .set({ next_attempt_at: until, claimed_until: null, attempts: sql<number>`attempts - 1`, updated_at: now })
    .where('id', 'in', ids)
    .execute();
}

function claimDue(db: Kysely<DB>, now: Date): Promise<OfficerNotification[]> {
  return claimDueRows(db, 'officer_notifications', now, { claimMs: CLAIM_MS, batchSize: BATCH_SIZE }) as Promise<OfficerNotification[]>;
}

/** Single rows alone; digest rows of one officer and channel together, oldest first. */
function groupForSending(rows: OfficerNotification[]): OfficerNotification[][] {
  const groups: OfficerNotification[][] = [];
  const digests = new Map<string, OfficerNotification[]>();
  for (const row of rows) {
    if (row.delivery === 'single') {
      groups.push([row]);
      continue;
    }
    const key = `${row.user_id}:${row.channel}`;
    const group = digests.get(key) ?? [];
    group.push(row);
    digests.set(key, group);
  }
  for (const group of digests.values()) groups.push(group.sort((a, b) => a.id - b.id));
  return groups;
}

/** Subject and text of one message for a group of rows. */
export function composeMessage(group: OfficerNotification[]): { subject: string; text: string } {
  if (group.length === 1 && group[0].delivery === 'single') return { subject: group[0].subject, text: group[0].body };
  const count = group.length;
  const subject = `[Aduan] Ringkasan harian: ${count} pemberitahuan / Daily digest: ${count} notifications`;
  const text = group.map((row) => `${row.subject.replace(/^\[Aduan\]\s*/, '')}\n${row.body}`).join('\n\n———\n\n');
  return { subject, text };
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

type SendOutcome = 'sent' | 'retrying' | 'failed';

async function sendGroup(deps: NotificationDeps, group: OfficerNotification[], now: Date): Promise<SendOutcome> {
  const first = group[0];
  const ids = group.map((row) => row.id);
  const user = await deps.db.selectFrom('users').select(['email', 'active']).where('id', '=', first.user_id).executeTakeFirst();
  if (!user || !user.active) {
    return finish(deps.db, ids, now, { ok: false, retryable: false, category: 'recipient_unreachable', code: 'user_inactive', message: 'The officer account is inactive.' }, first.attempts);
  }
  const { subject, text } = composeMessage(group);
  let result: SendResult;
  try {
    result = await sendOne(deps, first.channel, first.user_id, user.email, subject, text);
  } catch (error) {
    // A sender bug must not leave the rows claimed for good; treat it as a temporary failure.
    logger.error({ err: error, notificationIds: ids }, 'officer notification send threw');
    result = { ok: false, retryable: true, category: 'provider_error', code: 'exception', message: (error as Error).message };
  }
  return finish(deps.db, ids, now, result, Math.max(...group.map((row) => row.attempts)));
}

async function sendOne(deps: NotificationDeps, channel: NotificationChannel, userId: number, email: string, subject: string, text: string): Promise<SendResult> {
  switch (channel) {
    case 'email': {
      if (!deps.email) return notConfigured('e-mail', 'SMTP_URL and MAIL_FROM');
      const domain = deps.email.from.split('@')[1];
      return sendEmail(deps.email.transport, {
        from: { name: deps.email.fromName, address: deps.email.from },
        to: email,
        subject,
        text,
        messageId: `<aduan.notify.${randomUUID()}@${domain}>`,
        // Automatic mail (RFC 3834): no vacation replies, and our own loop marker.
        headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All', [LOOP_HEADER]: domain },
      });
    }
    case 'telegram': {
      if (!deps.telegram) return notConfigured('Telegram', 'TELEGRAM_BOT_TOKEN');
      const preferences = await getNotificationPreferences(deps.db, userId);
      if (!preferences.telegramChatId) return noAddress('Telegram chat id');
      return sendTelegramText(deps.telegram, { chatId: preferences.telegramChatId, text: truncate(`${subject}\n\n${text}`, TELEGRAM_MAX_TEXT_LENGTH) });
    }
    case 'whatsapp': {
      if (!deps.whatsapp) return notConfigured('WhatsApp', 'WHATSAPP_TOKEN and WHATSAPP_PHONE_NUMBER_ID');
      const preferences = await getNotificationPreferences(deps.db, userId);
      if (!preferences.whatsappNumber) return noAddress('WhatsApp number');
      return sendWhatsAppText(deps.whatsapp, { to: preferences.whatsappNumber, text: truncate(`${subject}\n\n${text}`, WHATSAPP_MAX_TEXT_LENGTH) });
    }
  }
}

function notConfigured(channel: string, settings: string): SendFailure {
  return { ok: false, retryable: false, category: 'auth', code: 'not_configured', message: `Sending ${channel} notifications is not configured: set ${settings}.` };
}

function noAddress(what: string): SendFailure {
  return { ok: false, retryable: false, category: 'recipient_unreachable', code: 'no_address', message: `The officer removed their ${what}.` };
}

async function finish(db: Kysely<DB>, ids: number[], now: Date, result: SendResult, attempts: number): Promise<SendOutcome> {
  if (result.ok) {
    await db
      .updateTable('officer_notifications')
      .set({ status: 'sent', sent_at: now, provider_message_id: result.providerMessageId, claimed_until: null, last_error: null, last_error_code: null, updated_at: now })
      .where('id', 'in', ids)
      .execute();
    return 'sent';
  }
  const retry = result.retryable && attempts < NOTIFICATION_MAX_ATTEMPTS;
  await db
    .updateTable('officer_notifications')
    .set({
      status: retry ? 'pending' : 'failed',
      next_attempt_at: retry ? new Date(now.getTime() + backoffSeconds(attempts, result.retryAfterSeconds) * 1000) : now,
      claimed_until: null,
      last_error_code: result.code,
      last_error: result.message.slice(0, 500),
      updated_at: now,
    })
    .where('id', 'in', ids)
    .execute();
  logger.warn({ notificationIds: ids, code: result.code, category: result.category, attempts, retry }, 'officer notification not sent');
  return retry ? 'retrying' : 'failed';
}

/**
 * Registers the queue, schedules it every minute and starts its worker.
 *
 * @example await startNotificationJobs(boss, notificationDepsFromConfig(db, config));
 */
export async function startNotificationJobs(boss: PgBoss, deps: NotificationDeps): Promise<void> {
  await boss.createQueue(NOTIFICATION_QUEUE);
  await boss.schedule(NOTIFICATION_QUEUE, '* * * * *', {}, { tz: 'Asia/Jakarta' });
  await boss.work(NOTIFICATION_QUEUE, async () => {
    await runNotificationCycle(deps);
  });
}
