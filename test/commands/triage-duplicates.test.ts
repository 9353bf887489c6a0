/**
 * Duplicate proposals on PGlite and (when TEST_DATABASE_URL is set)
 * PostgreSQL. A WhatsApp message and a web report about the same street
 * light are proposed to each other with their reasons, and stay apart until
 * an officer merges them. Place, time window, dismissal and role rules follow.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../support/db.ts';
import { makeStaff, type TestStaff } from '../support/staff.ts';
import { receiveComplaint } from '../../src/commands/receive-complaint.ts';
import { receiveInbound, NO_FILES } from '../../src/commands/receive-inbound.ts';
import { verifyComplaint } from '../../src/commands/verify-complaint.ts';
import { mergeComplaints } from '../../src/commands/merge-complaints.ts';
import { dismissDuplicate } from '../../src/commands/triage-complaint.ts';
import { CommandError } from '../../src/commands/errors.ts';
import { runTriageScoring } from '../../src/jobs/triage.ts';
import { classifyLocation, findDuplicateCandidates, haversineKm } from '../../src/queries/triage.ts';
import type { Complaint } from '../../src/db/schema.ts';
import type { Channel } from '../../src/domain/types.ts';

const DAY_MS = 86_400_000;
const BOLONG = { districtCode: '33.13.09', villageCode: '33.13.09.1002' };
const LALUNG = { districtCode: '33.13.09', villageCode: '33.13.09.1001' };
const JATIPURO = { districtCode: '33.13.01', villageCode: '33.13.01.2003' };

// Made-up reports about one broken street light, and unrelated ones.
const LAMP_WHATSAPP = 'Lampu PJU di jalan depan SD Negeri 1 Bolong mati semua, jalannya gelap sekali kalau malam.';
const LAMP_WEB = 'Lampu penerangan jalan di depan SD Bolong mati sudah seminggu, gelap dan rawan kecelakaan.';
const LAMP_OTHER = 'Lampu jalan di depan SD mati dan gelap sekali kalau malam, mohon diperbaiki.';
const WASTE = 'Sampah di TPS belakang pasar menumpuk dan berbau busuk sudah lima hari.';

describe('location classification', () => {
  const at = (district: string | null, village: string | null, latitude: number | null = null, longitude: number | null = null) =>
    ({ district_code: district, village_code: village, latitude, longitude });
  const cases = [
    { name: 'same desa', a: at('33.13.09', '33.13.09.1002'), b: at('33.13.09', '33.13.09.1002'), match: 'same_village' },
    { name: 'other desa, same kecamatan', a: at('33.13.09', '33.13.09.1002'), b: at('33.13.09', '33.13.09.1001'), match: 'same_district' },
    { name: 'desa unknown on one side', a: at('33.13.09', null), b: at('33.13.09', '33.13.09.1001'), match: 'same_district' },
    { name: 'kecamatan unknown', a: at(null, null), b: at('33.13.09', '33.13.09.1001'), match: 'location_unknown' },
    { name: 'other kecamatan', a: at('33.13.01', null), b: at('33.13.09', null), match: null },
    { name: 'other kecamatan but 1 km apart', a: at('33.13.01', null, -7.6, 110.95), b: at('33.13.09', null, -7.6, 110.959), match: 'nearby' },
    { name: 'other kecamatan 5 km apart', a: at('33.13.01', null, -7.6, 110.95), b: at('33.13.09', null, -7.6, 110.995), match: null },
  ] as const;
  for (const entry of cases) {
    test(`location: ${entry.name}`, () => {
      assert.equal(classifyLocation(entry.a, entry.b)?.match ?? null, entry.match);
    });
  }

  test('haversine distance in kilometres', () => {
    assert.ok(Math.abs(haversineKm(0, 0, 1, 0) - 111.19) < 0.01, 'one degree of latitude');
    assert.ok(Math.abs(haversineKm(-7.6, 110.95, -7.6, 110.959) - 0.992) < 0.01, 'about one kilometre east near Karanganyar');
    assert.equal(haversineKm(-7.6, 110.95, -7.6, 110.95), 0);
  });
});

for (const backend of BACKENDS) {
  describe(`duplicate proposals on ${backend}`, () => {
    let database: TestDatabase;
    let officer: TestStaff;
    let dpupr: TestStaff;
    let whatsapp: Complaint;
    let web: Complaint;
    const base = new Date(Date.now() - 40 * DAY_MS);

    before(async () => {
      database = await createTestDatabase(backend);
      officer = await makeStaff(database.db, 'complaint_officer');
      dpupr = await makeStaff(database.db, 'agency_officer', 'dpupr');

      // The WhatsApp message arrives without a place; the officer adds it at verification.
      const received = await receiveInbound(database.db, {
        channel: 'whatsapp',
        providerMessageId: 'wamid.triage-duplicate-1',
        conversationKind: 'direct',
        sender: { kind: 'whatsapp', value: '6281200000000' },
        text: LAMP_WHATSAPP,
        sentAt: base,
        attachments: [],
      }, NO_FILES, { now: base, threadWindowDays: 14, acknowledge: false });
      assert.equal(received.outcome, 'created', 'the WhatsApp message opened a report');
      assert.ok(received.outcome === 'created' && received.complaintId !== null, 'the new report has an id');
      await verifyComplaint({ db: database.db, actor: officer.actor, now: base }, received.complaintId, {
        type: 'pengaduan', categoryCode: 'penerangan-jalan', ...BOLONG,
      });
      whatsapp = await database.db.selectFrom('complaints').selectAll().where('id', '=', received.complaintId).executeTakeFirstOrThrow();
      web = await receive(LAMP_WEB, 'web', 3, BOLONG);
    });
    after(async () => database?.dispose());

    async function receive(description: string, channel: Channel, daysAfter: number, place: { districtCode?: string; villageCode?: string } = {},
      coordinates: { latitude?: number; longitude?: number } = {}) {
      const receivedAt = new Date(base.getTime() + daysAfter * DAY_MS);
      const { complaint } = await receiveComplaint({ db: database.db, actor: { kind: 'citizen' } }, {
        description, channel, receivedAt, ...place, ...coordinates,
      });
      return complaint;
    }

    async function candidatesOf(complaint: Complaint, windowDays = 30) {
      const fresh = await database.db.selectFrom('complaints').selectAll().where('id', '=', complaint.id).executeTakeFirstOrThrow();
      return findDuplicateCandidates(database.db, officer.user, fresh, { windowDays, limit: 20 });
    }

    test('web and WhatsApp reports proposed to each other', async () => {
      const fromWeb = await candidatesOf(web);
      const match = fromWeb.find((candidate) => candidate.id === whatsapp.id);
      assert.ok(match, 'the WhatsApp report is proposed on the web report');
      assert.equal(match.channel, 'whatsapp');
      assert.equal(match.location, 'same_village');
      assert.equal(match.villageName, 'Bolong');
      assert.equal(match.daysApart, 3);
      for (const word of ['lampu', 'mati', 'gelap']) assert.ok(match.matchingWords.includes(word), `shared word "${word}"`);
      assert.ok(match.trigramSimilarity > 0, 'pg_trgm similarity is reported');
      assert.equal(match.mergeDuplicateId, web.id, 'the newer report is the duplicate');
      assert.equal(match.mergeIntoId, whatsapp.id, 'the older report is kept');

      const fromWhatsapp = await candidatesOf(whatsapp);
      assert.ok(fromWhatsapp.some((candidate) => candidate.id === web.id && candidate.channel === 'web'), 'proposed from the other side too');
    });

    test('proposals never merge by themselves', async () => {
      await runTriageScoring(database.db);
      await candidatesOf(web);
      const rows = await database.db.selectFrom('complaints').select(['id', 'status', 'merged_into_id'])
        .where('id', 'in', [web.id, whatsapp.id]).execute();
      for (const row of rows) assert.equal(row.merged_into_id, null, `report ${row.id} is not merged`);
      assert.equal(rows.find((row) => row.id === web.id)?.status, 'new');
      const merges = await database.db.selectFrom('complaint_events').select('id').where('type', 'in', ['merged', 'duplicate_merged']).execute();
      assert.equal(merges.length, 0, 'no merge event without an officer');
    });

    test('place and time rules', async () => {
      const neighbour = await receive(LAMP_OTHER, 'facebook', 1, LALUNG);
      const farAway = await receive(LAMP_OTHER, 'web', 2, JATIPURO);
      const unrelated = await receive(WASTE, 'web', 2, BOLONG);
      const unknownPlace = await receive(LAMP_WEB, 'instagram', 4);
      const tooEarly = await receive(LAMP_WEB, 'web', 3 - 35, BOLONG);
      const candidates = await candidatesOf(web);
      const byId = new Map(candidates.map((candidate) => [candidate.id, candidate]));

      assert.equal(byId.get(neighbour.id)?.location, 'same_district', 'a neighbouring desa in the same kecamatan is proposed');
      assert.equal(byId.has(farAway.id), false, 'another kecamatan is not proposed');
      assert.equal(byId.has(unrelated.id), false, 'another problem in the same desa is not proposed');
      assert.equal(byId.get(unknownPlace.id)?.location, 'location_unknown', 'an unplaced near-copy is proposed');
      assert.equal(byId.has(tooEarly.id), false, '35 days apart is outside the 30-day window');
      assert.ok((await candidatesOf(web, 60)).some((candidate) => candidate.id === tooEarly.id), 'a 60-day window includes it');

      const acrossBorder = await receive(LAMP_OTHER, 'web', 5, JATIPURO, { latitude: -7.6, longitude: 110.95 });
      const near = await receive(LAMP_WEB, 'web', 5, BOLONG, { latitude: -7.6, longitude: 110.959 });
      const nearCandidates = await candidatesOf(near);
      const acrossMatch = nearCandidates.find((candidate) => candidate.id === acrossBorder.id);
      assert.equal(acrossMatch?.location, 'nearby', 'within 1.5 km counts across a kecamatan border');
      assert.ok(acrossMatch?.distanceKm, 'the distance is reported');
      assert.ok(Math.abs(acrossMatch.distanceKm - 0.99) < 0.02, `distance ${acrossMatch.distanceKm} km`);
    });

    test('near-copy ranked first in a crowd', async () => {
      // More candidates than the full-text pool takes: 180 other problems on
      // the same roads share "jalan" with the copy but nothing else.
      const others = [
        'Jalan di depan sekolah becek sekali setiap hujan turun',
        'Parkir liar di bahu jalan membuat macet saat pagi',
        'Pohon tumbang menutup jalan kampung sejak kemarin sore',
      ];
      for (let index = 0; index < 180; index++) await receive(others[index % others.length]!, 'web', 10 + (index % 5), BOLONG);
      const original = await receive('Jembatan gantung di jalan Dukuh Ngasem retak dan papannya lepas, berbahaya bagi pejalan kaki', 'web', 12, BOLONG);
      const copy = await receive('Papan jembatan gantung Dukuh Ngasem lepas dan retak, bahaya untuk pejalan kaki', 'whatsapp', 13, BOLONG);
      const candidates = await candidatesOf(copy);
      assert.equal(candidates[0]?.id, original.id, 'the near-copy is the first proposal');
      for (const word of ['jembatan', 'gantung', 'retak']) assert.ok(candidates[0]!.matchingWords.includes(word), `shared word "${word}"`);
      assert.ok(candidates.every((candidate) => candidate.matchingWords.length > 0), 'every proposal shares a content word');
    });

    test('dismissed pair not proposed again', async () => {
      const copy = await receive(LAMP_WEB, 'telegram', 6, BOLONG);
      assert.ok((await candidatesOf(web)).some((candidate) => candidate.id === copy.id));
      await dismissDuplicate({ db: database.db, actor: officer.actor }, copy.id, web.id);
      assert.equal((await candidatesOf(web)).some((candidate) => candidate.id === copy.id), false);
      assert.equal((await candidatesOf(copy)).some((candidate) => candidate.id === web.id), false, 'dismissed from either side');
      await assert.rejects(dismissDuplicate({ db: database.db, actor: dpupr.actor }, copy.id, whatsapp.id),
        (error: unknown) => error instanceof CommandError && error.code === 'not_found');
    });

    test('a misconduct report is never proposed with an ordinary one', async () => {
      const pungli = await receive(`${LAMP_WEB} Petugas minta uang supaya cepat diperbaiki.`, 'web', 4, BOLONG);
      await database.db.updateTable('complaints').set({ oversight: true, privacy: 'confidential' }).where('id', '=', pungli.id).execute();
      const fromPungli = await candidatesOf(pungli);
      assert.equal(fromPungli.some((candidate) => candidate.id === web.id || candidate.id === whatsapp.id), false, 'no agency case is proposed on it');
      assert.equal((await candidatesOf(web)).some((candidate) => candidate.id === pungli.id), false, 'it is not proposed on an agency case');
      const sameKind = await receive(`${LAMP_WEB} Ada pungutan liar.`, 'whatsapp', 5, BOLONG);
      await database.db.updateTable('complaints').set({ oversight: true, privacy: 'confidential' }).where('id', '=', sameKind.id).execute();
      assert.ok((await candidatesOf(pungli)).some((candidate) => candidate.id === sameKind.id), 'two misconduct reports are still proposed to each other');
      await database.db.updateTable('complaints').set({ status: 'archived' }).where('id', 'in', [pungli.id, sameKind.id]).execute();
    });

    test('agency officers get no proposals', async () => {
      const fresh = await database.db.selectFrom('complaints').selectAll().where('id', '=', web.id).executeTakeFirstOrThrow();
      assert.deepEqual(await findDuplicateCandidates(database.db, dpupr.user, fresh, { windowDays: 30 }), []);
    });

    test('officer merge links the two reports', async () => {
      await mergeComplaints({ db: database.db, actor: officer.actor }, web.id, { intoId: whatsapp.id });
      const merged = await database.db.selectFrom('complaints').select(['status', 'merged_into_id']).where('id', '=', web.id).executeTakeFirstOrThrow();
      assert.deepEqual(merged, { status: 'archived', merged_into_id: whatsapp.id });
      assert.equal((await candidatesOf(whatsapp)).some((candidate) => candidate.id === web.id), false, 'a merged report is not proposed');
      assert.deepEqual(await candidatesOf(web), [], 'a merged report proposes nothing');
    });
  });
}
