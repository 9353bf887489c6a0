/**
 * `aduan triage …`: evaluate, cross-validate, train and try the text triage
 * classifier on labelled CSV files. Output is a readable report whose last
 * line is one JSON object with the same figures, for scripts.
 *
 * Complaint text is never printed: reports show labels and counts only.
 */
import { readFileSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { parse } from 'csv-parse/sync';

import { crossValidate, type CrossValidationResult } from '../domain/triage/cross-validation.ts';
import { computeMetrics, type ClassificationMetrics } from '../domain/triage/metrics.ts';
import {
  knownLabelIndex,
  parseLabelResolution,
  resolutionColumns,
  resolveRanking,
  type LabelResolution,
} from '../domain/triage/label-resolution.ts';
import { explain, parseModel, predict, train, type TrainOptions, type TrainingExample } from '../domain/triage/model.ts';

const USAGE = `Usage: aduan triage <subcommand> [options]

Subcommands:
  evaluate --train FILE --test FILE --text COLUMN --label COLUMN
      Train on one CSV file, test on another, and report top-1 and top-3
      accuracy, macro-F1, per-label precision and recall and the confusion
      matrix, for the model and for the naive Bayes baseline.
  crossval --file FILE --text COLUMN --label COLUMN [--folds 5] [--seed 42]
      Stratified k-fold cross-validation of both on one CSV file.
  train --file FILE --text COLUMN --label COLUMN --out MODEL.json
      Train the model on all rows and write it as JSON.
  predict --model MODEL.json [--top 3] [--explain]
      Rank labels for one message read from standard input.

Options for evaluate, crossval and train:
  --delimiter CHAR        field separator of the CSV files (default ",")
  --group-label 'REGEX=>NAME'
                          replace every label matching REGEX by NAME before
                          training and testing; repeatable
  --skip-empty-labels     drop rows whose label is empty (default: reject them)
  --json-only             print only the JSON line
  --auxiliary-model MODEL.json
                          append the label probabilities of this trained
                          model (for example one trained on another region's
                          reports) to the features of the softmax model

Options for evaluate and crossval:
  --location-column COLUMN
                          append the row's value of COLUMN (for example
                          kelurahan) to the message as one location word;
                          repeatable
  --resolve-label 'LABEL=>TEMPLATE[|TEMPLATE…]'
                          replace a predicted LABEL (usually a --group-label
                          name) by TEMPLATE filled in from the test row, where
                          {column} stands for the row's value of that column,
                          for example 'Kelurahan (sesuai lokasi)=>Kelurahan
                          {kelurahan}'. The first template that names a label
                          of the files wins. With this option the scores are
                          computed on the raw labels, before --group-label,
                          and cross-validation folds are stratified by them;
                          repeatable`;

/** Exit codes: 0 success, 1 bad input data, 2 bad command line. */
const EXIT_DATA_ERROR = 1;
const EXIT_USAGE = 2;

/** Confusion matrices with more labels than this are printed as a list of the largest errors. */
const MAX_MATRIX_LABELS = 12;
/** Maximum label width in text tables; the JSON line keeps full labels. */
const MAX_LABEL_WIDTH = 44;

/** Input problem that the user can fix; printed without a stack trace. */
export class TriageInputError extends Error {
  override name = 'TriageInputError';

  constructor(message: string, readonly exitCode: number = EXIT_DATA_ERROR) {
    super(message);
  }
}

/** Rows read from a labelled CSV file. */
export interface LabelledCsv {
  /** Messages with their labels after `--group-label`. */
  examples: TrainingExample[];
  /** Label of each example as written in the file, before grouping. */
  rawLabels: string[];
  /** Values of `CsvReadOptions.keepColumns` for each example. */
  columnValues: Array<Record<string, string>>;
  /** Rows dropped because their label was empty (only with skipEmptyLabels). */
  skippedEmptyLabels: number;
}

/** How to read a labelled CSV file. */
export interface CsvReadOptions {
  textColumn: string;
  labelColumn: string;
  delimiter: string;
  skipEmptyLabels: boolean;
  labelGroups: ReadonlyArray<LabelGroup>;
  /** Columns whose values are appended to the message as location words (default none). */
  locationColumns?: ReadonlyArray<string>;
  /** Columns whose values are returned in `LabelledCsv.columnValues` (default none). */
  keepColumns?: ReadonlyArray<string>;
}

/** A label rewrite from `--group-label`. */
export interface LabelGroup {
  pattern: RegExp;
  name: string;
}

/**
 * Runs `aduan triage` with the arguments after the word "triage" and returns
 * the exit code.
 */
export async function runTriageCli(argv: string[]): Promise<number> {
  const [subcommand, ...rest] = argv;
  try {
    switch (subcommand) {
      case 'evaluate':
        return runEvaluate(rest);
      case 'crossval':
        return runCrossValidation(rest);
      case 'train':
        return runTrain(rest);
      case 'predict':
        return await runPredict(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        console.log(USAGE);
        return subcommand === undefined ? EXIT_USAGE : 0;
      default:
        console.error(`Unknown triage subcommand "${subcommand}".\n\n${USAGE}`);
        return EXIT_USAGE;
    }
  } catch (error) {
    if (error instanceof TriageInputError) {
      console.error(`Error: ${error.message}`);
      return error.exitCode;
    }
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      console.error(`Error: ${error.message}\n\n${USAGE}`);
      return EXIT_USAGE;
    }
    throw error;
  }
}

const COMMON_OPTIONS = {
  text: { type: 'string' },
  label: { type: 'string' },
  delimiter: { type: 'string', default: ',' },
  'group-label': { type: 'string', multiple: true, default: [] as string[] },
  'skip-empty-labels': { type: 'boolean', default: false },
  'json-only': { type: 'boolean', default: false },
  seed: { type: 'string', default: '42' },
  'auxiliary-model': { type: 'string' },
} as const;

const EVALUATION_OPTIONS = {
  'location-column': { type: 'string', multiple: true, default: [] as string[] },
  'resolve-label': { type: 'string', multiple: true, default: [] as string[] },
} as const;

function runEvaluate(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    options: { ...COMMON_OPTIONS, ...EVALUATION_OPTIONS, train: { type: 'string' }, test: { type: 'string' } },
  });
  const trainFile = requireOption(values.train, '--train FILE');
  const testFile = requireOption(values.test, '--test FILE');
  const resolutions = values['resolve-label'].map(parseResolveOption);
  const readOptions = { ...csvReadOptions(values), keepColumns: resolutionColumns(resolutions) };
  const training = readLabelledCsv(trainFile, readOptions);
  const test = readLabelledCsv(testFile, readOptions);
  const seed = parseInteger(values.seed, '--seed');
  const log = values['json-only'] ? () => {} : (line = '') => console.log(line);

  log('Triage evaluation');
  log(`  training file: ${trainFile} (${training.examples.length} rows, ${countLabels(training.examples)} labels)`);
  log(`  test file: ${testFile} (${test.examples.length} rows)`);
  log(`  text column: ${readOptions.textColumn}; label column: ${readOptions.labelColumn}`);
  logSkipped(log, training, test);
  const scoring = scoringPlan(resolutions, test, [...training.rawLabels, ...test.rawLabels]);
  logScoring(log, resolutions, readOptions);

  const results = [
    evaluateOnce('model', { seed, ...auxiliaryOptions(values['auxiliary-model']) }, training.examples, test.examples, scoring),
    evaluateOnce('baseline', { algorithm: 'naive_bayes' }, training.examples, test.examples, scoring),
  ];
  for (const result of results) {
    log();
    log(`${result.name === 'model' ? 'Model' : 'Baseline'}: ${result.algorithm} (version ${result.version})`);
    log(`  training took ${(result.trainMilliseconds / 1000).toFixed(1)} s; ${result.predictMilliseconds.toFixed(2)} ms per suggestion`);
    logMetrics(log, result.metrics);
  }

  console.log(JSON.stringify({
    command: 'evaluate',
    trainFile,
    testFile,
    textColumn: readOptions.textColumn,
    labelColumn: readOptions.labelColumn,
    locationColumns: readOptions.locationColumns,
    resolveLabels: values['resolve-label'],
    scoredOnRawLabels: resolutions.length > 0,
    auxiliaryModel: values['auxiliary-model'] ?? null,
    trainRows: training.examples.length,
    testRows: test.examples.length,
    model: { ...results[0], metrics: roundMetrics(results[0].metrics) },
    baseline: { ...results[1], metrics: roundMetrics(results[1].metrics) },
  }));
  return 0;
}

