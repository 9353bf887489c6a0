/**
 * Maps each channel to its authenticity check, parser, media download and
 * sender, bound to the configured secrets and provider base URLs. The
 * webhook routes, the inbound job and the delivery job ask this registry
 * and never call a provider module directly, so a channel is configured in
 * one place.
 *
 * Webhook sources and channels differ. The `meta` webhook carries Facebook
 * (Page comments, Messenger) and Instagram. E-mail has no webhook, because
 * its envelopes come from the mailbox poller.
 */
import nodemailer from 'nodemailer';
import type { ChannelSettings } from '../config.ts';
import type { EnvelopeSource, MessagingChannel } from '../db/schema.ts';
import type { InboundAttachment, ParseResult, SendResult } from '../domain/inbound.ts';
import { MAX_ATTACHMENT_BYTES } from '../domain/images.ts';
import { verifyFailure, type VerifyResult } from './shared/crypto.ts';
import { joinUrl, sendFailure } from './shared/http.ts';
import { isObject } from './shared/payload.ts';
import { META_SIGNATURE_HEADER, verifyMetaSignature, verifySubscription } from './meta/verify.ts';
import { parseMetaWebhook } from './meta/parse.ts';
import { COMMENT_MAX_TEXT_LENGTH, MESSENGER_MAX_TEXT_LENGTH, replyToComment, sendMessengerText, sendPrivateReply, type MetaSendConfig } from './meta/send.ts';
import { parseWhatsAppWebhook } from './whatsapp/parse.ts';
import { WHATSAPP_MAX_TEXT_LENGTH, sendWhatsAppTemplate, sendWhatsAppText, type WhatsAppSendConfig } from './whatsapp/send.ts';
import { TELEGRAM_SECRET_HEADER, isValidTelegramSecret, verifyTelegramSecret } from './telegram/verify.ts';
import { parseTelegramUpdate } from './telegram/parse.ts';
import { TELEGRAM_MAX_TEXT_LENGTH, sendTelegramText } from './telegram/send.ts';
import { X_SIGNATURE_HEADER, createCrcResponse, verifyXSignature } from './x/verify.ts';
import { parseXActivity } from './x/parse.ts';
import { X_MAX_DM_LENGTH, X_MAX_POST_LENGTH, replyToPost, sendXDirectMessage } from './x/send.ts';
import { SMS_SIGNATURE_HEADER, SMS_TIMESTAMP_HEADER, verifySmsSignature } from './sms/verify.ts';
import { parseSmsGatewayWebhook } from './sms/parse.ts';
import { SMS_MAX_TEXT_LENGTH, sendSms } from './sms/send.ts';
import { parseEmail } from './email/parse.ts';
import { composeReply } from './email/compose.ts';
import { sendEmail, type MailTransport } from './email/send.ts';

export type WebhookSource = Exclude<EnvelopeSource, 'email'>;
export const WEBHOOK_SOURCES: readonly WebhookSource[] = ['whatsapp', 'telegram', 'meta', 'x', 'sms'];

/** Our own cap on an e-mail answer, in characters; mail has no protocol limit that matters here. */
const EMAIL_MAX_TEXT_LENGTH = 20_000;

/**
 * Returns the maximum text length a channel takes in one message of this
 * conversation kind (or in a private reply to a comment), in characters.
 * X counts code points, and the delivery job stays well below its limit.
 *
 * @example
 *   textLimit('x', 'comment')  // 280
 */
export function textLimit(channel: MessagingChannel, conversationKind: 'direct' | 'comment', privateReply = false): number {
  if (privateReply) return channel === 'x' ? X_MAX_DM_LENGTH : MESSENGER_MAX_TEXT_LENGTH;
  switch (channel) {
    case 'whatsapp':
      return WHATSAPP_MAX_TEXT_LENGTH;
    case 'telegram':
      return TELEGRAM_MAX_TEXT_LENGTH;
    case 'facebook':
    case 'instagram':
      return conversationKind === 'comment' ? COMMENT_MAX_TEXT_LENGTH : MESSENGER_MAX_TEXT_LENGTH;
    case 'x':
      return conversationKind === 'comment' ? X_MAX_POST_LENGTH : X_MAX_DM_LENGTH;
    case 'sms':
      return SMS_MAX_TEXT_LENGTH;
    case 'email':
      return EMAIL_MAX_TEXT_LENGTH;
  }
}

