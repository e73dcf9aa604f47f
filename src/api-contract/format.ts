/** A drift report as a terminal table, JSON and JUnit (one test case per operation). Pure. */
import { xmlEscape } from '../report/junit.js';
import { OPERATION_FINDINGS, type DriftReport, type Finding } from './drift.js';

const pct = (r: number): string => `${(100 * r).toFixed(r < 0.1 && r > 0 ? 1 : 0)} %`;

function pad(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd());
}

export function driftTable(report: DriftReport): string {
  const lines: string[] = [];
  lines.push(`OpenAPI: ${report.specs.map((s) => `${s.source} (${s.title} ${s.version}, ${s.operations} operations)`).join('; ')}`);
  lines.push(`Requests: ${report.requests}${report.unanswered > 0 ? ` (${report.unanswered} without an answer, not judged)` : ''}${report.unjudged > 0 ? ` (${report.unjudged} with neither a URL nor a "METHOD /path" name, not judged)` : ''}`);
  if (report.static) lines.push(`Bodies and query strings: ${report.static.recorded} recorded, ${report.static.judged} judged against the schemas${report.static.note ? ` (${report.static.note})` : ''}`);
  lines.push('');
  if (report.findings.length === 0) lines.push(`No drift: every request reached a documented operation with a documented status${report.static?.judged ? '; the recorded bodies and query strings match the schemas' : ''}.`);
  else {
    lines.push(`Drift: ${report.findings.length} finding${report.findings.length > 1 ? 's' : ''}`);
    lines.push(...pad([['kind', 'subject', 'status', 'requests', 'transactions', 'why'], ...report.findings.map((f) => [f.kind, f.subject, f.status ?? '', String(f.requests), f.transactions.join(',') || '-', f.message])]).map((l) => `  ${l}`));
  }
  lines.push('');
  const c = report.coverage;
  lines.push(`Coverage: ${c.covered}/${c.operations} operations (${pct(c.ratio)})${c.weighted ? `, ${pct(c.weighted.ratio)} of the production volume (${Math.round(c.weighted.covered)}/${Math.round(c.weighted.total)} per hour)` : ''}`);
  const weighted = report.operations.some((o) => o.weight !== undefined);
  lines.push(
    ...pad([
      ['operation', 'operationId', 'requests', 'statuses', ...(weighted ? ['volume/h'] : []), 'transactions'],
      ...report.operations.map((o) => [o.key, o.operationId ?? '', String(o.requests), Object.entries(o.statuses).map(([s, n]) => `${s}×${n}`).join(' ') || '-', ...(weighted ? [o.weight !== undefined ? String(o.weight) : ''] : []), o.transactions.join(',') || (o.requests === 0 ? 'NOT COVERED' : '-')]),
    ]).map((l) => `  ${l}`),
  );
  return `${lines.join('\n')}\n`;
}

export function driftJson(report: DriftReport): string {
  return `${JSON.stringify({ clean: report.findings.length === 0, ...report }, null, 2)}\n`;
}

/**
 * One test case per documented operation (failed by its findings, skipped when no request reached it),
 * then one per finding no operation owns (undocumented paths, unknown servers, dead claims).
 */
export function driftJunit(report: DriftReport, suiteName = 'perfcell api contract'): string {
  const byOp = new Map<string, Finding[]>();
  const orphans: Finding[] = [];
  const keys = new Set(report.operations.map((o) => o.key));
  for (const f of report.findings) {
    if (OPERATION_FINDINGS.has(f.kind) && keys.has(f.subject)) byOp.set(f.subject, [...(byOp.get(f.subject) ?? []), f]);
    else orphans.push(f);
  }
  const cases: string[] = [];
  for (const o of report.operations) {
    const fs = byOp.get(o.key) ?? [];
    const name = xmlEscape(`${o.key}${o.operationId ? ` (${o.operationId})` : ''}`);
    const cls = xmlEscape(o.source);
    if (fs.length > 0) cases.push(`    <testcase classname="${cls}" name="${name}"><failure message="${xmlEscape(fs.map((f) => `${f.kind}${f.status ? ` ${f.status}` : ''}: ${f.message}`).join('; '))}"/></testcase>`);
    else if (o.requests === 0) cases.push(`    <testcase classname="${cls}" name="${name}"><skipped message="no request reached this operation"/></testcase>`);
    else cases.push(`    <testcase classname="${cls}" name="${name}"/>`);
  }
  for (const f of orphans) cases.push(`    <testcase classname="${xmlEscape(f.kind)}" name="${xmlEscape(f.subject)}"><failure message="${xmlEscape(`${f.kind}: ${f.message} (${f.requests} requests from ${f.transactions.join(', ')})`)}"/></testcase>`);
  const failures = [...byOp.keys()].length + orphans.length;
  const skipped = report.operations.filter((o) => o.requests === 0 && !byOp.has(o.key)).length;
  return ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="${xmlEscape(suiteName)}" tests="${cases.length}" failures="${failures}">`, `  <testsuite name="${xmlEscape(suiteName)}" tests="${cases.length}" failures="${failures}" skipped="${skipped}">`, ...cases, '  </testsuite>', '</testsuites>', ''].join('\n');
}
