/**
 * Staff accounts, API tokens and sign-in. Passwords are stored as argon2id
 * hashes; API tokens and session ids are random and stored as SHA-256 hashes,
 * so a copy of the database does not let anyone sign in.
 */
import crypto from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { sql, type Kysely } from 'kysely';
import type { DB, User } from '../db/schema.ts';
import { ROLES, type Role, type StaffUser } from '../domain/types.ts';
import { CommandError, invalid } from './errors.ts';
import { cleanText, MAX_NAME_CHARS, textLength } from '../domain/text.ts';

export const MIN_PASSWORD_LENGTH = 10;
/** Failed sign-ins in a row that lock an account, and for how long. */
export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MINUTES = 15;
/** How long a run of failed sign-ins is remembered after its last failure: a day. */
const FAILURE_MEMORY_MS = 86_400_000;
export const SESSION_HOURS = 12;

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Returns an e-mail address as accounts store it and sign-in failures count it: trimmed, lower case. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function sha256(value: string): string {
  return crypto.createHash('sha256').update(value).digest('hex');
}

export function toStaffUser(user: Pick<User, 'id' | 'role' | 'agency_id' | 'name'>): StaffUser {
  return { id: user.id, role: user.role, agencyId: user.agency_id, name: user.name };
}

export interface CreateUserInput {
  email: string;
  name: string;
  role: Role;
  agencyCode?: string;
  /** When absent, a password is generated and returned once. */
  password?: string;
}

/**
 * Checks a name of a user, an agency or a category: control characters
 * removed as in complaint texts (a NUL cannot even be stored), not empty, and
 * at most MAX_NAME_CHARS characters.
 */
export function requireName(value: string | undefined, field = 'name'): string {
  const name = cleanText(value ?? '').trim();
  if (!name) throw invalid(field, `${field} is required`, 'error.name_required');
  if (textLength(name) > MAX_NAME_CHARS) throw invalid(field, `${field} has more than ${MAX_NAME_CHARS} characters`, 'error.text_too_long', { max: MAX_NAME_CHARS });
  return name;
}

export async function createUser(db: Kysely<DB>, input: CreateUserInput): Promise<{ user: User; generatedPassword?: string }> {
  const email = normalizeEmail(input.email);
  if (!EMAIL_RE.test(email)) throw invalid('email', `"${input.email}" is not a valid e-mail address`, 'error.email_invalid');
  const name = requireName(input.name);
  if (!ROLES.includes(input.role)) {
    throw invalid('role', `role must be one of ${ROLES.join(', ')}`, 'error.role_invalid', { roles: ROLES.join(', ') });
  }
  let agencyId: number | null = null;
  if (input.role === 'agency_officer' && !input.agencyCode) {
    throw invalid('agency', 'an agency_officer needs --agency CODE', 'error.agency_required');
  }
  if (input.agencyCode) {
    const agency = await db.selectFrom('agencies').select(['id', 'active']).where('code', '=', input.agencyCode).executeTakeFirst();
    if (!agency || !agency.active) {
      throw invalid('agency', `agency "${input.agencyCode}" does not exist`, 'error.agency_unknown', { code: input.agencyCode });
    }
    agencyId = agency.id;
  }
  const generatedPassword = input.password === undefined ? generatePassword() : undefined;
  const password = input.password ?? generatedPassword!;
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw invalid('password', `password must have at least ${MIN_PASSWORD_LENGTH} characters`, 'error.password_short', { min: MIN_PASSWORD_LENGTH });
  }
  const existing = await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
  if (existing) throw new CommandError('conflict', `a user with e-mail ${email} already exists`, 'error.user_exists', {}, 'email');
  const user = await db
    .insertInto('users')
    .values({ email, name, role: input.role, agency_id: agencyId, password_hash: await hash(password) })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { user, generatedPassword };
}

function generatePassword(): string {
  return crypto.randomBytes(15).toString('base64url');
}

/** Creates an API token for a user and returns it; only its hash is stored. */
export async function createApiToken(db: Kysely<DB>, email: string, label: string): Promise<string> {
  const user = await db.selectFrom('users').select(['id', 'active']).where('email', '=', normalizeEmail(email)).executeTakeFirst();
  if (!user || !user.active) throw new CommandError('not_found', `no active user with e-mail ${email}`, 'error.not_found.user');
  if (!label.trim()) throw invalid('label', 'a token needs a label (--label)', 'error.label_required');
  const token = `adn_${crypto.randomBytes(24).toString('base64url')}`;
  await db.insertInto('api_tokens').values({ user_id: user.id, label: label.trim(), token_hash: sha256(token) }).execute();
  return token;
}

export async function userForApiToken(db: Kysely<DB>, token: string): Promise<User | undefined> {
  const row = await db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .selectAll('users')
    .select('api_tokens.id as token_id')
    .where('api_tokens.token_hash', '=', sha256(token))
    .where('api_tokens.revoked_at', 'is', null)
    .where('users.active', '=', true)
    .executeTakeFirst();
  if (!row) return undefined;
  const { token_id: tokenId, ...user } = row;
  void db.updateTable('api_tokens').set({ last_used_at: new Date() }).where('id', '=', tokenId).execute().catch(() => {});
  return user;
}

