/** Rule `load-generator-overloaded` on fixtures (test/rules/fixture.ts: a small recorded run, one symptom planted at a time). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RULES } from '../../src/rules/catalogue.js';
import type { Rule } from '../../src/rules/types.js';
import { baseAnalysis, ctxOf, monitor } from './fixture.js';

const byId = (id: string): Rule => RULES.find((r) => r.id === id) as Rule;

test('load-generator-overloaded: injector CPU, and VUs exhausted with iterations dropped', async () => {
  const a = await baseAnalysis();
  assert.equal(byId('load-generator-overloaded').evaluate(ctxOf(a)).length, 0);
  a.monitor = [monitor('injector', 'injector_host_cpu_percent', [90, 95, 99]), monitor('injector', 'injector_cpu_percent', [150, 150], 'process=k6')];
  a.vus.max = a.vus.maxAllowed;
  a.overall.dropped = 7;
  const found = byId('load-generator-overloaded').evaluate(ctxOf(a));
  assert.deepEqual(found.map((f) => f.severity), ['critical', 'warning']);
});
