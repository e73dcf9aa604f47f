/** Many database queries per HTTP request (from the monitor): an N+1 access pattern. */
import { seriesOf } from '../analysis/monitor.js';
import type { MonitorSeries } from '../analysis/types.js';
import { isProbe } from './client-server-gap.js';
import { chartId, round } from './helpers.js';
import type { Finding, Rule } from './types.js';

/**
 * A request of a CRUD service runs a handful of queries; more than this on average is a loop of queries.
 * The count is per target (db_queries_total has no route label), so event consumers add queries without
 * requests: the reference target without its trap measured 6.2 per request on billing in a smoke run,
 * with the N+1 trap 13 on billing history.
 */
export const MAX_QUERIES_PER_REQUEST = 8;

function total(xs: MonitorSeries[]): number {
  return xs.reduce((s, x) => s + x.points.reduce((a, p) => a + p.v, 0), 0);
}

function route(labels: string): string | undefined {
  return /(?:^|,)route=([^,]*)/.exec(labels)?.[1];
}

export const nPlusOne: Rule = {
  id: 'n-plus-one',
  title: { en: 'N+1 queries: many DB queries per request', fr: 'Requêtes N+1 : beaucoup de requêtes BD par appel' },
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
      // Per route when both sides carry a route label, else for the whole target.
      const routes = [...new Set(q.map((s) => route(s.labels)).filter((r): r is string => r !== undefined))];
      const groups = routes.length > 0 ? routes.map((r) => ({ r, qs: q.filter((s) => route(s.labels) === r), rs: requests.filter((s) => route(s.labels) === r) })) : [{ r: '', qs: q, rs: requests }];
      for (const g of groups) {
        const n = total(g.rs);
        if (n <= 0) continue;
        const perRequest = total(g.qs) / n;
        if (perRequest < MAX_QUERIES_PER_REQUEST) continue;
        out.push({ severity: 'warning', params: { source, route: g.r, perRequest: round(perRequest) }, evidence: { numbers: { queriesPerRequest: perRequest }, chart: chartId(analysis.phase, 'server') } });
      }
    }
    return out;
  },
};
