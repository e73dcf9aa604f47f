/**
 * `perfcell push` of a distributed run: every injector's raw file is pushed (src/store/folder.ts
 * `rawOutputs`), and two injectors' samples with the same milliseconds and tags stay two points (the
 * push's running index, not an overwrite). A private influxd; the run is the recorded fixture twice (no k6).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startInfluxd, type InfluxInstance } from '../../src/metrics/influx-instance.js';
import { InfluxClient, type InfluxTarget } from '../../src/metrics/influx.js';
import { pushRun } from '../../src/metrics/push.js';
import { readRawSamples } from '../../src/store/raw-samples.js';
import { injectorDir, readRunMeta, runFile, writeRunMeta } from '../../src/store/folder.js';

const FIXTURE_RUN = fileURLToPath(new URL('../fixtures/runs/basic-smoke', import.meta.url));

let work: string;
let influxd: InfluxInstance;
let target: InfluxTarget;

describe('perfcell push of a distributed run', { timeout: 60_000 }, () => {
  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'perfcell-push-distributed-'));
    influxd = await startInfluxd({ dir: join(work, 'influxdb') });
    target = { url: influxd.url, database: 'perfcell' };
  });
  after(async () => {
    await influxd?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('pushes every injector\'s samples; identical timestamps from two injectors are two points', async () => {
    const dir = join(work, 'run');
    cpSync(FIXTURE_RUN, dir, { recursive: true });
    let raw = 0;
    await readRawSamples(runFile(dir, 'raw'), () => raw++, { metrics: new Set(['http_reqs']) });
    assert.ok(raw > 0);
    // Two injectors that sent the very same traffic at the very same instants: each keeps a copy of the file.
    const names = ['local-1', 'local-2'];
    for (const n of names) {
      mkdirSync(injectorDir(dir, n), { recursive: true });
      copyFileSync(runFile(dir, 'raw'), join(injectorDir(dir, n), 'raw.csv.gz'));
    }
    rmSync(runFile(dir, 'raw'));
    const meta = readRunMeta(dir);
    meta.injectors = {
      startAt: meta.startedAt, skewMs: 0, skewBasis: 'vus-tick',
      list: names.map((name, k) => ({ name, host: 'local', segment: k === 0 ? '0:1/2' : '1/2:1', sequence: '0,1/2,1', k6Version: 'v2.2.0', startOffsetMs: 0, k6ExitCode: 0, lost: false })),
    };
    writeRunMeta(dir, meta);

    const pushed = await pushRun(dir, target, { summary: false });
    assert.equal(pushed.requests, 2 * raw);
    assert.equal(await new InfluxClient(target).count('http_reqs', meta.runId), 2 * raw);
  });
});
