/**
 * Intake: POST /api/v1/complaints on the real server under load, then a
 * count in the database that every 201 response stands for a committed
 * complaint with its `received` event and its four SLA clocks.
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { DB } from '../src/db/schema.ts';
import { CLOCK_NAMES } from '../src/domain/sla.ts';
import { okCount, runLoad } from './lib/load.ts';
import { Random, Weighted } from './lib/random.ts';
import { note, type Report } from './lib/report.ts';
import { cpuPerUnit, startCpuAccount } from './lib/machine.ts';
import { readRssMiB, sampleRss, type RunningServer } from './lib/server.ts';
import { CATEGORY_WEIGHTS, PRIVACY, TYPES } from './seed.ts';

/** Citizens who file again and again, so that some requests find an existing reporter. */
const FREQUENT_REPORTERS = 500;
/** Time for requests still running on the server when the load generator stops. */
const SETTLE_MS = 2_000;

export interface IntakeReference {
  categories: Weighted<string>;
  districts: string[];
  villagesByDistrict: Map<string, string[]>;
}

export async function loadIntakeReference(db: Kysely<DB>): Promise<IntakeReference> {
  const [categories, districts, villages] = await Promise.all([
    db.selectFrom('categories').select('code').where('active', '=', true).orderBy('id').execute(),
    db.selectFrom('districts').select('code').orderBy('code').execute(),
    db.selectFrom('villages').select(['code', 'district_code']).orderBy('code').execute(),
  ]);
  const villagesByDistrict = new Map<string, string[]>();
  for (const village of villages) {
    villagesByDistrict.set(village.district_code, [...(villagesByDistrict.get(village.district_code) ?? []), village.code]);
  }
  return {
    categories: new Weighted(categories.map((row): [string, number] => [row.code, CATEGORY_WEIGHTS[row.code] ?? 1])),
    districts: districts.map((row) => row.code),
    villagesByDistrict,
  };
}

/**
 * Returns a function that builds one intake request body as the public form
 * sends it: a real description, a type, often a category and a kecamatan,
 * and often a phone number (synthetic, in the 08120… range).
 */
export function intakeBodyFactory(random: Random, texts: readonly string[], ref: IntakeReference): () => string {
  return () => {
    const body: Record<string, unknown> = {
      type: TYPES.pick(random),
      description: random.pick(texts),
      privacy: PRIVACY.pick(random),
    };
    if (random.chance(0.6)) body.categoryCode = ref.categories.pick(random);
    if (random.chance(0.7)) {
      const district = random.pick(ref.districts);
      body.districtCode = district;
      const villages = ref.villagesByDistrict.get(district) ?? [];
      if (villages.length > 0 && random.chance(0.5)) body.villageCode = random.pick(villages);
    }
    if (random.chance(0.7)) {
      const number = random.chance(0.2) ? random.int(FREQUENT_REPORTERS) : FREQUENT_REPORTERS + random.int(9_000_000);
      body.reporter = { ...(random.chance(0.3) ? { name: 'Warga' } : {}), phone: `08120${String(number).padStart(7, '0')}` };
    }
    return JSON.stringify(body);
  };
}

export interface IntakeOptions {
  seconds: number;
  warmupSeconds: number;
  connections: readonly number[];
  makeBody: () => string;
}

