/** Rule `latency-floor` on fixtures (test/rules/fixture.ts: a small recorded run, one symptom planted at a time). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RULES } from '../../src/rules/catalogue.js';
import type { Rule } from '../../src/rules/types.js';
import { baseAnalysis, ctxOf } from './fixture.js';

const byId = (id: string): Rule => RULES.find((r) => r.id === id) as Rule;

test('latency-floor: every request takes at least a fixed time', async () => {
  const a = await baseAnalysis();
  const l = a.transactions[0]!.latencyMs!;
  Object.assign(l, { min: 1, p50: 30 });
  assert.equal(byId('latency-floor').evaluate(ctxOf(a)).length, 0);
  Object.assign(l, { min: 200, p50: 204 });
  const [f] = byId('latency-floor').evaluate(ctxOf(a));
  assert.equal(f!.severity, 'warning');
  assert.equal(f!.evidence.numbers.minMs, 200);
});
