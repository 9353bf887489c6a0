/** Runs the `aduan` command in its own process, as an operator would, on a given data folder. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/aduan.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `aduan ARGS` with DATA_DIR set to `dataDir` (PGlite, never DATABASE_URL)
 * and returns its exit code and output.
 *
 * @example const { code, stdout } = await runAduan(['deadlines', 'recompute'], { dataDir })
 */
export function runAduan(args: string[], options: { dataDir: string; cwd?: string; input?: string }): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd,
      env: { ...process.env, DATA_DIR: options.dataDir, DATABASE_URL: '', LOG_LEVEL: 'warn' },
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk) => (stdout += chunk));
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    if (options.input !== undefined) child.stdin!.end(options.input);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
