/**
 * The tracking pages: the form for a tracking code (/lacak) and the status
 * of one report (/lacak/{code}). They render only `PublicComplaint`, the
 * presenter's shape without identity and with personal data masked.
 */
import type { PublicComplaint, PublicKeptCase } from '../../../presenters/complaints.ts';
import { MAX_ATTACHMENTS } from '../../../domain/images.ts';
import { Layout, type PageContext } from '../layout.tsx';
import {
  Button, DeadlineTable, ErrorSummary, FileField, NotificationBanner, Radios, StatusTag, SummaryList, TextArea, TextField, Timeline,
  type FieldErrors, type TimelineEntry,
} from '../components.tsx';
import { eventTitle } from '../events.tsx';
import { formatDateTime } from '../format.tsx';
import { localizeMasks } from '../../i18n/index.ts';
import { ATTACHMENT_ACCEPT } from '../report-fields.tsx';

export function TrackFormPage(props: { ctx: PageContext; code: string; errors: FieldErrors }) {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t('track.title')} area="public">
      <div class="grid-row">
        <div class="grid-column-two-thirds">
          <ErrorSummary t={t} errors={props.errors} />
          <form method="get" action="/lacak" novalidate>
            <h1 class="heading-l">
              <label for="kode">{t('track.heading')}</label>
            </h1>
            <p class="body">{t('track.intro')}</p>
            <TrackCodeInput ctx={ctx} code={props.code} error={props.errors.kode} />
            <Button>{t('track.submit')}</Button>
          </form>
          <p class="body">{t('track.lost_code')}</p>
        </div>
      </div>
    </Layout>
  );
}

function TrackCodeInput(props: { ctx: PageContext; code: string; error?: string }) {
  const { t } = props.ctx;
  return (
    <div class={`form-group${props.error ? ' form-group--error' : ''}`}>
      <div class="hint" id="kode-hint">{t('track.code_hint')}</div>
      {props.error ? (
        <p class="error-message" id="kode-error"><span class="visually-hidden">{t('ui.error_prefix')} </span>{props.error}</p>
      ) : null}
      <input class={`input input--medium input--code${props.error ? ' input--error' : ''}`} id="kode" name="kode" type="text"
        value={props.code} autocomplete="off" spellcheck={false} autocapitalize="characters"
        aria-describedby={props.error ? 'kode-hint kode-error' : 'kode-hint'} aria-invalid={props.error ? 'true' : undefined} />
    </div>
  );
}

function publicActor(t: PageContext['t'], actor: string): string {
  if (actor === 'warga') return t('track.actor.citizen');
  if (actor === 'petugas') return t('track.actor.officer');
  return actor;
}

/**
 * Events whose text is written to the citizen. Other public events (for
 * example a disposisi) may carry an officer's note meant for the agency, so
 * the page shows their title only.
 */
const CITIZEN_FACING_BODIES: readonly string[] = [
  'followed_up', 'resolved', 'answered', 'held', 'forwarded', 'reopened', 'citizen_replied', 'rated',
];

export function publicTimeline(t: PageContext['t'], complaint: Pick<PublicComplaint, 'timeline'>): TimelineEntry[] {
  return complaint.timeline.map((entry) => ({
    title: eventTitle(t, entry.type, {
      agency: entry.agency,
      destination: entry.destination,
      rating: entry.rating,
    }),
    at: entry.at,
    actor: publicActor(t, entry.actor),
    body: CITIZEN_FACING_BODIES.includes(entry.type) ? entry.body : null,
  }));
}

/** Banners a redirect after a citizen's post may ask for, by the `pesan` query value. */
export const TRACK_BANNERS = ['balasan-terkirim', 'penilaian-terkirim'] as const;
export type TrackBanner = (typeof TRACK_BANNERS)[number];

export interface TrackPageProps {
  ctx: PageContext;
  complaint: PublicComplaint;
  /** The case this report was merged into, when it was. */
  kept: PublicKeptCase | null;
  canReply: boolean;
  canRate: boolean;
  banner?: TrackBanner;
  reply?: { body: string; errors: FieldErrors; filesDropped?: boolean };
  rating?: { rating: string; comment: string; errors: FieldErrors };
}

