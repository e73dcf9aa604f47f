import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alignStart, capacityOf, expectedArrivals, findKnee, fitUsl, uslThroughput } from '../../src/analysis/capacity.js';
import type { StepCapacity } from '../../src/analysis/types.js';

const step = (offered: number, achieved: number, p95: number, dropped = 0): StepCapacity => ({
  multiplier: offered / 10, offeredPerSec: offered, achievedPerSec: achieved, dropped, p95Ms: p95, errorRate: 0, concurrency: achieved * 0.05, fromMs: 0, toMs: 60_000,
});

test('knee: the first step that misses its rate, drops iterations, or breaks the p95 SLO', () => {
  assert.deepEqual(findKnee([step(10, 10, 20), step(20, 18, 25)], 100), { index: 1, reason: 'rate-not-achieved' });
  assert.deepEqual(findKnee([step(10, 10, 20), step(20, 20, 25, 50)], 100), { index: 1, reason: 'dropped-iterations' });
  assert.deepEqual(findKnee([step(10, 10, 20), step(20, 20, 120)], 100), { index: 1, reason: 'p95-over-slo' });
  assert.deepEqual(findKnee([step(10, 10, 20), step(20, 20, 120)], null), { index: null, reason: null });
});

test('max sustainable rate and headroom over the model peak', () => {
  const c = capacityOf('t', [step(5, 5, 10), step(10, 10, 12), step(15, 15, 20), step(20, 16, 300)], 10, 100, 0.3);
  assert.equal(c.kneeStep, 3);
  assert.equal(c.maxSustainablePerSec, 15);
  assert.ok(Math.abs(c.headroom! - 0.5) < 1e-12);
  const none = capacityOf('t', [step(5, 4, 10), step(10, 6, 12)], 10, 100, 0.3);
  assert.equal(none.maxSustainablePerSec, null);
  assert.equal(none.headroom, null);
});

test('USL fit recovers the peak of a known curve', () => {
  const truth = { sigma: 0.05, kappa: 0.002, lambda: 100 };
  const points = [1, 2, 4, 8, 12, 16, 24, 32].map((n) => ({ n, x: uslThroughput(n, truth) }));
  const fit = fitUsl(points)!;
  const truePeakN = Math.sqrt((1 - truth.sigma) / truth.kappa);
  const truePeakX = uslThroughput(truePeakN, truth);
  assert.ok(Math.abs(fit.peakThroughputPerSec / truePeakX - 1) < 0.05, `${fit.peakThroughputPerSec} vs ${truePeakX}`);
  assert.equal(fitUsl(points.slice(0, 2)), null);
});

test('the test start is found by sliding the planned timeline over the observed counts', () => {
  const timeline = [
    { fromMultiplier: 0, toMultiplier: 1, durationMs: 300 },
    { fromMultiplier: 1, toMultiplier: 1, durationMs: 2700 },
    { fromMultiplier: 1, toMultiplier: 2, durationMs: 300 },
    { fromMultiplier: 2, toMultiplier: 2, durationMs: 2700 },
  ];
  assert.ok(Math.abs(expectedArrivals(timeline, 10, 0, 6000) - (1.5 + 27 + 4.5 + 54)) < 1e-9);
  // Observed: arrivals of a test that really started at 10 400 ms, in 1 s windows.
  const trueStart = 10_400;
  const counts = Array.from({ length: 7 }, (_, i) => {
    const t = 10_000 + i * 1000;
    return { t, count: Math.round(expectedArrivals(timeline, 10, t - trueStart, t + 1000 - trueStart)) };
  });
  // The first sample came 700 ms late: the guess is wrong, the alignment is not.
  assert.ok(Math.abs(alignStart(counts, 1000, timeline, 10, trueStart + 700) - trueStart) <= 100);
});
