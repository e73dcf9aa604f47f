/**
 * A target's memory grows steadily through the run (from the monitor): a leak. The heap saws up and down
 * with garbage collection; what a leak raises is its floor, so the rule follows the lowest value of each
 * slice of the run.
 */
import { seriesOf } from '../analysis/monitor.js';
import { chartId, round, theilSen } from './helpers.js';
import type { Finding, Rule } from './types.js';

export const SLICES = 6;
/** The floor's rise over the run must exceed both. */
export const MIN_GROWTH_RATIO = 0.1;
export const MIN_GROWTH_BYTES = 5 * 1024 * 1024;

/** Lowest point of each of `slices` equal slices of the series. */
export function floors(points: { t: number; v: number }[], slices = SLICES): { t: number; v: number }[] {
  const out: { t: number; v: number }[] = [];
  const size = points.length / slices;
  for (let i = 0; i < slices; i++) {
    const slice = points.slice(Math.floor(i * size), Math.floor((i + 1) * size));
    if (slice.length === 0) continue;
    out.push(slice.reduce((m, p) => (p.v < m.v ? p : m)));
  }
  return out;
}

export const memoryGrowth: Rule = {
  id: 'memory-growth',
  title: { en: 'Memory grows through the run (leak)', fr: 'La mémoire croît pendant le tir (fuite)' },
  sentence: {
    en: (p) => `${p.source}: the floor of ${p.metric} rises from ${p.first} MB to ${p.last} MB (${p.slope} MB per minute) under load: a memory leak; look for caches or listeners that are never released.`,
    fr: (p) => `${p.source} : le plancher de ${p.metric} passe de ${p.first} Mo à ${p.last} Mo (${p.slope} Mo par minute) sous charge : une fuite mémoire ; chercher des caches ou écouteurs jamais libérés.`,
  },
  evaluate: ({ analysis }) => {
    const out: Finding[] = [];
    for (const s of seriesOf(analysis.monitor, /^(process_resident_memory_bytes|nodejs_heap_size_used_bytes)$/, 'target:')) {
      if (s.points.length < 2 * SLICES) continue;
      const f = floors(s.points);
      const first = (f[0] as { v: number }).v;
      const last = (f[f.length - 1] as { v: number }).v;
      const slope = theilSen(f.map((p) => ({ x: p.t / 1000, y: p.v }))) ?? 0;
      // Every later floor stays above the first: a one-off allocation is not a leak.
      if (slope <= 0 || f.some((p) => p.v < first) || last - first < MIN_GROWTH_BYTES || last < first * (1 + MIN_GROWTH_RATIO)) continue;
      const mb = (b: number) => round(b / 1024 / 1024);
      out.push({
        severity: 'warning',
        params: { source: s.source, metric: s.metric, first: mb(first), last: mb(last), slope: mb(slope * 60) },
        evidence: { numbers: { firstFloorBytes: first, lastFloorBytes: last, bytesPerSec: slope }, from: s.points[0]?.t, to: s.points[s.points.length - 1]?.t, chart: chartId(analysis.phase, 'server') },
      });
    }
    return out;
  },
};
