/**
 * The triage block of the case page: which kinds of personal data the text
 * contains (every user who may open the case sees this), and for complaint
 * officers the complaint-or-not score, the type, category and agency
 * suggestions with one-click links that fill the verify form, and proposed
 * duplicates with the reasons and a merge button.
 */
import type { PersonalDataKind } from '../../../../domain/triage/index.ts';
import type { TriageKind } from '../../../../db/schema.ts';
import type { DuplicateCandidate, RelevanceState } from '../../../../queries/triage.ts';
import type { PageContext } from '../../layout.tsx';
import { Button, CsrfField, NotificationBanner, StatusTag } from '../../components.tsx';
import { formatDateTime } from '../../format.tsx';
import { formatDecimal, formatPercent } from './format.tsx';

/** One suggested label as the page shows it. */
export interface SuggestionOption {
  /** Label as the model stores it: a type, a category code, an agency code or the regional group. */
  value: string;
  /** Translated name. */
  label: string;
  score: number;
  terms: string[];
  /** Link that puts this value into the verify form; null when it cannot (the report is past verification, or a regional agency without a location). */
  useHref: string | null;
}

export interface SuggestionBlock {
  kind: Exclude<TriageKind, 'relevance'>;
  modelVersion: string;
  createdAt: Date;
  /** False when a newer model is active and this suggestion is from an earlier one. */
  fromActiveModel: boolean;
  options: SuggestionOption[];
}

/** What the triage block shows to a complaint officer. */
export interface OfficerTriage {
  relevance: RelevanceState | null;
  suggestions: SuggestionBlock[];
  /** Link that fills the verify form with every top suggestion; null when verification is not possible. */
  acceptAllHref: string | null;
  /** The verify form below was filled from suggestions by this request. */
  prefilled: boolean;
  /** No model is active yet, so there are no suggestions. */
  modelsMissing: boolean;
  /** Duplicate proposals; null when the search for them failed. */
  duplicates: DuplicateCandidate[] | null;
  windowDays: number;
  /** The report sits in the low-priority queue and may be moved back. */
  canRestore: boolean;
}

export interface CaseTriagePanelData {
  complaintId: number;
  /** Kinds of personal data found in the description, in order of first appearance. */
  personalData: PersonalDataKind[];
  /** Null for users who do not work with triage (agency officers, leaders): only the personal data marker shows. */
  officer: OfficerTriage | null;
  /** Result of a triage action just taken on this page. */
  done?: 'restored' | 'dismissed';
  /** Translated error of a triage action that failed. */
  error?: string;
}

export function PersonalDataMarker(props: { ctx: PageContext; kinds: PersonalDataKind[] }) {
  const { t } = props.ctx;
  if (props.kinds.length === 0) return null;
  return (
    <div class="warning-text" role="note" data-personal-data={props.kinds.join(' ')}>
      <span class="warning-text__icon" aria-hidden="true">!</span>
      <p class="warning-text__text">
        <span class="visually-hidden">{t('ui.warning')} </span>
        {t('triage.personal_data.found', { kinds: props.kinds.map((kind) => t(`triage.personal_data.${kind}`)).join(', ') })}
      </p>
      <p class="hint">{t('triage.personal_data.hint')}</p>
    </div>
  );
}

function RelevanceSummary(props: { ctx: PageContext; complaintId: number; officer: OfficerTriage }) {
  const { t, locale, csrfToken } = props.ctx;
  const relevance = props.officer.relevance;
  if (!relevance || relevance.score === null) return <p class="secondary-text">{t('triage.relevance.pending')}</p>;
  const values = { score: formatDecimal(relevance.score, locale), threshold: formatDecimal(relevance.threshold, locale) };
  if (!props.officer.canRestore) {
    return <p class="secondary-text" data-relevance-score={relevance.score.toFixed(4)}>{t('triage.relevance.score', values)}</p>;
  }
  return (
    <div class="panel panel--warning" data-relevance-score={relevance.score.toFixed(4)}>
      <p class="body"><strong>{t('triage.relevance.low_priority', values)}</strong></p>
      <p class="body">{t('triage.relevance.low_priority_hint')}</p>
      <form method="post" action="/staff/triage/sweep" class="inline-form">
        <CsrfField token={csrfToken} />
        <input type="hidden" name="complaintId" value={String(props.complaintId)} />
        <input type="hidden" name="returnTo" value={String(props.complaintId)} />
        <Button kind="secondary" name="action" value="restore">{t('triage.sweep.restore')}</Button>
      </form>
    </div>
  );
}

