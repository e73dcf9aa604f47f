/** The verdict rules on seeded synthetic windows: thresholds, warn band, SLOs, missing data, exit codes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_THRESHOLDS,
  GATE_EXIT,
  checkSlo,
  classify,
  compareUnpaired,
  comparePaired,
  gateVerdict,
  judgeTransaction,
  judgeTransactions,
  type TransactionInput,
  type TransactionVerdict,
  type WindowFigures,
  type WindowPair,
} from '../../src/gate/verdict.js';
import { normal, seededRandom, windows } from './synthetic.js';

const T = DEFAULT_THRESHOLDS;
const significant = 0.01;
const notSignificant = 0.3;

test('regression needs both significance and the minimum effect; the warn band catches either alone', () => {
  assert.equal(classify(0.12, significant, 0.05, 0.1, 0.05), 'regression');
  assert.equal(classify(0.07, significant, 0.05, 0.1, 0.05), 'warn', 'significant but small');
  assert.equal(classify(0.3, notSignificant, 0.05, 0.1, 0.05), 'warn', 'large but possibly noise');
  assert.equal(classify(0.03, significant, 0.05, 0.1, 0.05), 'pass', 'significant but negligible');
  assert.equal(classify(0.07, notSignificant, 0.05, 0.1, 0.05), 'pass');
});

test('unpaired: a +25 % p95 shift over 8 % window noise is a regression with the right effect size', () => {
  const random = seededRandom(11);
  const base = windows(12, 100, 0.08, random);
  const cand = windows(12, 125, 0.08, random);
  const c = compareUnpaired(base, cand, T);
  assert.equal(c.p95.status, 'regression');
  assert.ok(c.p95.effect > 0.15 && c.p95.effect < 0.35, `effect ${c.p95.effect}`);
  assert.ok(c.p95.pValue < 0.001);
  assert.equal(c.errorRate.status, 'pass');
});

test('error rate: +2 points is a regression, p95 unchanged', () => {
  const random = seededRandom(12);
  const c = compareUnpaired(windows(10, 100, 0.05, random, 0), windows(10, 100, 0.05, random, 0.02), T);
  assert.equal(c.errorRate.status, 'regression');
  assert.ok(Math.abs(c.errorRate.effect - 0.02) < 0.01, `effect ${c.errorRate.effect}`);
  assert.notEqual(c.p95.status, 'regression');
});

/** Share of seeded trials in which `make` yields a regression. */
function regressionRate(trials: number, seed: number, make: (random: () => number) => 'pass' | 'warn' | 'regression'): number {
  const random = seededRandom(seed);
  let n = 0;
  for (let i = 0; i < trials; i++) if (make(random) === 'regression') n++;
  return n / trials;
}

test('unpaired on seeded A/A: false alarms ≤ 5 %; at +25 % detection ≥ 90 % (10 windows, 10 % noise)', () => {
  const aa = regressionRate(300, 1, (r) => compareUnpaired(windows(10, 100, 0.1, r), windows(10, 100, 0.1, r), T).p95.status);
  const big = regressionRate(300, 2, (r) => compareUnpaired(windows(10, 100, 0.1, r), windows(10, 125, 0.1, r), T).p95.status);
  assert.ok(aa <= 0.05, `A/A false alarms ${aa}`);
  assert.ok(big >= 0.9, `+25 % detection ${big}`);
});

/** Pairs whose both members share a per-pair drift (the machine), plus their own run noise. */
function driftingPairs(n: number, slowdown: number, drift: number, noise: number, random: () => number): WindowPair[] {
  const z = normal(random);
  return Array.from({ length: n }, () => {
    const shared = Math.exp(drift * z());
    const side = (f: number): WindowFigures => ({ requests: 200, errors: 0, p95Ms: 100 * f * shared * Math.exp(noise * z()) });
    return { baseline: side(1), candidate: side(1 + slowdown) };
  });
}

