/**
 * The streaming part of the analyzer: samples in, bounded state (histograms, counters, fixed-size series)
 * out. Nothing per sample is kept. Several raw outputs fed to one accumulator are analysed as one run:
 * their histograms and windows add up.
 */
import type { Histogram } from 'hdr-histogram-js';
import type { RawSample } from '../store/raw-samples.js';
import { classifyError } from './error-kind.js';
import { latencyStats, quantile, toMicros, type HistogramPool } from './histogram.js';
import { WindowSeries, type Slot } from './series.js';
import type { ErrorKind, LatencyStats, TransactionAnalysis, VitalStats, WindowPoint } from './types.js';

/** Metrics the analyzer reads; the raw reader skips the others (half the lines) before splitting them. */
export const ANALYZED_METRICS: ReadonlySet<string> = new Set([
  'http_reqs', 'http_req_duration', 'http_req_failed', 'browser_http_req_duration', 'browser_http_req_failed', 'iterations', 'iteration_duration', 'dropped_iterations', 'checks', 'vus',
  'browser_web_vital_lcp', 'browser_web_vital_fcp', 'browser_web_vital_cls', 'browser_web_vital_inp', 'browser_web_vital_ttfb',
]);

export const DISTINCT_NAMES_CAP = 1000;
/** Request names an analysis lists per transaction: a transaction calls a handful of routes; more are URLs left unnamed. */
export const REQUEST_NAMES_KEPT = 20;
const CHECK_NAMES_CAP = 1000;
/** CLS is unitless and small: recorded ×10⁴ to keep 3 significant digits as integers. */
const VITAL_SCALE = { lcp: 1000, fcp: 1000, cls: 10_000, inp: 1000, ttfb: 1000 } as const;
type Vital = keyof typeof VITAL_SCALE;

export class TxAccumulator {
  requests = 0;
  iterations = 0;
  /** Sum of iteration_duration (ms) and its sample count: how long one iteration holds its VU. */
  iterationSumMs = 0;
  iterationCount = 0;
  dropped = 0;
  errors = 0;
  readonly errorsByKind = new Map<ErrorKind, number>();
  readonly statusCounts = new Map<string, number>();
  checksPass = 0;
  checksFail = 0;
  readonly hist: Histogram;
  sumMs = 0;
  minMs = Infinity;
  maxMs = 0;
  readonly names = new Set<string>();
  readonly series: WindowSeries;

  constructor(readonly name: string, private readonly pool: HistogramPool, windowMs: number, maxWindows: number) {
    this.hist = pool.create('total');
    this.series = new WindowSeries(pool, windowMs, maxWindows);
  }

  latency(): LatencyStats | null {
    return latencyStats(this.hist, this.sumMs, this.minMs, this.maxMs);
  }

  finish(durationSec: number, targetRatePerSec: number | null, targets: string[]): TransactionAnalysis {
    return {
      name: this.name,
      targets,
      requests: this.requests,
      iterations: this.iterations,
      iterationMeanMs: this.iterationCount > 0 ? this.iterationSumMs / this.iterationCount : null,
      dropped: this.dropped,
      ratePerSec: durationSec > 0 ? this.requests / durationSec : 0,
      targetRatePerSec,
      errors: this.errors,
      errorRate: this.requests > 0 ? this.errors / this.requests : 0,
      errorsByKind: Object.fromEntries(this.errorsByKind),
      statusCounts: Object.fromEntries(this.statusCounts),
      latencyMs: this.latency(),
      checks: { passes: this.checksPass, fails: this.checksFail },
      distinctNames: this.names.size,
      requestNames: [...this.names].slice(0, REQUEST_NAMES_KEPT),
      series: this.series.ordered().map(({ t, slot }) => windowPoint(t, slot)),
    };
  }
}

function windowPoint(t: number, s: Slot): WindowPoint {
  const q = (x: number) => (s.hist && s.hist.totalCount > 0 ? Math.min(s.maxMs, quantile(s.hist, x) / 1000) : null);
  return { t, count: s.count, errors: s.errors, dropped: s.dropped, p50: q(0.5), p90: q(0.9), p95: q(0.95), p99: q(0.99), max: s.hist ? s.maxMs : null };
}

export interface AccumulatorOptions {
  windowMs: number;
  maxWindows: number;
}

export class RunAccumulator {
  readonly overall: TxAccumulator;
  readonly transactions = new Map<string, TxAccumulator>();
  readonly checks = new Map<string, { passes: number; fails: number }>();
  readonly vitals = new Map<Vital, Histogram>();
  maxVus = 0;
  /** VUs of the raw output being read, per window start: injectors' VUs add up, so each run is kept apart until its end. */
  private runVus = new Map<number, number>();
  firstMs = Infinity;
  lastMs = -Infinity;

  constructor(readonly pool: HistogramPool, readonly options: AccumulatorOptions) {
    this.overall = new TxAccumulator('(all)', pool, options.windowMs, options.maxWindows);
  }

  private tx(name: string): TxAccumulator | undefined {
    if (name === '') return undefined;
    let t = this.transactions.get(name);
    if (!t) {
      t = new TxAccumulator(name, this.pool, this.options.windowMs, this.options.maxWindows);
      this.transactions.set(name, t);
    }
    return t;
  }

