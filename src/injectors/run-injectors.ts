/**
 * The distributed run as executeRun sees it: start the injectors (local k6 processes, k6 on SSH hosts),
 * measure where each began, and hand back one outcome plus run.json's `injectors` and flags.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { injectorDir, rawOutputs, RUN_FILES, type RunMeta } from '../store/folder.js';
import { join } from 'node:path';
import type { StoredInjectors } from '../store/run-schema.js';
import { testStartMs } from './test-start.js';
import { startLocalInjectors, type InjectorsInput } from './local.js';
import { SSH_FAILED, startSshInjectors, uploadRun, type SshConnections } from './ssh.js';
import { agreedStart, START_LEAD_MS } from './skew.js';
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/**
 * Local and SSH injectors side by side. SSH hosts were connected (pre-flight) by the caller; their uploads
 * happen here, then every k6 starts at one agreed instant. An SSH injector whose upload failed never starts
 * and is lost, as one whose link drops mid-run.
 */
export async function runInjectors(
  input: InjectorsInput & { k6Version: string; runId: string; ssh?: SshConnections; log: (line: string) => void },
  onStart: (stop: (signal: NodeJS.Signals) => void, pids: number[]) => void,
  interrupted: () => boolean,
): Promise<DistributedRunResult> {
  for (const i of input.injectors) mkdirSync(injectorDir(input.dir, i.name), { recursive: true });
  const sshHosts = input.ssh?.hosts ?? [];
  if (input.injectors.some((i) => i.where.kind === 'ssh' && !sshHosts.some((h) => h.injector.name === i.name))) {
    throw new Error('runInjectors: SSH injectors must be connected first (connectSshInjectors)');
  }
  const uploadFailures = new Map<string, string>();
  await Promise.all(sshHosts.map(async (h) => {
    const why = await uploadRun(h, input, input.runId);
    if (why) uploadFailures.set(h.injector.name, why);
  }));
  for (const [name, why] of uploadFailures) input.log(`perfcell: injector ${name}: ${why}`);
  const ready = sshHosts.filter((h) => !uploadFailures.has(h.injector.name));

  const startAtMs = agreedStart(Date.now(), sshHosts.length > 0 ? START_LEAD_MS.ssh : START_LEAD_MS.local);
  await sleep(startAtMs - Date.now());
  const local = startLocalInjectors(input, input.injectors.filter((i) => i.where.kind === 'local'));
  const remote = startSshInjectors(ready, input, input.runId);
  onStart((signal) => { for (const s of [...local.stops, ...remote.stops]) s(signal); }, local.pids);
  const [localResults, sshResults] = await Promise.all([local.done, remote.done]);
  const neverStarted = [...uploadFailures.keys()].map((name) => ({ name, exitCode: SSH_FAILED, signalled: null, args: [], processStartMs: startAtMs }));
  for (const r of sshResults) {
    if (r.fetchProblem) input.log(`perfcell: injector ${r.name}: its outputs could not all be fetched (${r.fetchProblem})`);
    if (r.leftover) input.log(`perfcell: injector ${r.name}: a k6 was still running on the host after its session ended; it was killed`);
  }
  const results = [...localResults, ...sshResults, ...neverStarted];
  const clockOffsets = new Map(sshHosts.map((h) => [h.injector.name, h.clockOffsetMs]));
  const outcomes = await Promise.all(
    results.map(async (r) => ({
      name: r.name,
      exitCode: r.exitCode,
      processStartMs: r.processStartMs,
      testStartMs: await testStartMs(join(injectorDir(input.dir, r.name), RUN_FILES.raw)),
      k6Version: input.k6Version,
      clockOffsetMs: clockOffsets.get(r.name),
    })),
  );
  const d = distributedOutcome(input.injectors, outcomes, startAtMs, interrupted());
  const leftover = sshResults.filter((r) => r.leftover).map((r) => `k6-left-running:${r.name}`);
  const first = results.find((r) => r.name === input.injectors[0]?.name);
  return { exitCode: d.k6ExitCode, signalled: null, args: first?.args ?? [], injectors: d.injectors, flags: [...d.flags, ...leftover] };
}

/** The injectors' summaries merged (counts and rates only: see summary.ts); undefined when none wrote one. */
export function mergedSummary(dir: string, meta: RunMeta): SummaryExport | undefined {
  const found = rawOutputs(dir, meta).filter((o) => existsSync(o.summary)).map((o) => JSON.parse(readFileSync(o.summary, 'utf8')) as SummaryExport);
  return found.length > 0 ? mergeSummaries(found) : undefined;
}
