/** Rule `too-few-samples` on fixtures (test/rules/fixture.ts: a small recorded run, one symptom planted at a time). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RULES } from '../../src/rules/catalogue.js';
import type { Rule } from '../../src/rules/types.js';
import { baseAnalysis, ctxOf } from './fixture.js';

const byId = (id: string): Rule => RULES.find((r) => r.id === id) as Rule;

test('too-few-samples: a p95 SLO on fewer than 200 requests', async () => {
  const a = await baseAnalysis();
  a.durationSec = 600;
  const [f] = byId('too-few-samples').evaluate(ctxOf(a));
  assert.equal(f!.transaction, 'hello');
  assert.equal(f!.evidence.numbers.needed, 200);
  a.transactions[0]!.requests = 500;
  assert.equal(byId('too-few-samples').evaluate(ctxOf(a)).length, 0);
});
