/**
 * Authentication: an `Authorization: Bearer` API token, or the session cookie
 * of a signed-in browser. Form posts from a session must carry its CSRF token.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { sessionUser, toStaffUser, userForApiToken } from '../../commands/users.ts';
import type { AppEnv, AuthUser } from '../context.ts';

export const SESSION_COOKIE = 'aduan_session';

export const authenticate: MiddlewareHandler<AppEnv> = async (c, next) => {
  const { db } = c.get('deps');
  c.set('user', null);
  c.set('csrfToken', null);
  const header = c.req.header('authorization');
  if (header?.toLowerCase().startsWith('bearer ')) {
    const user = await userForApiToken(db, header.slice(7).trim());
    if (user) c.set('user', { ...toStaffUser(user), email: user.email, via: 'token' });
  } else {
    const token = getCookie(c, SESSION_COOKIE);
    if (token) {
      const row = await sessionUser(db, token);
      if (row) {
        const { csrf_token: csrfToken, ...user } = row;
        c.set('user', { ...toStaffUser(user), email: user.email, via: 'session' });
        c.set('csrfToken', csrfToken);
      }
    }
  }
  await next();
};

export function currentUser(c: Context<AppEnv>): AuthUser | null {
  return c.get('user');
}
