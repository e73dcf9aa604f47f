/** Small numeric helpers the rules share. Pure. */
import type { Phase } from '../model/compile.js';
import type { Analysis, MonitorSeries, TransactionAnalysis, WindowPoint } from '../analysis/types.js';
import { median as medianOf } from '../../lib/median.js';
import { seriesOf } from '../analysis/monitor.js';

/** Theil–Sen slope (median of pairwise slopes): robust to a few outlying windows. Unit: y per x. */
export function theilSen(points: { x: number; y: number }[], maxPoints = 200): number | null {
  if (points.length < 3) return null;
  // Subsample evenly: the pairwise cost is quadratic.
  const step = Math.max(1, Math.floor(points.length / maxPoints));
  const p = points.filter((_, i) => i % step === 0);
  const slopes: number[] = [];
  for (let i = 0; i < p.length; i++) {
    for (let j = i + 1; j < p.length; j++) {
      const a = p[i] as { x: number; y: number };
      const b = p[j] as { x: number; y: number };
      if (b.x !== a.x) slopes.push((b.y - a.y) / (b.x - a.x));
    }
  }
  return median(slopes);
}

/** The median (lib/median.ts), null when there is nothing to take it of. */
export function median(xs: number[]): number | null {
  return xs.length === 0 ? null : medianOf(xs);
}

export function mean(xs: number[]): number | null {
  return xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null;
}

/** Windows that carry latency, as (seconds since first window, p-value) points. */
export function latencyPoints(series: WindowPoint[], key: 'p50' | 'p95' = 'p50'): { x: number; y: number; t: number }[] {
  const t0 = series[0]?.t ?? 0;
  const out: { x: number; y: number; t: number }[] = [];
  for (const p of series) {
    const v = p[key];
    if (v !== null) out.push({ x: (p.t - t0) / 1000, y: v, t: p.t });
  }
  return out;
}

export function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function pct(x: number, digits = 1): number {
  return round(x * 100, digits);
}

/** The one chart comparing phases (it spans the iteration, not one phase). */
export const PHASES_CHART = 'phases';

export function chartId(phase: Phase, kind: string, transaction?: string): string {
  return transaction === undefined ? `${phase}-${kind}` : `${phase}-${kind}-${slug(transaction)}`;
}

/** A name safe in an element id, still distinct for distinct names (hex of the bytes past the safe ones). */
export function slug(name: string): string {
  return name.replace(/[^a-zA-Z0-9-]/g, (c) => `_${c.charCodeAt(0).toString(16)}`);
}

/** A label's value in a monitor series' "k=v,k=v" label set (undefined when the series does not carry it). */
export function labelOf(labels: string, name: string): string | undefined {
  for (const pair of labels.split(',')) {
    const eq = pair.indexOf('=');
    if (eq > 0 && pair.slice(0, eq) === name) return pair.slice(eq + 1);
  }
  return undefined;
}

/**
 * The routes a target's series carry, each with a test on label sets; one group for the whole target (route
 * null) when none carries a `route` label. Rules judge per route so that a route's calls or queries are set
 * against that route's requests, not diluted by the target's other routes.
 */
export function routeGroups(series: readonly MonitorSeries[]): { route: string | null; has: (labels: string) => boolean }[] {
  const routes = [...new Set(series.map((s) => labelOf(s.labels, 'route')).filter((r): r is string => r !== undefined))];
  return routes.length > 0 ? routes.map((r) => ({ route: r, has: (l: string) => labelOf(l, 'route') === r })) : [{ route: null, has: () => true }];
}

/** Mean value of a monitor series between two instants (all of it when not given). */
export function seriesMean(s: MonitorSeries, from = -Infinity, to = Infinity): number | null {
  return mean(s.points.filter((p) => p.t >= from && p.t <= to).map((p) => p.v));
}

export function seriesMax(s: MonitorSeries): number | null {
  return s.points.length ? Math.max(...s.points.map((p) => p.v)) : null;
}

/** Below this share of the offered rate (in the run's second half, past any ramp) the offered load did not go through. */
export const ACHIEVED_MIN = 0.9;

/**
 * Iteration rate a transaction achieved in the run's second half (past any ramp): request windows divided by
 * the requests an iteration sends. Also returns the windows it read, for the evidence.
 */
export function achievedIterationRate(analysis: Analysis, t: TransactionAnalysis): { perSec: number; windows: WindowPoint[] } {
  const perIteration = t.iterations > 0 ? t.requests / t.iterations : 1;
  const from = Math.floor(t.series.length / 2);
  const windows = t.series.slice(from, Math.max(from + 1, t.series.length - 1));
  return { perSec: ((mean(windows.map((p) => p.count)) ?? 0) * 1000) / analysis.windowMs / perIteration, windows };
}

/**
 * Share of an iteration spent outside its requests above which its dropped iterations are the test's VU
 * budget, not the target: the iteration's own waits (a sleep inside the function, think time, a browser's
 * rendering) hold the VUs that Little's law sized for the requests alone. A k6 example function sleeping 1 s
 * around a 5 ms request spends 99.5 % of its iteration outside; a target too slow for its rate spends almost
 * none (its requests are the iteration), so the two cases sit far on either side of one half.
 */
export const VU_BUDGET_OUTSIDE_SHARE = 0.5;
/** Margin on Little's law when suggesting maxVUs from the measured iteration duration (as the compiler's safety factor). */
export const VU_SUGGESTION_FACTOR = 1.5;

export interface VuBudgetShortfall {
  iterationMs: number;
  requestMsPerIteration: number;
  /** rate × iteration duration × margin: the VUs the transaction needs at its offered rate. */
  suggestedMaxVus: number;
}

/** Dropped iterations explained by the VU budget (see VU_BUDGET_OUTSIDE_SHARE), or null when the requests take the iteration's time. */
export function vuBudgetShortfall(t: TransactionAnalysis, durationSec: number): VuBudgetShortfall | null {
  const iterationMs = t.iterationMeanMs ?? null;
  if (t.dropped <= 0 || iterationMs === null || iterationMs <= 0 || t.iterations <= 0) return null;
  const requestMsPerIteration = ((t.latencyMs?.mean ?? 0) * t.requests) / t.iterations;
  if (1 - requestMsPerIteration / iterationMs < VU_BUDGET_OUTSIDE_SHARE) return null;
  const rate = t.targetRatePerSec ?? (t.iterations + t.dropped) / Math.max(1, durationSec);
  return { iterationMs, requestMsPerIteration, suggestedMaxVus: Math.max(1, Math.ceil((rate * iterationMs * VU_SUGGESTION_FACTOR) / 1000)) };
}

/** The monitor's own scrapes and health probes: they are requests to the server, not load. */
export function isProbe(labels: string): boolean {
  return /(?:^|,)route=\/(metrics|health)(?:,|$)/.test(labels);
}

/** Mean of a Prometheus summary/histogram over the run: Σ(rate of _sum) / Σ(rate of _count), per source, probes left out. */
export function meanFromSumCount(series: MonitorSeries[], family: string, source: string, labels?: (l: string) => boolean): number | null {
  const pick = (suffix: string) => seriesOf(series, `${family}_${suffix}`, source).filter((s) => !isProbe(s.labels) && (!labels || labels(s.labels)));
  const total = (xs: MonitorSeries[]) => xs.reduce((s, x) => s + x.points.reduce((a, p) => a + p.v, 0), 0);
  const count = total(pick('count'));
  return count > 0 ? total(pick('sum')) / count : null;
}
