/**
 * The gate's verdict, pure: per transaction, absolute SLOs on the candidate and relative regression against
 * the baseline (significant AND above a minimum effect → regression; a warn band below), then one verdict
 * and one exit code for the whole gate. docs/gate.md explains the method.
 */
import { evaluateSlo, type SloFigures } from '../analysis/slo.js';
import type { StoredSlo as Slo } from '../store/run-schema.js';
import { GATE_EXIT } from '../exit-codes.js';
import { hodgesLehmannCenter, hodgesLehmannShift, holmAdjust, mannWhitneyGreater, median, wilcoxonSignedRankGreater } from './stats.js';

/** The gate's exit codes: the one table in src/exit-codes.ts. */
export { GATE_EXIT };

export interface GateThresholds {
  /** One-sided significance level of each test. */
  alpha: number;
  /** p95 relative increase that fails when significant (0.10 = +10 %). */
  p95FailIncrease: number;
  /** p95 relative increase that warns when significant. */
  p95WarnIncrease: number;
  /**
   * p95 increase in ms (relative effect × the baseline's median p95) a regression must also reach; under it a
   * significant, large relative change only warns. Two processes of the same build on a shared runner differ
   * by about a millisecond or two at the p95 for minutes on end — interleaving cancels the machine's drift,
   * not that — so on a 3 ms transaction +30 % is noise, not a regression a user would see (docs/gate.md).
   */
  p95FailMinMs: number;
  /** Error-rate increase in absolute terms that fails when significant (0.005 = +0.5 point). */
  errorFailIncrease: number;
  errorWarnIncrease: number;
  /** Fewer usable windows (or pairs) than this on a side: the gate cannot judge the transaction. */
  minWindows: number;
  /** A window with fewer requests than this has no meaningful p95 and is left out. */
  minWindowRequests: number;
}

export const DEFAULT_THRESHOLDS: GateThresholds = {
  alpha: 0.05,
  p95FailIncrease: 0.1,
  p95WarnIncrease: 0.05,
  p95FailMinMs: 2,
  errorFailIncrease: 0.005,
  errorWarnIncrease: 0.0025,
  minWindows: 5,
  minWindowRequests: 20,
};

/** One window's figures as the verdict needs them. */
export interface WindowFigures {
  requests: number;
  errors: number;
  p95Ms: number;
}

export type MetricStatus = 'pass' | 'warn' | 'regression';
/**
 * `not-compared`: measured, but with too few requests per window for a percentile (a low-volume
 * transaction) or without a baseline (a new one): judged on its SLOs only. `no-data`: the gate could not
 * measure it at all (no requests, or runs too short for enough windows).
 */
export type TransactionStatus = MetricStatus | 'slo-broken' | 'not-compared' | 'no-data';
export type GateStatus = 'pass' | 'warn' | 'regression' | 'slo-broken' | 'could-not-measure';

export interface MetricComparison {
  metric: 'p95' | 'error-rate';
  test: 'mann-whitney' | 'wilcoxon';
  /** p95: median of the baseline's window p95s (ms); error rate: the baseline's overall rate. */
  baseline: number;
  candidate: number;
  /** p95: estimated relative change (0.12 = +12 %); error rate: absolute change (0.004 = +0.4 point). */
  effect: number;
  /** The p-value the verdict used: Holm-adjusted over the gate's compared transactions (docs/gate.md). */
  pValue: number;
  /** The test's own one-sided p-value, before the adjustment. */
  rawPValue: number;
  status: MetricStatus;
}

export interface SloCheck {
  /** "p95Ms", "maxErrorRate", … as in the model. */
  slo: keyof Slo;
  limit: number;
  observed: number;
  broken: boolean;
}

export interface TransactionVerdict {
  transaction: string;
  status: TransactionStatus;
  p95: MetricComparison | null;
  errorRate: MetricComparison | null;
  slo: SloCheck[];
  /** Usable windows (baseline mode) or pairs (interleaved mode) per side. */
  samples: { baseline: number; candidate: number };
  notes: string[];
}

