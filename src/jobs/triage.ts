/**
 * The triage jobs.
 *
 * `triage-score` runs every minute: it trains the seed models on a fresh
 * instance, retrains when an administrator asked for it, and then scores
 * and classifies new reports that have not been triaged by the active
 * models. Reports are committed before the job sees them, so scoring never
 * slows intake; a report that fails to score stays in the normal inbox and
 * is retried up to MAX_SCORING_ATTEMPTS times.
 *
 * The same run then searches the reports that arrived since the last run
 * for duplicates and stores the proposals (`runDuplicateSearches`), so the
 * case page reads them instead of searching.
 *
 * `triage-retrain` runs nightly at 01:30 WIB and retrains every kind on the
 * decisions officers made so far. A retrain on unchanged data yields the
 * same version and activates nothing new.
 */
import { sql, type Kysely } from 'kysely';
import type PgBoss from 'pg-boss';
import type { DB, TriageKind } from '../db/schema.ts';
import {
  activeModelVersions, loadActiveModels, MAX_SCORING_ATTEMPTS, recordScoringFailure, releaseModelCache, triageComplaint,
} from '../commands/triage-complaint.ts';
import { runDuplicateSearches } from '../commands/search-duplicates.ts';
import { claimRetrainRequest, ensureTriageModels, retrainTriage, type RetrainOutcome } from '../commands/retrain-triage.ts';
import { readTriageSettings } from '../queries/triage.ts';
import { logger } from '../logger.ts';

export const TRIAGE_SCORE_QUEUE = 'triage-score';
export const TRIAGE_RETRAIN_QUEUE = 'triage-retrain';
/** Cron of the nightly retrain, in Asia/Jakarta time: a quiet hour. */
export const RETRAIN_CRON = '30 1 * * *';
/** Reports scored per run; the next run, a minute later, takes the rest. */
const SCORE_BATCH = 200;
/** Consecutive runs (one a minute) with nothing to score after which the parsed models are dropped from memory. */
export const IDLE_RUNS_BEFORE_RELEASE = 10;
let idleRuns = 0;

export interface ScoringRunResult {
  /** Retrain outcomes of this run (seed bootstrap or a requested retrain). */
  retrained: RetrainOutcome[];
  triaged: number;
  lowPriority: number;
  failed: number;
}

/**
 * Runs one scoring pass: bootstrap or requested retrain, then up to
 * SCORE_BATCH new reports.
 *
 * @example
 * const result = await runTriageScoring(db);
 * // → { retrained: [], triaged: 3, lowPriority: 1, failed: 0 }
 */
export async function runTriageScoring(db: Kysely<DB>, now = new Date()): Promise<ScoringRunResult> {
  const retrained: RetrainOutcome[] = [];
  retrained.push(...(await ensureTriageModels(db, { now })));
  if (await claimRetrainRequest(db)) retrained.push(...(await retrainTriage(db, { now })));

  const result: ScoringRunResult = { retrained, triaged: 0, lowPriority: 0, failed: 0 };
  // Most runs find nothing to score. Asking with the active versions first
  // keeps the models out of memory until a report needs them, and a server
  // that stays idle for IDLE_RUNS_BEFORE_RELEASE runs lets them go again.
  const active = await activeModelVersions(db);
  let pending = await pendingComplaintIds(db, active);
  if (pending.length === 0) {
    idleRuns += 1;
    if (idleRuns >= IDLE_RUNS_BEFORE_RELEASE) releaseModelCache();
    return result;
  }
  idleRuns = 0;
  const models = await loadActiveModels(db);
  const settings = await readTriageSettings(db);
  if (Object.keys(models).length === 0) return result;
  // A stored model that cannot be parsed is left out of `models`; its kind must not keep reports pending.
  if (Object.keys(models).length < Object.keys(active).length) {
    pending = await pendingComplaintIds(db, Object.fromEntries(Object.entries(models).map(([kind, model]) => [kind, model.version])));
  }

  for (const complaintId of pending) {
    try {
      const outcome = await triageComplaint(db, complaintId, { now, models, threshold: settings.relevance_threshold });
      if (outcome.suggested.length > 0) result.triaged += 1;
      if (outcome.relevance?.queue === 'low_priority') result.lowPriority += 1;
    } catch (error) {
      result.failed += 1;
      logger.error({ err: error, complaintId }, 'triage of a complaint failed; it stays in the normal inbox');
      await recordScoringFailure(db, complaintId, error, settings.relevance_threshold).catch((recordError: unknown) =>
        logger.error({ err: recordError, complaintId }, 'recording a triage failure failed'),
      );
    }
  }
  if (result.triaged || result.failed || retrained.length) {
    logger.info({ triaged: result.triaged, lowPriority: result.lowPriority, failed: result.failed, retrained: retrained.length }, 'triage run');
  }
  return result;
}

/**
 * New reports that were never scored, or lack a suggestion from an active
 * classification model, oldest first, skipping those that failed
 * MAX_SCORING_ATTEMPTS times.
 */
async function pendingComplaintIds(db: Kysely<DB>, active: Partial<Record<TriageKind, string>>): Promise<number[]> {
  const versions = (['type', 'category', 'agency'] as const)
    .map((kind) => active[kind] && { kind, version: active[kind] })
    .filter((entry): entry is { kind: 'type' | 'category' | 'agency'; version: string } => Boolean(entry));
  const missingSuggestion = versions.length === 0
    ? sql<boolean>`false`
    : sql<boolean>`(${sql.join(versions.map((entry) => sql`not exists (
        select 1 from triage_suggestions s
        where s.complaint_id = c.id and s.kind = ${entry.kind} and s.model_version = ${entry.version})`), sql` or `)})`;
  const neverScored = active.relevance ? sql<boolean>`(t.scored_at is null)` : sql<boolean>`false`;
  const rows = await sql<{ id: number }>`
    select c.id
    from complaints c
    left join complaint_triage t on t.complaint_id = c.id
    where c.status = 'new'
      and coalesce(t.attempts, 0) < ${MAX_SCORING_ATTEMPTS}
      and (${neverScored} or ${missingSuggestion})
    order by c.id
    limit ${SCORE_BATCH}
  `.execute(db);
  return rows.rows.map((row) => Number(row.id));
}

/**
 * Registers both queues, their schedules and workers.
 *
 * @example
 * await startTriageJobs(boss, db);
 */
export async function startTriageJobs(boss: PgBoss, db: Kysely<DB>): Promise<void> {
  await boss.createQueue(TRIAGE_SCORE_QUEUE);
  await boss.schedule(TRIAGE_SCORE_QUEUE, '* * * * *', {}, { tz: 'Asia/Jakarta' });
  await boss.work(TRIAGE_SCORE_QUEUE, async () => {
    await runTriageScoring(db);
    await runDuplicateSearches(db);
  });

  await boss.createQueue(TRIAGE_RETRAIN_QUEUE);
  await boss.schedule(TRIAGE_RETRAIN_QUEUE, RETRAIN_CRON, {}, { tz: 'Asia/Jakarta' });
  await boss.work(TRIAGE_RETRAIN_QUEUE, async () => {
    await retrainTriage(db);
  });
}
