/**
 * Dropped iterations: the test's VU budget (the iteration's own waits hold the VUs) or the system (its
 * requests take the iterations' time). Issue 12's case: a public k6 example function that sleeps 1 s inside
 * the iteration, reused as a transaction at 10/s: the rate went through, 3 iterations were dropped.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RULES } from '../../src/rules/catalogue.js';
import { VU_BUDGET_OUTSIDE_SHARE, vuBudgetShortfall } from '../../src/rules/helpers.js';
import type { Rule } from '../../src/rules/types.js';
import { verdictOf } from '../../src/verdict/verdict.js';
import { runRules } from '../../src/rules/catalogue.js';
import { baseAnalysis, ctxOf } from './fixture.js';

const byId = (id: string): Rule => RULES.find((r) => r.id === id) as Rule;

/** One transaction at `rate`/s for 10 s whose iterations last `iterationMs`, of which `requestMs` in one request. */
async function shaped(opts: { rate: number; achievedShare: number; iterationMs: number; requestMs: number; dropped: number }) {
  const a = await baseAnalysis();
  const t = a.transactions[0]!;
  a.durationSec = 10;
  a.windowMs = 1000;
  t.targetRatePerSec = opts.rate;
  t.iterations = Math.round(opts.rate * 10 * opts.achievedShare);
  t.requests = t.iterations;
  t.dropped = opts.dropped;
  t.iterationMeanMs = opts.iterationMs;
  t.latencyMs = { ...t.latencyMs!, mean: opts.requestMs, p50: opts.requestMs, p95: opts.requestMs * 1.5 };
  t.series = Array.from({ length: 10 }, (_, i) => ({ t: a.startMs + i * 1000, count: opts.rate * opts.achievedShare, errors: 0, dropped: 0, p50: opts.requestMs, p90: opts.requestMs, p95: opts.requestMs, p99: opts.requestMs, max: opts.requestMs }));
  a.slo = [];
  return a;
}

test('a sleep inside the iteration, the rate achieved: a VU-sizing warning naming the fix, no critical finding, GO', async () => {
  const a = await shaped({ rate: 10, achievedShare: 1.01, iterationMs: 1005, requestMs: 5, dropped: 3 });
  assert.equal(byId('throughput-limit').evaluate(ctxOf(a)).length, 0);
  const [f, ...more] = byId('load-generator-overloaded').evaluate(ctxOf(a));
  assert.equal(more.length, 0);
  assert.equal(f!.severity, 'warning');
  assert.equal(f!.params.kind, 'budget');
  // 10/s × 1.005 s × 1.5 → 16 VUs.
  assert.equal(f!.evidence.numbers.suggestedMaxVus, 16);
  const recs = runRules(ctxOf(a));
  const text = recs.find((r) => r.ruleId === 'load-generator-overloaded')!.text.en;
  assert.match(text, /VU-sizing defect of the test/);
  assert.match(text, /expectedResponseMs to about 1005 or maxVUs to at least 16/);
  assert.equal(verdictOf([a], recs).status, 'go');
});

test('a sleep inside the iteration and only 60 % of the rate applied: the measurement is invalid, INCONCLUSIVE', async () => {
  const a = await shaped({ rate: 10, achievedShare: 0.6, iterationMs: 1005, requestMs: 5, dropped: 40 });
  const [f] = byId('load-generator-overloaded').evaluate(ctxOf(a));
  assert.equal(f!.severity, 'critical');
  assert.equal(byId('throughput-limit').evaluate(ctxOf(a)).length, 0);
  const v = verdictOf([a], runRules(ctxOf(a)));
  assert.equal(v.status, 'inconclusive');
  assert.match(v.headline.en, /^INCONCLUSIVE: the measurement of the unstubbed phase is not valid/);
});

test('a slow target: the requests take the iteration, 60 % applied → throughput-limit, critical, NO-GO', async () => {
  const a = await shaped({ rate: 10, achievedShare: 0.6, iterationMs: 820, requestMs: 800, dropped: 40 });
  assert.equal(vuBudgetShortfall(a.transactions[0]!, a.durationSec), null);
  const [f] = byId('throughput-limit').evaluate(ctxOf(a));
  assert.equal(f!.severity, 'critical');
  assert.ok(byId('load-generator-overloaded').evaluate(ctxOf(a)).every((x) => x.params.kind !== 'budget'));
  assert.equal(verdictOf([a], runRules(ctxOf(a))).status, 'no-go');
});

test('the boundary: an iteration spending just under half its time outside requests is the system, just over is the test', async () => {
  const over = await shaped({ rate: 10, achievedShare: 1, iterationMs: 100, requestMs: 100 * (1 - VU_BUDGET_OUTSIDE_SHARE) - 1, dropped: 5 });
  assert.notEqual(vuBudgetShortfall(over.transactions[0]!, 10), null);
  const under = await shaped({ rate: 10, achievedShare: 1, iterationMs: 100, requestMs: 100 * (1 - VU_BUDGET_OUTSIDE_SHARE) + 1, dropped: 5 });
  assert.equal(vuBudgetShortfall(under.transactions[0]!, 10), null);
  // Without iteration durations (an analysis.json written before they were read) nothing is assumed.
  delete under.transactions[0]!.iterationMeanMs;
  assert.equal(vuBudgetShortfall(under.transactions[0]!, 10), null);
});

test('drops while k6 starts VUs mid-run: the rate went through with VUs to spare → a warning on the test; VUs exhausted → the system, critical', async () => {
  // 20/s of 300 ms requests (a 200 ms stub behind the target) with expectedResponseMs 100: 4 VUs pre-allocated, 6 needed.
  const a = await shaped({ rate: 20, achievedShare: 1, iterationMs: 302, requestMs: 300, dropped: 3 });
  a.durationSec = 4;
  a.vus.max = 7;
  a.vus.maxAllowed = 16;
  const [f] = byId('throughput-limit').evaluate(ctxOf(a));
  assert.equal(f!.severity, 'warning');
  assert.match(runRules(ctxOf(a)).find((r) => r.ruleId === 'throughput-limit')!.text.en, /k6 drops arrivals while it starts VUs mid-run; set expectedResponseMs near the measured response time \(300 ms\)/);
  assert.equal(verdictOf([a], runRules(ctxOf(a))).status, 'go');
  a.vus.max = 16;
  assert.equal(byId('throughput-limit').evaluate(ctxOf(a))[0]!.severity, 'critical');
});
