/**
 * Training, prediction and explanation for the triage classifier.
 *
 * Two algorithms share one API and one JSON model format:
 * - `softmax_regression` (default): TF-IDF over word 1–2-grams and character
 *   3–4-grams of normalised text, multinomial logistic regression trained by
 *   SGD. Scores are its softmax probabilities.
 * - `naive_bayes`: the plain baseline, multinomial naive Bayes on raw counts
 *   of word unigrams and bigrams with add-one smoothing.
 *
 * A model's `version` is a hash of its content, so that the same data and
 * options give the same version and any change to either gives a new one.
 *
 * @example
 * const model = train(examples, { seed: 1 });
 * predict(model, 'lampu pju mati min')[0] // → { label: 'Dinas Perhubungan', score: 0.71, modelVersion: 'sr-3f9a…' }
 * explain(model, 'lampu pju mati min', 'Dinas Perhubungan') // → [{ term: 'pju', weight: 0.52 }, …]
 */
import { createHash } from 'node:crypto';

import {
  extractTerms,
  fitTfidf,
  indexTerms,
  vectorize,
  type FeatureConfig,
  type SparseVector,
  type TfidfState,
} from './features.ts';
import { naiveBayesLogScores, naiveBayesTermLogProbability, trainNaiveBayes, type NaiveBayesState } from './naive-bayes.ts';
import { tokenize, lightStem } from './normalize.ts';
import { predictSparse, pruneWeights, softmaxInPlace, trainSoftmaxRegression, type SparseWeights } from './softmax-regression.ts';

/** One labelled training message. */
export interface TrainingExample {
  text: string;
  label: string;
}

/** Classifier families available to `train`. */
export type TriageAlgorithm = 'softmax_regression' | 'naive_bayes';

/** Options of `train`; every field has a default tuned on the evaluation data sets. */
export interface TrainOptions {
  /** Default 'softmax_regression'. */
  algorithm?: TriageAlgorithm;
  /** Overrides of the feature set; the defaults depend on the algorithm. */
  features?: Partial<FeatureConfig>;
  /** Drop terms seen in fewer training messages (softmax only; default 1 below 2,000 examples, else 2). */
  minDocumentFrequency?: number;
  /** Keep at most this many terms (softmax only; default 300 000). */
  maxFeatures?: number;
  /** Share of each vector's squared norm given to word terms (default 0.5). */
  wordBlockWeight?: number;
  /** SGD passes over the data (default: enough for 20,000 updates, between 12 and 50). */
  epochs?: number;
  /** L2 penalty (default 1e-5). */
  l2?: number;
  /** Initial SGD learning rate (default 1). */
  learningRate?: number;
  /** Class weight exponent: 0 none, 0.5 square-root balanced, 1 balanced (default 0.5). */
  classWeightPower?: number;
  /** Weights smaller than this are not stored (default 0.02). */
  pruneThreshold?: number;
  /** Seed of the SGD example order (default 1). */
  seed?: number;
  /** Laplace smoothing of naive Bayes (default 1). */
  alpha?: number;
  /** Training time stored in the model (default now); not part of the version. */
  trainedAt?: Date;
  /**
   * A trained model, usually from a larger data set of another region, whose
   * label probabilities are appended to each message's features (softmax
   * only). It is stored inside the new model, so the model file grows by the
   * auxiliary model's size. See `auxiliaryWeight`.
   */
  auxiliaryModel?: TriageModel;
  /** Share of each vector's squared norm given to the auxiliary model's probabilities (between 0 and 1, exclusive; default 0.2). */
  auxiliaryWeight?: number;
}

interface ModelBase {
  format: 'aduan-triage-model';
  formatVersion: 1;
  /** Content hash with an algorithm prefix, e.g. "sr-1a2b3c4d5e6f". Carried by every suggestion. */
  version: string;
  /** ISO 8601 UTC. */
  trainedAt: string;
  /** Class labels; every array indexed by class follows this order. */
  labels: string[];
  /** Training messages per label. */
  labelCounts: number[];
  features: FeatureConfig;
}

