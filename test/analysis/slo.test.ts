/** The one SLO evaluator (src/analysis/slo.ts), and the gate's view of it. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateSlo } from '../../src/analysis/slo.js';
import { checkSlo } from '../../src/gate/verdict.js';

const figures = { p50Ms: 10, p90Ms: 40, p95Ms: 100, p99Ms: 150, errorRate: 0.01 };

test('latency objectives are strict bounds, the error rate a maximum, in the order p50 p90 p95 p99 error rate', () => {
  const checks = evaluateSlo({ maxErrorRate: 0.01, p95Ms: 100, p50Ms: 11 }, figures);
  assert.deepEqual(checks.map((c) => [c.criterion, c.op, c.limit, c.actual, c.pass]), [
    ['p50', '<', 11, 10, true],
    ['p95', '<', 100, 100, false],
    ['errorRate', '<=', 0.01, 0.01, true],
  ]);
  assert.deepEqual(evaluateSlo({}, figures), []);
});

test('an objective cannot hold on nothing: no figures, or a figure not measured, fails it', () => {
  assert.deepEqual(evaluateSlo({ p95Ms: 100 }, null).map((c) => [c.actual, c.pass]), [[null, false]]);
  assert.deepEqual(evaluateSlo({ p99Ms: 100, maxErrorRate: 0.5 }, { ...figures, p99Ms: Number.NaN, errorRate: null }).map((c) => c.pass), [false, false]);
});

test('the gate judges with the same evaluator: broken = not passed, the SLO named as in the model', () => {
  const slo = { p95Ms: 100, p99Ms: 200, maxErrorRate: 0.005 };
  const gate = checkSlo(slo, figures);
  assert.deepEqual(gate.map((c) => [c.slo, c.limit, c.observed, c.broken]), [['p95Ms', 100, 100, true], ['p99Ms', 200, 150, false], ['maxErrorRate', 0.005, 0.01, true]]);
  assert.deepEqual(gate.map((c) => c.broken), evaluateSlo(slo, figures).map((c) => !c.pass));
});
