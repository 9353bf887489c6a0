/**
 * The e-mail channel end to end against real servers: Debian's Dovecot for
 * IMAP and Postfix for SMTP, started by the test on 127.0.0.1. Mail reaches
 * the complaint mailbox by IMAP APPEND or by SMTP through Postfix. The
 * poller stores it as envelopes, the pipeline turns it into reports and
 * replies, and our messages go back out through Postfix into the citizen's
 * mailbox, where the test reads them over IMAP.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import nodemailer from 'nodemailer';
import PgBoss from 'pg-boss';
import pino from 'pino';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../support/db.ts';
import { makeStaff, type TestStaff } from '../support/staff.ts';
import { dovecotMissingReason, postfixUnavailableReason, startMailServers, type MailServers } from '../support/mail-servers.ts';
import { loadConfig, loadImapSettings, type ImapSettings } from '../../src/config.ts';
import { createChannelRegistry, type ChannelRegistry } from '../../src/channels/registry.ts';
import { pollMailbox, TOO_LARGE_KEYWORD } from '../../src/channels/email/imap.ts';
import { EMAIL_POLL_QUEUE, pollEmail, startEmailPollJobs, storeMailEnvelope } from '../../src/jobs/email-poll.ts';
import { deliverDueMessages } from '../../src/jobs/delivery.ts';
import { processPendingEnvelopes } from '../../src/jobs/inbound.ts';
import { answerComplaint } from '../../src/commands/resolve-complaint.ts';
import type { Logger } from '../../src/logger.ts';

const emailDir = fileURLToPath(new URL('../fixtures/email/', import.meta.url));

const SUPPORT = { address: 'aduan@karanganyarkab.go.id', password: 'sandi-uji-aduan' };
const CITIZEN = { address: 'warga@contoh.id', password: 'sandi-uji-warga' };
const PUBLIC_URL = 'https://aduan.example.id';
/** A contoh.id address with no mailbox: Postfix accepts mail for it and then bounces it. */
const UNKNOWN_RECIPIENT = 'tidak.ada@contoh.id';

const dovecotSkip = dovecotMissingReason();
const postfixSkip = dovecotSkip ?? postfixUnavailableReason();

/** Builds a raw message with CRLF line ends; `bodyLines` are joined as given. */
function rawMail(headers: Record<string, string>, bodyLines: string[], encoding: BufferEncoding = 'utf8'): Buffer {
  const all = { 'MIME-Version': '1.0', 'Content-Type': 'text/plain; charset=utf-8', Date: new Date().toUTCString(), ...headers };
  const head = Object.entries(all).map(([name, value]) => `${name}: ${value}`).join('\r\n');
  return Buffer.from(`${head}\r\n\r\n${bodyLines.join('\r\n')}\r\n`, encoding);
}

/** Converts line ends to CRLF, as Dovecot serves every message over IMAP. */
function withCrlf(raw: Buffer): Buffer {
  return Buffer.from(raw.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
}

/** Returns one header of a raw message, unfolded; undefined when absent. */
function headerValue(source: string, name: string): string | undefined {
  const head = source.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
  const line = head.split(/\r?\n/).find((entry) => entry.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

/** Creates a pino logger that keeps its JSON lines, so tests can check what a poll logs. */
function recordingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => { lines.push(line); } });
  return { logger: logger as unknown as Logger, lines };
}

