/**
 * A target's memory grows steadily through the run (from the monitor): a leak. The heap saws up and down
 * with garbage collection; what a leak raises is the level it falls back to after each collection, so the
 * rule follows those post-collection floors. It reads the old space when exported (what survives
 * collections lives there), else the whole heap, else the resident size.
 */
import { seriesOf } from '../analysis/monitor.js';
import type { MonitorSeries } from '../analysis/types.js';
import { chartId, round, theilSen } from './helpers.js';
import type { Finding, Rule } from './types.js';

/** The floors' rise over the run must exceed both. */
export const MIN_GROWTH_RATIO = 0.1;
export const MIN_GROWTH_BYTES = 8 * 1024 * 1024;
/**
 * A process's warm-up also fills its heap, then levels off; a leak keeps the same pace to the end. On runs
 * of at least LATE_CHECK_SEC the second half's floors must still rise at LATE_SLOPE_SHARE of the whole run's
 * pace; shorter runs cannot tell the two apart and rely on the size thresholds alone.
 */
export const LATE_SLOPE_SHARE = 0.5;
export const LATE_CHECK_SEC = 120;
export const MIN_POINTS = 10;

const PREFERENCE = ['nodejs_heap_space_size_used_bytes', 'nodejs_heap_size_used_bytes', 'process_resident_memory_bytes'];

/** The first point and every point lower than the one before it (a collection happened in between). */
export function floors(points: { t: number; v: number }[]): { t: number; v: number }[] {
  const out = points.slice(0, 1);
  for (let i = 1; i < points.length; i++) if ((points[i] as { v: number }).v < (points[i - 1] as { v: number }).v) out.push(points[i] as { t: number; v: number });
  // Memory that never falls back (resident size, or no collection during the run): every point is a floor.
  return out.length >= 3 ? out : points;
}

/** Bytes per second through the points (Theil–Sen; the straight line for two points). */
function slopeOf(points: { t: number; v: number }[]): number {
  const [a, b] = points;
  if (points.length === 2 && a && b && b.t > a.t) return (b.v - a.v) / ((b.t - a.t) / 1000);
  return theilSen(points.map((p) => ({ x: p.t / 1000, y: p.v }))) ?? 0;
}

function preferred(series: MonitorSeries[]): MonitorSeries[] {
  const out: MonitorSeries[] = [];
  for (const source of new Set(series.map((s) => s.source))) {
    for (const metric of PREFERENCE) {
      const s = series.find((x) => x.source === source && x.metric === metric);
      if (s) {
        out.push(s);
        break;
      }
    }
  }
  return out;
}

export const memoryGrowth: Rule = {
  id: 'memory-growth',
  title: { en: 'Memory grows through the run (leak)', fr: 'La mémoire croît pendant le tir (fuite)' },
  meta: {
    severity: "warning",
    firesWhen: "*monitor*: the level a target's memory falls back to after each garbage collection (old space `nodejs_heap_space_size_used_bytes{space=\"old\"}`, else the heap, else RSS) rises over the run by ≥ {MIN_GROWTH_BYTES} and ≥ {MIN_GROWTH_RATIO} (Theil–Sen slope × duration), over at least {MIN_POINTS} scrapes; on runs of ≥ {LATE_CHECK_SEC} the second half must keep at least {LATE_SLOPE_SHARE} of that pace (warm-up levels off, a leak does not)",
    evidence: "growth, first floor, MB per minute; server chart",
    thresholds: [
      { name: 'MIN_GROWTH_BYTES', value: MIN_GROWTH_BYTES, unit: 'bytes', why: "the reference target's warm-up alone raised its old space by 11.5 MB on a fresh clone, its leak trap by ≈ 76 MB in 15 s" },
      { name: 'MIN_GROWTH_RATIO', value: MIN_GROWTH_RATIO, unit: 'share', why: "relative floor: a large heap's normal variation stays under a tenth of it (a chosen value: no measurement recorded behind it)" },
      { name: 'MIN_POINTS', value: MIN_POINTS, unit: 'points', why: "fewer scrapes cannot separate the collection floors from the sawtooth (a chosen value: no measurement recorded behind it)" },
      { name: 'LATE_CHECK_SEC', value: LATE_CHECK_SEC, unit: 's', why: "runs shorter than this cannot tell a warm-up that levels off from a leak (a chosen value: no measurement recorded behind it)" },
      { name: 'LATE_SLOPE_SHARE', value: LATE_SLOPE_SHARE, unit: 'share', why: "a leak keeps its pace to the end, a warm-up levels off: the second half must keep half the whole run's slope (a chosen value: no measurement recorded behind it)" },
    ],
  },
  sentence: {
    en: (p) => `${p.source}: ${p.metric} after collections rises by ${p.growth} MB over the run (from ${p.first} MB, ${p.slope} MB per minute): a memory leak; look for caches or listeners that are never released.`,
    fr: (p) => `${p.source} : ${p.metric} après ramassage augmente de ${p.growth} Mo pendant le tir (depuis ${p.first} Mo, ${p.slope} Mo par minute) : une fuite mémoire ; chercher des caches ou écouteurs jamais libérés.`,
  },
  evaluate: ({ analysis }) => {
    const out: Finding[] = [];
    for (const s of preferred(seriesOf(analysis.monitor, new RegExp(`^(${PREFERENCE.join('|')})$`), 'target:'))) {
      if (s.points.length < MIN_POINTS) continue;
      const f = floors(s.points);
      const slope = slopeOf(f);
      const span = ((s.points[s.points.length - 1] as { t: number }).t - (s.points[0] as { t: number }).t) / 1000;
      const growth = slope * span;
      const first = (f[0] as { v: number }).v;
      if (growth < MIN_GROWTH_BYTES || growth < MIN_GROWTH_RATIO * first) continue;
      const late = f.filter((p) => p.t >= ((s.points[0] as { t: number }).t + (s.points[s.points.length - 1] as { t: number }).t) / 2);
      const lateSlope = slopeOf(late);
      if (span >= LATE_CHECK_SEC && lateSlope < LATE_SLOPE_SHARE * slope) continue;
      const mb = (b: number) => round(b / 1024 / 1024);
      out.push({
        severity: 'warning',
        params: { source: s.source, metric: s.metric, growth: mb(growth), first: mb(first), slope: mb(slope * 60) },
        evidence: { numbers: { growthBytes: growth, firstFloorBytes: first, bytesPerSec: slope }, from: s.points[0]?.t, to: s.points[s.points.length - 1]?.t, chart: chartId(analysis.phase, 'server') },
      });
    }
    return out;
  },
};
