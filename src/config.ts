/**
 * Environment variables of the server and the `aduan` command, parsed and
 * documented in one place. Every other module receives a `Config` object and
 * never reads `process.env` itself.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository (or installed package) root: this file is src/config.ts,
 * or build/config.js in the compiled server, one level below it. The
 * default data folder is resolved from here, so `npx aduan` run in a
 * subfolder opens the same database as `npm start`.
 */
const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export interface Config {
  /** TCP port of the HTTP server (`PORT`, default 3000). */
  port: number;
  /** Interface the HTTP server binds to (`HOST`, default 127.0.0.1). */
  host: string;
  /** Folder of the embedded PGlite database and other local state (`DATA_DIR`, default ./data). */
  dataDir: string;
  /** PostgreSQL server URL (`DATABASE_URL`); when set, PGlite is not used. */
  databaseUrl?: string;
  /** Public base URL used in links sent to citizens (`PUBLIC_URL`). */
  publicUrl: string;
  /** Log level for pino (`LOG_LEVEL`, default info). */
  logLevel: string;
  /** Whether cookies carry the Secure flag (`COOKIE_SECURE`, default true when PUBLIC_URL is https). */
  cookieSecure: boolean;
  /** Whether background jobs (deadlines, auto-close) run in this process (`JOBS`, default on). */
  jobsEnabled: boolean;
  /**
   * How often the pending lists of the GIN indexes are merged, on PostgreSQL
   * (`GIN_CLEAN_INTERVAL_MS`, default 300, 0 turns it off). See src/db/gin-cleaner.ts.
   */
  ginCleanIntervalMs: number;
  /**
   * Whether the server runs behind a reverse proxy that appends the client's
   * address to X-Forwarded-For (`TRUST_PROXY`, default false). Rate limits
   * then count that address instead of the proxy's.
   */
  trustProxy: boolean;
  /** Requests per client address and hour; 0 turns a limit off. See src/web/middleware/rate-limit.ts. */
  rateLimits: {
    /** Reports stored from the web form and the public API (`RATE_LIMIT_REPORTS_PER_HOUR`, default 20). */
    reportsPerHour: number;
    /** Replies, ratings and "this answered my question" clicks (`RATE_LIMIT_ACTIONS_PER_HOUR`, default 60). */
    actionsPerHour: number;
    /** Failed staff sign-ins (`RATE_LIMIT_SIGN_INS_PER_HOUR`, default 60). */
    signInsPerHour: number;
  };
  /** Chromium binary that prints the monthly recap as PDF (`CHROMIUM_PATH`, default /usr/bin/chromium). */
  chromiumPath: string;
  /** Messaging channels: webhook secrets, send credentials, provider base URLs (docs/channels.md). */
  channels: ChannelSettings;
}

/**
 * Settings of the messaging channels. A channel whose secret is unset rejects
 * its webhook with 503; a channel without send credentials cannot deliver.
 * Base URLs exist so tests and staging can point a provider at a local server.
 */
