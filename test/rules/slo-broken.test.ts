/** Rule `slo-broken` on fixtures (test/rules/fixture.ts: a small recorded run, one symptom planted at a time). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RULES } from '../../src/rules/catalogue.js';
import type { Rule } from '../../src/rules/types.js';
import { baseAnalysis, ctxOf } from './fixture.js';

const byId = (id: string): Rule => RULES.find((r) => r.id === id) as Rule;

test('slo-broken names the transaction, the criterion and both figures', async () => {
  const a = await baseAnalysis();
  const p95 = a.slo.find((s) => s.criterion === 'p95')!;
  p95.limit = 10;
  p95.pass = false;
  const [f] = byId('slo-broken').evaluate(ctxOf(a));
  assert.equal(f!.severity, 'critical');
  assert.equal(f!.transaction, 'hello');
  assert.equal(f!.evidence.numbers.limit, 10);
  assert.equal(f!.evidence.numbers.actual, p95.actual);
  assert.equal(f!.evidence.chart, 'unstubbed-latency-hello');
});
