/**
 * The measurement itself is invalid: the load generator's host was saturated (latencies include its own
 * queueing), or the test's VU budget could not apply the load model. Findings of this rule make a phase
 * INCONCLUSIVE (src/verdict): they say nothing about the target.
 */
import { seriesOf } from '../analysis/monitor.js';
import { ACHIEVED_MIN, achievedIterationRate, chartId, round, seriesMax, seriesMean, VU_BUDGET_OUTSIDE_SHARE, VU_SUGGESTION_FACTOR, vuBudgetShortfall } from './helpers.js';
import type { Finding, Rule } from './types.js';

/**
 * Mean host CPU over the run above which the injector's own scheduling delays k6's timers and reads:
 * LoadRunner's rule of thumb keeps generators under 70–80 %; the demo's end-to-end phase at 98.8 % measured
 * p95 1.2–4.6 s on a target that answers in 20 ms at 30 % CPU.
 */
export const INJECTOR_CPU_MAX_PERCENT = 85;

export const loadGeneratorOverloaded: Rule = {
  id: 'load-generator-overloaded',
  title: { en: 'Load generator overloaded or VU budget short: the measurement is not valid', fr: "Injecteur surchargé ou budget de VU insuffisant : la mesure n'est pas valide" },
  meta: {
    severity: "critical / warning — **invalidates** (a critical finding makes the phase INCONCLUSIVE)",
    firesWhen: "*monitor*: the load generator host's CPU (`injector_host_cpu_percent`; each SSH injector's host too, named) ≥ {INJECTOR_CPU_MAX_PERCENT} on average (critical: results unreliable); or a transaction's dropped iterations explained by the test's VU budget: its iterations spend ≥ {VU_BUDGET_OUTSIDE_SHARE} of their time outside requests (`iteration_duration` against request time: a sleep or think time inside the function) — warning when ≥ {ACHIEVED_MIN} of the offered rate was applied, critical when not (the load model was not applied), with the fix (`expectedResponseMs` ≈ the iteration's duration, or `maxVUs` ≥ rate × duration × {VU_SUGGESTION_FACTOR}); else every allowed VU (Σ maxVUs) busy while iterations were dropped (warning)",
    evidence: "CPU mean and peak; iteration and request ms, dropped, achieved and offered rate, suggested maxVUs",
    thresholds: [
      { name: 'INJECTOR_CPU_MAX_PERCENT', value: INJECTOR_CPU_MAX_PERCENT, unit: '%', why: "LoadRunner's rule of thumb keeps generators under 70–80 %; the demo's end-to-end phase at 98.8 % host CPU measured p95 1.2–4.6 s on a target that answers in 20 ms at 30 % CPU" },
      { name: 'VU_BUDGET_OUTSIDE_SHARE', value: VU_BUDGET_OUTSIDE_SHARE, unit: 'share', why: "a k6 example function sleeping 1 s around a 5 ms request spends 99.5 % of its iteration outside requests, a target too slow for its rate almost none: the two cases sit far on either side of one half" },
      { name: 'ACHIEVED_MIN', value: ACHIEVED_MIN, unit: 'share', why: "below it the offered load did not go through (helpers.ts, shared with throughput-limit) (a chosen value: no measurement recorded behind it)" },
      { name: 'VU_SUGGESTION_FACTOR', value: VU_SUGGESTION_FACTOR, unit: 'factor', why: "margin on Little's law for the suggested maxVUs, as the compiler's VU safety factor" },
    ],
  },
  invalidates: true,
  sentence: {
    en: (p) => {
      if (p.kind === 'cpu') return `${p.injector ? `Injector ${p.injector}'s host CPU` : "The load generator host's CPU"} averaged ${p.value} % (peak ${p.peak} %): latencies include its own queueing, results are unreliable; add an injector or lower the load.`;
      if (p.kind === 'budget') {
        return `${p.transaction}: ${p.dropped} iterations dropped because each iteration holds its VU ${p.iterationMs} ms, of which ${p.requestMs} ms in requests (the script's own waits)${p.applied === 0 ? '' : `, and only ${p.achieved}/s of ${p.offered}/s were applied`}: a VU-sizing defect of the test, not of the target; set expectedResponseMs to about ${p.iterationMs} or maxVUs to at least ${p.suggested} in the load model.`;
      }
      return `k6 used all ${p.value} VUs it was allowed and dropped ${p.peak} iterations: raise maxVUs in the load model, or the target is too slow for this rate.`;
    },
    fr: (p) => {
      if (p.kind === 'cpu') return `Le CPU de ${p.injector ? `l'injecteur ${p.injector}` : "la machine d'injection"} a été en moyenne à ${p.value} % (pic ${p.peak} %) : les latences incluent sa propre attente, résultats non fiables ; ajouter un injecteur ou baisser la charge.`;
      if (p.kind === 'budget') {
        return `${p.transaction} : ${p.dropped} itérations abandonnées car chaque itération occupe son VU ${p.iterationMs} ms, dont ${p.requestMs} ms de requêtes (attentes propres au script)${p.applied === 0 ? '' : `, et seuls ${p.achieved}/s sur ${p.offered}/s ont été appliqués`} : un défaut de dimensionnement des VU du test, pas de la cible ; fixer expectedResponseMs à environ ${p.iterationMs} ou maxVUs à au moins ${p.suggested} dans le modèle de charge.`;
      }
      return `k6 a utilisé les ${p.value} VU autorisés et abandonné ${p.peak} itérations : augmenter maxVUs dans le modèle, ou la cible est trop lente pour ce débit.`;
    },
  },
  evaluate: ({ analysis }) => {
    const out: Finding[] = [];
    // The host's CPU, not k6's own: k6 spreads over every core, and a starved host delays k6 whoever eats the CPU.
    // This machine's ("injector"), and each SSH injector's host ("injector:<name>", src/injectors/health.ts), named.
    for (const s of [...seriesOf(analysis.monitor, 'injector_host_cpu_percent', 'injector'), ...seriesOf(analysis.monitor, 'injector_host_cpu_percent', 'injector:')]) {
      const m = seriesMean(s);
      const peak = seriesMax(s);
      const injector = s.source.startsWith('injector:') ? s.source.slice('injector:'.length) : undefined;
      if (m !== null && peak !== null && m >= INJECTOR_CPU_MAX_PERCENT) {
        out.push({
          severity: 'critical',
          params: { kind: 'cpu', value: round(m), peak: round(peak), ...(injector ? { injector } : {}) },
          evidence: { numbers: { injectorCpuMeanPercent: m, injectorCpuPeakPercent: peak, limitPercent: INJECTOR_CPU_MAX_PERCENT }, chart: chartId(analysis.phase, 'server') },
        });
      }
    }
    // Drops the script's own waits explain: the load model's rate was applied (a warning on the test's sizing)
    // or it was not (the measurement is not the one the model asked for: critical, the phase is inconclusive).
    let budget = 0;
    for (const t of analysis.transactions) {
      const short = vuBudgetShortfall(t, analysis.durationSec);
      if (!short || t.targetRatePerSec === null) continue;
      budget++;
      const achieved = achievedIterationRate(analysis, t).perSec;
      const applied = achieved >= ACHIEVED_MIN * t.targetRatePerSec;
      out.push({
        severity: applied ? 'warning' : 'critical',
        transaction: t.name,
        params: { kind: 'budget', transaction: t.name, dropped: t.dropped, iterationMs: round(short.iterationMs, 0), requestMs: round(short.requestMsPerIteration, 1), achieved: round(achieved, 2), offered: round(t.targetRatePerSec, 2), applied: applied ? 0 : 1, suggested: short.suggestedMaxVus },
        evidence: { numbers: { iterationMs: short.iterationMs, requestMsPerIteration: short.requestMsPerIteration, dropped: t.dropped, achievedPerSec: achieved, offeredPerSec: t.targetRatePerSec, suggestedMaxVus: short.suggestedMaxVus }, chart: chartId(analysis.phase, 'vus') },
      });
    }
    const { vus, overall } = analysis;
    if (budget === 0 && vus.maxAllowed > 0 && vus.max >= vus.maxAllowed && overall.dropped > 0) {
      out.push({ severity: 'warning', params: { kind: 'vus', value: vus.max, peak: overall.dropped }, evidence: { numbers: { vusMax: vus.max, vusAllowed: vus.maxAllowed, dropped: overall.dropped }, chart: chartId(analysis.phase, 'vus') } });
    }
    return out;
  },
};
