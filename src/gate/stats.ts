/**
 * The gate's statistics: pure functions over plain arrays of per-window figures (one p95 or one error rate
 * per window). Rank tests, because window percentiles are skewed and a single noisy window must not
 * dominate; one-sided, because the gate only asks "is the candidate worse?". Exact null distributions
 * for small samples without ties (the usual gate case), normal approximation with tie and continuity
 * corrections otherwise.
 */
import { median } from '../../lib/median.js';

export interface TestResult {
  /** The test statistic: U (Mann–Whitney) or W+ (Wilcoxon). */
  statistic: number;
  /** One-sided p-value for "the candidate is greater". 1 when there is nothing to test. */
  pValue: number;
  /** Observations that entered the test (both samples for U, non-zero differences for W+). */
  n: number;
  exact: boolean;
}

/** The repository's one median (lib/median.ts): NaN when empty. */
export { median };

/** Standard normal CDF (Abramowitz & Stegun 7.1.26 on erf; absolute error < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** Mid-ranks (1-based) of the values, and Σ(t³ − t) over groups of ties (for the variance correction). */
export function midRanks(values: readonly number[]): { ranks: number[]; tieTerm: number } {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(values.length);
  let tieTerm = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && (order[j + 1] as readonly [number, number])[0] === (order[i] as readonly [number, number])[0]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[(order[k] as readonly [number, number])[1]] = rank;
    const t = j - i + 1;
    tieTerm += t * t * t - t;
    i = j + 1;
  }
  return { ranks, tieTerm };
}

/** Largest sample sizes for which the exact null distributions are computed (cost and float precision). */
const EXACT_MAX_TOTAL = 60;

/**
 * Exact P(U ≥ u) for Mann–Whitney with sizes m, n and no ties: the number of m-subsets of ranks {1..m+n}
 * whose sum is ≥ the observed one, over C(m+n, m). Counts are kept as doubles (fine up to 60 values).
 */
function exactUpperTailU(u: number, m: number, n: number): number {
  const total = m + n;
  const maxSum = (total * (total + 1)) / 2;
  // ways[k][s]: number of k-subsets of the ranks seen so far with sum s.
  const ways: Float64Array[] = Array.from({ length: m + 1 }, () => new Float64Array(maxSum + 1));
  (ways[0] as Float64Array)[0] = 1;
  for (let r = 1; r <= total; r++) {
    for (let k = Math.min(r, m); k >= 1; k--) {
      const to = ways[k] as Float64Array;
      const from = ways[k - 1] as Float64Array;
      for (let s = maxSum; s >= r; s--) to[s] = (to[s] as number) + (from[s - r] as number);
    }
  }
  // Rank sum of the candidate sample R = U + m(m+1)/2.
  const threshold = u + (m * (m + 1)) / 2;
  const dist = ways[m] as Float64Array;
  let tail = 0;
  let all = 0;
  for (let s = 0; s <= maxSum; s++) {
    all += dist[s] as number;
    if (s >= threshold - 1e-9) tail += dist[s] as number;
  }
  return tail / all;
}

/**
 * One-sided Mann–Whitney U test: is `candidate` stochastically greater than `baseline`? U counts the
 * (baseline, candidate) pairs where the candidate is higher (ties count one half).
 */
export function mannWhitneyGreater(baseline: readonly number[], candidate: readonly number[]): TestResult {
  const n1 = baseline.length;
  const m = candidate.length;
  if (n1 === 0 || m === 0) return { statistic: 0, pValue: 1, n: n1 + m, exact: false };
  const { ranks, tieTerm } = midRanks([...baseline, ...candidate]);
  let rankSum = 0;
  for (let i = n1; i < n1 + m; i++) rankSum += ranks[i] as number;
  const u = rankSum - (m * (m + 1)) / 2;
  const total = n1 + m;
  if (tieTerm === 0 && total <= EXACT_MAX_TOTAL) {
    return { statistic: u, pValue: Math.min(1, exactUpperTailU(u, m, n1)), n: total, exact: true };
  }
  const mean = (n1 * m) / 2;
  const variance = ((n1 * m) / 12) * (total + 1 - tieTerm / (total * (total - 1)));
  if (variance <= 0) return { statistic: u, pValue: 1, n: total, exact: false };
  const z = (u - mean - 0.5) / Math.sqrt(variance);
  return { statistic: u, pValue: 1 - normalCdf(z), n: total, exact: false };
}

/** Exact P(W+ ≥ w) for n non-zero differences with distinct absolute values. */
function exactUpperTailW(w: number, n: number): number {
  const maxSum = (n * (n + 1)) / 2;
  const ways = new Float64Array(maxSum + 1);
  ways[0] = 1;
  for (let r = 1; r <= n; r++) for (let s = maxSum; s >= r; s--) ways[s] = (ways[s] as number) + (ways[s - r] as number);
  let tail = 0;
  for (let s = 0; s <= maxSum; s++) if (s >= w - 1e-9) tail += ways[s] as number;
  return tail / 2 ** n;
}

/**
 * One-sided Wilcoxon signed-rank test on paired differences (candidate − baseline, or log-ratios): is
 * their centre above zero? Zero differences are dropped (Wilcoxon's convention); W+ sums the ranks of
 * the positive ones.
 */
export function wilcoxonSignedRankGreater(differences: readonly number[]): TestResult {
  const d = differences.filter((x) => x !== 0 && Number.isFinite(x));
  const n = d.length;
  if (n === 0) return { statistic: 0, pValue: 1, n: 0, exact: false };
  const { ranks, tieTerm } = midRanks(d.map(Math.abs));
  let w = 0;
  for (let i = 0; i < n; i++) if ((d[i] as number) > 0) w += ranks[i] as number;
  if (tieTerm === 0 && n <= EXACT_MAX_TOTAL) return { statistic: w, pValue: Math.min(1, exactUpperTailW(w, n)), n, exact: true };
  const mean = (n * (n + 1)) / 4;
  const variance = (n * (n + 1) * (2 * n + 1)) / 24 - tieTerm / 48;
  if (variance <= 0) return { statistic: w, pValue: 1, n, exact: false };
  const z = (w - mean - 0.5) / Math.sqrt(variance);
  return { statistic: w, pValue: 1 - normalCdf(z), n, exact: false };
}

/** Hodges–Lehmann shift of `candidate` over `baseline`: the median of all pairwise differences. */
export function hodgesLehmannShift(baseline: readonly number[], candidate: readonly number[]): number {
  const diffs: number[] = [];
  for (const y of candidate) for (const x of baseline) diffs.push(y - x);
  return median(diffs);
}

/** Hodges–Lehmann centre of one sample (the estimate that goes with the signed-rank test): median of Walsh averages. */
export function hodgesLehmannCenter(values: readonly number[]): number {
  const walsh: number[] = [];
  for (let i = 0; i < values.length; i++) for (let j = i; j < values.length; j++) walsh.push(((values[i] as number) + (values[j] as number)) / 2);
  return median(walsh);
}

/**
 * Holm–Bonferroni adjusted p-values (same order as given): the family-wise error rate of "any of these m
 * tests rejects" stays at α when each adjusted p-value is compared with α. Uniformly more powerful than
 * Bonferroni, and valid whatever the dependence between the tests.
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0]);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach(([p, i], rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    adjusted[i] = running;
  });
  return adjusted;
}
