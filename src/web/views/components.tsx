/**
 * Page components shared by the citizen portal and the back office, named as
 * in the GOV.UK Design System: error summary, form fields with their error
 * message next to them, summary list, notification banner, status tag,
 * timeline, deadline table and pagination. They render plain HTML that works
 * without JavaScript; app.js only enhances a few of them.
 */
import type { Child } from 'hono/jsx';
import { localizeMasks, type Locale, type Translate } from '../i18n/index.ts';
import type { ComplaintStatus } from '../../domain/types.ts';
import { formatDate, formatDateTime } from './format.tsx';

/** Translated error messages of one form, keyed by field name. The `_form` key is for an error that belongs to no field. */
export type FieldErrors = Record<string, string>;

export const FORM_ERROR = '_form';

/** Returns the id of a form control: the field name, prefixed by the form's name where one page has several forms. */
export function fieldId(name: string, prefix?: string): string {
  return `${prefix ? `${prefix}-` : ''}${name}`.replace(/[^A-Za-z0-9_-]/g, '-');
}

function describedBy(...ids: (string | false | undefined)[]): string | undefined {
  const present = ids.filter((id): id is string => Boolean(id));
  return present.length > 0 ? present.join(' ') : undefined;
}

/**
 * Renders the box at the top of a form that lists every error and links to
 * its field. `order` lists the form's fields as they appear on the page, and
 * errors follow that order, with an error that belongs to no field first.
 */
export function ErrorSummary(props: { t: Translate; errors: FieldErrors; prefix?: string; order?: readonly string[] }) {
  const order = props.order ?? [];
  const entries = Object.entries(props.errors).sort(([a], [b]) => order.indexOf(a) - order.indexOf(b));
  if (entries.length === 0) return null;
  return (
    <div class="error-summary" role="alert" tabindex={-1} aria-labelledby={fieldId('error-summary-title', props.prefix)} data-error-summary>
      <h2 class="error-summary__title" id={fieldId('error-summary-title', props.prefix)}>{props.t('ui.error_summary')}</h2>
      <ul class="error-summary__list">
        {entries.map(([field, message]) => (
          <li>{field === FORM_ERROR ? message : <a href={`#${fieldId(field, props.prefix)}`}>{message}</a>}</li>
        ))}
      </ul>
    </div>
  );
}

function ErrorMessage(props: { id: string; t: Translate; message?: string }) {
  if (!props.message) return null;
  return (
    <p class="error-message" id={`${props.id}-error`}>
      <span class="visually-hidden">{props.t('ui.error_prefix')} </span>
      {props.message}
    </p>
  );
}

interface FieldProps {
  t: Translate;
  name: string;
  label: string;
  hint?: Child;
  error?: string;
  /** Prefix of the control's id when one page has several forms. */
  prefix?: string;
  /** Adds "(optional)" in the page's language to the label. */
  optional?: boolean;
}

function Label(props: { id: string; t: Translate; label: string; optional?: boolean }) {
  return (
    <label class="label" for={props.id}>
      {props.label}
      {props.optional ? <span class="label__optional"> ({props.t('ui.optional')})</span> : null}
    </label>
  );
}

function Hint(props: { id: string; hint?: Child }) {
  if (props.hint === undefined || props.hint === null) return null;
  return <div class="hint" id={`${props.id}-hint`}>{props.hint}</div>;
}

export function TextField(
  props: FieldProps & {
    value?: string;
    type?: 'text' | 'email' | 'tel' | 'password' | 'number' | 'date' | 'datetime-local' | 'search';
    autocomplete?: string;
    inputmode?: 'text' | 'tel' | 'email' | 'numeric';
    width?: 'short' | 'medium' | 'full';
    min?: string;
    max?: string;
    required?: boolean;
    readonly?: boolean;
    spellcheck?: boolean;
  },
) {
  const id = fieldId(props.name, props.prefix);
  return (
    <div class={`form-group${props.error ? ' form-group--error' : ''}`}>
      <Label id={id} t={props.t} label={props.label} optional={props.optional} />
      <Hint id={id} hint={props.hint} />
      <ErrorMessage id={id} t={props.t} message={props.error} />
      <input
        class={`input input--${props.width ?? 'full'}${props.error ? ' input--error' : ''}`}
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value ?? ''}
        autocomplete={props.autocomplete as never}
        inputmode={props.inputmode}
        min={props.min}
        max={props.max}
        required={props.required}
        readonly={props.readonly}
        spellcheck={props.spellcheck}
        aria-describedby={describedBy(props.hint !== undefined && `${id}-hint`, props.error && `${id}-error`)}
        aria-invalid={props.error ? 'true' : undefined}
      />
    </div>
  );
}

