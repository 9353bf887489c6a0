/**
 * Holiday recompute under inbox load: an administrator adds a holiday with
 * `addHoliday` (in this process, on its own pool) while autocannon keeps
 * requesting GET /api/v1/complaints from the running server. A change that
 * affects more complaints than the inline limit is queued, and this process
 * then runs it with `runDeadlineRecompute`, the function the
 * `deadline-recompute` job calls. Reports the time of the administrator's
 * request, the recompute time and rate, the inbox latency and errors before
 * and during the recompute, and checks that the verification deadlines moved.
 *
 * The generator leaves about 5 % of complaints open, so reaching 100k open
 * complaints by seeding alone needs about 2M complaints (over 15 minutes).
 * `cloneOpenComplaints` therefore copies the seeded open complaints, with
 * their events and deadlines, under new ids until the target is reached.
 * A copy has the same event log, so its stored clocks stay what
 * `computeClocks` returns for it.
 */
import autocannon from 'autocannon';
import type pg from 'pg';
import type { Kysely } from 'kysely';
import type { DB } from '../src/db/schema.ts';
import type { StaffUser } from '../src/domain/types.ts';
import { OPEN_STATUSES } from '../src/domain/lifecycle.ts';
import { computeClocks } from '../src/domain/sla.ts';
import { invalidateCalendarCache, loadCalendar, slaSettingsFor } from '../src/commands/deadlines.ts';
import { addHoliday } from '../src/commands/manage-reference-data.ts';
import { runDeadlineRecompute } from '../src/commands/recompute-deadlines.ts';
import { percentile } from './lib/stats.ts';
import { formatSize, note, type Report } from './lib/report.ts';

export interface RecomputeContext {
  /** Minimum number of open complaints, also the size of every figure. */
  size: number;
  baseUrl: string;
  pool: pg.Pool;
  db: Kysely<DB>;
  admin: StaffUser;
  officerToken: string;
  now: Date;
  connections: number;
  /** Seconds of inbox load before the holiday is added. */
  baselineSeconds: number;
  /** Upper bound of the whole load run, in seconds. */
  maxSeconds: number;
}

const OPEN_LIST = OPEN_STATUSES.map((status) => `'${status}'`).join(', ');
const SAMPLE = 200;

