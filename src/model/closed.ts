/**
 * A closed-model profile (`{ vus, thinkTimeMs, duration }`) split over a model's transactions. Pure.
 *
 * Closed model: a fixed population of virtual users, each sending a request, waiting for its response,
 * pausing, and again. The rate is an outcome — Little's law, X = N / (R + Z) — not a setting: a slower
 * target lowers it instead of piling up arrivals. perfcell runs every transaction as its own k6 scenario,
 * so the N users are split over the transactions, and each transaction's pause is set so that, at the
 * model's expected response times, the transactions keep the model's mix (their peakPerHour shares):
 *
 *   X   = N / (Z + R̄)             R̄ = Σ share_t × R_t (the mix's mean expected response time)
 *   X_t = share_t × X              the transaction's expected rate
 *   N_t ≈ X_t × (R_t + Z)          its users (Little's law), whole, at least one
 *   Z_t = N_t / X_t − R_t          its pause: the whole numbers of users do not shift the mix
 *
 * Σ X_t × Z_t = X × Z: the profile's `thinkTimeMs` is the mean pause between a user's requests (the mean
 * over requests, as production's logs measure it).
 */

export interface ClosedInput {
  /** peakPerHour: only the shares matter. */
  weight: number;
  /** Expected response time (ms): the model's expectedResponseMs, else the SLO's p95, else 500. */
  expectedMs: number;
  /** The transaction's hard bound on concurrency, if any. */
  maxVUs?: number;
}

export interface ClosedTransactionPlan {
  vus: number;
  /** Pause after each iteration (ms), whole. */
  thinkTimeMs: number;
  /** Iterations per second at the expected response time. */
  expectedPerSec: number;
}

export interface ClosedPlan {
  transactions: ClosedTransactionPlan[];
  /** Σ expectedPerSec. */
  expectedPerSec: number;
}

/** Largest-remainder split of n by weights: whole counts that sum to n (ties to the earlier weight). */
export function apportion(n: number, weights: number[]): number[] {
  const total = weights.reduce((s, w) => s + w, 0);
  const raw = weights.map((w) => (total > 0 ? (n * w) / total : 0));
  const out = raw.map(Math.floor);
  let left = n - out.reduce((s, x) => s + x, 0);
  const order = raw.map((x, i) => ({ i, r: x - Math.floor(x) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left-- <= 0) break;
    out[i] = (out[i] as number) + 1;
  }
  return out;
}

/**
 * Splits `vus` users with a mean pause of `thinkTimeMs` over the transactions. Throws a plain Error when
 * there are fewer users than transactions (the caller names the file and the field).
 */
export function closedPlan(vus: number, thinkTimeMs: number, txs: ClosedInput[]): ClosedPlan {
  if (!Number.isInteger(vus) || vus < txs.length) throw new Error(`at least one VU per transaction (${txs.length}), got ${vus}`);
  const total = txs.reduce((s, t) => s + t.weight, 0);
  const shares = txs.map((t) => t.weight / total);
  const meanMs = txs.reduce((s, t, i) => s + (shares[i] as number) * t.expectedMs, 0);
  const x = vus / ((thinkTimeMs + meanMs) / 1000);
  // Each transaction's concurrency by Little's law, then whole users (every transaction keeps one).
  const split = apportion(vus, txs.map((t, i) => (shares[i] as number) * (t.expectedMs + thinkTimeMs)));
  for (let i = 0; i < split.length; i++) {
    if ((split[i] as number) > 0) continue;
    const donor = split.indexOf(Math.max(...split));
    split[donor] = (split[donor] as number) - 1;
    split[i] = 1;
  }
  const transactions = txs.map((t, i) => {
    const n = Math.min(split[i] as number, t.maxVUs ?? Infinity);
    const xt = (shares[i] as number) * x;
    // Too few users for the share at the expected response time (maxVUs, or no pause to shorten): no pause,
    // and the expected rate says what these users can do.
    const think = Math.max(0, Math.round((1000 * n) / xt - t.expectedMs));
    return { vus: n, thinkTimeMs: think, expectedPerSec: n / ((t.expectedMs + think) / 1000) };
  });
  return { transactions, expectedPerSec: transactions.reduce((s, t) => s + t.expectedPerSec, 0) };
}
