/**
 * Receives a new report from any channel: validates it, records the reporter
 * and attachments, and writes the `received` event, all in one transaction.
 */
import { createHash } from 'node:crypto';
import type { Channel, ComplaintType, Privacy } from '../domain/types.ts';
import { generateTrackingCode } from '../domain/tracking-code.ts';
import { AttachmentError, MAX_ATTACHMENTS, prepareAttachment } from '../domain/images.ts';
import type { Complaint } from '../db/schema.ts';
import { appendEvent, requireText, type CommandContext, type Tx } from './context.ts';
import { CommandError, invalid } from './errors.ts';
import { resolveReporter, type ContactInput } from './reporters.ts';
import { refreshDeadlines } from './deadlines.ts';

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
}

export async function receiveComplaint(ctx: CommandContext, input: ReceiveInput): Promise<ReceiveResult> {
  const now = ctx.now ?? new Date();
  return ctx.db.transaction().execute((trx) => receiveInTransaction(trx, ctx, input, now));
}

export async function receiveInTransaction(trx: Tx, ctx: CommandContext, input: ReceiveInput, now: Date): Promise<ReceiveResult> {
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

  if (input.externalSource && input.externalId) {
    const existing = await trx
      .selectFrom('complaints')
      .selectAll()
      .where('external_source', '=', input.externalSource)
      .where('external_id', '=', input.externalId)
      .executeTakeFirst();
    if (existing) return { complaint: existing, created: false };
  }

  const category = input.categoryCode
    ? await trx.selectFrom('categories').selectAll().where('code', '=', input.categoryCode).where('active', '=', true).executeTakeFirst()
    : undefined;
  if (input.categoryCode && !category) {
    throw invalid('categoryCode', `category "${input.categoryCode}" does not exist`, 'error.category_unknown', { code: input.categoryCode });
  }
  const location = await resolveLocation(trx, input.districtCode, input.villageCode);
  checkCoordinates(input.latitude, input.longitude);

  const contacts: ContactInput[] = [...(input.reporter?.contacts ?? [])];
  if (input.reporter?.phone?.trim()) contacts.push({ kind: 'phone', value: input.reporter.phone });
  if (input.reporter?.email?.trim()) contacts.push({ kind: 'email', value: input.reporter.email });
  const reporterId = await resolveReporter(trx, input.reporter?.name, contacts, { verified: input.contactsVerified ?? false });

  const oversight = category?.oversight ?? false;
  // Reports about misconduct are always confidential, whatever was chosen.
  const privacy: Privacy = oversight ? 'confidential' : (input.privacy ?? 'anonymous');

  const complaint = await trx
    .insertInto('complaints')
    .values({
      tracking_code: generateTrackingCode(),
      type: input.type ?? null,
      category_id: category?.id ?? null,
      description,
      channel: input.channel,
      received_at: receivedAt,
      reporter_id: reporterId,
      privacy,
      oversight,
      district_code: location.districtCode,
      village_code: location.villageCode,
      latitude: input.latitude ?? null,
      longitude: input.longitude ?? null,
      agency_id: category?.agency_id ?? null,
      complexity: category?.complexity ?? null,
      external_source: input.externalSource ?? null,
      external_id: input.externalId ?? null,
      created_by_user_id: ctx.actor.kind === 'staff' ? ctx.actor.user.id : null,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();

  const eventId = await appendEvent(
    trx,
    complaint.id,
    ctx.actor,
    {
      type: 'received',
      at: receivedAt,
      visibility: 'public',
      data: { channel: input.channel, ...(input.eventData ?? {}) },
    },
    now,
  );
  await storeAttachments(trx, complaint.id, eventId, input.attachments ?? []);
  await refreshDeadlines(trx, complaint, now);
  return { complaint, created: true };
}

async function resolveLocation(trx: Tx, districtCode?: string, villageCode?: string) {
  if (!districtCode && !villageCode) return { districtCode: null, villageCode: null };
  if (villageCode) {
    const village = await trx.selectFrom('villages').selectAll().where('code', '=', villageCode).executeTakeFirst();
    if (!village) throw invalid('villageCode', `village "${villageCode}" does not exist`, 'error.village_unknown', { code: villageCode });
    if (districtCode && village.district_code !== districtCode) {
      throw invalid('villageCode', `village "${villageCode}" is not in district "${districtCode}"`, 'error.village_not_in_district');
    }
    return { districtCode: village.district_code, villageCode: village.code };
  }
  const district = await trx.selectFrom('districts').select('code').where('code', '=', districtCode!).executeTakeFirst();
  if (!district) throw invalid('districtCode', `district "${districtCode}" does not exist`, 'error.district_unknown', { code: districtCode! });
  return { districtCode: district.code, villageCode: null };
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
        throw new CommandError('invalid', `${upload.fileName}: ${error.message}`, `error.attachment_${error.reason}`, {}, 'attachments');
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
