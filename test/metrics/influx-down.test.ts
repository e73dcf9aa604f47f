/**
 * InfluxDB failing under a run: stopped in the middle, or unreachable from the start. The run completes,
 * warns once, is marked in run.json, and a later `perfcell push` restores every request the raw file holds.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freeLoopbackPort, startInfluxd, type InfluxInstance } from '../../src/metrics/influx-instance.js';
import { InfluxClient, type InfluxTarget } from '../../src/metrics/influx.js';
import { INFLUX_FLAGS, pushRun } from '../../src/metrics/push.js';
import { RUN_EXIT, executeRun } from '../../src/run/execute.js';
import { readRawSamples } from '../../src/store/raw-samples.js';
import { readRunMeta, runFile } from '../../src/store/folder.js';
import { startMetricsTarget, type MetricsTarget } from './support/metrics-target.js';
import { withRunHooks } from '../../src/side-channels/defaults.js';

const MODEL = fileURLToPath(new URL('../fixtures/metrics/load-models/metrics.yaml', import.meta.url));

let work: string;
let app: MetricsTarget;

async function rawRequests(dir: string): Promise<number> {
  let n = 0;
  await readRawSamples(runFile(dir, 'raw'), () => n++, { metrics: new Set(['http_reqs']) });
  return n;
}

describe('InfluxDB failures during a run', { timeout: 120_000 }, () => {
  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'perfcell-influx-down-'));
    app = await startMetricsTarget();
  });
  after(async () => {
    await app?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('influxd stopped mid-run: the run completes, is marked, and a later push restores every request', async () => {
    const dir = join(work, 'influxdb');
    let influxd: InfluxInstance = await startInfluxd({ dir });
    const target: InfluxTarget = { url: influxd.url, database: 'perfcell_down' };
    const logs: string[] = [];
    const killer = setTimeout(() => void influxd.stop(), 2500);
    const run = await executeRun({
      model: MODEL, profile: 'short', env: 'local', targetOverrides: { app: app.url }, out: join(work, 'run-stopped'), quiet: true,
      log: (l) => logs.push(l), sideChannels: withRunHooks({ influx: target, monitorIntervalMs: 1000, apms: [] }),
    });
    clearTimeout(killer);
    // The run completes; the metrics model's `missing` (404) and `slow` (drops) make perfcell's verdict NO-GO on purpose.
    assert.equal(run.exitCode, RUN_EXIT.sloBroken, logs.join('\n'));
    const flags = readRunMeta(run.dir).flags;
    assert.ok(flags.includes(INFLUX_FLAGS.pushFailed), `flags: ${flags.join(', ')}`);
    assert.ok(flags.includes(INFLUX_FLAGS.backfillPending), `flags: ${flags.join(', ')}`);
    assert.equal(logs.filter((l) => /warning: backfill failed/.test(l)).length, 1, 'one backfill warning');
    assert.ok(logs.filter((l) => /monitor: could not write samples to InfluxDB/.test(l)).length <= 1, 'monitor warns at most once');

    influxd = await startInfluxd({ dir, httpPort: influxd.httpPort, rpcPort: influxd.rpcPort });
    try {
      const client = new InfluxClient(target);
      const before = await client.count('http_reqs', run.meta.runId);
      const raw = await rawRequests(run.dir);
      assert.ok(raw > 100, `raw holds ${raw} requests`);
      assert.ok(before < raw, `live push kept ${before} of ${raw}: the stop lost points`);
      const stats = await pushRun(run.dir, target);
      assert.equal(stats.requests, raw);
      assert.equal(await client.count('http_reqs', run.meta.runId), raw);
      const after = readRunMeta(run.dir).flags;
      assert.ok(!after.includes(INFLUX_FLAGS.backfillPending), 'pending flag cleared');
      assert.ok(after.includes(INFLUX_FLAGS.backfilled) && after.includes(INFLUX_FLAGS.pushFailed), `flags: ${after.join(', ')}`);
    } finally {
      await influxd.stop();
    }
  });

  it('InfluxDB unreachable from the start: the run goes on without live metrics, warns once, is marked', async () => {
    const port = await freeLoopbackPort();
    const logs: string[] = [];
    const run = await executeRun({
      model: MODEL, profile: 'short', env: 'local', targetOverrides: { app: app.url }, out: join(work, 'run-unreachable'), quiet: true,
      log: (l) => logs.push(l), sideChannels: withRunHooks({ influx: { url: `http://127.0.0.1:${port}`, database: 'x' }, monitorIntervalMs: 1000, apms: [] }),
    });
    // The run completes; the metrics model's `missing` (404) and `slow` (drops) make perfcell's verdict NO-GO on purpose.
    assert.equal(run.exitCode, RUN_EXIT.sloBroken, logs.join('\n'));
    assert.equal(logs.filter((l) => /warning/.test(l)).length, 1, logs.join('\n'));
    assert.ok(!run.meta.k6.args.some((a) => a.startsWith('influxdb=')), 'no k6 InfluxDB output');
    assert.deepEqual(readRunMeta(run.dir).flags.filter((f) => f.startsWith('influx')).sort(), [INFLUX_FLAGS.backfillPending, INFLUX_FLAGS.pushFailed]);
    assert.ok((await rawRequests(run.dir)) > 100, 'the run itself is complete');
  });
});
