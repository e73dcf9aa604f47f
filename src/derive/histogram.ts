/**
 * A small log-bucketed histogram for production figures (latencies, sizes, think times): fixed memory,
 * percentiles within ±1 % of the recorded value (buckets 2 % wide, the midpoint is returned).
 */
/** 2 % wide buckets: a percentile is at most 1 % from a recorded value, enough for suggested SLOs. */
const GROWTH = 1.02;
const LOG_GROWTH = Math.log(GROWTH);
/** Values below this go to bucket 0 (0.01 ms, 0.01 byte: far below anything an access log can show). */
const MIN = 0.01;
/** 1 200 buckets cover 0.01 → 0.01 × 1.02^1200 ≈ 2e8 (55 hours in ms, 200 MB in bytes). */
const BUCKETS = 1200;

export class LogHistogram {
  readonly counts = new Float64Array(BUCKETS);
  count = 0;
  sum = 0;
  max = 0;

  record(v: number, n = 1): void {
    if (!(v >= 0)) return;
    const b = v <= MIN ? 0 : Math.min(BUCKETS - 1, 1 + Math.floor(Math.log(v / MIN) / LOG_GROWTH));
    this.counts[b] = (this.counts[b] as number) + n;
    this.count += n;
    this.sum += v * n;
    if (v > this.max) this.max = v;
  }

  mean(): number {
    return this.count ? this.sum / this.count : NaN;
  }

  /** The q-quantile (0–1), NaN when empty. */
  quantile(q: number): number {
    if (this.count === 0) return NaN;
    const rank = q * this.count;
    let acc = 0;
    for (let b = 0; b < BUCKETS; b++) {
      acc += this.counts[b] as number;
      if (acc >= rank && acc > 0) {
        if (b === 0) return 0;
        const lo = MIN * GROWTH ** (b - 1);
        return Math.min(this.max, lo * Math.sqrt(GROWTH));
      }
    }
    return this.max;
  }
}
