/** Rule `slow-own-time` on fixtures (test/rules/fixture.ts: a small recorded run, one symptom planted at a time). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RULES } from '../../src/rules/catalogue.js';
import type { Rule } from '../../src/rules/types.js';
import { baseAnalysis, ctxOf, withPhase } from './fixture.js';

const byId = (id: string): Rule => RULES.find((r) => r.id === id) as Rule;

test('slow-own-time: slow with dependencies stubbed, only in the stubbed phase', async () => {
  const a = withPhase(await baseAnalysis(), 'stubbed');
  assert.equal(byId('slow-own-time').evaluate(ctxOf(a)).length, 0);
  a.transactions[0]!.latencyMs!.p50 = 180;
  const [f] = byId('slow-own-time').evaluate(ctxOf(a));
  assert.equal(f!.evidence.numbers.sloP95Ms, 100);
  assert.equal(byId('slow-own-time').evaluate(ctxOf(withPhase(a, 'unstubbed'))).length, 0);
});

test('slow-own-time: a search four times slower than the service\'s reads by key, below any absolute limit', async () => {
  const a = withPhase(await baseAnalysis(), 'stubbed');
  const search = a.transactions[0]!;
  search.latencyMs!.p50 = 18;
  const read = structuredClone(search);
  read.name = 'read-person';
  read.latencyMs!.p50 = 3;
  a.transactions.push(read, { ...structuredClone(read), name: 'read-contract' });
  const found = byId('slow-own-time').evaluate(ctxOf(a));
  assert.deepEqual(found.map((f) => f.transaction), ['hello']);
  assert.equal(found[0]!.evidence.numbers.othersP50Ms, 3);
  search.latencyMs!.p50 = 9;
  assert.equal(byId('slow-own-time').evaluate(ctxOf(a)).length, 0);
});