export interface GateVerdict {
  /** `duet`: A and B loaded at the same time by one run, compared window by window (src/gate/duet.ts). */
  mode: 'baseline' | 'interleaved' | 'duet';
  status: GateStatus;
  exitCode: number;
  transactions: TransactionVerdict[];
  thresholds: GateThresholds;
}

/** Fail only when significant AND large enough; warn when one of the two holds with a smaller margin. */
export function classify(effect: number, pValue: number, alpha: number, fail: number, warn: number): MetricStatus {
  const significant = pValue < alpha;
  if (significant && effect >= fail) return 'regression';
  if ((significant && effect >= warn) || effect >= fail) return 'warn';
  return 'pass';
}

/** classify() on the relative p95 effect, then a regression under the absolute floor (effect × baseline ms) only warns. */
export function p95Status(effect: number, baselineMs: number, pValue: number, t: GateThresholds): MetricStatus {
  const status = classify(effect, pValue, t.alpha, t.p95FailIncrease, t.p95WarnIncrease);
  return status === 'regression' && effect * baselineMs < t.p95FailMinMs ? 'warn' : status;
}

function pooledRate(windows: readonly WindowFigures[]): number {
  let requests = 0;
  let errors = 0;
  for (const w of windows) {
    requests += w.requests;
    errors += w.errors;
  }
  return requests > 0 ? errors / requests : 0;
}

const rateOf = (w: WindowFigures) => (w.requests > 0 ? w.errors / w.requests : 0);

/** The two comparisons of a transaction from its windows, whichever test produced the p-values. */
function comparisons(
  test: MetricComparison['test'],
  base: readonly WindowFigures[],
  cand: readonly WindowFigures[],
  p95: { effect: number; pValue: number },
  errors: { pValue: number },
  t: GateThresholds,
): { p95: MetricComparison; errorRate: MetricComparison } {
  const errorEffect = pooledRate(cand) - pooledRate(base);
  const baselineP95 = median(base.map((w) => w.p95Ms));
  return {
    p95: {
      metric: 'p95',
      test,
      baseline: baselineP95,
      candidate: median(cand.map((w) => w.p95Ms)),
      effect: p95.effect,
      pValue: p95.pValue,
      rawPValue: p95.pValue,
      status: p95Status(p95.effect, baselineP95, p95.pValue, t),
    },
    errorRate: {
      metric: 'error-rate',
      test,
      baseline: pooledRate(base),
      candidate: pooledRate(cand),
      effect: errorEffect,
      pValue: errors.pValue,
      rawPValue: errors.pValue,
      status: classify(errorEffect, errors.pValue, t.alpha, t.errorFailIncrease, t.errorWarnIncrease),
    },
  };
}

/** Baseline mode: two independent sets of windows, Mann–Whitney U; effect = Hodges–Lehmann shift of log p95. */
export function compareUnpaired(baseline: readonly WindowFigures[], candidate: readonly WindowFigures[], t: GateThresholds): {
  p95: MetricComparison;
  errorRate: MetricComparison;
} {
  const lb = baseline.map((w) => Math.log(w.p95Ms));
  const lc = candidate.map((w) => Math.log(w.p95Ms));
  return comparisons(
    'mann-whitney',
    baseline,
    candidate,
    { effect: Math.exp(hodgesLehmannShift(lb, lc)) - 1, pValue: mannWhitneyGreater(lb, lc).pValue },
    { pValue: mannWhitneyGreater(baseline.map(rateOf), candidate.map(rateOf)).pValue },
    t,
  );
}

export interface WindowPair {
  baseline: WindowFigures;
  candidate: WindowFigures;
}

/**
 * Interleaved mode: pairs measured back to back, Wilcoxon signed-rank on the log-ratios of p95 (drift
 * shared by both members of a pair cancels in the ratio); effect = Hodges–Lehmann centre of the log-ratios.
 */
