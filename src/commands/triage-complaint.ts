/**
 * Scores and classifies an incoming report with the active triage models
 * and stores the result; sweeps the low-priority queue; records a dismissed
 * duplicate proposal.
 *
 * Scoring runs after the report's intake transaction has committed, in the
 * triage job or on the case page for a report the job has not reached yet.
 * So it never slows intake, and a scoring failure leaves the report in the
 * normal inbox.
 *
 * A report whose complaint-or-not score is below the threshold goes to the
 * low-priority queue, unless staff typed it in (walk-in, phone, import).
 * Nothing is deleted: an officer archives it as not a report or moves it
 * back to the inbox.
 */
import type { Kysely } from 'kysely';
import type { Complaint, DB, StoredRankedLabel, TriageKind, TriageQueue } from '../db/schema.ts';
import type { Channel } from '../domain/types.ts';
import { explain, parseModel, predict, type TriageModel } from '../domain/triage/index.ts';
import { SIMILARITY_STOP_WORDS } from '../domain/triage/similarity.ts';
import { CLASSIFICATION_KINDS, readTriageSettings, RELEVANCE_REPORT } from '../queries/triage.ts';
import { logger } from '../logger.ts';
import { appendEvent, authorize, authorizeTransition, changeComplaint, lockComplaint, type Actor, type CommandContext } from './context.ts';
import { CommandError, invalid } from './errors.ts';

/** Channels on which staff enter reports themselves; their reports never go to the low-priority queue. */
export const STAFF_ENTERED_CHANNELS: readonly Channel[] = ['walk_in', 'phone', 'import'];
/** Labels kept per suggestion. */
export const SUGGESTION_TOP = 3;
/** Words kept per suggested label. */
export const TERMS_PER_LABEL = 5;
/** Terms asked of `explain` per label, before function words are dropped. */
const EXPLAIN_CANDIDATES = 15;
/** Failed scoring attempts after which the job stops retrying a report. */
export const MAX_SCORING_ATTEMPTS = 3;
/** Maximum length of a stored scoring error, in characters. */
const MAX_ERROR_LENGTH = 500;

const TRIAGE_ACTOR: Actor = { kind: 'system', reason: 'triage' };

/** Placeholders that `tokenize` puts in place of personal data, URLs and mentions; never shown as explanation words. */
const PLACEHOLDER_TERM_RE = /^x[a-z]*token$/;

/** Active models by kind. */
export type ActiveModels = Partial<Record<TriageKind, TriageModel>>;

// Parsed models by version. A version is a content hash, so an entry is never
// stale; only versions that are active somewhere are kept.
const modelCache = new Map<string, TriageModel>();

/** Active model versions by kind, without loading the models themselves. */
export async function activeModelVersions(db: Kysely<DB>): Promise<Partial<Record<TriageKind, string>>> {
  const rows = await db.selectFrom('triage_models').select(['kind', 'version']).where('active', '=', true).execute();
  return Object.fromEntries(rows.map((row) => [row.kind, row.version]));
}

/**
 * Drops every parsed model from this process's cache. The next
 * `loadActiveModels` parses them again from the database. A model trained
 * on a large instance takes tens of MiB, which an idle server should not
 * keep (docs/benchmarks.md, Memory).
 */
export function releaseModelCache(): void {
  modelCache.clear();
}

/** Parsed models this process holds; for tests and diagnostics. */
export function cachedModelCount(): number {
  return modelCache.size;
}

/**
 * Loads the active model of each kind, parsing a version only the first
 * time this process loads it. A kind whose stored model cannot be parsed is
 * left out (and logged).
 *
 * @example
 * const models = await loadActiveModels(db);
 * models.relevance?.version // → 'sr-1a2b…'
 */
export async function loadActiveModels(db: Kysely<DB>): Promise<ActiveModels> {
  const active = await db.selectFrom('triage_models').select(['id', 'kind', 'version']).where('active', '=', true).execute();
  const models: ActiveModels = {};
  for (const row of active) {
    const key = `${row.kind}:${row.version}`;
    let model = modelCache.get(key);
    if (!model) {
      const stored = await db.selectFrom('triage_models').select('model').where('id', '=', row.id).executeTakeFirstOrThrow();
      try {
        model = parseModel(stored.model);
      } catch (error) {
        // A broken model must not stop intake triage of the other kinds; this kind makes no suggestions until retrained.
        logger.error({ err: error, kind: row.kind, version: row.version }, 'stored triage model cannot be loaded; retrain to replace it');
        continue;
      }
      modelCache.set(key, model);
    }
    models[row.kind] = model;
  }
  const keep = new Set(active.map((row) => `${row.kind}:${row.version}`));
  for (const key of modelCache.keys()) if (!keep.has(key)) modelCache.delete(key);
  return models;
}

