/** Rule `client-server-gap` on fixtures (test/rules/fixture.ts: a small recorded run, one symptom planted at a time). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RULES } from '../../src/rules/catalogue.js';
import type { Rule } from '../../src/rules/types.js';
import { baseAnalysis, ctxOf, monitor } from './fixture.js';

const byId = (id: string): Rule => RULES.find((r) => r.id === id) as Rule;

test('client-server-gap: client mean of the transactions entering through a target far above its server mean (probes left out)', async () => {
  const a = await baseAnalysis();
  assert.deepEqual(a.transactions[0]!.targets, ['app'], 'a single-target environment: every transaction calls it');
  a.transactions[0]!.latencyMs!.mean = 80;
  a.monitor = [
    monitor('target:app', 'http_request_duration_seconds_sum', [0.2, 0.2], 'method=GET,route=/hello,status_code=200'),
    monitor('target:app', 'http_request_duration_seconds_count', [20, 20], 'method=GET,route=/hello,status_code=200'),
    monitor('target:app', 'http_request_duration_seconds_sum', [0.001, 0.001], 'method=GET,route=/metrics,status_code=200'),
    monitor('target:app', 'http_request_duration_seconds_count', [1, 1], 'method=GET,route=/metrics,status_code=200'),
  ];
  const [f] = byId('client-server-gap').evaluate(ctxOf(a));
  assert.equal(f!.evidence.numbers.serverMeanMs, 10);
  assert.equal(f!.evidence.numbers.clientMeanMs, 80);
  a.transactions[0]!.latencyMs!.mean = 12;
  assert.equal(byId('client-server-gap').evaluate(ctxOf(a)).length, 0);
  // A target no transaction enters through is not compared.
  a.transactions[0]!.latencyMs!.mean = 80;
  a.transactions[0]!.targets = ['other'];
  assert.equal(byId('client-server-gap').evaluate(ctxOf(a)).length, 0);
});
