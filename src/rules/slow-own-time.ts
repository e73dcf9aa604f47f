/**
 * With its dependencies stubbed, a transaction is still slow: the time is the service's own (a query without
 * an index, a full scan, a heavy computation), not its dependencies'.
 *
 * Two kinds of evidence. Where the target says how long its database queries *execute* per request of each
 * route (`db_query_exec_seconds{method,route}`, the wait for a connection left out), the rule trusts that:
 * queueing cannot fake it. Client-side latencies can be faked by queueing: on a one-thread target (the
 * reference target's embedded database), slow searches delay the reads by key queued behind them, and on a
 * slower machine the reads measured 10–23 ms at the client against 18–27 ms for the searches — a ratio of
 * 1.2–1.8 where the database saw the scan cost many times a read by key. Without that metric the rule
 * falls back to the client-side medians.
 */
import { seriesOf } from '../analysis/monitor.js';
import type { Analysis, MonitorSeries, TransactionAnalysis } from '../analysis/types.js';
import { chartId, isProbe, labelOf, meanFromSumCount, median, round } from './helpers.js';
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
/**
 * Server evidence: database execution per request of a route at least this many ms (and PEER_RATIO times
 * the median of the target's other routes). Measured on the reference target's stubbed phase (10 000
 * customers and 90 000 prospects, embedded, 2 cores, 2026-12-02): person search 43.9 ms of execution per
 * request with the missing index, 3.2 ms with it; reads by key 2.1–2.4 ms (their p50 at the client 5 ms in
 * both runs). The floor sits 3× above the indexed search and 4× below the scan.
 */
export const MIN_SERVER_DB_MS = 10;

const EXEC = 'db_query_exec_seconds';

/** "GET /persons/{id}?x" and method GET + route "/persons/:id" → one key, "GET /persons/{}". */
export function routeKey(method: string, path: string): string {
  const p = (path.split('?')[0] ?? '').replace(/:[^/]+/g, '{}').replace(/\{[^}]*\}/g, '{}').replace(/(.)\/$/, '$1');
  return `${method.toUpperCase()} ${p}`;
}

/** The route keys a request name (`GET /persons?q`) stands for; none when the name is not "METHOD /path". */
function keyOfName(name: string): string | null {
  const m = /^([A-Z]+)\s+(\/\S*)$/.exec(name.trim());
  return m ? routeKey(m[1] as string, m[2] as string) : null;
}

const total = (xs: MonitorSeries[]) => xs.reduce((s, x) => s + x.points.reduce((a, p) => a + p.v, 0), 0);

/** Per method+route of one target: database execution ms per request (routes that served requests only). */
export function dbExecPerRequest(monitor: readonly MonitorSeries[], source: string): Map<string, number> {
  const sums = seriesOf([...monitor], `${EXEC}_sum`, source).filter((s) => !isProbe(s.labels));
  const requests = seriesOf([...monitor], 'http_request_duration_seconds_count', source).filter((s) => !isProbe(s.labels));
  const keyOf = (l: string) => routeKey(labelOf(l, 'method') ?? '', labelOf(l, 'route') ?? '');
  const out = new Map<string, number>();
  for (const key of new Set(requests.map((s) => keyOf(s.labels)))) {
    const n = total(requests.filter((s) => keyOf(s.labels) === key));
    if (n > 0) out.set(key, (total(sums.filter((s) => keyOf(s.labels) === key)) / n) * 1000);
  }
  return out;
}

interface ServerEvidence {
  dbMs: number;
  othersDbMs: number;
  route: string;
}

/** The transaction's slowest route in database execution, against the target's other routes; null without the metric. */
function serverEvidence(analysis: Analysis, t: TransactionAnalysis): ServerEvidence | 'none' | null {
  const source = `target:${t.targets[0] ?? ''}`;
  if (seriesOf(analysis.monitor, `${EXEC}_count`, source).length === 0) return null;
  const perRoute = dbExecPerRequest(analysis.monitor, source);
  const mine = new Set((t.requestNames ?? []).map(keyOfName).filter((k): k is string => k !== null && perRoute.has(k)));
  if (mine.size === 0) return null;
  const [route, dbMs] = [...mine].map((k) => [k, perRoute.get(k) as number] as const).sort((a, b) => b[1] - a[1])[0] as readonly [string, number];
  const others = median([...perRoute].filter(([k]) => !mine.has(k)).map(([, v]) => v));
  if (others === null) return null;
  return dbMs >= MIN_SERVER_DB_MS && dbMs >= PEER_RATIO * others ? { dbMs, othersDbMs: others, route } : 'none';
}

