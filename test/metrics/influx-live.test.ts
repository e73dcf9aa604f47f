/**
 * One real short run (6 s, three transactions: ok, 404s, dropped iterations) against a target exposing
 * Prometheus metrics, with a private influxd started here: live points and their tags, the dashboard's
 * queries, `perfcell push` replacing the live points and being idempotent.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startInfluxd, type InfluxInstance } from '../../src/metrics/influx-instance.js';
import { InfluxClient, type InfluxTarget } from '../../src/metrics/influx.js';
import { pushRun } from '../../src/metrics/push.js';
import { dashboardQueries, substitute } from '../../src/metrics/dashboard-queries.js';
import { RUN_EXIT, executeRun, type RunOutcome } from '../../src/run/execute.js';
import { readRawSamples } from '../../src/store/raw-samples.js';
import { readRunMeta, runFile } from '../../src/store/folder.js';
import { readMonitorSamples } from '../../src/store/monitor-samples.js';
import { startMetricsTarget, type MetricsTarget } from './support/metrics-target.js';
import { withRunHooks } from '../../src/side-channels/defaults.js';

const MODEL = fileURLToPath(new URL('../fixtures/metrics/load-models/metrics.yaml', import.meta.url));
const DASHBOARD = fileURLToPath(new URL('../../dashboards/perfcell-run.json', import.meta.url));

let work: string;
let influxd: InfluxInstance;
let app: MetricsTarget;
let target: InfluxTarget;
let client: InfluxClient;
let run: RunOutcome;
const logs: string[] = [];

async function rawCounts(dir: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  await readRawSamples(runFile(dir, 'raw'), (s) => counts.set(s.metric, (counts.get(s.metric) ?? 0) + 1));
  return counts;
}

/** Points per measurement for the run, as InfluxDB holds them. */
async function influxCounts(runId: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const measurements = await client.query<{ name: string }>('SHOW MEASUREMENTS');
  for (const { name } of measurements) {
    if (name === 'perfcell_events') {
      const ev = await client.query<{ count: number }>(`SELECT count("title") AS "count" FROM "perfcell_events" WHERE "run_id" = '${runId}'`);
      counts.set(name, ev[0]?.count ?? 0);
    } else counts.set(name, await client.count(name, runId));
  }
  return counts;
}

async function runEveryDashboardQuery(runId: string, meta: { service: string; phase: string; iteration: number; startedAt: string; endedAt: string | null }) {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as unknown;
  const queries = dashboardQueries(dashboard);
  assert.ok(queries.length >= 14, `dashboard has ${queries.length} queries`);
  const empty: string[] = [];
  for (const variables of [
    { service: meta.service, phase: meta.phase, iteration: String(meta.iteration), run_id: runId },
    // "All" selected everywhere.
    { service: '.*', phase: '.*', iteration: '.*', run_id: '.*' },
  ]) {
    for (const q of queries) {
      const text = substitute(q.query, {
        fromMs: Date.parse(meta.startedAt) - 2000,
        toMs: Date.parse(meta.endedAt ?? meta.startedAt) + 2000,
        intervalMs: 1000,
        variables,
      });
      assert.doesNotMatch(text, /\$\w/, `${q.where}: unsubstituted variable in ${text}`);
      const rows = await client.query<Record<string, unknown>>(text);
      const withData = rows.filter((r) => Object.entries(r).some(([k, v]) => k !== 'time' && ((typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'string' && v !== ''))));
      if (withData.length === 0) empty.push(`${q.where}: ${text}`);
    }
  }
  assert.deepEqual(empty, [], 'every dashboard query returns data');
}

