/** InfluxDB with authentication: wrong credentials degrade the run to flags; right ones reach k6 by env only. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startInfluxd, type InfluxInstance } from '../../src/metrics/influx-instance.js';
import { InfluxClient, type InfluxTarget } from '../../src/metrics/influx.js';
import { INFLUX_FLAGS } from '../../src/metrics/push.js';
import { prepareRunHooks } from '../../src/side-channels/defaults.js';
import { startSideChannels } from '../../src/run/side-channel.js';
import { RUN_EXIT, executeRun } from '../../src/run/execute.js';
import { readRawSamples } from '../../src/store/raw-samples.js';
import { readRunMeta, runFile, writeRunMeta, type RunMeta } from '../../src/store/folder.js';
import { startMetricsTarget, type MetricsTarget } from './support/metrics-target.js';
import { withRunHooks } from '../../src/side-channels/defaults.js';

const MODEL = fileURLToPath(new URL('../fixtures/metrics/load-models/metrics.yaml', import.meta.url));
const PASSWORD = 's3cret-Pw';

let work: string;
let influxd: InfluxInstance;
let app: MetricsTarget;

describe('InfluxDB credentials', { timeout: 90_000 }, () => {
  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'perfcell-influx-auth-'));
    influxd = await startInfluxd({ dir: join(work, 'influxdb'), authEnabled: true });
    // With authentication on and no user yet, InfluxDB lets the first admin be created.
    const r = await fetch(`${influxd.url}/query`, { method: 'POST', body: new URLSearchParams({ q: `CREATE USER "perfcell" WITH PASSWORD '${PASSWORD}' WITH ALL PRIVILEGES` }) });
    assert.equal(r.status, 200, await r.text());
    app = await startMetricsTarget();
  });
  after(async () => {
    await app?.close();
    await influxd?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('wrong credentials: no k6 output, one warning, the run marked for a later push', async () => {
    const dir = join(work, 'hooks-only');
    const meta = {
      schemaVersion: 1, runId: 'R-auth', perfcellVersion: '0', service: 'metrics-app', profile: 'short', phase: 'unstubbed', iteration: 1,
      model: { file: 'm', hash: '' }, scenariosCommit: null, scenariosDirty: false, environment: { name: 'local', targets: {} }, targetsVersions: {},
      k6: { path: 'k6', version: 'v2', args: [] }, timeline: [], plannedDurationMs: 0, transactions: [], headroom: 0.3, startedAt: new Date().toISOString(), endedAt: null,
      k6ExitCode: null, exitCode: null, interrupted: false, status: 'running', flags: [],
    } satisfies RunMeta;
    mkdirSync(dir, { recursive: true });
    writeRunMeta(dir, meta);
    const logs: string[] = [];
    const prepared = prepareRunHooks({ influx: { url: influxd.url, database: 'auth', username: 'perfcell', password: 'wrong' }, monitorIntervalMs: false, apms: [] }, {});
    const hooks = await startSideChannels(prepared, { dir, meta, targets: {}, log: (l) => logs.push(l) });
    assert.deepEqual(hooks.k6Outputs, []);
    assert.equal(logs.length, 1);
    assert.match(logs[0] ?? '', /warning: InfluxDB http:.*\/auth: create database: .*401/);
    await hooks.finish({ ...meta, endedAt: new Date().toISOString(), status: 'passed' });
    assert.deepEqual(readRunMeta(dir).flags.sort(), [INFLUX_FLAGS.backfillPending, INFLUX_FLAGS.pushFailed]);
    assert.equal(logs.length, 1, 'still one warning');
  });

  it('right credentials: k6 authenticates (by environment, not on its command line) and every request lands', async () => {
    const target: InfluxTarget = { url: influxd.url, database: 'auth', username: 'perfcell', password: PASSWORD };
    const logs: string[] = [];
    const run = await executeRun({
      model: MODEL, profile: 'short', env: 'local', targetOverrides: { app: app.url }, out: join(work, 'run'), quiet: true,
      log: (l) => logs.push(l), sideChannels: withRunHooks({ influx: target, monitorIntervalMs: 1000, apms: [] }),
    });
    // The run completes; the metrics model's `missing` (404) and `slow` (drops) make perfcell's verdict NO-GO on purpose.
    assert.equal(run.exitCode, RUN_EXIT.sloBroken, logs.join('\n'));
    assert.deepEqual(readRunMeta(run.dir).flags, []);
    assert.ok(!readFileSync(runFile(run.dir, 'meta'), 'utf8').includes(PASSWORD), 'the password is not in run.json');
    let raw = 0;
    await readRawSamples(runFile(run.dir, 'raw'), () => raw++, { metrics: new Set(['http_reqs']) });
    assert.equal(await new InfluxClient(target).count('http_reqs', run.meta.runId), raw);
  });
});
