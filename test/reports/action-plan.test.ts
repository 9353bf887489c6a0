/**
 * The action plan: the status rule and period arithmetic as tables of cases,
 * then the commands (who may change what, validation, evidence, audit log)
 * and the computed progress on every database back end.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import {
  activityMonths, aggregateManual, computePlanProgress, indicatorStatus, latestPeriod, loadActionPlan, planPeriods,
  type PeriodProgress,
} from '../../src/reports/action-plan.ts';
import { INDICATORS } from '../../src/reports/indicators.ts';
import {
  addActivity, addIndicator, addObjective, ActionPlanSeedError, canReportFor, completeActivity, createActionPlan, deleteIndicator,
  FORMULA_UNITS, recordActual, removeActual, seedActionPlan, undoActivityCompletion, updateActivity, updateIndicator,
} from '../../src/commands/manage-action-plan.ts';
import { CommandError } from '../../src/commands/errors.ts';
import { receiveComplaint } from '../../src/commands/receive-complaint.ts';
import { verifyComplaint } from '../../src/commands/verify-complaint.ts';
import { dispatchComplaint } from '../../src/commands/dispatch-complaint.ts';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../support/db.ts';
import { makeStaff, type TestStaff } from '../support/staff.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SEED_PLAN = path.join(repoRoot, 'seed', 'action-plan-2026.json');
const at = (iso: string) => new Date(iso);

/** Minimal JPEG with an EXIF APP1 segment, to show evidence photos lose their metadata. */
function jpegWithExif(): Buffer {
  const exif = Buffer.concat([Buffer.from('Exif\0\0', 'binary'), Buffer.from('MM\0*\0\0\0\x08\0\0', 'binary')]);
  const app1 = Buffer.concat([Buffer.from([0xff, 0xe1, (exif.length + 2) >> 8, (exif.length + 2) & 0xff]), exif]);
  const sos = Buffer.from([0xff, 0xda, 0x00, 0x02]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app1, sos, Buffer.from([0x00, 0xff, 0xd9])]);
}

describe('status rule', () => {
  const cases: [number | null, number, 'gte' | 'lte', string][] = [
    [95, 95, 'gte', 'on_track'],
    [100, 95, 'gte', 'on_track'],
    [90.25, 95, 'gte', 'at_risk'], // exactly 5 % of 95 below the target
    [94.99, 95, 'gte', 'at_risk'],
    [90.24, 95, 'gte', 'missed'],
    [3.8, 4, 'gte', 'at_risk'],
    [3.79, 4, 'gte', 'missed'],
    [8.5, 8.5, 'lte', 'on_track'],
    [8.925, 8.5, 'lte', 'at_risk'],
    [8.93, 8.5, 'lte', 'missed'],
    [5, 5, 'lte', 'on_track'],
    [6, 5, 'lte', 'missed'],
    [0, 0, 'lte', 'on_track'],
    [0.1, 0, 'lte', 'missed'],
    [null, 95, 'gte', 'no_data'],
  ];
  for (const [actual, target, comparison, expected] of cases) {
    test(`${actual} against ${comparison} ${target}`, () => assert.equal(indicatorStatus(actual, target, comparison), expected));
  }
});

