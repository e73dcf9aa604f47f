/** The monitor against real HTTP targets: a good one, one answering HTML, one down. Nothing crashes. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMonitor } from '../../src/monitor/monitor.js';
import { readMonitorSamples, type MonitorSample } from '../../src/store/monitor-samples.js';
import { freeLoopbackPort } from '../../src/metrics/influx-instance.js';
import { startMetricsTarget, type MetricsTarget } from '../metrics/support/metrics-target.js';
import { startTinyTarget, type TinyTarget } from '../support/tiny-target.js';

let work: string;
let good: MetricsTarget;
let html: Server;
let htmlUrl: string;
let plain: TinyTarget;

describe('server-side monitor', { timeout: 30_000 }, () => {
  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'perfcell-monitor-'));
    good = await startMetricsTarget();
    plain = await startTinyTarget();
    html = createServer((_req, res) => { res.writeHead(200, { 'content-type': 'text/html' }); res.end('<html><body>dashboard</body></html>'); });
    await new Promise<void>((r) => html.listen(0, '127.0.0.1', r));
    htmlUrl = `http://127.0.0.1:${(html.address() as AddressInfo).port}`;
  });
  after(async () => {
    await good?.close();
    await plain?.close();
    await new Promise((r) => html?.close(r));
    rmSync(work, { recursive: true, force: true });
  });

  it('scrapes every interval, skips bad and absent targets with one warning each, and feeds the sink', async () => {
    const logs: string[] = [];
    const sunk: MonitorSample[] = [];
    const firstIndexes: number[] = [];
    const down = `http://127.0.0.1:${await freeLoopbackPort()}`;
    const monitor = startMonitor({
      runDir: work,
      targets: { app: good.url, web: htmlUrl, gone: down, plain: plain.url },
      intervalMs: 200,
      log: (l) => logs.push(l),
      sink: async (samples, first) => { sunk.push(...samples); firstIndexes.push(first); },
    });
    monitor.watchK6(process.pid);
    await new Promise((r) => setTimeout(r, 1100));
    const report = await monitor.stop();

    assert.ok(report.ticks >= 5 && report.ticks <= 8, `ticks ${report.ticks}`);
    assert.deepEqual(report.targets.app, { ok: report.ticks, skipped: 0 }, logs.join('\n'));
    assert.equal(report.targets.web?.skipped, report.ticks);
    assert.equal(report.targets.gone?.skipped, report.ticks);
    assert.deepEqual(report.targets.plain, { ok: 0, skipped: 1 }, 'a target without /metrics is asked once');
    assert.equal(plain.hits(), 0, 'the tiny target does not count /metrics as load');
    assert.equal(logs.length, 3, logs.join('\n'));
    assert.ok(logs.some((l) => l.includes(plain.url) && /no Prometheus endpoint/.test(l)));
    assert.ok(logs.some((l) => l.includes(htmlUrl) && /not Prometheus text \(line 1/.test(l)));
    assert.ok(logs.some((l) => l.includes(down)));

    const { samples, badLines } = readMonitorSamples(work);
    assert.equal(badLines, 0);
    assert.equal(samples.length, report.samples);
    assert.deepEqual(sunk, samples, 'the sink got exactly what the file holds');
    assert.equal(firstIndexes[0], 0);
    const cpu = samples.filter((s) => s.source === 'target:app' && s.metric === 'process_cpu_seconds_total');
    assert.equal(cpu.length, report.ticks);
    assert.ok(cpu.every((s, i) => i === 0 || s.t > (cpu[i - 1] as MonitorSample).t), 'one reading per tick, in time order');
    assert.ok(samples.some((s) => s.source === 'injector' && s.metric === 'injector_cpu_percent' && s.labels.process === 'k6'));
    assert.ok(samples.every((s) => Number.isFinite(s.value)));
  });
});
