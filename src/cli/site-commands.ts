/** `perfcell site`: the cell's portfolio as a static offline site (src/site). Thin. */
import type { Command } from 'commander';
import { inputError } from '../errors.js';
import { LANGS, type Lang } from '../rules/types.js';
import { info } from './verbosity.js';

export function registerSiteCommands(program: Command): void {
  program
    .command('site')
    .description('build the static offline site of every service, iteration, gate and environment from the reports folder')
    .option('--reports <dir>', 'the reports folder', 'reports')
    .option('-o, --out <dir>', 'where to write the site', 'site')
    .option('--lang <lang>', `language: ${LANGS.join(' | ')}`, 'en')
    .option('--base-url <url>', 'where the reports folder is published (links to reports.html go there); default relative links')
    .option('--store <dir>', 'the baseline store (default .perfcell/baselines or $PERFCELL_BASELINES)')
    .option('--full', 'rebuild every page (ignore the manifest of content hashes)')
    .action(async (o: { reports: string; out: string; lang: string; baseUrl?: string; store?: string; full?: boolean }) => {
      if (!(LANGS as readonly string[]).includes(o.lang)) throw inputError('command line', '--lang', `one of ${LANGS.join(', ')}, got "${o.lang}"`);
      const t0 = performance.now();
      // Loaded here, not at the top: every command's start-up would otherwise pay for the site's modules.
      const { buildSite } = await import('../site/build.js');
      const r = await buildSite({ reportsDir: o.reports, outDir: o.out, lang: o.lang as Lang, baseUrl: o.baseUrl, store: o.store, full: o.full });
      info(
        `site: ${r.services} services, ${r.iterations} iterations, ${r.pages} pages (${r.written} written, ${r.unchanged} unchanged, ${r.removed} removed)` +
          `${r.problems ? `, ${r.problems} unreadable input(s) listed on their pages` : ''} in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
      process.stdout.write(`${r.outDir}/index.html\n`);
    });
}

/**
 * `--site DIR` of `perfcell campaign` and `perfcell gate`: the site refreshed over the reports folder at the
 * command's end. Never throws and never sets the exit code: the site is a by-product of the verdict.
 */
export async function refreshSiteAfter(reportsDir: string, siteDir: string): Promise<void> {
  const warn = (line: string) => process.stderr.write(`${line}\n`);
  try {
    const { refreshSite } = await import('../site/refresh.js');
    // A warning shows even with -q (info() is silenced then): a site that silently went stale would mislead.
    await refreshSite({ reportsDir, outDir: siteDir }, (line) => (line.startsWith('perfcell: warning') ? warn(line) : info(line)));
  } catch (error) {
    warn(`perfcell: warning: the site in ${siteDir} was not refreshed: ${(error as Error).message}`);
  }
}
