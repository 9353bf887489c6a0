/**
 * Feature extraction: terms (word n-grams and character n-grams inside word
 * boundaries) from normalised text, and a TF-IDF vectoriser that maps a
 * message to a sparse, L2-normalised vector.
 *
 * Term strings carry a prefix so that the two families never collide and an
 * explanation can show them apart: "w:jalan rusak" is a word bigram,
 * "c:rusa" is a character 4-gram (spaces mark word edges: "c: jal").
 */
import { lightStem, tokenize } from './normalize.ts';

/** Term extraction settings, stored inside each model. */
export interface FeatureConfig {
  /** Word n-gram sizes, inclusive, e.g. [1, 2] for unigrams and bigrams. */
  wordNgramRange: [number, number];
  /** Character n-gram sizes inside padded words, e.g. [2, 5]; null for none. */
  charNgramRange: [number, number] | null;
  /** Apply `lightStem` to each word before building word n-grams. */
  stem: boolean;
  /** Apply the slang lexicon during normalisation. */
  expandSlang: boolean;
}

/** A sparse vector: parallel arrays of feature index and value, indices ascending. */
export interface SparseVector {
  indices: Int32Array;
  values: Float64Array;
}

/**
 * Counts the terms of one message.
 *
 * @example
 * extractTerms('jln rusak', { wordNgramRange: [1, 2], charNgramRange: null, stem: false, expandSlang: true })
 * // → Map { 'w:jalan' => 1, 'w:rusak' => 1, 'w:jalan rusak' => 1 }
 */
export function extractTerms(text: string, config: FeatureConfig): Map<string, number> {
  const words = tokenize(text, { expandSlang: config.expandSlang });
  const terms = new Map<string, number>();
  const add = (term: string): void => {
    terms.set(term, (terms.get(term) ?? 0) + 1);
  };

  const wordTerms = config.stem ? words.map(lightStem) : words;
  const [minWord, maxWord] = config.wordNgramRange;
  for (let n = minWord; n <= maxWord; n++) {
    for (let i = 0; i + n <= wordTerms.length; i++) {
      add('w:' + wordTerms.slice(i, i + n).join(' '));
    }
  }

  if (config.charNgramRange !== null) {
    const [minChar, maxChar] = config.charNgramRange;
    for (const word of words) {
      const padded = ` ${word} `;
      for (let n = minChar; n <= maxChar; n++) {
        for (let i = 0; i + n <= padded.length; i++) add('c:' + padded.slice(i, i + n));
      }
    }
  }
  return terms;
}

/** Fitted TF-IDF vocabulary, serialisable as JSON. */
export interface TfidfState {
  config: FeatureConfig;
  /** Term at each feature index. */
  terms: string[];
  /** Smoothed inverse document frequency per feature index. */
  idf: number[];
  /** Use 1 + ln(tf) in place of raw term frequency. */
  sublinearTf: boolean;
  /** Share of the squared norm given to word terms (0–1); the rest goes to character terms. */
  wordBlockWeight: number;
}

/** Options for fitting a vocabulary. */
export interface TfidfFitOptions {
  /** Drop terms seen in fewer documents than this. */
  minDocumentFrequency: number;
  /** Keep at most this many terms, the most frequent by document frequency. */
  maxFeatures: number;
  sublinearTf: boolean;
  /** See `TfidfState.wordBlockWeight`. */
  wordBlockWeight: number;
}

/**
 * Fits a vocabulary and IDF weights on documents already turned into terms.
 * IDF is smoothed as ln((1 + n) / (1 + df)) + 1, as scikit-learn does.
 */
export function fitTfidf(
  documents: ReadonlyArray<Map<string, number>>,
  config: FeatureConfig,
  options: TfidfFitOptions,
): TfidfState {
  const documentFrequency = new Map<string, number>();
  for (const terms of documents) {
    for (const term of terms.keys()) documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
  }

  let kept = [...documentFrequency].filter(([, df]) => df >= options.minDocumentFrequency);
  if (kept.length > options.maxFeatures) {
    // Stable order on ties so the same data always yields the same model.
    kept.sort((a, b) => b[1] - a[1] || compareStrings(a[0], b[0]));
    kept = kept.slice(0, options.maxFeatures);
  }
  kept.sort((a, b) => compareStrings(a[0], b[0]));

  const count = documents.length;
  return {
    config,
    terms: kept.map(([term]) => term),
    idf: kept.map(([, df]) => Math.log((1 + count) / (1 + df)) + 1),
    sublinearTf: options.sublinearTf,
    wordBlockWeight: options.wordBlockWeight,
  };
}

/** Orders strings by UTF-16 code units, independent of locale, so models are reproducible. */
function compareStrings(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

/** Fast term → index lookup for a fitted vocabulary; build once per model. */
export function indexTerms(state: TfidfState): Map<string, number> {
  const index = new Map<string, number>();
  state.terms.forEach((term, i) => index.set(term, i));
  return index;
}

/**
 * Turns counted terms into an L2-normalised TF-IDF vector. Terms outside the
 * vocabulary are ignored, so an empty vector is possible.
 */
export function vectorize(terms: Map<string, number>, state: TfidfState, termIndex: Map<string, number>): SparseVector {
  const entries: Array<[number, number]> = [];
  for (const [term, count] of terms) {
    const index = termIndex.get(term);
    if (index === undefined) continue;
    const tf = state.sublinearTf ? 1 + Math.log(count) : count;
    entries.push([index, tf * state.idf[index]]);
  }
  entries.sort((a, b) => a[0] - b[0]);

  // Word and character terms are normalised as two blocks, so that the many
  // character n-grams do not drown the word n-grams, then mixed by wordBlockWeight.
  let wordNorm = 0;
  let charNorm = 0;
  for (const [index, value] of entries) {
    if (state.terms[index].startsWith('w:')) wordNorm += value * value;
    else charNorm += value * value;
  }
  let wordShare = state.wordBlockWeight;
  if (charNorm === 0) wordShare = 1;
  else if (wordNorm === 0) wordShare = 0;
  const wordScale = wordNorm === 0 ? 0 : Math.sqrt(wordShare / wordNorm);
  const charScale = charNorm === 0 ? 0 : Math.sqrt((1 - wordShare) / charNorm);
  for (const entry of entries) entry[1] *= state.terms[entry[0]].startsWith('w:') ? wordScale : charScale;

  const indices = new Int32Array(entries.length);
  const values = new Float64Array(entries.length);
  entries.forEach(([index, value], i) => {
    indices[i] = index;
    values[i] = value;
  });
  return { indices, values };
}
