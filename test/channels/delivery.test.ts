/**
 * Outbound delivery against the fake provider servers: queueing from
 * officer events, retries with backoff, final failures on the case, receipts,
 * the WhatsApp 24-hour window, and each channel's way of answering.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import PgBoss from 'pg-boss';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../support/db.ts';
import { makeStaff, type TestStaff } from '../support/staff.ts';
import {
  graphError, startFakeMeta, startFakeSmsGateway, startFakeTelegram, startFakeWhatsApp, startFakeX, type FakeProviderServer,
} from '../support/fake-providers.ts';
import { createApp } from '../../src/web/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { createChannelRegistry, type ChannelRegistry } from '../../src/channels/registry.ts';
import type { MailTransport } from '../../src/channels/email/send.ts';
import { receiveInbound, NO_FILES } from '../../src/commands/receive-inbound.ts';
import { queueOutboundForEvent } from '../../src/commands/queue-outbound.ts';
import { receiveComplaint } from '../../src/commands/receive-complaint.ts';
import { verifyComplaint } from '../../src/commands/verify-complaint.ts';
import { dispatchComplaint } from '../../src/commands/dispatch-complaint.ts';
import { followUpComplaint } from '../../src/commands/follow-up-complaint.ts';
import { answerComplaint } from '../../src/commands/resolve-complaint.ts';
import { holdComplaint } from '../../src/commands/hold-complaint.ts';
import { addNote } from '../../src/commands/add-note.ts';
import { backoffSeconds, composeOutboundText, DELIVERY_QUEUE, deliverDueMessages, startDeliveryJobs } from '../../src/jobs/delivery.ts';
import { settleInboundProcessing } from '../../src/jobs/inbound.ts';
import type { InboundMessage } from '../../src/domain/inbound.ts';
import type { Complaint } from '../../src/db/schema.ts';

const WA_TOKEN = 'wa-access-token';
const TELEGRAM_TOKEN = '123456789:AAFakeBotTokenForTests';
const PAGE_TOKEN = 'meta-page-token';
const X_TOKEN = 'x-access-token';
const SMS_KEY = 'sms-api-key';
const WA_APP_SECRET = 'wa-app-secret-for-tests';
const HOUR = 3_600_000;

class RecordingTransport implements MailTransport {
  readonly sent: Array<Record<string, unknown>> = [];
  async sendMail(options: Record<string, unknown>) {
    this.sent.push(options);
    return { messageId: String(options.messageId) };
  }
}

let messageCounter = 0;

/** Builds a citizen message as a channel parser would produce it. */
function citizenMessage(overrides: Partial<InboundMessage> & Pick<InboundMessage, 'channel' | 'sender'>): InboundMessage {
  messageCounter += 1;
  return {
    providerMessageId: `delivery-test-${messageCounter}`,
    conversationKind: 'direct',
    text: 'Jalan di depan sekolah berlubang dan membahayakan anak-anak.',
    sentAt: new Date(Date.now() - HOUR),
    attachments: [],
    ...overrides,
  };
}

