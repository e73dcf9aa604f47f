/**
 * The `perfcell campaign` use case: stubbed → unstubbed → end-to-end, one run folder per phase under
 * reports/<service>/iteration-<N>/. Everything that can be refused (model, campaign definition,
 * environments and the production guard, stub sets, Java, k6, Chromium, data files) is checked before
 * anything starts; then the stub servers start once, and each phase rewires the target, runs through
 * executeRun, verifies the stubs' traffic and records. A failed phase stops the campaign with its reason;
 * what was recorded so far stays.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { PerfcellError, inputError } from '../errors.js';
import { PHASES, type Phase } from '../model/compile.js';
import { loadModel, parseModel, projectRootOf } from '../model/load.js';
import { loadConfig } from '../environments/registry.js';
import { checkDataFiles } from '../run/execute.js';
import { newRunId } from '../store/folder.js';
import { locateK6 } from '../k6/locate.js';
import { loadStubSet, stubsRoot } from '../stubs/stub-set.js';
import { checkJar, checkJava } from '../stubs/wiremock.js';
import { locateChromium } from './browser.js';
import { campaignFor, planPhases, type CampaignDefinition, type PhasePlan, type ReferenceTarget } from './definition.js';
import { planCampaign, type CampaignPlan } from './plan.js';
import { runPhase, type PhaseContext } from './phase.js';
import { startCampaignStubs, type StubServers } from './stub-servers.js';
import { campaignStatus, chooseIteration, formatCampaignSummary, iterationDir, writeCampaignRecord, CAMPAIGN_SCHEMA_VERSION, type CampaignRecord, type PhaseRecord } from './record.js';
import { commandController, externalController, type TargetController } from './targets.js';
import type { Verdict, VerdictStatus } from '../verdict/verdict.js';
import { EXIT_BY_STATUS } from '../exit-codes.js';
import type { RunHookOptions } from '../side-channels/defaults.js';
import type { Progress, ProgressPlan } from '../../lib/progress.js';
import { campaignProgressPlan } from './progress-plan.js';

export interface CampaignRequest {
  model: string;
  phases?: readonly Phase[];
  profile?: string;
  env?: string;
  iteration?: number;
  /** A campaign file instead of perfcell.config.yaml's campaigns.<service>. */
  campaignFile?: string;
  /** `--injectors` for every phase (else each phase's in the campaign file, else its environment's: docs/distributed.md). */
  injectors?: string;
  /** `--ssh-config`: OpenSSH client settings for SSH injectors. */
  sshConfig?: string;
  /** Folder holding reports/<service>/…; default ./reports. */
  reportsDir?: string;
  quiet?: boolean;
  log?: (line: string) => void;
  /** Makes the reference target's controller (sut/); required when the campaign's target kind is "reference". */
  referenceController?: (target: ReferenceTarget) => TargetController;
  /** Writes the iteration report from the iteration folder; returns its path and the iteration's verdict (src/report). */
  writeReport?: (iterationDir: string) => Promise<{ report: string; verdict: Verdict } | undefined>;
  /** Each phase's run side channels (`campaign --dashboard`, `--k6-out`, `--no-influx`…); default: withRunHooks()'s. */
  runHooks?: RunHookOptions;
  /** Progress and ETA (the CLI's, lib/progress.ts): given the phases' plan; told each phase's start. */
  progress?: (plan: ProgressPlan) => Progress;
}

export interface CampaignOutcome {
  dir: string;
  record: CampaignRecord;
  exitCode: number;
}

/** Exit codes of a campaign: as a run's (src/exit-codes.ts). */
const EXIT: Record<CampaignRecord['status'], number> = EXIT_BY_STATUS;
/** The campaign's status for the iteration report's verdict (the report sees every phase and the previous iteration). */
const STATUS_OF_VERDICT: Record<VerdictStatus, CampaignRecord['status']> = { go: 'passed', 'no-go': 'slo-broken', inconclusive: 'inconclusive' };

