/**
 * The readers of a run read a distributed run (injectors/<name>/raw.csv.gz, src/store/run-samples.ts) as the
 * one run it is: the gate's windows and whole-run figures, its duet windows, stub calibration and the
 * API-contract check equal those of the same samples in one raw file, and a baseline of it keeps every
 * injector's samples.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { windowsOf } from '../../src/gate/windows.js';
import { resolveBaseline, setBaseline } from '../../src/gate/baselines.js';
import { PerfcellError } from '../../src/errors.js';
import { runFile } from '../../src/store/folder.js';
import { duetWindowsOf } from '../../src/gate/duet-windows.js';
import { endpointLatencies } from '../../src/stubs/calibrate.js';
import { checkContract } from '../../src/api-contract/check.js';
import { DUET_TAG } from '../../src/scenario/duet-side.js';
import { fakeMeta, splitIntoInjectors, steadyRequests, writeFakeRun } from './fake-run.js';

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

/**
 * 8 s at 100 req/s of a duet run's shape (each request tagged side A or B, named "GET /hello", 1 in 25
 * answered 500) in one raw file, with the URL column the contract check reads.
 */
function taggedRun(dir: string): string {
  writeFakeRun(dir, []);
  const start = Date.parse(fakeMeta().startedAt);
  const lines = ['metric_name,timestamp,metric_value,check,error,error_code,expected_response,group,method,name,scenario,service,status,url,extra_tags,metadata'];
  for (let i = 0; i < 800; i++) {
    const t = start + i * 10;
    const failed = i % 25 === 0;
    const tail = `,,,,${failed ? 'false' : 'true'},,GET,GET /hello,hello,gate-app,${failed ? 500 : 200},http://127.0.0.1:18091/hello,transaction=hello&${DUET_TAG}=${i % 2 === 0 ? 'A' : 'B'},`;
    lines.push(`http_req_duration,${t},${4 + (i % 37) + (i % 2) * 3}${tail}`, `http_req_failed,${t},${failed ? 1 : 0}${tail}`, `http_reqs,${t},1${tail}`);
  }
  writeFileSync(runFile(dir, 'raw'), gzipSync(lines.join('\n') + '\n'));
  return dir;
}

test('duet windows, stub calibration and the API-contract check read every injector of a distributed run as one', async () => {
  const single = taggedRun(join(scratch, 'tagged-single'));
  const split = join(scratch, 'tagged-split');
  cpSync(single, split, { recursive: true });
  splitIntoInjectors(split, ['local-1', 'local-2', 'local-3']);
  assert.ok(!existsSync(runFile(split, 'raw')));

  // Duet windows: the same windows per side, each holding both injectors' requests.
  const duet = async (dir: string) => {
    const { meta: _m, runDir: _d, ...figures } = await duetWindowsOf(dir, 1000, 1000, 6);
    return figures;
  };
  const [d1, d3] = [await duet(single), await duet(split)];
  assert.equal(d1.transactions[0]?.pairs.length, 6);
  assert.equal(d1.untagged, 0);
  assert.deepEqual(d3, d1);
  assert.equal(d3.transactions[0]?.total.A.requests, 300, 'A side of 6 windows at 50/s, read from all three files');

  // Calibration: the same requests per endpoint (the log-moments are summed in another order: equal to 1e-9).
  const [c1, c3] = [await endpointLatencies(single), await endpointLatencies(split)];
  const [m1, m3] = [c1.get('GET /hello'), c3.get('GET /hello')];
  assert.equal(m3?.n, 800 - 800 / 25);
  assert.equal(m3?.n, m1?.n);
  assert.ok(m1 && m3 && Math.abs(m1.mean - m3.mean) < 1e-9 && Math.abs(m1.m2 - m3.m2) < 1e-6, `${m1?.mean} ${m3?.mean}`);

  // Contract check: every request judged, the 500s found as an undocumented status, whatever the files.
  const spec = join(scratch, 'hello-openapi.yaml');
  writeFileSync(spec, "openapi: 3.0.3\ninfo: { title: hello, version: '1' }\nservers: [{ url: 'http://127.0.0.1:18091' }]\npaths:\n  /hello:\n    get:\n      operationId: hello\n      responses: { '200': { description: ok } }\n");
  const contract = (run: string) => checkContract({ model: 'test/gate/fixtures/gate.yaml', openapi: [spec], run });
  const [r1, r3] = [await contract(single), await contract(split)];
  assert.equal(r3.requests, 800);
  assert.ok(r3.findings.some((f) => f.kind === 'undocumented-status' && f.status === '500' && f.requests === 800 / 25), JSON.stringify(r3.findings));
  assert.deepEqual(r3, r1);
});