describe('IMAP settings', () => {
  const login = { IMAP_HOST: 'mail.karanganyarkab.go.id', IMAP_USER: 'aduan@karanganyarkab.go.id', IMAP_PASSWORD: ' sandi dengan spasi ' };

  test('unset host turns polling off', () => {
    assert.equal(loadImapSettings({}), undefined);
    assert.equal(loadConfig({}).channels.email.imap, undefined);
  });

  test('defaults for a mailbox login', () => {
    assert.deepEqual(loadImapSettings(login), {
      host: 'mail.karanganyarkab.go.id',
      port: 993,
      user: 'aduan@karanganyarkab.go.id',
      password: ' sandi dengan spasi ',
      tls: 'tls',
      mailbox: 'INBOX',
      processedMailbox: 'Diproses',
      pollSeconds: 60,
    });
    assert.equal(loadImapSettings({ ...login, IMAP_TLS: 'starttls' })?.port, 143);
    assert.equal(loadImapSettings({ ...login, IMAP_TLS: 'STARTTLS', IMAP_PORT: '1143' })?.port, 1143);
    assert.equal(loadImapSettings({ ...login, IMAP_HOST: '127.0.0.1', IMAP_TLS: 'off' })?.tls, 'off');
  });

  test('invalid settings rejected with the fix', () => {
    const cases: Array<[string, Record<string, string>, RegExp]> = [
      ['user without host', { IMAP_USER: 'aduan@karanganyarkab.go.id' }, /IMAP_USER is set but IMAP_HOST is not/],
      ['host without password', { IMAP_HOST: 'mail.karanganyarkab.go.id', IMAP_USER: 'aduan@karanganyarkab.go.id' }, /IMAP_USER or IMAP_PASSWORD is missing/],
      ['unknown TLS mode', { ...login, IMAP_TLS: 'yes' }, /IMAP_TLS must be tls \(port 993\), starttls \(port 143\) or off, got "yes"/],
      ['cleartext to a remote host', { ...login, IMAP_TLS: 'off' }, /IMAP_TLS=off is only allowed for a server on this machine/],
      ['port out of range', { ...login, IMAP_PORT: '70000' }, /IMAP_PORT must be a whole number from 1 to 65535, got "70000"/],
      ['poll too often', { ...login, IMAP_POLL_SECONDS: '5' }, /IMAP_POLL_SECONDS must be a whole number from 10 to 3600, got "5"/],
      ['processed folder is the polled one', { ...login, IMAP_PROCESSED_MAILBOX: 'inbox' }, /IMAP_PROCESSED_MAILBOX must differ from IMAP_MAILBOX/],
    ];
    for (const [name, env, message] of cases) {
      assert.throws(() => loadImapSettings(env), message, name);
    }
  });
});

