/**
 * The action forms of a case page. Each form sits in a <details> disclosure
 * (works without JavaScript), posts to /staff/complaints/{id}/{action} with
 * the session's CSRF token, and prefixes its field ids with the action so
 * that several forms can share field names on one page.
 */
import type { Child } from 'hono/jsx';
import type { Translate, Locale } from '../../i18n/index.ts';
import { ARCHIVE_REASONS } from '../../../commands/close-complaint.ts';
import { COMPLAINT_TYPES, PRIVACY_LEVELS, type Privacy } from '../../../domain/types.ts';
import { Button, CsrfField, ErrorSummary, Radios, SelectField, TextArea, TextField, type FieldErrors } from '../components.tsx';
import { agencyOptions, categoryOptions, districtOptions, villageGroups, type ReferenceRows } from '../report-fields.tsx';
import { TemplateIdField } from './templates/case-extras.tsx';

/** Action forms in the order the page shows them; the URL segment equals the name. */
export const CASE_ACTIONS = [
  'verify', 'dispatch', 'follow-up', 'resolve', 'answer', 'return', 'hold', 'resume', 'reopen', 'forward', 'archive', 'merge', 'note',
] as const;
export type CaseAction = (typeof CASE_ACTIONS)[number];

/** Fields of each action form, in page order; the error summary and the error mapping use them. */
export const ACTION_FIELDS: Record<CaseAction, readonly string[]> = {
  verify: ['type', 'categoryCode', 'districtCode', 'villageCode', 'agencyCode', 'complexity', 'privacy', 'note'],
  dispatch: ['agencyCode', 'note'],
  'follow-up': ['body', 'visibility', 'templateId'],
  resolve: ['body', 'templateId'],
  answer: ['body', 'templateId'],
  return: ['reason'],
  hold: ['reason'],
  resume: ['note'],
  reopen: ['reason'],
  forward: ['destination', 'body'],
  archive: ['reason', 'note'],
  merge: ['intoId'],
  note: ['body'],
};

/** The case as the forms need it: current classification, to pre-fill the verify and dispatch forms. */
export interface CaseFormDefaults {
  id: number;
  status: string;
  type: string | null;
  categoryCode: string | null;
  districtCode: string | null;
  villageCode: string | null;
  agencyCode: string | null;
  complexity: string | null;
  privacy: Privacy;
}

export interface ActionFormState {
  action: CaseAction;
  values: Record<string, string>;
  errors: FieldErrors;
}

const STRICTNESS: readonly Privacy[] = ['public', 'anonymous', 'confidential'];

interface ActionProps {
  t: Translate;
  locale: Locale;
  csrfToken: string | null;
  defaults: CaseFormDefaults;
  reference: ReferenceRows;
  values: Record<string, string>;
  errors: FieldErrors;
}

/** Hidden fields that tell the page's state when the form was shown, so a form from an older state is refused. */
export const SEEN_STATUS_FIELD = '_seenStatus';
export const SEEN_AGENCY_FIELD = '_seenAgency';

function ActionForm(props: {
  t: Translate;
  action: CaseAction;
  id: number;
  /** The case's status and agency when the form was shown. */
  seen: { status: string; agencyCode: string | null };
  csrfToken: string | null;
  open: boolean;
  errors: FieldErrors;
  title: string;
  intro?: string;
  submit: string;
  warning?: boolean;
  /** Shown above the form, outside it: the template picker (views/staff/templates/case-extras.tsx). */
  before?: Child;
  children: Child;
}) {
  return (
    <details class="action" open={props.open} id={`action-${props.action}`}>
      <summary class="action__summary"><span class="action__title">{props.title}</span></summary>
      <div class="action__body">
        <ErrorSummary t={props.t} errors={props.errors} prefix={props.action} order={ACTION_FIELDS[props.action]} />
        {props.intro ? <p class="body">{props.intro}</p> : null}
        {props.before ?? null}
        <form method="post" action={`/staff/complaints/${props.id}/${props.action}`} novalidate>
          <CsrfField token={props.csrfToken} />
          <input type="hidden" name={SEEN_STATUS_FIELD} value={props.seen.status} />
          <input type="hidden" name={SEEN_AGENCY_FIELD} value={props.seen.agencyCode ?? ''} />
          {props.children}
          <Button kind={props.warning ? 'warning' : 'primary'}>{props.submit}</Button>
        </form>
      </div>
    </details>
  );
}

