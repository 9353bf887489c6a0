/**
 * The public FAQ and the FAQ check before a question is filed, through
 * `app.request()` on PGlite, without JavaScript: plain GET and POST forms.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Hono } from 'hono';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { makeStaff, type TestStaff } from '../support/staff.ts';
import { loadConfig } from '../../src/config.ts';
import { createApp } from '../../src/web/app.ts';
import type { AppEnv } from '../../src/web/context.ts';
import { saveFaqArticle } from '../../src/commands/faq.ts';
import { addShift } from '../../src/commands/roster.ts';

const ORIGIN = 'http://localhost';
const QUESTION = 'Bagaimana cara mengajukan pemangkasan pohon besar di depan rumah yang dahannya menjuntai ke kabel listrik?';

describe('public FAQ', () => {
  let database: TestDatabase;
  let app: Hono<AppEnv>;
  let officer: TestStaff;
  let publishedId: number;
  let draftId: number;

  before(async () => {
    database = await createTestDatabase('pglite');
    app = createApp({ db: database.db, config: loadConfig({ DATA_DIR: 'memory://', PUBLIC_URL: ORIGIN, JOBS: 'off' }) });
    officer = await makeStaff(database.db, 'complaint_officer');
    const ctx = { db: database.db, actor: officer.actor };
    publishedId = (await saveFaqArticle(ctx, {
      question: 'Bagaimana cara mengajukan pemangkasan pohon yang membahayakan?',
      questionEn: 'How do I ask for a dangerous tree to be pruned?',
      answer: 'Ajukan permohonan pemangkasan pohon ke Dinas Lingkungan Hidup dengan lokasi dan foto pohon.',
      categoryCode: 'sampah-lingkungan', agencyCode: 'dlh', status: 'published',
    })).id;
    draftId = (await saveFaqArticle(ctx, {
      question: 'Kapan jadwal perantingan pohon tahun ini?', answer: 'Jadwal belum ditetapkan.', agencyCode: 'dlh', status: 'draft',
    })).id;
  });
  after(async () => database?.dispose());

  async function complaintCount(): Promise<number> {
    const row = await database.db.selectFrom('complaints').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async function selfServiceCount(): Promise<number> {
    const row = await database.db.selectFrom('faq_self_service_answers').select((eb) => eb.fn.countAll<number>().as('n')).where('faq_id', '=', publishedId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  function questionForm(extra: Record<string, string> = {}): FormData {
    const form = new FormData();
    form.set('type', 'permintaan_informasi');
    form.set('description', QUESTION);
    form.set('privacy', 'anonymous');
    for (const [name, value] of Object.entries(extra)) form.set(name, value);
    return form;
  }

  test('list groups published articles, search finds them', async () => {
    const list = await (await app.request('/faq')).text();
    assert.ok(list.includes(`href="/faq/${publishedId}"`));
    assert.ok(!list.includes(`href="/faq/${draftId}"`), 'a draft is not public');
    assert.ok(list.includes('Sampah dan lingkungan hidup'), 'grouped by category');
    assert.ok(list.includes('Dinas Lingkungan Hidup'), 'and by agency');

    const search = await (await app.request('/faq?q=pemangkasan+pohon')).text();
    assert.ok(search.includes(`href="/faq/${publishedId}"`));
    assert.ok(search.includes('1 jawaban ditemukan.'));
    const miss = await (await app.request('/faq?q=akta+kelahiran')).text();
    assert.ok(miss.includes('Belum ada jawaban yang cocok'));
  });

  test('article shows agency and last update', async () => {
    const response = await app.request(`/faq/${publishedId}`);
    assert.equal(response.status, 200);
    const html = await response.text();
    assert.ok(html.includes('Dinas Lingkungan Hidup'));
    assert.ok(html.includes('Terakhir diperbarui'));
    const english = await (await app.request(`/faq/${publishedId}?lang=en`)).text();
    assert.ok(english.includes('How do I ask for a dangerous tree to be pruned?'));
    assert.equal((await app.request(`/faq/${draftId}`)).status, 404);
  });

  test('suggestions while typing', async () => {
    const response = await app.request(`/faq/saran?q=${encodeURIComponent('pohon depan rumah mau dipangkas')}`);
    const body = await response.json() as { heading: string; articles: { id: number; url: string }[] };
    assert.equal(body.heading, 'Mungkin ini jawabannya');
    assert.deepEqual(body.articles.map((article) => article.id), [publishedId]);
    const none = await (await app.request('/faq/saran?q=lampu')).json() as { articles: unknown[] };
    assert.deepEqual(none.articles, []);
    const script = await app.request('/faq/saran.js');
    assert.match(script.headers.get('content-type') ?? '', /javascript/);
    const form = await (await app.request('/lapor')).text();
    assert.ok(form.includes('<script src="/faq/saran.js" defer=""></script>'));
  });

  test('self-service answer opens no case and is counted', async () => {
    const complaintsBefore = await complaintCount();
    const countedBefore = await selfServiceCount();
    const response = await app.request('/lapor', { method: 'POST', body: questionForm(), headers: { Origin: ORIGIN } });
    assert.equal(response.status, 200);
    const html = await response.text();
    assert.ok(html.includes('Mungkin ini jawabannya'));
    assert.ok(html.includes(`action="/faq/${publishedId}/terjawab"`));
    assert.ok(html.includes('Ya, ini menjawab pertanyaan saya'));
    assert.ok(html.includes('Tidak, kirim pertanyaan saya'));
    assert.equal(await complaintCount(), complaintsBefore, 'showing the matches files nothing');

    const yes = await app.request(`/faq/${publishedId}/terjawab`, { method: 'POST', headers: { Origin: ORIGIN } });
    assert.equal(yes.status, 303);
    assert.equal(yes.headers.get('location'), `/faq/${publishedId}?terjawab=1`);
    assert.equal(await complaintCount(), complaintsBefore, 'no case opened');
    assert.equal(await selfServiceCount(), countedBefore + 1, 'one self-service answer counted');
    const thanks = await (await app.request(`/faq/${publishedId}?terjawab=1`)).text();
    assert.ok(thanks.includes('Pertanyaan Anda tidak kami catat sebagai laporan'));
  });

  test('self-service post from another site is refused', async () => {
    const before = await selfServiceCount();
    const response = await app.request(`/faq/${publishedId}/terjawab`, { method: 'POST', headers: { Origin: 'https://jahat.example' } });
    assert.equal(response.status, 403);
    assert.equal(await selfServiceCount(), before);
  });

  test('"no" files the question', async () => {
    const complaintsBefore = await complaintCount();
    const response = await app.request('/lapor', { method: 'POST', body: questionForm({ faqChecked: '1' }), headers: { Origin: ORIGIN } });
    assert.equal(response.status, 303);
    assert.match(response.headers.get('location') ?? '', /^\/lapor\/terkirim\/ADU-/);
    assert.equal(await complaintCount(), complaintsBefore + 1);
    const filed = await database.db.selectFrom('complaints').select(['description', 'type']).orderBy('id', 'desc').executeTakeFirstOrThrow();
    assert.equal(filed.description, QUESTION, 'the text typed before the FAQ check is filed');
    assert.equal(filed.type, 'permintaan_informasi');
  });

  test('complaint or unmatched question filed at once', async () => {
    const complaint = new FormData();
    complaint.set('type', 'pengaduan');
    complaint.set('description', QUESTION);
    complaint.set('privacy', 'anonymous');
    assert.equal((await app.request('/lapor', { method: 'POST', body: complaint, headers: { Origin: ORIGIN } })).status, 303);
    const unmatched = questionForm({ description: 'Berapa biaya pembuatan akta kelahiran untuk anak kedua?' });
    assert.equal((await app.request('/lapor', { method: 'POST', body: unmatched, headers: { Origin: ORIGIN } })).status, 303);
  });

  test('confirmation page names the expected answer date', async () => {
    // A roster exists, but only on Sundays at 03:00, so a report now waits for the next shift.
    await addShift({ db: database.db, actor: officer.actor }, { userId: officer.user.id, weekday: 0, start: '03:00', end: '03:01', channels: [], onHolidays: true });
    const complaint = new FormData();
    complaint.set('type', 'pengaduan');
    complaint.set('description', 'Lampu penerangan jalan di perempatan pasar mati sejak Senin.');
    complaint.set('privacy', 'anonymous');
    const response = await app.request('/lapor', { method: 'POST', body: complaint, headers: { Origin: ORIGIN } });
    const location = response.headers.get('location') ?? '';
    const page = await (await app.request(location)).text();
    const code = location.split('/').pop()!;
    const row = await database.db.selectFrom('complaints as c').innerJoin('complaint_deadlines as d', 'd.complaint_id', 'c.id')
      .select('d.due_date').where('c.tracking_code', '=', code).where('d.clock', '=', 'verification').executeTakeFirstOrThrow();
    assert.ok(page.includes(`data-expected-by="${row.due_date}"`));
    assert.ok(page.includes('Anda dapat mengharapkan jawaban paling lambat'));
    assert.ok(page.includes('di luar jam piket'), 'the report waits for the next shift');
    const events = await database.db.selectFrom('complaint_events as e').innerJoin('complaints as c', 'c.id', 'e.complaint_id')
      .select(['e.type', 'e.visibility']).where('c.tracking_code', '=', code).execute();
    assert.deepEqual(events.map((event) => `${event.type}:${event.visibility}`), ['received:public', 'acknowledged:public']);
  });
});
