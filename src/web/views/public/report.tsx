/** The citizen's report form (/lapor) and the confirmation page with the tracking code. */
import { Layout, type PageContext } from '../layout.tsx';
import { Button, ErrorSummary, type FieldErrors } from '../components.tsx';
import { ReportFields, type ReferenceRows, type ReportFormValues } from '../report-fields.tsx';
import { formatDate, formatDateTime } from '../format.tsx';
import type { ReportAcknowledgement } from '../../../queries/answers.ts';

/** Order of the fields in the error summary: the order they appear on the page. */
export const REPORT_FIELDS = [
  'type', 'description', 'districtCode', 'villageCode', 'categoryCode', 'attachments', 'name', 'phone', 'email', 'privacy',
] as const;

export function ReportFormPage(props: {
  ctx: PageContext;
  values: ReportFormValues;
  errors: FieldErrors;
  reference: ReferenceRows;
  filesDropped?: boolean;
}) {
  const { ctx } = props;
  const { t } = ctx;
  const hasErrors = Object.keys(props.errors).length > 0;
  return (
    <Layout ctx={ctx} title={hasErrors ? `${t('ui.error_title_prefix')} ${t('report.title')}` : t('report.title')} area="public">
      <div class="grid-row">
        <div class="grid-column-two-thirds">
          <ErrorSummary t={t} errors={props.errors} order={REPORT_FIELDS} />
          <h1 class="heading-l">{t('report.heading')}</h1>
          <p class="body">{t('report.intro')}</p>
          <div class="inset-text">{t('report.emergency')}</div>
          <form method="post" action="/lapor" enctype="multipart/form-data" novalidate>
            <ReportFields t={t} locale={ctx.locale} values={props.values} errors={props.errors} reference={props.reference}
              audience="citizen" filesDropped={props.filesDropped} />
            <Button>{t('report.submit')}</Button>
          </form>
          {/* Fast answers: FAQ suggestions under the description while the citizen types (views/faq/suggest.js). */}
          <script src="/faq/saran.js" defer></script>
        </div>
      </div>
    </Layout>
  );
}

export function ReportSentPage(props: { ctx: PageContext; trackingCode: string; acknowledgement?: ReportAcknowledgement }) {
  const { ctx, trackingCode } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t('report.sent_title')} area="public">
      <div class="grid-row">
        <div class="grid-column-two-thirds">
          <div class="panel panel--confirmation">
            <h1 class="panel__title">{t('report.sent_heading')}</h1>
            <div class="panel__body">
              {t('report.sent_code_label')}
              <br />
              <strong class="tracking-code" data-tracking-code>{trackingCode}</strong>
            </div>
          </div>
          {/* Fast answers: when to expect an answer, from the verification deadline, and whether the report waits for the next shift. */}
          {props.acknowledgement?.queued ? (
            <p class="body" data-acknowledgement="queued">
              {props.acknowledgement.nextShiftAt
                ? t('answers.report.queued', { when: formatDateTime(props.acknowledgement.nextShiftAt, ctx.locale) })
                : t('answers.report.queued_no_shift')}
            </p>
          ) : null}
          {props.acknowledgement?.expectedBy ? (
            <p class="body" data-expected-by={props.acknowledgement.expectedBy}>
              <strong>{t('answers.report.expected_by', { date: formatDate(props.acknowledgement.expectedBy, ctx.locale) })}</strong>
            </p>
          ) : null}
          <h2 class="heading-m">{t('report.sent_next_title')}</h2>
          <p class="body">{t('report.sent_keep_code')}</p>
          <ol class="list list--number">
            <li>{t('report.sent_step1')}</li>
            <li>{t('report.sent_step2')}</li>
            <li>{t('report.sent_step3')}</li>
          </ol>
          <p class="body">
            <a class="button button--primary" href={`/lacak/${trackingCode}`} role="button">{t('report.sent_track_button')}</a>
          </p>
          <p class="body"><a href="/lapor">{t('report.sent_another')}</a></p>
        </div>
      </div>
    </Layout>
  );
}