interface EvaluationResult {
  name: string;
  algorithm: string;
  version: string;
  trainMilliseconds: number;
  predictMilliseconds: number;
  metrics: ClassificationMetrics;
}

/** The labels that predictions are scored against, and how a ranking is rewritten first. */
interface ScoringPlan {
  scoredLabels: string[];
  rewriteRanking?: (ranking: string[], exampleIndex: number) => string[];
}

/**
 * Scores against the training labels, or with `--resolve-label` against the
 * raw labels after resolving group labels from each row's columns.
 * `knownLabels` are the raw labels that a resolved name is matched to.
 */
function scoringPlan(resolutions: LabelResolution[], data: LabelledCsv, knownLabels: Iterable<string>): ScoringPlan {
  if (resolutions.length === 0) return { scoredLabels: data.examples.map((example) => example.label) };
  const index = knownLabelIndex(knownLabels);
  return {
    scoredLabels: data.rawLabels,
    rewriteRanking: (ranking, i) => resolveRanking(ranking, resolutions, data.columnValues[i], index),
  };
}

function logScoring(log: (line?: string) => void, resolutions: LabelResolution[], readOptions: CsvReadOptions): void {
  for (const column of readOptions.locationColumns ?? []) log(`  location words from column: ${column}`);
  if (resolutions.length === 0) return;
  for (const rule of resolutions) log(`  resolving "${rule.label}" to ${rule.templates.map((template) => `"${template}"`).join(' or ')}`);
  log('  scores are computed on the raw labels, before grouping');
}

