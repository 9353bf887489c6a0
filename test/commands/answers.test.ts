/**
 * Canned answers and the FAQ through the commands, on PGlite and (when
 * TEST_DATABASE_URL is set) on PostgreSQL. FAQ matching runs on real
 * citizen questions from the Surabaya Media Center dataset.
 */
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../support/db.ts';
import { makeStaff, type TestStaff } from '../support/staff.ts';
import { receiveComplaint } from '../../src/commands/receive-complaint.ts';
import { verifyComplaint } from '../../src/commands/verify-complaint.ts';
import { answerComplaint } from '../../src/commands/resolve-complaint.ts';
import {
  fillTemplateForComplaint, markTemplateReviewed, respondWithTemplate, saveTemplate, setTemplateActive,
} from '../../src/commands/answer-templates.ts';
import { createFaqDraftFromComplaint, recordSelfServiceAnswer, saveFaqArticle } from '../../src/commands/faq.ts';
import { saveAnswerSettings } from '../../src/commands/roster.ts';
import { CommandError } from '../../src/commands/errors.ts';
import { listTemplates, matchFaqIds, searchPublishedFaq, suggestTemplates } from '../../src/queries/answers.ts';
import { formatLongDate } from '../../src/domain/templates.ts';

const REPO = path.resolve(import.meta.dirname, '../..');
const SURABAYA = path.resolve(REPO, '../shared/data/complaints/surabaya-mediacenter.csv');
const citizen = { kind: 'citizen' } as const;
// Monday 2026-03-16 09:00 WIB.
const MONDAY = new Date('2026-03-16T02:00:00Z');

function rejectsWith(code: string, key?: string) {
  return (error: unknown) => {
    assert.ok(error instanceof CommandError, `expected CommandError, got ${String(error)}`);
    assert.equal(error.code, code);
    if (key) assert.equal(error.key, key);
    return true;
  };
}

interface SurabayaRow { keluhan: string; topik: string }

