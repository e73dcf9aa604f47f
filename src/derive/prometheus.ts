/**
 * `model derive --from-prometheus`: request counts per route from a Prometheus server's HTTP API
 * (`/api/v1/query_range`), minute by minute, fed to the same aggregator as access logs. The query asks
 * for the counter itself, series by series (`COUNTER{selector}` at a 60 s step), and perfcell takes the
 * differences between consecutive points (a counter reset counts from zero): the totals are the counters'
 * own, where `sum(increase(COUNTER[1m]))` over consecutive windows loses the requests between two windows'
 * samples (about one scrape interval in each window, 19 % with a 1 s scrape and 5 s windows, measured
 * against a real Prometheus) and hides one instance's reset inside the sum.
 */
import { PerfcellError, inputError } from '../errors.js';
import type { Aggregator } from './aggregate.js';

/** One point per minute: the aggregator's resolution. */
const STEP_S = 60;
/** Prometheus refuses more than 11 000 points per series: at most a week of minutes per query. */
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
  /** Seconds per point (default 60: the aggregator's minute); smaller for short ranges. */
  stepSec?: number;
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
  return `${s.metric}${s.selector ? `{${s.selector}}` : ''}`;
}

/** Feeds the aggregator; returns the number of series read. */
export async function readPrometheus(s: PrometheusSource, agg: Aggregator): Promise<number> {
  if (!/^https?:\/\//.test(s.url)) throw inputError('--from-prometheus', '', `an http(s) URL of a Prometheus server, got "${s.url}"`);
  if (!(s.endMs > s.startMs)) throw inputError('--start/--end', '', 'a start before the end');
  const m = s.methodLabel ?? 'method';
  const r = s.routeLabel ?? 'route';
  const st = s.statusLabel ?? 'status_code';
  const query = rangeQuery(s);
  const step = s.stepSec ?? STEP_S;
  const seen = new Set<string>();
  /** Last value per series (all its labels): differences continue across chunks. */
  const last = new Map<string, number>();
  let firstChunk = true;
  for (let from = s.startMs; from < s.endMs; from += MAX_POINTS_PER_QUERY * step * 1000) {
    const to = Math.min(s.endMs, from + MAX_POINTS_PER_QUERY * step * 1000);
    const u = new URL('api/v1/query_range', s.url.endsWith('/') ? s.url : `${s.url}/`);
    u.searchParams.set('query', query);
    // Each point covers the step that ends at its timestamp; the range's first point (at its start) is the
    // baseline the next ones are counted from. Later chunks continue one step after the previous end.
    const chunkStart = firstChunk ? from : from + step * 1000;
    u.searchParams.set('start', String(chunkStart / 1000));
    u.searchParams.set('end', String(to / 1000));
    u.searchParams.set('step', `${step}s`);
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
    const firstT = chunkStart / 1000;
    for (const serie of body.data.result) {
      const route = serie.metric[r];
      if (!route) continue;
      const key = JSON.stringify(serie.metric);
      seen.add(key);
      const method = (serie.metric[m] ?? '*').toUpperCase();
      const status = Number(serie.metric[st] ?? 200);
      const path = templateOfRouteLabel(route);
      let prev = last.get(key);
      for (const [t, text] of serie.values) {
        const v = Number(text);
        // The range's first point is the baseline; a series appearing later is new (or restarted): from 0.
        if (prev === undefined && firstChunk && Math.abs(t - firstT) < 1e-6) {
          prev = v;
          continue;
        }
        const delta = prev === undefined || v < prev ? v : v - prev;
        prev = v;
        // The point at t counts the step before t.
        agg.addCount(method, path, status, t * 1000 - step * 1000, delta);
      }
      if (prev !== undefined) last.set(key, prev);
    }
    firstChunk = false;
  }
  const series = seen.size;
  if (series === 0) throw new PerfcellError(`${s.url}: no series for ${query} between ${new Date(s.startMs).toISOString()} and ${new Date(s.endMs).toISOString()}`, 'input');
  return series;
}
