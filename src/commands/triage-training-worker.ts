/**
 * Trains one triage model and its held-out evaluation in a worker thread,
 * so that the event loop of the web server keeps serving requests while the
 * CPU-bound training runs (minutes at 20,000 reports).
 *
 * The parent thread passes the examples and the training time in
 * `workerData` and gets the model and its metrics back by structured clone.
 * Training in the worker and in-process run the same code with the same
 * seeds, so both give the same model version. At most one worker trains at
 * a time per process. When a worker cannot be started or cannot load this
 * module, training runs on the calling thread after a logged warning.
 */
import { parentPort, Worker, workerData } from 'node:worker_threads';
import type { StoredTriageMetrics } from '../db/schema.ts';
import { computeMetrics, predict, stratifiedFolds, train, type TrainingExample, type TriageModel } from '../domain/triage/index.ts';
import { logger } from '../logger.ts';

/** Folds of the held-out split; one of them is the test set. */
const HOLDOUT_FOLDS = 5;
/** Fixed seeds, so that the same data gives the same split and the same model version. */
const SPLIT_SEED = 42;
const TRAINING_SEED = 1;
/** Below this many examples no split is made and `metrics` stays null. */
const MIN_EXAMPLES_FOR_SPLIT = 20;

/** Input of one training run. */
export interface TrainingJob {
  examples: TrainingExample[];
  /** Training time stored in the model; not part of its version. */
  trainedAt: Date;
}

/** The model trained on all examples, with metrics of a model trained on four fifths of them. */
export interface TrainedModel {
  model: TriageModel;
  /** Held-out metrics, or null when the set was too small to split. */
  metrics: StoredTriageMetrics | null;
  testSize: number;
}

/** Thread that `trainTriageModel` trains on: a worker thread (default) or the calling thread. */
export type TrainingThread = 'worker' | 'in-process';

/** Message from the worker to the parent thread. */
type WorkerMessage =
  | { type: 'result'; result: TrainedModel }
  | { type: 'unavailable'; message: string };

/** Marks `workerData` of a training worker. */
const WORKER_MARKER = 'aduan-triage-training';

export function distinctLabels(examples: ReadonlyArray<TrainingExample>): number {
  return new Set(examples.map((example) => example.label)).size;
}

/**
 * Trains the model on all examples and measures a model trained on four
 * fifths of them on the remaining fifth. CPU-bound: blocks the calling
 * thread until done. Throws what `train` throws.
 */
export function trainWithHoldOut(job: TrainingJob): TrainedModel {
  const { metrics, testSize } = holdOutMetrics(job.examples);
  const model = train(job.examples, { seed: TRAINING_SEED, trainedAt: job.trainedAt });
  return { model, metrics, testSize };
}

/** Measures a model trained on four fifths of the examples on the remaining fifth. */
function holdOutMetrics(examples: TrainingExample[]): { metrics: StoredTriageMetrics | null; testSize: number } {
  if (examples.length < MIN_EXAMPLES_FOR_SPLIT) return { metrics: null, testSize: 0 };
  const folds = stratifiedFolds(examples.map((example) => example.label), HOLDOUT_FOLDS, SPLIT_SEED);
  const trainPart = examples.filter((_, i) => folds[i] !== 0);
  const testPart = examples.filter((_, i) => folds[i] === 0);
  if (testPart.length === 0 || distinctLabels(trainPart) < 2) return { metrics: null, testSize: 0 };

  const model = train(trainPart, { seed: TRAINING_SEED });
  const rankings = testPart.map((example) => predict(model, example.text).slice(0, 3).map((suggestion) => suggestion.label));
  const computed = computeMetrics(testPart.map((example) => example.label), rankings);
  return {
    testSize: testPart.length,
    metrics: {
      top1Accuracy: computed.top1Accuracy,
      top3Accuracy: computed.top3Accuracy,
      macroF1: computed.macroF1,
      perLabel: computed.perLabel.map((row) => ({ label: row.label, precision: row.precision, recall: row.recall, f1: row.f1, support: row.support })),
    },
  };
}

/** Tail of the queue that lets one training run at a time in this process. It settles to nothing, so it never keeps the last model alive. */
let trainingQueue: Promise<void> = Promise.resolve();

