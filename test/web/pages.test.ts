/**
 * The server-rendered pages through `app.request()` on PGlite: the citizen's
 * form and tracking page, privacy of public pages, the back office's CSRF
 * check, sign-in lockout, agency isolation and the admin pages.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Hono } from 'hono';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { makeStaff, type TestStaff } from '../support/staff.ts';
import { loadConfig } from '../../src/config.ts';
import { createApp } from '../../src/web/app.ts';
import { recomputeSettings, unfinishedRecomputeRuns } from '../../src/commands/recompute-deadlines.ts';
import type { AppEnv } from '../../src/web/context.ts';
import { receiveComplaint } from '../../src/commands/receive-complaint.ts';
import { verifyComplaint } from '../../src/commands/verify-complaint.ts';
import { dispatchComplaint } from '../../src/commands/dispatch-complaint.ts';
import { answerComplaint } from '../../src/commands/resolve-complaint.ts';
import { archiveComplaint } from '../../src/commands/close-complaint.ts';
import { TRACKING_CODE_RE } from '../../src/domain/tracking-code.ts';
import { MAX_FAILED_LOGINS } from '../../src/commands/users.ts';

const ORIGIN = 'http://localhost';
const STAFF_PASSWORD = 'kata-sandi-uji-123';

// Made-up reporter details; none of them may appear on a public page.
const REPORTER = { name: 'Warga Uji Coba', phone: '081200000000', email: 'warga@contoh.id' };
const PERSONAL_STRINGS = [REPORTER.name, REPORTER.phone, '+6281200000000', '81200000000', REPORTER.email];

function segment(marker: number, payload: Buffer): Buffer {
  const header = Buffer.from([0xff, marker, 0, 0]);
  header.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([header, payload]);
}

/** Encodes a big-endian TIFF IFD entry: tag, type, count, and value or offset. */
function ifdEntry(tag: number, type: number, count: number, value: Buffer): Buffer {
  const entry = Buffer.alloc(12);
  entry.writeUInt16BE(tag, 0);
  entry.writeUInt16BE(type, 2);
  entry.writeUInt32BE(count, 4);
  value.copy(entry, 8, 0, Math.min(4, value.length));
  return entry;
}

function uint32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value);
  return buffer;
}

/** Three RATIONALs (degrees, minutes, seconds), as EXIF stores a GPS coordinate. */
function rationals(values: [number, number][]): Buffer {
  return Buffer.concat(values.map(([numerator, denominator]) => Buffer.concat([uint32(numerator), uint32(denominator)])));
}

/**
 * Builds a JPEG whose APP1 segment is a real EXIF block: IFD0 points to a GPS
 * IFD with latitude 7°35'S and longitude 110°57'E (Karanganyar), as a phone
 * camera writes it.
 */
function jpegWithGps(): Buffer {
  const ASCII = 2;
  const LONG = 4;
  const RATIONAL = 5;
  // Offsets count from the start of the TIFF header.
  const ifd0Offset = 8;
  const ifd0Size = 2 + 12 + 4;
  const gpsOffset = ifd0Offset + ifd0Size;
  const gpsSize = 2 + 4 * 12 + 4;
  const latitudeOffset = gpsOffset + gpsSize;
  const longitudeOffset = latitudeOffset + 24;

  const tiffHeader = Buffer.from([0x4d, 0x4d, 0x00, 0x2a, 0, 0, 0, ifd0Offset]);
  const ifd0 = Buffer.concat([Buffer.from([0, 1]), ifdEntry(0x8825, LONG, 1, uint32(gpsOffset)), uint32(0)]);
  const gps = Buffer.concat([
    Buffer.from([0, 4]),
    ifdEntry(0x0001, ASCII, 2, Buffer.from('S\0')),
    ifdEntry(0x0002, RATIONAL, 3, uint32(latitudeOffset)),
    ifdEntry(0x0003, ASCII, 2, Buffer.from('E\0')),
    ifdEntry(0x0004, RATIONAL, 3, uint32(longitudeOffset)),
    uint32(0),
  ]);
  const latitude = rationals([[7, 1], [35, 1], [2400, 100]]);
  const longitude = rationals([[110, 1], [57, 1], [1800, 100]]);
  const exif = Buffer.concat([Buffer.from('Exif\0\0', 'binary'), tiffHeader, ifd0, gps, latitude, longitude]);

  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    segment(0xe0, Buffer.from('JFIF\0\x01\x01\0\0\x01\0\x01\0\0', 'binary')),
    segment(0xe1, exif),
    segment(0xdb, Buffer.alloc(65, 1)),
    segment(0xc0, Buffer.from([8, 0, 1, 0, 1, 1, 1, 0x11, 0])),
    segment(0xda, Buffer.from([1, 1, 0, 0, 0x3f, 0])),
    Buffer.from([0x12, 0x34, 0xff, 0x00, 0x56, 0xff, 0xd9]),
  ]);
}

function reportForm(overrides: Record<string, string> = {}, files: { name: string; bytes: Buffer; type: string }[] = []): FormData {
  const form = new FormData();
  const fields: Record<string, string> = {
    type: 'pengaduan',
    description: `Jalan di depan balai desa berlubang besar sejak dua minggu. Hubungi saya di ${REPORTER.phone} atau ${REPORTER.email}.`,
    name: REPORTER.name,
    phone: REPORTER.phone,
    email: REPORTER.email,
    privacy: 'anonymous',
    districtCode: '33.13.09',
    villageCode: '',
    categoryCode: '',
    ...overrides,
  };
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  for (const file of files) form.append('attachments', new Blob([new Uint8Array(file.bytes)], { type: file.type }), file.name);
  if (files.length === 0) form.append('attachments', new Blob([]), '');
  return form;
}

function assertNoPersonalData(body: string, page: string): void {
  for (const value of PERSONAL_STRINGS) {
    assert.equal(body.includes(value), false, `${page} must not contain reporter data "${value}"`);
  }
}

/** Returns the visible text of the error message next to a field (`<p class="error-message" id="{id}-error">`). */
function fieldError(html: string, id: string): string | undefined {
  const match = new RegExp(`<p class="error-message" id="${id}-error">(.*?)</p>`, 's').exec(html);
  // The visually hidden "Kesalahan:" prefix is for screen readers; the check reads the visible message.
  return match?.[1].replace(/<span class="visually-hidden">.*?<\/span>/g, '').replace(/<[^>]+>/g, '').trim();
}

function csrfTokenOf(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  assert.ok(match, 'page has a CSRF field');
  return match[1];
}

