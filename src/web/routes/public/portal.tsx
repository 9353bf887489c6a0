/**
 * Citizen portal: the home page and the report form (/lapor). The form posts
 * multipart data, is checked by Hono's origin check (hono/csrf), shows every
 * error next to its field, and on success redirects to a page with the
 * tracking code (post/redirect/get, so a reload does not file twice).
 */
import type { Context, Hono, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../../context.ts';
import { receiveComplaint, DESCRIPTION_MAX, DESCRIPTION_MIN } from '../../../commands/receive-complaint.ts';
import { normalizeContact } from '../../../commands/reporters.ts';
import { CommandError } from '../../../commands/errors.ts';
import { listReferenceData, getComplaintByTrackingCode } from '../../../queries/complaints.ts';
import { normalizeTrackingCode } from '../../../domain/tracking-code.ts';
import { textLength, visibleLength } from '../../../domain/text.ts';
import { MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS } from '../../../domain/images.ts';
import { COMPLAINT_TYPES, PRIVACY_LEVELS, type ComplaintType, type Privacy } from '../../../domain/types.ts';
import type { AttachmentUpload } from '../../../commands/receive-complaint.ts';
import { pageContext, renderPage, MessagePage } from '../../views/layout.tsx';
import { HomePage } from '../../views/public/home.tsx';
import { ReportFormPage, ReportSentPage, REPORT_FIELDS } from '../../views/public/report.tsx';
import { EMPTY_REPORT, type ReferenceRows, type ReportFormValues } from '../../views/report-fields.tsx';
import type { FieldErrors } from '../../views/components.tsx';
import { commandErrors, formFiles, formText, readForm, type FormBody } from '../../views/form.tsx';
import type { Translate } from '../../i18n/index.ts';
import { assignNewComplaint } from '../../../commands/roster.ts';
import { getReportAcknowledgement, matchFaqArticles } from '../../../queries/answers.ts';
import { FAQ_CHECKED_FIELD, FaqMatchesPage } from '../../views/faq/pages.tsx';
import { logger } from '../../../logger.ts';

/** Command field names that the report form calls differently. */
export const REPORT_FIELD_ALIASES: Record<string, string> = { 'reporter.name': 'name', 'reporter.phone': 'phone', 'reporter.email': 'email', 'reporter.contact': 'phone' };

export async function loadReference(c: Context<AppEnv>): Promise<ReferenceRows> {
  return listReferenceData(c.get('deps').db);
}

export function reportValues(body: FormBody): ReportFormValues {
  const values = { ...EMPTY_REPORT };
  for (const key of Object.keys(EMPTY_REPORT) as (keyof ReportFormValues)[]) values[key] = formText(body, key);
  values.privacy ||= 'anonymous';
  return values;
}

/**
 * Checks what can be checked without the database, so that every such error
 * is shown at once. The command checks the rest (codes of kecamatan, desa and
 * category, file contents) and reports the first it finds.
 */
export function checkReportForm(t: Translate, values: ReportFormValues, files: File[], options: { typeRequired: boolean }): FieldErrors {
  const errors: FieldErrors = {};
  if (values.type ? !COMPLAINT_TYPES.includes(values.type as ComplaintType) : options.typeRequired) errors.type = t('error.type_required');
  // Counted as the command counts: characters, not UTF-16 units, and invisible format characters not towards the minimum.
  const description = values.description.trim();
  const visible = visibleLength(description);
  if (visible === 0) errors.description = t('error.description_required');
  else if (visible < DESCRIPTION_MIN) errors.description = t('error.description_too_short', { min: DESCRIPTION_MIN });
  else if (textLength(description) > DESCRIPTION_MAX) errors.description = t('error.text_too_long', { max: DESCRIPTION_MAX });
  const phoneError = values.phone.trim() ? contactError(t, 'phone', values.phone) : undefined;
  if (phoneError) errors.phone = phoneError;
  const emailError = values.email.trim() ? contactError(t, 'email', values.email) : undefined;
  if (emailError) errors.email = emailError;
  if (!PRIVACY_LEVELS.includes(values.privacy as Privacy)) errors.privacy = t('error.privacy_invalid');
  if (files.length > MAX_ATTACHMENTS) errors.attachments = t('error.attachment_too_many', { max: MAX_ATTACHMENTS });
  else if (files.some((file) => file.size > MAX_ATTACHMENT_BYTES)) errors.attachments = t('error.attachment_too_large');
  return errors;
}

function contactError(t: Translate, kind: 'phone' | 'email', value: string): string | undefined {
  try {
    normalizeContact({ kind, value });
    return undefined;
  } catch (error) {
    if (error instanceof CommandError) return t(error.key, error.params);
    throw error;
  }
}

export async function readUploads(files: File[]): Promise<AttachmentUpload[]> {
  return Promise.all(files.map(async (file) => ({ fileName: file.name || 'file', content: new Uint8Array(await file.arrayBuffer()) })));
}

export function registerPortalRoutes(app: Hono<AppEnv>, guards: { originCheck: MiddlewareHandler<AppEnv>; uploadLimit: MiddlewareHandler<AppEnv> }): void {
  app.get('/', (c) => renderPage(c, <HomePage ctx={pageContext(c)} />));

  app.get('/lapor', async (c) => {
    const reference = await loadReference(c);
    return renderPage(c, <ReportFormPage ctx={pageContext(c)} values={EMPTY_REPORT} errors={{}} reference={reference} />);
  });

  app.post('/lapor', guards.uploadLimit, guards.originCheck, async (c) => {
    const t = c.get('t');
    const body = await readForm(c);
    const values = reportValues(body);
    const files = formFiles(body, 'attachments');
    const rerender = async (errors: FieldErrors) =>
      renderPage(c, <ReportFormPage ctx={pageContext(c)} values={values} errors={errors} reference={await loadReference(c)}
        filesDropped={files.length > 0} />, 400);

    const errors = checkReportForm(t, values, files, { typeRequired: true });
    if (Object.keys(errors).length > 0) return rerender(errors);
    // Fast answers: a question that published FAQ articles may answer is shown them first; "No" posts again with FAQ_CHECKED_FIELD.
    if (values.type === 'permintaan_informasi' && formText(body, FAQ_CHECKED_FIELD) !== '1') {
      const matches = await matchFaqArticles(c.get('deps').db, values.description);
      if (matches.length > 0) {
        c.header('Cache-Control', 'no-store');
        return renderPage(c, <FaqMatchesPage ctx={pageContext(c)} matches={matches} values={values} filesDropped={files.length > 0} />);
      }
    }
    try {
      const { complaint } = await receiveComplaint({ db: c.get('deps').db, actor: { kind: 'citizen' } }, {
        type: values.type as ComplaintType,
        description: values.description,
        channel: 'web',
        reporter: { name: values.name, phone: values.phone, email: values.email },
        privacy: values.privacy as Privacy,
        districtCode: values.districtCode || undefined,
        villageCode: values.villageCode || undefined,
        categoryCode: values.categoryCode || undefined,
        attachments: await readUploads(files),
      });
      // Fast answers: give the report to the officer on duty, or acknowledge it for the next shift. The report is filed either way.
      await assignNewComplaint({ db: c.get('deps').db, actor: { kind: 'system', reason: 'roster' } }, complaint.id).catch((error: unknown) => {
        logger.error({ err: error, complaintId: complaint.id }, 'assignment after web report failed; the assignment job will retry');
      });
      return c.redirect(`/lapor/terkirim/${complaint.tracking_code}`, 303);
    } catch (error) {
      if (error instanceof CommandError) return rerender(commandErrors(t, error, REPORT_FIELDS, REPORT_FIELD_ALIASES));
      throw error;
    }
  });

  app.get('/lapor/terkirim/:code', async (c) => {
    const code = normalizeTrackingCode(c.req.param('code'));
    const detail = code ? await getComplaintByTrackingCode(c.get('deps').db, code) : undefined;
    const ctx = pageContext(c);
    if (!code || !detail) {
      return renderPage(c, <MessagePage ctx={ctx} area="public" title={ctx.t('track.not_found_title')} message={ctx.t('track.not_found_body')}>
        <p class="body"><a href="/lacak">{ctx.t('nav.track')}</a> · <a href="/lapor">{ctx.t('nav.report')}</a></p>
      </MessagePage>, 404);
    }
    c.header('Cache-Control', 'no-store');
    const acknowledgement = await getReportAcknowledgement(c.get('deps').db, detail.complaint.id);
    return renderPage(c, <ReportSentPage ctx={ctx} trackingCode={detail.complaint.tracking_code} acknowledgement={acknowledgement} />);
  });
}
