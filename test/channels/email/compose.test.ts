import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { composeReply, replySubject } from '../../../src/channels/email/compose.ts';
import { parseEmail } from '../../../src/channels/email/parse.ts';

const base = {
  from: { name: 'Aduan Kabupaten Karanganyar', address: 'aduan@karanganyarkab.go.id' },
  to: { address: 'warga@contoh.id', name: 'Warga' },
  subject: 'Jalan berlubang di Jaten',
  text: 'Laporan Anda tercatat dengan nomor ADU-2026-0001.',
  inReplyTo: '<laporan-1@contoh.id>',
  references: ['<root@contoh.id>'],
  messageIdDomain: 'karanganyarkab.go.id',
};

/** Renders options to raw RFC 822 with nodemailer's stream transport, without any network. */
async function render(options: SendMailOptions): Promise<string> {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  const info = await transport.sendMail(options);
  return (info.message as Buffer).toString('utf8');
}

describe('composeReply', () => {
  it('builds threading and automatic headers', async () => {
    const { messageId, options } = composeReply({ ...base, automatic: true, messageIdLocalPart: 'aduan.test-1' });
    assert.equal(messageId, '<aduan.test-1@karanganyarkab.go.id>');
    const raw = await render(options);
    assert.match(raw, /^Message-ID: <aduan\.test-1@karanganyarkab\.go\.id>$/m);
    assert.match(raw, /^In-Reply-To: <laporan-1@contoh\.id>$/m);
    assert.match(raw, /^References: <root@contoh\.id> <laporan-1@contoh\.id>$/m);
    assert.match(raw, /^Auto-Submitted: auto-generated$/m);
    assert.match(raw, /^X-Aduan-Loop: karanganyarkab\.go\.id$/m);
    assert.match(raw, /^Subject: Re: Jalan berlubang di Jaten$/m);
    assert.match(raw, /^To: Warga <warga@contoh\.id>$/m);
  });

  it('omits Auto-Submitted for an officer reply', async () => {
    const raw = await render(composeReply({ ...base, automatic: false }).options);
    assert.doesNotMatch(raw, /^Auto-Submitted:/m);
    assert.match(raw, /^Message-ID:\s+<aduan\.[0-9a-f-]{36}@karanganyarkab\.go\.id>$/m);
  });

  it('is classified as a loop if it comes back', async () => {
    const raw = await render(composeReply({ ...base, automatic: true }).options);
    const [message] = (await parseEmail(raw)).messages;
    assert.equal(message.email?.classification, 'loop');
  });

  it('adds one reply prefix', () => {
    assert.equal(replySubject('Jalan rusak'), 'Re: Jalan rusak');
    assert.equal(replySubject('RE: Jalan rusak'), 'RE: Jalan rusak');
    assert.equal(replySubject('Balas: Jalan rusak'), 'Balas: Jalan rusak');
    assert.equal(replySubject(''), 'Re: (tanpa subjek / no subject)');
  });

  it('caps long reference chains', () => {
    const references = Array.from({ length: 30 }, (_, index) => `<m${index}@contoh.id>`);
    const { options } = composeReply({ ...base, automatic: false, references });
    const list = options.references as string[];
    assert.equal(list.length, 20);
    assert.equal(list[0], '<m0@contoh.id>');
    assert.equal(list.at(-1), '<laporan-1@contoh.id>');
  });

  it('rejects bad domains and addresses', () => {
    assert.throws(() => composeReply({ ...base, automatic: false, messageIdDomain: 'localhost' }), /messageIdDomain must be a domain name/);
    assert.throws(() => composeReply({ ...base, automatic: false, to: { address: 'a@b.c, d@e.f' } }), /to\.address must be one e-mail address/);
    assert.throws(() => composeReply({ ...base, automatic: false, messageIdLocalPart: 'a b' }), /messageIdLocalPart/);
  });
});
