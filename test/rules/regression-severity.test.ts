/** A p95 rise between two iterations blocks only when it also spends a share of the transaction's SLO. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareAnalyses } from '../../src/analysis/compare.js';
import type { Analysis } from '../../src/analysis/types.js';
import { CRITICAL_SLO_SHARE, regression } from '../../src/rules/regression.js';
import { baseAnalysis, ctxOf } from './fixture.js';

async function pair(beforeP95: number, afterP95: number, sloP95: number | null): Promise<{ before: Analysis; after: Analysis }> {
  const before = await baseAnalysis();
  const after = await baseAnalysis();
  for (const [a, p95] of [[before, beforeP95], [after, afterP95]] as const) {
    const t = a.transactions[0]!;
    t.requests = 400;
    t.latencyMs = { ...t.latencyMs!, p95 };
    a.slo = sloP95 === null ? [] : [{ transaction: t.name, criterion: 'p95', op: '<', limit: sloP95, actual: p95, pass: p95 < sloP95 }];
  }
  return { before, after };
}

const judge = ({ before, after }: { before: Analysis; after: Analysis }) =>
  regression.evaluate(ctxOf(after, { previous: { analysis: before, comparison: compareAnalyses(before, after) } }));

test('the demo run twice (search 16.5 → 29.4 ms, SLO 200 ms): named, a warning, not a NO-GO', async () => {
  const [f] = judge(await pair(16.5, 29.4, 200));
  assert.equal(f!.severity, 'warning');
});

test(`a rise of +50 % that spends ≥ ${CRITICAL_SLO_SHARE * 100} % of the SLO blocks; without an SLO the rise alone decides`, async () => {
  assert.equal(judge(await pair(100, 160, 200))[0]!.severity, 'critical');
  assert.equal(judge(await pair(16.5, 29.4, null))[0]!.severity, 'critical');
});
