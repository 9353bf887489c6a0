/**
 * The deadline scan, run every minute by pg-boss: records each missed
 * deadline once as a `deadline_breached` event (the escalation record), a
 * `reminder_sent` event once a deadline is less than REMINDER_HOURS away,
 * and closes resolved reports whose auto-close period passed without a
 * reply from the citizen.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { appendEvent } from '../commands/context.ts';
import { autoCloseComplaint } from '../commands/close-complaint.ts';
import { CommandError } from '../commands/errors.ts';
import { logger } from '../logger.ts';

export const REMINDER_HOURS = 24;
// Rows handled per scan and kind; the next scan, a minute later, takes the rest.
const SCAN_LIMIT = 500;

export interface ScanResult {
  breaches: number;
  reminders: number;
  autoClosed: number;
}

export async function scanDeadlines(db: Kysely<DB>, now = new Date()): Promise<ScanResult> {
  const result: ScanResult = { breaches: 0, reminders: 0, autoClosed: 0 };
  const system = { kind: 'system' as const, reason: 'deadline_scan' };

  const breached = await db
    .selectFrom('complaint_deadlines')
    .select(['complaint_id', 'clock', 'due_date', 'due_at'])
    .where('status', 'in', ['running', 'breached'])
    .where('stopped_at', 'is', null)
    .where('clock', '!=', 'auto_close')
    .where('due_at', '<', now)
    .where('breach_recorded', '=', false)
    .limit(SCAN_LIMIT)
    .execute();
  for (const row of breached) {
    await db.transaction().execute(async (trx) => {
      // Claim the row first, so that two processes scanning at once record the breach once.
      const claimed = await trx
        .updateTable('complaint_deadlines')
        .set({ breach_recorded: true, status: 'breached' })
        .where('complaint_id', '=', row.complaint_id)
        .where('clock', '=', row.clock)
        .where('breach_recorded', '=', false)
        .where('due_at', '=', row.due_at!)
        .returning('complaint_id')
        .executeTakeFirst();
      if (!claimed) return;
      await appendEvent(trx, row.complaint_id, system, {
        type: 'deadline_breached',
        data: { clock: row.clock, dueDate: row.due_date, escalatedTo: ['agency_head', 'complaint_officer'] },
      }, now);
      result.breaches += 1;
    });
  }

  const dueSoon = await db
    .selectFrom('complaint_deadlines')
    .select(['complaint_id', 'clock', 'due_date', 'due_at'])
    .where('status', '=', 'running')
    .where('clock', '!=', 'auto_close')
    .where('reminder_sent', '=', false)
    .where('due_at', '>=', now)
    .where('due_at', '<', new Date(now.getTime() + REMINDER_HOURS * 3_600_000))
    .limit(SCAN_LIMIT)
    .execute();
  for (const row of dueSoon) {
    await db.transaction().execute(async (trx) => {
      const claimed = await trx
        .updateTable('complaint_deadlines')
        .set({ reminder_sent: true })
        .where('complaint_id', '=', row.complaint_id)
        .where('clock', '=', row.clock)
        .where('reminder_sent', '=', false)
        .returning('complaint_id')
        .executeTakeFirst();
      if (!claimed) return;
      await appendEvent(trx, row.complaint_id, system, { type: 'reminder_sent', data: { clock: row.clock, dueDate: row.due_date } }, now);
      result.reminders += 1;
    });
  }

  const toClose = await db
    .selectFrom('complaint_deadlines as d')
    .innerJoin('complaints as c', 'c.id', 'd.complaint_id')
    .select('d.complaint_id')
    .where('d.clock', '=', 'auto_close')
    .where('d.stopped_at', 'is', null)
    .where('d.due_at', '<', now)
    .where('c.status', '=', 'resolved')
    .where(sql<boolean>`d.status in ('running', 'breached')`)
    .limit(SCAN_LIMIT)
    .execute();
  for (const row of toClose) {
    try {
      await autoCloseComplaint({ db, actor: system, now }, row.complaint_id);
      result.autoClosed += 1;
    } catch (error) {
      // Another process closed it, or the citizen replied in between.
      if (!(error instanceof CommandError)) throw error;
      logger.info({ complaintId: row.complaint_id, code: error.code }, 'auto-close skipped');
    }
  }
  if (result.breaches || result.reminders || result.autoClosed) logger.info(result, 'deadline scan');
  return result;
}