/**
 * Runs `trainWithHoldOut` in a worker thread, one run at a time per
 * process, and returns its result. Rejects with the worker's error when
 * training fails, and terminates the worker. Falls back to training on the
 * calling thread, with a warning, when no worker can be started.
 *
 * @example
 * const { model, metrics, testSize } = await trainTriageModel({ examples, trainedAt: new Date() });
 * // → model.version 'sr-…', metrics.top1Accuracy 0.81, testSize 77
 */
export function trainTriageModel(job: TrainingJob, thread: TrainingThread = 'worker'): Promise<TrainedModel> {
  const run = trainingQueue.then(() => (thread === 'worker' ? trainInWorker(job) : trainWithHoldOut(job)));
  trainingQueue = run.then(() => undefined, () => undefined);
  return run;
}

// NOTE: every run starts a new worker, which loads tsx and the triage modules
// first: about 0.5 s more than in-process training on 300 examples (shared
// 2-core machine), so a retrain of four kinds spends about 2 s on start-up.
async function trainInWorker(job: TrainingJob): Promise<TrainedModel> {
  let worker: Worker;
  try {
    worker = startWorker(job);
  } catch (error) {
    logger.warn({ err: error, examples: job.examples.length }, 'triage training worker could not start; training on the calling thread');
    return trainWithHoldOut(job);
  }
  const outcome = await collectWorkerOutcome(worker);
  if (outcome.type === 'result') return outcome.result;
  logger.warn({ reason: outcome.message, examples: job.examples.length }, 'triage training worker could not load; training on the calling thread');
  return trainWithHoldOut(job);
}

/**
 * Starts a worker that loads this module and calls `runTrainingWorker`.
 *
 * The worker starts from an inline script because on Node 20 a worker
 * ignores the parent's `--import tsx` and cannot load a .ts file by itself
 * (checked with Node 20.20 and tsx 4.23). The script registers the tsx
 * loader in the worker first, when tsx is installed.
 */
function startWorker(job: TrainingJob): Worker {
  const moduleUrl = import.meta.url;
  let tsxApiUrl: string | null = null;
  // Compiled JavaScript (build/, what `npm start` runs) needs no loader.
  if (moduleUrl.endsWith('.ts')) {
    try {
      tsxApiUrl = import.meta.resolve('tsx/esm/api');
    } catch {
      // Without tsx the module cannot load; the caller trains on its own thread.
    }
  }
  const register = tsxApiUrl === null
    ? 'Promise.resolve()'
    : `import(${JSON.stringify(tsxApiUrl)}).then((tsx) => tsx.register())`;
  const script = `
    const { parentPort } = require('node:worker_threads');
    ${register}
      .then(() => import(${JSON.stringify(moduleUrl)}))
      .then(
        (module) => module.runTrainingWorker(),
        (error) => parentPort.postMessage({ type: 'unavailable', message: String((error && error.message) || error) }),
      );
  `;
  return new Worker(script, { eval: true, workerData: { marker: WORKER_MARKER, job } });
}

/** Waits for the worker's result or "unavailable" message; rejects on its error or early exit and terminates it. */
function collectWorkerOutcome(worker: Worker): Promise<WorkerMessage> {
  return new Promise<WorkerMessage>((resolve, reject) => {
    let settled = false;
    const settle = (finish: () => void): void => {
      if (settled) return;
      settled = true;
      // A worker exits after its message by itself; terminate covers one that is stuck or failed.
      worker.terminate().catch((error: unknown) => logger.warn({ err: error }, 'terminating the triage training worker failed'));
      finish();
    };
    worker.on('message', (message: WorkerMessage) => settle(() => resolve(message)));
    worker.on('error', (error) => settle(() => reject(error)));
    worker.on('exit', (code) => settle(() => reject(new Error(`the triage training worker exited with code ${code} before returning a model`))));
  });
}

/**
 * Entry of the worker thread: trains the job in `workerData` and posts the
 * result to the parent. An error thrown here reaches the parent as the
 * worker's `error` event.
 */
export function runTrainingWorker(): void {
  const data = workerData as { marker?: string; job?: TrainingJob } | null;
  if (!parentPort || data?.marker !== WORKER_MARKER || !data.job) {
    throw new Error('runTrainingWorker runs only in a worker started by trainTriageModel');
  }
  const message: WorkerMessage = { type: 'result', result: trainWithHoldOut(data.job) };
  parentPort.postMessage(message);
}
