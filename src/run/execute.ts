/**
 * The `perfcell run` use case: model → guard → pre-flight → bundle → k6 → run folder. The run folder is
 * written before k6 starts and completed after it stops, whatever the way it stops.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { PerfcellError, inputError } from '../errors.js';
import { RUN_EXIT } from '../exit-codes.js';
import { loadModel, type LoadedModel } from '../model/load.js';
import { compile, type CompiledTransaction, type Phase } from '../model/compile.js';
import { guardEnvironment } from '../model/environment.js';
import { environmentForRun, type RunEnvironment } from '../environments/registry.js';
import { dataFileName, generateEntry } from '../scenario/entry.js';
import { bundleScenarios, writeBundle } from '../scenario/bundle.js';
import { locateK6, PROJECT_ROOT } from '../k6/locate.js';
import { K6_EXIT, runK6 } from '../k6/run-k6.js';
import { isSingleLocal, parseInjectors, type PlannedInjector } from '../injectors/spec.js';
import { connectSshInjectors } from '../injectors/ssh.js';
import { checkRemoteTargets } from '../injectors/reach.js';
import { mergedSummary, runInjectors } from '../injectors/run-injectors.js';
import { checkTargets } from './preflight.js';
import { startSideChannels, type SideChannelFactory } from './side-channel.js';
import { newRunId, rawOutputs, RUN_SCHEMA_VERSION, runFile, writeRunMeta, type RunMeta, type RunStatus, type RunTransactionMeta } from '../store/folder.js';
import { formatSummaryTable, summaryRows, type K6SummaryExport } from './k6-summary.js';
import { runReportData } from '../report/report-data.js';
import { verdictLines, type Verdict, type VerdictStatus } from '../verdict/verdict.js';
import { baselineTargetsOf, duetCompiled, type DuetRequest } from './duet.js';

export interface RunRequest {
  model: string;
  profile: string;
  env?: string;
  phase?: Phase;
  iteration?: number;
  campaign?: string;
  /** Run folder; default reports/<service>/runs/<run id>. */
  out?: string;
  /** Replaces target URLs of the chosen environment (campaigns rewire targets to stubs this way). */
  targetOverrides?: Record<string, string>;
  /** An environment already resolved (campaigns: per phase, narrowed to the phase's targets); replaces `env`. */
  environment?: RunEnvironment;
  extraOutputs?: string[];
  /**
   * `--injectors` (src/injectors/spec.ts): several k6 processes, each one execution segment. Default: the
   * environment's `injectors`, else one local k6.
   */
  injectors?: string;
  /** What errors about `injectors` name (default `--injectors`; a campaign names its file's phase). */
  injectorsSource?: string;
  /** `--ssh-config`: the OpenSSH client settings file for SSH injectors (default: the user's ~/.ssh/config). */
  sshConfig?: string;
  /**
   * What the run does besides k6 (InfluxDB, monitor, APM: src/side-channels/defaults.ts `withRunHooks()`;
   * `noSideChannels` for none). Called where executeRun checks settings.
   */
  sideChannels: SideChannelFactory;
  /** A duet run (the gate's `--duet`): build A's URLs beside this run's own (build B), src/run/duet.ts. */
  duet?: DuetRequest;
  quiet?: boolean;
  /**
   * Aborted by a caller that caught SIGINT/SIGTERM before this run reached k6 (a campaign, while its target
   * or browser was starting): the run then records itself interrupted and never starts k6.
   */
  abort?: AbortSignal;
  log?: (line: string) => void;
  now?: () => Date;
}

export interface RunOutcome {
  dir: string;
  meta: RunMeta;
  exitCode: number;
  /** perfcell's verdict on the run (absent when k6 failed or the run was interrupted). */
  verdict?: Verdict;
}

/** perfcell's exit codes for a run: the one table in src/exit-codes.ts (re-exported for the run's callers). */
export { RUN_EXIT };

