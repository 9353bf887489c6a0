/**
 * Text triage: normalisation of informal Indonesian, personal data
 * detection and masking, label suggestions with explanations, duplicate
 * similarity and evaluation metrics. Pure functions, no I/O.
 */
export { normalizeText, tokenize, lightStem, SLANG_LEXICON, type NormalizeOptions } from './normalize.ts';
export {
  findPersonalData,
  maskPersonalData,
  isPlausibleNik,
  PERSONAL_DATA_MASKS,
  type PersonalDataKind,
  type PersonalDataMatch,
} from './personal-data.ts';
export {
  train,
  predict,
  explain,
  parseModel,
  prepareModel,
  type TrainOptions,
  type TrainingExample,
  type TriageAlgorithm,
  type TriageModel,
  type Suggestion,
  type TermContribution,
} from './model.ts';
export { duplicateSearchWords, similarityTo, textSimilarity, type TextSimilarity } from './similarity.ts';
export { computeMetrics, type ClassificationMetrics, type LabelMetrics } from './metrics.ts';
export {
  stratifiedFolds,
  crossValidate,
  type CrossValidationCandidate,
  type CrossValidationOptions,
  type CrossValidationResult,
} from './cross-validation.ts';
export {
  parseLabelResolution,
  resolveRanking,
  resolutionColumns,
  knownLabelIndex,
  labelKey,
  type LabelResolution,
} from './label-resolution.ts';
