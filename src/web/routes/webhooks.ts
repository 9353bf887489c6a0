/**
 * Provider webhooks under /webhooks and the channel admin API under
 * /api/v1/channels.
 *
 * Webhook POST: the raw body bytes are read before anything parses them,
 * checked against the channel's signature or secret token (401, or 403 for
 * Telegram, and nothing is stored when the check fails), stored as an
 * envelope, and answered 200; processing then starts in the background and
 * the inbound sweep finishes whatever a crash interrupts. A channel whose
 * secret is not configured answers 503 and accepts nothing.
 * Webhook GET: Meta's `hub.challenge` handshake and X's CRC check.
 *
 * URLs: /webhooks/whatsapp, /webhooks/telegram, /webhooks/meta (Facebook,
 * Messenger, Instagram), /webhooks/x, /webhooks/sms.
 */
import { Hono, type Context } from 'hono';
import type { AppDeps, AppEnv, AuthUser } from '../context.ts';
import { createChannelRegistry, WEBHOOK_SOURCES, type ChannelRegistry, type WebhookSource } from '../../channels/registry.ts';
import { retryDeadLetter, startEnvelopeProcessing, storeEnvelope } from '../../jobs/inbound.ts';
import { getChannelHealth, listDeadLetters, MAX_DEAD_LETTER_PAGE } from '../../queries/channels.ts';
import type { EnvelopeSource } from '../../db/schema.ts';
import type { Role } from '../../domain/types.ts';
import { logger } from '../../logger.ts';

/**
 * Largest webhook body accepted, in bytes. Provider payloads are a few
 * kilobytes: WhatsApp, Telegram and Meta send media as handles or links, not inline.
 */
export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;

/** Roles that may list and retry dead letters. */
const DEAD_LETTER_ROLES: readonly Role[] = ['admin', 'complaint_officer'];

const ENVELOPE_SOURCES: readonly EnvelopeSource[] = [...WEBHOOK_SOURCES, 'email'];

const registries = new WeakMap<AppDeps, ChannelRegistry>();

/** Returns the registry for this app's configuration, built once per app. */
function registryFor(c: Context<AppEnv>): ChannelRegistry {
  const deps = c.get('deps');
  let registry = registries.get(deps);
  if (!registry) {
    registry = createChannelRegistry(deps.config.channels);
    registries.set(deps, registry);
  }
  return registry;
}

function isWebhookSource(value: string): value is WebhookSource {
  return (WEBHOOK_SOURCES as readonly string[]).includes(value);
}

/**
 * Builds the routes for provider webhooks; mount them under /webhooks.
 *
 * @example
 *   app.route('/webhooks', createWebhookRoutes());
 */
export function createWebhookRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get('/:source', (c) => {
    const source = c.req.param('source');
    if (!isWebhookSource(source)) return unknownWebhook(c, source);
    const registry = registryFor(c);
    const answer = registry.handshake(source, new URL(c.req.url).searchParams);
    if (answer.status !== 200) logger.warn({ source, status: answer.status }, 'webhook handshake rejected');
    return typeof answer.body === 'string' ? c.text(answer.body, answer.status) : c.json(answer.body, answer.status);
  });

  routes.post('/:source', async (c) => {
    const source = c.req.param('source');
    if (!isWebhookSource(source)) return unknownWebhook(c, source);
    const registry = registryFor(c);
    const problem = registry.webhookProblem(source);
    if (problem) {
      logger.warn({ source }, 'webhook request for a channel that is not configured');
      return c.json({ error: { code: 'channel_not_configured', message: problem } }, 503);
    }

    // The signature covers the exact bytes sent, so they are read before any JSON parsing.
    // The app's readBody middleware has already rejected a body over MAX_WEBHOOK_BODY_BYTES.
    const rawBody = new Uint8Array(await c.req.arrayBuffer());

    const receivedAt = new Date();
    const check = registry.verifyWebhook(source, rawBody, c.req.raw.headers, receivedAt);
    if (!check.ok) {
      logger.warn({ source, reason: check.reason }, 'webhook authenticity check failed; request dropped');
      // Telegram's documentation asks for 403 on a wrong secret token; the signed providers get 401.
      return c.json({ error: { code: 'invalid_signature', message: check.message } }, source === 'telegram' ? 403 : 401);
    }

    const { db } = c.get('deps');
    const envelopeId = await storeEnvelope(db, { source, rawBody, headers: registry.storedHeaders(c.req.raw.headers), receivedAt });
    startEnvelopeProcessing(db, registry, envelopeId);
    return c.json({ ok: true });
  });

  routes.all('/:source', (c) =>
    c.json({ error: { code: 'method_not_allowed', message: 'Webhooks take GET (verification) and POST (events) requests.' } }, 405),
  );
  return routes;
}

function unknownWebhook(c: Context<AppEnv>, source: string) {
  return c.json(
    { error: { code: 'not_found', message: `No webhook named "${source.slice(0, 40)}"; use one of: ${WEBHOOK_SOURCES.join(', ')}.` } },
    404,
  );
}

export function webhookTooLarge(c: Context<AppEnv>) {
  return c.json({ error: { code: 'payload_too_large', message: `The request body is larger than ${MAX_WEBHOOK_BODY_BYTES} bytes.` } }, 413);
}

