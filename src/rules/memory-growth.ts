/** A target's memory grows steadily through the run (from the monitor): a leak. */
import { seriesOf } from '../analysis/monitor.js';
import { chartId, mean, round, theilSen } from './helpers.js';
import type { Finding, Rule } from './types.js';

/** Growth over the run, last third vs first third, above both limits. */
export const MIN_GROWTH_RATIO = 0.1;
export const MIN_GROWTH_BYTES = 10 * 1024 * 1024;

export const memoryGrowth: Rule = {
  id: 'memory-growth',
  title: { en: 'Memory grows through the run (leak)', fr: 'La mémoire croît pendant le tir (fuite)' },
  sentence: {
    en: (p) => `${p.source}: ${p.metric} grows from ${p.first} MB to ${p.last} MB (${p.slope} MB per minute): a memory leak; look for caches or listeners that are never released.`,
    fr: (p) => `${p.source} : ${p.metric} passe de ${p.first} Mo à ${p.last} Mo (${p.slope} Mo par minute) : une fuite mémoire ; chercher des caches ou écouteurs jamais libérés.`,
  },
  evaluate: ({ analysis }) => {
    const out: Finding[] = [];
    for (const s of seriesOf(analysis.monitor, /^(process_resident_memory_bytes|nodejs_heap_size_used_bytes)$/, 'target:')) {
      if (s.points.length < 6) continue;
      const third = Math.floor(s.points.length / 3);
      const first = mean(s.points.slice(0, third).map((p) => p.v)) ?? 0;
      const last = mean(s.points.slice(-third).map((p) => p.v)) ?? 0;
      const slope = theilSen(s.points.map((p) => ({ x: p.t / 1000, y: p.v }))) ?? 0;
      if (slope <= 0 || last - first < MIN_GROWTH_BYTES || last < first * (1 + MIN_GROWTH_RATIO)) continue;
      const mb = (b: number) => round(b / 1024 / 1024);
      out.push({
        severity: 'warning',
        params: { source: s.source, metric: s.metric, first: mb(first), last: mb(last), slope: mb(slope * 60) },
        evidence: { numbers: { firstBytes: first, lastBytes: last, bytesPerSec: slope }, from: s.points[0]?.t, to: s.points[s.points.length - 1]?.t, chart: chartId(analysis.phase, 'server') },
      });
    }
    return out;
  },
};
