/**
 * The `perfcell campaign` use case: stubbed → unstubbed → end-to-end, one run folder per phase under
 * reports/<service>/iteration-<N>/. Everything that can be refused (model, campaign definition,
 * environments and the production guard, stub sets, Java, k6, Chromium, data files) is checked before
 * anything starts; then the stub servers start once, and each phase rewires the target, runs through
 * executeRun, verifies the stubs' traffic and records. A failed phase stops the campaign with its reason;
 * what was recorded so far stays.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { PerfcellError, inputError } from '../errors.js';
import { PHASES, transactionsForPhase, type Phase } from '../model/compile.js';
import { loadModel, parseModel, projectRootOf, type LoadedModel } from '../model/load.js';
import type { Environment } from '../model/schema.js';
import { loadConfig, resolveEnvironment, type ResolvedEnvironment } from '../environments/registry.js';
import { checkDataFiles, executeRun } from '../run/execute.js';
import { readRunMeta, runFile, writeRunMeta, newRunId } from '../store/folder.js';
import { locateK6 } from '../k6/locate.js';
import { loadStubSet, stubsRoot, type StubSet } from '../stubs/stub-set.js';
import { checkJar, checkJava, startStubServers, type StubServer } from '../stubs/wiremock.js';
import { collectJournal } from '../stubs/journal.js';
import { formatVerification, unmatchedCount, type StubsFile, type StubVerification } from '../stubs/verify.js';
import { locateChromium } from './browser.js';
import { startSharedBrowser } from './shared-browser.js';
import { BROWSER_ENV } from '../model/compile.js';
import { campaignFor, planPhases, type CampaignDefinition, type PhasePlan, type ReferenceTarget } from './definition.js';
import { campaignStatus, chooseIteration, formatCampaignSummary, iterationDir, writeCampaignRecord, CAMPAIGN_SCHEMA_VERSION, type CampaignRecord, type PhaseRecord, type PhaseStatus } from './record.js';
import { commandController, externalController, type TargetController } from './targets.js';
import type { Verdict, VerdictStatus } from '../verdict/verdict.js';
import { withRunHooks } from '../side-channels/defaults.js';
import { EXIT_BY_STATUS } from '../exit-codes.js';

export interface CampaignRequest {
  model: string;
  phases?: readonly Phase[];
  profile?: string;
  env?: string;
  iteration?: number;
  /** A campaign file instead of perfcell.config.yaml's campaigns.<service>. */
  campaignFile?: string;
  /** Folder holding reports/<service>/…; default ./reports. */
  reportsDir?: string;
  quiet?: boolean;
  log?: (line: string) => void;
  /** Makes the reference target's controller (sut/); required when the campaign's target kind is "reference". */
  referenceController?: (target: ReferenceTarget) => TargetController;
  /** Writes the iteration report from the iteration folder; returns its path and the iteration's verdict (src/report). */
  writeReport?: (iterationDir: string) => Promise<{ report: string; verdict: Verdict } | undefined>;
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

/**
 * Targets k6 calls in a phase: those the phase's transactions declare (`targets:`), else the environment's,
 * minus the campaign's dependencies (k6 calls the service; the service calls its dependencies). Pure.
 */
export function phaseTargets(loaded: LoadedModel, plan: PhasePlan, env: ResolvedEnvironment, def: CampaignDefinition): Record<string, string> {
  const active = transactionsForPhase(loaded.model, plan.phase);
  const declared = [...new Set(active.flatMap(({ t }) => t.targets ?? []))];
  const names = (declared.length > 0 ? declared : Object.keys(env.env.targets)).filter((n) => !def.dependencies.includes(n));
  const out: Record<string, string> = {};
  for (const n of names) {
    const url = env.env.targets[n];
    if (!url) throw inputError(env.declaredIn, `environments.${env.name}.targets.${n}`, `a URL for target "${n}" (the transactions of phase ${plan.phase} call it)`);
    out[n] = url;
  }
  return out;
}

