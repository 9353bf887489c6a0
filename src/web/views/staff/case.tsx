/**
 * The back-office case page: summary, full description, action forms,
 * timeline with public and internal events marked, deadlines, attachments and
 * the reporter's identity as far as the user's role allows.
 */
import type { Child } from 'hono/jsx';
import type { presentStaffComplaint } from '../../../presenters/complaints.ts';
import type { IdentityAccess } from '../../../policies/complaints.ts';
import { Layout, type PageContext } from '../layout.tsx';
import {
  Button, CsrfField, DeadlineTable, NotificationBanner, StatusTag, SummaryList, TextArea, Timeline, type TimelineEntry,
} from '../components.tsx';
import { eventTitle } from '../events.tsx';
import { formatDateTime, formatFileSize } from '../format.tsx';
import { localizeMasks } from '../../i18n/index.ts';
import { categoryName, type ReferenceRows } from '../report-fields.tsx';
import { CaseActions, type ActionFormState, type CaseAction, type CaseFormDefaults } from './case-actions.tsx';
import { CaseTriagePanel, type CaseTriagePanelData } from './triage/case-panel.tsx';

export type StaffComplaint = ReturnType<typeof presentStaffComplaint>;

export interface ReporterIdentity {
  name: string | null;
  contacts: { kind: string; value: string }[];
}

export interface IdentityPanelState {
  access: IdentityAccess;
  /** Loaded identity (null: the report has none); undefined while not revealed. */
  identity?: ReporterIdentity | null;
}

/** Banners a redirect after a successful action may ask for, by the `done` query value. */
export const CASE_BANNERS = ['created', 'verify', 'dispatch', 'follow-up', 'resolve', 'answer', 'return', 'hold', 'resume', 'reopen', 'forward', 'archive', 'merge', 'note'] as const;
export type CaseBanner = (typeof CASE_BANNERS)[number];

function actorLabel(t: PageContext['t'], event: StaffComplaint['events'][number]): string {
  if (event.actorName) return event.actorName;
  if (event.actorKind === 'citizen') return t('case.actor.citizen');
  if (event.actorKind === 'system') return t('case.actor.system');
  return t('case.actor.officer');
}

function stringData(data: Record<string, unknown>, key: string): string | undefined {
  const value = data[key];
  return typeof value === 'string' ? value : undefined;
}

export function staffTimeline(t: PageContext['t'], complaint: StaffComplaint): TimelineEntry[] {
  return complaint.events.map((event) => {
    const data = event.data ?? {};
    const details: string[] = [];
    const archiveReason = event.type === 'archived' ? stringData(data, 'reason') : undefined;
    if (archiveReason) details.push(`${t('case.field.archive_reason')}: ${t(`archive_reason.${archiveReason}`)}`);
    if (event.type === 'returned' && event.agency) details.push(t('case.returned_by', { agency: event.agency }));
    const cause = stringData(data, 'cause');
    if ((event.type === 'reopened' || event.type === 'resumed') && cause) details.push(t(`case.cause.${cause}`));
    return {
      title: eventTitle(t, event.type, {
        agency: stringData(data, 'agencyName') ?? event.agency ?? undefined,
        destination: stringData(data, 'destination'),
        rating: typeof data.rating === 'number' ? data.rating : undefined,
        code: stringData(data, 'intoTrackingCode'),
      }),
      at: event.at,
      actor: actorLabel(t, event),
      body: event.body,
      details,
      visibility: event.visibility,
    };
  });
}

/** Tells an officer that their action was not applied, with its message and what they typed. */
function StaleActionBanner(props: { t: PageContext['t']; state: ActionFormState }) {
  const { t, state } = props;
  const texts = Object.entries(state.values).filter(([field, value]) => TYPED_TEXT_FIELDS.has(field) && value.trim() !== '');
  return (
    <NotificationBanner kind="info" title={t('case.stale_title')}>
      {[...new Set(Object.values(state.errors))].map((message) => <p class="body">{message}</p>)}
      <p class="body">{t('case.stale_body')}</p>
      {texts.map(([field, value]) => (
        <TextArea t={t} prefix="stale" name={field} label={t('case.stale_text')} value={value} rows={4} />
      ))}
    </NotificationBanner>
  );
}

