/**
 * The gate reads a distributed run (injectors/<name>/raw.csv.gz, `rawOutputs`) as the one run it is: its
 * windows and whole-run figures equal those of the same samples in one raw file, and a baseline of it keeps
 * every injector's samples.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { windowsOf } from '../../src/gate/windows.js';
import { resolveBaseline, setBaseline } from '../../src/gate/baselines.js';
import { PerfcellError } from '../../src/errors.js';
import { runFile } from '../../src/store/folder.js';
import { splitIntoInjectors, steadyRequests, writeFakeRun } from './fake-run.js';

const scratch = mkdtempSync(join(tmpdir(), 'perfcell-gate-distributed-'));
const NAMES = ['local-1', 'local-2'];
/** What the gate reads from a run, less run.json itself (which differs: it lists the injectors). */
const read = async (dir: string, windowMs: number, warmupMs = 0) => {
  const { meta: _meta, runDir: _dir, ...figures } = await windowsOf(dir, windowMs, { warmupMs });
  return figures;
};

function pair(name: string): { single: string; split: string } {
  // 8 s at 50 req/s, latencies 5..54 ms with 1 in 20 failed: enough windows and a spread of percentiles.
  const single = writeFakeRun(join(scratch, `${name}-single`), steadyRequests('hello', 8, 50, (i) => 5 + (i % 50), 20));
  const split = join(scratch, `${name}-split`);
  cpSync(single, split, { recursive: true });
  splitIntoInjectors(split, NAMES);
  return { single, split };
}

test('gate windows of a distributed run = those of the same samples in one raw file (windows and whole run)', async () => {
  const { single, split } = pair('w');
  assert.ok(!existsSync(runFile(split, 'raw')) && existsSync(join(split, 'injectors', 'local-2', 'raw.csv.gz')));
  for (const windowMs of [1000, Infinity]) {
    const one = await read(single, windowMs, 1000);
    const many = await read(split, windowMs, 1000);
    assert.ok(one.transactions[0] && one.transactions[0].total.requests > 0);
    assert.deepEqual(many, one, `window ${windowMs}`);
  }
  // Both injectors are read: each holds part of the requests, and the total is all of them.
  const whole = await windowsOf(split, Infinity);
  assert.equal(whole.transactions[0]?.total.requests, 8 * 50);
});

test('a baseline of a distributed run keeps every injector\'s samples; one missing is refused by name', async () => {
  const { single, split } = pair('b');
  const store = join(scratch, 'store');
  const { dir } = setBaseline(split, { store, name: 'dist' });
  for (const n of NAMES) assert.ok(existsSync(join(dir, 'injectors', n, 'raw.csv.gz')), n);
  const resolved = resolveBaseline('dist', { service: 'gate-app', profile: 'single', modelFile: 'gate.yaml' }, store);
  assert.deepEqual(await read(resolved.dir, 1000), await read(single, 1000));
  rmSync(join(split, 'injectors', 'local-2', 'raw.csv.gz'));
  assert.throws(() => setBaseline(split, { store, name: 'broken' }), (e: unknown) =>
    e instanceof PerfcellError && /injectors\/local-2\/raw\.csv\.gz: the raw samples of the run \(file missing\)/.test(e.message));
});
