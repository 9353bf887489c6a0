/**
 * Runs the current image metadata removal again on attachments stored by an
 * earlier one (`metadata_pass` below METADATA_PASS). The removal before
 * pass 2 kept everything after a JPEG's first scan, so a picture or video
 * appended to a photo kept its own EXIF and GPS data.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { AttachmentError, stripImageMetadata } from '../domain/images.ts';
import { logger } from '../logger.ts';

/** The removal new attachments go through; the column's default (migrations/0019). */
export const METADATA_PASS = 2;
/** Attachments read per run; a file is at most 5 MB, so a run reads at most 50 MB. */
const BATCH = 10;

export interface MetadataPassResult {
  checked: number;
  /** Attachments whose stored bytes changed. */
  changed: number;
  /** Attachments the current removal could not read; they are left as they were and not tried again. */
  unreadable: number;
}

/**
 * Runs the current removal on up to BATCH attachments of an earlier pass
 * and records the pass on each, so that every attachment is handled once.
 * PDF documents carry no image metadata and are only marked.
 */
export async function runMetadataPass(db: Kysely<DB>): Promise<MetadataPassResult> {
  const result: MetadataPassResult = { checked: 0, changed: 0, unreadable: 0 };
  const rows = await db
    .selectFrom('attachments')
    .select(['id', 'mime_type', 'content'])
    .where('metadata_pass', '<', METADATA_PASS)
    .orderBy('id')
    .limit(BATCH)
    .execute();
  for (const row of rows) {
    result.checked += 1;
    let content: Buffer | null = null;
    if (row.mime_type.startsWith('image/')) {
      try {
        const stripped = stripImageMetadata(row.content);
        if (!stripped.equals(row.content)) content = stripped;
      } catch (error) {
        if (!(error instanceof AttachmentError)) throw error;
        result.unreadable += 1;
        logger.warn({ attachmentId: row.id, reason: error.reason }, 'attachment metadata pass could not read the image; left as stored');
      }
    }
    const update = content === null
      ? { metadata_pass: METADATA_PASS }
      : { metadata_pass: METADATA_PASS, content, size_bytes: content.length, sha256: createHash('sha256').update(content).digest('hex') };
    // The condition on the pass makes a second process running at the same time skip the row.
    await db.updateTable('attachments').set(update).where('id', '=', row.id).where('metadata_pass', '<', METADATA_PASS).execute();
    if (content !== null) result.changed += 1;
  }
  if (result.changed > 0 || result.unreadable > 0) logger.info(result, 'attachment metadata pass');
  return result;
}