export const slowOwnTime: Rule = {
  id: 'slow-own-time',
  title: { en: "Slow with dependencies stubbed: the service's own time", fr: 'Lent avec dépendances bouchonnées : le temps propre du service' },
  meta: {
    severity: "warning",
    firesWhen: "stubbed phase: a transaction's median ≥ {MIN_OWN_MS} (and ≥ {SLO_SHARE} of its p95 SLO), although its dependencies are stubs: its own work is slow (missing index, full scan). Relative case: where the target exports `db_query_exec_seconds{method,route}` (execution only, queueing left out), a route the transaction calls executes ≥ {MIN_SERVER_DB_MS} of queries per request and ≥ {PEER_RATIO} the median of the target's other routes; without that metric, the transaction's median ≥ {PEER_RATIO} the median of the service's other transactions (and ≥ {MIN_RELATIVE_MS}) — client medians that queueing on a one-thread target can distort",
    evidence: "stubbed p50, the others' p50, SLO, the route's DB execution per request and the other routes'; latency chart",
    thresholds: [
      { name: 'MIN_OWN_MS', value: MIN_OWN_MS, unit: 'ms', why: "with every dependency stubbed, a CRUD service's own work takes a few ms: 50 ms is a scan or a heavy computation (a chosen value: no measurement recorded behind it)" },
      { name: 'SLO_SHARE', value: SLO_SHARE, unit: 'share', why: "the stubbed median may use half the p95 objective before the service's own time is the problem (a chosen value: no measurement recorded behind it)" },
      { name: 'PEER_RATIO', value: PEER_RATIO, unit: '×', why: "a search that scans a table shows against reads by key long before an absolute limit: 43.9 ms of execution against 2.1–2.4 ms for reads by key on the reference target" },
      { name: 'MIN_RELATIVE_MS', value: MIN_RELATIVE_MS, unit: 'ms', why: "below it a ratio of medians is queueing noise (a chosen value: no measurement recorded behind it)" },
      { name: 'MIN_SERVER_DB_MS', value: MIN_SERVER_DB_MS, unit: 'ms', why: "reference target's stubbed phase (10 000 customers, 90 000 prospects): person search 43.9 ms of execution a request with the missing index, 3.2 ms with it: the floor sits 3× above the indexed search and 4× below the scan" },
    ],
  },
  sentence: {
    en: (p) => `${p.transaction}: median ${p.p50} ms even with its dependencies stubbed${p.route ? ` (${p.route}: ${p.routeDb} ms of database execution per request, the service's other routes ${p.othersDb} ms)` : p.peers ? ` (the service's other transactions: ${p.peers} ms)` : ''}${!p.route && p.db ? `, database queries average ${p.db} ms` : ''}: the service's own work is slow; check its queries (missing index, full scan).`,
    fr: (p) => `${p.transaction} : médiane de ${p.p50} ms même avec ses dépendances bouchonnées${p.route ? ` (${p.route} : ${p.routeDb} ms d'exécution en base par appel, autres routes du service ${p.othersDb} ms)` : p.peers ? ` (autres transactions du service : ${p.peers} ms)` : ''}${!p.route && p.db ? `, requêtes base de données de ${p.db} ms en moyenne` : ''} : le travail propre du service est lent ; vérifier ses requêtes (index manquant, parcours complet).`,
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
      const server = serverEvidence(analysis, t);
      const peers = median(analysis.transactions.filter((x) => x !== t && x.latencyMs).map((x) => x.latencyMs?.p50 ?? 0));
      // Server evidence, when the target gives it, decides the relative case: the client medians hold queueing.
      const relative = server === null ? peers !== null && peers > 0 && p50 >= MIN_RELATIVE_MS && p50 >= PEER_RATIO * peers : server !== 'none';
      if (!absolute && !relative) continue;
      const routed = server !== null && server !== 'none' ? server : null;
      out.push({
        severity: 'warning',
        transaction: t.name,
        params: { transaction: t.name, p50: round(p50), db: round(dbMs), peers: peers !== null ? round(peers) : 0, route: routed?.route ?? '', routeDb: round(routed?.dbMs ?? 0), othersDb: round(routed?.othersDbMs ?? 0, 2) },
        evidence: {
          numbers: {
            stubbedP50Ms: p50,
            ...(peers !== null ? { othersP50Ms: peers } : {}),
            ...(slo ? { sloP95Ms: slo.limit } : {}),
            ...(dbMs ? { dbQueryMeanMs: dbMs } : {}),
            ...(routed ? { dbExecPerRequestMs: routed.dbMs, othersDbExecPerRequestMs: routed.othersDbMs } : {}),
          },
          chart: chartId(analysis.phase, 'latency', t.name),
        },
      });
    }
    return out;
  },
};
