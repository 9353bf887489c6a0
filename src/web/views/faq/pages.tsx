/**
 * The public FAQ: the searchable list grouped by category and agency, one
 * article, and the page a citizen sees before a question is filed when
 * published articles may already answer it. Every page works without
 * JavaScript.
 */
import { Layout, type PageContext } from '../layout.tsx';
import { Button, FileField, NotificationBanner, SelectField, SummaryList, TextField } from '../components.tsx';
import { formatDate } from '../format.tsx';
import { ATTACHMENT_ACCEPT, categoryName, type ReferenceRows, type ReportFormValues } from '../report-fields.tsx';
import type { FaqRow } from '../../../queries/answers.ts';
import { MAX_ATTACHMENTS } from '../../../domain/images.ts';
import { wibDate } from '../../../domain/time.ts';

/** Field of the report form that says the citizen has seen the FAQ matches and still wants to file. */
export const FAQ_CHECKED_FIELD = 'faqChecked';

function localized(article: FaqRow, locale: PageContext['locale']) {
  return {
    question: locale === 'en' && article.questionEn ? article.questionEn : article.question,
    answer: locale === 'en' && article.answerEn ? article.answerEn : article.answer,
    category: article.categoryName
      ? categoryName({ name: article.categoryName, name_en: article.categoryNameEn }, locale)
      : null,
  };
}

/** Articles grouped by category, then agency, in the order they come. */
function groupArticles(articles: FaqRow[], locale: PageContext['locale'], otherLabel: string) {
  const groups = new Map<string, { category: string; agencies: Map<string, FaqRow[]> }>();
  for (const article of articles) {
    const category = localized(article, locale).category ?? otherLabel;
    const group = groups.get(category) ?? { category, agencies: new Map<string, FaqRow[]>() };
    const agency = article.agencyName ?? '–';
    group.agencies.set(agency, [...(group.agencies.get(agency) ?? []), article]);
    groups.set(category, group);
  }
  return [...groups.values()];
}

function ArticleMeta(props: { ctx: PageContext; article: FaqRow }) {
  const { t, locale } = props.ctx;
  return (
    <p class="secondary-text">
      {t('faq.meta', { agency: props.article.agencyName ?? '–', date: formatDate(wibDate(props.article.updatedAt), locale) })}
    </p>
  );
}

export function FaqListPage(props: {
  ctx: PageContext;
  articles: FaqRow[];
  q: string;
  categoryCode: string;
  agencyCode: string;
  reference: Pick<ReferenceRows, 'categories' | 'agencies'>;
}) {
  const { ctx, articles, q } = props;
  const { t, locale } = ctx;
  const searching = q !== '' || props.categoryCode !== '' || props.agencyCode !== '';
  return (
    <Layout ctx={ctx} title={t('faq.title')} area="public">
      <div class="grid-row">
        <div class="grid-column-two-thirds">
          <h1 class="heading-l">{t('faq.heading')}</h1>
          <p class="body">{t('faq.intro')}</p>
          <form method="get" action="/faq" class="filters" role="search">
            <TextField t={t} name="q" type="search" label={t('faq.search_label')} value={q} hint={t('faq.search_hint')} />
            <SelectField t={t} name="kategori" label={t('faq.category')} value={props.categoryCode} emptyLabel={t('faq.all_categories')}
              options={props.reference.categories.filter((category) => category.active).map((category) => ({ value: category.code, label: categoryName(category, locale) }))} />
            <SelectField t={t} name="instansi" label={t('faq.agency')} value={props.agencyCode} emptyLabel={t('faq.all_agencies')}
              options={props.reference.agencies.filter((agency) => agency.active).map((agency) => ({ value: agency.code, label: agency.name }))} />
            <Button kind="secondary">{t('faq.search_button')}</Button>
          </form>

          {searching ? <p class="body" role="status">{t('faq.result_count', { n: articles.length })}</p> : null}
          {articles.length === 0 ? (
            <div class="inset-text">
              <p class="body">{searching ? t('faq.none_found') : t('faq.none_yet')}</p>
              <p class="body"><a href="/lapor">{t('faq.ask')}</a></p>
            </div>
          ) : (
            groupArticles(articles, locale, t('faq.other_category')).map((group) => (
              <section class="faq-group">
                <h2 class="heading-m">{group.category}</h2>
                {[...group.agencies.entries()].map(([agency, rows]) => (
                  <>
                    <h3 class="heading-s">{agency}</h3>
                    <ul class="list">
                      {rows.map((article) => (
                        <li>
                          <a href={`/faq/${article.id}`} data-faq-article={article.id}>{localized(article, locale).question}</a>
                          <ArticleMeta ctx={ctx} article={article} />
                        </li>
                      ))}
                    </ul>
                  </>
                ))}
              </section>
            ))
          )}
        </div>
      </div>
    </Layout>
  );
}