function phaseRecord(plan: PhasePlan): PhaseRecord {
  return {
    phase: plan.phase, profile: plan.profile, environment: plan.environment ?? null, stubbed: plan.stubbed, real: plan.real,
    status: 'pending', runDir: null, runId: null, exitCode: null, reason: null, stubs: [], startedAt: null, endedAt: null, overheadMs: null,
  };
}

async function checkStubServer(server: StubServer, set: StubSet): Promise<void> {
  const mappings = await server.admin.getAllMappings().catch((e: Error) => {
    throw new PerfcellError(`stubs ${server.name} (${server.url}): not answering (${e.message})`, 'environment');
  });
  if (mappings.length !== set.mappingCount) throw new PerfcellError(`stubs ${server.name}: ${mappings.length} of ${set.mappingCount} mappings loaded`, 'environment');
  // A cold JVM serves its first requests tens of ms late (JIT): warm the request path before load is measured.
  for (let wave = 0; wave < 5; wave++) {
    await Promise.all(Array.from({ length: 20 }, () => fetch(`${server.url}/__perfcell/warm-up`).then((r) => r.arrayBuffer(), () => undefined)));
  }
  // Each phase verifies its own traffic only.
  await server.admin.clearAllRequests().catch((e: Error) => {
    throw new PerfcellError(`stubs ${server.name} (${server.url}): journal not cleared (${e.message})`, 'environment');
  });
}

/** Everything a campaign needs once its inputs are checked: nothing has started, no load was sent. */
export interface CampaignPlan {
  definition: CampaignDefinition;
  defFile: string;
  phases: PhasePlan[];
  controller: TargetController;
  loaded: LoadedModel;
  /** Each phase's resolved environment. */
  environments: Map<Phase, ResolvedEnvironment>;
  /** Dependencies some phase stubs, sorted, and their stub sets. */
  stubbedAny: string[];
  sets: StubSet[];
  /** Chromium for the end-to-end phase's browser transactions, when it has any. */
  chromium: string | undefined;
}

function controllerFor(req: CampaignRequest, definition: CampaignDefinition, defFile: string, root: string): TargetController {
  if (definition.target.kind === 'command') return commandController(definition.target, root);
  if (definition.target.kind === 'external') return externalController;
  const reference = req.referenceController?.(definition.target);
  if (!reference) throw new PerfcellError(`${defFile}: target: the reference target (sut/) is not available in this build`, 'environment');
  return reference;
}

/**
 * Everything that can be refused, before anything starts or any load is sent: the model, the campaign
 * definition, each phase's profile, environment and targets, the stub sets, Java, k6, Chromium, the data files.
 */
