/**
 * The gate's input: per-transaction series of window percentiles and error rates for one run.
 *
 * TEMPORARY: the analyzer (src/analysis, another engineer's area) will expose per-window series with a
 * configurable window and `analyzeRun(dir)`. Until it lands, this ONE file computes what the gate needs
 * from the raw samples, and nothing else in src/gate computes percentiles. To switch over, replace the body
 * of `windowsOf` with a call to the analyzer and keep the `RunWindows` shape (or adapt it here only).
 */
import { readRawSamples } from '../run/raw-samples.js';
import { readRunMeta, runFile, type RunMeta } from '../run/folder.js';

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
  /** Offset of the window's start from the run's first request, ms. */
  startMs: number;
}

export interface TransactionWindows {
  transaction: string;
  windows: Window[];
  /** The whole run after the warm-up, all requests together. */
  total: Figures;
}

export interface RunWindows {
  runDir: string;
  meta: RunMeta;
  windowMs: number;
  transactions: TransactionWindows[];
  /** The raw file ended early or had unreadable lines: the run is damaged. */
  damaged: boolean;
}

export interface WindowOptions {
  /** Requests in the first `warmupMs` after the first one are left out (connections, JIT). */
  warmupMs?: number;
}

/** The interface the gate depends on; `windowsOf` below is today's implementation. */
export type WindowSource = (runDir: string, windowMs: number, options?: WindowOptions) => Promise<RunWindows>;

/** Nearest-rank percentile of sorted values (the value below which q of the requests fall). */
function nearestRank(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i] as number;
}

function figuresOf(latencies: number[], errors: number, requests: number): Figures {
  const sorted = Float64Array.from(latencies).sort();
  return {
    requests,
    errors,
    errorRate: requests > 0 ? errors / requests : 0,
    p50Ms: nearestRank(sorted, 0.5),
    p90Ms: nearestRank(sorted, 0.9),
    p95Ms: nearestRank(sorted, 0.95),
    p99Ms: nearestRank(sorted, 0.99),
  };
}

interface Collected {
  times: number[];
  latencies: number[];
  failTimes: number[];
  failed: number[];
}

const WANTED = new Set(['http_req_duration', 'http_req_failed']);

export const windowsOf: WindowSource = async (runDir, windowMs, options = {}) => {
  const meta = readRunMeta(runDir);
  const byTx = new Map<string, Collected>();
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  const stats = await readRawSamples(
    runFile(runDir, 'raw'),
    (s) => {
      let c = byTx.get(s.transaction);
      if (!c) byTx.set(s.transaction, (c = { times: [], latencies: [], failTimes: [], failed: [] }));
      if (s.metric === 'http_req_duration') {
        c.times.push(s.timeMs);
        c.latencies.push(s.value);
        if (s.timeMs < first) first = s.timeMs;
        if (s.timeMs > last) last = s.timeMs;
      } else {
        c.failTimes.push(s.timeMs);
        c.failed.push(s.value);
      }
    },
    { metrics: WANTED },
  );
  if (!Number.isFinite(first)) return { runDir, meta, windowMs, transactions: [], damaged: stats.truncated || stats.badLines > 0 };
  const from = first + (options.warmupMs ?? 0);
  // Only whole windows count: a final sliver of a window holds too few requests for a stable p95.
  const windowCount = Math.max(1, Math.floor((Math.max(last, from) - from + 1) / windowMs));
  const end = windowCount === 1 ? Number.POSITIVE_INFINITY : from + windowCount * windowMs;

  const transactions: TransactionWindows[] = [];
  for (const [transaction, c] of [...byTx.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    if (transaction === '') continue;
    const lat: number[][] = Array.from({ length: windowCount }, () => []);
    const err = new Array<number>(windowCount).fill(0);
    const req = new Array<number>(windowCount).fill(0);
    const all: number[] = [];
    let allErrors = 0;
    let allRequests = 0;
    c.times.forEach((t, i) => {
      if (t < from || t >= end) return;
      const w = Math.min(windowCount - 1, Math.floor((t - from) / windowMs));
      (lat[w] as number[]).push(c.latencies[i] as number);
      all.push(c.latencies[i] as number);
    });
    c.failTimes.forEach((t, i) => {
      if (t < from || t >= end) return;
      const w = Math.min(windowCount - 1, Math.floor((t - from) / windowMs));
      req[w] = (req[w] as number) + 1;
      allRequests++;
      if ((c.failed[i] as number) > 0) {
        err[w] = (err[w] as number) + 1;
        allErrors++;
      }
    });
    transactions.push({
      transaction,
      windows: lat.map((l, w) => ({ startMs: (w === 0 ? 0 : w * windowMs) + (options.warmupMs ?? 0), ...figuresOf(l, err[w] as number, req[w] as number) })),
      total: figuresOf(all, allErrors, allRequests),
    });
  }
  return { runDir, meta, windowMs, transactions, damaged: stats.truncated || stats.badLines > 0 };
};
