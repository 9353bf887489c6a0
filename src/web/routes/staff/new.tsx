/**
 * Walk-in and phone entry for complaint officers (/staff/new). The received
 * time comes from a `datetime-local` input and is read as WIB, whatever zone
 * the officer's browser or the server runs in.
 */
import type { Hono } from 'hono';
import type { AppEnv } from '../../context.ts';
import { receiveComplaint } from '../../../commands/receive-complaint.ts';
import { CommandError } from '../../../commands/errors.ts';
import { canCreateOnBehalf } from '../../../policies/complaints.ts';
import { isValidDate, wibInstant } from '../../../domain/time.ts';
import type { ComplaintType, Privacy } from '../../../domain/types.ts';
import { pageContext, renderPage } from '../../views/layout.tsx';
import { toWibDateTimeLocal } from '../../views/format.tsx';
import { NEW_COMPLAINT_FIELDS, NewComplaintPage, STAFF_CHANNELS, type NewComplaintValues } from '../../views/staff/new-complaint.tsx';
import { commandErrors, formFiles, formText, readForm } from '../../views/form.tsx';
import type { FieldErrors } from '../../views/components.tsx';
import { checkReportForm, loadReference, readUploads, REPORT_FIELD_ALIASES, reportValues } from '../public/portal.tsx';
import { EMPTY_REPORT } from '../../views/report-fields.tsx';
import { forbiddenPage, staffUser } from './guard.tsx';

const DATETIME_LOCAL_RE = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?$/;

/**
 * Reads a `datetime-local` value as a WIB wall-clock time; returns undefined when it is not one.
 *
 * @example parseWibDateTimeLocal('2026-03-13T16:00') // 2026-03-13T09:00:00.000Z
 */
export function parseWibDateTimeLocal(value: string): Date | undefined {
  const match = DATETIME_LOCAL_RE.exec(value.trim());
  if (!match || !isValidDate(match[1])) return undefined;
  const hours = Number(match[2]);
  const minutes = Number(match[3]);
  if (hours > 23 || minutes > 59) return undefined;
  return wibInstant(match[1], hours * 60 + minutes);
}

export function registerNewComplaintRoutes(app: Hono<AppEnv>): void {
  app.get('/staff/new', async (c) => {
    if (!canCreateOnBehalf(staffUser(c))) return forbiddenPage(c);
    const now = toWibDateTimeLocal(new Date());
    const values: NewComplaintValues = { ...EMPTY_REPORT, channel: 'walk_in', receivedAt: now };
    return renderPage(c, <NewComplaintPage ctx={pageContext(c)} values={values} errors={{}} reference={await loadReference(c)} maxReceivedAt={now} />);
  });

  app.post('/staff/new', async (c) => {
    const user = staffUser(c);
    if (!canCreateOnBehalf(user)) return forbiddenPage(c);
    const t = c.get('t');
    const form = await readForm(c);
    const values: NewComplaintValues = { ...reportValues(form), channel: formText(form, 'channel'), receivedAt: formText(form, 'receivedAt') };
    const files = formFiles(form, 'attachments');
    const rerender = async (errors: FieldErrors, status = 400) =>
      renderPage(c, <NewComplaintPage ctx={pageContext(c)} values={values} errors={errors} reference={await loadReference(c)}
        maxReceivedAt={toWibDateTimeLocal(new Date())} filesDropped={files.length > 0} />, status);

    const errors = checkReportForm(t, values, files, { typeRequired: true });
    if (!STAFF_CHANNELS.includes(values.channel as (typeof STAFF_CHANNELS)[number])) errors.channel = t('error.channel_required');
    const receivedAt = parseWibDateTimeLocal(values.receivedAt);
    if (!receivedAt) errors.receivedAt = t('error.received_at_invalid');
    if (Object.keys(errors).length > 0 || !receivedAt) return rerender(errors);

    try {
      const { complaint } = await receiveComplaint({ db: c.get('deps').db, actor: { kind: 'staff', user } }, {
        type: values.type as ComplaintType,
        description: values.description,
        channel: values.channel as (typeof STAFF_CHANNELS)[number],
        receivedAt,
        reporter: { name: values.name, phone: values.phone, email: values.email },
        privacy: values.privacy as Privacy,
        districtCode: values.districtCode || undefined,
        villageCode: values.villageCode || undefined,
        categoryCode: values.categoryCode || undefined,
        attachments: await readUploads(files),
      });
      return c.redirect(`/staff/complaints/${complaint.id}?done=created`, 303);
    } catch (error) {
      if (error instanceof CommandError) return rerender(commandErrors(t, error, NEW_COMPLAINT_FIELDS, REPORT_FIELD_ALIASES));
      throw error;
    }
  });
}
