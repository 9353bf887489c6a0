/**
 * Receives a new report from any channel: validates it, records the reporter
 * and attachments, and writes the `received` event, all in one transaction.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Channel, ComplaintType, Privacy } from '../domain/types.ts';
import { generateTrackingCode } from '../domain/tracking-code.ts';
import { AttachmentError, MAX_ATTACHMENTS, prepareAttachment } from '../domain/images.ts';
import { computeClocks, type ComplaintEvent } from '../domain/sla.ts';
import { cleanText, textLength, truncateText } from '../domain/text.ts';
import type { Complaint, DB } from '../db/schema.ts';
import { requireText, type CommandContext, type Tx } from './context.ts';
import { CommandError, invalid } from './errors.ts';
import { MAX_NAME_LENGTH, normalizeContact, resolveReporter, type ContactInput } from './reporters.ts';
import { deadlineRows, loadCalendar, nextDueAt, slaSettingsOfCategory } from './deadlines.ts';
import { districtExists, findActiveCategory, loadReferenceData, villageDistrict } from './reference-cache.ts';
import { insertComplaints, type NewComplaint } from './insert-complaints.ts';

export const DESCRIPTION_MIN = 10;
export const DESCRIPTION_MAX = 5000;
/** How far back an officer may date a walk-in or phone report; older history goes through `aduan import`. */
export const MAX_BACKDATE_DAYS = 5 * 365;

export interface AttachmentUpload {
  fileName: string;
  content: Uint8Array;
}

export interface ReceiveInput {
  type?: ComplaintType | null;
  description: string;
  channel: Channel;
  /** When the report really arrived; defaults to now. Staff may back-date walk-ins. */
  receivedAt?: Date;
  reporter?: { name?: string; phone?: string; email?: string; contacts?: ContactInput[] };
  privacy?: Privacy;
  categoryCode?: string;
  districtCode?: string;
  villageCode?: string;
  latitude?: number;
  longitude?: number;
  attachments?: AttachmentUpload[];
  externalSource?: string;
  externalId?: string;
  /** True when a channel proved the reporter's contacts; typed contacts are claims. */
  contactsVerified?: boolean;
  /** Extra data recorded on the `received` event (for example a channel's message id). */
  eventData?: Record<string, unknown>;
}

export interface ReceiveResult {
  complaint: Complaint;
  /** False when an import or channel delivered an external id that already exists. */
  created: boolean;
  /** Id of the new complaint's `received` event; absent when `created` is false. */
  receivedEventId?: number;
}

/**
 * A validated report, ready to be written: its rows, its clocks, and the
 * reporter to create (null without a name or contact, or when a channel
 * proved the contacts and `resolveReporter` finds or creates the reporter).
 */
export type PreparedComplaint = NewComplaint;

export async function receiveComplaint(ctx: CommandContext, input: ReceiveInput): Promise<ReceiveResult> {
  const now = ctx.now ?? new Date();
  // Warm the reference cache outside the transaction, where a load may fill it.
  await loadReferenceData(ctx.db);
  return ctx.db.transaction().execute((trx) => receiveInTransaction(trx, ctx, input, now));
}

/**
 * Receives one report in the caller's transaction. Round trips: the
 * external-id check (only with an external id), the reporter lookup (only for
 * contacts proved by a channel), and one statement for the new reporter, the
 * complaint, its `received` event and its four clocks. Categories, districts,
 * villages and the holiday calendar come from the per-process caches.
 */
export async function receiveInTransaction(trx: Tx, ctx: CommandContext, input: ReceiveInput, now: Date): Promise<ReceiveResult> {
  const { description, receivedAt } = checkTextAndTime(ctx, input, now);

  if (input.externalSource && input.externalId) {
    const existing = await trx
      .selectFrom('complaints')
      .selectAll()
      .where('external_source', '=', input.externalSource)
      .where('external_id', '=', input.externalId)
      .executeTakeFirst();
    if (existing) return { complaint: existing, created: false };
  }

  const prepared = await prepareResolved(trx, ctx, input, now, description, receivedAt);
  if (input.contactsVerified) {
    prepared.row.reporter_id = await resolveReporter(trx, input.reporter?.name, reporterContacts(input), { verified: true });
  }
  const [{ complaint, receivedEventId }] = await insertComplaints(trx, [prepared]);
  await storeAttachments(trx, complaint.id, receivedEventId, input.attachments ?? []);
  return { complaint, created: true, receivedEventId };
}

