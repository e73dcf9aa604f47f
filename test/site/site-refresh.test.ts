/**
 * `--site DIR` of `perfcell gate` and `perfcell campaign`, and the branch recorded in gate.json: a real
 * (short) k6 run judged by the gate through the CLI refreshes the site, whose gate history groups gates by
 * branch (--branch, then CI variables); a site that cannot be written only warns, the exit code stays the
 * gate's; a campaign whose phase fails still refreshes the site and keeps its own exit code. Branch
 * resolution on fixtures and on a real git repository.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTinyTarget, type TinyTarget } from '../support/tiny-target.js';
import { runCli } from '../support/cli.js';
import { branchFromEnv, gitBranch, resolveBranch } from '../../src/gate/branch.js';
import { executeRun } from '../../src/run/execute.js';
import { gateEnvironment } from '../../src/gate/interleaved.js';
import { loadModel } from '../../src/model/load.js';
import { withRunHooks } from '../../src/side-channels/defaults.js';
import { refreshSite } from '../../src/site/refresh.js';

const MODEL = 'test/gate/fixtures/gate.yaml';
/** No CI variable of the test's own environment may leak into the CLI's branch. */
const NO_CI = { GITHUB_HEAD_REF: '', GITHUB_REF_NAME: '', CI_COMMIT_REF_NAME: '', CI_MERGE_REQUEST_SOURCE_BRANCH_NAME: '' };
let target: TinyTarget;
let scratch: string;

before(async () => {
  target = await startTinyTarget(0, 5);
  scratch = mkdtempSync(join(tmpdir(), 'perfcell-site-refresh-'));
});
after(async () => {
  await target.close();
  rmSync(scratch, { recursive: true, force: true });
});