/** Runs the intake load at each connection count against a running server on `db`'s database. */
export async function runIntake(report: Report, server: RunningServer, db: Kysely<DB>, options: IntakeOptions): Promise<void> {
  const url = `${server.baseUrl}/api/v1/complaints`;
  const headers = { 'content-type': 'application/json' };
  if (options.warmupSeconds > 0) {
    note(`intake: warm-up, 8 connections, ${options.warmupSeconds} s (not reported)`);
    await runLoad({ url, connections: 8, seconds: options.warmupSeconds, method: 'POST', headers, body: options.makeBody });
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  }
  report.add('memory.rss.before_load.postgres', null, null, readRssMiB(server.pid), 'MiB');

  for (const connections of options.connections) {
    const before = await maxComplaintId(db);
    const trackingCodes: string[] = [];
    note(`intake: POST /api/v1/complaints, ${connections} connections, ${options.seconds} s`);
    await report.settle(`intake c=${connections}`);
    const stopSampling = sampleRss(server.pid);
    const stopCpuAccount = startCpuAccount(server.pid);
    const result = await runLoad({
      url, connections, seconds: options.seconds, method: 'POST', headers, body: options.makeBody,
      onResponse: (status, body) => {
        if (status === 201) trackingCodes.push((JSON.parse(body) as { trackingCode: string }).trackingCode);
      },
    });
    const cpu = cpuPerUnit(stopCpuAccount(), okCount(result));
    const rss = stopSampling();
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));

    const ok = okCount(result);
    const check = await countNewRows(db, before, trackingCodes);
    report.add('intake.rate', null, connections, ok / result.seconds, 'complaints/s');
    report.add('intake.p50', null, connections, result.p50, 'ms');
    report.add('intake.p99', null, connections, result.p99, 'ms');
    report.add('intake.max', null, connections, result.max, 'ms');
    report.add('intake.responses.2xx', null, connections, ok, 'count');
    // Connection errors and timeouts, plus every response that was not 2xx.
    report.add('intake.errors', null, connections, result.errors + nonOk(result.statusCounts), 'count');
    report.add('intake.rows.new', null, connections, check.newRows, 'count');
    report.add('intake.rows.lost', null, connections, trackingCodes.length - check.answeredFound, 'count');
    report.add('intake.rows.unanswered', null, connections, check.newRows - check.answeredFound, 'count');
    report.add('intake.rows.incomplete', null, connections, check.withoutReceived + check.withoutFourClocks, 'count');
    // Where the two cores went: CPU time per stored complaint, by process.
    report.add('intake.cpu.server', null, connections, cpu.server, 'us/complaint');
    report.add('intake.cpu.postgres', null, connections, cpu.postgres, 'us/complaint');
    report.add('intake.cpu.load_generator', null, connections, cpu.loadGenerator, 'us/complaint');
    report.add('intake.cpu.machine', null, connections, cpu.machine, 'us/complaint');
    report.add('memory.rss.load.postgres.max', null, connections, Math.max(...rss), 'MiB');
    report.add('memory.rss.load.postgres.mean', null, connections, rss.reduce((a, b) => a + b, 0) / rss.length, 'MiB');
    if (check.newRows > result.sent) {
      note(`intake: ${check.newRows} new rows but only ${result.sent} requests sent: some request was stored twice`);
    }
  }
}

function nonOk(counts: Record<string, number>): number {
  return Object.entries(counts)
    .filter(([code]) => !code.startsWith('2'))
    .reduce((sum, [, count]) => sum + count, 0);
}

async function maxComplaintId(db: Kysely<DB>): Promise<number> {
  const row = await db.selectFrom('complaints').select((eb) => eb.fn.max('id').as('id')).executeTakeFirstOrThrow();
  return Number(row.id ?? 0);
}

/**
 * Counts complaints created after `afterId`, how many of the tracking codes
 * returned in 201 responses are among them, and how many lack their `received` event
 * or their four clocks.
 */
async function countNewRows(db: Kysely<DB>, afterId: number, trackingCodes: readonly string[]) {
  const row = await sql<{ new_rows: number; answered_found: number; without_received: number; without_four_clocks: number }>`
    SELECT
      count(*)::int AS new_rows,
      count(*) FILTER (WHERE c.tracking_code = ANY(${trackingCodes as string[]}::text[]))::int AS answered_found,
      count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM complaint_events e WHERE e.complaint_id = c.id AND e.type = 'received'))::int AS without_received,
      count(*) FILTER (WHERE (SELECT count(*) FROM complaint_deadlines d WHERE d.complaint_id = c.id) <> ${CLOCK_NAMES.length})::int AS without_four_clocks
    FROM complaints c
    WHERE c.id > ${afterId}
  `.execute(db);
  const counts = row.rows[0];
  return {
    newRows: counts.new_rows,
    answeredFound: counts.answered_found,
    withoutReceived: counts.without_received,
    withoutFourClocks: counts.without_four_clocks,
  };
}
