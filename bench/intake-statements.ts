/**
 * Breakdown of the time of one intake: `receiveComplaint` called in-process
 * by concurrent workers (no HTTP), with every SQL statement it sends timed
 * by Kysely's query log, then the same through the intake batcher. Prints the
 * complaints per second without HTTP, the round trips per complaint, and the
 * median and total time per statement kind.
 */
import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import type { DB } from '../src/db/schema.ts';
import type { CommandContext } from '../src/commands/context.ts';
import { IntakeBatcher } from '../src/commands/intake-batcher.ts';
import { receiveComplaint, type ReceiveInput } from '../src/commands/receive-complaint.ts';
import { note, type Report } from './lib/report.ts';
import { percentile } from './lib/stats.ts';

export interface StatementOptions {
  seconds: number;
  workers: number;
  /** Builds one intake request body, as sent over HTTP. */
  makeBody: () => string;
}

/**
 * Returns a short, stable label for a statement: its verb and table, e.g.
 * `insert complaints`, or `with insert reporters` for a chain of CTEs whose
 * first write goes to `reporters`.
 */
function statementKind(sqlText: string): string {
  const text = sqlText.trim().toLowerCase();
  const verb = text.split(/\s+/)[0];
  const firstInsert = /insert\s+into\s+"?([a-z_]+)"?/.exec(text)?.[1];
  if (verb === 'with' && firstInsert) return `with insert ${firstInsert}`;
  const table = /(?:from|into|update)\s+"?([a-z_]+)"?/.exec(text)?.[1];
  return table ? `${verb} ${table}` : verb;
}

/** One way of receiving a report, and (for the batcher) the number of batches written so far. */
interface IntakePath {
  receive: (ctx: CommandContext, input: ReceiveInput) => Promise<unknown>;
  batches?: () => number;
}

/**
 * Runs the breakdown twice: `receiveComplaint`, one transaction per report
 * (figures `intake.inprocess.*` and `intake.stmt.*`), and the intake batcher
 * that the API route uses (`intake.inprocess_batched.*` and
 * `intake.batched_stmt.*`, with the mean batch size).
 */
export async function runIntakeStatements(report: Report, pool: pg.Pool, options: StatementOptions): Promise<void> {
  await runOne(report, pool, options, { label: 'receiveComplaint', rate: 'intake.inprocess', statement: 'intake.stmt' }, () => ({
    receive: receiveComplaint,
  }));
  await runOne(report, pool, options, { label: 'intake batcher', rate: 'intake.inprocess_batched', statement: 'intake.batched_stmt' }, (db) => {
    const batcher = new IntakeBatcher(db);
    return { receive: (ctx, input) => batcher.receive(ctx, input), batches: () => batcher.stats.batches };
  });
}

async function runOne(
  report: Report,
  pool: pg.Pool,
  options: StatementOptions,
  names: { label: string; rate: string; statement: string },
  makePath: (db: Kysely<DB>) => IntakePath,
): Promise<void> {
  const durations = new Map<string, number[]>();
  const db = new Kysely<DB>({
    dialect: new PostgresDialect({ pool }),
    log: (event) => {
      const kind = statementKind(event.query.sql);
      const list = durations.get(kind) ?? [];
      list.push(event.queryDurationMillis);
      durations.set(kind, list);
    },
  });
  const path = makePath(db);

  note(`intake statements: ${names.label} in-process, ${options.workers} workers, ${options.seconds} s`);
  await report.settle(`${names.rate} c=${options.workers}`);
  const deadline = performance.now() + options.seconds * 1000;
  const started = performance.now();
  let complaints = 0;
  await Promise.all(
    Array.from({ length: options.workers }, async () => {
      while (performance.now() < deadline) {
        const body = JSON.parse(options.makeBody()) as Omit<ReceiveInput, 'channel'>;
        await path.receive({ db, actor: { kind: 'citizen' } }, { ...body, channel: 'api' });
        complaints += 1;
      }
    }),
  );

  const seconds = (performance.now() - started) / 1000;
  report.add(`${names.rate}.rate`, null, options.workers, complaints / seconds, 'complaints/s');
  if (path.batches) report.add(`${names.rate}.batch_size.mean`, null, options.workers, complaints / Math.max(1, path.batches()), 'reports');

  const statements = [...durations.values()].reduce((total, list) => total + list.length, 0);
  report.add(`${names.rate}.statements_per_complaint`, null, options.workers, statements / complaints, 'count');
  const kinds = [...durations.entries()].sort((a, b) => sum(b[1]) - sum(a[1]));
  const total = sum(kinds.flatMap(([, list]) => list));
  for (const [kind, list] of kinds) {
    const name = kind.replace(/\s+/g, '_');
    report.add(`${names.statement}.${name}.per_complaint`, null, options.workers, list.length / complaints, 'count');
    report.add(`${names.statement}.${name}.p50`, null, options.workers, percentile(list, 50), 'ms');
    report.add(`${names.statement}.${name}.share`, null, options.workers, sum(list) / total, 'of statement time');
  }
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
