/**
 * Seeded generator of realistic complaint data for the read benchmarks.
 *
 * Each complaint gets a description drawn from the real complaint files,
 * skewed distributions of channel, category (and so agency), type, privacy,
 * kecamatan and age, and an event log that follows the lifecycle rules:
 * verification, disposisi, returns, holds, follow-ups, final answers,
 * ratings that reopen, forwarding, archiving and the automatic close. The
 * deadline job's `deadline_breached` and `reminder_sent` events are added
 * where the job would have written them. A small share of cases stops at a
 * random step and stays open, which makes the overdue backlog.
 *
 * The SLA clocks in `complaint_deadlines` and the working-time columns of
 * each complaint are computed with the product's own functions
 * (`computeClocks`, `workingTimeTo`, the holiday calendar from the database)
 * for every row, and `checkDeadlineSample` replays `refreshDeadlines` on a
 * sample to confirm that the stored rows equal what the product writes.
 *
 * Rows go in with multi-row INSERT … SELECT FROM unnest(arrays), one
 * transaction per batch, while the next batch is generated. As in any bulk
 * load, the seeding session skips the foreign-key triggers
 * (session_replication_role = replica; the generator keeps every reference
 * valid) and the GIN indexes of `complaints` (full text and trigram) are
 * dropped before the load and rebuilt from their stored definitions after
 * it, because maintaining a trigram index row by row is the slowest part.
 *
 * Standalone use (the database is migrated and seeded with reference data first):
 *   node --import tsx bench/seed.ts --database-url postgres://postgres@127.0.0.1:5432/aduan_bench_x --count 10000
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type pg from 'pg';
import type { Kysely } from 'kysely';
import type { Complaint, DB } from '../src/db/schema.ts';
import type { Channel, ComplaintStatus, ComplaintType, Complexity, Privacy } from '../src/domain/types.ts';
import type { WorkingCalendar } from '../src/domain/calendar.ts';
import { CLOCK_NAMES, DEFAULT_SLA_SETTINGS, computeClocks, type ClockStates, type SlaSettings } from '../src/domain/sla.ts';
import { endOfWibDay, startOfWibDay, wibDate } from '../src/domain/time.ts';
import { invalidateCalendarCache, loadCalendar, refreshDeadlines, workingTimeTo } from '../src/commands/deadlines.ts';
import { Random, Weighted } from './lib/random.ts';
import { loadComplaintTexts } from './texts.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Complaints generated and inserted per transaction. */
export const DEFAULT_BATCH_SIZE = 5_000;
/** Cases generated between two yields to the event loop, so the previous batch's statements keep flowing. */
const YIELD_EVERY = 250;
/** Oldest complaint, in days before `now`. */
const MAX_AGE_DAYS = 3 * 365;
/** Age = MAX_AGE_DAYS × u^AGE_SKEW: recent months hold more complaints than old ones (about 10 % in the last 30 days, half in the last year). */
const AGE_SKEW = 1.6;
/** Chance, at each step of the lifecycle, that a case is left where it is and stays open. */
const STUCK_CHANCE = 0.01;
/** Events of each case-page benchmark case. */
export const TIMELINE_EVENTS = 50;

const CHANNELS = new Weighted<Channel>([
  ['whatsapp', 45], ['web', 14], ['instagram', 8], ['facebook', 6], ['sms', 6], ['lapor', 6],
  ['x', 4], ['email', 3], ['walk_in', 3], ['telegram', 3], ['phone', 2],
]);

/** Relative weight of each seeded category; roads lead, as in the regency's 2025 recap. Unknown codes weigh 1. */
export const CATEGORY_WEIGHTS: Record<string, number> = {
  'jalan-jembatan': 20, 'drainase-irigasi': 9, 'sampah-lingkungan': 8, adminduk: 8, 'penerangan-jalan': 6,
  'air-bersih': 6, 'bantuan-sosial': 6, pendidikan: 5, kesehatan: 4, 'lalu-lintas-parkir': 4,
  'informasi-publik': 4, 'rumah-sakit': 3, 'ketertiban-pkl': 3, 'pertanian-pupuk': 3, 'desa-dana-desa': 3,
  lainnya: 3, perizinan: 2, 'pasar-tenaga-kerja': 2, 'pajak-daerah': 2, 'pelanggaran-pungli': 1.5, bencana: 1.5,
  pariwisata: 1, kepegawaian: 1,
};

export const TYPES = new Weighted<ComplaintType>([['pengaduan', 78], ['aspirasi', 12], ['permintaan_informasi', 10]]);
export const PRIVACY = new Weighted<Privacy>([['anonymous', 75], ['confidential', 15], ['public', 10]]);
const FOLLOW_UPS = new Weighted<number>([[0, 20], [1, 45], [2, 25], [3, 10]]);
const RATINGS = new Weighted<number>([[5, 40], [4, 30], [3, 15], [2, 8], [1, 7]]);
/** Relative number of reports received in each WIB hour: few at night, most in office hours, many in the evening (WhatsApp). */
function hourWeight(hour: number): number {
  if (hour < 6) return 0.5;
  if (hour < 9) return 3;
  if (hour < 17) return 6;
  if (hour < 22) return 4;
  return 1.5;
}
const HOURS = new Weighted<number>(Array.from({ length: 24 }, (_, hour): [number, number] => [hour, hourWeight(hour)]));

