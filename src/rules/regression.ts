/** Worse than the previous iteration: latency, errors or throughput. */
import { chartId, pct, round } from './helpers.js';
import type { Finding, Rule } from './types.js';
import { P95_CI_CONFIDENCE } from '../analysis/histogram.js';
import type { ComparisonRow } from '../analysis/compare.js';

/** p95 up by more than this share and by at least MIN_DELTA_MS, with enough requests on both sides. */
export const P95_RISE = 0.1;
export const MIN_DELTA_MS = 2;
export const MIN_REQUESTS = 20;
export const ERROR_RATE_RISE = 0.005;
/** Above this rise a p95 regression may block the iteration… */
export const CRITICAL_RISE = 0.5;
/**
 * …when it also spends this share of the transaction's p95 SLO. Two single runs of the same build differ by
 * more than 50 % on small p95s: the demo run twice on 2 cores measured search 16.5 → 29.4 ms (+78 %, 6 % of its
 * 200 ms SLO), read by key 12 → 30 ms; a comparison of two runs is no statistical test (the gate is), so only a
 * rise that eats into the objective blocks. Without a p95 SLO the rise alone decides, as before.
 */
export const CRITICAL_SLO_SHARE = 0.25;
/**
 * And only a rise beyond noise blocks: the before p95's 95 % interval must end below the after p95's
 * (src/analysis/quantile-ci.ts); when too few samples bound it above, the before run's largest value is the
 * bound. The demo run five times in a row measured the browser journey's p95 102.4 → 167.1 ms (+63 %, no
 * SLO) on 60 journeys a run: after's interval starts at 123.3 ms, below before's largest journey (181.1 ms).
 */
export const BEYOND_NOISE_CONFIDENCE = P95_CI_CONFIDENCE;

export const regression: Rule = {
  id: 'regression',
  title: { en: 'Regression against the previous iteration', fr: "Régression par rapport à l'itération précédente" },
  meta: {
    severity: "critical / warning",
    firesWhen: "versus the same phase of the previous iteration, ≥ {MIN_REQUESTS} requests each side: p95 up > {P95_RISE} and ≥ {MIN_DELTA_MS} (critical above +{CRITICAL_RISE} when the rise also spends ≥ {CRITICAL_SLO_SHARE} of the transaction's p95 SLO, or has no SLO, and the two p95s' {BEYOND_NOISE_CONFIDENCE} intervals do not overlap: two runs of the same build differ by more than 50 % on small p95s, the gate is the statistical test), or error rate up > {ERROR_RATE_RISE}",
    evidence: "before/after; comparison chart",
    thresholds: [
      { name: 'MIN_REQUESTS', value: MIN_REQUESTS, unit: 'requests', why: "a p95 of fewer requests is its maximum, not a percentile (a chosen value: no measurement recorded behind it)" },
      { name: 'P95_RISE', value: P95_RISE, unit: 'share', why: "the gate's own minimum effect for a regression (src/gate/verdict.ts)" },
      { name: 'MIN_DELTA_MS', value: MIN_DELTA_MS, unit: 'ms', why: "the gate's absolute floor: two processes of the same build differ by a millisecond or two at the p95" },
      { name: 'CRITICAL_RISE', value: CRITICAL_RISE, unit: 'share', why: "two single runs of the same build differ by more than 50 % on small p95s: the demo run twice measured search 16.5 → 29.4 ms (+78 %)" },
      { name: 'CRITICAL_SLO_SHARE', value: CRITICAL_SLO_SHARE, unit: 'share', why: "only a rise that eats into the objective blocks: the demo's +78 % on search was 6 % of its 200 ms SLO" },
      { name: 'BEYOND_NOISE_CONFIDENCE', value: BEYOND_NOISE_CONFIDENCE, unit: 'share', why: "the demo run five times in a row measured the browser journey 102.4 → 167.1 ms (+63 %) on 60 journeys a run: a p95 of 60 samples is not bounded above at 95 % (the before run's largest value then bounds it: 181.1 ms, above the after interval's 123.3 ms), so that rise is no evidence" },
      { name: 'ERROR_RATE_RISE', value: ERROR_RATE_RISE, unit: 'point', why: "the gate's error-rate minimum effect (src/gate/verdict.ts)" },
    ],
  },
  sentence: {
    en: (p) => (p.what === 'p95'
      ? `${p.transaction}: p95 went from ${p.before} ms to ${p.after} ms (+${p.change} %) since iteration ${p.iteration}.`
      : `${p.transaction}: the error rate went from ${p.before} % to ${p.after} % since iteration ${p.iteration}.`),
    fr: (p) => (p.what === 'p95'
      ? `${p.transaction} : le p95 est passé de ${p.before} ms à ${p.after} ms (+${p.change} %) depuis l'itération ${p.iteration}.`
      : `${p.transaction} : le taux d'erreur est passé de ${p.before} % à ${p.after} % depuis l'itération ${p.iteration}.`),
  },
  evaluate: ({ analysis, previous }) => {
    if (!previous) return [];
    const out: Finding[] = [];
    const spendsSlo = (transaction: string, deltaMs: number) => {
      const slo = analysis.slo.find((x) => x.transaction === transaction && x.criterion === 'p95');
      return !slo || deltaMs >= CRITICAL_SLO_SHARE * slo.limit;
    };
    const chart = chartId(analysis.phase, 'comparison');
    // Beyond noise when the intervals do not overlap; analyses written before the intervals existed keep the old rule.
    // Too few samples to bound the before p95 above: the largest value it saw is the bound the sample gives.
    const beyondNoise = (before: NonNullable<ComparisonRow['before']>, after: NonNullable<ComparisonRow['after']>) => {
      if (!before.p95Ci || !after.p95Ci) return true;
      const upper = before.p95Ci.high ?? before.max ?? Number.POSITIVE_INFINITY;
      return upper < after.p95Ci.low;
    };
    for (const row of previous.comparison) {
      const { before, after } = row;
      if (!before || !after || before.requests < MIN_REQUESTS || after.requests < MIN_REQUESTS) continue;
      const iteration = previous.analysis.iteration;
      if (row.p95Change !== null && before.p95 !== null && after.p95 !== null && row.p95Change > P95_RISE && after.p95 - before.p95 >= MIN_DELTA_MS) {
        out.push({
          severity: row.p95Change > CRITICAL_RISE && spendsSlo(row.transaction, after.p95 - before.p95) && beyondNoise(before, after) ? 'critical' : 'warning',
          transaction: row.transaction,
          params: { what: 'p95', transaction: row.transaction, before: round(before.p95), after: round(after.p95), change: pct(row.p95Change, 0), iteration },
          evidence: { numbers: { p95BeforeMs: before.p95, p95AfterMs: after.p95, change: row.p95Change }, chart },
        });
      }
      if (row.errorRateDelta !== null && row.errorRateDelta > ERROR_RATE_RISE) {
        out.push({
          severity: 'warning',
          transaction: row.transaction,
          params: { what: 'errors', transaction: row.transaction, before: pct(before.errorRate, 2), after: pct(after.errorRate, 2), change: 0, iteration },
          evidence: { numbers: { errorRateBefore: before.errorRate, errorRateAfter: after.errorRate }, chart },
        });
      }
    }
    return out;
  },
};
