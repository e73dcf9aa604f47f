/** Stress profile: where the system breaks, and whether that leaves the model's headroom over its peak. */
import { chartId, pct, round } from './helpers.js';
import { ACHIEVED_RATIO, DROPPED_RATIO } from '../analysis/capacity.js';
import { DEFAULT_HEADROOM } from '../store/run-schema.js';
import type { Finding, Rule } from './types.js';

export const capacityHeadroom: Rule = {
  id: 'capacity-headroom',
  title: { en: 'Capacity: knee, maximum sustainable rate and headroom', fr: 'Capacité : point de rupture, débit maximal tenu et marge' },
  meta: {
    severity: "critical / info",
    firesWhen: "stress profile: the knee (first step with rate < {ACHIEVED_RATIO} of offered, dropped > {DROPPED_RATIO}, or p95 ≥ its SLO), the max sustainable rate, its headroom over the model's peak; critical (scale out) when under the model's `headroom` ({DEFAULT_HEADROOM} by default); USL predicted peak",
    evidence: "max/s, peak/s, headroom; capacity chart, knee step's time range",
    thresholds: [
      { name: 'ACHIEVED_RATIO', value: ACHIEVED_RATIO, unit: 'share', why: "a step holds while it achieves this share of its offered rate (src/analysis/capacity.ts) (a chosen value: no measurement recorded behind it)" },
      { name: 'DROPPED_RATIO', value: DROPPED_RATIO, unit: 'share', why: "a step that drops more than this share of its arrivals ran out of VUs or of target (src/analysis/capacity.ts) (a chosen value: no measurement recorded behind it)" },
      { name: 'DEFAULT_HEADROOM', value: DEFAULT_HEADROOM, unit: 'share', why: "the load model's default `headroom` (src/store/run-schema.ts): growth and a peak's spread over the model's hourly volume (a chosen value: no measurement recorded behind it)" },
    ],
  },
  sentence: {
    en: (p) => `${p.transaction}: holds ${p.max}/s at most (knee: ${p.reason}), ${p.headroom} % above the model's peak of ${p.peak}/s${p.short ? `, under the ${p.required} % required: scale out (more instances) or remove the bottleneck` : ''}${p.usl ? `; the USL fit predicts a peak of ${p.usl}/s` : ''}.`,
    fr: (p) => `${p.transaction} : tient ${p.max}/s au plus (rupture : ${p.reason}), ${p.headroom} % au-dessus du pic du modèle de ${p.peak}/s${p.short ? `, sous les ${p.required} % exigés : ajouter des instances ou lever le goulet` : ''}${p.usl ? ` ; l'ajustement USL prédit un pic de ${p.usl}/s` : ''}.`,
  },
  evaluate: ({ analysis }) => {
    const out: Finding[] = [];
    for (const c of analysis.capacity) {
      const knee = c.kneeStep !== null ? c.steps[c.kneeStep] : undefined;
      const max = c.maxSustainablePerSec ?? 0;
      const headroom = c.headroom ?? -1;
      const short = headroom < c.requiredHeadroom;
      out.push({
        severity: short ? 'critical' : 'info',
        transaction: c.transaction,
        params: {
          transaction: c.transaction,
          max: round(max, 2),
          reason: c.kneeReason ?? 'none within the profile',
          headroom: pct(headroom, 0),
          peak: round(c.modelPeakPerSec, 2),
          short: short ? 1 : 0,
          required: pct(c.requiredHeadroom, 0),
          // Only a fit that bends over (a finite peak concurrency) predicts a peak; a straight line predicts nothing.
          usl: c.usl && c.usl.peakConcurrency !== null ? round(c.usl.peakThroughputPerSec, 1) : 0,
        },
        evidence: {
          numbers: { maxSustainablePerSec: max, modelPeakPerSec: c.modelPeakPerSec, headroom, requiredHeadroom: c.requiredHeadroom, ...(c.usl && c.usl.peakConcurrency !== null ? { uslPeakPerSec: c.usl.peakThroughputPerSec } : {}) },
          ...(knee ? { from: (c.testStartMs ?? analysis.startMs) + knee.fromMs, to: (c.testStartMs ?? analysis.startMs) + knee.toMs } : {}),
          chart: chartId(analysis.phase, 'capacity', c.transaction),
        },
      });
    }
    return out;
  },
};
