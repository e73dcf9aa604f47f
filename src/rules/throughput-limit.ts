/** The offered rate did not go through: iterations dropped or the achieved rate stayed below the model's. */
import { chartId, mean, pct, round } from './helpers.js';
import type { Finding, Rule } from './types.js';

/** Below this share of the offered rate (in the run's second half, past any ramp) the target held back the load. */
export const ACHIEVED_MIN = 0.9;
export const DROPPED_MAX = 0.01;

export const throughputLimit: Rule = {
  id: 'throughput-limit',
  title: { en: 'Throughput limit: the offered load did not go through', fr: "Limite de débit : la charge offerte n'est pas passée" },
  sentence: {
    en: (p) => `${p.transaction}: ${p.achieved}/s achieved for ${p.offered}/s offered, ${p.dropped} iterations dropped: the system (or the VU budget) is at its limit.`,
    fr: (p) => `${p.transaction} : ${p.achieved}/s atteints pour ${p.offered}/s offerts, ${p.dropped} itérations abandonnées : le système (ou le budget de VU) est à sa limite.`,
  },
  evaluate: ({ analysis }) => {
    // A stepped (stress) profile is judged step by step by the capacity rule.
    if (analysis.capacity.length > 0) return [];
    const out: Finding[] = [];
    for (const t of analysis.transactions) {
      if (t.targetRatePerSec === null || t.targetRatePerSec <= 0) continue;
      const perIteration = t.iterations > 0 ? t.requests / t.iterations : 1;
      const half = t.series.slice(Math.floor(t.series.length / 2), Math.max(Math.floor(t.series.length / 2) + 1, t.series.length - 1));
      const achieved = ((mean(half.map((p) => p.count)) ?? 0) * 1000) / analysis.windowMs / perIteration;
      const expectedIterations = t.targetRatePerSec * analysis.durationSec;
      const droppedShare = expectedIterations > 0 ? t.dropped / expectedIterations : 0;
      if (achieved >= ACHIEVED_MIN * t.targetRatePerSec && droppedShare <= DROPPED_MAX) continue;
      out.push({
        severity: 'critical',
        transaction: t.name,
        params: { transaction: t.name, achieved: round(achieved, 2), offered: round(t.targetRatePerSec, 2), dropped: t.dropped },
        evidence: {
          numbers: { achievedPerSec: achieved, offeredPerSec: t.targetRatePerSec, dropped: t.dropped, droppedPercent: pct(droppedShare) },
          from: half[0]?.t,
          to: half.length ? (half[half.length - 1] as { t: number }).t + analysis.windowMs : undefined,
          chart: chartId(analysis.phase, 'throughput'),
        },
      });
    }
    return out;
  },
};
