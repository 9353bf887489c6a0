/**
 * Trains the triage models and stores each as a version.
 *
 * Four kinds of model:
 * - `relevance`: complaint-or-not (`report` versus `noise`). Trained on the
 *   hand-written seed set plus this instance's decisions: messages an
 *   officer verified, answered, dispatched or forwarded are reports, and
 *   messages archived as spam or not a report are noise. The seed set stays
 *   in because officers rarely label noise.
 * - `type`, `category`, `agency`: trained on this instance's verified
 *   reports once there are `min_training_size` of them (the officer's
 *   decision is the label), and on the seed set until then.
 *
 * Each run holds out one stratified fifth of the examples, measures the
 * model trained on the rest, then trains the stored model on everything, so
 * the stored metrics estimate the stored model's accuracy without being
 * measured on it. The new version becomes the active one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { sql, type Kysely } from 'kysely';
import type { DB, StoredTriageMetrics, TriageKind, TriageModelSource } from '../db/schema.ts';
import { COMPLAINT_TYPES, type StaffUser } from '../domain/types.ts';
import type { TrainingExample, TriageModel } from '../domain/triage/index.ts';
import {
  agencyLabelExpression, noiseDecisionCondition, readTriageSettings, REGIONAL_AGENCY_KINDS, REGIONAL_AGENCY_LABEL,
  RELEVANCE_NOISE, RELEVANCE_REPORT, reportDecisionCondition, TRIAGE_KINDS, verifiedCondition,
} from '../queries/triage.ts';
import { logger } from '../logger.ts';
import { CommandError, invalid, notFound } from './errors.ts';
import { SEED_DIR } from './load-reference-data.ts';
import { distinctLabels, trainTriageModel } from './triage-training-worker.ts';

export const SEED_TRIAGE_FILE = path.join(SEED_DIR, 'triage-seed.csv');

/** Kinds of seed row that are not reports: greetings, praise, spam, political remarks, chatter. */
export const SEED_NOISE_KINDS = ['sapaan', 'pujian', 'spam', 'politik', 'obrolan'] as const;
const SEED_KINDS: readonly string[] = [...COMPLAINT_TYPES, ...SEED_NOISE_KINDS];

/**
 * Most recent decided reports used per kind. Training time grows with the
 * set (about 10 s of CPU for 5,000 reports, docs/triage.md), and older
 * reports follow older routing.
 */
export const MAX_TRAINING_EXAMPLES = 20_000;
/** Key of the advisory lock that serialises activation (first key of pg_advisory_xact_lock). */
const ACTIVATION_LOCK_NAMESPACE = 73_164_530;

/** One row of the seed file. */
export interface SeedExample {
  /** Line in the CSV file, counting the header as line 1. */
  line: number;
  text: string;
  /** A complaint type or one of SEED_NOISE_KINDS. */
  kind: string;
  /** Category code for reports; null for noise. */
  category: string | null;
}

/**
 * Parses the seed CSV (`text,kind,category`). Throws an Error that names the
 * line and the problem for a missing column, an empty text or an unknown kind.
 *
 * @example
 * parseSeedCsv('text,kind,category\n"lampu jalan mati",pengaduan,penerangan-jalan\n')
 * // → [{ line: 2, text: 'lampu jalan mati', kind: 'pengaduan', category: 'penerangan-jalan' }]
 */
export function parseSeedCsv(text: string): SeedExample[] {
  const records = parse(text, { columns: true, skip_empty_lines: true, relax_column_count: false }) as Record<string, string>[];
  const header = records.length > 0 ? Object.keys(records[0]) : [];
  for (const column of ['text', 'kind', 'category']) {
    if (records.length > 0 && !header.includes(column)) {
      throw new Error(`The triage seed file has no "${column}" column; the header must be "text,kind,category".`);
    }
  }
  return records.map((record, index) => {
    const line = index + 2;
    const kind = record.kind.trim();
    if (!record.text.trim()) throw new Error(`Triage seed line ${line}: the text is empty.`);
    if (!SEED_KINDS.includes(kind)) {
      throw new Error(`Triage seed line ${line}: unknown kind "${kind}"; use one of ${SEED_KINDS.join(', ')}.`);
    }
    return { line, text: record.text.trim(), kind, category: record.category.trim() || null };
  });
}

/** Reads and parses the seed file; see `parseSeedCsv` for the errors. */
export function readSeedExamples(file = SEED_TRIAGE_FILE): SeedExample[] {
  return parseSeedCsv(fs.readFileSync(file, 'utf8'));
}

