/** Requests spend far longer at the client than in the server: queueing before the server, or k6 saturated. */
import { seriesOf } from '../analysis/monitor.js';
import { chartId, meanFromSumCount, round } from './helpers.js';
import type { Finding, Rule } from './types.js';

export const GAP_RATIO = 2;
export const MIN_GAP_MS = 10;


export const clientServerGap: Rule = {
  id: 'client-server-gap',
  title: { en: 'Client time far above server time', fr: 'Temps client très supérieur au temps serveur' },
  meta: {
    severity: "warning",
    firesWhen: "*monitor*: the client's mean latency ≥ {GAP_RATIO} the server's (`http_request_duration_seconds` sum/count) and ≥ {MIN_GAP_MS} more: queueing before the server, or k6 saturated",
    evidence: "both means; server chart",
    thresholds: [
      { name: 'GAP_RATIO', value: GAP_RATIO, unit: '×', why: "twice the server's own time is queueing before the server, not the network (a chosen value: no measurement recorded behind it)" },
      { name: 'MIN_GAP_MS', value: MIN_GAP_MS, unit: 'ms', why: "on millisecond means a ratio alone is noise (a chosen value: no measurement recorded behind it)" },
    ],
  },
  sentence: {
    en: (p) => `${p.source}: requests take ${p.client} ms at the client but ${p.server} ms in the server: they queue before the server (connections, accept backlog) or the load generator is saturated.`,
    fr: (p) => `${p.source} : les requêtes prennent ${p.client} ms côté client mais ${p.server} ms dans le serveur : elles attendent avant le serveur (connexions, file d'acceptation) ou l'injecteur est saturé.`,
  },
  evaluate: ({ analysis }) => {
    const out: Finding[] = [];
    const sources = [...new Set(seriesOf(analysis.monitor, 'http_request_duration_seconds_count', 'target:').map((s) => s.source))];
    for (const source of sources) {
      // Client side: the transactions that enter the system through this target.
      const entering = analysis.transactions.filter((t) => t.targets[0] === source.slice('target:'.length) && t.latencyMs);
      const count = entering.reduce((s, t) => s + (t.latencyMs?.count ?? 0), 0);
      if (count === 0) continue;
      const client = entering.reduce((s, t) => s + (t.latencyMs?.mean ?? 0) * (t.latencyMs?.count ?? 0), 0) / count;
      const serverS = meanFromSumCount(analysis.monitor, 'http_request_duration_seconds', source);
      if (serverS === null) continue;
      const server = serverS * 1000;
      if (client >= GAP_RATIO * server && client - server >= MIN_GAP_MS) {
        out.push({
          severity: 'warning',
          params: { source, client: round(client), server: round(server) },
          evidence: { numbers: { clientMeanMs: client, serverMeanMs: server }, chart: chartId(analysis.phase, 'server') },
        });
      }
    }
    return out;
  },
};
