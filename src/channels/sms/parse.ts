/**
 * SMS gateway webhook → normalised messages and delivery statuses.
 * The wire format is ours, documented in docs/channels/sms-gateway.md: one
 * event object, or `{ "events": [ … ] }` with several.
 */
import { eachItem, emptyParseResult, type DeliveryState, type ParseResult } from '../../domain/inbound.ts';
import { normalizePhone } from '../../domain/phone.ts';
import { parseJsonObject, payloadReader, type JsonObject, type WebhookBody } from '../shared/payload.ts';

const read = payloadReader('sms');

const STATUS_VALUES: ReadonlySet<string> = new Set<DeliveryState>(['sent', 'delivered', 'failed']);

/**
 * Parses an SMS gateway webhook body.
 *
 * @example
 *   parseSmsGatewayWebhook('{"id":"gw-1","from":"081234567890","to":"+62271495039","text":"Lampu jalan mati","receivedAt":"2026-03-13T09:00:00Z"}')
 *   // { messages: [{ channel: 'sms', sender: { kind: 'phone', value: '+6281234567890' }, … }], statuses: [], ignored: [] }
 */
export function parseSmsGatewayWebhook(body: WebhookBody): ParseResult {
  const root = parseJsonObject('sms', body);
  const result = emptyParseResult();
  if (root.events !== undefined) {
    eachItem(read.array(root.events, 'events'), result, (event, index) => parseEvent(read.object(event, `events[${index}]`), `events[${index}]`, result));
  } else {
    parseEvent(root, '', result);
  }
  return result;
}

function parseEvent(event: JsonObject, path: string, result: ParseResult): void {
  const at = (field: string) => (path ? `${path}.${field}` : field);
  const type = read.optionalString(event.type, at('type')) ?? 'message';

  if (type === 'message') {
    const id = read.id(event.id, at('id'));
    const from = read.string(event.from, at('from'));
    const sender = normalizePhone(from);
    if (!sender) {
      // Operator notices and bank or shop senders use names or short codes.
      result.ignored.push({ reason: 'SMS sender is not a phone number (alphanumeric sender or short code)', providerId: id });
      return;
    }
    result.messages.push({
      channel: 'sms',
      providerMessageId: id,
      conversationKind: 'direct',
      sender: { kind: 'phone', value: sender },
      account: normalizeAccount(read.string(event.to, at('to'))),
      text: read.string(event.text, at('text')),
      sentAt: readIsoTime(event.receivedAt, at('receivedAt')),
      attachments: [],
    });
    return;
  }

  if (type === 'status') {
    const status = read.string(event.status, at('status'));
    if (!STATUS_VALUES.has(status)) throw read.error(at('status'), 'must be "sent", "delivered" or "failed"');
    const delivery: ParseResult['statuses'][number] = {
      channel: 'sms',
      providerMessageId: read.id(event.messageId, at('messageId')),
      status: status as DeliveryState,
      at: readIsoTime(event.at, at('at')),
    };
    const errorCode = read.optionalString(event.errorCode, at('errorCode'));
    if (errorCode) delivery.error = { code: errorCode, title: read.optionalString(event.errorMessage, at('errorMessage')) ?? errorCode };
    result.statuses.push(delivery);
    return;
  }

  throw read.error(at('type'), 'must be "message" or "status"');
}

/** Our receiving number in E.164, or the short code as given. */
function normalizeAccount(to: string): string {
  return normalizePhone(to) ?? to.trim();
}

/** Reads an ISO 8601 time with an explicit zone (`Z` or `+07:00`), because a time without a zone is ambiguous. */
function readIsoTime(value: unknown, path: string): Date {
  const text = read.string(value, path);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) {
    throw read.error(path, 'must be an ISO 8601 time with a zone, e.g. 2026-03-13T16:00:00+07:00');
  }
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) throw read.error(path, 'is not a valid time');
  return date;
}
