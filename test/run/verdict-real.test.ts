/**
 * One verdict per run, with the real k6 against a small local target: `run` exits with perfcell's verdict,
 * `analyze` of the same folder prints the same one.
 * - a healthy injector and a target slower than its SLO: NO-GO (exit 99);
 * - the same target with the injector's host saturated by CPU burners beside the run: INCONCLUSIVE (exit 98),
 *   the broken SLO shown as not judged;
 * - k6's example shape (a request then sleep(1) in the iteration) at 10/s: with a VU budget too small for the
 *   sleep the rate cannot be applied (INCONCLUSIVE, a defect of the test, not NO-GO); with enough VUs, GO.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { readRunMeta } from '../../src/store/folder.js';
import { RUN_EXIT } from '../../src/run/execute.js';
import { REPO, runCli } from '../support/cli.js';
import { startTinyTarget, type TinyTarget } from '../support/tiny-target.js';

let target: TinyTarget;
const scratch = mkdtempSync(join(tmpdir(), 'perfcell-verdict-'));
// Models live in the project (gitignored .perfcell/) so that their scenario paths resolve from the project root.
const modelDir = join(REPO, '.perfcell', `verdict-test-${process.pid}`);

before(async () => {
  target = await startTinyTarget();
  mkdirSync(modelDir, { recursive: true });
});
after(async () => {
  await target.close();
  rmSync(modelDir, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
});

function model(name: string, transaction: string): string {
  const file = join(modelDir, `${name}.yaml`);
  writeFileSync(file, `service: verdict-check
environments:
  local:
    loadTesting: allowed
    targets: { app: "${target.url}" }
transactions:
${transaction}
profiles:
  check: { multiplier: 1, duration: 10s }
`);
  return file;
}

const HELLO_SLOW_SLO = `  - name: hello
    scenario: test/fixtures/basic/scenarios/basic.ts#hello
    peakPerHour: 36000          # 10/s
    slo: { p95Ms: 50, maxErrorRate: 0.01 }
    expectedResponseMs: 150`;

async function runAndAnalyze(file: string, out: string) {
  const run = await runCli(['run', file, '-p', 'check', '-q', '-o', out, '--monitor-interval', '1s']);
  const analyzed = await runCli(['analyze', out]);
  assert.equal(analyzed.code, 0, analyzed.stderr);
  const verdict = /verdict: (GO|NO-GO|INCONCLUSIVE)/.exec(analyzed.stdout)?.[1];
  return { run, verdict, meta: readRunMeta(out), analyzed };
}

test('a healthy run breaking its SLO is NO-GO (exit 99), and analyze says the same', { timeout: 120_000 }, async () => {
  target.setDelayMs(120);
  const r = await runAndAnalyze(model('slow', HELLO_SLOW_SLO), join(scratch, 'slow'));
  assert.equal(r.run.code, RUN_EXIT.sloBroken, r.run.stderr);
  assert.equal(r.meta.status, 'slo-broken');
  assert.equal(r.verdict, 'NO-GO');
  assert.match(r.run.stderr, /NO-GO in the unstubbed phase: hello: p95 is 1\d\d(\.\d)? ms against an SLO of < 50 ms/);
});

test('the same run with the injector host saturated is INCONCLUSIVE (exit 98): the breach is not judged', { timeout: 120_000 }, async (t) => {
  target.setDelayMs(120);
  // One busy loop per core beside the run, and one more: the host's CPU is saturated whoever else runs.
  const burners: ChildProcess[] = Array.from({ length: cpus().length + 1 }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  let r;
  try {
    r = await runAndAnalyze(model('burnt', HELLO_SLOW_SLO), join(scratch, 'burnt'));
  } finally {
    for (const b of burners) b.kill('SIGKILL');
  }
  t.diagnostic(r.run.stderr.split('\n').filter((l) => /INCONCLUSIVE|CPU/.test(l)).join('\n'));
  assert.equal(r.run.code, RUN_EXIT.inconclusive, r.run.stderr);
  assert.equal(r.meta.status, 'inconclusive');
  assert.equal(r.verdict, 'INCONCLUSIVE');
  assert.match(r.run.stderr, /INCONCLUSIVE: the measurement of the unstubbed phase is not valid, its SLOs are not judged\. The load generator host's CPU averaged (8[5-9]|9\d|100)(\.\d)? %/);
  assert.match(r.run.stderr, /An SLO of the load model is broken \(not judged: the measurement of this phase is invalid\)/);
});

const SLEEPY = (maxVUs: string) => `  - name: hello
    scenario: test/fixtures/basic/scenarios/basic.ts#helloThenSleep
    peakPerHour: 36000          # 10/s; each iteration holds its VU ≈ 1 s
    slo: { p95Ms: 100, maxErrorRate: 0.01 }
    expectedResponseMs: 20${maxVUs}`;

test('a sleep inside the iteration with too few VUs: the rate is not applied, INCONCLUSIVE (a test defect), never a NO-GO of the target', { timeout: 120_000 }, async () => {
  target.setDelayMs(0);
  const r = await runAndAnalyze(model('sleepy-short', SLEEPY('\n    maxVUs: 5')), join(scratch, 'sleepy-short'));
  assert.equal(r.run.code, RUN_EXIT.inconclusive, r.run.stderr);
  assert.equal(r.verdict, 'INCONCLUSIVE');
  assert.match(r.run.stderr, /hello: \d+ iterations dropped because each iteration holds its VU 10\d\d ms, of which \d(\.\d)? ms in requests/);
  assert.match(r.run.stderr, /maxVUs to at least 1[5-7]/);
  assert.doesNotMatch(r.analyzed.stdout, /\[critical\] unstubbed: hello: .* the system is at its limit/);
});

test('the same function with the VUs it needs: GO from run and analyze alike', { timeout: 120_000 }, async () => {
  target.setDelayMs(0);
  const r = await runAndAnalyze(model('sleepy-ok', SLEEPY('\n    maxVUs: 20')), join(scratch, 'sleepy-ok'));
  assert.equal(r.run.code, RUN_EXIT.passed, r.run.stderr);
  assert.equal(r.verdict, 'GO');
  assert.doesNotMatch(r.analyzed.stdout, /\[critical\]/);
});
