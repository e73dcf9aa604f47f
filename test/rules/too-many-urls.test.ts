/** Rule `too-many-urls` on fixtures (test/rules/fixture.ts: a small recorded run, one symptom planted at a time). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RULES } from '../../src/rules/catalogue.js';
import type { Rule } from '../../src/rules/types.js';
import { baseAnalysis, ctxOf } from './fixture.js';

const byId = (id: string): Rule => RULES.find((r) => r.id === id) as Rule;

test('too-many-urls: more than 20 distinct request names', async () => {
  const a = await baseAnalysis();
  assert.equal(byId('too-many-urls').evaluate(ctxOf(a)).length, 0);
  a.transactions[0]!.distinctNames = 250;
  assert.equal(byId('too-many-urls').evaluate(ctxOf(a))[0]!.evidence.numbers.distinctNames, 250);
});