function SuggestionTable(props: { ctx: PageContext; block: SuggestionBlock }) {
  const { t, locale } = props.ctx;
  const { block } = props;
  const caption = t(`triage.kind.${block.kind}`);
  return (
    <>
    <h3 class="heading-s">{caption}</h3>
    <table class="table table--responsive" data-suggestion-kind={block.kind} data-model-version={block.modelVersion}>
      <caption class="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{t('triage.col.suggestion')}</th>
          <th scope="col">{t('triage.col.confidence')}</th>
          <th scope="col">{t('triage.col.terms')}</th>
          <th scope="col"><span class="visually-hidden">{t('triage.col.use')}</span></th>
        </tr>
      </thead>
      <tbody>
        {block.options.map((option, index) => (
          <tr data-suggestion-value={option.value}>
            <th scope="row" data-label={t('triage.col.suggestion')}>
              {option.label}
              {index === 0 ? <strong class="tag tag--small tag--blue">{t('triage.top')}</strong> : null}
            </th>
            <td data-label={t('triage.col.confidence')}>{formatPercent(option.score, locale)}</td>
            <td data-label={t('triage.col.terms')}>
              {option.terms.length === 0 ? '–' : <TermTags terms={option.terms} />}
            </td>
            <td>
              {option.useHref ? (
                <a href={option.useHref}>{t('triage.use')}<span class="visually-hidden">: {caption} {option.label}</span></a>
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
    </>
  );
}

/** Renders words as tags, separated by spaces so that a long list wraps on narrow screens. */
function TermTags(props: { terms: string[] }) {
  return <>{props.terms.map((term, index) => <>{index > 0 ? ' ' : null}<span class="tag tag--small tag--grey">{term}</span></>)}</>;
}

function locationReason(t: PageContext['t'], locale: PageContext['locale'], candidate: DuplicateCandidate): string {
  const place = candidate.villageName ?? candidate.districtName ?? '';
  const base = t(`triage.duplicate.location.${candidate.location}`, { place, district: candidate.districtName ?? '' });
  if (candidate.distanceKm === null) return base;
  return `${base} · ${t('triage.duplicate.distance', { km: formatDecimal(candidate.distanceKm, locale, 1) })}`;
}

function DuplicateList(props: { ctx: PageContext; complaintId: number; officer: OfficerTriage }) {
  const { t, locale, csrfToken } = props.ctx;
  const { duplicates } = props.officer;
  if (duplicates === null) return <p class="body">{t('triage.duplicate.failed')}</p>;
  if (duplicates.length === 0) {
    return <p class="body">{t('triage.duplicate.none', { days: props.officer.windowDays })}</p>;
  }
  return (
    <ul class="attachments">
      {duplicates.map((candidate) => {
        const thisIsDuplicate = candidate.mergeDuplicateId === props.complaintId;
        return (
          <li class="inset-text" data-duplicate-id={String(candidate.id)}>
            <p class="body">
              <a class="link--strong" href={`/staff/complaints/${candidate.id}`}>{candidate.trackingCode}</a>{' '}
              <StatusTag t={t} status={candidate.status} />
              <span class="secondary-text"> · {t(`channel.${candidate.channel}`)} · {formatDateTime(candidate.receivedAt, locale)}</span>
            </p>
            <p class="body">{candidate.excerpt}</p>
            <ul class="list">
              <li>{t('triage.duplicate.words', { words: candidate.matchingWords.join(', ') })}</li>
              <li>{locationReason(t, locale, candidate)}</li>
              <li>{t('triage.duplicate.days', { days: candidate.daysApart })}</li>
              <li>{t('triage.duplicate.similarity', { score: formatPercent(candidate.score, locale), trigram: formatPercent(candidate.trigramSimilarity, locale) })}</li>
            </ul>
            <div class="button-group">
              <form method="post" action="/staff/triage/merge" class="inline-form">
                <CsrfField token={csrfToken} />
                <input type="hidden" name="duplicateId" value={String(candidate.mergeDuplicateId)} />
                <input type="hidden" name="intoId" value={String(candidate.mergeIntoId)} />
                <input type="hidden" name="returnTo" value={String(props.complaintId)} />
                <Button kind="warning">
                  {thisIsDuplicate
                    ? t('triage.duplicate.merge_this', { code: candidate.trackingCode })
                    : t('triage.duplicate.merge_other', { code: candidate.trackingCode })}
                </Button>
              </form>
              <form method="post" action="/staff/triage/dismiss" class="inline-form">
                <CsrfField token={csrfToken} />
                <input type="hidden" name="complaintId" value={String(props.complaintId)} />
                <input type="hidden" name="otherId" value={String(candidate.id)} />
                <Button kind="secondary">{t('triage.duplicate.dismiss')}</Button>
              </form>
            </div>
          </li>
        );
      })}
    </ul>
  );
}

export function CaseTriagePanel(props: { ctx: PageContext; data: CaseTriagePanelData }) {
  const { ctx, data } = props;
  const { t, locale } = ctx;
  const officer = data.officer;
  return (
    <section class="triage" aria-label={t('triage.section')}>
      {data.done ? <NotificationBanner kind="success" title={t(`triage.banner.${data.done}`)} /> : null}
      {data.error ? <NotificationBanner kind="warning" title={data.error} /> : null}
      <PersonalDataMarker ctx={ctx} kinds={data.personalData} />

      {officer ? (
        <>
          <h2 class="heading-m" id="triage-suggestions">{t('triage.suggestions')}</h2>
          <RelevanceSummary ctx={ctx} complaintId={data.complaintId} officer={officer} />
          {officer.modelsMissing ? <p class="body">{t('triage.models_missing')}</p> : null}
          {officer.prefilled ? <NotificationBanner kind="info" title={t('triage.prefilled')} /> : null}
          {officer.suggestions.length > 0 ? (
            <>
              {officer.acceptAllHref ? (
                <p class="body"><a class="button button--secondary" href={officer.acceptAllHref}>{t('triage.accept_all')}</a></p>
              ) : null}
              {officer.suggestions.map((block) => <SuggestionTable ctx={ctx} block={block} />)}
              <p class="hint">
                {t('triage.suggestions_hint', {
                  versions: officer.suggestions.map((block) => block.modelVersion).join(', '),
                  at: formatDateTime(officer.suggestions[0].createdAt, locale),
                })}
                {officer.suggestions.some((block) => !block.fromActiveModel) ? ` ${t('triage.suggestions_older_model')}` : null}
              </p>
            </>
          ) : null}

          <h2 class="heading-m" id="triage-duplicates">{t('triage.duplicates')}</h2>
          <DuplicateList ctx={ctx} complaintId={data.complaintId} officer={officer} />
        </>
      ) : null}
    </section>
  );
}
