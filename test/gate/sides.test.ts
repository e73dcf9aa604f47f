/**
 * Which targets each side of the gate measures (`gateEnvironment`, `--against`), the A B / B A order,
 * and a failed run turning into "could not measure" with a summary.md that says why — without k6 (the
 * run use case is injected).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerfcellError } from '../../src/errors.js';
import { loadModel } from '../../src/model/load.js';
import { gateEnvironment, resolveAgainst, runInterleaved } from '../../src/gate/interleaved.js';
import { runGate } from '../../src/gate/gate.js';
import type { RunOutcome, RunRequest } from '../../src/run/execute.js';
import { setBaseline } from '../../src/gate/baselines.js';
import { fakeMeta, steadyRequests, writeFakeRun } from './fake-run.js';

const GATE_MODEL = loadModel('test/gate/fixtures/gate.yaml');
const GRC_MODEL = loadModel('load-models/grc-person.yaml');

test('the gate measures only the targets its transactions call, not every target of the registry', () => {
  const local = gateEnvironment(GATE_MODEL);
  assert.equal(local.name, 'local');
  assert.deepEqual(local.env.targets, { app: 'http://127.0.0.1:18091' });
  // grc-person declares its targets; the browser journey (front) runs in the e2e phase only.
  const grc = gateEnvironment(GRC_MODEL, 'local');
  assert.deepEqual(Object.keys(grc.env.targets).sort(), ['billing', 'customer-service', 'grc', 'legal', 'sales', 'ticketing']);
});

test('--against: an environment, a URL for a one-target environment, or target=url pairs over the candidate', () => {
  const candidate = { environment: gateEnvironment(GATE_MODEL), targetOverrides: { app: 'http://127.0.0.1:9001' } };
  assert.deepEqual(resolveAgainst('base', GATE_MODEL, candidate).environment.env.targets, { app: 'http://127.0.0.1:18092' });
  assert.deepEqual(resolveAgainst('http://127.0.0.1:9002', GATE_MODEL, candidate).targetOverrides, { app: 'http://127.0.0.1:9002' });
  const grcCandidate = { environment: gateEnvironment(GRC_MODEL, 'local'), targetOverrides: { legal: 'http://127.0.0.1:9182' } };
  const against = resolveAgainst('grc=http://127.0.0.1:8180', GRC_MODEL, grcCandidate);
  assert.deepEqual(against.targetOverrides, { legal: 'http://127.0.0.1:9182', grc: 'http://127.0.0.1:8180' }, 'the candidate\'s other overrides are shared');
  assert.throws(() => resolveAgainst('http://127.0.0.1:8180', GRC_MODEL, grcCandidate), /--against: \(root\): "target=url" pairs for environment local, which has 6 targets/);
  assert.throws(() => resolveAgainst('nope=http://127.0.0.1:1', GRC_MODEL, grcCandidate), /--against: nope: a target of environment local/);
  assert.throws(() => resolveAgainst('staging', GRC_MODEL, grcCandidate), /--against: \(root\): an environment \(.*local.*\), a URL, or "target=url" pairs; got "staging"/);
});

/** A run use case that records the order of the sides and answers with the given status. */
function fakeExecute(order: string[], status: (dir: string) => RunOutcome['meta']['status']) {
  return async (req: RunRequest): Promise<RunOutcome> => {
    order.push(req.targetOverrides?.app ?? '?');
    const meta = fakeMeta({ status: status(req.out as string) });
    return { dir: req.out as string, meta, exitCode: meta.status === 'passed' ? 0 : 4 };
  };
}

test('interleaved order: A B, B A, A B, B A', async () => {
  const order: string[] = [];
  const side = (url: string) => ({ environment: gateEnvironment(GATE_MODEL), targetOverrides: { app: url } });
  const pairs = await runInterleaved({
    model: GATE_MODEL.file, profile: 'pair', baseline: side('A'), candidate: side('B'), pairs: 4, outDir: '/tmp/unused', log: () => {},
    execute: fakeExecute(order, () => 'passed'),
  });
  assert.equal(order.join(' '), 'A B B A A B B A');
  assert.deepEqual(pairs.map((p) => p.order), ['baseline-first', 'candidate-first', 'baseline-first', 'candidate-first']);
  assert.match(pairs[1]?.candidateDir ?? '', /runs\/pair-2-candidate$/);
});

