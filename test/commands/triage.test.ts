/**
 * Text triage through the commands and the scoring job, on PGlite and (when
 * TEST_DATABASE_URL is set) PostgreSQL: seed bootstrap, the low-priority
 * queue and its sweep, accuracy per model version, and retraining on the
 * instance's verified reports. Real complaints are read from the shared
 * data folder at run time and never printed.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../support/db.ts';
import { makeStaff, type TestStaff } from '../support/staff.ts';
import { receiveComplaint } from '../../src/commands/receive-complaint.ts';
import { verifyComplaint } from '../../src/commands/verify-complaint.ts';
import { archiveComplaint } from '../../src/commands/close-complaint.ts';
import { CommandError } from '../../src/commands/errors.ts';
import {
  activateTriageModel, ensureTriageModels, parseSeedCsv, readSeedExamples, retrainTriage, SEED_NOISE_KINDS, updateTriageSettings,
} from '../../src/commands/retrain-triage.ts';
import { cachedModelCount, loadActiveModels, sweepLowPriority, triageComplaint } from '../../src/commands/triage-complaint.ts';
import { IDLE_RUNS_BEFORE_RELEASE, runTriageScoring } from '../../src/jobs/triage.ts';
import {
  accuracyByVersion, excludeLowPriority, findRegionalAgency, listLowPriorityQueue, listModelVersions, readTriageSettings, RELEVANCE_REPORT,
} from '../../src/queries/triage.ts';
import { predict } from '../../src/domain/triage/index.ts';
import { COMPLAINT_TYPES } from '../../src/domain/types.ts';
import type { Channel } from '../../src/domain/types.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SHARED_COMPLAINTS = path.resolve(REPO_ROOT, '../shared/data/complaints');
const citizen = { kind: 'citizen' } as const;

function readSharedCsv(file: string): Record<string, string>[] {
  return parse(fs.readFileSync(path.join(SHARED_COMPLAINTS, file), 'utf8'), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
}

/** Purbalingga's categories mapped onto this instance's seed categories; its catch-all "Pelayanan Publik" is left out. */
const PURBALINGGA_CATEGORIES: Record<string, { category: string; agency: string }> = {
  Infrastruktur: { category: 'jalan-jembatan', agency: 'dpupr' },
  Lingkungan: { category: 'sampah-lingkungan', agency: 'dlh' },
  Pendidikan: { category: 'pendidikan', agency: 'disdikbud' },
  Ketertiban: { category: 'ketertiban-pkl', agency: 'satpolpp' },
  'Sosial dan Ekonomi': { category: 'bantuan-sosial', agency: 'dinsos' },
};

// Made-up messages of the kinds that fill a regency's social media comments.
const NOISE_MESSAGES = [
  'Selamat pagi min, semangat terus kerjanya ya',
  'Mantap sekali pemandangannya, jadi pengen liburan ke sana',
  'Promo pinjaman online cair cepat tanpa jaminan, cek link di bio',
  'Jangan lupa coblos calon pilihan kita di pemilu nanti lur',
];