// Synthetic officer and citizen texts; the citizen's own words are only the description.
const FOLLOW_UP_BODIES = [
  'Laporan sudah kami terima dan akan ditinjau ke lokasi.',
  'Petugas sudah melakukan survei lokasi; perbaikan dijadwalkan minggu ini.',
  'Masih dalam koordinasi dengan UPT wilayah terkait.',
  'Tim teknis sudah menghubungi pihak desa untuk memastikan lokasi.',
];
const RESOLVE_BODIES = [
  'Perbaikan sudah selesai dilaksanakan. Terima kasih atas laporannya.',
  'Permasalahan sudah ditangani oleh petugas di lapangan.',
  'Data sudah diperbaiki dan dapat diambil di kantor layanan.',
];
const ANSWER_BODIES = [
  'Layanan dibuka Senin sampai Jumat pukul 08.00 sampai 15.00 di kantor terkait.',
  'Persyaratan dapat dilihat pada laman resmi pemerintah kabupaten.',
];
const NOTE_BODIES = ['Cek ulang dengan UPT wilayah.', 'Sudah dikonfirmasi lewat telepon.', 'Menunggu data dari desa.'];
const HOLD_BODIES = ['Mohon lengkapi lokasi kejadian (desa, RT/RW) agar dapat ditindaklanjuti.', 'Mohon kirim foto lokasi.'];
const REPLY_BODIES = ['Lokasinya di dekat balai desa, RT 02.', 'Sudah saya kirim fotonya.', 'Terima kasih, mohon segera.'];
const FORWARD_DESTINATIONS = ['PLN UP3 Surakarta', 'BPJS Kesehatan', 'Polres Karanganyar', 'Dinas PU Provinsi Jawa Tengah'];
const ARCHIVE_REASONS = ['spam', 'not_a_report', 'duplicate'] as const;

interface CategoryRef {
  id: number;
  code: string;
  agencyId: number | null;
  complexity: Complexity;
  oversight: boolean;
  settings: Record<Complexity, SlaSettings>;
}

/** Reference rows and actors that the generator draws from. */
export interface SeedReference {
  categories: Weighted<CategoryRef>;
  categoryById: Map<number, CategoryRef>;
  informationCategory: CategoryRef | undefined;
  districts: string[];
  villagesByDistrict: Map<string, string[]>;
  /** Agency of each kecamatan, for reports that no category's agency covers. */
  districtAgency: Map<string, number>;
  agencyIds: number[];
  agencyCodeById: Map<number, string>;
  fallbackAgencyId: number;
  /** Complaint officer who verifies, dispatches and answers. */
  officerId: number;
  /** One agency officer per agency, who follows up and resolves. */
  agencyOfficerIds: Map<number, number>;
  calendar: WorkingCalendar;
  texts: string[];
}

interface GeneratedEvent {
  type: string;
  at: Date;
  actorKind: 'citizen' | 'staff' | 'system';
  actorUserId: number | null;
  agencyId: number | null;
  visibility: 'public' | 'internal';
  body: string | null;
  data: Record<string, unknown>;
}

/** Columns of a complaint row besides its events, updated as the lifecycle runs. */
interface CaseState {
  id: number;
  receivedAt: Date;
  channel: Channel;
  type: ComplaintType | null;
  category: CategoryRef | null;
  complexity: Complexity | null;
  agencyId: number | null;
  districtCode: string | null;
  villageCode: string | null;
  privacy: Privacy;
  oversight: boolean;
  status: ComplaintStatus;
  statusBeforeHold: ComplaintStatus | null;
  forwardedTo: string | null;
  firstResponseAt: Date | null;
  resolvedAt: Date | null;
  rating: number | null;
}

interface GeneratedCase {
  state: CaseState;
  description: string;
  reporterId: number | null;
  latitude: number | null;
  longitude: number | null;
  events: GeneratedEvent[];
  clocks: ClockStates;
  breachRecorded: Set<string>;
  reminderSent: Set<string>;
}

interface NewReporter {
  id: number;
  name: string | null;
  contact: { kind: string; value: string } | null;
}

interface Batch {
  cases: GeneratedCase[];
  reporters: NewReporter[];
}

/** Appends events in time order and refuses any that would lie after `now`. */
class Timeline {
  readonly events: GeneratedEvent[] = [];
  at: Date;

  constructor(
    start: Date,
    private readonly now: Date,
  ) {
    this.at = start;
  }

  /** Appends an event `hours` after the previous one (at least one minute); returns false when that is after now. */
  add(hours: number, event: Omit<GeneratedEvent, 'at'>): boolean {
    const at = new Date(this.at.getTime() + Math.max(hours * HOUR_MS, 60_000));
    if (at.getTime() > this.now.getTime()) return false;
    this.at = at;
    this.events.push({ ...event, at });
    return true;
  }

  /** Appends an event at the exact instant `at` (used for the start). */
  addAt(at: Date, event: Omit<GeneratedEvent, 'at'>): void {
    this.at = at;
    this.events.push({ ...event, at });
  }
}

/** Loads what the generator needs and creates the seed's staff accounts (no password: they never sign in). */
export async function loadSeedReference(db: Kysely<DB>, texts = loadComplaintTexts()): Promise<SeedReference> {
  const [categoryRows, agencyRows, districtRows, villageRows] = await Promise.all([
    db.selectFrom('categories').selectAll().where('active', '=', true).orderBy('id').execute(),
    db.selectFrom('agencies').select(['id', 'code', 'name', 'kind']).where('active', '=', true).orderBy('id').execute(),
    db.selectFrom('districts').selectAll().orderBy('code').execute(),
    db.selectFrom('villages').select(['code', 'district_code']).orderBy('code').execute(),
  ]);
  if (categoryRows.length === 0 || districtRows.length === 0) {
    throw new Error('The database has no categories or districts: run prepareDatabase (migrations and reference data) before seeding.');
  }

  const categories = categoryRows.map((row): CategoryRef => {
    const settingsFor = (resolutionDays: number): SlaSettings => ({
      verifyDays: row.verify_days,
      firstFollowUpDays: row.first_follow_up_days,
      resolutionDays,
      autoCloseDays: row.auto_close_days,
    });
    return {
      id: row.id,
      code: row.code,
      agencyId: row.agency_id,
      complexity: row.complexity,
      oversight: row.oversight,
      settings: {
        simple: settingsFor(row.resolution_days_simple),
        medium: settingsFor(row.resolution_days_medium),
        complex: settingsFor(row.resolution_days_complex),
      },
    };
  });

  const villagesByDistrict = new Map<string, string[]>();
  for (const village of villageRows) {
    const list = villagesByDistrict.get(village.district_code) ?? [];
    list.push(village.code);
    villagesByDistrict.set(village.district_code, list);
  }
  const agencyByName = new Map(agencyRows.map((agency) => [agency.name, agency.id]));
  const districtAgency = new Map<string, number>();
  for (const district of districtRows) {
    const id = agencyByName.get(`Kecamatan ${district.name}`);
    if (id !== undefined) districtAgency.set(district.code, id);
  }
  const fallbackAgencyId = agencyRows.find((agency) => agency.code === 'setda')?.id ?? agencyRows[0].id;

  const officerId = await ensureSeedUser(db, 'seed.officer@bench.invalid', 'Seed complaint officer', 'complaint_officer', null);
  const agencyOfficerIds = new Map<number, number>();
  for (const agency of agencyRows) {
    agencyOfficerIds.set(agency.id, await ensureSeedUser(db, `seed.${agency.code}@bench.invalid`, `Seed officer ${agency.code}`, 'agency_officer', agency.id));
  }

  invalidateCalendarCache();
  return {
    categories: new Weighted(categories.map((category): [CategoryRef, number] => [category, CATEGORY_WEIGHTS[category.code] ?? 1])),
    categoryById: new Map(categories.map((category) => [category.id, category])),
    informationCategory: categories.find((category) => category.code === 'informasi-publik'),
    districts: districtRows.map((row) => row.code),
    villagesByDistrict,
    districtAgency,
    agencyIds: agencyRows.filter((agency) => agency.code !== 'inspektorat').map((agency) => agency.id),
    agencyCodeById: new Map(agencyRows.map((agency) => [agency.id, agency.code])),
    fallbackAgencyId,
    officerId,
    agencyOfficerIds,
    calendar: await loadCalendar(db),
    texts,
  };
}

