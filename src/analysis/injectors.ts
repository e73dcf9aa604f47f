/**
 * Per-injector figures of a distributed run, pure: each injector's requests and rate (from its own raw
 * file, counted as the analysis reads it) and its health (its host's CPU, its k6's CPU and memory, from the
 * monitor series: an SSH injector's are `injector:<name>`, src/injectors/health.ts; local injectors share
 * this machine's, `injector`). The merged figures stay the analysis's; these say how the load was shared and
 * whether any one injector was short of CPU.
 */
import type { StoredInjectors } from '../store/run-schema.js';
import { seriesOf } from './monitor.js';
import type { InjectorFigures, MonitorSeries } from './types.js';

function stats(series: MonitorSeries[]): { mean: number; peak: number } | null {
  const values = series.flatMap((s) => s.points.map((p) => p.v));
  if (values.length === 0) return null;
  return { mean: values.reduce((a, v) => a + v, 0) / values.length, peak: Math.max(...values) };
}

export function injectorFigures(injectors: StoredInjectors, requests: ReadonlyMap<string, number>, monitor: MonitorSeries[], durationSec: number): InjectorFigures[] {
  return injectors.list.map((i) => {
    // An SSH injector has its own host; local ones run on this machine, whose series are the run's own.
    const source = i.host === 'local' ? 'injector' : `injector:${i.name}`;
    const k6 = (metric: string) => seriesOf(monitor, metric, source).filter((s) => s.labels.includes('process=k6'));
    const cpu = stats(k6('injector_cpu_percent'));
    const rss = stats(k6('injector_rss_bytes'));
    const host = stats(seriesOf(monitor, 'injector_host_cpu_percent', source));
    const n = requests.get(i.name) ?? 0;
    return {
      name: i.name,
      host: i.host,
      segment: i.segment,
      lost: i.lost,
      requests: n,
      ratePerSec: durationSec > 0 ? n / durationSec : 0,
      hostCpuMeanPercent: host?.mean ?? null,
      hostCpuPeakPercent: host?.peak ?? null,
      k6CpuMeanPercent: i.host === 'local' ? null : (cpu?.mean ?? null),
      k6RssPeakBytes: i.host === 'local' ? null : (rss?.peak ?? null),
    };
  });
}
