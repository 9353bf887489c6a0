/**
 * The monthly indicator rollup gives the same figures as the live
 * computation: counts and shares equal, medians and 90th percentiles within
 * 1 %. It notices new events, marked months and stale periods, and declines
 * the queries it cannot answer.
 */
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import assert from 'node:assert/strict';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../support/db.ts';
import { makeStaff, type TestStaff } from '../support/staff.ts';
import { createSampleComplaints } from './sample-data.ts';
import { receiveComplaint } from '../../src/commands/receive-complaint.ts';
import { verifyComplaint } from '../../src/commands/verify-complaint.ts';
import { dispatchComplaint } from '../../src/commands/dispatch-complaint.ts';
import { resolveComplaint } from '../../src/commands/resolve-complaint.ts';
import { rateComplaint } from '../../src/commands/reopen-complaint.ts';
import { archiveComplaint } from '../../src/commands/close-complaint.ts';
import { computeIndicators, INDICATORS, type IndicatorFilters } from '../../src/reports/indicators.ts';
import { buildDashboard } from '../../src/reports/dashboard.ts';
import {
  addToHistogram, bucketOf, bucketValue, emptyHistogram, histogramPercentile, markRollupMonthsDirty, readRollup, refreshIndicatorRollup, wholeMonthsOf,
} from '../../src/reports/indicator-rollup.ts';

/** A kecamatan of Karanganyar from the seed data. */
const DISTRICT = '33.13.04';

/** percentile_cont over plain numbers, as PostgreSQL computes it. */
function exactPercentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const position = fraction * (sorted.length - 1);
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
}

describe('rollup histograms', () => {
  test('a bucket stands for values within 1 % of its middle', () => {
    for (const value of [0.0001, 0.01, 0.37, 1, 2.5, 13.7, 400, 9000]) {
      const middle = bucketValue(bucketOf(value));
      assert.ok(Math.abs(middle - value) / value <= 0.0100001, `${value} → ${middle}`);
    }
    assert.equal(bucketOf(0), 0);
    assert.equal(bucketValue(0), 0);
  });

  test('percentiles from a histogram stay within 1 % of percentile_cont', () => {
    let state = 7;
    const random = () => {
      state = (state * 48271) % 2147483647;
      return state / 2147483647;
    };
    for (const size of [1, 2, 3, 10, 101, 5000]) {
      const values = Array.from({ length: size }, () => Math.exp(random() * 8 - 4));
      const histogram = emptyHistogram();
      for (const value of values) addToHistogram(histogram, value);
      for (const fraction of [0.5, 0.9]) {
        const exact = exactPercentile(values, fraction);
        const approx = histogramPercentile(histogram, fraction);
        assert.notEqual(approx, null, `size ${size} p${fraction}`);
        assert.ok(Math.abs(approx! - exact) / exact <= 0.0101, `size ${size} p${fraction}: ${approx} vs ${exact}`);
      }
    }
    assert.equal(histogramPercentile(emptyHistogram(), 0.5), null);
    // Zeros count, and values added in any order land in a range that grows both ways.
    const mixed = emptyHistogram();
    for (const value of [5, 0, 0.01, 300, 0]) addToHistogram(mixed, value);
    assert.equal(histogramPercentile(mixed, 0), 0);
    assert.ok(Math.abs(histogramPercentile(mixed, 1)! - 300) / 300 <= 0.0101);
    assert.ok(Math.abs(histogramPercentile(mixed, 0.5)! - 0.01) / 0.01 <= 0.0101);
  });

  test('whole months: from the 1st to a month end, or to today', () => {
    const now = new Date('2026-05-10T03:00:00Z');
    assert.deepEqual(wholeMonthsOf('2026-01-01', '2026-03-31', now), ['2026-01', '2026-02', '2026-03']);
    assert.deepEqual(wholeMonthsOf('2026-03-01', '2026-05-10', now), ['2026-03', '2026-04', '2026-05']);
    assert.equal(wholeMonthsOf('2026-01-02', '2026-03-31', now), null);
    assert.equal(wholeMonthsOf('2026-01-01', '2026-03-30', now), null);
    assert.equal(wholeMonthsOf('2026-03-01', '2026-05-09', now), null);
  });
});

