/**
 * IMAP mailbox poller: one connection per poll, with imapflow.
 *
 * A poll opens the configured mailbox, takes the unseen messages oldest
 * first, and for each one hands the raw RFC 822 bytes to `store`. Only after
 * `store` resolves is the message flagged \Seen and moved to the processed
 * mailbox. A crash, a dropped connection or a failing `store` therefore
 * loses nothing: the message stays unseen and the next poll fetches it
 * again, and the caller absorbs the repeat (envelope and message dedupe).
 *
 * Errors end the poll and are returned and logged, never thrown, because
 * the next poll is the retry. Logs carry counts, UIDs and error codes only:
 * no addresses, subjects or server response text, which can quote a message.
 */
import { createRequire } from 'node:module';
import type { ImapFlow, FetchMessageObject, Logger as ImapLogger } from 'imapflow';
import type { ImapSettings } from '../../config.ts';
import { logger as appLogger, type Logger } from '../../logger.ts';

/** Messages taken per poll; the next poll takes the rest, so one poll stays short. */
export const MAX_MESSAGES_PER_POLL = 100;
/**
 * Maximum raw size of a stored message, in bytes. Five 5 MB attachments
 * grow by a third in base64, so a real report fits well below it.
 */
export const MAX_MESSAGE_BYTES = 30 * 1024 * 1024;
/**
 * Keyword set on a message larger than the size limit. The message stays
 * unseen and flagged in the mailbox for an officer, and later polls skip it.
 */
export const TOO_LARGE_KEYWORD = '$AduanTooLarge';

/** Time limit for the TCP and TLS connection, in milliseconds. */
const CONNECTION_TIMEOUT_MS = 30_000;
/** Time limit for silence on an open connection, in milliseconds; a 30 MB download must fit in it. */
const SOCKET_TIMEOUT_MS = 120_000;

/** One message as fetched from the mailbox. */
export interface FetchedMail {
  /** The message exactly as the server returned it (BODY.PEEK[]). */
  raw: Buffer;
  /** Folder the message was fetched from. */
  mailbox: string;
  uid: number;
  /** UIDVALIDITY of the folder; with `uid` it names the message on the server. */
  uidValidity: string;
  /** INTERNALDATE: when the server received the message; absent when the server sent none. */
  internalDate?: Date;
}

export interface PollHandlers {
  /**
   * Stores one message durably and resolves once it is committed. A
   * rejection ends the poll and leaves the message unseen for the next one.
   */
  store(mail: FetchedMail): Promise<void>;
}

export interface PollOptions {
  /** Logger for poll results and errors; the application logger by default. */
  logger?: Logger;
  /** Maximum messages taken in this poll (default MAX_MESSAGES_PER_POLL). */
  maxMessages?: number;
  /** Maximum raw size of a stored message in bytes (default MAX_MESSAGE_BYTES). */
  maxMessageBytes?: number;
}

export interface PollResult {
  /** Unseen messages found (at most `maxMessages` of them are taken). */
  found: number;
  /** Messages handed to `store` that it accepted. */
  stored: number;
  /** Stored messages moved to the processed mailbox. */
  moved: number;
  /** Messages left in the mailbox because they exceed the size limit. */
  tooLarge: number;
  /** Reason the poll ended early (a connection, login, store or move failure); absent on success. */
  error?: string;
}

/**
 * Polls the mailbox once. Never throws: a failure is logged and returned in
 * `error`, and the next poll retries whatever was not stored.
 *
 * @example
 *   const result = await pollMailbox(config.channels.email.imap!, {
 *     store: async (mail) => { await storeEnvelope(db, { source: 'email', rawBody: mail.raw, headers: {}, receivedAt: new Date() }); },
 *   });
 *   // { found: 2, stored: 2, moved: 2, tooLarge: 0 }
 */
export async function pollMailbox(settings: ImapSettings, handlers: PollHandlers, options: PollOptions = {}): Promise<PollResult> {
  const log = (options.logger ?? appLogger).child({ component: 'imap-poller' });
  const result: PollResult = { found: 0, stored: 0, moved: 0, tooLarge: 0 };
  const maxBytes = options.maxMessageBytes ?? MAX_MESSAGE_BYTES;
  const client = createClient(settings, log);
  // imapflow emits 'error' for socket failures; without a listener Node would end the process.
  client.on('error', (error: unknown) => log.warn({ err: describeError(error) }, 'IMAP connection error'));

  const progress = { stage: 'connect' };
  try {
    await client.connect();
    progress.stage = 'open mailbox';
    const lock = await client.getMailboxLock(settings.mailbox);
    try {
      const uidValidity = client.mailbox ? String(client.mailbox.uidValidity) : '';
      progress.stage = 'search';
      const unseen = ((await client.search({ seen: false, unKeyword: TOO_LARGE_KEYWORD }, { uid: true })) || []).sort((a, b) => a - b);
      result.found = unseen.length;
      const batch = unseen.slice(0, options.maxMessages ?? MAX_MESSAGES_PER_POLL);
      if (batch.length > 0) {
        progress.stage = 'create processed mailbox';
        await ensureMailbox(client, settings.processedMailbox);
        progress.stage = 'fetch sizes';
        const sizes = await readSizes(client, batch);
        const context: BatchContext = { client, settings, handlers, uidValidity, maxBytes, log, progress };
        for (const uid of batch) {
          const outcome = await takeMessage(context, uid, sizes.get(uid));
          if (outcome === 'too_large') result.tooLarge += 1;
          if (outcome === 'stored' || outcome === 'moved') result.stored += 1;
          if (outcome === 'moved') result.moved += 1;
        }
      }
    } finally {
      lock.release();
    }
    progress.stage = 'logout';
    await client.logout();
  } catch (error) {
    const hint = isAuthenticationFailure(error) ? ' (the server rejected the login: check IMAP_USER and IMAP_PASSWORD)' : '';
    result.error = `IMAP poll failed at ${progress.stage}: ${describeError(error)}${hint}`;
    client.close();
  }

  const counts = { found: result.found, stored: result.stored, moved: result.moved, tooLarge: result.tooLarge };
  if (result.error) log.error({ ...counts, reason: result.error }, 'IMAP poll failed; the next poll retries');
  else if (result.found > 0) log.info(counts, 'IMAP poll finished');
  return result;
}