function isReportKind(kind: string): boolean {
  return (COMPLAINT_TYPES as readonly string[]).includes(kind);
}

interface TrainingSet {
  source: TriageModelSource;
  examples: TrainingExample[];
}

/** Outcome of a retrain for one kind. */
export interface RetrainOutcome {
  kind: TriageKind;
  /** trained: a new version is active; unchanged: the data gave the active version again; skipped: no model could be trained. */
  status: 'trained' | 'unchanged' | 'skipped';
  version?: string;
  source?: TriageModelSource;
  trainingSize?: number;
  testSize?: number;
  /** Held-out top-1 accuracy, or null when the set was too small to split. */
  top1Accuracy?: number | null;
  /** English reason of a skip. */
  reason?: string;
}

export interface RetrainOptions {
  now?: Date;
  /** Kinds to train; default all four. */
  kinds?: readonly TriageKind[];
  /** Seed CSV; default seed/triage-seed.csv. */
  seedFile?: string;
}

/**
 * Trains the requested kinds, stores each new version and activates it.
 *
 * Training runs in a worker thread (see `trainTriageModel`), so the event
 * loop keeps serving requests. It takes about 1 to 2 s per kind on the seed
 * set. At 5,000 reports it is an estimated 20 s per kind (two trainings,
 * from the benchmark in docs/triage.md), and the worker uses a CPU core
 * for that long.
 *
 * @example
 * const outcomes = await retrainTriage(db);
 * // → [{ kind: 'relevance', status: 'trained', version: 'sr-…', source: 'seed', trainingSize: 382, … }, …]
 */
export async function retrainTriage(db: Kysely<DB>, options: RetrainOptions = {}): Promise<RetrainOutcome[]> {
  const now = options.now ?? new Date();
  const settings = await readTriageSettings(db);
  const seed = readSeedExamples(options.seedFile);
  const outcomes: RetrainOutcome[] = [];
  for (const kind of options.kinds ?? TRIAGE_KINDS) {
    const set = await collectTrainingSet(db, kind, seed, settings.min_training_size);
    if (typeof set === 'string') {
      logger.warn({ kind, reason: set }, 'triage model not trained');
      outcomes.push({ kind, status: 'skipped', reason: set });
      continue;
    }
    const outcome = await trainAndStore(db, kind, set, now);
    logger.info({ kind, status: outcome.status, version: outcome.version, source: outcome.source, trainingSize: outcome.trainingSize,
      top1Accuracy: outcome.top1Accuracy }, 'triage model trained');
    outcomes.push(outcome);
  }
  return outcomes;
}

/**
 * Trains only the kinds that have no active model yet, so that a fresh
 * instance gets its seed models on the first scoring run.
 */
export async function ensureTriageModels(db: Kysely<DB>, options: Omit<RetrainOptions, 'kinds'> = {}): Promise<RetrainOutcome[]> {
  const active = await db.selectFrom('triage_models').select('kind').where('active', '=', true).execute();
  const missing = TRIAGE_KINDS.filter((kind) => !active.some((row) => row.kind === kind));
  if (missing.length === 0) return [];
  return retrainTriage(db, { ...options, kinds: missing });
}

/**
 * Makes a stored version the active one for its kind, for example to go
 * back to an earlier version. Only administrators may do this.
 */
export async function activateTriageModel(db: Kysely<DB>, user: StaffUser, modelId: number, now = new Date()): Promise<{ kind: TriageKind; version: string }> {
  if (user.role !== 'admin') {
    throw new CommandError('forbidden', 'only administrators activate triage models', 'error.forbidden');
  }
  const row = Number.isSafeInteger(modelId)
    ? await db.selectFrom('triage_models').select(['id', 'kind', 'version']).where('id', '=', modelId).executeTakeFirst()
    : undefined;
  if (!row) throw notFound('triage_model');
  await activate(db, row.kind, row.id, now, user.id);
  logger.info({ kind: row.kind, version: row.version, userId: user.id }, 'triage model activated');
  return { kind: row.kind, version: row.version };
}

