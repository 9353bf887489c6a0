/**
 * CPU load of the machine. The benchmarks share two cores with anything
 * else that runs here, such as a test suite or a build. So each timed run
 * first waits, for a bounded time, until other processes leave the CPU
 * mostly idle, and records how busy the CPU was just before it started.
 */
import fs from 'node:fs';
import os from 'node:os';

function cpuTimes(): { busy: number; total: number } {
  // First line of /proc/stat: cpu user nice system idle iowait irq softirq steal …
  const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
  const total = fields.reduce((sum, value) => sum + value, 0);
  const idle = fields[3] + fields[4];
  return { busy: total - idle, total };
}

/** Share of all CPU time (0–1) that was busy during the next `ms` milliseconds. */
export async function cpuBusyShare(ms: number): Promise<number> {
  const before = cpuTimes();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = cpuTimes();
  const total = after.total - before.total;
  return total > 0 ? (after.busy - before.busy) / total : 0;
}

export interface QuietOptions {
  /** Highest busy share (0–1) that counts as quiet. */
  maxBusy: number;
  /** Maximum wait before running anyway. */
  maxWaitMs: number;
}

export interface MachineCondition {
  label: string;
  /** Busy share of all CPUs in the 3 s before the run. */
  busyBefore: number;
  /** 1-minute load average when the run started. */
  loadAverage: number;
  waitedS: number;
}

const SAMPLE_MS = 3_000;

function note(message: string): void {
  process.stderr.write(`# ${message}\n`);
}

/** Waits until the CPU is quiet or `maxWaitMs` passed, and returns the condition the run starts in. */
export async function waitForQuietMachine(label: string, options: QuietOptions): Promise<MachineCondition> {
  const started = Date.now();
  let busy = await cpuBusyShare(SAMPLE_MS);
  let warned = false;
  while (busy > options.maxBusy && Date.now() - started < options.maxWaitMs) {
    if (!warned) {
      note(`${label}: CPU ${(busy * 100).toFixed(0)} % busy before the run; waiting up to ${options.maxWaitMs / 1000} s for other processes to finish`);
      warned = true;
    }
    busy = await cpuBusyShare(SAMPLE_MS);
  }
  if (busy > options.maxBusy) note(`${label}: CPU still ${(busy * 100).toFixed(0)} % busy; running anyway, so this figure is disturbed`);
  return { label, busyBefore: busy, loadAverage: os.loadavg()[0], waitedS: (Date.now() - started) / 1000 };
}
