/**
 * The analyzer's use case: run folder(s) → Analysis. Reads raw samples through src/store/raw-samples.ts and
 * run.json through src/store/folder.ts; several folders (injectors, execution segments) are analysed as one.
 */
import { existsSync } from 'node:fs';
import { build } from 'hdr-histogram-js';
import { PerfcellError } from '../errors.js';
import { readMonitorSamples, type MonitorSample } from '../store/monitor-samples.js';
import type { ReadStats } from '../store/raw-samples.js';
import { injectorFigures } from './injectors.js';
import { readRunSamples } from '../store/run-samples.js';
import { readRunMeta, type RawOutput, type RunMeta } from '../store/folder.js';
import { ANALYZED_METRICS, RunAccumulator, type TxAccumulator } from './accumulator.js';
import { alignStart, capacityOf } from './capacity.js';
import { newPool, quantile } from './histogram.js';
import { monitorSeries } from './monitor.js';
import { DEFAULT_MAX_WINDOWS } from './series.js';
import { sloResults } from './slo.js';
import { ANALYSIS_SCHEMA_VERSION, type Analysis, type RunRef, type StepCapacity, type TransactionCapacity } from './types.js';

export interface AnalyzeOptions {
  /** Width of the series' windows (default 1000 ms; the PR gate picks its own). */
  windowMs?: number;
  /** Most windows a series keeps before doubling their width (default: 3600, fewer with many transactions). */
  maxWindows?: number;
  /** WebAssembly histograms (default true; falls back to JS if the module cannot load). */
  wasm?: boolean;
}

/**
 * All series together keep at most this many windows (each holds a small histogram, ≈ 3 KB): with many
 * transactions, each series gets fewer, wider windows, so memory stays bounded whatever the model.
 */
export const TOTAL_WINDOWS_BUDGET = 20_000;

export function windowBudget(transactions: number): number {
  return Math.max(60, Math.min(DEFAULT_MAX_WINDOWS, Math.floor(TOTAL_WINDOWS_BUDGET / (transactions + 1))));
}

function runRef(dir: string, m: RunMeta): RunRef {
  return {
    runId: m.runId,
    dir,
    service: m.service,
    profile: m.profile,
    phase: m.phase,
    iteration: m.iteration,
    status: m.status,
    flags: m.flags,
    unmatchedStubRequests: m.unmatchedStubRequests ?? 0,
    startedAt: m.startedAt,
    endedAt: m.endedAt,
    k6Version: m.k6.version,
    modelFile: m.model.file,
    modelHash: m.model.hash,
    environment: m.environment.name,
    targets: m.environment.targets,
    targetsVersions: m.targetsVersions,
    scenariosCommit: m.scenariosCommit,
  };
}

/** Which targets each transaction calls: run.json's, or with a single target, that one for every transaction. */
function targetsOf(meta: RunMeta): Map<string, string[]> {
  const envTargets = Object.keys(meta.environment.targets);
  return new Map(meta.transactions.map((t) => [t.name, t.targets.length > 0 ? t.targets : envTargets.length === 1 ? envTargets : []]));
}

/** Hold segments of a stepped profile (rate constant, above zero), in ms from the test's start. */
function holdSegments(meta: RunMeta): { multiplier: number; fromMs: number; toMs: number }[] {
  const out: { multiplier: number; fromMs: number; toMs: number }[] = [];
  let at = 0;
  for (const seg of meta.timeline) {
    if (seg.fromMultiplier === seg.toMultiplier && seg.toMultiplier > 0) out.push({ multiplier: seg.toMultiplier, fromMs: at, toMs: at + seg.durationMs });
    at += seg.durationMs;
  }
  return out;
}

/**
 * Figures of one transaction between two instants, from the windows wholly inside the range (a window that
 * straddles two steps mixes their rates); a range shorter than that falls back on the windows whose middle
 * is inside.
 */
function stepFigures(tx: TxAccumulator, fromAbs: number, toAbs: number, useWasm: boolean) {
  const w = tx.series.windowMs;
  const windows = tx.series.ordered();
  let chosen = windows.filter(({ t }) => t >= fromAbs && t + w <= toAbs);
  if (chosen.length === 0) chosen = windows.filter(({ t }) => t + w / 2 >= fromAbs && t + w / 2 <= toAbs);
  const merged = build({ numberOfSignificantValueDigits: 2, bitBucketSize: 'packed', useWebAssembly: useWasm });
  let count = 0;
  let errors = 0;
  let dropped = 0;
  for (const { slot } of chosen) {
    count += slot.count;
    errors += slot.errors;
    dropped += slot.dropped;
    if (slot.hist) merged.add(slot.hist);
  }
  const p95 = merged.totalCount > 0 ? quantile(merged, 0.95) / 1000 : null;
  const meanMs = merged.totalCount > 0 ? merged.mean / 1000 : 0;
  merged.destroy();
  return { count, errors, dropped, seconds: (chosen.length * w) / 1000, p95, meanMs };
}

