/**
 * Call site of the iteration report (src/report, built in parallel): the campaign calls
 * `writeIterationReport(iterationDir)` when that module exposes it, and records the returned path in
 * campaign.json. Until it exists the campaign runs without a report.
 */
// TODO(report): replace this lookup by a static import once src/report exposes writeIterationReport.
const REPORT_MODULE = '../report/iteration.js';

type Writer = (iterationDir: string) => Promise<string | undefined>;

export async function iterationReportWriter(): Promise<Writer | undefined> {
  try {
    const m = (await import(REPORT_MODULE)) as { writeIterationReport?: Writer };
    return typeof m.writeIterationReport === 'function' ? m.writeIterationReport : undefined;
  } catch {
    return undefined;
  }
}
