/**
 * The ceiling of the HTTP stack: Hono on @hono/node-server, as in the
 * Aduan server, with no middleware and no database. GET /json returns a
 * fixed JSON body. POST /json parses the JSON request body first and returns
 * 201 with a fixed body, like the intake route does without its work.
 * POST /json-node does the same after reading the body with the server's
 * `readBody` middleware, from Node's request instead of a web stream.
 *
 * Started by bench/ceiling.ts with PORT and HOST set.
 */
import { serve } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { readBody } from '../src/web/middleware/body.ts';

const FIXED = { trackingCode: 'ADU-7KQ3-M9XP-2W' };

const app = new Hono();
app.get('/json', (c) => c.json(FIXED));
async function answerPost(c: Context) {
  const body = await c.req.json<{ description?: unknown }>();
  if (typeof body.description !== 'string') return c.json({ error: { code: 'invalid', message: 'description: expected a string' } }, 400);
  return c.json(FIXED, 201);
}
app.post('/json', answerPost);
app.post('/json-node', readBody({ maxSize: 1024 * 1024, onTooLarge: (c) => c.json({ error: { code: 'too_large' } }, 413) }), answerPost);

const port = Number(process.env.PORT ?? 3001);
const server = serve({ fetch: app.fetch, port, hostname: process.env.HOST ?? '127.0.0.1' });
process.on('SIGTERM', () => server.close(() => process.exit(0)));
