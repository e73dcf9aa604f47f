/** Rule `dependency-dominates` on fixtures (test/rules/fixture.ts: a small recorded run, one symptom planted at a time). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RULES, runRules } from '../../src/rules/catalogue.js';
import type { Rule } from '../../src/rules/types.js';
import { baseAnalysis, ctxOf, withPhase } from './fixture.js';

const byId = (id: string): Rule => RULES.find((r) => r.id === id) as Rule;

test('dependency-dominates: from the phase comparison, only when the real dependencies make most of the median', async () => {
  const unstubbed = await baseAnalysis();
  unstubbed.transactions[0]!.latencyMs!.p50 = 40;
  const stubbed = withPhase(unstubbed, 'stubbed');
  stubbed.transactions[0]!.latencyMs!.p50 = 32;
  assert.equal(byId('dependency-dominates').evaluate(ctxOf(unstubbed, { phases: [stubbed, unstubbed] })).length, 0);
  stubbed.transactions[0]!.latencyMs!.p50 = 2;
  const [f] = byId('dependency-dominates').evaluate(ctxOf(unstubbed, { phases: [stubbed, unstubbed] }));
  assert.ok(f!.evidence.numbers.share! > 0.9);
  assert.equal(f!.evidence.numbers.stubbedP50Ms, 2);
});

test('recorded phases: the unstubbed run (30 ms target) is dominated by its dependencies versus the stubbed one (3 ms)', async () => {
  const { analyzeRun } = await import('../../src/analysis/analyze.js');
  const stubbed = await analyzeRun('test/fixtures/runs/basic-app/iteration-1/stubbed');
  const unstubbed = await analyzeRun('test/fixtures/runs/basic-app/iteration-1/unstubbed');
  const recs = runRules(ctxOf(unstubbed, { phases: [stubbed, unstubbed] }));
  assert.ok(recs.some((r) => r.ruleId === 'dependency-dominates'));
  assert.ok(recs.some((r) => r.ruleId === 'latency-floor'), 'the 30 ms fixed delay of the target is a latency floor');
});
