/** Rule `memory-growth` on fixtures (test/rules/fixture.ts: a small recorded run, one symptom planted at a time). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RULES } from '../../src/rules/catalogue.js';
import type { Rule } from '../../src/rules/types.js';
import { baseAnalysis, ctxOf, monitor } from './fixture.js';

const byId = (id: string): Rule => RULES.find((r) => r.id === id) as Rule;

test('memory-growth: a heap whose GC floor rises (leak), not a flat sawtooth', async () => {
  const a = await baseAnalysis();
  const mb = 1024 * 1024;
  // GC sawtooth: 30 → 50 MB every 10 scrapes.
  const saw = (i: number) => (30 + 2 * (i % 10)) * mb;
  a.monitor = [monitor('target:grc', 'nodejs_heap_size_used_bytes', Array.from({ length: 60 }, (_, i) => saw(i)))];
  assert.equal(byId('memory-growth').evaluate(ctxOf(a)).length, 0);
  a.monitor = [monitor('target:grc', 'nodejs_heap_size_used_bytes', Array.from({ length: 60 }, (_, i) => saw(i) + 0.5 * i * mb))];
  const [f] = byId('memory-growth').evaluate(ctxOf(a));
  assert.equal(f!.params.source, 'target:grc');
  // 0.5 MB per 5-second scrape = 6 MB per minute.
  assert.ok(Math.abs(Number(f!.params.slope) - 6) < 0.5, `slope ${f!.params.slope}`);
  // Warm-up (a 5-minute run): the floor rises for the first third, then levels off.
  a.monitor = [monitor('target:grc', 'nodejs_heap_size_used_bytes', Array.from({ length: 60 }, (_, i) => saw(i) + Math.min(i, 20) * mb))];
  assert.equal(byId('memory-growth').evaluate(ctxOf(a)).length, 0);
});
