/**
 * The `perfcell gate` use case: measure the candidate (one run against a stored baseline, or interleaved
 * A/B runs against the baseline build), turn the runs into per-window figures, judge, and write gate.json,
 * summary.md and junit.xml into the gate folder. Any failure to measure is a PerfcellError; the folder
 * still gets a summary.md and junit.xml saying so, so that CI can post something.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PerfcellError, inputError } from '../errors.js';
import { loadModel } from '../model/load.js';
import { compile, transactionsForPhase } from '../model/compile.js';
import { formatDuration } from '../model/duration.js';
import { executeRun, type RunOutcome, type RunRequest } from '../run/execute.js';
import { parseInjectors } from '../injectors/spec.js';
import { newRunId, readRunMeta } from '../store/folder.js';
import { DEFAULT_BASELINE_NAME, damagedRun, defaultStore, resolveBaseline } from './baselines.js';
import { gateEnvironment, resolveAgainst, runInterleaved, type Side } from './interleaved.js';
import { renderFailureJunit, renderFailureMarkdown, renderJunitXml, renderSummaryMarkdown, type GateContext } from './outputs.js';
import { median } from './stats.js';
import {
  DEFAULT_THRESHOLDS,
  gateVerdict,
  judgeTransactions,
  type GateThresholds,
  type GateVerdict,
  type SloFigures,
  type TransactionInput,
  type TransactionVerdict,
  type WindowFigures,
} from './verdict.js';
import { windowsOf, type RunWindows, type WindowSource } from './windows.js';
import { duetDurationMs, sharedLoadOf, type SharedLoad } from './duet.js';
import { duetWindowsOf, type DuetWindows } from './duet-windows.js';
import type { DuetOrder } from '../scenario/duet-side.js';
import type { LoadedModel } from '../model/load.js';
import type { CompiledRun } from '../model/compile.js';
import { baselineTargetsOf, checkDuetProfile } from '../run/duet.js';
import { checkTargets } from '../run/preflight.js';
import { withRunHooks } from '../side-channels/defaults.js';
import { DEFAULT_DUET_ORDER, DEFAULT_DUET_SEED, DEFAULT_PAIRS, DEFAULT_WARMUP_MS, DEFAULT_WINDOW_MS } from './defaults.js';
import type { Progress, ProgressPlan } from '../../lib/progress.js';

export const GATE_SCHEMA_VERSION = 1;
export { DEFAULT_DUET_ORDER, DEFAULT_DUET_SEED, DEFAULT_PAIRS, DEFAULT_WARMUP_MS, DEFAULT_WINDOW_MS };
/** The issue's budget for a whole gate on a pull request. */
export const GATE_BUDGET_MS = 5 * 60_000;
/** Measured on the 2-core machine: bundling, pre-flight and k6 start/stop around each short run (0.2–0.6 s). */
const RUN_OVERHEAD_MS = 600;

export interface GateRequest {
  model: string;
  profile: string;
  /** Candidate's environment. */
  env?: string;
  /** Run folder or baseline name (baseline mode); default "main". */
  baseline?: string;
  /** Environment, URL or target=url pairs of the baseline build (interleaved mode). */
  against?: string;
  /** Judge an existing run folder as the candidate instead of running one (baseline mode). */
  candidateRun?: string;
  /** Target URL overrides for the candidate's side. */
  candidateTargets?: Record<string, string>;
  store?: string;
  /** Gate folder; default reports/<service>/gate/<id>. */
  out?: string;
  windowMs?: number;
  warmupMs?: number;
  pairs?: number;
  thresholds?: Partial<GateThresholds>;
  reportUrl?: string;
  quiet?: boolean;
  log?: (line: string) => void;
  now?: () => Date;
  windowSource?: WindowSource;
  execute?: (req: RunRequest) => Promise<RunOutcome>;
  /** Duet mode (with `against`): A and B loaded at once by one run; `pairs` is then the number of windows. */
  duet?: { order?: DuetOrder; seed?: number };
  /** The branch measured, recorded in gate.json (src/gate/branch.ts resolveBranch); null: unknown. */
  branch?: string | null;
  /**
   * `--injectors` (docs/distributed.md) for every run the gate makes, each side and each pair alike (the
   * same split on both sides: a ratio never compares one injector with several); default: the environment's.
   */
  injectors?: string;
  /** `--ssh-config`: OpenSSH client settings for SSH injectors. */
  sshConfig?: string;
  /** Progress and ETA (the CLI's, lib/progress.ts): given the gate's plan once it is known; told each run's start. */
  progress?: (plan: ProgressPlan) => Progress;
}

