/** Rule `sequential-dependencies` on fixtures (test/rules/fixture.ts: a small recorded run, one symptom planted at a time). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RULES } from '../../src/rules/catalogue.js';
import type { Rule } from '../../src/rules/types.js';
import { baseAnalysis, ctxOf, monitor } from './fixture.js';

const byId = (id: string): Rule => RULES.find((r) => r.id === id) as Rule;

test('sequential-dependencies: the request takes the sum of its calls, not the longest', async () => {
  const a = await baseAnalysis();
  const calls = (server: number) => [
    monitor('target:grc', 'http_request_duration_seconds_sum', [server * 10]),
    monitor('target:grc', 'http_request_duration_seconds_count', [10]),
    ...['legal', 'sales', 'billing', 'customer-service'].flatMap((d) => [
      monitor('target:grc', 'http_client_request_duration_seconds_sum', [0.02 * 10], `dependency=${d}`),
      monitor('target:grc', 'http_client_request_duration_seconds_count', [10], `dependency=${d}`),
    ]),
  ];
  a.monitor = calls(0.085);
  const [f] = byId('sequential-dependencies').evaluate(ctxOf(a));
  assert.ok(Math.abs(f!.evidence.numbers.callsSumMs! - 80) < 1e-6);
  a.monitor = calls(0.025);
  assert.equal(byId('sequential-dependencies').evaluate(ctxOf(a)).length, 0);
});

test('sequential-dependencies: per route served, the route\'s requests against its own calls', async () => {
  const a = await baseAnalysis();
  const request = (route: string, ms: number, n: number) => [
    monitor('target:grc', 'http_request_duration_seconds_sum', [(ms / 1000) * n], `method=GET,route=${route},status_code=200`),
    monitor('target:grc', 'http_request_duration_seconds_count', [n], `method=GET,route=${route},status_code=200`),
  ];
  const calls = (ms: number) =>
    ['legal', 'sales', 'billing', 'customer-service'].flatMap((d) => [
      monitor('target:grc', 'http_client_request_duration_seconds_sum', [(ms / 1000) * 10], `dependency=${d},method=GET,route=/persons/:id/360,status_code=200`),
      monitor('target:grc', 'http_client_request_duration_seconds_count', [10], `dependency=${d},method=GET,route=/persons/:id/360,status_code=200`),
    ]);
  // Sequential 360° views (14 ms, four calls of 3 ms) among many fast searches (1 ms) that call nothing:
  // the whole target's mean (≈ 1.6 ms) would hide them.
  a.monitor = [...request('/persons/:id/360', 14, 10), ...request('/persons', 1, 200), ...calls(3)];
  const [f] = byId('sequential-dependencies').evaluate(ctxOf(a));
  assert.equal(f!.params.route, '/persons/:id/360');
  assert.ok(Math.abs(f!.evidence.numbers.serverMeanMs! - 14) < 1e-6);
  assert.match(byId('sequential-dependencies').sentence.en(f!.params), /^target:grc \/persons\/:id\/360: a request takes 14 ms/);
  // The same calls in parallel (the view takes the longest call plus its own time).
  a.monitor = [...request('/persons/:id/360', 5, 10), ...request('/persons', 1, 200), ...calls(3)];
  assert.equal(byId('sequential-dependencies').evaluate(ctxOf(a)).length, 0);
});

test('sequential-dependencies: a slow handler whose calls run in parallel saves too little by concurrency to be named', async () => {
  const a = await baseAnalysis();
  const view = (serverMs: number, callMs: number) => [
    monitor('target:grc', 'http_request_duration_seconds_sum', [(serverMs / 1000) * 10], 'method=GET,route=/persons/:id/360,status_code=200'),
    monitor('target:grc', 'http_request_duration_seconds_count', [10], 'method=GET,route=/persons/:id/360,status_code=200'),
    ...['legal', 'sales', 'billing', 'customer-service'].flatMap((d) => [
      monitor('target:grc', 'http_client_request_duration_seconds_sum', [(callMs / 1000) * 10], `dependency=${d},route=/persons/:id/360`),
      monitor('target:grc', 'http_client_request_duration_seconds_count', [10], `dependency=${d},route=/persons/:id/360`),
    ]),
  ];
  // Measured: 150 ms added to the view, four parallel calls of ≈ 19 ms: concurrency would save 57 of 175 ms.
  a.monitor = view(175, 19);
  assert.equal(byId('sequential-dependencies').evaluate(ctxOf(a)).length, 0);
  // Four sequential 19 ms calls and the same own time: 3 × 19 of 96 ms.
  a.monitor = view(96, 19);
  assert.equal(byId('sequential-dependencies').evaluate(ctxOf(a)).length, 1);
});

test('sequential-dependencies: calls of about 2 ms each count as much as longer ones; negligible calls and savings do not', async () => {
  const a = await baseAnalysis();
  const view = (serverMs: number, callsMs: number[]) => [
    monitor('target:grc', 'http_request_duration_seconds_sum', [(serverMs / 1000) * 10], 'method=GET,route=/persons/:id/360,status_code=200'),
    monitor('target:grc', 'http_request_duration_seconds_count', [10], 'method=GET,route=/persons/:id/360,status_code=200'),
    ...callsMs.flatMap((ms, i) => [
      monitor('target:grc', 'http_client_request_duration_seconds_sum', [(ms / 1000) * 10], `dependency=d${i},route=/persons/:id/360`),
      monitor('target:grc', 'http_client_request_duration_seconds_count', [10], `dependency=d${i},route=/persons/:id/360`),
    ]),
  ];
  // Measured on the reference target's sequential view: 11 ms, calls of 2.6, 2.1, 1.9 and 2.5 ms.
  a.monitor = view(11, [2.6, 2.1, 1.9, 2.5]);
  const [f] = byId('sequential-dependencies').evaluate(ctxOf(a));
  assert.ok(f, 'named');
  assert.ok(Math.abs(f.evidence.numbers.callsSumMs! - 9.1) < 1e-6, 'all four calls counted');
  // A 0.3 ms lookup beside them (under 5 % of the request) is left out of the sum.
  a.monitor = view(11, [2.6, 2.1, 1.9, 2.5, 0.3]);
  assert.ok(Math.abs(byId('sequential-dependencies').evaluate(ctxOf(a))[0]!.evidence.numbers.callsSumMs! - 9.1) < 1e-6);
  // The same shape ten times faster: concurrency would save 0.65 ms a request, not worth naming.
  a.monitor = view(1.1, [0.26, 0.21, 0.19, 0.25]);
  assert.equal(byId('sequential-dependencies').evaluate(ctxOf(a)).length, 0);
});