/**
 * Ranks the labels of `text` and keeps the best `top`, each with the words
 * that raised it most. With `contentWordsOnly`, function words and greetings
 * ("yang", "sudah", "selamat") are left out of the explanation. They carry
 * no information about a category or agency, although they are exactly what
 * marks a greeting as noise.
 *
 * @example
 * rankWithTerms(model, 'lampu jalan mati', { contentWordsOnly: true })
 * // → [{ label: 'penerangan-jalan', score: 0.81, terms: [{ term: 'lampu', weight: 0.9 }, …] }, …]
 */
export function rankWithTerms(
  model: TriageModel, text: string, options: { top?: number; contentWordsOnly?: boolean } = {},
): StoredRankedLabel[] {
  const keep = (term: string) => !PLACEHOLDER_TERM_RE.test(term)
    && !(options.contentWordsOnly && (SIMILARITY_STOP_WORDS.has(term) || /^\d+$/.test(term)));
  return predict(model, text).slice(0, options.top ?? SUGGESTION_TOP).map((suggestion) => ({
    label: suggestion.label,
    score: suggestion.score,
    terms: explain(model, text, suggestion.label, EXPLAIN_CANDIDATES).filter((term) => keep(term.term)).slice(0, TERMS_PER_LABEL),
  }));
}

export interface TriageOptions {
  now?: Date;
  /** Active models; loaded when absent. */
  models?: ActiveModels;
  /** Low-priority threshold; read from the settings when absent. */
  threshold?: number;
}

export interface TriageResult {
  complaintId: number;
  /** The complaint-or-not score stored by this call; absent when it was stored before or no relevance model is active. */
  relevance?: { score: number; queue: TriageQueue; modelVersion: string };
  /** Kinds whose suggestion this call stored. */
  suggested: TriageKind[];
  /** Set when nothing was done: the complaint does not exist or is no longer new. */
  skipped?: 'not_found' | 'not_new';
}

/**
 * Scores a new report once and stores one suggestion per kind for each
 * active model version that has not made one for it yet. Calling it again
 * stores nothing twice.
 *
 * @example
 * await triageComplaint(db, complaint.id);
 * // → { complaintId: 7, relevance: { score: 0.93, queue: 'normal', modelVersion: 'sr-…' }, suggested: ['type', 'category', 'agency'] }
 */
export async function triageComplaint(db: Kysely<DB>, complaintId: number, options: TriageOptions = {}): Promise<TriageResult> {
  const now = options.now ?? new Date();
  const result: TriageResult = { complaintId, suggested: [] };
  const complaint = await db.selectFrom('complaints').selectAll().where('id', '=', complaintId).executeTakeFirst();
  if (!complaint) return { ...result, skipped: 'not_found' };
  if (complaint.status !== 'new') return { ...result, skipped: 'not_new' };

  const models = options.models ?? (await loadActiveModels(db));
  const relevanceModel = models.relevance;
  if (relevanceModel) {
    const threshold = options.threshold ?? (await readTriageSettings(db)).relevance_threshold;
    const relevance = await scoreRelevance(db, complaint, relevanceModel, threshold, now);
    if (relevance) {
      result.relevance = relevance;
      result.suggested.push('relevance');
    }
  }

  const stored = await db
    .selectFrom('triage_suggestions')
    .select(['kind', 'model_version'])
    .where('complaint_id', '=', complaintId)
    .execute();
  for (const kind of CLASSIFICATION_KINDS) {
    const model = models[kind];
    if (!model || stored.some((row) => row.kind === kind && row.model_version === model.version)) continue;
    if (await storeSuggestion(db, complaintId, kind, model, rankWithTerms(model, complaint.description, { contentWordsOnly: true }), now)) result.suggested.push(kind);
  }
  return result;
}