function evaluateOnce(
  name: string,
  options: TrainOptions,
  training: TrainingExample[],
  test: TrainingExample[],
  scoring: ScoringPlan,
): EvaluationResult {
  const started = performance.now();
  const model = train(training, options);
  const trainMilliseconds = performance.now() - started;

  const predictStarted = performance.now();
  const rankings = test.map((example) => predict(model, example.text).map((suggestion) => suggestion.label));
  const predictMilliseconds = (performance.now() - predictStarted) / Math.max(1, test.length);

  const scoredRankings = scoring.rewriteRanking === undefined ? rankings : rankings.map(scoring.rewriteRanking);
  const labelOrder = scoring.rewriteRanking === undefined ? model.labels : [...new Set(scoring.scoredLabels)].sort();
  const metrics = computeMetrics(scoring.scoredLabels, scoredRankings, labelOrder);
  return { name, algorithm: model.algorithm, version: model.version, trainMilliseconds, predictMilliseconds, metrics };
}

function runCrossValidation(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    options: { ...COMMON_OPTIONS, ...EVALUATION_OPTIONS, file: { type: 'string' }, folds: { type: 'string', default: '5' } },
  });
  const file = requireOption(values.file, '--file FILE');
  const resolutions = values['resolve-label'].map(parseResolveOption);
  const readOptions = { ...csvReadOptions(values), keepColumns: resolutionColumns(resolutions) };
  const data = readLabelledCsv(file, readOptions);
  const folds = parseInteger(values.folds, '--folds');
  const seed = parseInteger(values.seed, '--seed');
  if (folds < 2) throw new TriageInputError(`--folds must be at least 2, got ${folds}.`, EXIT_USAGE);
  if (data.examples.length < folds) {
    throw new TriageInputError(`${file} has ${data.examples.length} usable rows, fewer than --folds ${folds}.`);
  }
  const log = values['json-only'] ? () => {} : (line = '') => console.log(line);

  log(`Triage ${folds}-fold stratified cross-validation (seed ${seed})`);
  log(`  file: ${file} (${data.examples.length} rows, ${countLabels(data.examples)} labels)`);
  log(`  text column: ${readOptions.textColumn}; label column: ${readOptions.labelColumn}`);
  logSkipped(log, data);
  logScoring(log, resolutions, readOptions);
  const scoring = scoringPlan(resolutions, data, data.rawLabels);

  const results = crossValidate(
    data.examples,
    [
      { name: 'model', options: { seed, ...auxiliaryOptions(values['auxiliary-model']) } },
      { name: 'baseline', options: { algorithm: 'naive_bayes' } },
    ],
    folds,
    seed,
    // Resolved predictions are scored on the raw labels, so the folds are stratified by them too.
    resolutions.length === 0 ? {} : { strata: data.rawLabels, scoredLabels: scoring.scoredLabels, rewriteRanking: scoring.rewriteRanking },
  );
  for (const result of results) {
    log();
    log(`${result.name === 'model' ? 'Model: softmax_regression' : 'Baseline: naive_bayes'}`);
    const spread = result.foldTop1.map((value) => percent(value)).join(', ');
    log(`  top-1 accuracy per fold: ${spread}`);
    log(`  mean training time per fold ${(mean(result.trainMilliseconds) / 1000).toFixed(1)} s; ${result.predictMilliseconds.toFixed(2)} ms per suggestion`);
    logMetrics(log, result.metrics);
  }

  console.log(JSON.stringify({
    command: 'crossval',
    file,
    textColumn: readOptions.textColumn,
    labelColumn: readOptions.labelColumn,
    locationColumns: readOptions.locationColumns,
    resolveLabels: values['resolve-label'],
    scoredOnRawLabels: resolutions.length > 0,
    auxiliaryModel: values['auxiliary-model'] ?? null,
    rows: data.examples.length,
    folds,
    seed,
    model: summariseCrossValidation(results[0]),
    baseline: summariseCrossValidation(results[1]),
  }));
  return 0;
}