describe('periods and aggregation', () => {
  test('quarters of a year', () => {
    const quarters = planPeriods(2026, 'quarterly');
    assert.deepEqual(quarters.map((period) => [period.key, period.from, period.to]), [
      ['2026-Q1', '2026-01-01', '2026-03-31'],
      ['2026-Q2', '2026-04-01', '2026-06-30'],
      ['2026-Q3', '2026-07-01', '2026-09-30'],
      ['2026-Q4', '2026-10-01', '2026-12-31'],
    ]);
  });

  test('leap-year February', () => {
    assert.equal(planPeriods(2028, 'monthly')[1].to, '2028-02-29');
    assert.equal(planPeriods(2026, 'monthly')[1].to, '2026-02-28');
  });

  test('manual values per aggregate', () => {
    const actuals = [{ month: 1, value: 10 }, { month: 3, value: 20 }, { month: 4, value: 40 }];
    const q1 = { firstMonth: 1, lastMonth: 3 };
    assert.equal(aggregateManual(actuals, q1, 'sum'), 30);
    assert.equal(aggregateManual(actuals, q1, 'mean'), 15);
    assert.equal(aggregateManual(actuals, q1, 'last'), 20);
    assert.equal(aggregateManual(actuals, { firstMonth: 7, lastMonth: 9 }, 'sum'), null);
  });

  test('activity months by date', () => {
    const months = activityMonths({ plannedMonths: [3, 6, 9, 12], completions: [{ month: 3, doneOn: '2026-03-27', evidence: { url: 'https://contoh.id/a', fileId: null, fileName: null }, note: null }] }, 2026, '2026-09-10');
    assert.deepEqual(months.map((month) => month.state), [
      'not_planned', 'not_planned', 'done', 'not_planned', 'not_planned', 'overdue',
      'not_planned', 'not_planned', 'due', 'not_planned', 'not_planned', 'planned',
    ]);
  });

  test('latest period skips an empty new month', () => {
    const period = (key: string, state: PeriodProgress['state'], actual: number | null): PeriodProgress => ({
      key, firstMonth: 1, lastMonth: 1, from: '', to: '', state, actual, status: actual === null ? 'no_data' : 'on_track', provisional: state === 'running',
    });
    assert.equal(latestPeriod([period('a', 'closed', 90), period('b', 'running', null), period('c', 'future', null)])?.key, 'a');
    assert.equal(latestPeriod([period('a', 'closed', 90), period('b', 'running', 80)])?.key, 'b');
    assert.equal(latestPeriod([period('a', 'running', null)])?.key, 'a');
    assert.equal(latestPeriod([period('a', 'future', null)]), null);
  });

  test('formula units list every indicator', () => {
    assert.deepEqual(Object.keys(FORMULA_UNITS).sort(), INDICATORS.map((definition) => definition.code).sort());
    for (const definition of INDICATORS) {
      const expected = definition.unit === 'share' ? 'percent' : definition.unit;
      assert.equal(FORMULA_UNITS[definition.code], expected, definition.code);
    }
  });
});

