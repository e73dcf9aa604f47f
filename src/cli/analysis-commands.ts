/** `perfcell analyze`, `perfcell report`, `perfcell compare`: thin commands over src/analysis and src/report. */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { Command } from 'commander';
import { compareAnalyses } from '../analysis/compare.js';
import type { Analysis } from '../analysis/types.js';
import { PerfcellError, inputError } from '../errors.js';
import { formatSummaryTable } from '../run/k6-summary.js';
import { comparisonMarkdown, comparisonTable } from '../report/compare-format.js';
import { buildReportData, REPORT_FILES, REPORT_SCHEMA_VERSION, runReportData, type ReportData } from '../report/report-data.js';
import { writeReport } from '../report/write.js';
import { LANGS, type Lang } from '../rules/types.js';
import { DECISION, verdictLines, verdictStatus } from '../verdict/verdict.js';
import { durationFlag } from './convention.js';

function parseLang(text: string): Lang {
  if (!(LANGS as readonly string[]).includes(text)) throw inputError('command line', '--lang', `one of ${LANGS.join(', ')}, got "${text}"`);
  return text as Lang;
}

export function terminalSummary(data: ReportData): string {
  const out: string[] = [];
  for (const a of data.phases) {
    out.push(`${a.service} · ${a.phase} · ${a.profile} · ${a.durationSec.toFixed(0)} s${a.incomplete ? ` · INCOMPLETE (${a.incompleteReasons.join('; ')})` : ''}`);
    out.push(formatSummaryTable(a.transactions.map((t) => ({
      name: t.name, requests: t.requests, achievedRatePerSec: t.ratePerSec, targetRatePerSec: t.targetRatePerSec ?? undefined,
      p95Ms: t.latencyMs?.p95, p99Ms: t.latencyMs?.p99, errorRate: t.errorRate, dropped: t.dropped,
    }))));
    for (const s of a.slo) out.push(`  ${s.pass ? 'pass' : 'FAIL'}  ${s.transaction} ${s.criterion} ${s.op} ${s.limit}: ${s.actual === null ? 'no data' : Number(s.actual.toFixed(4))}`);
    out.push('');
  }
  for (const r of data.recommendations) out.push(`[${r.severity}] ${r.phase}: ${r.text.en} (${r.ruleId})`);
  out.push('', verdictLines(data.verdict));
  return out.join('\n');
}

/** A side of `perfcell compare`: a run folder, an iteration folder, or an analysis.json. */
async function phasesOf(path: string, windowMs: number | undefined): Promise<Analysis[]> {
  if (!existsSync(path)) throw new PerfcellError(`${path}: no such file or folder (expected a run folder, an iteration folder or an analysis.json)`);
  if (statSync(path).isFile()) {
    let data: ReportData;
    try {
      data = JSON.parse(readFileSync(path, 'utf8')) as ReportData;
    } catch (e) {
      throw inputError(path, '', `valid JSON (${(e as Error).message})`);
    }
    if (data.schemaVersion !== REPORT_SCHEMA_VERSION || !Array.isArray(data.phases)) throw inputError(path, 'schemaVersion', `an analysis.json of schema ${REPORT_SCHEMA_VERSION}`);
    return data.phases;
  }
  return (await buildReportData(path, { windowMs })).phases;
}

export function registerAnalysisCommands(program: Command): void {
  program
    .command('analyze')
    .argument('<runs...>', 'run folder(s); several are analysed as one (injectors, execution segments)')
    .option('-o, --out <dir>', 'where analysis.json goes (default: the first run folder)')
    .option('--window <duration>', 'width of the series windows', '1s')
    .description('analyse raw k6 samples: terminal summary + analysis.json')
    .action(async (runs: string[], opts: { out?: string; window: string }) => {
      const data = await runReportData(runs.map((r) => resolve(r)), { windowMs: durationFlag('--window', opts.window) });
      if (opts.out) mkdirSync(resolve(opts.out), { recursive: true });
      const out = resolve(opts.out ?? (runs[0] as string), REPORT_FILES.analysis);
      writeFileSync(out, JSON.stringify(data) + '\n');
      process.stdout.write(terminalSummary(data) + `\nanalysis: ${out}\n`);
    });

  program
    .command('report')
    .argument('<folder>', 'an iteration folder (reports/<service>/iteration-<N>) or a run folder')
    .option('--lang <lang>', 'en | fr', 'en')
    .option('-o, --out <dir>', 'output folder (default: the folder itself)')
    .option('--previous <dir>', 'iteration to compare with (default: iteration-<N-1> beside it)')
    .option('--window <duration>', 'width of the series windows', '1s')
    .description('write report.html, analysis.json, summary.md and junit.xml')
    .action(async (folder: string, opts: { lang: string; out?: string; previous?: string; window: string }) => {
      const { data, files } = await writeReport(folder, { lang: parseLang(opts.lang), out: opts.out, previousDir: opts.previous, windowMs: durationFlag('--window', opts.window) });
      process.stdout.write(`${DECISION[verdictStatus(data.verdict)].en} · ${data.recommendations.length} recommendation(s)\n${Object.values(files).join('\n')}\n`);
    });

  program
    .command('compare')
    .argument('<a>', 'before: run folder, iteration folder or analysis.json')
    .argument('<b>', 'after: run folder, iteration folder or analysis.json')
    .option('--markdown <file>', 'also write the comparison as markdown')
    .option('--window <duration>', 'width of the series windows', '1s')
    .description('per-transaction differences between two runs or iterations')
    .action(async (a: string, b: string, opts: { markdown?: string; window: string }) => {
      const windowMs = durationFlag('--window', opts.window);
      const [pa, pb] = [await phasesOf(a, windowMs), await phasesOf(b, windowMs)];
      // Same phases side by side; two single runs compare whatever their phases.
      const pairs = pa.length === 1 && pb.length === 1 ? [{ phase: `${pa[0]?.phase} → ${pb[0]?.phase}`, before: pa[0] as Analysis, after: pb[0] as Analysis }]
        : pb.flatMap((after) => {
            const before = pa.find((x) => x.phase === after.phase);
            return before ? [{ phase: after.phase, before, after }] : [];
          });
      if (pairs.length === 0) throw new PerfcellError(`${a} and ${b} have no phase in common`);
      const md: string[] = [];
      for (const p of pairs) {
        const rows = compareAnalyses(p.before, p.after);
        process.stdout.write(`${p.phase}: ${basename(a)} → ${basename(b)}\n${comparisonTable(rows)}\n\n`);
        md.push(comparisonMarkdown(rows, `${p.phase}: ${basename(a)} → ${basename(b)}`));
      }
      if (opts.markdown) writeFileSync(opts.markdown, md.join('\n'));
    });
}