  /** The hot path: called once per sample with a reused object; allocates nothing but new map entries. */
  add(s: RawSample): void {
    const time = s.timeMs;
    if (time < this.firstMs) this.firstMs = time;
    if (time > this.lastMs) this.lastMs = time;
    const all = this.overall;
    const tx = this.tx(s.transaction);
    switch (s.metric) {
      case 'http_req_duration': {
        const us = toMicros(s.value);
        recordDuration(all, time, us, s.value);
        if (tx) recordDuration(tx, time, us, s.value);
        return;
      }
      case 'http_reqs':
        recordRequest(all, time, s);
        if (tx) recordRequest(tx, time, s);
        return;
      case 'browser_http_req_duration': {
        // Requests a browser transaction sends from Chromium: k6 writes no http_reqs line for them.
        const us = toMicros(s.value);
        recordDuration(all, time, us, s.value);
        recordRequest(all, time, s);
        if (tx) {
          recordDuration(tx, time, us, s.value);
          recordRequest(tx, time, s);
        }
        return;
      }
      case 'http_req_failed':
      case 'browser_http_req_failed': {
        if (s.value === 0) return;
        const kind = classifyError(s.status, s.errorCode, s.error);
        recordError(all, time, kind);
        if (tx) recordError(tx, time, kind);
        return;
      }
      case 'iterations':
        all.iterations += s.value;
        if (tx) tx.iterations += s.value;
        return;
      case 'iteration_duration':
        all.iterationSumMs += s.value;
        all.iterationCount++;
        if (tx) {
          tx.iterationSumMs += s.value;
          tx.iterationCount++;
        }
        return;
      case 'dropped_iterations':
        all.dropped += s.value;
        all.series.slot(time).dropped += s.value;
        if (tx) {
          tx.dropped += s.value;
          tx.series.slot(time).dropped += s.value;
        }
        return;
      case 'checks': {
        const pass = s.value !== 0;
        if (pass) all.checksPass++;
        else all.checksFail++;
        if (tx) {
          if (pass) tx.checksPass++;
          else tx.checksFail++;
        }
        let c = this.checks.get(s.check);
        if (!c && this.checks.size < CHECK_NAMES_CAP) this.checks.set(s.check, (c = { passes: 0, fails: 0 }));
        if (c) {
          if (pass) c.passes++;
          else c.fails++;
        }
        return;
      }
      case 'vus': {
        const w = all.series.windowMs;
        const key = Math.floor(time / w) * w;
        if (s.value > (this.runVus.get(key) ?? 0)) this.runVus.set(key, s.value);
        all.series.slot(time);
        return;
      }
      default:
        if (s.metric.startsWith('browser_web_vital_')) {
          const v = s.metric.slice('browser_web_vital_'.length) as Vital;
          const scale = VITAL_SCALE[v];
          if (scale === undefined) return;
          let h = this.vitals.get(v);
          if (!h) this.vitals.set(v, (h = this.pool.create('total')));
          h.recordValue(Math.max(0, Math.round(s.value * scale)));
        }
    }
  }

  /** Ends one raw output: its VUs (busiest per window) add to the other outputs' in each window. */
  endRun(): void {
    const byWindow = new Map<number, number>();
    for (const [t, v] of this.runVus) {
      // The series may have widened since: two keys can fall in one window, where the busiest counts.
      const w = this.overall.series.windowMs;
      const key = Math.floor(t / w) * w;
      byWindow.set(key, Math.max(byWindow.get(key) ?? 0, v));
    }
    for (const [t, v] of byWindow) {
      const slot = this.overall.series.slot(t);
      slot.vus += v;
      if (slot.vus > this.maxVus) this.maxVus = slot.vus;
    }
    this.runVus = new Map();
  }

  webVitals(): VitalStats[] {
    return [...this.vitals.entries()].map(([metric, h]) => ({
      metric,
      count: h.totalCount,
      p75: quantile(h, 0.75) / VITAL_SCALE[metric],
      p95: quantile(h, 0.95) / VITAL_SCALE[metric],
      unit: metric === 'cls' ? '' : 'ms',
    }));
  }
}

function recordDuration(a: TxAccumulator, time: number, us: number, ms: number): void {
  a.hist.recordValue(us);
  a.sumMs += ms;
  if (ms < a.minMs) a.minMs = ms;
  if (ms > a.maxMs) a.maxMs = ms;
  a.series.recordLatency(a.series.slot(time), us, ms);
}

function recordRequest(a: TxAccumulator, time: number, s: RawSample): void {
  // http_reqs carries 1 per request; a browser request is counted from its duration sample.
  const n = s.metric === 'http_reqs' ? s.value : 1;
  a.requests += n;
  a.series.slot(time).count += n;
  a.statusCounts.set(s.status, (a.statusCounts.get(s.status) ?? 0) + 1);
  if (a.names.size < DISTINCT_NAMES_CAP) a.names.add(s.name);
}

function recordError(a: TxAccumulator, time: number, kind: ErrorKind): void {
  a.errors++;
  a.errorsByKind.set(kind, (a.errorsByKind.get(kind) ?? 0) + 1);
  a.series.slot(time).errors++;
}