for (const backend of BACKENDS) {
  describe(`action plan on ${backend}`, () => {
    let database: TestDatabase;
    let admin: TestStaff;
    let leader: TestStaff;
    let officer: TestStaff;
    let diskominfo: TestStaff;
    let dpupr: TestStaff;
    const now = at('2026-05-20T03:00:00Z');

    before(async () => {
      database = await createTestDatabase(backend);
      admin = await makeStaff(database.db, 'admin');
      leader = await makeStaff(database.db, 'leader');
      officer = await makeStaff(database.db, 'complaint_officer');
      diskominfo = await makeStaff(database.db, 'agency_officer', 'diskominfo');
      dpupr = await makeStaff(database.db, 'agency_officer', 'dpupr');
    });
    after(async () => database?.dispose());

    const ctx = (staff: TestStaff) => ({ db: database.db, actor: staff.actor, now });

    test('seed creates the plan once', async () => {
      // The server may have seeded the plan at start already; either way there is exactly one plan for 2026 afterwards.
      const first = await seedActionPlan(database.db, SEED_PLAN, now);
      assert.equal(first.year, 2026);
      const second = await seedActionPlan(database.db, SEED_PLAN, now);
      assert.deepEqual(second, { created: false, planId: first.planId, year: 2026 });
      const plan = await loadActionPlan(database.db, 2026);
      assert.ok(plan);
      assert.equal(plan.objectives.length, 3);
      const indicators = plan.objectives.flatMap((objective) => objective.indicators);
      const activities = plan.objectives.flatMap((objective) => objective.activities);
      assert.equal(indicators.length, 8);
      assert.equal(activities.length, 4);
      const verified = indicators.find((indicator) => indicator.formulaCode === 'verified_on_time_share');
      assert.deepEqual([verified?.targetValue, verified?.unit, verified?.comparison], [100, 'percent', 'gte']);
      const meeting = activities.find((activity) => activity.owner.agencyCode === 'setda');
      assert.deepEqual(meeting?.plannedMonths, [3, 6, 9, 12]);
    });

    test('seed with an unknown formula is rejected whole', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aduan-plan-'));
      const file = path.join(dir, 'bad-plan.json');
      fs.writeFileSync(file, JSON.stringify({ year: 2031, title: 'Uji', objectives: [{ title: 'Sasaran', indicators: [{ name: 'X', target: 1, comparison: 'gte', period: 'monthly', formula: 'tidak_ada', owner: { role: 'admin' } }] }] }));
      try {
        await assert.rejects(seedActionPlan(database.db, file), (error: Error) => error instanceof ActionPlanSeedError && /formula must be one of/.test(error.message));
        const plan = await database.db.selectFrom('action_plans').select('id').where('year', '=', 2031).executeTakeFirst();
        assert.equal(plan, undefined, 'no half-made plan is left behind');
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    test('only administrators change the plan', async () => {
      for (const staff of [leader, officer, dpupr]) {
        await assert.rejects(createActionPlan(ctx(staff), { year: 2027, title: 'Rencana 2027' }), (error: CommandError) => error.code === 'forbidden');
      }
      const plan = await createActionPlan(ctx(admin), { year: 2027, title: 'Rencana 2027' });
      await assert.rejects(createActionPlan(ctx(admin), { year: 2027, title: 'Lagi' }), (error: CommandError) => error.code === 'conflict');
      await assert.rejects(addObjective(ctx(leader), plan.id, { title: 'Sasaran' }), (error: CommandError) => error.code === 'forbidden');
    });

    test('indicator create, update, delete', async () => {
      const plan = await database.db.selectFrom('action_plans').select('id').where('year', '=', 2027).executeTakeFirstOrThrow();
      const objective = await addObjective(ctx(admin), plan.id, { title: 'Laporan selesai tepat waktu' });
      const indicator = await addIndicator(ctx(admin), objective.id, {
        name: 'Selesai dalam tenggat (DPUPR)', targetValue: 90, comparison: 'gte', period: 'quarterly', source: 'formula',
        formulaCode: 'resolved_within_sla_share', slice: { agency: 'dpupr' }, ownerAgencyCode: 'dpupr', unit: 'count',
      });
      assert.equal(indicator.unit, 'percent', 'a formula indicator takes the unit of its figure');
      assert.deepEqual(indicator.slice, { agency: 'dpupr' });

      const updated = await updateIndicator(ctx(admin), indicator.id, {
        name: 'Selesai dalam tenggat', targetValue: 85, comparison: 'gte', period: 'monthly', source: 'manual', unit: 'percent', ownerRole: 'complaint_officer',
      });
      assert.deepEqual([updated.source, updated.formula_code, updated.target_value, updated.owner_agency_id, updated.owner_role], ['manual', null, 85, null, 'complaint_officer']);

      const invalid: [Record<string, unknown>, string][] = [
        [{ targetValue: Number.NaN }, 'targetValue'],
        [{ comparison: 'sama' }, 'comparison'],
        [{ source: 'formula', formulaCode: 'jumlah' }, 'formulaCode'],
        [{ source: 'manual', unit: 'liter' }, 'unit'],
        [{ ownerRole: null, ownerAgencyCode: null }, 'ownerAgencyCode'],
        [{ ownerAgencyCode: 'dinas-tidak-ada' }, 'ownerAgencyCode'],
        [{ source: 'formula', formulaCode: 'received', slice: { district: '99.99.99' } }, 'sliceDistrict'],
        [{ name: '   ' }, 'name'],
        [{ unit: 'percent', targetValue: 150 }, 'targetValue'],
        [{ unit: 'day_of_month', targetValue: 4.5 }, 'targetValue'],
      ];
      const base = { name: 'Indikator', targetValue: 1, comparison: 'gte', period: 'monthly', source: 'manual', unit: 'count', ownerRole: 'admin' };
      for (const [change, field] of invalid) {
        await assert.rejects(addIndicator(ctx(admin), objective.id, { ...base, ...change } as never), (error: CommandError) => error.field === field, `invalid ${field}`);
      }

      await deleteIndicator(ctx(admin), indicator.id);
      const gone = await database.db.selectFrom('action_plan_indicators').select('id').where('id', '=', indicator.id).executeTakeFirst();
      assert.equal(gone, undefined);
      const log = await database.db.selectFrom('action_plan_changes').select(['action', 'actor_user_id']).where('plan_id', '=', plan.id).orderBy('id').execute();
      assert.deepEqual(log.map((entry) => entry.action), ['plan_created', 'objective_added', 'indicator_added', 'indicator_updated', 'indicator_deleted']);
      assert.ok(log.every((entry) => entry.actor_user_id === admin.user.id));
    });

    test('change log is append-only', async () => {
      await assert.rejects(sql`UPDATE action_plan_changes SET action = 'x'`.execute(database.db), /append-only/);
    });

    test('owner enters a manual value with evidence', async () => {
      const plan = (await loadActionPlan(database.db, 2026))!;
      const recap = plan.objectives.flatMap((objective) => objective.indicators).find((indicator) => indicator.unit === 'day_of_month')!;
      assert.equal(recap.owner.agencyCode, 'diskominfo');
      assert.equal(canReportFor(diskominfo.user, recap.owner), true);
      assert.equal(canReportFor(dpupr.user, recap.owner), false);
      assert.equal(canReportFor(leader.user, recap.owner), false);
      // Diskominfo's complaint officers (admin aduan) report on Diskominfo's items too.
      const intake = await makeStaff(database.db, 'complaint_officer', 'diskominfo');
      assert.equal(canReportFor(intake.user, recap.owner), true);
      const noAgency = await makeStaff(database.db, 'complaint_officer');
      assert.equal(canReportFor(noAgency.user, recap.owner), false);

      await assert.rejects(recordActual(ctx(dpupr), recap.id, { month: 3, value: 4, evidenceUrl: 'https://contoh.id/rekap-maret.pdf' }), (error: CommandError) => error.code === 'forbidden');
      await assert.rejects(recordActual(ctx(diskominfo), recap.id, { month: 3, value: 4 }), (error: CommandError) => error.field === 'evidenceUrl');
      await assert.rejects(recordActual(ctx(diskominfo), recap.id, { month: 3, value: 4, evidenceUrl: 'javascript:alert(1)' }), (error: CommandError) => error.field === 'evidenceUrl');
      await assert.rejects(recordActual(ctx(diskominfo), recap.id, { month: 6, value: 4, evidenceUrl: 'https://contoh.id/a' }), (error: CommandError) => error.field === 'month', 'June has not started on 20 May');
      await assert.rejects(recordActual(ctx(diskominfo), recap.id, { month: 3, value: 40, evidenceUrl: 'https://contoh.id/a' }), (error: CommandError) => error.field === 'value');
      await assert.rejects(
        recordActual(ctx(diskominfo), recap.id, { month: 3, value: 4.5, evidenceUrl: 'https://contoh.id/a' }),
        (error: CommandError) => error.field === 'value' && error.key === 'error.plan_value_whole',
        'a day of the month has no fraction',
      );

      await recordActual(ctx(diskominfo), recap.id, { month: 3, value: 4, evidenceUrl: 'https://contoh.id/rekap-maret.pdf', note: 'Disampaikan lewat surat.' });
      await recordActual(ctx(diskominfo), recap.id, { month: 4, value: 7, evidenceFile: { fileName: 'tanda terima.jpg', content: jpegWithExif() } });
      const file = await database.db.selectFrom('action_plan_files').select(['file_name', 'mime_type', 'content', 'uploaded_by_user_id']).executeTakeFirstOrThrow();
      assert.equal(file.mime_type, 'image/jpeg');
      assert.equal(file.uploaded_by_user_id, diskominfo.user.id);
      assert.equal(file.content.includes(Buffer.from('Exif')), false, 'EXIF removed from the evidence photo');
      await assert.rejects(
        recordActual(ctx(diskominfo), recap.id, { month: 5, value: 5, evidenceFile: { fileName: 'catatan.txt', content: Buffer.from('bukan gambar') } }),
        (error: CommandError) => error.field === 'evidenceFile',
      );

      const computed = plan.objectives.flatMap((objective) => objective.indicators).find((indicator) => indicator.source === 'formula')!;
      await assert.rejects(recordActual(ctx(admin), computed.id, { month: 3, value: 50, evidenceUrl: 'https://contoh.id/a' }), (error: CommandError) => error.code === 'conflict');

      const progress = await computePlanProgress(database.db, (await loadActionPlan(database.db, 2026))!, now);
      const line = progress.objectives.flatMap((objective) => objective.indicators).find((entry) => entry.indicator.id === recap.id)!;
      assert.deepEqual(line.periods.slice(0, 6).map((period) => [period.actual, period.status]), [
        [null, 'no_data'], [null, 'no_data'], [4, 'on_track'], [7, 'missed'], [null, 'no_data'], [null, 'not_due'],
      ]);
      assert.equal(line.periods[4].provisional, true, 'May is still running on 20 May');
      assert.equal(line.latest?.key, '2026-04', 'an empty running month gives way to the last closed one');

      await removeActual(ctx(diskominfo), recap.id, 4);
      const after = (await loadActionPlan(database.db, 2026))!.objectives.flatMap((objective) => objective.indicators).find((indicator) => indicator.id === recap.id)!;
      assert.deepEqual(after.actuals.map((actual) => actual.month), [3]);
    });

    test('yearly manual sum', async () => {
      const plan = (await loadActionPlan(database.db, 2026))!;
      const training = plan.objectives.flatMap((objective) => objective.indicators).find((indicator) => indicator.period === 'yearly')!;
      await recordActual(ctx(admin), training.id, { month: 4, value: 28, evidenceUrl: 'https://contoh.id/daftar-hadir-april.pdf' });
      await recordActual(ctx(admin), training.id, { month: 5, value: 30, evidenceUrl: 'https://contoh.id/daftar-hadir-mei.pdf' });
      const progress = await computePlanProgress(database.db, (await loadActionPlan(database.db, 2026))!, at('2027-01-05T00:00:00Z'));
      const line = progress.objectives.flatMap((objective) => objective.indicators).find((entry) => entry.indicator.id === training.id)!;
      assert.equal(line.periods.length, 1);
      // 58 against ≥ 60: 2 short, within 5 % of 60 (3).
      assert.deepEqual([line.periods[0].actual, line.periods[0].status, line.periods[0].provisional], [58, 'at_risk', false]);
    });

    test('activities ticked off and undone', async () => {
      const plan = (await loadActionPlan(database.db, 2026))!;
      const meeting = plan.objectives.flatMap((objective) => objective.activities).find((activity) => activity.owner.agencyCode === 'setda')!;
      await assert.rejects(completeActivity(ctx(diskominfo), meeting.id, { month: 3, doneOn: '2026-03-27', evidenceUrl: 'https://contoh.id/notulen.pdf' }), (error: CommandError) => error.code === 'forbidden');
      await assert.rejects(completeActivity(ctx(admin), meeting.id, { month: 4, doneOn: '2026-04-27', evidenceUrl: 'https://contoh.id/notulen.pdf' }), (error: CommandError) => error.field === 'month');
      await assert.rejects(completeActivity(ctx(admin), meeting.id, { month: 3, doneOn: '2026-05-21', evidenceUrl: 'https://contoh.id/notulen.pdf' }), (error: CommandError) => error.field === 'doneOn', 'a date after today');
      await assert.rejects(completeActivity(ctx(admin), meeting.id, { month: 3, doneOn: '2026-02-30', evidenceUrl: 'https://contoh.id/notulen.pdf' }), (error: CommandError) => error.field === 'doneOn');
      await completeActivity(ctx(admin), meeting.id, { month: 3, doneOn: '2026-03-27', evidenceUrl: 'https://contoh.id/notulen.pdf' });

      let progress = await computePlanProgress(database.db, (await loadActionPlan(database.db, 2026))!, now);
      let months = progress.objectives.flatMap((objective) => objective.activities).find((entry) => entry.activity.id === meeting.id)!.months;
      assert.deepEqual([months[2].state, months[2].completion?.doneOn, months[5].state, months[11].state], ['done', '2026-03-27', 'planned', 'planned']);

      await undoActivityCompletion(ctx(admin), meeting.id, 3);
      progress = await computePlanProgress(database.db, (await loadActionPlan(database.db, 2026))!, now);
      months = progress.objectives.flatMap((objective) => objective.activities).find((entry) => entry.activity.id === meeting.id)!.months;
      assert.equal(months[2].state, 'overdue');

      // Dropping a planned month drops its completion from the grid.
      await completeActivity(ctx(admin), meeting.id, { month: 3, doneOn: '2026-03-27', evidenceUrl: 'https://contoh.id/notulen.pdf' });
      await updateActivity(ctx(admin), meeting.id, { name: meeting.name, plannedMonths: [6, 9, 12], ownerAgencyCode: 'setda' });
      const completions = await database.db.selectFrom('action_plan_activity_completions').select('month').where('activity_id', '=', meeting.id).execute();
      assert.deepEqual(completions, []);
      await assert.rejects(addActivity(ctx(admin), meeting.objectiveId, { name: 'Tanpa bulan', plannedMonths: [], ownerRole: 'admin' }), (error: CommandError) => error.field === 'plannedMonths');
      await assert.rejects(addActivity(ctx(admin), meeting.objectiveId, { name: 'Bulan 13', plannedMonths: [13], ownerRole: 'admin' }), (error: CommandError) => error.field === 'plannedMonths');
    });

    test('formula indicator follows the complaints', async () => {
      const db = database.db;
      // Two reports in March 2026: one verified and dispatched the next working day, one left unverified past its deadline.
      const onTime = await receiveComplaint({ db, actor: { kind: 'citizen' }, now: at('2026-03-02T02:00:00Z') }, {
        type: 'pengaduan', description: 'Jalan desa rusak berat dan berlubang besar.', channel: 'web', receivedAt: at('2026-03-02T02:00:00Z'),
      });
      await verifyComplaint({ db, actor: officer.actor, now: at('2026-03-03T02:00:00Z') }, onTime.complaint.id, { type: 'pengaduan', categoryCode: 'jalan-jembatan', districtCode: '33.13.09' });
      await dispatchComplaint({ db, actor: officer.actor, now: at('2026-03-03T02:00:00Z') }, onTime.complaint.id, { agencyCode: 'dpupr' });
      await receiveComplaint({ db, actor: { kind: 'citizen' }, now: at('2026-03-04T02:00:00Z') }, {
        type: 'pengaduan', description: 'Lampu jalan di perempatan mati sejak sepekan.', channel: 'web', receivedAt: at('2026-03-04T02:00:00Z'),
      });
      const progress = await computePlanProgress(db, (await loadActionPlan(db, 2026))!, now);
      const verified = progress.objectives.flatMap((objective) => objective.indicators).find((entry) => entry.indicator.formulaCode === 'verified_on_time_share')!;
      assert.deepEqual([verified.periods[2].actual, verified.periods[2].status], [50, 'missed']);
      assert.deepEqual([verified.periods[0].actual, verified.periods[0].status], [null, 'no_data']);
      assert.equal(verified.periods[11].status, 'not_due');
      const dpuprQuarter = progress.objectives.flatMap((objective) => objective.indicators).find((entry) => entry.indicator.slice.agency === 'dpupr')!;
      assert.equal(dpuprQuarter.periods.length, 4);
      assert.equal(dpuprQuarter.periods[0].key, '2026-Q1');
      const received = await computePlanProgress(db, (await loadActionPlan(db, 2026))!, now);
      assert.ok(received.summary.missed >= 1);
    });
  });
}
