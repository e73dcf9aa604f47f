/** The run is too short, or a transaction has too few requests, for the percentiles its SLOs quote. */
import { chartId, round } from './helpers.js';
import type { Finding, Rule } from './types.js';

/** A steady-state figure needs at least this long a run. */
export const MIN_DURATION_SEC = 60;
const QUANTILE: Record<string, number> = { p50: 0.5, p90: 0.9, p95: 0.95, p99: 0.99 };

/** Observations beyond a quantile needed to quote it. */
export const TAIL_OBSERVATIONS = 10;

/** Requests needed to quote quantile q with about TAIL_OBSERVATIONS observations beyond it. */
export function samplesNeeded(q: number): number {
  return Math.ceil(TAIL_OBSERVATIONS / (1 - q));
}

export const tooFewSamples: Rule = {
  id: 'too-few-samples',
  title: { en: 'Run too short or too few samples for the percentiles quoted', fr: 'Tir trop court ou trop peu de mesures pour les centiles cités' },
  meta: {
    severity: "warning / info",
    firesWhen: "fewer requests than ~{TAIL_OBSERVATIONS}/(1−q) for the highest percentile an SLO quotes (p95 → 200, p99 → 1000); info when the run is shorter than {MIN_DURATION_SEC}",
    evidence: "requests, needed; duration",
    thresholds: [
      { name: 'TAIL_OBSERVATIONS', value: TAIL_OBSERVATIONS, unit: 'requests', why: "a quantile q is read from the 1−q tail: about ten observations beyond it make it more than the maximum of a handful (a chosen value: no measurement recorded behind it)" },
      { name: 'MIN_DURATION_SEC', value: MIN_DURATION_SEC, unit: 's', why: "a steady-state figure needs warmed caches, pools and JIT (a chosen value: no measurement recorded behind it)" },
    ],
  },
  sentence: {
    en: (p) => (p.transaction
      ? `${p.transaction}: ${p.count} requests are too few to quote ${p.criterion} (about ${p.needed} needed): lengthen the run or treat it as indicative.`
      : `The run lasted ${p.count} s: under ${p.needed} s, figures do not describe a steady state.`),
    fr: (p) => (p.transaction
      ? `${p.transaction} : ${p.count} requêtes sont trop peu pour citer un ${p.criterion} (il en faut environ ${p.needed}) : allonger le tir ou le lire comme indicatif.`
      : `Le tir a duré ${p.count} s : en dessous de ${p.needed} s, les chiffres ne décrivent pas un régime établi.`),
  },
  evaluate: ({ analysis }) => {
    const out: Finding[] = [];
    if (analysis.durationSec < MIN_DURATION_SEC) {
      out.push({ severity: 'info', params: { transaction: '', count: round(analysis.durationSec), needed: MIN_DURATION_SEC }, evidence: { numbers: { durationSec: analysis.durationSec }, chart: chartId(analysis.phase, 'throughput') } });
    }
    for (const t of analysis.transactions) {
      const quoted = analysis.slo.filter((s) => s.transaction === t.name && QUANTILE[s.criterion] !== undefined);
      const worst = quoted.sort((a, b) => (QUANTILE[b.criterion] as number) - (QUANTILE[a.criterion] as number))[0];
      if (!worst) continue;
      const needed = samplesNeeded(QUANTILE[worst.criterion] as number);
      if (t.requests >= needed) continue;
      out.push({ severity: 'warning', transaction: t.name, params: { transaction: t.name, count: t.requests, criterion: worst.criterion, needed }, evidence: { numbers: { requests: t.requests, needed }, chart: chartId(analysis.phase, 'latency', t.name) } });
    }
    return out;
  },
};
