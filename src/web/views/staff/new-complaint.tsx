/** Walk-in and phone entry (/staff/new): an officer types in a report with the time it really arrived. */
import { Layout, type PageContext } from '../layout.tsx';
import { Button, CsrfField, ErrorSummary, Radios, TextField, type FieldErrors } from '../components.tsx';
import { ReportFields, type ReferenceRows, type ReportFormValues } from '../report-fields.tsx';

export const STAFF_CHANNELS = ['walk_in', 'phone'] as const;

export interface NewComplaintValues extends ReportFormValues {
  channel: string;
  /** `datetime-local` value, read as WIB. */
  receivedAt: string;
}

export const NEW_COMPLAINT_FIELDS = [
  'channel', 'receivedAt', 'type', 'description', 'districtCode', 'villageCode', 'categoryCode', 'attachments', 'name', 'phone', 'email', 'privacy',
] as const;

export function NewComplaintPage(props: {
  ctx: PageContext;
  values: NewComplaintValues;
  errors: FieldErrors;
  reference: ReferenceRows;
  /** Latest accepted `receivedAt` value: now, in WIB. */
  maxReceivedAt: string;
  filesDropped?: boolean;
}) {
  const { ctx, values, errors } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t('new.title')} area="staff">
      <div class="grid-row">
        <div class="grid-column-two-thirds">
          <ErrorSummary t={t} errors={errors} order={NEW_COMPLAINT_FIELDS} />
          <h1 class="heading-l">{t('new.heading')}</h1>
          <p class="body">{t('new.intro')}</p>
          <form method="post" action="/staff/new" enctype="multipart/form-data" novalidate>
            <CsrfField token={ctx.csrfToken} />
            <Radios t={t} name="channel" label={t('new.channel')} value={values.channel} error={errors.channel} inline
              options={STAFF_CHANNELS.map((channel) => ({ value: channel, label: t(`channel.${channel}`) }))} />
            <TextField t={t} name="receivedAt" label={t('new.received_at')} hint={t('new.received_at_hint')} type="datetime-local"
              value={values.receivedAt} error={errors.receivedAt} max={props.maxReceivedAt} width="medium" />
            <ReportFields t={t} locale={ctx.locale} values={values} errors={errors} reference={props.reference} audience="staff"
              filesDropped={props.filesDropped} />
            <Button>{t('new.submit')}</Button>
          </form>
        </div>
      </div>
    </Layout>
  );
}
