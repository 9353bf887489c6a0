/** Links between the two triage pages: the low-priority queue and the models. */
import type { PageContext } from '../../layout.tsx';

export function TriageSubNav(props: { ctx: PageContext; current: 'queue' | 'models' }) {
  const { t } = props.ctx;
  const links = [
    { key: 'queue', href: '/staff/triage' },
    { key: 'models', href: '/staff/triage/models' },
  ] as const;
  return (
    <nav class="sub-nav" aria-label={t('triage.nav')}>
      <ul class="sub-nav__list">
        {links.map((link) => (
          <li>
            <a class="sub-nav__link" href={link.href} aria-current={props.current === link.key ? 'page' : undefined}>
              {t(`triage.nav.${link.key}`)}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