/**
 * Validates a report and resolves everything its rows need without writing:
 * category, location, normalised contacts, privacy and the four SLA clocks
 * after the `received` event. Throws a CommandError naming the invalid field.
 * Does not check an external id against existing complaints.
 */
export async function prepareComplaint(db: Kysely<DB>, ctx: CommandContext, input: ReceiveInput, now: Date): Promise<PreparedComplaint> {
  const { description, receivedAt } = checkTextAndTime(ctx, input, now);
  return prepareResolved(db, ctx, input, now, description, receivedAt);
}

function checkTextAndTime(ctx: CommandContext, input: ReceiveInput, now: Date): { description: string; receivedAt: Date } {
  const description = requireText(input.description, 'description', DESCRIPTION_MIN, DESCRIPTION_MAX);
  const receivedAt = input.receivedAt ?? now;
  if (Number.isNaN(receivedAt.getTime())) throw invalid('receivedAt', 'receivedAt is not a valid date', 'error.date_invalid');
  if (receivedAt.getTime() > now.getTime() + 5 * 60_000) {
    throw invalid('receivedAt', 'receivedAt lies in the future', 'error.date_in_future');
  }
  // Only an officer types a received-at; a channel's own timestamps are kept as sent.
  if (ctx.actor.kind === 'staff' && receivedAt.getTime() < now.getTime() - MAX_BACKDATE_DAYS * 86_400_000) {
    throw invalid('receivedAt', `receivedAt is more than ${MAX_BACKDATE_DAYS} days ago; use aduan import for old reports`, 'error.date_too_old', { days: MAX_BACKDATE_DAYS });
  }
  return { description, receivedAt };
}

function reporterContacts(input: ReceiveInput): ContactInput[] {
  const contacts: ContactInput[] = [...(input.reporter?.contacts ?? [])];
  if (input.reporter?.phone?.trim()) contacts.push({ kind: 'phone', value: input.reporter.phone });
  if (input.reporter?.email?.trim()) contacts.push({ kind: 'email', value: input.reporter.email });
  return contacts;
}

async function prepareResolved(
  db: Kysely<DB>,
  ctx: CommandContext,
  input: ReceiveInput,
  now: Date,
  description: string,
  receivedAt: Date,
): Promise<PreparedComplaint> {
  const category = input.categoryCode ? await findActiveCategory(db, input.categoryCode) : undefined;
  if (input.categoryCode && !category) {
    throw invalid('categoryCode', `category "${input.categoryCode}" does not exist`, 'error.category_unknown', { code: input.categoryCode });
  }
  const location = await resolveLocation(db, input.districtCode, input.villageCode);
  checkCoordinates(input.latitude, input.longitude);

  // Contacts are normalised after the location, so an invalid location is
  // reported before an invalid phone number. Contacts proved by a channel are
  // resolved later, against the database.
  const contacts = reporterContacts(input).map(normalizeContact);
  const typedName = input.reporter?.name === undefined ? null : cleanText(input.reporter.name).trim();
  // A name typed into a form is refused when too long; a channel's profile name is cut, since the message must not be lost.
  if (typedName && !input.contactsVerified && textLength(typedName) > MAX_NAME_LENGTH) {
    throw invalid('reporter.name', `name has more than ${MAX_NAME_LENGTH} characters`, 'error.text_too_long', { max: MAX_NAME_LENGTH });
  }
  const name = typedName === null ? null : truncateText(typedName, MAX_NAME_LENGTH) || null;
  const reporter = contacts.length === 0 && !name ? null : { name, contacts };

  const oversight = category?.oversight ?? false;
  // Reports about misconduct are always confidential, whatever was chosen.
  const privacy: Privacy = oversight ? 'confidential' : (input.privacy ?? 'anonymous');
  const complexity = category?.complexity ?? null;
  const eventData = { channel: input.channel, ...(input.eventData ?? {}) };

  // The clocks of a new complaint follow from its one `received` event, so
  // they are computed here instead of by `refreshDeadlines`, which would read
  // back the event and the category. Of the columns `refreshDeadlines` also
  // keeps, `next_due_at` is set here and the response metrics stay null
  // until the first answer.
  const received: ComplaintEvent = { type: 'received', at: receivedAt, data: JSON.parse(JSON.stringify(eventData)) as Record<string, unknown> };
  const clocks = computeClocks([received], slaSettingsOfCategory(category, complexity), await loadCalendar(db), now);

  return {
    row: {
      tracking_code: generateTrackingCode(),
      type: input.type ?? null,
      category_id: category?.id ?? null,
      description,
      channel: input.channel,
      received_at: receivedAt,
      reporter_id: null,
      privacy,
      oversight,
      district_code: location.districtCode,
      village_code: location.villageCode,
      latitude: input.latitude ?? null,
      longitude: input.longitude ?? null,
      agency_id: category?.agency_id ?? null,
      complexity,
      external_source: input.externalSource ?? null,
      external_id: input.externalId ?? null,
      created_by_user_id: ctx.actor.kind === 'staff' ? ctx.actor.user.id : null,
      updated_at: now,
      next_due_at: nextDueAt(clocks),
      event_actor_kind: ctx.actor.kind,
      event_actor_user_id: ctx.actor.kind === 'staff' ? ctx.actor.user.id : null,
      event_data: eventData,
    },
    deadlines: deadlineRows(clocks),
    reporter: input.contactsVerified ? null : reporter,
  };
}