interface BatchContext {
  client: ImapFlow;
  settings: ImapSettings;
  handlers: PollHandlers;
  uidValidity: string;
  maxBytes: number;
  log: Logger;
  /** Step in progress, named in the error when a step fails. */
  progress: { stage: string };
}

/**
 * Stores one message and then marks and moves it. Returns `gone` when the
 * message disappeared since the search, and `stored` when the server did not
 * confirm the move. Throws when a step fails.
 */
async function takeMessage(context: BatchContext, uid: number, size: number | undefined): Promise<'gone' | 'too_large' | 'stored' | 'moved'> {
  const { client, settings, progress } = context;
  // A UID missing from the FETCH response was expunged by another client since the search.
  if (size === undefined) return 'gone';
  if (size > context.maxBytes) {
    progress.stage = 'flag large message';
    await client.messageFlagsAdd(String(uid), ['\\Flagged', TOO_LARGE_KEYWORD], { uid: true });
    context.log.warn({ uid, sizeBytes: size, maxBytes: context.maxBytes }, 'e-mail too large to store; left flagged in the mailbox for an officer');
    return 'too_large';
  }

  progress.stage = 'fetch message';
  const message = await client.fetchOne(String(uid), { uid: true, source: true, internalDate: true }, { uid: true });
  if (!message || !message.source) return 'gone';
  progress.stage = 'store message';
  await context.handlers.store(toFetchedMail(message, settings.mailbox, context.uidValidity));

  // Stored first, marked after: a failure from here on repeats a message but never loses one.
  progress.stage = 'mark message seen';
  await client.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true });
  progress.stage = 'move message';
  const moved = await client.messageMove(String(uid), settings.processedMailbox, { uid: true });
  return moved ? 'moved' : 'stored';
}

// imapflow adds about 30 MiB to the process, so it is loaded on the first poll, and only where IMAP is configured.
const require = createRequire(import.meta.url);

function createClient(settings: ImapSettings, log: Logger): ImapFlow {
  const { ImapFlow: Client } = require('imapflow') as typeof import('imapflow');
  return new Client({
    host: settings.host,
    port: settings.port,
    secure: settings.tls === 'tls',
    // starttls must upgrade or fail; imapflow's default continues in clear text when the server offers no STARTTLS.
    doSTARTTLS: settings.tls === 'tls' ? undefined : settings.tls === 'starttls',
    auth: { user: settings.user, pass: settings.password },
    logger: forwardWarnings(log),
    disableAutoIdle: true,
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    socketTimeout: SOCKET_TIMEOUT_MS,
    clientInfo: { name: 'Aduan' },
  });
}

/**
 * imapflow's debug and info entries echo protocol lines, and some of its
 * error entries quote server data. Only the message text of warnings and
 * errors is forwarded, with the error code.
 */
function forwardWarnings(log: Logger): ImapLogger {
  const forward = (entry: unknown) => {
    const record = (typeof entry === 'object' && entry !== null ? entry : {}) as { msg?: unknown; src?: unknown; err?: unknown; cid?: unknown };
    // Entries with `src` carry raw protocol data.
    const text = typeof record.msg === 'string' && record.src === undefined ? record.msg : 'imapflow reported a problem';
    log.warn({ connection: record.cid, err: record.err === undefined ? undefined : describeError(record.err) }, text);
  };
  const ignore = () => {};
  return { trace: ignore, debug: ignore, info: ignore, warn: forward, error: forward, fatal: forward };
}

/** Creates the folder unless it exists; imapflow returns `created: false` for ALREADYEXISTS. */
async function ensureMailbox(client: ImapFlow, path: string): Promise<void> {
  const existing = await client.list();
  if (existing.some((entry) => entry.path === path)) return;
  await client.mailboxCreate(path);
}

async function readSizes(client: ImapFlow, uids: number[]): Promise<Map<number, number>> {
  const sizes = new Map<number, number>();
  for (const message of await client.fetchAll(uids.join(','), { uid: true, size: true }, { uid: true })) {
    if (message.size !== undefined) sizes.set(message.uid, message.size);
  }
  return sizes;
}

function toFetchedMail(message: FetchMessageObject, mailbox: string, uidValidity: string): FetchedMail {
  const mail: FetchedMail = { raw: message.source!, mailbox, uid: message.uid, uidValidity };
  if (message.internalDate) {
    const date = new Date(message.internalDate);
    if (!Number.isNaN(date.getTime())) mail.internalDate = date;
  }
  return mail;
}

function isAuthenticationFailure(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { authenticationFailed?: unknown }).authenticationFailed === true;
}

/**
 * Error name, code and message. imapflow's messages name the failed command
 * and the server's status; the response text is left out because a server
 * may quote message data in it.
 */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const details = error as Error & { code?: unknown; serverResponseCode?: unknown };
  let code: string | undefined;
  if (typeof details.code === 'string') code = details.code;
  else if (typeof details.serverResponseCode === 'string') code = details.serverResponseCode;
  return code ? `${error.name} (${code}): ${error.message}` : `${error.name}: ${error.message}`;
}
