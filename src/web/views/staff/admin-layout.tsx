/** The frame of the administration pages: a sub-navigation, a success banner and an error summary. */
import type { Child } from 'hono/jsx';
import { Layout, type PageContext } from '../layout.tsx';
import { ErrorSummary, NotificationBanner, type FieldErrors } from '../components.tsx';

export const ADMIN_SECTIONS = ['users', 'agencies', 'categories', 'holidays'] as const;
export type AdminSection = (typeof ADMIN_SECTIONS)[number];

export function AdminLayout(props: {
  ctx: PageContext;
  section: AdminSection | null;
  title: string;
  banner?: string;
  errors?: FieldErrors;
  /** Field order for the error summary. */
  order?: readonly string[];
  /** Prefix of the failed form's field ids. */
  prefix?: string;
  children: Child;
}) {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={props.title} area="staff" wide>
      <nav class="sub-nav" aria-label={t('admin.nav')}>
        <ul class="sub-nav__list">
          {ADMIN_SECTIONS.map((section) => (
            <li>
              <a class="sub-nav__link" href={`/staff/admin/${section}`} aria-current={props.section === section ? 'page' : undefined}>
                {t(`admin.section.${section}`)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <ErrorSummary t={t} errors={props.errors ?? {}} order={props.order} prefix={props.prefix} />
      {props.banner ? <NotificationBanner kind="success" title={props.banner} /> : null}
      <h1 class="heading-l">{props.title}</h1>
      {props.children}
    </Layout>
  );
}

export function AdminIndexPage(props: { ctx: PageContext }) {
  const { t } = props.ctx;
  return (
    <AdminLayout ctx={props.ctx} section={null} title={t('admin.title')}>
      <ul class="card-list">
        {ADMIN_SECTIONS.map((section) => (
          <li class="card">
            <h2 class="heading-m"><a href={`/staff/admin/${section}`}>{t(`admin.section.${section}`)}</a></h2>
            <p class="body">{t(`admin.section_intro.${section}`)}</p>
          </li>
        ))}
      </ul>
    </AdminLayout>
  );
}