/** Softmax regression model. */
export interface SoftmaxModel extends ModelBase {
  algorithm: 'softmax_regression';
  options: Required<Omit<TrainOptions, 'algorithm' | 'features' | 'trainedAt' | 'alpha' | 'auxiliaryModel' | 'auxiliaryWeight'>>;
  /**
   * Model whose probabilities extend the features, with the share of the
   * squared norm they get. Feature `tfidf.terms.length + c` is the square root
   * of its probability for its label `c`.
   */
  auxiliary?: { weight: number; model: TriageModel };
  tfidf: Omit<TfidfState, 'config'>;
  bias: number[];
  /** Pruned weights in compressed sparse rows by feature; see `SparseWeights`. */
  weights: { offsets: number[]; classIndex: number[]; weight: number[] };
}

/** Naive Bayes model. */
export interface NaiveBayesModel extends ModelBase {
  algorithm: 'naive_bayes';
  naiveBayes: NaiveBayesState;
}

/** A trained, JSON-serialisable triage model. */
export type TriageModel = SoftmaxModel | NaiveBayesModel;

/** One ranked label for a message. Scores of one prediction sum to 1. */
export interface Suggestion {
  label: string;
  score: number;
  modelVersion: string;
}

/** One term (or word with its character n-grams) and how much it raised a label's score. */
export interface TermContribution {
  term: string;
  /** Contribution in log-odds units relative to the average label; positive supports the label. */
  weight: number;
}

const SOFTMAX_FEATURES: FeatureConfig = { wordNgramRange: [1, 2], charNgramRange: [3, 4], stem: false, expandSlang: true };
const NAIVE_BAYES_FEATURES: FeatureConfig = { wordNgramRange: [1, 2], charNgramRange: null, stem: false, expandSlang: false };

/** SGD updates that small training sets get at least (by more epochs), up to MAX_EPOCHS. */
const MIN_SGD_UPDATES = 20_000;
/**
 * 12 rather than 6 epochs gave 0.5 to 0.9 points more 5-fold top-1 on the
 * Surabaya agencies with regional labels grouped (two fold seeds). Training
 * 5,000 reports with 185 labels then took 17.8 s of CPU on 2 cores, in the
 * benchmark of scripts/triage-crossval.ts.
 */
const MIN_EPOCHS = 12;
const MAX_EPOCHS = 50;
/** Below this many examples, terms seen once are kept: small sets cannot spare them. */
const SMALL_TRAINING_SET = 2_000;

const SOFTMAX_DEFAULTS: Omit<SoftmaxModel['options'], 'epochs' | 'minDocumentFrequency'> = {
  maxFeatures: 300_000,
  wordBlockWeight: 0.5,
  l2: 1e-5,
  learningRate: 1,
  classWeightPower: 0.5,
  pruneThreshold: 0.02,
  seed: 1,
};

/**
 * Share of the squared norm given to auxiliary probabilities by default. On
 * the Purbalingga categories, with a model of the Surabaya agencies as
 * auxiliary, the shares 0.1, 0.2 and 0.3 raised 5-fold top-1 by 1.2 to 2.5
 * points (fold seeds 42 and 7), and 0.2 gained most.
 */
const DEFAULT_AUXILIARY_WEIGHT = 0.2;

/** Significant digits kept for stored weights; keeps model files small without changing rankings. */
const STORED_DIGITS = 5;

/**
 * Trains a model. Throws when there are no examples, an example has an empty
 * label, or fewer than two distinct labels.
 */
