/** Registers the server-rendered pages: the citizen portal and the back office. */
import type { Hono } from 'hono';
import type { AppEnv } from '../context.ts';

export function registerPages(app: Hono<AppEnv>): void {
  app.get('/', (c) => c.html(`<!DOCTYPE html><html lang="${c.get('locale')}"><head><meta charset="utf-8"><title>${c.get('t')('app.name')}</title></head><body><h1>${c.get('t')('app.name')}</h1></body></html>`));
}