async function ensureSeedUser(db: Kysely<DB>, email: string, name: string, role: 'complaint_officer' | 'agency_officer', agencyId: number | null) {
  await db
    .insertInto('users')
    .values({ email, name, role, agency_id: agencyId, password_hash: null })
    .onConflict((oc) => oc.column('email').doNothing())
    .execute();
  const row = await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow();
  return row.id;
}

/**
 * Tracking code of a seeded complaint. An affine map with an odd multiplier
 * is a bijection on 50-bit numbers, so distinct ids never share a code.
 */
export function seedTrackingCode(id: number): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  let value = (BigInt(id) * 0x2f0b3a4c5d1n + 0x1d2c3b4a5n) & ((1n << 50n) - 1n);
  let chars = '';
  for (let i = 0; i < 10; i++) {
    chars = alphabet[Number(value & 31n)] + chars;
    value >>= 5n;
  }
  return `ADU-${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8)}`;
}

function slaSettings(state: CaseState): SlaSettings {
  if (state.category === null) return { ...DEFAULT_SLA_SETTINGS };
  return state.category.settings[state.complexity ?? state.category.complexity];
}

class CaseGenerator {
  constructor(
    private readonly ref: SeedReference,
    private readonly random: Random,
    readonly now: Date,
  ) {}

  receivedAt(): Date {
    const ageDays = MAX_AGE_DAYS * this.random.next() ** AGE_SKEW;
    const day = wibDate(new Date(this.now.getTime() - ageDays * DAY_MS));
    const minute = HOURS.pick(this.random) * 60 + this.random.int(60);
    let at = new Date(startOfWibDay(day).getTime() + minute * 60_000 + this.random.int(60_000));
    if (at.getTime() > this.now.getTime()) at = new Date(at.getTime() - DAY_MS);
    return at;
  }

  newState(id: number, receivedAt: Date, channel: Channel): CaseState {
    const state: CaseState = {
      id, receivedAt, channel, type: null, category: null, complexity: null, agencyId: null, districtCode: null, villageCode: null,
      privacy: PRIVACY.pick(this.random), oversight: false, status: 'new', statusBeforeHold: null, forwardedTo: null,
      firstResponseAt: null, resolvedAt: null, rating: null,
    };
    // Web and app forms let the citizen pick a category and a kecamatan.
    if (this.random.chance(0.3)) this.classify(state, this.ref.categories.pick(this.random));
    if (this.random.chance(0.4)) this.locate(state);
    return state;
  }

  classify(state: CaseState, category: CategoryRef): void {
    state.category = category;
    state.complexity = category.complexity;
    state.agencyId = category.agencyId;
    state.oversight = category.oversight;
    if (category.oversight) state.privacy = 'confidential';
  }

  locate(state: CaseState): void {
    state.districtCode = this.random.pick(this.ref.districts);
    const villages = this.ref.villagesByDistrict.get(state.districtCode) ?? [];
    state.villageCode = villages.length > 0 && this.random.chance(0.6) ? this.random.pick(villages) : null;
  }

  officer(): Pick<GeneratedEvent, 'actorKind' | 'actorUserId'> {
    return { actorKind: 'staff', actorUserId: this.ref.officerId };
  }

  agencyOfficer(agencyId: number | null): Pick<GeneratedEvent, 'actorKind' | 'actorUserId'> {
    return { actorKind: 'staff', actorUserId: (agencyId !== null ? this.ref.agencyOfficerIds.get(agencyId) : undefined) ?? this.ref.officerId };
  }

  /** Runs one case through the lifecycle until it ends, gets stuck, or reaches now. */
  lifecycle(state: CaseState, timeline: Timeline): void {
    const random = this.random;
    const stuck = () => random.chance(STUCK_CHANCE);
    const staffIntake = state.channel === 'walk_in' || state.channel === 'phone';
    timeline.addAt(state.receivedAt, {
      type: 'received', ...(staffIntake ? this.officer() : { actorKind: 'citizen', actorUserId: null }),
      agencyId: null, visibility: 'public', body: null, data: { channel: state.channel },
    });

    if (random.chance(0.06)) {
      if (timeline.add(random.logNormal(10, 1.2), {
        type: 'archived', ...this.officer(), agencyId: null, visibility: 'internal', body: null, data: { reason: random.pick(ARCHIVE_REASONS) },
      })) state.status = 'archived';
      return;
    }
    if (stuck() || !this.verify(state, timeline)) return;

    if (random.chance(0.04)) {
      const destination = random.pick(FORWARD_DESTINATIONS);
      if (timeline.add(random.logNormal(2, 1), { type: 'forwarded', ...this.officer(), agencyId: null, visibility: 'public', body: null, data: { destination } })) {
        state.status = 'out_of_scope';
        state.forwardedTo = destination;
      }
      return;
    }
    if (stuck()) return;

    if (state.type === 'permintaan_informasi' && random.chance(0.6)) {
      if (!timeline.add(random.logNormal(8, 1), { type: 'answered', ...this.officer(), agencyId: null, visibility: 'public', body: random.pick(ANSWER_BODIES), data: {} })) return;
      this.finalAnswer(state, timeline.at);
    } else {
      if (!this.dispatch(state, timeline, state.agencyId!, false)) return;
      if (random.chance(0.04)) {
        const previous = state.agencyId;
        if (!timeline.add(random.logNormal(24, 1), {
          type: 'returned', ...this.agencyOfficer(previous), agencyId: previous, visibility: 'internal', body: 'Bukan kewenangan kami.', data: { agencyId: previous },
        })) return;
        state.status = 'verified';
        const other = random.pick(this.ref.agencyIds.filter((id) => id !== previous));
        if (!this.dispatch(state, timeline, state.oversight ? previous! : other, false)) return;
      }
      if (random.chance(0.06) && !this.holdAndResume(state, timeline)) return;
      if (stuck()) return;

      const followUps = FOLLOW_UPS.pick(random);
      for (let i = 0; i < followUps; i++) {
        if (!this.followUp(state, timeline, random.chance(0.75), i === 0 ? 48 : 72)) return;
      }
      if (stuck()) return;
      if (!this.resolve(state, timeline, 96)) return;
    }

    this.afterFinalAnswer(state, timeline, true);
  }

