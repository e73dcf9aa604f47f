/** A p95 rise between two iterations blocks only when it also spends a share of the transaction's SLO. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareAnalyses } from '../../src/analysis/compare.js';
import type { Analysis } from '../../src/analysis/types.js';
import { CRITICAL_SLO_SHARE, regression } from '../../src/rules/regression.js';
import { baseAnalysis, ctxOf } from './fixture.js';

type Ci = { low: number; high: number | null };

/** Each side's p95 with its 95 % interval: ±5 % by default (400 requests), or as given. */
async function pair(beforeP95: number, afterP95: number, sloP95: number | null, cis?: [Ci, Ci], beforeMax?: number): Promise<{ before: Analysis; after: Analysis }> {
  const before = await baseAnalysis();
  const after = await baseAnalysis();
  for (const [i, [a, p95]] of ([[before, beforeP95], [after, afterP95]] as const).entries()) {
    const t = a.transactions[0]!;
    t.requests = 400;
    t.latencyMs = { ...t.latencyMs!, p95, p95Ci: cis?.[i] ?? { low: p95 * 0.95, high: p95 * 1.05 }, ...(i === 0 && beforeMax !== undefined ? { max: beforeMax } : {}) };
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

test('the demo run five times (browser journey 102.4 → 167.1 ms, +63 %, no SLO, 60 journeys): the p95 of 60 is not bounded above, so a warning', async () => {
  // The measured intervals (60 samples: from about the 54th value, unbounded above) and before's largest journey.
  assert.equal(judge(await pair(102.4, 167.1, null, [{ low: 84.1, high: null }, { low: 123.3, high: null }], 181.1))[0]!.severity, 'warning');
  // Few samples but a clean shift: every after interval above before's largest value blocks (the report fixture: 26 requests, 33.8 → 69.9 ms).
  assert.equal(judge(await pair(33.8, 69.9, null, [{ low: 31.8, high: null }, { low: 64.4, high: null }], 34.4))[0]!.severity, 'critical');
  // The same rise measured on enough journeys that the intervals separate blocks.
  assert.equal(judge(await pair(102.4, 167.1, null, [{ low: 98, high: 110 }, { low: 155, high: 180 }]))[0]!.severity, 'critical');
  // Overlapping intervals: not beyond noise.
  assert.equal(judge(await pair(102.4, 167.1, null, [{ low: 90, high: 150 }, { low: 120, high: 200 }]))[0]!.severity, 'warning');
});

test('analyses written before the p95 intervals existed keep the previous rule', async () => {
  const p = await pair(100, 160, 200);
  for (const a of [p.before, p.after]) delete a.transactions[0]!.latencyMs!.p95Ci;
  assert.equal(judge(p)[0]!.severity, 'critical');
});