/** Time limit of one media request (metadata or download), in milliseconds. */
const MEDIA_TIMEOUT_MS = 15_000;
/** Pause before the one retry of a media download that failed with a network error. */
const MEDIA_RETRY_DELAY_MS = 250;

/**
 * Hosts WhatsApp media URLs point to. A URL from the media endpoint on
 * another host is refused, so a crafted response cannot make us fetch an
 * internal address.
 */
const WHATSAPP_MEDIA_HOST_RE = /(^|\.)(fbsbx\.com|facebook\.com|whatsapp\.net)$/i;

/** Request headers kept with an envelope; the Telegram secret token is deliberately absent. */
const STORED_HEADERS = ['content-type', 'content-length', 'user-agent', META_SIGNATURE_HEADER, X_SIGNATURE_HEADER, SMS_SIGNATURE_HEADER, SMS_TIMESTAMP_HEADER];

/** Answer to a webhook's GET request (subscription handshake or CRC check). */
export interface HandshakeResponse {
  status: 200 | 400 | 403 | 405 | 503;
  /** A string is sent as text/plain, an object as JSON. */
  body: string | Record<string, unknown>;
}

/** Outcome of fetching one attachment from a provider. */
export type MediaResult =
  | { ok: true; content: Uint8Array; mimeType?: string }
  | { ok: false; reason: string }
  | { ok: 'skip' };

/** One message for the delivery job to send. */
export interface OutboundRequest {
  channel: MessagingChannel;
  conversationKind: 'direct' | 'comment';
  /** Contact value: E.164 number, Telegram chat id, page- or account-scoped user id, e-mail address. */
  recipient: string;
  /** Our receiving account (Page or Instagram account id); the Send API posts from it. */
  account?: string | null;
  /** Comment or post to answer under, or the e-mail Message-ID to answer. */
  replyTo?: string | null;
  text: string;
  /** WhatsApp: a template instead of text (outside the 24-hour window). */
  template?: { name: string; language: string; parameters: string[] };
  /** Messenger and Instagram: the HUMAN_AGENT tag for an officer's answer after the 24-hour window. */
  humanAgentTag?: boolean;
  /**
   * On a comment: answer the author privately instead of under the comment
   * (a Facebook or Instagram private reply, an X direct message).
   */
  privateReply?: boolean;
  /** Our id for the message; the SMS gateway drops a repeated request with the same key. */
  idempotencyKey: string;
  email?: { subject: string | null; references: string[] };
}

export interface ChannelRegistry {
  readonly settings: ChannelSettings;
  /** Returns null when the webhook can accept requests, otherwise what to configure, in English. */
  webhookProblem(source: WebhookSource): string | null;
  /** Checks a webhook POST against the raw body bytes. */
  verifyWebhook(source: WebhookSource, rawBody: Uint8Array, headers: Headers, now: Date): VerifyResult;
  /** Answers a webhook GET: Meta's subscription handshake, X's CRC check. */
  handshake(source: WebhookSource, query: URLSearchParams): HandshakeResponse;
  /** Picks the request headers worth keeping with an envelope. */
  storedHeaders(headers: Headers): Record<string, string>;
  /** Parses a stored envelope body; throws PayloadError when it is malformed. */
  parse(source: EnvelopeSource, rawBody: Uint8Array, receivedAt: Date): Promise<ParseResult>;
  /** Downloads an attachment the provider only sends as a handle (WhatsApp media id, Telegram file_id); `skip` for others. */
  fetchMedia(channel: MessagingChannel, attachment: InboundAttachment): Promise<MediaResult>;
  /** Returns null when the channel can send, otherwise what to configure, in English. */
  sendProblem(channel: MessagingChannel): string | null;
  send(request: OutboundRequest): Promise<SendResult>;
}

export interface RegistryOptions {
  /** Mail transport for e-mail answers; by default one is built from SMTP_URL. */
  mailTransport?: MailTransport;
}