function capacity(meta: RunMeta, acc: RunAccumulator, headroom: number, useWasm: boolean): TransactionCapacity[] {
  const holds = holdSegments(meta);
  // Capacity steps compare an offered rate with the achieved one: a closed-model run has no offered rate.
  if (meta.closedModel || holds.length < 2 || !Number.isFinite(acc.firstMs)) return [];
  // Requests the plan offers per unit of multiplier, all transactions together (requests per iteration included).
  const requestsPerUnit = meta.transactions.reduce((sum, t) => {
    const tx = acc.transactions.get(t.name);
    const perIteration = tx && tx.iterations > 0 ? tx.requests / tx.iterations : 1;
    return sum + t.peakPerSec * perIteration;
  }, 0);
  const counts = acc.overall.series.ordered().map(({ t, slot }) => ({ t, count: slot.count }));
  const t0 = alignStart(counts, acc.overall.series.windowMs, meta.timeline, requestsPerUnit, acc.firstMs);
  const out: TransactionCapacity[] = [];
  for (const t of meta.transactions) {
    const tx = acc.transactions.get(t.name);
    if (!tx) continue;
    const modelPeak = t.peakPerSec;
    const steps: StepCapacity[] = holds.map((h, i) => {
      // The first second of a step still carries the ramp: skip it.
      const f = stepFigures(tx, t0 + h.fromMs + 1000, t0 + h.toMs, useWasm);
      const achieved = f.seconds > 0 ? f.count / f.seconds : 0;
      return {
        multiplier: h.multiplier,
        offeredPerSec: t.stepRatesPerSec[i] ?? h.multiplier * modelPeak,
        achievedPerSec: achieved,
        dropped: f.dropped,
        p95Ms: f.p95,
        errorRate: f.count > 0 ? f.errors / f.count : 0,
        concurrency: achieved * (f.meanMs / 1000),
        fromMs: h.fromMs,
        toMs: h.toMs,
      };
    });
    out.push({ ...capacityOf(t.name, steps, modelPeak, t.slo.p95Ms ?? null, headroom), testStartMs: t0 });
  }
  return out;
}

