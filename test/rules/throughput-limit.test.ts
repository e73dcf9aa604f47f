/** Rule `throughput-limit` on fixtures (test/rules/fixture.ts: a small recorded run, one symptom planted at a time). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RULES } from '../../src/rules/catalogue.js';
import type { Rule } from '../../src/rules/types.js';
import { baseAnalysis, ctxOf } from './fixture.js';

const byId = (id: string): Rule => RULES.find((r) => r.id === id) as Rule;

test('throughput-limit: dropped iterations and a rate below the offered one', async () => {
  const a = await baseAnalysis();
  assert.equal(byId('throughput-limit').evaluate(ctxOf(a)).length, 0);
  const t = a.transactions[0]!;
  t.series = t.series.map((p) => ({ ...p, count: Math.floor(p.count / 2) }));
  t.dropped = 12;
  const [f] = byId('throughput-limit').evaluate(ctxOf(a));
  assert.equal(f!.evidence.numbers.dropped, 12);
  assert.ok(f!.evidence.numbers.achievedPerSec! < 0.9 * t.targetRatePerSec!);
});
