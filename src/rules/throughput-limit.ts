/** The offered rate did not go through: iterations dropped or the achieved rate stayed below the model's. */
import { ACHIEVED_MIN, achievedIterationRate, chartId, pct, round, vuBudgetShortfall } from './helpers.js';
import type { Finding, Rule } from './types.js';

export const DROPPED_MAX = 0.01;

export const throughputLimit: Rule = {
  id: 'throughput-limit',
  title: { en: 'Throughput limit: the offered load did not go through', fr: "Limite de débit : la charge offerte n'est pas passée" },
  meta: {
    severity: "critical / warning",
    firesWhen: "constant profile: in the run's second half the achieved rate is < {ACHIEVED_MIN} of the offered rate, or > {DROPPED_MAX} of iterations were dropped, while the requests took the iterations' time (drops the script's own waits explain are `load-generator-overloaded`'s). Critical when the rate did not go through or every allowed VU was busy (the system's limit); a warning when the rate went through with VUs to spare (k6 drops arrivals while it starts VUs mid-run: set `expectedResponseMs` near the measured response time)",
    evidence: "achieved/s, offered/s, dropped; throughput chart and time range",
    thresholds: [
      { name: 'ACHIEVED_MIN', value: ACHIEVED_MIN, unit: 'share', why: "below it the offered load did not go through (helpers.ts, shared with load-generator-overloaded) (a chosen value: no measurement recorded behind it)" },
      { name: 'DROPPED_MAX', value: DROPPED_MAX, unit: 'share', why: "k6 drops an arrival only when no VU is free: more than one in a hundred is more than a start-up hiccup (a chosen value: no measurement recorded behind it)" },
    ],
  },
  sentence: {
    en: (p) => (p.limit
      ? `${p.transaction}: ${p.achieved}/s achieved for ${p.offered}/s offered, ${p.dropped} iterations dropped while its requests took the iterations' time: the system is at its limit.`
      : `${p.transaction}: ${p.dropped} iterations dropped although the offered ${p.offered}/s went through and k6 had VUs left (${p.vus} of ${p.vusAllowed}): k6 drops arrivals while it starts VUs mid-run; set expectedResponseMs near the measured response time (${p.mean} ms) so that enough are pre-allocated.`),
    fr: (p) => (p.limit
      ? `${p.transaction} : ${p.achieved}/s atteints pour ${p.offered}/s offerts, ${p.dropped} itérations abandonnées alors que ses requêtes occupaient les itérations : le système est à sa limite.`
      : `${p.transaction} : ${p.dropped} itérations abandonnées bien que les ${p.offered}/s offerts soient passés et qu'il restait des VU à k6 (${p.vus} sur ${p.vusAllowed}) : k6 abandonne des arrivées pendant qu'il démarre des VU en cours de tir ; fixer expectedResponseMs près du temps de réponse mesuré (${p.mean} ms) pour en pré-allouer assez.`),
  },
  evaluate: ({ analysis }) => {
    // A stepped (stress) profile is judged step by step by the capacity rule.
    if (analysis.capacity.length > 0) return [];
    const out: Finding[] = [];
    for (const t of analysis.transactions) {
      if (t.targetRatePerSec === null || t.targetRatePerSec <= 0) continue;
      // Drops that the iteration's own waits explain are the test's VU budget (load-generator-overloaded), not the system.
      if (vuBudgetShortfall(t, analysis.durationSec)) continue;
      const { perSec: achieved, windows } = achievedIterationRate(analysis, t);
      const expectedIterations = t.targetRatePerSec * analysis.durationSec;
      const droppedShare = expectedIterations > 0 ? t.dropped / expectedIterations : 0;
      if (achieved >= ACHIEVED_MIN * t.targetRatePerSec && droppedShare <= DROPPED_MAX) continue;
      // The system's limit: the rate did not go through, or k6 used every VU it was allowed. Drops with the
      // rate achieved and VUs to spare are k6 starting VUs mid-run (too few pre-allocated): the test's sizing.
      const { vus } = analysis;
      const limit = achieved < ACHIEVED_MIN * t.targetRatePerSec || (vus.maxAllowed > 0 && vus.max >= vus.maxAllowed);
      out.push({
        severity: limit ? 'critical' : 'warning',
        transaction: t.name,
        params: { transaction: t.name, achieved: round(achieved, 2), offered: round(t.targetRatePerSec, 2), dropped: t.dropped, limit: limit ? 1 : 0, vus: vus.max, vusAllowed: vus.maxAllowed, mean: round(t.latencyMs?.mean ?? 0) },
        evidence: {
          numbers: { achievedPerSec: achieved, offeredPerSec: t.targetRatePerSec, dropped: t.dropped, droppedPercent: pct(droppedShare) },
          from: windows[0]?.t,
          to: windows.length ? (windows[windows.length - 1] as { t: number }).t + analysis.windowMs : undefined,
          chart: chartId(analysis.phase, 'throughput'),
        },
      });
    }
    return out;
  },
};
