/**
 * The channel health page of the back office, for admins and complaint
 * officers (other roles get 403, like the dead-letter API):
 * - `GET /staff/channels`: per channel, which settings are missing (by
 *   variable name, never the value), last inbound and outbound time, and
 *   problems in the health window. The newest dead letters follow below.
 * - `POST /staff/channels/dead-letters/{id}/retry`: reprocesses one dead
 *   letter now and redirects back (303) with the outcome in the query, so a
 *   reload does not retry again. The CSRF check is `checkCsrfToken`'s.
 */
import type { Context, Hono, MiddlewareHandler } from 'hono';
import type { AppDeps, AppEnv, AuthUser } from '../../context.ts';
import type { ChannelSettings } from '../../../config.ts';
import type { MessagingChannel } from '../../../db/schema.ts';
import { createChannelRegistry, type ChannelRegistry } from '../../../channels/registry.ts';
import { isValidTelegramSecret } from '../../../channels/telegram/verify.ts';
import { retryDeadLetter } from '../../../jobs/inbound.ts';
import { getChannelHealth, listDeadLetters } from '../../../queries/channels.ts';
import { pageContext, renderPage } from '../../views/layout.tsx';
import { ChannelsPage, type RetryBanner } from '../../views/staff/channels.tsx';
import { forbiddenPage, staffUser } from './guard.tsx';
import { parseId } from '../../views/form.tsx';
import { errorPageResponse } from '../public/errors.tsx';

/** Dead letters listed on the page. Older ones stay reachable through the API's `before` paging. */
export const DEAD_LETTERS_ON_PAGE = 50;

/** Roles that may open the page and retry dead letters. The dead-letter API allows the same two roles. */
const CHANNEL_HEALTH_ROLES: readonly AuthUser['role'][] = ['admin', 'complaint_officer'];

const RETRY_OUTCOMES: readonly RetryBanner['outcome'][] = ['processed', 'ignored', 'dead', 'pending', 'not_found'];

/**
 * Returns whether the user may open the channel health page.
 *
 * @example
 *   canManageChannels(user) // true for an admin or complaint officer
 */
export function canManageChannels(user: Pick<AuthUser, 'role'>): boolean {
  return CHANNEL_HEALTH_ROLES.includes(user.role);
}

/**
 * Lists the environment variables a channel still needs to receive and send,
 * by name. Facebook and Instagram share the Meta settings. E-mail is received
 * by the IMAP poller, so it needs `IMAP_HOST` instead of a webhook secret.
 *
 * @example
 *   missingChannelSettings(loadConfig({}).channels, 'telegram') // ['TELEGRAM_SECRET_TOKEN', 'TELEGRAM_BOT_TOKEN']
 */
export function missingChannelSettings(settings: ChannelSettings, channel: MessagingChannel): string[] {
  const required: Array<[variable: string, isSet: boolean]> = [];
  switch (channel) {
    case 'whatsapp':
      required.push(
        ['WHATSAPP_APP_SECRET', Boolean(settings.whatsapp.appSecret)],
        ['WHATSAPP_VERIFY_TOKEN', Boolean(settings.whatsapp.verifyToken)],
        ['WHATSAPP_TOKEN', Boolean(settings.whatsapp.accessToken)],
        ['WHATSAPP_PHONE_NUMBER_ID', Boolean(settings.whatsapp.phoneNumberId)],
      );
      break;
    case 'telegram':
      // The webhook rejects every request while the secret has characters Telegram does not allow, so such a value counts as missing.
      required.push(
        ['TELEGRAM_SECRET_TOKEN', Boolean(settings.telegram.secretToken && isValidTelegramSecret(settings.telegram.secretToken))],
        ['TELEGRAM_BOT_TOKEN', Boolean(settings.telegram.botToken)],
      );
      break;
    case 'facebook':
    case 'instagram':
      required.push(
        ['META_APP_SECRET', Boolean(settings.meta.appSecret)],
        ['META_VERIFY_TOKEN', Boolean(settings.meta.verifyToken)],
        ['META_PAGE_TOKEN', Boolean(settings.meta.pageToken)],
      );
      break;
    case 'x':
      required.push(['X_CONSUMER_SECRET', Boolean(settings.x.consumerSecret)], ['X_ACCESS_TOKEN', Boolean(settings.x.accessToken)]);
      break;
    case 'sms':
      required.push(
        ['SMS_GATEWAY_SECRET', Boolean(settings.sms.gatewaySecret)],
        ['SMS_GATEWAY_URL', Boolean(settings.sms.gatewayUrl)],
        ['SMS_GATEWAY_API_KEY', Boolean(settings.sms.apiKey)],
      );
      break;
    case 'email':
      required.push(
        ['IMAP_HOST', settings.email.imap !== undefined],
        ['SMTP_URL', Boolean(settings.email.smtpUrl)],
        ['MAIL_FROM', Boolean(settings.email.from)],
      );
      break;
  }
  return required.filter(([, isSet]) => !isSet).map(([variable]) => variable);
}

const registries = new WeakMap<AppDeps, ChannelRegistry>();

/** Returns the registry for this app's configuration, built once per app like the webhook routes' own. */
function registryFor(c: Context<AppEnv>): ChannelRegistry {
  const deps = c.get('deps');
  let registry = registries.get(deps);
  if (!registry) {
    registry = createChannelRegistry(deps.config.channels);
    registries.set(deps, registry);
  }
  return registry;
}

const requireChannelRole: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!canManageChannels(staffUser(c))) return forbiddenPage(c);
  return next();
};

/** Reads the retry outcome of the redirect's query; anything unexpected shows no banner. */
function retryBanner(c: Context<AppEnv>): RetryBanner | undefined {
  const outcome = c.req.query('retried');
  const id = parseId(c.req.query('id') ?? '');
  if (!outcome || id === null || !(RETRY_OUTCOMES as readonly string[]).includes(outcome)) return undefined;
  return { outcome: outcome as RetryBanner['outcome'], id };
}

export function registerChannelRoutes(app: Hono<AppEnv>): void {
  app.use('/staff/channels', requireChannelRole);
  app.use('/staff/channels/*', requireChannelRole);

  app.get('/staff/channels', async (c) => {
    const { db, config } = c.get('deps');
    const [report, deadLetters] = await Promise.all([
      getChannelHealth(db, (channel) => missingChannelSettings(config.channels, channel)),
      listDeadLetters(db, { limit: DEAD_LETTERS_ON_PAGE }),
    ]);
    return renderPage(
      c,
      <ChannelsPage ctx={pageContext(c)} report={report} deadLetters={deadLetters} pageSize={DEAD_LETTERS_ON_PAGE} banner={retryBanner(c)} />,
    );
  });

  app.post('/staff/channels/dead-letters/:id/retry', async (c) => {
    const id = parseId(c.req.param('id'));
    if (id === null) return errorPageResponse(c, 404, c.get('t')('channels.dead_letter_not_found'));
    const outcome = await retryDeadLetter(c.get('deps').db, registryFor(c), id, staffUser(c).id);
    const status = outcome ? outcome.status : 'not_found';
    return c.redirect(`/staff/channels?retried=${status}&id=${id}#dead-letters`, 303);
  });
}
