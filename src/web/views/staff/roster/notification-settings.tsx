/** An officer's own notification settings: channels, daily digest, their working hours and their latest notifications. */
import type { PageContext } from '../../layout.tsx';
import { Button, Checkbox, CsrfField, Radios, TextField, type FieldErrors } from '../../components.tsx';
import { formatDateTime } from '../../format.tsx';
import type { NotificationChannel } from '../../../../db/schema.ts';
import { AnswersLayout } from '../templates/layout.tsx';

export const PREFERENCE_FIELDS = ['emailEnabled', 'telegramChatId', 'telegramEnabled', 'whatsappNumber', 'whatsappEnabled', 'delivery'] as const;

export interface RecentNotification {
  id: number;
  kind: string;
  channel: string;
  delivery: string;
  status: string;
  createdAt: Date;
  sentAt: Date | null;
  nextAttemptAt: Date;
  complaintId: number;
  trackingCode: string;
}

export function NotificationSettingsPage(props: {
  ctx: PageContext;
  email: string;
  values: Record<string, string>;
  errors: FieldErrors;
  /** Channels the server can send on. */
  available: readonly NotificationChannel[];
  /** Lines that describe the officer's working hours. */
  workingHours: string[];
  /** Whether the hours come from the officer's own shifts. */
  fromRoster: boolean;
  recent: RecentNotification[];
  banner?: string;
}) {
  const { ctx, values, errors } = props;
  const { t, locale } = ctx;
  const unavailable = (channel: NotificationChannel) => (props.available.includes(channel) ? undefined : t('notify.not_configured'));
  return (
    <AnswersLayout ctx={ctx} section="notifications" title={t('notify.title')} banner={props.banner} errors={errors} order={PREFERENCE_FIELDS}
      prefix="notify">
      <p class="body">{t('notify.intro')}</p>
      <form method="post" action="/staff/notifications" novalidate class="narrow-form">
        <CsrfField token={ctx.csrfToken} />
        <Checkbox prefix="notify" name="emailEnabled" label={t('notify.email', { email: props.email })} checked={values.emailEnabled === '1'}
          hint={unavailable('email')} />
        <TextField t={t} prefix="notify" name="telegramChatId" label={t('notify.telegram_chat')} value={values.telegramChatId} error={errors.telegramChatId}
          width="medium" hint={t('notify.telegram_hint')} optional inputmode="numeric" />
        <Checkbox prefix="notify" name="telegramEnabled" label={t('notify.telegram')} checked={values.telegramEnabled === '1'} hint={unavailable('telegram')} />
        <TextField t={t} prefix="notify" name="whatsappNumber" type="tel" label={t('notify.whatsapp_number')} value={values.whatsappNumber}
          error={errors.whatsappNumber} width="medium" optional hint={t('notify.whatsapp_hint')} />
        <Checkbox prefix="notify" name="whatsappEnabled" label={t('notify.whatsapp')} checked={values.whatsappEnabled === '1'} hint={unavailable('whatsapp')} />
        <Radios t={t} prefix="notify" name="delivery" label={t('notify.delivery')} value={values.delivery || 'single'} error={errors.delivery}
          options={[
            { value: 'single', label: t('notify.delivery_single'), hint: t('notify.delivery_single_hint') },
            { value: 'digest', label: t('notify.delivery_digest'), hint: t('notify.delivery_digest_hint') },
          ]} />
        <Button>{t('notify.save')}</Button>
      </form>

      <h2 class="heading-m">{t('notify.hours')}</h2>
      <p class="body">{props.fromRoster ? t('notify.hours_roster') : t('notify.hours_office')}</p>
      <ul class="list">
        {props.workingHours.map((line) => <li>{line}</li>)}
      </ul>

      <h2 class="heading-m">{t('notify.recent')}</h2>
      {props.recent.length === 0 ? (
        <p class="body">{t('notify.recent_none')}</p>
      ) : (
        <table class="table table--responsive">
          <caption class="visually-hidden">{t('notify.recent')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('notify.field.report')}</th>
              <th scope="col">{t('notify.field.kind')}</th>
              <th scope="col">{t('notify.field.channel')}</th>
              <th scope="col">{t('notify.field.state')}</th>
            </tr>
          </thead>
          <tbody>
            {props.recent.map((row) => (
              <tr>
                <th scope="row" data-label={t('notify.field.report')}><a href={`/staff/complaints/${row.complaintId}`}>{row.trackingCode}</a></th>
                <td data-label={t('notify.field.kind')}>{t(`notify.kind.${row.kind}`)}</td>
                <td data-label={t('notify.field.channel')}>{t(`notify.channel.${row.channel}`)}{row.delivery === 'digest' ? ` · ${t('notify.delivery_digest')}` : ''}</td>
                <td data-label={t('notify.field.state')}>
                  {row.status === 'sent' && row.sentAt
                    ? t('notify.state.sent', { when: formatDateTime(row.sentAt, locale) })
                    : row.status === 'pending'
                      ? t('notify.state.pending', { when: formatDateTime(row.nextAttemptAt, locale) })
                      : t('notify.state.failed')}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </AnswersLayout>
  );
}
