/**
 * Stratified k-fold cross-validation with a fixed seed.
 *
 * Each label's examples are shuffled with the seed and dealt round-robin to
 * the folds, continuing from where the previous label stopped, so every fold
 * gets a near-equal share of every label and the folds are near-equal in
 * size. A label with fewer examples than folds is absent from some test folds.
 */
import { computeMetrics, type ClassificationMetrics } from './metrics.ts';
import { predict, train, type TrainOptions, type TrainingExample } from './model.ts';
import { createRandom, shuffleInPlace } from './random.ts';

/**
 * Assigns each example to a fold in 0 … folds-1.
 *
 * @example
 * stratifiedFolds(['a', 'a', 'b', 'b'], 2, 42) // → Int32Array [ 1, 0, 0, 1 ] (one of each label per fold)
 */
export function stratifiedFolds(labels: ReadonlyArray<string>, folds: number, seed: number): Int32Array {
  if (!Number.isInteger(folds) || folds < 2) throw new Error(`Fold count must be an integer of at least 2, got ${folds}.`);
  if (labels.length < folds) throw new Error(`Cannot split ${labels.length} examples into ${folds} folds.`);

  const byLabel = new Map<string, number[]>();
  labels.forEach((label, i) => {
    const members = byLabel.get(label);
    if (members === undefined) byLabel.set(label, [i]);
    else members.push(i);
  });

  const random = createRandom(seed);
  const assignment = new Int32Array(labels.length);
  let dealt = 0;
  for (const label of [...byLabel.keys()].sort()) {
    const members = shuffleInPlace(byLabel.get(label)!, random) as number[];
    for (const index of members) {
      assignment[index] = dealt % folds;
      dealt++;
    }
  }
  return assignment;
}

/** A model configuration to cross-validate. */
export interface CrossValidationCandidate {
  name: string;
  options: TrainOptions;
}

/** Result of one candidate. */
export interface CrossValidationResult {
  name: string;
  /** Metrics over the predictions of all folds together. */
  metrics: ClassificationMetrics;
  /** Top-1 accuracy of each fold, to show the spread. */
  foldTop1: number[];
  /** Training time of each fold, milliseconds. */
  trainMilliseconds: number[];
  /** Mean time of one `predict` call, milliseconds. */
  predictMilliseconds: number;
}

/** Options of `crossValidate`. */
export interface CrossValidationOptions {
  /** Labels that the folds are stratified by, one per example (default: the training labels). */
  strata?: ReadonlyArray<string>;
  /** Label that each prediction is scored against, one per example (default: the training label). */
  scoredLabels?: ReadonlyArray<string>;
  /**
   * Rewrites the ranking of example `exampleIndex` before it is scored, for
   * example to resolve a regional group to the unit of the report's location.
   */
  rewriteRanking?: (ranking: string[], exampleIndex: number) => string[];
  /** Clock in milliseconds, only used for timings (default `performance.now`). */
  now?: () => number;
}

/**
 * Cross-validates each candidate on the same folds. Models are trained on
 * `examples[i].label`. With `scoredLabels` and `rewriteRanking`, they can be
 * scored against other labels, such as the raw labels before grouping.
 */
export function crossValidate(
  examples: ReadonlyArray<TrainingExample>,
  candidates: ReadonlyArray<CrossValidationCandidate>,
  folds: number,
  seed: number,
  options: CrossValidationOptions = {},
): CrossValidationResult[] {
  const now = options.now ?? (() => performance.now());
  const strata = options.strata ?? examples.map((example) => example.label);
  const scoredLabels = options.scoredLabels ?? examples.map((example) => example.label);
  if (strata.length !== examples.length || scoredLabels.length !== examples.length) {
    throw new Error(
      `options.strata and options.scoredLabels must have one entry per example: expected ${examples.length}, ` +
        `got ${strata.length} and ${scoredLabels.length}.`,
    );
  }
  const labelOrder = [...new Set(scoredLabels)].sort();
  const assignment = stratifiedFolds(strata, folds, seed);

  return candidates.map((candidate) => {
    const actual: string[] = [];
    const rankings: string[][] = [];
    const foldTop1: number[] = [];
    const trainMilliseconds: number[] = [];
    let predictTime = 0;

    for (let fold = 0; fold < folds; fold++) {
      const trainingSet = examples.filter((_, i) => assignment[i] !== fold);

      const started = now();
      const model = train(trainingSet, candidate.options);
      trainMilliseconds.push(now() - started);

      let correct = 0;
      let tested = 0;
      examples.forEach((example, i) => {
        if (assignment[i] !== fold) return;
        const predictStarted = now();
        let ranking = predict(model, example.text).map((suggestion) => suggestion.label);
        predictTime += now() - predictStarted;
        if (options.rewriteRanking !== undefined) ranking = options.rewriteRanking(ranking, i);
        actual.push(scoredLabels[i]);
        rankings.push(ranking);
        tested++;
        if (ranking[0] === scoredLabels[i]) correct++;
      });
      foldTop1.push(tested === 0 ? 0 : correct / tested);
    }

    return {
      name: candidate.name,
      metrics: computeMetrics(actual, rankings, labelOrder),
      foldTop1,
      trainMilliseconds,
      predictMilliseconds: predictTime / Math.max(1, actual.length),
    };
  });
}