function phaseRecord(plan: PhasePlan): PhaseRecord {
  return {
    phase: plan.phase, profile: plan.profile, environment: plan.environment ?? null, stubbed: plan.stubbed, real: plan.real,
    ...(plan.injectors ? { injectors: plan.injectors.spec } : {}),
    status: 'pending', runDir: null, runId: null, exitCode: null, reason: null, stubs: [], startedAt: null, endedAt: null, overheadMs: null,
  };
}

function controllerFor(req: CampaignRequest, definition: CampaignDefinition, defFile: string, root: string): TargetController {
  if (definition.target.kind === 'command') return commandController(definition.target, root);
  if (definition.target.kind === 'external') return externalController;
  const reference = req.referenceController?.(definition.target);
  if (!reference) throw new PerfcellError(`${defFile}: target: the reference target (sut/) is not available in this build`, 'environment');
  return reference;
}

/**
 * Reads and checks everything that can be refused before anything starts or any load is sent: the model,
 * the campaign definition, the pure plan (src/campaign/plan.ts: profiles, environments, targets), the
 * stub sets, Java, k6, Chromium, the data files.
 */
export function prepareCampaign(req: CampaignRequest, log: (line: string) => void): CampaignPlan {
  // The model is read first without its file checks: the reference target writes the data file it names.
  const modelFile = resolve(req.model);
  if (!existsSync(modelFile)) throw inputError(modelFile, '', 'a load-model YAML file (it does not exist)');
  const root = projectRootOf(modelFile);
  const config = loadConfig(root);
  const { definition, file: defFile } = campaignFor(parseModel(readFileSync(modelFile, 'utf8'), modelFile).service, config, req.campaignFile);
  // Choices are checked against the definition before the target prepares anything.
  planPhases(definition, req.phases ?? PHASES, { profile: req.profile, environment: req.env, file: defFile });
  const controller = controllerFor(req, definition, defFile, root);
  controller.prepare?.(root, log);
  const loaded = loadModel(req.model);
  const pure = planCampaign({ definition, defFile, loaded, config }, { phases: req.phases ?? PHASES, profile: req.profile, env: req.env, injectors: req.injectors });
  if (req.sshConfig !== undefined && !existsSync(req.sshConfig)) throw inputError('--ssh-config', req.sshConfig, 'an existing OpenSSH client configuration file');
  const stubsDir = definition.stubsDir ? resolve(loaded.root, definition.stubsDir) : stubsRoot(loaded.root);
  const sets = pure.stubbedAny.map((d) => loadStubSet(stubsDir, d));
  if (sets.length > 0) {
    checkJar();
    checkJava();
  }
  locateK6();
  checkDataFiles(loaded);
  const chromium = pure.needsBrowser ? locateChromium() : undefined;
  return { ...pure, definition, defFile, controller, loaded, sets, chromium };
}

function newCampaignRecord(plan: CampaignPlan, iteration: number): CampaignRecord {
  const { loaded, definition } = plan;
  return {
    schemaVersion: CAMPAIGN_SCHEMA_VERSION,
    campaignId: newRunId(new Date()),
    service: loaded.model.service,
    iteration,
    model: { file: relative(process.cwd(), loaded.file) || loaded.file, hash: loaded.hash },
    definitionFile: relative(process.cwd(), plan.defFile) || plan.defFile,
    target: definition.target.kind,
    startedAt: new Date().toISOString(),
    endedAt: null,
    status: 'running',
    reason: null,
    stubServers: [],
    phases: plan.phases.map(phaseRecord),
    report: null,
  };
}

