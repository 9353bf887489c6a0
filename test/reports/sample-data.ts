/**
 * A reproducible set of complaints for report, dashboard and browser tests:
 * reports received over several months on several channels and kecamatan,
 * verified, dispatched, answered and rated at made-up but plausible times,
 * all through the real commands. A seeded generator makes every run equal.
 * The texts are invented and carry no personal data.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../src/db/schema.ts';
import type { Actor } from '../../src/commands/context.ts';
import type { Channel } from '../../src/domain/types.ts';
import { receiveComplaint } from '../../src/commands/receive-complaint.ts';
import { verifyComplaint } from '../../src/commands/verify-complaint.ts';
import { dispatchComplaint } from '../../src/commands/dispatch-complaint.ts';
import { followUpComplaint } from '../../src/commands/follow-up-complaint.ts';
import { resolveComplaint } from '../../src/commands/resolve-complaint.ts';
import { rateComplaint } from '../../src/commands/reopen-complaint.ts';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

/** Categories with the agency their seed routing sends them to. */
export const SAMPLE_CATEGORIES = [
  { category: 'jalan-jembatan', agency: 'dpupr' },
  { category: 'sampah-lingkungan', agency: 'dlh' },
  { category: 'adminduk', agency: 'disdukcapil' },
  { category: 'air-bersih', agency: 'pdam' },
  { category: 'kesehatan', agency: 'dinkes' },
] as const;

const CHANNELS: Channel[] = ['whatsapp', 'whatsapp', 'web', 'instagram', 'sms', 'phone'];
const DISTRICTS = ['33.13.01', '33.13.04', '33.13.09', '33.13.11', '33.13.14', '33.13.16'];
const TEXTS = [
  'Jalan di depan balai desa berlubang dan membahayakan pengendara pada malam hari.',
  'Sampah di tepi sungai belum diangkut selama dua pekan dan mulai berbau.',
  'Pengurusan kartu keluarga baru belum selesai setelah tiga minggu menunggu.',
  'Air PDAM tidak mengalir di lingkungan kami sejak kemarin pagi.',
  'Antrean di puskesmas sangat panjang, mohon penambahan loket pendaftaran.',
];

/** Park–Miller generator: the same seed gives the same sequence on every machine. */
function generator(seed: number) {
  let state = seed;
  return () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647;
  };
}

export interface SampleSummary {
  /** Ids of the created complaints with the agency each was sent to (null when never dispatched). */
  complaints: { id: number; agency: string | null; receivedAt: Date; resolved: boolean }[];
}

/**
 * Creates `count` complaints received between `from` and `to` (instants).
 * About 85 % are verified and dispatched, most get a follow-up, about 70 %
 * are resolved and half of those rated.
 */
export async function createSampleComplaints(
  db: Kysely<DB>,
  staff: { officer: Actor; agencies: Record<string, Actor> },
  options: { count: number; from: Date; to: Date; seed?: number },
): Promise<SampleSummary> {
  const random = generator(options.seed ?? 20260101);
  const span = options.to.getTime() - options.from.getTime();
  const summary: SampleSummary = { complaints: [] };
  for (let index = 0; index < options.count; index++) {
    // Office hours most of the time, so response times look like a real desk's.
    const day = new Date(options.from.getTime() + Math.floor((random() * span) / DAY) * DAY);
    const receivedAt = new Date(day.getTime() + (1 + Math.floor(random() * 10)) * HOUR);
    const pick = SAMPLE_CATEGORIES[Math.floor(random() * SAMPLE_CATEGORIES.length)];
    const channel = CHANNELS[Math.floor(random() * CHANNELS.length)];
    const district = DISTRICTS[Math.floor(random() * DISTRICTS.length)];
    const citizen: Actor = { kind: 'citizen' };
    const { complaint } = await receiveComplaint({ db, actor: citizen, now: receivedAt }, {
      type: 'pengaduan',
      description: TEXTS[SAMPLE_CATEGORIES.indexOf(pick)],
      channel,
      receivedAt,
      districtCode: district,
    });
    const entry = { id: complaint.id, agency: null as string | null, receivedAt, resolved: false };
    summary.complaints.push(entry);
    if (random() > 0.85) continue;

    const verifiedAt = new Date(receivedAt.getTime() + (2 + random() * 70) * HOUR);
    await verifyComplaint({ db, actor: staff.officer, now: verifiedAt }, complaint.id, { type: 'pengaduan', categoryCode: pick.category, districtCode: district });
    await dispatchComplaint({ db, actor: staff.officer, now: verifiedAt }, complaint.id, { agencyCode: pick.agency });
    entry.agency = pick.agency;
    const agencyActor = staff.agencies[pick.agency];
    if (!agencyActor) continue;

    let at = new Date(verifiedAt.getTime() + (3 + random() * 120) * HOUR);
    if (random() < 0.8) {
      await followUpComplaint({ db, actor: agencyActor, now: at }, complaint.id, { body: 'Petugas sudah meninjau lokasi dan menjadwalkan perbaikan.', visibleToCitizen: true });
      at = new Date(at.getTime() + (5 + random() * 200) * HOUR);
    }
    if (random() < 0.72) {
      await resolveComplaint({ db, actor: agencyActor, now: at }, complaint.id, { body: 'Perbaikan sudah selesai dikerjakan. Terima kasih atas laporan Anda.' });
      entry.resolved = true;
      if (random() < 0.5) {
        const rating = 3 + Math.floor(random() * 3);
        await rateComplaint({ db, actor: citizen, now: new Date(at.getTime() + 5 * HOUR) }, complaint.id, { rating });
      }
    }
  }
  return summary;
}
