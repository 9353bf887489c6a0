/**
 * Officer notifications end to end: case events are queued as rows and sent
 * by e-mail to a real SMTP server, an `smtp-server` sink on 127.0.0.1 that
 * records every message it accepts and can refuse recipients with a 451.
 * One report goes through disposisi, a citizen's reply, a deadline reminder
 * at night and a breach; the deadline scan writes the reminder and breach.
 */
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../support/db.ts';
import { makeStaff, type TestStaff } from '../support/staff.ts';
import { loadConfig } from '../../src/config.ts';
import { receiveComplaint } from '../../src/commands/receive-complaint.ts';
import { verifyComplaint } from '../../src/commands/verify-complaint.ts';
import { dispatchComplaint } from '../../src/commands/dispatch-complaint.ts';
import { replyAsCitizen } from '../../src/commands/reopen-complaint.ts';
import { saveNotificationPreferences } from '../../src/commands/notifications.ts';
import { scanDeadlines } from '../../src/jobs/deadlines.ts';
import { notificationDepsFromConfig, runNotificationCycle, type NotificationDeps } from '../../src/jobs/notifications.ts';

const citizen = { kind: 'citizen' } as const;
const MAIL_FROM = 'aduan@karanganyarkab.go.id';

// The reporter's identity, which no notification may carry.
const REPORTER = { name: 'Sri Wahyuni', phone: '081234567890', email: 'sri.wahyuni@contoh.id' };
const IDENTITY_TRACES = [/sri/i, /wahyuni/i, /3456/, /contoh\.id/];

/** A WIB wall-clock instant. */
function wib(dateTime: string): Date {
  return new Date(`${dateTime}:00+07:00`);
}

interface ReceivedMail {
  to: string[];
  subject: string;
  text: string;
}

