/** The portal's home page: what the service is, how to file and follow a report, and the emergency number. */
import { Layout, type PageContext } from '../layout.tsx';

export function HomePage(props: { ctx: PageContext }) {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t('home.title')} area="public">
      <div class="hero">
        <h1 class="heading-xl">{t('home.heading')}</h1>
        <p class="lead">{t('home.lead')}</p>
        <div class="button-group">
          <a class="button button--primary button--start" href="/lapor" role="button" draggable="false">{t('home.report_button')} →</a>
          <a class="button button--secondary" href="/lacak" role="button" draggable="false">{t('home.track_button')}</a>
        </div>
      </div>

      <div class="warning-text" role="note">
        <span class="warning-text__icon" aria-hidden="true">!</span>
        <p class="warning-text__text">
          <span class="visually-hidden">{t('ui.warning')} </span>
          {t('home.emergency')}
        </p>
      </div>

      <div class="grid-row">
        <section class="grid-column-one-third">
          <h2 class="heading-m">{t('home.what_title')}</h2>
          <p class="body">{t('home.what_body')}</p>
        </section>
        <section class="grid-column-one-third">
          <h2 class="heading-m">{t('home.how_title')}</h2>
          <ol class="list list--number">
            <li>{t('home.how_step1')}</li>
            <li>{t('home.how_step2')}</li>
            <li>{t('home.how_step3')}</li>
          </ol>
        </section>
        <section class="grid-column-one-third">
          <h2 class="heading-m">{t('home.privacy_title')}</h2>
          <p class="body">{t('home.privacy_body')}</p>
        </section>
      </div>
    </Layout>
  );
}