function summariseCrossValidation(result: CrossValidationResult): object {
  return {
    foldTop1: result.foldTop1.map(round4),
    trainMilliseconds: result.trainMilliseconds.map(Math.round),
    predictMilliseconds: round4(result.predictMilliseconds),
    metrics: roundMetrics(result.metrics),
  };
}

function runTrain(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    options: { ...COMMON_OPTIONS, file: { type: 'string' }, out: { type: 'string' } },
  });
  const file = requireOption(values.file, '--file FILE');
  const out = requireOption(values.out, '--out MODEL.json');
  const data = readLabelledCsv(file, csvReadOptions(values));

  const started = performance.now();
  const model = train(data.examples, { seed: parseInteger(values.seed, '--seed'), ...auxiliaryOptions(values['auxiliary-model']) });
  const trainMilliseconds = Math.round(performance.now() - started);
  writeFileSync(out, JSON.stringify(model));

  if (!values['json-only']) {
    console.log(`Trained ${model.algorithm} on ${data.examples.length} rows, ${model.labels.length} labels, in ${(trainMilliseconds / 1000).toFixed(1)} s.`);
    console.log(`Model version ${model.version} written to ${out}.`);
  }
  console.log(JSON.stringify({ command: 'train', file, out, version: model.version, rows: data.examples.length, labels: model.labels.length, trainMilliseconds }));
  return 0;
}

async function runPredict(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { model: { type: 'string' }, top: { type: 'string', default: '3' }, explain: { type: 'boolean', default: false } },
  });
  const modelFile = requireOption(values.model, '--model MODEL.json');
  ensureFile(modelFile);
  let model;
  try {
    model = parseModel(readFileSync(modelFile, 'utf8'));
  } catch (error) {
    throw new TriageInputError(`Cannot read model ${modelFile}: ${(error as Error).message}`);
  }
  const top = parseInteger(values.top, '--top');
  const text = await readStandardInput();
  if (text.trim() === '') throw new TriageInputError('No message on standard input; pipe the message text into this command.');

  const suggestions = predict(model, text).slice(0, top).map((suggestion) => ({
    ...suggestion,
    score: round4(suggestion.score),
    ...(values.explain ? { reasons: explain(model, text, suggestion.label, 5) } : {}),
  }));
  console.log(JSON.stringify({ command: 'predict', modelVersion: model.version, suggestions }));
  return 0;
}

