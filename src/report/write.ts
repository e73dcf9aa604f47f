/**
 * Writing a report: report.html, analysis.json, summary.md and junit.xml into a folder (the campaign's hook
 * is src/report/iteration.ts).
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Lang } from '../rules/types.js';
import { junitXml } from './junit.js';
import { renderHtml } from './render.js';
import { buildReportData, REPORT_FILES, type BuildOptions, type ReportData } from './report-data.js';
import { summaryMarkdown } from './summary-md.js';

export interface WrittenReport {
  data: ReportData;
  files: Record<keyof typeof REPORT_FILES, string>;
}

function writeAtomic(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

export function writeReportFiles(data: ReportData, outDir: string, lang: Lang = 'en'): WrittenReport['files'] {
  mkdirSync(outDir, { recursive: true });
  const files = {
    html: join(outDir, REPORT_FILES.html),
    analysis: join(outDir, REPORT_FILES.analysis),
    summary: join(outDir, REPORT_FILES.summary),
    junit: join(outDir, REPORT_FILES.junit),
  };
  writeAtomic(files.html, renderHtml(data, lang));
  writeAtomic(files.analysis, JSON.stringify(data) + '\n');
  writeAtomic(files.summary, summaryMarkdown(data, lang));
  writeAtomic(files.junit, junitXml(data));
  return files;
}

export interface ReportOptions extends BuildOptions {
  lang?: Lang;
  /** Output folder; default the iteration or run folder itself. */
  out?: string;
}

/** A run folder or an iteration folder → its report files. */
export async function writeReport(target: string, options: ReportOptions = {}): Promise<WrittenReport> {
  const data = await buildReportData(target, options);
  const files = writeReportFiles(data, resolve(options.out ?? target), options.lang ?? 'en');
  return { data, files };
}
