/** perfcell's CLI: thin commands that parse flags, call a use case and map errors to exit codes. */
import { Command } from 'commander';
import { installExitHook } from '../../lib/process/children.js';
import { reportError } from './exit-codes.js';
import { applyConvention, CliExit, helpOfAll } from './convention.js';

type Register = (program: Command) => void;

/**
 * Each top-level command → the modules that register it, in the order of `perfcell --help`. Only the named
 * command's modules are loaded (their use cases load inside their actions): loading every command and its
 * dependencies through tsx cost 1.2 s of the CLI's 1.6 s start-up on every command (docs/cli.md). `--help`,
 * `help`, `help-all`, no command or an unknown one load them all, so help and suggestions see every command.
 */
const COMMANDS: readonly [readonly string[], () => Promise<Register[]>][] = [
  [['init'], async () => [(await import('./init-commands.js')).registerInitCommand]],
  [['setup'], async () => [(await import('./setup-command.js')).registerSetupCommand]],
  // `model derive` and `model diff` join the model group: both modules for `model`.
  [['model'], async () => [(await import('./model-commands.js')).registerModelCommands, (await import('./derive-commands.js')).registerDeriveCommands]],
  [['run'], async () => [(await import('./run-command.js')).registerRunCommand]],
  [['stubs'], async () => [(await import('./stubs-commands.js')).registerStubsCommands]],
  [['campaign'], async () => [(await import('./campaign-commands.js')).registerCampaignCommands]],
  // sut/ is not in the installed package (package.json `files`): `sut` then says so (sut-presence.ts).
  [['sut'], async () => {
    const { referenceTargetPresent, registerSutAbsent } = await import('./sut-presence.js');
    return [referenceTargetPresent() ? (await import('./sut-commands.js')).registerSutCommands : registerSutAbsent];
  }],
  [['gate', 'baseline'], async () => [(await import('./gate-commands.js')).registerGateCommands]],
  [['influx', 'push'], async () => [(await import('./metrics-commands.js')).registerMetricsCommands]],
  [['analyze', 'report', 'compare'], async () => [(await import('./analysis-commands.js')).registerAnalysisCommands]],
  [['data'], async () => [(await import('./data-commands.js')).registerDataCommands]],
  [['site'], async () => [(await import('./site-commands.js')).registerSiteCommands]],
  [['scenarios', 'scenario'], async () => [(await import('./scenario-commands.js')).registerScenarioCommands]],
  [['k8s'], async () => [(await import('./k8s-commands.js')).registerK8sCommands]],
];

/** The registrations for this command line: the named command's, else every one (in help order). */
async function registrationsFor(argv: readonly string[]): Promise<Register[]> {
  const name = argv.slice(2).find((a) => !a.startsWith('-'));
  const own = COMMANDS.find(([names]) => name !== undefined && names.includes(name));
  // `model` must also load derive-commands, which finds the model group by name: the table keeps that order.
  const chosen = own ? [own] : COMMANDS;
  return (await Promise.all(chosen.map(([, load]) => load()))).flat();
}

installExitHook();
const debug = process.argv.includes('--debug');
/** Thrown when commander meets -V/--version: the report's module (WireMock's and InfluxDB's adapters) loads only then. */
class VersionAsked extends Error {}
const program = new Command('perfcell')
  .description('load models, k6 runs, campaigns, analysis, reports and a PR gate for a performance cell')
  .option('--debug', 'show stack traces')
  .option('-V, --version', 'perfcell\'s version and the versions of k6, WireMock and InfluxDB found')
  .on('option:version', () => {
    throw new VersionAsked();
  })
  .showHelpAfterError();
for (const register of await registrationsFor(process.argv)) register(program);

// Hidden: every command's --help at once, for the convention test (test/cli/convention.test.ts).
program.command('help-all', { hidden: true }).action(() => {
  process.stdout.write(JSON.stringify(helpOfAll(program)) + '\n');
});
// Last, so that it reaches every command registered above (exit codes, help defaults, -q/-v, colour).
applyConvention(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof VersionAsked) {
    const { versionReport } = await import('./version.js');
    process.stdout.write(versionReport());
    process.exit(0);
  }
  process.exitCode = error instanceof CliExit ? error.exitCode : reportError(error, debug);
}
