/**
 * Cross-validates the triage model and the naive Bayes baseline on every
 * evaluation data set, measures training time on 5,000 reports and the
 * latency of one suggestion, and prints the Markdown tables of docs/triage.md.
 *
 * Usage: node --import tsx scripts/triage-crossval.ts [--only NAME] [--folds 5] [--seed 42]
 * The data sets carry no licence, so they are read from the shared data
 * folder next to the repository and are never copied into it.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { parseLabelGroup, readLabelledCsv, type LabelGroup } from '../src/cli/triage.ts';
import { crossValidate, stratifiedFolds, type CrossValidationOptions } from '../src/domain/triage/cross-validation.ts';
import { knownLabelIndex, parseLabelResolution, resolutionColumns, resolveRanking } from '../src/domain/triage/label-resolution.ts';
import { predict, train, type TrainingExample } from '../src/domain/triage/model.ts';

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dataDirectory = resolve(repositoryRoot, '../shared/data/complaints');

/** Training-set size of the timing benchmark. */
const BENCHMARK_TRAINING_SIZE = 5_000;
/** Messages timed for per-suggestion latency. */
const BENCHMARK_PREDICTIONS = 1_000;

const REGIONAL_GROUPS = [
  '^Kelurahan =>Kelurahan (sesuai lokasi)',
  '^Kecamatan =>Kecamatan (sesuai lokasi)',
];
/** Resolves each regional group to the unit named in the report's location columns. */
const REGIONAL_RESOLUTIONS = [
  'Kelurahan (sesuai lokasi)=>Kelurahan {kelurahan}',
  'Kecamatan (sesuai lokasi)=>Kecamatan {kecamatan}',
];
/** One regional group, resolved by the product's rule: the kelurahan if the file has a label for it, else the kecamatan. */
const ONE_REGIONAL_GROUP = ['^(Kelurahan|Kecamatan) =>Kelurahan/Kecamatan (sesuai lokasi)'];
const ONE_REGIONAL_RESOLUTION = ['Kelurahan/Kecamatan (sesuai lokasi)=>Kelurahan {kelurahan}|Kecamatan {kecamatan}'];

interface Evaluation {
  name: string;
  file: string;
  textColumn: string;
  labelColumn: string;
  groups?: string[];
  /** `--resolve-label` rules; with them, scores are on the raw labels and folds are stratified by them. */
  resolutions?: string[];
  skipEmptyLabels?: boolean;
  /** Label whose own F1 is reported (binary tasks). */
  positiveLabel?: string;
}

const EVALUATIONS: Evaluation[] = [
  { name: 'surabaya-agency', file: 'surabaya-mediacenter.csv', textColumn: 'keluhan', labelColumn: 'instansi' },
  {
    name: 'surabaya-agency-regional-resolved',
    file: 'surabaya-mediacenter.csv',
    textColumn: 'keluhan',
    labelColumn: 'instansi',
    groups: REGIONAL_GROUPS,
    resolutions: REGIONAL_RESOLUTIONS,
  },
  {
    name: 'surabaya-agency-one-regional-group-resolved',
    file: 'surabaya-mediacenter.csv',
    textColumn: 'keluhan',
    labelColumn: 'instansi',
    groups: ONE_REGIONAL_GROUP,
    resolutions: ONE_REGIONAL_RESOLUTION,
  },
  {
    name: 'surabaya-agency-regional-grouped',
    file: 'surabaya-mediacenter.csv',
    textColumn: 'keluhan',
    labelColumn: 'instansi',
    groups: REGIONAL_GROUPS,
  },
  {
    name: 'surabaya-topic',
    file: 'surabaya-mediacenter.csv',
    textColumn: 'keluhan',
    labelColumn: 'topik',
    skipEmptyLabels: true,
  },
  { name: 'purbalingga-category', file: 'purbalingga-kategori.csv', textColumn: 'text', labelColumn: 'kategori' },
  {
    name: 'tweets-complaint-or-not',
    file: 'tweets-aduan-vs-bukan.csv',
    textColumn: 'text',
    labelColumn: 'label',
    positiveLabel: 'Aduan',
  },
];

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    folds: { type: 'string', default: '5' },
    seed: { type: 'string', default: '42' },
    'skip-benchmark': { type: 'boolean', default: false },
  },
});
const folds = Number(values.folds);
const seed = Number(values.seed);

