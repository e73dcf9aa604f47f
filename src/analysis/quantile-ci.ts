/**
 * A distribution-free confidence interval for a quantile, from order statistics: with n samples, the
 * q-quantile lies between the l-th and u-th smallest values with probability ≥ the confidence, where l and u
 * come from the Binomial(n, q) count of samples below it (no assumption on the latency distribution). Pure.
 *
 * Why: comparing two single runs' p95 says nothing of noise; with 60 requests the p95's 95 % interval runs
 * from about the 54th value to beyond the largest, so +60 % between two such runs is not evidence. The
 * regression rule only blocks on a rise beyond both intervals (src/rules/regression.ts).
 */

/** Above this many samples the normal approximation of the binomial is used (n·q·(1−q) ≥ 47 at q = 0.95). */
const EXACT_UP_TO = 1000;

/** Standard normal quantile for the two-sided confidences perfcell uses. */
function zFor(confidence: number): number {
  const table: Record<string, number> = { '0.9': 1.6448536, '0.95': 1.959964, '0.99': 2.5758293 };
  const z = table[String(confidence)];
  if (z === undefined) throw new Error(`quantile CI: unsupported confidence ${confidence} (use 0.9, 0.95 or 0.99)`);
  return z;
}

/** log of the Binomial(n, p) probability mass at k. */
function logPmf(n: number, k: number, p: number, logFact: (m: number) => number): number {
  return logFact(n) - logFact(k) - logFact(n - k) + k * Math.log(p) + (n - k) * Math.log1p(-p);
}

/**
 * 1-based ranks [low, high] of the order statistics bounding the q-quantile of n samples at `confidence`
 * (two-sided). `high` is null when the interval reaches beyond the largest sample (too few samples to bound it).
 */
export function quantileRankInterval(n: number, q: number, confidence = 0.95): { low: number; high: number | null } {
  if (!(n >= 1) || !(q > 0 && q < 1)) throw new Error(`quantile CI: n ≥ 1 and 0 < q < 1, got n=${n}, q=${q}`);
  const tail = (1 - confidence) / 2;
  if (n > EXACT_UP_TO) {
    const z = zFor(confidence);
    const sd = Math.sqrt(n * q * (1 - q));
    const low = Math.max(1, Math.floor(n * q - z * sd));
    const high = Math.ceil(n * q + z * sd) + 1;
    return { low, high: high > n ? null : high };
  }
  const logs = [0];
  for (let m = 1; m <= n; m++) logs.push((logs[m - 1] as number) + Math.log(m));
  const logFact = (m: number) => logs[m] as number;
  // cdf[k] = P(B ≤ k), B ~ Binomial(n, q): the count of samples below the true quantile.
  let cdf = 0;
  let low = 1;
  let high: number | null = null;
  for (let k = 0; k <= n; k++) {
    cdf += Math.exp(logPmf(n, k, q, logFact));
    // X(k+1) ≤ ξ unless B ≤ k: the largest rank whose miss probability stays within the tail.
    if (cdf <= tail) low = k + 1;
    // X(k+1) ≥ ξ when B ≤ k: the smallest rank with that probability ≥ 1 − tail.
    if (high === null && cdf >= 1 - tail) high = k + 1;
  }
  return { low: Math.min(Math.max(1, low), n), high: high !== null && high <= n ? high : null };
}
