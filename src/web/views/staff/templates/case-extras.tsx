/**
 * What the fast-answer features add to the case page: the template picker
 * above an answer form, the hidden template id inside it, and the panel
 * with the officer holding the case and the FAQ-draft button. All work
 * without JavaScript: choosing a template is a link that reloads the page
 * with the filled text in the form.
 */
import type { Translate } from '../../../i18n/index.ts';
import { Button, CsrfField, NotificationBanner } from '../../components.tsx';
import type { TemplateRow } from '../../../../queries/answers.ts';

/** Answer forms that offer templates, by their URL segment on the case page. */
export const TEMPLATE_ACTIONS = ['answer', 'resolve', 'follow-up'] as const;
export type TemplateAction = (typeof TEMPLATE_ACTIONS)[number];

/** Characters of a template shown in the picker. */
const PREVIEW_CHARS = 140;

export interface ChosenTemplate {
  title: string;
  /** Placeholders the case had no value for. */
  missing: string[];
}

export interface TemplatePickerProps {
  t: Translate;
  complaintId: number;
  action: TemplateAction;
  suggestions: TemplateRow[];
  /** The search text typed for this form. */
  q: string;
  chosen?: ChosenTemplate;
}

function preview(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= PREVIEW_CHARS ? flat : `${flat.slice(0, PREVIEW_CHARS - 1)}…`;
}

export function TemplatePicker(props: TemplatePickerProps) {
  const { t, complaintId, action } = props;
  const anchor = `#action-${action}`;
  const useHref = (id: number, language: 'id' | 'en') => `/staff/complaints/${complaintId}?template=${id}&for=${action}&bahasa=${language}${anchor}`;
  return (
    <div class="inset-text template-picker" data-template-picker={action}>
      <h3 class="heading-s">{t('answers.picker.title')}</h3>
      {props.chosen ? (
        <NotificationBanner kind={props.chosen.missing.length > 0 ? 'warning' : 'info'} title={t('answers.picker.inserted', { title: props.chosen.title })}>
          {props.chosen.missing.length > 0 ? (
            <p class="body">{t('answers.picker.missing', { names: props.chosen.missing.map((name) => `{{${name}}}`).join(', ') })}</p>
          ) : (
            <p class="body">{t('answers.picker.check')}</p>
          )}
        </NotificationBanner>
      ) : null}
      <form method="get" action={`/staff/complaints/${complaintId}${anchor}`} class="inline-form">
        <input type="hidden" name="for" value={action} />
        <label class="label" for={`${action}-template-q`}>{t('answers.picker.search')}</label>
        <input class="input input--medium" id={`${action}-template-q`} name="tq" type="search" value={props.q} />
        <Button kind="secondary">{t('answers.search_button')}</Button>
      </form>
      {props.suggestions.length === 0 ? (
        <p class="body">{t('answers.picker.none')}</p>
      ) : (
        <ul class="list template-picker__list">
          {props.suggestions.map((template) => (
            <li class="template-picker__item">
              <a class="link--strong" href={useHref(template.id, 'id')} data-template-use={template.id}>
                {t('answers.picker.use', { title: template.title })}
              </a>
              {template.bodyEn ? <span> · <a href={useHref(template.id, 'en')} hreflang="en" lang="en">English</a></span> : null}
              {template.stale ? <strong class="tag tag--orange tag--small">{t('answers.templates.stale')}</strong> : null}
              <br />
              <span class="secondary-text">{preview(template.bodyId)}</span>
            </li>
          ))}
        </ul>
      )}
      <p class="hint"><a href="/staff/templates">{t('answers.picker.manage')}</a></p>
    </div>
  );
}

/** The template id travelling with an answer written from a template; empty when none was used. */
export function TemplateIdField(props: { value?: string }) {
  if (!props.value) return null;
  return <input type="hidden" name="templateId" value={props.value} />;
}

export interface CaseHandlingProps {
  t: Translate;
  csrfToken: string | null;
  complaintId: number;
  assignee: { id: number; name: string } | null;
  /** The signed-in user's id. */
  userId: number;
  canTake: boolean;
  canHandBack: boolean;
  /** The case is a resolved question the user may turn into an FAQ draft. */
  canDraftFaq: boolean;
}

/** The officer holding the case, with take and hand-back buttons, and the FAQ-draft button. */
export function CaseHandlingPanel(props: CaseHandlingProps) {
  const { t, csrfToken, complaintId } = props;
  return (
    <>
      <h2 class="heading-m">{t('answers.case.handling')}</h2>
      <p class="body" data-assignee>
        {props.assignee
          ? t(props.assignee.id === props.userId ? 'answers.case.held_by_you' : 'answers.case.held_by', { name: props.assignee.name })
          : t('answers.case.held_by_nobody')}
      </p>
      {props.canTake ? (
        <form method="post" action={`/staff/roster/complaints/${complaintId}/take`} class="inline-form">
          <CsrfField token={csrfToken} />
          <Button kind="secondary">{t('answers.case.take')}</Button>
        </form>
      ) : null}
      {props.canHandBack ? (
        <form method="post" action={`/staff/roster/complaints/${complaintId}/hand-back`} class="inline-form">
          <CsrfField token={csrfToken} />
          <Button kind="secondary">{t('answers.case.hand_back')}</Button>
        </form>
      ) : null}
      {props.canDraftFaq ? (
        <form method="post" action={`/staff/faq/from-complaint/${complaintId}`}>
          <CsrfField token={csrfToken} />
          <p class="hint">{t('answers.case.faq_hint')}</p>
          <Button kind="secondary">{t('answers.case.faq_draft')}</Button>
        </form>
      ) : null}
    </>
  );
}
