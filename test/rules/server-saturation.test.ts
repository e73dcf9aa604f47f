/** Rule `server-saturation` on fixtures (test/rules/fixture.ts: a small recorded run, one symptom planted at a time). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RULES } from '../../src/rules/catalogue.js';
import type { Rule } from '../../src/rules/types.js';
import { baseAnalysis, ctxOf, monitor } from './fixture.js';

const byId = (id: string): Rule => RULES.find((r) => r.id === id) as Rule;

test('server-saturation: CPU, event-loop lag and DB pool waits from the monitor', async () => {
  const a = await baseAnalysis();
  a.monitor = [
    monitor('target:grc', 'process_cpu_seconds_total', [0.95, 0.97, 0.99]),
    monitor('target:grc', 'nodejs_eventloop_lag_p99_seconds', [0.01, 0.25, 0.02]),
    monitor('target:grc', 'nodejs_eventloop_lag_seconds', [0.01, 0.2, 0.02]),
    monitor('target:billing', 'db_pool_connections', [0, 3, 1], 'service=billing,state=waiting'),
  ];
  // The reference target exports db_pool_connections{state}: only the "waiting" state is a wait.
  const found = byId('server-saturation').evaluate(ctxOf(a));
  assert.equal(found.length, 3);
  assert.ok(found.some((f) => f.evidence.numbers.poolWaitingMax === 3));
  a.monitor = [monitor('target:grc', 'process_cpu_seconds_total', [0.2, 0.3]), monitor('target:billing', 'db_pool_connections', [5, 5], 'state=idle')];
  assert.equal(byId('server-saturation').evaluate(ctxOf(a)).length, 0);
});
