/**
 * What a report shows, as plain data (it is analysis.json): the phases of an iteration (or one run), the
 * phase comparison, the comparison with the previous iteration, the recommendations and the verdict.
 * Loading from folders is here; everything after is pure.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { analyzeRuns, type AnalyzeOptions } from '../analysis/analyze.js';
import { compareAnalyses, type ComparisonRow } from '../analysis/compare.js';
import { comparePhases, type PhaseComparisonRow } from '../analysis/phases.js';
import type { Analysis } from '../analysis/types.js';
import { PerfcellError } from '../errors.js';
import { PHASES, type Phase } from '../model/compile.js';
import { readRunMeta, runFile, RUN_FILES } from '../store/folder.js';
import { runRules } from '../rules/catalogue.js';
import { verdictOf, type Verdict } from '../verdict/verdict.js';
import { byFrequency, parseStubsFile, type StubsFile, type UnmatchedRequest } from '../stubs/verify.js';
import { SEVERITY_ORDER, type Recommendation } from '../rules/types.js';

export const REPORT_SCHEMA_VERSION = 1;
export const REPORT_FILES = { html: 'report.html', analysis: 'analysis.json', summary: 'summary.md', junit: 'junit.xml' } as const;

export type { Verdict } from '../verdict/verdict.js';

/** One stub server's requests that matched no mapping during a phase (merged over the phase's run folders). */
export interface UnmatchedStubs {
  phase: Phase;
  stubSet: string;
  url: string;
  /** Every request the stub server got during the phase. */
  requests: number;
  /** Most frequent first. */
  unmatched: UnmatchedRequest[];
  /** The stub journal overflowed: counts are lower bounds. */
  journalOverflowed: boolean;
}

export interface ReportData {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  kind: 'iteration' | 'run';
  service: string;
  iteration: number | null;
  dir: string;
  generatedAt: string;
  campaign: Record<string, unknown> | null;
  phases: Analysis[];
  phaseComparison: PhaseComparisonRow[];
  previous: { iteration: number; dir: string; comparisons: { phase: Phase; rows: ComparisonRow[] }[] } | null;
  recommendations: Recommendation[];
  /** Stub servers that got requests no mapping matched, by phase (from the run folders' stubs.json). */
  unmatchedStubs: UnmatchedStubs[];
  verdict: Verdict;
}

export const isRunFolder = (dir: string): boolean => existsSync(join(dir, RUN_FILES.meta));

/** Run folders of an iteration, by phase: <iteration>/<phase>/ is a run, or holds one run folder per injector. */
export function phaseRuns(iterationDir: string): Map<Phase, string[]> {
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    let entries: string[];
    try {
      entries = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(dir, e);
      if (!statSync(p).isDirectory()) continue;
      if (isRunFolder(p)) found.push(p);
      else if (depth > 0) walk(p, depth - 1);
    }
  };
  walk(iterationDir, 2);
  const by = new Map<Phase, string[]>();
  for (const dir of found) {
    const phase = readRunMeta(dir).phase;
    by.set(phase, [...(by.get(phase) ?? []), dir]);
  }
  return by;
}

function iterationNumber(dir: string): number | null {
  const m = /^iteration-(\d+)$/.exec(basename(resolve(dir)));
  return m ? Number(m[1]) : null;
}

function readJson(path: string): Record<string, unknown> | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

async function analysePhases(iterationDir: string, options: AnalyzeOptions): Promise<Analysis[]> {
  const runs = phaseRuns(iterationDir);
  const out: Analysis[] = [];
  for (const phase of PHASES) {
    const dirs = runs.get(phase);
    if (dirs) out.push(await analyzeRuns(dirs, options));
  }
  return out;
}

/** The previous iteration's phases: its analysis.json when it has a current one, else its run folders. */
async function previousPhases(dir: string, options: AnalyzeOptions): Promise<Analysis[]> {
  const saved = readJson(join(dir, REPORT_FILES.analysis));
  if (saved && saved.schemaVersion === REPORT_SCHEMA_VERSION && Array.isArray(saved.phases)) return (saved as unknown as ReportData).phases;
  return analysePhases(dir, options);
}

export interface BuildOptions extends AnalyzeOptions {
  now?: () => Date;
  /** Compare with this iteration folder (default: iteration-<N−1> beside the given one). */
  previousDir?: string;
}

