/** Many database queries per HTTP request (from the monitor): an N+1 access pattern. */
import { seriesOf } from '../analysis/monitor.js';
import type { MonitorSeries } from '../analysis/types.js';
import { chartId, isProbe, round, routeGroups } from './helpers.js';
import type { Finding, Rule } from './types.js';

/**
 * A request of a CRUD service runs a handful of queries; more than this on average for one route is a loop
 * of queries. Measured on the reference target without its traps (smoke runs of every load model, per
 * route, `db_queries_total{route}`): at most 4 (billing history: account, count, page, lines; 3.1 with the
 * invoice POSTs on the same route), the other routes 1–3; with the N+1 trap 13 on a history page of 10 and
 * 5 on billing's summary (the history's first 3 invoices).
 */
export const MAX_QUERIES_PER_REQUEST = 5;
/**
 * Without a route label the count is the whole target's, and event consumers add queries without requests:
 * the reference target without its trap measured 6.2 per request on billing in a smoke run (before its
 * queries carried a route), with the N+1 trap 13 on billing history.
 */
export const MAX_QUERIES_PER_REQUEST_PER_TARGET = 8;

function total(xs: MonitorSeries[]): number {
  return xs.reduce((s, x) => s + x.points.reduce((a, p) => a + p.v, 0), 0);
}

export const nPlusOne: Rule = {
  id: 'n-plus-one',
  title: { en: 'N+1 queries: many DB queries per request', fr: 'Requêtes N+1 : beaucoup de requêtes BD par appel' },
  meta: {
    severity: "warning",
    firesWhen: "*monitor*: per route when `db_queries_total` carries a `route` label (queries of route R ÷ requests of R from `http_request_duration_seconds_count{route=R}`; consumers' queries have no requests and are left out): ≥ {MAX_QUERIES_PER_REQUEST} queries a request (the reference target without its trap: at most 4); without the label, the whole target: ≥ {MAX_QUERIES_PER_REQUEST_PER_TARGET} (events included: 6.2 measured on billing without the trap)",
    evidence: "queries per request, limit; server chart",
    thresholds: [
      { name: 'MAX_QUERIES_PER_REQUEST', value: MAX_QUERIES_PER_REQUEST, unit: 'queries', why: "the reference target without its traps runs at most 4 queries a request on a route (billing history), the N+1 trap 13 on a history page of 10 and 5 on billing's summary" },
      { name: 'MAX_QUERIES_PER_REQUEST_PER_TARGET', value: MAX_QUERIES_PER_REQUEST_PER_TARGET, unit: 'queries', why: "without a route label event consumers add queries without requests: 6.2 a request on billing without the trap, 13 with it" },
    ],
  },
  sentence: {
    en: (p) => `${p.source}${p.route ? ` ${p.route}` : ''}: ${p.perRequest} database queries per request on average: an N+1 pattern; fetch the rows in one query (join or IN list).`,
    fr: (p) => `${p.source}${p.route ? ` ${p.route}` : ''} : ${p.perRequest} requêtes base de données par appel en moyenne : un schéma N+1 ; charger les lignes en une requête (jointure ou liste IN).`,
  },
  evaluate: ({ analysis }) => {
    const out: Finding[] = [];
    const queries = seriesOf(analysis.monitor, 'db_queries_total', 'target:');
    for (const source of new Set(queries.map((q) => q.source))) {
      const q = queries.filter((s) => s.source === source);
      const requests = seriesOf(analysis.monitor, 'http_request_duration_seconds_count', source).filter((s) => !isProbe(s.labels));
      // Per route when the queries carry a route label (queries of route R / requests of route R: a
      // consumer's queries, route "event:…", have no requests and are left out), else for the whole target.
      const groups = routeGroups(q);
      const limit = groups[0]?.route === null ? MAX_QUERIES_PER_REQUEST_PER_TARGET : MAX_QUERIES_PER_REQUEST;
      for (const g of groups) {
        const n = total(requests.filter((s) => g.has(s.labels)));
        if (n <= 0) continue;
        const perRequest = total(q.filter((s) => g.has(s.labels))) / n;
        if (perRequest < limit) continue;
        out.push({ severity: 'warning', params: { source, route: g.route ?? '', perRequest: round(perRequest) }, evidence: { numbers: { queriesPerRequest: perRequest, limit }, chart: chartId(analysis.phase, 'server') } });
      }
    }
    return out;
  },
};