/** What every run of the gate shares about its injectors. */
function injectorsOf(req: Pick<GateRequest, 'injectors' | 'sshConfig'>): Pick<RunRequest, 'injectors' | 'sshConfig'> {
  return { ...(req.injectors !== undefined ? { injectors: req.injectors } : {}), ...(req.sshConfig !== undefined ? { sshConfig: req.sshConfig } : {}) };
}

export interface GateOutcome {
  outDir: string;
  verdict: GateVerdict;
  exitCode: number;
  wallMs: number;
  files: { json: string; summary: string; junit: string };
}

const toWindow = (w: { requests: number; errors: number; p95Ms: number }): WindowFigures => ({ requests: w.requests, errors: w.errors, p95Ms: w.p95Ms });

function checkRun(w: RunWindows, role: 'baseline' | 'candidate'): RunWindows {
  if (w.damaged) throw damagedRun(w.runDir, role);
  return w;
}

/** Wall time of an interleaved gate, estimated before starting it. */
export function estimateInterleavedMs(pairs: number, profileMs: number): number {
  return pairs * 2 * (profileMs + RUN_OVERHEAD_MS);
}

/**
 * The gate's runs as a progress plan, in the order they run: interleaved, each pair's two runs (A B, then
 * B A, …) of the profile plus RUN_OVERHEAD_MS each (estimateInterleavedMs is their sum); baseline mode, the
 * candidate's one run (none when --candidate names an existing one). Pure.
 */
export function gateProgressPlan(mode: 'interleaved' | 'baseline', profileMs: number, pairs = 0): ProgressPlan {
  const run = profileMs + RUN_OVERHEAD_MS;
  if (mode === 'baseline') return { title: 'gate', steps: [{ label: 'candidate run', plannedMs: run }] };
  const steps = Array.from({ length: pairs }, (_, i) => {
    const sides = i % 2 === 0 ? ['baseline', 'candidate'] : ['candidate', 'baseline'];
    return sides.map((side) => ({ label: `pair ${i + 1} ${side}`, plannedMs: run }));
  }).flat();
  return { title: 'gate', steps };
}

/** `execute` that tells `progress` each run's start: the plan's steps, in order. */
function announcing(execute: (r: RunRequest) => Promise<RunOutcome>, progress: Progress | undefined): (r: RunRequest) => Promise<RunOutcome> {
  let step = 0;
  return (r) => {
    progress?.step(step++);
    return execute(r);
  };
}

