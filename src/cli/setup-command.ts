/**
 * `perfcell setup`: what `npm run setup` does in perfcell's checkout, for the package a service's repository
 * installs (scripts/setup.mjs): find a k6 v2.x that passes the feature probe (PERFCELL_K6, PATH) or build
 * the pinned one from its Go module into the package's .tools/bin, and check Java for WireMock. Installed,
 * it neither runs npm (the service's own install did) nor installs system packages (the CI image's job).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Command } from 'commander';
import { PROJECT_ROOT } from '../k6/locate.js';

export function registerSetupCommand(program: Command): void {
  program
    .command('setup')
    .option('--no-system-packages', 'never apt-get InfluxDB, Chromium, Prometheus or sshd (the default when installed as a package)')
    .option('-q, --quiet', 'only errors')
    .description('find or build k6 (any v2.x passing the feature probe, else the pinned one from Go), check Java: once after installing')
    .action((opts: { systemPackages: boolean; quiet?: boolean }) => {
      const args = [join(PROJECT_ROOT, 'scripts', 'setup.mjs'), ...(opts.systemPackages ? [] : ['--no-system-packages']), ...(opts.quiet ? ['--quiet'] : [])];
      const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
      process.exitCode = r.status ?? 1;
    });
}