/** Scores relevance and picks the queue, once per report; returns undefined when the report was scored before. */
async function scoreRelevance(
  db: Kysely<DB>, complaint: Complaint, model: TriageModel, threshold: number, now: Date,
): Promise<TriageResult['relevance']> {
  const ranking = rankWithTerms(model, complaint.description, { top: model.labels.length });
  const score = ranking.find((entry) => entry.label === RELEVANCE_REPORT)?.score ?? 0;
  const staffEntered = complaint.created_by_user_id !== null || STAFF_ENTERED_CHANNELS.includes(complaint.channel);
  const queue: TriageQueue = !staffEntered && score < threshold ? 'low_priority' : 'normal';

  return db.transaction().execute(async (trx) => {
    const locked = await lockComplaint(trx, complaint.id);
    if (locked.status !== 'new') return undefined;
    const row = await trx
      .insertInto('complaint_triage')
      .values({ complaint_id: complaint.id, relevance_score: score, threshold, model_version: model.version, queue, scored_at: now })
      .onConflict((conflict) =>
        conflict.column('complaint_id').doUpdateSet({
          relevance_score: score, threshold, model_version: model.version, queue, scored_at: now, last_error: null,
        }).where('complaint_triage.scored_at', 'is', null),
      )
      .returning('complaint_id')
      .executeTakeFirst();
    if (!row) return undefined;

    await trx
      .insertInto('triage_suggestions')
      .values({
        complaint_id: complaint.id, kind: 'relevance', model_version: model.version, top_label: ranking[0].label,
        top_score: ranking[0].score, ranking: JSON.stringify(ranking), created_at: now,
      })
      .onConflict((conflict) => conflict.columns(['complaint_id', 'kind', 'model_version']).doNothing())
      .execute();
    if (queue === 'low_priority') {
      await appendEvent(trx, complaint.id, TRIAGE_ACTOR, {
        type: 'triage_low_priority',
        data: { score: Number(score.toFixed(4)), threshold, modelVersion: model.version },
      }, now);
    }
    return { score, queue, modelVersion: model.version };
  });
}

