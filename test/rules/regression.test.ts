/** Rule `regression` on fixtures (test/rules/fixture.ts: a small recorded run, one symptom planted at a time). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareAnalyses } from '../../src/analysis/compare.js';
import { RULES } from '../../src/rules/catalogue.js';
import type { Rule } from '../../src/rules/types.js';
import { ctxOf } from './fixture.js';

const byId = (id: string): Rule => RULES.find((r) => r.id === id) as Rule;

test('regression: on the recorded iterations 1 → 2 (target 30 ms → 60 ms), p95 regression is named', async () => {
  const { analyzeRun } = await import('../../src/analysis/analyze.js');
  const before = await analyzeRun('test/fixtures/runs/basic-app/iteration-1/unstubbed');
  const after = await analyzeRun('test/fixtures/runs/basic-app/iteration-2/unstubbed');
  const [f] = byId('regression').evaluate(ctxOf(after, { previous: { analysis: before, comparison: compareAnalyses(before, after) } }));
  assert.equal(f!.transaction, 'hello');
  assert.ok(f!.evidence.numbers.p95AfterMs! > 55 && f!.evidence.numbers.p95BeforeMs! < 40);
  assert.equal(byId('regression').evaluate(ctxOf(before, { previous: { analysis: after, comparison: compareAnalyses(after, before) } })).length, 0);
});
