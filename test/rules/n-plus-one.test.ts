/** Rule `n-plus-one` on fixtures (test/rules/fixture.ts: a small recorded run, one symptom planted at a time). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RULES } from '../../src/rules/catalogue.js';
import type { Rule } from '../../src/rules/types.js';
import { baseAnalysis, ctxOf, monitor } from './fixture.js';

const byId = (id: string): Rule => RULES.find((r) => r.id === id) as Rule;

test('n-plus-one: DB queries per request, per route', async () => {
  const a = await baseAnalysis();
  a.monitor = [
    monitor('target:billing', 'db_queries_total', [250, 250], 'route=/persons/:id/invoices'),
    monitor('target:billing', 'http_request_duration_seconds_count', [10, 10], 'method=GET,route=/persons/:id/invoices,status_code=200'),
    monitor('target:billing', 'db_queries_total', [20, 20], 'route=/persons/:id/iban'),
    monitor('target:billing', 'http_request_duration_seconds_count', [10, 10], 'method=GET,route=/persons/:id/iban,status_code=200'),
  ];
  const found = byId('n-plus-one').evaluate(ctxOf(a));
  assert.equal(found.length, 1);
  assert.equal(found[0]!.params.route, '/persons/:id/invoices');
  assert.equal(found[0]!.evidence.numbers.queriesPerRequest, 25);
});

test('n-plus-one: per route, the classic 5 queries a request; consumers\' queries (no requests) are not charged to a route', async () => {
  const a = await baseAnalysis();
  const route = (r: string, queries: number, requests: number) => [
    monitor('target:billing', 'db_queries_total', [queries], `route=${r},service=billing`),
    monitor('target:billing', 'http_request_duration_seconds_count', [requests], `method=GET,route=${r},service=billing,status_code=200`),
  ];
  // Measured without the trap: history 4 queries a request, the summary 3; consumers run queries without requests.
  a.monitor = [...route('/persons/:id/invoices', 40, 10), ...route('/persons/:id/summary', 30, 10), monitor('target:billing', 'db_queries_total', [500], 'route=event:invoice.requested,service=billing')];
  assert.deepEqual(byId('n-plus-one').evaluate(ctxOf(a)), []);
  // The trap's summary: 5 queries a request (the first 3 invoices' lines one by one).
  a.monitor = [...route('/persons/:id/invoices', 40, 10), ...route('/persons/:id/summary', 50, 10)];
  const found = byId('n-plus-one').evaluate(ctxOf(a));
  assert.deepEqual(found.map((f) => [f.params.route, f.evidence.numbers.queriesPerRequest, f.evidence.numbers.limit]), [['/persons/:id/summary', 5, 5]]);
});

test('n-plus-one: without a route label, the whole target against the looser per-target limit', async () => {
  const a = await baseAnalysis();
  const target = (queries: number) => [
    monitor('target:billing', 'db_queries_total', [queries], 'service=billing'),
    monitor('target:billing', 'http_request_duration_seconds_count', [10], 'method=GET,route=/persons/:id/invoices,service=billing,status_code=200'),
    // Probes are not requests of the service.
    monitor('target:billing', 'http_request_duration_seconds_count', [1000], 'method=GET,route=/metrics,service=billing,status_code=200'),
  ];
  a.monitor = target(62);
  assert.deepEqual(byId('n-plus-one').evaluate(ctxOf(a)), []);
  a.monitor = target(130);
  const [f] = byId('n-plus-one').evaluate(ctxOf(a));
  assert.equal(f!.params.route, '');
  assert.equal(f!.evidence.numbers.queriesPerRequest, 13);
  assert.equal(f!.evidence.numbers.limit, 8);
});