describe('InfluxDB: live push, dashboard, perfcell push', { timeout: 120_000 }, () => {
  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'perfcell-influx-live-'));
    influxd = await startInfluxd({ dir: join(work, 'influxdb') });
    target = { url: influxd.url, database: 'perfcell_test' };
    client = new InfluxClient(target);
    app = await startMetricsTarget();
    run = await executeRun({
      model: MODEL,
      profile: 'short',
      env: 'local',
      targetOverrides: { app: app.url },
      out: join(work, 'run'),
      quiet: true,
      log: (l) => logs.push(l),
      sideChannels: withRunHooks({ influx: target, monitorIntervalMs: 1000, apms: [] }),
    });
  });
  after(async () => {
    await app?.close();
    await influxd?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('the run passes and its live push is complete: no influx flag', () => {
    // The run completes; the metrics model's `missing` (404) and `slow` (drops) make perfcell's verdict NO-GO on purpose.
    assert.equal(run.exitCode, RUN_EXIT.sloBroken, logs.join('\n'));
    assert.deepEqual(readRunMeta(run.dir).flags.filter((f) => f.startsWith('influx')), []);
  });

  it('live k6 points land with the run tags, one series per transaction, vu/iter/url not as tags', async () => {
    const raw = await rawCounts(run.dir);
    const live = await client.count('http_reqs', run.meta.runId);
    assert.equal(live, raw.get('http_reqs'));
    const byTx = await client.query<{ transaction: string; count: number }>(
      `SELECT count("value") AS "count" FROM "http_reqs" WHERE "run_id" = '${run.meta.runId}' AND "service" = 'metrics-app' AND "phase" = 'unstubbed' AND "iteration" = '1' AND "profile" = 'short' GROUP BY "transaction"`,
    );
    assert.deepEqual(byTx.map((r) => r.transaction).sort(), ['hello', 'missing', 'slow']);
    const keys = (await client.query<{ tagKey: string }>('SHOW TAG KEYS FROM "http_reqs"')).map((r) => r.tagKey);
    for (const k of ['service', 'phase', 'iteration', 'run_id', 'profile', 'transaction', 'name', 'status']) assert.ok(keys.includes(k), `tag ${k}`);
    for (const k of ['vu', 'iter', 'url']) assert.ok(!keys.includes(k), `${k} must not be a tag`);
    const names = (await client.query<{ value: string }>(`SHOW TAG VALUES FROM "http_reqs" WITH KEY = "name" WHERE "transaction" = 'hello'`)).map((r) => r.value);
    assert.deepEqual(names, ['hello']);
  });

  it('monitor samples reach monitor.jsonl and InfluxDB: target CPU and event-loop lag, injector CPU and RSS', async () => {
    const { samples, badLines } = readMonitorSamples(run.dir);
    assert.equal(badLines, 0);
    const metrics = new Set(samples.map((s) => `${s.source} ${s.metric}`));
    for (const m of ['target:app process_cpu_seconds_total', 'target:app nodejs_eventloop_lag_seconds', 'injector injector_rss_bytes', 'injector injector_cpu_percent']) {
      assert.ok(metrics.has(m), m);
    }
    const k6Cpu = samples.filter((s) => s.metric === 'injector_cpu_percent' && s.labels.process === 'k6');
    assert.ok(k6Cpu.length >= 3, `k6 CPU read ${k6Cpu.length} times`);
    assert.ok(k6Cpu.some((s) => s.value > 0), 'k6 used some CPU');
    assert.equal(await client.count('monitor', run.meta.runId), samples.length);
  });

  it('run start and end events are written for annotations', async () => {
    const events = await client.query<{ event: string; title: string }>(`SELECT "title", "event" FROM "perfcell_events" WHERE "run_id" = '${run.meta.runId}'`);
    assert.deepEqual(events.map((e) => e.event), ['run-start', 'run-end']);
    assert.match(events[1]?.title ?? '', /end: passed/);
  });

  it('every dashboard query returns data from the live run', async () => {
    await runEveryDashboardQuery(run.meta.runId, readRunMeta(run.dir));
  });

  it('perfcell push replaces the live points with the raw file\'s, and pushing again changes nothing', async () => {
    const raw = await rawCounts(run.dir);
    const first = await pushRun(run.dir, target);
    assert.equal(first.requests, raw.get('http_reqs'));
    assert.equal(first.summaryError, undefined);
    assert.ok(first.summaryPoints >= 4);
    const afterFirst = await influxCounts(run.meta.runId);
    for (const [metric, n] of raw) assert.equal(afterFirst.get(metric), n, `${metric}: every raw sample is a point`);
    assert.equal(afterFirst.get('perfcell_events'), 2);
    assert.equal(afterFirst.get('monitor'), readMonitorSamples(run.dir).samples.length);
    const second = await pushRun(run.dir, target);
    assert.deepEqual(second.samples, first.samples);
    assert.deepEqual(await influxCounts(run.meta.runId), afterFirst);
    const sum = await client.query<{ sum: number }>(`SELECT sum("value") AS "sum" FROM "http_req_duration" WHERE "run_id" = '${run.meta.runId}'`);
    let rawSum = 0;
    await readRawSamples(runFile(run.dir, 'raw'), (s) => (rawSum += s.value), { metrics: new Set(['http_req_duration']) });
    assert.ok(Math.abs((sum[0]?.sum ?? 0) - rawSum) < 1e-6 * rawSum, 'same values, not only the same count');
  });

  it('push writes the analysis summary: per-transaction figures and errors by kind', async () => {
    const rows = await client.query<{ transaction: string; requests: number; errors: number; errors_4xx: number | null; p95_ms: number; dropped: number }>(
      `SELECT * FROM "perfcell_summary" WHERE "run_id" = '${run.meta.runId}'`,
    );
    const by = new Map(rows.map((r) => [r.transaction, r]));
    assert.deepEqual([...by.keys()].sort(), ['_all', 'hello', 'missing', 'slow']);
    const liveByTx = await client.query<{ transaction: string; count: number }>(`SELECT count("value") AS "count" FROM "http_reqs" WHERE "run_id" = '${run.meta.runId}' GROUP BY "transaction"`);
    for (const { transaction, count } of liveByTx) assert.equal(by.get(transaction)?.requests, count, transaction);
    assert.equal(by.get('missing')?.errors_4xx, by.get('missing')?.requests, 'every /missing request is a 4xx');
    assert.equal(by.get('hello')?.errors, 0);
    assert.ok((by.get('slow')?.p95_ms ?? 0) >= 200, 'slow answers in 200 ms');
    assert.ok((by.get('slow')?.dropped ?? 0) > 0, 'slow drops iterations');
  });

  it('every dashboard query returns data from the pushed points', async () => {
    await runEveryDashboardQuery(run.meta.runId, readRunMeta(run.dir));
  });
});
