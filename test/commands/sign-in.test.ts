/**
 * Sign-in failures on PGlite and (when TEST_DATABASE_URL is set)
 * PostgreSQL. An address without an account locks like an account, both
 * forget failures after a day, no address is stored, and parallel attempts
 * check no more passwords than the limit.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../support/db.ts';
import { authenticate, LOCKOUT_MINUTES, MAX_FAILED_LOGINS } from '../../src/commands/users.ts';
import { CommandError } from '../../src/commands/errors.ts';
import { makeStaff } from '../support/staff.ts';

const UNKNOWN = 'Belum.Terdaftar@contoh.go.id';
const MINUTE_MS = 60_000;

for (const backend of BACKENDS) {
  describe(`sign-in failures on ${backend}`, () => {
    let database: TestDatabase;

    before(async () => {
      database = await createTestDatabase(backend);
    });
    after(async () => database?.dispose());

    const codeOf = async (email: string, now: Date, password = 'kata-sandi-salah') => {
      try {
        await authenticate(database.db, email, password, now);
      } catch (error) {
        if (error instanceof CommandError) return error.code;
        throw error;
      }
      return 'signed_in';
    };

    test('unknown address locks and unlocks', async () => {
      const start = new Date('2026-12-01T02:00:00Z');
      for (let i = 1; i < MAX_FAILED_LOGINS; i++) assert.equal(await codeOf(UNKNOWN, start), 'unauthorized', `attempt ${i}`);
      assert.equal(await codeOf(UNKNOWN, start), 'locked', `attempt ${MAX_FAILED_LOGINS} locks`);
      assert.equal(await codeOf(' belum.terdaftar@CONTOH.go.id ', start), 'locked', 'the same address in other case and spacing');
      const later = new Date(start.getTime() + (LOCKOUT_MINUTES + 1) * MINUTE_MS);
      assert.equal(await codeOf(UNKNOWN, later), 'unauthorized', 'unlocked after the lockout');
    });

    test('no address stored; old rows removed', async () => {
      const rows = await database.db.selectFrom('sign_in_failures').selectAll().execute();
      assert.ok(rows.length > 0, 'failures are counted');
      for (const row of rows) {
        assert.match(row.email_hash, /^[0-9a-f]{64}$/, 'a SHA-256 in hex');
        assert.ok(!row.email_hash.includes('terdaftar'), 'not the address itself');
      }
      const nextDay = new Date('2026-12-03T02:00:00Z');
      assert.equal(await codeOf('lain@contoh.go.id', nextDay), 'unauthorized');
      const left = await database.db.selectFrom('sign_in_failures').select('last_failed_at').execute();
      assert.equal(left.length, 1, 'only the row of the new failure is left');
      assert.equal(left[0]!.last_failed_at.getTime(), nextDay.getTime());
    });

    test('account and unknown forget after a day', async () => {
      const staff = await makeStaff(database.db, 'complaint_officer');
      const start = new Date('2026-12-10T02:00:00Z');
      const nextDay = new Date(start.getTime() + 25 * 60 * MINUTE_MS);
      for (const email of [staff.email, 'lupa@contoh.go.id']) {
        for (let i = 1; i < MAX_FAILED_LOGINS; i++) assert.equal(await codeOf(email, start), 'unauthorized', `${email}: attempt ${i}`);
        assert.equal(await codeOf(email, nextDay), 'unauthorized', `${email}: a day later the count starts again`);
      }
    });

    test('parallel attempts cannot pass the limit', async () => {
      const staff = await makeStaff(database.db, 'complaint_officer');
      const now = new Date('2026-12-12T02:00:00Z');
      const codes = await Promise.all(Array.from({ length: 20 }, () => codeOf(staff.email, now)));
      assert.equal(codes.filter((code) => code === 'unauthorized').length, MAX_FAILED_LOGINS - 1, 'four wrong passwords checked');
      assert.equal(codes.filter((code) => code === 'locked').length, 20 - MAX_FAILED_LOGINS + 1, 'the rest locked');
      assert.equal(await codeOf(staff.email, now, 'kata-sandi-uji-123'), 'locked', 'the right password is refused while locked');
    });

    test('NUL in address rejected', async () => {
      assert.equal(await codeOf('a\u0000b@contoh.go.id', new Date('2026-12-13T02:00:00Z')), 'unauthorized');
    });
  });
}
