/** `perfcell compare` output: per-transaction differences as a terminal table and as markdown. Pure. */
import type { ComparisonRow } from '../analysis/compare.js';
import { mdCell } from './summary-md.js';

const HEADER = ['transaction', 'p50 A', 'p50 B', 'Δ p50', 'p95 A', 'p95 B', 'Δ p95', 'p99 A', 'p99 B', 'Δ p99', 'rate A', 'rate B', 'err A %', 'err B %'];

function cells(r: ComparisonRow): string[] {
  const ms = (x: number | null | undefined) => (x === null || x === undefined ? '-' : x.toFixed(1));
  const ch = (x: number | null) => (x === null ? '-' : `${x > 0 ? '+' : ''}${(x * 100).toFixed(1)}%`);
  const err = (x: number | undefined) => (x === undefined ? '-' : (x * 100).toFixed(2));
  return [
    r.transaction, ms(r.before?.p50), ms(r.after?.p50), ch(r.p50Change), ms(r.before?.p95), ms(r.after?.p95), ch(r.p95Change),
    ms(r.before?.p99), ms(r.after?.p99), ch(r.p99Change), r.before ? r.before.ratePerSec.toFixed(2) : '-', r.after ? r.after.ratePerSec.toFixed(2) : '-',
    err(r.before?.errorRate), err(r.after?.errorRate),
  ];
}

export function comparisonTable(rows: ComparisonRow[]): string {
  const body = rows.map(cells);
  const widths = HEADER.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] as string).length)));
  const line = (c: string[]) => c.map((x, i) => (i === 0 ? x.padEnd(widths[i] as number) : x.padStart(widths[i] as number))).join('  ');
  return [line(HEADER), ...body.map(line)].join('\n');
}

export function comparisonMarkdown(rows: ComparisonRow[], title: string): string {
  return [
    `### ${mdCell(title)}`, '',
    `| ${HEADER.join(' | ')} |`,
    `|---|${HEADER.slice(1).map(() => '---:').join('|')}|`,
    ...rows.map((r) => `| ${cells(r).map((c, i) => (i === 0 ? mdCell(c) : c)).join(' | ')} |`),
  ].join('\n') + '\n';
}