  /**
   * Rating and automatic close after a final answer. A rating of 1 or 2
   * before the close reopens the case, which gets one more answer (not rated
   * again); the deadline job closes a resolved case a few minutes after its
   * auto-close deadline.
   */
  afterFinalAnswer(state: CaseState, timeline: Timeline, mayRate: boolean): void {
    const random = this.random;
    const now = this.now.getTime();
    const due = endOfWibDay(this.ref.calendar.addWorkingDays(wibDate(state.resolvedAt!), slaSettings(state).autoCloseDays).date);
    const closeAt = due.getTime() + (1 + random.int(10)) * 60_000;
    const rateAt = mayRate && random.chance(0.35) ? timeline.at.getTime() + Math.max(random.logNormal(20, 1) * HOUR_MS, 60_000) : Number.POSITIVE_INFINITY;
    const rating = RATINGS.pick(random);
    const rated = (): Omit<GeneratedEvent, 'at'> => ({ type: 'rated', actorKind: 'citizen', actorUserId: null, agencyId: null, visibility: 'public', body: null, data: { rating } });

    if (rateAt < closeAt) {
      if (rateAt > now) return;
      timeline.addAt(new Date(rateAt), rated());
      state.rating = rating;
      if (rating <= 2) {
        if (!timeline.add(0, { type: 'reopened', actorKind: 'citizen', actorUserId: null, agencyId: null, visibility: 'public', body: null, data: { cause: 'low_rating' } })) return;
        const withAgency = timeline.events.some((event) => event.type === 'dispatched');
        state.status = withAgency ? 'in_progress' : 'verified';
        state.resolvedAt = null;
        if (withAgency) {
          if (!this.followUp(state, timeline, true, 48) || !this.resolve(state, timeline, 72)) return;
        } else {
          if (!timeline.add(random.logNormal(8, 1), { type: 'answered', ...this.officer(), agencyId: null, visibility: 'public', body: random.pick(ANSWER_BODIES), data: {} })) return;
          this.finalAnswer(state, timeline.at);
        }
        this.afterFinalAnswer(state, timeline, false);
        return;
      }
    }
    if (closeAt > now) return;
    timeline.addAt(new Date(closeAt), { type: 'closed', actorKind: 'system', actorUserId: null, agencyId: null, visibility: 'public', body: null, data: { automatic: true } });
    state.status = 'closed';
    // A rating after the close is kept but reopens nothing.
    if (rateAt !== Number.POSITIVE_INFINITY && rateAt > closeAt && rateAt <= now) {
      timeline.addAt(new Date(rateAt), rated());
      state.rating = rating;
    }
  }

  verify(state: CaseState, timeline: Timeline): boolean {
    const random = this.random;
    let category = state.category !== null && random.chance(0.85) ? state.category : this.ref.categories.pick(random);
    let type = TYPES.pick(random);
    if (type === 'permintaan_informasi' && this.ref.informationCategory && random.chance(0.5)) category = this.ref.informationCategory;
    if (category === this.ref.informationCategory) type = 'permintaan_informasi';
    this.classify(state, category);
    state.type = type;
    if (random.chance(0.1)) state.complexity = random.chance(0.5) ? 'simple' : 'complex';
    if (state.districtCode === null) this.locate(state);
    if (state.agencyId === null) state.agencyId = this.ref.districtAgency.get(state.districtCode!) ?? this.ref.fallbackAgencyId;
    const data = {
      type, category: category.code, district: state.districtCode, village: state.villageCode,
      agency: this.ref.agencyCodeById.get(state.agencyId),
    };
    if (!timeline.add(random.logNormal(6, 1.2), { type: 'verified', ...this.officer(), agencyId: null, visibility: 'public', body: null, data })) {
      // Not verified yet at `now`: the case keeps what the citizen entered.
      state.type = null;
      return false;
    }
    state.status = 'verified';
    return true;
  }

  dispatch(state: CaseState, timeline: Timeline, agencyId: number, redispatch: boolean): boolean {
    const previousAgencyId = state.agencyId;
    const data = { agency: this.ref.agencyCodeById.get(agencyId), redispatch, previousAgencyId };
    const body = this.random.chance(0.3) ? 'Mohon ditindaklanjuti sesuai kewenangan.' : null;
    if (!timeline.add(this.random.logNormal(1, 1), { type: 'dispatched', ...this.officer(), agencyId, visibility: 'public', body, data })) return false;
    state.agencyId = agencyId;
    state.status = 'dispatched';
    return true;
  }

