/** Per-transaction differences between two analyses (A = before, B = after). Pure. */
import type { Analysis, TransactionAnalysis } from './types.js';

export interface ComparisonRow {
  transaction: string;
  before: { requests: number; ratePerSec: number; p50: number | null; p95: number | null; p99: number | null; errorRate: number; max?: number; p95Ci?: { low: number; high: number | null } } | null;
  after: ComparisonRow['before'];
  /** after / before − 1, null when either side lacks the figure. */
  p50Change: number | null;
  p95Change: number | null;
  p99Change: number | null;
  ratePerSecChange: number | null;
  errorRateDelta: number | null;
}

function side(t: TransactionAnalysis | undefined): ComparisonRow['before'] {
  if (!t) return null;
  const ci = t.latencyMs?.p95Ci;
  return { requests: t.requests, ratePerSec: t.ratePerSec, p50: t.latencyMs?.p50 ?? null, p95: t.latencyMs?.p95 ?? null, p99: t.latencyMs?.p99 ?? null, errorRate: t.errorRate, ...(t.latencyMs ? { max: t.latencyMs.max } : {}), ...(ci ? { p95Ci: ci } : {}) };
}

function change(a: number | null | undefined, b: number | null | undefined): number | null {
  return a !== null && a !== undefined && b !== null && b !== undefined && a > 0 ? b / a - 1 : null;
}

export function compareAnalyses(before: Analysis, after: Analysis): ComparisonRow[] {
  const names = [...new Set([...before.transactions.map((t) => t.name), ...after.transactions.map((t) => t.name)])];
  return names.map((transaction) => {
    const b = side(before.transactions.find((t) => t.name === transaction));
    const a = side(after.transactions.find((t) => t.name === transaction));
    return {
      transaction,
      before: b,
      after: a,
      p50Change: change(b?.p50, a?.p50),
      p95Change: change(b?.p95, a?.p95),
      p99Change: change(b?.p99, a?.p99),
      ratePerSecChange: change(b?.ratePerSec, a?.ratePerSec),
      errorRateDelta: a && b ? a.errorRate - b.errorRate : null,
    };
  });
}
