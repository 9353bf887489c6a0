/**
 * The triage model page (/staff/triage/models): every stored version of each
 * model with its training data, its held-out metrics and its accuracy
 * against the officers' decisions, plus the settings. Administrators change
 * the settings, ask for a retrain and activate an earlier version.
 */
import type { TriageKind, TriageSettings } from '../../../../db/schema.ts';
import type { ModelVersionRow, VersionAccuracy } from '../../../../queries/triage.ts';
import { TRIAGE_KINDS } from '../../../../queries/triage.ts';
import { Layout, type PageContext } from '../../layout.tsx';
import { Button, CsrfField, ErrorSummary, NotificationBanner, SummaryList, TextField, type FieldErrors } from '../../components.tsx';
import { formatDateTime } from '../../format.tsx';
import { formatDecimal, formatPercent } from './format.tsx';
import { TriageSubNav } from './sub-nav.tsx';

/** Banners after an action on this page, by the `done` query value. */
export const MODEL_BANNERS = ['settings', 'retrain', 'activate'] as const;
export type ModelBanner = (typeof MODEL_BANNERS)[number];

/** Settings form fields, in page order. */
export const SETTINGS_FIELDS = ['relevanceThreshold', 'duplicateWindowDays', 'minTrainingSize'] as const;

export interface ModelsPageProps {
  ctx: PageContext;
  versions: ModelVersionRow[];
  accuracy: VersionAccuracy[];
  settings: TriageSettings;
  canManage: boolean;
  banner?: ModelBanner;
  /** Errors and typed values of a settings form that failed. */
  errors?: FieldErrors;
  values?: Record<string, string>;
}

function AccuracyCell(props: { ctx: PageContext; accuracy: VersionAccuracy | undefined }) {
  const { t, locale } = props.ctx;
  const row = props.accuracy;
  if (!row || row.suggestions === 0) return <>{t('triage.models.no_suggestions')}</>;
  const pending = row.suggestions - row.decided;
  return (
    <>
      {row.accuracy === null
        ? t('triage.models.accuracy_none')
        : t('triage.models.accuracy_value', { percent: formatPercent(row.accuracy, locale), matched: row.matched, decided: row.decided })}
      {pending > 0 ? (
        <>
          <br />
          <span class="secondary-text">{t('triage.models.pending', { count: pending })}</span>
        </>
      ) : null}
    </>
  );
}