for (const backend of BACKENDS) {
  describe(`canned answers and FAQ on ${backend}`, () => {
    let database: TestDatabase;
    let officer: TestStaff;
    let dlh: TestStaff;
    let dpupr: TestStaff;

    before(async () => {
      database = await createTestDatabase(backend);
      officer = await makeStaff(database.db, 'complaint_officer');
      dlh = await makeStaff(database.db, 'agency_officer', 'dlh');
      dpupr = await makeStaff(database.db, 'agency_officer', 'dpupr');
    });
    after(async () => database?.dispose());

    const ctx = (actor: TestStaff['actor'] | typeof citizen, now = MONDAY) => ({ db: database.db, actor, now });

    async function question(privacy: 'anonymous' | 'confidential' | 'public', name = 'Sri Wahyuni') {
      const { complaint } = await receiveComplaint(ctx(citizen), {
        type: 'permintaan_informasi',
        description: 'Bagaimana cara mengajukan pemangkasan pohon di depan rumah? Hubungi saya di 0812-3456-7890.',
        channel: 'web',
        categoryCode: 'sampah-lingkungan',
        privacy,
        reporter: { name, phone: '081234567890' },
      });
      return complaint;
    }

    test('template placeholders filled and use recorded', async () => {
      const template = await saveTemplate(ctx(officer.actor), {
        title: 'Pemangkasan pohon',
        bodyId: 'Yth. {{nama_pelapor}}, laporan {{kode_lacak}} diteruskan ke {{instansi}} dan dijawab paling lambat {{tenggat}}.',
        bodyEn: 'Dear {{reporter_name}}, report {{tracking_code}} goes to {{agency}} by {{deadline}}.',
        categoryCode: 'sampah-lingkungan',
      });
      const complaint = await question('anonymous');
      const deadline = await database.db.selectFrom('complaint_deadlines').select('due_date').where('complaint_id', '=', complaint.id)
        .where('clock', '=', 'verification').executeTakeFirstOrThrow();

      const filled = await fillTemplateForComplaint(database.db, officer.user, complaint.id, template.id, 'id');
      assert.equal(filled.text,
        `Yth. Bapak/Ibu, laporan ${complaint.tracking_code} diteruskan ke Dinas Lingkungan Hidup dan dijawab paling lambat ${formatLongDate(deadline.due_date!, 'id')}.`);
      assert.deepEqual(filled.missing, []);
      const english = await fillTemplateForComplaint(database.db, officer.user, complaint.id, template.id, 'en');
      assert.ok(english.text.startsWith('Dear Sir or Madam, report '), 'an anonymous report is never addressed by name');

      await respondWithTemplate(ctx(officer.actor), complaint.id, { action: 'answer', body: `${filled.text} Terima kasih.`, templateId: template.id });
      const event = await database.db.selectFrom('complaint_events').selectAll().where('complaint_id', '=', complaint.id)
        .where('type', '=', 'answered').executeTakeFirstOrThrow();
      assert.equal(event.data.templateId, template.id);
      assert.equal(event.visibility, 'public');
      const after = await database.db.selectFrom('complaints').select(['status', 'resolved_at']).where('id', '=', complaint.id).executeTakeFirstOrThrow();
      assert.equal(after.status, 'resolved');
      assert.ok(after.resolved_at);

      const [row] = (await listTemplates(database.db, officer.user, { q: 'pemangkasan' })).filter((entry) => entry.id === template.id);
      assert.equal(row.usageCount, 1);
    });

    test('name only on a public report, and the view is logged', async () => {
      const template = await saveTemplate(ctx(officer.actor), { title: 'Salam', bodyId: 'Yth. {{nama_pelapor}}, terima kasih.' });
      const hidden = await question('confidential', 'Siti Rahayu');
      const withheld = await fillTemplateForComplaint(database.db, officer.user, hidden.id, template.id, 'id');
      assert.equal(withheld.text.includes('Siti'), false);
      const complaint = await question('public', 'Bambang Sutrisno');
      const filled = await fillTemplateForComplaint(database.db, officer.user, complaint.id, template.id, 'id');
      assert.equal(filled.text, 'Yth. Bambang Sutrisno, terima kasih.');
      const views = await database.db.selectFrom('identity_views').select('user_id').where('complaint_id', '=', complaint.id).execute();
      assert.deepEqual(views.map((view) => view.user_id), [officer.user.id]);
    });

    test('unknown placeholder rejected', async () => {
      await assert.rejects(
        saveTemplate(ctx(officer.actor), { title: 'Salah', bodyId: 'Nomor Anda {{nomor_hp}} sudah kami catat.' }),
        rejectsWith('invalid', 'error.answers.placeholder_unknown'),
      );
    });

    test('agency officers keep their own templates', async () => {
      const own = await saveTemplate(ctx(dlh.actor), { title: 'Jadwal angkut sampah', bodyId: 'Sampah diangkut setiap Senin dan Kamis.', agencyCode: 'dpupr' });
      assert.equal(own.agency_id, dlh.user.agencyId, 'the agency is always their own');
      await assert.rejects(markTemplateReviewed(ctx(dpupr.actor), own.id), rejectsWith('forbidden'));
      const dpuprList = await listTemplates(database.db, dpupr.user, {});
      assert.ok(!dpuprList.some((row) => row.id === own.id), 'another agency does not see it');
      const general = dpuprList.find((row) => row.agencyId === null);
      assert.ok(general, 'general templates are offered to every agency');
      assert.equal(general.editable, false);

      // The owner reviews the template, so it cannot be an officer of another agency.
      await assert.rejects(
        saveTemplate(ctx(dlh.actor), { title: 'Jadwal angkut sampah pasar', bodyId: 'Sampah pasar diangkut setiap hari.', ownerUserId: dpupr.user.id }),
        rejectsWith('invalid', 'error.answers.owner_other_agency'),
      );
      await assert.rejects(
        saveTemplate(ctx(officer.actor), { title: 'Jam layanan umum', bodyId: 'Layanan buka Senin sampai Jumat.', ownerUserId: dpupr.user.id }),
        rejectsWith('invalid', 'error.answers.owner_other_agency'),
        'a general template needs an owner who can edit it',
      );
      const byOfficer = await saveTemplate(ctx(officer.actor), { title: 'Jadwal angkut DLH', bodyId: 'Sampah diangkut setiap Selasa.', agencyCode: 'dlh', ownerUserId: dlh.user.id });
      assert.equal(byOfficer.owner_user_id, dlh.user.id, 'an officer of the template\'s agency may own it');
    });

    test('stale after the review period', async () => {
      const old = await saveTemplate(ctx(officer.actor, new Date('2025-08-01T02:00:00Z')), { title: 'Lama sekali', bodyId: 'Teks jawaban lama.' });
      const fresh = await saveTemplate(ctx(officer.actor), { title: 'Baru saja', bodyId: 'Teks jawaban baru.' });
      const rows = await listTemplates(database.db, officer.user, {}, MONDAY);
      assert.equal(rows.find((row) => row.id === old.id)?.stale, true);
      assert.equal(rows.find((row) => row.id === fresh.id)?.stale, false);
      await saveAnswerSettings(ctx(officer.actor), { templateStaleDays: 365 });
      assert.equal((await listTemplates(database.db, officer.user, {}, MONDAY)).find((row) => row.id === old.id)?.stale, false);
      await saveAnswerSettings(ctx(officer.actor), { templateStaleDays: 180 });
      await markTemplateReviewed(ctx(officer.actor), old.id);
      assert.equal((await listTemplates(database.db, officer.user, {}, MONDAY)).find((row) => row.id === old.id)?.stale, false);
    });

    test('inactive template cannot be used', async () => {
      const template = await saveTemplate(ctx(officer.actor), { title: 'Ditarik', bodyId: 'Jawaban yang sudah ditarik.' });
      await setTemplateActive(ctx(officer.actor), template.id, false);
      const complaint = await question('anonymous');
      await assert.rejects(
        respondWithTemplate(ctx(officer.actor), complaint.id, { action: 'answer', body: 'Jawaban yang sudah ditarik.', templateId: template.id }),
        rejectsWith('not_found', 'error.template_unavailable'),
      );
      const suggested = await suggestTemplates(database.db, officer.user, complaint);
      assert.ok(!suggested.some((row) => row.id === template.id));
    });

    test('FAQ publishing needs the agency', async () => {
      await assert.rejects(
        saveFaqArticle(ctx(officer.actor), { question: 'Kapan sampah diangkut?', answer: 'Setiap Senin dan Kamis pagi.', status: 'published' }),
        rejectsWith('invalid', 'error.answers.faq_agency_required'),
      );
      const draft = await saveFaqArticle(ctx(officer.actor), { question: 'Kapan sampah diangkut?', answer: 'Setiap Senin dan Kamis pagi.', status: 'draft' });
      assert.equal(draft.published_at, null);
      await assert.rejects(recordSelfServiceAnswer(database.db, draft.id), rejectsWith('not_found'), 'a draft cannot be counted');
    });

    test('self-service answer counted, no case opened', async () => {
      const article = await saveFaqArticle(ctx(officer.actor), {
        question: 'Bagaimana cara mengurus keringanan PBB?', answer: 'Ajukan formulir keringanan ke Badan Keuangan Daerah dengan SPPT tahun berjalan.',
        agencyCode: 'bkd', status: 'published',
      });
      const complaintsBefore = await database.db.selectFrom('complaints').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      await recordSelfServiceAnswer(database.db, article.id, MONDAY);
      await recordSelfServiceAnswer(database.db, article.id, MONDAY);
      const rows = await database.db.selectFrom('faq_self_service_answers').selectAll().where('faq_id', '=', article.id).execute();
      assert.equal(rows.length, 2);
      assert.deepEqual(Object.keys(rows[0]).sort(), ['answered_at', 'faq_id', 'id'], 'article and time only');
      const complaintsAfter = await database.db.selectFrom('complaints').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      assert.equal(Number(complaintsAfter.n), Number(complaintsBefore.n));
      const [listed] = (await searchPublishedFaq(database.db, { q: 'keringanan pbb' })).filter((row) => row.id === article.id);
      assert.equal(listed.selfServiceCount, 2);
    });

    test('FAQ draft from a resolved question hides identity', async () => {
      const complaint = await question('anonymous', 'Sri Wahyuni');
      await assert.rejects(createFaqDraftFromComplaint(ctx(officer.actor), complaint.id), rejectsWith('invalid_transition'));
      await answerComplaint(ctx(officer.actor), complaint.id, {
        body: 'Ibu Sri Wahyuni, permohonan pemangkasan diajukan ke DLH. Kami hubungi di 081234567890 bila perlu.',
      });
      const draft = await createFaqDraftFromComplaint(ctx(officer.actor), complaint.id);
      assert.equal(draft.status, 'draft');
      assert.equal(draft.source_complaint_id, complaint.id);
      for (const text of [draft.question, draft.answer]) {
        assert.ok(!/sri|wahyuni/i.test(text), 'the reporter\'s name is removed');
        assert.ok(!text.includes('3456'), 'the phone number is masked');
      }
      assert.ok(draft.answer.includes('pemangkasan'), 'the answer itself stays');
      const agency = await database.db.selectFrom('agencies').select('id').where('code', '=', 'dlh').executeTakeFirstOrThrow();
      assert.equal(draft.agency_id, agency.id, 'the category\'s agency answers for it');
      const event = await database.db.selectFrom('complaint_events').select(['data', 'visibility']).where('complaint_id', '=', complaint.id)
        .where('type', '=', 'faq_drafted').executeTakeFirstOrThrow();
      assert.equal(event.data.faqId, draft.id);
      assert.equal(event.visibility, 'internal');
    });

    test('FAQ draft needs a question, not a complaint', async () => {
      const { complaint } = await receiveComplaint(ctx(citizen), { type: 'pengaduan', description: 'Lampu jalan di depan pasar mati seminggu.', channel: 'web' });
      await verifyComplaint(ctx(officer.actor), complaint.id, { type: 'pengaduan', categoryCode: 'penerangan-jalan', districtCode: '33.13.11' });
      await assert.rejects(createFaqDraftFromComplaint(ctx(officer.actor), complaint.id), rejectsWith('invalid_transition'));
    });

    test('FAQ matches real questions of its topic', async () => {
      const article = await saveFaqArticle(ctx(officer.actor), {
        question: 'Bagaimana cara mengajukan pemangkasan atau perantingan pohon yang membahayakan?',
        answer: 'Permohonan pemangkasan pohon di jalan umum diajukan ke Dinas Lingkungan Hidup. Sebutkan lokasi pohon, jenis bahaya (dahan menjuntai, kabel listrik) dan foto. Petugas meninjau lalu menjadwalkan perantingan.',
        agencyCode: 'dlh', status: 'published',
      });
      const rows = parse(fs.readFileSync(SURABAYA), { columns: true }) as SurabayaRow[];
      const own = rows.filter((row) => row.topik === 'Informasi Pemangkasan/Perantingan Pohon').slice(0, 60);
      const others = rows.filter((row) => !/pohon|pbb|pajak/i.test(row.topik)).slice(0, 150);
      assert.equal(own.length, 60);
      let hits = 0;
      for (const row of own) if ((await matchFaqIds(database.db, row.keluhan)).includes(article.id)) hits += 1;
      let falseHits = 0;
      for (const row of others) if ((await matchFaqIds(database.db, row.keluhan)).includes(article.id)) falseHits += 1;
      // Measured: about half of the own topic's reports and a few percent of others match.
      assert.ok(hits >= 24, `matched ${hits} of 60 reports on tree pruning`);
      assert.ok(falseHits <= 15, `matched ${falseHits} of 150 reports on other topics`);
    });
  });
}
