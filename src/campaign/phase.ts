/**
 * One phase of a campaign: rewire the target to the stubs or the real dependencies, run through
 * executeRun (with one shared Chromium in the end-to-end phase), verify the stubs' traffic, record.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PerfcellError } from '../errors.js';
import { BROWSER_ENV } from '../model/compile.js';
import type { Environment } from '../model/schema.js';
import type { ResolvedEnvironment } from '../environments/registry.js';
import { executeRun } from '../run/execute.js';
import { readRunMeta, runFile, writeRunMeta } from '../store/folder.js';
import { collectJournal } from '../stubs/journal.js';
import { formatVerification, unmatchedCount, type StubsFile, type StubVerification } from '../stubs/verify.js';
import { withRunHooks, type RunHookOptions } from '../side-channels/defaults.js';
import { startSharedBrowser } from './shared-browser.js';
import { phaseTargets, type CampaignPlan } from './plan.js';
import type { PhasePlan } from './definition.js';
import type { PhaseRecord, PhaseStatus } from './record.js';
import type { StubServers } from './stub-servers.js';

export interface PhaseContext {
  /** The model file, whether k6's progress is hidden, the OpenSSH settings for SSH injectors, the runs' side-channel settings (--dashboard…). */
  req: { model: string; quiet?: boolean; sshConfig?: string; runHooks?: RunHookOptions };
  plan: CampaignPlan;
  stubs: StubServers;
  dir: string;
  iteration: number;
  campaignId: string;
  /** Aborted on SIGINT/SIGTERM (runCampaign). */
  abort: AbortSignal;
  log: (line: string) => void;
}

/**
 * One phase: rewire the target to the stubs or the real dependencies, run through executeRun, verify the
 * stubs' traffic, write stubs.json. Fills `rec` (run id, exit code, stubs, reason) and returns the phase's
 * status and the run's planned duration. A PerfcellError is the phase's failure; anything else is a bug.
 */
export async function runPhase(ctx: PhaseContext, phase: PhasePlan, rec: PhaseRecord): Promise<{ status: PhaseStatus; planned: number }> {
  const { plan, log } = ctx;
  const env = plan.environments.get(phase.phase) as ResolvedEnvironment;
  let status: PhaseStatus;
  let planned = 0;
  try {
    const dependencyUrls: Record<string, string> = {};
    for (const d of plan.definition.dependencies) {
      const url = phase.stubbed.includes(d) ? ctx.stubs.urls[d] : env.env.targets[d];
      if (url) dependencyUrls[d] = url;
    }
    const targets = phaseTargets(plan.loaded, phase, env, plan.definition);
    const started = await plan.controller.start(phase, dependencyUrls, targets, log);
    try {
      const used = await ctx.stubs.readyFor(phase);
      const collectors = used.map((s) => collectJournal(s, 1000));
      const runEnv: { name: string; env: Environment } = { name: env.name, env: { ...env.env, targets } };
      rec.runDir = phase.phase;
      const outcome = await withSharedBrowser(phase.phase === 'e2e' ? plan.chromium : undefined, () =>
        executeRun({
          model: ctx.req.model, profile: phase.profile, phase: phase.phase, iteration: ctx.iteration, campaign: ctx.campaignId,
          out: join(ctx.dir, phase.phase), environment: runEnv, quiet: ctx.req.quiet, log, sideChannels: withRunHooks(ctx.req.runHooks), abort: ctx.abort,
          // The phase's own injectors (src/campaign/plan.ts); else executeRun takes the environment's, as planned.
          ...(phase.injectors ? { injectors: phase.injectors.spec, injectorsSource: phase.injectors.from, sshConfig: ctx.req.sshConfig } : { sshConfig: ctx.req.sshConfig }),
        }),
      );
      const verifications: StubVerification[] = await Promise.all(collectors.map((c) => c.finish()));
      rec.stubs = verifications;
      rec.runId = outcome.meta.runId;
      rec.exitCode = outcome.exitCode;
      planned = outcome.meta.plannedDurationMs;
      const stubsFile: StubsFile = { stubbed: phase.stubbed, verifications };
      writeFileSync(runFile(outcome.dir, 'stubs'), JSON.stringify(stubsFile, null, 2) + '\n');
      for (const v of verifications) log(formatVerification(v));
      status = outcome.meta.status === 'running' ? 'failed' : outcome.meta.status;
      const unmatched = unmatchedCount(verifications);
      if (unmatched > 0) {
        const meta = readRunMeta(outcome.dir);
        meta.unmatchedStubRequests = unmatched;
        writeRunMeta(outcome.dir, meta);
        if (status !== 'interrupted') {
          status = 'defect';
          rec.reason = `${unmatched} request(s) to stubs matched no mapping (a test defect: the stub set misses calls the target makes; see ${phase.phase}/${'stubs.json'})`;
        }
      } else if (status === 'failed') rec.reason = `the run failed (k6 exit ${outcome.meta.k6ExitCode ?? '?'}; flags: ${outcome.meta.flags.join(', ') || 'none'}); see ${phase.phase}/k6.log`;
      else if (status === 'interrupted') rec.reason = 'interrupted';
    } finally {
      await started.stop();
    }
  } catch (e) {
    if (!(e instanceof PerfcellError)) throw e;
    status = 'failed';
    rec.reason = e.message;
  }
  return { status, planned };
}

/**
 * Runs `body` with one Chromium that k6's browser module connects to (src/campaign/shared-browser.ts says
 * why); k6 inherits perfcell's environment, so the endpoint goes through it for the time of the run.
 */
async function withSharedBrowser<T>(chromium: string | undefined, body: () => Promise<T>): Promise<T> {
  if (!chromium) return body();
  const browser = await startSharedBrowser(chromium, BROWSER_ENV.K6_BROWSER_ARGS);
  const before = process.env.K6_BROWSER_WS_URL;
  process.env.K6_BROWSER_WS_URL = browser.wsUrl;
  try {
    return await body();
  } finally {
    if (before === undefined) delete process.env.K6_BROWSER_WS_URL;
    else process.env.K6_BROWSER_WS_URL = before;
    await browser.stop();
  }
}