/** An SMTP sink on 127.0.0.1 that parses and keeps every accepted message. */
async function startSmtpSink() {
  const received: ReceivedMail[] = [];
  let refuseNext = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(_address, _session, callback) {
      if (refuseNext > 0) {
        refuseNext -= 1;
        const error = new Error('Mailbox busy, try again later') as Error & { responseCode: number };
        error.responseCode = 451;
        callback(error);
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          received.push({ to: session.envelope.rcptTo.map((rcpt) => rcpt.address), subject: mail.subject ?? '', text: mail.text ?? '' });
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return {
    received,
    url: `smtp://127.0.0.1:${port}`,
    refuse(times: number) {
      refuseNext = times;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

for (const backend of BACKENDS) {
  describe(`officer notifications on ${backend}`, () => {
    let database: TestDatabase;
    let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
    let deps: NotificationDeps;
    let officer: TestStaff;
    let dpupr: TestStaff;
    let dpuprDigest: TestStaff;
    let dlh: TestStaff;
    let complaintId: number;
    let trackingCode: string;

    const mailTo = (staff: TestStaff) => smtp.received.filter((mail) => mail.to.includes(staff.email));

    before(async () => {
      database = await createTestDatabase(backend);
      smtp = await startSmtpSink();
      const config = loadConfig({ SMTP_URL: smtp.url, MAIL_FROM, PUBLIC_URL: 'https://aduan.karanganyarkab.go.id', DATA_DIR: 'memory://' });
      deps = notificationDepsFromConfig(database.db, config);
      officer = await makeStaff(database.db, 'complaint_officer');
      dpupr = await makeStaff(database.db, 'agency_officer', 'dpupr');
      dpuprDigest = await makeStaff(database.db, 'agency_officer', 'dpupr');
      dlh = await makeStaff(database.db, 'agency_officer', 'dlh');
      await saveNotificationPreferences({ db: database.db, actor: dpuprDigest.actor }, {
        emailEnabled: true, telegramEnabled: false, whatsappEnabled: false, dailyDigest: true,
      });

      // Monday 6 April 2026, an ordinary working week.
      const { complaint } = await receiveComplaint({ db: database.db, actor: citizen, now: wib('2026-04-06T09:00') }, {
        type: 'pengaduan',
        description: `Jalan di depan balai desa berlubang. Saya ${REPORTER.name}, hubungi 0812-3456-7890 atau ${REPORTER.email}.`,
        channel: 'web',
        privacy: 'public',
        reporter: REPORTER,
      });
      complaintId = complaint.id;
      trackingCode = complaint.tracking_code;
      await verifyComplaint({ db: database.db, actor: officer.actor, now: wib('2026-04-06T09:20') }, complaintId, {
        type: 'pengaduan', categoryCode: 'jalan-jembatan', districtCode: '33.13.11',
      });
      await dispatchComplaint({ db: database.db, actor: officer.actor, now: wib('2026-04-06T09:30') }, complaintId, { agencyCode: 'dpupr' });
    });
    after(async () => {
      await smtp?.close();
      await database?.dispose();
    });

    test('disposisi mailed to the agency once, even when the job runs again', async () => {
      const first = await runNotificationCycle(deps, wib('2026-04-06T09:31'));
      assert.equal(first.queued, 2, 'one row for each DPUPR officer');
      assert.equal(first.sent, 1, 'the digest officer waits for tomorrow');
      assert.equal(mailTo(dpupr).length, 1);
      assert.match(mailTo(dpupr)[0].subject, new RegExp(`Disposisi baru ${trackingCode}`));
      assert.match(mailTo(dpupr)[0].text, new RegExp(`/staff/complaints/${complaintId}`));

      // A retried job and a second process scanning at once queue and send nothing more.
      const [again, parallel] = await Promise.all([
        runNotificationCycle(deps, wib('2026-04-06T09:32')),
        runNotificationCycle(deps, wib('2026-04-06T09:32')),
      ]);
      assert.equal(again.queued + parallel.queued, 0);
      assert.equal(again.sent + parallel.sent, 0);
      assert.equal(mailTo(dpupr).length, 1, 'never sent twice');
      assert.equal(mailTo(dlh).length, 0, 'another agency hears nothing');
      const rows = await database.db.selectFrom('officer_notifications').select(['user_id', 'channel', 'kind']).where('complaint_id', '=', complaintId).execute();
      assert.equal(rows.length, 2);
    });

    test('failed send retried after backoff, delivered once', async () => {
      await replyAsCitizen({ db: database.db, actor: citizen, now: wib('2026-04-06T10:00') }, complaintId, {
        body: `Tambahan dari ${REPORTER.name}: lubangnya makin lebar, kabari saya di 081234567890.`,
      });
      smtp.refuse(1);
      const failed = await runNotificationCycle(deps, wib('2026-04-06T10:01'));
      assert.equal(failed.retrying, 1);
      const pending = await database.db.selectFrom('officer_notifications').selectAll().where('kind', '=', 'citizen_replied').where('user_id', '=', dpupr.user.id)
        .executeTakeFirstOrThrow();
      assert.equal(pending.status, 'pending');
      assert.equal(pending.attempts, 1);
      assert.equal(pending.last_error_code, 'smtp_451');

      const tooSoon = await runNotificationCycle(deps, wib('2026-04-06T10:01'));
      assert.equal(tooSoon.sent, 0, 'waits for the backoff');
      const retried = await runNotificationCycle(deps, new Date(wib('2026-04-06T10:01').getTime() + 31_000));
      assert.equal(retried.sent, 1);
      const replies = mailTo(dpupr).filter((mail) => mail.subject.includes('Balasan warga'));
      assert.equal(replies.length, 1);
      assert.match(replies[0].text, /lubangnya makin lebar/);
      await runNotificationCycle(deps, wib('2026-04-06T11:00'));
      assert.equal(mailTo(dpupr).filter((mail) => mail.subject.includes('Balasan warga')).length, 1, 'never sent twice');
    });

    test('reminder at night waits for working hours', async () => {
      // The first follow-up is due at the end of Monday 13 April; the scan at 03:00 WIB writes the reminder.
      const scan = await scanDeadlines(database.db, wib('2026-04-13T03:00'));
      assert.ok(scan.reminders >= 1);
      const night = await runNotificationCycle(deps, wib('2026-04-13T03:01'));
      assert.ok(night.queued >= 1);
      assert.equal(mailTo(dpupr).filter((mail) => mail.subject.includes('segera tiba')).length, 0, 'nothing at 03:00');
      const row = await database.db.selectFrom('officer_notifications').select('next_attempt_at').where('kind', '=', 'deadline_reminder')
        .where('user_id', '=', dpupr.user.id).executeTakeFirstOrThrow();
      assert.deepEqual(row.next_attempt_at, wib('2026-04-13T07:30'));
      await runNotificationCycle(deps, wib('2026-04-13T07:31'));
      const reminders = mailTo(dpupr).filter((mail) => mail.subject.includes('segera tiba'));
      assert.equal(reminders.length, 1);
      assert.match(reminders[0].text, /tindak lanjut pertama/);
      assert.match(reminders[0].text, /13 April 2026/);
    });

    test('breach sent at once, even at night and in digest mode', async () => {
      const scan = await scanDeadlines(database.db, wib('2026-04-14T00:30'));
      assert.ok(scan.breaches >= 1);
      await runNotificationCycle(deps, wib('2026-04-14T00:31'));
      for (const staff of [dpupr, dpuprDigest]) {
        const breaches = mailTo(staff).filter((mail) => mail.subject.includes('terlewati'));
        assert.equal(breaches.length, 1, `${staff.email} gets the breach at 00:31`);
      }
      // Nobody holds the case, so the complaint officers hear of the breach too.
      assert.equal(mailTo(officer).filter((mail) => mail.subject.includes('terlewati')).length, 1);
    });

    test('digest collects waiting notifications into one message', async () => {
      const digests = mailTo(dpuprDigest).filter((mail) => /Ringkasan harian/.test(mail.subject));
      // Due on Tuesday 7 April at 07:30; the job first runs again on the 13th at 03:01, which is off work, so it goes at 07:31.
      assert.equal(digests.length, 1);
      assert.match(digests[0].subject, /Ringkasan harian: 3 pemberitahuan/);
      assert.match(digests[0].text, /Disposisi baru/);
      assert.match(digests[0].text, /Balasan warga/);
      assert.match(digests[0].text, /segera tiba/);
      const unsent = await database.db.selectFrom('officer_notifications').select('id').where('user_id', '=', dpuprDigest.user.id)
        .where('status', '!=', 'sent').execute();
      assert.equal(unsent.length, 0);
    });

    test('no message carries the reporter identity', async () => {
      assert.ok(smtp.received.length >= 6);
      for (const mail of smtp.received) {
        for (const trace of IDENTITY_TRACES) {
          assert.doesNotMatch(`${mail.subject}\n${mail.text}`, trace, `a notification to ${mail.to.join(',')} leaks ${trace}`);
        }
      }
    });
  });
}
