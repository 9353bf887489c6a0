/** `aduan deadlines recompute` finishes a recompute that a calendar change queued, in its own process. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { prepareDatabase } from '../../src/bootstrap.ts';
import { receiveComplaint } from '../../src/commands/receive-complaint.ts';
import { recomputeAfterCalendarChange, recomputeSettings } from '../../src/commands/recompute-deadlines.ts';
import { addCalendarDays, wibDate } from '../../src/domain/time.ts';
import { runAduan } from '../support/cli.ts';

let dataDir: string;

before(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aduan-cli-deadlines-'));
});
after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

function aduan(args: string[]) {
  return runAduan(args, { dataDir });
}

test('deadlines recompute finishes a queued run', async () => {
  const now = new Date();
  // A report and a holiday two days later: too big for the request when the inline limit is 0.
  let database = await prepareDatabase({ dataDir });
  const inlineLimit = recomputeSettings.inlineLimit;
  recomputeSettings.inlineLimit = 0;
  try {
    await receiveComplaint({ db: database.db, actor: { kind: 'citizen' }, now }, {
      type: 'pengaduan', description: 'Jembatan kayu di dusun Ngemplak lapuk dan berbahaya.', channel: 'web',
    });
    const holiday = addCalendarDays(wibDate(now), 2);
    const run = await recomputeAfterCalendarChange(database.db, { reason: 'holiday_added', changedFrom: holiday, changedTo: holiday, now }, async (trx) => {
      await trx.insertInto('holidays').values({ date: holiday, kind: 'national', name: 'Libur uji', basis: null, note: null }).execute();
    });
    assert.notEqual(run.status, 'done', 'the run waits for the job or the command');
  } finally {
    recomputeSettings.inlineLimit = inlineLimit;
    await database.close();
  }

  const first = await aduan(['deadlines', 'recompute']);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /Finished 1 deadline recompute run/);
  const second = await aduan(['deadlines', 'recompute']);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /No deadline recompute was waiting/);

  database = await prepareDatabase({ dataDir });
  try {
    const runs = await sql<{ status: string }>`SELECT status FROM deadline_recomputes`.execute(database.db);
    assert.deepEqual(runs.rows.map((row) => row.status), ['done']);
  } finally {
    await database.close();
  }
});
