/**
 * Sends a composed e-mail through a nodemailer transport and classifies SMTP
 * failures: 4xx replies and connection problems are retryable, 5xx replies
 * are final (RFC 5321, section 4.2.1).
 */
import type { SendMailOptions } from 'nodemailer';
import type { SendFailure, SendResult } from '../../domain/inbound.ts';
import { sendFailure } from '../shared/http.ts';

/** The part of a nodemailer transporter we use; any object with `sendMail` works, e.g. a test double. */
export interface MailTransport {
  sendMail(options: SendMailOptions): Promise<{ messageId?: string }>;
}

/** nodemailer error codes for failures before any SMTP reply. */
const RETRYABLE_CONNECTION_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNRESET', 'ECONNREFUSED', 'EPROTOCOL']);

/**
 * Sends one message. The returned `providerMessageId` is the Message-ID the
 * message was sent with, so replies and bounces can be matched to it.
 *
 * @example
 *   const { messageId, options } = composeReply({ … });
 *   const result = await sendEmail(nodemailer.createTransport(smtpConfig), options);
 */
export async function sendEmail(transport: MailTransport, options: SendMailOptions): Promise<SendResult> {
  try {
    const info = await transport.sendMail(options);
    const messageId = info.messageId ?? (typeof options.messageId === 'string' ? options.messageId : undefined);
    if (!messageId) {
      return sendFailure('provider_error', false, 'invalid_response', 'The mail transport accepted the message but returned no Message-ID.');
    }
    return { ok: true, providerMessageId: messageId };
  } catch (error) {
    return classifySmtpError(error);
  }
}

/** Classifies an error thrown by nodemailer's `sendMail`. */
export function classifySmtpError(error: unknown): SendFailure {
  const details = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: string;
    responseCode?: number;
    response?: string;
    message?: string;
  };
  // The SMTP response can echo the recipient address; keep only the reply code and class.
  const summary = details.responseCode
    ? `SMTP server replied ${details.responseCode}.`
    : `Mail transport failed: ${details.code ?? details.message ?? 'unknown error'}.`;

  if (details.responseCode !== undefined) {
    const code = details.responseCode;
    const tag = `smtp_${code}`;
    if (code >= 400 && code < 500) return sendFailure('provider_error', true, tag, summary);
    if (code === 530 || code === 534 || code === 535) return sendFailure('auth', false, tag, summary);
    if (code === 550 || code === 551 || code === 552 || code === 553) return sendFailure('recipient_unreachable', false, tag, summary);
    return sendFailure('invalid_request', false, tag, summary);
  }
  if (details.code === 'EAUTH') return sendFailure('auth', false, 'EAUTH', summary);
  if (details.code && RETRYABLE_CONNECTION_CODES.has(details.code)) return sendFailure('network', true, details.code, summary);
  if (details.code === 'EENVELOPE' || details.code === 'EMESSAGE') return sendFailure('invalid_request', false, details.code, summary);
  return sendFailure('provider_error', true, details.code ?? 'unknown', summary);
}
