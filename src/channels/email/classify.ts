/**
 * Tells a citizen's mail from automatic mail by its headers, so that we never
 * open a complaint for, or auto-reply to, a vacation notice, a bounce, a spam
 * report or our own mail coming back.
 *
 * Order of checks: loop, feedback report (ARF, RFC 5965), bounce (DSN,
 * RFC 3464), auto-reply (RFC 3834 `Auto-Submitted` and the common
 * non-standard headers), human.
 */
import type { DeliveryStatus, EmailClassification } from '../../domain/inbound.ts';

/** Header we put on every message we send, to recognise it if it comes back. */
export const LOOP_HEADER = 'X-Aduan-Loop';

/** Raw header lines of one message: lowercase name → values in order. */
export type HeaderMap = Map<string, string[]>;

export interface ClassifyInput {
  headers: HeaderMap;
  /** Lowercase sender address, if any. */
  fromAddress?: string;
  subject: string;
  /** Content types of all MIME parts, lowercase, root first. */
  partTypes: string[];
}

export interface ClassifyOptions {
  /** Our own mailbox addresses; mail from them, or with X-Loop naming them, is a loop. */
  ownAddresses?: string[];
}

const precedenceAutoRe = /^(bulk|junk|list|auto_reply)$/i;
const bounceSenderRe = /^(mailer-daemon|postmaster|mail-daemon)@/i;
const bounceSubjectRe = /(undeliver|undelivered|delivery status notification|delivery failure|returned mail|mail delivery failed|failure notice|tidak terkirim|gagal terkirim)/i;
const autoReplySubjectRe = /^(automatic reply|auto(?:matic)?[ -]?reply|auto:|out of (the )?office|balasan otomatis|di luar kantor|autosvar|réponse automatique|abwesenheitsnotiz)/i;

/**
 * Classifies one parsed message.
 *
 * @example
 *   classifyEmail({ headers, fromAddress: 'warga@contoh.id', subject: 'Jalan rusak', partTypes: ['text/plain'] })  // 'human'
 */
export function classifyEmail(input: ClassifyInput, options: ClassifyOptions = {}): EmailClassification {
  const { headers } = input;
  const own = (options.ownAddresses ?? []).map((address) => address.toLowerCase());
  const first = (name: string) => headers.get(name)?.[0]?.trim();

  if (headers.has(LOOP_HEADER.toLowerCase())) return 'loop';
  if (input.fromAddress && own.includes(input.fromAddress)) return 'loop';
  const xLoop = headers.get('x-loop') ?? [];
  if (xLoop.some((value) => own.some((address) => value.toLowerCase().includes(address)))) return 'loop';

  const rootType = input.partTypes[0] ?? '';
  const reportType = reportTypeOf(first('content-type') ?? '');
  if (rootType === 'multipart/report' && reportType === 'feedback-report') return 'feedback_report';
  if (input.partTypes.includes('message/feedback-report')) return 'feedback_report';
  if (rootType === 'multipart/report' && reportType === 'delivery-status') return 'bounce';
  if (input.partTypes.includes('message/delivery-status')) return 'bounce';
  if (input.fromAddress && bounceSenderRe.test(input.fromAddress) && bounceSubjectRe.test(input.subject)) return 'bounce';

  const autoSubmitted = first('auto-submitted');
  if (autoSubmitted && autoSubmitted.toLowerCase() !== 'no') return 'auto_reply';
  if (headers.has('x-autoreply') || headers.has('x-autorespond') || headers.has('x-autoresponse')) return 'auto_reply';
  const precedence = first('precedence');
  if (precedence && precedenceAutoRe.test(precedence)) return 'auto_reply';
  if (headers.has('list-id')) return 'auto_reply';
  if (xLoop.length > 0) return 'auto_reply';
  // Return-Path: <> is the null sender used for notifications (RFC 5321, section 4.5.5).
  if ((headers.get('return-path') ?? []).some((value) => value.replace(/\s/g, '') === '<>')) return 'auto_reply';
  if (autoReplySubjectRe.test(input.subject.trim())) return 'auto_reply';
  return 'human';
}

function reportTypeOf(contentType: string): string | undefined {
  const match = /report-type\s*=\s*"?([a-z-]+)"?/i.exec(contentType);
  return match?.[1]?.toLowerCase();
}

/**
 * Reads failed recipients from a delivery status notification (RFC 3464)
 * and returns a `failed` status for the original message, identified by the
 * Message-ID in the returned copy or headers.
 *
 * @param source the raw message as a latin1 string
 * @param ownMessageId Message-ID of the bounce itself, excluded when searching for the original
 */
export function readBounceStatuses(source: string, ownMessageId: string | undefined, at: Date): DeliveryStatus[] {
  const originalId = findOriginalMessageId(source, ownMessageId);
  if (!originalId) return [];

  const statuses: DeliveryStatus[] = [];
  // Per-recipient fields are separated by blank lines; each block has Final-Recipient and Action.
  for (const block of source.replace(/\r\n/g, '\n').split(/\n\s*\n/)) {
    const recipient = /^Final-Recipient:\s*[^;\n]*;\s*(\S+)/im.exec(block)?.[1];
    const action = /^Action:\s*(\S+)/im.exec(block)?.[1]?.toLowerCase();
    if (!recipient || action !== 'failed') continue;
    const statusCode = /^Status:\s*(\d\.\d{1,3}\.\d{1,3})/im.exec(block)?.[1] ?? 'unknown';
    const diagnostic = /^Diagnostic-Code:\s*([^\n]*(?:\n[ \t][^\n]*)*)/im.exec(block)?.[1]?.replace(/\s+/g, ' ').trim();
    statuses.push({
      channel: 'email',
      providerMessageId: originalId,
      recipient: { kind: 'email', value: recipient.replace(/^<|>$/g, '').toLowerCase() },
      status: 'failed',
      at,
      // Addresses in the diagnostic are personal data; the recipient field already names the address.
      error: { code: statusCode, title: (diagnostic ?? 'delivery failed').replace(/[^\s<>;:()"']+@[^\s<>;:()"']+/g, '<address>') },
    });
  }
  return statuses;
}

function findOriginalMessageId(source: string, ownMessageId: string | undefined): string | undefined {
  for (const match of source.matchAll(/^Message-ID:[ \t]*(?:\r?\n[ \t]+)?(<[^>\s]+>|[^\s<>]+@[^\s<>]+)/gim)) {
    const id = match[1].startsWith('<') ? match[1] : `<${match[1]}>`;
    if (id !== ownMessageId) return id;
  }
  return undefined;
}