for (const backend of BACKENDS) {
  describe(`delivery on ${backend}`, () => {
    let database: TestDatabase;
    let whatsapp: FakeProviderServer;
    let telegram: FakeProviderServer;
    let meta: FakeProviderServer;
    let x: FakeProviderServer;
    let sms: FakeProviderServer & { sentCount: () => number };
    let transport: RecordingTransport;
    let config: Config;
    let registry: ChannelRegistry;
    let officer: TestStaff;
    let dpupr: TestStaff;
    let phoneCounter = 0;

    before(async () => {
      database = await createTestDatabase(backend);
      [whatsapp, telegram, meta, x, sms] = await Promise.all([
        startFakeWhatsApp({ accessToken: WA_TOKEN }),
        startFakeTelegram({ botToken: TELEGRAM_TOKEN }),
        startFakeMeta({ accessToken: PAGE_TOKEN }),
        startFakeX({ accessToken: X_TOKEN }),
        startFakeSmsGateway({ apiKey: SMS_KEY }),
      ]);
      config = {
        ...loadConfig({
          WHATSAPP_APP_SECRET: WA_APP_SECRET,
          WHATSAPP_TOKEN: WA_TOKEN,
          WHATSAPP_PHONE_NUMBER_ID: '1122334455667',
          WHATSAPP_API_URL: whatsapp.baseUrl,
          WHATSAPP_TEMPLATE_NAME: 'tanggapan_aduan',
          TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
          TELEGRAM_API_URL: telegram.baseUrl,
          META_PAGE_TOKEN: PAGE_TOKEN,
          META_API_URL: meta.baseUrl,
          X_ACCESS_TOKEN: X_TOKEN,
          X_API_URL: x.baseUrl,
          SMS_GATEWAY_URL: sms.baseUrl,
          SMS_GATEWAY_API_KEY: SMS_KEY,
          MAIL_FROM: 'aduan@karanganyarkab.go.id',
          DELIVERY_MAX_ATTEMPTS: '3',
          PUBLIC_URL: 'https://aduan.example.id',
        }),
        dataDir: '/nonexistent',
      };
      transport = new RecordingTransport();
      registry = createChannelRegistry(config.channels, { mailTransport: transport });
      officer = await makeStaff(database.db, 'complaint_officer');
      dpupr = await makeStaff(database.db, 'agency_officer', 'dpupr');
    });
    after(async () => {
      await settleInboundProcessing();
      await Promise.all([whatsapp, telegram, meta, x, sms].map((server) => server?.close()));
      await database?.dispose();
    });
    beforeEach(async () => {
      // Every test delivers only its own messages.
      await database.db.updateTable('outbound_messages').set({ status: 'failed' }).where('status', '=', 'pending').execute();
    });

    const deps = () => ({ db: database.db, registry, publicUrl: config.publicUrl });
    const ctx = (staff: TestStaff) => ({ db: database.db, actor: staff.actor });

    function nextPhone(): string {
      phoneCounter += 1;
      return `+62812200${String(phoneCounter).padStart(5, '0')}`;
    }

    /** Opens a report from a citizen message, without an acknowledgement unless asked. */
    async function openReport(message: InboundMessage, acknowledge = false): Promise<Complaint> {
      const result = await receiveInbound(database.db, message, NO_FILES, { now: new Date(), threadWindowDays: 14, acknowledge });
      if (result.outcome !== 'created') throw new Error(`expected a new report, got ${result.outcome}`);
      return database.db.selectFrom('complaints').selectAll().where('id', '=', result.complaintId!).executeTakeFirstOrThrow();
    }

    async function whatsappReport(sentAt = new Date(Date.now() - HOUR)) {
      const phone = nextPhone();
      const complaint = await openReport(citizenMessage({ channel: 'whatsapp', sender: { kind: 'whatsapp', value: phone }, alsoKnownAs: [{ kind: 'phone', value: phone }], sentAt }));
      return { complaint, phone };
    }

    /**
     * Queues an event's message as a command does, and returns the id of the
     * outbound message for that event, or null when there is none. The id is
     * read back because the command may already have queued it.
     */
    async function queue(complaint: Complaint, eventId: number) {
      const current = await database.db.selectFrom('complaints').selectAll().where('id', '=', complaint.id).executeTakeFirstOrThrow();
      await database.db.transaction().execute((trx) => queueOutboundForEvent(trx, current, eventId));
      const row = await database.db.selectFrom('outbound_messages').select('id').where('event_id', '=', eventId).executeTakeFirst();
      return row?.id ?? null;
    }

    async function answered(complaint: Complaint, body = 'Lubang sudah ditambal oleh DPUPR pada hari Kamis.') {
      const { eventId } = await answerComplaint(ctx(officer), complaint.id, { body });
      const outboundId = await queue(complaint, eventId);
      assert.ok(outboundId, 'answer queued');
      return outboundId;
    }

    async function outbound(id: number) {
      return database.db.selectFrom('outbound_messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    }

    async function events(complaintId: number, type: string) {
      return database.db.selectFrom('complaint_events').selectAll().where('complaint_id', '=', complaintId).where('type', '=', type).orderBy('id').execute();
    }

    test('only visible answers are queued', async () => {
      const { complaint } = await whatsappReport();
      await verifyComplaint(ctx(officer), complaint.id, { type: 'pengaduan', categoryCode: 'jalan-jembatan', districtCode: '33.13.09' });
      const { eventId: dispatched } = await dispatchComplaint(ctx(officer), complaint.id, { agencyCode: 'dpupr' });
      assert.equal(await queue(complaint, dispatched), null, 'a disposisi is not sent to the citizen');
      const { eventId: internal } = await followUpComplaint(ctx(dpupr), complaint.id, { body: 'Survei lokasi dijadwalkan.', visibleToCitizen: false });
      assert.equal(await queue(complaint, internal), null, 'an internal follow-up is not sent');
      const { eventId: note } = await addNote(ctx(officer), complaint.id, { body: 'Catatan internal.' });
      assert.equal(await queue(complaint, note), null);

      const { eventId: visible } = await followUpComplaint(ctx(dpupr), complaint.id, { body: 'Tim sudah meninjau lokasi dan akan memperbaiki minggu ini.' });
      const first = await queue(complaint, visible);
      assert.ok(first);
      assert.equal(await queue(complaint, visible), first, 'queued once per event and channel');
      const rows = await database.db.selectFrom('outbound_messages').selectAll().where('event_id', '=', visible).execute();
      assert.equal(rows.length, 1);
      assert.equal(rows[0].idempotency_key, `${visible}:whatsapp`);
      assert.equal(rows[0].event_type, 'followed_up');

      const { eventId: held } = await holdComplaint(ctx(dpupr), complaint.id, { reason: 'Mohon kirim foto lokasi yang lebih jelas.' });
      assert.ok(await queue(complaint, held), 'a hold asks the citizen, so it is sent');

      const { complaint: web } = await receiveComplaint({ db: database.db, actor: { kind: 'citizen' } }, {
        channel: 'web', description: 'Pertanyaan tentang jadwal posyandu di desa.', reporter: { phone: '081299990000' },
      });
      const { eventId: webAnswer } = await answerComplaint(ctx(officer), web.id, { body: 'Posyandu buka setiap Selasa pagi.' });
      assert.equal(await queue(web, webAnswer), null, 'a web report has no conversation to answer in');
      await assert.rejects(queue(web, visible), /does not belong to complaint/);
    });

    test('WhatsApp text and receipts', async () => {
      const { complaint, phone } = await whatsappReport();
      const id = await answered(complaint);
      const before = whatsapp.requests.length;
      const now = new Date();
      assert.deepEqual(await deliverDueMessages(deps(), now), { sent: 1, retrying: 0, failed: 0 });
      assert.equal(whatsapp.requests.length, before + 1);
      const request = whatsapp.requests[before];
      assert.equal(request.path, '/v21.0/1122334455667/messages');
      const body = request.body as { to: string; type: string; text: { body: string } };
      assert.equal(body.to, phone.slice(1));
      assert.equal(body.type, 'text');
      assert.match(body.text.body, /Lubang sudah ditambal/);
      assert.match(body.text.body, new RegExp(`https://aduan\\.example\\.id/lacak/${complaint.tracking_code}`));

      const sent = await outbound(id);
      assert.equal(sent.status, 'sent');
      assert.match(sent.provider_message_id ?? '', /^wamid\.FAKE\d+$/);
      assert.equal(sent.send_mode, 'text');
      const [sentEvent] = await events(complaint.id, 'message_sent');
      assert.equal(sentEvent.data.mode, 'text');
      assert.equal(sentEvent.visibility, 'internal');

      // Receipts arrive through the webhook like any other payload.
      const app = createApp({ db: database.db, config });
      const receipt = async (status: string, timestamp: number) => {
        const payload = Buffer.from(JSON.stringify({
          object: 'whatsapp_business_account',
          entry: [{ id: '1', changes: [{ field: 'messages', value: {
            messaging_product: 'whatsapp', metadata: { phone_number_id: '1122334455667' },
            statuses: [{ id: sent.provider_message_id, status, timestamp: String(timestamp), recipient_id: phone.slice(1) }],
          } }] }],
        }));
        const signature = `sha256=${createHmac('sha256', WA_APP_SECRET).update(payload).digest('hex')}`;
        const response = await app.request('/webhooks/whatsapp', { method: 'POST', body: new Uint8Array(payload), headers: { 'x-hub-signature-256': signature } });
        assert.equal(response.status, 200);
        await settleInboundProcessing();
      };
      const seconds = Math.floor(Date.now() / 1000);
      await receipt('delivered', seconds);
      await receipt('read', seconds + 5);
      await receipt('delivered', seconds + 1);
      const read = await outbound(id);
      assert.equal(read.status, 'read');
      assert.ok(read.delivered_at);
      assert.ok(read.read_at);
      const statuses = await events(complaint.id, 'delivery_status');
      assert.deepEqual(statuses.map((event) => event.data.status), ['delivered', 'read'], 'a late receipt changes nothing');
    });

    test('retryable 500 then success', async () => {
      const { complaint } = await whatsappReport();
      const id = await answered(complaint);
      const before = whatsapp.requests.length;
      whatsapp.failNext({ status: 500, body: { error: { message: 'An unknown error occurred', code: 1, type: 'OAuthException' } } });
      const now = new Date();
      const started = Date.now();
      assert.deepEqual(await deliverDueMessages(deps(), now), { sent: 0, retrying: 1, failed: 0 });
      const elapsed = Date.now() - started;
      const waiting = await outbound(id);
      assert.equal(waiting.status, 'pending');
      assert.equal(waiting.attempts, 1);
      // The wait counts from the failed send, which came after the run's start.
      const wait = waiting.next_attempt_at.getTime() - now.getTime();
      assert.ok(wait >= backoffSeconds(1) * 1000, `waits ${wait} ms, at least the backoff`);
      assert.ok(wait <= backoffSeconds(1) * 1000 + elapsed, `waits ${wait} ms, at most the backoff after the run`);
      assert.ok(waiting.last_error_code);

      assert.deepEqual(await deliverDueMessages(deps(), new Date(now.getTime() + 10_000)), { sent: 0, retrying: 0, failed: 0 }, 'not before the backoff');
      assert.deepEqual(await deliverDueMessages(deps(), new Date(now.getTime() + 31_000)), { sent: 1, retrying: 0, failed: 0 });
      assert.equal(whatsapp.requests.length, before + 2);
      const sent = await outbound(id);
      assert.equal(sent.status, 'sent');
      assert.equal(sent.attempts, 2);
      assert.equal((await events(complaint.id, 'delivery_failed')).length, 0);
    });

    test('a send that cannot be recorded with its id is not sent again', async () => {
      const first = await whatsappReport();
      const firstId = await answered(first.complaint);
      await deliverDueMessages(deps(), new Date());
      const reused = (await outbound(firstId)).provider_message_id;
      assert.ok(reused);

      // A provider that hands out an id it used before: the unique index refuses it.
      const second = await whatsappReport();
      const secondId = await answered(second.complaint);
      whatsapp.failNext({ status: 200, body: { messaging_product: 'whatsapp', contacts: [{ input: second.phone, wa_id: second.phone }], messages: [{ id: reused }] } });
      const before = whatsapp.requests.length;
      const now = new Date();
      assert.deepEqual(await deliverDueMessages(deps(), now), { sent: 1, retrying: 0, failed: 0 });
      const recorded = await outbound(secondId);
      assert.equal(recorded.status, 'sent');
      assert.equal(recorded.provider_message_id, null);
      assert.equal(recorded.last_error_code, 'provider_id_not_stored');
      assert.equal((await events(second.complaint.id, 'message_sent')).length, 1);

      // Once any claim has run out, nothing is sent again.
      await deliverDueMessages(deps(), new Date(now.getTime() + 30 * 60_000));
      assert.equal(whatsapp.requests.length, before + 1, 'sent once');
    });

    test('final error shown on the case', async () => {
      const { complaint } = await whatsappReport();
      const id = await answered(complaint);
      const deadlinesBefore = await database.db.selectFrom('complaint_deadlines').selectAll().where('complaint_id', '=', complaint.id).orderBy('clock').execute();
      const answeredRow = await database.db.selectFrom('complaints').selectAll().where('id', '=', complaint.id).executeTakeFirstOrThrow();

      whatsapp.failNext(graphError(400, 131026, 'Message undeliverable'));
      assert.deepEqual(await deliverDueMessages(deps()), { sent: 0, retrying: 0, failed: 1 });
      const failed = await outbound(id);
      assert.equal(failed.status, 'failed');
      assert.equal(failed.last_error_code, '131026');
      const [event] = await events(complaint.id, 'delivery_failed');
      assert.equal(event.data.code, '131026');
      assert.equal(event.data.category, 'recipient_unreachable');
      assert.equal(event.visibility, 'internal', 'the officer sees it; the citizen does not');

      const deadlinesAfter = await database.db.selectFrom('complaint_deadlines').selectAll().where('complaint_id', '=', complaint.id).orderBy('clock').execute();
      assert.deepEqual(deadlinesAfter, deadlinesBefore, 'a failed send does not count as a response');
      const after = await database.db.selectFrom('complaints').selectAll().where('id', '=', complaint.id).executeTakeFirstOrThrow();
      assert.deepEqual(after.first_response_at, answeredRow.first_response_at);
      assert.equal(await deliverDueMessages(deps()).then((result) => result.sent + result.failed), 0, 'a failed message is not sent again');
    });

    test('retries stop at max attempts', async () => {
      const { complaint } = await whatsappReport();
      const id = await answered(complaint);
      whatsapp.failNext({ status: 503, body: {} }, 3);
      let now = new Date();
      const results = [];
      for (let attempt = 1; attempt <= 3; attempt++) {
        results.push(await deliverDueMessages(deps(), now));
        now = new Date(now.getTime() + MAX_DELAY_MS);
      }
      assert.deepEqual(results.map((result) => [result.retrying, result.failed]), [[1, 0], [1, 0], [0, 1]]);
      const failed = await outbound(id);
      assert.equal(failed.status, 'failed');
      assert.equal(failed.attempts, 3);
      assert.equal((await events(complaint.id, 'delivery_failed')).length, 1);
    });

    test('job run twice sends once', async () => {
      const { complaint } = await whatsappReport();
      const id = await answered(complaint);
      const before = whatsapp.requests.length;
      const now = new Date();
      const [first, second] = await Promise.all([deliverDueMessages(deps(), now), deliverDueMessages(deps(), now)]);
      assert.equal(first.sent + second.sent, 1);
      await deliverDueMessages(deps(), new Date(now.getTime() + MAX_DELAY_MS));
      assert.equal(whatsapp.requests.length, before + 1, 'one request to the provider');
      assert.equal((await outbound(id)).status, 'sent');
      assert.equal((await events(complaint.id, 'message_sent')).length, 1);
    });

    test('WhatsApp template outside 24 hours', async () => {
      const { complaint } = await whatsappReport(new Date(Date.now() - 3 * 24 * HOUR));
      const id = await answered(complaint);
      const before = whatsapp.requests.length;
      assert.equal((await deliverDueMessages(deps())).sent, 1);
      const body = whatsapp.requests[before].body as { type: string; template: { name: string; language: { code: string }; components: Array<{ parameters: Array<{ text: string }> }> } };
      assert.equal(body.type, 'template');
      assert.equal(body.template.name, 'tanggapan_aduan');
      assert.equal(body.template.language.code, 'id');
      assert.equal(body.template.components[0].parameters[0].text, complaint.tracking_code);
      const sent = await outbound(id);
      assert.equal(sent.send_mode, 'template');
      assert.equal(sent.template_name, 'tanggapan_aduan');
      const [event] = await events(complaint.id, 'message_sent');
      assert.equal(event.data.templateName, 'tanggapan_aduan');

      // Inside the window by our clock, but WhatsApp says it is closed: the template follows at once.
      const { complaint: second } = await whatsappReport();
      const secondId = await answered(second);
      whatsapp.failNext(graphError(400, 131047, 'Re-engagement message'));
      assert.equal((await deliverDueMessages(deps())).sent, 1);
      assert.equal((await outbound(secondId)).send_mode, 'template');

      // Without a template, the officer learns why nothing was sent.
      const noTemplate = createChannelRegistry({ ...config.channels, whatsapp: { ...config.channels.whatsapp, templateName: undefined } });
      const { complaint: third } = await whatsappReport(new Date(Date.now() - 3 * 24 * HOUR));
      const thirdId = await answered(third);
      assert.equal((await deliverDueMessages({ ...deps(), registry: noTemplate })).failed, 1);
      assert.equal((await outbound(thirdId)).last_error_code, 'no_template');
      const [failure] = await events(third.id, 'delivery_failed');
      assert.match(String(failure.data.message), /WHATSAPP_TEMPLATE_NAME/);
    });

    test('failed receipt shown on the case', async () => {
      const { complaint } = await whatsappReport();
      const id = await answered(complaint);
      await deliverDueMessages(deps());
      const sent = await outbound(id);
      const { recordDeliveryStatus } = await import('../../src/commands/queue-outbound.ts');
      const result = await database.db.transaction().execute((trx) => recordDeliveryStatus(trx, {
        channel: 'whatsapp', providerMessageId: sent.provider_message_id!, status: 'failed', at: new Date(), error: { code: '131049', title: 'Not delivered to maintain healthy ecosystem engagement' },
      }, new Date()));
      assert.equal(result.updated, 1);
      assert.equal((await outbound(id)).status, 'failed');
      const [event] = await events(complaint.id, 'delivery_failed');
      assert.equal(event.data.source, 'provider_receipt');
      assert.equal(event.data.code, '131049');
    });

    test('receipt never listed before its send', async () => {
      const { complaint } = await whatsappReport();
      const id = await answered(complaint);
      await deliverDueMessages(deps());
      const sent = await outbound(id);
      // A receipt time in whole seconds, as an e-mail bounce's Date header gives, can be earlier than the send.
      const earlier = new Date(sent.sent_at!.getTime() - 80);
      const { recordDeliveryStatus } = await import('../../src/commands/queue-outbound.ts');
      await database.db.transaction().execute((trx) => recordDeliveryStatus(trx, {
        channel: 'whatsapp', providerMessageId: sent.provider_message_id!, status: 'failed', at: earlier, error: { code: '131026', title: 'Message undeliverable' },
      }, new Date()));
      const [failure] = await events(complaint.id, 'delivery_failed');
      assert.equal(failure.at.getTime(), sent.sent_at!.getTime(), 'dated at the send, not before it');
    });

    test('acknowledgement on each channel', async () => {
      const marks = { telegram: telegram.requests.length, meta: meta.requests.length, x: x.requests.length, sms: sms.requests.length, mail: transport.sent.length };
      const telegramReport = await openReport(citizenMessage({ channel: 'telegram', sender: { kind: 'telegram', value: '70000009' } }), true);
      const messengerReport = await openReport(citizenMessage({ channel: 'facebook', sender: { kind: 'facebook', value: '24000001' }, account: '1234567890321' }), true);
      const commentReport = await openReport(citizenMessage({
        channel: 'facebook', conversationKind: 'comment', sender: { kind: 'facebook', value: '24000002' }, account: '1234567890321',
        comment: { postId: '1234567890321_55', commentId: '55_9001', action: 'add' },
      }), true);
      const xReport = await openReport(citizenMessage({
        channel: 'x', conversationKind: 'comment', sender: { kind: 'x', value: '1600000000000000009' }, account: '1500000000000000001',
        comment: { postId: '1900000000000000500', commentId: '1900000000000000501', action: 'add' },
      }), true);
      const smsReport = await openReport(citizenMessage({ channel: 'sms', sender: { kind: 'phone', value: nextPhone() } }), true);
      const mailReport = await openReport(citizenMessage({
        channel: 'email', sender: { kind: 'email', value: 'warga.tiga@contoh.id' },
        email: { subject: 'Drainase tersumbat', messageId: '<ack-mail@contoh.id>', classification: 'human', rawSize: 100 },
      }), true);

      const result = await deliverDueMessages(deps());
      assert.deepEqual(result, { sent: 6, retrying: 0, failed: 0 });

      const telegramBody = telegram.requests[marks.telegram].body as { chat_id: string; text: string };
      assert.equal(telegramBody.chat_id, '70000009');
      assert.match(telegramBody.text, new RegExp(telegramReport.tracking_code));

      const metaRequests = meta.requests.slice(marks.meta);
      const messenger = metaRequests.find((request) => request.path === '/v21.0/1234567890321/messages');
      assert.ok(messenger, 'Send API called for the Page that received the message');
      assert.equal((messenger.body as { recipient: { id: string } }).recipient.id, '24000001');
      assert.match((messenger.body as { message: { text: string } }).message.text, new RegExp(messengerReport.tracking_code));
      const privateReply = metaRequests.find((request) => (request.body as { recipient?: { comment_id?: string } }).recipient?.comment_id === '55_9001');
      assert.ok(privateReply, 'the comment author gets the tracking code privately');
      assert.match((privateReply.body as { message: { text: string } }).message.text, new RegExp(commentReport.tracking_code));
      assert.ok(!metaRequests.some((request) => request.path.endsWith('/comments')), 'no public reply with the tracking code');

      const xRequest = x.requests[marks.x];
      assert.equal(xRequest.path, '/2/dm_conversations/with/1600000000000000009/messages', 'X author gets a direct message');
      assert.match((xRequest.body as { text: string }).text, new RegExp(xReport.tracking_code));
      const xRow = await database.db.selectFrom('outbound_messages').selectAll().where('complaint_id', '=', xReport.id).executeTakeFirstOrThrow();
      assert.equal(xRow.send_mode, 'private_reply');

      const smsRequest = sms.requests[marks.sms];
      const smsRow = await database.db.selectFrom('outbound_messages').selectAll().where('complaint_id', '=', smsReport.id).executeTakeFirstOrThrow();
      assert.equal(smsRequest.headers['idempotency-key'], smsRow.idempotency_key);

      const mail = transport.sent[marks.mail];
      assert.equal(mail.to, 'warga.tiga@contoh.id');
      assert.equal(mail.inReplyTo, '<ack-mail@contoh.id>');
      assert.equal(mail.subject, 'Re: Drainase tersumbat');
      assert.equal((mail.headers as Record<string, string>)['Auto-Submitted'], 'auto-generated');
      assert.match(String(mail.text), new RegExp(mailReport.tracking_code));
    });

    test('public replies carry no answer', async () => {
      const instagram = await openReport(citizenMessage({
        channel: 'instagram', conversationKind: 'comment', sender: { kind: 'instagram', value: '17840000001' }, account: '17841400000000001',
        comment: { postId: '18000000000000001', commentId: '18000000000000002', action: 'add' },
      }));
      await answered(instagram, 'Nomor telepon petugas kami 0271-495039, silakan hubungi.');
      const xReport = await openReport(citizenMessage({
        channel: 'x', conversationKind: 'comment', sender: { kind: 'x', value: '1600000000000000010' }, account: '1500000000000000001',
        comment: { postId: '1900000000000000600', commentId: '1900000000000000601', action: 'add' },
      }));
      const { eventId: held } = await holdComplaint(ctx(officer), xReport.id, { reason: 'Mohon sebutkan nama dusun dan RT lokasi jalan tersebut.' });
      assert.ok(await queue(xReport, held));

      const metaMark = meta.requests.length;
      const xMark = x.requests.length;
      assert.equal((await deliverDueMessages(deps())).sent, 2);
      const reply = meta.requests[metaMark];
      assert.equal(reply.path, '/v21.0/18000000000000002/replies');
      const replyText = (reply.body as { message: string }).message;
      assert.doesNotMatch(replyText, /495039/, 'no officer text in public');
      assert.doesNotMatch(replyText, new RegExp(instagram.tracking_code), 'no tracking code in public');
      const post = x.requests[xMark].body as { text: string; reply: { in_reply_to_tweet_id: string } };
      assert.equal(post.reply.in_reply_to_tweet_id, '1900000000000000601');
      assert.ok(Array.from(post.text).length <= 280);
      assert.doesNotMatch(post.text, /dusun/);
      assert.doesNotMatch(post.text, new RegExp(xReport.tracking_code));
    });

    test('long answer cut to fit', () => {
      const text = composeOutboundText({ event_type: 'resolved', body: 'a'.repeat(5000), conversation_kind: 'direct' }, 'ADU-2026-00001', 'https://aduan.example.id', 918);
      assert.ok(text.length <= 918, `length ${text.length}`);
      assert.match(text, /https:\/\/aduan\.example\.id\/lacak\/ADU-2026-00001$/);
      assert.match(text, /a\.\.\.\n/);
      assert.match(text, /^[\x20-\x7e\n]*$/, 'plain ASCII, so a cut SMS stays in the GSM 7-bit alphabet');
    });

    test('a cut never splits an emoji', () => {
      const fixed = composeOutboundText({ event_type: 'resolved', body: '', conversation_kind: 'direct' }, 'ADU-2026-00001', 'https://aduan.example.id', 918).length;
      const room = 918 - fixed;
      // The cut falls right after the first half of the emoji.
      const body = `${'a'.repeat(room - 3 - 1)}\u{1F600}${'b'.repeat(100)}`;
      const text = composeOutboundText({ event_type: 'resolved', body, conversation_kind: 'direct' }, 'ADU-2026-00001', 'https://aduan.example.id', 918);
      assert.ok(text.length <= 918);
      assert.equal(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.test(text), false, 'no lone high surrogate');
      assert.ok(text.includes(`${'a'.repeat(room - 4)}...`), 'cut before the emoji');
    });

    test('pg-boss worker delivers', async () => {
      const { complaint } = await whatsappReport();
      const id = await answered(complaint);
      const boss = new PgBoss({ db: { executeSql: (text: string, values: unknown[]) => database.pool.query(text, values) }, supervise: false, schedule: false });
      await boss.start();
      try {
        await startDeliveryJobs(boss, deps());
        await boss.send(DELIVERY_QUEUE, {});
        const deadline = Date.now() + 20_000;
        while ((await outbound(id)).status === 'pending' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
        assert.equal((await outbound(id)).status, 'sent');
      } finally {
        await boss.stop({ graceful: false, wait: true, close: false });
      }
    });
  });
}

/** Longer than any backoff step, to make the next attempt due. */
const MAX_DELAY_MS = 3_600_001;
