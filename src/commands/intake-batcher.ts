/**
 * Group commit for intake: concurrent new reports share one transaction.
 *
 * A report on its own costs BEGIN, one statement and COMMIT, and the COMMIT
 * waits for the WAL flush. Under load, most of an intake's time is these
 * round trips and that flush. The batcher validates each report as it
 * arrives, so an invalid report is rejected at once and never joins a batch.
 * It queues the valid ones and writes the queue in batches. A batch is one
 * set-based statement (`insertComplaints`: reporters, contacts, complaints,
 * `received` events and clocks), which PostgreSQL runs and commits as one
 * transaction. Each caller's promise settles after that commit, so an HTTP
 * 201 still means the report is durable.
 *
 * There is no timer: a batch starts on the next turn of the event loop, so a
 * lone report waits for nothing, and the reports that arrive while batches
 * are being written form the next batch, up to `maxBatchSize`. At most
 * `maxConcurrentBatches` statements run at once, which leaves pool
 * connections for the rest of the application.
 *
 * When a batch's statement fails (a category deleted since it was cached,
 * say), nothing of it is stored, and every report of that batch is retried on
 * its own with the single-transaction path, so one bad report fails alone.
 * Reports the batch cannot write (attachments, an external id to check,
 * contacts proved by a channel) go straight to that path.
 *
 * Works on PGlite too: its pool has one session, so batches there run one
 * after another.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { logger } from '../logger.ts';
import type { CommandContext } from './context.ts';
import { insertComplaints } from './insert-complaints.ts';
import { prepareComplaint, receiveComplaint, type PreparedComplaint, type ReceiveInput, type ReceiveResult } from './receive-complaint.ts';
import { invalidateReferenceCache } from './reference-cache.ts';

export interface IntakeBatcherOptions {
  /** Maximum number of reports in one batch. */
  maxBatchSize?: number;
  /** Maximum number of batch statements running at once. */
  maxConcurrentBatches?: number;
}

// Sized for the server's pool of 10 connections: two batches leave eight for
// everything else. 64 reports of at most 5,000 characters keep one
// statement's JSON parameters to roughly 1 MB at most (an estimate).
const DEFAULT_MAX_BATCH_SIZE = 64;
const DEFAULT_MAX_CONCURRENT_BATCHES = 2;

interface QueuedIntake {
  ctx: CommandContext;
  input: ReceiveInput;
  now: Date;
  prepared: PreparedComplaint;
  resolve: (result: ReceiveResult) => void;
  reject: (error: unknown) => void;
}

/** Sizes of the batches written so far, for tests and benchmarks. */
export interface IntakeBatcherStats {
  batches: number;
  reports: number;
  largestBatch: number;
  /** Batches whose statement failed and whose reports were retried one by one. */
  failedBatches: number;
}

export class IntakeBatcher {
  readonly stats: IntakeBatcherStats = { batches: 0, reports: 0, largestBatch: 0, failedBatches: 0 };
  private readonly queue: QueuedIntake[] = [];
  private readonly maxBatchSize: number;
  private readonly maxConcurrentBatches: number;
  private running = 0;
  private scheduled = false;

  constructor(private readonly db: Kysely<DB>, options: IntakeBatcherOptions = {}) {
    this.maxBatchSize = options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE;
    this.maxConcurrentBatches = options.maxConcurrentBatches ?? DEFAULT_MAX_CONCURRENT_BATCHES;
    if (!(this.maxBatchSize >= 1 && this.maxConcurrentBatches >= 1)) {
      throw new RangeError(`maxBatchSize and maxConcurrentBatches must be at least 1, not ${this.maxBatchSize} and ${this.maxConcurrentBatches}`);
    }
  }

  /**
   * Receives one report like `receiveComplaint` and settles after the COMMIT
   * of the batch that wrote it. `ctx.db` must be this batcher's database.
   */
  async receive(ctx: CommandContext, input: ReceiveInput): Promise<ReceiveResult> {
    if (!batchable(input)) return receiveComplaint(ctx, input);
    const now = ctx.now ?? new Date();
    const prepared = await prepareComplaint(this.db, ctx, input, now);
    return new Promise<ReceiveResult>((resolve, reject) => {
      this.queue.push({ ctx, input, now, prepared, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.queue.length === 0 || this.running >= this.maxConcurrentBatches) return;
    this.scheduled = true;
    // One turn of the event loop lets the requests already read join this batch.
    setImmediate(() => {
      this.scheduled = false;
      while (this.queue.length > 0 && this.running < this.maxConcurrentBatches) {
        const batch = this.queue.splice(0, this.maxBatchSize);
        this.running += 1;
        void this.write(batch).finally(() => {
          this.running -= 1;
          this.schedule();
        });
      }
    });
  }

  private async write(batch: QueuedIntake[]): Promise<void> {
    this.stats.batches += 1;
    this.stats.reports += batch.length;
    this.stats.largestBatch = Math.max(this.stats.largestBatch, batch.length);
    let results: ReceiveResult[];
    try {
      results = await writeBatch(this.db, batch.map((item) => item.prepared));
    } catch (error) {
      this.stats.failedBatches += 1;
      logger.warn({ error: describeDatabaseError(error), reports: batch.length }, 'intake batch failed; retrying its reports one by one');
      // A stale cached category or village is the likely cause; the retries read fresh rows.
      invalidateReferenceCache();
      for (const item of batch) {
        await receiveComplaint({ ...item.ctx, now: item.now }, item.input).then(item.resolve, item.reject);
      }
      return;
    }
    batch.forEach((item, index) => item.resolve(results[index]));
  }
}

/**
 * Returns the parts of a failed statement's error that are safe to log.
 * PostgreSQL's `detail` and `where` quote the rows and the JSON parameter
 * (names, phone numbers, complaint text), so they are left out.
 */
function describeDatabaseError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const { code, constraint, table, column } = error as Error & Partial<Record<'code' | 'constraint' | 'table' | 'column', string>>;
  return { name: error.name, message: error.message, code, constraint, table, column };
}

/** Returns whether the batch statement can write this report; the others take the single-transaction path. */
function batchable(input: ReceiveInput): boolean {
  return !input.contactsVerified && !(input.attachments?.length) && !(input.externalSource && input.externalId);
}

async function writeBatch(db: Kysely<DB>, prepared: readonly PreparedComplaint[]): Promise<ReceiveResult[]> {
  const inserted = await insertComplaints(db, prepared);
  return inserted.map(({ complaint, receivedEventId }) => ({ complaint, created: true, receivedEventId }));
}

const batchers = new WeakMap<Kysely<DB>, IntakeBatcher>();

/** Returns the batcher of a database handle, creating it on first use. */
export function intakeBatcherFor(db: Kysely<DB>): IntakeBatcher {
  let batcher = batchers.get(db);
  if (!batcher) {
    batcher = new IntakeBatcher(db);
    batchers.set(db, batcher);
  }
  return batcher;
}

/** `receiveComplaint` through the batcher of `ctx.db`, which must not be a transaction. */
export function receiveComplaintBatched(ctx: CommandContext, input: ReceiveInput): Promise<ReceiveResult> {
  return intakeBatcherFor(ctx.db).receive(ctx, input);
}