export function train(examples: ReadonlyArray<TrainingExample>, options: TrainOptions = {}): TriageModel {
  validateExamples(examples);
  const labels = [...new Set(examples.map((example) => example.label))].sort();
  const labelIndex = new Map(labels.map((label, i) => [label, i]));
  const y = Int32Array.from(examples, (example) => labelIndex.get(example.label)!);
  const labelCounts = labels.map(() => 0);
  for (const c of y) labelCounts[c]++;
  const trainedAt = (options.trainedAt ?? new Date()).toISOString();

  if ((options.algorithm ?? 'softmax_regression') === 'naive_bayes') {
    const features: FeatureConfig = { ...NAIVE_BAYES_FEATURES, ...options.features };
    const documents = examples.map((example) => extractTerms(example.text, features));
    const naiveBayes = trainNaiveBayes(documents, y, labels.length, options.alpha ?? 1);
    const body = { algorithm: 'naive_bayes' as const, labels, labelCounts, features, naiveBayes };
    return { format: 'aduan-triage-model', formatVersion: 1, version: contentVersion('nb', body), trainedAt, ...body };
  }

  const features: FeatureConfig = { ...SOFTMAX_FEATURES, ...options.features };
  const resolved = resolveSoftmaxOptions(options, examples.length);

  const documents = examples.map((example) => extractTerms(example.text, features));
  const tfidf = fitTfidf(documents, features, {
    minDocumentFrequency: resolved.minDocumentFrequency,
    maxFeatures: resolved.maxFeatures,
    sublinearTf: true,
    wordBlockWeight: resolved.wordBlockWeight,
  });
  const termIndex = indexTerms(tfidf);
  const auxiliary = auxiliaryOption(options);
  const vectors = documents.map((terms, i) => {
    const vector = vectorize(terms, tfidf, termIndex);
    return auxiliary === undefined ? vector : appendAuxiliary(vector, auxiliary, examples[i].text, tfidf.terms.length);
  });
  const featureCount = tfidf.terms.length + (auxiliary?.model.labels.length ?? 0);
  const dense = trainSoftmaxRegression(vectors, y, featureCount, labels.length, resolved);
  const sparse = pruneWeights(dense, resolved.pruneThreshold);

  const { config: _config, ...tfidfBody } = tfidf;
  const body = {
    algorithm: 'softmax_regression' as const,
    labels,
    labelCounts,
    features,
    options: resolved,
    ...(auxiliary === undefined ? {} : { auxiliary }),
    tfidf: { ...tfidfBody, idf: tfidfBody.idf.map(round) },
    bias: Array.from(dense.bias, round),
    weights: {
      offsets: Array.from(sparse.offsets),
      classIndex: Array.from(sparse.classIndex),
      weight: Array.from(sparse.weight, round),
    },
  };
  return { format: 'aduan-triage-model', formatVersion: 1, version: contentVersion('sr', body), trainedAt, ...body };
}

/**
 * Ranks every label for one message, best first. Each suggestion carries the
 * model version.
 */
export function predict(model: TriageModel, text: string): Suggestion[] {
  const probabilities = labelProbabilities(model, text);
  const suggestions = model.labels.map((label, c) => ({ label, score: probabilities[c], modelVersion: model.version }));
  // Ties keep label order, so a prediction is reproducible.
  return suggestions.sort((a, b) => b.score - a.score);
}

/**
 * Lists the terms of `text` that most raise the score of `label`, for showing
 * an officer why a label was suggested. Character n-grams are credited to the
 * words they came from, so the output reads as words and phrases.
 * Throws when `label` is not one of the model's labels.
 */
export function explain(model: TriageModel, text: string, label: string, limit = 8): TermContribution[] {
  const classIndex = model.labels.indexOf(label);
  if (classIndex < 0) {
    throw new Error(`Label "${label}" is not in this model; known labels: ${model.labels.join(', ')}.`);
  }
  const contributions = model.algorithm === 'naive_bayes'
    ? explainNaiveBayes(model, text, classIndex)
    : explainSoftmax(model, text, classIndex);
  return [...contributions]
    .filter(([, weight]) => weight > 0)
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([term, weight]) => ({ term, weight: round(weight) }));
}

/**
 * Builds the lookup tables that `predict` and `explain` need, so that the
 * first suggestion is as fast as the rest (building takes tens of
 * milliseconds for a large model). Returns the same model object.
 */
export function prepareModel(model: TriageModel): TriageModel {
  runtimeTables(model);
  if (model.algorithm === 'softmax_regression' && model.auxiliary !== undefined) prepareModel(model.auxiliary.model);
  return model;
}

/**
 * Parses and checks a model read from JSON, and prepares it with
 * `prepareModel`. Throws on a file that is not a triage model.
 */
export function parseModel(json: string): TriageModel {
  const value = JSON.parse(json) as Partial<TriageModel>;
  if (value.format !== 'aduan-triage-model' || value.formatVersion !== 1) {
    throw new Error('Not an Aduan triage model (expected format "aduan-triage-model", formatVersion 1).');
  }
  if (value.algorithm !== 'softmax_regression' && value.algorithm !== 'naive_bayes') {
    throw new Error(`Unknown triage algorithm "${String(value.algorithm)}".`);
  }
  return prepareModel(value as TriageModel);
}

