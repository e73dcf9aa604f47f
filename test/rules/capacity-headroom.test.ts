/** Rule `capacity-headroom` on fixtures (test/rules/fixture.ts: a small recorded run, one symptom planted at a time). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { capacityOf } from '../../src/analysis/capacity.js';
import { RULES } from '../../src/rules/catalogue.js';
import type { Rule } from '../../src/rules/types.js';
import { baseAnalysis, ctxOf } from './fixture.js';

const byId = (id: string): Rule => RULES.find((r) => r.id === id) as Rule;

test('capacity-headroom: knee under the model\'s 30 % margin asks to scale', async () => {
  const a = await baseAnalysis();
  const step = (m: number, achieved: number, p95: number) => ({ multiplier: m, offeredPerSec: 10 * m, achievedPerSec: achieved, dropped: 0, p95Ms: p95, errorRate: 0, concurrency: achieved * p95 / 1000, fromMs: 0, toMs: 60_000 });
  a.capacity = [capacityOf('hello', [step(0.5, 5, 20), step(1, 10, 30), step(1.2, 12, 40), step(1.5, 11, 400)], 10, 100, 0.3)];
  const [f] = byId('capacity-headroom').evaluate(ctxOf(a));
  assert.equal(f!.severity, 'critical');
  assert.ok(Math.abs(f!.evidence.numbers.headroom! - 0.2) < 1e-9);
  a.capacity = [capacityOf('hello', [step(0.5, 5, 20), step(1, 10, 30), step(1.5, 15, 40), step(2, 17, 400)], 10, 100, 0.3)];
  assert.equal(byId('capacity-headroom').evaluate(ctxOf(a))[0]!.severity, 'info');
});
