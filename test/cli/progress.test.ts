/**
 * Progress and ETA (lib/progress.ts) on fixtures: the ETA comes from the plan — a gate's runs, a campaign's
 * phases — and what is left of the running step; lines only on a terminal or with --progress, never with -q.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatClock, progressLine, progressWanted, remainingMs, startProgress, type ProgressPlan } from '../../lib/progress.js';
import { estimateInterleavedMs, gateProgressPlan } from '../../src/gate/gate.js';
import { campaignProgressPlan, PHASE_OVERHEAD_MS } from '../../src/campaign/progress-plan.js';
import { loadModel } from '../../src/model/load.js';
import { REPO } from '../support/cli.js';
import { PUSH_MS_PER_REQUEST, pushProgressPlan, summaryRequests } from '../../src/metrics/push.js';

const plan: ProgressPlan = { title: 'campaign', steps: [{ label: 'phase stubbed', plannedMs: 60_000 }, { label: 'phase unstubbed', plannedMs: 30_000 }, { label: 'phase e2e', plannedMs: 45_000 }] };

test('remaining time: the rest of the running step (never below zero) plus the later steps', () => {
  assert.equal(remainingMs(plan, 0, 0), 135_000);
  assert.equal(remainingMs(plan, 0, 20_000), 115_000);
  assert.equal(remainingMs(plan, 1, 10_000), 65_000);
  // A step over its plan counts as done, not as negative time.
  assert.equal(remainingMs(plan, 1, 50_000), 45_000);
  assert.equal(remainingMs(plan, 2, 45_000), 0);
  assert.equal(remainingMs(plan, 3, 0), 0);
  assert.equal(formatClock(65_000), '1:05');
  assert.equal(formatClock(3_725_000), '1:02:05');
  assert.equal(formatClock(-5), '0:00');
  assert.equal(
    progressLine(plan, 1, 10_000, 70_000, new Date('2026-12-02T14:00:00Z')),
    'perfcell: campaign 2/3 · phase unstubbed · 1:10 elapsed · about 1:05 left (ETA 14:01:05 UTC)',
  );
});

test('lines only on a terminal or with --progress, never with -q', () => {
  assert.equal(progressWanted({ isTTY: true }), true);
  assert.equal(progressWanted({ isTTY: false }), false);
  assert.equal(progressWanted({ isTTY: false, progress: true }), true);
  assert.equal(progressWanted({ isTTY: true, progress: false }), false);
  assert.equal(progressWanted({ isTTY: true, progress: true, quiet: true }), false);
  const lines: string[] = [];
  const p = startProgress(plan, true, (l) => lines.push(l));
  p.step(0);
  p.step(1);
  p.stop();
  assert.deepEqual(lines.map((l) => l.replace(/ · \d+:\d\d elapsed.*/, '')), ['perfcell: campaign 1/3 · phase stubbed', 'perfcell: campaign 2/3 · phase unstubbed']);
  assert.match(lines[1] as string, /about 1:15 left/);
  const none: string[] = [];
  const off = startProgress(plan, false, (l) => none.push(l));
  off.step(0);
  off.stop();
  assert.deepEqual(none, []);
});

test('the gate\'s plan: its runs in their order (A B, B A, …); their sum is the estimate it prints', () => {
  const g = gateProgressPlan('interleaved', 10_000, 4);
  assert.deepEqual(g.steps.map((s) => s.label), ['pair 1 baseline', 'pair 1 candidate', 'pair 2 candidate', 'pair 2 baseline', 'pair 3 baseline', 'pair 3 candidate', 'pair 4 candidate', 'pair 4 baseline']);
  assert.equal(remainingMs(g, 0, 0), estimateInterleavedMs(4, 10_000));
  assert.deepEqual(gateProgressPlan('baseline', 10_000).steps.length, 1);
  assert.equal(remainingMs(gateProgressPlan('baseline', 10_000), 0, 0), estimateInterleavedMs(1, 10_000) / 2);
});

test('the campaign\'s plan: each phase\'s profile duration (ramp included) plus the phase\'s measured overhead', () => {
  // The reference model: smoke 10 s, nominal 1 min ramp + 10 min.
  const loaded = loadModel(`${REPO}load-models/grc-person.yaml`);
  const c = campaignProgressPlan(loaded.model, loaded.file, [
    { phase: 'stubbed', stubbed: [], real: [], profile: 'smoke', environment: undefined },
    { phase: 'e2e', stubbed: [], real: [], profile: 'nominal', environment: undefined },
  ]);
  assert.deepEqual(c.steps.map((s) => [s.label, s.plannedMs]), [
    ['phase stubbed (profile smoke)', 10_000 + PHASE_OVERHEAD_MS.stubbed],
    ['phase e2e (profile nominal)', 660_000 + PHASE_OVERHEAD_MS.e2e],
  ]);
});

test('the push\'s plan: each k6 output\'s requests (its k6 summary) at the measured push cost per request', () => {
  assert.equal(summaryRequests(`${REPO}test/fixtures/runs/basic-smoke/summary.json`), 25);
  assert.equal(summaryRequests(`${REPO}test/fixtures/runs/basic-smoke/no-such-summary.json`), 0);
  const p = pushProgressPlan([{ label: 'injector a', requests: 1_000_000 }, { label: 'injector b', requests: 500_000 }]);
  assert.deepEqual(p.steps.map((s) => s.label), ['injector a (1000000 requests)', 'injector b (500000 requests)']);
  // 1 M requests: the 150.5 s docs/benchmarks.md measured.
  assert.equal(Math.round(remainingMs(p, 0, 0)), Math.round(1_500_000 * PUSH_MS_PER_REQUEST));
  assert.equal(Math.round(remainingMs(p, 1, 0)), 75_250);
});