  holdAndResume(state: CaseState, timeline: Timeline): boolean {
    const random = this.random;
    if (!timeline.add(random.logNormal(30, 1), {
      type: 'held', ...this.officer(), agencyId: null, visibility: 'public', body: random.pick(HOLD_BODIES), data: { previousStatus: state.status },
    })) return false;
    state.statusBeforeHold = state.status;
    state.status = 'on_hold';
    const wait = random.logNormal(72, 1);
    if (random.chance(0.5)) {
      if (!timeline.add(wait, { type: 'citizen_replied', actorKind: 'citizen', actorUserId: null, agencyId: null, visibility: 'public', body: random.pick(REPLY_BODIES), data: {} })) return false;
      timeline.add(0, { type: 'resumed', actorKind: 'system', actorUserId: null, agencyId: null, visibility: 'internal', body: null, data: { cause: 'citizen_reply' } });
    } else if (!timeline.add(wait, { type: 'resumed', ...this.officer(), agencyId: null, visibility: 'internal', body: null, data: {} })) {
      return false;
    }
    // A resume within the same minute can still pass `now`; then the case stays on hold.
    if (timeline.events[timeline.events.length - 1].type !== 'resumed') return false;
    state.status = state.statusBeforeHold!;
    state.statusBeforeHold = null;
    return true;
  }

  followUp(state: CaseState, timeline: Timeline, visibleToCitizen: boolean, medianHours: number): boolean {
    if (!timeline.add(this.random.logNormal(medianHours, 1.1), {
      type: 'followed_up', ...this.agencyOfficer(state.agencyId), agencyId: state.agencyId,
      visibility: visibleToCitizen ? 'public' : 'internal', body: this.random.pick(FOLLOW_UP_BODIES), data: { visibleToCitizen },
    })) return false;
    state.status = 'in_progress';
    if (visibleToCitizen && state.firstResponseAt === null) state.firstResponseAt = timeline.at;
    return true;
  }

  resolve(state: CaseState, timeline: Timeline, medianHours: number): boolean {
    if (!timeline.add(this.random.logNormal(medianHours, 1.2), {
      type: 'resolved', ...this.agencyOfficer(state.agencyId), agencyId: state.agencyId, visibility: 'public', body: this.random.pick(RESOLVE_BODIES), data: {},
    })) return false;
    this.finalAnswer(state, timeline.at);
    return true;
  }

  finalAnswer(state: CaseState, at: Date): void {
    state.status = 'resolved';
    state.resolvedAt = at;
    state.firstResponseAt ??= at;
  }

  /** Internal notes at random instants of the case's life; they start and stop no clock. */
  addNotes(timeline: Timeline, count: number): void {
    const start = timeline.events[0].at.getTime();
    const end = Math.max(timeline.at.getTime(), start + 60_000);
    for (let i = 0; i < count; i++) {
      const at = new Date(Math.min(start + 60_000 + this.random.next() * (end - start), this.now.getTime()));
      timeline.events.push({ type: 'note', ...this.officer(), agencyId: null, visibility: 'internal', body: this.random.pick(NOTE_BODIES), data: {}, at });
    }
  }

  /**
   * Computes the clocks, then adds the deadline job's breach and reminder
   * events (which move no clock) and returns the flags it would have set.
   */
  finish(state: CaseState, timeline: Timeline): Pick<GeneratedCase, 'clocks' | 'breachRecorded' | 'reminderSent' | 'events'> {
    const events = timeline.events.sort((a, b) => a.at.getTime() - b.at.getTime());
    const clocks = computeClocks(events, slaSettings(state), this.ref.calendar, this.now);
    const breachRecorded = new Set<string>();
    const reminderSent = new Set<string>();
    const jobEvents: GeneratedEvent[] = [];
    for (const clock of CLOCK_NAMES) {
      if (clock === 'auto_close') continue;
      const run = clocks[clock];
      if (run.dueAt === null || run.startedAt === null) continue;
      const due = run.dueAt.getTime();
      const stopped = run.stoppedAt?.getTime() ?? Number.POSITIVE_INFINITY;
      const remindAt = due - 24 * HOUR_MS + 60_000;
      if (run.startedAt.getTime() < remindAt && stopped > remindAt && remindAt <= this.now.getTime()) {
        reminderSent.add(clock);
        jobEvents.push({ type: 'reminder_sent', actorKind: 'system', actorUserId: null, agencyId: null, visibility: 'internal', body: null, data: { clock, dueDate: run.dueDate }, at: new Date(remindAt) });
      }
      const breachAt = due + 60_000;
      if (run.status === 'breached' && stopped > breachAt && breachAt <= this.now.getTime()) {
        breachRecorded.add(clock);
        jobEvents.push({
          type: 'deadline_breached', actorKind: 'system', actorUserId: null, agencyId: null, visibility: 'internal', body: null,
          data: { clock, dueDate: run.dueDate, escalatedTo: ['agency_head', 'complaint_officer'] }, at: new Date(breachAt),
        });
      }
    }
    const all = [...events, ...jobEvents].sort((a, b) => a.at.getTime() - b.at.getTime());
    return { clocks, breachRecorded, reminderSent, events: all };
  }
}

/** Options of one seeding run; ids continue after the rows already present. */
export interface SeedOptions {
  /** Complaints to add. */
  count: number;
  /** Seed of the pseudo-random generator; the same seed, count, start and `now` give the same data. */
  seed: number;
  now: Date;
  batchSize?: number;
  /** Cases with exactly TIMELINE_EVENTS events for the case-page benchmark, made at the start of this run. */
  timelineCases?: number;
  onBatch?: (inserted: number) => void;
}

export interface SeedResult {
  complaints: number;
  events: number;
  deadlines: number;
  reporters: number;
  /** Whole run, index rebuild included. */
  ms: number;
  /** Rebuilding the GIN indexes after the load. */
  indexMs: number;
  /** Ids of the cases with TIMELINE_EVENTS events. */
  timelineIds: number[];
  firstId: number;
  lastId: number;
}

/**
 * Adds `count` generated complaints with their reporters, events and
 * deadlines. Uses one pooled connection; other connections see each batch
 * when its transaction commits.
 *
 * Example: await seedComplaints(database.pool, reference, { count: 10_000, seed: 1, now: new Date() })
 */
