/**
 * Breakdown of the time of one intake: `receiveComplaint` called in-process
 * by concurrent workers (no HTTP), with every SQL statement it sends timed
 * by Kysely's query log. Prints the complaints per second without HTTP, the
 * round trips per complaint, and the median and total time per statement kind.
 */
import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import type { DB } from '../src/db/schema.ts';
import { receiveComplaint } from '../src/commands/receive-complaint.ts';
import { note, type Report } from './lib/report.ts';
import { percentile } from './lib/stats.ts';

export interface StatementOptions {
  seconds: number;
  workers: number;
  /** Builds one intake request body, as sent over HTTP. */
  makeBody: () => string;
}

/** Returns a short, stable label for a statement: its verb and table, e.g. `insert complaints`. */
function statementKind(sqlText: string): string {
  const text = sqlText.trim().toLowerCase();
  const verb = text.split(/\s+/)[0];
  const table = /(?:from|into|update)\s+"?([a-z_]+)"?/.exec(text)?.[1];
  return table ? `${verb} ${table}` : verb;
}

export async function runIntakeStatements(report: Report, pool: pg.Pool, options: StatementOptions): Promise<void> {
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

  note(`intake statements: receiveComplaint in-process, ${options.workers} workers, ${options.seconds} s`);
  await report.settle(`intake.inprocess c=${options.workers}`);
  const deadline = performance.now() + options.seconds * 1000;
  const started = performance.now();
  let complaints = 0;
  await Promise.all(
    Array.from({ length: options.workers }, async () => {
      while (performance.now() < deadline) {
        const body = JSON.parse(options.makeBody()) as Parameters<typeof receiveComplaint>[1];
        await receiveComplaint({ db, actor: { kind: 'citizen' } }, { ...body, channel: 'api' });
        complaints += 1;
      }
    }),
  );

  const seconds = (performance.now() - started) / 1000;
  report.add('intake.inprocess.rate', null, options.workers, complaints / seconds, 'complaints/s');

  const statements = [...durations.values()].reduce((sum, list) => sum + list.length, 0);
  report.add('intake.inprocess.statements_per_complaint', null, options.workers, statements / complaints, 'count');
  const kinds = [...durations.entries()].sort((a, b) => sum(b[1]) - sum(a[1]));
  const total = sum(kinds.flatMap(([, list]) => list));
  for (const [kind, list] of kinds) {
    const name = kind.replace(/\s+/g, '_');
    report.add(`intake.stmt.${name}.per_complaint`, null, options.workers, list.length / complaints, 'count');
    report.add(`intake.stmt.${name}.p50`, null, options.workers, percentile(list, 50), 'ms');
    report.add(`intake.stmt.${name}.share`, null, options.workers, sum(list) / total, 'of statement time');
  }
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
