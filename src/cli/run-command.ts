import type { Command } from 'commander';
import { parsePhase } from './model-commands.js';
import { inputError } from '../errors.js';
import { addRunHookOptions, runHookOptionsFrom } from './metrics-commands.js';

/** `--target name=url`, repeatable: points a target of the environment elsewhere (still guarded). */
export function collectTarget(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw inputError('--target', '', `name=url, got "${value}"`);
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

export function registerRunCommand(program: Command): void {
  addRunHookOptions(program.command('run'))
    .argument('<model>', 'load model (YAML)')
    .requiredOption('-p, --profile <name>', 'profile of the model')
    .option('-e, --env <name>', 'environment of the model')
    .option('--phase <phase>', 'stubbed | unstubbed | e2e', 'unstubbed')
    .option('--iteration <n>', 'iteration number recorded in tags and run.json', '1')
    .option('-o, --out <dir>', 'run folder (default reports/<service>/runs/<run id>)')
    .option('-t, --target <name=url>', 'override a target URL of the environment (repeatable)', collectTarget)
    .option('-q, --quiet', "hide k6's progress")
    .option('--injectors <spec>', 'k6 processes sharing the load by execution segment: local:N, user@host[:port],… (docs/distributed.md)')
    .option('--ssh-config <file>', 'OpenSSH client settings for SSH injectors (identity, known hosts; default ~/.ssh/config)')
    .option('--record-bodies', 'keep a sample of the requests sent (bodies, query strings) in k6.log, for `perfcell scenarios check --run`')
    .description('run a profile of a load model with k6 and write a run folder')
    .action(async (model: string, opts: { profile: string; env?: string; phase: string; iteration: string; out?: string; quiet?: boolean; target?: Record<string, string>; influx?: string | boolean; monitor?: boolean; monitorInterval?: string; injectors?: string; sshConfig?: string; recordBodies?: boolean }) => {
      // Loaded here, not at the top: every command's start-up would otherwise pay for the run's modules.
      const [{ executeRun }, { withRunHooks }] = await Promise.all([import('../run/execute.js'), import('../side-channels/defaults.js')]);
      const outcome = await executeRun({
        model,
        profile: opts.profile,
        env: opts.env,
        phase: parsePhase(opts.phase),
        iteration: Number(opts.iteration),
        out: opts.out,
        quiet: opts.quiet,
        targetOverrides: opts.target,
        injectors: opts.injectors,
        sshConfig: opts.sshConfig,
        sideChannels: opts.recordBodies ? (await import('../api-contract/record-requests.js')).withRequestRecording(withRunHooks(runHookOptionsFrom(opts))) : withRunHooks(runHookOptionsFrom(opts)),
      });
      process.exitCode = outcome.exitCode;
    });
}
