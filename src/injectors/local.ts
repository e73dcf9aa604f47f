/**
 * `local:N` injectors (adapter): N unmodified k6 processes on this host, each with its execution segment of
 * one sequence, each writing its raw samples, summary and log under injectors/<name>/. They are started at
 * one agreed wall-clock instant (src/injectors/run-injectors.ts); a k6 that dies does not stop the others
 * (its segment is reported lost).
 */
import { mkdirSync } from 'node:fs';
import { runK6, K6_EXIT, type K6RunInput } from '../k6/run-k6.js';
import { injectorDir, RUN_FILES } from '../store/folder.js';
import { join } from 'node:path';
import type { PlannedInjector } from './spec.js';

export interface InjectorsInput extends Pick<K6RunInput, 'k6' | 'scriptPath' | 'env' | 'extraOutputs'> {
  /** The run folder. */
  dir: string;
  injectors: PlannedInjector[];
  /** Data files the bundle opens beside itself (`data-<name>.csv` → local path): SSH injectors get a copy. */
  dataFiles?: Record<string, string>;
}

export interface InjectorResult {
  name: string;
  exitCode: number;
  signalled: NodeJS.Signals | null;
  args: string[];
  processStartMs: number;
}

/** Arguments an injector adds to `k6 run`: its segment of the shared sequence. */
export function segmentArgs(i: PlannedInjector): string[] {
  return ['--execution-segment', i.segment, '--execution-segment-sequence', i.sequence];
}

/** k6 finished its segment (its thresholds passed or not); anything else means the segment was cut short. */
export function finishedSegment(exitCode: number): boolean {
  return exitCode === K6_EXIT.ok || exitCode === K6_EXIT.thresholdsFailed;
}

/** Injectors started at the agreed instant: how to signal them, their local pids, and their results to come. */
export interface StartedInjectors {
  stops: ((signal: NodeJS.Signals) => void)[];
  pids: number[];
  done: Promise<InjectorResult[]>;
}

/** Starts the local injectors now (the caller waited for the agreed instant). */
export function startLocalInjectors(input: InjectorsInput, injectors: PlannedInjector[]): StartedInjectors {
  const stops: ((s: NodeJS.Signals) => void)[] = [];
  const pids: number[] = [];
  const running = injectors.map((i) => {
    const d = injectorDir(input.dir, i.name);
    mkdirSync(d, { recursive: true });
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
  return { stops, pids, done: Promise.all(running) };
}
