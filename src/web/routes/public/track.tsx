/**
 * Tracking pages: /lacak reads a code, /lacak/{code} shows the report as
 * `presentPublicComplaint` shapes it, with a reply form while the report is
 * open and a rating form after an answer that is not rated yet.
 */
import type { Context, Hono, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../../context.ts';
import { CommandError } from '../../../commands/errors.ts';
import { rateComplaint, replyAsCitizen } from '../../../commands/reopen-complaint.ts';
import { getComplaintByTrackingCode, getComplaintDetail } from '../../../queries/complaints.ts';
import { presentKeptCase, presentPublicComplaint, type PublicComplaint, type PublicKeptCase } from '../../../presenters/complaints.ts';
import { normalizeTrackingCode } from '../../../domain/tracking-code.ts';
import { OPEN_STATUSES } from '../../../domain/lifecycle.ts';
import { MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS } from '../../../domain/images.ts';
import { visibleLength } from '../../../domain/text.ts';
import { pageContext, renderPage } from '../../views/layout.tsx';
import { TRACK_BANNERS, TrackFormPage, TrackNotFoundPage, TrackPage, type TrackBanner, type TrackPageProps } from '../../views/public/track.tsx';
import type { FieldErrors } from '../../views/components.tsx';
import { commandErrors, formFiles, formText, readForm } from '../../views/form.tsx';
import { readUploads } from './portal.tsx';

/** Statuses in which the citizen may still reply: open, or resolved (a reply reopens it). */
const REPLYABLE_STATUSES: readonly string[] = [...OPEN_STATUSES, 'resolved'];
const RATEABLE_STATUSES: readonly string[] = ['resolved', 'closed'];
const ANSWER_EVENTS: readonly string[] = ['resolved', 'answered'];

/**
 * Returns whether the latest answer still waits for a rating. It follows the
 * rule of `rateComplaint`: one rating per answer, counted from the answer's time.
 */
export function awaitsRating(complaint: PublicComplaint): boolean {
  if (!RATEABLE_STATUSES.includes(complaint.status)) return false;
  const answers = complaint.timeline.filter((entry) => ANSWER_EVENTS.includes(entry.type));
  if (answers.length === 0) return false;
  const lastAnswerAt = Math.max(...answers.map((entry) => Date.parse(entry.at)));
  return !complaint.timeline.some((entry) => entry.type === 'rated' && Date.parse(entry.at) >= lastAnswerAt);
}

interface LoadedReport {
  id: number;
  complaint: PublicComplaint;
  kept: PublicKeptCase | null;
}

async function loadReport(c: Context<AppEnv>, code: string): Promise<LoadedReport | undefined> {
  const db = c.get('deps').db;
  const detail = await getComplaintByTrackingCode(db, code);
  if (!detail) return undefined;
  const complaint = presentPublicComplaint(detail);
  let kept: PublicKeptCase | null = null;
  if (detail.complaint.merged_into_id !== null) {
    const keptDetail = await getComplaintDetail(db, null, detail.complaint.merged_into_id);
    kept = keptDetail ? presentKeptCase(keptDetail) : null;
  }
  return { id: detail.complaint.id, complaint, kept };
}

function trackPage(c: Context<AppEnv>, report: LoadedReport, extra: Partial<TrackPageProps> = {}, status = 200) {
  c.header('Cache-Control', 'no-store');
  return renderPage(
    c,
    <TrackPage
      ctx={pageContext(c)}
      complaint={report.complaint}
      kept={report.kept}
      canReply={REPLYABLE_STATUSES.includes(report.complaint.status)}
      canRate={awaitsRating(report.complaint)}
      {...extra}
    />,
    status,
  );
}

function notFound(c: Context<AppEnv>, typed: string) {
  return renderPage(c, <TrackNotFoundPage ctx={pageContext(c)} code={typed} />, 404);
}

export function registerTrackRoutes(app: Hono<AppEnv>, guards: { originCheck: MiddlewareHandler<AppEnv>; uploadLimit: MiddlewareHandler<AppEnv> }): void {
  app.get('/lacak', (c) => {
    const typed = c.req.query('kode');
    if (typed === undefined) return renderPage(c, <TrackFormPage ctx={pageContext(c)} code="" errors={{}} />);
    const code = normalizeTrackingCode(typed);
    if (!code) {
      const t = c.get('t');
      const errors: FieldErrors = { kode: t(typed.trim() ? 'error.tracking_code_invalid' : 'error.tracking_code_required') };
      return renderPage(c, <TrackFormPage ctx={pageContext(c)} code={typed} errors={errors} />, 400);
    }
    return c.redirect(`/lacak/${code}`, 303);
  });

  app.get('/lacak/:code', async (c) => {
    const typed = c.req.param('code');
    const code = normalizeTrackingCode(typed);
    if (!code) return notFound(c, typed);
    if (code !== typed) return c.redirect(`/lacak/${code}`, 301);
    const report = await loadReport(c, code);
    if (!report) return notFound(c, typed);
    const banner = c.req.query('pesan');
    return trackPage(c, report, { banner: TRACK_BANNERS.includes(banner as TrackBanner) ? (banner as TrackBanner) : undefined });
  });

  app.post('/lacak/:code/balas', guards.uploadLimit, guards.originCheck, async (c) => {
    const code = normalizeTrackingCode(c.req.param('code'));
    const report = code ? await loadReport(c, code) : undefined;
    if (!code || !report) return notFound(c, c.req.param('code'));
    const t = c.get('t');
    const form = await readForm(c);
    const body = formText(form, 'body');
    const files = formFiles(form, 'attachments');
    const fail = (errors: FieldErrors) => trackPage(c, report, { reply: { body, errors, filesDropped: files.length > 0 } }, 400);

    // Invisible format characters alone (zero-width spaces) are no reply either.
    if (visibleLength(body) === 0) return fail({ body: t('error.reply_required') });
    if (files.length > MAX_ATTACHMENTS) return fail({ attachments: t('error.attachment_too_many', { max: MAX_ATTACHMENTS }) });
    if (files.some((file) => file.size > MAX_ATTACHMENT_BYTES)) return fail({ attachments: t('error.attachment_too_large') });
    try {
      await replyAsCitizen({ db: c.get('deps').db, actor: { kind: 'citizen' } }, report.id, { body, attachments: await readUploads(files) });
    } catch (error) {
      if (error instanceof CommandError) return fail(commandErrors(t, error, ['body', 'attachments']));
      throw error;
    }
    return c.redirect(`/lacak/${code}?pesan=balasan-terkirim`, 303);
  });

  app.post('/lacak/:code/nilai', guards.originCheck, async (c) => {
    const code = normalizeTrackingCode(c.req.param('code'));
    const report = code ? await loadReport(c, code) : undefined;
    if (!code || !report) return notFound(c, c.req.param('code'));
    const t = c.get('t');
    const form = await readForm(c);
    const rating = formText(form, 'rating');
    const comment = formText(form, 'comment');
    const fail = (errors: FieldErrors) => trackPage(c, report, { rating: { rating, comment, errors } }, 400);

    if (!/^[1-5]$/.test(rating)) return fail({ rating: t('error.rating_required') });
    try {
      await rateComplaint({ db: c.get('deps').db, actor: { kind: 'citizen' } }, report.id, { rating: Number(rating), comment });
    } catch (error) {
      if (error instanceof CommandError) return fail(commandErrors(t, error, ['rating', 'comment']));
      throw error;
    }
    return c.redirect(`/lacak/${code}?pesan=penilaian-terkirim`, 303);
  });
}
