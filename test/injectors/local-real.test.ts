/**
 * `perfcell run --injectors local:2` end to end: two real k6 processes, one merged verdict. Checks the split
 * against the target's own count, the merged analysis against one analysis of the same samples in a single
 * raw file, and a k6 killed mid-run (flagged, the other kept, no k6 left).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTinyTarget, type TinyTarget } from '../support/tiny-target.js';
import { runCli, startCli } from '../support/cli.js';
import { readRunMeta, writeRunMeta } from '../../src/store/folder.js';
import { readRawSamples } from '../../src/store/raw-samples.js';
import { analyzeRun } from '../../src/analysis/analyze.js';

const MODEL = 'test/fixtures/basic/load-models/distributed.yaml';
const RATE = 100;
const SECONDS = 8;
let target: TinyTarget;
let scratch: string;

before(async () => {
  target = await startTinyTarget();
  scratch = mkdtempSync(join(tmpdir(), 'perfcell-injectors-'));
});
after(() => target.close());

const k6Of = (dir: string) => {
  try {
    return execFileSync('pgrep', ['-af', dir], { encoding: 'utf8' }).split('\n').filter((l) => l.includes('k6 run')).join('\n');
  } catch {
    return '';
  }
};

async function requestsIn(raw: string): Promise<number> {
  let n = 0;
  await readRawSamples(raw, () => n++, { metrics: new Set(['http_reqs']) });
  return n;
}

test('local:2: two k6 segments, one run: counts add up to the target\'s, skew ≤ 1 s, merged = concatenated', { timeout: 60_000 }, async () => {
  const hits0 = target.hits();
  const out = join(scratch, 'split');
  const r = await runCli(['run', MODEL, '-p', 'split', '-q', '-t', `app=${target.url}`, '-o', out, '--injectors', 'local:2', '--no-monitor', '--no-influx']);
  assert.equal(r.code, 0, r.stderr);
  const hits = target.hits() - hits0 - 2; // minus pre-flight: GET / and GET /health
  const meta = readRunMeta(out);
  assert.equal(meta.status, 'passed');
  assert.ok(meta.injectors, 'run.json lists the injectors');
  assert.deepEqual(meta.injectors.list.map((i) => [i.name, i.segment, i.sequence, i.k6Version, i.lost]), [
    ['local-1', '0:1/2', '0,1/2,1', 'v2.2.0', false],
    ['local-2', '1/2:1', '0,1/2,1', 'v2.2.0', false],
  ]);
  assert.equal(meta.injectors.skewBasis, 'vus-tick');
  assert.ok(meta.injectors.skewMs <= 1000, `start skew ${meta.injectors.skewMs} ms`);
  assert.ok(!existsSync(join(out, 'raw.csv.gz')), 'no top-level raw file: each injector has its own');
  const per = await Promise.all(['local-1', 'local-2'].map((n) => requestsIn(join(out, 'injectors', n, 'raw.csv.gz'))));
  for (const n of ['local-1', 'local-2']) for (const f of ['k6.log', 'summary.json']) assert.ok(existsSync(join(out, 'injectors', n, f)), `${n}/${f}`);
  // Segments split the arrival rate exactly: each sends half (±1 iteration), together what the target saw.
  assert.equal((per[0] as number) + (per[1] as number), hits);
  assert.ok(Math.abs((per[0] as number) - (per[1] as number)) <= 1, `split ${per.join(' / ')}`);
  assert.ok(Math.abs(hits - RATE * SECONDS) / (RATE * SECONDS) <= 0.03, `target received ${hits}, expected ${RATE * SECONDS} ±3 %`);

  // The merged analysis equals the analysis of one folder holding the same samples in a single raw file.
  const merged = await analyzeRun(out);
  const single = join(scratch, 'single');
  mkdirSync(single);
  const texts = ['local-1', 'local-2'].map((n) => gunzipSync(readFileSync(join(out, 'injectors', n, 'raw.csv.gz'))).toString('utf8').trimEnd().split('\n'));
  writeFileSync(join(single, 'raw.csv.gz'), gzipSync(texts[0]?.concat((texts[1] ?? []).slice(1)).join('\n') + '\n'));
  copyFileSync(join(out, 'injectors', 'local-1', 'summary.json'), join(single, 'summary.json'));
  copyFileSync(join(out, 'model.yaml'), join(single, 'model.yaml'));
  const { injectors: _dropped, ...plain } = meta;
  writeRunMeta(single, plain);
  const one = await analyzeRun(single);
  assert.equal(merged.incomplete, false, merged.incompleteReasons.join('; '));
  assert.equal(merged.overall.requests, hits);
  assert.equal(merged.overall.requests, one.overall.requests);
  assert.deepEqual(merged.overall.latencyMs, one.overall.latencyMs);
  assert.deepEqual(merged.transactions.map((t) => [t.requests, t.latencyMs?.p95]), one.transactions.map((t) => [t.requests, t.latencyMs?.p95]));
  assert.match(r.stderr, /hello\s+\d+\s+\d+\.\d+\s+100\.00/);
});

test('local:2, one k6 killed mid-run: incomplete, its segment named, the other kept, no k6 left', { timeout: 60_000 }, async () => {
  const out = join(scratch, 'killed');
  const { done } = startCli(['run', MODEL, '-p', 'split', '-q', '-t', `app=${target.url}`, '-o', out, '--injectors', 'local:2', '--no-monitor', '--no-influx']);
  const victim = join(out, 'injectors', 'local-2');
  const t0 = Date.now();
  let pid: number | undefined;
  while (pid === undefined && Date.now() - t0 < 20_000) {
    const line = k6Of(victim).split('\n').find((l) => l.trim());
    if (line) pid = Number(line.trim().split(/\s+/)[0]);
    else await new Promise((res) => setTimeout(res, 100));
  }
  assert.ok(pid, 'the second injector\'s k6 started');
  await new Promise((res) => setTimeout(res, 3000));
  process.kill(pid, 'SIGKILL');
  const r = await done;
  assert.equal(r.code, 99, r.stderr);
  assert.match(r.stderr, /injector local-2 \(segment 1\/2:1\) was lost/);
  const meta = readRunMeta(out);
  assert.ok(meta.flags.includes('incomplete'));
  assert.ok(meta.flags.includes('injector-lost:local-2:1/2:1'));
  assert.deepEqual(meta.injectors?.list.map((i) => i.lost), [false, true]);
  const kept = await requestsIn(join(out, 'injectors', 'local-1', 'raw.csv.gz'));
  assert.ok(Math.abs(kept - (RATE * SECONDS) / 2) <= 0.03 * (RATE * SECONDS) / 2 + 1, `the surviving segment sent ${kept}`);
  const a = await analyzeRun(out);
  assert.equal(a.incomplete, true);
  assert.ok(a.incompleteReasons.some((x) => /injector local-2: lost mid-run \(its segment 1\/2:1/.test(x)), a.incompleteReasons.join('; '));
  assert.ok(a.overall.requests >= kept);
  assert.equal(k6Of(out), '', 'no k6 left running');
});

test('bad injector spec: exit 2, one line, nothing written', { timeout: 30_000 }, async () => {
  const out = join(scratch, 'bad');
  const r = await runCli(['run', MODEL, '-p', 'split', '-q', '-t', `app=${target.url}`, '-o', out, '--injectors', 'local:0']);
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr.trim(), 'perfcell: --injectors: local:0: local:N with N ≥ 1 k6 processes, got "0"');
  assert.ok(!existsSync(out));
});
