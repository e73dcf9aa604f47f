/**
 * Latency histograms (hdr-histogram-js): values recorded as integer microseconds, read back in ms.
 * WebAssembly histograms are several times faster but live outside the JS heap: whoever creates one through
 * a HistogramPool destroys it through the same pool.
 */
import { build, initWebAssembly, type Histogram } from 'hdr-histogram-js';
import type { LatencyStats } from './types.js';
import { quantileRankInterval } from './quantile-ci.js';

/** Confidence of the p95 interval the regression rule compares (two-sided). */
export const P95_CI_CONFIDENCE = 0.95;

let wasmReady: Promise<boolean> | undefined;

/** Loads the WebAssembly module once; false when it cannot load (the JS histograms are used instead). */
export function ensureWasm(): Promise<boolean> {
  wasmReady ??= initWebAssembly().then(() => true, () => false);
  return wasmReady;
}

export class HistogramPool {
  private readonly live = new Set<Histogram>();
  constructor(readonly useWasm: boolean) {}

  /** Full precision (3 significant digits) for run totals; 2 digits, packed, for the many per-window ones. */
  create(kind: 'total' | 'window'): Histogram {
    const h = build({
      lowestDiscernibleValue: 1,
      highestTrackableValue: 3_600_000_000,
      numberOfSignificantValueDigits: kind === 'total' ? 3 : 2,
      bitBucketSize: kind === 'total' ? 32 : 'packed',
      autoResize: true,
      useWebAssembly: this.useWasm,
    });
    this.live.add(h);
    return h;
  }

  release(h: Histogram): void {
    if (this.live.delete(h)) h.destroy();
  }

  destroyAll(): void {
    for (const h of this.live) h.destroy();
    this.live.clear();
  }
}

export async function newPool(preferWasm = true): Promise<HistogramPool> {
  return new HistogramPool(preferWasm && (await ensureWasm()));
}

/** Microseconds as recorded. Values above the trackable maximum are clamped (an hour is long enough). */
export function toMicros(ms: number): number {
  const us = Math.round(ms * 1000);
  return us < 0 ? 0 : us > 3_600_000_000 ? 3_600_000_000 : us;
}

/** The value of rank r (1-based) among n recorded values, in recorded units. */
function valueAtRank(h: Histogram, rank: number): number {
  return h.getValueAtPercentile((100 * rank) / h.totalCount);
}

/**
 * Quantile q ∈ [0,1] the way k6 computes trends: linear interpolation between the two order statistics
 * around q·(n−1). Each order statistic comes from the histogram (within its precision).
 */
export function quantile(h: Histogram, q: number): number {
  const n = h.totalCount;
  if (n === 0) return 0;
  if (n === 1) return valueAtRank(h, 1);
  const pos = q * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = valueAtRank(h, lo + 1);
  if (hi === lo) return a;
  const b = valueAtRank(h, hi + 1);
  return a + (b - a) * (pos - lo);
}

/** Stats of a µs histogram in ms; `minUs` and `maxUs` are the exact extremes tracked beside it. */
export function latencyStats(h: Histogram, sumMs: number, minMs: number, maxMs: number): LatencyStats | null {
  const n = h.totalCount;
  if (n === 0) return null;
  const ms = (q: number) => Math.min(maxMs, Math.max(minMs, quantile(h, q) / 1000));
  const clamp = (us: number) => Math.min(maxMs, Math.max(minMs, us / 1000));
  const ranks = quantileRankInterval(n, 0.95, P95_CI_CONFIDENCE);
  const p95Ci = { low: clamp(valueAtRank(h, ranks.low)), high: ranks.high === null ? null : clamp(valueAtRank(h, ranks.high)) };
  return { count: n, min: minMs, mean: sumMs / n, p50: ms(0.5), p90: ms(0.9), p95: ms(0.95), p99: ms(0.99), p999: ms(0.999), max: maxMs, p95Ci };
}
