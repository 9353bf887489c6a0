/**
 * Local stand-ins for the providers' send APIs, for outbound tests. Each fake
 * is a node:http server on 127.0.0.1 with a random port. It serves the
 * documented endpoints with the documented success bodies, checks the
 * credentials and records every request. A test can make it respond to the
 * next requests with an error (429, 500, a provider error body) or stall.
 *
 *   const whatsapp = await startFakeWhatsApp({ accessToken: 'token' });
 *   whatsapp.failNext(graphError(400, 131047, 'Re-engagement message'));
 *   … send with baseUrl: whatsapp.baseUrl …
 *   await whatsapp.close();
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path with query string. */
  path: string;
  /** Lowercase header names. */
  headers: Record<string, string>;
  rawBody: string;
  /** Parsed JSON body, or undefined when the body is not JSON. */
  body: unknown;
}

export interface FakeResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Milliseconds to wait before responding, to make a client time out. */
  delayMs?: number;
}

type RouteHandler = (request: RecordedRequest, match: RegExpExecArray) => FakeResponse;

interface Route {
  method: string;
  pattern: RegExp;
  handle: RouteHandler;
}

/** A fake provider server; see the module comment. */
export class FakeProviderServer {
  /** Every request received, in order, including those that got an injected failure. */
  readonly requests: RecordedRequest[] = [];
  private readonly queued: FakeResponse[] = [];
  private readonly server: Server;
  private port = 0;