/**
 * Builds the registry for a configuration.
 *
 * @example
 *   const registry = createChannelRegistry(config.channels);
 *   const check = registry.verifyWebhook('whatsapp', rawBody, request.headers, new Date());
 */
export function createChannelRegistry(settings: ChannelSettings, options: RegistryOptions = {}): ChannelRegistry {
  let mailTransport = options.mailTransport;
  const transport = (): MailTransport => {
    mailTransport ??= nodemailer.createTransport(settings.email.smtpUrl!);
    return mailTransport;
  };

  return {
    settings,
    webhookProblem: (source) => webhookProblem(settings, source),
    verifyWebhook(source, rawBody, headers, now) {
      const problem = webhookProblem(settings, source);
      if (problem) return verifyFailure('missing_secret', problem);
      switch (source) {
        case 'whatsapp':
          return verifyMetaSignature(rawBody, headers.get(META_SIGNATURE_HEADER), settings.whatsapp.appSecret!);
        case 'meta':
          return verifyMetaSignature(rawBody, headers.get(META_SIGNATURE_HEADER), settings.meta.appSecret!);
        case 'telegram':
          return verifyTelegramSecret(headers.get(TELEGRAM_SECRET_HEADER), settings.telegram.secretToken!);
        case 'x':
          return verifyXSignature(rawBody, headers.get(X_SIGNATURE_HEADER), settings.x.consumerSecret!);
        case 'sms':
          return verifySmsSignature(rawBody, headers.get(SMS_SIGNATURE_HEADER), headers.get(SMS_TIMESTAMP_HEADER), settings.sms.gatewaySecret!, { now });
      }
    },
    handshake: (source, query) => handshake(settings, source, query),
    storedHeaders(headers) {
      const kept: Record<string, string> = {};
      for (const name of STORED_HEADERS) {
        const value = headers.get(name);
        if (value !== null) kept[name] = value.slice(0, 500);
      }
      return kept;
    },
    async parse(source, rawBody, receivedAt) {
      switch (source) {
        case 'whatsapp':
          return parseWhatsAppWebhook(rawBody);
        case 'meta':
          return parseMetaWebhook(rawBody);
        case 'telegram':
          return parseTelegramUpdate(rawBody, { botId: telegramBotId(settings.telegram.botToken) });
        case 'x':
          return parseXActivity(rawBody);
        case 'sms':
          return parseSmsGatewayWebhook(rawBody);
        case 'email':
          return parseEmail(rawBody, { receivedAt, ownAddresses: settings.email.from ? [settings.email.from] : [] });
      }
    },
    fetchMedia: (channel, attachment) => fetchMedia(settings, channel, attachment),
    sendProblem: (channel) => sendProblem(settings, channel, options.mailTransport !== undefined),
    async send(request) {
      const problem = sendProblem(settings, request.channel, options.mailTransport !== undefined);
      if (problem) return sendFailure('auth', false, 'not_configured', problem);
      return send(settings, request, transport);
    },
  };
}

function webhookProblem(settings: ChannelSettings, source: WebhookSource): string | null {
  switch (source) {
    case 'whatsapp':
      return settings.whatsapp.appSecret ? null : 'The WhatsApp webhook is not configured: set WHATSAPP_APP_SECRET (and WHATSAPP_VERIFY_TOKEN for the subscription handshake).';
    case 'meta':
      return settings.meta.appSecret ? null : 'The Meta webhook (Facebook, Messenger, Instagram) is not configured: set META_APP_SECRET (and META_VERIFY_TOKEN for the subscription handshake).';
    case 'telegram':
      return settings.telegram.secretToken && isValidTelegramSecret(settings.telegram.secretToken)
        ? null
        : 'The Telegram webhook is not configured: set TELEGRAM_SECRET_TOKEN to 1–256 characters of A-Z, a-z, 0-9, "_" and "-", and pass the same value as secret_token to setWebhook.';
    case 'x':
      return settings.x.consumerSecret ? null : 'The X webhook is not configured: set X_CONSUMER_SECRET (the API key secret of the app).';
    case 'sms':
      return settings.sms.gatewaySecret ? null : 'The SMS gateway webhook is not configured: set SMS_GATEWAY_SECRET to the key the gateway signs requests with.';
  }
}

