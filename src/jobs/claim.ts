/**
 * Claims due rows of an outbox table (outbound messages, officer
 * notifications) for one worker: pending rows whose next attempt is due and
 * whose earlier claim expired. `FOR UPDATE SKIP LOCKED` lets several workers
 * run at once without taking the same row, and the claim time lets a crashed
 * worker's rows be taken again later.
 */
import { sql, type Kysely, type Selectable } from 'kysely';
import type { DB } from '../db/schema.ts';

export type OutboxTable = 'outbound_messages' | 'officer_notifications';

export async function claimDueRows<T extends OutboxTable>(
  db: Kysely<DB>,
  table: T,
  now: Date,
  options: { claimMs: number; batchSize: number },
): Promise<Selectable<DB[T]>[]> {
  // Both tables share these columns; Kysely cannot express that over a union of tables.
  const outbox = db as unknown as Kysely<Record<OutboxTable, DB['outbound_messages']>>;
  const claimFree = sql<boolean>`(claimed_until IS NULL OR claimed_until < ${now})`;
  const rows = await outbox
    .updateTable(table as 'outbound_messages')
    .set({ claimed_until: new Date(now.getTime() + options.claimMs), attempts: sql<number>`attempts + 1`, updated_at: now })
    .where('id', 'in', (eb) =>
      eb
        .selectFrom(table as 'outbound_messages')
        .select('id')
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .where(claimFree)
        .orderBy('next_attempt_at')
        .orderBy('id')
        .limit(options.batchSize)
        .forUpdate()
        .skipLocked(),
    )
    .where('status', '=', 'pending')
    .where(claimFree)
    .returningAll()
    .execute();
  return rows as never;
}
