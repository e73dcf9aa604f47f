/**
 * `local:N` injectors (adapter): N unmodified k6 processes on this host, each with its execution segment of
 * one sequence, each writing its raw samples, summary and log under injectors/<name>/. All are started at
 * one agreed wall-clock instant; a k6 that dies does not stop the others (its segment is reported lost).
 */
import { mkdirSync } from 'node:fs';
import { runK6, K6_EXIT, type K6RunInput } from '../k6/run-k6.js';
import { injectorDir, RUN_FILES } from '../store/folder.js';
import { join } from 'node:path';
import { agreedStart, START_LEAD_MS } from './skew.js';
import type { PlannedInjector } from './spec.js';

export interface InjectorsInput extends Pick<K6RunInput, 'k6' | 'scriptPath' | 'env' | 'extraOutputs'> {
  /** The run folder. */
  dir: string;
  injectors: PlannedInjector[];
}

export interface InjectorResult {
  name: string;
  exitCode: number;
  signalled: NodeJS.Signals | null;
  args: string[];
  processStartMs: number;
}

export interface InjectorsResult {
  startAtMs: number;
  results: InjectorResult[];
}

/** Arguments an injector adds to `k6 run`: its segment of the shared sequence. */
export function segmentArgs(i: PlannedInjector): string[] {
  return ['--execution-segment', i.segment, '--execution-segment-sequence', i.sequence];
}

/** k6 finished its segment (its thresholds passed or not); anything else means the segment was cut short. */
export function finishedSegment(exitCode: number): boolean {
  return exitCode === K6_EXIT.ok || exitCode === K6_EXIT.thresholdsFailed;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

export async function runLocalInjectors(
  input: InjectorsInput,
  onStart: (stop: (signal: NodeJS.Signals) => void, pids: number[]) => void,
): Promise<InjectorsResult> {
  const startAtMs = agreedStart(Date.now(), START_LEAD_MS.local);
  for (const i of input.injectors) mkdirSync(injectorDir(input.dir, i.name), { recursive: true });
  await sleep(startAtMs - Date.now());
  const stops: ((s: NodeJS.Signals) => void)[] = [];
  const pids: number[] = [];
  const running = input.injectors.map((i) => {
    const d = injectorDir(input.dir, i.name);
    const processStartMs = Date.now();
    return runK6(
      {
        k6: input.k6,
        scriptPath: input.scriptPath,
        rawPath: join(d, RUN_FILES.raw),
        summaryPath: join(d, RUN_FILES.summary),
        logPath: join(d, RUN_FILES.k6Log),
        env: input.env,
        extraOutputs: input.extraOutputs,
        extraArgs: segmentArgs(i),
        // N progress bars on one terminal would overwrite each other: every injector's output goes to its k6.log.
        quiet: true,
      },
      (stop, pid) => {
        stops.push(stop);
        if (pid !== undefined) pids.push(pid);
      },
    ).then((r) => ({ name: i.name, exitCode: r.exitCode, signalled: r.signalled, args: r.args, processStartMs }));
  });
  onStart((signal) => { for (const s of stops) s(signal); }, pids);
  return { startAtMs, results: await Promise.all(running) };
}