export async function runGate(req: GateRequest): Promise<GateOutcome> {
  const now = req.now ?? (() => new Date());
  const started = Date.now();
  const log = req.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const loaded = loadModel(req.model);
  const { model } = loaded;
  const environment = gateEnvironment(loaded, req.env);
  // Fails early, with the model's own message, on a profile the model lacks.
  const compiled = compile({ model, file: loaded.file, profile: req.profile, environment, phase: 'unstubbed', runId: 'gate', iteration: 1 });
  // A bad spec is refused before the gate folder exists (each run would refuse it anyway, after the first side's).
  if (req.injectors !== undefined) parseInjectors(req.injectors, '--injectors');
  if (req.sshConfig !== undefined && !existsSync(req.sshConfig)) throw inputError('--ssh-config', req.sshConfig, 'an existing OpenSSH client configuration file');
  const outDir = resolve(req.out ?? join('reports', model.service, 'gate', newRunId(now())));
  mkdirSync(outDir, { recursive: true });
  const files = { json: join(outDir, 'gate.json'), summary: join(outDir, 'summary.md'), junit: join(outDir, 'junit.xml') };
  const thresholds: GateThresholds = { ...DEFAULT_THRESHOLDS, ...(req.thresholds ?? {}) };
  const windowMs = req.windowMs ?? DEFAULT_WINDOW_MS;
  const warmupMs = req.warmupMs ?? DEFAULT_WARMUP_MS;
  const source = req.windowSource ?? windowsOf;
  const execute = req.execute ?? executeRun;
  const candidateSide: Side = { environment, targetOverrides: req.candidateTargets };
  // The gate's runs are of the unstubbed phase: browser (e2e-only) transactions do not run in them.
  const judged = transactionsForPhase(model, 'unstubbed').map(({ t }) => t);

  try {
    let transactions: TransactionVerdict[];
    let baselineLabel: string;
    let candidateLabel: string;
    let sampling: string;
    const notes: string[] = [];
    let duetRecord: unknown;
    const mode: GateVerdict['mode'] = req.duet ? 'duet' : req.against ? 'interleaved' : 'baseline';
    if (req.duet) {
      const duet = await runDuetGate(req, loaded, candidateSide, { thresholds, windowMs, warmupMs, judged, outDir, execute, log, compiled });
      ({ transactions, baselineLabel, candidateLabel, sampling } = duet);
      notes.push(...duet.notes);
      duetRecord = duet.duet;
    } else if (req.against) {
      if (req.baseline || req.candidateRun) throw inputError('--against', '', 'alone: interleaved mode measures both builds itself (drop --baseline / --candidate)');
      const baselineSide = resolveAgainst(req.against, loaded, candidateSide);
      const pairs = req.pairs ?? DEFAULT_PAIRS;
      const minPairs = thresholds.minWindows + (thresholds.minWindows % 2);
      if (!Number.isInteger(pairs) || pairs < minPairs || pairs % 2 !== 0) {
        throw inputError('--pairs', '', `an even whole number ≥ ${minPairs} (fewer pairs cannot reach significance; an even count lets each build go first equally often), got ${String(req.pairs)}`);
      }
      const estimate = estimateInterleavedMs(pairs, compiled.durationMs);
      log(`perfcell gate: interleaved, ${pairs} pairs of ${formatDuration(compiled.durationMs)} runs, about ${Math.round(estimate / 1000)} s`);
      if (estimate > GATE_BUDGET_MS) log(`perfcell gate: warning: over the ${GATE_BUDGET_MS / 60_000}-minute budget; use fewer --pairs or a shorter profile`);
      // Exact Wilcoxon: the smallest p-value of n pairs is 2⁻ⁿ; Holm needs α/k for the first of k transactions.
      if (2 ** -pairs >= thresholds.alpha / judged.length) {
        log(`perfcell gate: warning: with ${pairs} pairs and ${judged.length} transactions, a regression may never reach significance (2^-${pairs} ≥ ${thresholds.alpha}/${judged.length}); add --pairs`);
      }
      const progress = req.progress?.(gateProgressPlan('interleaved', compiled.durationMs, pairs));
      const runs = await runInterleaved({ model: req.model, profile: req.profile, baseline: baselineSide, candidate: candidateSide, pairs, outDir, quiet: req.quiet, log, execute: announcing(execute, progress), runOptions: injectorsOf(req) })
        .finally(() => progress?.stop());
      transactions = judgeTransactions(await interleavedInputs(runs, judged, { source, warmupMs }), thresholds);
      // Name only what differs between the two sides: the targets of the two builds.
      ({ baselineLabel, candidateLabel } = sideLabels(baselineSide, candidateSide));
      sampling = `${pairs} pairs of ${formatDuration(compiled.durationMs)} runs (A B, B A, …)`;
    } else {
      const resolved = resolveBaseline(req.baseline ?? DEFAULT_BASELINE_NAME, { service: model.service, profile: req.profile, modelFile: loaded.file }, req.store ?? defaultStore());
      let candidateDir: string;
      if (req.candidateRun) {
        candidateDir = resolve(req.candidateRun);
        const meta = readRunMeta(candidateDir);
        if (meta.service !== model.service || meta.profile !== req.profile) {
          throw inputError(join(candidateDir, 'run.json'), 'service/profile', `service "${model.service}" and profile "${req.profile}", got "${meta.service}" / "${meta.profile}"`);
        }
      } else {
        const progress = req.progress?.(gateProgressPlan('baseline', compiled.durationMs));
        const outcome = await announcing(execute, progress)({ model: req.model, profile: req.profile, environment, targetOverrides: req.candidateTargets, out: join(outDir, 'candidate'), quiet: req.quiet ?? true, log: req.quiet ? () => {} : log, sideChannels: withRunHooks(), ...injectorsOf(req) }).finally(() => progress?.stop());
        if (outcome.meta.status === 'inconclusive') {
          throw new PerfcellError(`candidate run: the measurement is not valid (${outcome.verdict?.headline.en ?? 'inconclusive'}); see ${outcome.dir}`, 'environment');
        }
        if (outcome.meta.status !== 'passed' && outcome.meta.status !== 'slo-broken') {
          throw new PerfcellError(`candidate run ended "${outcome.meta.status}" (exit ${outcome.exitCode}); see ${join(outcome.dir, 'k6.log')}`, 'run');
        }
        candidateDir = outcome.dir;
      }
      if (resolved.meta.model?.hash && resolved.meta.model.hash !== loaded.hash) {
        notes.push(`the baseline was measured with another version of ${model.service}'s load model (${resolved.meta.model.file}, sha256 ${resolved.meta.model.hash.slice(0, 12)}…): volumes or SLOs may differ`);
      }
      const base = checkRun(await source(resolved.dir, windowMs, { warmupMs }), 'baseline');
      const cand = checkRun(await source(candidateDir, windowMs, { warmupMs }), 'candidate');
      const inputs = judged.map((t): TransactionInput => {
        const b = base.transactions.find((x) => x.transaction === t.name);
        const c = cand.transactions.find((x) => x.transaction === t.name);
        const inBaseline = b !== undefined || base.meta.transactions.some((x) => x.name === t.name);
        return {
          mode: 'baseline',
          transaction: t.name,
          // The candidate's run folder is the truth: its SLOs as run.json stored them (a --candidate-run may come
          // from an earlier version of the model); the model's only for a transaction the run did not have.
          slo: cand.meta.transactions.find((x) => x.name === t.name)?.slo ?? t.slo,
          candidateTotal: c ? sloFiguresOfRuns([c.total]) : null,
          baseline: inBaseline ? (b?.windows ?? []).map(toWindow) : null,
          candidate: (c?.windows ?? []).map(toWindow),
        };
      });
      transactions = judgeTransactions(inputs, thresholds);
      baselineLabel = `${resolved.name ? `baseline \`${resolved.name}\`, ` : ''}run ${resolved.meta.runId} (${resolved.meta.startedAt})`;
      candidateLabel = `run ${cand.meta.runId} (${candidateDir})`;
      sampling = `windows of ${formatDuration(windowMs)}${warmupMs > 0 ? ` after a ${formatDuration(warmupMs)} warm-up` : ''}`;
    }

    const verdict = gateVerdict(mode, transactions, thresholds);
    const wallMs = Date.now() - started;
    const ctx: GateContext = { service: model.service, profile: req.profile, mode, baselineLabel, candidateLabel, reportUrl: req.reportUrl, wallSeconds: wallMs / 1000, sampling, notes };
    writeFileSync(files.json, JSON.stringify({ schemaVersion: GATE_SCHEMA_VERSION, ...ctx, branch: req.branch ?? null, ...(req.injectors !== undefined ? { injectors: req.injectors } : {}), ...(duetRecord ? { duet: duetRecord } : {}), verdict }, null, 2) + '\n');
    writeFileSync(files.summary, renderSummaryMarkdown(verdict, ctx));
    writeFileSync(files.junit, renderJunitXml(verdict, ctx));
    return { outDir, verdict, exitCode: verdict.exitCode, wallMs, files };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    writeFileSync(files.summary, renderFailureMarkdown(message, { service: model.service, profile: req.profile, reportUrl: req.reportUrl }));
    writeFileSync(files.junit, renderFailureJunit(message, { service: model.service, profile: req.profile }));
    throw error;
  }
}

const sideUrls = (side: Side) => ({ ...side.environment.env.targets, ...(side.targetOverrides ?? {}) });

/** Name only what differs between the two sides: the targets of the two builds. */
function sideLabels(baselineSide: Side, candidateSide: Side): { baselineLabel: string; candidateLabel: string } {
  const [ua, ub] = [sideUrls(baselineSide), sideUrls(candidateSide)];
  const differing = Object.keys(ub).filter((k) => ua[k] !== ub[k]);
  const describe = (side: Side, u: Record<string, string>) =>
    `environment ${side.environment.name}${differing.length ? `, ${differing.map((k) => `${k}=${u[k] ?? '?'}`).join(', ')}` : ''}`;
  return { baselineLabel: `${describe(baselineSide, ua)} (build A)`, candidateLabel: `${describe(candidateSide, ub)} (build B)` };
}

interface DuetContext {
  thresholds: GateThresholds;
  windowMs: number;
  warmupMs: number;
  judged: readonly { name: string; slo: TransactionInput['slo'] }[];
  outDir: string;
  execute: (req: RunRequest) => Promise<RunOutcome>;
  log: (line: string) => void;
  compiled: CompiledRun;
}

/**
 * Duet mode: one k6 run loads A (--against) and B (the candidate) at once, each iteration routed to one
 * side; the verdict compares A and B window by window (src/gate/duet.ts), then checks both sides against the
 * store's last accepted run for a change of the total load (`--baseline`, default "main" when the store has it).
 */
async function runDuetGate(req: GateRequest, loaded: LoadedModel, candidateSide: Side, c: DuetContext) {
  if (!req.against) throw inputError('--duet', '', 'with --against (where build A listens): duet mode loads both builds');
  if (req.candidateRun) throw inputError('--candidate', '', 'absent in duet mode: it measures both builds itself');
  const order = req.duet?.order ?? DEFAULT_DUET_ORDER;
  const seed = req.duet?.seed ?? DEFAULT_DUET_SEED;
  const baselineSide = resolveAgainst(req.against, loaded, candidateSide);
  const windows = req.pairs ?? DEFAULT_PAIRS;
  if (!Number.isInteger(windows) || windows < c.thresholds.minWindows) {
    throw inputError('--pairs', '', `a whole number of windows ≥ ${c.thresholds.minWindows} in duet mode, got ${String(req.pairs)}`);
  }
  // Refused before anything is logged or measured: bad input is one line.
  checkDuetProfile(c.compiled, { file: loaded.file, profile: req.profile });
  await checkTargets(baselineTargetsOf(sideUrls(candidateSide), sideUrls(baselineSide)), 'duet build A (--against)');
  const durationMs = duetDurationMs(windows, c.windowMs, c.warmupMs);
  c.log(`perfcell gate: duet, ${windows} windows of ${formatDuration(c.windowMs)} after ${formatDuration(c.warmupMs)}, A and B at once (${order}${order === 'random' ? `, seed ${seed}` : ''}), about ${Math.round((durationMs + RUN_OVERHEAD_MS) / 1000)} s`);
  if (durationMs > GATE_BUDGET_MS) c.log(`perfcell gate: warning: over the ${GATE_BUDGET_MS / 60_000}-minute budget; use fewer --pairs or a narrower --window`);
  const dir = join(c.outDir, 'duet');
  const outcome = await c.execute({
    model: req.model,
    profile: req.profile,
    environment: candidateSide.environment,
    targetOverrides: candidateSide.targetOverrides,
    out: dir,
    quiet: req.quiet ?? true,
    log: () => {},
    sideChannels: withRunHooks(),
    duet: { order, seed, baselineTargets: sideUrls(baselineSide), durationMs },
    ...injectorsOf(req),
  });
  if (outcome.meta.status === 'inconclusive') {
    throw new PerfcellError(`duet run: the measurement is not valid (${outcome.verdict?.headline.en ?? 'inconclusive'}); see ${dir}`, 'environment');
  }
  if (outcome.meta.status !== 'passed' && outcome.meta.status !== 'slo-broken') {
    throw new PerfcellError(`duet run ended "${outcome.meta.status}" (exit ${outcome.exitCode}); see ${join(dir, 'k6.log')}`, 'run');
  }
  const measured = await duetWindowsOf(dir, c.windowMs, c.warmupMs, windows);
  if (measured.damaged) throw damagedRun(dir, 'candidate');
  const inputs = duetInputs(measured, c.judged);
  const transactions = judgeTransactions(inputs, c.thresholds);
  const shared = await sharedLoadNotes(req, loaded, transactions, inputs, c);
  const notes = shared.notes;
  if (measured.untagged > 0) notes.push(`${measured.untagged} request(s) of the duet run carried no side and were left out`);
  return {
    transactions,
    ...sideLabels(baselineSide, candidateSide),
    duet: { order, seed, windows: measured.layout.count, windowMs: c.windowMs, warmupMs: c.warmupMs, run: dir, sharedLoad: { baselineRun: shared.baselineRun, transactions: shared.checks } },
    sampling: `one run, A and B at once (${order}${order === 'random' ? `, seed ${seed}` : ''}), ${measured.layout.count} windows of ${formatDuration(c.windowMs)}${c.warmupMs > 0 ? ` after a ${formatDuration(c.warmupMs)} warm-up` : ''}`,
    notes,
  };
}

/** The verdict's inputs of a duet gate: its window pairs, and B's requests after the warm-up for the SLOs. */
export function duetInputs(measured: DuetWindows, judged: readonly { name: string; slo: TransactionInput['slo'] }[]): TransactionInput[] {
  return judged.map((t): TransactionInput => {
    const m = measured.transactions.find((x) => x.transaction === t.name);
    return { mode: 'duet', transaction: t.name, slo: t.slo, candidateTotal: m ? sloFiguresOfRuns([m.total.B]) : null, pairs: m?.pairs ?? [] };
  });
}

/**
 * The shared-load check against the store's run (src/gate/duet.ts `sharedLoadOf`): a transaction whose two
 * sides are both materially slower than the stored run gets a note, and a pass becomes a warning — duet's
 * ratio cannot see a B that slows the whole machine, so the gate says it instead of hiding it.
 */
async function sharedLoadNotes(req: GateRequest, loaded: LoadedModel, transactions: TransactionVerdict[], inputs: readonly TransactionInput[], c: DuetContext): Promise<{ notes: string[]; baselineRun: string | null; checks: Record<string, SharedLoad> }> {
  const store = req.store ?? defaultStore();
  let resolved;
  try {
    resolved = resolveBaseline(req.baseline ?? DEFAULT_BASELINE_NAME, { service: loaded.model.service, profile: req.profile, modelFile: loaded.file }, store);
  } catch (error) {
    // A baseline named on the command line must be usable; the default one is optional in duet mode.
    if (req.baseline) throw error;
    return { baselineRun: null, checks: {}, notes: [`shared load not checked: no usable baseline "${DEFAULT_BASELINE_NAME}" of profile ${req.profile} in ${store} (set one with \`perfcell baseline set\`)`] };
  }
  const stored = checkRun(await windowsOf(resolved.dir, Number.POSITIVE_INFINITY, { warmupMs: c.warmupMs }), 'baseline');
  const notes: string[] = [];
  const checks: Record<string, SharedLoad> = {};
  for (const v of transactions) {
    const input = inputs.find((i) => i.transaction === v.transaction);
    const storedP95 = stored.transactions.find((x) => x.transaction === v.transaction)?.windows[0]?.p95Ms ?? Number.NaN;
    if (!v.p95 || !input || input.mode === 'baseline') continue;
    const usable = input.pairs.filter((p) => p.baseline.requests >= c.thresholds.minWindowRequests && p.candidate.requests >= c.thresholds.minWindowRequests);
    const shared = sharedLoadOf(storedP95, usable, c.thresholds);
    if (!shared) continue;
    checks[v.transaction] = shared;
    if (!shared.detected) continue;
    const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`;
    v.notes.push(`shared load: A ${pct(shared.a.effect)} and B ${pct(shared.b.effect)} against the stored run's p95 ${shared.storedP95Ms.toFixed(1)} ms (both p < ${c.thresholds.alpha}): the machine's total load changed — B's own cost, or a busier machine — which the A/B ratio cannot show`);
    if (v.status === 'pass') v.status = 'warn';
  }
  const hit = Object.keys(checks).filter((k) => checks[k]?.detected);
  notes.push(hit.length > 0
    ? `⚠️ shared load: both builds slower than baseline \`${resolved.name ?? resolved.meta.runId}\` (run ${resolved.meta.runId}) on ${hit.join(', ')}: the duet ratio compares A and B under the same load, so a candidate that slows the whole machine (A too) shows here, not in the ratio`
    : `shared load checked against baseline \`${resolved.name ?? resolved.meta.runId}\` (run ${resolved.meta.runId}): no transaction has both builds materially slower`);
  return { notes, baselineRun: resolved.meta.runId, checks };
}

