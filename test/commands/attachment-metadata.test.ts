/**
 * The metadata pass over attachments stored by an earlier removal: an
 * appended picture with GPS is cut off, unreadable images and PDF documents
 * are marked and kept as stored, and new uploads need no pass.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../support/db.ts';
import { receiveComplaint } from '../../src/commands/receive-complaint.ts';
import { METADATA_PASS, runMetadataPass } from '../../src/commands/attachment-metadata.ts';

function segment(marker: number, payload: Buffer): Buffer {
  const header = Buffer.from([0xff, marker, 0, 0]);
  header.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([header, payload]);
}

/** Returns a small JPEG whose EXIF segment contains a made-up position. */
function jpeg(label: string): Buffer {
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    segment(0xe1, Buffer.from(`Exif\0\0GPSLatitude -7.59 ${label}`)),
    segment(0xdb, Buffer.alloc(65, 1)),
    segment(0xda, Buffer.from([1, 1, 0, 0, 0x3f, 0])),
    Buffer.from([0x12, 0x34, 0xff, 0x00, 0x56, 0xff, 0xd9]),
  ]);
}

for (const backend of BACKENDS) {
  describe(`attachment metadata pass on ${backend}`, () => {
    let database: TestDatabase;
    before(async () => {
      database = await createTestDatabase(backend);
    });
    after(async () => database?.dispose());

    async function storedAttachment(content: Buffer, mimeType: string): Promise<number> {
      const { complaint } = await receiveComplaint({ db: database.db, actor: { kind: 'citizen' } }, {
        type: 'pengaduan', description: 'Foto jalan berlubang di depan sekolah dasar.', channel: 'web',
      });
      const row = await database.db.insertInto('attachments').values({
        complaint_id: complaint.id, event_id: null, file_name: 'foto.jpg', mime_type: mimeType, size_bytes: content.length,
        sha256: createHash('sha256').update(content).digest('hex'), content, metadata_pass: 1,
      }).returning('id').executeTakeFirstOrThrow();
      return row.id;
    }

    test('earlier attachments cleaned once', async () => {
      // The first picture as the old removal stored it, with a second picture appended.
      const firstOnly = Buffer.concat([Buffer.from([0xff, 0xd8]), jpeg('first').subarray(2 + 4 + 'Exif\0\0GPSLatitude -7.59 first'.length)]);
      const appended = await storedAttachment(Buffer.concat([firstOnly, jpeg('Warga Uji')]), 'image/jpeg');
      const unreadable = await storedAttachment(Buffer.from([0xff, 0xd8, 0x00, 0x01, 0x02]), 'image/jpeg');
      const pdf = await storedAttachment(Buffer.from('%PDF-1.7\nWarga Uji'), 'application/pdf');

      const result = await runMetadataPass(database.db);

      assert.deepEqual(result, { checked: 3, changed: 1, unreadable: 1 });
      const rows = await database.db.selectFrom('attachments').selectAll().where('id', 'in', [appended, unreadable, pdf]).orderBy('id').execute();
      const [cleaned, kept, document] = rows;
      assert.equal(cleaned!.content.includes(Buffer.from('Warga Uji')), false, 'the appended picture is gone');
      assert.deepEqual(cleaned!.content, firstOnly);
      assert.equal(cleaned!.size_bytes, firstOnly.length);
      assert.equal(cleaned!.sha256, createHash('sha256').update(firstOnly).digest('hex'));
      assert.deepEqual(kept!.content, Buffer.from([0xff, 0xd8, 0x00, 0x01, 0x02]), 'an unreadable image is kept as stored');
      assert.ok(document!.content.includes(Buffer.from('Warga Uji')), 'a PDF is not changed');
      assert.deepEqual(rows.map((row) => row.metadata_pass), [METADATA_PASS, METADATA_PASS, METADATA_PASS]);

      assert.deepEqual(await runMetadataPass(database.db), { checked: 0, changed: 0, unreadable: 0 }, 'nothing is read twice');
    });

    test('new uploads need no pass', async () => {
      const { complaint } = await receiveComplaint({ db: database.db, actor: { kind: 'citizen' } }, {
        type: 'pengaduan', description: 'Foto saluran air tersumbat di gang masjid.', channel: 'web',
        attachments: [{ fileName: 'saluran.jpg', content: jpeg('new') }],
      });
      const row = await database.db.selectFrom('attachments').select(['metadata_pass', 'content']).where('complaint_id', '=', complaint.id).executeTakeFirstOrThrow();
      assert.equal(row.metadata_pass, METADATA_PASS);
      assert.equal(row.content.includes(Buffer.from('GPSLatitude')), false);
    });
  });
}