  constructor(
    private readonly routes: Route[],
    private readonly notFound: (request: RecordedRequest) => FakeResponse,
  ) {
    this.server = createServer((req, res) => {
      void this.handle(req, res);
    });
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** Responds to the next `times` requests with `response` instead of the normal route. */
  failNext(response: FakeResponse, times = 1): void {
    for (let i = 0; i < times; i++) this.queued.push(response);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = rawBody ? JSON.parse(rawBody) : undefined;
    } catch {
      body = undefined;
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : value ?? '';
    const request: RecordedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', headers, rawBody, body };
    this.requests.push(request);

    let response = this.queued.shift();
    if (!response) {
      const pathname = request.path.split('?')[0];
      const route = this.routes.find((candidate) => candidate.method === request.method && candidate.pattern.test(pathname));
      const match = route ? route.pattern.exec(pathname) : null;
      response = route && match ? route.handle(request, match) : this.notFound(request);
    }
    if (response.delayMs) await new Promise((resolve) => setTimeout(resolve, response.delayMs));
    if (res.destroyed) return;
    let payload = '';
    if (typeof response.body === 'string') payload = response.body;
    else if (response.body !== undefined) payload = JSON.stringify(response.body);
    res.writeHead(response.status, { 'content-type': 'application/json', ...response.headers });
    res.end(payload);
  }
}

function bearer(request: RecordedRequest): string | undefined {
  return /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
}

function bodyObject(request: RecordedRequest): Record<string, unknown> {
  return typeof request.body === 'object' && request.body !== null ? (request.body as Record<string, unknown>) : {};
}

/** Builds a Graph API error response, as WhatsApp and Messenger send it. */
export function graphError(status: number, code: number, message: string, extra: { subcode?: number; details?: string; headers?: Record<string, string> } = {}): FakeResponse {
  const error: Record<string, unknown> = { message, type: 'OAuthException', code, fbtrace_id: 'AbCdEfFake' };
  if (extra.subcode !== undefined) error.error_subcode = extra.subcode;
  if (extra.details) error.error_data = { messaging_product: 'whatsapp', details: extra.details };
  return { status, body: { error }, headers: extra.headers };
}

/** Builds a Telegram Bot API error response. */
export function telegramError(errorCode: number, description: string, retryAfter?: number): FakeResponse {
  const body: Record<string, unknown> = { ok: false, error_code: errorCode, description };
  if (retryAfter !== undefined) body.parameters = { retry_after: retryAfter };
  return { status: errorCode, body };
}

/** Builds an X API v2 problem response. */
export function xProblem(status: number, title: string, detail: string, headers?: Record<string, string>): FakeResponse {
  return { status, body: { title, detail, type: 'about:blank', status }, headers };
}

/** Builds an SMS gateway error response (docs/channels/sms-gateway.md). */
export function smsGatewayError(status: number, code: string, message: string, headers?: Record<string, string>): FakeResponse {
  return { status, body: { error: { code, message } }, headers };
}

/** Starts a fake WhatsApp Cloud API: `POST /{version}/{phone-number-id}/messages`. */
export async function startFakeWhatsApp(options: { accessToken: string }): Promise<FakeProviderServer> {
  let counter = 0;
  const routes: Route[] = [
    {
      method: 'POST',
      pattern: /^\/(v\d+\.\d+)\/(\d+)\/messages$/,
      handle: (request) => {
        if (bearer(request) !== options.accessToken) return graphError(401, 190, 'Error validating access token: Session has expired.');
        const body = bodyObject(request);
        if (body.messaging_product !== 'whatsapp') return graphError(400, 100, 'The parameter messaging_product is required.');
        if (typeof body.to !== 'string' || !/^\d{8,15}$/.test(body.to)) return graphError(400, 131009, 'Parameter value is not valid');
        counter++;
        return {
          status: 200,
          body: { messaging_product: 'whatsapp', contacts: [{ input: body.to, wa_id: body.to }], messages: [{ id: `wamid.FAKE${counter}` }] },
        };
      },
    },
  ];
  return new FakeProviderServer(routes, () => graphError(400, 100, 'Unsupported post request.')).start();
}

/** Starts a fake Telegram Bot API: `POST /bot<token>/sendMessage`. */
export async function startFakeTelegram(options: { botToken: string }): Promise<FakeProviderServer> {
  let messageId = 1000;
  const routes: Route[] = [
    {
      method: 'POST',
      pattern: /^\/bot([^/]+)\/sendMessage$/,
      handle: (request, match) => {
        if (match[1] !== options.botToken) return telegramError(401, 'Unauthorized');
        const body = bodyObject(request);
        if (body.chat_id === undefined) return telegramError(400, 'Bad Request: chat_id is empty');
        if (typeof body.text !== 'string' || body.text === '') return telegramError(400, 'Bad Request: message text is empty');
        messageId++;
        return {
          status: 200,
          body: { ok: true, result: { message_id: messageId, date: 1773392400, chat: { id: Number(body.chat_id), type: 'private' }, text: body.text } },
        };
      },
    },
  ];
  return new FakeProviderServer(routes, () => telegramError(404, 'Not Found')).start();
}

/**
 * Starts a fake Meta Graph API: Send API and private replies `POST /{version}/{page-id}/messages`,
 * Facebook comment replies `POST /{version}/{comment-id}/comments`,
 * Instagram comment replies `POST /{version}/{comment-id}/replies`.
 */
export async function startFakeMeta(options: { accessToken: string }): Promise<FakeProviderServer> {
  let counter = 0;
  const authorised = (request: RecordedRequest) => bearer(request) === options.accessToken;
  const routes: Route[] = [
    {
      method: 'POST',
      pattern: /^\/(v\d+\.\d+)\/([^/]+)\/messages$/,
      handle: (request) => {
        if (!authorised(request)) return graphError(401, 190, 'Invalid OAuth access token.');
        const body = bodyObject(request);
        const recipient = (body.recipient ?? {}) as Record<string, unknown>;
        const message = (body.message ?? {}) as Record<string, unknown>;
        if (typeof message.text !== 'string') return graphError(400, 100, 'param message must be non-empty.');
        if (typeof recipient.id !== 'string' && typeof recipient.comment_id !== 'string') {
          return graphError(400, 100, 'param recipient must be non-empty.');
        }
        counter++;
        return { status: 200, body: { recipient_id: recipient.id ?? `psid-for-${String(recipient.comment_id)}`, message_id: `m_FAKE${counter}` } };
      },
    },
    {
      method: 'POST',
      pattern: /^\/(v\d+\.\d+)\/([^/]+)\/(comments|replies)$/,
      handle: (request, match) => {
        if (!authorised(request)) return graphError(401, 190, 'Invalid OAuth access token.');
        const body = bodyObject(request);
        if (typeof body.message !== 'string' || body.message === '') return graphError(400, 100, '(#100) The parameter message is required');
        counter++;
        return { status: 200, body: { id: `${decodeURIComponent(match[2])}_reply${counter}` } };
      },
    },
  ];
  return new FakeProviderServer(routes, () => graphError(400, 100, 'Unsupported post request.')).start();
}

/** Starts a fake X API v2: `POST /2/tweets` and `POST /2/dm_conversations/with/{participant_id}/messages`. */
export async function startFakeX(options: { accessToken: string }): Promise<FakeProviderServer> {
  let counter = 0;
  const unauthorised = () => xProblem(401, 'Unauthorized', 'Unauthorized');
  const routes: Route[] = [
    {
      method: 'POST',
      pattern: /^\/2\/tweets$/,
      handle: (request) => {
        if (bearer(request) !== options.accessToken) return unauthorised();
        const body = bodyObject(request);
        if (typeof body.text !== 'string') return xProblem(400, 'Invalid Request', 'One or more parameters to your request was invalid.');
        counter++;
        return { status: 201, body: { data: { id: `19000000000000${1000 + counter}`, text: body.text } } };
      },
    },
    {
      method: 'POST',
      pattern: /^\/2\/dm_conversations\/with\/(\d+)\/messages$/,
      handle: (request, match) => {
        if (bearer(request) !== options.accessToken) return unauthorised();
        const body = bodyObject(request);
        if (typeof body.text !== 'string') return xProblem(400, 'Invalid Request', 'One or more parameters to your request was invalid.');
        counter++;
        return { status: 201, body: { data: { dm_conversation_id: `${match[1]}-1500000000000000001`, dm_event_id: `19000000000000${2000 + counter}` } } };
      },
    },
  ];
  return new FakeProviderServer(routes, () => xProblem(404, 'Not Found Error', 'The requested resource was not found.')).start();
}

/** Starts the generic SMS gateway of docs/channels/sms-gateway.md: `POST /messages`, idempotent by `Idempotency-Key`. */
export async function startFakeSmsGateway(options: { apiKey: string }): Promise<FakeProviderServer & { sentCount: () => number }> {
  const byKey = new Map<string, string>();
  const routes: Route[] = [
    {
      method: 'POST',
      pattern: /^\/messages$/,
      handle: (request) => {
        if (bearer(request) !== options.apiKey) return smsGatewayError(401, 'unauthorized', 'The API key is invalid.');
        const body = bodyObject(request);
        if (typeof body.to !== 'string' || !/^\+\d{8,15}$/.test(body.to)) return smsGatewayError(400, 'invalid_number', 'The number is not a valid mobile number.');
        if (typeof body.text !== 'string' || body.text === '') return smsGatewayError(400, 'invalid_request', 'text is required.');
        const key = request.headers['idempotency-key'] ?? '';
        const existing = byKey.get(key);
        if (existing) return { status: 200, body: { id: existing, status: 'queued' } };
        const id = `gw-out-${byKey.size + 1}`;
        byKey.set(key, id);
        return { status: 202, body: { id, status: 'queued' } };
      },
    },
  ];
  const server = await new FakeProviderServer(routes, () => smsGatewayError(404, 'not_found', 'No such endpoint.')).start();
  return Object.assign(server, { sentCount: () => byKey.size });
}
