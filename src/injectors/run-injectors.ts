/**
 * The distributed run as executeRun sees it: start the injectors (local processes here), measure where
 * each began, and hand back one outcome plus run.json's `injectors` and flags.
 */
import { existsSync, readFileSync } from 'node:fs';
import { PerfcellError } from '../errors.js';
import { injectorDir, rawOutputs, RUN_FILES, type RunMeta } from '../store/folder.js';
import { join } from 'node:path';
import type { StoredInjectors } from '../store/run-schema.js';
import { testStartMs } from './test-start.js';
import { runLocalInjectors, type InjectorsInput } from './local.js';
import { distributedOutcome } from './record.js';
import { mergeSummaries, type SummaryExport } from './summary.js';

export interface DistributedRunResult {
  exitCode: number;
  signalled: NodeJS.Signals | null;
  /** The first injector's k6 arguments (the others differ only in their segment, kept in `injectors`). */
  args: string[];
  injectors: StoredInjectors;
  flags: string[];
}

export async function runInjectors(
  input: InjectorsInput & { k6Version: string },
  onStart: (stop: (signal: NodeJS.Signals) => void, pids: number[]) => void,
  interrupted: () => boolean,
): Promise<DistributedRunResult> {
  if (input.injectors.some((i) => i.where.kind !== 'local')) {
    throw new PerfcellError('--injectors: SSH injectors are not available in this version of perfcell (only local and local:N)', 'input');
  }
  const { startAtMs, results } = await runLocalInjectors(input, onStart);
  const outcomes = await Promise.all(
    results.map(async (r) => ({
      name: r.name,
      exitCode: r.exitCode,
      processStartMs: r.processStartMs,
      testStartMs: await testStartMs(join(injectorDir(input.dir, r.name), RUN_FILES.raw)),
      k6Version: input.k6Version,
    })),
  );
  const d = distributedOutcome(input.injectors, outcomes, startAtMs, interrupted());
  return { exitCode: d.k6ExitCode, signalled: null, args: results[0]?.args ?? [], injectors: d.injectors, flags: d.flags };
}

/** The injectors' summaries merged (counts and rates only: see summary.ts); undefined when none wrote one. */
export function mergedSummary(dir: string, meta: RunMeta): SummaryExport | undefined {
  const found = rawOutputs(dir, meta).filter((o) => existsSync(o.summary)).map((o) => JSON.parse(readFileSync(o.summary, 'utf8')) as SummaryExport);
  return found.length > 0 ? mergeSummaries(found) : undefined;
}
