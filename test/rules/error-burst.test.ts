/** Rule `error-burst` on fixtures (test/rules/fixture.ts: a small recorded run, one symptom planted at a time). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RULES, runRules } from '../../src/rules/catalogue.js';
import type { Rule } from '../../src/rules/types.js';
import { baseAnalysis, ctxOf, series } from './fixture.js';

const byId = (id: string): Rule => RULES.find((r) => r.id === id) as Rule;

test('error-burst: counts by kind and the time range of the burst', async () => {
  const a = await baseAnalysis();
  const t = a.transactions[0]!;
  t.series = series(30, a.startMs, () => 5, (i) => (i >= 10 && i < 15 ? { errors: 8 } : {}));
  t.errors = 40;
  t.requests = 300;
  t.errorRate = 40 / 300;
  t.errorsByKind = { 'connection-refused': 30, '5xx': 10 };
  const [f] = byId('error-burst').evaluate(ctxOf(a));
  assert.equal(f!.severity, 'critical');
  assert.equal(f!.evidence.from, a.startMs + 10_000);
  assert.equal(f!.evidence.to, a.startMs + 15_000);
  assert.match(f!.evidence.chart, /errors/);
  const text = runRules(ctxOf(a)).find((r) => r.ruleId === 'error-burst')!.text.en;
  assert.ok(text.includes('5xx × 10') && text.includes('connection-refused × 30') && text.includes('5 s'), text);
});
