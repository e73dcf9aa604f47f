/**
 * The duet gate end to end with the real k6 against tiny local targets (two processes' worth: one server
 * per build): A and B loaded by one run, each request tagged with its side. A/A passes; a 2× slower B is a
 * regression; a B that only adds errors fails on errors; both builds slower than the stored baseline is
 * reported as a shared load, not hidden; bad input exits 3 with one line.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTinyTarget, type TinyTarget } from '../support/tiny-target.js';
import { runCli } from '../support/cli.js';
import { runGate } from '../../src/gate/gate.js';
import { setBaseline } from '../../src/gate/baselines.js';
import { executeRun } from '../../src/run/execute.js';
import { gateEnvironment } from '../../src/gate/interleaved.js';
import { loadModel } from '../../src/model/load.js';
import { withRunHooks } from '../../src/side-channels/defaults.js';

const MODEL = 'test/gate/fixtures/duet.yaml';
const BASE_DELAY_MS = 20;
/** 8 windows of 1 s after 0.5 s: about 10 s of load per gate (100 req/s per side: 100 requests per window and side). */
const DUET = ['--duet', '--pairs', '8', '--window', '1s', '--warmup', '500ms'];
let a: TinyTarget;
let b: TinyTarget;
let slow: TinyTarget;
let scratch: string;
let store: string;

