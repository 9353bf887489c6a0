/** `aduan attachments strip-metadata` runs the metadata pass to the end in its own process, for servers run with JOBS=off. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { prepareDatabase } from '../../src/bootstrap.ts';
import { receiveComplaint } from '../../src/commands/receive-complaint.ts';
import { METADATA_PASS } from '../../src/commands/attachment-metadata.ts';
import { runAduan } from '../support/cli.ts';

let dataDir: string;

before(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aduan-cli-attachments-'));
});
after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

/** Builds a small picture followed by a second one with a made-up GPS comment in its EXIF segment. */
function appendedPicture(index: number): Buffer {
  const exif = Buffer.from(`Exif\0\0GPSLatitude -7.59 Warga Uji ${index}`);
  const app1 = Buffer.concat([Buffer.from([0xff, 0xe1, 0, 0]), exif]);
  app1.writeUInt16BE(exif.length + 2, 2);
  const picture = Buffer.concat([
    Buffer.from([0xff, 0xd8]), app1,
    Buffer.from([0xff, 0xda, 0, 8, 1, 1, 0, 0, 0x3f, 0, 0x12, 0x34, 0xff, 0xd9]),
  ]);
  const first = Buffer.from([0xff, 0xd8, 0xff, 0xda, 0, 8, 1, 1, 0, 0, 0x3f, 0, 0x56, 0x78, 0xff, 0xd9]);
  return Buffer.concat([first, picture]);
}

test('attachments strip-metadata cleans every waiting attachment', async () => {
  let database = await prepareDatabase({ dataDir });
  try {
    const { complaint } = await receiveComplaint({ db: database.db, actor: { kind: 'citizen' } }, {
      type: 'pengaduan', description: 'Foto jalan berlubang di depan balai desa.', channel: 'web',
    });
    // More than one run's batch, so that the command has to loop.
    for (let index = 0; index < 12; index += 1) {
      const content = appendedPicture(index);
      await database.db.insertInto('attachments').values({
        complaint_id: complaint.id, event_id: null, file_name: `foto-${index}.jpg`, mime_type: 'image/jpeg', size_bytes: content.length,
        sha256: createHash('sha256').update(content).digest('hex'), content, metadata_pass: 1,
      }).execute();
    }
  } finally {
    await database.close();
  }

  const first = await runAduan(['attachments', 'strip-metadata'], { dataDir });
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /Checked 12 attachment\(s\): 12 changed, 0 unreadable/);
  const second = await runAduan(['attachments', 'strip-metadata'], { dataDir });
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /No attachment was waiting/);

  database = await prepareDatabase({ dataDir });
  try {
    const rows = await database.db.selectFrom('attachments').select(['content', 'metadata_pass']).execute();
    assert.equal(rows.length, 12);
    for (const row of rows) {
      assert.equal(row.metadata_pass, METADATA_PASS);
      assert.equal(row.content.includes(Buffer.from('Warga Uji')), false, 'the appended picture and its GPS comment are gone');
    }
  } finally {
    await database.close();
  }
});
