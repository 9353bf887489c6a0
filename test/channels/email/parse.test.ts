import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseEmail } from '../../../src/channels/email/parse.ts';
import type { EmailClassification } from '../../../src/domain/inbound.ts';

const emailDir = fileURLToPath(new URL('../../fixtures/email/', import.meta.url));
const load = (file: string) => readFileSync(emailDir + file);
const receivedAt = new Date('2026-03-13T09:00:00Z');
const own = ['aduan@karanganyarkab.go.id'];

/** Sender and classification of every .eml fixture; `null` for a message without any sender address. */
const expected: Record<string, { sender: string; classification: EmailClassification } | null> = {
  'mailparser__test_fixtures_base64encodedroot.eml': { sender: 'test@example.com', classification: 'human' },
  'mailparser__test_fixtures_decoderended.eml': { sender: 'booewq@uuui.com', classification: 'human' },
  'mailparser__test_fixtures_delivery-status.eml': { sender: 'mailer-daemon@amazonses.com', classification: 'bounce' },
  'mailparser__test_fixtures_nested.eml': { sender: 'u@example.com', classification: 'human' },
  'mailparser__test_fixtures_nodemailer.eml': { sender: 'andris@kreata.ee', classification: 'human' },
  'postalmime__test_fixtures_arf.eml': { sender: 'abusedesk@example.com', classification: 'feedback_report' },
  'postalmime__test_fixtures_bounce.eml': { sender: 'mailer-daemon@messagingengine.com', classification: 'bounce' },
  'postalmime__test_fixtures_calendar-event.eml': { sender: 'andris@postalsys.com', classification: 'human' },
  'postalmime__test_fixtures_mimetorture.eml': { sender: 'rfinnie@domain.dom', classification: 'human' },
  'spamscope__tests_mails_mail_test_17.eml': { sender: 'notificaccion-clientes@bbva.mx', classification: 'human' },
  'spamscope__tests_mails_mail_test_18.eml': { sender: 'comma.name@example.com', classification: 'human' },
  'spamscope__tests_mails_mail_test_19.eml': { sender: 'bob@example.com', classification: 'human' },
  'spamscope__tests_mails_mail_test_3.eml': { sender: 'oneil.844@randtelekom.com.tr', classification: 'human' },
  'stalwart__resources_eml_legacy_001.eml': { sender: 'doug@example.com', classification: 'human' },
  'stalwart__resources_eml_legacy_002.eml': { sender: 'dwsauder@example.com', classification: 'human' },
  'stalwart__resources_eml_legacy_010.eml': { sender: 'dwsauder@example.com', classification: 'human' },
  'stalwart__resources_eml_legacy_012.eml': { sender: 'doug@example.com', classification: 'human' },
  'stalwart__resources_eml_legacy_015.eml': { sender: 'dwsauder@example.com', classification: 'human' },
  'stalwart__resources_eml_legacy_016.eml': { sender: 'dwsauder@example.com', classification: 'human' },
  'stalwart__resources_eml_legacy_022.eml': { sender: 'doug@example.com', classification: 'human' },
  'stalwart__resources_eml_malformed_018.eml': null,
  'stalwart__resources_eml_malformed_020.eml': { sender: 'test@example.com', classification: 'human' },
  'stalwart__resources_eml_rfc_002.eml': { sender: 'vice-president@whitehouse.gov', classification: 'human' },
  'talon__tests_fixtures_reply-quotations-share-block.eml': { sender: 'xxx@example.com', classification: 'human' },
  'talon__tests_fixtures_standard_replies_android.eml': { sender: 'bob@example.com', classification: 'human' },
  'talon__tests_fixtures_standard_replies_apple_mail.eml': { sender: 'xxx@gmail.com', classification: 'human' },
  'talon__tests_fixtures_standard_replies_gmail.eml': { sender: 'xxx@gmail.com', classification: 'human' },
  'talon__tests_fixtures_standard_replies_hotmail.eml': { sender: 'xxx@hotmail.com', classification: 'human' },
  'talon__tests_fixtures_standard_replies_iphone.eml': { sender: 'xxx@gmail.com', classification: 'human' },
  'talon__tests_fixtures_standard_replies_outlook.eml': { sender: 'me@example.com', classification: 'human' },
  'talon__tests_fixtures_standard_replies_sparrow.eml': { sender: 'xxx@gmail.com', classification: 'human' },
  'talon__tests_fixtures_standard_replies_thunderbird.eml': { sender: 'bob@xxx.mailgun.org', classification: 'human' },
  'talon__tests_fixtures_standard_replies_yahoo.eml': { sender: 'xxx@yahoo.com', classification: 'human' },
};

/** Builds a small raw message; `body` is raw bytes so charsets can be tested. */
function rawMail(headers: string[], body: Buffer | string): Buffer {
  const head = Buffer.from([...headers, '', ''].join('\r\n'), 'latin1');
  return Buffer.concat([head, typeof body === 'string' ? Buffer.from(body, 'utf8') : body]);
}

