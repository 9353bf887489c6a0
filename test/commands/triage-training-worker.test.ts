/**
 * Triage training in a worker thread: the event loop keeps running while a
 * model trains, the worker returns the same model as in-process training,
 * and training errors reach the caller unchanged. The examples are
 * synthetic word lists, no real reports.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { trainTriageModel, trainWithHoldOut, type TrainedModel, type TrainingThread } from '../../src/commands/triage-training-worker.ts';
import type { TrainingExample } from '../../src/domain/triage/index.ts';

/** Largest allowed pause between timer ticks while the worker trains. */
const MAX_TICK_GAP_MS = 500;
const TICK_INTERVAL_MS = 10;

const WORDS = [
  'jalan', 'rusak', 'lampu', 'mati', 'sampah', 'menumpuk', 'air', 'bocor', 'sekolah', 'guru',
  'pasar', 'parkir', 'banjir', 'selokan', 'macet', 'listrik', 'izin', 'pajak', 'bantuan', 'puskesmas',
];

/** Builds `count` synthetic examples over 8 labels from a fixed pseudo-random sequence. */
function syntheticExamples(count: number): TrainingExample[] {
  let state = 7;
  const next = (): number => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  return Array.from({ length: count }, (_, i) => {
    const words = Array.from({ length: 12 }, () => WORDS[Math.floor(next() * WORDS.length)]);
    return { text: `${words.join(' ')} kode${i % 8} nomor ${i}`, label: `label-${i % 8}` };
  });
}

interface TimedTraining {
  result: TrainedModel;
  elapsedMs: number;
  maxTickGapMs: number;
  ticks: number;
}

/** Trains while a 10 ms interval timer records the largest gap between its ticks. */
async function trainWithTicker(examples: TrainingExample[], thread: TrainingThread): Promise<TimedTraining> {
  let ticks = 0;
  let maxTickGapMs = 0;
  const start = performance.now();
  let lastTick = start;
  const timer = setInterval(() => {
    const now = performance.now();
    maxTickGapMs = Math.max(maxTickGapMs, now - lastTick);
    lastTick = now;
    ticks += 1;
  }, TICK_INTERVAL_MS);
  try {
    const result = await trainTriageModel({ examples, trainedAt: new Date('2026-01-02T03:04:05Z') }, thread);
    // Counts the gap from the last tick to the end, which a blocked loop leaves open.
    const end = performance.now();
    maxTickGapMs = Math.max(maxTickGapMs, end - lastTick);
    return { result, elapsedMs: end - start, maxTickGapMs, ticks };
  } finally {
    clearInterval(timer);
  }
}

describe('triage training worker', () => {
  const examples = syntheticExamples(2_000);
  let inWorker: TimedTraining;

  test('worker keeps the event loop responsive', async () => {
    inWorker = await trainWithTicker(examples, 'worker');
    assert.ok(inWorker.elapsedMs > MAX_TICK_GAP_MS, `training took ${Math.round(inWorker.elapsedMs)} ms, too short to show a blocked loop`);
    assert.ok(inWorker.maxTickGapMs < MAX_TICK_GAP_MS, `the timer paused for ${Math.round(inWorker.maxTickGapMs)} ms`);
    assert.ok(inWorker.ticks > inWorker.elapsedMs / TICK_INTERVAL_MS / 4, `only ${inWorker.ticks} ticks in ${Math.round(inWorker.elapsedMs)} ms`);
  });

  test('in-process training blocks the loop and gives the same model', async () => {
    assert.ok(inWorker, 'the worker test ran first');
    const inProcess = await trainWithTicker(examples, 'in-process');
    // The control for the test above: the same measurement does catch a blocked loop.
    assert.ok(inProcess.maxTickGapMs >= MAX_TICK_GAP_MS, `in-process training paused the timer only ${Math.round(inProcess.maxTickGapMs)} ms`);

    assert.equal(inWorker.result.model.version, inProcess.result.model.version);
    assert.equal(inWorker.result.testSize, inProcess.result.testSize);
    assert.deepEqual(inWorker.result.metrics, inProcess.result.metrics);
    assert.deepEqual(inWorker.result.model, inProcess.result.model);
  });

  test('worker rejects with the training error', async () => {
    const oneLabel = syntheticExamples(40).map((example) => ({ ...example, label: 'label-0' }));
    assert.throws(() => trainWithHoldOut({ examples: oneLabel, trainedAt: new Date() }), /at least two different labels/);
    await assert.rejects(trainTriageModel({ examples: oneLabel, trainedAt: new Date() }), (error: unknown) => {
      assert.ok(error instanceof Error);
      assert.equal(error.message, 'Training data must contain at least two different labels.');
      return true;
    });
  });

  test('worker trains again after an error', async () => {
    const small = syntheticExamples(60);
    const result = await trainTriageModel({ examples: small, trainedAt: new Date('2026-01-02T03:04:05Z') });
    const expected = trainWithHoldOut({ examples: small, trainedAt: new Date('2026-01-02T03:04:05Z') });
    assert.equal(result.model.version, expected.model.version);
  });
});
