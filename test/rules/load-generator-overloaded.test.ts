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

test("load-generator-overloaded: an SSH injector's host CPU (injectors/<name>/monitor.jsonl) is judged on its own and named", async () => {
  const a = await baseAnalysis();
  // Two injectors: one saturated, one idle; this machine idle. Only the saturated one fires, by name.
  a.monitor = [
    monitor('injector', 'injector_host_cpu_percent', [20, 25, 30]),
    monitor('injector:10.0.0.2', 'injector_host_cpu_percent', [92, 96, 98]),
    monitor('injector:10.0.0.3', 'injector_host_cpu_percent', [40, 45, 50]),
  ];
  const rule = byId('load-generator-overloaded');
  const found = rule.evaluate(ctxOf(a));
  assert.deepEqual(found.map((f) => [f.severity, f.params.injector, f.params.value]), [['critical', '10.0.0.2', 95.3]]);
  assert.match(rule.sentence.en(found[0]!.params), /^Injector 10\.0\.0\.2's host CPU averaged 95\.3 % \(peak 98 %\)/);
  assert.match(rule.sentence.fr(found[0]!.params), /^Le CPU de l'injecteur 10\.0\.0\.2 a été en moyenne à 95\.3 %/);
});
