/**
 * Duet mode's pure parts on fixtures: the routing of iterations to A or B, the k6 options of a duet run,
 * the window layout and pairing, the verdict on duet pairs, and the shared-load check.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { duetSide } from '../../src/scenario/duet-side.js';
import { duetCompiled } from '../../src/run/duet.js';
import { compile } from '../../src/model/compile.js';
import { loadModel } from '../../src/model/load.js';
import { DUET_TAIL_MS, duetDurationMs, duetLayout, duetWindowIndex, pairDuetWindows, sharedLoadOf } from '../../src/gate/duet.js';
import { DEFAULT_THRESHOLDS, judgeTransaction, type WindowPair } from '../../src/gate/verdict.js';
import { PerfcellError } from '../../src/errors.js';
import { seededRandom, windows } from './synthetic.js';

const MODEL = 'test/gate/fixtures/duet.yaml';

test('alternate order: A B A B … exactly, in the order k6 starts the iterations', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5].map((i) => duetSide('alternate', 7, 'hello', i)), ['A', 'B', 'A', 'B', 'A', 'B']);
});

test('random order: seeded (same seed, same sides), about half each, and not the same draw for two transactions', () => {
  const draw = (seed: number, scenario: string) => Array.from({ length: 10_000 }, (_, i) => duetSide('random', seed, scenario, i));
  const a = draw(1, 'hello');
  assert.deepEqual(draw(1, 'hello'), a);
  const shareA = a.filter((s) => s === 'A').length / a.length;
  // Binomial(10 000, ½): 4 standard deviations are ±2 %.
  assert.ok(Math.abs(shareA - 0.5) < 0.02, `A got ${shareA}`);
  const agree = (x: string[], y: string[]) => x.filter((s, i) => s === y[i]).length / x.length;
  assert.ok(Math.abs(agree(a, draw(2, 'hello')) - 0.5) < 0.02, 'another seed draws independently');
  assert.ok(Math.abs(agree(a, draw(1, 'goodbye')) - 0.5) < 0.02, 'another transaction draws independently');
  // No run of one side longer than a fair coin would give in 10 000 draws (≈ log2 10 000 ≈ 13, rarely above 20).
  let longest = 0;
  for (let i = 0, run = 0; i < a.length; i++) longest = Math.max(longest, (run = i > 0 && a[i] === a[i - 1] ? run + 1 : 1));
  assert.ok(longest < 25, `longest run ${longest}`);
});

test('duet k6 options: each side gets the profile rate (scenario rate and VUs doubled), the duet duration, both URL sets', () => {
  const loaded = loadModel(MODEL);
  const env = { name: 'local', env: { ...loaded.model.environments.local!, targets: { app: 'http://127.0.0.1:9002' } } };
  const single = compile({ model: loaded.model, file: loaded.file, profile: 'duet', environment: env, phase: 'unstubbed', runId: 'r', iteration: 1 });
  const duet = duetCompiled(single, { order: 'random', seed: 9, baselineTargets: { app: 'http://127.0.0.1:9001/' }, durationMs: 10_500 }, { file: loaded.file, profile: 'duet' }, env.env.targets);
  const s = duet.options.scenarios.hello!;
  const one = single.options.scenarios.hello!;
  assert.equal(s.rate, 2 * one.rate!);
  assert.equal(s.preAllocatedVUs, 2 * one.preAllocatedVUs!);
  assert.equal(s.duration, '10500ms');
  assert.equal(duet.durationMs, 10_500);
  assert.equal(duet.transactions[0]?.peakRatePerSec, 2 * single.transactions[0]!.peakRatePerSec);
  assert.deepEqual(JSON.parse(duet.env.PERFCELL_DUET!), { order: 'random', seed: 9, a: { TARGET_APP: 'http://127.0.0.1:9001' }, b: { TARGET_APP: 'http://127.0.0.1:9002' } });
  assert.equal(duet.env.TARGET_APP, 'http://127.0.0.1:9002');
  assert.equal(single.env.PERFCELL_DUET, undefined, 'the single run is not touched');
});

test('duet k6 options: a profile that is not constant is refused, naming the file and the profile', () => {
  const loaded = loadModel(MODEL);
  const env = { name: 'local', env: loaded.model.environments.local! };
  const ramp = compile({ model: loaded.model, file: loaded.file, profile: 'ramp', environment: env, phase: 'unstubbed', runId: 'r', iteration: 1 });
  assert.throws(
    () => duetCompiled(ramp, { order: 'alternate', seed: 1, baselineTargets: {}, durationMs: 5000 }, { file: loaded.file, profile: 'ramp' }, env.env.targets),
    (e: unknown) => e instanceof PerfcellError && /duet\.yaml: profiles\.ramp: .*a constant profile/.test(e.message),
  );
});

test('window layout: whole windows after the warm-up only, at most the number asked for', () => {
  assert.equal(duetDurationMs(8, 1000, 500), 500 + 8000 + DUET_TAIL_MS);
  const layout = duetLayout(10_000, 10_000 + 9_400, 500, 1000, 8);
  assert.equal(layout.count, 8);
  assert.equal(duetLayout(10_000, 10_000 + 5_400, 500, 1000, 8).count, 4, 'a short run gives fewer windows, never a partial one');
  assert.equal(duetWindowIndex(10_000 + 499, layout), -1, 'warm-up');
  assert.equal(duetWindowIndex(10_000 + 500, layout), 0);
  assert.equal(duetWindowIndex(10_000 + 1_499, layout), 0);
  assert.equal(duetWindowIndex(10_000 + 1_500, layout), 1);
  assert.equal(duetWindowIndex(10_000 + 8_499, layout), 7);
  assert.equal(duetWindowIndex(10_000 + 8_500, layout), -1, 'after the last whole window');
});

test('pairing: one pair per window, A as the baseline; a side without requests is an empty window the verdict leaves out', () => {
  const w = (p95Ms: number) => ({ requests: 50, errors: 0, p95Ms });
  const pairs = pairDuetWindows([w(10), undefined, w(12)], [w(11), w(20), undefined], 3);
  assert.equal(pairs.length, 3);
  assert.equal(pairs[0]?.baseline.p95Ms, 10);
  assert.equal(pairs[0]?.candidate.p95Ms, 11);
  assert.equal(pairs[1]?.baseline.requests, 0);
  assert.equal(pairs[2]?.candidate.requests, 0);
});

/** Duet pairs: a noise shared by A and B of each window (the machine), and a small noise of each side. */
function duetPairs(n: number, p95Ms: number, slowdown: number, seed: number, shared = 0.3, own = 0.03, errorB = 0): WindowPair[] {
  const random = seededRandom(seed);
  const machine = windows(n, 1, shared, random);
  const a = windows(n, p95Ms, own, random);
  const b = windows(n, p95Ms * (1 + slowdown), own, random, errorB);
  return machine.map((m, i) => ({ baseline: { ...a[i]!, p95Ms: a[i]!.p95Ms * m.p95Ms }, candidate: { ...b[i]!, p95Ms: b[i]!.p95Ms * m.p95Ms } }));
}

