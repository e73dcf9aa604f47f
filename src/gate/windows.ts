/**
 * The gate's input: per-transaction series of window percentiles and error rates for one run, taken from
 * the analyzer (src/analysis: `analyzeRun` with the gate's window, and its histograms for a whole run after
 * the warm-up). This file only chooses which requests and windows count; the percentiles are the analyzer's.
 */
import { analyzeRun } from '../analysis/analyze.js';
import { latencyStats, newPool, toMicros, type HistogramPool } from '../analysis/histogram.js';
import type { TransactionAnalysis } from '../analysis/types.js';
import type { Histogram } from 'hdr-histogram-js';
import { readRunSamples } from '../store/run-samples.js';
import type { RunMeta } from '../store/folder.js';
import { readRunMeta } from '../store/folder.js';

export interface Figures {
  requests: number;
  errors: number;
  /** errors / requests (0 when there were no requests). */
  errorRate: number;
  p50Ms: number;
  p90Ms: number;
  p95Ms: number;
  p99Ms: number;
}

export interface Window extends Figures {
  /** Offset of the window's start from the run's first sample, ms. */
  startMs: number;
}

export interface TransactionWindows {
  transaction: string;
  windows: Window[];
  /** The whole run, all requests together. */
  total: Figures;
}

export interface RunWindows {
  runDir: string;
  meta: RunMeta;
  /** Width of the windows actually used (the analyzer widens them on very long runs). */
  windowMs: number;
  transactions: TransactionWindows[];
  /** The raw file ended early or had unreadable lines: the run is damaged. */
  damaged: boolean;
}

export interface WindowOptions {
  /** Windows starting in the first `warmupMs` after the first sample are left out (connections, JIT). */
  warmupMs?: number;
}

/**
 * The interface the gate depends on. A finite `windowMs` gives the whole windows after the warm-up; an
 * infinite one gives one window per transaction: the whole run after the warm-up (interleaved mode, where
 * each short run is one window of the A B A B … sequence).
 */
export type WindowSource = (runDir: string, windowMs: number, options?: WindowOptions) => Promise<RunWindows>;

const nanIfNull = (v: number | null | undefined) => (v === null || v === undefined ? Number.NaN : v);

function totalOf(t: TransactionAnalysis): Figures {
  return {
    requests: t.requests,
    errors: t.errors,
    errorRate: t.errorRate,
    p50Ms: nanIfNull(t.latencyMs?.p50),
    p90Ms: nanIfNull(t.latencyMs?.p90),
    p95Ms: nanIfNull(t.latencyMs?.p95),
    p99Ms: nanIfNull(t.latencyMs?.p99),
  };
}

/** Series windows of a whole-run analysis are 1 s wide; only totals are used then. */
const WHOLE_RUN_SERIES_MS = 1000;

/**
 * Requests pooled in one of the analyzer's histograms: http_req_failed gives one sample per request (the
 * count and the errors), http_req_duration the latency. Shared by the whole-run reader below and the duet's
 * per-side windows (duet-windows.ts).
 */
export interface Pooled {
  hist: Histogram;
  requests: number;
  errors: number;
  sumMs: number;
  minMs: number;
  maxMs: number;
}

export function newPooled(pool: HistogramPool): Pooled {
  return { hist: pool.create('total'), requests: 0, errors: 0, sumMs: 0, minMs: Infinity, maxMs: 0 };
}

export function addToPooled(p: Pooled, metric: string, value: number): void {
  if (metric === 'http_req_duration') {
    p.hist.recordValue(toMicros(value));
    p.sumMs += value;
    if (value < p.minMs) p.minMs = value;
    if (value > p.maxMs) p.maxMs = value;
  } else {
    p.requests++;
    if (value !== 0) p.errors++;
  }
}

export function pooledFigures(p: Pooled | undefined): Figures {
  const l = p ? latencyStats(p.hist, p.sumMs, p.minMs, p.maxMs) : null;
  const requests = p?.requests ?? 0;
  const errors = p?.errors ?? 0;
  return { requests, errors, errorRate: requests > 0 ? errors / requests : 0, p50Ms: nanIfNull(l?.p50), p90Ms: nanIfNull(l?.p90), p95Ms: nanIfNull(l?.p95), p99Ms: nanIfNull(l?.p99) };
}

/**
 * Per transaction, the requests from `fromMs` on, pooled in one of the analyzer's histograms — every k6
 * output of the run (a distributed run's injectors: src/store/run-samples.ts) into the same one.
 */
async function afterWarmup(runDir: string, meta: Pick<RunMeta, 'injectors'>, fromMs: number): Promise<Map<string, Figures>> {
  const pool = await newPool();
  try {
    const byTx = new Map<string, Pooled>();
    await readRunSamples(
      runDir,
      meta,
      (s) => {
        if (s.timeMs < fromMs || s.transaction === '') return;
        let p = byTx.get(s.transaction);
        if (!p) byTx.set(s.transaction, (p = newPooled(pool)));
        addToPooled(p, s.metric, s.value);
      },
      { metrics: new Set(['http_req_duration', 'http_req_failed']) },
    );
    const out = new Map<string, Figures>();
    for (const [name, p] of byTx) out.set(name, pooledFigures(p));
    return out;
  } finally {
    pool.destroyAll();
  }
}

export const windowsOf: WindowSource = async (runDir, windowMs, options = {}) => {
  const meta = readRunMeta(runDir);
  const whole = !Number.isFinite(windowMs);
  const analysis = await analyzeRun(runDir, { windowMs: whole ? WHOLE_RUN_SERIES_MS : windowMs });
  const damaged = analysis.read.truncated || analysis.read.badLines > 0;
  const width = analysis.windowMs;
  // Windows are aligned on multiples of their width: the first and last are partial and left out.
  const from = analysis.startMs + (options.warmupMs ?? 0);
  const to = analysis.endMs + 1;
  const steady = whole ? await afterWarmup(runDir, meta, from) : new Map<string, Figures>();
  const transactions = analysis.transactions
    .filter((t) => t.requests > 0)
    .map((t): TransactionWindows => {
      const total = totalOf(t);
      const windows: Window[] = whole
        ? [{ startMs: options.warmupMs ?? 0, ...(steady.get(t.name) ?? { ...total, requests: 0, errors: 0, errorRate: 0 }) }]
        : t.series
            .filter((w) => w.t >= from && w.t + width <= to)
            .map((w) => ({
              startMs: w.t - analysis.startMs,
              requests: w.count,
              errors: w.errors,
              errorRate: w.count > 0 ? w.errors / w.count : 0,
              p50Ms: nanIfNull(w.p50),
              p90Ms: nanIfNull(w.p90),
              p95Ms: nanIfNull(w.p95),
              p99Ms: nanIfNull(w.p99),
            }));
      return { transaction: t.name, windows, total };
    });
  return { runDir, meta, windowMs: whole ? windowMs : width, transactions, damaged };
};
