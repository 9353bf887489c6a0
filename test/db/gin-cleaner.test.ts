/** The GIN pending-list cleaner on PostgreSQL: it empties the lists that intake fills. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { receiveComplaint } from '../../src/commands/receive-complaint.ts';
import { GIN_INDEXES, startGinCleaner } from '../../src/db/gin-cleaner.ts';

/** Files `count` made-up complaints; each adds entries to the GIN pending list. */
async function fileComplaints(database: TestDatabase, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await receiveComplaint({ db: database.db, actor: { kind: 'citizen' }, now: new Date() }, {
      type: 'pengaduan', description: `Lampu jalan nomor ${i} di dusun Sidomulyo mati sejak minggu lalu.`, channel: 'web',
    });
  }
}

/** Merges the pending lists now and returns how many pending pages each held. */
async function pendingPages(database: TestDatabase): Promise<number[]> {
  const pages: number[] = [];
  for (const index of GIN_INDEXES) {
    const result = await sql<{ n: number }>`SELECT gin_clean_pending_list(${index}::regclass)::int AS n`.execute(database.db);
    pages.push(Number(result.rows[0].n));
  }
  return pages;
}

describe('GIN pending-list cleaner', { skip: !process.env.TEST_DATABASE_URL && 'needs TEST_DATABASE_URL (PostgreSQL)' }, () => {
  let database: TestDatabase;
  before(async () => {
    database = await createTestDatabase('postgres');
  });
  after(async () => database?.dispose());

  test('intake leaves pending pages', async () => {
    await pendingPages(database);
    await fileComplaints(database, 30);
    const pages = await pendingPages(database);
    assert.ok(pages.every((n) => n > 0), `pending pages ${pages.join(', ')}`);
  });

  test('the cleaner empties them', async () => {
    const cleaner = startGinCleaner(database.pool, 20);
    try {
      await fileComplaints(database, 30);
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      await cleaner.stop();
    }
    assert.deepEqual(await pendingPages(database), GIN_INDEXES.map(() => 0));
  });
});
