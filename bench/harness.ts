/** Shared by every benchmark: repeat, take the median, and write results with the command and a baseline. */
import { spawn } from 'node:child_process';
import { median } from '../lib/median.js';

export interface BenchResult {
  name: string;
  /** What was run, so anyone can repeat it. */
  command: string;
  unit: string;
  median: number;
  samples: number[];
  baseline?: { name: string; median: number; samples: number[] };
  /** median / baseline median (or the ratio the figure is defined by). */
  ratio?: number;
  target?: string;
  notes?: string;
}

/** The repository's one median (lib/median.ts). */
export { median };

/**
 * A figure measured against a baseline in the same run: medians and the ratio are derived from the samples.
 * `ratio` is measured/baseline unless `inverse` (e.g. a time where the baseline being faster is the norm).
 */
export function compared(
  fig: { name: string; command: string; unit: string; target?: string; inverse?: boolean },
  samples: number[],
  baseline: { name: string; samples: number[] },
): BenchResult {
  const m = median(samples);
  const b = median(baseline.samples);
  return {
    name: fig.name,
    command: fig.command,
    unit: fig.unit,
    median: m,
    samples,
    baseline: { name: baseline.name, median: b, samples: baseline.samples },
    ratio: fig.inverse ? b / m : m / b,
    ...(fig.target ? { target: fig.target } : {}),
  };
}

/**
 * `detached`: start the command in its own session, as perfcell starts k6 (src/k6/run-k6.ts). With the kernel's
 * autogroup scheduling (sched_autogroup_enabled = 1 here) a new session is a new CPU group, which shares the
 * cores differently with a target in the bench's own process: measured −2 % of k6's maximum rate here.
 */
export function run(cmd: string, args: string[], env: Record<string, string> = {}, detached = false): Promise<{ code: number | null; ms: number; stdout: string; stderr: string }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const c = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    c.on('close', (code) => resolve({ code, ms: performance.now() - t0, stdout, stderr }));
  });
}
