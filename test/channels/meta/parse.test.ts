import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseMetaWebhook } from '../../../src/channels/meta/parse.ts';
import { PayloadError } from '../../../src/domain/inbound.ts';
import { payloadProblem } from '../../support/parse.ts';

const webhooksDir = fileURLToPath(new URL('../../fixtures/webhooks/', import.meta.url));

type Counts = { messages: number; statuses: number; ignored: number } | 'malformed';
const m = (messages: number): Counts => ({ messages, statuses: 0, ignored: 0 });
const s = (statuses: number): Counts => ({ messages: 0, statuses, ignored: 0 });
const i = (ignored: number): Counts => ({ messages: 0, statuses: 0, ignored });

const expected: Record<string, Counts> = {
  // The restfb feed fixtures were posted by the Page itself (sender id = entry id): our own content.
  'facebook_page_feed/restfb_feed-comment-add-211.json': i(1),
  'facebook_page_feed/restfb_feed-comment-add-25.json': i(1),
  'facebook_page_feed/restfb_feed-comment-add-with-photo.json': i(1),
  'facebook_page_feed/restfb_feed-comment-add-with-video.json': i(1),
  'facebook_page_feed/restfb_feed-comment-edited-25.json': i(1),
  // Moderation events are kept regardless of who acted.
  'facebook_page_feed/restfb_feed-comment-hide.json': m(1),
  'facebook_page_feed/restfb_feed-comment-remove-25.json': m(1),
  'facebook_page_feed/restfb_feed-comment-unhide.json': m(1),
  'facebook_page_feed/restfb_feed-photo-add-message.json': i(1),
  'facebook_page_feed/restfb_feed-post-add-25.json': m(1),
  'facebook_page_feed/restfb_feed-reaction-add-comment.json': i(1),
  'facebook_page_feed/restfb_feed-status-add-25.json': i(1),
  'facebook_page_feed/restfb_feed-two-entries-25.json': i(2),
  'facebook_page_feed/restfb_mention-comment-add.json': i(1),
  'facebook_page_feed/restfb_mention-post-add-real.json': i(1),
  'facebook_page_feed/restfb_ratings-rating-add-31.json': i(1),
  'facebook_page_feed/restfb_unknown-change-value.json': i(1),
  'messenger/restfb_messaging-delivery-basic.json': s(1),
  'messenger/restfb_messaging-message-basic-echo.json': i(1),
  'messenger/restfb_messaging-message-basic.json': m(1),
  'messenger/restfb_messaging-message-edits.json': m(1),
  'messenger/restfb_messaging-message-fallback-attachment.json': m(1),
  'messenger/restfb_messaging-message-isdeleted.json': i(1),
  'messenger/restfb_messaging-message-isunsupported.json': m(1),
  'messenger/restfb_messaging-message-location-attachment.json': m(1),
  'messenger/restfb_messaging-message-media-attachment.json': m(1),
  'messenger/restfb_messaging-message-quickreply.json': m(1),
  'messenger/restfb_messaging-message-reply-1.json': m(1),
  'messenger/restfb_messaging-message-reply-2.json': m(1),
  'messenger/restfb_messaging-message-sticker.json': m(1),
  'messenger/restfb_messaging-optin-basic.json': i(1),
  'messenger/restfb_messaging-policy-callback-block.json': i(1),
  'messenger/restfb_messaging-postback-basic.json': i(1),
  'messenger/restfb_messaging-postback-referral.json': i(1),
  'messenger/restfb_messaging-reaction-1.json': i(1),
  'messenger/restfb_messaging-read-basic.json': s(1),
  'messenger/restfb_messaging-referral-basic.json': i(1),
  'messenger/restfb_standby-message-basic-echo.json': i(1),
  'instagram/restfb_messaging-attachment-unsupported.json': m(1),
  'instagram/restfb_messaging-seen.json': s(1),
  'instagram/restfb_wh-comments-2021.json': m(1),
  // Pre-2021 comment webhooks carry no author or media.
  'instagram/restfb_wh-comments.json': i(1),
  'instagram/restfb_wh-livecomments.json': i(1),
  'instagram/restfb_wh-mentions.json': i(1),
  'instagram/restfb_wh-story_insights.json': i(1),
};

