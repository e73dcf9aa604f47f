/**
 * Server and load-generator series from monitor.jsonl, kept only for the metrics the rules and charts use
 * (docs/analysis.md lists them), downsampled to a fixed number of points. Counters become per-second rates.
 * Pure.
 */
import type { MonitorSample } from '../store/monitor-samples.js';
import type { MonitorSeries } from './types.js';

/** Metric families the analysis reads. Counters (names ending in _total, _sum, _count) are turned into rates. */
export const MONITOR_METRICS: readonly RegExp[] = [
  /^process_cpu_seconds_total$/,
  /^process_resident_memory_bytes$/,
  /^nodejs_heap_size_used_bytes$/,
  /^nodejs_heap_space_size_used_bytes$/,
  /^nodejs_eventloop_lag_(p99_)?seconds$/,
  /pool.*(wait|pending|queue)/,
  /^db_pool_connections$/,
  /^db_queries_total$/,
  /^db_query_duration_seconds_(sum|count)$/,
  /^db_query_exec_seconds_(sum|count)$/,
  /^http_client_request_duration_seconds_(sum|count)$/,
  /^http_request_duration_seconds_(sum|count)$/,
  /^injector_/,
];

export const MONITOR_MAX_POINTS = 600;

function isCounter(metric: string): boolean {
  return /(_total|_sum|_count)$/.test(metric);
}

function labelKey(labels: Record<string, string>): string {
  return Object.keys(labels).sort().map((k) => `${k}=${labels[k] ?? ''}`).join(',');
}

function downsample(points: { t: number; v: number }[], max: number): { t: number; v: number }[] {
  if (points.length <= max) return points;
  const step = points.length / max;
  const out: { t: number; v: number }[] = [];
  for (let i = 0; i < max; i++) {
    const from = Math.floor(i * step);
    const to = Math.max(from + 1, Math.floor((i + 1) * step));
    const slice = points.slice(from, to);
    out.push({ t: (slice[0] as { t: number }).t, v: slice.reduce((s, p) => s + p.v, 0) / slice.length });
  }
  return out;
}

export function monitorSeries(samples: MonitorSample[], maxPoints = MONITOR_MAX_POINTS): MonitorSeries[] {
  const groups = new Map<string, MonitorSeries>();
  for (const s of samples) {
    if (!MONITOR_METRICS.some((r) => r.test(s.metric))) continue;
    // Of the heap spaces only the old one matters: what survives collections (a leak) ends up there.
    if (s.metric === 'nodejs_heap_space_size_used_bytes' && s.labels?.space !== 'old') continue;
    const labels = labelKey(s.labels ?? {});
    const key = `${s.source}\u0000${s.metric}\u0000${labels}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { source: s.source, metric: s.metric, labels, points: [] }));
    g.points.push({ t: s.t, v: s.value });
  }
  const out: MonitorSeries[] = [];
  for (const g of groups.values()) {
    g.points.sort((a, b) => a.t - b.t);
    let points = g.points;
    if (isCounter(g.metric)) {
      // Rate between scrapes; a counter reset (value going down) restarts from the new value.
      const rates: { t: number; v: number }[] = [];
      for (let i = 1; i < points.length; i++) {
        const a = points[i - 1] as { t: number; v: number };
        const b = points[i] as { t: number; v: number };
        const dt = (b.t - a.t) / 1000;
        if (dt <= 0) continue;
        rates.push({ t: b.t, v: (b.v >= a.v ? b.v - a.v : b.v) / dt });
      }
      points = rates;
    }
    out.push({ ...g, points: downsample(points, maxPoints) });
  }
  return out.sort((a, b) => (a.source + a.metric + a.labels).localeCompare(b.source + b.metric + b.labels));
}

/** All series of a metric (any labels) for sources matching `source` (exact, or a prefix ending in ":"). */
export function seriesOf(series: MonitorSeries[], metric: string | RegExp, source?: string): MonitorSeries[] {
  return series.filter(
    (s) => (typeof metric === 'string' ? s.metric === metric : metric.test(s.metric)) && (source === undefined || s.source === source || (source.endsWith(':') && s.source.startsWith(source))),
  );
}
