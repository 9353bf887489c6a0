/**
 * What each audience may see of a complaint. The public presenter is the
 * only shape that reaches tracking pages, the public API and exports. It has
 * no field that could carry the reporter's identity. In its free text the
 * reporter's known name and contacts are hidden, and so is every NIK, phone
 * number, e-mail address and plate number.
 */
import type { ComplaintDetail } from '../queries/complaints.ts';
import { redactIdentity } from '../domain/templates.ts';
import { maskPersonNames } from '../domain/person-names.ts';
import type { IdentityAccess } from '../policies/complaints.ts';

export interface PublicTimelineEntry {
  type: string;
  at: string;
  /** Who acted, without personal names: `warga`, `petugas`, or the agency's name. */
  actor: string;
  body: string | null;
  /** Agency named by a disposisi, or the destination of a forwarded report. */
  agency?: string;
  destination?: string;
  rating?: number;
}

export interface PublicComplaint {
  trackingCode: string;
  type: string | null;
  status: string;
  category: string | null;
  /** English name of the category, for the English pages; null when it has none. */
  categoryEn: string | null;
  agency: string | null;
  district: string | null;
  village: string | null;
  receivedAt: string;
  description: string;
  rating: number | null;
  /** True when this report was merged into another; its tracking code stays private to that case's reporters. */
  merged: boolean;
  timeline: PublicTimelineEntry[];
  deadlines: { clock: string; dueDate: string | null; status: string }[];
}

// Event types whose text is written to the citizen. Other public events (a
// disposisi, a verification) may carry an officer's internal instruction, so
// the public sees that they happened but not their text.
const CITIZEN_FACING_BODIES = new Set(['followed_up', 'resolved', 'answered', 'held', 'forwarded', 'reopened', 'citizen_replied', 'rated', 'acknowledged']);

function publicActor(event: ComplaintDetail['events'][number]): string {
  if (event.actorKind === 'citizen') return 'warga';
  if (event.agencyName) return event.agencyName;
  return 'petugas';
}

export function presentPublicComplaint(detail: ComplaintDetail): PublicComplaint {
  const { complaint } = detail;
  // The reporter's own name and contacts are hidden wherever they were typed,
  // then every other NIK, phone, e-mail and plate number, and names of other people.
  const hide = (text: string) => maskPersonNames(redactIdentity(text, detail.knownIdentity));
  return {
    trackingCode: complaint.tracking_code,
    type: complaint.type,
    status: complaint.status,
    category: detail.category?.name ?? null,
    categoryEn: detail.category?.nameEn ?? null,
    agency: detail.agency?.name ?? null,
    district: detail.district?.name ?? null,
    village: detail.village?.name ?? null,
    receivedAt: complaint.received_at.toISOString(),
    description: hide(complaint.description),
    rating: complaint.rating,
    merged: detail.mergedInto !== null,
    timeline: detail.events
      .filter((event) => event.visibility === 'public')
      .map((event) => {
        const entry: PublicTimelineEntry = {
          type: event.type,
          at: event.at.toISOString(),
          actor: publicActor(event),
          body: event.body === null || !CITIZEN_FACING_BODIES.has(event.type) ? null : hide(event.body),
        };
        if (event.type === 'dispatched' && typeof event.data.agencyName === 'string') entry.agency = event.data.agencyName;
        if (event.type === 'forwarded' && typeof event.data.destination === 'string') entry.destination = event.data.destination;
        if (event.type === 'rated' && typeof event.data.rating === 'number') entry.rating = event.data.rating;
        return entry;
      }),
    deadlines: detail.deadlines
      .filter((deadline) => deadline.status !== 'not_started')
      .map((deadline) => ({ clock: deadline.clock, dueDate: deadline.dueDate, status: deadline.status })),
  };
}

/** What the reporter of a merged duplicate may see of the case that kept going. */
export interface PublicKeptCase {
  status: string;
  timeline: PublicTimelineEntry[];
}

// Entries of the kept case hidden from a merged reporter: the other citizen's
// replies and rating, and messages officers wrote to that citizen alone (a
// question while on hold, an acknowledgement).
const KEPT_CASE_HIDDEN_TYPES = new Set(['citizen_replied', 'rated', 'held', 'acknowledged']);

/**
 * Presents the kept case to the reporter of a merged duplicate, without its
 * tracking code (which lets its own reporter reply and rate) and without the
 * other citizens' messages. A confidential kept case shows nothing.
 */
export function presentKeptCase(kept: ComplaintDetail): PublicKeptCase | null {
  if (kept.complaint.privacy === 'confidential') return null;
  const presented = presentPublicComplaint(kept);
  return { status: presented.status, timeline: presented.timeline.filter((entry) => !KEPT_CASE_HIDDEN_TYPES.has(entry.type)) };
}

/**
 * Presents a complaint to staff: everything but identity, which is fetched separately when
 * `identityAccess` allows it. A user without full access also gets free text
 * masked, because citizens often type their own number or NIK into it.
 */
export function presentStaffComplaint(detail: ComplaintDetail, access: IdentityAccess) {
  const { complaint } = detail;
  const text = (value: string) => (access === 'full' ? value : redactIdentity(value, detail.knownIdentity));
  return {
    id: complaint.id,
    trackingCode: complaint.tracking_code,
    type: complaint.type,
    status: complaint.status,
    channel: complaint.channel,
    privacy: complaint.privacy,
    oversight: complaint.oversight,
    complexity: complaint.complexity,
    receivedAt: complaint.received_at.toISOString(),
    description: text(complaint.description),
    category: detail.category,
    agency: detail.agency,
    district: detail.district,
    village: detail.village,
    coordinates: complaint.latitude !== null && complaint.longitude !== null ? { latitude: complaint.latitude, longitude: complaint.longitude } : null,
    forwardedTo: complaint.forwarded_to,
    rating: complaint.rating,
    externalId: complaint.external_id,
    mergedInto: detail.mergedInto,
    hasReporter: complaint.reporter_id !== null,
    identityAccess: access,
    firstResponseAt: complaint.first_response_at?.toISOString() ?? null,
    resolvedAt: complaint.resolved_at?.toISOString() ?? null,
    events: detail.events.map((event) => ({
      id: event.id,
      type: event.type,
      at: event.at.toISOString(),
      actorKind: event.actorKind,
      actorName: event.actorName,
      agency: event.agencyName,
      visibility: event.visibility,
      body: event.body === null ? null : text(event.body),
      data: event.data,
    })),
    deadlines: detail.deadlines.map((deadline) => ({
      clock: deadline.clock,
      dueDate: deadline.dueDate,
      dueAt: deadline.dueAt?.toISOString() ?? null,
      startedAt: deadline.startedAt?.toISOString() ?? null,
      stoppedAt: deadline.stoppedAt?.toISOString() ?? null,
      status: deadline.status,
      calendarMissing: deadline.calendarMissing,
    })),
    attachments: detail.attachments,
  };
}
