/** The gate's per-window input (src/gate/windows.ts, over the analyzer) on a synthetic run folder with known figures. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { windowsOf } from '../../src/gate/windows.js';
import { runFile } from '../../src/store/folder.js';
import { steadyRequests, writeFakeRun } from './fake-run.js';

const scratch = mkdtempSync(join(tmpdir(), 'perfcell-gate-windows-'));

const near = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) <= expected * 0.01, `${what}: ${actual}, expected ${expected} ±1 %`);

test('whole windows after the warm-up, p95 and error rate per window and in total', async () => {
  // 100 req/s for 8 s; latency = 1..100 ms repeating each second, so every 1-s window has p95 = 95 ms.
  const dir = writeFakeRun(join(scratch, 'a'), steadyRequests('hello', 8, 100, (i) => (i % 100) + 1, 50));
  const w = await windowsOf(dir, 1000, { warmupMs: 1000 });
  assert.equal(w.damaged, false);
  const hello = w.transactions.find((t) => t.transaction === 'hello');
  assert.ok(hello);
  assert.equal(hello.windows.length, 6, '7 s after the warm-up, the last one not whole (last request at 7.99 s)');
  for (const x of hello.windows) {
    assert.equal(x.requests, 100);
    near(x.p95Ms, 95.05, 'window p95 (interpolated as k6 does)');
    assert.equal(x.errors, 2);
  }
  near(hello.total.p50Ms, 50.5, 'total p50 (interpolated as k6 does)');
  assert.equal(hello.total.errorRate, 0.02);
  assert.equal(hello.windows[1]?.startMs, 2000);
});

test('an infinite window is the whole run after the warm-up (interleaved mode: one short run, one window)', async () => {
  const dir = writeFakeRun(join(scratch, 'b'), steadyRequests('hello', 3, 100, (i) => (i < 100 ? 500 : 10 + (i % 10)), 20));
  const w = await windowsOf(dir, Number.POSITIVE_INFINITY, { warmupMs: 1000 });
  const hello = w.transactions[0];
  assert.equal(hello?.windows.length, 1);
  assert.equal(hello?.windows[0]?.requests, 200, 'the first second (500 ms latencies) is left out');
  assert.equal(hello?.windows[0]?.errors, 10);
  near(hello?.windows[0]?.p95Ms ?? 0, 19, 'p95 of 10..19 ms');
  near(hello?.total.p95Ms ?? 0, 500, 'the total keeps every request');
});

test('a damaged raw file is reported, not silently read as a short run', async () => {
  const dir = writeFakeRun(join(scratch, 'c'), steadyRequests('hello', 2, 50, () => 5));
  writeFileSync(runFile(dir, 'raw'), 'this is not gzip');
  const w = await windowsOf(dir, 1000);
  assert.equal(w.damaged, true);
});