/**
 * The verdict's inputs of an interleaved gate from its pairs of run folders: one window per run (each short
 * run is one window of the A B A B … sequence, after its warm-up). Also used to judge stored pairs again with
 * other thresholds (the calibration's sensitivity table).
 */
export async function interleavedInputs(
  runs: readonly { baselineDir: string; candidateDir: string }[],
  judged: readonly { name: string; slo: TransactionInput['slo'] }[],
  options: { source?: WindowSource; warmupMs?: number } = {},
): Promise<TransactionInput[]> {
  const source = options.source ?? windowsOf;
  const warmupMs = options.warmupMs ?? DEFAULT_WARMUP_MS;
  const measured: { baseline: RunWindows; candidate: RunWindows }[] = [];
  for (const r of runs) {
    measured.push({
      baseline: checkRun(await source(r.baselineDir, Number.POSITIVE_INFINITY, { warmupMs }), 'baseline'),
      candidate: checkRun(await source(r.candidateDir, Number.POSITIVE_INFINITY, { warmupMs }), 'candidate'),
    });
  }
  return judged.map((t): TransactionInput => {
    const find = (w: RunWindows) => w.transactions.find((x) => x.transaction === t.name);
    const pairsOf = measured.flatMap((m) => {
      const b = find(m.baseline)?.windows[0];
      const c = find(m.candidate)?.windows[0];
      return b && c ? [{ baseline: toWindow(b), candidate: toWindow(c) }] : [];
    });
    // SLOs on each short run after its warm-up, like the comparison.
    const totals = measured.map((m) => find(m.candidate)?.windows[0]).filter((x) => x !== undefined);
    return { mode: 'interleaved', transaction: t.name, slo: t.slo, candidateTotal: sloFiguresOfRuns(totals), pairs: pairsOf };
  });
}

/**
 * SLO figures of the candidate: one run's own figures, or for several short runs the median of each run's
 * percentile (pooling percentiles across runs is not defined) and the pooled error rate.
 */
function sloFiguresOfRuns(totals: readonly { requests: number; errors: number; p50Ms: number; p90Ms: number; p95Ms: number; p99Ms: number }[]): SloFigures | null {
  const withData = totals.filter((t) => t.requests > 0);
  if (withData.length === 0) return null;
  const requests = withData.reduce((s, t) => s + t.requests, 0);
  const errors = withData.reduce((s, t) => s + t.errors, 0);
  return {
    p50Ms: median(withData.map((t) => t.p50Ms)),
    p90Ms: median(withData.map((t) => t.p90Ms)),
    p95Ms: median(withData.map((t) => t.p95Ms)),
    p99Ms: median(withData.map((t) => t.p99Ms)),
    errorRate: errors / requests,
  };
}