export async function seedComplaints(pool: pg.Pool, ref: SeedReference, options: SeedOptions): Promise<SeedResult> {
  const started = performance.now();
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const client = await pool.connect();
  try {
    const ids = await client.query<{ complaint: string | null; reporter: string | null }>(
      'SELECT (SELECT max(id) FROM complaints) AS complaint, (SELECT max(id) FROM reporters) AS reporter',
    );
    const firstId = Number(ids.rows[0].complaint ?? 0) + 1;
    const result: SeedResult = {
      complaints: 0, events: 0, deadlines: 0, reporters: 0, ms: 0, indexMs: 0, timelineIds: [], firstId, lastId: firstId + options.count - 1,
    };
    const ginIndexes = await client.query<{ indexname: string; indexdef: string }>(
      "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'complaints' AND indexdef LIKE '% USING gin %' ORDER BY indexname",
    );
    for (const index of ginIndexes.rows) await client.query(`DROP INDEX ${client.escapeIdentifier(index.indexname)}`);
    try {
      await client.query('SET session_replication_role = replica');
      await generateAndInsert(client, ref, options, batchSize, Number(ids.rows[0].reporter ?? 0) + 1, result);
    } finally {
      await client.query('RESET session_replication_role');
      const indexStarted = performance.now();
      // Session setting only: a GIN build is faster when its pending entries fit in memory.
      await client.query("SET maintenance_work_mem = '1GB'");
      for (const index of ginIndexes.rows) await client.query(index.indexdef.replace(/^CREATE INDEX /, 'CREATE INDEX IF NOT EXISTS '));
      await client.query('RESET maintenance_work_mem');
      result.indexMs = performance.now() - indexStarted;
    }
    // The earliest running or breached deadline, as refreshDeadlines keeps it for the overdue inbox.
    await client.query(
      `UPDATE complaints c SET next_due_at = d.due
       FROM (SELECT complaint_id, min(due_at) AS due FROM complaint_deadlines
             WHERE complaint_id BETWEEN $1 AND $2 AND stopped_at IS NULL AND status IN ('running', 'breached') AND due_at IS NOT NULL
             GROUP BY complaint_id) d
       WHERE c.id = d.complaint_id`,
      [result.firstId, result.lastId],
    );
    await client.query("SELECT setval('complaints_id_seq', greatest((SELECT max(id) FROM complaints), 1))");
    await client.query("SELECT setval('reporters_id_seq', greatest((SELECT max(id) FROM reporters), 1))");
    result.ms = performance.now() - started;
    return result;
  } finally {
    client.release();
  }
}

/** Generates batch after batch and inserts each while the next one is generated. */
async function generateAndInsert(client: pg.PoolClient, ref: SeedReference, options: SeedOptions, batchSize: number, firstReporterId: number, result: SeedResult) {
  const random = new Random(options.seed ^ Math.imul(result.firstId, 0x9e3779b1));
  const generator = new CaseGenerator(ref, random, options.now);
  let nextReporterId = firstReporterId;
  let pending: Promise<void> | undefined;
  try {
    for (let offset = 0; offset < options.count; offset += batchSize) {
      const size = Math.min(batchSize, options.count - offset);
      const batch: Batch = { cases: [], reporters: [] };
      for (let i = 0; i < size; i++) {
        const id = result.firstId + offset + i;
        const timelineCase = offset + i < (options.timelineCases ?? 0);
        const reporter = pickReporter(random, nextReporterId);
        if (reporter.created) {
          batch.reporters.push(reporter.created);
          nextReporterId += 1;
        }
        batch.cases.push(timelineCase ? generateTimelineCase(generator, ref, random, id, reporter.id, options.now) : generateCase(generator, ref, random, id, reporter.id));
        if (timelineCase) result.timelineIds.push(id);
        if (i % YIELD_EVERY === YIELD_EVERY - 1) await new Promise((resolve) => setImmediate(resolve));
      }
      if (pending) await pending;
      result.complaints += batch.cases.length;
      result.reporters += batch.reporters.length;
      for (const item of batch.cases) result.events += item.events.length;
      result.deadlines += batch.cases.length * CLOCK_NAMES.length;
      const inserted = offset + size;
      pending = insertBatch(client, batch, ref.calendar, options.now).then(() => options.onBatch?.(inserted));
      // The failure is raised by the await above or below; this only stops an unhandled-rejection crash meanwhile.
      pending.catch(() => {});
    }
  } finally {
    if (pending) await pending;
  }
}

function pickReporter(random: Random, nextReporterId: number): { id: number | null; created?: NewReporter } {
  // Some web reports come without any contact; about a quarter of reports come from a citizen who reported before.
  if (random.chance(0.08)) return { id: null };
  if (nextReporterId > 1 && random.chance(0.25)) return { id: 1 + random.int(nextReporterId - 1) };
  const id = nextReporterId;
  const kind = random.pick(['phone', 'whatsapp', 'whatsapp', 'whatsapp', 'email', 'instagram', 'facebook', 'x', 'telegram'] as const);
  const value =
    kind === 'phone' || kind === 'whatsapp' ? `+6281${String(id).padStart(9, '0')}`
    : kind === 'email' ? `warga${id}@contoh.id`
    : kind === 'telegram' ? String(700_000_000 + id)
    : `akun_warga_${id}`;
  return { id, created: { id, name: random.chance(0.4) ? 'Warga' : null, contact: { kind, value } } };
}

function generateCase(generator: CaseGenerator, ref: SeedReference, random: Random, id: number, reporterId: number | null): GeneratedCase {
  const receivedAt = generator.receivedAt();
  const channel = CHANNELS.pick(random);
  const state = generator.newState(id, receivedAt, channel);
  const timeline = new Timeline(receivedAt, generator.now);
  generator.lifecycle(state, timeline);
  if (random.chance(0.2)) generator.addNotes(timeline, 1 + random.int(2));
  return assemble(state, timeline, generator, ref, random, reporterId);
}

