/**
 * A request takes about the sum of its dependency calls (from the monitor's outbound-call metrics): the calls
 * run one after the other where they could run concurrently.
 */
import { seriesOf } from '../analysis/monitor.js';
import { meanFromSumCount } from './client-server-gap.js';
import { chartId, round } from './helpers.js';
import type { Finding, Rule } from './types.js';

/** Labels that name the called dependency in http_client_request_duration_seconds. */
const DEPENDENCY_LABELS = ['dependency', 'target', 'peer', 'service', 'host'];
export const MIN_DEPENDENCY_MS = 2;
/** The request's mean covers at least this share of the sum of its calls' means. */
export const SUM_SHARE = 0.8;

function dependencyOf(labels: string): string | undefined {
  for (const l of DEPENDENCY_LABELS) {
    const m = new RegExp(`(?:^|,)${l}=([^,]*)`).exec(labels);
    if (m) return m[1];
  }
  return undefined;
}

export const sequentialDependencies: Rule = {
  id: 'sequential-dependencies',
  title: { en: 'Dependencies called one after the other', fr: 'Dépendances appelées l’une après l’autre' },
  sentence: {
    en: (p) => `${p.source}: a request takes ${p.server} ms, about the sum of its calls (${p.calls}): they run sequentially; call them concurrently.`,
    fr: (p) => `${p.source} : une requête prend ${p.server} ms, environ la somme de ses appels (${p.calls}) : ils s'enchaînent ; les lancer en parallèle.`,
  },
  evaluate: ({ analysis }) => {
    const out: Finding[] = [];
    const family = 'http_client_request_duration_seconds';
    for (const source of new Set(seriesOf(analysis.monitor, `${family}_count`, 'target:').map((s) => s.source))) {
      const deps = [...new Set(seriesOf(analysis.monitor, `${family}_count`, source).map((s) => dependencyOf(s.labels)).filter((d): d is string => d !== undefined))];
      const means = deps
        .map((d) => ({ d, ms: (meanFromSumCount(analysis.monitor, family, source, (l) => dependencyOf(l) === d) ?? 0) * 1000 }))
        .filter((x) => x.ms >= MIN_DEPENDENCY_MS);
      if (means.length < 2) continue;
      const serverS = meanFromSumCount(analysis.monitor, 'http_request_duration_seconds', source);
      if (serverS === null) continue;
      const server = serverS * 1000;
      const sum = means.reduce((s, x) => s + x.ms, 0);
      const longest = Math.max(...means.map((x) => x.ms));
      // Concurrent calls cost about the longest; sequential ones about the sum.
      if (server < SUM_SHARE * sum || server - longest < 0.5 * (sum - longest)) continue;
      out.push({
        severity: 'warning',
        params: { source, server: round(server), calls: means.map((x) => `${x.d} ${round(x.ms)} ms`).join(' + ') },
        evidence: { numbers: { serverMeanMs: server, callsSumMs: sum, longestCallMs: longest }, chart: chartId(analysis.phase, 'server') },
      });
    }
    return out;
  },
};