export interface ChannelSettings {
  whatsapp: {
    /** `WHATSAPP_APP_SECRET`: Meta App Secret that signs WhatsApp webhooks. */
    appSecret?: string;
    /** `WHATSAPP_VERIFY_TOKEN`: token echoed in the GET subscription handshake. */
    verifyToken?: string;
    /** `WHATSAPP_TOKEN`: system-user access token for sending and media downloads. */
    accessToken?: string;
    /** `WHATSAPP_PHONE_NUMBER_ID`: id of the business number that sends. */
    phoneNumberId?: string;
    /** `WHATSAPP_API_URL`, default https://graph.facebook.com. */
    apiUrl: string;
    /** `WHATSAPP_API_VERSION`, default v21.0. */
    apiVersion: string;
    /** `WHATSAPP_TEMPLATE_NAME`: approved template sent outside the 24-hour window. */
    templateName?: string;
    /** `WHATSAPP_TEMPLATE_LANGUAGE`, default id. */
    templateLanguage: string;
  };
  telegram: {
    /** `TELEGRAM_BOT_TOKEN`: bot token from BotFather. */
    botToken?: string;
    /** `TELEGRAM_SECRET_TOKEN`: secret_token given to setWebhook. */
    secretToken?: string;
    /** `TELEGRAM_API_URL`, default https://api.telegram.org. */
    apiUrl: string;
  };
  meta: {
    /** `META_APP_SECRET`: App Secret that signs Page, Messenger and Instagram webhooks. */
    appSecret?: string;
    /** `META_VERIFY_TOKEN`: token echoed in the GET subscription handshake. */
    verifyToken?: string;
    /** `META_PAGE_TOKEN`: Page access token, also used for the linked Instagram account. */
    pageToken?: string;
    /** `META_API_URL`, default https://graph.facebook.com. */
    apiUrl: string;
    /** `META_API_VERSION`, default v21.0. */
    apiVersion: string;
  };
  x: {
    /** `X_CONSUMER_SECRET`: API key secret; signs webhooks and answers CRC checks. */
    consumerSecret?: string;
    /** `X_ACCESS_TOKEN`: OAuth 2.0 user-context token of our account, for replies and DMs. */
    accessToken?: string;
    /** `X_API_URL`, default https://api.x.com. */
    apiUrl: string;
  };
  sms: {
    /** `SMS_GATEWAY_SECRET`: HMAC key of the gateway's webhook signature. */
    gatewaySecret?: string;
    /** `SMS_GATEWAY_URL`: base URL of the gateway's send API. */
    gatewayUrl?: string;
    /** `SMS_GATEWAY_API_KEY`: bearer key for the send API. */
    apiKey?: string;
  };
  email: {
    /** `SMTP_URL`, e.g. smtps://user:pass@mail.example.id:465, for answers by e-mail. */
    smtpUrl?: string;
    /** `MAIL_FROM`: our mailbox address, e.g. aduan@karanganyarkab.go.id. */
    from?: string;
    /** `MAIL_FROM_NAME`, default "Aduan". */
    fromName: string;
    /** Mailbox the poller reads incoming mail from; undefined when `IMAP_HOST` is unset, which turns the poller off. */
    imap?: ImapSettings;
  };
  /** `CHANNEL_THREAD_WINDOW_DAYS`: days a direct message still joins the citizen's open report (default 14). */
  threadWindowDays: number;
  /** `CHANNEL_ACKNOWLEDGEMENTS`: send the tracking code when a message opens a report (default on). */
  acknowledge: boolean;
  /** `DELIVERY_MAX_ATTEMPTS`: send attempts per outbound message before it fails (default 6). */
  deliveryMaxAttempts: number;
}

/** Encryption of the IMAP connection: implicit TLS, a required STARTTLS upgrade, or none (loopback hosts only). */
export type ImapTlsMode = 'tls' | 'starttls' | 'off';

/** Settings of the IMAP mailbox poller (docs/channels.md, "E-mail"). */
export interface ImapSettings {
  /** `IMAP_HOST`: name or address of the IMAP server. */
  host: string;
  /** `IMAP_PORT`, default 993 with `IMAP_TLS=tls` and 143 otherwise. */
  port: number;
  /** `IMAP_USER`: login name, usually the mailbox address. */
  user: string;
  /** `IMAP_PASSWORD`: password or app password of that login. */
  password: string;
  /** `IMAP_TLS`, default tls. */
  tls: ImapTlsMode;
  /** `IMAP_MAILBOX`: folder polled for new mail, default INBOX. */
  mailbox: string;
  /** `IMAP_PROCESSED_MAILBOX`: folder stored mail is moved to, default Diproses; created when missing. */
  processedMailbox: string;
  /** `IMAP_POLL_SECONDS`: seconds between two polls (10–3600), default 60. */
  pollSeconds: number;
}

const IMAP_TLS_MODES: readonly ImapTlsMode[] = ['tls', 'starttls', 'off'];
/** Hosts for which `IMAP_TLS=off` is accepted: the password then never leaves the machine. */
const loopbackHostRe = /^(localhost|127(?:\.\d{1,3}){3}|::1|\[::1\])$/i;