/** Generates a case open for 45 to 90 days with a busy history of exactly TIMELINE_EVENTS events. */
function generateTimelineCase(generator: CaseGenerator, ref: SeedReference, random: Random, id: number, reporterId: number | null, now: Date): GeneratedCase {
  const receivedAt = new Date(now.getTime() - (45 + random.int(45)) * DAY_MS);
  const state = generator.newState(id, receivedAt, 'whatsapp');
  const timeline = new Timeline(receivedAt, now);
  timeline.addAt(receivedAt, { type: 'received', actorKind: 'citizen', actorUserId: null, agencyId: null, visibility: 'public', body: null, data: { channel: 'whatsapp' } });
  if (!generator.verify(state, timeline) || !generator.dispatch(state, timeline, state.agencyId!, false) || !generator.followUp(state, timeline, true, 48)) {
    throw new Error(`timeline case ${id} did not reach its first follow-up before now; its start is too recent`);
  }
  // Clock-neutral events fill the rest: internal follow-ups, notes and citizen replies.
  const base = generator.finish(state, Object.assign(new Timeline(receivedAt, now), { events: [...timeline.events] }));
  const missing = TIMELINE_EVENTS - base.events.length;
  const start = timeline.at.getTime();
  const span = now.getTime() - 60_000 - start;
  for (let i = 1; i <= missing; i++) {
    const at = new Date(start + (span * i) / (missing + 1));
    const kind = random.int(3);
    timeline.events.push(
      kind === 0
        ? { type: 'followed_up', ...generator.agencyOfficer(state.agencyId), agencyId: state.agencyId, visibility: 'internal', body: random.pick(FOLLOW_UP_BODIES), data: { visibleToCitizen: false }, at }
        : kind === 1
          ? { type: 'note', ...generator.officer(), agencyId: null, visibility: 'internal', body: random.pick(NOTE_BODIES), data: {}, at }
          : { type: 'citizen_replied', actorKind: 'citizen', actorUserId: null, agencyId: null, visibility: 'public', body: random.pick(REPLY_BODIES), data: {}, at },
    );
  }
  return assemble(state, timeline, generator, ref, random, reporterId);
}

function assemble(state: CaseState, timeline: Timeline, generator: CaseGenerator, ref: SeedReference, random: Random, reporterId: number | null): GeneratedCase {
  const finished = generator.finish(state, timeline);
  const located = (state.channel === 'web' || state.channel === 'whatsapp') && random.chance(0.15);
  return {
    state,
    description: random.pick(ref.texts),
    reporterId,
    latitude: located ? -7.78 + random.next() * 0.3 : null,
    longitude: located ? 110.85 + random.next() * 0.35 : null,
    ...finished,
  };
}

type Column = readonly [name: string, type: string];

/** Inserts rows with one statement: INSERT … SELECT * FROM unnest($1::type[], …), one array per column. */
async function insertColumns(client: pg.PoolClient, table: string, columns: readonly Column[], rows: unknown[][]): Promise<void> {
  if (rows.length === 0) return;
  const arrays = columns.map((_, index) => rows.map((row) => row[index]));
  const names = columns.map(([name]) => name).join(', ');
  const casts = columns.map(([, type], index) => `$${index + 1}::${type}[]`).join(', ');
  await client.query(`INSERT INTO ${table} (${names}) SELECT * FROM unnest(${casts})`, arrays);
}

const REPORTER_COLUMNS: readonly Column[] = [['id', 'bigint'], ['name', 'text'], ['created_at', 'timestamptz']];
const CONTACT_COLUMNS: readonly Column[] = [['reporter_id', 'bigint'], ['kind', 'text'], ['value', 'text'], ['created_at', 'timestamptz']];
const COMPLAINT_COLUMNS: readonly Column[] = [
  ['id', 'bigint'], ['tracking_code', 'text'], ['type', 'text'], ['category_id', 'integer'], ['description', 'text'],
  ['channel', 'text'], ['received_at', 'timestamptz'], ['reporter_id', 'bigint'], ['privacy', 'text'], ['oversight', 'boolean'],
  ['district_code', 'text'], ['village_code', 'text'], ['latitude', 'float8'], ['longitude', 'float8'], ['agency_id', 'integer'],
  ['complexity', 'text'], ['status', 'text'], ['status_before_hold', 'text'], ['external_source', 'text'], ['external_id', 'text'],
  ['forwarded_to', 'text'], ['first_response_at', 'timestamptz'], ['resolved_at', 'timestamptz'], ['rating', 'smallint'],
  ['created_by_user_id', 'integer'], ['updated_at', 'timestamptz'], ['first_response_working_hours', 'float8'],
  ['first_response_working_days', 'integer'], ['resolution_working_hours', 'float8'], ['resolution_working_days', 'integer'],
];
const EVENT_COLUMNS: readonly Column[] = [
  ['complaint_id', 'bigint'], ['type', 'text'], ['at', 'timestamptz'], ['actor_kind', 'text'], ['actor_user_id', 'integer'],
  ['agency_id', 'integer'], ['visibility', 'text'], ['body', 'text'], ['data', 'jsonb'], ['recorded_at', 'timestamptz'],
];
const DEADLINE_COLUMNS: readonly Column[] = [
  ['complaint_id', 'bigint'], ['clock', 'text'], ['started_at', 'timestamptz'], ['due_date', 'date'], ['due_at', 'timestamptz'],
  ['stopped_at', 'timestamptz'], ['status', 'text'], ['calendar_missing', 'boolean'], ['breach_recorded', 'boolean'], ['reminder_sent', 'boolean'],
];

