/** Latency rising through a constant-load run: a leak, a growing queue, a filling cache or table. */
import { chartId, latencyPoints, median, round, theilSen } from './helpers.js';
import type { Finding, Rule } from './types.js';

export const MIN_WINDOWS = 20;
/** Fires when the last fifth's median p50 is this many times the first fifth's, and by at least MIN_RISE_MS. */
export const RISE_RATIO = 1.5;
export const MIN_RISE_MS = 5;

export const latencyDrift: Rule = {
  id: 'latency-drift',
  title: { en: 'Latency drifts up under constant load', fr: 'La latence dérive à charge constante' },
  meta: {
    severity: "warning",
    firesWhen: "constant load, ≥ {MIN_WINDOWS} windows: the last fifth's median p50 ≥ {RISE_RATIO} the first fifth's and ≥ {MIN_RISE_MS} more, with a positive Theil–Sen slope (leak, growing queue, saturation)",
    evidence: "first/last p50, ms per minute; latency chart and range",
    thresholds: [
      { name: 'MIN_WINDOWS', value: MIN_WINDOWS, unit: 'windows', why: "a fifth of the run must hold at least four windows for its median to mean something (a chosen value: no measurement recorded behind it)" },
      { name: 'RISE_RATIO', value: RISE_RATIO, unit: '×', why: "a median up by half is a trend, not one window's jitter (a chosen value: no measurement recorded behind it)" },
      { name: 'MIN_RISE_MS', value: MIN_RISE_MS, unit: 'ms', why: "on millisecond medians a ratio alone is noise: the rise must also be felt (a chosen value: no measurement recorded behind it)" },
    ],
  },
  sentence: {
    en: (p) => `${p.transaction}: the median rises from ${p.first} ms to ${p.last} ms (${p.slope} ms per minute) under constant load: look for a leak or a saturating resource.`,
    fr: (p) => `${p.transaction} : la médiane passe de ${p.first} ms à ${p.last} ms (${p.slope} ms par minute) à charge constante : chercher une fuite ou une ressource qui sature.`,
  },
  evaluate: ({ analysis }) => {
    if (analysis.capacity.length > 0) return [];
    const out: Finding[] = [];
    for (const t of analysis.transactions) {
      const pts = latencyPoints(t.series, 'p50');
      if (pts.length < MIN_WINDOWS) continue;
      const fifth = Math.floor(pts.length / 5);
      const first = median(pts.slice(0, fifth).map((p) => p.y)) ?? 0;
      const last = median(pts.slice(-fifth).map((p) => p.y)) ?? 0;
      const slope = theilSen(pts) ?? 0;
      if (slope <= 0 || last < RISE_RATIO * first || last - first < MIN_RISE_MS) continue;
      out.push({
        severity: 'warning',
        transaction: t.name,
        params: { transaction: t.name, first: round(first), last: round(last), slope: round(slope * 60) },
        evidence: {
          numbers: { firstP50Ms: first, lastP50Ms: last, slopeMsPerMin: slope * 60 },
          from: pts[0]?.t,
          to: (pts[pts.length - 1] as { t: number }).t + analysis.windowMs,
          chart: chartId(analysis.phase, 'latency', t.name),
        },
      });
    }
    return out;
  },
};
