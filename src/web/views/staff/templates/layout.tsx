/** The frame of the fast-answer pages: a sub-navigation, a success banner and an error summary. */
import type { Child } from 'hono/jsx';
import { Layout, type PageContext } from '../../layout.tsx';
import { ErrorSummary, NotificationBanner, type FieldErrors } from '../../components.tsx';
import { mayManageRoster } from '../../../../domain/roster.ts';

export const ANSWER_SECTIONS = ['templates', 'faq', 'roster', 'notifications'] as const;
export type AnswerSection = (typeof ANSWER_SECTIONS)[number];

const SECTION_PATHS: Record<AnswerSection, string> = {
  templates: '/staff/templates',
  faq: '/staff/faq',
  roster: '/staff/roster',
  notifications: '/staff/notifications',
};

export function AnswersLayout(props: {
  ctx: PageContext;
  section: AnswerSection;
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
  const { t, user } = ctx;
  const sections = ANSWER_SECTIONS.filter((section) => {
    if (section === 'roster') return user !== null && mayManageRoster(user);
    if (section === 'templates') return user !== null && user.role !== 'leader';
    return true;
  });
  return (
    <Layout ctx={ctx} title={props.title} area="staff" wide>
      <nav class="sub-nav" aria-label={t('answers.nav')}>
        <ul class="sub-nav__list">
          {sections.map((section) => (
            <li>
              <a class="sub-nav__link" href={SECTION_PATHS[section]} aria-current={props.section === section ? 'page' : undefined}>
                {t(`answers.section.${section}`)}
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
