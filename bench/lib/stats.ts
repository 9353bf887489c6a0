/** Percentiles and bounded sequential timing loops. */

/** Nearest-rank percentile of `values` (p from 0 to 100); NaN for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(Math.max(rank, 1), sorted.length) - 1];
}

export interface TimingOptions {
  /** Untimed calls first, to warm caches and the JIT. */
  warmup: number;
  /** Timed calls at most. */
  samples: number;
  /** Stop taking samples after this many milliseconds, whatever the count. */
  maxMs: number;
}

export interface Timing {
  samplesMs: number[];
  p50: number;
  p95: number;
  max: number;
}

/**
 * Calls `run(i)` one after another and returns its durations in milliseconds.
 * At least one timed call is always made, so a very slow call still gives a figure.
 */
export async function timeSequential(run: (i: number) => Promise<void>, options: TimingOptions): Promise<Timing> {
  // Warm-up calls share the time limit: they stop after a quarter of it.
  const warmupDeadline = performance.now() + options.maxMs / 4;
  let warmups = 0;
  while (warmups < options.warmup && performance.now() < warmupDeadline) await run(warmups++);
  const samplesMs: number[] = [];
  const deadline = performance.now() + options.maxMs;
  for (let i = 0; i < options.samples; i++) {
    const started = performance.now();
    await run(warmups + i);
    samplesMs.push(performance.now() - started);
    if (performance.now() > deadline) break;
  }
  return { samplesMs, p50: percentile(samplesMs, 50), p95: percentile(samplesMs, 95), max: Math.max(...samplesMs) };
}
