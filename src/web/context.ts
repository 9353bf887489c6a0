/** Per-request values shared by every route: the signed-in user, the locale and its translator. */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { StaffUser } from '../domain/types.ts';
import type { Locale, Translate } from './i18n/index.ts';
import type { Config } from '../config.ts';

export interface AuthUser extends StaffUser {
  email: string;
  /** How the request authenticated: a browser session (needs CSRF tokens) or an API token. */
  via: 'session' | 'token';
}

export interface AppDeps {
  db: Kysely<DB>;
  config: Config;
  /** Queues a background job; absent when jobs are off. */
  enqueue?: (name: string, data: object) => Promise<void>;
}

export type AppEnv = {
  Variables: {
    deps: AppDeps;
    user: AuthUser | null;
    csrfToken: string | null;
    locale: Locale;
    t: Translate;
  };
};
