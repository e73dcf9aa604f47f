import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { k6InfluxOutput, quote, resolveInfluxTarget } from '../../src/metrics/influx.js';
import { influxLogProblems } from '../../src/metrics/influx-channel.js';
import { prepareRunHooks } from '../../src/side-channels/defaults.js';
import { substitute } from '../../src/metrics/dashboard-queries.js';
import { PerfcellError } from '../../src/errors.js';
import { runHookOptionsFrom } from '../../src/cli/metrics-commands.js';

const NO_INSTANCE = '/nonexistent-perfcell-instance';

describe('InfluxDB configuration', () => {
  it('flag over env over the private instance; database and credentials from env or URL', () => {
    assert.equal(resolveInfluxTarget({ instanceDir: NO_INSTANCE }, {}), undefined);
    assert.deepEqual(resolveInfluxTarget({ instanceDir: NO_INSTANCE }, { PERFCELL_INFLUX_URL: 'http://127.0.0.1:8086' }), { url: 'http://127.0.0.1:8086', database: 'perfcell' });
    assert.deepEqual(resolveInfluxTarget({ url: 'http://u:p%40ss@10.0.0.1:9999/k6', instanceDir: NO_INSTANCE }, { PERFCELL_INFLUX_URL: 'http://127.0.0.1:8086' }), {
      url: 'http://10.0.0.1:9999', database: 'k6', username: 'u', password: 'p@ss',
    });
    assert.deepEqual(
      resolveInfluxTarget({ instanceDir: NO_INSTANCE }, { PERFCELL_INFLUX_URL: 'http://h:1', PERFCELL_INFLUX_DB: 'd', PERFCELL_INFLUX_USER: 'a', PERFCELL_INFLUX_PASSWORD: 'b' }),
      { url: 'http://h:1', database: 'd', username: 'a', password: 'b' },
    );
    assert.equal(resolveInfluxTarget({ instanceDir: NO_INSTANCE }, { PERFCELL_INFLUX: 'off', PERFCELL_INFLUX_URL: 'http://h:1' }), undefined);
    assert.throws(() => resolveInfluxTarget({ url: 'ftp://x' }, {}), PerfcellError);
    assert.throws(() => resolveInfluxTarget({ url: 'not a url' }, {}), PerfcellError);
  });

  it("k6's output: v1 URL with database, vu/iter/url as fields, credentials by env only", () => {
    assert.deepEqual(k6InfluxOutput({ url: 'http://127.0.0.1:8086', database: 'perfcell', username: 'u', password: 'p' }), {
      out: 'influxdb=http://127.0.0.1:8086/perfcell',
      env: { K6_INFLUXDB_TAGS_AS_FIELDS: 'vu:int,iter:int,url', K6_INFLUXDB_PUSH_INTERVAL: '1s', K6_INFLUXDB_CONCURRENT_WRITES: '4', K6_INFLUXDB_USERNAME: 'u', K6_INFLUXDB_PASSWORD: 'p' },
    });
  });

  it('run hooks settings from the environment; a bad interval or APM is refused before the run', () => {
    const p = prepareRunHooks({ influx: null }, { PERFCELL_MONITOR_INTERVAL: '500ms' });
    assert.equal(p.monitorIntervalMs, 500);
    assert.equal(p.influx, undefined);
    assert.deepEqual(p.bundlePlugins, []);
    assert.equal(prepareRunHooks({ influx: null }, { PERFCELL_MONITOR: 'off' }).monitorIntervalMs, false);
    assert.equal(prepareRunHooks({ influx: null }, {}).monitorIntervalMs, 5000);
    assert.throws(() => prepareRunHooks({ influx: null }, { PERFCELL_MONITOR_INTERVAL: 'often' }), /PERFCELL_MONITOR_INTERVAL/);
    assert.throws(() => prepareRunHooks({ influx: null }, { PERFCELL_APM: 'newrelic' }), /not an APM/);
    assert.throws(() => prepareRunHooks({ influx: null }, { PERFCELL_APM: 'dynatrace', DT_API_URL: 'https://x.live.dynatrace.com' }), /DT_API_TOKEN/);
    assert.equal(prepareRunHooks({ influx: null }, { PERFCELL_APM: 'tracecontext' }).bundlePlugins.length, 1);
  });

  it("k6's log: write errors and lag warnings of its InfluxDB output, nothing else", () => {
    const log = [
      'time="2026-01-01T00:00:00Z" level=warning msg="Request Failed" error="Get \\"http://x\\": refused"',
      'time="2026-01-01T00:00:01Z" level=error msg="Couldn\'t write stats" error="Post \\"http://127.0.0.1:9/write?db=k6\\": refused" output=InfluxDBv1',
      'time="2026-01-01T00:00:02Z" level=error msg="Couldn\'t write stats" error="timeout" output=InfluxDBv1',
      'time="2026-01-01T00:00:03Z" level=warning msg="The flush operation took higher than the expected set push interval. If you see this message multiple times then the setup or configuration need to be adjusted to achieve a sustainable rate." output=InfluxDBv1 t=1.2s',
    ].join('\n');
    assert.deepEqual(influxLogProblems(log), { writeErrors: 2, lagWarnings: 1 });
    assert.deepEqual(influxLogProblems(''), { writeErrors: 0, lagWarnings: 0 });
  });

  it('InfluxQL quoting and Grafana substitution', () => {
    assert.equal(quote("it's"), "'it\\'s'");
    const q = substitute('SELECT sum("value") * 1000 / $__interval_ms FROM "x" WHERE "service" =~ /^$service$/ AND "run_id" =~ /^$run_id$/ AND $timeFilter GROUP BY time($__interval) $keep', {
      fromMs: 1000, toMs: 2000, intervalMs: 5000, variables: { service: 'a.b', run_id: '.*' },
    });
    assert.equal(q, 'SELECT sum("value") * 1000 / 5000 FROM "x" WHERE "service" =~ /^a\\.b$/ AND "run_id" =~ /^.*$/ AND time >= 1000ms and time <= 2000ms GROUP BY time(5s) $keep');
  });

  it('perfcell run flags: --influx/--no-influx, --monitor-interval/--no-monitor (commander sets negatable ones to true when absent)', () => {
    assert.deepEqual(runHookOptionsFrom({ influx: true, monitor: true }), {});
    assert.deepEqual(runHookOptionsFrom({ influx: false, monitor: false }), { influx: null, monitorIntervalMs: false });
    assert.deepEqual(runHookOptionsFrom({ influx: 'http://127.0.0.1:8086/k6', monitor: true, monitorInterval: '2s' }), {
      influx: { url: 'http://127.0.0.1:8086', database: 'k6' }, monitorIntervalMs: 2000,
    });
    assert.throws(() => runHookOptionsFrom({ monitor: true, monitorInterval: 'fast' }), /--monitor-interval/);
  });
});