export function TextArea(props: FieldProps & { value?: string; rows?: number; maxlength?: number }) {
  const id = fieldId(props.name, props.prefix);
  return (
    <div class={`form-group${props.error ? ' form-group--error' : ''}`}>
      <Label id={id} t={props.t} label={props.label} optional={props.optional} />
      <Hint id={id} hint={props.hint} />
      <ErrorMessage id={id} t={props.t} message={props.error} />
      <textarea
        class={`textarea${props.error ? ' textarea--error' : ''}`}
        id={id}
        name={props.name}
        rows={props.rows ?? 5}
        maxlength={props.maxlength}
        aria-describedby={describedBy(props.hint !== undefined && `${id}-hint`, props.error && `${id}-error`)}
        aria-invalid={props.error ? 'true' : undefined}
      >
        {props.value ?? ''}
      </textarea>
    </div>
  );
}

export interface SelectOption {
  value: string;
  label: string;
}

export interface SelectGroup {
  label: string;
  /** Value the group belongs to, read by app.js to filter a dependent select. */
  key?: string;
  options: SelectOption[];
}

export function SelectField(
  props: FieldProps & {
    value?: string;
    options?: SelectOption[];
    groups?: SelectGroup[];
    /** Label of the empty first option; omitted when a value is required and has a default. */
    emptyLabel?: string;
    /** Extra data attributes for app.js. */
    data?: Record<string, string>;
  },
) {
  const id = fieldId(props.name, props.prefix);
  const dataAttributes: Record<string, string> = {};
  for (const [key, value] of Object.entries(props.data ?? {})) dataAttributes[`data-${key}`] = value;
  return (
    <div class={`form-group${props.error ? ' form-group--error' : ''}`}>
      <Label id={id} t={props.t} label={props.label} optional={props.optional} />
      <Hint id={id} hint={props.hint} />
      <ErrorMessage id={id} t={props.t} message={props.error} />
      <select
        class={`select${props.error ? ' select--error' : ''}`}
        id={id}
        name={props.name}
        aria-describedby={describedBy(props.hint !== undefined && `${id}-hint`, props.error && `${id}-error`)}
        aria-invalid={props.error ? 'true' : undefined}
        {...dataAttributes}
      >
        {props.emptyLabel !== undefined ? <option value="">{props.emptyLabel}</option> : null}
        {(props.options ?? []).map((option) => (
          <option value={option.value} selected={option.value === props.value}>{option.label}</option>
        ))}
        {(props.groups ?? []).map((group) => (
          <optgroup label={group.label} data-key={group.key}>
            {group.options.map((option) => (
              <option value={option.value} selected={option.value === props.value}>{option.label}</option>
            ))}
          </optgroup>
        ))}
      </select>
    </div>
  );
}

export interface RadioOption {
  value: string;
  label: string;
  hint?: string;
}

export function Radios(props: FieldProps & { value?: string; options: RadioOption[]; inline?: boolean }) {
  const id = fieldId(props.name, props.prefix);
  return (
    <div class={`form-group${props.error ? ' form-group--error' : ''}`}>
      <fieldset
        class="fieldset"
        aria-describedby={describedBy(props.hint !== undefined && `${id}-hint`, props.error && `${id}-error`)}
      >
        <legend class="fieldset__legend">
          {props.label}
          {props.optional ? <span class="label__optional"> ({props.t('ui.optional')})</span> : null}
        </legend>
        <Hint id={id} hint={props.hint} />
        <ErrorMessage id={id} t={props.t} message={props.error} />
        <div class={`radios${props.inline ? ' radios--inline' : ''}`}>
          {props.options.map((option, index) => {
            // The first radio carries the field's id, so the error summary can link to it.
            const optionId = index === 0 ? id : `${id}-${index + 1}`;
            return (
              <div class="radios__item">
                <input
                  class="radios__input"
                  id={optionId}
                  name={props.name}
                  type="radio"
                  value={option.value}
                  checked={option.value === props.value}
                  aria-describedby={option.hint ? `${optionId}-item-hint` : undefined}
                />
                <label class="radios__label" for={optionId}>{option.label}</label>
                {option.hint ? <div class="radios__hint hint" id={`${optionId}-item-hint`}>{option.hint}</div> : null}
              </div>
            );
          })}
        </div>
      </fieldset>
    </div>
  );
}

