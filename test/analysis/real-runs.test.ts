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
import { withRunHooks } from '../../src/side-channels/defaults.js';

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
  await executeRun({ model: MODEL, profile: 'stress', out, env: 'analysis-only', quiet: true, targetOverrides: { app: target.url }, log: () => {}, sideChannels: withRunHooks() });
  const a = await analyzeRun(out);
  assertAgreesWithK6(a, out);
  assert.equal(a.incomplete, false);
  const [c] = a.capacity;
  assert.ok(c, 'capacity computed on a stepped profile');
  assert.deepEqual(c.steps.map((s) => s.offeredPerSec), [10, 20, 40]);
  assert.equal(c.modelPeakPerSec, 20);
  const detail = JSON.stringify(c.steps.map((s) => [s.offeredPerSec, s.achievedPerSec, s.dropped, s.p95Ms]));
  // Each step's achieved rate is measured from its own windows: on a loopback target the rate goes through.
  for (const s of c.steps) assert.ok(Math.abs(s.achievedPerSec / s.offeredPerSec - 1) < 0.2, detail);
  // The knee, when the shared machine makes one, is the first step that misses a criterion, and the figures follow from it.
  const held = c.kneeStep === null ? c.steps : c.steps.slice(0, c.kneeStep);
  assert.equal(c.maxSustainablePerSec, held.length ? held[held.length - 1]!.offeredPerSec : null, detail);
  if (c.maxSustainablePerSec !== null) assert.equal(c.headroom, c.maxSustainablePerSec / 20 - 1);
  if (c.kneeStep === null) assert.equal(c.maxSustainablePerSec, 40);
});

test('a target that dies mid-run: errors counted as k6 counts them, by kind, in the right windows', { timeout: 60_000 }, async () => {
  const dying = await startTinyTarget(0, 2);
  const out = join(scratch, 'dying');
  // The target dies after 40 requests (pre-flight included), about 2 s into the 20/s run, whatever the machine's pace.
  let closing: Promise<void> | undefined;
  const watch = setInterval(() => {
    if (!closing && dying.hits() >= 40) closing = dying.close();
  }, 10);
  try {
    await executeRun({ model: MODEL, profile: 'steady', out, env: 'analysis-only', quiet: true, targetOverrides: { app: dying.url }, log: () => {}, sideChannels: withRunHooks() });
  } finally {
    clearInterval(watch);
    await (closing ?? dying.close());
  }
  const a = await analyzeRun(out);
  assertAgreesWithK6(a, out);
  const t = a.transactions[0]!;
  assert.ok(t.errors > 20, `${t.errors} errors`);
  // Requests in flight when the target closed its connections are resets; every later one is refused.
  const refused = t.errorsByKind['connection-refused'] ?? 0;
  assert.equal(refused + (t.errorsByKind['connection-reset'] ?? 0), t.errors, JSON.stringify(t.errorsByKind));
  assert.ok(refused >= t.errors - 5, JSON.stringify(t.errorsByKind));
  assert.ok(t.requests - t.errors >= 35 && t.requests - t.errors <= 40, `${t.requests - t.errors} successes before the target died`);
  // Once the target is gone every request of every later window fails.
  const first = t.series.findIndex((p) => p.errors > 0);
  for (const p of t.series.slice(first + 1)) assert.equal(p.errors, p.count);
  const recs = runRules({ analysis: a, phases: [a], phaseComparison: comparePhases([a]), previous: null });
  const burst = recs.find((r) => r.ruleId === 'error-burst')!;
  assert.equal(burst.severity, 'critical');
  assert.match(burst.text.en, /connection-refused/);
  assert.ok(recs.some((r) => r.ruleId === 'slo-broken' && /errorRate/.test(r.text.en)));
});