test('paired: drift shared by both members of a pair cancels; an unpaired view of the same data is blind', () => {
  // Machine drift (25 %) much larger than run noise (4 %): the case interleaving is for.
  const paired = regressionRate(200, 3, (r) => comparePaired(driftingPairs(8, 0.25, 0.25, 0.04, r), T).p95.status);
  const unpaired = regressionRate(200, 3, (r) => {
    const pairs = driftingPairs(8, 0.25, 0.25, 0.04, r);
    return compareUnpaired(pairs.map((p) => p.baseline), pairs.map((p) => p.candidate), T).p95.status;
  });
  const aa = regressionRate(300, 4, (r) => comparePaired(driftingPairs(8, 0, 0.25, 0.04, r), T).p95.status);
  assert.ok(paired >= 0.95, `paired detection at +25 % ${paired}`);
  assert.ok(unpaired < paired - 0.3, `unpaired detection ${unpaired} should be far lower than paired ${paired}`);
  assert.ok(aa <= 0.05, `paired A/A false alarms ${aa}`);
});

test('SLO checks: latency limits are strict, the error-rate limit is a maximum', () => {
  const checks = checkSlo({ p95Ms: 100, maxErrorRate: 0.01 }, { p50Ms: 10, p90Ms: 50, p95Ms: 100, p99Ms: 300, errorRate: 0.01 });
  assert.deepEqual(checks.map((c) => [c.slo, c.broken]), [['p95Ms', true], ['maxErrorRate', false]]);
});

const steady = (n: number, p95: number, seed: number) => windows(n, p95, 0.03, seededRandom(seed));

test('judge: SLO broken beats a regression; too few windows is no-data; new and low-volume transactions are judged on SLOs only', () => {
  const total = (p95Ms: number) => ({ p50Ms: 1, p90Ms: 1, p95Ms, p99Ms: p95Ms, errorRate: 0 });
  const broken = judgeTransaction({ mode: 'baseline', transaction: 'a', slo: { p95Ms: 100 }, candidateTotal: total(150), baseline: steady(8, 50, 1), candidate: steady(8, 150, 2) }, T);
  assert.equal(broken.status, 'slo-broken');
  assert.equal(broken.p95?.status, 'regression');

  const few = judgeTransaction({ mode: 'baseline', transaction: 'b', slo: {}, candidateTotal: total(50), baseline: steady(3, 50, 3), candidate: steady(8, 50, 4) }, T);
  assert.equal(few.status, 'no-data');
  assert.match(few.notes.join(' '), /too few windows \(3 baseline, 8 candidate; 5 needed\)/);

  const fresh = judgeTransaction({ mode: 'baseline', transaction: 'c', slo: { p95Ms: 100 }, candidateTotal: total(50), baseline: null, candidate: steady(8, 50, 5) }, T);
  assert.equal(fresh.status, 'not-compared');
  assert.match(fresh.notes.join(' '), /new transaction/);

  const thin = steady(8, 50, 6).map((w, i) => (i < 4 ? { ...w, requests: 5 } : w));
  const dropped = judgeTransaction({ mode: 'baseline', transaction: 'd', slo: {}, candidateTotal: total(50), baseline: steady(8, 50, 7), candidate: thin }, T);
  assert.equal(dropped.status, 'not-compared', 'windows under minWindowRequests are left out, leaving 4');
  assert.equal(dropped.samples.candidate, 4);
  assert.match(dropped.notes.join(' '), /too few requests per window for a p95 \(4 of them reach 20, 5 needed\): SLOs only/);
  const lowAndBroken = judgeTransaction({ mode: 'baseline', transaction: 'e', slo: { p95Ms: 40 }, candidateTotal: total(50), baseline: steady(8, 50, 7), candidate: thin }, T);
  assert.equal(lowAndBroken.status, 'slo-broken', 'a low-volume transaction still fails on its SLO');
});

