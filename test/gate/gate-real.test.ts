/**
 * The gate end to end with the real k6 against tiny local targets: it passes on A/A and fails on a large
 * planted regression (interleaved and baseline modes), reports a broken SLO, and refuses bad baselines
 * with a clear message and exit 3.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTinyTarget, type TinyTarget } from '../support/tiny-target.js';
import { runCli } from '../support/cli.js';
import { runGate } from '../../src/gate/gate.js';
import { setBaseline } from '../../src/gate/baselines.js';
import { executeRun } from '../../src/run/execute.js';
import { gateEnvironment } from '../../src/gate/interleaved.js';
import { loadModel } from '../../src/model/load.js';
import { readRunMeta, runFile } from '../../src/store/folder.js';
import { withRunHooks } from '../../src/side-channels/defaults.js';

const MODEL = 'test/gate/fixtures/gate.yaml';
// 20 ms of service time: large against the loopback's own jitter, so A/A noise stays far under +10 %.
const BASE_DELAY_MS = 20;
let a: TinyTarget;
let b: TinyTarget;
let slow: TinyTarget;
let scratch: string;
let store: string;
let baselineCandidate: string;

before(async () => {
  a = await startTinyTarget(0, BASE_DELAY_MS);
  b = await startTinyTarget(0, BASE_DELAY_MS);
  // Twice as slow: a large regression, yet its p95 stays clear of the model's 100 ms SLO even on a busy machine.
  slow = await startTinyTarget(0, BASE_DELAY_MS * 2);
  scratch = mkdtempSync(join(tmpdir(), 'perfcell-gate-'));
  store = join(scratch, 'store');
});
after(async () => {
  await Promise.all([a.close(), b.close(), slow.close()]);
});

test('interleaved A/A: same build on both sides passes, runs alternate A B / B A', { timeout: 120_000 }, async () => {
  const hitsA = a.hits();
  const hitsB = b.hits();
  const out = join(scratch, 'aa');
  // α = 0.01 with 8 pairs (smallest p = 1/256): the same build is called a regression at most 1 % of the time,
  // so this test does not flap on a busy machine; the default α is for the calibration to judge.
  const outcome = await runGate({ model: MODEL, profile: 'pair', against: a.url, candidateTargets: { app: b.url }, pairs: 8, warmupMs: 500, thresholds: { alpha: 0.01 }, out, log: () => {} });
  assert.equal(outcome.exitCode, 0, readFileSync(outcome.files.summary, 'utf8'));
  const hello = outcome.verdict.transactions[0];
  assert.equal(hello?.samples.candidate, 8);
  // On a 2-core machine shared with other jobs an A/A estimate can stray ±10 % (then it warns, not fails);
  // far more would mean the two sides are not measured alike.
  assert.ok(Math.abs(hello?.p95?.effect ?? 1) < 0.3, `A/A effect ${hello?.p95?.effect}`);
  // Both builds received the same load (300 requests per 3 s run, 8 runs each, plus pre-flight).
  const sentA = a.hits() - hitsA;
  const sentB = b.hits() - hitsB;
  assert.ok(Math.abs(sentA - sentB) <= 30 && sentA >= 2350, `A got ${sentA}, B got ${sentB}`);
  const started = (pair: number, side: string) => Date.parse(readRunMeta(join(out, 'runs', `pair-${pair}-${side}`)).startedAt);
  assert.ok(started(1, 'baseline') < started(1, 'candidate'), 'pair 1: A then B');
  assert.ok(started(2, 'candidate') < started(2, 'baseline'), 'pair 2: B then A');
  for (const f of ['gate.json', 'summary.md', 'junit.xml']) assert.ok(existsSync(join(out, f)), `${f} missing`);
});

test('interleaved, CLI: a 2× slower candidate is a regression, exit 1, summary.md and junit.xml say so', { timeout: 120_000 }, async () => {
  const out = join(scratch, 'slow');
  const r = await runCli(['gate', MODEL, '-p', 'pair', '--against', a.url, '-t', `app=${slow.url}`, '--pairs', '6', '--warmup', '500ms', '-o', out, '--report-url', 'https://ci.example/run/1']);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /Performance gate: ❌ \*\*regression\*\* \(exit 1\)/);
  assert.match(r.stdout, /\| hello \| ❌ regression \|/);
  assert.match(readFileSync(join(out, 'junit.xml'), 'utf8'), /<failure type="regression"/);
  const gate = JSON.parse(readFileSync(join(out, 'gate.json'), 'utf8')) as { verdict: { transactions: { p95: { effect: number } }[] } };
  assert.ok((gate.verdict.transactions[0]?.p95.effect ?? 0) > 0.5, 'p95 up by more than half');
});

test('baseline mode: A/A passes; a slower candidate is a regression (exit 1); a broken SLO is exit 2', { timeout: 180_000 }, async () => {
  const baselineRun = await executeRun({ model: MODEL, profile: 'single', environment: gateEnvironment(loadModel(MODEL)), targetOverrides: { app: a.url }, out: join(scratch, 'baseline-run'), quiet: true, log: () => {}, sideChannels: withRunHooks() });
  assert.equal(baselineRun.meta.status, 'passed');
  setBaseline(baselineRun.dir, { store, name: 'main' });

  const same = await runGate({ model: MODEL, profile: 'single', candidateTargets: { app: b.url }, store, windowMs: 1000, warmupMs: 1000, out: join(scratch, 'b-aa'), log: () => {} });
  assert.equal(same.exitCode, 0, readFileSync(same.files.summary, 'utf8'));
  // 8 s run, 1 s warm-up, 1 s windows aligned on whole seconds: 6 whole windows (7 if the run started on a second).
  const windowsUsed = same.verdict.transactions[0]?.samples.baseline ?? 0;
  assert.ok(windowsUsed === 6 || windowsUsed === 7, `${windowsUsed} baseline windows`);
  baselineCandidate = join(scratch, 'b-aa', 'candidate');

  const env = { PERFCELL_BASELINES: store };
  const regressed = await runCli(['gate', MODEL, '-p', 'single', '-t', `app=${slow.url}`, '--window', '1s', '-o', join(scratch, 'b-slow')], env);
  assert.equal(regressed.code, 1, regressed.stdout + regressed.stderr);
  assert.match(regressed.stdout, /baseline `main`/);

  // 150 ms of service time breaks the model's 100 ms p95 SLO.
  slow.setDelayMs(150);
  try {
    const broken = await runCli(['gate', MODEL, '-p', 'single', '-t', `app=${slow.url}`, '--window', '1s', '-o', join(scratch, 'b-slo')], env);
    assert.equal(broken.code, 2, broken.stdout + broken.stderr);
    assert.match(broken.stdout, /❌ p95Ms 1\d\d\.\d ms \/ 100\.0 ms/);
  } finally {
    slow.setDelayMs(BASE_DELAY_MS * 2);
  }
});

test('bad baselines: missing, another model, another profile, corrupted run.json or samples → clear error, exit 3', { timeout: 120_000 }, async () => {
  assert.ok(baselineCandidate, 'needs the candidate run of the previous test');
  const gate = (baseline: string) => runCli(['gate', MODEL, '-p', 'single', '--candidate', baselineCandidate, '--baseline', baseline, '--store', store, '-o', join(scratch, `bad-${Math.random()}`)]);
  const variant = (name: string, edit: (dir: string) => void) => {
    const dir = join(scratch, name);
    cpSync(join(store, 'gate-app', 'main'), dir, { recursive: true });
    edit(dir);
    return dir;
  };
  const editMeta = (change: Record<string, unknown>) => (dir: string) =>
    writeFileSync(runFile(dir, 'meta'), JSON.stringify({ ...JSON.parse(readFileSync(runFile(dir, 'meta'), 'utf8')), ...change }));

  const cases: [string, string, RegExp][] = [
    ['missing', 'release-7', /--baseline: \(root\): a baseline of service "gate-app" in .* \(no "release-7"; it has: main\)/],
    ['another model', variant('svc', editMeta({ service: 'billing' })), /run\.json: service: "gate-app" \(the service of .*gate\.yaml\); this baseline is a run of "billing"/],
    ['another profile', variant('prof', editMeta({ profile: 'other' })), /run\.json: profile: "single" \(the gate's profile\); this baseline was run with profile "other"/],
    ['corrupted run.json', variant('json', (d) => writeFileSync(runFile(d, 'meta'), '{"schemaVersion": 1,')), /run\.json: \(root\): valid JSON/],
    ['corrupted samples', variant('raw', (d) => writeFileSync(runFile(d, 'raw'), 'garbage, not gzip')), /raw\.csv\.gz: \(root\): complete k6 raw samples for the baseline/],
  ];
  for (const [what, ref, message] of cases) {
    const r = await gate(ref);
    assert.equal(r.code, 3, `${what}: ${r.stderr}`);
    assert.match(r.stderr, message, what);
    assert.equal(r.stderr.trim().split('\n').length, 1, `${what}: one line, no stack`);
  }
});
