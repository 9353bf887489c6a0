import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseWhatsAppWebhook } from '../../../src/channels/whatsapp/parse.ts';
import { PayloadError } from '../../../src/domain/inbound.ts';
import { payloadProblem } from '../../support/parse.ts';

const fixtureDir = fileURLToPath(new URL('../../fixtures/webhooks/whatsapp/', import.meta.url));

/** Expected counts per fixture; pywa files hold several cases keyed by name. */
type Counts = { messages: number; statuses: number; ignored: number } | 'malformed';
const m = (messages: number, ignored = 0): Counts => ({ messages, statuses: 0, ignored });
const s = (statuses: number): Counts => ({ messages: 0, statuses, ignored: 0 });
const i = (ignored: number): Counts => ({ messages: 0, statuses: 0, ignored });

const expected: Record<string, Counts> = {
  'pywa_callback_button.json#button': m(1),
  'pywa_callback_button.json#quick_reply': m(1),
  'pywa_callback_button.json#quick_reply_without_context': m(1),
  'pywa_callback_selection.json#callback': m(1),
  'pywa_callback_selection.json#description': m(1),
  'pywa_deleted_message.json#revoke': i(1),
  'pywa_edited_message.json#image': m(1),
  'pywa_message.json#text': m(1),
  'pywa_message.json#image': m(1),
  'pywa_message.json#media_with_url': m(1),
  'pywa_message.json#video': m(1),
  'pywa_message.json#document': m(1),
  'pywa_message.json#audio': m(1),
  'pywa_message.json#voice': m(1),
  'pywa_message.json#static_sticker': m(1),
  'pywa_message.json#animated_sticker': m(1),
  'pywa_message.json#reaction': i(1),
  'pywa_message.json#unreaction_empty': i(1),
  'pywa_message.json#unreaction_no_emoji': i(1),
  'pywa_message.json#current_location': m(1),
  'pywa_message.json#chosen_location': m(1),
  'pywa_message.json#contacts': m(1),
  'pywa_message.json#order': m(1),
  'pywa_message.json#unsupported': m(1),
  'pywa_message.json#unsupported_with_type': m(1),
  'pywa_message.json#reply': m(1),
  'pywa_message.json#forwarded': m(1),
  'pywa_message.json#forwarded_many_times': m(1),
  'pywa_message.json#interactive_message_with_err': m(1, 1),
  'pywa_message.json#referral': m(1),
  'pywa_message_status.json#sent': s(1),
  'pywa_message_status.json#delivered': s(1),
  'pywa_message_status.json#read': s(1),
  'pywa_message_status.json#played': s(1),
  'pywa_message_status.json#failed': s(1),
  'pywa_message_status.json#with_tracker': s(1),
  'pywa_message_status.json#group': s(1),
  'pywa_outgoing_message.json#text': i(1),
  'pywa_outgoing_message.json#delete': i(1),
  'pywa_outgoing_message.json#edit': i(1),
  'pywa_system.json#phone_number_change': i(1),
  'pywa_system.json#identity_change': i(1),
  'restfb_webhook-accountReviewUpdate.json': i(1),
  'restfb_webhook-accountUpdate-banned.json': i(1),
  'restfb_webhook-accountUpdate-verified.json': i(1),
  'restfb_webhook-businessUsernameUpdate-approved.json': i(1),
  'restfb_webhook-group-participants-update.json': i(1),
  'restfb_webhook-incoming-message-ads.json': m(1),
  'restfb_webhook-incoming-message-audio.json': m(1),
  'restfb_webhook-incoming-message-button.json': m(1),
  'restfb_webhook-incoming-message-contacts-request-bsuid.json': m(1),
  'restfb_webhook-incoming-message-contacts.json': m(1),
  // "from": "REDACTED" is not a phone number.
  'restfb_webhook-incoming-message-contacts2.json': 'malformed',
  'restfb_webhook-incoming-message-document.json': m(1),
  'restfb_webhook-incoming-message-emoji.json': i(1),
  'restfb_webhook-incoming-message-error.json': m(1),
  'restfb_webhook-incoming-message-image.json': m(1),
  'restfb_webhook-incoming-message-interactive-btn.json': m(1),
  'restfb_webhook-incoming-message-interactive-list.json': m(1),
  'restfb_webhook-incoming-message-location.json': m(1),
  'restfb_webhook-incoming-message-status-bsuid.json': s(1),
  'restfb_webhook-incoming-message-status-errors.json': s(1),
  'restfb_webhook-incoming-message-status-group-bsuid.json': s(1),
  // "timestamp": "TIMESTAMP" is a documentation placeholder.
  'restfb_webhook-incoming-message-status-ui.json': 'malformed',
  'restfb_webhook-incoming-message-sticker.json': m(1),
  'restfb_webhook-incoming-message-system-bsuid.json': i(1),
  'restfb_webhook-incoming-message-system.json': i(1),
  'restfb_webhook-incoming-message-text-bsuid.json': i(1),
  'restfb_webhook-incoming-message-text.json': m(1),
  'restfb_webhook-incoming-message-unsupported.json': m(1),
  'restfb_webhook-incoming-message-video.json': m(1),
  'restfb_webhook-messageTemplateStatusUpdate-approved.json': i(1),
  'restfb_webhook-messageTemplateStatusUpdate-disabling.json': i(1),
  'restfb_webhook-phoneNumberNameUpdate.json': i(1),
  'restfb_webhook-phoneNumberQualityUpdate.json': i(1),
  'restfb_webhook-userIdUpdate.json': i(1),
};