function parsePort(raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be a whole number from 0 to 65535, got "${raw}"`);
  }
  return port;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = parsePort(env.PORT, 3000);
  const host = env.HOST || '127.0.0.1';
  const publicUrl = parseBaseUrl('PUBLIC_URL', env.PUBLIC_URL, `http://localhost:${port}`)!;
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new Error('DATABASE_URL must start with postgres:// or postgresql://');
  }
  return {
    port,
    host,
    dataDir: parseDataDir(env.DATA_DIR),
    databaseUrl,
    publicUrl,
    logLevel: parseLogLevel(env.LOG_LEVEL),
    cookieSecure: parseSwitch('COOKIE_SECURE', env.COOKIE_SECURE, publicUrl.startsWith('https://')),
    jobsEnabled: parseSwitch('JOBS', env.JOBS, true, ['on', 'off']),
    ginCleanIntervalMs: parseWholeNumber('GIN_CLEAN_INTERVAL_MS', env.GIN_CLEAN_INTERVAL_MS, 300, 0, 3_600_000),
    trustProxy: parseSwitch('TRUST_PROXY', env.TRUST_PROXY, false),
    rateLimits: {
      reportsPerHour: parseWholeNumber('RATE_LIMIT_REPORTS_PER_HOUR', env.RATE_LIMIT_REPORTS_PER_HOUR, 20, 0, 1_000_000),
      actionsPerHour: parseWholeNumber('RATE_LIMIT_ACTIONS_PER_HOUR', env.RATE_LIMIT_ACTIONS_PER_HOUR, 60, 0, 1_000_000),
      signInsPerHour: parseWholeNumber('RATE_LIMIT_SIGN_INS_PER_HOUR', env.RATE_LIMIT_SIGN_INS_PER_HOUR, 60, 0, 1_000_000),
    },
    chromiumPath: env.CHROMIUM_PATH || '/usr/bin/chromium',
    channels: loadChannelSettings(env),
  };
}