/** Returns the training set of one kind, or the English reason why there is none. */
async function collectTrainingSet(db: Kysely<DB>, kind: TriageKind, seed: SeedExample[], minTrainingSize: number): Promise<TrainingSet | string> {
  if (kind === 'relevance') return relevanceSet(db, seed);

  const verified = await verifiedExamples(db, kind);
  if (verified.length >= minTrainingSize && distinctLabels(verified) >= 2) return { source: 'verified', examples: verified };

  const fromSeed = await seedExamples(db, kind, seed);
  if (distinctLabels(fromSeed) < 2) {
    return `only ${verified.length} verified reports (at least ${minTrainingSize} needed) and the seed set has fewer than two ${kind} labels that exist here`;
  }
  return { source: 'seed', examples: fromSeed };
}

async function relevanceSet(db: Kysely<DB>, seed: SeedExample[]): Promise<TrainingSet> {
  const examples: TrainingExample[] = seed.map((row) => ({ text: row.text, label: isReportKind(row.kind) ? RELEVANCE_REPORT : RELEVANCE_NOISE }));
  const decided = await sql<{ description: string; label: string }>`
    select c.description,
           case when ${reportDecisionCondition()} then ${RELEVANCE_REPORT}::text else ${RELEVANCE_NOISE}::text end as label
    from complaints c
    where ${reportDecisionCondition()} or (${noiseDecisionCondition()})
    order by c.received_at desc, c.id desc
    limit ${MAX_TRAINING_EXAMPLES}
  `.execute(db);
  for (const row of decided.rows) examples.push({ text: row.description, label: row.label });
  return { source: decided.rows.length > 0 ? 'verified' : 'seed', examples };
}

/** This instance's verified reports with their type, category code or agency label. */
async function verifiedExamples(db: Kysely<DB>, kind: Exclude<TriageKind, 'relevance'>): Promise<TrainingExample[]> {
  let label = agencyLabelExpression();
  if (kind === 'type') label = sql<string | null>`c.type`;
  if (kind === 'category') label = sql<string | null>`cat.code`;
  const result = await sql<{ text: string; label: string | null }>`
    select c.description as text, ${label} as label
    from complaints c
    left join categories cat on cat.id = c.category_id
    left join agencies a on a.id = c.agency_id
    where ${verifiedCondition()}
    order by c.received_at desc, c.id desc
    limit ${MAX_TRAINING_EXAMPLES}
  `.execute(db);
  return result.rows.filter((row): row is { text: string; label: string } => row.label !== null).map((row) => ({ text: row.text, label: row.label }));
}

/**
 * Seed reports labelled for this instance: categories that exist and are
 * active here, and the agency each such category routes to.
 */
async function seedExamples(db: Kysely<DB>, kind: Exclude<TriageKind, 'relevance'>, seed: SeedExample[]): Promise<TrainingExample[]> {
  const reports = seed.filter((row) => isReportKind(row.kind));
  if (kind === 'type') return reports.map((row) => ({ text: row.text, label: row.kind }));

  const categories = await db
    .selectFrom('categories as cat')
    .leftJoin('agencies as a', 'a.id', 'cat.agency_id')
    .select(['cat.code', 'a.code as agency_code', 'a.kind as agency_kind', 'a.active as agency_active'])
    .where('cat.active', '=', true)
    .execute();
  const byCode = new Map(categories.map((row) => [row.code, row]));
  const examples: TrainingExample[] = [];
  for (const row of reports) {
    const category = row.category ? byCode.get(row.category) : undefined;
    if (!category) continue;
    if (kind === 'category') {
      examples.push({ text: row.text, label: category.code });
    } else if (category.agency_code && category.agency_active) {
      const label = REGIONAL_AGENCY_KINDS.includes(category.agency_kind ?? '') ? REGIONAL_AGENCY_LABEL : category.agency_code;
      examples.push({ text: row.text, label });
    }
  }
  return examples;
}

async function trainAndStore(db: Kysely<DB>, kind: TriageKind, set: TrainingSet, now: Date): Promise<RetrainOutcome> {
  const { model, metrics, testSize } = await trainTriageModel({ examples: set.examples, trainedAt: now });
  const base = { kind, version: model.version, source: set.source, trainingSize: set.examples.length, testSize, top1Accuracy: metrics?.top1Accuracy ?? null };

  const active = await db.selectFrom('triage_models').select('version').where('kind', '=', kind).where('active', '=', true).executeTakeFirst();
  if (active?.version === model.version) return { ...base, status: 'unchanged' };

  const id = await storeModel(db, kind, set, model, metrics, testSize);
  await activate(db, kind, id, now, null);
  return { ...base, status: 'trained' };
}

