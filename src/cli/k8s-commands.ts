/** `perfcell k8s manifest`: what k6-operator needs to run a profile in Kubernetes (docs/distributed.md). */
import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { inputError } from '../errors.js';
import { k8sManifest } from '../k8s/write-manifest.js';
import { collectTarget } from './run-command.js';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1) throw inputError('--parallelism', '', `an integer ≥ 1, got "${value}"`);
  return n;
}

export function registerK8sCommands(program: Command): void {
  program
    .command('k8s')
    .description('Kubernetes (k6-operator)')
    .command('manifest')
    .argument('<model>', 'load model (YAML)')
    .requiredOption('-p, --profile <name>', 'profile of the model')
    .option('-e, --env <name>', 'environment of the model')
    .requiredOption('--parallelism <n>', 'runner pods, each one execution segment', positiveInt)
    .option('-o, --out <file>', 'write the YAML there instead of standard output')
    .option('--image <image>', 'runner image (default grafana/k6 of the pinned k6 version)')
    .option('--cpu <q>', 'CPU requested per runner', '1')
    .option('--memory <q>', 'memory requested (and limit) per runner', '1Gi')
    .option('--separate', 'one runner per node (podAntiAffinity)', false)
    .option('--cleanup', 'delete the runners when done (results stay on the claim)', false)
    .option('--results-claim <pvc>', 'PersistentVolumeClaim the runners write raw samples and summaries to', 'perfcell-results')
    .option('-n, --namespace <ns>', 'namespace of the objects')
    .option('-t, --target <name=url>', 'a target URL as the runners reach it (repeatable)', collectTarget)
    .description('print a k6-operator TestRun and the ConfigMap holding the bundle (multi-document YAML)')
    .action(async (model: string, opts: { profile: string; env?: string; parallelism: number; out?: string; image?: string; cpu: string; memory: string; separate: boolean; cleanup: boolean; resultsClaim: string; namespace?: string; target?: Record<string, string> }) => {
      const { target, ...rest } = opts;
      const m = await k8sManifest({ model, ...rest, targetOverrides: target });
      if (opts.out) {
        writeFileSync(opts.out, m.yaml);
        process.stderr.write(`perfcell: TestRun ${m.name} (run ${m.runId}) written to ${opts.out}\n`);
      } else process.stdout.write(m.yaml);
    });
}