function perfcellVersion(): string {
  return (JSON.parse(readFileSync(resolve(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

function gitInfo(dir: string): { commit: string | null; dirty: boolean } {
  try {
    const commit = execFileSync('git', ['-C', dir, 'rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['-C', dir, 'status', '--porcelain', '--', 'scenarios'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() !== '';
    return { commit, dirty };
  } catch {
    return { commit: null, dirty: false };
  }
}

export function checkDataFiles(loaded: LoadedModel): void {
  for (const [name, p] of Object.entries(loaded.model.data)) {
    const abs = resolve(loaded.root, p);
    if (!existsSync(abs)) throw inputError(loaded.file, `data.${name}`, `an existing CSV file (${abs} does not exist; for the reference target \`perfcell sut seed\` writes it)`);
  }
}

/** The run's status and exit code for each verdict. */
const VERDICT_OUTCOME: Record<VerdictStatus, { status: RunStatus; exitCode: number }> = {
  go: { status: 'passed', exitCode: RUN_EXIT.passed },
  'no-go': { status: 'slo-broken', exitCode: RUN_EXIT.sloBroken },
  inconclusive: { status: 'inconclusive', exitCode: RUN_EXIT.inconclusive },
};

/** The compiler's transaction as run.json stores it: named fields, so that a compiler change never leaks into the format. */
function storedTransaction(t: CompiledTransaction): RunTransactionMeta {
  return { name: t.name, scenario: t.scenario, peakPerSec: t.peakPerSec, peakRatePerSec: t.peakRatePerSec, stepRatesPerSec: t.stepRatesPerSec, preAllocatedVUs: t.preAllocatedVUs, maxVUs: t.maxVUs, slo: { ...t.slo }, targets: t.targets };
}

function statusOf(k6Exit: number, interrupted: boolean): { status: RunStatus; exitCode: number } {
  if (interrupted || k6Exit === K6_EXIT.externalAbort) return { status: 'interrupted', exitCode: RUN_EXIT.interrupted };
  if (k6Exit === K6_EXIT.ok) return { status: 'passed', exitCode: RUN_EXIT.passed };
  if (k6Exit === K6_EXIT.thresholdsFailed) return { status: 'slo-broken', exitCode: RUN_EXIT.sloBroken };
  return { status: 'failed', exitCode: RUN_EXIT.failed };
}

/** The run's environment: the request's or the registry's, target overrides applied, production guard passed. */
function runEnvironment(req: RunRequest, loaded: LoadedModel): { environment: RunEnvironment; env: RunEnvironment['env'] } {
  const { file } = loaded;
  // Environments of perfcell.config.yaml (the registry), each overridden by the model's own of that name.
  const environment = req.environment ?? environmentForRun(loaded, req.env, req.phase ?? 'unstubbed');
  // An override may name any target of the environment; only those this run calls are applied.
  const known = environment.knownTargets ?? Object.keys(environment.env.targets);
  const overrides: Record<string, string> = {};
  for (const [name, url] of Object.entries(req.targetOverrides ?? {})) {
    if (!known.includes(name)) throw inputError(file, `environments.${environment.name}.targets.${name}`, `an existing target to override (it has: ${known.join(', ')})`);
    if (!URL.canParse(url)) throw inputError('--target', name, `an http(s) URL, got "${url}"`);
    if (name in environment.env.targets) overrides[name] = url;
  }
  const env = { ...environment.env, targets: { ...environment.env.targets, ...overrides } };
  guardEnvironment(file, environment.name, env);
  return { environment, env };
}

/**
 * What k6's log and summary say the status does not: scenario exceptions (flagged) and transactions that
 * sent no request (flagged, and the run fails: k6 counts an iteration that threw as done and exits 0).
 */
/**
 * The run's verdict is perfcell's, from the run folder, as `analyze` and `report` give it: k6's own thresholds
 * judge what k6 saw, not an overloaded injector or a VU budget that could not apply the model. A run k6 did
 * not finish (failed, interrupted) keeps its outcome.
 */
async function judgeRun(dir: string, meta: RunMeta, outcome: { status: RunStatus; exitCode: number }): Promise<{ status: RunStatus; exitCode: number; verdict?: Verdict }> {
  if (outcome.status !== 'passed' && outcome.status !== 'slo-broken') return outcome;
  const verdict = (await runReportData([dir])).verdict;
  const judged = VERDICT_OUTCOME[verdict.status];
  meta.status = judged.status;
  meta.exitCode = judged.exitCode;
  writeRunMeta(dir, meta);
  return { ...judged, verdict };
}

function checkK6Outcome(dir: string, meta: RunMeta, summary: K6SummaryExport | undefined, outcome: { status: RunStatus; exitCode: number }, log: (line: string) => void): { status: RunStatus; exitCode: number } {
  let { status, exitCode } = outcome;
  const logs = rawOutputs(dir, meta).map((o) => o.k6Log).filter((p) => existsSync(p));
  const exceptions = logs.reduce((n, p) => n + (readFileSync(p, 'utf8').match(/hint="script exception"/g) ?? []).length, 0);
  if (exceptions > 0) {
    meta.flags.push(`script-exceptions:${exceptions}`);
    log(`perfcell: warning: ${exceptions} scenario exception(s), see ${logs.join(', ')}`);
  }
  const silent = summary ? summaryRows(meta, summary, 1).filter((r) => r.requests === 0).map((r) => r.name) : [];
  if (silent.length > 0 && status !== 'interrupted') {
    meta.flags.push(...silent.map((n) => `no-requests:${n}`));
    status = 'failed';
    exitCode = RUN_EXIT.failed;
    log(`perfcell: transaction(s) ${silent.join(', ')} sent no request: the run is not valid`);
  }
  return { status, exitCode };
}

/** Every run: what it opened before its folder (SSH master connections) is closed however it ends. */
export async function executeRun(req: RunRequest): Promise<RunOutcome> {
  const closers: (() => Promise<void>)[] = [];
  try {
    return await executeRunWith(req, closers);
  } finally {
    for (const close of closers) await close();
  }
}

/** Where a run's injectors come from, as errors name it. */
function injectorsSource(req: RunRequest, environment: RunEnvironment): string {
  return req.injectors !== undefined ? (req.injectorsSource ?? '--injectors') : `environments.${environment.name}.injectors`;
}

/** The injectors a run uses: `--injectors`, else its environment's, else none (one local k6). */
function plannedInjectors(req: RunRequest, environment: RunEnvironment): PlannedInjector[] | undefined {
  const text = req.injectors ?? environment.env.injectors;
  return text === undefined ? undefined : parseInjectors(text, injectorsSource(req, environment));
}

/**
 * A run's lifecycle, in the order Taurus names its modules' steps: prepare (everything that can be refused,
 * nothing written), open the run folder, launch k6 (one local process or the injectors), conclude (outcome,
 * verdict, summary). Each step's output is the next one's input.
 */
async function executeRunWith(req: RunRequest, closers: (() => Promise<void>)[]): Promise<RunOutcome> {
  const prepared = await prepareRun(req, closers);
  const opened = openRunFolder(req, prepared);
  const hooks = await startSideChannels(prepared.channels, { dir: opened.dir, meta: opened.meta, targets: prepared.env.targets, log: prepared.log });
  const launched = await launchK6(req, prepared, opened, hooks);
  return concludeRun(prepared, opened, hooks, launched);
}

type SideChannels = Awaited<ReturnType<typeof startSideChannels>>;

/** What a run has checked and built before its folder exists. */
interface PreparedRun {
  log: (line: string) => void;
  now: () => Date;
  loaded: LoadedModel;
  environment: RunEnvironment;
  env: RunEnvironment['env'];
  runId: string;
  phase: Phase;
  iteration: number;
  channels: ReturnType<SideChannelFactory>;
  /** Several k6 processes (src/injectors); undefined for the ordinary one local k6. */
  distributed: PlannedInjector[] | undefined;
  /** SSH injectors run the bundle elsewhere: it opens its data files beside itself, and they travel with it. */
  remote: boolean;
  compiled: ReturnType<typeof compile>;
  k6: ReturnType<typeof locateK6>;
  checks: Awaited<ReturnType<typeof checkTargets>>;
  bundle: Awaited<ReturnType<typeof bundleScenarios>>;
  ssh: Awaited<ReturnType<typeof connectSshInjectors>> | undefined;
}

/** Everything that can be refused, in the order a user fixes it: input errors first, then the environment. */
async function prepareRun(req: RunRequest, closers: (() => Promise<void>)[]): Promise<PreparedRun> {
  const log = req.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const now = req.now ?? (() => new Date());
  const loaded = loadModel(req.model);
  const { model, file } = loaded;
  const { environment, env } = runEnvironment(req, loaded);
  checkDataFiles(loaded);
  const runId = newRunId(now());
  const phase = req.phase ?? 'unstubbed';
  const iteration = req.iteration ?? 1;
  // Input errors (profile, volumes) before environment errors: a typo is reported as such, target up or not.
  const channels = req.sideChannels();
  // Run tags ride on the samples only where runs meet: a live InfluxDB or another output of the user's.
  const runTagsOnSamples = channels.liveSampleOutput || (req.extraOutputs?.length ?? 0) > 0;
  const planned = plannedInjectors(req, environment);
  // One local k6 is the ordinary run (no segment); anything more is distributed (src/injectors).
  const distributed = planned && !isSingleLocal(planned) ? planned : undefined;
  const single = compile({ model, file, profile: req.profile, environment: { name: environment.name, env }, phase, runId, iteration, runTagsOnSamples });
  const compiled = req.duet ? duetCompiled(single, req.duet, { file, profile: req.profile }, env.targets) : single;
  const k6 = locateK6();
  // Every URL k6 calls: the run's targets, and in a duet build A's too.
  const called: Record<string, string> = { ...env.targets };
  if (distributed) checkRemoteTargets(distributed, env.targets, { injectors: injectorsSource(req, environment), targets: `${file}: environments.${environment.name}.targets` });
  const checks = await checkTargets(env.targets, `${file}: environments.${environment.name}`);
  if (req.duet) {
    const baselineTargets = baselineTargetsOf(env.targets, req.duet.baselineTargets);
    guardEnvironment(file, environment.name, { ...env, targets: baselineTargets });
    if (distributed) checkRemoteTargets(distributed, baselineTargets, { injectors: injectorsSource(req, environment), targets: 'duet build A (--against)' });
    await checkTargets(baselineTargets, `duet build A (--against)`);
    for (const [name, url] of Object.entries(baselineTargets)) called[`${name} (build A)`] = url;
  }
  const remote = distributed?.some((i) => i.where.kind === 'ssh') ?? false;
  const bundle = await bundleScenarios(generateEntry({ compiled, root: loaded.root, data: model.data, dataBesideBundle: remote }), loaded.root, channels.bundlePlugins);
  if (req.sshConfig !== undefined && !existsSync(req.sshConfig)) throw inputError('--ssh-config', req.sshConfig, 'an existing OpenSSH client configuration file');
  const ssh = remote && distributed ? await connectSshInjectors(distributed, { k6, configFile: req.sshConfig && resolve(req.sshConfig), log, targets: called }) : undefined;
  if (ssh) closers.push(ssh.close);
  return { log, now, loaded, environment, env, runId, phase, iteration, channels, distributed, remote, compiled, k6, checks, bundle, ssh };
}

interface OpenedRun {
  dir: string;
  meta: RunMeta;
  scriptPath: string;
  /** Data files copied beside the bundle for SSH injectors (file name → path). */
  dataFiles: Record<string, string>;
}

/** Everything that can be refused has been checked: from here on the run folder is written. */
function openRunFolder(req: RunRequest, p: PreparedRun): OpenedRun {
  const { loaded, compiled } = p;
  const { model, file } = loaded;
  const dir = resolve(req.out ?? resolve('reports', model.service, 'runs', p.runId));
  if (existsSync(runFile(dir, 'meta'))) throw new PerfcellError(`${dir}: already holds a run (run.json); choose another --out`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(runFile(dir, 'options'), JSON.stringify(compiled.options, null, 2) + '\n');
  copyFileSync(file, runFile(dir, 'model'));
  const scriptPath = writeBundle(dir, p.bundle);
  const dataFiles: Record<string, string> = {};
  if (p.remote) {
    for (const [name, path] of Object.entries(model.data)) {
      dataFiles[dataFileName(name)] = join(dir, dataFileName(name));
      copyFileSync(resolve(loaded.root, path), join(dir, dataFileName(name)));
    }
  }
  const git = gitInfo(loaded.root);
  const meta: RunMeta = {
    schemaVersion: RUN_SCHEMA_VERSION,
    runId: p.runId,
    perfcellVersion: perfcellVersion(),
    service: model.service,
    profile: req.profile,
    phase: p.phase,
    iteration: p.iteration,
    ...(req.campaign ? { campaign: req.campaign } : {}),
    model: { file: relative(process.cwd(), file) || file, hash: loaded.hash },
    scenariosCommit: git.commit,
    scenariosDirty: git.dirty,
    environment: { name: p.environment.name, targets: p.env.targets },
    targetsVersions: Object.fromEntries(p.checks.map((c) => [c.name, c.health])),
    k6: { path: p.k6.path, version: p.k6.version, args: [] },
    timeline: compiled.timeline,
    plannedDurationMs: compiled.durationMs,
    transactions: compiled.transactions.map(storedTransaction),
    headroom: model.headroom,
    ...(compiled.closedModel ? { closedModel: compiled.closedModel } : {}),
    startedAt: p.now().toISOString(),
    endedAt: null,
    k6ExitCode: null,
    exitCode: null,
    interrupted: false,
    status: 'running',
    flags: [],
  };
  writeRunMeta(dir, meta);
  p.log(`perfcell: run ${p.runId} · ${model.service} · profile ${req.profile} · phase ${p.phase} · ${compiled.transactions.length} transaction(s) · ${Math.round(compiled.durationMs / 1000)} s`);
  p.log(`perfcell: run folder ${dir}`);
  return { dir, meta, scriptPath, dataFiles };
}

interface LaunchedRun {
  result: { exitCode: number; args: string[] };
  interrupted: boolean;
}

/**
 * k6 runs: one local process, or the injectors. SIGINT/SIGTERM are forwarded to k6 (which stops gracefully
 * and still writes its outputs); a caller's abort before k6 starts means k6 never starts.
 */
async function launchK6(req: RunRequest, p: PreparedRun, o: OpenedRun, hooks: SideChannels): Promise<LaunchedRun> {
  const { log } = p;
  let stopK6: ((s: NodeJS.Signals) => void) | undefined;
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted = true;
    log(`perfcell: ${signal} received, stopping k6 gracefully (again to abort at once)`);
    stopK6?.(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const k6Input = { k6: p.k6, scriptPath: o.scriptPath, env: { ...p.compiled.env, ...hooks.k6Env }, extraOutputs: [...(req.extraOutputs ?? []), ...hooks.k6Outputs] };
  try {
    if (req.abort?.aborted) {
      // Stopped before k6 started: no load is sent; the folder still says what was planned and that it stopped.
      log(`perfcell: ${String(req.abort.reason ?? 'a signal')} received before k6 started: the run is not started`);
      return { result: { exitCode: K6_EXIT.externalAbort, args: [] }, interrupted: true };
    }
    if (p.distributed) {
      const d = await runInjectors(
        { ...k6Input, k6Version: p.k6.version, dir: o.dir, injectors: p.distributed, runId: p.runId, ssh: p.ssh, dataFiles: o.dataFiles, log },
        (stop, pids) => {
          stopK6 = stop;
          for (const pid of pids) hooks.k6Started(pid);
        },
        () => interrupted,
      );
      o.meta.injectors = d.injectors;
      o.meta.flags.push(...d.flags);
      for (const i of d.injectors.list.filter((x) => x.lost)) log(`perfcell: injector ${i.name} (segment ${i.segment}) was lost (k6 exit ${i.k6ExitCode}): the run is incomplete`);
      log(`perfcell: ${d.injectors.list.length} injectors, start skew ${d.injectors.skewMs} ms (${d.injectors.skewBasis})`);
      return { result: d, interrupted };
    }
    const result = await runK6(
      { ...k6Input, rawPath: runFile(o.dir, 'raw'), summaryPath: runFile(o.dir, 'summary'), logPath: runFile(o.dir, 'k6Log'), quiet: req.quiet },
      (stop, pid) => {
        stopK6 = stop;
        hooks.k6Started(pid);
      },
    );
    return { result, interrupted };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** k6 has stopped: the outcome recorded in run.json, the side channels finished, the run judged and summarised. */
async function concludeRun(p: PreparedRun, o: OpenedRun, hooks: SideChannels, launched: LaunchedRun): Promise<RunOutcome> {
  const { dir, meta } = o;
  const { result } = launched;
  const summary = meta.injectors ? (mergedSummary(dir, meta) as K6SummaryExport | undefined) : existsSync(runFile(dir, 'summary')) ? (JSON.parse(readFileSync(runFile(dir, 'summary'), 'utf8')) as K6SummaryExport) : undefined;
  const k6Outcome = checkK6Outcome(dir, meta, summary, statusOf(result.exitCode, launched.interrupted), p.log);
  meta.k6.args = result.args;
  meta.endedAt = p.now().toISOString();
  meta.k6ExitCode = result.exitCode;
  meta.exitCode = k6Outcome.exitCode;
  meta.interrupted = k6Outcome.status === 'interrupted';
  meta.status = k6Outcome.status;
  if (meta.interrupted) meta.flags.push('interrupted');
  writeRunMeta(dir, meta);
  await hooks.finish(meta);
  const { status, exitCode, verdict } = await judgeRun(dir, meta, k6Outcome);

  if (summary) {
    const seconds = (Date.parse(meta.endedAt) - Date.parse(meta.startedAt)) / 1000;
    p.log('\n' + formatSummaryTable(summaryRows(meta, summary, Math.min(seconds, p.compiled.durationMs / 1000))));
  } else if (status === 'failed') {
    throw new PerfcellError(`k6 failed (exit ${result.exitCode}) before writing a summary; see ${runFile(dir, 'k6Log')}`, 'run');
  }
  if (verdict) p.log('\n' + verdictLines(verdict));
  p.log(`perfcell: ${status} (exit ${exitCode}) · ${dir}`);
  return { dir, meta, exitCode, verdict };
}