/** Compares a live and a rolled-up result: the same groups, equal counts and shares, times within 1 %. */
function assertSameFigures(live: Awaited<ReturnType<typeof computeIndicators>>, rollup: Awaited<ReturnType<typeof computeIndicators>>, label: string) {
  assert.equal(live.source, 'live', label);
  assert.equal(rollup.source, 'rollup', label);
  assert.deepEqual(rollup.rows.map((row) => row.group).sort(), live.rows.map((row) => row.group).sort(), `${label}: groups`);
  for (const liveRow of live.rows) {
    const rolled = rollup.rows.find((row) => row.group === liveRow.group)!;
    for (const definition of INDICATORS) {
      const expected = liveRow.indicators[definition.code];
      const actual = rolled.indicators[definition.code];
      const where = `${label} ${liveRow.group} ${definition.code}`;
      if (definition.unit === 'days' || definition.unit === 'working_hours') {
        if (expected === null) assert.equal(actual, null, where);
        else assert.ok(actual !== null && Math.abs(actual - expected) <= expected * 0.0101 + 0.0002, `${where}: ${actual} vs ${expected}`);
      } else {
        assert.equal(actual, expected, where);
      }
    }
  }
}

for (const backend of BACKENDS) {
  describe(`indicator rollup on ${backend}`, () => {
    let database: TestDatabase;
    let officer: TestStaff;
    const agencies: Record<string, TestStaff> = {};
    const now = new Date('2026-04-20T05:00:00Z');

    before(async () => {
      database = await createTestDatabase(backend);
      const db = database.db;
      officer = await makeStaff(db, 'complaint_officer');
      for (const code of ['dpupr', 'dlh', 'disdukcapil', 'pdam', 'dinkes']) agencies[code] = await makeStaff(db, 'agency_officer', code);
      await createSampleComplaints(db, {
        officer: officer.actor,
        agencies: Object.fromEntries(Object.entries(agencies).map(([code, staff]) => [code, staff.actor])),
      }, { count: 60, from: new Date('2026-01-05T00:00:00Z'), to: new Date('2026-04-10T00:00:00Z'), seed: 5 });

      // A low rating reopens a resolved report; an archived one counts nowhere.
      const citizen = { kind: 'citizen' } as const;
      const received = new Date('2026-03-03T02:00:00Z');
      const { complaint } = await receiveComplaint({ db, actor: citizen, now: received }, {
        type: 'pengaduan', description: 'Lampu penerangan jalan di depan balai desa mati sejak seminggu.', channel: 'whatsapp', receivedAt: received, districtCode: DISTRICT,
      });
      await verifyComplaint({ db, actor: officer.actor, now: new Date('2026-03-03T04:00:00Z') }, complaint.id, { type: 'pengaduan', categoryCode: 'jalan-jembatan', districtCode: DISTRICT });
      await dispatchComplaint({ db, actor: officer.actor, now: new Date('2026-03-03T04:00:00Z') }, complaint.id, { agencyCode: 'dpupr' });
      await resolveComplaint({ db, actor: agencies.dpupr.actor, now: new Date('2026-03-05T04:00:00Z') }, complaint.id, { body: 'Lampu sudah diganti oleh petugas.' });
      await rateComplaint({ db, actor: citizen, now: new Date('2026-03-06T04:00:00Z') }, complaint.id, { rating: 1 });
      const spam = await receiveComplaint({ db, actor: citizen, now: received }, {
        type: 'pengaduan', description: 'Promo pulsa murah hubungi kami sekarang juga ya.', channel: 'sms', receivedAt: received,
      });
      await archiveComplaint({ db, actor: officer.actor, now: received }, spam.complaint.id, { reason: 'spam' });
    });
    after(async () => database?.dispose());

    test('first refresh matches live figures', async () => {
      const db = database.db;
      assert.equal(await readRollup(db, { from: '2026-01-01', to: '2026-04-30', filters: {} }, now, 0), null, 'nothing before the first refresh');
      const result = await refreshIndicatorRollup(db, now);
      assert.deepEqual(result.months, ['2026-01', '2026-02', '2026-03', '2026-04']);
      assert.equal(result.complaints, 61, 'every complaint but the archived one');

      const period = { from: '2026-01-01', to: '2026-04-30' };
      const queries: [string, IndicatorFilters][] = [
        ['all', period],
        ['by month', { ...period, groupBy: 'month' }],
        ['by agency', { ...period, groupBy: 'agency' }],
        ['by category', { ...period, groupBy: 'category' }],
        ['by channel', { ...period, groupBy: 'channel' }],
        ['by district', { ...period, groupBy: 'district' }],
        ['by type', { ...period, groupBy: 'type' }],
        ['dpupr by month', { ...period, agency: 'dpupr', groupBy: 'month' }],
        ['dpupr by channel', { ...period, agency: 'dpupr', groupBy: 'channel' }],
        ['dpupr by district', { ...period, agency: 'dpupr', groupBy: 'district' }],
        ['dlh by category', { ...period, agency: 'dlh', groupBy: 'category' }],
        ['one category by agency', { ...period, category: 'jalan-jembatan', groupBy: 'agency' }],
        ['March', { from: '2026-03-01', to: '2026-03-31' }],
      ];
      for (const [label, filters] of queries) {
        const live = await computeIndicators(db, filters, now, { source: 'live' });
        const rollup = await computeIndicators(db, filters, now, { source: 'rollup' });
        assertSameFigures(live, rollup, label);
      }
      const total = await computeIndicators(db, period, now, { source: 'rollup' });
      assert.equal(total.rows[0].indicators.received, 61);
      assert.ok((total.rows[0].indicators.reopen_rate ?? 0) > 0, 'the reopened report counts');
      assert.equal(total.asOf, now.toISOString());
    });

    test('small periods are computed live unless the rollup is asked for', async () => {
      const auto = await computeIndicators(database.db, { from: '2026-01-01', to: '2026-04-30' }, now);
      assert.equal(auto.source, 'live');
      assert.equal(auto.asOf, now.toISOString());
    });

    test('queries the rollup cannot answer return null', async () => {
      const db = database.db;
      const base = { from: '2026-01-01', to: '2026-04-30' };
      assert.equal(await readRollup(db, { ...base, filters: { category: 'jalan-jembatan', channel: 'web' } }, now, 0), null, 'slice not stored');
      assert.equal(await readRollup(db, { from: '2026-01-02', to: '2026-04-30', filters: {} }, now, 0), null, 'partial month');
      assert.equal(await readRollup(db, { ...base, filters: { agency: '-' } }, now, 0), null, "'-' means no agency: live");
      const before = await readRollup(db, { from: '2025-11-01', to: '2026-04-30', filters: {} }, now, 0);
      assert.equal(before?.groups.get('all')?.received, 61, 'months without reports count as empty');
      assert.ok(await readRollup(db, { ...base, filters: {} }, now, 0));
      assert.equal(await readRollup(db, { ...base, filters: {} }, now), null, 'below the size where the rollup pays');
      // The fallback computes the period live.
      const partial = await computeIndicators(db, { from: '2026-01-02', to: '2026-04-30' }, now, { source: 'rollup' });
      assert.equal(partial.source, 'live');
    });

    test('new event refreshes its month', async () => {
      const db = database.db;
      const later = new Date('2026-04-20T06:00:00Z');
      const before = await computeIndicators(db, { from: '2026-02-01', to: '2026-02-28' }, later, { source: 'rollup' });
      const received = new Date('2026-02-10T02:00:00Z');
      await receiveComplaint({ db, actor: { kind: 'citizen' }, now: later }, {
        type: 'pengaduan', description: 'Sampah menumpuk di pinggir jalan dekat pasar desa.', channel: 'web', receivedAt: received,
      });
      const stale = await computeIndicators(db, { from: '2026-02-01', to: '2026-02-28' }, later, { source: 'rollup' });
      assert.equal(stale.rows[0].indicators.received, before.rows[0].indicators.received, 'unchanged until the refresh');

      const result = await refreshIndicatorRollup(db, later);
      assert.ok(result.months.includes('2026-02'));
      const fresh = await computeIndicators(db, { from: '2026-02-01', to: '2026-02-28' }, later, { source: 'rollup' });
      assert.equal(fresh.rows[0].indicators.received, (before.rows[0].indicators.received ?? 0) + 1);
      assert.equal(fresh.asOf, later.toISOString());
      const live = await computeIndicators(db, { from: '2026-02-01', to: '2026-02-28' }, later, { source: 'live' });
      assertSameFigures(live, fresh, 'February after the new report');
    });

    test('marked months are rolled up again without any event', async () => {
      const db = database.db;
      const later = new Date('2026-04-20T07:00:00Z');
      await refreshIndicatorRollup(db, later);
      await markRollupMonthsDirty(db, '2026-03', later);
      const result = await refreshIndicatorRollup(db, later);
      assert.ok(result.months.includes('2026-03'), result.months.join(','));
      assert.ok(result.months.includes('2026-04'), result.months.join(','));
      const again = await refreshIndicatorRollup(db, later);
      assert.deepEqual(again.months, [], 'nothing new, nothing marked: nothing read again');
    });

    test('an event that commits after a higher one is still noticed', { skip: backend === 'pglite' && 'one PGlite connection cannot hold two transactions' }, async () => {
      const db = database.db;
      const later = new Date('2026-04-20T07:30:00Z');
      await refreshIndicatorRollup(db, later);
      const january = await sql<{ id: string }>`
        SELECT id FROM complaints WHERE received_at < '2026-01-31T17:00:00Z' AND status <> 'archived' ORDER BY id LIMIT 1
      `.execute(db);
      const complaintId = Number(january.rows[0].id);
      let refreshedMeanwhile: string[] = [];
      await db.transaction().execute(async (trx) => {
        // This event takes its id now and commits only after a later event and a refresh.
        await sql`INSERT INTO complaint_events (complaint_id, type, at, actor_kind) VALUES (${complaintId}, 'note_added', ${later}, 'system')`.execute(trx);
        await receiveComplaint({ db, actor: { kind: 'citizen' }, now: later }, {
          type: 'pengaduan', description: 'Saluran air tersumbat di depan sekolah dasar desa.', channel: 'web', receivedAt: new Date('2026-04-15T02:00:00Z'),
        });
        refreshedMeanwhile = (await refreshIndicatorRollup(db, later)).months;
      });
      assert.deepEqual(refreshedMeanwhile, ['2026-04'], 'the uncommitted event is not visible yet');
      const after = await refreshIndicatorRollup(db, later);
      assert.deepEqual(after.months, ['2026-01'], 'found once it committed');
    });

    test('the dashboard reads the same figures from the rollup', async () => {
      const db = database.db;
      const later = new Date('2026-04-20T08:00:00Z');
      await refreshIndicatorRollup(db, later);
      for (const agency of [undefined, 'dpupr']) {
        const filter = { from: '2026-01-01', to: '2026-04-20', agency };
        const live = await buildDashboard(db, filter, later);
        const rolled = await buildDashboard(db, filter, later, { rollupMinReceived: 0 });
        assert.deepEqual(rolled.weekly, live.weekly, `${agency ?? 'all'}: weekly`);
        assert.deepEqual(rolled.satisfaction.distribution, live.satisfaction.distribution, `${agency ?? 'all'}: ratings`);
        assert.equal(rolled.totals.received, live.totals.received);
        assert.equal(rolled.totals.resolved_within_sla_share, live.totals.resolved_within_sla_share);
        assert.deepEqual(rolled.slaTrend, live.slaTrend, `${agency ?? 'all'}: SLA trend`);
        assert.deepEqual(rolled.districts, live.districts);
        assert.deepEqual(rolled.backlog, live.backlog, `${agency ?? 'all'}: backlog`);
        assert.equal(rolled.overdueNow, live.overdueNow, `${agency ?? 'all'}: overdue now`);
        assert.equal(rolled.asOf, later.toISOString());
        assert.deepEqual(rolled.league.map((row) => [row.code, row.figures.received, row.overdue]), live.league.map((row) => [row.code, row.figures.received, row.overdue]));
      }
    });
  });
}
