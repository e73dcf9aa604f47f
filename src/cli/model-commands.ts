/** `perfcell model check|show`: validate a model, and show what a profile compiles to before shooting. */
import type { Command } from 'commander';
import { PHASES, type Phase } from '../model/compile.js';
import { formatDuration } from '../model/duration.js';
import { inputError } from '../errors.js';

export function parsePhase(value: string): Phase {
  if (!(PHASES as readonly string[]).includes(value)) throw inputError('--phase', '', `one of ${PHASES.join(', ')}, got "${value}"`);
  return value as Phase;
}

/** Loaded by the actions, not at the top: every command's start-up would otherwise pay for the model's parser (yaml, zod). */
async function modelModules() {
  const [{ loadModel }, { compile }, { selectEnvironment, guardEnvironment }, { withRegistry }] = await Promise.all([
    import('../model/load.js'),
    import('../model/compile.js'),
    import('../model/environment.js'),
    import('../environments/registry.js'),
  ]);
  return { loadModel, compile, selectEnvironment, guardEnvironment, withRegistry };
}

export function registerModelCommands(program: Command): void {
  const model = program.command('model').description('validate and inspect load models');
  model
    .command('check')
    .argument('<file>', 'load model (YAML)')
    .description('validate a load model: fields, scenario files, profiles, environments')
    .action(async (file: string) => {
      const { loadModel, compile, selectEnvironment, guardEnvironment, withRegistry } = await modelModules();
      const loaded = loadModel(file);
      for (const name of Object.keys(loaded.model.environments)) guardEnvironment(loaded.file, name, loaded.model.environments[name]!);
      for (const p of Object.keys(loaded.model.profiles)) {
        const environment = selectEnvironment(withRegistry(loaded), loaded.file, Object.keys(loaded.model.environments)[0]);
        compile({ model: loaded.model, file: loaded.file, profile: p, environment, phase: 'unstubbed', runId: 'check', iteration: 1 });
      }
      process.stdout.write(`${loaded.file}: ok (${loaded.model.transactions.length} transactions, profiles: ${Object.keys(loaded.model.profiles).join(', ')})\n`);
    });
  model
    .command('show')
    .argument('<file>', 'load model (YAML)')
    .requiredOption('-p, --profile <name>', 'profile to compile')
    .option('-e, --env <name>', 'environment')
    .option('--json', 'print the k6 options as JSON')
    .description('print per transaction: rate/s, VUs, duration, thresholds')
    .action(async (file: string, opts: { profile: string; env?: string; json?: boolean }) => {
      const { loadModel, compile, selectEnvironment, withRegistry } = await modelModules();
      const loaded = loadModel(file);
      const environment = selectEnvironment(withRegistry(loaded), loaded.file, opts.env);
      const c = compile({ model: loaded.model, file: loaded.file, profile: opts.profile, environment, phase: 'unstubbed', runId: 'show', iteration: 1 });
      if (opts.json) {
        process.stdout.write(JSON.stringify(c.options, null, 2) + '\n');
        return;
      }
      const out = process.stdout;
      out.write(`${loaded.model.service} · profile ${opts.profile} · environment ${environment.name} · ${formatDuration(c.durationMs)}\n`);
      for (const [name, url] of Object.entries(environment.env.targets)) out.write(`  target ${name} = ${url}\n`);
      out.write('  timeline (× peak hourly volume): ' + c.timeline.map((s) => `${+s.fromMultiplier.toFixed(3)}→${+s.toMultiplier.toFixed(3)} ${formatDuration(s.durationMs)}`).join(', ') + '\n\n');
      for (const t of c.transactions) {
        const sc = c.options.scenarios[t.name]!;
        out.write(`${t.name}  (${t.scenario})\n`);
        out.write(c.closedModel
          ? `  executor ${sc.executor}, ${t.maxVUs} VUs, pause ${t.thinkTimeMs} ms after each iteration: ≈ ${t.peakRatePerSec.toFixed(2)} /s expected at the expected response time (closed model: the rate is an outcome)\n`
          : `  executor ${sc.executor}, rate ${t.stepRatesPerSec.map((r) => r.toFixed(2)).join(' / ')} /s, VUs ${t.preAllocatedVUs} pre-allocated, ${t.maxVUs} max\n`);
        out.write(`  thresholds: ${t.thresholds.filter((x) => !/(>=0|count>=0)$/.test(x)).join(', ') || 'none'}\n`);
      }
    });
}
