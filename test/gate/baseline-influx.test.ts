/** Baselines mirrored in a real (private, temporary) InfluxDB: the run's samples and a perfcell_baseline point. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startInfluxd, type InfluxInstance } from '../../src/metrics/influx-instance.js';
import { InfluxClient, type InfluxTarget } from '../../src/metrics/influx.js';
import { setBaseline } from '../../src/gate/baselines.js';
import { BASELINE_MEASUREMENT, baselinePoint, recordBaselineInInflux } from '../../src/gate/baseline-influx.js';
import { steadyRequests, writeFakeRun } from './fake-run.js';

let work: string;
let influxd: InfluxInstance;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'perfcell-baseline-influx-'));
  influxd = await startInfluxd({ dir: join(work, 'influxdb') });
});
after(async () => {
  await influxd?.stop();
  rmSync(work, { recursive: true, force: true });
});

test('the point: tags service/baseline/profile, the run id as a field (not run_id, which push deletes by), stamped when it was set', () => {
  const p = baselinePoint({ schemaVersion: 1, name: 'main', service: 'gate-app', profile: 'gate', runId: 'R1', modelHash: 'h', source: '/x', setAt: '2026-11-25T13:00:00.000Z' });
  assert.deepEqual(p, { measurement: BASELINE_MEASUREMENT, tags: { service: 'gate-app', baseline: 'main', profile: 'gate' }, fields: { baseline_run: 'R1', model_hash: 'h' }, timestamp: '1795611600000000000' });
});

test('set twice: InfluxDB holds both runs\' samples and names the last one as the current baseline', { timeout: 60_000 }, async () => {
  const target: InfluxTarget = { url: influxd.url, database: 'gate' };
  const store = join(work, 'store');
  for (const [i, runId] of ['20261125T120000Z-aaaaaa', '20261125T130000Z-bbbbbb'].entries()) {
    const run = writeFakeRun(join(work, runId), steadyRequests('hello', 2, 50, () => 5 + i), { runId });
    const { dir, record } = setBaseline(run, { store, name: 'main', now: () => new Date(Date.UTC(2026, 10, 25, 13, i)) });
    const { samples } = await recordBaselineInInflux(dir, record, target);
    assert.equal(samples, 300, '100 requests × 3 metrics');
  }
  const client = new InfluxClient(target);
  const current = await client.query<{ last: string }>(`SELECT last("baseline_run") FROM "${BASELINE_MEASUREMENT}" WHERE "service" = 'gate-app' AND "baseline" = 'main'`);
  assert.equal(current[0]?.last, '20261125T130000Z-bbbbbb');
  assert.equal(await client.count('http_req_duration', '20261125T120000Z-aaaaaa'), 100);
  assert.equal(await client.count('http_req_duration', '20261125T130000Z-bbbbbb'), 100);
});