async function storeSuggestion(
  db: Kysely<DB>, complaintId: number, kind: TriageKind, model: TriageModel, ranking: StoredRankedLabel[], now: Date,
): Promise<boolean> {
  const inserted = await db
    .insertInto('triage_suggestions')
    .values({
      complaint_id: complaintId, kind, model_version: model.version, top_label: ranking[0].label, top_score: ranking[0].score,
      ranking: JSON.stringify(ranking), created_at: now,
    })
    .onConflict((conflict) => conflict.columns(['complaint_id', 'kind', 'model_version']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/**
 * Records a failed scoring attempt. The report stays in the normal inbox;
 * the job retries it until MAX_SCORING_ATTEMPTS.
 */
export async function recordScoringFailure(db: Kysely<DB>, complaintId: number, error: unknown, threshold: number): Promise<void> {
  const message = (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, MAX_ERROR_LENGTH);
  await db
    .insertInto('complaint_triage')
    .values({ complaint_id: complaintId, threshold, queue: 'normal', attempts: 1, last_error: message })
    .onConflict((conflict) =>
      conflict.column('complaint_id').doUpdateSet((eb) => ({ attempts: eb('complaint_triage.attempts', '+', 1), last_error: message })),
    )
    .execute();
}

// Sweeping the low-priority queue.

/** Actions an officer applies to the selected messages of the low-priority queue. */
export const SWEEP_ACTIONS = ['archive_not_report', 'archive_spam', 'restore'] as const;
export type SweepAction = (typeof SWEEP_ACTIONS)[number];

export interface SweepResult {
  /** Complaints the action was applied to. */
  done: number[];
  /** Complaints left as they were: no longer new or no longer in the queue (another officer was quicker), or not found. */
  skipped: number[];
}

/** Most complaints one sweep accepts: one page of the queue. */
export const MAX_SWEEP = 50;

/**
 * Applies one action to the selected messages of the low-priority queue,
 * each in its own transaction with its event: archive as not a report,
 * archive as spam, or move back to the normal inbox. Only the selected
 * complaints that are still new and still in the queue change.
 *
 * @example
 * await sweepLowPriority(ctx, { complaintIds: [12, 15], action: 'archive_not_report' });
 * // → { done: [12, 15], skipped: [] }
 */
export async function sweepLowPriority(ctx: CommandContext, input: { complaintIds: number[]; action: string }): Promise<SweepResult> {
  if (!(SWEEP_ACTIONS as readonly string[]).includes(input.action)) {
    throw invalid('action', `action must be one of ${SWEEP_ACTIONS.join(', ')}`, 'error.triage_sweep_action_invalid');
  }
  const action = input.action as SweepAction;
  const ids = [...new Set(input.complaintIds)];
  if (ids.length === 0) throw invalid('complaintId', 'select at least one message', 'error.triage_sweep_none_selected');
  if (ids.length > MAX_SWEEP) {
    throw invalid('complaintId', `select at most ${MAX_SWEEP} messages at once`, 'error.triage_sweep_too_many', { max: MAX_SWEEP });
  }
  if (ids.some((id) => !Number.isSafeInteger(id) || id <= 0)) {
    throw invalid('complaintId', 'complaint ids must be positive whole numbers', 'error.triage_sweep_none_selected');
  }

  const result: SweepResult = { done: [], skipped: [] };
  for (const id of ids) {
    try {
      await sweepOne(ctx, id, action);
      result.done.push(id);
    } catch (error) {
      if (error instanceof CommandError && (error.code === 'not_found' || error.code === 'conflict')) {
        result.skipped.push(id);
        continue;
      }
      throw error;
    }
  }
  logger.info({ action, done: result.done.length, skipped: result.skipped.length }, 'low-priority queue swept');
  return result;
}

async function sweepOne(ctx: CommandContext, complaintId: number, action: SweepAction): Promise<void> {
  const now = ctx.now ?? new Date();
  const userId = ctx.actor.kind === 'staff' ? ctx.actor.user.id : null;
  await changeComplaint(ctx, complaintId, async (complaint, trx) => {
    if (complaint.status !== 'new') throw notInQueue();
    // A user who may not see the complaint gets "not found", one who may not act on it "forbidden".
    authorize(ctx.actor, complaint, action === 'restore' ? 'verify' : 'archive');
    const archivedStatus = action === 'restore' ? null : authorizeTransition(ctx.actor, complaint, 'archive');
    const row = await trx
      .updateTable('complaint_triage')
      .set({
        queue: action === 'restore' ? 'normal' : 'low_priority',
        swept_at: now,
        swept_by_user_id: userId,
        sweep_outcome: action === 'restore' ? 'restored' : 'archived',
      })
      .where('complaint_id', '=', complaintId)
      .where('queue', '=', 'low_priority')
      .where('swept_at', 'is', null)
      .returning('complaint_id')
      .executeTakeFirst();
    if (!row) throw notInQueue();
    if (action === 'restore') return { event: { type: 'triage_restored', visibility: 'internal' } };
    // Same event as archiveComplaint writes, so timelines and indicators read it alike.
    const reason = action === 'archive_spam' ? 'spam' : 'not_a_report';
    return { update: { status: archivedStatus }, event: { type: 'archived', visibility: 'internal', data: { reason, via: 'triage_sweep' } } };
  });
}

function notInQueue(): CommandError {
  return new CommandError('conflict', 'the message is no longer in the low-priority queue', 'error.triage_not_in_queue');
}

/**
 * Records that an officer judged two reports not to be duplicates, so the
 * pair is no longer proposed on either case page.
 */
export async function dismissDuplicate(ctx: CommandContext, complaintId: number, otherId: number): Promise<void> {
  const now = ctx.now ?? new Date();
  if (complaintId === otherId) throw invalid('otherId', 'a report cannot be a duplicate of itself', 'error.merge_self');
  await ctx.db.transaction().execute(async (trx) => {
    const first = await lockComplaint(trx, Math.min(complaintId, otherId));
    const second = await lockComplaint(trx, Math.max(complaintId, otherId));
    authorize(ctx.actor, first, 'merge');
    authorize(ctx.actor, second, 'merge');
    await trx
      .insertInto('triage_duplicate_dismissals')
      .values({ first_id: first.id, second_id: second.id, user_id: ctx.actor.kind === 'staff' ? ctx.actor.user.id : null, at: now })
      .onConflict((conflict) => conflict.columns(['first_id', 'second_id']).doNothing())
      .execute();
  });
}

/**
 * Returns whether `triageComplaint` would store anything for the complaint:
 * it was never scored, or an active classification model has made no
 * suggestion for it yet.
 */
export async function needsTriage(db: Kysely<DB>, complaintId: number, models: ActiveModels): Promise<boolean> {
  const [scored, stored] = await Promise.all([
    db.selectFrom('complaint_triage').select('complaint_id').where('complaint_id', '=', complaintId).where('scored_at', 'is not', null).executeTakeFirst(),
    db.selectFrom('triage_suggestions').select(['kind', 'model_version']).where('complaint_id', '=', complaintId).execute(),
  ]);
  if (models.relevance && !scored) return true;
  return CLASSIFICATION_KINDS.some((kind) => {
    const model = models[kind];
    return model !== undefined && !stored.some((row) => row.kind === kind && row.model_version === model.version);
  });
}
