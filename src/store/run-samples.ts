/**
 * The one reader of a run's raw samples: every k6 output the run folder holds (the run's own raw file, or
 * each injector's under injectors/<name>/: src/store/folder.ts `rawOutputs`), one after the other, through
 * src/store/raw-samples.ts. The analysis, the gate's windows (baseline and duet), stub calibration and the
 * API-contract check read a run through it, so a distributed run is one run for all of them.
 */
import { existsSync } from 'node:fs';
import { rawOutputs, type RawOutput, type RunMeta } from './folder.js';
import { readRawSamples, type RawSample, type ReadOptions, type ReadStats } from './raw-samples.js';

export interface RunReadOptions extends ReadOptions {
  /** Called after each output: its read statistics, or undefined when it has no raw file (a lost injector, k6 killed early). */
  onOutput?: (output: RawOutput, stats: ReadStats | undefined) => void;
}

export interface RunReadStats {
  /** Outputs read, and those without a raw file. */
  outputs: number;
  missing: number;
  samples: number;
  badLines: number;
  /** Some output's file ended early. */
  truncated: boolean;
}

export async function readRunSamples(dir: string, meta: Pick<RunMeta, 'injectors'>, onSample: (s: RawSample) => void, options: RunReadOptions = {}): Promise<RunReadStats> {
  const total: RunReadStats = { outputs: 0, missing: 0, samples: 0, badLines: 0, truncated: false };
  for (const output of rawOutputs(dir, meta)) {
    if (!existsSync(output.raw)) {
      total.missing++;
      options.onOutput?.(output, undefined);
      continue;
    }
    const stats = await readRawSamples(output.raw, onSample, options);
    total.outputs++;
    total.samples += stats.samples;
    total.badLines += stats.badLines;
    total.truncated ||= stats.truncated;
    options.onOutput?.(output, stats);
  }
  return total;
}
