/**
 * The CI templates (ci/github-actions/perf-gate.yml, ci/gitlab/perf-gate.gitlab-ci.yml) run end to end on
 * this machine by test/support/ci-template.ts: their shell steps in order with bash in a scratch clone (a bare
 * origin with main = this repository's committed HEAD, a pull request's branch, `../base` as a worktree),
 * both builds of the reference target on the templates' own ports (grc 8080 and 8180), the real k6, the
 * platform's actions emulated only in their effect, `gh` and `curl` replaced by recording stand-ins.
 * Shortened only through the templates' own variables: GATE_PAIRS=6 (the gate's minimum) and a GATE_MODEL with a 4 s gate
 * profile on two grc transactions.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { REPO } from '../support/cli.js';
import {
  createScratchRepo,
  evaluateExpression,
  gitlabRuleMatches,
  gitlabShellScript,
  parseGithubOutput,
  readCalls,
  runGithubJob,
  runGitlabJob,
  stepShouldRun,
  type ExpressionContext,
  type JobResult,
  type ScratchRepo,
} from '../support/ci-template.js';
import { SERVICES } from '../../sut/topology.js';
import { isAlive, readSutState } from '../../sut/state.js';

const GITHUB_TEMPLATE = join(REPO, 'ci', 'github-actions', 'perf-gate.yml');
const GITLAB_TEMPLATE = join(REPO, 'ci', 'gitlab', 'perf-gate.gitlab-ci.yml');
const MODEL = 'load-models/ci-template-check.yaml';
const PAIRS = 6; // the least the gate accepts (src/gate/gate.ts)
const BRANCH = 'perf/ci-template-check';
const BASE_OFFSET = 100; // the templates' BASE_PORT_OFFSET
const PORTS = Object.values(SERVICES).flatMap((s) => [s.port, s.port + BASE_OFFSET]);

/**
 * The reference model cut to what the gate needs here: grc-person's search-person and read-person-360 as they
 * are (SLOs, scenarios, data file), and a `gate` profile of 4 s at the reference gate profile's rate (×40:
 * after the gate's 1 s warm-up ≈ 43 and 37 requests a run, above the 20 a run needs to be compared).
 */
function gateModel(): string {
  const reference = parse(readFileSync(join(REPO, 'load-models', 'grc-person.yaml'), 'utf8')) as { transactions: { name: string }[]; profiles: { gate: { multiplier: number } } } & Record<string, unknown>;
  const keep = ['search-person', 'read-person-360'];
  return stringify({
    service: reference.service,
    description: "the CI templates' test (test/ci/templates.test.ts): two grc transactions, a 4 s gate profile",
    environments: reference.environments,
    data: reference.data,
    transactions: reference.transactions.filter((t) => keep.includes(t.name)),
    profiles: { gate: { multiplier: reference.profiles.gate.multiplier, duration: '4s' } },
  });
}

const listening = (port: number) =>
  new Promise<boolean>((res) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), res(true)));
    s.once('error', () => res(false));
  });

const scratches: ScratchRepo[] = [];

/** Stops a target the job may have left (failure path): by the pid in its state file, through its own CLI. */
function stopLeftovers(s: ScratchRepo): void {
  for (const dir of [s.work, join(s.root, 'base')]) {
    const state = readSutState(join(dir, '.perfcell', 'sut.json'));
    if (state && isAlive(state.pid)) spawnSync(process.execPath, [join(dir, 'bin', 'perfcell.js'), 'sut', 'stop'], { cwd: dir, stdio: 'ignore' });
  }
}

async function assertPortsFree(): Promise<void> {
  const busy = [];
  for (const p of PORTS) if (await listening(p)) busy.push(p);
  assert.deepEqual(busy, [], `the templates' ports must be free (grc 8080 and 8180 and their neighbours): ${busy.join(', ')} in use — another reference target running? (\`perfcell sut stop\`)`);
}

after(() => {
  for (const s of scratches) {
    stopLeftovers(s);
    s.remove();
  }
});