export function FaqArticlePage(props: { ctx: PageContext; article: FaqRow; answered: boolean }) {
  const { ctx, article } = props;
  const { t, locale } = ctx;
  const text = localized(article, locale);
  return (
    <Layout ctx={ctx} title={text.question} area="public">
      <div class="grid-row">
        <div class="grid-column-two-thirds">
          <a class="back-link" href="/faq">{t('faq.back')}</a>
          {props.answered ? (
            <NotificationBanner kind="success" title={t('faq.answered_title')}>
              <p class="body">{t('faq.answered_body')}</p>
            </NotificationBanner>
          ) : null}
          <span class="caption">{t('faq.caption')}</span>
          <h1 class="heading-l">{text.question}</h1>
          <div class="description" data-faq-answer>{text.answer}</div>
          <SummaryList rows={[
            { key: t('faq.agency'), value: article.agencyName },
            { key: t('faq.category'), value: text.category },
            { key: t('faq.updated'), value: formatDate(wibDate(article.updatedAt), locale) },
          ]} />
          <p class="body">{t('faq.not_answered')} <a href="/lapor">{t('faq.ask')}</a></p>
        </div>
      </div>
    </Layout>
  );
}

/** Report form fields carried through the FAQ check page, so "No, send my question" files exactly what was typed. */
const CARRIED_FIELDS: readonly (keyof ReportFormValues)[] = [
  'type', 'description', 'name', 'phone', 'email', 'privacy', 'districtCode', 'villageCode', 'categoryCode',
];

/**
 * Shown after a question is submitted and before it is filed, when
 * published articles match it. "Yes" counts a self-service answer and files
 * nothing; "No" posts the same form again, marked as checked.
 */
export function FaqMatchesPage(props: { ctx: PageContext; matches: FaqRow[]; values: ReportFormValues; filesDropped: boolean }) {
  const { ctx, matches, values } = props;
  const { t, locale } = ctx;
  return (
    <Layout ctx={ctx} title={t('faq.matches_title')} area="public">
      <div class="grid-row">
        <div class="grid-column-two-thirds">
          <h1 class="heading-l">{t('faq.matches_heading')}</h1>
          <p class="body">{t('faq.matches_intro')}</p>
          {matches.map((article) => {
            const text = localized(article, locale);
            return (
              <section class="panel panel--notice faq-match" data-faq-match={article.id}>
                <h2 class="heading-m">{text.question}</h2>
                <div class="description">{text.answer}</div>
                <ArticleMeta ctx={ctx} article={article} />
                <form method="post" action={`/faq/${article.id}/terjawab`}>
                  <Button>{t('faq.yes_answered')}</Button>
                </form>
              </section>
            );
          })}
          <h2 class="heading-m">{t('faq.still_ask')}</h2>
          <form method="post" action="/lapor" enctype="multipart/form-data" novalidate>
            {CARRIED_FIELDS.map((field) => <input type="hidden" name={field} value={values[field]} />)}
            <input type="hidden" name={FAQ_CHECKED_FIELD} value="1" />
            {props.filesDropped ? (
              <FileField t={t} name="attachments" label={t('report.attachments')} accept={ATTACHMENT_ACCEPT} multiple optional
                hint={<strong class="hint__warning">{t('report.attachments_again')} {t('report.attachments_hint', { max: MAX_ATTACHMENTS })}</strong>} />
            ) : null}
            <Button kind="secondary">{t('faq.no_send')}</Button>
          </form>
        </div>
      </div>
    </Layout>
  );
}