const baseHeaders = ['From: Warga <Warga@Contoh.id>', 'To: Aduan Karanganyar <aduan@karanganyarkab.go.id>', 'Subject: Jalan rusak', 'Date: Fri, 13 Mar 2026 16:00:00 +0700', 'Message-ID: <laporan-1@contoh.id>', 'MIME-Version: 1.0'];

describe('parseEmail', () => {
  it('parses every fixture without throwing', async () => {
    const files = readdirSync(emailDir).filter((file) => file.endsWith('.eml')).sort();
    assert.deepEqual(files, Object.keys(expected).sort(), 'every .eml has an expectation');
    for (const file of files) {
      const result = await parseEmail(load(file), { receivedAt, ownAddresses: own });
      const want = expected[file];
      if (want === null) {
        assert.equal(result.messages.length, 0, file);
        assert.match(result.ignored[0].reason, /no sender address/, file);
        continue;
      }
      assert.equal(result.messages.length, 1, file);
      const [message] = result.messages;
      assert.equal(message.sender.value, want.sender, `${file}: sender`);
      assert.equal(message.email?.classification, want.classification, `${file}: classification`);
      assert.equal(message.email?.rawSize, load(file).length, `${file}: rawSize`);
      assert.doesNotMatch(message.text + (message.email?.subject ?? ''), /\uFFFD/, `${file}: no replacement characters`);
    }
  });

  it('decodes legacy charsets in body and subject', async () => {
    for (const file of ['stalwart__resources_eml_legacy_001.eml', 'stalwart__resources_eml_legacy_010.eml', 'stalwart__resources_eml_legacy_012.eml', 'stalwart__resources_eml_legacy_015.eml', 'stalwart__resources_eml_legacy_022.eml']) {
      const [message] = (await parseEmail(load(file))).messages;
      assert.match(message.email?.subject ?? '', /^Die Hasen und die Frösche/, `${file}: subject`);
      assert.match(message.text, /^Die Hasen und die Frösche\n\nDie Hasen klagten einst über ihre mißliche Lage/, `${file}: text`);
    }
  });

  it('falls back for unknown, missing and wrong charsets', async () => {
    const latin1 = Buffer.from('Lampu di Jl. Lawu mati, tolong diperbaiki. Grüße\n', 'latin1');
    const cases: Array<[string, string[]]> = [
      ['unknown charset', ['Content-Type: text/plain; charset="x-unknown-8bit"', 'Content-Transfer-Encoding: 8bit']],
      ['missing charset', ['Content-Type: text/plain', 'Content-Transfer-Encoding: 8bit']],
      ['wrong utf-8', ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit']],
    ];
    for (const [name, headers] of cases) {
      const [message] = (await parseEmail(rawMail([...baseHeaders, ...headers], latin1))).messages;
      assert.equal(message.text, 'Lampu di Jl. Lawu mati, tolong diperbaiki. Grüße', name);
    }
    const quotedPrintable = rawMail([...baseHeaders, 'Content-Transfer-Encoding: quoted-printable', 'Content-Type: text/plain; charset=x-mac-unknown'], 'Gr=FC=DFe dari Karanganyar\n');
    assert.equal((await parseEmail(quotedPrintable)).messages[0].text, 'Grüße dari Karanganyar');
    const realUtf8 = rawMail([...baseHeaders, 'Content-Type: text/plain', 'Content-Transfer-Encoding: 8bit'], 'Jalan berlubang — dekat pasar ✔\n');
    assert.equal((await parseEmail(realUtf8)).messages[0].text, 'Jalan berlubang — dekat pasar ✔');
  });

  it('maps sender, account, ids and threading', async () => {
    const raw = rawMail(
      [...baseHeaders, 'In-Reply-To: <aduan.abc@karanganyarkab.go.id>', 'References: <root@contoh.id> <aduan.abc@karanganyarkab.go.id>', 'Content-Type: text/plain; charset=utf-8'],
      'Masih rusak.\n\nPada Sen, 2 Mar 2026 pukul 10.15, Aduan <aduan@karanganyarkab.go.id> menulis:\n> Sudah kami teruskan.\n',
    );
    const [message] = (await parseEmail(raw, { ownAddresses: own })).messages;
    assert.deepEqual(message.sender, { kind: 'email', value: 'warga@contoh.id', displayName: 'Warga' });
    assert.equal(message.account, 'aduan@karanganyarkab.go.id');
    assert.equal(message.providerMessageId, '<laporan-1@contoh.id>');
    assert.equal(message.email?.messageId, '<laporan-1@contoh.id>');
    assert.deepEqual(message.replyTo, { messageIds: ['<aduan.abc@karanganyarkab.go.id>', '<root@contoh.id>'] });
    assert.equal(message.text, 'Masih rusak.');
    assert.match(message.email?.quoted ?? '', /menulis:/);
    assert.equal(message.sentAt.toISOString(), '2026-03-13T09:00:00.000Z');
  });

  it('uses a hash id and receivedAt when headers are missing', async () => {
    const raw = rawMail(['From: warga@contoh.id', 'Subject: Tanpa tanggal'], 'Halo\n');
    const [message] = (await parseEmail(raw, { receivedAt })).messages;
    assert.match(message.providerMessageId, /^sha256:[0-9a-f]{64}$/);
    assert.equal(message.sentAt, receivedAt);
    assert.equal(message.email?.messageId, undefined);
    const again = (await parseEmail(raw, { receivedAt })).messages[0];
    assert.equal(again.providerMessageId, message.providerMessageId, 'same bytes, same id');
  });

  it('converts HTML when there is no text part', async () => {
    const [related] = (await parseEmail(load('stalwart__resources_eml_malformed_020.eml'))).messages;
    assert.equal(related.text, 'HTML Body');
    const raw = rawMail([...baseHeaders, 'Content-Type: text/html; charset=utf-8'], '<p>Jalan <b>rusak</b> di <a href="https://maps.example">Jaten</a>.</p><blockquote>kutipan lama</blockquote>');
    const [message] = (await parseEmail(raw)).messages;
    assert.equal(message.text, 'Jalan rusak di Jaten [https://maps.example].');
    assert.equal(message.email?.quoted, '> kutipan lama');
  });

  it('keeps attachments with hashes and bytes', async () => {
    const [message] = (await parseEmail(load('mailparser__test_fixtures_nodemailer.eml'))).messages;
    assert.deepEqual(
      message.attachments.map((attachment) => [attachment.kind, attachment.mimeType, attachment.fileName]),
      [
        ['image', 'image/png', 'image.png'],
        ['image', 'image/gif', 'nyan cat ✔.gif'],
        ['document', 'text/plain', 'notes.txt'],
      ],
    );
    const png = message.attachments[0];
    assert.equal(png.sizeBytes, png.content?.length);
    assert.match(png.sha256 ?? '', /^[A-Za-z0-9+/]{43}=$/);
  });

  it('reports a bounce as a failed status', async () => {
    const result = await parseEmail(load('postalmime__test_fixtures_bounce.eml'));
    assert.deepEqual(result.statuses.map((status) => [status.providerMessageId, status.recipient?.value, status.status, status.error?.code]), [
      ['<e85f1c9b-9b51-4028-8ec0-0a657155028e@app.fastmail.com>', 'htfgvhyufthdgcvhgjyfthgc@ethereal.email', 'failed', '5.0.0'],
    ]);
    const ses = await parseEmail(load('mailparser__test_fixtures_delivery-status.eml'));
    assert.equal(ses.statuses[0].providerMessageId, '<xxxxx@email.amazonses.com>');
    assert.equal(ses.statuses[0].error?.code, '5.1.1');
    const arf = await parseEmail(load('postalmime__test_fixtures_arf.eml'));
    assert.equal(arf.statuses.length, 0);
  });

  it('classifies automatic mail by headers', async () => {
    const cases: Array<[string, string[], EmailClassification]> = [
      ['Auto-Submitted', ['Auto-Submitted: auto-replied'], 'auto_reply'],
      ['Auto-Submitted no', ['Auto-Submitted: no'], 'human'],
      ['X-Autoreply', ['X-Autoreply: yes'], 'auto_reply'],
      ['X-Autorespond', ['X-Autorespond: Out of office'], 'auto_reply'],
      ['Precedence bulk', ['Precedence: bulk'], 'auto_reply'],
      ['Precedence junk', ['Precedence: junk'], 'auto_reply'],
      ['Precedence list', ['Precedence: list'], 'auto_reply'],
      ['List-Id', ['List-Id: Berita <berita.contoh.id>'], 'auto_reply'],
      ['null Return-Path', ['Return-Path: <>'], 'auto_reply'],
      ['X-Loop foreign', ['X-Loop: helpdesk@contoh.id'], 'auto_reply'],
      ['X-Loop ours', ['X-Loop: aduan@karanganyarkab.go.id'], 'loop'],
      ['X-Aduan-Loop', ['X-Aduan-Loop: karanganyarkab.go.id'], 'loop'],
      ['no automatic headers', [], 'human'],
    ];
    for (const [name, extra, want] of cases) {
      const raw = rawMail([...baseHeaders, ...extra, 'Content-Type: text/plain; charset=utf-8'], 'Isi pesan\n');
      const [message] = (await parseEmail(raw, { ownAddresses: own })).messages;
      assert.equal(message.email?.classification, want, name);
    }
    const ownMail = rawMail(['From: aduan@karanganyarkab.go.id', 'To: aduan@karanganyarkab.go.id', 'Subject: Uji'], 'x\n');
    assert.equal((await parseEmail(ownMail, { ownAddresses: own })).messages[0].email?.classification, 'loop');
    const vacation = rawMail(['From: pegawai@contoh.id', 'Subject: Balasan otomatis: Jalan rusak'], 'Saya sedang cuti.\n');
    assert.equal((await parseEmail(vacation)).messages[0].email?.classification, 'auto_reply');
  });
});
