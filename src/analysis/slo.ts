/**
 * The one SLO evaluator: a transaction's SLO objects (as run.json stores them) checked against measured
 * figures. Analysis (and through it the report and the rules) and the gate all judge SLOs here. Pure.
 */
import type { StoredSlo } from '../store/run-schema.js';
import type { SloResult, TransactionAnalysis } from './types.js';

/** The figures an SLO is checked against, in ms and as a share of requests; null = not measured. */
export interface SloFigures {
  p50Ms: number | null;
  p90Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  errorRate: number | null;
}

/** One objective, judged. `pass` is false when the figure was not measured: an SLO cannot hold on nothing. */
export interface SloCheck {
  key: keyof StoredSlo;
  /** "p95", "errorRate": the name analysis.json and the report give the criterion. */
  criterion: string;
  /** Latency SLOs are strict bounds (k6's "p(95)<limit"); the error rate a maximum ("rate<=limit"). */
  op: '<' | '<=';
  limit: number;
  actual: number | null;
  pass: boolean;
}

/** The objectives in the order they are reported, with the figure each reads. */
const CRITERIA: readonly { key: keyof StoredSlo; criterion: string; op: '<' | '<='; figure: keyof SloFigures }[] = [
  { key: 'p50Ms', criterion: 'p50', op: '<', figure: 'p50Ms' },
  { key: 'p90Ms', criterion: 'p90', op: '<', figure: 'p90Ms' },
  { key: 'p95Ms', criterion: 'p95', op: '<', figure: 'p95Ms' },
  { key: 'p99Ms', criterion: 'p99', op: '<', figure: 'p99Ms' },
  { key: 'maxErrorRate', criterion: 'errorRate', op: '<=', figure: 'errorRate' },
];

/** Each objective the SLO states, judged on the figures (null figures: nothing measured, every objective fails). */
export function evaluateSlo(slo: StoredSlo, figures: SloFigures | null): SloCheck[] {
  const out: SloCheck[] = [];
  for (const c of CRITERIA) {
    const limit = slo[c.key];
    if (limit === undefined) continue;
    const raw = figures?.[c.figure] ?? null;
    const actual = raw !== null && Number.isFinite(raw) ? raw : null;
    out.push({ key: c.key, criterion: c.criterion, op: c.op, limit, actual, pass: actual !== null && (c.op === '<' ? actual < limit : actual <= limit) });
  }
  return out;
}

/** A transaction's figures as the evaluator reads them (no request: nothing measured). */
export function sloFiguresOf(t: TransactionAnalysis): SloFigures {
  const l = t.latencyMs;
  return { p50Ms: l?.p50 ?? null, p90Ms: l?.p90 ?? null, p95Ms: l?.p95 ?? null, p99Ms: l?.p99 ?? null, errorRate: t.requests > 0 ? t.errorRate : null };
}

/** Every transaction's SLOs judged on the analyzer's figures (analysis.json's `slo`). */
export function sloResults(metas: readonly { name: string; slo: StoredSlo }[], transactions: readonly TransactionAnalysis[]): SloResult[] {
  return metas.flatMap((m) => {
    const t = transactions.find((x) => x.name === m.name);
    return evaluateSlo(m.slo, t ? sloFiguresOf(t) : null).map(({ criterion, op, limit, actual, pass }) => ({ transaction: m.name, criterion, op, limit, actual, pass }));
  });
}
