import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import nodemailer from 'nodemailer';
import { composeReply } from '../../../src/channels/email/compose.ts';
import { sendEmail, type MailTransport } from '../../../src/channels/email/send.ts';

const { options, messageId } = composeReply({
  from: { address: 'aduan@karanganyarkab.go.id' },
  to: { address: 'warga@contoh.id' },
  subject: 'Jalan rusak',
  text: 'Laporan Anda kami terima.',
  messageIdDomain: 'karanganyarkab.go.id',
  automatic: true,
});

/** Builds a transport that fails the way nodemailer's SMTP transport does. */
function failingTransport(error: Record<string, unknown>): MailTransport {
  return { sendMail: async () => Promise.reject(Object.assign(new Error('send failed'), error)) };
}

describe('sendEmail', () => {
  it('returns the Message-ID it was sent with', async () => {
    const transport = nodemailer.createTransport({ jsonTransport: true });
    assert.deepEqual(await sendEmail(transport, options), { ok: true, providerMessageId: messageId });
  });

  it('retries 4xx replies and connection errors', async () => {
    const greylisted = await sendEmail(failingTransport({ responseCode: 451, response: '451 4.7.1 Greylisted' }), options);
    assert.deepEqual(greylisted.ok ? undefined : [greylisted.retryable, greylisted.code], [true, 'smtp_451']);
    const refused = await sendEmail(failingTransport({ code: 'ECONNECTION' }), options);
    assert.deepEqual(refused.ok ? undefined : [refused.retryable, refused.category], [true, 'network']);
  });

  it('does not retry 5xx replies and auth errors', async () => {
    const unknownUser = await sendEmail(failingTransport({ responseCode: 550, response: '550 5.1.1 <warga@contoh.id>: user unknown' }), options);
    assert.deepEqual(unknownUser.ok ? undefined : [unknownUser.retryable, unknownUser.category], [false, 'recipient_unreachable']);
    assert.doesNotMatch(unknownUser.ok ? '' : unknownUser.message, /warga@contoh\.id/, 'no address in the message');
    const auth = await sendEmail(failingTransport({ code: 'EAUTH', responseCode: 535 }), options);
    assert.deepEqual(auth.ok ? undefined : [auth.retryable, auth.category], [false, 'auth']);
  });
});