function handshake(settings: ChannelSettings, source: WebhookSource, query: URLSearchParams): HandshakeResponse {
  if (source === 'whatsapp' || source === 'meta') {
    const token = source === 'whatsapp' ? settings.whatsapp.verifyToken : settings.meta.verifyToken;
    const name = source === 'whatsapp' ? 'WHATSAPP_VERIFY_TOKEN' : 'META_VERIFY_TOKEN';
    if (!token) return { status: 503, body: `The ${source} subscription handshake is not configured: set ${name}.` };
    const result = verifySubscription(query, token);
    return result.ok ? { status: 200, body: result.challenge } : { status: 403, body: result.message };
  }
  if (source === 'x') {
    if (!settings.x.consumerSecret) return { status: 503, body: 'The X CRC check is not configured: set X_CONSUMER_SECRET.' };
    const crcToken = query.get('crc_token');
    if (!crcToken) return { status: 400, body: 'crc_token is missing; X sends it as a query parameter of the CRC request.' };
    return { status: 200, body: createCrcResponse(crcToken, settings.x.consumerSecret) };
  }
  return { status: 405, body: `The ${source} webhook takes POST requests only.` };
}

/** Extracts the bot id from a bot token (`<bot id>:<secret>`): the account our Telegram messages arrive at. */
function telegramBotId(botToken: string | undefined): string | undefined {
  const id = botToken?.split(':')[0];
  return id && /^\d+$/.test(id) ? id : undefined;
}

function sendProblem(settings: ChannelSettings, channel: MessagingChannel, hasMailTransport: boolean): string | null {
  switch (channel) {
    case 'whatsapp':
      return settings.whatsapp.accessToken && settings.whatsapp.phoneNumberId
        ? null
        : 'Sending on WhatsApp is not configured: set WHATSAPP_TOKEN and WHATSAPP_PHONE_NUMBER_ID.';
    case 'telegram':
      return settings.telegram.botToken ? null : 'Sending on Telegram is not configured: set TELEGRAM_BOT_TOKEN.';
    case 'facebook':
    case 'instagram':
      return settings.meta.pageToken ? null : `Sending on ${channel} is not configured: set META_PAGE_TOKEN.`;
    case 'x':
      return settings.x.accessToken ? null : 'Sending on X is not configured: set X_ACCESS_TOKEN.';
    case 'sms':
      return settings.sms.gatewayUrl && settings.sms.apiKey ? null : 'Sending SMS is not configured: set SMS_GATEWAY_URL and SMS_GATEWAY_API_KEY.';
    case 'email':
      return (hasMailTransport || settings.email.smtpUrl) && settings.email.from
        ? null
        : 'Sending e-mail is not configured: set SMTP_URL and MAIL_FROM.';
  }
}

