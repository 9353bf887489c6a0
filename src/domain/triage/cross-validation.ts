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

/**
 * Cross-validates each candidate on the same folds. `now` returns
 * milliseconds and is only used for timings.
 */
export function crossValidate(
  examples: ReadonlyArray<TrainingExample>,
  candidates: ReadonlyArray<CrossValidationCandidate>,
  folds: number,
  seed: number,
  now: () => number = () => performance.now(),
): CrossValidationResult[] {
  const labelOrder = [...new Set(examples.map((example) => example.label))].sort();
  const assignment = stratifiedFolds(examples.map((example) => example.label), folds, seed);

  return candidates.map((candidate) => {
    const actual: string[] = [];
    const rankings: string[][] = [];
    const foldTop1: number[] = [];
    const trainMilliseconds: number[] = [];
    let predictTime = 0;

    for (let fold = 0; fold < folds; fold++) {
      const trainingSet = examples.filter((_, i) => assignment[i] !== fold);
      const testSet = examples.filter((_, i) => assignment[i] === fold);

      const started = now();
      const model = train(trainingSet, candidate.options);
      trainMilliseconds.push(now() - started);

      let correct = 0;
      for (const example of testSet) {
        const predictStarted = now();
        const ranking = predict(model, example.text).map((suggestion) => suggestion.label);
        predictTime += now() - predictStarted;
        actual.push(example.label);
        rankings.push(ranking);
        if (ranking[0] === example.label) correct++;
      }
      foldTop1.push(testSet.length === 0 ? 0 : correct / testSet.length);
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