export function TrackPage(props: TrackPageProps) {
  const { ctx, complaint } = props;
  const { t, locale } = ctx;
  const formErrors = { ...(props.reply?.errors ?? {}), ...(props.rating?.errors ?? {}) };
  // A rejected post keeps its text when the page no longer offers its form
  // (the report closed, or the final answer was rated meanwhile). A rating
  // comment moves into the reply form; any other text is shown to copy.
  const ratingComment = props.rating && !props.canRate && props.rating.comment.trim() ? props.rating.comment : null;
  const commentToReply = ratingComment !== null && props.canReply && !props.reply;
  const reply = commentToReply ? { body: ratingComment, errors: {} } : props.reply;
  const unsent = props.reply && !props.canReply && props.reply.body.trim()
    ? { name: 'body', text: props.reply.body }
    : ratingComment !== null && !props.canReply ? { name: 'comment', text: ratingComment } : null;
  return (
    <Layout ctx={ctx} title={t('track.report_title', { code: complaint.trackingCode })} area="public">
      <ErrorSummary t={t} errors={formErrors} />
      {props.banner ? <NotificationBanner kind="success" title={t(`track.banner.${props.banner}`)} /> : null}

      <span class="caption">{t('track.caption')}</span>
      <h1 class="heading-l heading--with-tag">
        <span class="tracking-code tracking-code--inline">{complaint.trackingCode}</span>
        <StatusTag t={t} status={complaint.status} />
      </h1>
      <p class="body">{t(`track.status_explained.${complaint.status}`)}</p>

      {props.kept ? (
        <NotificationBanner kind="info" title={t('track.merged_title')}>
          <p class="body">
            {t('track.merged_body')}
          </p>
        </NotificationBanner>
      ) : null}

      <div class="grid-row">
        <div class="grid-column-two-thirds">
          <SummaryList rows={[
            { key: t('track.field.type'), value: complaint.type ? t(`type.${complaint.type}`) : t('track.not_classified') },
            { key: t('track.field.category'), value: (locale === 'en' ? complaint.categoryEn ?? complaint.category : complaint.category) ?? t('track.not_classified') },
            { key: t('track.field.agency'), value: complaint.agency ?? t('track.not_dispatched') },
            { key: t('track.field.district'), value: complaint.district },
            { key: t('track.field.village'), value: complaint.village },
            { key: t('track.field.received'), value: formatDateTime(complaint.receivedAt, locale) },
          ]} />

          <h2 class="heading-m">{t('track.description')}</h2>
          <div class="description">{localizeMasks(complaint.description, t)}</div>
          <p class="hint">{t('track.masked_note')}</p>

          <h2 class="heading-m">{t('track.timeline')}</h2>
          <Timeline t={t} locale={locale} entries={publicTimeline(t, complaint)} />

          {props.kept ? (
            <section class="kept-case">
              <h2 class="heading-m">{t('track.kept_timeline')}</h2>
              <p class="body"><StatusTag t={t} status={props.kept.status} /></p>
              <Timeline t={t} locale={locale} entries={publicTimeline(t, props.kept)} />
            </section>
          ) : null}

          <h2 class="heading-m">{t('track.deadlines')}</h2>
          <p class="body">{t('track.deadlines_intro')}</p>
          <DeadlineTable t={t} locale={locale} rows={complaint.deadlines} />

          {props.canRate ? <RatingForm ctx={ctx} code={complaint.trackingCode} rating={props.rating} /> : null}
          {props.canReply ? (
            <ReplyForm ctx={ctx} code={complaint.trackingCode} reply={reply} status={complaint.status}
              note={commentToReply ? t('track.comment_moved_to_reply') : undefined} />
          ) : null}
          {unsent ? (
            <section class="form-section" aria-labelledby="unsent-title">
              <h2 class="heading-m" id="unsent-title">{t('track.unsent_title')}</h2>
              <TextArea t={t} name={unsent.name} label={t('track.unsent_label')} hint={t('track.unsent_hint')} value={unsent.text} rows={5} />
              <p class="body"><a href="/lapor">{t('track.unsent_new_report')}</a></p>
            </section>
          ) : null}
        </div>
      </div>
    </Layout>
  );
}

function ReplyForm(props: { ctx: PageContext; code: string; status: string; reply?: TrackPageProps['reply']; note?: string }) {
  const { t } = props.ctx;
  const errors = props.reply?.errors ?? {};
  return (
    <section class="form-section" aria-labelledby="reply-title">
      <h2 class="heading-m" id="reply-title">{t('track.reply_title')}</h2>
      <p class="body">{t(props.status === 'resolved' ? 'track.reply_intro_resolved' : 'track.reply_intro')}</p>
      {props.note ? <p class="body"><strong>{props.note}</strong></p> : null}
      <form method="post" action={`/lacak/${props.code}/balas`} enctype="multipart/form-data" novalidate>
        <TextArea t={t} name="body" label={t('track.reply_label')} value={props.reply?.body} error={errors.body} rows={5} />
        <FileField t={t} name="attachments" label={t('report.attachments')} error={errors.attachments} accept={ATTACHMENT_ACCEPT} multiple optional
          hint={<>{t('report.attachments_hint', { max: MAX_ATTACHMENTS })}{props.reply?.filesDropped ? <strong class="hint__warning"> {t('report.attachments_again')}</strong> : null}</>} />
        <Button kind="secondary">{t('track.reply_submit')}</Button>
      </form>
    </section>
  );
}

function RatingForm(props: { ctx: PageContext; code: string; rating?: TrackPageProps['rating'] }) {
  const { t } = props.ctx;
  const errors = props.rating?.errors ?? {};
  return (
    <section class="form-section" aria-labelledby="rating-title">
      <h2 class="heading-m" id="rating-title">{t('track.rating_title')}</h2>
      <form method="post" action={`/lacak/${props.code}/nilai`} novalidate>
        <Radios t={t} name="rating" label={t('track.rating_label')} hint={t('track.rating_hint')} value={props.rating?.rating} error={errors.rating}
          options={[5, 4, 3, 2, 1].map((value) => ({ value: String(value), label: `${value} – ${t(`track.rating.${value}`)}` }))} />
        <TextArea t={t} name="comment" label={t('track.rating_comment')} value={props.rating?.comment} error={errors.comment} rows={3} optional />
        <Button>{t('track.rating_submit')}</Button>
      </form>
    </section>
  );
}

export function TrackNotFoundPage(props: { ctx: PageContext; code: string }) {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t('track.not_found_title')} area="public">
      <div class="grid-row">
        <div class="grid-column-two-thirds">
          <h1 class="heading-l">{t('track.not_found_title')}</h1>
          <p class="body">{t('track.not_found_body')}</p>
          <form method="get" action="/lacak" novalidate>
            <label class="label" for="kode">{t('track.heading')}</label>
            <TrackCodeInput ctx={ctx} code={props.code} />
            <Button>{t('track.submit')}</Button>
          </form>
        </div>
      </div>
    </Layout>
  );
}
