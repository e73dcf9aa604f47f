/** An SLO of the load model does not hold. */
import { chartId, pct, round } from './helpers.js';
import type { Rule } from './types.js';

export const sloBroken: Rule = {
  id: 'slo-broken',
  title: { en: 'An SLO of the load model is broken', fr: "Un SLO du modèle de charge n'est pas tenu" },
  meta: {
    severity: "critical",
    firesWhen: "a threshold of the model (p50/p90/p95/p99, error rate) does not hold on the analyzer's figures",
    evidence: "actual, limit; latency or errors chart",
    thresholds: [],
  },
  sentence: {
    en: (p) => `${p.transaction}: ${p.criterion} is ${p.actual} against an SLO of ${p.op} ${p.limit}${p.unit}.`,
    fr: (p) => `${p.transaction} : ${p.criterion} vaut ${p.actual} pour un SLO ${p.op} ${p.limit}${p.unit}.`,
  },
  evaluate: ({ analysis }) =>
    analysis.slo
      .filter((s) => !s.pass)
      .map((s) => {
        const rate = s.criterion === 'errorRate';
        const show = (x: number) => (rate ? `${pct(x, 2)} %` : `${round(x)} ms`);
        return {
          severity: 'critical' as const,
          transaction: s.transaction,
          params: { transaction: s.transaction, criterion: s.criterion, actual: s.actual === null ? 'n/a' : show(s.actual), op: s.op, limit: rate ? pct(s.limit, 2) : s.limit, unit: rate ? ' %' : ' ms' },
          evidence: { numbers: { ...(s.actual !== null ? { actual: s.actual } : {}), limit: s.limit }, chart: chartId(analysis.phase, rate ? 'errors' : 'latency', s.transaction) },
        };
      }),
};
