/** summary.md: the verdict, the SLOs and the main findings, short enough for a PR comment. Pure. */
import type { Lang } from '../rules/types.js';
import { unmatchedCount, unmatchedOfRuns } from '../stubs/verify.js';
import { LABELS, fill, number, percent } from './i18n.js';
import type { ReportData } from './report-data.js';
import { DECISION, verdictStatus, type VerdictStatus } from '../verdict/verdict.js';

const STATUS_ICON: Record<VerdictStatus, string> = { go: '✅', 'no-go': '❌', inconclusive: '⚠️' };

/** Markdown-safe cell: names from models may hold |, backticks, < or newlines. */
export function mdCell(s: string): string {
  return s.replace(/[\\`*_[\]<>|]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

export function summaryMarkdown(data: ReportData, lang: Lang, maxFindings = 10): string {
  const L = LABELS[lang];
  const out: string[] = [];
  const what = data.kind === 'iteration' ? `${L.iteration} ${data.iteration ?? '?'}` : `${L.run} ${data.phases[0]?.runs[0]?.runId ?? ''}`;
  const status = verdictStatus(data.verdict);
  out.push(`## ${STATUS_ICON[status]} ${mdCell(data.service)} · ${mdCell(what)} · ${DECISION[status][lang]}`, '');
  if (data.verdict.headline) out.push(mdCell(data.verdict.headline[lang]), '');
  if (status !== 'go') {
    for (const g of data.verdict.groups ?? []) {
      const note = g.invalidates ? ` (${L.invalidMeasurement})` : g.judged ? '' : ` (${L.notJudged})`;
      out.push(`- **${mdCell(g.title[lang])}**${note}`);
      for (const r of g.items.slice(0, maxFindings)) out.push(`  - ${mdCell(r[lang])}`);
    }
    if (!data.verdict.groups) for (const r of data.verdict.reasons.slice(0, maxFindings)) out.push(`- ${mdCell(r[lang])}`);
    out.push('');
  }
  const slos = data.phases.flatMap((a) => a.slo.map((s) => ({ a, s })));
  if (slos.length) {
    out.push(`| ${L.phase} | ${L.transaction} | ${L.criterion} | ${L.objective} | ${L.measured} | ${L.result} |`, '|---|---|---|---:|---:|---|');
    for (const { a, s } of slos) {
      const rate = s.criterion === 'errorRate';
      const show = (x: number | null) => (rate ? percent(lang, x) : x === null ? '–' : `${number(lang, x)} ms`);
      out.push(`| ${a.phase} | ${mdCell(s.transaction)} | ${s.criterion} | ${s.op} ${rate ? percent(lang, s.limit) : `${number(lang, s.limit)} ms`} | ${show(s.actual)} | ${s.pass ? '✅' : '❌'} ${s.pass ? L.pass : L.fail} |`);
    }
    out.push('');
  }
  const recs = data.recommendations.filter((r) => r.severity !== 'info').slice(0, maxFindings);
  if (recs.length) {
    out.push(`### ${L.recommendations}`, '');
    for (const r of recs) out.push(`- **${L[r.severity]}** (${r.phase}, \`${r.ruleId}\`): ${mdCell(r.text[lang])}`);
    out.push('');
  }
  if (data.previous) {
    out.push(`### ${L.comparison} (${L.iteration} ${data.previous.iteration})`, '', `| ${L.phase} | ${L.transaction} | p95 ${L.before} | p95 ${L.after} | ${L.change} |`, '|---|---|---:|---:|---:|');
    for (const c of data.previous.comparisons) {
      for (const r of c.rows) out.push(`| ${c.phase} | ${mdCell(r.transaction)} | ${number(lang, r.before?.p95)} | ${number(lang, r.after?.p95)} | ${r.p95Change === null ? '–' : `${r.p95Change > 0 ? '+' : ''}${percent(lang, r.p95Change, 1)}`} |`);
    }
    out.push('');
  }
  const incomplete = data.phases.filter((a) => a.incomplete);
  for (const a of incomplete) out.push(`> ⚠️ ${a.phase}: ${L.incomplete} — ${mdCell(a.incompleteReasons.join('; '))}`);
  for (const a of data.phases) {
    // The stub servers' list when the run folder has it, else the count its run.json declares.
    const servers = data.unmatchedStubs.filter((u) => u.phase === a.phase);
    const n = servers.length ? unmatchedCount(servers) : unmatchedOfRuns(a.runs);
    if (n === 0) continue;
    const names = servers.map((s) => `${s.stubSet} ${number(lang, unmatchedCount([s]), 0)}`).join(', ') || L.unknown;
    out.push(`> ⚠️ ${a.phase}: ${mdCell(fill(L.unmatchedLine, { n: number(lang, n, 0), servers: names }))}`);
  }
  return out.join('\n').trimEnd() + '\n';
}
