/** Errors, by kind, and the time range where they concentrate. */
import { ERROR_KINDS } from '../analysis/types.js';
import { chartId, pct } from './helpers.js';
import type { Finding, Rule } from './types.js';

/** A window is in a burst when at least this share of its requests failed. */
export const BURST_RATE = 0.1;
/** Errors above this share of requests make the finding critical (unless the model's SLO allows more). */
export const CRITICAL_RATE = 0.01;

export const errorBurst: Rule = {
  id: 'error-burst',
  title: { en: 'Errors, by kind, and when they happen', fr: 'Erreurs, par nature, et quand elles surviennent' },
  meta: {
    severity: "critical / warning",
    firesWhen: "any failed request: counts by kind (4xx, 5xx, timeout, connection refused/reset, network) and the longest run of windows with ≥ {BURST_RATE} errors; critical above the SLO's error rate ({CRITICAL_RATE} without one)",
    evidence: "counts by kind, burst length and range; errors chart",
    thresholds: [
      { name: 'BURST_RATE', value: BURST_RATE, unit: 'share', why: "a window where one request in ten fails is an outage, not background noise (a chosen value: no measurement recorded behind it)" },
      { name: 'CRITICAL_RATE', value: CRITICAL_RATE, unit: 'share', why: "the usual error budget of a transaction without its own error-rate SLO (a chosen value: no measurement recorded behind it)" },
    ],
  },
  sentence: {
    en: (p) => `${p.transaction}: ${p.errors} failed requests (${p.rate} %): ${p.kinds}${p.burst ? `; the worst burst lasts ${p.burst} s` : ''}.`,
    fr: (p) => `${p.transaction} : ${p.errors} requêtes en échec (${p.rate} %) : ${p.kinds}${p.burst ? ` ; la pire rafale dure ${p.burst} s` : ''}.`,
  },
  evaluate: ({ analysis }) => {
    const out: Finding[] = [];
    for (const t of analysis.transactions) {
      if (t.errors === 0) continue;
      // Longest run of consecutive windows whose error rate is BURST_RATE or more.
      let best = { from: 0, to: -1 };
      let start = -1;
      t.series.forEach((p, i) => {
        const inBurst = p.count > 0 && p.errors / p.count >= BURST_RATE;
        if (inBurst && start < 0) start = i;
        if ((!inBurst || i === t.series.length - 1) && start >= 0) {
          const end = inBurst ? i : i - 1;
          if (end - start > best.to - best.from) best = { from: start, to: end };
          start = -1;
        }
      });
      const kinds = ERROR_KINDS.filter((k) => (t.errorsByKind[k] ?? 0) > 0).map((k) => `${k} × ${t.errorsByKind[k]}`).join(', ');
      const allowed = analysis.slo.find((s) => s.transaction === t.name && s.criterion === 'errorRate')?.limit ?? CRITICAL_RATE;
      const burstSec = best.to >= best.from ? ((best.to - best.from + 1) * analysis.windowMs) / 1000 : 0;
      const numbers: Record<string, number> = { errors: t.errors, errorRate: t.errorRate, burstSeconds: burstSec };
      for (const k of ERROR_KINDS) if (t.errorsByKind[k]) numbers[k] = t.errorsByKind[k] as number;
      out.push({
        severity: t.errorRate > allowed ? 'critical' : 'warning',
        transaction: t.name,
        params: { transaction: t.name, errors: t.errors, rate: pct(t.errorRate, 2), kinds, burst: burstSec },
        evidence: {
          numbers,
          ...(burstSec > 0 ? { from: t.series[best.from]?.t, to: (t.series[best.to]?.t ?? 0) + analysis.windowMs } : {}),
          chart: chartId(analysis.phase, 'errors'),
        },
      });
    }
    return out;
  },
};