test('gate exit codes: SLO broken 2 > regression 1 > could not measure 3 > pass 0 (warnings pass)', () => {
  const tx = (status: TransactionVerdict['status']): TransactionVerdict => ({ transaction: status, status, p95: null, errorRate: null, slo: [], samples: { baseline: 0, candidate: 0 }, notes: [] });
  assert.equal(gateVerdict('baseline', [tx('pass'), tx('warn')], T).exitCode, GATE_EXIT.pass);
  assert.equal(gateVerdict('baseline', [tx('pass'), tx('warn')], T).status, 'warn');
  assert.equal(gateVerdict('baseline', [tx('pass'), tx('no-data')], T).exitCode, GATE_EXIT.couldNotMeasure);
  assert.equal(gateVerdict('baseline', [tx('no-data'), tx('regression')], T).exitCode, GATE_EXIT.regression);
  assert.equal(gateVerdict('baseline', [tx('regression'), tx('slo-broken')], T).exitCode, GATE_EXIT.sloBroken);
  assert.equal(gateVerdict('baseline', [], T).exitCode, GATE_EXIT.couldNotMeasure);
  assert.equal(gateVerdict('baseline', [tx('pass'), tx('not-compared')], T).exitCode, GATE_EXIT.pass);
  assert.equal(gateVerdict('baseline', [tx('not-compared'), tx('not-compared')], T).exitCode, GATE_EXIT.couldNotMeasure, 'nothing compared');
});

test('the compared transactions are one family: a lone p = 0.031 fails, the same among three warns (Holm)', () => {
  // Five pairs, all +20 %: the exact one-sided Wilcoxon p-value is 1/32 = 0.031.
  const pairs = (slowdown: number, seed: number): WindowPair[] => {
    const r = seededRandom(seed);
    return Array.from({ length: 5 }, () => {
      const base = 100 * (1 + 0.01 * r());
      // Distinct ratios (no ties), so the exact distribution applies.
      return { baseline: { requests: 200, errors: 0, p95Ms: base }, candidate: { requests: 200, errors: 0, p95Ms: base * (1 + slowdown) * (1 + 0.01 * r()) } };
    });
  };
  const input = (name: string, slowdown: number, seed: number): TransactionInput => ({
    mode: 'interleaved', transaction: name, slo: {}, candidateTotal: { p50Ms: 1, p90Ms: 1, p95Ms: 1, p99Ms: 1, errorRate: 0 }, pairs: pairs(slowdown, seed),
  });
  const alone = judgeTransaction(input('slow', 0.2, 1), T);
  assert.equal(alone.status, 'regression');
  assert.ok(Math.abs((alone.p95?.pValue ?? 0) - 1 / 32) < 1e-12);
  const family = judgeTransactions([input('slow', 0.2, 1), input('same-1', -0.01, 2), input('same-2', -0.01, 3)], T);
  assert.equal(family[0]?.p95?.rawPValue, 1 / 32);
  assert.ok(Math.abs((family[0]?.p95?.pValue ?? 0) - 3 / 32) < 1e-12, 'Holm: smallest p × 3');
  assert.equal(family[0]?.status, 'warn', 'large but no longer significant');
});

test('a significant relative regression under the absolute floor only warns: +30 % of a 3 ms p95 is 0.9 ms', () => {
  const pairs = (p95Ms: number): WindowPair[] =>
    Array.from({ length: 12 }, (_, i) => ({
      baseline: { requests: 200, errors: 0, p95Ms: p95Ms * (1 + 0.01 * (i % 3)) },
      candidate: { requests: 200, errors: 0, p95Ms: p95Ms * 1.3 * (1 + 0.01 * ((i + 1) % 3)) },
    }));
  const fast = comparePaired(pairs(3), T).p95;
  assert.ok(fast.effect > 0.25 && fast.pValue < 0.05, `effect ${fast.effect}, p ${fast.pValue}`);
  assert.equal(fast.status, 'warn', `+${(fast.effect * fast.baseline).toFixed(2)} ms is under the ${T.p95FailMinMs} ms floor`);
  assert.equal(comparePaired(pairs(30), T).p95.status, 'regression', 'the same +30 % on 30 ms is 9 ms');
  assert.equal(comparePaired(pairs(3), { ...T, p95FailMinMs: 0 }).p95.status, 'regression', 'without a floor');
  // The same through the family judgement (Holm), which classifies again after adjusting the p-values.
  const input = (name: string, p95Ms: number): TransactionInput => ({ mode: 'interleaved', transaction: name, slo: {}, candidateTotal: null, pairs: pairs(p95Ms) });
  const [a, b] = judgeTransactions([input('fast', 3), input('slow', 30)], T);
  assert.deepEqual([a?.status, b?.status], ['warn', 'regression']);
});
