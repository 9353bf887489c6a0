/**
 * Keeps the pending list of the GIN index on complaints (full text) short.
 * An insert into a GIN index with `fastupdate` goes to a pending list, and
 * the insert that finds the list full merges it into the index inside its
 * own transaction, so the merge delays intake requests.
 * At 32 connections the intake's p99 latency was 66–67 ms. With the lists
 * cleaned every 300 ms from another connection it was 36 ms
 * (docs/benchmarks.md, run G).
 *
 * PostgreSQL only: PGlite has one connection, so a cleaner would wait for
 * the same session it is meant to relieve.
 */
import type pg from 'pg';
import { logger } from '../logger.ts';

/** The GIN index of complaints, from migrations/0001_core.sql (0012 dropped the trigram one). */
export const GIN_INDEXES = ['complaints_search_idx'] as const;

export interface GinCleaner {
  stop(): Promise<void>;
}

/**
 * Starts cleaning the pending lists every `intervalMs`, one run at a time.
 * A failed run is logged once per minute at most and retried on the next tick.
 *
 * @example const cleaner = startGinCleaner(pool, 300); await cleaner.stop();
 */
export function startGinCleaner(pool: pg.Pool, intervalMs: number): GinCleaner {
  let running: Promise<void> | null = null;
  let lastErrorLog = 0;
  const statement = `SELECT ${GIN_INDEXES.map((name) => `gin_clean_pending_list('${name}'::regclass)`).join(', ')}`;
  const tick = () => {
    if (running) return;
    running = pool
      .query(statement)
      .then(() => undefined)
      .catch((error: unknown) => {
        if (Date.now() - lastErrorLog > 60_000) {
          lastErrorLog = Date.now();
          logger.warn({ err: error }, 'cleaning the GIN pending lists failed; retrying on the next tick');
        }
      })
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