test('branch: --branch, else the CI variables (source branch first), else git, else null', () => {
  assert.equal(resolveBranch('feat/x', { GITHUB_HEAD_REF: 'other' }, () => 'git'), 'feat/x');
  assert.equal(resolveBranch(undefined, { GITHUB_HEAD_REF: 'pr-branch', GITHUB_REF_NAME: '17/merge' }, () => 'git'), 'pr-branch');
  assert.equal(branchFromEnv({ CI_COMMIT_REF_NAME: 'refs-name', CI_MERGE_REQUEST_SOURCE_BRANCH_NAME: 'mr-source' }), 'mr-source');
  assert.equal(branchFromEnv({ GITHUB_REF_NAME: 'main' }), 'main');
  assert.equal(resolveBranch('  ', { GITHUB_HEAD_REF: '' }, () => 'from-git'), 'from-git');
  assert.equal(resolveBranch(undefined, {}, () => null), null);
  // Real git: a named branch; a detached HEAD and a folder outside any repository give null.
  const repo = join(scratch, 'repo');
  mkdirSync(repo);
  const git = (...args: string[]) => assert.equal(spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.org', ...args], { cwd: repo }).status, 0, args.join(' '));
  git('init', '-q', '-b', 'feature/site');
  git('commit', '-q', '--allow-empty', '-m', 'x');
  assert.equal(gitBranch(repo), 'feature/site');
  git('checkout', '-q', '--detach');
  assert.equal(gitBranch(repo), null);
  assert.equal(gitBranch(tmpdir()), null);
});

test('gate --site: a real run judged through the CLI refreshes the site; gates grouped by branch; a site failure only warns', { timeout: 90_000 }, async () => {
  const run = await executeRun({ model: MODEL, profile: 'single', environment: gateEnvironment(loadModel(MODEL)), targetOverrides: { app: target.url }, out: join(scratch, 'run'), quiet: true, log: () => {}, sideChannels: withRunHooks({ influx: null, monitorIntervalMs: false }) });
  assert.equal(run.meta.status, 'passed');
  const reports = join(scratch, 'reports');
  const site = join(scratch, 'site');
  // The same run as baseline and candidate: A/A, a pass (exit 0), measured from a real k6 run.
  const gate = (id: string, extra: string[], env: Record<string, string> = {}) =>
    runCli(['gate', MODEL, '-p', 'single', '--baseline', run.dir, '--candidate', run.dir, '--window', '1s', '--warmup', '0', '-o', join(reports, 'gate-app', 'gate', id), '--reports', reports, ...extra], { ...NO_CI, ...env });

  const first = await gate('20261202T100000Z-aaaaaa', ['--site', site, '--branch', 'feature/<b>']);
  assert.equal(first.code, 0, first.stdout + first.stderr);
  assert.match(first.stderr, /site: .*index\.html refreshed/);
  const json = (id: string) => JSON.parse(readFileSync(join(reports, 'gate-app', 'gate', id, 'gate.json'), 'utf8')) as { branch: string | null };
  assert.equal(json('20261202T100000Z-aaaaaa').branch, 'feature/<b>');
  const gatesPage = () => readFileSync(join(site, 'gates-gate-app.html'), 'utf8');
  assert.ok(gatesPage().includes('feature/&lt;b&gt;'), 'the branch, escaped, heads a group');

  // A second gate from "CI": GITHUB_HEAD_REF names the branch; the rebuild is incremental (the home and the gates page only).
  const second = await gate('20261202T100100Z-bbbbbb', ['--site', site], { GITHUB_HEAD_REF: 'pr/42', GITHUB_REF_NAME: '42/merge' });
  assert.equal(second.code, 0, second.stderr);
  assert.equal(json('20261202T100100Z-bbbbbb').branch, 'pr/42');
  // An old gate.json (before `branch`) is still read: its group is "unknown".
  const old = join(reports, 'gate-app', 'gate', '20261201T090000Z-cccccc');
  cpSync(join(reports, 'gate-app', 'gate', '20261202T100000Z-aaaaaa'), old, { recursive: true });
  const oldJson = JSON.parse(readFileSync(join(old, 'gate.json'), 'utf8')) as Record<string, unknown>;
  delete oldJson.branch;
  writeFileSync(join(old, 'gate.json'), JSON.stringify(oldJson));
  const r = await refreshSite({ reportsDir: reports, outDir: site, store: null, configFile: null }, () => {});
  assert.ok(r.ok);
  const groups = [...gatesPage().matchAll(/<h2 id="b-\d+">[^:]+: ([^<]+)<\/h2>/g)].map((m) => m[1]);
  assert.deepEqual(groups, ['feature/&lt;b&gt;', 'pr/42', 'unknown']);

  // The site cannot be written (its folder is a file): one warning, the gate's exit code unchanged.
  const blocked = join(scratch, 'not-a-folder');
  writeFileSync(blocked, 'x');
  const third = await gate('20261202T100200Z-dddddd', ['--site', blocked, '-q']);
  assert.equal(third.code, 0, third.stderr);
  assert.match(third.stderr, /perfcell: warning: the site in .*not-a-folder was not refreshed: /);
  assert.equal(json('20261202T100200Z-dddddd').branch !== undefined, true);
});

test('campaign --site: a campaign whose phase fails refreshes the site and keeps its own exit code', { timeout: 90_000 }, async () => {
  const dir = join(scratch, 'campaign');
  mkdirSync(dir);
  // An external target whose dependency does not answer: the phase's pre-flight fails fast (exit 4), for real.
  const campaign = join(dir, 'campaign.yaml');
  writeFileSync(campaign, 'target: { kind: external }\ndependencies: [legal]\nphases:\n  unstubbed: {}\n');
  const reports = join(dir, 'reports');
  const site = join(dir, 'site');
  const r = await runCli(['campaign', MODEL, '--campaign', campaign, '--phases', 'unstubbed', '-p', 'pair', '--reports', reports, '--site', site], NO_CI);
  const without = await runCli(['campaign', MODEL, '--campaign', campaign, '--phases', 'unstubbed', '-p', 'pair', '--reports', join(dir, 'reports-2')], NO_CI);
  assert.equal(r.code, without.code, 'the same exit code with and without --site');
  assert.notEqual(r.code, 0, r.stderr);
  assert.match(r.stderr, /site: .*index\.html refreshed/);
  const service = readFileSync(join(site, 'service-gate-app.html'), 'utf8');
  assert.ok(service.includes('iteration-1'), 'the iteration is listed on the service page');
  assert.ok(existsSync(join(site, 'index.html')));
});