/** Form fields that hold text an officer wrote, kept when the action could not be applied. */
export const TYPED_TEXT_FIELDS: ReadonlySet<string> = new Set(['body', 'note', 'reason', 'destination']);

function IdentityPanel(props: { ctx: PageContext; complaintId: number; state: IdentityPanelState; hasReporter: boolean }) {
  const { t, csrfToken } = props.ctx;
  const { access, identity } = props.state;
  if (access === 'none') return <p class="body">{t('case.identity_none')}</p>;
  if (!props.hasReporter) return <p class="body">{t('case.identity_absent')}</p>;
  if (identity === undefined) {
    return (
      <form method="post" action={`/staff/complaints/${props.complaintId}/identity`}>
        <CsrfField token={csrfToken} />
        <p class="body">{t('case.identity_on_request')}</p>
        <Button kind="secondary">{t('case.identity_show')}</Button>
      </form>
    );
  }
  if (identity === null) return <p class="body">{t('case.identity_absent')}</p>;
  return (
    <>
      <SummaryList rows={[
        { key: t('case.identity.name'), value: identity.name ?? t('case.identity.no_name') },
        ...identity.contacts.map((contact) => ({ key: t(`contact.${contact.kind}`), value: contact.value })),
      ]} />
      <p class="hint">{t('case.identity_logged')}</p>
    </>
  );
}