/** Messages of the channel API, in the request's locale. */
const API_MESSAGES = {
  unauthorized: {
    id: 'Silakan masuk terlebih dahulu, atau kirim token API yang valid.',
    en: 'Please sign in first, or send a valid API token.',
  },
  forbidden: {
    id: 'Hanya admin atau pengelola aduan yang boleh membuka dan mengulang pesan gagal.',
    en: 'Only an admin or a complaint officer may list and retry dead letters.',
  },
  csrf: {
    id: 'Token CSRF tidak ada atau salah; kirim header X-CSRF-Token dari sesi Anda, atau gunakan token API.',
    en: 'The CSRF token is missing or wrong; send the X-CSRF-Token header of your session, or use an API token.',
  },
  invalidId: {
    id: 'Nomor pesan gagal harus bilangan bulat positif.',
    en: 'The dead letter id must be a positive whole number.',
  },
  invalidSource: {
    id: `Kanal tidak dikenal; gunakan salah satu dari: ${ENVELOPE_SOURCES.join(', ')}.`,
    en: `Unknown source; use one of: ${ENVELOPE_SOURCES.join(', ')}.`,
  },
  invalidLimit: {
    id: `limit harus bilangan bulat dari 1 sampai ${MAX_DEAD_LETTER_PAGE}.`,
    en: `limit must be a whole number from 1 to ${MAX_DEAD_LETTER_PAGE}.`,
  },
  notFound: {
    id: 'Pesan gagal tidak ditemukan, atau sudah diproses ulang.',
    en: 'Dead letter not found, or it was already retried.',
  },
} as const;

function channelApiError(c: Context<AppEnv>, status: 400 | 401 | 403 | 404, code: string, message: { id: string; en: string }) {
  return c.json({ error: { code, message: message[c.get('locale')] } }, status);
}

function staffUser(c: Context<AppEnv>): AuthUser | null {
  return c.get('user');
}

function canManageDeadLetters(user: AuthUser): boolean {
  return DEAD_LETTER_ROLES.includes(user.role);
}

/**
 * Builds the channel admin API; mount it under /api/v1/channels.
 * - `GET /health` (any staff): per channel last inbound and outbound time, errors and dead letters in the last 24 h.
 * - `GET /dead-letters?source=&limit=&before=` (admin, complaint_officer).
 * - `POST /dead-letters/{id}/retry` (admin, complaint_officer): reprocesses one dead letter now.
 *
 * @example
 *   app.route('/api/v1/channels', createChannelApiRoutes());
 */
export function createChannelApiRoutes(): Hono<AppEnv> {
  const api = new Hono<AppEnv>();

  api.get('/health', async (c) => {
    if (!staffUser(c)) return channelApiError(c, 401, 'unauthorized', API_MESSAGES.unauthorized);
    const registry = registryFor(c);
    const report = await getChannelHealth(c.get('deps').db, (channel) => {
      const source = channel === 'facebook' || channel === 'instagram' ? 'meta' : channel;
      const problems = [registry.sendProblem(channel)];
      if (source !== 'email') problems.push(registry.webhookProblem(source));
      return problems.filter((problem): problem is string => problem !== null);
    });
    return c.json(report);
  });

  api.get('/dead-letters', async (c) => {
    const user = staffUser(c);
    if (!user) return channelApiError(c, 401, 'unauthorized', API_MESSAGES.unauthorized);
    if (!canManageDeadLetters(user)) return channelApiError(c, 403, 'forbidden', API_MESSAGES.forbidden);

    const source = c.req.query('source');
    if (source !== undefined && !(ENVELOPE_SOURCES as readonly string[]).includes(source)) {
      return channelApiError(c, 400, 'invalid', API_MESSAGES.invalidSource);
    }
    const limit = parseWholeNumber(c.req.query('limit'));
    if (limit === null || (limit !== undefined && (limit < 1 || limit > MAX_DEAD_LETTER_PAGE))) {
      return channelApiError(c, 400, 'invalid', API_MESSAGES.invalidLimit);
    }
    const before = parseWholeNumber(c.req.query('before'));
    if (before === null) return channelApiError(c, 400, 'invalid', API_MESSAGES.invalidId);

    const deadLetters = await listDeadLetters(c.get('deps').db, { source: source as EnvelopeSource | undefined, limit, beforeId: before });
    const pageSize = limit ?? 50;
    return c.json({
      deadLetters,
      nextBefore: deadLetters.length === pageSize ? deadLetters[deadLetters.length - 1].id : null,
    });
  });

  api.post('/dead-letters/:id/retry', async (c) => {
    const user = staffUser(c);
    if (!user) return channelApiError(c, 401, 'unauthorized', API_MESSAGES.unauthorized);
    if (!canManageDeadLetters(user)) return channelApiError(c, 403, 'forbidden', API_MESSAGES.forbidden);
    // A browser session must prove the request came from our page; an API token needs no CSRF check.
    if (user.via === 'session' && c.req.header('x-csrf-token') !== c.get('csrfToken')) {
      return channelApiError(c, 403, 'forbidden', API_MESSAGES.csrf);
    }
    const id = parseWholeNumber(c.req.param('id'));
    if (!id) return channelApiError(c, 400, 'invalid', API_MESSAGES.invalidId);

    const outcome = await retryDeadLetter(c.get('deps').db, registryFor(c), id, user.id);
    if (!outcome) return channelApiError(c, 404, 'not_found', API_MESSAGES.notFound);
    return c.json({ envelope: { id, status: outcome.status, error: outcome.error }, outcome });
  });

  return api;
}

/** Parses a positive whole number; returns undefined when absent and null when malformed. */
function parseWholeNumber(raw: string | undefined): number | undefined | null {
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d{1,15}$/.test(raw)) return null;
  const value = Number(raw);
  return value > 0 ? value : null;
}
