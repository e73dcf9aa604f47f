/**
 * Scripts that stay true to the API (docs/api-contract.md): `scenarios check` (drift between a run's
 * requests and the OpenAPI documents), `scenario new` (a scenario export scaffolded from an operation) and
 * `scenario import` (a recorded session as a scenario export).
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { PerfcellError } from '../errors.js';
import { CONTRACT_EXIT } from '../exit-codes.js';

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/** The check's own codes: an error a user can cause is 2, an environment that does not answer is 3. */
function contractExitFor(error: unknown): number {
  if (error instanceof PerfcellError && error.kind === 'input') return CONTRACT_EXIT.input;
  if (error instanceof PerfcellError) return CONTRACT_EXIT.couldNotRun;
  throw error;
}

export function registerScenarioCommands(program: Command): void {
  const scenarios = program.command('scenarios').description('check load scripts against the API they exercise');
  scenarios
    .command('check <model>')
    .description('drift between a run\'s requests and OpenAPI documents: undocumented paths, methods and statuses, refused requests, dead claims; operation coverage')
    .requiredOption('--openapi <file|url>', 'an OpenAPI 3.0/3.1 document (repeat for several services)', collect)
    .option('--run <folder>', 'a run folder of this model (default: make a smoke run now)')
    .option('-p, --profile <name>', 'profile of the run made when no --run is given', 'smoke')
    .option('-e, --env <name>', 'environment of that run')
    .option('--volumes <derived-model>', 'a derived model (perfcell derive): weigh coverage by production volume')
    .option('--json', 'print the report as JSON')
    .option('--junit <file>', 'also write a JUnit report (one test case per operation)')
    .action(async (model: string, opts: { openapi: string[]; run?: string; profile: string; env?: string; volumes?: string; json?: boolean; junit?: string }) => {
      try {
        // Loaded here, not at the top: every command's start-up would otherwise pay for the OpenAPI parser.
        const [{ checkContract }, { driftJson, driftJunit, driftTable }] = await Promise.all([import('../api-contract/check.js'), import('../api-contract/format.js')]);
        const report = await checkContract({ model, openapi: opts.openapi, run: opts.run, volumes: opts.volumes, profile: opts.profile, env: opts.env, log: (l) => process.stderr.write(`${l}\n`) });
        process.stdout.write(opts.json ? driftJson(report) : driftTable(report));
        if (opts.junit) writeFileSync(opts.junit, driftJunit(report));
        process.exitCode = report.findings.length > 0 ? CONTRACT_EXIT.drift : CONTRACT_EXIT.clean;
      } catch (error) {
        process.exitCode = contractExitFor(error);
        process.stderr.write(`perfcell: ${(error as Error).message}\n`);
      }
    });

  const scenario = program.command('scenario').description('write load scenarios');
  scenario
    .command('new')
    .description('a typed scenario export for one OpenAPI operation, added to a load model with a placeholder volume')
    .requiredOption('--openapi <file|url>', 'the OpenAPI document')
    .requiredOption('--operation <id>', 'an operationId or "METHOD /path"')
    .option('--name <transaction>', 'transaction name (default: from the operationId)')
    .option('--model <file>', 'load model to add the transaction to')
    .option('--file <scenario.ts>', 'scenario file to write or append to (default: scenarios/<service>/<tag>.ts)')
    .option('--target <name>', 'the environment target the requests go to (default: the model\'s first target)')
    .action(async (opts: { openapi: string; operation: string; name?: string; model?: string; file?: string; target?: string }) => {
      const { scaffoldScenario } = await import('../api-contract/new-scenario.js');
      const result = await scaffoldScenario(opts);
      for (const line of result.messages) process.stdout.write(`${line}\n`);
    });
  scenario
    .command('import')
    .description('a recorded browser or proxy session (HAR) as a typed scenario export: static assets and third-party hosts dropped, ids and tokens correlated, think times kept')
    .requiredOption('--har <file.har>', 'the recording (HTTP Archive 1.2: Chromium, Firefox, Playwright, a proxy)')
    .option('--name <transaction>', 'transaction name (default: from the file name)')
    .option('--model <file>', 'load model: its targets name the hosts; the transaction is added to it')
    .option('--file <scenario.ts>', 'scenario file to write (default: scenarios/<service>/<transaction>.ts)')
    .action(async (opts: { har: string; name?: string; model?: string; file?: string }) => {
      const { importScenario } = await import('../api-contract/import-scenario.js');
      const result = importScenario(opts);
      for (const line of result.messages) process.stdout.write(`${line}\n`);
    });
}
