/**
 * Staff accounts, API tokens and sign-in. Passwords are stored as argon2id
 * hashes; API tokens and session ids are random and stored as SHA-256 hashes,
 * so a copy of the database does not let anyone sign in.
 */
import crypto from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { Kysely } from 'kysely';
import type { DB, User } from '../db/schema.ts';
import { ROLES, type Role, type StaffUser } from '../domain/types.ts';
import { CommandError, invalid } from './errors.ts';

export const MIN_PASSWORD_LENGTH = 10;
/** Failed sign-ins in a row that lock an account, and for how long. */
export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MINUTES = 15;
/** How long failures of an address without an account are kept: a day. */
const UNKNOWN_ADDRESS_MEMORY_MS = 86_400_000;
export const SESSION_HOURS = 12;

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

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

export async function createUser(db: Kysely<DB>, input: CreateUserInput): Promise<{ user: User; generatedPassword?: string }> {
  const email = input.email.trim().toLowerCase();
  if (!EMAIL_RE.test(email)) throw invalid('email', `"${input.email}" is not a valid e-mail address`, 'error.email_invalid');
  const name = input.name.trim();
  if (!name) throw invalid('name', 'name is required', 'error.name_required');
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
  const user = await db.selectFrom('users').select(['id', 'active']).where('email', '=', email.trim().toLowerCase()).executeTakeFirst();
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
 * Checks an e-mail and password. After MAX_FAILED_LOGINS failures in a row the
 * account is locked for LOCKOUT_MINUTES, even for the right password. An
 * unknown e-mail costs the same hash time and locks after as many failures,
 * so neither timing nor a lockout reveals which addresses have accounts.
 */
export async function authenticate(db: Kysely<DB>, email: string, password: string, now = new Date()): Promise<User> {
  const address = email.trim().toLowerCase();
  const user = await db.selectFrom('users').selectAll().where('email', '=', address).executeTakeFirst();
  if (!user || !user.active || !user.password_hash) return failUnknownAddress(db, address, password, now);
  if (user.locked_until && user.locked_until > now) throw lockedError();
  if (!(await verify(user.password_hash, password))) {
    const failed = user.failed_logins + 1;
    await db
      .updateTable('users')
      .set({
        failed_logins: failed >= MAX_FAILED_LOGINS ? 0 : failed,
        locked_until: failed >= MAX_FAILED_LOGINS ? new Date(now.getTime() + LOCKOUT_MINUTES * 60_000) : null,
      })
      .where('id', '=', user.id)
      .execute();
    if (failed >= MAX_FAILED_LOGINS) throw lockedError();
    throw wrongPasswordError();
  }
  if (user.failed_logins > 0 || user.locked_until) {
    await db.updateTable('users').set({ failed_logins: 0, locked_until: null }).where('id', '=', user.id).execute();
  }
  return user;
}

/**
 * Rejects a sign-in to an address without an active account, counting the
 * failure in `sign_in_failures` as `authenticate` counts it for an account:
 * the same hash time, and locked after MAX_FAILED_LOGINS failures in a row.
 * Rows whose last failure is more than a day old are removed on the way.
 */
async function failUnknownAddress(db: Kysely<DB>, address: string, password: string, now: Date): Promise<never> {
  const emailHash = sha256(address);
  const row = await db.selectFrom('sign_in_failures').select(['failed', 'locked_until']).where('email_hash', '=', emailHash).executeTakeFirst();
  if (row?.locked_until && row.locked_until > now) throw lockedError();

  await hash(password);
  const failed = (row?.failed ?? 0) + 1;
  const locks = failed >= MAX_FAILED_LOGINS;
  const values = {
    failed: locks ? 0 : failed,
    locked_until: locks ? new Date(now.getTime() + LOCKOUT_MINUTES * 60_000) : null,
    last_failed_at: now,
  };
  await db.insertInto('sign_in_failures').values({ email_hash: emailHash, ...values })
    .onConflict((conflict) => conflict.column('email_hash').doUpdateSet(values))
    .execute();
  await db.deleteFrom('sign_in_failures').where('last_failed_at', '<', new Date(now.getTime() - UNKNOWN_ADDRESS_MEMORY_MS)).execute();
  throw locks ? lockedError() : wrongPasswordError();
}

function lockedError(): CommandError {
  return new CommandError('locked', 'account locked after repeated failed sign-ins', 'error.login_locked', { minutes: LOCKOUT_MINUTES });
}

function wrongPasswordError(): CommandError {
  return new CommandError('unauthorized', 'wrong e-mail or password', 'error.login_failed');
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
