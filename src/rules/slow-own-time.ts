/**
 * With its dependencies stubbed, a transaction is still slow: the time is the service's own (a query without
 * an index, a full scan, a heavy computation), not its dependencies'.
 */
import { chartId, meanFromSumCount, median, round } from './helpers.js';
import type { Finding, Rule } from './types.js';

export const MIN_OWN_MS = 50;
/** Share of the SLO's p95 that the stubbed median may use before the service's own time is the problem. */
export const SLO_SHARE = 0.5;
/**
 * Or: this many times the median of the service's other transactions (and at least MIN_RELATIVE_MS): a
 * search that scans a table shows against reads by key long before it reaches an absolute limit.
 */
export const PEER_RATIO = 4;
export const MIN_RELATIVE_MS = 10;

export const slowOwnTime: Rule = {
  id: 'slow-own-time',
  title: { en: "Slow with dependencies stubbed: the service's own time", fr: 'Lent avec dépendances bouchonnées : le temps propre du service' },
  sentence: {
    en: (p) => `${p.transaction}: median ${p.p50} ms even with its dependencies stubbed${p.peers ? ` (the service's other transactions: ${p.peers} ms)` : ''}${p.db ? `, database queries average ${p.db} ms` : ''}: the service's own work is slow; check its queries (missing index, full scan).`,
    fr: (p) => `${p.transaction} : médiane de ${p.p50} ms même avec ses dépendances bouchonnées${p.peers ? ` (autres transactions du service : ${p.peers} ms)` : ''}${p.db ? `, requêtes base de données de ${p.db} ms en moyenne` : ''} : le travail propre du service est lent ; vérifier ses requêtes (index manquant, parcours complet).`,
  },
  evaluate: ({ analysis }) => {
    if (analysis.phase !== 'stubbed') return [];
    const out: Finding[] = [];
    const dbSources = [...new Set(analysis.monitor.filter((s) => s.metric === 'db_query_duration_seconds_count').map((s) => s.source))];
    const dbMeans = dbSources.map((s) => meanFromSumCount(analysis.monitor, 'db_query_duration_seconds', s)).filter((x): x is number => x !== null);
    const dbMs = dbMeans.length ? Math.max(...dbMeans) * 1000 : 0;
    for (const t of analysis.transactions) {
      const p50 = t.latencyMs?.p50;
      if (p50 === undefined) continue;
      const slo = analysis.slo.find((s) => s.transaction === t.name && s.criterion === 'p95');
      const absolute = p50 >= MIN_OWN_MS && (!slo || p50 >= SLO_SHARE * slo.limit);
      const peers = median(analysis.transactions.filter((x) => x !== t && x.latencyMs).map((x) => x.latencyMs?.p50 ?? 0));
      const relative = peers !== null && peers > 0 && p50 >= MIN_RELATIVE_MS && p50 >= PEER_RATIO * peers;
      if (!absolute && !relative) continue;
      out.push({
        severity: 'warning',
        transaction: t.name,
        params: { transaction: t.name, p50: round(p50), db: round(dbMs), peers: peers !== null ? round(peers) : 0 },
        evidence: { numbers: { stubbedP50Ms: p50, ...(peers !== null ? { othersP50Ms: peers } : {}), ...(slo ? { sloP95Ms: slo.limit } : {}), ...(dbMs ? { dbQueryMeanMs: dbMs } : {}) }, chart: chartId(analysis.phase, 'latency', t.name) },
      });
    }
    return out;
  },
};
