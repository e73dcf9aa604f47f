/** Rule `web-vitals` on fixtures (test/rules/fixture.ts: a small recorded run, one symptom planted at a time). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RULES } from '../../src/rules/catalogue.js';
import type { Rule } from '../../src/rules/types.js';
import { baseAnalysis, ctxOf } from './fixture.js';

const byId = (id: string): Rule => RULES.find((r) => r.id === id) as Rule;

test('web-vitals: LCP p75 "poor" is critical, CLS "needs improvement" a warning, good ones silent', async () => {
  const a = await baseAnalysis();
  a.webVitals = [
    { metric: 'lcp', count: 50, p75: 4200, p95: 5000, unit: 'ms' },
    { metric: 'cls', count: 50, p75: 0.15, p95: 0.3, unit: '' },
    { metric: 'fcp', count: 50, p75: 900, p95: 1200, unit: 'ms' },
  ];
  const found = byId('web-vitals').evaluate(ctxOf(a));
  assert.deepEqual(found.map((f) => [f.params.vital, f.severity]), [['LCP', 'critical'], ['CLS', 'warning']]);
});
