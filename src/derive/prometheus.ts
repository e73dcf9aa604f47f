/**
 * `model derive --from-prometheus`: request counts per route from a Prometheus server's HTTP API
 * (`/api/v1/query_range`), minute by minute, fed to the same aggregator as access logs. The query is
 * `sum by (method, route, status) (increase(COUNTER[1m]))` at a 60 s step: each point is one minute's
 * requests (Prometheus extrapolates `increase` to the window's edges, so totals are close to, not exactly,
 * the counter's difference).
 */
import { PerfcellError, inputError } from '../errors.js';
import type { Aggregator } from './aggregate.js';

/** One point per minute: the aggregator's resolution. */
const STEP_S = 60;
/** Prometheus refuses more than 11 000 points per series: ask for at most a week of minutes at a time. */
const MAX_POINTS_PER_QUERY = 10_080;
const TIMEOUT_MS = 30_000;

export interface PrometheusSource {
  url: string;
  /** A counter of requests with method, route and status labels (a histogram's `_count` is one). */
  metric: string;
  startMs: number;
  endMs: number;
  methodLabel?: string;
  routeLabel?: string;
  statusLabel?: string;
  /** Extra label matchers, e.g. `job="grc"`. */
  selector?: string;
}

interface RangeResponse {
  status: string;
  error?: string;
  data?: { resultType: string; result: { metric: Record<string, string>; values: [number, string][] }[] };
}

/** `/persons/:id` (Fastify, Express) and `/persons/<id>` (Flask) → `/persons/{id}`. */
export function templateOfRouteLabel(route: string): string {
  return route.replace(/\/:([A-Za-z_]\w*)/g, '/{$1}').replace(/\/<(?:\w+:)?(\w+)>/g, '/{$1}');
}

export function rangeQuery(s: PrometheusSource): string {
  const m = s.methodLabel ?? 'method';
  const r = s.routeLabel ?? 'route';
  const st = s.statusLabel ?? 'status_code';
  return `sum by (${m}, ${r}, ${st}) (increase(${s.metric}${s.selector ? `{${s.selector}}` : ''}[${STEP_S}s]))`;
}

/** Feeds the aggregator; returns the number of series read. */
export async function readPrometheus(s: PrometheusSource, agg: Aggregator): Promise<number> {
  if (!/^https?:\/\//.test(s.url)) throw inputError('--from-prometheus', '', `an http(s) URL of a Prometheus server, got "${s.url}"`);
  if (!(s.endMs > s.startMs)) throw inputError('--start/--end', '', 'a start before the end');
  const m = s.methodLabel ?? 'method';
  const r = s.routeLabel ?? 'route';
  const st = s.statusLabel ?? 'status_code';
  const query = rangeQuery(s);
  let series = 0;
  for (let from = s.startMs; from < s.endMs; from += MAX_POINTS_PER_QUERY * STEP_S * 1000) {
    const to = Math.min(s.endMs, from + MAX_POINTS_PER_QUERY * STEP_S * 1000);
    const u = new URL('api/v1/query_range', s.url.endsWith('/') ? s.url : `${s.url}/`);
    u.searchParams.set('query', query);
    // Each point covers the minute that ends at its timestamp: the first one ends a minute after `from`.
    u.searchParams.set('start', String((from + STEP_S * 1000) / 1000));
    u.searchParams.set('end', String(to / 1000));
    u.searchParams.set('step', `${STEP_S}s`);
    let body: RangeResponse;
    try {
      const res = await fetch(u, { signal: AbortSignal.timeout(TIMEOUT_MS) });
      body = (await res.json()) as RangeResponse;
      if (!res.ok || body.status !== 'success') throw new PerfcellError(`${s.url}: query_range ${query}: ${body.error ?? `HTTP ${res.status}`}`, 'environment');
    } catch (error) {
      if (error instanceof PerfcellError) throw error;
      throw new PerfcellError(`${s.url}: Prometheus HTTP API not reachable (${(error as Error).message})`, 'environment');
    }
    if (body.data?.resultType !== 'matrix') throw new PerfcellError(`${s.url}: query_range answered a ${body.data?.resultType ?? 'missing'} result, expected a matrix`, 'environment');
    for (const serie of body.data.result) {
      const route = serie.metric[r];
      if (!route) continue;
      series++;
      const method = (serie.metric[m] ?? '*').toUpperCase();
      const status = Number(serie.metric[st] ?? 200);
      const path = templateOfRouteLabel(route);
      for (const [t, v] of serie.values) {
        // The point at t counts the minute before t.
        agg.addCount(method, path, status, t * 1000 - STEP_S * 1000, Number(v));
      }
    }
  }
  if (series === 0) throw new PerfcellError(`${s.url}: no series for ${query} between ${new Date(s.startMs).toISOString()} and ${new Date(s.endMs).toISOString()}`, 'input');
  return series;
}
