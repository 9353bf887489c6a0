/**
 * The ceiling of the HTTP stack: Hono on @hono/node-server, as in the
 * Aduan server, with no middleware and no database. GET /json returns a
 * fixed JSON body. POST /json parses the JSON request body first and returns
 * 201 with a fixed body, like the intake route does without its work.
 *
 * Started by bench/ceiling.ts with PORT and HOST set.
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const FIXED = { trackingCode: 'ADU-7KQ3-M9XP-2W' };

const app = new Hono();
app.get('/json', (c) => c.json(FIXED));
app.post('/json', async (c) => {
  const body = await c.req.json<{ description?: unknown }>();
  if (typeof body.description !== 'string') return c.json({ error: { code: 'invalid', message: 'description: expected a string' } }, 400);
  return c.json(FIXED, 201);
});

const port = Number(process.env.PORT ?? 3001);
const server = serve({ fetch: app.fetch, port, hostname: process.env.HOST ?? '127.0.0.1' });
process.on('SIGTERM', () => server.close(() => process.exit(0)));
