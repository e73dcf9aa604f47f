import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RunAccumulator } from '../../src/analysis/accumulator.js';
import { newPool } from '../../src/analysis/histogram.js';
import type { RawSample } from '../../src/store/raw-samples.js';

const sample = (metric: string, timeMs: number, value: number, extra: Partial<RawSample> = {}): RawSample => ({
  metric, timeMs, value, check: '', error: '', errorCode: '', expectedResponse: '', group: '', method: '', name: '', transaction: '', status: '', url: '', extraTags: '', ...extra,
});

test('VUs: busiest value per window within one raw output, summed across outputs (injectors)', async () => {
  const pool = await newPool();
  try {
    const acc = new RunAccumulator(pool, { windowMs: 1000, maxWindows: 100 });
    acc.add(sample('vus', 10_000, 3));
    acc.add(sample('vus', 10_500, 5));
    acc.add(sample('vus', 11_000, 2));
    acc.endRun();
    acc.add(sample('vus', 10_200, 4));
    acc.endRun();
    const series = acc.overall.series.ordered().map(({ t, slot }) => [t, slot.vus]);
    assert.deepEqual(series, [[10_000, 9], [11_000, 2]]);
    assert.equal(acc.maxVus, 9);
  } finally {
    pool.destroyAll();
  }
});

test('errors are classified by kind and counted per transaction and overall; requests by status', async () => {
  const pool = await newPool();
  try {
    const acc = new RunAccumulator(pool, { windowMs: 1000, maxWindows: 100 });
    const tx = { transaction: 'search' };
    acc.add(sample('http_reqs', 1000, 1, { ...tx, status: '200', name: 'a' }));
    acc.add(sample('http_reqs', 1000, 1, { ...tx, status: '503', name: 'b' }));
    acc.add(sample('http_req_failed', 1000, 0, { ...tx, status: '200' }));
    acc.add(sample('http_req_failed', 1000, 1, { ...tx, status: '503' }));
    acc.add(sample('http_reqs', 2000, 1, { ...tx, status: '0', name: 'a' }));
    acc.add(sample('http_req_failed', 2000, 1, { ...tx, status: '0', errorCode: '1212', error: 'dial: connection refused' }));
    acc.add(sample('http_req_failed', 2000, 1, { ...tx, status: '0', errorCode: '1050', error: 'request timeout' }));
    const t = acc.transactions.get('search')!.finish(2, 1, []);
    assert.equal(t.requests, 3);
    assert.equal(t.errors, 3);
    assert.deepEqual(t.errorsByKind, { '5xx': 1, 'connection-refused': 1, timeout: 1 });
    assert.deepEqual(t.statusCounts, { '200': 1, '503': 1, '0': 1 });
    assert.equal(t.distinctNames, 2);
    assert.deepEqual(t.series.map((p) => [p.count, p.errors]), [[2, 1], [1, 2]]);
    assert.equal(acc.overall.errors, 3);
  } finally {
    pool.destroyAll();
  }
});

test('browser requests (k6 browser, e2e) count as requests with their latency, from browser_http_req_duration', async () => {
  const pool = await newPool();
  try {
    const acc = new RunAccumulator(pool, { windowMs: 1000, maxWindows: 100 });
    const tx = { transaction: 'operator-journey', status: '200' };
    acc.add(sample('browser_http_req_duration', 1000, 120, tx));
    acc.add(sample('browser_http_req_duration', 1200, 80, tx));
    acc.add(sample('browser_http_req_failed', 1200, 1, { ...tx, status: '500' }));
    acc.add(sample('browser_web_vital_lcp', 1300, 1800, tx));
    const t = acc.transactions.get('operator-journey')!.finish(1, null, []);
    assert.equal(t.requests, 2);
    assert.equal(t.latencyMs?.max, 120);
    assert.equal(t.latencyMs?.min, 80);
    assert.deepEqual(t.errorsByKind, { '5xx': 1 });
    const [lcp] = acc.webVitals();
    assert.deepEqual([lcp?.metric, lcp?.count], ['lcp', 1]);
    assert.ok(Math.abs(lcp!.p75 / 1800 - 1) < 0.001, 'within HDR precision');
  } finally {
    pool.destroyAll();
  }
});