export function CasePage(props: {
  ctx: PageContext;
  complaint: StaffComplaint;
  reference: ReferenceRows;
  identity: IdentityPanelState;
  allowed: readonly CaseAction[];
  open: CaseAction | null;
  state?: ActionFormState;
  banner?: CaseBanner;
  /** Triage block (views/staff/triage/case-panel.tsx); absent where the loader does not provide it. */
  triage?: CaseTriagePanelData;
  /** Template pickers for the answer forms (views/staff/templates/case-extras.tsx). */
  templatePickers?: Partial<Record<CaseAction, Child>>;
  /** Case holder and FAQ-draft panel (views/staff/templates/case-extras.tsx). */
  handling?: Child;
}) {
  const { ctx, complaint, reference } = props;
  const { t, locale } = ctx;
  const category = complaint.category
    ? categoryName({ name: complaint.category.name, name_en: complaint.category.nameEn }, locale)
    : null;
  const defaults: CaseFormDefaults = {
    id: complaint.id,
    status: complaint.status,
    type: complaint.type,
    categoryCode: complaint.category?.code ?? null,
    districtCode: complaint.district?.code ?? null,
    villageCode: complaint.village?.code ?? null,
    agencyCode: complaint.agency?.code ?? null,
    complexity: complaint.complexity,
    privacy: complaint.privacy,
  };
  const hasFailure = props.state && Object.keys(props.state.errors).length > 0;
  // The form that failed is no longer offered (another officer acted first, or
  // the page was old): its message and typed text are shown at the top instead.
  const stale = hasFailure && props.state && !props.allowed.includes(props.state.action) ? props.state : null;
  return (
    <Layout ctx={ctx} title={`${hasFailure ? `${t('ui.error_title_prefix')} ` : ''}${complaint.trackingCode}`} area="staff" wide>
      <a class="back-link" href="/staff">{t('staff.back_to_inbox')}</a>
      {props.banner ? (
        <NotificationBanner kind="success" title={t(`case.banner.${props.banner}`, { code: complaint.trackingCode })} />
      ) : null}
      {stale ? <StaleActionBanner t={t} state={stale} /> : null}

      <span class="caption">{complaint.type ? t(`type.${complaint.type}`) : t('case.unclassified')}</span>
      <h1 class="heading-l heading--with-tag">
        <span class="tracking-code tracking-code--inline">{complaint.trackingCode}</span>
        <StatusTag t={t} status={complaint.status} />
        {complaint.oversight ? <strong class="tag tag--red">{t('case.oversight')}</strong> : null}
      </h1>

      <div class="case">
        <div class="case__main">
          <h2 class="heading-m">{t('case.description')}</h2>
          <div class="description">{localizeMasks(complaint.description, t)}</div>
          {props.triage ? <CaseTriagePanel ctx={ctx} data={props.triage} /> : null}

          <h2 class="heading-m">{t('case.actions')}</h2>
          <CaseActions t={t} locale={locale} csrfToken={ctx.csrfToken} defaults={defaults} reference={reference}
            allowed={props.allowed} open={props.open} state={props.state} templatePickers={props.templatePickers} />

          <h2 class="heading-m">{t('case.timeline')}</h2>
          <p class="hint">{t('case.timeline_hint')}</p>
          <Timeline t={t} locale={locale} entries={staffTimeline(t, complaint)} />
        </div>

        <aside class="case__side">
          <h2 class="heading-m">{t('case.summary')}</h2>
          <SummaryList rows={[
            { key: t('case.field.status'), value: <StatusTag t={t} status={complaint.status} /> },
            { key: t('case.field.type'), value: complaint.type ? t(`type.${complaint.type}`) : null },
            { key: t('case.field.category'), value: category },
            { key: t('case.field.agency'), value: complaint.agency?.name ?? null },
            { key: t('case.field.district'), value: complaint.district?.name ?? null },
            { key: t('case.field.village'), value: complaint.village?.name ?? null },
            { key: t('case.field.channel'), value: t(`channel.${complaint.channel}`) },
            { key: t('case.field.received'), value: formatDateTime(complaint.receivedAt, locale) },
            { key: t('case.field.privacy'), value: t(`privacy.${complaint.privacy}`) },
            { key: t('case.field.complexity'), value: complaint.complexity ? t(`complexity.${complaint.complexity}`) : null },
            ...(complaint.forwardedTo ? [{ key: t('case.field.forwarded_to'), value: complaint.forwardedTo }] : []),
            ...(complaint.mergedInto
              ? [{ key: t('case.field.merged_into'), value: <a href={`/staff/complaints/${complaint.mergedInto.id}`}>{complaint.mergedInto.trackingCode}</a> }]
              : []),
            ...(complaint.rating !== null ? [{ key: t('case.field.rating'), value: t('case.rating_value', { rating: complaint.rating }) }] : []),
          ]} />
          {props.handling ?? null}

          <h2 class="heading-m">{t('case.deadlines')}</h2>
          <DeadlineTable t={t} locale={locale} stacked rows={complaint.deadlines.map((deadline) => ({
            clock: deadline.clock,
            dueDate: deadline.dueDate,
            status: deadline.status,
            calendarMissing: deadline.calendarMissing,
            stoppedAt: deadline.stoppedAt ? new Date(deadline.stoppedAt) : null,
          }))} />

          <h2 class="heading-m">{t('case.reporter')}</h2>
          <IdentityPanel ctx={ctx} complaintId={complaint.id} state={props.identity} hasReporter={complaint.hasReporter} />

          <h2 class="heading-m">{t('case.attachments')}</h2>
          {complaint.attachments.length === 0 ? (
            <p class="body">{t('case.attachments_none')}</p>
          ) : (
            <ul class="attachments">
              {complaint.attachments.map((attachment) => {
                const href = `/staff/complaints/${complaint.id}/attachments/${attachment.id}`;
                return (
                  <li class="attachments__item">
                    {attachment.mimeType.startsWith('image/') ? (
                      <a href={href}><img class="attachments__preview" src={`${href}?inline=1`} alt={t('case.attachment_preview', { name: attachment.fileName })} loading="lazy" /></a>
                    ) : null}
                    <a href={href} download={attachment.fileName}>{attachment.fileName}</a>
                    <span class="secondary-text"> · {attachment.mimeType} · {formatFileSize(attachment.sizeBytes)}</span>
                  </li>
                );
              })}
            </ul>
          )}
        </aside>
      </div>
    </Layout>
  );
}