export function comparePaired(pairs: readonly WindowPair[], t: GateThresholds): { p95: MetricComparison; errorRate: MetricComparison } {
  const logRatios = pairs.map((p) => Math.log(p.candidate.p95Ms / p.baseline.p95Ms));
  return comparisons(
    'wilcoxon',
    pairs.map((p) => p.baseline),
    pairs.map((p) => p.candidate),
    { effect: Math.exp(hodgesLehmannCenter(logRatios)) - 1, pValue: wilcoxonSignedRankGreater(logRatios).pValue },
    { pValue: wilcoxonSignedRankGreater(pairs.map((p) => rateOf(p.candidate) - rateOf(p.baseline))).pValue },
    t,
  );
}

/** The candidate's own figures an SLO is checked against (src/analysis/slo.ts). */
export type { SloFigures };

/** The gate's view of the one SLO evaluator (src/analysis/slo.ts): an unmeasured figure is observed as NaN, and broken. */
export function checkSlo(slo: Slo, figures: SloFigures): SloCheck[] {
  return evaluateSlo(slo, figures).map((c) => ({ slo: c.key, limit: c.limit, observed: c.actual ?? Number.NaN, broken: !c.pass }));
}

export type TransactionInput =
  | { mode: 'baseline'; transaction: string; slo: Slo; candidateTotal: SloFigures | null; baseline: WindowFigures[] | null; candidate: WindowFigures[] }
  | { mode: 'interleaved' | 'duet'; transaction: string; slo: Slo; candidateTotal: SloFigures | null; pairs: WindowPair[] };

const usable = (t: GateThresholds) => (w: WindowFigures) => w.requests >= t.minWindowRequests && Number.isFinite(w.p95Ms) && w.p95Ms > 0;

function judgeOne(input: TransactionInput, t: GateThresholds): TransactionVerdict {
  const notes: string[] = [];
  const slo = input.candidateTotal ? checkSlo(input.slo, input.candidateTotal) : [];
  let comparison: { p95: MetricComparison; errorRate: MetricComparison } | null = null;
  let samples: { baseline: number; candidate: number };
  // Enough windows (pairs) were measured at all / enough of them hold enough requests for a p95.
  let measured: boolean;
  let enough: boolean;
  const ok = usable(t);
  const unit = input.mode === 'baseline' ? 'windows' : input.mode === 'duet' ? 'window pairs' : 'pairs';
  if (input.mode === 'baseline') {
    const cand = input.candidate.filter(ok);
    const base = (input.baseline ?? []).filter(ok);
    samples = { baseline: base.length, candidate: cand.length };
    measured = input.candidate.length >= t.minWindows && (input.baseline === null || input.baseline.length >= t.minWindows);
    enough = input.baseline !== null && base.length >= t.minWindows && cand.length >= t.minWindows;
    if (input.baseline === null) notes.push('new transaction: no baseline to compare with (SLOs only)');
    else if (enough && input.candidate.length > cand.length) notes.push(`${input.candidate.length - cand.length} candidate window(s) with fewer than ${t.minWindowRequests} requests left out`);
    if (enough) comparison = compareUnpaired(base, cand, t);
  } else {
    const pairs = input.pairs.filter((p) => ok(p.baseline) && ok(p.candidate));
    samples = { baseline: pairs.length, candidate: pairs.length };
    measured = input.pairs.length >= t.minWindows;
    enough = pairs.length >= t.minWindows;
    if (enough && input.pairs.length > pairs.length) notes.push(`${input.pairs.length - pairs.length} ${unit === 'pairs' ? 'pair(s)' : 'window(s)'} with a side under ${t.minWindowRequests} requests left out`);
    if (enough) comparison = comparePaired(pairs, t);
  }
  if (!measured) {
    notes.push(`too few ${unit} (${samples.baseline} baseline, ${samples.candidate} candidate; ${t.minWindows} needed): lengthen the profile, shorten --window or add --pairs`);
  } else if (!enough && !(input.mode === 'baseline' && input.baseline === null)) {
    notes.push(`too few requests per ${unit === 'pairs' ? 'run' : 'window'} for a p95 (${samples.candidate} of them reach ${t.minWindowRequests}, ${t.minWindows} needed): SLOs only; raise the gate profile's rate or ${unit === 'pairs' ? 'lengthen the profile' : 'widen --window'} to compare it`);
  }
  let status: TransactionStatus;
  if (slo.some((c) => c.broken)) status = 'slo-broken';
  else if (!input.candidateTotal || !measured) status = 'no-data';
  else if (!comparison) status = 'not-compared';
  else if (comparison.p95.status === 'regression' || comparison.errorRate.status === 'regression') status = 'regression';
  else if (comparison.p95.status === 'warn' || comparison.errorRate.status === 'warn') status = 'warn';
  else status = 'pass';
  return { transaction: input.transaction, status, p95: comparison?.p95 ?? null, errorRate: comparison?.errorRate ?? null, slo, samples, notes };
}