export function Checkbox(props: { name: string; label: string; checked?: boolean; hint?: string; prefix?: string; value?: string }) {
  const id = fieldId(props.name, props.prefix);
  return (
    <div class="form-group">
      <div class="checkboxes__item">
        <input class="checkboxes__input" id={id} name={props.name} type="checkbox" value={props.value ?? '1'} checked={props.checked}
          aria-describedby={props.hint ? `${id}-hint` : undefined} />
        <label class="checkboxes__label" for={id}>{props.label}</label>
        {props.hint ? <div class="checkboxes__hint hint" id={`${id}-hint`}>{props.hint}</div> : null}
      </div>
    </div>
  );
}

export function FileField(props: FieldProps & { accept: string; multiple?: boolean }) {
  const id = fieldId(props.name, props.prefix);
  return (
    <div class={`form-group${props.error ? ' form-group--error' : ''}`}>
      <Label id={id} t={props.t} label={props.label} optional={props.optional} />
      <Hint id={id} hint={props.hint} />
      <ErrorMessage id={id} t={props.t} message={props.error} />
      <input
        class={`file-upload${props.error ? ' file-upload--error' : ''}`}
        id={id}
        name={props.name}
        type="file"
        accept={props.accept}
        multiple={props.multiple}
        aria-describedby={describedBy(props.hint !== undefined && `${id}-hint`, props.error && `${id}-error`)}
      />
    </div>
  );
}

/** Hidden field with the session's CSRF token; every back-office POST form carries it. */
export function CsrfField(props: { token: string | null }) {
  return <input type="hidden" name="_csrf" value={props.token ?? ''} />;
}

export function Button(props: { children: Child; kind?: 'primary' | 'secondary' | 'warning' | 'link'; name?: string; value?: string }) {
  return (
    <button type="submit" class={`button button--${props.kind ?? 'primary'}`} name={props.name} value={props.value}>
      {props.children}
    </button>
  );
}

export interface SummaryRow {
  key: string;
  value: Child;
}

export function SummaryList(props: { rows: SummaryRow[] }) {
  return (
    <dl class="summary-list">
      {props.rows.map((row) => (
        <div class="summary-list__row">
          <dt class="summary-list__key">{row.key}</dt>
          <dd class="summary-list__value">{row.value === null || row.value === undefined || row.value === '' ? '–' : row.value}</dd>
        </div>
      ))}
    </dl>
  );
}

export function NotificationBanner(props: { title: string; kind?: 'success' | 'info' | 'warning'; children?: Child }) {
  const kind = props.kind ?? 'info';
  return (
    <div class={`notification-banner notification-banner--${kind}`} role={kind === 'success' ? 'status' : 'region'} aria-label={props.title}>
      <p class="notification-banner__title">{props.title}</p>
      {props.children ? <div class="notification-banner__content">{props.children}</div> : null}
    </div>
  );
}

const STATUS_COLOURS: Record<ComplaintStatus, string> = {
  new: 'blue',
  verified: 'turquoise',
  dispatched: 'purple',
  in_progress: 'yellow',
  on_hold: 'orange',
  resolved: 'green',
  closed: 'grey',
  out_of_scope: 'grey',
  archived: 'grey',
};

export function StatusTag(props: { t: Translate; status: string }) {
  const colour = STATUS_COLOURS[props.status as ComplaintStatus] ?? 'grey';
  return <strong class={`tag tag--${colour}`}>{props.t(`status.${props.status}`)}</strong>;
}

export interface TimelineEntry {
  title: string;
  at: Date | string;
  /** Name of the actor as the audience may see it. */
  actor?: string;
  body?: string | null;
  /** Extra lines, for example the reason of an archive. */
  details?: string[];
  /** Back office only: whether the entry is shown to the citizen. */
  visibility?: 'public' | 'internal';
}

