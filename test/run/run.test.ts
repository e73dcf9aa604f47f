/** `perfcell run` end to end with the real k6 against a small local target. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTinyTarget, type TinyTarget } from '../support/tiny-target.js';
import { runCli, startCli } from '../support/cli.js';
import { readRunMeta } from '../../src/store/folder.js';
import { readRawSamples } from '../../src/store/raw-samples.js';

const MODEL = 'test/fixtures/basic/load-models/basic.yaml';
let target: TinyTarget;
let scratch: string;

before(async () => {
  target = await startTinyTarget();
  scratch = mkdtempSync(join(tmpdir(), 'perfcell-run-'));
});
after(() => target.close());

function k6ProcessesFor(dir: string): string {
  try {
    return execFileSync('pgrep', ['-af', dir], { encoding: 'utf8' }).split('\n').filter((l) => l.includes('k6 run')).join('\n');
  } catch {
    return '';
  }
}

test('the compiled rate is achieved: 50 req/s ±5% over 20 s, and the run folder is complete', { timeout: 90_000 }, async () => {
  target.setDelayMs(0);
  const hits0 = target.hits();
  const out = join(scratch, 'rate');
  const r = await runCli(['run', MODEL, '-p', 'rate50', '-q', '-t', `app=${target.url}`, '-o', out]);
  assert.equal(r.code, 0, r.stderr);
  const hits = target.hits() - hits0 - 2; // minus pre-flight: GET / and GET /health
  assert.ok(hits >= 950 && hits <= 1050, `target received ${hits} requests in 20 s, expected 1000 ±5%`);
  for (const f of ['run.json', 'options.json', 'bundle.js', 'bundle.js.map', 'raw.csv.gz', 'summary.json', 'model.yaml', 'k6.log']) {
    assert.ok(existsSync(join(out, f)), `${f} missing`);
  }
  const meta = readRunMeta(out);
  assert.equal(meta.status, 'passed');
  assert.equal(meta.exitCode, 0);
  assert.equal(meta.interrupted, false);
  assert.equal(meta.k6.version, 'v2.2.0');
  assert.match(meta.model.hash, /^[0-9a-f]{64}$/);
  assert.equal(meta.environment.targets.app, target.url);
  // Raw samples agree with the target's own count and with k6's summary.
  let requests = 0;
  let first = Infinity;
  let last = 0;
  const stats = await readRawSamples(join(out, 'raw.csv.gz'), (s) => {
    requests++;
    first = Math.min(first, s.timeMs);
    last = Math.max(last, s.timeMs);
    assert.equal(s.transaction, 'hello');
  }, { metrics: new Set(['http_reqs']) });
  assert.equal(stats.truncated, false);
  assert.equal(requests, hits);
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { metrics: Record<string, { count?: number }> };
  assert.equal(summary.metrics['http_reqs{transaction:hello}']?.count, requests);
  // k6 tags dropped iterations by scenario only: the declared sub-metric must exist to be read at all.
  assert.equal(summary.metrics['dropped_iterations{scenario:hello}']?.count, 0);
  const rate = requests / 20;
  assert.ok(Math.abs(rate - 50) / 50 <= 0.05, `achieved ${rate}/s`);
  assert.ok(last - first >= 19_000, 'samples span the 20 s of the run');
  assert.match(r.stderr, /hello\s+\d+\s+(4[89]|5[012])\.\d+\s+50\.00/);
});

test('a target made slow breaks the SLO: exit 99 and status slo-broken', { timeout: 60_000 }, async () => {
  target.setDelayMs(150);
  try {
    const out = join(scratch, 'slow');
    const r = await runCli(['run', MODEL, '-p', 'smoke', '-q', '-t', `app=${target.url}`, '-o', out]);
    assert.equal(r.code, 99, r.stderr);
    const meta = readRunMeta(out);
    assert.equal(meta.status, 'slo-broken');
    assert.equal(meta.k6ExitCode, 99);
  } finally {
    target.setDelayMs(0);
  }
});

test('SIGINT mid-run stops k6 gracefully and leaves a complete run folder flagged interrupted', { timeout: 60_000 }, async () => {
  const out = join(scratch, 'interrupted');
  const { child, done } = startCli(['run', MODEL, '-p', 'long', '-q', '-t', `app=${target.url}`, '-o', out]);
  const started = Date.now();
  while (!existsSync(join(out, 'raw.csv.gz')) && Date.now() - started < 20_000) await new Promise((r) => setTimeout(r, 200));
  await new Promise((r) => setTimeout(r, 3000));
  child.kill('SIGINT');
  const r = await done;
  assert.equal(r.code, 130, r.stderr);
  assert.ok(Date.now() - started < 30_000, 'stopped well before the 60 s profile ended');
  const meta = readRunMeta(out);
  assert.equal(meta.interrupted, true);
  assert.equal(meta.status, 'interrupted');
  assert.ok(meta.flags.includes('interrupted'));
  assert.ok(meta.endedAt);
  assert.ok(existsSync(join(out, 'summary.json')), 'k6 still wrote its summary');
  let n = 0;
  const stats = await readRawSamples(join(out, 'raw.csv.gz'), () => n++, { metrics: new Set(['http_reqs']) });
  assert.equal(stats.truncated, false, 'k6 closed its raw output properly');
  assert.ok(n >= 100, `raw samples kept (${n})`);
  assert.equal(k6ProcessesFor(out), '', 'no k6 left running');
});

test('a scenario exception points at the TypeScript line through the source map; a transaction that sent nothing fails the run (exit 4)', { timeout: 60_000 }, async () => {
  const out = join(scratch, 'boom');
  const r = await runCli(['run', 'test/fixtures/basic/load-models/boom.yaml', '-p', 'smoke', '-q', '-t', `app=${target.url}`, '-o', out]);
  assert.equal(r.code, 4, r.stderr);
  const log = readFileSync(join(out, 'k6.log'), 'utf8');
  assert.match(log, /boom from the scenario/);
  assert.match(log, /test\/fixtures\/basic\/scenarios\/basic\.ts:12/);
  const meta = readRunMeta(out);
  assert.equal(meta.status, 'failed');
  assert.ok(meta.flags.includes('no-requests:boom'));
  assert.ok(meta.flags.some((f) => /^script-exceptions:\d+$/.test(f)));
});
