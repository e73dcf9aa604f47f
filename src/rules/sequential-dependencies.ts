/**
 * A request takes about the sum of its dependency calls (from the monitor's outbound-call metrics): the calls
 * run one after the other where they could run concurrently.
 */
import { seriesOf } from '../analysis/monitor.js';
import { chartId, labelOf, meanFromSumCount, round, routeGroups } from './helpers.js';
import type { Finding, Rule } from './types.js';

/** Labels that name the called dependency in http_client_request_duration_seconds. */
const DEPENDENCY_LABELS = ['dependency', 'target', 'peer', 'service', 'host'];
/**
 * A call counts when its mean is at least this share of the request's mean: a cache lookup of 0.2 ms beside
 * four 3 ms calls changes nothing. Relative, not absolute: the reference target's sequential 360° view makes
 * four calls of 1.9–2.6 ms (embedded, 30 views/s, request 11 ms), and an absolute floor of 2 ms dropped one or
 * two of them at random (3 of 4 real runs missed the trap).
 */
export const MIN_CALL_SHARE = 0.05;
/** Below this saving (ms a request) calling concurrently is not worth a recommendation. */
export const MIN_SAVING_MS = 2;
/** The request's mean covers at least this share of the sum of its calls' means. */
export const SUM_SHARE = 0.8;
/**
 * Calling concurrently would save (sum − longest call) a request: it must be at least this share of the
 * request's mean. Means alone cannot tell the service's own time from calls in sequence, so a slow handler
 * whose calls run in parallel passes the two conditions above. Measured on the reference target (embedded,
 * traps-real.test.ts): 360° view with its calls in parallel and SUT_TRAP_LATENCY_MS=150, under billing's N+1
 * load: mean 174.5 ms, calls 19.7 + 18 + 18.9 + 19.2 ms (they queue in the one embedded database), saving
 * 56 ms = 0.32 of the request — a false finding without this condition; with SUT_TRAP_SEQUENTIAL_360:
 * mean 13 ms, calls 3 + 2.8 + 2.4 + 2.3 ms, saving 0.58 of the request. With n equal calls of c ms and own
 * time o, it fires while o ≤ ((n − 1)/0.4 − n)·c: 3.5 calls' worth for four.
 */
export const MIN_SAVING_SHARE = 0.4;

function dependencyOf(labels: string): string | undefined {
  for (const l of DEPENDENCY_LABELS) {
    const v = labelOf(labels, l);
    if (v !== undefined) return v;
  }
  return undefined;
}

export const sequentialDependencies: Rule = {
  id: 'sequential-dependencies',
  title: { en: 'Dependencies called one after the other', fr: 'Dépendances appelées l’une après l’autre' },
  meta: {
    severity: "warning",
    firesWhen: "*monitor*: per route served when the outbound calls carry a `route` label (else the whole target), the mean request time ≥ {SUM_SHARE} of the sum of its calls' means (`http_client_request_duration_seconds{dependency}`, ≥ 2 dependencies each ≥ {MIN_CALL_SHARE} of the request's mean — relative, since the reference target's four sequential calls take ≈ 2 ms each), and calling them concurrently would save (sum − longest) ≥ {MIN_SAVING_SHARE} of the request and ≥ {MIN_SAVING_MS} (means cannot tell own time from calls in sequence: a slow handler with parallel calls measured 0.32, the sequential 360° view 0.58)",
    evidence: "server mean, calls' sum and longest; server chart",
    thresholds: [
      { name: 'SUM_SHARE', value: SUM_SHARE, unit: 'share', why: "a request that waits its calls one after the other lasts at least their sum (a chosen value: no measurement recorded behind it)" },
      { name: 'MIN_CALL_SHARE', value: MIN_CALL_SHARE, unit: 'share', why: "the reference target's sequential 360° view makes four calls of 1.9–2.6 ms in an 11 ms request; an absolute floor of 2 ms dropped some of them at random (3 of 4 real runs missed the trap)" },
      { name: 'MIN_SAVING_SHARE', value: MIN_SAVING_SHARE, unit: 'share', why: "a slow handler with its calls in parallel measured a possible saving of 0.32 of the request, the sequential 360° view 0.58" },
      { name: 'MIN_SAVING_MS', value: MIN_SAVING_MS, unit: 'ms', why: "below it calling concurrently is not worth a change (a chosen value: no measurement recorded behind it)" },
    ],
  },
  sentence: {
    en: (p) => `${p.source}${p.route ? ` ${p.route}` : ''}: a request takes ${p.server} ms, about the sum of its calls (${p.calls}): they run sequentially; call them concurrently.`,
    fr: (p) => `${p.source}${p.route ? ` ${p.route}` : ''} : une requête prend ${p.server} ms, environ la somme de ses appels (${p.calls}) : ils s'enchaînent ; les lancer en parallèle.`,
  },
  evaluate: ({ analysis }) => {
    const out: Finding[] = [];
    const family = 'http_client_request_duration_seconds';
    for (const source of new Set(seriesOf(analysis.monitor, `${family}_count`, 'target:').map((s) => s.source))) {
      const calls = seriesOf(analysis.monitor, `${family}_count`, source);
      // Per route served when the calls carry it (a route's requests against that route's calls: the other
      // routes of the target, without calls, would dilute the mean), else the whole target.
      for (const g of routeGroups(calls)) {
        const serverS = meanFromSumCount(analysis.monitor, 'http_request_duration_seconds', source, g.has);
        if (serverS === null) continue;
        const server = serverS * 1000;
        const deps = [...new Set(calls.filter((s) => g.has(s.labels)).map((s) => dependencyOf(s.labels)).filter((d): d is string => d !== undefined))];
        const means = deps
          .map((d) => ({ d, ms: (meanFromSumCount(analysis.monitor, family, source, (l) => g.has(l) && dependencyOf(l) === d) ?? 0) * 1000 }))
          .filter((x) => x.ms > 0 && x.ms >= MIN_CALL_SHARE * server);
        if (means.length < 2) continue;
        const sum = means.reduce((s, x) => s + x.ms, 0);
        const longest = Math.max(...means.map((x) => x.ms));
        // Concurrent calls cost about the longest; sequential ones about the sum.
        if (server < SUM_SHARE * sum || server - longest < 0.5 * (sum - longest)) continue;
        if (sum - longest < Math.max(MIN_SAVING_SHARE * server, MIN_SAVING_MS)) continue;
        out.push({
          severity: 'warning',
          params: { source, route: g.route ?? '', server: round(server), calls: means.map((x) => `${x.d} ${round(x.ms)} ms`).join(' + ') },
          evidence: { numbers: { serverMeanMs: server, callsSumMs: sum, longestCallMs: longest }, chart: chartId(analysis.phase, 'server') },
        });
      }
    }
    return out;
  },
};