export function planCampaign(req: CampaignRequest, log: (line: string) => void): CampaignPlan {
  // The model is read first without its file checks: the reference target writes the data file it names.
  const modelFile = resolve(req.model);
  if (!existsSync(modelFile)) throw inputError(modelFile, '', 'a load-model YAML file (it does not exist)');
  const root = projectRootOf(modelFile);
  const config = loadConfig(root);
  const { definition, file: defFile } = campaignFor(parseModel(readFileSync(modelFile, 'utf8'), modelFile).service, config, req.campaignFile);
  const phases = planPhases(definition, req.phases ?? PHASES, { profile: req.profile, environment: req.env, file: defFile });
  const controller = controllerFor(req, definition, defFile, root);
  controller.prepare?.(root, log);
  const loaded = loadModel(req.model);
  const { model } = loaded;

  const environments = new Map<Phase, ResolvedEnvironment>();
  for (const plan of phases) {
    if (!model.profiles[plan.profile]) throw inputError(loaded.file, 'profiles', `a profile named "${plan.profile}" for phase ${plan.phase} (this model has: ${Object.keys(model.profiles).join(', ')})`);
    const env = resolveEnvironment(config, model, loaded.file, plan.environment);
    // The reference target starts its real dependencies itself; any other target is told where they are.
    for (const d of definition.target.kind === 'reference' ? [] : plan.real) {
      if (!env.env.targets[d]) throw inputError(env.declaredIn, `environments.${env.name}.targets.${d}`, `the URL of dependency "${d}" (it is not stubbed in phase ${plan.phase})`);
    }
    phaseTargets(loaded, plan, env, definition);
    environments.set(plan.phase, env);
  }
  const stubbedAny = [...new Set(phases.flatMap((p) => p.stubbed))].sort();
  const stubsDir = definition.stubsDir ? resolve(loaded.root, definition.stubsDir) : stubsRoot(loaded.root);
  const sets = stubbedAny.map((d) => loadStubSet(stubsDir, d));
  if (sets.length > 0) {
    checkJar();
    checkJava();
  }
  locateK6();
  checkDataFiles(loaded);
  const chromium = phases.some((p) => p.phase === 'e2e') && model.transactions.some((t) => t.browser) ? locateChromium() : undefined;
  if (definition.target.kind === 'external') {
    const missing = stubbedAny.filter((d) => definition.stubPorts[d] === undefined);
    if (missing.length > 0) throw inputError(defFile, 'stubPorts', `a fixed port for ${missing.join(', ')} (an external target calls the stubs where you configured it to)`);
  }
  return { definition, defFile, phases, controller, loaded, environments, stubbedAny, sets, chromium };
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

/** The stub servers of a campaign: started once, each stopped after the last phase that uses it. */
interface StubServers {
  urls: Record<string, string>;
  /** What campaign.json records of the servers started. */
  started: CampaignRecord['stubServers'];
  /** Started servers this phase stubs, checked and warmed up, their journals cleared. */
  readyFor: (plan: PhasePlan) => Promise<StubServer[]>;
  /** Stops the servers no phase after `index` uses: their JVMs leave the cores to the next phases. */
  releaseAfter: (index: number) => Promise<void>;
  stopAll: () => Promise<void>;
}

async function startCampaignStubs(plan: CampaignPlan, dir: string, log: (line: string) => void): Promise<StubServers> {
  let servers: StubServer[] = [];
  if (plan.sets.length > 0) {
    log(`perfcell: starting stubs ${plan.stubbedAny.join(', ')}`);
    servers = await startStubServers(plan.sets, (s) => ({ port: plan.definition.stubPorts[s.name], heapMb: plan.definition.stubHeapMb, logPath: join(dir, 'stubs', `${s.name}.log`) }));
  }
  return {
    urls: Object.fromEntries(servers.map((s) => [s.name, s.url])),
    started: servers.map((s) => ({ dependency: s.name, url: s.url, mappings: s.mappings.size })),
    readyFor: async (phase) => {
      const used = servers.filter((s) => phase.stubbed.includes(s.name));
      for (const s of used) await checkStubServer(s, plan.sets.find((x) => x.name === s.name) as StubSet);
      return used;
    },
    releaseAfter: async (index) => {
      const later = new Set(plan.phases.slice(index + 1).flatMap((p) => p.stubbed));
      const done = servers.filter((s) => !later.has(s.name));
      await Promise.all(done.map((s) => s.stop()));
      servers = servers.filter((s) => later.has(s.name));
    },
    stopAll: async () => {
      await Promise.all(servers.map((s) => s.stop()));
    },
  };
}

interface PhaseContext {
  req: CampaignRequest;
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
async function runPhase(ctx: PhaseContext, phase: PhasePlan, rec: PhaseRecord): Promise<{ status: PhaseStatus; planned: number }> {
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
          out: join(ctx.dir, phase.phase), environment: runEnv, quiet: ctx.req.quiet, log, sideChannels: withRunHooks(), abort: ctx.abort,
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
  const plan = planCampaign(req, log);
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
  try {
    stubs = await startCampaignStubs(plan, dir, log);
    if (plan.sets.length > 0) {
      record.stubServers = stubs.started;
      save();
    }
    const ctx: PhaseContext = { req, plan, stubs, dir, iteration, campaignId: record.campaignId, log, abort: abort.signal };
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