console.log(`| data set and label | rows | labels | model | top-1 | top-3 | macro-F1 | positive-label F1 | mean training per fold |`);
console.log(`|---|---:|---:|---|---:|---:|---:|---:|---:|`);
for (const evaluation of EVALUATIONS) {
  if (values.only !== undefined && evaluation.name !== values.only) continue;
  const groups: LabelGroup[] = (evaluation.groups ?? []).map(parseLabelGroup);
  const resolutions = (evaluation.resolutions ?? []).map(parseLabelResolution);
  const { examples, rawLabels, columnValues } = readLabelledCsv(resolve(dataDirectory, evaluation.file), {
    textColumn: evaluation.textColumn,
    labelColumn: evaluation.labelColumn,
    delimiter: ',',
    skipEmptyLabels: evaluation.skipEmptyLabels ?? false,
    labelGroups: groups,
    keepColumns: resolutionColumns(resolutions),
  });
  let options: CrossValidationOptions = {};
  if (resolutions.length > 0) {
    const knownLabels = knownLabelIndex(rawLabels);
    options = {
      strata: rawLabels,
      scoredLabels: rawLabels,
      rewriteRanking: (ranking, i) => resolveRanking(ranking, resolutions, columnValues[i], knownLabels),
    };
  }
  const labelCount = new Set(options.scoredLabels ?? examples.map((example) => example.label)).size;
  const results = crossValidate(
    examples,
    [
      { name: 'softmax regression', options: { seed } },
      { name: 'naive Bayes baseline', options: { algorithm: 'naive_bayes' } },
    ],
    folds,
    seed,
    options,
  );
  for (const result of results) {
    const { metrics } = result;
    const positive = metrics.perLabel.find((row) => row.label === evaluation.positiveLabel);
    const meanTraining = result.trainMilliseconds.reduce((sum, ms) => sum + ms, 0) / result.trainMilliseconds.length;
    console.log(
      `| ${evaluation.name} | ${examples.length} | ${labelCount} | ${result.name} | ${percent(metrics.top1Accuracy)} | ` +
        `${percent(metrics.top3Accuracy)} | ${metrics.macroF1.toFixed(3)} | ${positive ? positive.f1.toFixed(3) : '–'} | ` +
        `${(meanTraining / 1000).toFixed(1)} s |`,
    );
  }
}

if (!values['skip-benchmark']) {
  calibration('purbalingga-kategori.csv', 'text', 'kategori');
  calibration('tweets-aduan-vs-bukan.csv', 'text', 'label');
  benchmark();
}

/**
 * Prints the expected calibration error of the top suggestion's score (ten
 * equal-width bins) over cross-validated predictions: 0 means that among
 * suggestions scored 0.8, 80 % are right.
 */
function calibration(file: string, textColumn: string, labelColumn: string): void {
  const { examples } = readLabelledCsv(resolve(dataDirectory, file), {
    textColumn,
    labelColumn,
    delimiter: ',',
    skipEmptyLabels: false,
    labelGroups: [],
  });
  const assignment = stratifiedFolds(examples.map((example) => example.label), folds, seed);
  const bins = Array.from({ length: 10 }, () => ({ count: 0, confidence: 0, correct: 0 }));
  for (let fold = 0; fold < folds; fold++) {
    const model = train(examples.filter((_, i) => assignment[i] !== fold), { seed });
    examples.forEach((example, i) => {
      if (assignment[i] !== fold) return;
      const [best] = predict(model, example.text);
      const bin = bins[Math.min(9, Math.floor(best.score * 10))];
      bin.count++;
      bin.confidence += best.score;
      if (best.label === example.label) bin.correct++;
    });
  }
  const error = bins.reduce((sum, bin) => sum + Math.abs(bin.confidence - bin.correct), 0) / examples.length;
  console.log();
  console.log(`Expected calibration error of the top score, ${file}: ${error.toFixed(3)}`);
}

/** Trains on 5,000 Surabaya reports (the 4,595 rows, then rows repeated from the start) and times suggestions. */
function benchmark(): void {
  const { examples } = readLabelledCsv(resolve(dataDirectory, 'surabaya-mediacenter.csv'), {
    textColumn: 'keluhan',
    labelColumn: 'instansi',
    delimiter: ',',
    skipEmptyLabels: false,
    labelGroups: [],
  });
  const trainingSet: TrainingExample[] = [];
  for (let i = 0; trainingSet.length < BENCHMARK_TRAINING_SIZE; i++) trainingSet.push(examples[i % examples.length]);

  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const model = train(trainingSet, { seed });
  const trainSeconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStarted);
  const trainCpuSeconds = (cpu.user + cpu.system) / 1e6;
  const modelBytes = Buffer.byteLength(JSON.stringify(model));

  const latencies: number[] = [];
  for (let i = 0; i < BENCHMARK_PREDICTIONS; i++) {
    const text = examples[(i * 7) % examples.length].text;
    const predictStarted = performance.now();
    predict(model, text);
    latencies.push(performance.now() - predictStarted);
  }
  latencies.sort((a, b) => a - b);
  const meanLatency = latencies.reduce((sum, ms) => sum + ms, 0) / latencies.length;

  console.log();
  console.log(`| benchmark | value |`);
  console.log(`|---|---:|`);
  console.log(`| training on ${BENCHMARK_TRAINING_SIZE} reports, ${model.labels.length} labels, wall clock | ${trainSeconds.toFixed(1)} s |`);
  console.log(`| training on ${BENCHMARK_TRAINING_SIZE} reports, CPU time of this process | ${trainCpuSeconds.toFixed(1)} s |`);
  console.log(`| model JSON size | ${(modelBytes / 1e6).toFixed(1)} MB |`);
  console.log(`| suggestion latency, mean of ${BENCHMARK_PREDICTIONS} (first call included) | ${meanLatency.toFixed(2)} ms |`);
  console.log(`| suggestion latency, 95th percentile | ${latencies[Math.floor(latencies.length * 0.95)].toFixed(2)} ms |`);
  console.log(`| suggestion latency, maximum (first call builds lookup tables) | ${latencies[latencies.length - 1].toFixed(2)} ms |`);
}

function percent(value: number): string {
  return `${(value * 100).toFixed(1)} %`;
}