function VerifyFields(props: ActionProps) {
  const { t, locale, defaults, reference, values, errors } = props;
  const current = (name: string, fallback: string | null) => values[name] ?? fallback ?? '';
  const allowedPrivacy = STRICTNESS.slice(STRICTNESS.indexOf(defaults.privacy));
  const prefix = 'verify';
  return (
    <>
      <SelectField t={t} prefix={prefix} name="type" label={t('case.field.type')} value={current('type', defaults.type)} error={errors.type}
        emptyLabel={t('case.choose')} options={COMPLAINT_TYPES.map((type) => ({ value: type, label: t(`type.${type}`) }))} />
      <SelectField t={t} prefix={prefix} name="categoryCode" label={t('case.field.category')} value={current('categoryCode', defaults.categoryCode)}
        error={errors.categoryCode} emptyLabel={t('case.choose')} options={categoryOptions(reference, locale, defaults.categoryCode ?? undefined)} />
      <SelectField t={t} prefix={prefix} name="districtCode" label={t('case.field.district')} value={current('districtCode', defaults.districtCode)}
        error={errors.districtCode} emptyLabel={t('report.choose_district')} options={districtOptions(reference)} data={{ 'district-select': '' }} />
      <SelectField t={t} prefix={prefix} name="villageCode" label={t('case.field.village')} value={current('villageCode', defaults.villageCode)}
        error={errors.villageCode} emptyLabel={t('report.choose_village')} groups={villageGroups(t, reference)} optional
        data={{ 'village-select': fieldIdFor(prefix, 'districtCode') }} />
      <SelectField t={t} prefix={prefix} name="agencyCode" label={t('case.field.agency')} value={current('agencyCode', defaults.agencyCode)}
        error={errors.agencyCode} emptyLabel={t('case.agency_from_category')} options={agencyOptions(reference, defaults.agencyCode ?? undefined)}
        hint={t('case.agency_hint')} />
      <SelectField t={t} prefix={prefix} name="complexity" label={t('case.field.complexity')} value={current('complexity', defaults.complexity)}
        error={errors.complexity} emptyLabel={t('case.complexity_from_category')}
        options={['simple', 'medium', 'complex'].map((value) => ({ value, label: t(`complexity.${value}`) }))} />
      <SelectField t={t} prefix={prefix} name="privacy" label={t('case.field.privacy')} value={current('privacy', defaults.privacy)}
        error={errors.privacy} hint={t('case.privacy_hint')}
        options={PRIVACY_LEVELS.filter((privacy) => allowedPrivacy.includes(privacy)).map((privacy) => ({ value: privacy, label: t(`privacy.${privacy}`) }))} />
      <TextArea t={t} prefix={prefix} name="note" label={t('case.field.verify_note')} value={values.note} error={errors.note} rows={3} optional />
    </>
  );
}

/** Id of a prefixed control, for app.js's dependent-select lookup. */
function fieldIdFor(prefix: string, name: string): string {
  return `${prefix}-${name}`;
}

function BodyField(props: ActionProps & { prefix: string; name?: string; label: string; hint?: string; optional?: boolean; rows?: number }) {
  const name = props.name ?? 'body';
  return (
    <TextArea t={props.t} prefix={props.prefix} name={name} label={props.label} hint={props.hint} value={props.values[name]}
      error={props.errors[name]} rows={props.rows ?? 5} optional={props.optional} />
  );
}

/**
 * Renders the forms for the actions the user may take now. `open` names the
 * form to show expanded: the one that failed, or the usual next step.
 */
