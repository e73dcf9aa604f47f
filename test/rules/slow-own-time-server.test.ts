/**
 * slow-own-time with server evidence (db_query_exec_seconds{method,route}): the database's execution time per
 * request decides, not client medians that queueing on a one-thread target distorts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Analysis } from '../../src/analysis/types.js';
import { dbExecPerRequest, routeKey, slowOwnTime } from '../../src/rules/slow-own-time.js';
import { baseAnalysis, ctxOf, monitor, withPhase } from './fixture.js';

/** A stubbed phase of two grc transactions: search and read by key, with client p50s and server figures per second. */
async function shaped(client: { search: number; read: number }, execMsPerRequest: { search: number; read: number } | null): Promise<Analysis> {
  const a = withPhase(await baseAnalysis(), 'stubbed');
  const t = a.transactions[0]!;
  const tx = (name: string, p50: number, requestName: string) => ({ ...structuredClone(t), name, targets: ['grc'], requestNames: [requestName], latencyMs: { ...t.latencyMs!, p50 } });
  a.transactions = [tx('search-person', client.search, 'GET /persons?q'), tx('read-person', client.read, 'GET /persons/{id}')];
  a.slo = [];
  a.monitor = [
    // 2 searches and 4 reads a second (counters as rates), and the probe the monitor itself sends.
    monitor('target:grc', 'http_request_duration_seconds_count', [2, 2, 2], 'method=GET,route=/persons,status_code=200'),
    monitor('target:grc', 'http_request_duration_seconds_count', [4, 4, 4], 'method=GET,route=/persons/:id,status_code=200'),
    monitor('target:grc', 'http_request_duration_seconds_count', [1, 1, 1], 'method=GET,route=/metrics,status_code=200'),
  ];
  if (execMsPerRequest) {
    a.monitor.push(
      monitor('target:grc', 'db_query_exec_seconds_sum', [2, 2, 2].map((n) => (n * execMsPerRequest.search) / 1000), 'method=GET,route=/persons'),
      monitor('target:grc', 'db_query_exec_seconds_count', [2, 2, 2], 'method=GET,route=/persons'),
      monitor('target:grc', 'db_query_exec_seconds_sum', [4, 4, 4].map((n) => (n * execMsPerRequest.read) / 1000), 'method=GET,route=/persons/:id'),
      monitor('target:grc', 'db_query_exec_seconds_count', [4, 4, 4], 'method=GET,route=/persons/:id'),
    );
  }
  return a;
}

test('route keys: a request name and a route template meet', () => {
  assert.equal(routeKey('GET', '/persons/{id}?x=1'), routeKey('get', '/persons/:id'));
  assert.equal(routeKey('GET', '/persons?q'), 'GET /persons');
  assert.notEqual(routeKey('POST', '/persons'), routeKey('GET', '/persons'));
});

test('queueing hides the scan at the client (27 vs 23 ms), the database execution names it (44 vs 2.4 ms)', async () => {
  const a = await shaped({ search: 27, read: 23 }, { search: 44, read: 2.4 });
  assert.ok(Math.abs(dbExecPerRequest(a.monitor, 'target:grc').get('GET /persons')! - 44) < 1e-9);
  const found = slowOwnTime.evaluate(ctxOf(a));
  assert.deepEqual(found.map((f) => f.transaction), ['search-person']);
  assert.ok(Math.abs(found[0]!.evidence.numbers.dbExecPerRequestMs! - 44) < 1e-9);
  assert.ok(Math.abs(found[0]!.evidence.numbers.othersDbExecPerRequestMs! - 2.4) < 1e-9);
  assert.equal(found[0]!.params.route, 'GET /persons');
});

test('client medians 5× apart but the same database execution: queueing, not the service\'s own time — silent', async () => {
  const a = await shaped({ search: 25, read: 5 }, { search: 3.2, read: 2.2 });
  assert.deepEqual(slowOwnTime.evaluate(ctxOf(a)), []);
});

test('without the metric the client medians still decide (a target that exports no database timing)', async () => {
  assert.deepEqual(slowOwnTime.evaluate(ctxOf(await shaped({ search: 25, read: 5 }, null))).map((f) => f.transaction), ['search-person']);
  assert.deepEqual(slowOwnTime.evaluate(ctxOf(await shaped({ search: 27, read: 23 }, null))), []);
});
