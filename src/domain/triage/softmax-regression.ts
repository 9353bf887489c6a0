/**
 * Multinomial logistic regression (softmax) on sparse vectors, trained by
 * stochastic gradient descent with L2 regularisation.
 *
 * Weights are kept feature-major (`weights[feature * classCount + class]`)
 * so that one sparse input touches contiguous memory. Regularisation uses the
 * scale trick: the true weights are `scale * weights`, and decaying every
 * weight is a single multiplication of `scale`. Updates for classes whose
 * gradient is below `GRADIENT_SKIP` are skipped, which makes later epochs
 * cheap when most class probabilities are near zero.
 */
import type { SparseVector } from './features.ts';
import { createRandom, shuffleInPlace } from './random.ts';

/** Gradient components smaller than this are not applied (speed, not accuracy). */
const GRADIENT_SKIP = 1e-4;
/** Rescale stored weights when the L2 scale factor falls below this, to keep precision. */
const MIN_SCALE = 1e-6;

/** Training options for `trainSoftmaxRegression`. */
export interface SoftmaxTrainingOptions {
  /** Passes over the training data. */
  epochs: number;
  /** L2 penalty per example (λ in λ/2·‖w‖²). */
  l2: number;
  /** Initial learning rate; decays as lr / (1 + lr·λ·t). */
  learningRate: number;
  /** Weight per example of class y is (n / (k · n_y)) ^ power: 0 none, 1 "balanced". */
  classWeightPower: number;
  /** Seed for the order of examples. */
  seed: number;
}

/** Dense trained weights. */
export interface SoftmaxWeights {
  featureCount: number;
  classCount: number;
  /** Feature-major weights, length featureCount × classCount. */
  weights: Float64Array;
  bias: Float64Array;
}

/** Computes class weights as described on `SoftmaxTrainingOptions.classWeightPower`. */
export function computeClassWeights(labels: Int32Array, classCount: number, power: number): Float64Array {
  const counts = new Float64Array(classCount);
  for (const label of labels) counts[label]++;
  const weights = new Float64Array(classCount);
  for (let c = 0; c < classCount; c++) {
    weights[c] = counts[c] === 0 ? 0 : Math.pow(labels.length / (classCount * counts[c]), power);
  }
  return weights;
}

/** Trains a softmax regression. `labels[i]` is the class index of `vectors[i]`. */
export function trainSoftmaxRegression(
  vectors: ReadonlyArray<SparseVector>,
  labels: Int32Array,
  featureCount: number,
  classCount: number,
  options: SoftmaxTrainingOptions,
): SoftmaxWeights {
  const weights = new Float64Array(featureCount * classCount);
  const bias = new Float64Array(classCount);
  const classWeights = computeClassWeights(labels, classCount, options.classWeightPower);
  const scores = new Float64Array(classCount);
  const activeClasses = new Int32Array(classCount);
  const activeSteps = new Float64Array(classCount);
  const order = new Int32Array(vectors.length).map((_, i) => i);
  const random = createRandom(options.seed);

  let scale = 1;
  let step = 0;
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    shuffleInPlace(order, random);
    for (const example of order) {
      const { indices, values } = vectors[example];
      const label = labels[example];
      const rate = options.learningRate / (1 + options.learningRate * options.l2 * step);
      step++;

      computeScores(indices, values, weights, bias, classCount, scale, scores);
      softmaxInPlace(scores);

      // Decay first, then apply the data gradient to the decayed weights.
      scale *= 1 - rate * options.l2;
      const exampleWeight = classWeights[label];
      let activeCount = 0;
      for (let c = 0; c < classCount; c++) {
        const gradient = (scores[c] - (c === label ? 1 : 0)) * exampleWeight;
        if (Math.abs(gradient) < GRADIENT_SKIP) continue;
        bias[c] -= rate * gradient;
        activeClasses[activeCount] = c;
        activeSteps[activeCount] = (rate * gradient) / scale;
        activeCount++;
      }
      for (let k = 0; k < indices.length; k++) {
        const offset = indices[k] * classCount;
        const value = values[k];
        for (let a = 0; a < activeCount; a++) {
          weights[offset + activeClasses[a]] -= activeSteps[a] * value;
        }
      }

      if (scale < MIN_SCALE) {
        for (let i = 0; i < weights.length; i++) weights[i] *= scale;
        scale = 1;
      }
    }
  }

  if (scale !== 1) for (let i = 0; i < weights.length; i++) weights[i] *= scale;
  return { featureCount, classCount, weights, bias };
}

function computeScores(
  indices: Int32Array,
  values: Float64Array,
  weights: Float64Array,
  bias: Float64Array,
  classCount: number,
  scale: number,
  out: Float64Array,
): void {
  out.fill(0);
  for (let k = 0; k < indices.length; k++) {
    const offset = indices[k] * classCount;
    const value = values[k] * scale;
    for (let c = 0; c < classCount; c++) out[c] += value * weights[offset + c];
  }
  for (let c = 0; c < classCount; c++) out[c] += bias[c];
}

/** Replaces scores by their softmax, in place (numerically stable). */
export function softmaxInPlace(scores: Float64Array): void {
  let max = -Infinity;
  for (const score of scores) if (score > max) max = score;
  let sum = 0;
  for (let c = 0; c < scores.length; c++) {
    scores[c] = Math.exp(scores[c] - max);
    sum += scores[c];
  }
  for (let c = 0; c < scores.length; c++) scores[c] /= sum;
}

/** Sparse weights for storage: per feature, the classes whose weight survived pruning. */
export interface SparseWeights {
  /** `classIndex`/`weight` entries of feature f are at offsets[f] … offsets[f+1]-1. */
  offsets: Int32Array;
  classIndex: Int32Array;
  weight: Float32Array;
}

/**
 * Drops weights whose magnitude is below `threshold` (on L2-normalised
 * inputs, a weight of 0.01 moves a score by at most 0.01).
 */
export function pruneWeights(dense: SoftmaxWeights, threshold: number): SparseWeights {
  const { featureCount, classCount, weights } = dense;
  const offsets = new Int32Array(featureCount + 1);
  let kept = 0;
  for (let i = 0; i < weights.length; i++) if (Math.abs(weights[i]) >= threshold) kept++;

  const classIndex = new Int32Array(kept);
  const weight = new Float32Array(kept);
  let cursor = 0;
  for (let f = 0; f < featureCount; f++) {
    offsets[f] = cursor;
    for (let c = 0; c < classCount; c++) {
      const w = weights[f * classCount + c];
      if (Math.abs(w) < threshold) continue;
      classIndex[cursor] = c;
      weight[cursor] = w;
      cursor++;
    }
  }
  offsets[featureCount] = cursor;
  return { offsets, classIndex, weight };
}

/** Computes class probabilities for one vector with sparse weights. */
export function predictSparse(vector: SparseVector, sparse: SparseWeights, bias: ArrayLike<number>): Float64Array {
  const scores = Float64Array.from(bias as ArrayLike<number>);
  const { indices, values } = vector;
  for (let k = 0; k < indices.length; k++) {
    const feature = indices[k];
    const value = values[k];
    for (let j = sparse.offsets[feature]; j < sparse.offsets[feature + 1]; j++) {
      scores[sparse.classIndex[j]] += value * sparse.weight[j];
    }
  }
  softmaxInPlace(scores);
  return scores;
}