async function send(settings: ChannelSettings, request: OutboundRequest, transport: () => MailTransport): Promise<SendResult> {
  switch (request.channel) {
    case 'whatsapp': {
      const config: WhatsAppSendConfig = {
        baseUrl: settings.whatsapp.apiUrl,
        apiVersion: settings.whatsapp.apiVersion,
        phoneNumberId: settings.whatsapp.phoneNumberId!,
        accessToken: settings.whatsapp.accessToken!,
      };
      if (request.template) {
        return sendWhatsAppTemplate(config, {
          to: request.recipient,
          templateName: request.template.name,
          languageCode: request.template.language,
          bodyParameters: request.template.parameters,
        });
      }
      return sendWhatsAppText(config, { to: request.recipient, text: request.text });
    }
    case 'telegram':
      return sendTelegramText({ baseUrl: settings.telegram.apiUrl, botToken: settings.telegram.botToken! }, { chatId: request.recipient, text: request.text });
    case 'facebook':
    case 'instagram': {
      const config: MetaSendConfig = {
        baseUrl: settings.meta.apiUrl,
        apiVersion: settings.meta.apiVersion,
        accessToken: settings.meta.pageToken!,
        // "me" is the Page the token belongs to, when the message named no account.
        pageId: request.account ?? 'me',
      };
      if (request.conversationKind === 'comment') {
        if (!request.replyTo) return sendFailure('invalid_request', false, 'invalid_recipient', 'The comment to reply to is unknown.');
        if (request.privateReply) return sendPrivateReply(config, { commentId: request.replyTo, text: request.text });
        return replyToComment(config, { platform: request.channel, commentId: request.replyTo, text: request.text });
      }
      return sendMessengerText(config, { recipientId: request.recipient, text: request.text, tag: request.humanAgentTag ? 'HUMAN_AGENT' : undefined });
    }
    case 'x': {
      const config = { baseUrl: settings.x.apiUrl, accessToken: settings.x.accessToken! };
      if (request.conversationKind === 'comment' && !request.privateReply) {
        if (!request.replyTo) return sendFailure('invalid_request', false, 'invalid_recipient', 'The post to reply to is unknown.');
        return replyToPost(config, { inReplyToPostId: request.replyTo, text: request.text });
      }
      return sendXDirectMessage(config, { participantId: request.recipient, text: request.text });
    }
    case 'sms':
      return sendSms(
        { baseUrl: settings.sms.gatewayUrl!, apiKey: settings.sms.apiKey! },
        { to: request.recipient, text: request.text, clientReference: request.idempotencyKey },
      );
    case 'email': {
      const from = settings.email.from!;
      let composed;
      try {
        composed = composeReply({
          from: { address: from, name: settings.email.fromName },
          to: { address: request.recipient },
          subject: request.email?.subject ?? 'Laporan Anda / Your report',
          text: request.text,
          inReplyTo: request.replyTo ?? undefined,
          references: request.email?.references,
          messageIdDomain: from.split('@')[1],
          // Every message we send is marked automatic (RFC 3834), so vacation responders do not answer it.
          automatic: true,
        });
      } catch (error) {
        return sendFailure('invalid_request', false, 'invalid_message', (error as Error).message);
      }
      return sendEmail(transport(), composed.options);
    }
  }
}

async function fetchMedia(settings: ChannelSettings, channel: MessagingChannel, attachment: InboundAttachment): Promise<MediaResult> {
  if (!attachment.providerMediaId) return { ok: 'skip' };
  if (attachment.sizeBytes !== undefined && attachment.sizeBytes > MAX_ATTACHMENT_BYTES) {
    return { ok: false, reason: `file of ${attachment.sizeBytes} bytes is larger than the ${MAX_ATTACHMENT_BYTES}-byte limit` };
  }
  if (channel === 'whatsapp') return fetchWhatsAppMedia(settings, attachment.providerMediaId);
  if (channel === 'telegram') return fetchTelegramFile(settings, attachment.providerMediaId);
  return { ok: 'skip' };
}

/** WhatsApp: `GET /{version}/{media-id}` returns a short-lived URL that needs the same token. */
async function fetchWhatsAppMedia(settings: ChannelSettings, mediaId: string): Promise<MediaResult> {
  const token = settings.whatsapp.accessToken;
  if (!token) return { ok: false, reason: 'WHATSAPP_TOKEN is not set, so media cannot be downloaded' };
  const headers = { authorization: `Bearer ${token}` };
  const metadata = await getJson(joinUrl(settings.whatsapp.apiUrl, `${settings.whatsapp.apiVersion}/${encodeURIComponent(mediaId)}`), headers);
  if (!metadata.ok) return metadata;
  const url = typeof metadata.json.url === 'string' ? metadata.json.url : undefined;
  if (!url) return { ok: false, reason: 'media metadata has no url' };
  const size = typeof metadata.json.file_size === 'number' ? metadata.json.file_size : undefined;
  if (size !== undefined && size > MAX_ATTACHMENT_BYTES) {
    return { ok: false, reason: `file of ${size} bytes is larger than the ${MAX_ATTACHMENT_BYTES}-byte limit` };
  }
  if (!isAllowedMediaUrl(url, settings.whatsapp.apiUrl)) return { ok: false, reason: 'media url points to a host that is not a WhatsApp media host' };
  const mimeType = typeof metadata.json.mime_type === 'string' ? metadata.json.mime_type : undefined;
  const download = await getBytes(url, headers);
  return download.ok ? { ...download, mimeType } : download;
}