/** Writes the iteration report when a phase has a run; a failure is logged, the campaign stands. */
async function writeIterationReport(req: CampaignRequest, record: CampaignRecord, dir: string, save: () => void, log: (line: string) => void): Promise<void> {
  if (!req.writeReport || !record.phases.some((p) => p.runId !== null)) return;
  try {
    const written = await req.writeReport(dir);
    record.report = written ? relative(process.cwd(), written.report) || written.report : null;
    // One verdict: where every phase ran to its end, the campaign's is the report's.
    if (written && (['passed', 'slo-broken', 'inconclusive'] as const).some((s) => s === record.status)) {
      record.status = STATUS_OF_VERDICT[written.verdict.status];
      record.reason = record.status === 'passed' ? null : written.verdict.headline.en;
    }
    save();
  } catch (e) {
    log(`perfcell: the iteration report could not be written: ${(e as Error).message}`);
  }
}

export async function runCampaign(req: CampaignRequest): Promise<CampaignOutcome> {
  const log = req.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const plan = prepareCampaign(req, log);
  const { phases } = plan;

  // ── The iteration folder and its record ──
  const serviceDir = resolve(req.reportsDir ?? 'reports', plan.loaded.model.service);
  const iteration = chooseIteration(serviceDir, req.iteration);
  const dir = iterationDir(serviceDir, iteration);
  mkdirSync(dir, { recursive: true });
  const record = newCampaignRecord(plan, iteration);
  const save = () => writeCampaignRecord(dir, record);
  save();
  log(`perfcell: campaign ${record.campaignId} · ${record.service} · iteration ${iteration} · phases ${phases.map((p) => p.phase).join(' → ')}`);

  let aborted: NodeJS.Signals | undefined;
  // A signal before a phase's k6 starts (target or browser starting) must not let that run go on for its
  // whole duration: executeRun reads this and records the run interrupted without starting k6.
  const abort = new AbortController();
  const onSignal = (s: NodeJS.Signals) => {
    // executeRun forwards the signal to k6 while a run is on; between runs the campaign stops at the next step.
    aborted = s;
    abort.abort(s);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let stubs: StubServers | undefined;
  let progress: Progress | undefined;
  try {
    stubs = await startCampaignStubs(plan, dir, log);
    if (plan.sets.length > 0) {
      record.stubServers = stubs.started;
      save();
    }
    const ctx: PhaseContext = { req, plan, stubs, dir, iteration, campaignId: record.campaignId, log, abort: abort.signal };
    progress = req.progress?.(campaignProgressPlan(plan.loaded.model, plan.loaded.file, phases));
    for (const [i, phase] of phases.entries()) {
      const rec = record.phases[i] as PhaseRecord;
      if (aborted) {
        rec.status = 'skipped';
        rec.reason = `${aborted} received`;
        continue;
      }
      const t0 = Date.now();
      rec.status = 'running';
      rec.startedAt = new Date().toISOString();
      save();
      log(`perfcell: ── phase ${phase.phase} · profile ${phase.profile} · stubbed: ${phase.stubbed.join(', ') || 'none'} ──`);
      progress?.step(i);
      const { status, planned } = await runPhase(ctx, phase, rec);
      rec.status = status;
      rec.endedAt = new Date().toISOString();
      rec.overheadMs = planned > 0 ? Date.now() - t0 - planned : null;
      save();
      await stubs.releaseAfter(i);
      if (status === 'failed' || status === 'defect' || status === 'interrupted') {
        record.reason = `phase ${phase.phase} ${status}: ${rec.reason ?? ''}`;
        for (const later of record.phases.slice(i + 1)) {
          later.status = 'skipped';
          later.reason = `phase ${phase.phase} did not pass`;
        }
        break;
      }
    }
  } finally {
    progress?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await stubs?.stopAll();
    record.status = campaignStatus(record.phases);
    if (aborted && record.status !== 'interrupted') record.status = 'interrupted';
    record.endedAt = new Date().toISOString();
    save();
  }

  await writeIterationReport(req, record, dir, save, log);
  log('\n' + formatCampaignSummary(record, dir));
  return { dir, record, exitCode: EXIT[record.status] };
}
