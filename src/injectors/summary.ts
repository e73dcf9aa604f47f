/**
 * k6's summary exports of several injectors → one, pure. Only what adds up is merged: counters' counts,
 * rates' passes and fails (the rate is recomputed from them), the highest gauge. Percentiles and averages of
 * trends are left out, never averaged: the merged latencies come from the raw samples (src/analysis).
 */

type Metric = Record<string, number | undefined>;
export interface SummaryExport {
  metrics: Record<string, Metric>;
}

export function mergeSummaries(summaries: SummaryExport[]): SummaryExport {
  const metrics: Record<string, Metric> = {};
  for (const s of summaries) {
    for (const [name, m] of Object.entries(s.metrics)) {
      const into = (metrics[name] ??= {});
      if (m.count !== undefined) into.count = (into.count ?? 0) + m.count;
      if (m.passes !== undefined || m.fails !== undefined) {
        into.passes = (into.passes ?? 0) + (m.passes ?? 0);
        into.fails = (into.fails ?? 0) + (m.fails ?? 0);
        const total = into.passes + into.fails;
        into.value = total > 0 ? into.passes / total : 0;
      } else if (m.value !== undefined && m.count === undefined && m['p(95)'] === undefined) {
        // A gauge (vus, vus_max): injectors run side by side, so their values add up.
        into.value = (into.value ?? 0) + m.value;
      }
    }
  }
  return { metrics };
}