/**
 * Checks an e-mail and password. After MAX_FAILED_LOGINS failures in a row
 * an address is locked for LOCKOUT_MINUTES, even for the right password.
 * Failures are counted per address in `sign_in_failures`, whether or not an
 * account has it, and forgotten a day after the last one. An unknown
 * address costs the same hash time and the same statements, so neither
 * timing nor a lockout reveals which addresses have accounts.
 *
 * Each attempt is counted before its password is checked, in one atomic
 * statement. So parallel requests check at most MAX_FAILED_LOGINS passwords
 * before the lockout, and the rest get the locked error.
 */
export async function authenticate(db: Kysely<DB>, email: string, password: string, now = new Date()): Promise<User> {
  const address = normalizeEmail(email);
  const emailHash = sha256(address);
  const attempt = await countAttempt(db, emailHash, now);
  if ((attempt.locked_until && attempt.locked_until > now) || attempt.failed > MAX_FAILED_LOGINS) throw lockedError();

  // PostgreSQL text cannot hold NUL, and no account has such an address.
  const user = address.includes('\u0000')
    ? undefined
    : await db.selectFrom('users').selectAll().where('email', '=', address).executeTakeFirst();
  let valid: boolean;
  if (!user || !user.active || !user.password_hash) {
    await hash(password);
    valid = false;
  } else {
    valid = await verify(user.password_hash, password);
  }
  if (valid && user) {
    await db.deleteFrom('sign_in_failures').where('email_hash', '=', emailHash).execute();
    return user;
  }
  if (attempt.failed >= MAX_FAILED_LOGINS) {
    await db.updateTable('sign_in_failures')
      .set({ failed: 0, locked_until: new Date(now.getTime() + LOCKOUT_MINUTES * 60_000) })
      .where('email_hash', '=', emailHash)
      .execute();
    throw lockedError();
  }
  throw wrongPasswordError();
}

/**
 * Counts a sign-in attempt for an address before its password is checked,
 * and returns the attempt's number in the current run of failures and the
 * end of a lockout in force. A count whose last failure is more than a day
 * old, or whose lockout has ended, starts again at 1. Rows whose last
 * failure is more than a day old are removed on the way.
 */
async function countAttempt(db: Kysely<DB>, emailHash: string, now: Date): Promise<{ failed: number; locked_until: Date | null }> {
  const forgetBefore = new Date(now.getTime() - FAILURE_MEMORY_MS);
  const row = await sql<{ failed: number; locked_until: Date | null }>`
    INSERT INTO sign_in_failures AS f (email_hash, failed, locked_until, last_failed_at)
    VALUES (${emailHash}, 1, NULL, ${now})
    ON CONFLICT (email_hash) DO UPDATE SET
      failed = CASE
        WHEN f.locked_until > ${now} THEN f.failed
        WHEN f.locked_until IS NOT NULL OR f.last_failed_at < ${forgetBefore} THEN 1
        ELSE f.failed + 1 END,
      locked_until = CASE WHEN f.locked_until > ${now} THEN f.locked_until END,
      last_failed_at = ${now}
    RETURNING failed, locked_until`.execute(db);
  await db.deleteFrom('sign_in_failures').where('last_failed_at', '<', forgetBefore).execute();
  return row.rows[0]!;
}

function lockedError(): CommandError {
  return new CommandError('locked', 'account locked after repeated failed sign-ins', 'error.login_locked', { minutes: LOCKOUT_MINUTES });
}

function wrongPasswordError(): CommandError {
  return new CommandError('unauthorized', 'wrong e-mail or password', 'error.login_failed');
}

/** Returns those of `emails` whose sign-in is locked now, for the administrator's list of users. */
export async function lockedAddresses(db: Kysely<DB>, emails: readonly string[], now = new Date()): Promise<Set<string>> {
  if (emails.length === 0) return new Set();
  const byHash = new Map(emails.map((email) => [sha256(normalizeEmail(email)), email]));
  const rows = await db.selectFrom('sign_in_failures').select('email_hash')
    .where('email_hash', 'in', [...byHash.keys()]).where('locked_until', '>', now).execute();
  return new Set(rows.map((row) => byHash.get(row.email_hash)!));
}

export async function createSession(db: Kysely<DB>, userId: number, now = new Date()): Promise<{ token: string; csrfToken: string }> {
  const token = crypto.randomBytes(32).toString('base64url');
  const csrfToken = crypto.randomBytes(24).toString('base64url');
  await db
    .insertInto('sessions')
    .values({ id: sha256(token), user_id: userId, csrf_token: csrfToken, expires_at: new Date(now.getTime() + SESSION_HOURS * 3_600_000) })
    .execute();
  return { token, csrfToken };
}

export async function sessionUser(db: Kysely<DB>, token: string, now = new Date()) {
  return db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .selectAll('users')
    .select('sessions.csrf_token')
    .where('sessions.id', '=', sha256(token))
    .where('sessions.expires_at', '>', now)
    .where('users.active', '=', true)
    .executeTakeFirst();
}

export async function deleteSession(db: Kysely<DB>, token: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', sha256(token)).execute();
}

export async function countAdmins(db: Kysely<DB>): Promise<number> {
  const row = await db.selectFrom('users').select(db.fn.countAll<number>().as('n')).where('role', '=', 'admin').executeTakeFirstOrThrow();
  return Number(row.n);
}
