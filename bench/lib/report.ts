/**
 * Benchmark figures: each one is printed as a single line
 * `name size connections value unit` (a dash where size or connections do
 * not apply) and kept for the JSON summary that the runner writes.
 */
import { waitForQuietMachine, type MachineCondition, type QuietOptions } from './machine.ts';

export interface Figure {
  name: string;
  /** Complaints in the database, or null when the figure does not depend on it. */
  size: number | null;
  /** Concurrent connections of the load generator, or null for sequential timings. */
  connections: number | null;
  value: number;
  unit: string;
}

export class Report {
  readonly figures: Figure[] = [];
  /** CPU load before each run, from lib/machine.ts. */
  readonly conditions: MachineCondition[] = [];

  constructor(private readonly quiet: QuietOptions = { maxBusy: 1, maxWaitMs: 0 }) {}

  /** Waits for a quiet CPU (bounded), records and prints the condition, and returns. Call right before a timed run. */
  async settle(label: string): Promise<void> {
    const condition = await waitForQuietMachine(label, this.quiet);
    this.conditions.push(condition);
    console.log(`# condition ${label}: cpu busy before ${(condition.busyBefore * 100).toFixed(0)} %, load average ${condition.loadAverage.toFixed(2)}, waited ${condition.waitedS.toFixed(0)} s`);
  }

  /** Records one figure and prints its line. */
  add(name: string, size: number | null, connections: number | null, value: number, unit: string): void {
    const figure = { name, size, connections, value, unit };
    this.figures.push(figure);
    console.log(formatFigure(figure));
  }

  /** Returns the value of a recorded figure, or undefined when it was not measured. */
  find(name: string, size: number | null = null, connections: number | null = null): number | undefined {
    return this.figures.find((f) => f.name === name && f.size === size && f.connections === connections)?.value;
  }
}

export function formatFigure(figure: Figure): string {
  return [
    figure.name,
    figure.size === null ? '-' : formatSize(figure.size),
    figure.connections === null ? '-' : String(figure.connections),
    formatValue(figure.value),
    figure.unit,
  ].join(' ');
}

/** Formats 10000 as 10k and 1000000 as 1m, the spelling that `--sizes` accepts. */
export function formatSize(size: number): string {
  if (size >= 1_000_000 && size % 1_000_000 === 0) return `${size / 1_000_000}m`;
  if (size >= 1_000 && size % 1_000 === 0) return `${size / 1_000}k`;
  return String(size);
}

function formatValue(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(2);
}

/** Writes a progress note to stderr, so stdout keeps only figure lines and headers. */
export function note(message: string): void {
  process.stderr.write(`# ${message}\n`);
}