export function CaseActions(props: {
  t: Translate;
  locale: Locale;
  csrfToken: string | null;
  defaults: CaseFormDefaults;
  reference: ReferenceRows;
  allowed: readonly CaseAction[];
  open: CaseAction | null;
  state?: ActionFormState;
  /** Template pickers for the answer forms, by action (routes/staff/templates.tsx). */
  templatePickers?: Partial<Record<CaseAction, Child>>;
}) {
  const { t, defaults } = props;
  const seen = { status: defaults.status, agencyCode: defaults.agencyCode };
  const propsFor = (action: CaseAction): ActionProps => ({
    t, locale: props.locale, csrfToken: props.csrfToken, defaults, reference: props.reference,
    values: props.state?.action === action ? props.state.values : {},
    errors: props.state?.action === action ? props.state.errors : {},
  });
  const frame = (action: CaseAction, options: { intro?: string; warning?: boolean }, children: Child) => (
    <ActionForm t={t} action={action} id={defaults.id} seen={seen} csrfToken={props.csrfToken} open={props.open === action}
      errors={propsFor(action).errors} title={t(`case.action.${action}`)} intro={options.intro} submit={t(`case.submit.${action}`)}
      warning={options.warning} before={props.templatePickers?.[action]}>
      {children}
    </ActionForm>
  );
  const redispatch = defaults.status === 'dispatched' || defaults.status === 'in_progress';

  const forms: Record<CaseAction, () => Child> = {
    verify: () => frame('verify', { intro: t('case.intro.verify') }, <VerifyFields {...propsFor('verify')} />),
    dispatch: () => {
      const p = propsFor('dispatch');
      return (
        <ActionForm t={t} action="dispatch" id={defaults.id} seen={seen} csrfToken={props.csrfToken} open={props.open === 'dispatch'} errors={p.errors}
          title={t(redispatch ? 'case.action.redispatch' : 'case.action.dispatch')} intro={t('case.intro.dispatch')}
          submit={t(redispatch ? 'case.submit.redispatch' : 'case.submit.dispatch')}>
          {/* A re-disposisi goes to another agency, so the one holding the case is neither chosen nor offered. */}
          <SelectField t={t} prefix="dispatch" name="agencyCode" label={t('case.field.agency')}
            value={p.values.agencyCode ?? (redispatch ? '' : defaults.agencyCode ?? '')} error={p.errors.agencyCode} emptyLabel={t('case.choose')}
            options={redispatch
              ? agencyOptions(props.reference).filter((option) => option.value !== defaults.agencyCode)
              : agencyOptions(props.reference, defaults.agencyCode ?? undefined)} />
          <BodyField {...p} prefix="dispatch" name="note" label={t('case.field.dispatch_note')} hint={t('case.dispatch_note_hint')} optional rows={3} />
        </ActionForm>
      );
    },
    'follow-up': () => {
      const p = propsFor('follow-up');
      return frame('follow-up', { intro: t('case.intro.follow-up') }, (
        <>
          <TemplateIdField value={p.values.templateId} />
          <BodyField {...p} prefix="follow-up" label={t('case.field.follow_up_body')} />
          <Radios t={t} prefix="follow-up" name="visibility" label={t('case.field.visibility')} value={p.values.visibility ?? 'public'}
            error={p.errors.visibility} options={[
              { value: 'public', label: t('case.visibility.public'), hint: t('case.visibility.public_hint') },
              { value: 'internal', label: t('case.visibility.internal'), hint: t('case.visibility.internal_hint') },
            ]} />
        </>
      ));
    },
    resolve: () => frame('resolve', { intro: t('case.intro.resolve') }, (
      <>
        <TemplateIdField value={propsFor('resolve').values.templateId} />
        <BodyField {...propsFor('resolve')} prefix="resolve" label={t('case.field.answer_body')} hint={t('case.answer_hint')} rows={8} />
      </>
    )),
    answer: () => frame('answer', { intro: t('case.intro.answer') }, (
      <>
        <TemplateIdField value={propsFor('answer').values.templateId} />
        <BodyField {...propsFor('answer')} prefix="answer" label={t('case.field.answer_body')} hint={t('case.answer_hint')} rows={8} />
      </>
    )),
    return: () => frame('return', { intro: t('case.intro.return'), warning: true },
      <BodyField {...propsFor('return')} prefix="return" name="reason" label={t('case.field.return_reason')} rows={3} />),
    hold: () => frame('hold', { intro: t('case.intro.hold') },
      <BodyField {...propsFor('hold')} prefix="hold" name="reason" label={t('case.field.hold_reason')} hint={t('case.hold_hint')} rows={3} />),
    resume: () => frame('resume', { intro: t('case.intro.resume') },
      <BodyField {...propsFor('resume')} prefix="resume" name="note" label={t('case.field.resume_note')} optional rows={3} />),
    reopen: () => frame('reopen', { intro: t('case.intro.reopen') },
      <BodyField {...propsFor('reopen')} prefix="reopen" name="reason" label={t('case.field.reopen_reason')} rows={3} />),
    forward: () => {
      const p = propsFor('forward');
      return frame('forward', { intro: t('case.intro.forward'), warning: true }, (
        <>
          <TextField t={t} prefix="forward" name="destination" label={t('case.field.destination')} hint={t('case.destination_hint')}
            value={p.values.destination} error={p.errors.destination} />
          <BodyField {...p} prefix="forward" label={t('case.field.forward_body')} optional rows={4} />
        </>
      ));
    },
    archive: () => {
      const p = propsFor('archive');
      return frame('archive', { intro: t('case.intro.archive'), warning: true }, (
        <>
          <SelectField t={t} prefix="archive" name="reason" label={t('case.field.archive_reason')} value={p.values.reason} error={p.errors.reason}
            emptyLabel={t('case.choose')} options={ARCHIVE_REASONS.map((reason) => ({ value: reason, label: t(`archive_reason.${reason}`) }))} />
          <BodyField {...p} prefix="archive" name="note" label={t('case.field.archive_note')} optional rows={3} />
        </>
      ));
    },
    merge: () => {
      const p = propsFor('merge');
      return frame('merge', { intro: t('case.intro.merge'), warning: true },
        <TextField t={t} prefix="merge" name="intoId" label={t('case.field.merge_into')} hint={t('case.merge_hint')} value={p.values.intoId}
          error={p.errors.intoId} width="medium" spellcheck={false} />);
    },
    note: () => frame('note', { intro: t('case.intro.note') },
      <BodyField {...propsFor('note')} prefix="note" label={t('case.field.note_body')} rows={3} />),
  };

  if (props.allowed.length === 0) return <p class="body">{t('case.no_actions')}</p>;
  return <div class="actions">{CASE_ACTIONS.filter((action) => props.allowed.includes(action)).map((action) => forms[action]())}</div>;
}