function load(relative: string): Record<string, unknown> {
  return JSON.parse(readFileSync(webhooksDir + relative, 'utf8')) as Record<string, unknown>;
}

/** A feed fixture with the author changed to a citizen, so it is not the Page's own content. */
function fromCitizen(relative: string): Record<string, unknown> {
  const body = structuredClone(load(relative)) as { entry: Array<{ changes: Array<{ value: Record<string, unknown> }> }> };
  const value = body.entry[0].changes[0].value;
  if (value.from) value.from = { id: '5550001112223', name: 'Warga' };
  else value.sender_id = 5550001112223;
  return body;
}

describe('parseMetaWebhook', () => {
  it('parses every fixture to the expected counts', () => {
    const files = ['facebook_page_feed', 'messenger', 'instagram'].flatMap((dir) =>
      readdirSync(webhooksDir + dir).map((file) => `${dir}/${file}`),
    );
    assert.deepEqual(files.sort(), Object.keys(expected).sort(), 'every fixture has an expectation');
    for (const file of files) {
      const want = expected[file];
      if (want === 'malformed') {
        assert.match(payloadProblem(() => parseMetaWebhook(readFileSync(webhooksDir + file))), /^Invalid /, file);
        continue;
      }
      const result = parseMetaWebhook(readFileSync(webhooksDir + file));
      assert.equal(result.messages.length, want.messages, `${file}: messages`);
      assert.equal(result.statuses.length, want.statuses, `${file}: statuses`);
      assert.equal(result.ignored.length, want.ignored, `${file}: ignored`);
    }
  });

  it('parses the official documentation examples', () => {
    const docs = load('meta_official_docs_examples.json') as Record<string, { example?: Record<string, unknown>; example_partial?: Record<string, unknown> }>;
    const wrap = (event: Record<string, unknown>) =>
      event.messaging ? { object: 'page', entry: [event] } : { object: 'page', entry: [{ id: '<PAGE_ID>', time: 1458692752478, messaging: [event] }] };
    const results = Object.fromEntries(
      Object.entries(docs)
        .filter(([, value]) => typeof value === 'object' && (value.example || value.example_partial))
        .map(([name, value]) => [name, parseMetaWebhook(wrap((value.example ?? value.example_partial)!))]),
    );
    assert.equal(results.messenger_messages_text.messages[0].text, 'hello, world!');
    assert.equal(results.messenger_messages_text.messages[0].sender.value, '<PSID>');
    assert.deepEqual(results.messenger_messages_reply.messages[0].replyTo, { providerMessageId: 'm_1fTq8oLumEyIp3Q2MR-aY7IfLZDamVrALniheU' });
    assert.deepEqual(results.messenger_messages_attachment_entry.messages[0].unsupported, { type: '<image|video|audio|file|reel|ig_reel>' });
    assert.equal(results.messenger_message_deliveries.statuses[0].providerMessageId, 'mid.1458668856218:ed81099e15d3f4f233');
    assert.equal(results.messenger_message_reads.statuses[0].watermark?.upTo.getTime(), 1458668856253);
    assert.equal(results.messenger_message_echoes.ignored.length, 1);
    assert.equal(Object.keys(results).length, 6);
  });

  it('maps a citizen comment on the Page feed', () => {
    const [message] = parseMetaWebhook(fromCitizen('facebook_page_feed/restfb_feed-comment-add-with-photo.json')).messages;
    assert.equal(message.channel, 'facebook');
    assert.equal(message.conversationKind, 'comment');
    assert.equal(message.providerMessageId, '901097836652708_903438993085259');
    assert.deepEqual(message.sender, { kind: 'facebook', value: '5550001112223', displayName: 'Tester' });
    assert.equal(message.account, '1234567890321');
    assert.equal(message.text, 'and the next one');
    assert.deepEqual(message.comment, { postId: '1234567890321_901097836652708', commentId: '901097836652708_903438993085259', action: 'add' });
    assert.equal(message.attachments[0].kind, 'image');
    assert.match(message.attachments[0].url ?? '', /^https:\/\/scontent/);
    assert.equal(message.sentAt.getTime(), 1449135003 * 1000);
  });

  it('gives an edit its own id', () => {
    const [message] = parseMetaWebhook(fromCitizen('facebook_page_feed/restfb_feed-comment-edited-25.json')).messages;
    assert.equal(message.providerMessageId, '900728623356296_900744590021366:edited:1448555737');
    assert.equal(message.originalProviderMessageId, '900728623356296_900744590021366');
    assert.equal(message.edited, true);
    assert.equal(message.comment?.action, 'edited');
  });

  it('tells a second edit or hide of a comment from the first', () => {
    const event = (verb: string, entryTime: number, message = '') => ({
      object: 'page',
      entry: [{ id: '1234567890321', time: entryTime, changes: [{ field: 'feed', value: {
        item: 'comment', verb, post_id: '1234567890321_901', comment_id: '901_902', from: { id: '7100000000000001', name: 'Warga Uji' },
        message, created_time: 1796470000,
      } }] }],
    });
    const id = (body: ReturnType<typeof event>) => parseMetaWebhook(body).messages[0].providerMessageId;
    const edits = [id(event('edited', 1796470100, 'EDIT 1')), id(event('edited', 1796470200, 'EDIT 2'))];
    assert.notEqual(edits[0], edits[1], 'each edit keeps its own id');
    assert.notEqual(id(event('hide', 1796470300)), id(event('hide', 1796470500)), 'a second hide is not a duplicate of the first');
    assert.equal(id(event('edited', 1796470100, 'EDIT 1')), edits[0], 'a retried delivery keeps its id');
  });

  it('reports moderation actions', () => {
    const [hidden] = parseMetaWebhook(load('facebook_page_feed/restfb_feed-comment-hide.json')).messages;
    assert.equal(hidden.comment?.action, 'hide');
    assert.equal(hidden.providerMessageId, '900728623356296_900744590021366:hide:1467894562');
    const [removed] = parseMetaWebhook(load('facebook_page_feed/restfb_feed-comment-remove-25.json')).messages;
    assert.equal(removed.comment?.action, 'remove');
    assert.equal(removed.text, '');
    assert.equal(removed.sentAt.getTime(), 1452107182 * 1000);
  });

  it('keeps a visitor post as a comment thread', () => {
    const [post] = parseMetaWebhook(load('facebook_page_feed/restfb_feed-post-add-25.json')).messages;
    assert.equal(post.sender.displayName, 'John Doe');
    assert.equal(post.comment?.commentId, post.comment?.postId);
    assert.equal(post.text, "Let's check this");
  });

  it('ignores content by the Page itself', () => {
    const result = parseMetaWebhook(load('facebook_page_feed/restfb_feed-comment-add-25.json'));
    assert.equal(result.ignored[0].reason, 'content posted by the Page itself');
  });

  it('maps Messenger messages', () => {
    const [basic] = parseMetaWebhook(load('messenger/restfb_messaging-message-basic.json')).messages;
    assert.deepEqual(basic.sender, { kind: 'facebook', value: '987654321432' });
    assert.equal(basic.account, '12345654332');
    assert.equal(basic.sentAt.getTime(), 1457764197627);
    const [edit] = parseMetaWebhook(load('messenger/restfb_messaging-message-edits.json')).messages;
    assert.equal(edit.providerMessageId, 'mid.1457764197618:41d102a3e1ae206a38:edited:37');
    assert.equal(edit.originalProviderMessageId, 'mid.1457764197618:41d102a3e1ae206a38');
    const [location] = parseMetaWebhook(load('messenger/restfb_messaging-message-location-attachment.json')).messages;
    assert.deepEqual(location.attachments, [{ kind: 'location', latitude: 12.34, longitude: 43.21 }]);
    const [sticker] = parseMetaWebhook(load('messenger/restfb_messaging-message-sticker.json')).messages;
    assert.equal(sticker.attachments[0].kind, 'sticker');
    const [fallback] = parseMetaWebhook(load('messenger/restfb_messaging-message-fallback-attachment.json')).messages;
    assert.equal(fallback.text, 'Legacy Attachment https://www.messenger.com/');
    const [unsupported] = parseMetaWebhook(load('messenger/restfb_messaging-message-isunsupported.json')).messages;
    assert.deepEqual(unsupported.unsupported, { type: 'unsupported' });
  });

  it('maps receipts and watermarks', () => {
    const [delivered] = parseMetaWebhook(load('messenger/restfb_messaging-delivery-basic.json')).statuses;
    assert.equal(delivered.status, 'delivered');
    assert.deepEqual(delivered.recipient, { kind: 'facebook', value: '987654321432' });
    const [read] = parseMetaWebhook(load('messenger/restfb_messaging-read-basic.json')).statuses;
    assert.equal(read.providerMessageId, undefined);
    assert.equal(read.watermark?.upTo.getTime(), 1458668856253);
    const [seen] = parseMetaWebhook(load('instagram/restfb_messaging-seen.json')).statuses;
    assert.equal(seen.channel, 'instagram');
    assert.equal(seen.providerMessageId, 'MESSAGE-ID');
  });

  it('maps Instagram comments and DMs', () => {
    const [comment] = parseMetaWebhook(load('instagram/restfb_wh-comments-2021.json')).messages;
    assert.equal(comment.channel, 'instagram');
    assert.deepEqual(comment.sender, { kind: 'instagram', value: '1234536447', displayName: 'testuser' });
    assert.deepEqual(comment.comment, { postId: '76543987', commentId: '123456789', parentId: '987654321', action: 'add' });
    assert.equal(comment.text, 'This is an example.');
    const [dm] = parseMetaWebhook(load('instagram/restfb_messaging-attachment-unsupported.json')).messages;
    assert.equal(dm.conversationKind, 'direct');
    assert.deepEqual(dm.unsupported, { type: 'unsupported_type' });
  });

  it('delegates WhatsApp bodies', () => {
    const result = parseMetaWebhook(readFileSync(webhooksDir + 'signatures/meta_whatsapp_signed_body_pywa.raw'));
    assert.equal(result.messages[0].channel, 'whatsapp');
  });

  it('rejects malformed bodies', () => {
    assert.match(payloadProblem(() => parseMetaWebhook('[]')), /meta payload: the request body must be a JSON object/);
    assert.match(payloadProblem(() => parseMetaWebhook({ object: 'user', entry: [] })), /object must be "page", "instagram" or "whatsapp_business_account"/);
    assert.match(
      payloadProblem(() => parseMetaWebhook({ object: 'page', entry: [{ id: '1', time: 1, messaging: [{ recipient: { id: '1' }, timestamp: 1, message: { mid: 'm', text: 'x' } }] }] })),
      /entry\[0\]\.messaging\[0\]\.sender\.id is missing/,
    );
    assert.match(
      payloadProblem(() => parseMetaWebhook({ object: 'page', entry: [{ id: '1', time: 1, changes: [{ field: 'feed', value: { item: 'comment', verb: 'add', post_id: 'p' } }] }] })),
      /entry\[0\]\.changes\[0\]\.value\.comment_id is missing/,
    );
  });
});
