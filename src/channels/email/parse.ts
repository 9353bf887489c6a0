/**
 * Raw RFC 822 message → normalised message, with mailparser's `simpleParser`.
 *
 * The text is the plain-text part (or the HTML part converted to text), with
 * quoted history and signature split off into `email.quoted` and
 * `email.signature`. Every message gets a `classification` (human,
 * auto_reply, bounce, feedback_report, loop); a bounce also yields a
 * `failed` delivery status for the message it returns. A message is never
 * lost to a bad charset or a broken MIME structure: the parser falls back
 * and, at worst, lists the message in `ignored` with the reason.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { AddressObject, Attachment, ParsedMail } from 'mailparser';
import { emptyParseResult, type InboundAttachment, type InboundMessage, type ParseResult } from '../../domain/inbound.ts';
import { decodeHeaderBytes, decodeUtf7, isUtf7Charset, rawHeaderBytes, repairTextPartCharsets } from './charset.ts';
import { classifyEmail, readBounceStatuses, type HeaderMap } from './classify.ts';
import { removeQuotedHistory, splitSignature } from './reply-text.ts';

// mailparser and html-to-text add about 30 MiB to the process, so they are loaded when the first e-mail is parsed.
const require = createRequire(import.meta.url);

/** MIME parts of reports that are metadata, not files the citizen sent. */
const REPORT_PART_TYPES = new Set(['message/delivery-status', 'message/feedback-report', 'text/rfc822-headers', 'message/disposition-notification']);
/** Alternative renderings some clients add next to text and HTML (Apple Watch). */
const ALTERNATIVE_TEXT_TYPES = new Set(['text/watch-html']);
/** Maximum number of In-Reply-To and References ids kept, newest first; older ids of a long thread add little. */
const MAX_THREAD_IDS = 50;

export interface EmailParseOptions {
  /** Time the mailbox received the message; used when the Date header is missing or invalid. */
  receivedAt?: Date;
  /** Our mailbox addresses: used to find `account` and to detect loops. */
  ownAddresses?: string[];
  /** Keep the content of forwarded messages in `text` (default true). */
  keepForwarded?: boolean;
}

/**
 * Parses one raw e-mail message.
 *
 * @example
 *   const { messages, statuses, ignored } = await parseEmail(rawBytes, { ownAddresses: ['aduan@karanganyarkab.go.id'] });
 *   if (messages[0]?.email?.classification === 'human') { … }
 */
export async function parseEmail(raw: Uint8Array | string, options: EmailParseOptions = {}): Promise<ParseResult> {
  const original = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : Buffer.from(raw);
  const result = emptyParseResult();
  const rawSize = original.length;
  const rawDigest = createHash('sha256').update(original).digest('hex');

  const { raw: repaired } = repairTextPartCharsets(original);
  let parsed: ParsedMail;
  try {
    const { simpleParser } = require('mailparser') as typeof import('mailparser');
    parsed = await simpleParser(repaired, { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true });
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    result.ignored.push({ reason: `e-mail could not be parsed as MIME: ${detail}`, providerId: `sha256:${rawDigest}` });
    return result;
  }

  const sender = readSender(parsed);
  const messageId = normaliseMessageId(parsed.messageId);
  const providerMessageId = messageId ?? `sha256:${rawDigest}`;
  if (!sender) {
    result.ignored.push({ reason: 'e-mail has no sender address in From, Sender, Reply-To or Return-Path', providerId: providerMessageId });
    return result;
  }

  const source = original.toString('latin1');
  const headers = headerMap(parsed);
  const subject = readSubject(parsed, original);
  const partTypes = collectPartTypes(source, headers);
  const classification = classifyEmail({ headers, fromAddress: sender.address, subject, partTypes }, { ownAddresses: options.ownAddresses });
  const sentAt = parsed.date && !Number.isNaN(parsed.date.getTime()) ? parsed.date : options.receivedAt ?? new Date();

  const fullText = readBodyText(parsed, source);
  const { body: withoutQuotes, quoted } = removeQuotedHistory(fullText, { keepForwarded: options.keepForwarded });
  const { body: text, signature } = splitSignature(withoutQuotes);

  const message: InboundMessage = {
    channel: 'email',
    providerMessageId,
    conversationKind: 'direct',
    sender: { kind: 'email', value: sender.address },
    text,
    sentAt,
    attachments: readAttachments(parsed.attachments),
    email: { subject, classification, rawSize },
  };
  if (sender.name) message.sender.displayName = sender.name;
  if (messageId && message.email) message.email.messageId = messageId;
  if (signature && message.email) message.email.signature = signature;
  if (quoted && message.email) message.email.quoted = quoted;
  const account = findAccount(parsed, options.ownAddresses);
  if (account) message.account = account;
  const threadIds = readThreadIds(parsed);
  if (threadIds.length > 0) message.replyTo = { messageIds: threadIds };
  result.messages.push(message);

  if (classification === 'bounce') result.statuses.push(...readBounceStatuses(source, messageId, sentAt));
  return result;
}

/** From, else Sender, Reply-To, Return-Path; lowercase address. */
function readSender(parsed: ParsedMail): { address: string; name?: string } | undefined {
  const candidates: Array<AddressObject | AddressObject[] | undefined> = [
    parsed.from,
    parsed.headers.get('sender') as AddressObject | undefined,
    parsed.replyTo,
  ];
  for (const candidate of candidates) {
    for (const object of asList(candidate)) {
      for (const entry of object.value ?? []) {
        if (entry.address && entry.address.includes('@')) {
          const name = entry.name?.trim();
          return name ? { address: entry.address.toLowerCase(), name } : { address: entry.address.toLowerCase() };
        }
      }
    }
  }
  const returnPath = parsed.headers.get('return-path');
  const value = typeof returnPath === 'string' ? returnPath : isAddressObject(returnPath) ? returnPath.value[0]?.address : undefined;
  const address = value?.replace(/[<>\s]/g, '');
  return address && address.includes('@') ? { address: address.toLowerCase() } : undefined;
}