async function readStandardInput(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function csvReadOptions(values: {
  text?: string;
  label?: string;
  delimiter?: string;
  'group-label'?: string[];
  'skip-empty-labels'?: boolean;
  'location-column'?: string[];
}): CsvReadOptions {
  const delimiter = values.delimiter ?? ',';
  if (delimiter.length !== 1 && delimiter !== '\\t') {
    throw new TriageInputError(`--delimiter must be one character (for example ";"), got "${delimiter}".`, EXIT_USAGE);
  }
  return {
    textColumn: requireOption(values.text, '--text COLUMN'),
    labelColumn: requireOption(values.label, '--label COLUMN'),
    delimiter: delimiter === '\\t' ? '\t' : delimiter,
    skipEmptyLabels: values['skip-empty-labels'] ?? false,
    labelGroups: (values['group-label'] ?? []).map(parseLabelGroup),
    locationColumns: values['location-column'] ?? [],
  };
}

/** Loads the `--auxiliary-model` file, if given, as training options of the softmax model. */
function auxiliaryOptions(file: string | undefined): TrainOptions {
  if (file === undefined) return {};
  ensureFile(file);
  try {
    return { auxiliaryModel: parseModel(readFileSync(file, 'utf8')) };
  } catch (error) {
    throw new TriageInputError(`--auxiliary-model ${file}: ${(error as Error).message}`);
  }
}

/** Parses one `--resolve-label` value; see `parseLabelResolution`. */
export function parseResolveOption(value: string): LabelResolution {
  try {
    return parseLabelResolution(value);
  } catch (error) {
    throw new TriageInputError(`--resolve-label: ${(error as Error).message}`, EXIT_USAGE);
  }
}

/**
 * Turns a location value into one word that tokenisation keeps whole, such
 * as "xlokasikelurahanbabatan" for column kelurahan and value "Babatan".
 * The column name is part of the word, so one value in two columns gives two
 * different words.
 */
export function locationWord(column: string, value: string): string {
  const letters = (text: string) => text.normalize('NFKD').toLowerCase().replace(/[^a-z0-9]+/g, '');
  return `xlokasi${letters(column)}${letters(value)}`;
}

/** Parses `REGEX=>NAME` from `--group-label`. */
export function parseLabelGroup(value: string): LabelGroup {
  const separator = value.lastIndexOf('=>');
  if (separator <= 0 || separator + 2 >= value.length) {
    throw new TriageInputError(
      `--group-label must look like 'REGEX=>NAME', for example '^Kelurahan =>Kelurahan setempat'; got '${value}'.`,
      EXIT_USAGE,
    );
  }
  const source = value.slice(0, separator);
  try {
    return { pattern: new RegExp(source, 'u'), name: value.slice(separator + 2) };
  } catch (error) {
    throw new TriageInputError(`--group-label has an invalid regular expression '${source}': ${(error as Error).message}`, EXIT_USAGE);
  }
}

/**
 * Reads a labelled CSV file with a header row. Throws `TriageInputError` for
 * a missing file, a missing column (listing the columns that exist), or an
 * empty label unless `skipEmptyLabels` is set.
 */
export function readLabelledCsv(file: string, options: CsvReadOptions): LabelledCsv {
  ensureFile(file);
  let rows: Record<string, string>[];
  try {
    rows = parse(readFileSync(file), {
      bom: true,
      delimiter: options.delimiter,
      skip_empty_lines: true,
      relax_column_count: true,
      columns: (header: string[]) => header.map((name, i) => name.trim() || `column_${i + 1}`),
    }) as Record<string, string>[];
  } catch (error) {
    // csv-parse may quote the offending field; drop it so no complaint text reaches the terminal.
    const reason = (error as Error).message.replace(/,? value is [\s\S]*$/, '');
    throw new TriageInputError(`Cannot parse ${file} as CSV with delimiter "${options.delimiter}": ${reason}`);
  }
  if (rows.length === 0) throw new TriageInputError(`${file} has a header but no data rows.`);

  const columns = Object.keys(rows[0]);
  for (const column of [options.textColumn, options.labelColumn, ...(options.locationColumns ?? []), ...(options.keepColumns ?? [])]) {
    if (columns.includes(column)) continue;
    let hint = '';
    if (columns.length === 1 && options.delimiter !== ';' && columns[0].includes(';')) {
      hint = ' The header contains ";": try --delimiter ";".';
    }
    throw new TriageInputError(`Column "${column}" not found in ${file}. Columns: ${columns.join(', ')}.${hint}`);
  }

  const examples: TrainingExample[] = [];
  const rawLabels: string[] = [];
  const columnValues: Array<Record<string, string>> = [];
  const emptyLabelRows: number[] = [];
  rows.forEach((row, i) => {
    const rawLabel = (row[options.labelColumn] ?? '').trim();
    if (rawLabel === '') {
      emptyLabelRows.push(i + 2); // 1-based, after the header line
      return;
    }
    const group = options.labelGroups.find((candidate) => candidate.pattern.test(rawLabel));
    let text = row[options.textColumn] ?? '';
    const locationWords = (options.locationColumns ?? [])
      .filter((column) => (row[column] ?? '').trim() !== '')
      .map((column) => locationWord(column, row[column]));
    if (locationWords.length > 0) text += `\n${locationWords.join(' ')}`;
    examples.push({ text, label: group === undefined ? rawLabel : group.name });
    rawLabels.push(rawLabel);
    columnValues.push(Object.fromEntries((options.keepColumns ?? []).map((column) => [column, row[column] ?? ''])));
  });

  if (emptyLabelRows.length > 0 && !options.skipEmptyLabels) {
    const shown = emptyLabelRows.slice(0, 5).join(', ') + (emptyLabelRows.length > 5 ? ', …' : '');
    throw new TriageInputError(
      `${file}: ${emptyLabelRows.length} rows have an empty "${options.labelColumn}" label (rows ${shown}). ` +
        'Fill them in, or pass --skip-empty-labels to leave them out.',
    );
  }
  if (examples.length === 0) throw new TriageInputError(`${file} has no rows with a label in column "${options.labelColumn}".`);
  return { examples, rawLabels, columnValues, skippedEmptyLabels: emptyLabelRows.length };
}

function ensureFile(file: string): void {
  if (!existsSync(file)) throw new TriageInputError(`File not found: ${file}. Check the path (relative paths start at ${process.cwd()}).`);
  if (!statSync(file).isFile()) throw new TriageInputError(`${file} is not a file.`);
}

function requireOption(value: string | undefined, name: string): string {
  if (value === undefined || value === '') {
    throw new TriageInputError(`Missing ${name}. Run "aduan triage help" for usage.`, EXIT_USAGE);
  }
  return value;
}

function parseInteger(value: string | undefined, name: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) {
    throw new TriageInputError(`${name} must be a whole number, got "${value}".`, EXIT_USAGE);
  }
  return parsed;
}