async function storeModel(
  db: Kysely<DB>, kind: TriageKind, set: TrainingSet, model: TriageModel, metrics: StoredTriageMetrics | null, testSize: number,
): Promise<number> {
  const labelCounts: Record<string, number> = {};
  model.labels.forEach((label, i) => { labelCounts[label] = model.labelCounts[i]; });
  const inserted = await db
    .insertInto('triage_models')
    .values({
      kind,
      version: model.version,
      source: set.source,
      trained_at: new Date(model.trainedAt),
      training_size: set.examples.length,
      test_size: testSize,
      label_counts: JSON.stringify(labelCounts),
      metrics: metrics === null ? null : JSON.stringify(metrics),
      model: JSON.stringify(model),
    })
    .onConflict((conflict) => conflict.columns(['kind', 'version']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return inserted.id;
  // The same data trained before: the stored version is reused.
  const existing = await db.selectFrom('triage_models').select('id').where('kind', '=', kind).where('version', '=', model.version).executeTakeFirstOrThrow();
  return existing.id;
}

/** Deactivates the kind's active version and activates `id`, serialised per kind so that two processes cannot both activate. */
async function activate(db: Kysely<DB>, kind: TriageKind, id: number, now: Date, userId: number | null): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${ACTIVATION_LOCK_NAMESPACE}::int, ${TRIAGE_KINDS.indexOf(kind)}::int)`.execute(trx);
    await trx.updateTable('triage_models').set({ active: false }).where('kind', '=', kind).where('active', '=', true).where('id', '!=', id).execute();
    await trx
      .updateTable('triage_models')
      .set({ active: true, activated_at: now, activated_by_user_id: userId })
      .where('id', '=', id)
      .execute();
  });
}

/** Settings an administrator edits on the model page. */
export interface TriageSettingsInput {
  /** Low-priority threshold, 0 to 1. */
  relevanceThreshold: number;
  /** Duplicate window in days, 1 to 365. */
  duplicateWindowDays: number;
  /** Verified reports needed before training on this instance's data, 10 or more. */
  minTrainingSize: number;
}

/**
 * Saves the triage settings. A new threshold applies to reports scored from
 * now on; reports already in a queue stay there.
 */
export async function updateTriageSettings(db: Kysely<DB>, user: StaffUser, input: TriageSettingsInput, now = new Date()): Promise<void> {
  if (user.role !== 'admin') throw new CommandError('forbidden', 'only administrators change triage settings', 'error.forbidden');
  if (!Number.isFinite(input.relevanceThreshold) || input.relevanceThreshold < 0 || input.relevanceThreshold > 1) {
    throw invalid('relevanceThreshold', 'the threshold must be a number from 0 to 1, e.g. 0.4', 'error.triage_threshold_invalid');
  }
  if (!Number.isInteger(input.duplicateWindowDays) || input.duplicateWindowDays < 1 || input.duplicateWindowDays > 365) {
    throw invalid('duplicateWindowDays', 'the duplicate window must be a whole number of days from 1 to 365', 'error.triage_window_invalid');
  }
  if (!Number.isInteger(input.minTrainingSize) || input.minTrainingSize < 10 || input.minTrainingSize > 1_000_000) {
    throw invalid('minTrainingSize', 'the minimum training size must be a whole number from 10 to 1000000', 'error.triage_min_training_invalid');
  }
  await db
    .updateTable('triage_settings')
    .set({
      relevance_threshold: input.relevanceThreshold,
      duplicate_window_days: input.duplicateWindowDays,
      min_training_size: input.minTrainingSize,
      updated_at: now,
      updated_by_user_id: user.id,
    })
    .execute();
  logger.info({ userId: user.id, ...input }, 'triage settings changed');
}

/** Asks the triage job to retrain on its next run (within a minute when jobs run). */
export async function requestRetrain(db: Kysely<DB>, user: StaffUser, now = new Date()): Promise<void> {
  if (user.role !== 'admin') throw new CommandError('forbidden', 'only administrators retrain triage models', 'error.forbidden');
  await db.updateTable('triage_settings').set({ retrain_requested_at: now, updated_by_user_id: user.id }).execute();
}

/**
 * Clears a pending retrain request and returns whether there was one. Only
 * one process gets true for a request, so a request trains once.
 */
export async function claimRetrainRequest(db: Kysely<DB>): Promise<boolean> {
  const row = await db
    .updateTable('triage_settings')
    .set({ retrain_requested_at: null })
    .where('retrain_requested_at', 'is not', null)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}