describe('e-mail over Dovecot and Postfix', { skip: dovecotSkip }, () => {
  let servers: MailServers;

  before(async () => {
    servers = await startMailServers([SUPPORT, CITIZEN]);
  });
  after(async () => {
    await servers?.stop();
  });

  for (const backend of BACKENDS) {
    describe(`on ${backend}`, () => {
      let database: TestDatabase;
      let registry: ChannelRegistry;
      let imap: ImapSettings;
      let officer: TestStaff;

      before(async () => {
        database = await createTestDatabase(backend);
        const config = loadConfig({
          MAIL_FROM: SUPPORT.address,
          MAIL_FROM_NAME: 'Aduan Kabupaten Karanganyar',
          PUBLIC_URL,
          ...(servers.postfix ? { SMTP_URL: servers.postfix.smtpUrl } : {}),
          IMAP_HOST: servers.dovecot.host,
          IMAP_PORT: String(servers.dovecot.port),
          IMAP_USER: SUPPORT.address,
          IMAP_PASSWORD: SUPPORT.password,
          IMAP_TLS: 'off',
        });
        assert.ok(config.channels.email.imap, 'IMAP settings loaded from the environment');
        imap = config.channels.email.imap;
        registry = createChannelRegistry(config.channels);
        officer = await makeStaff(database.db, 'complaint_officer');
      });
      after(async () => {
        await database?.dispose();
      });
      beforeEach(async () => {
        for (const account of [SUPPORT.address, CITIZEN.address]) {
          for (const mailbox of ['INBOX', 'Diproses']) await servers.dovecot.clearMailbox(account, mailbox);
        }
      });

      async function pollOnce(logger?: Logger) {
        return pollEmail({ db: database.db, registry, settings: imap, logger });
      }

      async function countRows(table: 'channel_envelopes' | 'inbound_messages' | 'complaints' | 'outbound_messages') {
        const row = await database.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
        return Number(row.n);
      }

      async function inbound(providerMessageId: string) {
        return database.db
          .selectFrom('inbound_messages')
          .selectAll()
          .where('channel', '=', 'email')
          .where('provider_message_id', '=', providerMessageId)
          .executeTakeFirst();
      }

      async function envelope(id: number) {
        return database.db.selectFrom('channel_envelopes').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      }

      /** Sends the due outbound messages of one report through Postfix, holding back every other report's. */
      async function deliverFor(complaintId: number) {
        await database.db
          .updateTable('outbound_messages')
          .set({ next_attempt_at: new Date(Date.now() + 86_400_000) })
          .where('complaint_id', '!=', complaintId)
          .where('status', '=', 'pending')
          .execute();
        return deliverDueMessages({ db: database.db, registry, publicUrl: PUBLIC_URL });
      }

      async function sendOverSmtp(from: string, to: string, raw: Buffer) {
        const transport = nodemailer.createTransport(servers.postfix!.smtpUrl);
        try {
          await transport.sendMail({ envelope: { from, to: [to] }, raw });
        } finally {
          transport.close();
        }
      }

      test('fixtures become processed envelopes', async () => {
        const files = readdirSync(emailDir).filter((name) => name.endsWith('.eml')).sort();
        assert.ok(files.length >= 30, `found ${files.length} fixture messages`);
        const uidByFile = new Map<string, number>();
        for (const file of files) uidByFile.set(file, await servers.dovecot.append(SUPPORT.address, readFileSync(emailDir + file)));
        const envelopesBefore = await countRows('channel_envelopes');
        const complaintsBefore = await countRows('complaints');
        const outboundBefore = await countRows('outbound_messages');

        const result = await pollOnce();
        assert.equal(result.error, undefined);
        assert.equal(result.found, files.length);
        assert.equal(result.stored, files.length);
        assert.equal(result.moved, files.length);
        assert.equal(result.repeats, 0);
        assert.equal(result.envelopeIds.length, files.length);
        assert.equal(await countRows('channel_envelopes'), envelopesBefore + files.length);

        let created = 0;
        let ignored = 0;
        const rows = await Promise.all(result.envelopeIds.map((id) => envelope(id)));
        for (const file of files) {
          const uid = uidByFile.get(file)!;
          const stored = rows.find((row) => row.headers['imap-uid'] === String(uid));
          assert.ok(stored, `${file}: envelope for UID ${uid}`);
          assert.equal(stored.source, 'email');
          assert.equal(stored.headers['imap-mailbox'], 'INBOX', `${file}: mailbox header`);
          assert.ok(Buffer.from(stored.raw_body).equals(withCrlf(readFileSync(emailDir + file))), `${file}: raw bytes kept`);
          assert.ok(stored.status === 'processed' || stored.status === 'ignored', `${file}: envelope ${stored.status} (${stored.error})`);

          // The parser is the oracle for what each message is; the pipeline must act on that.
          const parsed = await registry.parse('email', stored.raw_body, stored.received_at);
          for (const message of parsed.messages) {
            const row = await inbound(message.providerMessageId);
            assert.ok(row, `${file}: inbound message recorded`);
            if (row.envelope_id !== stored.id) continue;
            const human = message.email?.classification === 'human';
            assert.equal(row.outcome === 'ignored', !human, `${file}: ${row.outcome} for ${message.email?.classification}`);
            if (row.outcome === 'ignored') {
              ignored += 1;
              assert.equal(row.complaint_id, null, `${file}: ignored mail opens no report`);
            }
            if (row.outcome === 'created') {
              created += 1;
              const report = await database.db.selectFrom('complaints').select('channel').where('id', '=', row.complaint_id!).executeTakeFirstOrThrow();
              assert.equal(report.channel, 'email', `${file}: report channel`);
            }
          }
        }
        assert.ok(created > 0, 'some fixtures open reports');
        assert.ok(ignored > 0, 'some fixtures are automatic mail');
        assert.equal(await countRows('complaints'), complaintsBefore + created, 'one report per created message');
        assert.equal(await countRows('outbound_messages'), outboundBefore + created, 'one acknowledgement per new report, none for ignored mail');

        assert.equal((await servers.dovecot.listMessages(SUPPORT.address, 'INBOX')).length, 0, 'INBOX emptied');
        const processed = await servers.dovecot.listMessages(SUPPORT.address, 'Diproses');
        assert.equal(processed.length, files.length, 'every message moved to Diproses');
        assert.ok(processed.every((message) => message.flags.has('\\Seen')), 'moved messages are seen');

        const second = await pollOnce();
        assert.equal(second.found, 0);
        assert.equal(second.stored, 0);
        assert.equal(await countRows('channel_envelopes'), envelopesBefore + files.length, 'second poll stores nothing');
      });

      test('repeated message stored once', async () => {
        const raw = rawMail(
          { From: 'Warga Ulang <warga.ulang@contoh.id>', To: SUPPORT.address, Subject: 'Sampah belum diangkut', 'Message-ID': `<ulang-${backend}@contoh.id>` },
          ['Sampah di depan pasar Karangpandan belum diangkut selama seminggu.'],
        );
        await servers.dovecot.append(SUPPORT.address, raw);
        const first = await pollOnce();
        assert.equal(first.envelopeIds.length, 1);
        const envelopes = await countRows('channel_envelopes');
        const complaints = await countRows('complaints');

        // The same bytes again, as after a crash between storing and moving.
        await servers.dovecot.append(SUPPORT.address, raw);
        const second = await pollOnce();
        assert.equal(second.stored, 1, 'the message was handed to the store');
        assert.equal(second.repeats, 1);
        assert.deepEqual(second.envelopeIds, []);
        assert.equal(second.moved, 1, 'the repeat is moved out of the INBOX');
        assert.equal(await countRows('channel_envelopes'), envelopes);
        assert.equal(await countRows('complaints'), complaints);
        assert.equal((await servers.dovecot.listMessages(SUPPORT.address, 'INBOX')).length, 0);
      });

      test('store failure leaves mail unseen', async () => {
        const ids = [1, 2, 3].map((n) => `<simpan-${backend}-${n}@contoh.id>`);
        for (const [index, id] of ids.entries()) {
          await servers.dovecot.append(SUPPORT.address, rawMail(
            { From: `warga.simpan${index}@contoh.id`, To: SUPPORT.address, Subject: `Drainase tersumbat ${index + 1}`, 'Message-ID': id },
            ['Saluran air di Jalan Lawu tersumbat dan meluap ke rumah warga.'],
          ));
        }
        let calls = 0;
        const { logger, lines } = recordingLogger();
        const result = await pollMailbox(imap, {
          async store(mail) {
            calls += 1;
            if (calls === 2) throw new Error('database unavailable');
            await storeMailEnvelope(database.db, mail);
          },
        }, { logger });
        assert.equal(result.stored, 1);
        assert.equal(result.moved, 1);
        assert.match(result.error ?? '', /at store message: Error: database unavailable/);
        assert.ok(lines.some((line) => line.includes('IMAP poll failed')), 'the failure is logged');
        const left = await servers.dovecot.listMessages(SUPPORT.address, 'INBOX');
        assert.equal(left.length, 2, 'the failed message and the rest stay in the INBOX');
        assert.ok(left.every((message) => !message.flags.has('\\Seen')), 'and stay unseen');

        const retry = await pollOnce();
        assert.equal(retry.error, undefined);
        assert.equal(retry.envelopeIds.length, 2);
        // The first envelope was stored without processing, as after a crash; the inbound sweep takes it.
        assert.equal(await processPendingEnvelopes(database.db, registry), 1);
        for (const id of ids) assert.equal((await inbound(id))?.outcome, 'created', `${id} opened a report`);
      });

      test('reply threads onto the report', { skip: postfixSkip }, async () => {
        const complaintId = `<keluhan-${backend}@contoh.id>`;
        await servers.dovecot.append(SUPPORT.address, rawMail(
          { From: `Warga Contoh <${CITIZEN.address}>`, To: SUPPORT.address, Subject: 'Lampu jalan mati di Jaten', 'Message-ID': complaintId },
          ['Lampu penerangan jalan di depan Pasar Jaten mati sejak hari Senin.'],
        ));
        await pollOnce();
        const opened = await inbound(complaintId);
        assert.equal(opened?.outcome, 'created');
        const reportId = opened.complaint_id!;

        await answerComplaint({ db: database.db, actor: officer.actor }, reportId, { body: 'Petugas DPUPR akan memperbaiki lampu tersebut pada hari Rabu.' });
        const delivery = await deliverFor(reportId);
        assert.equal(delivery.sent, 2, 'acknowledgement and answer sent');
        const answer = await database.db
          .selectFrom('outbound_messages')
          .selectAll()
          .where('complaint_id', '=', reportId)
          .where('event_type', '=', 'answered')
          .executeTakeFirstOrThrow();
        assert.equal(answer.status, 'sent');
        const answerId = answer.provider_message_id!;

        // Read our answer back from the citizen's mailbox, as delivered by Postfix.
        const received = await servers.dovecot.waitForMessage(CITIZEN.address, (source) => headerValue(source, 'Message-ID') === answerId);
        const source = received.source.toString('utf8');
        assert.equal(headerValue(source, 'Auto-Submitted'), 'auto-generated');
        assert.equal(headerValue(source, 'In-Reply-To'), complaintId);
        assert.match(headerValue(source, 'From') ?? '', /aduan@karanganyarkab\.go\.id/);
        assert.match(headerValue(source, 'Received') ?? '', /by mail\.aduan\.test \(Postfix\)/);
        const acknowledgements = (await servers.dovecot.listMessages(CITIZEN.address)).filter((message) => headerValue(message.source.toString('utf8'), 'Message-ID') !== answerId);
        assert.equal(acknowledgements.length, 1, 'the acknowledgement arrived too');
        assert.equal(headerValue(acknowledgements[0].source.toString('utf8'), 'Auto-Submitted'), 'auto-generated');

        // The citizen answers from a mail client, quoting us in Indonesian.
        const replyId = `<balasan-${backend}@contoh.id>`;
        await sendOverSmtp(CITIZEN.address, SUPPORT.address, rawMail(
          {
            From: `Warga Contoh <${CITIZEN.address}>`,
            To: SUPPORT.address,
            Subject: 'Re: Lampu jalan mati di Jaten',
            'Message-ID': replyId,
            'In-Reply-To': answerId,
            References: `${complaintId} ${answerId}`,
          },
          [
            'Sampai malam ini lampunya masih mati.',
            '',
            'Pada Rab, 9 Des 2026 pukul 08.15, Aduan Kabupaten Karanganyar <aduan@karanganyarkab.go.id> menulis:',
            '> Petugas DPUPR akan memperbaiki lampu tersebut pada hari Rabu.',
          ],
        ));
        await servers.dovecot.waitForMessage(SUPPORT.address, (text) => headerValue(text, 'Message-ID') === replyId);
        const polled = await pollOnce();
        assert.equal(polled.envelopeIds.length, 1);
        const reply = await inbound(replyId);
        assert.equal(reply?.outcome, 'replied');
        assert.equal(reply?.complaint_id, reportId);
        const event = await database.db.selectFrom('complaint_events').selectAll().where('id', '=', reply!.event_id!).executeTakeFirstOrThrow();
        assert.equal(event.body, 'Sampai malam ini lampunya masih mati.', 'quoted history stripped');
        const report = await database.db.selectFrom('complaints').select('status').where('id', '=', reportId).executeTakeFirstOrThrow();
        assert.notEqual(report.status, 'resolved', 'the reply reopens the answered report');

        // Someone else answering the same thread gets a report of their own.
        const strangerId = `<tetangga-${backend}@contoh.id>`;
        await servers.dovecot.append(SUPPORT.address, rawMail(
          { From: 'tetangga@contoh.id', To: SUPPORT.address, Subject: 'Re: Lampu jalan mati di Jaten', 'Message-ID': strangerId, 'In-Reply-To': answerId, References: answerId },
          ['Lampu di gang sebelah juga mati, mohon dicek sekalian.'],
        ));
        await pollOnce();
        const stranger = await inbound(strangerId);
        assert.equal(stranger?.outcome, 'created');
        assert.notEqual(stranger?.complaint_id, reportId);
      });

      test('auto-reply and loop open nothing', async () => {
        const complaints = await countRows('complaints');
        const outbound = await countRows('outbound_messages');
        const vacationId = `<cuti-${backend}@contoh.id>`;
        const loopId = `<loop-${backend}@karanganyarkab.go.id>`;
        await servers.dovecot.append(SUPPORT.address, rawMail(
          { From: CITIZEN.address, To: SUPPORT.address, Subject: 'Balasan otomatis: Laporan Anda', 'Auto-Submitted': 'auto-replied', 'Message-ID': vacationId, 'In-Reply-To': '<aduan.x@karanganyarkab.go.id>' },
          ['Saya sedang cuti sampai tanggal 10 dan akan membalas setelahnya.'],
        ));
        await servers.dovecot.append(SUPPORT.address, rawMail(
          { From: SUPPORT.address, To: SUPPORT.address, Subject: 'Re: Laporan', 'X-Aduan-Loop': 'karanganyarkab.go.id', 'Message-ID': loopId },
          ['Laporan Anda sudah kami terima.'],
        ));
        // A fresh Message-ID keeps this bounce apart from the same fixture stored by the first test.
        const bounceId = `<bounce-${backend}@mailout.nyi.internal>`;
        const bounce = readFileSync(emailDir + 'postalmime__test_fixtures_bounce.eml', 'latin1').replace('<20221010053722.37BD05C00A2@mailout.nyi.internal>', bounceId);
        assert.ok(bounce.includes(bounceId), 'the bounce fixture carries the replaced Message-ID');
        await servers.dovecot.append(SUPPORT.address, Buffer.from(bounce, 'latin1'));

        const result = await pollOnce();
        assert.equal(result.envelopeIds.length, 3);
        assert.match((await inbound(vacationId))?.reason ?? '', /auto_reply/);
        assert.match((await inbound(loopId))?.reason ?? '', /loop/);
        const outcomes = result.outcomes.map((outcome) => outcome?.status);
        assert.deepEqual(outcomes, ['ignored', 'ignored', 'ignored']);
        assert.match(result.outcomes[2]?.error ?? '', /bounce/);
        assert.equal((await inbound(bounceId))?.outcome, 'ignored');
        assert.equal(await countRows('complaints'), complaints, 'no report opened');
        assert.equal(await countRows('outbound_messages'), outbound, 'no acknowledgement queued');
      });

      test('Postfix bounce opens nothing', { skip: postfixSkip }, async (t) => {
        const messageId = `<tanpa-kotak-${backend}@contoh.id>`;
        await servers.dovecot.append(SUPPORT.address, rawMail(
          { From: UNKNOWN_RECIPIENT, To: SUPPORT.address, Subject: 'Jembatan retak', 'Message-ID': messageId },
          ['Jembatan di Desa Gondangrejo retak di bagian tengah.'],
        ));
        await pollOnce();
        const opened = await inbound(messageId);
        assert.equal(opened?.outcome, 'created');
        const delivery = await deliverFor(opened.complaint_id!);
        assert.equal(delivery.sent, 1, 'Postfix accepted the acknowledgement');
        const ack = await database.db.selectFrom('outbound_messages').selectAll().where('complaint_id', '=', opened.complaint_id!).executeTakeFirstOrThrow();
        assert.equal(ack.status, 'sent');

        // Postfix cannot deliver it and returns a delivery status notification to MAIL_FROM.
        const dsn = await servers.dovecot.waitForMessage(SUPPORT.address, (source) => source.includes(ack.provider_message_id!) && /multipart\/report/i.test(source));
        assert.match(headerValue(dsn.source.toString('utf8'), 'From') ?? '', /MAILER-DAEMON@mail\.aduan\.test/);
        const complaints = await countRows('complaints');
        const outbound = await countRows('outbound_messages');
        const result = await pollOnce();
        assert.equal(result.envelopeIds.length, 1);
        assert.notEqual(result.outcomes[0]?.status, 'dead');
        assert.equal(result.outcomes[0]?.created, 0);
        assert.equal(result.outcomes[0]?.replied, 0);
        assert.equal(await countRows('complaints'), complaints, 'the bounce opens no report');
        assert.equal(await countRows('outbound_messages'), outbound, 'and gets no acknowledgement');

        // nodemailer folds our long Message-ID onto a continuation line; the bounce reader must unfold it.
        await t.test('marks our message failed', async () => {
          assert.equal(result.outcomes[0]?.statusesApplied, 1, 'the bounce names our message');
          const failed = await database.db.selectFrom('outbound_messages').select(['status']).where('id', '=', ack.id).executeTakeFirstOrThrow();
          assert.equal(failed.status, 'failed');
        });
      });

      test('unknown charset kept with raw bytes', async () => {
        const messageId = `<charset-${backend}@contoh.id>`;
        const raw = rawMail(
          { From: 'pedagang@contoh.id', To: SUPPORT.address, Subject: 'Trotoar rusak', 'Message-ID': messageId, 'Content-Type': 'text/plain; charset="x-aduan-unknown"', 'Content-Transfer-Encoding': '8bit' },
          ['Trotoar di depan Café Lawu rusak sepanjang ± 20 m.'],
          'latin1',
        );
        assert.ok(raw.includes(0xe9), 'the body carries an 8-bit byte');
        await servers.dovecot.append(SUPPORT.address, raw);
        const result = await pollOnce();
        assert.equal(result.envelopeIds.length, 1);
        const stored = await envelope(result.envelopeIds[0]);
        assert.ok(Buffer.from(stored.raw_body).equals(raw), 'raw bytes stored unchanged');
        assert.equal(stored.status, 'processed');
        const row = await inbound(messageId);
        assert.equal(row?.outcome, 'created');
        const report = await database.db.selectFrom('complaints').select('description').where('id', '=', row!.complaint_id!).executeTakeFirstOrThrow();
        assert.match(report.description, /Café Lawu/, 'decoded with the windows-1252 fallback');
        assert.match(report.description, /± 20 m/);
      });

      test('IMAP outage loses nothing', async () => {
        const messageId = `<saat-mati-${backend}@contoh.id>`;
        await servers.dovecot.append(SUPPORT.address, rawMail(
          { From: 'warga.sabar@contoh.id', To: SUPPORT.address, Subject: 'Air PDAM tidak mengalir', 'Message-ID': messageId },
          ['Air PDAM di Kelurahan Bejen tidak mengalir sejak kemarin pagi.'],
        ));
        const envelopes = await countRows('channel_envelopes');
        const { logger, lines } = recordingLogger();
        await servers.dovecot.stop();
        try {
          const failed = await pollOnce(logger);
          assert.match(failed.error ?? '', /at connect: .*ECONNREFUSED/);
          assert.equal(failed.stored, 0);
          assert.equal(await countRows('channel_envelopes'), envelopes);
          const logged = lines.join('\n');
          assert.match(logged, /IMAP poll failed; the next poll retries/);
          assert.ok(!logged.includes(SUPPORT.password), 'no password in the logs');
          assert.ok(!logged.includes('warga.sabar'), 'no sender address in the logs');
        } finally {
          await servers.dovecot.start();
        }
        const retried = await pollOnce();
        assert.equal(retried.error, undefined);
        assert.equal(retried.envelopeIds.length, 1);
        assert.equal((await inbound(messageId))?.outcome, 'created');
      });

      test('wrong password named in error', async () => {
        const { logger, lines } = recordingLogger();
        const result = await pollMailbox({ ...imap, password: 'sandi-salah-sekali' }, { store: async () => {} }, { logger });
        assert.match(result.error ?? '', /check IMAP_USER and IMAP_PASSWORD/);
        assert.ok(!lines.join('\n').includes('sandi-salah-sekali'), 'no password in the logs');
      });

      test('oversized message left flagged', async () => {
        await servers.dovecot.append(SUPPORT.address, rawMail(
          { From: 'warga.besar@contoh.id', To: SUPPORT.address, Subject: 'Foto banjir', 'Message-ID': `<besar-${backend}@contoh.id>` },
          Array.from({ length: 100 }, () => 'Banjir setinggi lutut di Jalan Solo–Tawangmangu, foto terlampir.'),
        ));
        let stored = 0;
        const limits = { maxMessageBytes: 4000 };
        const result = await pollMailbox(imap, { store: async () => { stored += 1; } }, limits);
        assert.equal(result.tooLarge, 1);
        assert.equal(stored, 0);
        const [left] = await servers.dovecot.listMessages(SUPPORT.address, 'INBOX');
        assert.ok(left.flags.has(TOO_LARGE_KEYWORD));
        assert.ok(left.flags.has('\\Flagged'));
        assert.ok(!left.flags.has('\\Seen'), 'left unread for an officer');
        const again = await pollMailbox(imap, { store: async () => { stored += 1; } }, limits);
        assert.equal(again.found, 0, 'later polls skip it');
      });

      test('pg-boss job polls the mailbox', async () => {
        const messageId = `<lewat-job-${backend}@contoh.id>`;
        await servers.dovecot.append(SUPPORT.address, rawMail(
          { From: 'warga.job@contoh.id', To: SUPPORT.address, Subject: 'Pohon tumbang', 'Message-ID': messageId },
          ['Pohon tumbang menutup Jalan Lawu dekat alun-alun.'],
        ));
        const boss = new PgBoss({ db: { executeSql: (text: string, values: unknown[]) => database.pool.query(text, values as unknown[]) }, supervise: true, schedule: true });
        boss.on('error', () => {});
        await boss.start();
        try {
          await startEmailPollJobs(boss, { db: database.db, registry, settings: imap });
          const deadline = Date.now() + 20_000;
          let row = await inbound(messageId);
          while (!row && Date.now() < deadline) {
            await new Promise((resolve) => setTimeout(resolve, 250));
            row = await inbound(messageId);
          }
          assert.equal(row?.outcome, 'created', 'the first scheduled poll stored and processed the mail');

          // The run queues its successor IMAP_POLL_SECONDS later.
          let next: { start_after: Date } | undefined;
          while (!next && Date.now() < deadline) {
            const { rows: jobs } = await database.pool.query<{ start_after: Date }>(
              "SELECT start_after FROM pgboss.job WHERE name = $1 AND state = 'created'",
              [EMAIL_POLL_QUEUE],
            );
            next = jobs[0];
            if (!next) await new Promise((resolve) => setTimeout(resolve, 250));
          }
          assert.ok(next, 'the next poll is queued');
          const delaySeconds = (new Date(next.start_after).getTime() - Date.now()) / 1000;
          assert.ok(delaySeconds > imap.pollSeconds - 15, `next poll in ${delaySeconds.toFixed(0)} s`);
        } finally {
          await boss.stop({ graceful: false, wait: true, timeout: 2000 });
        }
      });
    });
  }
});
