/** Checks an Analysis against k6's own summary export of the same run: counts equal, percentiles within HDR precision. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Analysis } from '../../src/analysis/types.js';

type Metric = Record<string, number | undefined>;

/** 3 significant digits (0.1%), the µs rounding of recorded values, and the bucket's upper edge. */
export function withinHdr(actual: number, expected: number): boolean {
  return Math.abs(actual - expected) <= Math.max(0.002 * Math.abs(expected), 0.002);
}

export function assertAgreesWithK6(analysis: Analysis, runDir: string): void {
  const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as { metrics: Record<string, Metric> };
  const m = (name: string) => summary.metrics[name] ?? {};
  for (const t of analysis.transactions) {
    const sub = (metric: string) => m(`${metric}{transaction:${t.name}}`);
    // A browser transaction's requests are k6's browser_http_req_* metrics.
    const browser = summary.metrics[`browser_http_req_duration{transaction:${t.name}}`] !== undefined;
    const d = sub(browser ? 'browser_http_req_duration' : 'http_req_duration');
    assert.equal(t.requests, browser ? d.count ?? 0 : sub('http_reqs').count ?? 0, `${t.name}: requests`);
    assert.equal(t.iterations, sub('iterations').count ?? 0, `${t.name}: iterations`);
    // k6 tags dropped iterations with the scenario only (older runs declared the transaction sub-metric).
    const dropped = m(`dropped_iterations{scenario:${t.name}}`).count ?? sub('dropped_iterations').count ?? 0;
    assert.equal(t.dropped, dropped, `${t.name}: dropped`);
    if (!browser) assert.equal(t.errors, sub('http_req_failed').passes ?? 0, `${t.name}: errors`);
    if (t.latencyMs === null) {
      assert.equal(d.count ?? 0, 0);
      continue;
    }
    assert.equal(t.latencyMs.count, d.count, `${t.name}: duration count`);
    const pairs: [string, number, number | undefined][] = [
      ['p50', t.latencyMs.p50, d.med], ['p90', t.latencyMs.p90, d['p(90)']], ['p95', t.latencyMs.p95, d['p(95)']],
      ['p99', t.latencyMs.p99, d['p(99)']], ['p99.9', t.latencyMs.p999, d['p(99.9)']], ['max', t.latencyMs.max, d.max], ['min', t.latencyMs.min, d.min],
    ];
    for (const [label, actual, expected] of pairs) {
      assert.ok(expected !== undefined, `${t.name}: summary has ${label}`);
      assert.ok(withinHdr(actual, expected), `${t.name}: ${label} ${actual} vs k6 ${expected}`);
    }
  }
  assert.equal(analysis.overall.requests, m('http_reqs').count ?? 0, 'overall requests');
  const checks = summary.metrics.checks ?? {};
  assert.equal(analysis.overall.checks.passes, checks.passes ?? 0, 'check passes');
  assert.equal(analysis.overall.checks.fails, checks.fails ?? 0, 'check fails');
}