/** Every webhook body in the fixture folder, keyed like `expected`. */
function loadCases(): Map<string, unknown> {
  const cases = new Map<string, unknown>();
  for (const file of readdirSync(fixtureDir).sort()) {
    const json = JSON.parse(readFileSync(fixtureDir + file, 'utf8')) as Record<string, unknown>;
    if (json.object !== undefined) {
      cases.set(file, json);
      continue;
    }
    for (const [name, body] of Object.entries(json)) cases.set(`${file}#${name}`, body);
  }
  return cases;
}

function bodyOf(key: string): Record<string, unknown> {
  const body = loadCases().get(key);
  assert.ok(body, `fixture case ${key} exists`);
  return body as Record<string, unknown>;
}

describe('parseWhatsAppWebhook', () => {
  it('parses every fixture to the expected counts', () => {
    const cases = loadCases();
    assert.deepEqual([...cases.keys()].sort(), Object.keys(expected).sort(), 'every fixture case has an expectation');
    for (const [key, body] of cases) {
      const want = expected[key];
      if (want === 'malformed') {
        assert.match(payloadProblem(() => parseWhatsAppWebhook(body as Record<string, unknown>)), /^Invalid /, key);
        continue;
      }
      const result = parseWhatsAppWebhook(body as Record<string, unknown>);
      assert.equal(result.messages.length, want.messages, `${key}: messages`);
      assert.equal(result.statuses.length, want.statuses, `${key}: statuses`);
      assert.equal(result.ignored.length, want.ignored, `${key}: ignored`);
    }
  });

  it('accepts the raw signed body as bytes', () => {
    const raw = readFileSync(fileURLToPath(new URL('../../fixtures/webhooks/signatures/meta_whatsapp_signed_body_pywa.raw', import.meta.url)));
    const [message] = parseWhatsAppWebhook(raw).messages;
    assert.equal(message.text, 'Hey there! I am using PyWa.');
    assert.equal(message.sender.value, '+972544401243');
    assert.equal(message.sender.displayName, 'PyWa Tests');
    assert.equal(message.account, '277321005464405');
    assert.equal(message.sentAt.toISOString(), new Date(1730231903 * 1000).toISOString());
  });

  it('maps a text message with phone alias', () => {
    const [message] = parseWhatsAppWebhook(bodyOf('restfb_webhook-incoming-message-text.json')).messages;
    assert.equal(message.channel, 'whatsapp');
    assert.equal(message.conversationKind, 'direct');
    assert.deepEqual(message.sender, { kind: 'whatsapp', value: '+491234567890', displayName: 'TestUser' });
    assert.deepEqual(message.alsoKnownAs, [{ kind: 'phone', value: '+491234567890' }]);
    assert.equal(message.text, 'Test');
    assert.equal(message.providerMessageId, 'wamid.HBgNNDkxNTIwOTgzMzM5OBUCABIYHGDEHJVFHJEVCFHJEVBCMTkyODk1OEIyAA==');
  });

  it('maps media with caption and hash', () => {
    const [message] = parseWhatsAppWebhook(bodyOf('pywa_message.json#document')).messages;
    assert.equal(message.text, 'caption');
    assert.equal(message.forwarded, true);
    assert.deepEqual(message.attachments, [
      {
        kind: 'document',
        providerMediaId: '1234567890987654321',
        mimeType: 'application/pdf',
        sha256: 'grwfwe/ZPx0wAbdfbdeFUNItPZ0RylL8gGUvdt3YFqc18SY=',
        fileName: 'filename.pdf',
        caption: 'caption',
      },
    ]);
  });

  it('maps a shared location with its label', () => {
    const [message] = parseWhatsAppWebhook(bodyOf('pywa_message.json#chosen_location')).messages;
    const [location] = message.attachments;
    assert.equal(location.kind, 'location');
    assert.equal(location.latitude, 37.4611978);
    assert.equal(location.longitude, -122.2164385);
    assert.equal(location.caption, 'Facebook HQ, 1 Hacker Way, Menlo Park, CA 94025');
  });

  it('normalises contact card phones', () => {
    const [message] = parseWhatsAppWebhook(bodyOf('pywa_message.json#contacts')).messages;
    assert.deepEqual(message.attachments[0].contact, { name: 'Chandler Bing', phones: ['+15555555555'] });
    assert.equal(message.attachments.length, 3);
  });

  it('marks unsupported types with the real type', () => {
    const [withType] = parseWhatsAppWebhook(bodyOf('pywa_message.json#unsupported_with_type')).messages;
    assert.deepEqual(withType.unsupported, { type: 'pool' });
    assert.equal(withType.text, '');
    const [order] = parseWhatsAppWebhook(bodyOf('pywa_message.json#order')).messages;
    assert.deepEqual(order.unsupported, { type: 'order' });
    const [unknown] = parseWhatsAppWebhook(bodyOf('restfb_webhook-incoming-message-error.json')).messages;
    assert.deepEqual(unknown.unsupported, { type: 'unknown' });
  });

  it('links edits and replies', () => {
    const [edit] = parseWhatsAppWebhook(bodyOf('pywa_edited_message.json#image')).messages;
    assert.equal(edit.edited, true);
    assert.equal(edit.originalProviderMessageId, 'wamid.HBgLMTQxMjU1NTA4MjkVAgASGBQzQUNCNjk5RDUwNUZGMUZEM0VBRAA=');
    assert.equal(edit.text, 'Updated image caption');
    assert.equal(edit.attachments[0].kind, 'image');
    const [reply] = parseWhatsAppWebhook(bodyOf('pywa_message.json#reply')).messages;
    assert.deepEqual(reply.replyTo, { providerMessageId: 'wamid.xyzxyz==' });
  });

  it('uses the business-scoped user id without a phone', () => {
    const [message] = parseWhatsAppWebhook(bodyOf('restfb_webhook-incoming-message-contacts-request-bsuid.json')).messages;
    assert.deepEqual(message.sender, { kind: 'whatsapp', value: 'US.13491208655302741918', displayName: 'Sheena Nelson' });
    assert.equal(message.alsoKnownAs, undefined);
  });

  it('keeps the user id as an alias next to the phone', () => {
    const [message] = parseWhatsAppWebhook(bodyOf('pywa_callback_button.json#quick_reply_without_context')).messages;
    assert.deepEqual(message.alsoKnownAs, [
      { kind: 'phone', value: '+972987654321' },
      { kind: 'whatsapp', value: 'US.13491208655302741918' },
    ]);
  });

  it('maps statuses with errors', () => {
    const [failed] = parseWhatsAppWebhook(bodyOf('restfb_webhook-incoming-message-status-errors.json')).statuses;
    assert.equal(failed.status, 'failed');
    assert.deepEqual(failed.error, { code: '131026', title: 'Receiver is incapable of receiving this message' });
    const [played] = parseWhatsAppWebhook(bodyOf('pywa_message_status.json#played')).statuses;
    assert.equal(played.status, 'read');
    assert.deepEqual(played.recipient, { kind: 'whatsapp', value: '+972987654321' });
  });

  it('ignores group messages and echoes', () => {
    const group = parseWhatsAppWebhook(bodyOf('restfb_webhook-incoming-message-text-bsuid.json'));
    assert.match(group.ignored[0].reason, /group/);
    const echo = parseWhatsAppWebhook(bodyOf('pywa_outgoing_message.json#text'));
    assert.match(echo.ignored[0].reason, /echo/);
  });

  it('rejects malformed bodies with the path', () => {
    assert.match(payloadProblem(() => parseWhatsAppWebhook('{not json')), /whatsapp payload: the request body is not valid JSON/);
    assert.match(payloadProblem(() => parseWhatsAppWebhook('')), /request body is empty/);
    assert.match(payloadProblem(() => parseWhatsAppWebhook({ object: 'page', entry: [] })), /object must be "whatsapp_business_account"/);
    assert.match(payloadProblem(() => parseWhatsAppWebhook({ object: 'whatsapp_business_account' })), /entry is missing/);
    const missingId = structuredClone(bodyOf('pywa_message.json#text')) as { entry: Array<{ changes: Array<{ value: { messages: Array<Record<string, unknown>> } }> }> };
    delete missingId.entry[0].changes[0].value.messages[0].id;
    assert.equal(payloadProblem(() => parseWhatsAppWebhook(missingId)), 'Invalid whatsapp payload: entry[0].changes[0].value.messages[0].id is missing.');
  });
});