export async function analyzeRuns(dirs: string[], options: AnalyzeOptions = {}): Promise<Analysis> {
  if (dirs.length === 0) throw new PerfcellError('no run folder to analyse');
  const metas = dirs.map((d) => readRunMeta(d));
  const first = metas[0] as RunMeta;
  const pool = await newPool(options.wasm ?? true);
  try {
    const acc = new RunAccumulator(pool, { windowMs: options.windowMs ?? 1000, maxWindows: options.maxWindows ?? windowBudget(first.transactions.length) });
    const reasons: string[] = [];
    const read = { samples: 0, badLines: 0, truncated: false };
    const monitor: MonitorSample[] = [];
    // Requests of each injector's own raw file (one distributed run analysed alone).
    const perInjector = new Map<string, number>();
    for (const [i, dir] of dirs.entries()) {
      const meta = metas[i] as RunMeta;
      const tag = dirs.length > 1 ? `${meta.runId}: ` : '';
      if (meta.status === 'running' || meta.endedAt === null) reasons.push(`${tag}the run has no recorded end (perfcell or k6 was killed)`);
      if (meta.interrupted) reasons.push(`${tag}the run was interrupted`);
      // A distributed run's injectors are k6 outputs of one run: their samples meet in the same accumulator
      // (histograms merged, never percentiles averaged), each one's VUs added to the others'.
      // Each output's requests are the accumulator's count since the previous output: outputs are read one after
      // the other, so nothing is counted per sample for it.
      let before = acc.overall.requests;
      const onOutput = (out: RawOutput, stats: ReadStats | undefined) => {
        if (out.injector && dirs.length === 1) perInjector.set(out.injector, acc.overall.requests - before);
        before = acc.overall.requests;
        const who = out.injector ? `${tag}injector ${out.injector}: ` : tag;
        if (out.lost) reasons.push(`${who}lost mid-run (its segment ${meta.injectors?.list.find((x) => x.name === out.injector)?.segment ?? ''} of the load is short)`);
        if (!stats) {
          reasons.push(`${who}no raw samples file`);
          return;
        }
        acc.endRun();
        if (stats.truncated) reasons.push(`${who}the raw samples file is cut short (read up to ${stats.lines} lines)`);
        if (!existsSync(out.summary)) reasons.push(`${who}k6 wrote no summary`);
      };
      const stats = await readRunSamples(dir, meta, (s) => acc.add(s), { metrics: ANALYZED_METRICS, onOutput });
      read.samples += stats.samples;
      read.badLines += stats.badLines;
      read.truncated ||= stats.truncated;
      const m = readMonitorSamples(dir);
      for (const s of m.samples) monitor.push(s);
    }
    const span = Number.isFinite(acc.firstMs) ? acc.lastMs - acc.firstMs : 0;
    const incomplete = reasons.length > 0;
    const planned = Math.max(...metas.map((m) => m.plannedDurationMs)) / 1000;
    // A complete run lasted what was planned; an incomplete one lasted as long as its samples.
    const durationSec = incomplete ? Math.max(1, span / 1000) : planned;
    const targets = targetsOf(first);
    const monitored = monitorSeries(monitor);
    // A closed-model run offers no rate: its users' rate is an outcome (null target: no rule compares with it).
    const offered = (perSec: number): number | null => (first.closedModel ? null : perSec);
    const transactions = first.transactions.map((t) => {
      const a = acc.transactions.get(t.name);
      return a ? a.finish(durationSec, offered(t.peakRatePerSec), targets.get(t.name) ?? []) : emptyTransaction(t.name, offered(t.peakRatePerSec), targets.get(t.name) ?? []);
    });
    // Samples of scenarios the model does not name (a renamed transaction, a setup scenario) are kept too.
    for (const [name, a] of acc.transactions) if (!first.transactions.some((t) => t.name === name)) transactions.push(a.finish(durationSec, null, []));
    const overall = acc.overall.finish(durationSec, offered(first.transactions.reduce((s, t) => s + t.peakRatePerSec, 0)) || null, Object.keys(first.environment.targets));
    const analysis: Analysis = {
      schemaVersion: ANALYSIS_SCHEMA_VERSION,
      runs: metas.map((m, i) => runRef(dirs[i] as string, m)),
      service: first.service,
      phase: first.phase,
      profile: first.profile,
      iteration: first.iteration,
      incomplete,
      incompleteReasons: reasons,
      startMs: Number.isFinite(acc.firstMs) ? acc.firstMs : Date.parse(first.startedAt),
      endMs: Number.isFinite(acc.lastMs) ? acc.lastMs : Date.parse(first.startedAt),
      durationSec,
      plannedDurationSec: planned,
      windowMs: acc.overall.series.windowMs,
      overall,
      transactions,
      checks: [...acc.checks.entries()].map(([name, c]) => ({ name, ...c })),
      vus: {
        max: acc.maxVus,
        // The plan's VU ceiling (every transaction's maxVUs, on every injector), not k6's current allocation.
        maxAllowed: metas.reduce((s, m) => s + m.transactions.reduce((a, t) => a + t.maxVUs, 0), 0),
        series: overall.series.length ? acc.overall.series.ordered().map(({ t, slot }) => ({ t, v: slot.vus })) : [],
      },
      webVitals: acc.webVitals(),
      slo: sloResults(first.transactions, transactions),
      capacity: capacity(first, acc, first.headroom, pool.useWasm),
      monitor: monitored,
      ...(dirs.length === 1 && first.injectors ? { injectors: injectorFigures(first.injectors, perInjector, monitored, durationSec) } : {}),
      requiredHeadroom: first.headroom,
      read,
    };
    return analysis;
  } finally {
    pool.destroyAll();
  }
}

export function analyzeRun(dir: string, options: AnalyzeOptions = {}): Promise<Analysis> {
  return analyzeRuns([dir], options);
}

function emptyTransaction(name: string, target: number | null, targets: string[]): Analysis['transactions'][number] {
  return {
    name, targets, requests: 0, iterations: 0, dropped: 0, ratePerSec: 0, targetRatePerSec: target, errors: 0, errorRate: 0, errorsByKind: {},
    statusCounts: {}, latencyMs: null, checks: { passes: 0, fails: 0 }, distinctNames: 0, series: [],
  };
}
