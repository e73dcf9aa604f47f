/** The load generator itself was the limit: its CPU was saturated, or k6 ran out of VUs. Results are unreliable. */
import { seriesOf } from '../analysis/monitor.js';
import { chartId, round, seriesMax, seriesMean } from './helpers.js';
import type { Finding, Rule } from './types.js';

export const INJECTOR_CPU_MAX_PERCENT = 85;

export const loadGeneratorOverloaded: Rule = {
  id: 'load-generator-overloaded',
  title: { en: 'Load generator overloaded: results unreliable', fr: 'Injecteur surchargé : résultats non fiables' },
  sentence: {
    en: (p) => (p.kind === 'cpu'
      ? `The load generator host's CPU averaged ${p.value} % (peak ${p.peak} %): latencies include its own queueing, results are unreliable; add an injector or lower the load.`
      : `k6 used all ${p.value} VUs it was allowed and dropped ${p.peak} iterations: raise maxVUs in the load model, or the target is too slow for this rate.`),
    fr: (p) => (p.kind === 'cpu'
      ? `Le CPU de la machine d'injection a été en moyenne à ${p.value} % (pic ${p.peak} %) : les latences incluent sa propre attente, résultats non fiables ; ajouter un injecteur ou baisser la charge.`
      : `k6 a utilisé les ${p.value} VU autorisés et abandonné ${p.peak} itérations : augmenter maxVUs dans le modèle, ou la cible est trop lente pour ce débit.`),
  },
  evaluate: ({ analysis }) => {
    const out: Finding[] = [];
    // The host's CPU, not k6's own: k6 spreads over every core, and a starved host delays k6 whoever eats the CPU.
    for (const s of seriesOf(analysis.monitor, 'injector_host_cpu_percent', 'injector')) {
      const m = seriesMean(s);
      const peak = seriesMax(s);
      if (m !== null && peak !== null && m >= INJECTOR_CPU_MAX_PERCENT) {
        out.push({ severity: 'critical', params: { kind: 'cpu', value: round(m), peak: round(peak) }, evidence: { numbers: { injectorCpuMeanPercent: m, injectorCpuPeakPercent: peak }, chart: chartId(analysis.phase, 'server') } });
      }
    }
    const { vus, overall } = analysis;
    if (vus.maxAllowed > 0 && vus.max >= vus.maxAllowed && overall.dropped > 0) {
      out.push({ severity: 'warning', params: { kind: 'vus', value: vus.max, peak: overall.dropped }, evidence: { numbers: { vusMax: vus.max, vusAllowed: vus.maxAllowed, dropped: overall.dropped }, chart: chartId(analysis.phase, 'vus') } });
    }
    return out;
  },
};
