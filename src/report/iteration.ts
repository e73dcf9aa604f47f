/**
 * The campaign's hook (src/campaign/report-hook.ts imports this module): at the end of each iteration,
 * reports/<service>/iteration-<N>/ gets report.html, analysis.json, summary.md and junit.xml, compared with
 * iteration-<N-1> beside it. Returns the HTML report's path and the iteration's verdict (the campaign's own).
 */
import { PerfcellError } from '../errors.js';
import { isRunFolder } from './report-data.js';
import { writeReport, type ReportOptions } from './write.js';
import type { Verdict } from '../verdict/verdict.js';

export async function writeIterationReport(iterationDir: string, options: Omit<ReportOptions, 'out'> = {}): Promise<{ report: string; verdict: Verdict }> {
  if (isRunFolder(iterationDir)) throw new PerfcellError(`${iterationDir}: a run folder, not an iteration folder (reports/<service>/iteration-<N>)`);
  const { files, data } = await writeReport(iterationDir, options);
  return { report: files.html, verdict: data.verdict };
}
