/**
 * Classification metrics for ranked suggestions: top-1 and top-3 accuracy,
 * per-label precision, recall and F1, macro-F1 and the confusion matrix.
 *
 * Conventions follow scikit-learn's defaults: macro-F1 averages over every
 * label that occurs as an actual or a top-1 predicted label, and a ratio with
 * a zero denominator (a label never predicted, or never present) counts as 0.
 */

/** Precision, recall and F1 of one label. */
export interface LabelMetrics {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** Test messages whose actual label this is. */
  support: number;
}

/** Metrics of one evaluation. */
export interface ClassificationMetrics {
  count: number;
  top1Accuracy: number;
  top3Accuracy: number;
  macroF1: number;
  perLabel: LabelMetrics[];
  /** `matrix[i][j]`: messages of actual label `labels[i]` whose top-1 prediction was `labels[j]`. */
  confusion: { labels: string[]; matrix: number[][] };
}

/**
 * Computes metrics from actual labels and rankings (each ranking lists
 * labels best first; only the first three are read). `labelOrder`, when
 * given, fixes the order of labels in the output; labels missing from it are
 * appended in sorted order.
 *
 * @example
 * computeMetrics(['a', 'b'], [['a', 'b'], ['a', 'b']]).top1Accuracy // → 0.5
 */
export function computeMetrics(
  actual: ReadonlyArray<string>,
  rankings: ReadonlyArray<ReadonlyArray<string>>,
  labelOrder: ReadonlyArray<string> = [],
): ClassificationMetrics {
  if (actual.length !== rankings.length) {
    throw new Error(`Got ${actual.length} actual labels but ${rankings.length} rankings; they must match one to one.`);
  }
  rankings.forEach((ranking, i) => {
    if (ranking.length === 0) throw new Error(`Ranking ${i + 1} is empty; every message needs at least one suggestion.`);
  });

  const seen = new Set<string>([...actual, ...rankings.map((ranking) => ranking[0])]);
  const labels = labelOrder.filter((label) => seen.has(label));
  labels.push(...[...seen].filter((label) => !labels.includes(label)).sort());
  const position = new Map(labels.map((label, i) => [label, i]));

  const matrix = labels.map(() => labels.map(() => 0));
  let top1 = 0;
  let top3 = 0;
  actual.forEach((label, i) => {
    const ranking = rankings[i];
    matrix[position.get(label)!][position.get(ranking[0])!]++;
    if (ranking[0] === label) top1++;
    if (ranking.slice(0, 3).includes(label)) top3++;
  });

  const perLabel = labels.map((label, i) => {
    const truePositives = matrix[i][i];
    const support = matrix[i].reduce((sum, n) => sum + n, 0);
    const predicted = matrix.reduce((sum, row) => sum + row[i], 0);
    const precision = ratio(truePositives, predicted);
    const recall = ratio(truePositives, support);
    return { label, precision, recall, f1: ratio(2 * precision * recall, precision + recall), support };
  });

  const count = actual.length;
  return {
    count,
    top1Accuracy: ratio(top1, count),
    top3Accuracy: ratio(top3, count),
    macroF1: ratio(perLabel.reduce((sum, m) => sum + m.f1, 0), perLabel.length),
    perLabel,
    confusion: { labels, matrix },
  };
}

function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}
