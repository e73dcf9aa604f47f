/**
 * `--site DIR` of `perfcell campaign` and `perfcell gate`: refresh the portfolio site at the command's end
 * with an incremental build over the same reports folder. The site is a by-product: its failure is one
 * warning line, never an exception, so it cannot change the campaign's or the gate's exit code.
 */
import { buildSite, type SiteOptions, type SiteResult } from './build.js';

export type SiteRefresh = { ok: true; result: SiteResult } | { ok: false; reason: string };

/** buildSite, its failure turned into a reason; `log` gets one line either way. */
export async function refreshSite(options: SiteOptions, log: (line: string) => void): Promise<SiteRefresh> {
  const t0 = performance.now();
  try {
    const result = await buildSite(options);
    const s = ((performance.now() - t0) / 1000).toFixed(1);
    log(`site: ${result.outDir}/index.html refreshed (${result.written} of ${result.pages} pages written${result.problems ? `, ${result.problems} unreadable input(s) listed` : ''}) in ${s} s`);
    return { ok: true, result };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    log(`perfcell: warning: the site in ${options.outDir} was not refreshed: ${reason}`);
    return { ok: false, reason };
  }
}