/** Pure: a phase's stubs.json contents → one entry per stub server that got unmatched requests. */
export function unmatchedStubsOf(phase: Phase, files: readonly StubsFile[]): UnmatchedStubs[] {
  const by = new Map<string, UnmatchedStubs>();
  for (const v of files.flatMap((f) => f.verifications)) {
    const e = by.get(v.stubSet) ?? { phase, stubSet: v.stubSet, url: v.url, requests: 0, unmatched: [], journalOverflowed: false };
    by.set(v.stubSet, e);
    e.requests += v.requests;
    e.journalOverflowed ||= v.journalOverflowed;
    for (const u of v.unmatched) {
      const same = e.unmatched.find((x) => x.method === u.method && x.url === u.url);
      if (same) {
        same.count += u.count;
        same.firstAtMs = Math.min(same.firstAtMs, u.firstAtMs);
      } else e.unmatched.push({ method: u.method, url: u.url, count: u.count, firstAtMs: u.firstAtMs });
    }
  }
  return [...by.values()].filter((e) => e.unmatched.length > 0).map((e) => ({ ...e, unmatched: e.unmatched.sort(byFrequency) }));
}

/** The stubs.json of each phase's run folders (campaign phases with stubs have one; others none). */
function readUnmatchedStubs(phases: readonly Analysis[]): UnmatchedStubs[] {
  return phases.flatMap((a) => {
    const paths = a.runs.map((r) => runFile(r.dir, 'stubs')).filter((p) => existsSync(p));
    return unmatchedStubsOf(a.phase, paths.map((p) => parseStubsFile(p, readFileSync(p, 'utf8'))));
  });
}

export function assemble(input: {
  kind: ReportData['kind'];
  dir: string;
  iteration: number | null;
  phases: Analysis[];
  previous: { iteration: number; dir: string; phases: Analysis[] } | null;
  campaign: Record<string, unknown> | null;
  generatedAt: string;
  unmatchedStubs?: UnmatchedStubs[];
}): ReportData {
  const { phases } = input;
  const phaseComparison = comparePhases(phases);
  const comparisons = input.previous
    ? phases.flatMap((a) => {
        const before = input.previous?.phases.find((p) => p.phase === a.phase);
        return before ? [{ phase: a.phase, before, rows: compareAnalyses(before, a) }] : [];
      })
    : [];
  const recommendations = phases
    .flatMap((analysis) => {
      const cmp = comparisons.find((c) => c.phase === analysis.phase);
      return runRules({ analysis, phases, phaseComparison, previous: cmp ? { analysis: cmp.before, comparison: cmp.rows } : null });
    })
    // Stable: most severe first, then phase order, then catalogue order.
    .sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    kind: input.kind,
    service: phases[0]?.service ?? '',
    iteration: input.iteration,
    dir: input.dir,
    generatedAt: input.generatedAt,
    campaign: input.campaign,
    phases,
    phaseComparison,
    previous: input.previous ? { iteration: input.previous.iteration, dir: input.previous.dir, comparisons: comparisons.map(({ phase, rows }) => ({ phase, rows })) } : null,
    recommendations,
    unmatchedStubs: input.unmatchedStubs ?? [],
    verdict: verdictOf(phases, recommendations),
  };
}

/**
 * Run folders analysed as one run (a run, or its injectors' folders) → ReportData: what `run`, `analyze` and
 * `report` all judge a run by, so that they give the same verdict.
 */
export async function runReportData(dirs: readonly string[], options: BuildOptions = {}): Promise<ReportData> {
  const a = await analyzeRuns([...dirs], options);
  const generatedAt = (options.now ?? (() => new Date()))().toISOString();
  return assemble({ kind: 'run', dir: resolve(dirs[0] ?? '.'), iteration: a.iteration, phases: [a], previous: null, campaign: null, generatedAt, unmatchedStubs: readUnmatchedStubs([a]) });
}

/** A run folder or an iteration folder → ReportData. */
export async function buildReportData(target: string, options: BuildOptions = {}): Promise<ReportData> {
  const dir = resolve(target);
  if (!existsSync(dir)) throw new PerfcellError(`${target}: no such folder (expected a run folder or reports/<service>/iteration-<N>)`);
  const generatedAt = (options.now ?? (() => new Date()))().toISOString();
  if (isRunFolder(dir)) return runReportData([dir], options);
  const phases = await analysePhases(dir, options);
  if (phases.length === 0) throw new PerfcellError(`${target}: neither a run folder (no ${RUN_FILES.meta}) nor an iteration folder (no run folder under it)`);
  const n = iterationNumber(dir);
  const prevDir = options.previousDir ? resolve(options.previousDir) : n !== null && n > 1 ? join(dirname(dir), `iteration-${n - 1}`) : null;
  let previous: { iteration: number; dir: string; phases: Analysis[] } | null = null;
  if (prevDir && existsSync(prevDir)) {
    const prevPhases = await previousPhases(prevDir, options);
    if (prevPhases.length) previous = { iteration: iterationNumber(prevDir) ?? prevPhases[0]?.iteration ?? 0, dir: prevDir, phases: prevPhases };
  }
  return assemble({
    kind: 'iteration', dir, iteration: n ?? phases[0]?.iteration ?? null, phases, previous, campaign: readJson(join(dir, 'campaign.json')), generatedAt,
    unmatchedStubs: readUnmatchedStubs(phases),
  });
}