/** A tiny target that answers 500 to one request in ten, after the same delay: only its error rate differs. */
async function startFailingTarget(delayMs: number): Promise<{ url: string; close: () => Promise<void> }> {
  let n = 0;
  const server: Server = createServer((req, res) => {
    const fail = req.url?.startsWith('/hello') === true && ++n % 10 === 0;
    setTimeout(() => {
      res.writeHead(fail ? 500 : 200, { 'content-type': 'text/plain' });
      res.end('hello\n');
    }, delayMs);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((res) => { server.closeAllConnections(); server.close(() => res()); }),
  };
}

before(async () => {
  a = await startTinyTarget(0, BASE_DELAY_MS);
  b = await startTinyTarget(0, BASE_DELAY_MS);
  slow = await startTinyTarget(0, BASE_DELAY_MS * 2);
  scratch = mkdtempSync(join(tmpdir(), 'perfcell-duet-'));
  store = join(scratch, 'store');
  // The store's last accepted run, at the profile's rate on one build: what the shared-load check compares with.
  const run = await executeRun({ model: MODEL, profile: 'duet', environment: gateEnvironment(loadModel(MODEL)), targetOverrides: { app: a.url }, out: join(scratch, 'stored'), quiet: true, log: () => {}, sideChannels: withRunHooks() });
  assert.equal(run.meta.status, 'passed');
  setBaseline(run.dir, { store, name: 'main' });
});
after(async () => {
  await Promise.all([a.close(), b.close(), slow.close()]);
});

test('duet A/A: one run loads both builds at the same rate, side-tagged; the same build on both sides passes', { timeout: 60_000 }, async () => {
  const [hitsA, hitsB] = [a.hits(), b.hits()];
  const out = join(scratch, 'aa');
  const started = Date.now();
  // α = 0.01 (smallest p of 8 windows: 1/256) so this test does not flap on a busy machine; the calibration judges α = 0.05.
  const outcome = await runGate({ model: MODEL, profile: 'duet', against: a.url, candidateTargets: { app: b.url }, duet: {}, pairs: 8, windowMs: 1000, warmupMs: 500, thresholds: { alpha: 0.01 }, store, out, log: () => {} });
  const wallMs = Date.now() - started;
  const summary = readFileSync(outcome.files.summary, 'utf8');
  assert.equal(outcome.exitCode, 0, summary);
  assert.equal(outcome.verdict.mode, 'duet');
  const hello = outcome.verdict.transactions[0];
  assert.equal(hello?.samples.candidate, 8, 'eight window pairs');
  assert.ok(Math.abs(hello?.p95?.effect ?? 1) < 0.3, `A/A effect ${hello?.p95?.effect}`);
  // Each side got the profile's rate: 100 req/s for 9.5 s, alternately (A B A B…); the difference is the
  // pre-flight requests (A checked by the gate and by the run, B by the run) and an odd last iteration.
  const [sentA, sentB] = [a.hits() - hitsA, b.hits() - hitsB];
  assert.ok(Math.abs(sentA - sentB) <= 4 && sentA >= 900, `A got ${sentA}, B got ${sentB}`);
  // One run, not two: the whole gate is about its 9.5 s of load plus k6's start and stop.
  assert.ok(wallMs < 20_000, `${wallMs} ms`);
  const gate = JSON.parse(readFileSync(outcome.files.json, 'utf8')) as { duet: { order: string; windows: number; sharedLoad: { baselineRun: string | null; transactions: Record<string, { detected: boolean }> } } };
  assert.equal(gate.duet.order, 'alternate');
  assert.equal(gate.duet.windows, 8);
  assert.ok(gate.duet.sharedLoad.baselineRun, 'checked against the stored baseline');
  assert.equal(gate.duet.sharedLoad.transactions.hello?.detected, false);
  assert.match(summary, /duet A\/B \(both loaded at once\)/);
});

test('duet, CLI: a 2× slower B is a regression (exit 1); random order gives each side about half', { timeout: 60_000 }, async () => {
  const out = join(scratch, 'slow');
  const [hitsA, hitsSlow] = [a.hits(), slow.hits()];
  const r = await runCli(['gate', MODEL, '-p', 'duet', '--against', a.url, '-t', `app=${slow.url}`, ...DUET, '--duet-order', 'random', '--seed', '42', '--store', store, '-o', out]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /\| hello \| ❌ regression \|/);
  const gate = JSON.parse(readFileSync(join(out, 'gate.json'), 'utf8')) as { duet: { order: string; seed: number }; verdict: { transactions: { p95: { effect: number; test: string } }[] } };
  assert.deepEqual([gate.duet.order, gate.duet.seed], ['random', 42]);
  assert.ok((gate.verdict.transactions[0]?.p95.effect ?? 0) > 0.5, 'p95 up by more than half');
  const [sentA, sentB] = [a.hits() - hitsA, slow.hits() - hitsSlow];
  assert.ok(Math.abs(sentA - sentB) / (sentA + sentB) < 0.1, `A got ${sentA}, B got ${sentB}`);
});

test('duet: a B that only adds errors (10 %) fails on its error rate, not on its p95', { timeout: 60_000 }, async () => {
  const failing = await startFailingTarget(BASE_DELAY_MS);
  try {
    const outcome = await runGate({ model: MODEL, profile: 'duet', against: a.url, candidateTargets: { app: failing.url }, duet: {}, pairs: 8, windowMs: 1000, warmupMs: 500, store, out: join(scratch, 'errors'), log: () => {} });
    assert.equal(outcome.exitCode, 1, readFileSync(outcome.files.summary, 'utf8'));
    const hello = outcome.verdict.transactions[0];
    assert.equal(hello?.errorRate?.status, 'regression');
    assert.ok(Math.abs((hello?.errorRate?.effect ?? 0) - 0.1) < 0.02, `error effect ${hello?.errorRate?.effect}`);
    assert.notEqual(hello?.p95?.status, 'regression');
  } finally {
    await failing.close();
  }
});

test('duet: both builds 2× slower than the stored run is reported as a shared load (warn, exit 0), not hidden', { timeout: 60_000 }, async () => {
  // What a B that eats the machine does to A: both slow down together, their ratio stays near 1.
  a.setDelayMs(BASE_DELAY_MS * 2);
  b.setDelayMs(BASE_DELAY_MS * 2);
  try {
    const outcome = await runGate({ model: MODEL, profile: 'duet', against: a.url, candidateTargets: { app: b.url }, duet: {}, pairs: 8, windowMs: 1000, warmupMs: 500, thresholds: { alpha: 0.01 }, store, out: join(scratch, 'shared'), log: () => {} });
    const summary = readFileSync(outcome.files.summary, 'utf8');
    assert.equal(outcome.exitCode, 0, summary);
    assert.equal(outcome.verdict.status, 'warn');
    assert.equal(outcome.verdict.transactions[0]?.status, 'warn');
    assert.match(summary, /shared load: both builds slower than baseline `main`/);
    assert.ok(outcome.verdict.transactions[0]?.notes.some((n) => /^shared load: A \+\d+\.\d % and B \+\d+\.\d %/.test(n)), summary);
  } finally {
    a.setDelayMs(BASE_DELAY_MS);
    b.setDelayMs(BASE_DELAY_MS);
  }
});

test('duet, bad input: exit 3 with one line naming what was expected', { timeout: 60_000 }, async () => {
  const cases: [string, string[], RegExp][] = [
    ['no --against', ['--duet'], /--duet: \(root\): with --against/],
    ['unknown order', ['--duet', '--against', a.url, '--duet-order', 'zigzag'], /--duet-order: \(root\): one of alternate, random, got "zigzag"/],
    ['a ramp profile', ['--duet', '--against', a.url, '-p', 'ramp'], /duet\.yaml: profiles\.ramp: a constant profile/],
    ['build A down', ['--duet', '--against', 'http://127.0.0.1:9'], /duet build A \(--against\): targets\.app: a reachable HTTP server at http:\/\/127\.0\.0\.1:9/],
  ];
  for (const [what, args, message] of cases) {
    const r = await runCli(['gate', MODEL, '-p', 'duet', '-t', `app=${b.url}`, '--store', store, '-o', join(scratch, `bad-${what.replace(/\W/g, '')}`), ...args]);
    assert.equal(r.code, 3, `${what}: ${r.stderr}`);
    assert.match(r.stderr, message, what);
    assert.equal(r.stderr.trim().split('\n').length, 1, `${what}: one line, no stack: ${r.stderr}`);
  }
});
