/** The FAQ in the back office: articles of every status with their self-service count, and the edit form. */
import type { PageContext } from '../../layout.tsx';
import { Button, CsrfField, Radios, SelectField, TextArea, type FieldErrors } from '../../components.tsx';
import { formatDateTime } from '../../format.tsx';
import { agencyOptions, categoryOptions, type ReferenceRows } from '../../report-fields.tsx';
import type { FaqRow } from '../../../../queries/answers.ts';
import { FAQ_STATUSES } from '../../../../commands/faq.ts';
import { AnswersLayout } from './layout.tsx';

export const FAQ_FIELDS = ['question', 'questionEn', 'answer', 'answerEn', 'categoryCode', 'agencyCode', 'status'] as const;

const STATUS_COLOURS: Record<string, string> = { draft: 'yellow', published: 'green', archived: 'grey' };

export function StaffFaqListPage(props: { ctx: PageContext; articles: FaqRow[]; canEdit: boolean; banner?: string }) {
  const { ctx } = props;
  const { t, locale } = ctx;
  return (
    <AnswersLayout ctx={ctx} section="faq" title={t('answers.faq.title')} banner={props.banner}>
      <p class="body">{t('answers.faq.intro')}</p>
      {props.canEdit ? <p class="body"><a class="button button--primary" role="button" href="/staff/faq/new">{t('answers.faq.add')}</a></p> : null}
      {props.articles.length === 0 ? (
        <p class="body">{t('answers.faq.none')}</p>
      ) : (
        <table class="table table--responsive">
          <caption class="visually-hidden">{t('answers.faq.title')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('answers.field.question')}</th>
              <th scope="col">{t('answers.field.status')}</th>
              <th scope="col">{t('answers.field.category')}</th>
              <th scope="col">{t('answers.field.agency')}</th>
              <th scope="col">{t('answers.field.updated')}</th>
              <th scope="col">{t('answers.field.self_service')}</th>
            </tr>
          </thead>
          <tbody>
            {props.articles.map((article) => (
              <tr>
                <th scope="row" data-label={t('answers.field.question')}>
                  {props.canEdit ? <a href={`/staff/faq/${article.id}`}>{article.question}</a> : article.question}
                </th>
                <td data-label={t('answers.field.status')}>
                  <strong class={`tag tag--small tag--${STATUS_COLOURS[article.status]}`}>{t(`answers.faq.status.${article.status}`)}</strong>
                </td>
                <td data-label={t('answers.field.category')}>{article.categoryName ?? '–'}</td>
                <td data-label={t('answers.field.agency')}>{article.agencyName ?? '–'}</td>
                <td data-label={t('answers.field.updated')}>{formatDateTime(article.updatedAt, locale)}</td>
                <td data-label={t('answers.field.self_service')}>{t('answers.faq.self_service_count', { n: article.selfServiceCount })}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </AnswersLayout>
  );
}

export function StaffFaqFormPage(props: {
  ctx: PageContext;
  articleId?: number;
  values: Record<string, string>;
  errors: FieldErrors;
  reference: ReferenceRows;
  /** Agency officers keep their own agency's articles only. */
  fixedAgencyName: string | null;
  /** The article was made from a case; a reminder to check it for names. */
  fromComplaint: boolean;
  banner?: string;
}) {
  const { ctx, values, errors } = props;
  const { t, locale } = ctx;
  const action = props.articleId === undefined ? '/staff/faq/new' : `/staff/faq/${props.articleId}`;
  return (
    <AnswersLayout ctx={ctx} section="faq" title={props.articleId === undefined ? t('answers.faq.add') : t('answers.faq.edit')} errors={errors}
      order={FAQ_FIELDS} prefix="faq" banner={props.banner}>
      <a class="back-link" href="/staff/faq">{t('answers.faq.back')}</a>
      {props.fromComplaint ? <div class="inset-text">{t('answers.faq.check_names')}</div> : null}
      <form method="post" action={action} novalidate class="narrow-form">
        <CsrfField token={ctx.csrfToken} />
        <TextArea t={t} prefix="faq" name="question" label={t('answers.field.question')} value={values.question} error={errors.question} rows={3} />
        <TextArea t={t} prefix="faq" name="answer" label={t('answers.field.answer')} value={values.answer} error={errors.answer} rows={8} />
        <TextArea t={t} prefix="faq" name="questionEn" label={t('answers.field.question_en')} value={values.questionEn} error={errors.questionEn} rows={2} optional />
        <TextArea t={t} prefix="faq" name="answerEn" label={t('answers.field.answer_en')} value={values.answerEn} error={errors.answerEn} rows={6} optional />
        <SelectField t={t} prefix="faq" name="categoryCode" label={t('answers.field.category')} value={values.categoryCode} error={errors.categoryCode}
          emptyLabel={t('answers.no_category')} options={categoryOptions(props.reference, locale, values.categoryCode || undefined)} />
        {props.fixedAgencyName !== null ? (
          <p class="body"><strong>{t('answers.field.agency')}:</strong> {props.fixedAgencyName}</p>
        ) : (
          <SelectField t={t} prefix="faq" name="agencyCode" label={t('answers.field.agency')} value={values.agencyCode} error={errors.agencyCode}
            emptyLabel={t('case.choose')} options={agencyOptions(props.reference, values.agencyCode || undefined)} hint={t('answers.field.faq_agency_hint')} />
        )}
        <Radios t={t} prefix="faq" name="status" label={t('answers.field.status')} value={values.status || 'draft'} error={errors.status}
          options={FAQ_STATUSES.map((status) => ({ value: status, label: t(`answers.faq.status.${status}`), hint: t(`answers.faq.status_hint.${status}`) }))} />
        <Button>{t('answers.faq.save')}</Button>
      </form>
    </AnswersLayout>
  );
}

