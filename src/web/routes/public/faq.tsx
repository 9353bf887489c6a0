/**
 * The public FAQ (/faq): search and list, one article, the "this answered
 * my question" button, and the suggestions the report form asks for while
 * the citizen types (/faq/saran, JSON, and its script /faq/saran.js).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Hono, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../../context.ts';
import { recordSelfServiceAnswer } from '../../../commands/faq.ts';
import { CommandError } from '../../../commands/errors.ts';
import { getFaqArticle, matchFaqArticles, MAX_SEARCH_CHARS, searchPublishedFaq } from '../../../queries/answers.ts';
import { listReferenceData } from '../../../queries/complaints.ts';
import { MessagePage, pageContext, renderPage } from '../../views/layout.tsx';
import { FaqArticlePage, FaqListPage } from '../../views/faq/pages.tsx';
import { parseId } from '../../views/form.tsx';

const SUGGEST_SCRIPT = fs.readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../views/faq/suggest.js'), 'utf8');

/** Characters of typed text read for suggestions; the script sends at most this many. */
const MAX_SUGGEST_CHARS = 500;

const CODE_RE = /^[a-z0-9-]{1,60}$/;

export function registerFaqRoutes(app: Hono<AppEnv>, guards: { originCheck: MiddlewareHandler<AppEnv> }): void {
  app.get('/faq', async (c) => {
    const db = c.get('deps').db;
    const q = (c.req.query('q') ?? '').trim().slice(0, MAX_SEARCH_CHARS);
    const categoryCode = (c.req.query('kategori') ?? '').trim();
    const agencyCode = (c.req.query('instansi') ?? '').trim();
    const [articles, reference] = await Promise.all([
      searchPublishedFaq(db, {
        q: q || undefined,
        categoryCode: CODE_RE.test(categoryCode) ? categoryCode : undefined,
        agencyCode: CODE_RE.test(agencyCode) ? agencyCode : undefined,
      }),
      listReferenceData(db),
    ]);
    return renderPage(c, <FaqListPage ctx={pageContext(c)} articles={articles} q={q} categoryCode={categoryCode} agencyCode={agencyCode} reference={reference} />);
  });

  app.get('/faq/saran', async (c) => {
    const t = c.get('t');
    const q = (c.req.query('q') ?? '').trim().slice(0, MAX_SUGGEST_CHARS);
    const articles = q ? await matchFaqArticles(c.get('deps').db, q) : [];
    const locale = c.get('locale');
    return c.json({
      heading: t('faq.suggest_heading'),
      hint: t('faq.suggest_hint'),
      articles: articles.map((article) => ({
        id: article.id,
        question: locale === 'en' && article.questionEn ? article.questionEn : article.question,
        url: `/faq/${article.id}`,
      })),
    });
  });

  app.get('/faq/saran.js', (c) => {
    c.header('Content-Type', 'text/javascript; charset=utf-8');
    c.header('Cache-Control', 'public, max-age=3600');
    return c.body(SUGGEST_SCRIPT);
  });

  app.get('/faq/:id', async (c) => {
    const id = parseId(c.req.param('id'));
    const article = id === null ? undefined : await getFaqArticle(c.get('deps').db, id, { publishedOnly: true });
    const ctx = pageContext(c);
    if (!article) return renderPage(c, <MessagePage ctx={ctx} area="public" title={ctx.t('faq.not_found_title')} message={ctx.t('error.not_found.faq')}>
        <p class="body"><a href="/faq">{ctx.t('nav.faq')}</a> · <a href="/lapor">{ctx.t('nav.report')}</a></p>
      </MessagePage>, 404);
    return renderPage(c, <FaqArticlePage ctx={ctx} article={article} answered={c.req.query('terjawab') === '1'} />);
  });

  app.post('/faq/:id/terjawab', guards.originCheck, async (c) => {
    const id = parseId(c.req.param('id'));
    try {
      if (id === null) throw new CommandError('not_found', 'faq not found', 'error.not_found.faq');
      await recordSelfServiceAnswer(c.get('deps').db, id);
    } catch (error) {
      if (!(error instanceof CommandError)) throw error;
      const ctx = pageContext(c);
      return renderPage(c, <MessagePage ctx={ctx} area="public" title={ctx.t('faq.not_found_title')} message={ctx.t('error.not_found.faq')}>
        <p class="body"><a href="/faq">{ctx.t('nav.faq')}</a> · <a href="/lapor">{ctx.t('nav.report')}</a></p>
      </MessagePage>, 404);
    }
    return c.redirect(`/faq/${id}?terjawab=1`, 303);
  });
}
