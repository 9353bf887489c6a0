import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseSmsGatewayWebhook } from '../../../src/channels/sms/parse.ts';
import { payloadProblem } from '../../support/parse.ts';

describe('parseSmsGatewayWebhook', () => {
  it('maps an incoming SMS', () => {
    const result = parseSmsGatewayWebhook(
      '{"id":"gw-000123","from":"0812-3456-7890","to":"+62271495039","text":"Lampu jalan mati","receivedAt":"2026-03-13T16:00:00+07:00"}',
    );
    assert.deepEqual(result.messages, [
      {
        channel: 'sms',
        providerMessageId: 'gw-000123',
        conversationKind: 'direct',
        sender: { kind: 'phone', value: '+6281234567890' },
        account: '+62271495039',
        text: 'Lampu jalan mati',
        sentAt: new Date('2026-03-13T09:00:00Z'),
        attachments: [],
      },
    ]);
  });

  it('maps a batch with a delivery report', () => {
    const result = parseSmsGatewayWebhook({
      events: [
        { type: 'message', id: 'gw-1', from: '+6285612345678', to: '1500', text: 'Halo', receivedAt: '2026-03-13T09:00:00Z' },
        { type: 'status', messageId: 'gw-out-9', status: 'failed', at: '2026-03-13T09:01:00Z', errorCode: 'EXPIRED', errorMessage: 'Validity period expired' },
      ],
    });
    assert.equal(result.messages.length, 1);
    assert.deepEqual(result.statuses, [
      { channel: 'sms', providerMessageId: 'gw-out-9', status: 'failed', at: new Date('2026-03-13T09:01:00Z'), error: { code: 'EXPIRED', title: 'Validity period expired' } },
    ]);
  });

  it('ignores alphanumeric senders', () => {
    const result = parseSmsGatewayWebhook({ id: 'gw-2', from: 'TELKOMSEL', to: '+62271495039', text: 'Promo', receivedAt: '2026-03-13T09:00:00Z' });
    assert.equal(result.messages.length, 0);
    assert.equal(result.ignored[0].providerId, 'gw-2');
  });

  it('reads the good events of a batch with a malformed one', () => {
    const result = parseSmsGatewayWebhook({ events: [
      { id: 'gw-10', from: '081200000011', to: '+62271495039', text: 'Jembatan gantung putus talinya', receivedAt: '2026-03-13T09:00:00Z' },
      { id: 'gw-11', from: '081200000012', to: '+62271495039', text: 'Lampu jalan mati', receivedAt: '2026-03-13 21:00:00' },
    ] });
    assert.deepEqual(result.messages.map((message) => message.providerMessageId), ['gw-10']);
    assert.deepEqual(result.rejected, ['Invalid sms payload: events[1].receivedAt must be an ISO 8601 time with a zone, e.g. 2026-03-13T16:00:00+07:00.']);
  });

  it('rejects missing fields and zoneless times', () => {
    assert.match(payloadProblem(() => parseSmsGatewayWebhook({ from: '0812', to: 'x', text: 'y', receivedAt: '2026-03-13T09:00:00Z' })), /sms payload: id is missing/);
    assert.match(
      payloadProblem(() => parseSmsGatewayWebhook({ id: 'a', from: '081234567890', to: 'x', text: 'y', receivedAt: '2026-03-13 09:00' })),
      /receivedAt must be an ISO 8601 time with a zone/,
    );
    assert.match(payloadProblem(() => parseSmsGatewayWebhook({ events: [{ type: 'status', messageId: 'a', status: 'queued', at: '2026-03-13T09:00:00Z' }] })), /events\[0\]\.status must be/);
    assert.match(payloadProblem(() => parseSmsGatewayWebhook({ type: 'ping' })), /type must be "message" or "status"/);
  });
});
