/** `perfcell influx start|status|stop` and `perfcell push` as a user runs them. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli, startCli, type CliResult } from '../support/cli.js';
import { freeLoopbackPort } from '../../src/metrics/influx-instance.js';
import { InfluxClient } from '../../src/metrics/influx.js';
import { readRawSamples } from '../../src/store/raw-samples.js';
import { readRunMeta, runFile } from '../../src/store/folder.js';

const FIXTURE_RUN = fileURLToPath(new URL('../fixtures/runs/basic-smoke', import.meta.url));
const ENV = { PERFCELL_INFLUX_URL: '', PERFCELL_INFLUX: '' };

let work: string;
let server: ReturnType<typeof startCli>;
let url: string;

describe('perfcell influx and push commands', { timeout: 60_000 }, () => {
  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'perfcell-influx-cli-'));
    cpSync(FIXTURE_RUN, join(work, 'run'), { recursive: true });
  });
  after(() => {
    if (server && server.child.exitCode === null) server.child.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
  });

  it('start runs a private instance on the given port and status finds it', async () => {
    const port = await freeLoopbackPort();
    server = startCli(['influx', 'start', '--foreground', '--dir', join(work, 'influxdb'), '--port', String(port)], ENV);
    let out = '';
    server.child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    const deadline = Date.now() + 20_000;
    while (!out.includes('Ctrl-C') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    url = `http://127.0.0.1:${port}`;
    assert.match(out, new RegExp(`InfluxDB ${url} \\(data in ${join(work, 'influxdb')}\\)`));
    const status = await runCli(['influx', 'status', '--dir', join(work, 'influxdb')], ENV);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, new RegExp(`${url}/perfcell: up`));
  });

  it('push writes every sample of the run folder, twice the same', async () => {
    let raw = 0;
    await readRawSamples(runFile(join(work, 'run'), 'raw'), () => raw++, { metrics: new Set(['http_reqs']) });
    const first = await runCli(['push', join(work, 'run'), '--influx', url, '--db', 'clitest'], ENV);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, new RegExp(`: ${raw} requests, `));
    const client = new InfluxClient({ url, database: 'clitest' });
    const runId = readRunMeta(join(work, 'run')).runId;
    const count = async () => (await client.query<{ count: number }>(`SELECT count("value") AS "count" FROM "http_req_duration" WHERE "run_id" = '${runId}'`))[0]?.count;
    const before = await count();
    const second = await runCli(['push', join(work, 'run'), '--influx', url, '--db', 'clitest'], ENV);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(await count(), before);
    assert.equal(before, raw);
  });

  it('stop ends the instance; then status and push say what is missing (exit 3)', async () => {
    const stop = await runCli(['influx', 'stop', '--dir', join(work, 'influxdb')], ENV);
    assert.equal(stop.code, 0, stop.stderr);
    const ended: CliResult = await server.done;
    assert.equal(ended.code, 0, ended.stderr);
    assert.match(ended.stdout, /InfluxDB stopped/);
    const status = await runCli(['influx', 'status', '--dir', join(work, 'influxdb')], ENV);
    assert.equal(status.code, 3);
    assert.match(status.stdout, /no InfluxDB configured/);
    const push = await runCli(['push', join(work, 'run'), '--influx', url], ENV);
    assert.equal(push.code, 3);
    assert.match(push.stderr, /does not answer \/ping/);
  });
});
