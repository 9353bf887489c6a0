/**
 * The e-mail poll job: every IMAP_POLL_SECONDS it fetches new mail from the
 * complaint mailbox, stores each message as an `email` envelope, and then
 * processes the new envelopes through the same pipeline as the webhooks.
 *
 * A message is committed as an envelope before the poller marks it seen and
 * moves it, so a crash between the two makes the next poll fetch it again.
 * Such a repeat has the same bytes and is not stored twice. Messages that
 * do get processed twice are still recorded once, because `receiveInbound`
 * dedupes on the Message-ID.
 *
 * Scheduling: pg-boss cron has minute resolution, so each run queues the
 * next one `pollSeconds` later in a `stately` queue (at most one job waiting
 * and one running, across all processes). A cron entry every minute restarts
 * the chain if a run could not queue its successor, for example while the
 * database was down. A cron tick that falls during a run queues the next
 * poll at once, so a poll can come early, at most once a minute.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type PgBoss from 'pg-boss';
import type { ImapSettings } from '../config.ts';
import type { DB } from '../db/schema.ts';
import type { ChannelRegistry } from '../channels/registry.ts';
import { pollMailbox, type FetchedMail, type PollResult } from '../channels/email/imap.ts';
import { processEnvelope, storeEnvelope, type EnvelopeOutcome } from './inbound.ts';
import { logger as appLogger, type Logger } from '../logger.ts';

export const EMAIL_POLL_QUEUE = 'email-poll';

export interface EmailPollDeps {
  db: Kysely<DB>;
  registry: ChannelRegistry;
  settings: ImapSettings;
  /** Logger for the poll; the application logger by default. */
  logger?: Logger;
}

export interface EmailPollResult extends PollResult {
  /** Envelopes stored by this poll, in mailbox order. */
  envelopeIds: number[];
  /** Fetched messages whose bytes were already stored as an envelope (a repeat after a crash or a failed move). */
  repeats: number;
  /** Outcome of processing each new envelope; null when another worker had claimed it or processing failed. */
  outcomes: Array<EnvelopeOutcome | null>;
}

/**
 * Polls the mailbox once, then processes the envelopes it stored. Never
 * throws for mailbox or processing failures: they are logged, and the next
 * poll or the inbound sweep retries them.
 *
 * @example
 *   const result = await pollEmail({ db, registry, settings: config.channels.email.imap! });
 *   // result.envelopeIds: [41, 42]; result.outcomes[0]?.status: 'processed'
 */
export async function pollEmail(deps: EmailPollDeps): Promise<EmailPollResult> {
  const log = deps.logger ?? appLogger;
  const envelopeIds: number[] = [];
  let repeats = 0;
  const poll = await pollMailbox(deps.settings, {
    async store(mail) {
      const stored = await storeMailEnvelope(deps.db, mail);
      if (stored.repeat) repeats += 1;
      else envelopeIds.push(stored.envelopeId);
    },
  }, { logger: log });

  const outcomes: Array<EnvelopeOutcome | null> = [];
  for (const envelopeId of envelopeIds) {
    try {
      outcomes.push(await processEnvelope(deps.db, deps.registry, envelopeId));
    } catch (error) {
      // The envelope stays pending; the inbound sweep picks it up within a minute.
      outcomes.push(null);
      log.error({ envelopeId, err: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }, 'e-mail envelope processing failed; the sweep will retry');
    }
  }
  return { ...poll, envelopeIds, repeats, outcomes };
}

/**
 * Stores a fetched message as a pending `email` envelope, unless an e-mail
 * envelope with the same bytes exists; then it returns that envelope's id
 * with `repeat: true`. The envelope headers name the mailbox, UID and
 * UIDVALIDITY the message was fetched from.
 *
 * @example
 *   const { envelopeId, repeat } = await storeMailEnvelope(db, mail);
 */
export async function storeMailEnvelope(db: Kysely<DB>, mail: FetchedMail, now = new Date()): Promise<{ envelopeId: number; repeat: boolean }> {
  const digest = createHash('sha256').update(mail.raw).digest('hex');
  // NOTE: body_sha256 has no index; this lookup scans the e-mail envelopes, which a regency's volume keeps small.
  const existing = await db
    .selectFrom('channel_envelopes')
    .select('id')
    .where('source', '=', 'email')
    .where('body_sha256', '=', digest)
    .orderBy('id')
    .executeTakeFirst();
  if (existing) return { envelopeId: existing.id, repeat: true };

  const headers: Record<string, string> = {
    'imap-mailbox': mail.mailbox,
    'imap-uid': String(mail.uid),
    'imap-uidvalidity': mail.uidValidity,
  };
  if (mail.internalDate) headers['imap-internal-date'] = mail.internalDate.toISOString();
  // INTERNALDATE is when the mailbox received the message, so time spent waiting for a poll still counts.
  const receivedAt = mail.internalDate && mail.internalDate.getTime() < now.getTime() ? mail.internalDate : now;
  const envelopeId = await storeEnvelope(db, { source: 'email', rawBody: mail.raw, headers, receivedAt });
  return { envelopeId, repeat: false };
}

/**
 * Registers the poll job and queues the first run. Call it only when IMAP is
 * configured (`config.channels.email.imap`).
 *
 * @example
 *   const imap = config.channels.email.imap;
 *   if (imap) await startEmailPollJobs(boss, { db, registry, settings: imap });
 */
export async function startEmailPollJobs(boss: PgBoss, deps: EmailPollDeps): Promise<void> {
  const log = deps.logger ?? appLogger;
  await boss.createQueue(EMAIL_POLL_QUEUE, { name: EMAIL_POLL_QUEUE, policy: 'stately', retryLimit: 0 });
  await boss.schedule(EMAIL_POLL_QUEUE, '* * * * *', {}, { tz: 'Asia/Jakarta' });
  await boss.work(EMAIL_POLL_QUEUE, async () => {
    try {
      await pollEmail(deps);
    } finally {
      // The stately queue drops this when a run is already waiting, so chains never multiply.
      await boss.send(EMAIL_POLL_QUEUE, {}, { startAfter: deps.settings.pollSeconds }).catch((error: unknown) => {
        log.warn({ err: error instanceof Error ? error.message : String(error) }, 'could not queue the next e-mail poll; the minute schedule restarts it');
      });
    }
  });
  await boss.send(EMAIL_POLL_QUEUE, {});
  log.info({ pollSeconds: deps.settings.pollSeconds, mailbox: deps.settings.mailbox }, 'e-mail polling started');
}
