/**
 * Builds nodemailer message options for a reply to a citizen's e-mail.
 * Threading headers keep the reply in the same conversation. A Message-ID on
 * our domain lets the citizen's next reply be matched back. Two more headers
 * keep automatic mail from starting a loop.
 */
import { randomUUID } from 'node:crypto';
import type { SendMailOptions } from 'nodemailer';
import { LOOP_HEADER } from './classify.ts';

/** References longer than this are cut to the first id plus the newest ones (RFC 5322 suggests keeping the root). */
const MAX_REFERENCES = 20;

const domainRe = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const replyPrefixRe = /^\s*(?:re|balas|bls|aw|sv|antw)\s*:/i;

export interface ReplyAddress {
  address: string;
  name?: string;
}

export interface ComposeReplyInput {
  /** Our mailbox, e.g. `{ name: 'Aduan Kabupaten Karanganyar', address: 'aduan@karanganyarkab.go.id' }`. */
  from: ReplyAddress;
  /** The citizen. */
  to: ReplyAddress;
  /** Subject of the message we reply to; "Re: " is added once. */
  subject: string;
  text: string;
  html?: string;
  /** Message-ID of the message we reply to, with angle brackets. */
  inReplyTo?: string;
  /** References of the message we reply to (oldest first). */
  references?: string[];
  /** Domain for our Message-ID, e.g. `karanganyarkab.go.id`. */
  messageIdDomain: string;
  /**
   * True for mail sent without an officer writing it (acknowledgements,
   * reminders). It adds `Auto-Submitted: auto-generated` (RFC 3834) so that
   * other robots do not reply to it.
   */
  automatic: boolean;
  /** Left part of the Message-ID; a random UUID when absent. Pass one to make output repeatable. */
  messageIdLocalPart?: string;
}

/** nodemailer options plus the Message-ID we assigned, to store with the outbound message. */
export interface ComposedReply {
  messageId: string;
  options: SendMailOptions;
}

/**
 * Composes a reply.
 *
 * @example
 *   const { messageId, options } = composeReply({
 *     from: { name: 'Aduan Karanganyar', address: 'aduan@karanganyarkab.go.id' },
 *     to: { address: 'warga@contoh.id' },
 *     subject: 'Jalan berlubang di Jaten',
 *     text: 'Laporan Anda tercatat dengan nomor ADU-2026-0001.',
 *     inReplyTo: '<abc@contoh.id>',
 *     messageIdDomain: 'karanganyarkab.go.id',
 *     automatic: true,
 *   });
 *   await transporter.sendMail(options);
 */
export function composeReply(input: ComposeReplyInput): ComposedReply {
  if (!domainRe.test(input.messageIdDomain)) {
    throw new Error(`messageIdDomain must be a domain name such as karanganyarkab.go.id; got "${input.messageIdDomain}".`);
  }
  for (const [field, value] of [['from', input.from.address], ['to', input.to.address]] as const) {
    if (!/^[^\s@<>]+@[^\s@<>]+$/.test(value)) throw new Error(`${field}.address must be one e-mail address such as warga@contoh.id.`);
  }
  const localPart = input.messageIdLocalPart ?? `aduan.${randomUUID()}`;
  if (!/^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+$/.test(localPart)) {
    throw new Error('messageIdLocalPart may contain only letters, digits and the characters allowed in a Message-ID (no spaces, "@" or brackets).');
  }
  const messageId = `<${localPart}@${input.messageIdDomain}>`;

  const headers: Record<string, string> = {
    // Marks our own mail so that it is classified as a loop if it ever comes back.
    [LOOP_HEADER]: input.messageIdDomain,
    // Asks Exchange and Outlook not to send out-of-office replies to this message.
    'X-Auto-Response-Suppress': 'All',
  };
  if (input.automatic) headers['Auto-Submitted'] = 'auto-generated';

  const options: SendMailOptions = {
    from: formatAddress(input.from),
    to: formatAddress(input.to),
    subject: replySubject(input.subject),
    text: input.text,
    messageId,
    headers,
  };
  if (input.html) options.html = input.html;
  if (input.inReplyTo) {
    options.inReplyTo = input.inReplyTo;
    options.references = threadReferences(input.references ?? [], input.inReplyTo);
  }
  return { messageId, options };
}

/** Adds "Re: " unless the subject already starts with a reply prefix (Re, Balas, AW, SV). */
export function replySubject(subject: string): string {
  const trimmed = subject.trim();
  if (trimmed === '') return 'Re: (tanpa subjek / no subject)';
  return replyPrefixRe.test(trimmed) ? trimmed : `Re: ${trimmed}`;
}

function threadReferences(references: string[], inReplyTo: string): string[] {
  const all = [...references.filter((id) => id !== inReplyTo), inReplyTo];
  if (all.length <= MAX_REFERENCES) return all;
  return [all[0], ...all.slice(all.length - (MAX_REFERENCES - 1))];
}

function formatAddress(address: ReplyAddress): { name: string; address: string } | string {
  return address.name ? { name: address.name, address: address.address } : address.address;
}