function countLabels(examples: ReadonlyArray<TrainingExample>): number {
  return new Set(examples.map((example) => example.label)).size;
}

function logSkipped(log: (line?: string) => void, ...files: LabelledCsv[]): void {
  const skipped = files.reduce((sum, file) => sum + file.skippedEmptyLabels, 0);
  if (skipped > 0) log(`  skipped ${skipped} rows with an empty label`);
}

function logMetrics(log: (line?: string) => void, metrics: ClassificationMetrics): void {
  log(`  top-1 accuracy ${percent(metrics.top1Accuracy)}   top-3 accuracy ${percent(metrics.top3Accuracy)}   macro-F1 ${metrics.macroF1.toFixed(3)}   (${metrics.count} messages)`);
  log('  per label (precision, recall, F1, support):');
  const rows = [...metrics.perLabel].sort((a, b) => b.support - a.support);
  for (const row of rows) {
    log(`    ${fit(row.label, MAX_LABEL_WIDTH)}  ${row.precision.toFixed(3)}  ${row.recall.toFixed(3)}  ${row.f1.toFixed(3)}  ${String(row.support).padStart(5)}`);
  }
  logConfusion(log, metrics.confusion);
}

function logConfusion(log: (line?: string) => void, confusion: ClassificationMetrics['confusion']): void {
  const { labels, matrix } = confusion;
  if (labels.length <= MAX_MATRIX_LABELS) {
    log('  confusion matrix (rows: actual, columns: predicted):');
    const width = Math.max(5, ...matrix.flat().map((n) => String(n).length + 1));
    log(`    ${''.padEnd(MAX_LABEL_WIDTH)} ${labels.map((_, j) => `[${j + 1}]`.padStart(width)).join('')}`);
    labels.forEach((label, i) => {
      log(`    ${fit(`[${i + 1}] ${label}`, MAX_LABEL_WIDTH)} ${matrix[i].map((n) => String(n).padStart(width)).join('')}`);
    });
    return;
  }

  const errors: Array<[number, number, number]> = [];
  matrix.forEach((row, i) => row.forEach((n, j) => {
    if (i !== j && n > 0) errors.push([i, j, n]);
  }));
  errors.sort((a, b) => b[2] - a[2]);
  log(`  confusion matrix: ${labels.length} labels, too many to print; largest errors (actual → predicted: count), full matrix in the JSON line:`);
  for (const [i, j, n] of errors.slice(0, 20)) {
    log(`    ${fit(labels[i], MAX_LABEL_WIDTH)} → ${fit(labels[j], MAX_LABEL_WIDTH)}: ${n}`);
  }
}

function roundMetrics(metrics: ClassificationMetrics): ClassificationMetrics {
  return {
    ...metrics,
    top1Accuracy: round4(metrics.top1Accuracy),
    top3Accuracy: round4(metrics.top3Accuracy),
    macroF1: round4(metrics.macroF1),
    perLabel: metrics.perLabel.map((row) => ({
      ...row,
      precision: round4(row.precision),
      recall: round4(row.recall),
      f1: round4(row.f1),
    })),
  };
}

function fit(text: string, width: number): string {
  return text.length > width ? text.slice(0, width - 1) + '…' : text.padEnd(width);
}

function percent(value: number): string {
  return `${(value * 100).toFixed(1)} %`;
}

function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

function mean(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
}
