/**
 * `perfcell push` into a database perfcell does not own alone: another writer keeps `run_id` as a FIELD in
 * its measurements (InfluxDB 1.x refuses a delete whose WHERE names a field of any measurement it spans).
 * The re-push must still replace the run's points, leave the other writer's points alone, and stay idempotent.
 * A private influxd is started here; the run is the recorded fixture (no k6).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startInfluxd, type InfluxInstance } from '../../src/metrics/influx-instance.js';
import { InfluxClient, type InfluxTarget } from '../../src/metrics/influx.js';
import { pushRun } from '../../src/metrics/push.js';
import { readRawSamples } from '../../src/store/raw-samples.js';
import { readRunMeta, runFile } from '../../src/store/folder.js';

const FIXTURE_RUN = fileURLToPath(new URL('../fixtures/runs/basic-smoke', import.meta.url));

let work: string;
let influxd: InfluxInstance;
let target: InfluxTarget;
let client: InfluxClient;

describe('perfcell push into a shared database', { timeout: 60_000 }, () => {
  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'perfcell-push-shared-'));
    cpSync(FIXTURE_RUN, join(work, 'run'), { recursive: true });
    influxd = await startInfluxd({ dir: join(work, 'influxdb') });
    target = { url: influxd.url, database: 'shared' };
    client = new InfluxClient(target);
    await client.ensureDatabase();
  });
  after(async () => {
    await influxd?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('a measurement holding run_id as a field neither breaks the re-push nor loses its points', async () => {
    const dir = join(work, 'run');
    const runId = readRunMeta(dir).runId;
    let raw = 0;
    await readRawSamples(runFile(dir, 'raw'), () => raw++, { metrics: new Set(['http_reqs']) });
    assert.ok(raw > 0);
    // Another tool's points: run_id is a field here, and (same key, other type) also a field beside a tag.
    await client.write([
      { measurement: 'other_tool', tags: { host: 'ci' }, fields: { run_id: runId, value: 1 }, timestamp: '1000000000' },
      { measurement: 'other_tool', tags: { host: 'ci' }, fields: { run_id: 'unrelated', value: 2 }, timestamp: '2000000000' },
    ]);
    // A stale live point of the run in a measurement the push does not rewrite: the push must drop it.
    await client.write([{ measurement: 'stale_live', tags: { run_id: runId }, fields: { value: 9 }, timestamp: '3000000000' }]);

    const first = await pushRun(dir, target, { summary: false });
    assert.equal(first.requests, raw);
    assert.equal(await client.count('http_reqs', runId), raw);
    assert.equal(await client.count('stale_live', runId), 0, 'the run\'s old series are dropped before the push');

    const second = await pushRun(dir, target, { summary: false });
    assert.equal(second.requests, raw);
    assert.equal(await client.count('http_reqs', runId), raw, 'pushing twice gives the same points');
    const others = await client.query<{ count: number }>('SELECT count("value") AS "count" FROM "other_tool"');
    assert.equal(others[0]?.count, 2, 'points where run_id is a field are not the run\'s series: kept');
  });
});
