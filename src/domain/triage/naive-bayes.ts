/**
 * Multinomial naive Bayes on raw term counts with Laplace (add-α) smoothing:
 * the plain baseline that the main model is compared against.
 *
 * Only non-zero (term, class) counts are stored. Let class c have total term
 * count T_c over a vocabulary of size V. An unseen term then has probability
 * α / (T_c + αV). A message with n in-vocabulary tokens has log-likelihood
 * n · log(α / (T_c + αV)), plus count_t · (log(n_tc + α) − log α) for each
 * term t seen with c. Terms outside the training vocabulary are ignored, as
 * in scikit-learn.
 */

/** Trained counts, serialisable as JSON. */
export interface NaiveBayesState {
  alpha: number;
  /** Vocabulary; position is the term index. */
  terms: string[];
  /** Training documents per class. */
  classDocumentCounts: number[];
  /** Sum of term counts per class. */
  classTermTotals: number[];
  /** Entries of term t are at termOffsets[t] … termOffsets[t+1]-1. */
  termOffsets: number[];
  countClass: number[];
  count: number[];
}

/**
 * Counts terms per class. `documents[i]` contains the term counts of example i,
 * `labels[i]` its class index.
 */
export function trainNaiveBayes(
  documents: ReadonlyArray<Map<string, number>>,
  labels: Int32Array,
  classCount: number,
  alpha: number,
): NaiveBayesState {
  const perTerm = new Map<string, Map<number, number>>();
  const classDocumentCounts = new Array<number>(classCount).fill(0);
  const classTermTotals = new Array<number>(classCount).fill(0);

  documents.forEach((terms, i) => {
    const label = labels[i];
    classDocumentCounts[label]++;
    for (const [term, count] of terms) {
      let classes = perTerm.get(term);
      if (classes === undefined) {
        classes = new Map();
        perTerm.set(term, classes);
      }
      classes.set(label, (classes.get(label) ?? 0) + count);
      classTermTotals[label] += count;
    }
  });

  const terms = [...perTerm.keys()].sort();
  const termOffsets: number[] = [];
  const countClass: number[] = [];
  const count: number[] = [];
  for (const term of terms) {
    termOffsets.push(countClass.length);
    const classes = [...perTerm.get(term)!].sort((a, b) => a[0] - b[0]);
    for (const [label, value] of classes) {
      countClass.push(label);
      count.push(value);
    }
  }
  termOffsets.push(countClass.length);
  return { alpha, terms, classDocumentCounts, classTermTotals, termOffsets, countClass, count };
}

/**
 * Computes per-class log joint probabilities (log prior + log likelihood) of
 * one message. `termIndex` maps a term to its position in `state.terms`.
 */
export function naiveBayesLogScores(
  state: NaiveBayesState,
  termIndex: Map<string, number>,
  terms: Map<string, number>,
): Float64Array {
  const classCount = state.classDocumentCounts.length;
  const documentTotal = state.classDocumentCounts.reduce((sum, n) => sum + n, 0);
  const vocabularySize = state.terms.length;
  const logAlpha = Math.log(state.alpha);

  let tokenCount = 0;
  const scores = new Float64Array(classCount);
  for (const [term, n] of terms) {
    const t = termIndex.get(term);
    if (t === undefined) continue;
    tokenCount += n;
    for (let j = state.termOffsets[t]; j < state.termOffsets[t + 1]; j++) {
      scores[state.countClass[j]] += n * (Math.log(state.count[j] + state.alpha) - logAlpha);
    }
  }

  for (let c = 0; c < classCount; c++) {
    const prior = state.classDocumentCounts[c] / documentTotal;
    const unseen = Math.log(state.alpha / (state.classTermTotals[c] + state.alpha * vocabularySize));
    scores[c] += (prior > 0 ? Math.log(prior) : -Infinity) + tokenCount * unseen;
  }
  return scores;
}

/** Log P(term | class) for one term index and class, with smoothing. */
export function naiveBayesTermLogProbability(state: NaiveBayesState, termIndex: number, classIndex: number): number {
  let count = 0;
  for (let j = state.termOffsets[termIndex]; j < state.termOffsets[termIndex + 1]; j++) {
    if (state.countClass[j] === classIndex) count = state.count[j];
  }
  return Math.log(
    (count + state.alpha) / (state.classTermTotals[classIndex] + state.alpha * state.terms.length),
  );
}
