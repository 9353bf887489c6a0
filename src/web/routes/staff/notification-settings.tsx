/**
 * Each officer's own notification settings (/staff/notifications): channels,
 * a daily digest instead of single messages, the working hours that decide
 * when messages go out, and their latest notifications.
 */
import type { Context, Hono } from 'hono';
import type { AppEnv } from '../../context.ts';
import { saveNotificationPreferences } from '../../../commands/notifications.ts';
import { getNotificationPreferences, listRecentNotifications, shiftsOfUser } from '../../../queries/answers.ts';
import { DEFAULT_OFFICE_HOURS } from '../../../domain/calendar.ts';
import { formatClockTime } from '../../../domain/roster.ts';
import type { Translate } from '../../i18n/index.ts';
import { configuredChannels } from '../../../jobs/notifications.ts';
import { pageContext, renderPage } from '../../views/layout.tsx';
import { NotificationSettingsPage, PREFERENCE_FIELDS } from '../../views/staff/roster/notification-settings.tsx';
import type { FieldErrors } from '../../views/components.tsx';
import { attempt, formChecked, formText, readForm } from '../../views/form.tsx';
import { staffUser } from './guard.tsx';
import { answersBanner, commandContext } from './templates.tsx';

/** Days in the order an Indonesian office week is read: Monday first. */
const WEEK_ORDER = [1, 2, 3, 4, 5, 6, 0] as const;

async function workingHours(c: Context<AppEnv>, t: Translate): Promise<{ lines: string[]; fromRoster: boolean }> {
  const shifts = await shiftsOfUser(c.get('deps').db, staffUser(c).id);
  if (shifts.length > 0) {
    const lines = WEEK_ORDER.flatMap((day) => shifts.filter((shift) => shift.weekday === day).map((shift) =>
      `${t(`roster.weekday.${day}`)}: ${formatClockTime(shift.startMinute)}–${formatClockTime(shift.endMinute)} WIB${shift.onHolidays ? ` (${t('roster.field.on_holidays')})` : ''}`));
    return { lines, fromRoster: true };
  }
  const lines = WEEK_ORDER.flatMap((day) => {
    const hours = DEFAULT_OFFICE_HOURS[day];
    return hours ? [`${t(`roster.weekday.${day}`)}: ${hours.start}–${hours.end} WIB`] : [];
  });
  return { lines, fromRoster: false };
}

async function settingsPage(c: Context<AppEnv>, values?: Record<string, string>, errors: FieldErrors = {}, status = 200) {
  const user = staffUser(c);
  const db = c.get('deps').db;
  const t = c.get('t');
  const [preferences, recent, hours] = await Promise.all([getNotificationPreferences(db, user.id), listRecentNotifications(db, user.id), workingHours(c, t)]);
  const current = values ?? {
    emailEnabled: preferences.emailEnabled ? '1' : '',
    telegramChatId: preferences.telegramChatId ?? '',
    telegramEnabled: preferences.telegramEnabled ? '1' : '',
    whatsappNumber: preferences.whatsappNumber ?? '',
    whatsappEnabled: preferences.whatsappEnabled ? '1' : '',
    delivery: preferences.dailyDigest ? 'digest' : 'single',
  };
  return renderPage(
    c,
    <NotificationSettingsPage ctx={pageContext(c)} email={user.email} values={current} errors={errors}
      available={configuredChannels(c.get('deps').config.channels)} workingHours={hours.lines} fromRoster={hours.fromRoster}
      recent={recent.map((row) => ({
        id: row.id, kind: row.kind, channel: row.channel, delivery: row.delivery, status: row.status, createdAt: row.created_at, sentAt: row.sent_at,
        nextAttemptAt: row.next_attempt_at, complaintId: row.complaint_id, trackingCode: row.tracking_code,
      }))}
      banner={answersBanner(c, ['notifications-saved'])} />,
    status,
  );
}

export function registerNotificationSettingsRoutes(app: Hono<AppEnv>): void {
  app.get('/staff/notifications', (c) => settingsPage(c));

  app.post('/staff/notifications', async (c) => {
    const form = await readForm(c);
    const values = {
      emailEnabled: formChecked(form, 'emailEnabled') ? '1' : '',
      telegramChatId: formText(form, 'telegramChatId'),
      telegramEnabled: formChecked(form, 'telegramEnabled') ? '1' : '',
      whatsappNumber: formText(form, 'whatsappNumber'),
      whatsappEnabled: formChecked(form, 'whatsappEnabled') ? '1' : '',
      delivery: formText(form, 'delivery') === 'digest' ? 'digest' : 'single',
    };
    const result = await attempt(c.get('t'), PREFERENCE_FIELDS, () => saveNotificationPreferences(commandContext(c), {
      emailEnabled: values.emailEnabled === '1',
      telegramEnabled: values.telegramEnabled === '1',
      telegramChatId: values.telegramChatId,
      whatsappEnabled: values.whatsappEnabled === '1',
      whatsappNumber: values.whatsappNumber,
      dailyDigest: values.delivery === 'digest',
    }));
    if (!result.ok) return settingsPage(c, values, result.errors, result.error.httpStatus);
    return c.redirect('/staff/notifications?done=notifications-saved', 303);
  });
}
