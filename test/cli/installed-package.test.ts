/**
 * perfcell installed where it is used (issue 20, deliverable 4): `npm pack` → `npm i -D ./perfcell-<v>.tgz`
 * in a scratch repository of a service perfcell never saw (a few lines of node:http on loopback, started by
 * this test), then, as that repository's newcomer would: `npx perfcell setup` finds k6 (main's build, put on
 * PATH: no Go build here), `npx perfcell init` writes the model, the scenarios and the CI workflow, the
 * scenarios type-check, the smoke passes, and the gate (baseline mode: a run of the gate profile accepted as
 * the baseline, then `perfcell gate`) passes. The reference target (sut/) is not in the installed package.
 * npm installs the tarball's dependencies from its cache (--prefer-offline), the registry for what it lacks.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { parse } from 'yaml';
import { REPO } from '../support/cli.js';
import { parseGithubJob, stepShouldRun, substituteExpressions, type ExpressionContext } from '../support/ci-template.js';
import { locateK6 } from '../../src/k6/locate.js';

interface Result { code: number | null; out: string }

/** A child process without blocking this one's event loop (the service under test answers from here). */
function sh(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('close', (code) => resolve({ code, out }));
  });
}

// The service: GET /hello answers 200 after a millisecond; anything else 404.
const hits: Record<string, number> = {};
const service = createServer((req, res) => {
  const key = `${req.method} ${req.url}`;
  hits[key] = (hits[key] ?? 0) + 1;
  req.resume();
  const known = key === 'GET /hello';
  setTimeout(() => {
    res.writeHead(known ? 200 : 404, { 'content-type': 'application/json' });
    res.end(known ? '{"hello":"world"}' : '{}');
  }, 1);
});
await new Promise<void>((r) => service.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${(service.address() as AddressInfo).port}`;
const scratch = mkdtempSync(join(tmpdir(), 'perfcell-installed-'));
after(() => {
  service.close();
  rmSync(scratch, { recursive: true, force: true });
});

test('npm pack → npm i -D in a service\'s repository → setup, init, smoke and gate there', async () => {
  const t0 = Date.now();
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${dirname(locateK6().path)}${delimiter}${process.env.PATH ?? ''}`, NO_COLOR: '1' };
  delete env.PERFCELL_K6;
  delete env.PERFCELL_CONFIG;
  env.PERFCELL_STATE_DIR = join(scratch, 'state');

  const pack = await sh('npm', ['pack', '--pack-destination', scratch, '--silent'], REPO, env);
  assert.equal(pack.code, 0, pack.out);
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
  const tgz = join(scratch, `perfcell-${pkg.version}.tgz`);
  assert.ok(existsSync(tgz), pack.out);
  const listing = spawnSync('tar', ['-tzf', tgz], { encoding: 'utf8' }).stdout.split('\n');
  assert.ok(listing.includes('package/bin/perfcell.js') && listing.includes('package/src/cli/main.ts') && listing.includes('package/scripts/setup.mjs'), 'the CLI, its sources and setup are packed');
  assert.deepEqual(listing.filter((f) => /^package\/(sut|test|bench|\.tools|node_modules)\//.test(f)), [], 'no reference target, tests, benches or tools in the package');

  const repo = join(scratch, 'hello-service');
  mkdirSync(repo);
  writeFileSync(join(repo, 'package.json'), JSON.stringify({ name: 'hello-service', version: '1.0.0', private: true }, null, 2));
  const tInstall = Date.now();
  const install = await sh('npm', ['install', '--save-dev', tgz, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], repo, env);
  const installMs = Date.now() - tInstall;
  assert.equal(install.code, 0, install.out);
  const installed = join(repo, 'node_modules', 'perfcell');
  assert.ok(existsSync(join(installed, 'bin', 'perfcell.js')));
  assert.ok(!existsSync(join(installed, 'sut')), 'sut/ stays out of the installed package');
  const devDeps = (JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { devDependencies?: Record<string, string> }).devDependencies;
  assert.match(devDeps?.perfcell ?? '', /perfcell-.*\.tgz$/);

  const npx = (args: string[]) => sh('npx', ['perfcell', ...args], repo, env);
  // First run: setup finds a k6 v2.x on PATH that passes the feature probe (it would build one with Go otherwise).
  const setup = await npx(['setup']);
  assert.equal(setup.code, 0, setup.out);
  assert.match(setup.out, /installed as a package/);
  assert.match(setup.out, /k6 v2\.\S+ found on PATH \(passes the feature probe\)/);
  // The reference target is absent, and says so instead of a missing module.
  const sut = await npx(['sut', 'status']);
  assert.notEqual(sut.code, 0);
  assert.match(sut.out, /reference target \(sut\/\) is not part of the installed package/);

  const init = await npx(['init', 'hello', '--base-url', base, '-t', 'hello=GET /hello@3600', '--p95', '200ms']);
  assert.equal(init.code, 0, init.out);
  for (const f of ['load-models/hello.yaml', 'scenarios/hello/hello.ts', 'scenarios/tsconfig.json', 'perfcell.config.yaml', '.github/workflows/perf-gate.yml']) assert.ok(existsSync(join(repo, f)), f);
  assert.match(init.out, /next:\n {2}npx perfcell model check load-models\/hello\.yaml/);
  const workflow = parse(readFileSync(join(repo, '.github/workflows/perf-gate.yml'), 'utf8')) as { env: Record<string, string>; jobs: { gate: { steps: { uses?: string; with?: Record<string, unknown>; run?: string }[] } } };
  assert.equal(workflow.env.GATE_MODEL, 'load-models/hello.yaml');
  assert.equal(workflow.env.GATE_TARGET, 'hello');
  assert.equal(workflow.env.PORT, String((service.address() as AddressInfo).port));
  const steps = workflow.jobs.gate.steps;
  assert.equal(steps.find((s) => s.uses?.startsWith('actions/setup-node'))?.with?.['node-version'], 22);
  const runs = steps.map((s) => s.run ?? '').join('\n');
  for (const cmd of ['npx perfcell setup', 'npx perfcell run "$GATE_MODEL" -p smoke', 'npx perfcell gate "$GATE_MODEL" -p "$GATE_PROFILE"']) assert.ok(runs.includes(cmd), cmd);
  // The workflow as the CI templates' runner reads it (test/support/ci-template.ts): only emulated keys, every
  // expression and `if:` evaluates, and each step's script (expressions substituted) is valid shell.
  const workflowFile = join(repo, '.github/workflows/perf-gate.yml');
  const job = parseGithubJob(readFileSync(workflowFile, 'utf8'), workflowFile, 'gate');
  const ctx: ExpressionContext = {
    github: { event: { pull_request: { number: 7, head: { repo: { full_name: 'acme/hello' } } } }, repository: 'acme/hello', token: 't', server_url: 'https://github.example', run_id: '1' },
    runner: { os: 'Linux', temp: scratch },
    env: job.env,
    steps: { gate: { outputs: { code: '0' }, outcome: 'success', conclusion: 'success' } },
    jobFailed: false,
  };
  for (const step of job.steps) {
    stepShouldRun(step.if, ctx);
    if (step.run === undefined) continue;
    const syntax = spawnSync('bash', ['-n'], { input: substituteExpressions(step.run, ctx), encoding: 'utf8' });
    assert.equal(syntax.status, 0, `${step.name}: ${syntax.stderr}`);
  }

  const tsc = spawnSync(process.execPath, [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(repo, 'scenarios')], { encoding: 'utf8' });
  assert.equal(tsc.status, 0, `the skeletons type-check against the installed package's types: ${tsc.stdout}${tsc.stderr}`);

  const smoke = await npx(['run', 'load-models/hello.yaml', '-p', 'smoke', '-q', '--no-influx', '--no-monitor', '-o', 'runs/smoke']);
  assert.equal(smoke.code, 0, smoke.out);
  assert.match(smoke.out, /verdict: GO/);
  const afterSmoke = hits['GET /hello'] ?? 0;
  assert.ok(afterSmoke >= 4, JSON.stringify(hits));

  // The gate, baseline mode: a run of the gate profile (20/s for 10 s) accepted as the baseline, then the gate
  // measures the candidate against it in 1.5 s windows (aligned on multiples of their width, the partial first
  // and last left out: ≥ 5 whole windows of ≈ 30 requests, the gate's minimum being 5 of ≥ 20).
  const baseRun = await npx(['run', 'load-models/hello.yaml', '-p', 'gate', '-q', '--no-influx', '--no-monitor', '-o', 'runs/base']);
  assert.equal(baseRun.code, 0, baseRun.out);
  const store = join(repo, '.perfcell', 'baselines');
  const set = await npx(['baseline', 'set', 'runs/base', '--store', store]);
  assert.equal(set.code, 0, set.out);
  const gate = await npx(['gate', 'load-models/hello.yaml', '-p', 'gate', '--store', store, '--window', '1500ms', '--warmup', '0', '-o', 'reports/gate', '-q']);
  assert.equal(gate.code, 0, gate.out);
  const verdict = JSON.parse(readFileSync(join(repo, 'reports', 'gate', 'gate.json'), 'utf8')) as { verdict: { status: string; transactions: { transaction: string; status: string }[] } };
  // The same service twice: compared (not "SLOs only") and passed; a significant +5 % on a 1 ms p95 may warn (exit 0 too).
  assert.match(verdict.verdict.status, /^(pass|warn)$/, JSON.stringify(verdict.verdict));
  assert.deepEqual(verdict.verdict.transactions.map((t) => [t.transaction, /^(pass|warn)$/.test(t.status)]), [['hello', true]], JSON.stringify(verdict.verdict));
  // Two 10 s runs at 20/s on top of the smoke's: the gate's load reached the service.
  assert.ok((hits['GET /hello'] ?? 0) - afterSmoke >= 300, JSON.stringify(hits));
  assert.ok(readdirSync(join(repo, 'reports', 'gate')).includes('summary.md'));
  process.stderr.write(`# installed-package: npm install ${Math.round(installMs / 1000)} s, whole test ${Math.round((Date.now() - t0) / 1000)} s\n`);
});
