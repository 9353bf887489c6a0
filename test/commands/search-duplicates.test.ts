/**
 * Stored duplicate proposals on PGlite and (when TEST_DATABASE_URL is set)
 * PostgreSQL. The triage job searches each report that arrives and adds it
 * to the lists of the reports it matches. The case page reads the stored
 * lists and searches again only when a report's place or the window changed.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../support/db.ts';
import { makeStaff, type TestStaff } from '../support/staff.ts';
import { receiveComplaint } from '../../src/commands/receive-complaint.ts';
import { verifyComplaint } from '../../src/commands/verify-complaint.ts';
import { mergeComplaints } from '../../src/commands/merge-complaints.ts';
import { archiveComplaint } from '../../src/commands/close-complaint.ts';
import { dismissDuplicate } from '../../src/commands/triage-complaint.ts';
import { duplicateProposals, refreshDuplicateProposals, runDuplicateSearches } from '../../src/commands/search-duplicates.ts';
import { readDuplicateProposals } from '../../src/queries/triage.ts';
import type { Complaint } from '../../src/db/schema.ts';
import type { Channel } from '../../src/domain/types.ts';

const DAY_MS = 86_400_000;
const WINDOW = 30;
const BOLONG = { districtCode: '33.13.09', villageCode: '33.13.09.1002' };
const JATIPURO = { districtCode: '33.13.01', villageCode: '33.13.01.2003' };

// Made-up reports: one blocked drain in four wordings, and an unrelated one.
const DRAIN_FIRST = 'Saluran air di gang Melati Bolong mampet, kalau hujan air meluap ke rumah warga.';
const DRAIN_SECOND = 'Got di gang Melati mampet lagi min, air meluap masuk rumah tiap hujan deres.';
const DRAIN_THIRD = 'Saluran gang Melati mampet sampah, air hujan meluap sampai teras rumah.';
const DRAIN_FOURTH = 'Mohon dibersihkan saluran air gang Melati yang mampet, air meluap waktu hujan.';
const MARKET = 'Pedagang pasar berjualan di trotoar sehingga pejalan kaki turun ke jalan raya.';

for (const backend of BACKENDS) {
  describe(`stored duplicate proposals on ${backend}`, () => {
    let database: TestDatabase;
    let officer: TestStaff;
    let dpupr: TestStaff;
    const base = new Date(Date.now() - 10 * DAY_MS);

    before(async () => {
      database = await createTestDatabase(backend);
      officer = await makeStaff(database.db, 'complaint_officer');
      dpupr = await makeStaff(database.db, 'agency_officer', 'dpupr');
    });
    after(async () => database?.dispose());

    async function receive(description: string, channel: Channel, daysAfter: number, place: { districtCode?: string; villageCode?: string } = BOLONG) {
      const receivedAt = new Date(base.getTime() + daysAfter * DAY_MS);
      const { complaint } = await receiveComplaint({ db: database.db, actor: { kind: 'citizen' } }, { description, channel, receivedAt, ...place });
      return complaint;
    }
    const load = (id: number) => database.db.selectFrom('complaints').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const stored = async (complaint: Complaint, windowDays = WINDOW) => readDuplicateProposals(database.db, officer.user, await load(complaint.id), { windowDays, limit: 20 });
    const searchedAt = async (complaint: Complaint) => (await database.db.selectFrom('triage_duplicate_searches').select('searched_at')
      .where('complaint_id', '=', complaint.id).executeTakeFirst())?.searched_at ?? null;

    test('job searches each arrival once', async () => {
      // Reports stored before this test belong to other runs of the job.
      await runDuplicateSearches(database.db);
      const first = await receive(DRAIN_FIRST, 'whatsapp', 0);
      const market = await receive(MARKET, 'web', 0);
      assert.deepEqual(await runDuplicateSearches(database.db), { searched: 2, failed: 0 });
      assert.deepEqual(await stored(first), [], 'searched, nothing like it yet');
      const firstSearch = await searchedAt(first);
      assert.ok(firstSearch, 'the search is recorded');

      const second = await receive(DRAIN_SECOND, 'instagram', 2);
      assert.equal(await stored(second), null, 'not searched before the job runs');
      assert.deepEqual(await runDuplicateSearches(database.db), { searched: 1, failed: 0 });

      const ofSecond = await stored(second);
      assert.ok(ofSecond, 'the job stored the search of the new report');
      assert.deepEqual(ofSecond.map((candidate) => candidate.id), [first.id], 'the earlier drain report, not the market one');
      const ofFirst = await stored(first);
      assert.ok(ofFirst, 'the earlier report still has its stored search');
      assert.deepEqual(ofFirst.map((candidate) => candidate.id), [second.id], 'the later report was added to the earlier one');
      assert.equal(ofFirst[0]!.channel, 'instagram');
      assert.equal(ofFirst[0]!.location, 'same_village');
      assert.equal(ofFirst[0]!.daysApart, 2);
      for (const word of ['mampet', 'meluap']) assert.ok(ofFirst[0]!.matchingWords.includes(word), `shared word "${word}"`);
      assert.equal(ofFirst[0]!.mergeDuplicateId, second.id, 'the newer report is the duplicate');
      assert.equal(ofFirst[0]!.mergeIntoId, first.id);
      assert.deepEqual(await searchedAt(first), firstSearch, 'the earlier report was not searched again');
      assert.equal((await stored(market))?.length, 0);

      assert.deepEqual(await runDuplicateSearches(database.db), { searched: 0, failed: 0 }, 'each report is searched once');
      const rows = await database.db.selectFrom('complaints').select(['merged_into_id']).where('id', 'in', [first.id, second.id]).execute();
      assert.ok(rows.every((row) => row.merged_into_id === null), 'a proposal never merges by itself');
    });

    test('case page reads stored list', async () => {
      const first = await receive(DRAIN_FIRST, 'web', 3);
      const third = await receive(DRAIN_THIRD, 'facebook', 4);
      await runDuplicateSearches(database.db);
      const before = await searchedAt(third);
      const proposals = await duplicateProposals(database.db, officer.user, await load(third.id), { windowDays: WINDOW });
      assert.ok(proposals?.some((candidate) => candidate.id === first.id), 'the stored proposal is shown');
      assert.deepEqual(await searchedAt(third), before, 'read, not searched again');

      // Another window: the stored search no longer applies, so the page searches.
      assert.equal(await stored(third, 7), null, 'a search with another window does not apply');
      await duplicateProposals(database.db, officer.user, await load(third.id), { windowDays: 7 });
      const row = await database.db.selectFrom('triage_duplicate_searches').select(['window_days', 'place']).where('complaint_id', '=', third.id).executeTakeFirstOrThrow();
      assert.deepEqual(row, { window_days: 7, place: '33.13.09|33.13.09.1002||' });
    });

    test('moved report searched again', async () => {
      const inBolong = await receive(DRAIN_FIRST, 'web', 5);
      const moved = await receive(DRAIN_FOURTH, 'email', 5);
      await runDuplicateSearches(database.db);
      assert.ok((await stored(moved))?.some((candidate) => candidate.id === inBolong.id));

      await verifyComplaint({ db: database.db, actor: officer.actor }, moved.id, { type: 'pengaduan', categoryCode: 'drainase-irigasi', ...JATIPURO });
      const after = await stored(moved);
      assert.ok(after, 'verification searched the report again at its new place');
      assert.equal(after.some((candidate) => candidate.id === inBolong.id), false, 'the report in Bolong is no longer proposed');
      assert.equal((await stored(inBolong))?.some((candidate) => candidate.id === moved.id), false,
        'nor is the moved report proposed on the Bolong one');

      // A stored search made at another place is not used: the page searches again.
      await database.db.updateTable('triage_duplicate_searches').set({ place: 'elsewhere' }).where('complaint_id', '=', moved.id).execute();
      assert.equal(await stored(moved), null, 'a search made at another place does not apply');
    });

    test('report moved in is proposed', async () => {
      const waiting = await receive(DRAIN_FIRST, 'web', 8);
      const elsewhere = await receive(DRAIN_THIRD, 'whatsapp', 8, JATIPURO);
      await runDuplicateSearches(database.db);
      assert.equal((await stored(waiting))?.some((candidate) => candidate.id === elsewhere.id), false, 'another kecamatan at first');

      await verifyComplaint({ db: database.db, actor: officer.actor }, elsewhere.id, { type: 'pengaduan', categoryCode: 'drainase-irigasi', ...BOLONG });
      assert.ok((await stored(waiting))?.some((candidate) => candidate.id === elsewhere.id),
        "proposed on the earlier report's page without opening the moved one");
    });

    test('moved report reaches past the top 20', async () => {
      const text = 'Pipa PDAM bocor di depan masjid Al Huda, air meluber ke jalan sejak subuh.';
      const near = await receive('Pipa PDAM bocor depan masjid, air meluber ke jalan kampung.', 'web', 8.5);
      for (let i = 0; i < 24; i++) await receive(text, 'web', 8.5);
      const moved = await receive(text, 'whatsapp', 8.5, JATIPURO);
      await runDuplicateSearches(database.db);
      await verifyComplaint({ db: database.db, actor: officer.actor }, moved.id, { type: 'pengaduan', categoryCode: 'air-bersih', ...BOLONG });
      const proposals = await readDuplicateProposals(database.db, officer.user, await load(near.id), { windowDays: WINDOW, limit: 30 });
      assert.ok(proposals?.some((candidate) => candidate.id === moved.id), 'a report ranked below the 24 copies still gets the moved report');
    });

    test('late commit searched by the job', async () => {
      await runDuplicateSearches(database.db);
      const late = await receive(DRAIN_SECOND, 'web', 9);
      const newer = await receive(DRAIN_FOURTH, 'web', 9);
      // The job's mark passes both ids, as when a report with a lower id commits last.
      await database.db.updateTable('triage_duplicate_progress').set({ last_complaint_id: newer.id }).execute();
      assert.deepEqual(await runDuplicateSearches(database.db), { searched: 2, failed: 0 }, 'both found below the mark');
      assert.ok((await stored(late))?.some((candidate) => candidate.id === newer.id));
    });

    test('parallel searches do not deadlock', async () => {
      const reports: Complaint[] = [];
      // Another place and problem, so the lists of the other tests stay as they were.
      const texts = [MARKET, 'Trotoar depan pasar dipakai pedagang berjualan, pejalan kaki terpaksa turun ke jalan raya.'];
      for (let i = 0; i < 16; i++) reports.push(await receive(texts[i % 2]!, 'web', 9.1, JATIPURO));
      const loaded = await Promise.all(reports.map((report) => load(report.id)));
      // The second round also replaces the lists the first one stored.
      for (const round of [1, 2]) {
        const results = await Promise.allSettled(loaded.map((complaint) => refreshDuplicateProposals(database.db, complaint, { windowDays: WINDOW })));
        const failures = results.filter((result) => result.status === 'rejected').map((result) => String((result as PromiseRejectedResult).reason));
        assert.deepEqual(failures, [], `round ${round}: every search stored its proposals`);
      }
    });

    test('moved candidates do not hide others', async () => {
      const original = await receive(DRAIN_FIRST, 'web', 9.5);
      const copies: Complaint[] = [];
      for (let i = 0; i < 22; i++) copies.push(await receive(DRAIN_FIRST, 'web', 9.5));
      const paraphrase = await receive(DRAIN_SECOND, 'instagram', 9.5);
      await runDuplicateSearches(database.db);
      for (const copy of copies) {
        await database.db.updateTable('complaints').set({ district_code: JATIPURO.districtCode, village_code: JATIPURO.villageCode })
          .where('id', '=', copy.id).execute();
      }
      const proposals = await stored(original);
      assert.ok(proposals, 'the stored search applies');
      assert.equal(proposals.some((candidate) => copies.some((copy) => copy.id === candidate.id)), false, 'the moved copies drop out');
      assert.ok(proposals.some((candidate) => candidate.id === paraphrase.id), 'the paraphrase behind them is still proposed');
    });

    test('closed candidates drop out', async () => {
      const mainReport = await receive(DRAIN_FIRST, 'web', 6);
      const dismissed = await receive(DRAIN_SECOND, 'whatsapp', 6);
      const merged = await receive(DRAIN_THIRD, 'instagram', 6);
      const closed = await receive(DRAIN_FOURTH, 'facebook', 6);
      await runDuplicateSearches(database.db);
      const ids = async () => new Set((await stored(mainReport))?.map((candidate) => candidate.id));
      for (const other of [dismissed, merged, closed]) assert.ok((await ids()).has(other.id), `report ${other.id} proposed at first`);

      await dismissDuplicate({ db: database.db, actor: officer.actor }, dismissed.id, mainReport.id);
      await mergeComplaints({ db: database.db, actor: officer.actor }, merged.id, { intoId: mainReport.id });
      await archiveComplaint({ db: database.db, actor: officer.actor }, closed.id, { reason: 'spam' });
      const now = await ids();
      for (const other of [dismissed, merged, closed]) assert.equal(now.has(other.id), false, `report ${other.id} no longer proposed`);
      assert.deepEqual(await stored(merged), [], 'a merged report proposes nothing');
    });

    test('agency officer sees none; refresh stores', async () => {
      const report = await receive(DRAIN_FIRST, 'web', 7);
      await runDuplicateSearches(database.db);
      assert.deepEqual(await duplicateProposals(database.db, dpupr.user, await load(report.id), { windowDays: WINDOW }), []);
      const count = await refreshDuplicateProposals(database.db, await load(report.id), { windowDays: WINDOW });
      assert.ok(count > 0, 'refreshing stores the proposals again');
    });
  });
}