function resolveSoftmaxOptions(options: TrainOptions, exampleCount: number): SoftmaxModel['options'] {
  const resolved: SoftmaxModel['options'] = {
    ...SOFTMAX_DEFAULTS,
    epochs: Math.min(MAX_EPOCHS, Math.max(MIN_EPOCHS, Math.ceil(MIN_SGD_UPDATES / exampleCount))),
    minDocumentFrequency: exampleCount < SMALL_TRAINING_SET ? 1 : 2,
  };
  for (const key of Object.keys(resolved) as Array<keyof SoftmaxModel['options']>) {
    if (options[key] !== undefined) resolved[key] = options[key]!;
  }
  return resolved;
}

function auxiliaryOption(options: TrainOptions): SoftmaxModel['auxiliary'] {
  if (options.auxiliaryModel === undefined) return undefined;
  const weight = options.auxiliaryWeight ?? DEFAULT_AUXILIARY_WEIGHT;
  if (!(weight > 0 && weight < 1)) throw new Error(`auxiliaryWeight must be between 0 and 1 (exclusive), got ${weight}.`);
  return { weight, model: options.auxiliaryModel };
}

/**
 * Appends the square roots of the auxiliary model's probabilities (a unit
 * vector, since the probabilities sum to 1) at feature `offset` and after.
 * The TF-IDF part keeps 1 − weight of the squared norm.
 */
function appendAuxiliary(
  vector: SparseVector,
  auxiliary: NonNullable<SoftmaxModel['auxiliary']>,
  text: string,
  offset: number,
): SparseVector {
  const probabilities = labelProbabilities(auxiliary.model, text);
  const textScale = Math.sqrt(1 - auxiliary.weight);
  const auxiliaryScale = Math.sqrt(auxiliary.weight);
  const length = vector.indices.length;
  const indices = new Int32Array(length + probabilities.length);
  const values = new Float64Array(length + probabilities.length);
  for (let k = 0; k < length; k++) {
    indices[k] = vector.indices[k];
    values[k] = vector.values[k] * textScale;
  }
  for (let c = 0; c < probabilities.length; c++) {
    indices[length + c] = offset + c;
    values[length + c] = Math.sqrt(probabilities[c]) * auxiliaryScale;
  }
  return { indices, values };
}

function validateExamples(examples: ReadonlyArray<TrainingExample>): void {
  if (examples.length === 0) throw new Error('Cannot train a triage model on zero examples.');
  examples.forEach((example, i) => {
    if (typeof example.text !== 'string') throw new Error(`Training example ${i + 1} has no text.`);
    if (typeof example.label !== 'string' || example.label.trim() === '') {
      throw new Error(`Training example ${i + 1} has an empty label; remove it or give it a label.`);
    }
  });
  if (new Set(examples.map((example) => example.label)).size < 2) {
    throw new Error('Training data must contain at least two different labels.');
  }
}

function round(value: number): number {
  return Number(value.toPrecision(STORED_DIGITS));
}

function contentVersion(prefix: string, body: object): string {
  return `${prefix}-${createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 16)}`;
}

/** Lookup tables derived from a model, built once per model object. */
interface RuntimeTables {
  termIndex: Map<string, number>;
  tfidf?: TfidfState;
  sparse?: SparseWeights;
  /** Mean weight of each feature over all classes (softmax only). */
  featureMeans?: Float64Array;
}

const runtimeCache = new WeakMap<TriageModel, RuntimeTables>();

function runtimeTables(model: TriageModel): RuntimeTables {
  let tables = runtimeCache.get(model);
  if (tables !== undefined) return tables;

  if (model.algorithm === 'naive_bayes') {
    const termIndex = new Map<string, number>();
    model.naiveBayes.terms.forEach((term, i) => termIndex.set(term, i));
    tables = { termIndex };
  } else {
    const tfidf: TfidfState = { config: model.features, ...model.tfidf };
    const sparse: SparseWeights = {
      offsets: Int32Array.from(model.weights.offsets),
      classIndex: Int32Array.from(model.weights.classIndex),
      weight: Float32Array.from(model.weights.weight),
    };
    // Auxiliary features, if any, follow the TF-IDF terms.
    const featureMeans = new Float64Array(sparse.offsets.length - 1);
    for (let f = 0; f < featureMeans.length; f++) {
      for (let j = sparse.offsets[f]; j < sparse.offsets[f + 1]; j++) featureMeans[f] += sparse.weight[j];
      featureMeans[f] /= model.labels.length;
    }
    tables = { termIndex: indexTerms(tfidf), tfidf, sparse, featureMeans };
  }
  runtimeCache.set(model, tables);
  return tables;
}