test('duet verdict: a shared ±30 % machine noise cancels in the window ratios — A/A passes, +25 % on 40 ms fails, errors fail on errors', () => {
  const judge = (pairs: WindowPair[]) => judgeTransaction({ mode: 'duet', transaction: 'hello', slo: {}, candidateTotal: { p50Ms: 1, p90Ms: 1, p95Ms: 1, p99Ms: 1, errorRate: 0 }, pairs }, DEFAULT_THRESHOLDS);
  for (let seed = 1; seed <= 5; seed++) assert.notEqual(judge(duetPairs(12, 40, 0, seed)).status, 'regression', `A/A seed ${seed}`);
  const slow = judge(duetPairs(12, 40, 0.25, 1));
  assert.equal(slow.status, 'regression');
  assert.ok(Math.abs((slow.p95?.effect ?? 0) - 0.25) < 0.05, `effect ${slow.p95?.effect}`);
  assert.equal(slow.p95?.test, 'wilcoxon');
  const errors = judge(duetPairs(12, 40, 0, 1, 0.3, 0.03, 0.05));
  assert.equal(errors.errorRate?.status, 'regression');
  assert.notEqual(errors.p95?.status, 'regression');
});

test('shared load: both sides materially slower than the stored run is detected; one side only, or none, is not', () => {
  const t = DEFAULT_THRESHOLDS;
  const both = sharedLoadOf(40, duetPairs(12, 60, 0, 3, 0.02, 0.03), t);
  assert.equal(both?.detected, true);
  assert.ok(Math.abs((both?.a.effect ?? 0) - 0.5) < 0.05 && Math.abs((both?.b.effect ?? 0) - 0.5) < 0.05, JSON.stringify(both));
  assert.equal(sharedLoadOf(40, duetPairs(12, 40, 0.5, 3, 0.02, 0.03), t)?.detected, false, 'only B slower: a regression for the ratio, not a shared load');
  assert.equal(sharedLoadOf(40, duetPairs(12, 40, 0, 3, 0.02, 0.03), t)?.detected, false);
  assert.equal(sharedLoadOf(2, duetPairs(12, 2.6, 0, 3, 0.02, 0.03), t)?.detected, false, '+30 % of 2 ms is under the 2 ms floor');
  assert.equal(sharedLoadOf(Number.NaN, duetPairs(12, 40, 0, 3), t), null, 'no stored figure: nothing to check');
});