async function resolveLocation(db: Kysely<DB>, districtCode?: string, villageCode?: string) {
  if (!districtCode && !villageCode) return { districtCode: null, villageCode: null };
  if (villageCode) {
    const villageDistrictCode = await villageDistrict(db, villageCode);
    if (!villageDistrictCode) throw invalid('villageCode', `village "${villageCode}" does not exist`, 'error.village_unknown', { code: villageCode });
    if (districtCode && villageDistrictCode !== districtCode) {
      throw invalid('villageCode', `village "${villageCode}" is not in district "${districtCode}"`, 'error.village_not_in_district');
    }
    return { districtCode: villageDistrictCode, villageCode };
  }
  if (!(await districtExists(db, districtCode!))) {
    throw invalid('districtCode', `district "${districtCode}" does not exist`, 'error.district_unknown', { code: districtCode! });
  }
  return { districtCode: districtCode!, villageCode: null };
}

function checkCoordinates(latitude?: number, longitude?: number): void {
  if ((latitude === undefined) !== (longitude === undefined)) {
    throw invalid('latitude', 'give both latitude and longitude, or neither', 'error.coordinates_incomplete');
  }
  if (latitude === undefined || longitude === undefined) return;
  if (!(latitude >= -90 && latitude <= 90) || !(longitude >= -180 && longitude <= 180)) {
    throw invalid('latitude', 'coordinates are out of range', 'error.coordinates_invalid');
  }
}

/** Stores attachments after checking type and size and removing image metadata. */
export async function storeAttachments(trx: Tx, complaintId: number, eventId: number, uploads: AttachmentUpload[]): Promise<void> {
  if (uploads.length > MAX_ATTACHMENTS) {
    throw invalid('attachments', `at most ${MAX_ATTACHMENTS} files per message`, 'error.attachment_too_many', { max: MAX_ATTACHMENTS });
  }
  for (const upload of uploads) {
    let prepared;
    try {
      prepared = prepareAttachment(upload.content);
    } catch (error) {
      if (error instanceof AttachmentError) {
        // The message names the file, because a citizen who sent several must find the one to replace.
        throw new CommandError('invalid', `${upload.fileName}: ${error.message}`, `error.attachment_file_${error.reason}`, { file: sanitizeFileName(upload.fileName) }, 'attachments');
      }
      throw error;
    }
    await trx
      .insertInto('attachments')
      .values({
        complaint_id: complaintId,
        event_id: eventId,
        file_name: sanitizeFileName(upload.fileName),
        mime_type: prepared.mimeType,
        size_bytes: prepared.content.length,
        sha256: createHash('sha256').update(prepared.content).digest('hex'),
        content: prepared.content,
      })
      .execute();
  }
}

function sanitizeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? 'file';
  const cleaned = base.replace(/[^\p{L}\p{N}._ -]/gu, '_').slice(0, 120);
  return cleaned || 'file';
}
