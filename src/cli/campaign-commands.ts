/** `perfcell campaign <model>`: stubbed → unstubbed → end-to-end phases of one iteration (docs/campaigns.md). */
import type { Command } from 'commander';
import { inputError } from '../errors.js';
import { refreshSiteAfter } from './site-commands.js';
import { addRunHookOptions, runHookOptionsFrom } from './metrics-commands.js';
import { addProgressOptions, progressFrom } from './progress-flags.js';

export function registerCampaignCommands(program: Command): void {
  // As `perfcell run`: --dashboard (each phase's k6 web dashboard, dashboard.html in each phase's folder), --k6-out, --influx, --monitor-interval.
  addProgressOptions(addRunHookOptions(program.command('campaign')))
    .argument('<model>', 'load model (YAML)')
    .option('--phases <list>', 'phases to run, in order', 'stubbed,unstubbed,e2e')
    .option('-p, --profile <name>', "profile for every phase (default: each phase's profile in the campaign definition)")
    .option('-e, --env <name>', 'environment for every phase')
    .option('--iteration <n>', 'iteration number (default: the next one under reports/<service>/)')
    .option('--campaign <file>', "campaign definition file (default: perfcell.config.yaml's campaigns.<service>)")
    .option('--injectors <spec>', "k6 processes for every phase: local:N, user@host[:port],… (default: each phase's, else its environment's; docs/distributed.md)")
    .option('--ssh-config <file>', 'OpenSSH client settings for SSH injectors (default ~/.ssh/config)')
    .option('--reports <dir>', 'reports folder', 'reports')
    .option('--site <dir>', 'refresh the portfolio site in this folder at the end (incremental; a failure only warns)')
    .option('-q, --quiet', "hide k6's progress")
    .description('run a campaign: per phase pre-flight, stubs, run, stub verification; writes reports/<service>/iteration-<N>/')
    .action(async (model: string, opts: { phases: string; profile?: string; env?: string; iteration?: string; campaign?: string; reports: string; site?: string; quiet?: boolean; injectors?: string; sshConfig?: string; progress?: boolean } & Parameters<typeof runHookOptionsFrom>[0]) => {
      const iteration = opts.iteration === undefined ? undefined : Number(opts.iteration);
      if (iteration !== undefined && !(Number.isInteger(iteration) && iteration > 0)) throw inputError('--iteration', '', `a positive integer, got "${opts.iteration}"`);
      // Loaded here, not at the top: `perfcell <any command>` would otherwise load every use case (start-up time).
      const [{ parsePhases }, { runCampaign }, { writeIterationReport }, { referenceTargetPresent }] = await Promise.all([
        import('../campaign/definition.js'),
        import('../campaign/run-campaign.js'),
        import('../report/iteration.js'),
        import('./sut-presence.js'),
      ]);
      // sut/ is absent from the installed package: a campaign whose target is "reference" is then refused by runCampaign.
      const referenceController = referenceTargetPresent() ? (await import('../campaign/reference-target.js')).referenceController : undefined;
      const outcome = await runCampaign({
        model,
        phases: parsePhases(opts.phases),
        profile: opts.profile,
        env: opts.env,
        iteration,
        campaignFile: opts.campaign,
        injectors: opts.injectors,
        sshConfig: opts.sshConfig,
        reportsDir: opts.reports,
        quiet: opts.quiet,
        referenceController,
        // The iteration report (report.html, summary.md, junit.xml) once every phase has run or stopped.
        writeReport: (dir) => writeIterationReport(dir),
        runHooks: runHookOptionsFrom(opts),
        progress: progressFrom(opts),
      });
      process.stdout.write(`${outcome.dir}\n`);
      process.exitCode = outcome.exitCode;
      if (opts.site) await refreshSiteAfter(opts.reports, opts.site);
    });
}

