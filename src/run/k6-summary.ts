/** Per-transaction figures from k6's summary export (summary.json). Pure. */
import type { RunMeta } from '../store/folder.js';

type Metric = Record<string, number | undefined>;
export interface K6SummaryExport {
  metrics: Record<string, Metric>;
}

export interface TransactionSummaryRow {
  name: string;
  requests: number;
  achievedRatePerSec: number;
  /** The offered rate; undefined for a closed-model run (its rate is an outcome). */
  targetRatePerSec: number | undefined;
  p95Ms: number | undefined;
  p99Ms: number | undefined;
  errorRate: number | undefined;
  dropped: number;
}

export function summaryRows(meta: Pick<RunMeta, 'transactions' | 'closedModel'>, summary: K6SummaryExport, testSeconds: number): TransactionSummaryRow[] {
  return meta.transactions.map((t) => {
    const m = (name: string) => summary.metrics[`${name}{transaction:${t.name}}`] ?? {};
    // A browser transaction sends its requests from Chromium: k6 counts them as browser_http_req_duration.
    const requests = m('http_reqs').count ?? m('browser_http_req_duration').count ?? 0;
    return {
      name: t.name,
      requests,
      achievedRatePerSec: testSeconds > 0 ? requests / testSeconds : 0,
      targetRatePerSec: meta.closedModel ? undefined : t.peakRatePerSec,
      p95Ms: m('http_req_duration')['p(95)'],
      p99Ms: m('http_req_duration')['p(99)'],
      errorRate: m('http_req_failed').value,
      dropped: summary.metrics[`dropped_iterations{scenario:${t.name}}`]?.count ?? 0,
    };
  });
}

export function formatSummaryTable(rows: TransactionSummaryRow[]): string {
  const f = (n: number | undefined, d = 1) => (n === undefined ? '-' : n.toFixed(d));
  const header = ['transaction', 'requests', 'rate/s', 'target/s', 'p95 ms', 'p99 ms', 'errors %', 'dropped'];
  const body = rows.map((r) => [
    r.name,
    String(r.requests),
    f(r.achievedRatePerSec, 2),
    f(r.targetRatePerSec, 2),
    f(r.p95Ms),
    f(r.p99Ms),
    r.errorRate === undefined ? '-' : (r.errorRate * 100).toFixed(2),
    String(r.dropped),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] as string).length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ');
  return [line(header), ...body.map(line)].join('\n');
}