/** Telegram: `getFile` gives a path under `/file/bot<token>/`; files over 20 MB cannot be fetched at all. */
async function fetchTelegramFile(settings: ChannelSettings, fileId: string): Promise<MediaResult> {
  const token = settings.telegram.botToken;
  if (!token) return { ok: false, reason: 'TELEGRAM_BOT_TOKEN is not set, so files cannot be downloaded' };
  const metadata = await getJson(joinUrl(settings.telegram.apiUrl, `bot${token}/getFile?file_id=${encodeURIComponent(fileId)}`), {});
  if (!metadata.ok) return metadata;
  const result = isObject(metadata.json.result) ? metadata.json.result : undefined;
  const filePath = result && typeof result.file_path === 'string' ? result.file_path : undefined;
  if (metadata.json.ok !== true || !filePath) return { ok: false, reason: 'getFile returned no file_path' };
  const size = typeof result?.file_size === 'number' ? result.file_size : undefined;
  if (size !== undefined && size > MAX_ATTACHMENT_BYTES) {
    return { ok: false, reason: `file of ${size} bytes is larger than the ${MAX_ATTACHMENT_BYTES}-byte limit` };
  }
  return getBytes(joinUrl(settings.telegram.apiUrl, `file/bot${token}/${filePath.split('/').map(encodeURIComponent).join('/')}`), {});
}

function isAllowedMediaUrl(url: string, apiUrl: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  // The configured API host is trusted as well, so a local fake provider can serve media in tests.
  if (parsed.origin === new URL(apiUrl).origin) return true;
  return parsed.protocol === 'https:' && WHATSAPP_MEDIA_HOST_RE.test(parsed.hostname);
}

type JsonOutcome = { ok: true; json: Record<string, unknown> } | { ok: false; reason: string };

async function getJson(url: string, headers: Record<string, string>): Promise<JsonOutcome> {
  const bytes = await getBytes(url, headers, 64 * 1024);
  if (!bytes.ok) return bytes;
  try {
    const json: unknown = JSON.parse(new TextDecoder().decode(bytes.content));
    return isObject(json) ? { ok: true, json } : { ok: false, reason: 'media metadata is not a JSON object' };
  } catch {
    return { ok: false, reason: 'media metadata is not valid JSON' };
  }
}

/**
 * GETs a URL and reads at most `maxBytes`. Reasons name the HTTP status or
 * network error only, because the URL can contain the bot token and must not be logged.
 */
async function getBytes(url: string, headers: Record<string, string>, maxBytes = MAX_ATTACHMENT_BYTES): Promise<{ ok: true; content: Uint8Array } | { ok: false; reason: string }> {
  let response: Response | undefined;
  // A GET may be sent again. A connection that the server closed while it
  // sat in the pool fails at once with a network error, so that one error
  // gets a second try. A timeout does not, because it already waited long.
  for (let attempt = 1; response === undefined; attempt++) {
    try {
      response = await fetch(url, { headers, redirect: 'error', signal: AbortSignal.timeout(MEDIA_TIMEOUT_MS) });
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      if (timedOut) return { ok: false, reason: `download timed out after ${MEDIA_TIMEOUT_MS} ms` };
      if (attempt >= 2) return { ok: false, reason: 'download failed before a response (network error)' };
      await new Promise((resolve) => setTimeout(resolve, MEDIA_RETRY_DELAY_MS));
    }
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => {});
    return { ok: false, reason: `download failed: HTTP ${response.status}` };
  }
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => {});
    return { ok: false, reason: `file of ${declared} bytes is larger than the ${maxBytes}-byte limit` };
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body?.getReader();
  if (!reader) return { ok: true, content: new Uint8Array() };
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      return { ok: false, reason: `file is larger than the ${maxBytes}-byte limit` };
    }
    chunks.push(value);
  }
  return { ok: true, content: Buffer.concat(chunks) };
}
