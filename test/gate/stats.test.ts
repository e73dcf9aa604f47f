/** The gate's rank tests and estimators: exact values on small samples, error rates on seeded synthetic data. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  hodgesLehmannCenter,
  hodgesLehmannShift,
  holmAdjust,
  mannWhitneyGreater,
  median,
  midRanks,
  normalCdf,
  wilcoxonSignedRankGreater,
} from '../../src/gate/stats.js';
import { normal, seededRandom } from './synthetic.js';

const close = (actual: number, expected: number, tol: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} is not within ${tol} of ${expected}`);

test('normal CDF matches tabulated values', () => {
  close(normalCdf(0), 0.5, 1e-7, 'Φ(0)');
  close(normalCdf(1.959964), 0.975, 1e-6, 'Φ(1.96)');
  close(normalCdf(-1.644854), 0.05, 1e-6, 'Φ(-1.645)');
});

test('mid-ranks share ties and count them for the variance correction', () => {
  const { ranks, tieTerm } = midRanks([10, 20, 20, 30]);
  assert.deepEqual(ranks, [1, 2.5, 2.5, 4]);
  assert.equal(tieTerm, 6); // one group of 2: 2³ − 2
});

test('Mann–Whitney exact: complete separation of 3 vs 3 gives p = 1/C(6,3)', () => {
  const r = mannWhitneyGreater([1, 2, 3], [4, 5, 6]);
  assert.equal(r.exact, true);
  assert.equal(r.statistic, 9);
  close(r.pValue, 1 / 20, 1e-12, 'p');
  assert.equal(mannWhitneyGreater([4, 5, 6], [1, 2, 3]).pValue, 1, 'a faster candidate is never significant');
});

test('Mann–Whitney exact: one overlap in 4 vs 4 (U = 15 of 16) gives p = 2/70', () => {
  const r = mannWhitneyGreater([1, 2, 3, 5], [4, 6, 7, 8]);
  assert.equal(r.statistic, 15);
  close(r.pValue, 2 / 70, 1e-12, 'p');
});

test('Mann–Whitney normal approximation (ties) is close to the exact tail where both apply', () => {
  const random = seededRandom(7);
  const z = normal(random);
  const a = Array.from({ length: 25 }, () => z());
  const b = Array.from({ length: 25 }, () => z() + 0.5);
  const exact = mannWhitneyGreater(a, b);
  // A duplicated value forces the tie-corrected approximation on nearly the same data.
  const approx = mannWhitneyGreater([...a.slice(0, 24), a[0] as number], b);
  assert.equal(exact.exact, true);
  assert.equal(approx.exact, false);
  close(approx.pValue, exact.pValue, 0.01, 'approximate vs exact p');
});

test('Wilcoxon exact: all 5 differences positive gives p = 1/32; one negative smallest gives 2/32', () => {
  const all = wilcoxonSignedRankGreater([0.1, 0.2, 0.3, 0.4, 0.5]);
  assert.equal(all.statistic, 15);
  close(all.pValue, 1 / 32, 1e-12, 'p');
  const one = wilcoxonSignedRankGreater([-0.1, 0.2, 0.3, 0.4, 0.5]);
  assert.equal(one.statistic, 14);
  close(one.pValue, 2 / 32, 1e-12, 'p');
});

test('Wilcoxon with ties uses the corrected normal approximation (R: V = 15, p = 0.02838)', () => {
  const r = wilcoxonSignedRankGreater([1, 1, 2, 2, 3]);
  assert.equal(r.exact, false);
  close(r.pValue, 0.02838, 2e-4, 'p');
});

test('Wilcoxon drops zero differences; all zero means nothing to test', () => {
  assert.equal(wilcoxonSignedRankGreater([0, 0, 0]).pValue, 1);
  assert.equal(wilcoxonSignedRankGreater([0, 0.1, 0.2, 0.3, 0.4, 0.5]).n, 5);
});

test('Hodges–Lehmann estimators recover a known shift and centre', () => {
  assert.equal(hodgesLehmannShift([1, 2, 3], [11, 12, 13]), 10);
  assert.equal(hodgesLehmannCenter([1, 2, 3]), 2);
  assert.equal(median([3, 1, 2, 10]), 2.5);
});

test('on seeded data, both one-sided tests keep their level under H0 and find a 1-sigma shift', () => {
  const random = seededRandom(2026);
  const z = normal(random);
  const trials = 400;
  let mwFalse = 0;
  let wFalse = 0;
  let mwFound = 0;
  let wFound = 0;
  for (let i = 0; i < trials; i++) {
    const a = Array.from({ length: 12 }, () => z());
    const b = Array.from({ length: 12 }, () => z());
    if (mannWhitneyGreater(a, b).pValue < 0.05) mwFalse++;
    if (wilcoxonSignedRankGreater(b.map((x, j) => x - (a[j] as number))).pValue < 0.05) wFalse++;
    const shifted = b.map((x) => x + 1);
    if (mannWhitneyGreater(a, shifted).pValue < 0.05) mwFound++;
    if (wilcoxonSignedRankGreater(shifted.map((x, j) => x - (a[j] as number))).pValue < 0.05) wFound++;
  }
  // Level 5 %: allow sampling error of 400 trials (± ~2.2 points at 2 sigma).
  assert.ok(mwFalse / trials <= 0.075, `Mann–Whitney false alarms ${mwFalse}/${trials}`);
  assert.ok(wFalse / trials <= 0.075, `Wilcoxon false alarms ${wFalse}/${trials}`);
  // Theory: a t-test has power ≈ 0.75 here (non-centrality 1·√6); rank tests keep ≈ 95 % of its efficiency.
  assert.ok(mwFound / trials >= 0.65, `Mann–Whitney power ${mwFound}/${trials}`);
  assert.ok(wFound / trials >= 0.65, `Wilcoxon power ${wFound}/${trials}`);
});

test('Holm adjustment: step-down multipliers, monotone, capped at 1, order kept', () => {
  assert.deepEqual(holmAdjust([0.01, 0.04, 0.03]), [0.03, 0.06, 0.06]);
  assert.deepEqual(holmAdjust([0.5, 0.4]), [0.8, 0.8]);
  assert.deepEqual(holmAdjust([0.02]), [0.02]);
  assert.deepEqual(holmAdjust([0.6, 0.01]), [0.6, 0.02]);
});