/**
 * Judges the gate's transactions as one family: each compared transaction's p-values (p95, error rate) are
 * Holm-adjusted over all compared transactions before the rules apply, so that watching ten transactions
 * does not give ten chances of a false alarm.
 */
export function judgeTransactions(inputs: readonly TransactionInput[], t: GateThresholds): TransactionVerdict[] {
  const verdicts = inputs.map((i) => judgeOne(i, t));
  const compared = verdicts.filter((v) => v.p95 !== null && v.errorRate !== null);
  const adjust = (pick: (v: TransactionVerdict) => MetricComparison, status: (c: MetricComparison) => MetricStatus) => {
    const adjusted = holmAdjust(compared.map((v) => pick(v).rawPValue));
    compared.forEach((v, i) => {
      const c = pick(v);
      c.pValue = adjusted[i] as number;
      c.status = status(c);
    });
  };
  adjust((v) => v.p95 as MetricComparison, (c) => p95Status(c.effect, c.baseline, c.pValue, t));
  adjust((v) => v.errorRate as MetricComparison, (c) => classify(c.effect, c.pValue, t.alpha, t.errorFailIncrease, t.errorWarnIncrease));
  for (const v of compared) {
    if (v.status === 'slo-broken') continue;
    const statuses = [(v.p95 as MetricComparison).status, (v.errorRate as MetricComparison).status];
    v.status = statuses.includes('regression') ? 'regression' : statuses.includes('warn') ? 'warn' : 'pass';
  }
  return verdicts;
}

/** One transaction alone (a family of one: no adjustment). */
export function judgeTransaction(input: TransactionInput, t: GateThresholds): TransactionVerdict {
  return judgeTransactions([input], t)[0] as TransactionVerdict;
}

/**
 * The gate's verdict and exit code. A definite failure is reported as such: SLO broken (2) > regression (1)
 * > could not measure (3) > pass (0, warnings included). A transaction the gate could not measure makes the
 * whole gate "could not measure" when nothing failed (it cannot vouch for the change), and so does a gate
 * that compared no transaction at all. Low-volume or new transactions alone are judged on their SLOs.
 */
export function gateVerdict(mode: GateVerdict['mode'], transactions: TransactionVerdict[], thresholds: GateThresholds): GateVerdict {
  const has = (s: TransactionStatus) => transactions.some((t) => t.status === s);
  let status: GateStatus;
  if (has('slo-broken')) status = 'slo-broken';
  else if (has('regression')) status = 'regression';
  else if (transactions.length === 0 || has('no-data') || transactions.every((t) => t.status === 'not-compared')) status = 'could-not-measure';
  else if (has('warn')) status = 'warn';
  else status = 'pass';
  const exitCode = {
    'could-not-measure': GATE_EXIT.couldNotMeasure,
    'slo-broken': GATE_EXIT.sloBroken,
    regression: GATE_EXIT.regression,
    warn: GATE_EXIT.pass,
    pass: GATE_EXIT.pass,
  }[status];
  return { mode, status, exitCode, transactions, thresholds };
}
