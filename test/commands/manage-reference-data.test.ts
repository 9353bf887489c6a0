/**
 * Administration commands: the admin-only rule, input checks, and the
 * recomputation of open deadlines after a category or calendar change.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../support/db.ts';
import { makeStaff, type TestStaff } from '../support/staff.ts';
import {
  addAgency, addHoliday, addStaffUser, removeHoliday, renameAgency, saveCategory, setAgencyActive, setCalendarYearCovered, setUserActive,
  type CategoryInput,
} from '../../src/commands/manage-reference-data.ts';
import { receiveComplaint } from '../../src/commands/receive-complaint.ts';
import { verifyComplaint } from '../../src/commands/verify-complaint.ts';
import { dispatchComplaint } from '../../src/commands/dispatch-complaint.ts';
import { createSession, sessionUser, userForApiToken } from '../../src/commands/users.ts';
import { CommandError } from '../../src/commands/errors.ts';
import { getRecomputeRun, recomputeSettings, runPendingRecomputes } from '../../src/commands/recompute-deadlines.ts';

// Monday 2027-01-04 10:00 WIB: 2027 has no holiday list in the seed data.
const MONDAY_2027 = new Date('2027-01-04T03:00:00Z');

function rejectsWith(code: string, key?: string, field?: string) {
  return (error: unknown) => {
    assert.ok(error instanceof CommandError, `expected CommandError, got ${String(error)}`);
    assert.equal(error.code, code);
    if (key) assert.equal(error.key, key);
    if (field) assert.equal(error.field, field);
    return true;
  };
}

const CLOCKS = {
  verifyDays: 3, firstFollowUpDays: 5, resolutionDaysSimple: 5, resolutionDaysMedium: 14, resolutionDaysComplex: 60, autoCloseDays: 10,
};

for (const backend of BACKENDS) {
  describe(`reference data administration on ${backend}`, () => {
    let database: TestDatabase;
    let admin: TestStaff;
    let officer: TestStaff;

    before(async () => {
      database = await createTestDatabase(backend);
      admin = await makeStaff(database.db, 'admin');
      officer = await makeStaff(database.db, 'complaint_officer');
    });
    after(async () => database?.dispose());

    const asAdmin = (now?: Date) => ({ db: database.db, actor: admin.actor, now });
    const asOfficer = () => ({ db: database.db, actor: officer.actor });

    async function verificationDeadline(complaintId: number) {
      return database.db.selectFrom('complaint_deadlines').selectAll()
        .where('complaint_id', '=', complaintId).where('clock', '=', 'verification').executeTakeFirstOrThrow();
    }

    test('only an administrator may change reference data', async () => {
      const forbidden = rejectsWith('forbidden', 'error.admin_only');
      await assert.rejects(addAgency(asOfficer(), { code: 'dinas-baru', name: 'Dinas Baru', kind: 'dinas' }), forbidden);
      await assert.rejects(renameAgency(asOfficer(), 1, { name: 'Nama Lain' }), forbidden);
      await assert.rejects(setAgencyActive(asOfficer(), 1, false), forbidden);
      await assert.rejects(saveCategory(asOfficer(), { code: 'baru', name: 'Baru', oversight: false, complexity: 'simple', ...CLOCKS }), forbidden);
      await assert.rejects(addHoliday(asOfficer(), { date: '2027-01-01', kind: 'national', name: 'Tahun Baru' }), forbidden);
      await assert.rejects(removeHoliday(asOfficer(), '2026-01-01'), forbidden);
      await assert.rejects(setCalendarYearCovered(asOfficer(), 2027, true), forbidden);
      await assert.rejects(addStaffUser(asOfficer(), { email: 'baru@contoh.id', name: 'Baru', role: 'admin' }), forbidden);
      await assert.rejects(setUserActive(asOfficer(), admin.user.id, false), forbidden);
      await assert.rejects(addAgency({ db: database.db, actor: { kind: 'citizen' } }, { code: 'dinas-baru', name: 'Dinas Baru', kind: 'dinas' }), forbidden);
    });

    test('agencies are added, renamed and deactivated', async () => {
      await assert.rejects(addAgency(asAdmin(), { code: 'Dinas Baru!', name: 'Dinas Baru', kind: 'dinas' }), rejectsWith('invalid', 'error.code_invalid', 'code'));
      await assert.rejects(addAgency(asAdmin(), { code: 'dinas-baru', name: ' ', kind: 'dinas' }), rejectsWith('invalid', 'error.name_required', 'name'));
      await assert.rejects(addAgency(asAdmin(), { code: 'dinas-baru', name: 'Dinas Baru', kind: 'kementerian' }), rejectsWith('invalid', 'error.agency_kind_invalid', 'kind'));
      const agency = await addAgency(asAdmin(), { code: 'dinas-baru', name: 'Dinas Baru', kind: 'dinas' });
      assert.equal(agency.active, true);
      await assert.rejects(addAgency(asAdmin(), { code: 'dinas-baru', name: 'Lagi', kind: 'dinas' }), rejectsWith('conflict', 'error.agency_exists', 'code'));
      assert.equal((await renameAgency(asAdmin(), agency.id, { name: 'Dinas Perhubungan' })).name, 'Dinas Perhubungan');

      const deactivated = await setAgencyActive(asAdmin(), agency.id, false);
      assert.deepEqual([deactivated.openReports, deactivated.defaultOfCategories], [0, 0]);
      const { complaint } = await receiveComplaint({ db: database.db, actor: { kind: 'citizen' } }, {
        type: 'pengaduan', description: 'Rambu lalu lintas di simpang tiga roboh tertabrak truk.', channel: 'web',
      });
      await verifyComplaint(asOfficer(), complaint.id, { type: 'pengaduan', categoryCode: 'lalu-lintas-parkir', districtCode: '33.13.09', agencyCode: 'dishub' });
      await assert.rejects(dispatchComplaint(asOfficer(), complaint.id, { agencyCode: 'dinas-baru' }), rejectsWith('invalid', 'error.agency_inactive', 'agencyCode'));
      await assert.rejects(dispatchComplaint(asOfficer(), complaint.id, { agencyCode: 'tidak-ada' }), rejectsWith('invalid', 'error.agency_unknown', 'agencyCode'));
      await setAgencyActive(asAdmin(), agency.id, true);
      await dispatchComplaint(asOfficer(), complaint.id, { agencyCode: 'dinas-baru' });
      await assert.rejects(dispatchComplaint(asOfficer(), complaint.id, { agencyCode: 'dinas-baru' }), rejectsWith('invalid', 'error.redispatch_same_agency', 'agencyCode'));

      // Deactivated while a report and a category are still assigned to it.
      await saveCategory(asAdmin(), {
        code: 'rambu-baru', name: 'Rambu baru', agencyCode: 'dinas-baru', oversight: false, complexity: 'simple',
        verifyDays: 3, firstFollowUpDays: 5, resolutionDaysSimple: 5, resolutionDaysMedium: 14, resolutionDaysComplex: 60, autoCloseDays: 10,
      });
      const holding = await setAgencyActive(asAdmin(), agency.id, false);
      assert.deepEqual([holding.openReports, holding.defaultOfCategories], [1, 1]);
      const { complaint: next } = await receiveComplaint({ db: database.db, actor: { kind: 'citizen' } }, {
        type: 'pengaduan', description: 'Rambu dilarang parkir di depan pasar hilang.', channel: 'web',
      });
      await assert.rejects(
        verifyComplaint(asOfficer(), next.id, { type: 'pengaduan', categoryCode: 'rambu-baru', districtCode: '33.13.09' }),
        rejectsWith('invalid', 'error.category_agency_inactive', 'agencyCode'),
      );
      await verifyComplaint(asOfficer(), next.id, { type: 'pengaduan', categoryCode: 'rambu-baru', districtCode: '33.13.09', agencyCode: 'dishub' });
    });

    test('names limited to 200 characters', async () => {
      const emoji = '\u{1F64F}';
      // 200 emoji are 400 UTF-16 units and still within the limit.
      const agency = await addAgency(asAdmin(), { code: 'dinas-emoji', name: emoji.repeat(200), kind: 'dinas' });
      assert.equal(agency.name, emoji.repeat(200));
      await assert.rejects(addAgency(asAdmin(), { code: 'dinas-panjang', name: 'D'.repeat(201), kind: 'dinas' }), rejectsWith('invalid', 'error.text_too_long', 'name'));
      await assert.rejects(addStaffUser(asAdmin(), { email: 'panjang@contoh.id', name: emoji.repeat(201), role: 'admin' }), rejectsWith('invalid', 'error.text_too_long', 'name'));
      const stored = await database.db.selectFrom('users').select('id').where('email', '=', 'panjang@contoh.id').execute();
      assert.equal(stored.length, 0);
    });

    test('Inspektorat cannot be deactivated', async () => {
      const inspektorat = await database.db.selectFrom('agencies').select('id').where('code', '=', 'inspektorat').executeTakeFirstOrThrow();
      await assert.rejects(setAgencyActive(asAdmin(), inspektorat.id, false), rejectsWith('conflict', 'error.agency_oversight_required'));
    });

    test('category input is checked field by field', async () => {
      const base: CategoryInput = { code: 'uji-kategori', name: 'Kategori uji', agencyCode: 'dpupr', oversight: false, complexity: 'medium', ...CLOCKS };
      await assert.rejects(saveCategory(asAdmin(), { ...base, verifyDays: 366 }), rejectsWith('invalid', 'error.days_invalid', 'verifyDays'));
      await assert.rejects(saveCategory(asAdmin(), { ...base, autoCloseDays: Number.NaN }), rejectsWith('invalid', 'error.days_invalid', 'autoCloseDays'));
      await assert.rejects(saveCategory(asAdmin(), { ...base, resolutionDaysComplex: 2.5 }), rejectsWith('invalid', 'error.days_invalid', 'resolutionDaysComplex'));
      await assert.rejects(saveCategory(asAdmin(), { ...base, complexity: 'huge' as never }), rejectsWith('invalid', 'error.complexity_invalid', 'complexity'));
      await assert.rejects(saveCategory(asAdmin(), { ...base, agencyCode: 'tidak-ada' }), rejectsWith('invalid', 'error.agency_unknown', 'agencyCode'));
      await assert.rejects(saveCategory(asAdmin(), { ...base, oversight: true }), rejectsWith('invalid', 'error.oversight_only_inspektorat', 'agencyCode'));
      const { category, recomputed } = await saveCategory(asAdmin(), base);
      assert.equal(category.code, 'uji-kategori');
      assert.equal(recomputed, 0, 'a new category has no complaints');
      await assert.rejects(saveCategory(asAdmin(), base), rejectsWith('conflict', 'error.category_exists', 'code'));
      await assert.rejects(saveCategory(asAdmin(), base, 999_999), rejectsWith('not_found', 'error.not_found.category'));
    });

    test('a changed verification clock moves open deadlines', async () => {
      const { category } = await saveCategory(asAdmin(), {
        code: 'uji-tenggat', name: 'Kategori tenggat', agencyCode: 'dpupr', oversight: false, complexity: 'medium', ...CLOCKS,
      });
      // Friday 2026-03-13 16:00 WIB: three working days later is Wednesday 2026-03-25, after Nyepi and Idulfitri.
      const friday = new Date('2026-03-13T09:00:00Z');
      const { complaint } = await receiveComplaint({ db: database.db, actor: { kind: 'citizen' }, now: friday }, {
        type: 'pengaduan', description: 'Pengujian tenggat verifikasi setelah perubahan kategori.', channel: 'web', categoryCode: 'uji-tenggat',
      });
      assert.equal((await verificationDeadline(complaint.id)).due_date, '2026-03-25');
      const { recomputed } = await saveCategory(asAdmin(friday), {
        name: category.name, agencyCode: 'dpupr', oversight: false, complexity: 'medium', ...CLOCKS, verifyDays: 1,
      }, category.id);
      assert.equal(recomputed, 1);
      assert.equal((await verificationDeadline(complaint.id)).due_date, '2026-03-16', 'one working day after Friday is Monday');
    });

    test('large category change runs in background', async () => {
      const { category } = await saveCategory(asAdmin(), {
        code: 'uji-latar', name: 'Kategori latar', agencyCode: 'dpupr', oversight: false, complexity: 'medium', ...CLOCKS,
      });
      const friday = new Date('2026-03-13T09:00:00Z');
      const receive = (categoryCode: string) => receiveComplaint({ db: database.db, actor: { kind: 'citizen' }, now: friday }, {
        type: 'pengaduan', description: 'Pengujian penghitungan ulang di latar belakang.', channel: 'web', categoryCode,
      });
      const first = (await receive('uji-latar')).complaint;
      const second = (await receive('uji-latar')).complaint;
      const other = (await receive('uji-tenggat')).complaint;
      const otherBefore = await verificationDeadline(other.id);

      const inlineLimit = recomputeSettings.inlineLimit;
      recomputeSettings.inlineLimit = 1;
      try {
        const { recomputed, run } = await saveCategory(asAdmin(friday), {
          name: category.name, agencyCode: 'dpupr', oversight: false, complexity: 'medium', ...CLOCKS, verifyDays: 1,
        }, category.id);
        assert.equal(recomputed, 0, 'nothing recomputed inside the request');
        assert.ok(run, 'a changed clock records a run');
        assert.equal(run.status, 'pending');
        assert.equal(run.reason, 'category_changed');
        assert.equal(run.categoryId, category.id);
        assert.equal(run.total, 2, "only the category's two complaints are affected");
        assert.equal((await verificationDeadline(first.id)).due_date, '2026-03-25', 'the old deadline stays until the run');

        await runPendingRecomputes(database.db, { now: () => friday, pauseRatio: 0 });
        const finished = await getRecomputeRun(database.db, run.id);
        assert.equal(finished?.status, 'done');
        assert.equal(finished?.processed, 2);
        for (const complaint of [first, second]) assert.equal((await verificationDeadline(complaint.id)).due_date, '2026-03-16');
        assert.deepEqual(await verificationDeadline(other.id), otherBefore, "another category's complaint is untouched");
      } finally {
        recomputeSettings.inlineLimit = inlineLimit;
      }
    });

    test('name change records no run', async () => {
      const { category } = await saveCategory(asAdmin(), {
        code: 'uji-nama', name: 'Kategori nama', agencyCode: 'dpupr', oversight: false, complexity: 'medium', ...CLOCKS,
      });
      const countRuns = async () => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM deadline_recomputes`.execute(database.db)).rows[0]!.n;
      const runsBefore = await countRuns();
      const { run, recomputed } = await saveCategory(asAdmin(), {
        name: 'Kategori nama baru\u0000', agencyCode: 'dpupr', oversight: false, complexity: 'medium', ...CLOCKS,
      }, category.id);
      assert.equal(run, null);
      assert.equal(recomputed, 0);
      assert.equal(await countRuns(), runsBefore, 'no recompute run recorded');
      const saved = await database.db.selectFrom('categories').select('name').where('id', '=', category.id).executeTakeFirstOrThrow();
      assert.equal(saved.name, 'Kategori nama baru', 'the NUL is dropped, not stored');

      // The category's complexity picks the resolution clock of complaints without one.
      const complexityChange = await saveCategory(asAdmin(), {
        name: 'Kategori nama baru', agencyCode: 'dpupr', oversight: false, complexity: 'complex', ...CLOCKS,
      }, category.id);
      assert.ok(complexityChange.run, 'a complexity change records a run');
    });

    test('holidays and covered years recompute open deadlines', async () => {
      const { complaint } = await receiveComplaint({ db: database.db, actor: { kind: 'citizen' }, now: MONDAY_2027 }, {
        type: 'pengaduan', description: 'Pengujian kalender tahun yang belum lengkap.', channel: 'web',
      });
      const before = await verificationDeadline(complaint.id);
      assert.equal(before.due_date, '2027-01-07');
      assert.equal(before.calendar_missing, true, '2027 has no holiday list yet');

      await assert.rejects(addHoliday(asAdmin(MONDAY_2027), { date: '2027-02-30', kind: 'national', name: 'Tidak ada' }),
        rejectsWith('invalid', 'error.holiday_date_invalid', 'date'));
      await assert.rejects(addHoliday(asAdmin(MONDAY_2027), { date: '2027-01-05', kind: 'other' as never, name: 'Libur' }),
        rejectsWith('invalid', 'error.holiday_kind_invalid', 'kind'));
      const added = await addHoliday(asAdmin(MONDAY_2027), { date: '2027-01-05', kind: 'collective_leave', name: 'Cuti bersama uji' });
      assert.ok(added.recomputed >= 1);
      assert.equal((await verificationDeadline(complaint.id)).due_date, '2027-01-08', 'the new holiday pushes the deadline by one day');
      await assert.rejects(addHoliday(asAdmin(MONDAY_2027), { date: '2027-01-05', kind: 'national', name: 'Lagi' }),
        rejectsWith('conflict', 'error.holiday_exists', 'date'));

      await setCalendarYearCovered(asAdmin(MONDAY_2027), 2027, true);
      assert.equal((await verificationDeadline(complaint.id)).calendar_missing, false);
      await assert.rejects(setCalendarYearCovered(asAdmin(), 1999, true), rejectsWith('invalid', 'error.year_invalid', 'year'));

      await removeHoliday(asAdmin(MONDAY_2027), '2027-01-05');
      assert.equal((await verificationDeadline(complaint.id)).due_date, '2027-01-07');
      await assert.rejects(removeHoliday(asAdmin(MONDAY_2027), '2027-01-05'), rejectsWith('not_found', 'error.not_found.holiday'));
      await setCalendarYearCovered(asAdmin(MONDAY_2027), 2027, false);
      assert.equal((await verificationDeadline(complaint.id)).calendar_missing, true);
    });

    test('a deactivated user loses sessions and API tokens', async () => {
      const target = await makeStaff(database.db, 'agency_officer', 'dlh');
      const session = await createSession(database.db, target.user.id);
      assert.ok(await sessionUser(database.db, session.token));
      assert.ok(await userForApiToken(database.db, target.token));

      await assert.rejects(setUserActive(asAdmin(), admin.user.id, false), rejectsWith('conflict', 'error.user_self_deactivate'));
      const user = await setUserActive(asAdmin(), target.user.id, false);
      assert.equal(user.active, false);
      assert.equal(await sessionUser(database.db, session.token), undefined);
      assert.equal(await userForApiToken(database.db, target.token), undefined);
      await assert.rejects(setUserActive(asAdmin(), 999_999, true), rejectsWith('not_found', 'error.not_found.user'));
    });

    test('an administrator adds a user with a generated password', async () => {
      const { user, generatedPassword } = await addStaffUser(asAdmin(), { email: 'Opd.Baru@Contoh.id', name: 'Admin OPD Baru', role: 'agency_officer', agencyCode: 'dlh' });
      assert.equal(user.email, 'opd.baru@contoh.id');
      assert.equal(typeof generatedPassword, 'string');
      assert.ok(generatedPassword!.length >= 10, 'the generated password meets the minimum length');
      await assert.rejects(addStaffUser(asAdmin(), { email: 'tanpa.opd@contoh.id', name: 'Tanpa OPD', role: 'agency_officer' }),
        rejectsWith('invalid', 'error.agency_required', 'agency'));
    });
  });
}
