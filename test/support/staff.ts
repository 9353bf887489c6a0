/** Staff accounts for tests, with made-up names. */
import type { Kysely } from 'kysely';
import type { DB } from '../../src/db/schema.ts';
import { createApiToken, createUser, toStaffUser } from '../../src/commands/users.ts';
import type { Role, StaffUser } from '../../src/domain/types.ts';
import type { Actor } from '../../src/commands/context.ts';

export interface TestStaff {
  user: StaffUser;
  actor: Actor;
  email: string;
  token: string;
}

let counter = 0;

export async function makeStaff(db: Kysely<DB>, role: Role, agencyCode?: string): Promise<TestStaff> {
  counter += 1;
  const email = `${role}.${agencyCode ?? 'all'}.${counter}@contoh.id`;
  const { user } = await createUser(db, { email, name: `Petugas Uji ${counter}`, role, agencyCode, password: 'kata-sandi-uji-123' });
  const staff = toStaffUser(user);
  const token = await createApiToken(db, email, 'test');
  return { user: staff, actor: { kind: 'staff', user: staff }, email, token };
}
