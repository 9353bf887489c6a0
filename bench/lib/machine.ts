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

/** CPU time, in seconds or per unit of work, of the processes that share the machine during a load run. */
export interface CpuAccount {
  /** The server under test. */
  server: number;
  /** Every PostgreSQL process on this machine: backends, WAL writer, autovacuum. */
  postgres: number;
  /** This process, which runs the load generator. */
  loadGenerator: number;
  /** Busy CPU time of the whole machine, from /proc/stat. */
  machine: number;
}

type Group = 'server' | 'postgres' | 'loadGenerator';

/** USER_HZ, the unit of /proc's CPU times: 100 on Linux whatever the kernel's tick rate. */
const CLOCK_TICKS_PER_SECOND = 100;

/** Reads user plus system CPU seconds of the server, this process and PostgreSQL's processes, by pid. */
function readProcesses(serverPid: number): Map<number, { group: Group; seconds: number }> {
  const result = new Map<number, { group: Group; seconds: number }>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    try {
      let group: Group;
      if (pid === serverPid) group = 'server';
      else if (pid === process.pid) group = 'loadGenerator';
      else if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('postgres')) group = 'postgres';
      else continue;
      // Fields after the command name: state is the first, utime the 12th and stime the 13th.
      const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(')').at(-1)!.trim().split(' ');
      result.set(pid, { group, seconds: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND });
    } catch {
      continue; // The process exited while the folder was read.
    }
  }
  return result;
}

/**
 * Starts counting the CPU time that the server, PostgreSQL and this process
 * use from now on; the returned function stops and returns the seconds.
 * PostgreSQL's processes are found by their title ("postgres: …"), so this
 * covers a server on this machine only, which the suite requires anyway.
 * Readings are taken every `intervalMs`, so a backend that exits during the
 * run still counts up to its last reading.
 */
export function startCpuAccount(serverPid: number, intervalMs = 250): () => CpuAccount {
  const first = readProcesses(serverPid);
  const machineBefore = cpuTimes().busy;
  const last = new Map(first);
  const read = () => {
    for (const [pid, reading] of readProcesses(serverPid)) last.set(pid, reading);
  };
  const timer = setInterval(read, intervalMs);
  return () => {
    clearInterval(timer);
    read();
    const account: CpuAccount = { server: 0, postgres: 0, loadGenerator: 0, machine: (cpuTimes().busy - machineBefore) / CLOCK_TICKS_PER_SECOND };
    for (const [pid, reading] of last) account[reading.group] += reading.seconds - (first.get(pid)?.seconds ?? 0);
    return account;
  };
}

/** Converts CPU seconds into microseconds per unit of work. */
export function cpuPerUnit(seconds: CpuAccount, units: number): CpuAccount {
  const per = (value: number) => (units > 0 ? (value / units) * 1e6 : 0);
  return { server: per(seconds.server), postgres: per(seconds.postgres), loadGenerator: per(seconds.loadGenerator), machine: per(seconds.machine) };
}