describe('server-rendered pages', () => {
  let database: TestDatabase;
  let app: Hono<AppEnv>;
  let officer: TestStaff;
  let dpupr: TestStaff;
  let dlh: TestStaff;
  let admin: TestStaff;

  before(async () => {
    database = await createTestDatabase('pglite');
    app = createApp({ db: database.db, config: loadConfig({ DATA_DIR: 'memory://', PUBLIC_URL: ORIGIN, JOBS: 'off' }) });
    officer = await makeStaff(database.db, 'complaint_officer');
    dpupr = await makeStaff(database.db, 'agency_officer', 'dpupr');
    dlh = await makeStaff(database.db, 'agency_officer', 'dlh');
    admin = await makeStaff(database.db, 'admin');
  });
  after(async () => database?.dispose());

  async function postReport(form: FormData) {
    return app.request('/lapor', { method: 'POST', body: form, headers: { Origin: ORIGIN } });
  }

  /** Signs in through the form and returns the Cookie header value of the session. */
  async function signIn(email: string, password = STAFF_PASSWORD): Promise<string> {
    const response = await app.request('/staff/login', {
      method: 'POST',
      body: new URLSearchParams({ email, password, next: '/staff' }),
      headers: { Origin: ORIGIN, 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(response.status, 303, `sign-in of ${email} redirects`);
    const cookie = response.headers.get('set-cookie') ?? '';
    const match = /aduan_session=([^;]+)/.exec(cookie);
    assert.ok(match, 'sign-in sets the session cookie');
    return `aduan_session=${match[1]}`;
  }

  async function staffGet(cookie: string, path: string) {
    const response = await app.request(path, { headers: { Cookie: cookie } });
    return { status: response.status, html: await response.text(), response };
  }

  async function staffPost(cookie: string, path: string, fields: Record<string, string>) {
    return app.request(path, {
      method: 'POST',
      body: new URLSearchParams(fields),
      headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
    });
  }

  /** Creates a complaint and sends it to an agency through the commands. */
  async function dispatchedComplaint(agencyCode: string, description: string) {
    const { complaint } = await receiveComplaint({ db: database.db, actor: { kind: 'citizen' } }, { type: 'pengaduan', description, channel: 'web' });
    await verifyComplaint({ db: database.db, actor: officer.actor }, complaint.id, {
      type: 'pengaduan', categoryCode: 'sampah-lingkungan', districtCode: '33.13.09', agencyCode,
    });
    await dispatchComplaint({ db: database.db, actor: officer.actor }, complaint.id, { agencyCode });
    return complaint;
  }

  test('citizen files and tracks a report', async () => {
    const photo = jpegWithGps();
    assert.ok(photo.includes(Buffer.from('Exif\0\0', 'binary')), 'the test photo carries EXIF');

    const response = await postReport(reportForm({}, [{ name: 'lubang.jpg', bytes: photo, type: 'image/jpeg' }]));
    assert.equal(response.status, 303);
    const location = response.headers.get('location') ?? '';
    assert.match(location, /^\/lapor\/terkirim\/ADU-/);
    const code = location.split('/').pop()!;
    assert.match(code, TRACKING_CODE_RE);

    const sent = await app.request(location);
    const sentHtml = await sent.text();
    assert.equal(sent.status, 200);
    assert.ok(sentHtml.startsWith('<!DOCTYPE html>'), 'pages start with a doctype');
    assert.ok(sentHtml.includes(code), 'the confirmation shows the tracking code');
    assert.ok(sentHtml.includes(`href="/lacak/${code}"`), 'the confirmation links to the tracking page');

    const complaint = await database.db.selectFrom('complaints').selectAll().where('tracking_code', '=', code).executeTakeFirstOrThrow();
    assert.equal(complaint.channel, 'web');
    assert.equal(complaint.district_code, '33.13.09');
    const attachments = await database.db.selectFrom('attachments').selectAll().where('complaint_id', '=', complaint.id).execute();
    assert.equal(attachments.length, 1);
    assert.equal(attachments[0].mime_type, 'image/jpeg');
    assert.equal(attachments[0].file_name, 'lubang.jpg');
    const stored = attachments[0].content;
    assert.equal(stored.includes(Buffer.from('Exif', 'binary')), false, 'EXIF block removed');
    assert.equal(stored.includes(Buffer.from([0xff, 0xe1])), false, 'no APP1 segment left');
    assert.ok(stored.length < photo.length, 'the stored photo is smaller than the upload');

    // A code typed in lower case with spaces finds the report.
    const lookup = await app.request(`/lacak?kode=${encodeURIComponent(code.toLowerCase().replace(/-/g, ' '))}`);
    assert.equal(lookup.status, 303);
    assert.equal(lookup.headers.get('location'), `/lacak/${code}`);
    const tracking = await app.request(`/lacak/${code}`);
    const trackingHtml = await tracking.text();
    assert.equal(tracking.status, 200);
    assert.ok(trackingHtml.includes('Laporan diterima'), 'the timeline shows the received event in Indonesian');
    assert.ok(trackingHtml.includes('Baru'), 'the status is shown');
    assert.ok(trackingHtml.includes('>Karanganyar</dd>'), 'the kecamatan is shown');
    assert.ok(trackingHtml.includes(`action="/lacak/${code}/balas"`), 'an open report offers the reply form');
    assert.equal(trackingHtml.includes(`action="/lacak/${code}/nilai"`), false, 'no rating form before an answer');
  });

  test('validation errors beside their fields', async () => {
    const response = await postReport(reportForm({ type: '', description: 'pendek', phone: '12', email: 'bukan-email' }));
    assert.equal(response.status, 400);
    const html = await response.text();
    assert.ok(html.includes('Ada yang perlu diperbaiki'), 'error summary at the top');
    assert.equal(fieldError(html, 'type'), 'Pilih jenis laporan.');
    assert.match(fieldError(html, 'description') ?? '', /^Isi laporan minimal 10 karakter/);
    assert.equal(fieldError(html, 'phone'), 'Nomor telepon tidak valid. Contoh: 0812 3456 7890.');
    assert.equal(fieldError(html, 'email'), 'Alamat e-mail tidak valid. Contoh: nama@contoh.id.');
    assert.ok(html.includes('<a href="#type">Pilih jenis laporan.</a>'), 'the summary links to the field');
    // Typed values are kept.
    assert.ok(html.includes('>pendek</textarea>'), 'description kept');
    assert.ok(html.includes('value="bukan-email"'), 'e-mail kept');
    assert.ok(html.includes('<option value="33.13.09" selected="">'), 'kecamatan kept');
  });

  test('over-long name refused beside its field', async () => {
    const before = await database.db.selectFrom('complaints').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    const response = await postReport(reportForm({ name: 'Warga '.repeat(40) }));
    assert.equal(response.status, 400);
    assert.equal(fieldError(await response.text(), 'name'), 'Isi maksimal 200 karakter.');
    const after = await database.db.selectFrom('complaints').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    assert.equal(after.n, before.n, 'nothing was stored');
  });

  test('description counted in characters', async () => {
    const emoji = '\u{1F6A7}';
    const accepted = await postReport(reportForm({ description: `Jalan rusak ${emoji.repeat(3000)}` }));
    assert.equal(accepted.status, 303, '3,012 characters are within 5,000 although they are 6,012 UTF-16 units');
    const tooLong = await postReport(reportForm({ description: `Jalan rusak ${emoji.repeat(4990)}` }));
    assert.equal(tooLong.status, 400);
    assert.equal(fieldError(await tooLong.text(), 'description'), 'Isi maksimal 5000 karakter.');
    const invisible = await postReport(reportForm({ description: `ok${'\u200B'.repeat(20)}` }));
    assert.equal(invisible.status, 400);
    assert.match(fieldError(await invisible.text(), 'description') ?? '', /^Isi laporan minimal 10 karakter/, 'zero-width characters do not count');
  });

  test('rejected replies keep their text', async () => {
    const post = (path: string, fields: Record<string, string>) => app.request(path, {
      method: 'POST', body: new URLSearchParams(fields), headers: { Origin: ORIGIN, 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    const { complaint } = await receiveComplaint({ db: database.db, actor: { kind: 'citizen' } }, {
      type: 'permintaan_informasi', description: 'Kapan jadwal posyandu balita di desa Bolong bulan ini?', channel: 'web',
    });
    await answerComplaint({ db: database.db, actor: officer.actor }, complaint.id, { body: 'Posyandu balita setiap Selasa kedua di balai desa.' });
    const code = complaint.tracking_code;
    const ratings = () => database.db.selectFrom('complaint_events').select('body').where('complaint_id', '=', complaint.id).where('type', '=', 'rated').execute();

    // A comment over 2,000 characters is rejected beside its field, not cut.
    const long = `Terima kasih, ${'jawabannya jelas sekali. '.repeat(90)}`;
    const tooLong = await post(`/lacak/${code}/nilai`, { rating: '4', comment: long });
    assert.equal(tooLong.status, 400);
    const tooLongHtml = await tooLong.text();
    assert.equal(fieldError(tooLongHtml, 'comment'), 'Isi maksimal 2000 karakter.');
    assert.ok(tooLongHtml.includes(long.trim().slice(0, 200)), 'the comment comes back');
    assert.equal((await ratings()).length, 0, 'nothing was stored');

    // A second rating moves its comment into the reply form.
    assert.equal((await post(`/lacak/${code}/nilai`, { rating: '5', comment: 'Sangat membantu.' })).status, 303);
    const second = await post(`/lacak/${code}/nilai`, { rating: '2', comment: 'Ternyata jadwalnya berubah, mohon dicek lagi.' });
    assert.equal(second.status, 400);
    const secondHtml = await second.text();
    assert.match(secondHtml, /<textarea[^>]*name="body"[^>]*>Ternyata jadwalnya berubah, mohon dicek lagi.<\/textarea>/, 'the comment waits in the reply form');
    assert.deepEqual((await ratings()).map((row) => row.body), ['Sangat membantu.']);

    // A reply to an archived report is shown back to copy.
    const { complaint: other } = await receiveComplaint({ db: database.db, actor: { kind: 'citizen' } }, {
      type: 'pengaduan', description: 'Promo pulsa murah, klik tautan ini sekarang.', channel: 'web',
    });
    await archiveComplaint({ db: database.db, actor: officer.actor }, other.id, { reason: 'spam' });
    const reply = await post(`/lacak/${other.tracking_code}/balas`, { body: 'Maaf, ini bukan spam, saya mau lapor jalan rusak di Bolong.' });
    assert.equal(reply.status, 400);
    const replyHtml = await reply.text();
    assert.ok(replyHtml.includes('Pesan Anda belum terkirim'));
    assert.match(replyHtml, />Maaf, ini bukan spam, saya mau lapor jalan rusak di Bolong.<\/textarea>/, 'the text is there to copy');
    assert.ok(replyHtml.includes('href="/lapor"'), 'with a way to file it anew');
  });

  test('desa outside the kecamatan rejected', async () => {
    // Ngepungsari lies in Jatipuro, not in Karanganyar.
    const response = await postReport(reportForm({ districtCode: '33.13.09', villageCode: '33.13.01.2001' }));
    assert.equal(response.status, 400);
    const html = await response.text();
    assert.equal(fieldError(html, 'villageCode'), 'Desa/kelurahan itu tidak berada di kecamatan yang dipilih.');
  });

  test('unsupported attachment rejected', async () => {
    const response = await postReport(reportForm({}, [{ name: 'virus.exe', bytes: Buffer.from('MZ not a photo'), type: 'image/jpeg' }]));
    assert.equal(response.status, 400);
    const html = await response.text();
    assert.equal(fieldError(html, 'attachments'), 'Jenis berkas virus.exe tidak didukung. Unggah foto JPEG, PNG, WebP atau dokumen PDF.');
    assert.ok(html.includes('Pilih ulang berkas Anda'), 'the citizen is asked to choose the files again');

    const empty = await postReport(reportForm({}, [{ name: 'foto.jpg', bytes: Buffer.alloc(0), type: 'image/jpeg' }]));
    assert.equal(empty.status, 400);
    assert.equal(fieldError(await empty.text(), 'attachments'), 'Berkas foto.jpg kosong (0 bait). Pilih berkas yang berisi foto atau dokumen.');
  });

  test('oversized upload gets a 413 page', async () => {
    const files = Array.from({ length: 6 }, (_, index) => ({ name: `foto-${index}.jpg`, bytes: Buffer.alloc(5 * 1024 * 1024, index), type: 'image/jpeg' }));
    const response = await postReport(reportForm({}, files));
    assert.equal(response.status, 413);
    const html = await response.text();
    assert.ok(html.includes('Berkas terlalu besar'), 'the page names the problem');
    assert.ok(html.includes('paling banyak 5 berkas'), 'the page states the limit');
  });

  test('public pages hide reporter identity', async () => {
    const response = await postReport(reportForm({ privacy: 'public' }));
    assert.equal(response.status, 303);
    const location = response.headers.get('location')!;
    const code = location.split('/').pop()!;
    const complaint = await database.db.selectFrom('complaints').selectAll().where('tracking_code', '=', code).executeTakeFirstOrThrow();
    assert.notEqual(complaint.reporter_id, null, 'the identity was stored');

    // Move it along so the tracking page shows officers' follow-ups.
    await verifyComplaint({ db: database.db, actor: officer.actor }, complaint.id, { type: 'pengaduan', categoryCode: 'jalan-jembatan', districtCode: '33.13.09' });
    await dispatchComplaint({ db: database.db, actor: officer.actor }, complaint.id, { agencyCode: 'dpupr' });
    const dpuprCookie = await signIn(dpupr.email);
    const page = await staffGet(dpuprCookie, `/staff/complaints/${complaint.id}`);
    const followUp = await staffPost(dpuprCookie, `/staff/complaints/${complaint.id}/follow-up`, {
      _csrf: csrfTokenOf(page.html), body: `Akan kami hubungi di ${REPORTER.phone} untuk survei lokasi.`, visibility: 'public',
    });
    assert.equal(followUp.status, 303);

    const pages: [string, Response][] = [
      ['redirect after the form', response],
      ['home', await app.request('/')],
      ['confirmation', await app.request(location)],
      ['tracking page', await app.request(`/lacak/${code}`)],
      ['tracking page in English', await app.request(`/lacak/${code}?lang=en`)],
      ['tracking form', await app.request(`/lacak?kode=${code}`)],
    ];
    for (const [name, pageResponse] of pages) assertNoPersonalData(await pageResponse.text(), name);
    for (const path of [`/lacak/${code}`, location]) {
      assert.equal((await app.request(path)).headers.get('x-robots-tag'), 'noindex, nofollow', `${path} is kept out of search engines`);
    }
    const robots = await app.request('/robots.txt');
    assert.equal(robots.status, 200);
    assert.match(await robots.text(), /^Disallow: \/staff\/$/m);
    const tracking = await (await app.request(`/lacak/${code}`)).text();
    assert.ok(tracking.includes('Akan kami hubungi di [nomor telepon disamarkan]'), 'the follow-up is shown, with the number masked');
    const english = await (await app.request(`/lacak/${code}?lang=en`)).text();
    assert.ok(english.includes('Akan kami hubungi di [phone number hidden]'), 'an English page writes the mask in English');
    assert.equal(english.includes('disamarkan'), false, 'no Indonesian mask is left on the English page');
  });

  test('identity on request is logged', async () => {
    const shared = await postReport(reportForm({ privacy: 'public', description: 'Trotoar di depan sekolah rusak dan membahayakan anak-anak.' }));
    const anonymous = await postReport(reportForm({ privacy: 'anonymous', description: 'Trotoar di depan pasar rusak dan membahayakan pejalan kaki.' }));
    const ids: number[] = [];
    for (const response of [shared, anonymous]) {
      const code = (response.headers.get('location') ?? '').split('/').pop()!;
      const row = await database.db.selectFrom('complaints').select('id').where('tracking_code', '=', code).executeTakeFirstOrThrow();
      await verifyComplaint({ db: database.db, actor: officer.actor }, row.id, { type: 'pengaduan', categoryCode: 'jalan-jembatan', districtCode: '33.13.09' });
      await dispatchComplaint({ db: database.db, actor: officer.actor }, row.id, { agencyCode: 'dpupr' });
      ids.push(row.id);
    }
    const [sharedId, anonymousId] = ids;
    const cookie = await signIn(dpupr.email);
    const views = () => database.db.selectFrom('identity_views').select('id').where('user_id', '=', dpupr.user.id).execute();

    const page = await staffGet(cookie, `/staff/complaints/${sharedId}`);
    assert.ok(page.html.includes('Tampilkan identitas pelapor'), 'the agency may ask to see the identity');
    assert.equal(page.html.includes(REPORTER.name), false, 'the name is hidden until asked');
    assert.equal((await views()).length, 0);
    const revealed = await staffPost(cookie, `/staff/complaints/${sharedId}/identity`, { _csrf: csrfTokenOf(page.html) });
    assert.equal(revealed.status, 200);
    const revealedHtml = await revealed.text();
    assert.ok(revealedHtml.includes(REPORTER.name), 'the name is shown after asking');
    assert.ok(revealedHtml.includes('+6281200000000'), 'the phone is shown after asking');
    assert.equal((await views()).length, 1, 'the view is logged');

    const anonymousPage = await staffGet(cookie, `/staff/complaints/${anonymousId}`);
    assert.equal(anonymousPage.html.includes('Tampilkan identitas pelapor'), false);
    assert.ok(anonymousPage.html.includes('Identitas pelapor tidak ditampilkan untuk peran Anda.'));
    const refused = await staffPost(cookie, `/staff/complaints/${anonymousId}/identity`, { _csrf: csrfTokenOf(anonymousPage.html) });
    assert.equal(refused.status, 403);
    assert.equal((await refused.text()).includes(REPORTER.name), false);
    assert.equal((await views()).length, 1, 'a refused request logs nothing');
  });

  test('language switch sets the cookie', async () => {
    const response = await app.request('/lapor?lang=en');
    const html = await response.text();
    assert.match(response.headers.get('set-cookie') ?? '', /lang=en/);
    assert.ok(html.includes('<html lang="en"'), 'the document language is English');
    assert.ok(html.includes('File a report'), 'the heading is English');
    assert.ok(html.includes('href="/lapor?lang=id"'), 'the switch links back to Indonesian');
    const next = await (await app.request('/lacak', { headers: { Cookie: 'lang=en' } })).text();
    assert.ok(next.includes('Enter your tracking code'), 'the cookie keeps English');
  });

  test('pages show no raw message keys', async () => {
    const KEY_RE = /[>"](?:ui|nav|home|report|track|staff|login|inbox|case|new|admin|role|complexity|archive_reason|contact|agency_kind|holiday_kind|page_error|error|status|type|privacy|channel|clock_status|clock|event)\.[a-z_]+(?:[.-][a-z_]+)*[<"]/;
    const filed = await postReport(reportForm());
    const code = (filed.headers.get('location') ?? '').split('/').pop()!;
    const complaint = await database.db.selectFrom('complaints').select('id').where('tracking_code', '=', code).executeTakeFirstOrThrow();
    const cookie = await signIn(admin.email);
    const category = await database.db.selectFrom('categories').select('id').limit(1).executeTakeFirstOrThrow();
    const publicPaths = ['/', '/lapor', '/lacak', `/lacak/${code}`, `/lapor/terkirim/${code}`, '/staff/login'];
    const staffPaths = [
      '/staff', `/staff/complaints/${complaint.id}`, '/staff/new', '/staff/admin', '/staff/admin/users', '/staff/admin/agencies',
      '/staff/admin/categories', `/staff/admin/categories/${category.id}`, '/staff/admin/categories/new', '/staff/admin/holidays?year=2026',
    ];
    for (const lang of ['id', 'en']) {
      for (const path of [...publicPaths, ...staffPaths]) {
        const separator = path.includes('?') ? '&' : '?';
        const { status, html } = await staffGet(cookie, `${path}${separator}lang=${lang}`);
        assert.ok(status === 200 || status === 303, `${path} answers (${status})`);
        assert.equal(KEY_RE.exec(html)?.[0], undefined, `${path} in ${lang} shows a raw message key`);
      }
    }
  });

  test('overtaken action keeps its text', async () => {
    const { complaint } = await receiveComplaint({ db: database.db, actor: { kind: 'citizen' } }, {
      type: 'permintaan_informasi', description: 'Apakah pembuatan KTP elektronik di kecamatan dipungut biaya?', channel: 'web',
    });
    const cookie = await signIn(officer.email);
    // Two tabs open the same case, and the first one sends its answer.
    const first = await staffGet(cookie, `/staff/complaints/${complaint.id}`);
    const second = await staffGet(cookie, `/staff/complaints/${complaint.id}`);
    const answered = await staffPost(cookie, `/staff/complaints/${complaint.id}/answer`, { _csrf: csrfTokenOf(first.html), body: 'Tidak dipungut biaya sama sekali.' });
    assert.equal(answered.status, 303);
    const late = 'Pembuatan KTP elektronik gratis; bawa fotokopi KK ke kantor kecamatan.';
    const rejected = await staffPost(cookie, `/staff/complaints/${complaint.id}/answer`, { _csrf: csrfTokenOf(second.html), body: late });
    assert.equal(rejected.status, 409);
    const html = await rejected.text();
    assert.ok(html.includes('Tindakan Anda tidak dijalankan'), 'the officer is told the action was not applied');
    assert.ok(html.includes('pada laporan berstatus Selesai'), 'the status reads as its label, not its code');
    assert.ok(html.includes(`>${late}</textarea>`), 'the typed answer is there to copy');
  });

  test('stale case form is rejected', async () => {
    const { complaint } = await receiveComplaint({ db: database.db, actor: { kind: 'citizen' } }, {
      type: 'pengaduan', description: 'Lampu penerangan jalan di simpang empat mati total.', channel: 'web',
    });
    const cookie = await signIn(officer.email);
    const page = await staffGet(cookie, `/staff/complaints/${complaint.id}`);
    assert.match(page.html, /name="_seenStatus" value="new"/, 'the forms carry the state they were shown in');
    // Another officer verifies and dispatches to DISHUB meanwhile.
    await verifyComplaint({ db: database.db, actor: officer.actor }, complaint.id, { type: 'pengaduan', categoryCode: 'penerangan-jalan', districtCode: '33.13.09', agencyCode: 'dishub' });
    await dispatchComplaint({ db: database.db, actor: officer.actor }, complaint.id, { agencyCode: 'dishub' });
    const stale = await staffPost(cookie, `/staff/complaints/${complaint.id}/dispatch`, {
      _csrf: csrfTokenOf(page.html), _seenStatus: 'new', _seenAgency: '', agencyCode: 'dpupr', note: 'Mohon dicek jaringan kabelnya.',
    });
    assert.equal(stale.status, 409);
    const html = await stale.text();
    assert.ok(html.includes('sudah diubah oleh petugas lain'), 'the officer is told why');
    assert.ok(html.includes('Mohon dicek jaringan kabelnya.'), 'the typed note comes back');
    const agency = await database.db.selectFrom('complaints').innerJoin('agencies', 'agencies.id', 'complaints.agency_id')
      .select('agencies.code').where('complaints.id', '=', complaint.id).executeTakeFirstOrThrow();
    assert.equal(agency.code, 'dishub', 'the stale form changed nothing');
  });

  test('lost case keeps the answer', async () => {
    const complaint = await dispatchedComplaint('dlh', 'Sampah di pinggir sungai belum diangkut seminggu.');
    const cookie = await signIn(dlh.email);
    const page = await staffGet(cookie, `/staff/complaints/${complaint.id}`);
    // The complaint officer sends it to another agency while the DLH officer types.
    await dispatchComplaint({ db: database.db, actor: officer.actor }, complaint.id, { agencyCode: 'dpupr' });
    const answer = 'Sampah sudah kami angkut pagi ini bersama warga.';
    const lost = await staffPost(cookie, `/staff/complaints/${complaint.id}/resolve`, { _csrf: csrfTokenOf(page.html), body: answer });
    assert.equal(lost.status, 404);
    const html = await lost.text();
    assert.ok(html.includes(`>${answer}</textarea>`), 'the answer is there to copy');
    assert.equal(html.includes('Sampah di pinggir sungai'), false, 'nothing of the case itself is shown');

    // The same with the state fields of the page's form, which the stale check reads first.
    const stale = await staffPost(cookie, `/staff/complaints/${complaint.id}/resolve`, {
      _csrf: csrfTokenOf(page.html), _seenStatus: 'dispatched', _seenAgency: 'dlh', body: answer,
    });
    assert.equal(stale.status, 404);
    assert.ok((await stale.text()).includes(`>${answer}</textarea>`), 'the answer is there to copy');
  });

  test('cross-origin public post rejected', async () => {
    const response = await app.request('/lapor', { method: 'POST', body: reportForm(), headers: { Origin: 'http://evil.example' } });
    assert.equal(response.status, 403);
    const html = await response.text();
    assert.ok(html.includes('Formulir ditolak'), 'the citizen gets a page that explains the rejection');
    assert.ok(html.includes('href="/lapor"'), 'the page links back to the form');
    const reply = await app.request('/lacak/ADU-0000-0000-00/balas', {
      method: 'POST', body: new URLSearchParams({ body: 'balasan' }), headers: { Origin: 'http://evil.example', 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(reply.status, 403);
    assert.ok((await reply.text()).includes('href="/lacak/ADU-0000-0000-00"'), 'the link leads to the tracking page, not to the POST address');
  });

  test('staff post without CSRF rejected', async () => {
    const complaint = await dispatchedComplaint('dpupr', 'Saluran air di gang mampet dan meluap setiap hujan deras.');
    const cookie = await signIn(dpupr.email);

    const withoutToken = await staffPost(cookie, `/staff/complaints/${complaint.id}/note`, { body: 'Catatan tanpa token.' });
    assert.equal(withoutToken.status, 403);
    assert.ok((await withoutToken.text()).includes('Formulir kedaluwarsa. Muat ulang halaman lalu kirim lagi.'));
    const wrongToken = await staffPost(cookie, `/staff/complaints/${complaint.id}/note`, { _csrf: 'salah', body: 'Catatan dengan token salah.' });
    assert.equal(wrongToken.status, 403);
    const notes = await database.db.selectFrom('complaint_events').select('id').where('complaint_id', '=', complaint.id).where('type', '=', 'note').execute();
    assert.equal(notes.length, 0, 'no note was written');

    const page = await staffGet(cookie, `/staff/complaints/${complaint.id}`);
    const accepted = await staffPost(cookie, `/staff/complaints/${complaint.id}/note`, { _csrf: csrfTokenOf(page.html), body: 'Catatan dengan token.' });
    assert.equal(accepted.status, 303);
    assert.equal(accepted.headers.get('location'), `/staff/complaints/${complaint.id}?done=note`);
    const after = await staffGet(cookie, accepted.headers.get('location')!);
    assert.ok(after.html.includes('Catatan tersimpan.'), 'success banner after the redirect');
    assert.ok(after.html.includes('Catatan dengan token.'), 'the note is in the timeline');
  });

  test('command error beside its field', async () => {
    const complaint = await dispatchedComplaint('dpupr', 'Lampu jalan di perempatan mati sejak pekan lalu, gelap sekali.');
    const cookie = await signIn(dpupr.email);
    const page = await staffGet(cookie, `/staff/complaints/${complaint.id}`);
    const response = await staffPost(cookie, `/staff/complaints/${complaint.id}/resolve`, { _csrf: csrfTokenOf(page.html), body: 'ok' });
    assert.equal(response.status, 400);
    const html = await response.text();
    assert.equal(fieldError(html, 'resolve-body'), 'Isi minimal 5 karakter.');
    assert.ok(html.includes('<details class="action" open="" id="action-resolve">'), 'the failed form stays open');
  });

  test('unavailable template keeps the answer', async () => {
    const complaint = await dispatchedComplaint('dpupr', 'Lampu jalan di gang masjid mati sejak dua pekan.');
    const cookie = await signIn(dpupr.email);
    const page = await staffGet(cookie, `/staff/complaints/${complaint.id}`);
    const answer = 'Petugas kami sudah mengganti lampu pada hari Senin, mohon dicek kembali.';
    for (const templateId of ['999999', '99999999999', 'abc']) {
      const response = await staffPost(cookie, `/staff/complaints/${complaint.id}/follow-up`, {
        _csrf: csrfTokenOf(page.html), body: answer, templateId, visibility: 'public',
      });
      assert.equal(response.status, 404, `template ${templateId}`);
      const html = await response.text();
      assert.ok(!html.includes('Laporan tidak ditemukan'), 'the case itself is not called missing');
      assert.ok(html.includes('Template itu tidak lagi tersedia'), 'the template is named as the problem');
      assert.ok(html.includes(answer), 'the typed answer is shown again');
    }
    const events = await database.db.selectFrom('complaint_events').select('type').where('complaint_id', '=', complaint.id).where('type', '=', 'followed_up').execute();
    assert.equal(events.length, 0, 'nothing was recorded');
  });

  test('tampered template owner refused', async () => {
    const cookie = await signIn(officer.email);
    const page = await staffGet(cookie, '/staff/templates/new');
    const response = await staffPost(cookie, '/staff/templates/new', {
      _csrf: csrfTokenOf(page.html), title: 'Jadwal uji', bodyId: 'Laporan {{kode_lacak}} sedang kami tangani.', ownerUserId: 'abc', active: '1',
    });
    assert.equal(response.status, 400);
    const stored = await database.db.selectFrom('answer_templates').select('id').where('title', '=', 'Jadwal uji').execute();
    assert.deepEqual(stored, [], 'no template was saved for an owner nobody chose');
  });

  test('merge into a missing number', async () => {
    const { complaint } = await receiveComplaint({ db: database.db, actor: { kind: 'citizen' } }, {
      type: 'pengaduan', description: 'Sampah menumpuk di pinggir jalan desa sejak Senin.', channel: 'web',
    });
    const cookie = await signIn(officer.email);
    const page = await staffGet(cookie, `/staff/complaints/${complaint.id}`);
    for (const intoId of ['99999999999', '999999']) {
      const response = await staffPost(cookie, `/staff/complaints/${complaint.id}/merge`, { _csrf: csrfTokenOf(page.html), intoId });
      const html = await response.text();
      assert.ok([400, 404].includes(response.status), `merge into ${intoId}: ${response.status}`);
      assert.ok(html.includes(`Tidak ada laporan dengan kode atau nomor &quot;${intoId}&quot;`) || html.includes(`Tidak ada laporan dengan kode atau nomor "${intoId}"`),
        `merge into ${intoId} names the missing target`);
      assert.ok(!html.includes('<h1 class="heading-l">Laporan tidak ditemukan</h1>'), 'the case page is shown, not a not-found page');
    }
    const stored = await database.db.selectFrom('complaints').select('status').where('id', '=', complaint.id).executeTakeFirstOrThrow();
    assert.equal(stored.status, 'new');
  });

  test('sign-in locks after five failures', async () => {
    const target = await makeStaff(database.db, 'complaint_officer');
    const attempt = (password: string) =>
      app.request('/staff/login', {
        method: 'POST',
        body: new URLSearchParams({ email: target.email, password }),
        headers: { Origin: ORIGIN, 'Content-Type': 'application/x-www-form-urlencoded' },
      });
    for (let i = 1; i < MAX_FAILED_LOGINS; i++) {
      const response = await attempt('kata-sandi-salah');
      assert.equal(response.status, 401, `attempt ${i} is refused`);
      assert.ok((await response.text()).includes('E-mail atau kata sandi salah.'));
    }
    const locking = await attempt('kata-sandi-salah');
    assert.equal(locking.status, 423);
    assert.ok((await locking.text()).includes('Akun dikunci 15 menit'));
    const rightPassword = await attempt(STAFF_PASSWORD);
    assert.equal(rightPassword.status, 423, 'the right password is refused while locked');
    assert.equal(rightPassword.headers.get('set-cookie'), null, 'no session while locked');
  });

  test('unknown address locks like an account', async () => {
    const target = await makeStaff(database.db, 'complaint_officer');
    const attempt = (email: string) =>
      app.request('/staff/login', {
        method: 'POST',
        body: new URLSearchParams({ email, password: 'kata-sandi-salah' }),
        headers: { Origin: ORIGIN, 'Content-Type': 'application/x-www-form-urlencoded' },
      });
    const errorOf = (html: string) => fieldError(html, 'password');
    for (let i = 1; i <= MAX_FAILED_LOGINS + 1; i++) {
      const account = await attempt(target.email);
      const unknown = await attempt('belum-terdaftar@contoh.go.id');
      const accountError = errorOf(await account.text());
      assert.ok(accountError, `attempt ${i}: the account's sign-in shows an error`);
      assert.equal(unknown.status, account.status, `attempt ${i}: the same status`);
      assert.equal(errorOf(await unknown.text()), accountError, `attempt ${i}: the same message`);
      if (i === MAX_FAILED_LOGINS) assert.equal(unknown.status, 423, 'both lock at the same attempt');
    }
  });

  test('session cookie is HttpOnly and SameSite=Lax', async () => {
    const response = await app.request('/staff/login', {
      method: 'POST',
      body: new URLSearchParams({ email: officer.email, password: STAFF_PASSWORD }),
      headers: { Origin: ORIGIN, 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    const cookie = response.headers.get('set-cookie') ?? '';
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Lax/i);
  });

  test('staff pages need a session', async () => {
    const response = await app.request('/staff/complaints/1');
    assert.equal(response.status, 303);
    assert.equal(response.headers.get('location'), '/staff/login?next=%2Fstaff%2Fcomplaints%2F1');
  });

  test('agency officer sees own agency only', async () => {
    const marker = 'Tumpukan sampah liar di tepi sungai dekat jembatan gantung';
    const other = await dispatchedComplaint('dlh', `${marker}, baunya menyengat.`);
    const dpuprCookie = await signIn(dpupr.email);
    const dlhCookie = await signIn(dlh.email);

    // The DLH officer does see it, so the DPUPR checks below can fail.
    const control = await staffGet(dlhCookie, `/staff/complaints/${other.id}`);
    assert.equal(control.status, 200);
    assert.ok((await staffGet(dlhCookie, '/staff')).html.includes(other.tracking_code));

    const caseLink = `href="/staff/complaints/${other.id}"`;
    const casePage = await staffGet(dpuprCookie, `/staff/complaints/${other.id}`);
    assert.equal(casePage.status, 404);
    assert.equal(casePage.html.includes(marker), false);
    const inbox = await staffGet(dpuprCookie, '/staff');
    assert.equal(inbox.html.includes(caseLink), false, 'not in the inbox');
    assert.equal(inbox.html.includes(other.tracking_code), false, 'its code is not in the inbox');
    // The search box repeats the typed code, so these checks look for the case's link and the result count.
    const byCode = await staffGet(dpuprCookie, `/staff?q=${encodeURIComponent(other.tracking_code)}`);
    assert.equal(byCode.html.includes(caseLink), false, 'not found by its code');
    assert.ok(byCode.html.includes('Tidak ada laporan'), 'the search by code finds nothing');
    const byText = await staffGet(dpuprCookie, `/staff?q=${encodeURIComponent('sampah sungai jembatan')}`);
    assert.equal(byText.html.includes(caseLink), false, 'not found by its words');
    const byAgencyFilter = await staffGet(dpuprCookie, '/staff?agency=dlh');
    assert.equal(byAgencyFilter.html.includes(caseLink), false, 'not found through the agency filter');
    const controlSearch = await staffGet(dlhCookie, `/staff?q=${encodeURIComponent('sampah sungai jembatan')}`);
    assert.ok(controlSearch.html.includes(caseLink), 'the DLH officer finds it by its words');
    const note = await staffPost(dpuprCookie, `/staff/complaints/${other.id}/note`, {
      _csrf: csrfTokenOf(inbox.html), body: 'Catatan pada laporan OPD lain.',
    });
    assert.equal(note.status, 404, 'cannot act on it either');
  });

  test('walk-in entry keeps its WIB time', async () => {
    const cookie = await signIn(officer.email);
    const form = await staffGet(cookie, '/staff/new');
    assert.equal(form.status, 200);
    const body = new FormData();
    for (const [name, value] of Object.entries({
      _csrf: csrfTokenOf(form.html), channel: 'walk_in', receivedAt: '2026-03-13T16:00', type: 'aspirasi',
      description: 'Warga mengusulkan penambahan tempat sampah di alun-alun.', privacy: 'anonymous',
    })) body.append(name, value);
    const response = await app.request('/staff/new', { method: 'POST', body, headers: { Cookie: cookie } });
    assert.equal(response.status, 303);
    const id = Number(/\/staff\/complaints\/(\d+)/.exec(response.headers.get('location') ?? '')?.[1]);
    const complaint = await database.db.selectFrom('complaints').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    assert.equal(complaint.channel, 'walk_in');
    assert.equal(complaint.received_at.toISOString(), '2026-03-13T09:00:00.000Z', '16:00 WIB is 09:00 UTC');
    assert.equal(complaint.created_by_user_id, officer.user.id);
  });

  test('agency officer barred from admin pages', async () => {
    const cookie = await signIn(dpupr.email);
    assert.equal((await staffGet(cookie, '/staff/new')).status, 403);
    assert.equal((await staffGet(cookie, '/staff/admin/categories')).status, 403);
    assert.equal((await staffGet(cookie, '/staff/admin')).status, 403);
  });

  test('unknown ids get a not-found page', async () => {
    const cookie = await signIn(admin.email);
    const page = await staffGet(cookie, '/staff/admin/categories');
    const csrf = csrfTokenOf(page.html);
    // 99999999999 does not fit a serial id; PostgreSQL would reject it as a parameter.
    for (const id of ['999999', '99999999999', 'abc', '0']) {
      for (const base of ['/staff/admin/categories', '/staff/templates', '/staff/faq']) {
        const opened = await staffGet(cookie, `${base}/${id}`);
        assert.equal(opened.status, 404, `GET ${base}/${id}`);
        assert.ok(opened.html.includes('Data tidak ditemukan'), `GET ${base}/${id} names the problem`);
        assert.ok(opened.html.includes(`href="${base}"`), `GET ${base}/${id} links back to the list`);
      }
      const posted = await staffPost(cookie, `/staff/admin/categories/${id}`, {
        _csrf: csrf, name: 'Kategori Uji', agencyCode: 'dlh', complexity: 'medium', verifyDays: '3', firstFollowUpDays: '5',
        resolutionDaysSimple: '5', resolutionDaysMedium: '14', resolutionDaysComplex: '60', autoCloseDays: '10', active: '1',
      });
      assert.equal(posted.status, 404, `POST category ${id}`);
      assert.ok((await posted.text()).includes('Kategori tidak ditemukan.'));
    }
    const untouched = await database.db.selectFrom('categories').select('name').where('name', '=', 'Kategori Uji').execute();
    assert.deepEqual(untouched, [], 'no category was created or renamed');

    // Errors without a form of their own get a page in the site's layout, not bare text.
    const missingPage = await app.request('/halaman-yang-tidak-ada');
    assert.equal(missingPage.status, 404);
    const missingHtml = await missingPage.text();
    assert.ok(missingHtml.includes('<h1 class="heading-l">Halaman tidak ditemukan</h1>'), 'a page with a heading');
    assert.ok(missingHtml.includes('href="/"'), 'a link home');
    const officerCookie = await signIn(officer.email);
    const triagePage = await staffGet(officerCookie, '/staff');
    for (const [path, fields] of [
      ['/staff/triage/merge', { duplicateId: 'abc', intoId: '1' }],
      ['/staff/roster/complaints/99999999999/take', {}],
      ['/staff/channels/dead-letters/abc/retry', {}],
    ] as const) {
      const response = await staffPost(officerCookie, path, { _csrf: csrfTokenOf(triagePage.html), ...fields });
      const html = await response.text();
      assert.equal(Math.floor(response.status / 100), 4, `${path} answers ${response.status}`);
      assert.ok(html.includes('<h1 class="heading-l">'), `${path} answers with a page`);
      assert.ok(html.includes('href="/staff"'), `${path} links back to the inbox`);
    }
  });

  test('category clock change moves deadlines', async () => {
    const complaint = await dispatchedComplaint('dlh', 'Sampah menumpuk di depan pasar tiga hari tidak diangkut.');
    const before = await database.db.selectFrom('complaint_deadlines').selectAll()
      .where('complaint_id', '=', complaint.id).where('clock', '=', 'first_follow_up').executeTakeFirstOrThrow();
    const category = await database.db.selectFrom('categories').selectAll().where('code', '=', 'sampah-lingkungan').executeTakeFirstOrThrow();

    const cookie = await signIn(admin.email);
    const page = await staffGet(cookie, `/staff/admin/categories/${category.id}`);
    assert.equal(page.status, 200);
    const response = await staffPost(cookie, `/staff/admin/categories/${category.id}`, {
      _csrf: csrfTokenOf(page.html), name: category.name, nameEn: category.name_en ?? '', agencyCode: 'dlh', complexity: category.complexity,
      verifyDays: '3', firstFollowUpDays: String(category.first_follow_up_days + 10), resolutionDaysSimple: '5', resolutionDaysMedium: '14',
      resolutionDaysComplex: '60', autoCloseDays: '10', active: '1',
    });
    assert.equal(response.status, 303);
    assert.match(response.headers.get('location') ?? '', /done=category-saved&n=[1-9]/);
    const after = await database.db.selectFrom('complaint_deadlines').selectAll()
      .where('complaint_id', '=', complaint.id).where('clock', '=', 'first_follow_up').executeTakeFirstOrThrow();
    assert.ok(after.due_date! > before.due_date!, `deadline moved from ${before.due_date} to ${after.due_date}`);

    const invalid = await staffPost(cookie, `/staff/admin/categories/${category.id}`, {
      _csrf: csrfTokenOf(page.html), name: ' ', agencyCode: 'dlh', complexity: 'medium', verifyDays: 'tiga',
      firstFollowUpDays: '-2', resolutionDaysSimple: '5,5', resolutionDaysMedium: '1000', resolutionDaysComplex: '', autoCloseDays: '10',
    });
    assert.equal(invalid.status, 400);
    const invalidHtml = await invalid.text();
    // Every bad number is marked in one round trip, and the good one is not.
    for (const field of ['verifyDays', 'firstFollowUpDays', 'resolutionDaysSimple', 'resolutionDaysMedium', 'resolutionDaysComplex']) {
      assert.equal(fieldError(invalidHtml, `category-${field}`), 'Isi bilangan bulat hari kerja dari 0 sampai 365.', field);
    }
    assert.equal(fieldError(invalidHtml, 'category-autoCloseDays'), undefined);
    assert.ok(fieldError(invalidHtml, 'category-name'), 'the empty name is marked in the same round');
    const unchanged = await database.db.selectFrom('categories').select('first_follow_up_days').where('id', '=', category.id).executeTakeFirstOrThrow();
    assert.equal(unchanged.first_follow_up_days, category.first_follow_up_days + 10, 'nothing stored changed');
  });

  test('category page shows background recompute', async () => {
    await dispatchedComplaint('dlh', 'Sampah di saluran depan sekolah belum diangkut seminggu.');
    const category = await database.db.selectFrom('categories').selectAll().where('code', '=', 'sampah-lingkungan').executeTakeFirstOrThrow();
    const cookie = await signIn(admin.email);
    const page = await staffGet(cookie, `/staff/admin/categories/${category.id}`);
    const defaultInlineLimit = recomputeSettings.inlineLimit;
    recomputeSettings.inlineLimit = 0;
    let saved: Response;
    try {
      saved = await staffPost(cookie, `/staff/admin/categories/${category.id}`, {
        _csrf: csrfTokenOf(page.html), name: category.name, nameEn: category.name_en ?? '', agencyCode: 'dlh', complexity: category.complexity,
        verifyDays: '2', firstFollowUpDays: String(category.first_follow_up_days), resolutionDaysSimple: '5', resolutionDaysMedium: '14',
        resolutionDaysComplex: '60', autoCloseDays: '10', active: '1',
      });
    } finally {
      recomputeSettings.inlineLimit = defaultInlineLimit;
    }
    assert.equal(saved.status, 303);
    assert.match(saved.headers.get('location') ?? '', /done=category-queued&n=[1-9]/);
    // With jobs off, the server runs the queued recompute itself, outside the request.
    for (let attempt = 0; attempt < 100 && (await unfinishedRecomputeRuns(database.db)).length > 0; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.deepEqual(await unfinishedRecomputeRuns(database.db), []);
    const listed = await staffGet(cookie, '/staff/admin/categories?done=category-queued&n=3');
    assert.ok(listed.html.includes('sedang dihitung ulang di latar belakang'), 'the banner says the recompute goes on');
    assert.ok(listed.html.includes('Penghitungan ulang tenggat'), 'the progress section is shown');
    assert.ok(listed.html.includes(`Kategori ${category.name} diubah`));
    assert.ok(listed.html.includes('Selesai'));
  });

  test('admin adds and removes a holiday', async () => {
    const cookie = await signIn(admin.email);
    const page = await staffGet(cookie, '/staff/admin/holidays?year=2027');
    assert.equal(page.status, 200);
    assert.ok(page.html.includes('belum ditandai lengkap'), '2027 has no complete calendar');
    const added = await staffPost(cookie, '/staff/admin/holidays', {
      _csrf: csrfTokenOf(page.html), date: '2027-01-01', kind: 'national', name: 'Tahun Baru Masehi', basis: '',
    });
    assert.equal(added.status, 303);
    const listed = await staffGet(cookie, '/staff/admin/holidays?year=2027');
    assert.ok(listed.html.includes('Tahun Baru Masehi'));
    const duplicate = await staffPost(cookie, '/staff/admin/holidays', {
      _csrf: csrfTokenOf(page.html), date: '2027-01-01', kind: 'national', name: 'Tahun Baru Masehi',
    });
    assert.equal(duplicate.status, 409);
    assert.equal(fieldError(await duplicate.text(), 'holiday-date'), 'Tanggal 2027-01-01 sudah tercatat sebagai hari libur.');
    const removed = await staffPost(cookie, '/staff/admin/holidays/2027-01-01/remove', { _csrf: csrfTokenOf(page.html) });
    assert.equal(removed.status, 303);
    const row = await database.db.selectFrom('holidays').select('date').where('date', '=', '2027-01-01').executeTakeFirst();
    assert.equal(row, undefined);
  });

  test('holiday page shows background recompute progress', async () => {
    const cookie = await signIn(admin.email);
    const page = await staffGet(cookie, '/staff/admin/holidays?year=2027');
    const defaultInlineLimit = recomputeSettings.inlineLimit;
    recomputeSettings.inlineLimit = -1;
    let added: Response;
    try {
      added = await staffPost(cookie, '/staff/admin/holidays', {
        _csrf: csrfTokenOf(page.html), date: '2027-01-04', kind: 'collective_leave', name: 'Cuti bersama uji antrean', basis: '',
      });
    } finally {
      recomputeSettings.inlineLimit = defaultInlineLimit;
    }
    assert.equal(added.status, 303);
    assert.match(added.headers.get('location') ?? '', /done=calendar-queued/);
    // With jobs off, the server runs the queued recompute itself, outside the request.
    for (let attempt = 0; attempt < 100 && (await unfinishedRecomputeRuns(database.db)).length > 0; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.deepEqual(await unfinishedRecomputeRuns(database.db), []);
    const listed = await staffGet(cookie, '/staff/admin/holidays?year=2027');
    assert.ok(listed.html.includes('Penghitungan ulang tenggat'), 'the progress section is shown');
    assert.ok(listed.html.includes('Hari libur 2027-01-04 ditambahkan'));
    assert.ok(listed.html.includes('Selesai'));
    await staffPost(cookie, '/staff/admin/holidays/2027-01-04/remove', { _csrf: csrfTokenOf(page.html) });
  });
});
