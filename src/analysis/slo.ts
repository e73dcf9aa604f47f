/** SLO verdicts: the model's thresholds (as run.json records them) checked against the analyzer's figures. Pure. */
import type { RunTransactionMeta } from '../store/folder.js';
import type { SloResult, TransactionAnalysis } from './types.js';

const STAT_TO_CRITERION: Record<string, string> = { med: 'p50', 'p(50)': 'p50', 'p(90)': 'p90', 'p(95)': 'p95', 'p(99)': 'p99', rate: 'errorRate' };

/** "http_req_duration p(95)<100" → criterion p95, op <, limit 100. Unknown forms are ignored. */
export function parseThreshold(text: string): { criterion: string; op: string; limit: number } | null {
  const m = /^\S+\s+([a-z()0-9.]+)\s*(<=|<|>=|>)\s*([0-9.]+)$/.exec(text.trim());
  if (!m) return null;
  const criterion = STAT_TO_CRITERION[m[1] as string];
  if (!criterion) return null;
  return { criterion, op: m[2] as string, limit: Number(m[3]) };
}

function holds(actual: number, op: string, limit: number): boolean {
  switch (op) {
    case '<': return actual < limit;
    case '<=': return actual <= limit;
    case '>': return actual > limit;
    default: return actual >= limit;
  }
}

export function actualFor(t: TransactionAnalysis, criterion: string): number | null {
  if (criterion === 'errorRate') return t.requests > 0 ? t.errorRate : null;
  const l = t.latencyMs;
  if (!l) return null;
  return criterion === 'p50' ? l.p50 : criterion === 'p90' ? l.p90 : criterion === 'p95' ? l.p95 : criterion === 'p99' ? l.p99 : null;
}

export function sloResults(metas: RunTransactionMeta[], transactions: TransactionAnalysis[]): SloResult[] {
  const out: SloResult[] = [];
  for (const m of metas) {
    const t = transactions.find((x) => x.name === m.name);
    for (const text of m.thresholds) {
      const th = parseThreshold(text);
      if (!th) continue;
      const actual = t ? actualFor(t, th.criterion) : null;
      // No request at all is a failure: an SLO cannot hold on nothing.
      out.push({ transaction: m.name, ...th, actual, pass: actual !== null && holds(actual, th.op, th.limit) });
    }
  }
  return out;
}