for (const backend of BACKENDS) {
  describe(`triage on ${backend}`, () => {
    let database: TestDatabase;
    let officer: TestStaff;
    let admin: TestStaff;
    let dpupr: TestStaff;

    before(async () => {
      database = await createTestDatabase(backend);
      officer = await makeStaff(database.db, 'complaint_officer');
      admin = await makeStaff(database.db, 'admin');
      dpupr = await makeStaff(database.db, 'agency_officer', 'dpupr');
    });
    after(async () => database?.dispose());

    async function receive(description: string, channel: Channel, extra: { districtCode?: string; villageCode?: string } = {}) {
      const { complaint } = await receiveComplaint({ db: database.db, actor: citizen }, { description, channel, ...extra });
      return complaint;
    }

    async function queueOf(complaintId: number) {
      return database.db.selectFrom('complaint_triage').selectAll().where('complaint_id', '=', complaintId).executeTakeFirst();
    }

    test('seed file parses with line numbers', () => {
      const seed = readSeedExamples();
      const reports = seed.filter((row) => (COMPLAINT_TYPES as readonly string[]).includes(row.kind));
      const noise = seed.filter((row) => (SEED_NOISE_KINDS as readonly string[]).includes(row.kind));
      assert.ok(seed.length >= 300, `seed has ${seed.length} rows`);
      assert.equal(reports.length + noise.length, seed.length);
      assert.ok(noise.length >= 100, 'the seed has at least 100 noise messages');
      assert.ok(reports.every((row) => row.category !== null), 'every seed report names a category');
      assert.throws(() => parseSeedCsv('text,kind,category\n"halo",salam,\n'), /line 2: unknown kind "salam"/);
      assert.throws(() => parseSeedCsv('text,kind,category\n"",spam,\n'), /line 2: the text is empty/);
      assert.throws(() => parseSeedCsv('teks,kind,category\n"halo",spam,\n'), /no "text" column/);
    });

    test('first run trains seed models and scores new reports', async () => {
      const complaint = await receive('Lampu penerangan jalan di depan pasar Jaten mati sejak seminggu, gelap dan rawan kecelakaan.', 'web');
      const greeting = await receive(NOISE_MESSAGES[0], 'instagram');
      const walkIn = await receiveComplaint({ db: database.db, actor: officer.actor }, { description: NOISE_MESSAGES[1], channel: 'walk_in' });

      const run = await runTriageScoring(database.db);
      assert.deepEqual(run.retrained.map((outcome) => outcome.kind).sort(), ['agency', 'category', 'relevance', 'type']);
      assert.ok(run.retrained.every((outcome) => outcome.status === 'trained' && outcome.source === 'seed'));
      const versions = await listModelVersions(database.db);
      assert.equal(versions.filter((row) => row.active).length, 4, 'one active model per kind');
      assert.ok(versions.every((row) => row.metrics !== null && row.testSize > 0), 'held-out metrics are stored');

      assert.equal((await queueOf(complaint.id))?.queue, 'normal');
      assert.equal((await queueOf(greeting.id))?.queue, 'low_priority');
      assert.equal((await queueOf(walkIn.complaint.id))?.queue, 'normal', 'reports typed in by staff never go to the low-priority queue');
      const events = await database.db.selectFrom('complaint_events').select('type').where('complaint_id', '=', greeting.id).execute();
      assert.ok(events.some((event) => event.type === 'triage_low_priority'), 'the move to the queue is an event');

      const suggestions = await database.db.selectFrom('triage_suggestions').selectAll().where('complaint_id', '=', complaint.id).execute();
      const active = new Map(versions.filter((row) => row.active).map((row) => [row.kind, row.version]));
      assert.deepEqual(suggestions.map((row) => row.kind).sort(), ['agency', 'category', 'relevance', 'type']);
      for (const row of suggestions) {
        assert.equal(row.model_version, active.get(row.kind), `${row.kind} suggestion carries the active version`);
        const expectedLength = row.kind === 'relevance' ? 2 : 3;
        assert.equal(row.ranking.length, expectedLength, `${row.kind} ranking length`);
      }
      const category = suggestions.find((row) => row.kind === 'category')!;
      assert.equal(category.top_label, 'penerangan-jalan');
      assert.ok(category.ranking[0].terms.some((term) => term.term === 'lampu'), 'the explanation names the word "lampu"');

      const again = await runTriageScoring(database.db);
      assert.equal(again.retrained.length, 0, 'no retrain without a request');
      assert.equal(again.triaged, 0, 'a second run stores nothing twice');
    });

    test('idle runs release parsed models', async () => {
      await loadActiveModels(database.db);
      assert.ok(cachedModelCount() > 0, 'loading the active models caches them');
      for (let run = 0; run < IDLE_RUNS_BEFORE_RELEASE; run += 1) {
        assert.equal((await runTriageScoring(database.db)).triaged, 0, `idle run ${run + 1} scores nothing`);
      }
      assert.equal(cachedModelCount(), 0, 'an idle server holds no parsed model');

      const complaint = await receive('Jalan di depan SD Negeri 2 berlubang besar, sudah ada pengendara motor yang jatuh.', 'web');
      const run = await runTriageScoring(database.db);
      assert.equal(run.triaged, 1, 'the new report is scored');
      assert.ok(cachedModelCount() > 0, 'scoring loaded the models again');
      const kinds = await database.db.selectFrom('triage_suggestions').select('kind').where('complaint_id', '=', complaint.id).execute();
      assert.equal(kinds.length, 4, 'one suggestion per kind');
    });

    test('seed relevance keeps real complaints', async () => {
      const models = await loadActiveModels(database.db);
      const threshold = (await readTriageSettings(database.db)).relevance_threshold;
      const purbalingga = readSharedCsv('purbalingga-kategori.csv');
      const surabaya = readSharedCsv('surabaya-mediacenter.csv').slice(0, 500);
      const kept = (texts: string[]) => texts.filter((text) => predict(models.relevance!, text).find((s) => s.label === RELEVANCE_REPORT)!.score >= threshold).length / texts.length;
      const purbalinggaKept = kept(purbalingga.map((row) => row.text));
      const surabayaKept = kept(surabaya.map((row) => row.keluhan));
      assert.ok(purbalinggaKept >= 0.95, `Purbalingga complaints kept: ${purbalinggaKept.toFixed(3)}`);
      assert.ok(surabayaKept >= 0.95, `Surabaya complaints kept: ${surabayaKept.toFixed(3)}`);
    });

    test('sweep archives only the selected messages', async () => {
      const noise = [];
      for (const text of NOISE_MESSAGES) noise.push(await receive(text, 'facebook'));
      await runTriageScoring(database.db);
      for (const complaint of noise) assert.equal((await queueOf(complaint.id))?.queue, 'low_priority', `message ${complaint.id} set aside`);
      const queue = await listLowPriorityQueue(database.db, officer.user);
      assert.ok(noise.every((complaint) => queue.rows.some((row) => row.id === complaint.id)));
      assert.ok(queue.rows.every((row, i) => i === 0 || queue.rows[i - 1].relevanceScore <= row.relevanceScore), 'lowest score first');
      assert.equal((await listLowPriorityQueue(database.db, dpupr.user)).total, 0, 'agency officers get no queue');

      const [first, second, third, fourth] = noise;
      const archived = await sweepLowPriority({ db: database.db, actor: officer.actor }, { complaintIds: [first.id, second.id], action: 'archive_not_report' });
      assert.deepEqual(archived, { done: [first.id, second.id], skipped: [] });
      const restored = await sweepLowPriority({ db: database.db, actor: officer.actor }, { complaintIds: [third.id, first.id], action: 'restore' });
      assert.deepEqual(restored, { done: [third.id], skipped: [first.id] }, 'an archived message is skipped');

      const rows = await database.db.selectFrom('complaints').select(['id', 'status']).where('id', 'in', noise.map((c) => c.id)).execute();
      const status = new Map(rows.map((row) => [row.id, row.status]));
      assert.equal(status.get(first.id), 'archived');
      assert.equal(status.get(second.id), 'archived');
      assert.equal(status.get(third.id), 'new');
      assert.equal(status.get(fourth.id), 'new', 'an unselected message is untouched');
      assert.equal((await queueOf(fourth.id))?.queue, 'low_priority');
      assert.equal((await queueOf(third.id))?.queue, 'normal');
      assert.equal((await queueOf(third.id))?.sweep_outcome, 'restored');

      const archiveEvent = await database.db.selectFrom('complaint_events').select('data')
        .where('complaint_id', '=', first.id).where('type', '=', 'archived').executeTakeFirstOrThrow();
      assert.equal(archiveEvent.data.reason, 'not_a_report');
      const restoreEvents = await database.db.selectFrom('complaint_events').select('type')
        .where('complaint_id', '=', third.id).where('type', '=', 'triage_restored').execute();
      assert.equal(restoreEvents.length, 1);

      const inbox = await excludeLowPriority(database.db.selectFrom('complaints')).select('complaints.id')
        .where('complaints.id', 'in', noise.map((c) => c.id)).execute();
      assert.deepEqual(inbox.map((row) => row.id).sort((a, b) => a - b), [first.id, second.id, third.id].sort((a, b) => a - b),
        'the inbox hides only the message still waiting in the queue');

      // An agency officer may not even see a new report, so it is skipped like one that does not exist.
      const foreign = await sweepLowPriority({ db: database.db, actor: dpupr.actor }, { complaintIds: [fourth.id], action: 'archive_spam' });
      assert.deepEqual(foreign, { done: [], skipped: [fourth.id] });
      assert.equal((await queueOf(fourth.id))?.queue, 'low_priority');
      await assert.rejects(sweepLowPriority({ db: database.db, actor: officer.actor }, { complaintIds: [], action: 'restore' }),
        (error: unknown) => error instanceof CommandError && error.key === 'error.triage_sweep_none_selected');
      await assert.rejects(sweepLowPriority({ db: database.db, actor: officer.actor }, { complaintIds: [fourth.id], action: 'delete' }),
        (error: unknown) => error instanceof CommandError && error.key === 'error.triage_sweep_action_invalid');
    });

    test('broken model leaves reports in the inbox', async () => {
      const active = await database.db.selectFrom('triage_models').select(['id', 'model', 'version'])
        .where('kind', '=', 'relevance').where('active', '=', true).executeTakeFirstOrThrow();
      await database.db.updateTable('triage_models').set({ model: '{"format":"something else"}', version: 'broken-version' }).where('id', '=', active.id).execute();
      try {
        const complaint = await receive(NOISE_MESSAGES[2], 'x');
        const run = await runTriageScoring(database.db);
        assert.equal(run.failed, 0);
        const stored = await queueOf(complaint.id);
        assert.equal(stored?.queue ?? 'normal', 'normal', 'without a relevance model nothing goes to the low-priority queue');
        const row = await database.db.selectFrom('complaints').select('status').where('id', '=', complaint.id).executeTakeFirstOrThrow();
        assert.equal(row.status, 'new');
        const kinds = await database.db.selectFrom('triage_suggestions').select('kind').where('complaint_id', '=', complaint.id).execute();
        assert.ok(kinds.some((suggestion) => suggestion.kind === 'category'), 'the other kinds still suggest');
      } finally {
        await database.db.updateTable('triage_models').set({ model: active.model, version: active.version }).where('id', '=', active.id).execute();
      }
    });

    test('accuracy per version on a hand-made set', async () => {
      const now = new Date();
      // Decisions: two verified reports, one undecided, one archived as spam, one archived as not a report, one verified to a kecamatan.
      const road = await receive('Jalan desa rusak berlubang di dekat balai desa.', 'web');
      await verifyComplaint({ db: database.db, actor: officer.actor }, road.id, { type: 'pengaduan', categoryCode: 'jalan-jembatan', districtCode: '33.13.01' });
      const water = await receive('Air PDAM mati sejak tiga hari di perumahan kami.', 'web');
      await verifyComplaint({ db: database.db, actor: officer.actor }, water.id, { type: 'pengaduan', categoryCode: 'air-bersih', districtCode: '33.13.01' });
      const undecided = await receive('Mohon informasi jadwal posyandu lansia bulan ini.', 'web');
      const spam = await receive('Promo paket umroh murah hubungi kami sekarang juga.', 'web');
      await archiveComplaint({ db: database.db, actor: officer.actor }, spam.id, { reason: 'spam' });
      const thanks = await receive('Terima kasih banyak atas pelayanannya yang cepat.', 'web');
      await archiveComplaint({ db: database.db, actor: officer.actor }, thanks.id, { reason: 'not_a_report' });
      const village = await receive('Pelayanan surat pengantar di kantor kecamatan lambat sekali.', 'web');
      await verifyComplaint({ db: database.db, actor: officer.actor }, village.id, {
        type: 'pengaduan', categoryCode: 'lainnya', districtCode: '33.13.09', agencyCode: 'kec-karanganyar',
      });

      const suggestion = (complaintId: number, kind: 'type' | 'category' | 'agency' | 'relevance', version: string, label: string) => ({
        complaint_id: complaintId, kind, model_version: version, top_label: label, top_score: 0.9,
        ranking: JSON.stringify([{ label, score: 0.9, terms: [] }]), created_at: now,
      });
      await database.db.insertInto('triage_suggestions').values([
        // Version A of the category model: right on the road, wrong on the water, nothing decided on the question.
        suggestion(road.id, 'category', 'hand-a', 'jalan-jembatan'),
        suggestion(water.id, 'category', 'hand-a', 'jalan-jembatan'),
        suggestion(undecided.id, 'category', 'hand-a', 'kesehatan'),
        // Version B: right on both.
        suggestion(road.id, 'category', 'hand-b', 'jalan-jembatan'),
        suggestion(water.id, 'category', 'hand-b', 'air-bersih'),
        // Relevance: right on the spam, wrong on the thank-you, right on the road report.
        suggestion(spam.id, 'relevance', 'hand-r', 'noise'),
        suggestion(thanks.id, 'relevance', 'hand-r', 'report'),
        suggestion(road.id, 'relevance', 'hand-r', 'report'),
        suggestion(undecided.id, 'relevance', 'hand-r', 'report'),
        // Agency: the regional group matches a kecamatan decision; a dinas code does not.
        suggestion(village.id, 'agency', 'hand-g', '@wilayah'),
        suggestion(road.id, 'agency', 'hand-g', 'dlh'),
        suggestion(water.id, 'type', 'hand-t', 'aspirasi'),
      ]).execute();

      const accuracy = await accuracyByVersion(database.db);
      const of = (kind: string, version: string) => accuracy.find((row) => row.kind === kind && row.modelVersion === version);
      assert.deepEqual(of('category', 'hand-a'), { kind: 'category', modelVersion: 'hand-a', suggestions: 3, decided: 2, matched: 1, accuracy: 0.5 });
      assert.deepEqual(of('category', 'hand-b'), { kind: 'category', modelVersion: 'hand-b', suggestions: 2, decided: 2, matched: 2, accuracy: 1 });
      assert.deepEqual(of('relevance', 'hand-r'), { kind: 'relevance', modelVersion: 'hand-r', suggestions: 4, decided: 3, matched: 2, accuracy: 2 / 3 });
      assert.deepEqual(of('agency', 'hand-g'), { kind: 'agency', modelVersion: 'hand-g', suggestions: 2, decided: 2, matched: 1, accuracy: 0.5 });
      assert.deepEqual(of('type', 'hand-t'), { kind: 'type', modelVersion: 'hand-t', suggestions: 1, decided: 1, matched: 0, accuracy: 0 });
    });

    test('regional group resolves to the location agency', async () => {
      // Lalung (33.13.09.1001) is a kelurahan of Kecamatan Karanganyar; Ngepungsari (33.13.01.2001) is a desa of Jatipuro.
      const kelurahan = await findRegionalAgency(database.db, { districtCode: '33.13.09', villageCode: '33.13.09.1001' });
      assert.deepEqual(kelurahan, { code: 'kel-lalung', name: 'Kelurahan Lalung' });
      const desa = await findRegionalAgency(database.db, { districtCode: '33.13.01', villageCode: '33.13.01.2001' });
      assert.deepEqual(desa, { code: 'kec-jatipuro', name: 'Kecamatan Jatipuro' });
      const districtOnly = await findRegionalAgency(database.db, { districtCode: '33.13.09', villageCode: null });
      assert.deepEqual(districtOnly, { code: 'kec-karanganyar', name: 'Kecamatan Karanganyar' });
      assert.equal(await findRegionalAgency(database.db, { districtCode: null, villageCode: null }), undefined);

      await database.db.updateTable('agencies').set({ active: false }).where('code', '=', 'kel-lalung').execute();
      try {
        const inactive = await findRegionalAgency(database.db, { districtCode: '33.13.09', villageCode: '33.13.09.1001' });
        assert.deepEqual(inactive, { code: 'kec-karanganyar', name: 'Kecamatan Karanganyar' }, 'an inactive kelurahan falls back to its kecamatan');
      } finally {
        await database.db.updateTable('agencies').set({ active: true }).where('code', '=', 'kel-lalung').execute();
      }
    });

    test('retrain changes the version and new suggestions carry it', async () => {
      const before = new Map((await listModelVersions(database.db)).filter((row) => row.active).map((row) => [row.kind, row.version]));
      await updateTriageSettings(database.db, admin.user, { relevanceThreshold: 0.4, duplicateWindowDays: 30, minTrainingSize: 40 });

      // Real complaints, classified the way an officer would: category from the source's label, type from whether the text has a question mark.
      const rows = readSharedCsv('purbalingga-kategori.csv').filter((row) => row.kategori in PURBALINGGA_CATEGORIES);
      const perCategory = new Map<string, number>();
      for (const row of rows) {
        const count = perCategory.get(row.kategori) ?? 0;
        if (count >= 12 || row.text.trim().length < 10) continue;
        perCategory.set(row.kategori, count + 1);
        const target = PURBALINGGA_CATEGORIES[row.kategori];
        const { complaint } = await receiveComplaint({ db: database.db, actor: citizen }, { description: row.text.slice(0, 5000), channel: 'import' });
        await verifyComplaint({ db: database.db, actor: officer.actor }, complaint.id, {
          type: row.text.includes('?') ? 'permintaan_informasi' : 'pengaduan', categoryCode: target.category, districtCode: '33.13.05',
        });
      }
      const outcomes = await retrainTriage(database.db);
      const byKind = new Map(outcomes.map((outcome) => [outcome.kind, outcome]));
      for (const kind of ['category', 'agency'] as const) {
        const outcome = byKind.get(kind)!;
        assert.equal(outcome.status, 'trained', `${kind} retrained`);
        assert.equal(outcome.source, 'verified', `${kind} learned from verified reports`);
        assert.notEqual(outcome.version, before.get(kind), `${kind} version changed`);
        assert.ok((outcome.trainingSize ?? 0) >= 60);
        assert.equal(typeof outcome.top1Accuracy, 'number', `${kind} has held-out metrics`);
      }
      assert.equal(byKind.get('relevance')!.source, 'verified', 'relevance adds the officers\' decisions to the seed');
      assert.notEqual(byKind.get('relevance')!.version, before.get('relevance'));

      const active = new Map((await listModelVersions(database.db)).filter((row) => row.active).map((row) => [row.kind, row.version]));
      assert.equal(active.get('category'), byKind.get('category')!.version);
      const fresh = await receive('Jalan utama menuju pasar desa rusak parah dan berlubang, mohon segera diperbaiki.', 'whatsapp');
      const result = await triageComplaint(database.db, fresh.id);
      assert.ok(result.suggested.includes('category'));
      const stored = await database.db.selectFrom('triage_suggestions').select(['kind', 'model_version', 'top_label'])
        .where('complaint_id', '=', fresh.id).execute();
      for (const kind of ['category', 'agency', 'relevance'] as const) {
        assert.equal(stored.find((row) => row.kind === kind)?.model_version, active.get(kind), `new ${kind} suggestion carries the new version`);
      }
      assert.equal(stored.find((row) => row.kind === 'category')?.top_label, 'jalan-jembatan');

      // Older suggestions keep the version that made them, so accuracy stays per version.
      const older = await database.db.selectFrom('triage_suggestions').select('model_version')
        .where('kind', '=', 'category').where('model_version', '=', before.get('category')!).execute();
      assert.ok(older.length > 0);

      const repeat = await retrainTriage(database.db, { kinds: ['category'] });
      assert.equal(repeat[0].status, 'unchanged', 'the same data gives the same version');
    });

    test('admin activates an earlier version', async () => {
      const versions = await listModelVersions(database.db);
      const earlier = versions.find((row) => row.kind === 'category' && !row.active)!;
      assert.ok(earlier, 'an earlier category version exists');
      await assert.rejects(activateTriageModel(database.db, officer.user, earlier.id),
        (error: unknown) => error instanceof CommandError && error.code === 'forbidden');
      await activateTriageModel(database.db, admin.user, earlier.id);
      const now = await listModelVersions(database.db);
      assert.deepEqual(now.filter((row) => row.kind === 'category' && row.active).map((row) => row.id), [earlier.id]);
      await assert.rejects(activateTriageModel(database.db, admin.user, 999_999),
        (error: unknown) => error instanceof CommandError && error.code === 'not_found');
    });

    test('settings reject values out of range', async () => {
      const attempts = [
        { input: { relevanceThreshold: 1.5, duplicateWindowDays: 30, minTrainingSize: 100 }, key: 'error.triage_threshold_invalid' },
        { input: { relevanceThreshold: Number.NaN, duplicateWindowDays: 30, minTrainingSize: 100 }, key: 'error.triage_threshold_invalid' },
        { input: { relevanceThreshold: 0.4, duplicateWindowDays: 0, minTrainingSize: 100 }, key: 'error.triage_window_invalid' },
        { input: { relevanceThreshold: 0.4, duplicateWindowDays: 7.5, minTrainingSize: 100 }, key: 'error.triage_window_invalid' },
        { input: { relevanceThreshold: 0.4, duplicateWindowDays: 30, minTrainingSize: 5 }, key: 'error.triage_min_training_invalid' },
      ];
      for (const { input, key } of attempts) {
        await assert.rejects(updateTriageSettings(database.db, admin.user, input),
          (error: unknown) => error instanceof CommandError && error.key === key, `${JSON.stringify(input)} → ${key}`);
      }
      await assert.rejects(updateTriageSettings(database.db, officer.user, { relevanceThreshold: 0.3, duplicateWindowDays: 30, minTrainingSize: 100 }),
        (error: unknown) => error instanceof CommandError && error.code === 'forbidden');
      await ensureTriageModels(database.db);
      assert.equal((await readTriageSettings(database.db)).min_training_size, 40, 'rejected changes saved nothing');
    });
  });
}
