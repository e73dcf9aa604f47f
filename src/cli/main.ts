/** perfcell's CLI: thin commands that parse flags, call a use case and map errors to exit codes. */
import { Command } from 'commander';
import { installExitHook } from '../../lib/process/children.js';
import { reportError } from './exit-codes.js';
import { applyConvention, CliExit, helpOfAll, versionReport } from './convention.js';
import { registerInitCommand } from './init-commands.js';
import { registerModelCommands } from './model-commands.js';
import { registerRunCommand } from './run-command.js';
import { registerStubsCommands } from './stubs-commands.js';
import { registerCampaignCommands } from './campaign-commands.js';
import { registerSutCommands } from './sut-commands.js';
import { registerGateCommands } from './gate-commands.js';
import { registerMetricsCommands } from './metrics-commands.js';
import { registerAnalysisCommands } from './analysis-commands.js';
import { registerDeriveCommands } from './derive-commands.js';
import { registerDataCommands } from './data-commands.js';
import { registerSiteCommands } from './site-commands.js';
import { registerScenarioCommands } from './scenario-commands.js';
import { registerK8sCommands } from './k8s-commands.js';

installExitHook();
const debug = process.argv.includes('--debug');
const program = new Command('perfcell')
  .description('load models, k6 runs, campaigns, analysis, reports and a PR gate for a performance cell')
  .option('--debug', 'show stack traces')
  .option('-V, --version', 'perfcell\'s version and the versions of k6, WireMock and InfluxDB found')
  .on('option:version', () => {
    process.stdout.write(versionReport());
    process.exit(0);
  })
  .showHelpAfterError();
registerInitCommand(program);
registerModelCommands(program);
registerRunCommand(program);
registerStubsCommands(program);
registerCampaignCommands(program);
registerSutCommands(program);
registerGateCommands(program);
registerMetricsCommands(program);
registerAnalysisCommands(program);
registerDeriveCommands(program);
registerDataCommands(program);
registerSiteCommands(program);
registerScenarioCommands(program);
registerK8sCommands(program);

// Hidden: every command's --help at once, for the convention test (test/cli/convention.test.ts).
program.command('help-all', { hidden: true }).action(() => {
  process.stdout.write(JSON.stringify(helpOfAll(program)) + '\n');
});
// Last, so that it reaches every command registered above (exit codes, help defaults, -q/-v, colour).
applyConvention(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = error instanceof CliExit ? error.exitCode : reportError(error, debug);
}