function parseWholeNumber(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

/** Returns the data folder: DATA_DIR read from the current folder when relative, else the package's own `data` folder. */
function parseDataDir(raw: string | undefined): string {
  const value = raw?.trim();
  if (!value) return path.join(PACKAGE_ROOT, 'data');
  return value.startsWith('memory://') ? value : path.resolve(value);
}

function parseLogLevel(raw: string | undefined): string {
  const value = raw?.trim().toLowerCase() || 'info';
  if (!LOG_LEVELS.includes(value)) throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${raw}"`);
  return value;
}

/** Reads a switch written as on/off, true/false or 1/0, in any case. */
/**
 * Reads a switch. Every switch accepts on/off, true/false and 1/0; the
 * message names the pair its documentation uses (`spelled`).
 */
function parseSwitch(name: string, raw: string | undefined, fallback: boolean, spelled: readonly [string, string] = ['true', 'false']): boolean {
  const value = raw?.trim().toLowerCase();
  if (!value) return fallback;
  if (value === 'on' || value === 'true' || value === '1') return true;
  if (value === 'off' || value === 'false' || value === '0') return false;
  throw new Error(`${name} must be ${spelled[0]} or ${spelled[1]}, got "${raw}"`);
}

function parseBaseUrl(name: string, raw: string | undefined, fallback?: string): string | undefined {
  const value = raw?.trim() || fallback;
  if (value === undefined) return undefined;
  if (!/^https?:\/\/[^\s/]+/.test(value)) throw new Error(`${name} must be an http:// or https:// URL, got "${value}"`);
  return value.replace(/\/+$/, '');
}

/** Reads the channel settings; see `ChannelSettings` for each variable. */
export function loadChannelSettings(env: NodeJS.ProcessEnv = process.env): ChannelSettings {
  const optional = (name: string) => env[name]?.trim() || undefined;
  const from = optional('MAIL_FROM');
  if (from && !/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(from)) {
    throw new Error(`MAIL_FROM must be one e-mail address such as aduan@karanganyarkab.go.id, got "${from}"`);
  }
  return {
    whatsapp: {
      appSecret: optional('WHATSAPP_APP_SECRET'),
      verifyToken: optional('WHATSAPP_VERIFY_TOKEN'),
      accessToken: optional('WHATSAPP_TOKEN'),
      phoneNumberId: optional('WHATSAPP_PHONE_NUMBER_ID'),
      apiUrl: parseBaseUrl('WHATSAPP_API_URL', env.WHATSAPP_API_URL, 'https://graph.facebook.com')!,
      apiVersion: optional('WHATSAPP_API_VERSION') ?? 'v21.0',
      templateName: optional('WHATSAPP_TEMPLATE_NAME'),
      templateLanguage: optional('WHATSAPP_TEMPLATE_LANGUAGE') ?? 'id',
    },
    telegram: {
      botToken: optional('TELEGRAM_BOT_TOKEN'),
      secretToken: optional('TELEGRAM_SECRET_TOKEN'),
      apiUrl: parseBaseUrl('TELEGRAM_API_URL', env.TELEGRAM_API_URL, 'https://api.telegram.org')!,
    },
    meta: {
      appSecret: optional('META_APP_SECRET'),
      verifyToken: optional('META_VERIFY_TOKEN'),
      pageToken: optional('META_PAGE_TOKEN'),
      apiUrl: parseBaseUrl('META_API_URL', env.META_API_URL, 'https://graph.facebook.com')!,
      apiVersion: optional('META_API_VERSION') ?? 'v21.0',
    },
    x: {
      consumerSecret: optional('X_CONSUMER_SECRET'),
      accessToken: optional('X_ACCESS_TOKEN'),
      apiUrl: parseBaseUrl('X_API_URL', env.X_API_URL, 'https://api.x.com')!,
    },
    sms: {
      gatewaySecret: optional('SMS_GATEWAY_SECRET'),
      gatewayUrl: parseBaseUrl('SMS_GATEWAY_URL', env.SMS_GATEWAY_URL),
      apiKey: optional('SMS_GATEWAY_API_KEY'),
    },
    email: {
      smtpUrl: parseSmtpUrl(optional('SMTP_URL')),
      from: from?.toLowerCase(),
      fromName: optional('MAIL_FROM_NAME') ?? 'Aduan',
      imap: loadImapSettings(env),
    },
    threadWindowDays: parseWholeNumber('CHANNEL_THREAD_WINDOW_DAYS', env.CHANNEL_THREAD_WINDOW_DAYS, 14, 0, 365),
    acknowledge: env.CHANNEL_ACKNOWLEDGEMENTS !== 'off',
    deliveryMaxAttempts: parseWholeNumber('DELIVERY_MAX_ATTEMPTS', env.DELIVERY_MAX_ATTEMPTS, 6, 1, 20),
  };
}

/**
 * Reads the IMAP_* variables. Returns undefined when IMAP_HOST is unset and
 * no other IMAP_* variable is set either.
 */
export function loadImapSettings(env: NodeJS.ProcessEnv = process.env): ImapSettings | undefined {
  const optional = (name: string) => env[name]?.trim() || undefined;
  const host = optional('IMAP_HOST');
  if (!host) {
    const orphan = ['IMAP_USER', 'IMAP_PASSWORD', 'IMAP_PORT', 'IMAP_TLS', 'IMAP_MAILBOX', 'IMAP_PROCESSED_MAILBOX', 'IMAP_POLL_SECONDS'].find((name) => optional(name));
    if (orphan) throw new Error(`${orphan} is set but IMAP_HOST is not: set IMAP_HOST to the IMAP server to poll, or unset the IMAP_* variables.`);
    return undefined;
  }
  const user = optional('IMAP_USER');
  // A password may legitimately start or end with spaces, so it is not trimmed.
  const password = env.IMAP_PASSWORD || undefined;
  if (!user || !password) throw new Error('IMAP_HOST is set but IMAP_USER or IMAP_PASSWORD is missing: set both to the login of the complaint mailbox.');

  const tlsRaw = (optional('IMAP_TLS') ?? 'tls').toLowerCase();
  if (!(IMAP_TLS_MODES as readonly string[]).includes(tlsRaw)) {
    throw new Error(`IMAP_TLS must be tls (port 993), starttls (port 143) or off, got "${tlsRaw}"`);
  }
  const tls = tlsRaw as ImapTlsMode;
  // Without TLS the password crosses the network in clear text, so that is only allowed to the same machine.
  if (tls === 'off' && !loopbackHostRe.test(host)) {
    throw new Error(`IMAP_TLS=off is only allowed for a server on this machine (localhost, 127.0.0.1, ::1), got IMAP_HOST "${host}"; use tls or starttls.`);
  }
  const port = parseWholeNumber('IMAP_PORT', env.IMAP_PORT, tls === 'tls' ? 993 : 143, 1, 65535);

  const mailbox = optional('IMAP_MAILBOX') ?? 'INBOX';
  const processedMailbox = optional('IMAP_PROCESSED_MAILBOX') ?? 'Diproses';
  if (processedMailbox.toLowerCase() === mailbox.toLowerCase()) {
    throw new Error(`IMAP_PROCESSED_MAILBOX must differ from IMAP_MAILBOX ("${mailbox}"), or stored mail would be polled again.`);
  }
  return {
    host,
    port,
    user,
    password,
    tls,
    mailbox,
    processedMailbox,
    pollSeconds: parseWholeNumber('IMAP_POLL_SECONDS', env.IMAP_POLL_SECONDS, 60, 10, 3600),
  };
}

function parseSmtpUrl(value: string | undefined): string | undefined {
  if (value !== undefined && !/^smtps?:\/\/[^\s/]+/.test(value)) {
    throw new Error(`SMTP_URL must be an smtp:// or smtps:// URL such as smtps://user:pass@mail.example.id:465, got a value starting "${value.slice(0, 8)}"`);
  }
  return value;
}
