/** The back office's sign-in page. */
import { Layout, type PageContext } from '../layout.tsx';
import { Button, ErrorSummary, TextField, type FieldErrors } from '../components.tsx';

export function LoginPage(props: { ctx: PageContext; email: string; next: string; errors: FieldErrors; signedOut?: boolean }) {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t('login.title')} area="staff">
      <div class="grid-row">
        <div class="grid-column-one-half">
          <ErrorSummary t={t} errors={props.errors} order={['email', 'password']} />
          {props.signedOut ? <p class="body notice">{t('login.signed_out')}</p> : null}
          <h1 class="heading-l">{t('login.heading')}</h1>
          <form method="post" action="/staff/login" novalidate>
            <input type="hidden" name="next" value={props.next} />
            <TextField t={t} name="email" label={t('login.email')} type="email" autocomplete="username" value={props.email}
              error={props.errors.email} spellcheck={false} />
            <TextField t={t} name="password" label={t('login.password')} type="password" autocomplete="current-password"
              error={props.errors.password} />
            <Button>{t('login.submit')}</Button>
          </form>
          <p class="hint">{t('login.help')}</p>
        </div>
      </div>
    </Layout>
  );
}
