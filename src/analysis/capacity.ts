/**
 * Capacity on a stress profile: the knee (first step where the offered rate is not achieved, iterations are
 * dropped, or p95 breaks its SLO), the highest sustained rate, the headroom over the model's peak, and a
 * Universal Scalability Law fit. Pure: takes per-step figures, returns plain data.
 */
import type { StepCapacity, TransactionCapacity } from './types.js';

/** A step holds if ≥ 95% of the offered rate went through, almost nothing was dropped and p95 met its SLO. */
export const ACHIEVED_RATIO = 0.95;
export const DROPPED_RATIO = 0.01;

export function findKnee(steps: StepCapacity[], p95SloMs: number | null): { index: number | null; reason: TransactionCapacity['kneeReason'] } {
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i] as StepCapacity;
    const offeredCount = s.offeredPerSec * ((s.toMs - s.fromMs) / 1000);
    if (s.achievedPerSec < ACHIEVED_RATIO * s.offeredPerSec) return { index: i, reason: 'rate-not-achieved' };
    if (s.dropped > DROPPED_RATIO * offeredCount) return { index: i, reason: 'dropped-iterations' };
    if (p95SloMs !== null && s.p95Ms !== null && s.p95Ms >= p95SloMs) return { index: i, reason: 'p95-over-slo' };
  }
  return { index: null, reason: null };
}

/** X(N) = λN / (1 + σ(N−1) + κN(N−1)). */
export function uslThroughput(n: number, p: { sigma: number; kappa: number; lambda: number }): number {
  return (p.lambda * n) / (1 + p.sigma * (n - 1) + p.kappa * n * (n - 1));
}

/**
 * Least-squares USL fit by a grid over σ and κ (λ solved in closed form for each pair): robust on the handful
 * of points a stress profile gives. Needs at least 3 points with distinct concurrency.
 */
export function fitUsl(points: { n: number; x: number }[]): TransactionCapacity['usl'] {
  const pts = points.filter((p) => p.n > 0 && p.x > 0);
  if (new Set(pts.map((p) => p.n.toFixed(3))).size < 3) return null;
  let best: { sigma: number; kappa: number; lambda: number; err: number } | null = null;
  const grid = (lo: number, hi: number, steps: number) => Array.from({ length: steps + 1 }, (_, i) => (i === 0 ? 0 : lo * Math.pow(hi / lo, (i - 1) / (steps - 1))));
  for (const sigma of grid(1e-4, 1, 60)) {
    for (const kappa of grid(1e-6, 1, 80)) {
      // For fixed σ, κ, X = λ·g(N): λ = Σxg / Σg².
      let xg = 0;
      let gg = 0;
      for (const p of pts) {
        const g = p.n / (1 + sigma * (p.n - 1) + kappa * p.n * (p.n - 1));
        xg += p.x * g;
        gg += g * g;
      }
      const lambda = xg / gg;
      let err = 0;
      for (const p of pts) err += (p.x - uslThroughput(p.n, { sigma, kappa, lambda })) ** 2;
      if (!best || err < best.err) best = { sigma, kappa, lambda, err };
    }
  }
  if (!best) return null;
  const { sigma, kappa, lambda } = best;
  const peakConcurrency = kappa > 0 && sigma < 1 ? Math.sqrt((1 - sigma) / kappa) : null;
  const peakThroughputPerSec = peakConcurrency !== null ? uslThroughput(peakConcurrency, best) : Math.max(...pts.map((p) => uslThroughput(p.n, best)));
  return { sigma, kappa, lambda, peakConcurrency, peakThroughputPerSec };
}

export function capacityOf(transaction: string, steps: StepCapacity[], modelPeakPerSec: number, p95SloMs: number | null, requiredHeadroom: number): TransactionCapacity {
  const knee = findKnee(steps, p95SloMs);
  const held = knee.index === null ? steps : steps.slice(0, knee.index);
  const maxSustainablePerSec = held.length > 0 ? Math.max(...held.map((s) => s.offeredPerSec)) : null;
  return {
    transaction,
    steps,
    kneeStep: knee.index,
    kneeReason: knee.reason,
    maxSustainablePerSec,
    modelPeakPerSec,
    headroom: maxSustainablePerSec !== null && modelPeakPerSec > 0 ? maxSustainablePerSec / modelPeakPerSec - 1 : null,
    requiredHeadroom,
    usl: fitUsl(steps.map((s) => ({ n: s.concurrency, x: s.achievedPerSec }))),
  };
}

export interface TimelineSegment {
  fromMultiplier: number;
  toMultiplier: number;
  durationMs: number;
}

/** Arrivals the timeline offers between a and b (ms from the test's start) at `peakPerSec` per unit of multiplier. */
export function expectedArrivals(timeline: TimelineSegment[], peakPerSec: number, a: number, b: number): number {
  let start = 0;
  let total = 0;
  for (const seg of timeline) {
    const end = start + seg.durationMs;
    const x = Math.max(a, start);
    const y = Math.min(b, end);
    if (y > x && seg.durationMs > 0) {
      // ∫ m0 + (m1 − m0)(t − start)/d dt over [x, y], in multiplier × ms.
      const slope = (seg.toMultiplier - seg.fromMultiplier) / seg.durationMs;
      total += seg.fromMultiplier * (y - x) + (slope / 2) * ((y - start) ** 2 - (x - start) ** 2);
    }
    start = end;
  }
  return (total / 1000) * peakPerSec;
}

/**
 * When the test started, found by sliding the planned timeline over the observed per-window counts (least
 * squares) around a guess: the first sample's time is late by the first arrival's wait, more on a busy
 * machine, and a step measured on shifted windows mixes two steps.
 */
export function alignStart(
  counts: { t: number; count: number }[],
  windowMs: number,
  timeline: TimelineSegment[],
  peakPerSec: number,
  guess: number,
  searchBeforeMs = 2000,
  searchAfterMs = 500,
  stepMs = 25,
): number {
  let best = guess;
  let bestCost = Infinity;
  for (let start = guess - searchBeforeMs; start <= guess + searchAfterMs; start += stepMs) {
    let cost = 0;
    for (const w of counts) {
      const e = expectedArrivals(timeline, peakPerSec, w.t - start, w.t + windowMs - start);
      cost += (w.count - e) ** 2;
    }
    if (cost < bestCost) {
      bestCost = cost;
      best = start;
    }
  }
  return best;
}