/** Events, oldest first, each with its WIB time; the body keeps the author's line breaks (white-space: pre-line in CSS). */
export function Timeline(props: { t: Translate; locale: Locale; entries: TimelineEntry[] }) {
  if (props.entries.length === 0) return <p class="body">{props.t('ui.timeline_empty')}</p>;
  return (
    <ol class="timeline">
      {props.entries.map((entry) => (
        <li class={`timeline__item${entry.visibility === 'internal' ? ' timeline__item--internal' : ''}`}>
          <h3 class="timeline__title">
            {entry.title}
            {entry.visibility ? (
              <span class={`tag tag--small tag--${entry.visibility === 'internal' ? 'grey' : 'blue'}`}>
                {props.t(`ui.visibility.${entry.visibility}`)}
              </span>
            ) : null}
          </h3>
          <p class="timeline__meta">
            <time datetime={new Date(entry.at).toISOString()}>{formatDateTime(entry.at, props.locale)}</time>
            {entry.actor ? <span> · {entry.actor}</span> : null}
          </p>
          {entry.body ? <div class="timeline__body">{localizeMasks(entry.body, props.t)}</div> : null}
          {(entry.details ?? []).map((line) => <p class="timeline__detail">{line}</p>)}
        </li>
      ))}
    </ol>
  );
}

export interface DeadlineRow {
  clock: string;
  dueDate: string | null;
  status: string;
  /** Back office only: the deadline crosses a year whose holiday list is not loaded. */
  calendarMissing?: boolean;
  /** Back office only: the instant the clock stopped. */
  stoppedAt?: Date | null;
}

/** Renders the SLA clocks of a report. With `stacked`, each clock is a card at every width, for narrow columns. */
export function DeadlineTable(props: { t: Translate; locale: Locale; rows: DeadlineRow[]; stacked?: boolean }) {
  const { t, locale } = props;
  if (props.rows.length === 0) return <p class="body">{t('ui.deadlines_none')}</p>;
  const showStopped = props.rows.some((row) => row.stoppedAt !== undefined);
  return (
    <table class={`table table--responsive${props.stacked ? ' table--stacked' : ''}`}>
      <caption class="table__caption visually-hidden">{t('ui.deadlines')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('ui.deadline.clock')}</th>
          <th scope="col">{t('ui.deadline.due')}</th>
          <th scope="col">{t('ui.deadline.status')}</th>
          {showStopped ? <th scope="col">{t('ui.deadline.stopped')}</th> : null}
        </tr>
      </thead>
      <tbody>
        {props.rows.map((row) => (
          <tr class={row.status === 'breached' ? 'table__row--overdue' : undefined}>
            <th scope="row" data-label={t('ui.deadline.clock')}>{t(`clock.${row.clock}`)}</th>
            <td data-label={t('ui.deadline.due')}>
              {row.dueDate ? `${formatDate(row.dueDate, locale)} (${t('ui.end_of_day_wib')})` : '–'}
              {row.calendarMissing ? <strong class="tag tag--orange tag--small">{t('ui.calendar_missing')}</strong> : null}
            </td>
            <td data-label={t('ui.deadline.status')}>
              <span class={`clock-status clock-status--${row.status}`}>{t(`clock_status.${row.status}`)}</span>
            </td>
            {showStopped ? (
              <td data-label={t('ui.deadline.stopped')}>{row.stoppedAt ? formatDateTime(row.stoppedAt, locale) : '–'}</td>
            ) : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Previous/next links and page numbers around the current page; `hrefFor` keeps the other query parameters. */
export function Pagination(props: { t: Translate; page: number; pageSize: number; total: number; hrefFor: (page: number) => string }) {
  const pages = Math.max(1, Math.ceil(props.total / props.pageSize));
  if (pages <= 1) return null;
  const current = Math.min(props.page, pages);
  const numbers: (number | 'gap')[] = [];
  for (let page = 1; page <= pages; page++) {
    if (page === 1 || page === pages || Math.abs(page - current) <= 1) numbers.push(page);
    else if (numbers[numbers.length - 1] !== 'gap') numbers.push('gap');
  }
  return (
    <nav class="pagination" aria-label={props.t('ui.pagination')}>
      {current > 1 ? <a class="pagination__prev" href={props.hrefFor(current - 1)} rel="prev">← {props.t('ui.previous')}</a> : null}
      <ul class="pagination__list">
        {numbers.map((entry) =>
          entry === 'gap' ? (
            <li class="pagination__gap">…</li>
          ) : (
            <li class={`pagination__item${entry === current ? ' pagination__item--current' : ''}`}>
              <a href={props.hrefFor(entry)} aria-current={entry === current ? 'page' : undefined}
                aria-label={props.t('ui.page_n', { n: entry })}>{entry}</a>
            </li>
          ),
        )}
      </ul>
      {current < pages ? <a class="pagination__next" href={props.hrefFor(current + 1)} rel="next">{props.t('ui.next')} →</a> : null}
    </nav>
  );
}