/** mailparser gives an address header as one object or, when repeated, an array. */
function asList(value: AddressObject | AddressObject[] | undefined): AddressObject[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function isAddressObject(value: unknown): value is AddressObject {
  return typeof value === 'object' && value !== null && Array.isArray((value as AddressObject).value);
}

/**
 * Subject as mailparser decoded it, unless the raw header has 8-bit bytes or
 * UTF-7 encoded words, which mailparser turns into U+FFFD or leaves encoded.
 */
function readSubject(parsed: ParsedMail, raw: Buffer): string {
  const bytes = rawHeaderBytes(raw, 'subject');
  if (!bytes) return parsed.subject ?? '';
  const hasEightBit = bytes.some((byte) => byte >= 0x80);
  const hasUtf7Word = /=\?(?:unicode-1-1-)?utf-7\?/i.test(bytes.toString('latin1'));
  return hasEightBit || hasUtf7Word ? decodeHeaderBytes(bytes) : parsed.subject ?? '';
}

function readBodyText(parsed: ParsedMail, source: string): string {
  // mailparser converts HTML-only messages itself; some structures (multipart/related first) get no text.
  let text = parsed.text ?? '';
  if (text.trim() === '' && typeof parsed.html === 'string' && parsed.html.trim() !== '') {
    // Link targets stay in the text, as mailparser keeps them: a map link can be the location of a report.
    const { convert: htmlToText } = require('html-to-text') as typeof import('html-to-text');
    text = htmlToText(parsed.html, { wordwrap: false, selectors: [{ selector: 'img', format: 'skip' }] });
  }
  // mailparser leaves UTF-7 undecoded on purpose; plain text is escaped wherever it is shown.
  if (declaresUtf7Text(source)) text = decodeUtf7(text);
  return text.replace(/\r\n?/g, '\n');
}

function declaresUtf7Text(source: string): boolean {
  for (const match of source.matchAll(/content-type:[ \t]*text\/plain[^\n]*(?:\n[ \t][^\n]*)*/gi)) {
    const charset = /charset\s*=\s*"?([^";\s]+)/i.exec(match[0])?.[1];
    if (charset && isUtf7Charset(charset)) return true;
  }
  return false;
}

function readAttachments(attachments: Attachment[]): InboundAttachment[] {
  const result: InboundAttachment[] = [];
  for (const attachment of attachments) {
    const mimeType = attachment.contentType.toLowerCase();
    if (REPORT_PART_TYPES.has(mimeType) || ALTERNATIVE_TEXT_TYPES.has(mimeType)) continue;
    const item: InboundAttachment = {
      kind: attachmentKind(mimeType),
      mimeType,
      sizeBytes: attachment.size ?? attachment.content.length,
      sha256: createHash('sha256').update(attachment.content).digest('base64'),
      content: attachment.content,
    };
    if (attachment.filename) item.fileName = attachment.filename;
    result.push(item);
  }
  return result;
}

function attachmentKind(mimeType: string): InboundAttachment['kind'] {
  if (mimeType.startsWith('image/')) return 'image';
  if (mimeType.startsWith('video/')) return 'video';
  if (mimeType.startsWith('audio/')) return 'audio';
  return 'document';
}

/** In-Reply-To first, then References newest first, without duplicates. */
function readThreadIds(parsed: ParsedMail): string[] {
  const references = typeof parsed.references === 'string' ? [parsed.references] : parsed.references ?? [];
  const ids = [parsed.inReplyTo, ...[...references].reverse()]
    .flatMap((value) => (value ? value.split(/\s+/) : []))
    .map((value) => normaliseMessageId(value))
    .filter((value): value is string => value !== undefined);
  return [...new Set(ids)].slice(0, MAX_THREAD_IDS);
}

function normaliseMessageId(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  if (!trimmed) return undefined;
  return trimmed.startsWith('<') ? trimmed : `<${trimmed.replace(/>$/, '')}>`;
}

function findAccount(parsed: ParsedMail, ownAddresses: string[] | undefined): string | undefined {
  if (!ownAddresses || ownAddresses.length === 0) return undefined;
  const own = new Set(ownAddresses.map((address) => address.toLowerCase()));
  for (const field of [parsed.to, parsed.cc]) {
    for (const object of asList(field)) {
      for (const entry of object.value ?? []) {
        const address = entry.address?.toLowerCase();
        if (address && own.has(address)) return address;
      }
    }
  }
  return undefined;
}

/** Header values as raw text, from mailparser's header lines, keyed by lowercase name. */
function headerMap(parsed: ParsedMail): HeaderMap {
  const map: HeaderMap = new Map();
  for (const { key, line } of parsed.headerLines) {
    const value = line.slice(line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').trim();
    const values = map.get(key) ?? [];
    values.push(value);
    map.set(key, values);
  }
  return map;
}

/** Content types of the root and of every part, lowercase. */
function collectPartTypes(source: string, headers: HeaderMap): string[] {
  const rootType = (headers.get('content-type')?.[0] ?? 'text/plain').split(';')[0].trim().toLowerCase();
  const types = [rootType];
  for (const match of source.matchAll(/(?:^|\n)content-type:[ \t]*([a-z0-9.+-]+\/[a-z0-9.+-]+)/gi)) {
    types.push(match[1].toLowerCase());
  }
  return types;
}
