import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quantileRankInterval } from '../../src/analysis/quantile-ci.js';

test('order-statistic ranks of the median of 20 samples: the textbook 6th and 15th (coverage 95.9 %)', () => {
  // Binomial(20, 0.5): P(B ≤ 5) = 0.0207 ≤ 0.025 and P(B ≤ 14) = 0.9793 ≥ 0.975.
  assert.deepEqual(quantileRankInterval(20, 0.5), { low: 6, high: 15 });
});

test('a p95 of 60 samples cannot be bounded above (the interval passes the largest); of 72 it can', () => {
  // P(B ≤ 59) = 1 − 0.95^60 = 0.954 < 0.975: no rank up to 60 covers the upper side.
  assert.equal(quantileRankInterval(60, 0.95).high, null);
  assert.equal(quantileRankInterval(72, 0.95).high, 72);
  const { low } = quantileRankInterval(60, 0.95);
  assert.ok(low >= 52 && low <= 55, `low rank ${low}`);
});

test('coverage holds by simulation: the true p95 of an exponential lies inside the interval ≥ 95 % of the time', () => {
  // mulberry32: a seeded 32-bit generator (integer arithmetic through Math.imul, no precision loss).
  let seed = 7;
  const rand = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const truth = -Math.log(0.05);
  for (const n of [100, 400, 2000]) {
    const { low, high } = quantileRankInterval(n, 0.95);
    let inside = 0;
    const trials = 2000;
    for (let t = 0; t < trials; t++) {
      const xs = Array.from({ length: n }, () => -Math.log(1 - rand())).sort((a, b) => a - b);
      if ((xs[low - 1] as number) <= truth && truth <= (xs[(high as number) - 1] as number)) inside++;
    }
    assert.ok(inside / trials >= 0.94, `n=${n}: coverage ${inside / trials}`);
    assert.ok(inside / trials <= 0.99, `n=${n}: interval needlessly wide, coverage ${inside / trials}`);
  }
});

test('bad input is refused', () => {
  assert.throws(() => quantileRankInterval(0, 0.95), /n ≥ 1/);
  assert.throws(() => quantileRankInterval(10, 1), /0 < q < 1/);
});

test("a run's latency stats carry the p95 interval read from its histogram at the interval's ranks", async () => {
  const { newPool, latencyStats, toMicros } = await import('../../src/analysis/histogram.js');
  const pool = await newPool();
  const h = pool.create('total');
  const values = Array.from({ length: 1000 }, (_, i) => i + 1); // 1..1000 ms: the k-th smallest is k ms
  for (const v of values) h.recordValue(toMicros(v));
  const s = latencyStats(h, values.reduce((a, b) => a + b, 0), 1, 1000)!;
  const { low, high } = quantileRankInterval(1000, 0.95);
  // Within the histogram's 3 significant digits.
  assert.ok(Math.abs(s.p95Ci!.low - low) <= 1, `${s.p95Ci!.low} vs rank ${low}`);
  assert.ok(Math.abs((s.p95Ci!.high as number) - (high as number)) <= 1, `${s.p95Ci!.high} vs rank ${high}`);
  assert.ok(s.p95Ci!.low < s.p95 && s.p95 < (s.p95Ci!.high as number));
  pool.destroyAll();
});
