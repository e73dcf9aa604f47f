/**
 * The k6 adapter: runs k6 on a bundle, raw samples to CSV (gzip), summary exported, progress on the
 * terminal, logs copied to k6.log. Signals: SIGINT/SIGTERM to perfcell are forwarded once to k6, which
 * stops gracefully and still writes its outputs; a second one is forwarded too (k6 then aborts at once).
 */
import { createWriteStream } from 'node:fs';
import { spawnManaged } from '../../lib/process/children.js';
import type { K6Binary } from './locate.js';

/** k6's own exit codes (https://grafana.com/docs/k6/latest/ "exit codes"). */
export const K6_EXIT = { ok: 0, thresholdsFailed: 99, externalAbort: 105, scriptException: 107, scriptAbort: 108 } as const;

/** Environment every k6 perfcell starts gets, here or on an SSH injector (src/injectors/ssh.ts). */
export const K6_FIXED_ENV = {
  // Millisecond timestamps: 1-second series and gate windows need sub-second placement.
  K6_CSV_TIME_FORMAT: 'unix_milli',
  K6_NO_USAGE_REPORT: 'true',
} as const;

export interface K6RunInput {
  k6: K6Binary;
  scriptPath: string;
  rawPath: string;
  summaryPath: string;
  logPath: string;
  env: Record<string, string>;
  /** Extra outputs (e.g. InfluxDB) besides the raw CSV. */
  extraOutputs?: string[];
  /** More k6 arguments before the script (an injector's `--execution-segment`…). */
  extraArgs?: string[];
  quiet?: boolean;
}

export interface K6RunResult {
  exitCode: number;
  signalled: NodeJS.Signals | null;
  args: string[];
}

export function k6Args(input: Pick<K6RunInput, 'scriptPath' | 'rawPath' | 'summaryPath' | 'extraOutputs' | 'extraArgs' | 'quiet'>): string[] {
  const args = ['run', '--no-usage-report', '--out', `csv=${input.rawPath}`, '--summary-export', input.summaryPath];
  for (const o of input.extraOutputs ?? []) args.push('--out', o);
  if (input.quiet) args.push('--quiet', '--no-color');
  args.push(...(input.extraArgs ?? []), input.scriptPath);
  return args;
}

export async function runK6(
  input: K6RunInput,
  onStart?: (stop: (signal: NodeJS.Signals) => void, pid: number | undefined) => void,
): Promise<K6RunResult> {
  const args = k6Args(input);
  const log = createWriteStream(input.logPath);
  const child = spawnManaged(input.k6.path, args, {
    // Own process group: a terminal Ctrl-C reaches perfcell only, which forwards it exactly once.
    detached: true,
    // Progress and the end-of-test summary go to the terminal (a TTY keeps k6's live progress bars); when
    // quiet, stdout is kept in k6.log with the logs.
    stdio: ['ignore', input.quiet ? 'pipe' : 'inherit', 'pipe'],
    env: {
      ...process.env,
      ...input.env,
      ...K6_FIXED_ENV,
    },
    deathSignal: 'TERM',
  });
  child.stdout?.on('data', (chunk: Buffer) => log.write(chunk));
  child.stderr?.on('data', (chunk: Buffer) => {
    log.write(chunk);
    if (!input.quiet) process.stderr.write(chunk);
  });
  // The pid lets the monitor read k6's CPU and memory (setpriv execs k6 in place: same pid).
  onStart?.((signal) => child.kill(signal), child.pid);
  const result = await new Promise<K6RunResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve({ exitCode: code ?? 128, signalled: signal, args }));
  });
  await new Promise<void>((res) => log.end(res));
  return result;
}