function VersionTable(props: ModelsPageProps & { kind: TriageKind }) {
  const { ctx, kind } = props;
  const { t, locale, csrfToken } = ctx;
  const versions = props.versions.filter((row) => row.kind === kind);
  if (versions.length === 0) return <p class="body">{t('triage.models.none')}</p>;
  const accuracyOf = (version: string) => props.accuracy.find((row) => row.kind === kind && row.modelVersion === version);
  return (
    <table class="table table--responsive" data-kind={kind}>
      <caption class="visually-hidden">{t(`triage.kind.${kind}`)}</caption>
      <thead>
        <tr>
          <th scope="col">{t('triage.models.col.version')}</th>
          <th scope="col">{t('triage.models.col.trained')}</th>
          <th scope="col">{t('triage.models.col.data')}</th>
          <th scope="col">{t('triage.models.col.holdout')}</th>
          <th scope="col">{t('triage.models.col.accuracy')}</th>
          <th scope="col">{t('triage.models.col.status')}</th>
        </tr>
      </thead>
      <tbody>
        {versions.map((row) => (
          <tr data-version={row.version}>
            <th scope="row" data-label={t('triage.models.col.version')}><code>{row.version}</code></th>
            <td data-label={t('triage.models.col.trained')}>{formatDateTime(row.trainedAt, locale)}</td>
            <td data-label={t('triage.models.col.data')}>
              {t(`triage.models.source.${row.source}`)}
              <br />
              <span class="secondary-text">{t('triage.models.size', { size: row.trainingSize, labels: row.labelCount })}</span>
            </td>
            <td data-label={t('triage.models.col.holdout')}>
              {row.metrics === null ? t('triage.models.holdout_none') : t('triage.models.holdout_value', {
                top1: formatPercent(row.metrics.top1Accuracy, locale),
                top3: formatPercent(row.metrics.top3Accuracy, locale),
                f1: formatDecimal(row.metrics.macroF1, locale),
                size: row.testSize,
              })}
            </td>
            <td data-label={t('triage.models.col.accuracy')}><AccuracyCell ctx={ctx} accuracy={accuracyOf(row.version)} /></td>
            <td data-label={t('triage.models.col.status')}>
              {row.active ? (
                <strong class="tag tag--green">{t('triage.models.active')}</strong>
              ) : props.canManage ? (
                <form method="post" action={`/staff/triage/models/${row.id}/activate`} class="inline-form">
                  <CsrfField token={csrfToken} />
                  <Button kind="secondary">{t('triage.models.activate')}<span class="visually-hidden"> {row.version}</span></Button>
                </form>
              ) : (
                <span class="secondary-text">{t('triage.models.inactive')}</span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Writes a decimal for a text input with the locale's decimal separator, which the settings route reads back. */
function decimalInput(value: number, locale: PageContext['locale']): string {
  return locale === 'id' ? String(value).replace('.', ',') : String(value);
}

function SettingsSection(props: ModelsPageProps) {
  const { ctx, settings } = props;
  const { t, locale, csrfToken } = ctx;
  const errors = props.errors ?? {};
  const values = props.values ?? {};
  const summary = (
    <SummaryList rows={[
      { key: t('triage.settings.threshold'), value: formatDecimal(settings.relevance_threshold, locale) },
      { key: t('triage.settings.window'), value: t('triage.settings.days', { days: settings.duplicate_window_days }) },
      { key: t('triage.settings.min_training'), value: String(settings.min_training_size) },
    ]} />
  );
  if (!props.canManage) return summary;
  return (
    <form method="post" action="/staff/triage/settings" class="narrow-form" novalidate>
      <CsrfField token={csrfToken} />
      <TextField t={t} prefix="settings" name="relevanceThreshold" label={t('triage.settings.threshold')} hint={t('triage.settings.threshold_hint')}
        value={values.relevanceThreshold ?? decimalInput(settings.relevance_threshold, locale)} error={errors.relevanceThreshold} width="short" inputmode="text" />
      <TextField t={t} prefix="settings" name="duplicateWindowDays" label={t('triage.settings.window')} hint={t('triage.settings.window_hint')}
        value={values.duplicateWindowDays ?? String(settings.duplicate_window_days)} error={errors.duplicateWindowDays} width="short" inputmode="numeric" />
      <TextField t={t} prefix="settings" name="minTrainingSize" label={t('triage.settings.min_training')} hint={t('triage.settings.min_training_hint')}
        value={values.minTrainingSize ?? String(settings.min_training_size)} error={errors.minTrainingSize} width="short" inputmode="numeric" />
      <Button>{t('triage.settings.save')}</Button>
    </form>
  );
}

export function ModelsPage(props: ModelsPageProps) {
  const { ctx, settings } = props;
  const { t, locale, csrfToken } = ctx;
  const hasErrors = props.errors && Object.keys(props.errors).length > 0;
  return (
    <Layout ctx={ctx} title={`${hasErrors ? `${t('ui.error_title_prefix')} ` : ''}${t('triage.models.title')}`} area="staff" wide>
      <TriageSubNav ctx={ctx} current="models" />
      <ErrorSummary t={t} errors={props.errors ?? {}} prefix="settings" order={SETTINGS_FIELDS} />
      {props.banner ? <NotificationBanner kind="success" title={t(`triage.models.banner.${props.banner}`)} /> : null}
      <h1 class="heading-l">{t('triage.models.title')}</h1>
      <p class="body">{t('triage.models.intro')}</p>

      {settings.retrain_requested_at ? (
        <div class="panel panel--notice">
          <p class="body">{t('triage.models.retrain_pending', { at: formatDateTime(settings.retrain_requested_at, locale) })}</p>
        </div>
      ) : null}
      {props.canManage ? (
        <form method="post" action="/staff/triage/models/retrain" class="inline-form">
          <CsrfField token={csrfToken} />
          <Button kind="secondary">{t('triage.models.retrain')}</Button>
          <span class="secondary-text">{t('triage.models.retrain_hint')}</span>
        </form>
      ) : null}

      {TRIAGE_KINDS.map((kind) => (
        <>
          <h2 class="heading-m">{t(`triage.kind.${kind}`)}</h2>
          <p class="hint">{t(`triage.models.kind_hint.${kind}`)}</p>
          <VersionTable {...props} kind={kind} />
        </>
      ))}

      <h2 class="heading-m">{t('triage.settings.title')}</h2>
      <SettingsSection {...props} />
    </Layout>
  );
}