/** What both templates must have produced: the gate folder, the last pair's HTML reports, no process left. */
async function assertGateOutcome(s: ScratchRepo, job: JobResult): Promise<void> {
  const gateDir = join(s.work, 'reports', 'gate');
  for (const f of ['summary.md', 'junit.xml', 'gate.json']) assert.ok(existsSync(join(gateDir, f)), `reports/gate/${f} missing\n${job.log}`);
  const gate = JSON.parse(readFileSync(join(gateDir, 'gate.json'), 'utf8')) as { verdict: { exitCode: number; transactions: { transaction: string; samples: { candidate: number } }[] } };
  const summary = readFileSync(join(gateDir, 'summary.md'), 'utf8');
  // The job ends with the gate's own exit code; two builds of the same commit (A/A) pass.
  assert.equal(job.exitCode, gate.verdict.exitCode, job.log);
  assert.equal(job.exitCode, 0, summary);
  assert.match(summary, /## Performance gate: .* \(exit 0\)/);
  assert.deepEqual(gate.verdict.transactions.map((t) => [t.transaction, t.samples.candidate]), [['search-person', PAIRS], ['read-person-360', PAIRS]]);
  // The HTML report step: exactly the last pair's two runs (whatever the gate names its pair folders).
  const runs = readdirSync(join(gateDir, 'runs')).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  assert.equal(runs.length, 2 * PAIRS, runs.join(', '));
  assert.deepEqual(runs.filter((r) => existsSync(join(gateDir, 'runs', r, 'report.html'))), runs.slice(-2).sort(), `report.html in: ${runs.join(', ')}`);
  // The gate's --site: the portfolio site, its gate history under the pull request's branch (from the CI variables).
  assert.ok(existsSync(join(s.work, 'site', 'index.html')), `site/index.html missing\n${job.log}`);
  assert.equal((gate as unknown as { branch: string | null }).branch, BRANCH);
  // The stop steps left nothing: no listener on either build's ports, both daemons gone, `sut status` says down.
  const open = [];
  for (const p of PORTS) if (await listening(p)) open.push(p);
  assert.deepEqual(open, [], `ports still listening after the job: ${open.join(', ')}`);
  for (const dir of [s.work, join(s.root, 'base')]) {
    const state = readSutState(join(dir, '.perfcell', 'sut.json'));
    assert.ok(!state || !isAlive(state.pid), `${dir}: reference target pid ${state?.pid} still alive`);
    const status = spawnSync(process.execPath, [join(dir, 'bin', 'perfcell.js'), 'sut', 'status'], { cwd: dir, encoding: 'utf8' });
    assert.equal(status.status, 3, `${dir}: perfcell sut status: ${status.stdout}${status.stderr}`);
  }
}

test('GitHub Actions template: A/A passes, exit 0, comment posted with summary.md, targets stopped', { timeout: 6 * 60_000 }, async () => {
  await assertPortsFree();
  const s = createScratchRepo({ repo: REPO, branch: BRANCH, files: { [MODEL]: gateModel() }, tools: join(REPO, '.tools') });
  scratches.push(s);
  const started = Date.now();
  const job = await runGithubJob({
    template: GITHUB_TEMPLATE,
    job: 'gate',
    scratch: s,
    variables: { GATE_MODEL: MODEL, GATE_PAIRS: String(PAIRS) },
    github: {
      repository: 'acme/perfcell',
      token: 'ghs_stand-in-token',
      serverUrl: 'https://github.example',
      runId: '4242',
      baseRef: 'main',
      event: { pull_request: { number: 17, head: { ref: BRANCH, repo: { full_name: 'acme/perfcell' } }, base: { ref: 'main' } } },
    },
    timeoutMs: 5 * 60_000,
  });
  const seconds = Math.round((Date.now() - started) / 1000);
  console.log(`GitHub template: ${seconds} s; ${job.steps.map((st) => `${st.name}: ${st.outcome} ${Math.round(st.durationMs / 1000)} s`).join('; ')}`);
  assert.deepEqual(job.steps.filter((st) => st.outcome === 'failure').map((st) => st.name), [], job.log);
  assert.equal(job.steps.length, 14);
  // The platform's actions: emulated or skipped, each said.
  for (const a of ['actions/checkout', 'actions/setup-node', 'actions/setup-go', 'actions/cache', 'actions/upload-artifact']) {
    assert.ok(job.skipped.some((w) => w.startsWith(a)), `${a} not accounted for`);
  }
  assert.equal(job.outputs.gate?.code, '0');
  await assertGateOutcome(s, job);
  const summary = readFileSync(join(s.work, 'reports', 'gate', 'summary.md'), 'utf8');
  // ${{ }} and the run's variables reached the gate: the comment links to this run's artifacts.
  assert.ok(summary.includes('https://github.example/acme/perfcell/actions/runs/4242#artifacts'), summary);
  assert.ok(readFileSync(join(s.root, 'runner-temp', 'step-summary.md'), 'utf8').includes(summary), 'the job summary holds summary.md');
  // First run on the pull request: --edit-last finds no comment of ours, the fallback posts one.
  const gh = readCalls(s.calls).filter((c) => c.tool === 'gh');
  assert.deepEqual(gh.map((c) => [c.args.join(' '), c.exitCode]), [
    ['pr comment 17 --body-file reports/gate/summary.md --edit-last', 1],
    ['pr comment 17 --body-file reports/gate/summary.md', 0],
  ]);
  assert.equal(gh[1]?.body, summary);
  assert.equal(gh[1]?.token, true);
  assert.ok(seconds < 240, `the GitHub template took ${seconds} s`);
});

test('GitLab CI template: A/A passes, exit 0, no download of Go, nothing posted without PERF_GATE_TOKEN, targets stopped', { timeout: 6 * 60_000 }, async () => {
  await assertPortsFree();
  const s = createScratchRepo({ repo: REPO, branch: BRANCH, files: { [MODEL]: gateModel() }, tools: join(REPO, '.tools') });
  scratches.push(s);
  const started = Date.now();
  const job = await runGitlabJob({
    template: GITLAB_TEMPLATE,
    job: 'perf-gate',
    scratch: s,
    variables: { GATE_MODEL: MODEL, GATE_PAIRS: String(PAIRS) },
    predefined: {
      CI_PIPELINE_SOURCE: 'merge_request_event',
      CI_MERGE_REQUEST_TARGET_BRANCH_NAME: 'main',
      CI_MERGE_REQUEST_SOURCE_BRANCH_NAME: BRANCH,
      CI_MERGE_REQUEST_IID: '17',
      CI_PROJECT_ID: '42',
      CI_SERVER_URL: 'https://gitlab.example',
      CI_API_V4_URL: 'https://gitlab.example/api/v4',
      CI_JOB_ID: '9001',
      CI_JOB_URL: 'https://gitlab.example/acme/perfcell/-/jobs/9001',
      CI_COMMIT_SHA: spawnSync('git', ['rev-parse', 'HEAD'], { cwd: s.work, encoding: 'utf8' }).stdout.trim(),
    },
    timeoutMs: 5 * 60_000,
  });
  const seconds = Math.round((Date.now() - started) / 1000);
  console.log(`GitLab template: ${seconds} s; ${job.steps.map((st) => `${st.name}: ${st.outcome} ${Math.round(st.durationMs / 1000)} s`).join('; ')}`);
  assert.deepEqual(job.steps.map((st) => [st.name, st.outcome]), [['before_script + script', 'success'], ['after_script', 'success']], job.log);
  // k6 is in the restored cache: the template itself skips the Go download (curl would have been recorded).
  assert.match(job.log, /k6 v[\d.]+ already in \.tools\/bin/);
  assert.deepEqual(readCalls(s.calls), [], 'no curl: neither go.dev nor the merge request note without PERF_GATE_TOKEN');
  assert.ok(!job.skipped.some((w) => w.includes('MISSING')), job.skipped.join('\n'));
  await assertGateOutcome(s, job);
  const summary = readFileSync(join(s.work, 'reports', 'gate', 'summary.md'), 'utf8');
  assert.ok(summary.includes('https://gitlab.example/acme/perfcell/-/jobs/9001/artifacts/browse/reports/gate/'), summary);
  assert.ok(job.log.includes(summary.trim().split('\n')[0] as string), 'the script prints summary.md into the job log');
  assert.ok(seconds < 240, `the GitLab template took ${seconds} s`);
});

// The runner's own rules, on fixtures: what the two templates rely on.
test('runner: expressions, if:, GITHUB_OUTPUT, GitLab rules and script', () => {
  const ctx: ExpressionContext = {
    github: { repository: 'acme/perfcell', event: { pull_request: { number: 17, head: { repo: { full_name: 'fork/perfcell' } } } } },
    runner: { os: 'Linux' },
    env: {},
    steps: { gate: { outputs: { code: '1' }, outcome: 'success', conclusion: 'success' } },
    jobFailed: false,
  };
  assert.equal(evaluateExpression('steps.gate.outputs.code || 3', ctx), '1');
  assert.equal(evaluateExpression('steps.missing.outputs.code || 3', ctx), 3);
  assert.equal(evaluateExpression('github.event.pull_request.number', ctx), 17);
  // A fork's pull request: the comment step is skipped, even with always().
  assert.equal(stepShouldRun('always() && github.event.pull_request.head.repo.full_name == github.repository', ctx), false);
  assert.equal(stepShouldRun(undefined, { ...ctx, jobFailed: true }), false);
  assert.equal(stepShouldRun('always()', { ...ctx, jobFailed: true }), true);
  assert.equal(stepShouldRun("github.repository == 'ACME/perfcell'", { ...ctx, jobFailed: true }), false, 'no status function: success() is implied');
  assert.throws(() => evaluateExpression("hashFiles('x')", ctx), /unsupported token/);
  assert.deepEqual(parseGithubOutput('code=0\nnote<<EOF\na=b\nc\nEOF\n'), { code: '0', note: 'a=b\nc' });
  assert.equal(gitlabRuleMatches('$CI_PIPELINE_SOURCE == "merge_request_event"', { CI_PIPELINE_SOURCE: 'merge_request_event' }), true);
  assert.equal(gitlabRuleMatches('$CI_PIPELINE_SOURCE == "merge_request_event"', { CI_PIPELINE_SOURCE: 'push' }), false);
  // One shell, errexit: a failing command ends the script with its code, `exit` in a command ends it too.
  const run = (cmds: string[]) => spawnSync('bash', ['-c', gitlabShellScript(cmds)], { encoding: 'utf8' });
  assert.equal(run(['false', 'echo never']).status, 1);
  const r = run(['X=1', 'echo "x=$X"', 'exit 3', 'echo never']);
  assert.equal(r.status, 3);
  assert.match(r.stdout, /\$ X=1\n\$ echo "x=\$X"\nx=1\n\$ exit 3\n$/);
});