async function insertBatch(client: pg.PoolClient, batch: Batch, calendar: WorkingCalendar, now: Date): Promise<void> {
  const reporterRows: unknown[][] = [];
  const contactRows: unknown[][] = [];
  const firstReceived = new Map<number, Date>();
  for (const item of batch.cases) {
    if (item.reporterId !== null && !firstReceived.has(item.reporterId)) firstReceived.set(item.reporterId, item.state.receivedAt);
  }
  for (const reporter of batch.reporters) {
    const createdAt = firstReceived.get(reporter.id) ?? now;
    reporterRows.push([reporter.id, reporter.name, createdAt]);
    if (reporter.contact) contactRows.push([reporter.id, reporter.contact.kind, reporter.contact.value, createdAt]);
  }

  const complaintRows: unknown[][] = [];
  const eventRows: unknown[][] = [];
  const deadlineRows: unknown[][] = [];
  for (const item of batch.cases) {
    const { state } = item;
    complaintRows.push(complaintRow(item, calendar));
    for (const event of item.events) {
      eventRows.push([state.id, event.type, event.at, event.actorKind, event.actorUserId, event.agencyId, event.visibility, event.body, JSON.stringify(event.data), event.at]);
    }
    for (const clock of CLOCK_NAMES) {
      const run = item.clocks[clock];
      deadlineRows.push([
        state.id, clock, run.startedAt, run.dueDate, run.dueAt, run.stoppedAt ?? null, run.status, run.calendarMissing,
        item.breachRecorded.has(clock), item.reminderSent.has(clock),
      ]);
    }
  }

  await client.query('BEGIN');
  try {
    await insertColumns(client, 'reporters', REPORTER_COLUMNS, reporterRows);
    await insertColumns(client, 'contacts', CONTACT_COLUMNS, contactRows);
    await insertColumns(client, 'complaints', COMPLAINT_COLUMNS, complaintRows);
    await insertColumns(client, 'complaint_events', EVENT_COLUMNS, eventRows);
    await insertColumns(client, 'complaint_deadlines', DEADLINE_COLUMNS, deadlineRows);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}

function complaintRow(item: GeneratedCase, calendar: WorkingCalendar): unknown[] {
  const { state } = item;
  const firstResponse = workingTimeTo(calendar, state.receivedAt, state.firstResponseAt);
  const resolution = workingTimeTo(calendar, state.receivedAt, state.resolvedAt);
  const staffIntake = state.channel === 'walk_in' || state.channel === 'phone';
  const lastEventAt = item.events[item.events.length - 1].at;
  return [
    state.id, seedTrackingCode(state.id), state.type, state.category?.id ?? null, item.description,
    state.channel, state.receivedAt, item.reporterId, state.privacy, state.oversight,
    state.districtCode, state.villageCode, item.latitude, item.longitude, state.agencyId,
    state.complexity, state.status, state.statusBeforeHold, state.channel === 'lapor' ? 'lapor' : null, state.channel === 'lapor' ? `bench-${state.id}` : null,
    state.forwardedTo, state.firstResponseAt, state.resolvedAt, state.rating,
    staffIntake ? item.events[0].actorUserId : null, lastEventAt, firstResponse.hours,
    firstResponse.days, resolution.hours, resolution.days,
  ];
}

class RollbackSignal extends Error {}

const COMPARED_DEADLINE_FIELDS = ['started_at', 'due_date', 'due_at', 'stopped_at', 'status', 'calendar_missing'] as const;
const COMPARED_METRICS = ['first_response_working_hours', 'first_response_working_days', 'resolution_working_hours', 'resolution_working_days'] as const;

function comparable(value: unknown): unknown {
  return value instanceof Date ? value.getTime() : value;
}

/**
 * Replays the product's `refreshDeadlines` on each given complaint inside a
 * transaction that is rolled back, and counts the complaints whose stored
 * clocks or working-time columns differ from what it computes.
 */
export async function checkDeadlineSample(db: Kysely<DB>, ids: readonly number[], now: Date): Promise<{ checked: number; mismatches: number; examples: string[] }> {
  let mismatches = 0;
  const examples: string[] = [];
  for (const id of ids) {
    const complaint: Complaint = await db.selectFrom('complaints').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const stored = await db.selectFrom('complaint_deadlines').selectAll().where('complaint_id', '=', id).orderBy('clock').execute();
    let recomputed: typeof stored = [];
    let metrics: Pick<Complaint, (typeof COMPARED_METRICS)[number]> | undefined;
    try {
      await db.transaction().execute(async (trx) => {
        await refreshDeadlines(trx, complaint, now);
        recomputed = await trx.selectFrom('complaint_deadlines').selectAll().where('complaint_id', '=', id).orderBy('clock').execute();
        metrics = await trx.selectFrom('complaints').select([...COMPARED_METRICS]).where('id', '=', id).executeTakeFirstOrThrow();
        throw new RollbackSignal();
      });
    } catch (error) {
      if (!(error instanceof RollbackSignal)) throw error;
    }
    const differences: string[] = [];
    if (recomputed.length !== stored.length) differences.push(`${stored.length} stored clocks, ${recomputed.length} recomputed`);
    for (let i = 0; i < Math.min(stored.length, recomputed.length); i++) {
      for (const field of COMPARED_DEADLINE_FIELDS) {
        if (comparable(stored[i][field]) !== comparable(recomputed[i][field])) differences.push(`${stored[i].clock}.${field}`);
      }
    }
    for (const field of COMPARED_METRICS) {
      if (complaint[field] !== metrics?.[field]) differences.push(field);
    }
    if (differences.length > 0) {
      mismatches += 1;
      if (examples.length < 5) examples.push(`complaint ${id}: ${differences.join(', ')}`);
    }
  }
  return { checked: ids.length, mismatches, examples };
}

/** Ids spread evenly over [firstId, lastId], for the deadline check. */
export function sampleIds(firstId: number, lastId: number, count: number): number[] {
  const span = lastId - firstId + 1;
  if (span <= count) return Array.from({ length: span }, (_, i) => firstId + i);
  return Array.from({ length: count }, (_, i) => firstId + Math.floor((i * span) / count));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'database-url': { type: 'string' },
      count: { type: 'string', default: '10000' },
      seed: { type: 'string', default: '1' },
      'timeline-cases': { type: 'string', default: '20' },
      check: { type: 'string', default: '200' },
    },
  });
  const databaseUrl = values['database-url'];
  if (!databaseUrl) throw new Error('Missing --database-url postgres://USER@HOST:PORT/DATABASE (a database of its own: rows are added to it).');
  const count = Number(values.count);
  if (!Number.isInteger(count) || count < 1) throw new Error(`--count must be a whole number of complaints, 1 or more; got "${values.count}".`);
  const { prepareDatabase } = await import('../src/bootstrap.ts');
  const database = await prepareDatabase({ databaseUrl, dataDir: path.join(path.dirname(fileURLToPath(import.meta.url)), 'unused') });
  try {
    const now = new Date();
    const reference = await loadSeedReference(database.db);
    const result = await seedComplaints(database.pool, reference, {
      count, seed: Number(values.seed), now, timelineCases: Number(values['timeline-cases']),
      onBatch: (inserted) => process.stderr.write(`\r${inserted} / ${count}`),
    });
    process.stderr.write('\n');
    console.log(JSON.stringify({ ...result, timelineIds: result.timelineIds.length }));
    const check = await checkDeadlineSample(database.db, sampleIds(result.firstId, result.lastId, Number(values.check)), now);
    console.log(JSON.stringify(check));
  } finally {
    await database.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