/** Returns the probability of each label, in the order of `model.labels`. */
function labelProbabilities(model: TriageModel, text: string): Float64Array {
  return model.algorithm === 'naive_bayes' ? naiveBayesProbabilities(model, text) : softmaxProbabilities(model, text);
}

function softmaxProbabilities(model: SoftmaxModel, text: string): Float64Array {
  const tables = runtimeTables(model);
  return predictSparse(softmaxVector(model, tables, extractTerms(text, model.features), text), tables.sparse!, model.bias);
}

function softmaxVector(model: SoftmaxModel, tables: RuntimeTables, terms: Map<string, number>, text: string): SparseVector {
  const vector = vectorize(terms, tables.tfidf!, tables.termIndex);
  if (model.auxiliary === undefined) return vector;
  return appendAuxiliary(vector, model.auxiliary, text, tables.tfidf!.terms.length);
}

function naiveBayesProbabilities(model: NaiveBayesModel, text: string): Float64Array {
  const tables = runtimeTables(model);
  const scores = naiveBayesLogScores(model.naiveBayes, tables.termIndex, extractTerms(text, model.features));
  softmaxInPlace(scores);
  return scores;
}

function classWeight(sparse: SparseWeights, feature: number, classIndex: number): number {
  for (let j = sparse.offsets[feature]; j < sparse.offsets[feature + 1]; j++) {
    if (sparse.classIndex[j] === classIndex) return sparse.weight[j];
  }
  return 0;
}

function explainSoftmax(model: SoftmaxModel, text: string, classIndex: number): Map<string, number> {
  const tables = runtimeTables(model);
  const terms = extractTerms(text, model.features);
  const vector = softmaxVector(model, tables, terms, text);
  const featureContribution = new Map<string, number>();
  for (let k = 0; k < vector.indices.length; k++) {
    const feature = vector.indices[k];
    // NOTE: auxiliary probabilities are not words, so explanations leave them out.
    if (feature >= tables.tfidf!.terms.length) continue;
    const weight = classWeight(tables.sparse!, feature, classIndex) - tables.featureMeans![feature];
    featureContribution.set(tables.tfidf!.terms[feature], vector.values[k] * weight);
  }

  const result = new Map<string, number>();
  const credit = (key: string, amount: number): void => {
    result.set(key, (result.get(key) ?? 0) + amount);
  };
  for (const [term, amount] of featureContribution) {
    if (term.startsWith('w:')) credit(term.slice(2), amount);
  }

  // Split each character n-gram's contribution over the words that contain it.
  const charRange = model.features.charNgramRange;
  if (charRange !== null) {
    const words = tokenize(text, { expandSlang: model.features.expandSlang });
    for (const word of words) {
      const padded = ` ${word} `;
      const displayWord = model.features.stem ? lightStem(word) : word;
      for (let n = charRange[0]; n <= charRange[1]; n++) {
        for (let i = 0; i + n <= padded.length; i++) {
          const term = 'c:' + padded.slice(i, i + n);
          const amount = featureContribution.get(term);
          if (amount !== undefined) credit(displayWord, amount / terms.get(term)!);
        }
      }
    }
  }
  return result;
}

function explainNaiveBayes(model: NaiveBayesModel, text: string, classIndex: number): Map<string, number> {
  const tables = runtimeTables(model);
  const state = model.naiveBayes;
  const result = new Map<string, number>();
  for (const [term, count] of extractTerms(text, model.features)) {
    const t = tables.termIndex.get(term);
    if (t === undefined) continue;
    let mean = 0;
    for (let c = 0; c < model.labels.length; c++) mean += naiveBayesTermLogProbability(state, t, c);
    mean /= model.labels.length;
    result.set(term.slice(2), count * (naiveBayesTermLogProbability(state, t, classIndex) - mean));
  }
  return result;
}