test('a run that fails stops the gate: PerfcellError, and summary.md / junit.xml say it could not measure', async () => {
  const out = mkdtempSync(join(tmpdir(), 'perfcell-gate-fail-'));
  const order: string[] = [];
  await assert.rejects(
    runGate({
      model: GATE_MODEL.file, profile: 'pair', against: 'http://127.0.0.1:9002', candidateTargets: { app: 'http://127.0.0.1:9001' }, pairs: 6, out, log: () => {},
      execute: fakeExecute(order, (dir) => (dir.includes('pair-2-candidate') ? 'failed' : 'passed')),
    }),
    (e: unknown) => e instanceof PerfcellError && /pair 2 candidate: the k6 run ended "failed"/.test(e.message),
  );
  assert.equal(order.length, 3, 'stopped at the failed run (pair 2 runs B first)');
  assert.match(readFileSync(join(out, 'summary.md'), 'utf8'), /could not measure\*\* \(exit 3\)[\s\S]*pair 2 candidate: the k6 run ended "failed"/);
  assert.match(readFileSync(join(out, 'junit.xml'), 'utf8'), /<error type="could-not-measure"/);
  assert.equal(existsSync(join(out, 'gate.json')), false, 'no verdict was reached');
});

test('an odd or too small number of pairs is refused before any run', async () => {
  const order: string[] = [];
  for (const pairs of [5, 4, 7]) {
    await assert.rejects(
      runGate({ model: GATE_MODEL.file, profile: 'pair', against: 'http://127.0.0.1:9002', pairs, out: mkdtempSync(join(tmpdir(), 'perfcell-gate-pairs-')), log: () => {}, execute: fakeExecute(order, () => 'passed') }),
      /--pairs: \(root\): an even whole number ≥ 6 .*, got \d/,
    );
  }
  assert.equal(order.length, 0);
});

test('--injectors and --ssh-config go to every run the gate makes, both sides alike; a bad spec is refused before any run', async () => {
  const seen: (string | undefined)[][] = [];
  const recording = (status: (dir: string) => RunOutcome['meta']['status']) => {
    const inner = fakeExecute([], status);
    return (req: RunRequest) => {
      seen.push([req.out?.split('/').pop(), req.injectors, req.sshConfig]);
      return inner(req);
    };
  };
  const spec = 'local:2';
  // Interleaved: stopped by a failed run after pair 1's two runs, each side with the same injectors.
  await assert.rejects(runGate({
    model: GATE_MODEL.file, profile: 'pair', against: 'http://127.0.0.1:9002', pairs: 6, out: mkdtempSync(join(tmpdir(), 'perfcell-gate-inj-')), log: () => {},
    injectors: spec, sshConfig: '/etc/ssh/ssh_config', execute: recording((dir) => (dir.endsWith('pair-1-candidate') ? 'failed' : 'passed')),
  }), /pair 1 candidate: the k6 run ended "failed"/);
  assert.deepEqual(seen, [['pair-1-baseline', spec, '/etc/ssh/ssh_config'], ['pair-1-candidate', spec, '/etc/ssh/ssh_config']]);
  // Baseline mode: the candidate run.
  seen.length = 0;
  const store = mkdtempSync(join(tmpdir(), 'perfcell-gate-inj-store-'));
  const baseRun = writeFakeRun(join(mkdtempSync(join(tmpdir(), 'perfcell-gate-inj-run-')), 'base'), steadyRequests('hello', 3, 20, () => 10), { profile: 'pair' });
  setBaseline(baseRun, { store, name: 'main' });
  await assert.rejects(runGate({
    model: GATE_MODEL.file, profile: 'pair', store, out: mkdtempSync(join(tmpdir(), 'perfcell-gate-inj-b-')), log: () => {},
    injectors: spec, execute: recording(() => 'failed'),
  }), /candidate run ended "failed"/);
  assert.deepEqual(seen, [['candidate', spec, undefined]]);
  // A bad spec: one line, no run.
  seen.length = 0;
  await assert.rejects(runGate({ model: GATE_MODEL.file, profile: 'pair', against: 'http://127.0.0.1:9002', pairs: 6, log: () => {}, injectors: 'local:0', execute: recording(() => 'passed') }),
    (e: unknown) => e instanceof PerfcellError && e.message === '--injectors: local:0: local:N with N ≥ 1 k6 processes, got "0"');
  assert.deepEqual(seen, []);
});
