/** perfcell's CLI: thin commands that parse flags, call a use case and map errors to exit codes. */
import { Command } from 'commander';
import { installExitHook } from '../../lib/process/children.js';
import { reportError } from './exit-codes.js';
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
import { registerK8sCommands } from './k8s-commands.js';

installExitHook();
const debug = process.argv.includes('--debug');
const program = new Command('perfcell')
  .description('load models, k6 runs, campaigns, analysis, reports and a PR gate for a performance cell')
  .option('--debug', 'show stack traces')
  .showHelpAfterError();
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
registerK8sCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = reportError(error, debug);
}
