/** Rule `latency-drift` on fixtures (test/rules/fixture.ts: a small recorded run, one symptom planted at a time). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RULES } from '../../src/rules/catalogue.js';
import type { Rule } from '../../src/rules/types.js';
import { baseAnalysis, ctxOf, series } from './fixture.js';

const byId = (id: string): Rule => RULES.find((r) => r.id === id) as Rule;

test('latency-drift: a median that climbs under constant load, not a flat one', async () => {
  const a = await baseAnalysis();
  const t = a.transactions[0]!;
  t.series = series(60, a.startMs, () => 20);
  assert.equal(byId('latency-drift').evaluate(ctxOf(a)).length, 0);
  t.series = series(60, a.startMs, (i) => 20 + i);
  const [f] = byId('latency-drift').evaluate(ctxOf(a));
  assert.ok(f!.evidence.numbers.lastP50Ms! > 60 && f!.evidence.numbers.firstP50Ms! < 40);
  assert.ok(Math.abs(f!.evidence.numbers.slopeMsPerMin! - 60) < 1);
  assert.equal(f!.evidence.from, a.startMs);
});
