/** Web Vitals (k6 browser, e2e phase) outside Google's "good" band, at their 75th percentile. */
import type { VitalStats } from '../analysis/types.js';
import { chartId, round } from './helpers.js';
import type { Finding, Rule } from './types.js';

/** "good" up to the first value, "poor" from the second (web.dev thresholds). */
export const VITAL_THRESHOLDS: Record<VitalStats['metric'], [number, number]> = {
  lcp: [2500, 4000],
  fcp: [1800, 3000],
  cls: [0.1, 0.25],
  inp: [200, 500],
  ttfb: [800, 1800],
};

export const webVitals: Rule = {
  id: 'web-vitals',
  title: { en: 'Web Vitals outside "good"', fr: 'Web Vitals hors de la zone « bonne »' },
  meta: {
    severity: "critical / warning",
    firesWhen: "e2e: a Web Vital's p75 outside web.dev's \"good\" band (LCP {LCP_GOOD}, FCP {FCP_GOOD}, CLS {CLS_GOOD}, INP {INP_GOOD}, TTFB {TTFB_GOOD}); critical when \"poor\" (LCP {LCP_POOR}, FCP {FCP_POOR}, CLS {CLS_POOR}, INP {INP_POOR}, TTFB {TTFB_POOR})",
    evidence: "p75, good and poor limits; vitals chart",
    thresholds: Object.entries(VITAL_THRESHOLDS).flatMap(([metric, [good, poor]]) => [
      { name: `${metric.toUpperCase()}_GOOD`, value: good, unit: metric === 'cls' ? 'score' : 'ms', why: "web.dev's Core Web Vitals bands, at the 75th percentile of page loads: good up to this value" },
      { name: `${metric.toUpperCase()}_POOR`, value: poor, unit: metric === 'cls' ? 'score' : 'ms', why: "web.dev's Core Web Vitals bands, at the 75th percentile of page loads: poor from this value" },
    ]),
  },
  sentence: {
    en: (p) => `${p.vital} p75 is ${p.value}${p.unit}, ${p.band} (good ≤ ${p.good}${p.unit}).`,
    fr: (p) => `Le p75 de ${p.vital} vaut ${p.value}${p.unit}, ${p.band === 'poor' ? 'mauvais' : 'à améliorer'} (bon ≤ ${p.good}${p.unit}).`,
  },
  evaluate: ({ analysis }) => {
    const out: Finding[] = [];
    for (const v of analysis.webVitals) {
      const [good, poor] = VITAL_THRESHOLDS[v.metric];
      if (v.p75 <= good) continue;
      const band = v.p75 > poor ? 'poor' : 'needs improvement';
      const unit = v.unit ? ` ${v.unit}` : '';
      out.push({
        severity: band === 'poor' ? 'critical' : 'warning',
        params: { vital: v.metric.toUpperCase(), value: v.metric === 'cls' ? round(v.p75, 3) : round(v.p75), unit, band, good },
        evidence: { numbers: { p75: v.p75, good, poor, count: v.count }, chart: chartId(analysis.phase, 'vitals') },
      });
    }
    return out;
  },
};