/** Counts complaints in an open status. */
export async function countOpen(pool: pg.Pool): Promise<number> {
  const result = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM complaints WHERE status IN (${OPEN_LIST})`);
  return result.rows[0].n;
}

async function insertableColumns(pool: pg.Pool, table: string): Promise<string[]> {
  const result = await pool.query<{ column_name: string }>(
    "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = 'NEVER' ORDER BY ordinal_position",
    [table],
  );
  return result.rows.map((row) => row.column_name);
}

/**
 * Copies the open complaints present now, with their events and deadlines,
 * until at least `target` complaints are open. Copy k of complaint i gets
 * id i + k × (max id) and a tracking code of its own. Returns the copies made.
 */
export async function cloneOpenComplaints(pool: pg.Pool, target: number): Promise<number> {
  const open = await countOpen(pool);
  if (open >= target) return 0;
  if (open === 0) throw new Error('the seeded data has no open complaint to copy; seed more complaints first.');
  const rounds = Math.ceil((target - open) / open);
  const maxId = Number((await pool.query<{ id: string }>('SELECT max(id) AS id FROM complaints')).rows[0].id);
  const complaintColumns = (await insertableColumns(pool, 'complaints')).filter((column) => column !== 'id');
  const eventColumns = (await insertableColumns(pool, 'complaint_events')).filter((column) => column !== 'id');
  const deadlineColumns = await insertableColumns(pool, 'complaint_deadlines');
  const client = await pool.connect();
  try {
    // Same bulk-load steps as the generator: no per-row GIN maintenance, rebuilt after the copy.
    const ginIndexes = await client.query<{ indexname: string; indexdef: string }>(
      "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'complaints' AND indexdef LIKE '% USING gin %'",
    );
    for (const index of ginIndexes.rows) await client.query(`DROP INDEX ${client.escapeIdentifier(index.indexname)}`);
    try {
      for (let k = 1; k <= rounds; k++) {
        const offset = k * maxId;
        const complaintValues = complaintColumns.map((column) => {
          if (column === 'tracking_code') return `'ADU-CLN' || (id + ${offset})`;
          if (column === 'external_id') return `CASE WHEN external_id IS NULL THEN NULL ELSE external_id || '-copy${k}' END`;
          return column;
        });
        await client.query('BEGIN');
        await client.query(
          `INSERT INTO complaints (id, ${complaintColumns.join(', ')}) SELECT id + ${offset}, ${complaintValues.join(', ')} FROM complaints WHERE id <= ${maxId} AND status IN (${OPEN_LIST})`,
        );
        await client.query(
          `INSERT INTO complaint_events (${eventColumns.join(', ')}) SELECT ${eventColumns.map((column) => (column === 'complaint_id' ? `e.complaint_id + ${offset}` : `e.${column}`)).join(', ')}
           FROM complaint_events e JOIN complaints c ON c.id = e.complaint_id WHERE c.id <= ${maxId} AND c.status IN (${OPEN_LIST}) ORDER BY e.id`,
        );
        await client.query(
          `INSERT INTO complaint_deadlines (${deadlineColumns.join(', ')}) SELECT ${deadlineColumns.map((column) => (column === 'complaint_id' ? `d.complaint_id + ${offset}` : `d.${column}`)).join(', ')}
           FROM complaint_deadlines d JOIN complaints c ON c.id = d.complaint_id WHERE c.id <= ${maxId} AND c.status IN (${OPEN_LIST})`,
        );
        await client.query('COMMIT');
        note(`recompute: copy ${k} of ${rounds} of the ${open} open complaints inserted`);
      }
    } finally {
      for (const index of ginIndexes.rows) await client.query(index.indexdef.replace(/^CREATE INDEX /, 'CREATE INDEX IF NOT EXISTS '));
    }
    await client.query("SELECT setval('complaints_id_seq', (SELECT max(id) FROM complaints))");
    await client.query("SELECT setval('complaint_events_id_seq', (SELECT max(id) FROM complaint_events))");
    await client.query('VACUUM (ANALYZE) complaints, complaint_events, complaint_deadlines');
  } finally {
    client.release();
  }
  return rounds;
}

/**
 * Picks the working day after `now` that the most running verification
 * clocks of open complaints span (started before it, due on or after it).
 */
async function pickHolidayDate(pool: pg.Pool, now: Date): Promise<{ date: string; spanning: number }> {
  const result = await pool.query<{ day: string; n: number }>(
    `SELECT to_char(day, 'YYYY-MM-DD') AS day, count(*)::int AS n
     FROM complaint_deadlines d JOIN complaints c ON c.id = d.complaint_id,
          generate_series((d.started_at AT TIME ZONE 'Asia/Jakarta')::date + 1, d.due_date, interval '1 day') AS day
     WHERE d.clock = 'verification' AND d.stopped_at IS NULL AND c.status IN (${OPEN_LIST})
       AND day > ($1::timestamptz AT TIME ZONE 'Asia/Jakarta')::date
       AND extract(isodow FROM day) < 6 AND day::date NOT IN (SELECT date FROM holidays)
     GROUP BY day ORDER BY n DESC, day LIMIT 1`,
    [now],
  );
  if (result.rows.length === 0) throw new Error('no running verification clock of an open complaint spans a working day after now; seed with a later --now or more complaints.');
  return { date: result.rows[0].day, spanning: result.rows[0].n };
}

interface Sample {
  at: number;
  ms: number;
  ok: boolean;
}

function phaseFigures(report: Report, context: RecomputeContext, phase: string, samples: Sample[], connectionErrors: number): void {
  const latencies = samples.map((sample) => sample.ms);
  const seconds = samples.length > 1 ? (samples[samples.length - 1].at - samples[0].at) / 1000 : 0;
  report.add(`recompute.inbox_${phase}.requests`, context.size, context.connections, samples.length, 'responses');
  report.add(`recompute.inbox_${phase}.rate`, context.size, context.connections, seconds > 0 ? samples.length / seconds : 0, 'req/s');
  report.add(`recompute.inbox_${phase}.p50`, context.size, context.connections, percentile(latencies, 50), 'ms');
  report.add(`recompute.inbox_${phase}.p95`, context.size, context.connections, percentile(latencies, 95), 'ms');
  report.add(`recompute.inbox_${phase}.p99`, context.size, context.connections, percentile(latencies, 99), 'ms');
  report.add(`recompute.inbox_${phase}.errors`, context.size, context.connections, samples.filter((sample) => !sample.ok).length + connectionErrors, 'count');
}

/**
 * Compares the sampled verification clocks after the recompute with
 * `computeClocks` over the new calendar, and with their due dates before it.
 */
async function checkSample(context: RecomputeContext, before: Map<number, { started: string; due: string }>, holiday: string) {
  invalidateCalendarCache();
  const calendar = await loadCalendar(context.db);
  let spanning = 0;
  let moved = 0;
  let mismatches = 0;
  let unexpectedMoves = 0;
  for (const [id, old] of before) {
    const complaint = await context.db.selectFrom('complaints').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const events = await context.db.selectFrom('complaint_events').select(['type', 'at', 'data']).where('complaint_id', '=', id).orderBy('at').orderBy('id').execute();
    const expected = computeClocks(events, await slaSettingsFor(context.db, complaint), calendar, context.now).verification;
    const stored = await context.db.selectFrom('complaint_deadlines').select(['due_date']).where('complaint_id', '=', id).where('clock', '=', 'verification').executeTakeFirstOrThrow();
    if (stored.due_date !== expected.dueDate) mismatches += 1;
    const spans = old.started < holiday && old.due >= holiday;
    const hasMoved = stored.due_date !== null && stored.due_date > old.due;
    if (spans) spanning += 1;
    if (spans && hasMoved) moved += 1;
    if (!spans && stored.due_date !== old.due) unexpectedMoves += 1;
  }
  return { checked: before.size, spanning, moved, mismatches, unexpectedMoves };
}

export async function runRecompute(report: Report, context: RecomputeContext): Promise<void> {
  const open = await countOpen(context.pool);
  report.add('recompute.open_complaints', context.size, null, open, 'complaints');
  const { date: holiday, spanning } = await pickHolidayDate(context.pool, context.now);
  note(`recompute: holiday ${holiday}, spanned by ${spanning} running verification clocks`);
  report.add('recompute.spanning_clocks', context.size, null, spanning, 'clocks');

  // Before-image of every open verification clock, for the full check after the recompute.
  await context.pool.query('DROP TABLE IF EXISTS bench_recompute_before');
  await context.pool.query(
    `CREATE TABLE bench_recompute_before AS SELECT d.complaint_id, (d.started_at AT TIME ZONE 'Asia/Jakarta')::date AS started, d.due_date, d.stopped_at
     FROM complaint_deadlines d JOIN complaints c ON c.id = d.complaint_id WHERE d.clock = 'verification' AND c.status IN (${OPEN_LIST}) AND d.due_date IS NOT NULL`,
  );
  const sampleRows = await context.pool.query<{ complaint_id: number; started: string; due: string }>(
    `SELECT complaint_id::int, to_char(started, 'YYYY-MM-DD') AS started, to_char(due_date, 'YYYY-MM-DD') AS due FROM (
       SELECT *, row_number() OVER (ORDER BY complaint_id) AS n, count(*) OVER () AS total FROM bench_recompute_before) t
     WHERE n % greatest(total / ${SAMPLE}, 1) = 0 ORDER BY complaint_id LIMIT ${SAMPLE}`,
  );
  const before = new Map(sampleRows.rows.map((row) => [row.complaint_id, { started: row.started, due: row.due }]));

  await report.settle(`recompute at ${formatSize(context.size)}`);
  const samples: Sample[] = [];
  let connectionErrors = 0;
  const errorTimes: number[] = [];
  let markDone: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    markDone = resolve;
  });
  // The callback form returns the instance, whose events carry each response's latency.
  const instance = autocannon({
    url: `${context.baseUrl}/api/v1/complaints`,
    connections: context.connections,
    duration: context.maxSeconds,
    headers: { authorization: `Bearer ${context.officerToken}`, 'accept-language': 'en' },
  }, () => markDone());
  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    samples.push({ at: Date.now(), ms: responseTime, ok: statusCode >= 200 && statusCode < 300 });
  });
  instance.on('reqError', () => {
    connectionErrors += 1;
    errorTimes.push(Date.now());
  });

  await new Promise((resolve) => setTimeout(resolve, context.baselineSeconds * 1000));
  const started = Date.now();
  const result = await addHoliday({ db: context.db, actor: { kind: 'staff', user: context.admin }, now: context.now }, {
    date: holiday, kind: 'national', name: 'Libur uji beban', basis: 'benchmark',
  });
  const requestEnded = Date.now();
  note(`recompute: run ${result.run.id} ${result.run.status} after the request, ${result.run.total} affected complaints`);
  const run = result.run.status === 'done'
    ? result.run
    : await runDeadlineRecompute(context.db, result.run.id, { now: () => context.now });
  const ended = Date.now();
  // A few seconds after the recompute, to see the inbox recover.
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  instance.stop();
  await finished;

  const seconds = (ended - started) / 1000;
  report.add('recompute.request_time', context.size, context.connections, (requestEnded - started) / 1000, 's');
  report.add('recompute.affected', context.size, null, run.total, 'complaints');
  report.add('recompute.recomputed', context.size, null, run.processed, 'complaints');
  report.add('recompute.changed', context.size, null, run.changed, 'complaints');
  report.add('recompute.time', context.size, context.connections, seconds, 's');
  report.add('recompute.rate', context.size, context.connections, run.processed / seconds, 'complaints/s');
  const baselineStart = started - context.baselineSeconds * 1000;
  // The first 2 s of the baseline warm the server's connections and JIT.
  phaseFigures(report, context, 'before', samples.filter((s) => s.at >= baselineStart + 2_000 && s.at < started), errorTimes.filter((t) => t < started).length);
  phaseFigures(report, context, 'during', samples.filter((s) => s.at >= started && s.at <= ended), errorTimes.filter((t) => t >= started && t <= ended).length);

  const check = await checkSample(context, before, holiday);
  report.add('recompute.check.sampled', context.size, null, check.checked, 'complaints');
  report.add('recompute.check.spanning', context.size, null, check.spanning, 'complaints');
  report.add('recompute.check.moved', context.size, null, check.moved, `of ${check.spanning}`);
  report.add('recompute.check.compute_clocks_mismatches', context.size, null, check.mismatches, `of ${check.checked}`);
  report.add('recompute.check.unexpected_moves', context.size, null, check.unexpectedMoves, `of ${check.checked - check.spanning}`);

  // Every open clock, not only the sample: a clock that spanned the holiday must now be due later.
  const full = await context.pool.query<{ spanning: number; not_moved: number }>(
    `SELECT count(*)::int AS spanning, count(*) FILTER (WHERE d.due_date <= b.due_date)::int AS not_moved
     FROM bench_recompute_before b JOIN complaint_deadlines d ON d.complaint_id = b.complaint_id AND d.clock = 'verification'
     WHERE b.started < $1::date AND b.due_date >= $1::date`,
    [holiday],
  );
  report.add('recompute.check_all.spanning', context.size, null, full.rows[0].spanning, 'clocks');
  report.add('recompute.check_all.not_moved', context.size, null, full.rows[0].not_moved, `of ${full.rows[0].spanning}`);
  await context.pool.query('DROP TABLE bench_recompute_before');
}
