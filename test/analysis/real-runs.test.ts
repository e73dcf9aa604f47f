/**
 * Real k6 runs (short, loopback) against the tiny target: the analyzer agrees with k6's own summary, with
 * errors too, and a stepped profile yields one capacity step per step.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { analyzeRun } from '../../src/analysis/analyze.js';
import { runRules } from '../../src/rules/catalogue.js';
import { comparePhases } from '../../src/analysis/phases.js';
import { executeRun } from '../../src/run/execute.js';
import { startTinyTarget, type TinyTarget } from '../support/tiny-target.js';
import { assertAgreesWithK6 } from './k6-agreement.js';

const MODEL = 'test/fixtures/analysis/analysis.yaml';
let target: TinyTarget;
let scratch: string;

before(async () => {
  target = await startTinyTarget(0, 5);
  scratch = mkdtempSync(join(tmpdir(), 'perfcell-analysis-'));
});
after(async () => {
  await target.close();
});

test('stress profile (3 steps × 3 s): counts and percentiles agree with k6; one capacity step per step, each achieved', { timeout: 60_000 }, async () => {
  const out = join(scratch, 'stress');
  await executeRun({ model: MODEL, profile: 'stress', out, env: 'analysis-only', quiet: true, targetOverrides: { app: target.url }, log: () => {} });
  const a = await analyzeRun(out);
  assertAgreesWithK6(a, out);
  assert.equal(a.incomplete, false);
  const [c] = a.capacity;
  assert.ok(c, 'capacity computed on a stepped profile');
  assert.deepEqual(c.steps.map((s) => s.offeredPerSec), [10, 20, 40]);
  for (const s of c.steps) assert.ok(Math.abs(s.achievedPerSec / s.offeredPerSec - 1) < 0.15, `step ${s.offeredPerSec}/s achieved ${s.achievedPerSec}`);
  assert.equal(c.kneeStep, null);
  assert.equal(c.maxSustainablePerSec, 40);
  assert.equal(c.modelPeakPerSec, 20);
  assert.equal(c.headroom, 1);
});

test('a target that dies mid-run: errors counted as k6 counts them, by kind, in the right windows', { timeout: 60_000 }, async () => {
  const dying = await startTinyTarget(0, 2);
  const out = join(scratch, 'dying');
  const timer = setTimeout(() => void dying.close(), 2500);
  try {
    await executeRun({ model: MODEL, profile: 'steady', out, env: 'analysis-only', quiet: true, targetOverrides: { app: dying.url }, log: () => {} });
  } finally {
    clearTimeout(timer);
    await dying.close();
  }
  const a = await analyzeRun(out);
  assertAgreesWithK6(a, out);
  const t = a.transactions[0]!;
  assert.ok(t.errors > 20, `${t.errors} errors`);
  assert.equal(t.errorsByKind['connection-refused'], t.errors);
  const firstError = t.series.find((p) => p.errors > 0)!;
  assert.ok(firstError.t - a.startMs >= 1500, 'no error before the target closed');
  const recs = runRules({ analysis: a, phases: [a], phaseComparison: comparePhases([a]), previous: null });
  const burst = recs.find((r) => r.ruleId === 'error-burst')!;
  assert.equal(burst.severity, 'critical');
  assert.match(burst.text.en, /connection-refused/);
  assert.ok(recs.some((r) => r.ruleId === 'slo-broken' && /errorRate/.test(r.text.en)));
});
