import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyzeRun, analyzeRuns } from '../../src/analysis/analyze.js';
import { PerfcellError } from '../../src/errors.js';
import { assertAgreesWithK6 } from './k6-agreement.js';

const runs = 'test/fixtures/runs';
const fixtures = ['basic-smoke', 'basic-app/iteration-1/stubbed', 'basic-app/iteration-1/unstubbed', 'basic-app/iteration-2/unstubbed'];

for (const f of fixtures) {
  test(`analysis of recorded run ${f} agrees with k6's summary (counts equal, percentiles within HDR precision)`, async () => {
    assertAgreesWithK6(await analyzeRun(join(runs, f)), join(runs, f));
  });
}

test('JS and WebAssembly histograms give the same figures', async () => {
  const dir = join(runs, 'basic-app/iteration-1/unstubbed');
  const [wasm, js] = [await analyzeRun(dir, { wasm: true }), await analyzeRun(dir, { wasm: false })];
  assert.deepEqual(js.transactions, wasm.transactions);
});

test('series: window counts add up to the totals, and the window width is a parameter', async () => {
  const dir = join(runs, 'basic-app/iteration-1/unstubbed');
  for (const windowMs of [1000, 2500]) {
    const a = await analyzeRun(dir, { windowMs });
    assert.equal(a.windowMs, windowMs);
    const tx = a.transactions[0]!;
    assert.equal(tx.series.reduce((s, p) => s + p.count, 0), tx.requests);
    for (const p of tx.series) {
      assert.equal(p.t % windowMs, 0);
      if (p.count > 0) assert.ok(p.p95 !== null && p.p50 !== null && p.p95 >= p.p50);
    }
  }
});

test('a series that outgrows its capacity doubles its window width and keeps every request', async () => {
  const dir = join(runs, 'basic-app/iteration-1/unstubbed');
  const a = await analyzeRun(dir, { windowMs: 500, maxWindows: 3 });
  assert.ok(a.windowMs >= 2000, `window ${a.windowMs}`);
  const tx = a.transactions[0]!;
  assert.ok(tx.series.length <= 3);
  assert.equal(tx.series.reduce((s, p) => s + p.count, 0), tx.requests);
});

test('several raw outputs are analysed as one: counts add up, extremes are the extremes of both', async () => {
  const a = join(runs, 'basic-app/iteration-1/stubbed');
  const b = join(runs, 'basic-app/iteration-1/unstubbed');
  const [ra, rb, merged] = [await analyzeRun(a), await analyzeRun(b), await analyzeRuns([a, b])];
  const [ta, tb, tm] = [ra.transactions[0]!, rb.transactions[0]!, merged.transactions[0]!];
  assert.equal(tm.requests, ta.requests + tb.requests);
  assert.equal(tm.latencyMs!.count, ta.latencyMs!.count + tb.latencyMs!.count);
  assert.equal(tm.latencyMs!.max, Math.max(ta.latencyMs!.max, tb.latencyMs!.max));
  assert.equal(tm.latencyMs!.min, Math.min(ta.latencyMs!.min, tb.latencyMs!.min));
  assert.ok(tm.latencyMs!.p50 > ta.latencyMs!.p50 && tm.latencyMs!.p50 < tb.latencyMs!.p50);
  assert.equal(merged.runs.length, 2);
  // Injectors' VUs add up window by window.
  const vusAt = (x: typeof ra, t: number) => x.vus.series.find((p) => p.t === t)?.v ?? 0;
  for (const p of merged.vus.series) assert.equal(p.v, vusAt(ra, p.t) + vusAt(rb, p.t));
  assert.ok(merged.vus.max >= Math.max(ra.vus.max, rb.vus.max));
});

test('a run cut short (k6 killed, gzip truncated mid-line) is analysed as far as it goes and flagged incomplete', async () => {
  const a = await analyzeRun(join(runs, 'incomplete'));
  assert.equal(a.incomplete, true);
  assert.ok(a.incompleteReasons.some((r) => /cut short/.test(r)));
  assert.ok(a.incompleteReasons.some((r) => /no recorded end/.test(r)));
  assert.ok(a.overall.requests > 0 && a.overall.requests < 25);
  assert.ok(a.read.truncated);
});

test('a run whose raw file is empty, missing, or not gzip at all: an incomplete analysis with no request, never a crash', async () => {
  const { cpSync, writeFileSync, rmSync: rm } = await import('node:fs');
  for (const [label, prepare] of [
    ['empty', (raw: string) => writeFileSync(raw, '')],
    ['missing', (raw: string) => rm(raw)],
    ['garbage', (raw: string) => writeFileSync(raw, Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7]))],
  ] as const) {
    const dir = join(mkdtempSync(join(tmpdir(), 'perfcell-raw-')), 'run');
    cpSync(join(runs, 'incomplete'), dir, { recursive: true });
    prepare(join(dir, 'raw.csv.gz'));
    const a = await analyzeRun(dir);
    assert.equal(a.incomplete, true, label);
    assert.equal(a.overall.requests, 0, label);
    assert.ok(a.incompleteReasons.length > 0, label);
  }
});

test('a folder that is not a run is a clear error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'perfcell-notrun-'));
  try {
    await assert.rejects(analyzeRun(dir), (e: unknown) => e instanceof PerfcellError && /not a run folder/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('SLO verdicts come from the thresholds run.json records', async () => {
  const a = await analyzeRun(join(runs, 'basic-app/iteration-1/unstubbed'));
  const p95 = a.slo.find((s) => s.criterion === 'p95')!;
  assert.equal(p95.limit, 100);
  assert.equal(p95.actual, a.transactions[0]!.latencyMs!.p95);
  assert.equal(p95.pass, p95.actual! < 100);
  assert.ok(a.slo.some((s) => s.criterion === 'errorRate' && s.op === '<='));
});
