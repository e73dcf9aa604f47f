import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Counter, Histogram, Registry, Gauge } from 'prom-client';
import { parsePrometheusText, PromParseError } from '../../src/monitor/prometheus-text.js';

describe('Prometheus text format parser', () => {
  it('reads names, labels with escapes, special values and timestamps', () => {
    const text = [
      '# HELP http_requests_total The total number of HTTP requests.',
      '# TYPE http_requests_total counter',
      'http_requests_total{method="post",code="200"} 1027 1395066363000',
      'http_requests_total{method="post",code="400"}    3 1395066363000',
      '',
      'msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9',
      'metric_without_timestamp_and_labels 12.47',
      'something_weird{problem="division by zero"} +Inf -3982045',
      'trailing_comma{gc="Copy",} 104.0',
      'empty_labels{} -0.5',
      'prom_client_nan Nan',
      'lower_inf -inf',
    ].join('\n');
    const s = parsePrometheusText(text);
    assert.equal(s.length, 9);
    assert.ok(Number.isNaN(s[7]?.value));
    assert.equal(s[8]?.value, -Infinity);
    assert.deepEqual(s[0], { name: 'http_requests_total', labels: { method: 'post', code: '200' }, value: 1027, timestampMs: 1395066363000 });
    assert.equal(s[1]?.value, 3);
    assert.deepEqual(s[2]?.labels, { path: 'C:\\DIR\\FILE.TXT', error: 'Cannot find file:\n"FILE.TXT"' });
    assert.equal(s[2]?.value, 1.458255915e9);
    assert.deepEqual(s[3], { name: 'metric_without_timestamp_and_labels', labels: {}, value: 12.47 });
    assert.equal(s[4]?.value, Infinity);
    assert.equal(s[4]?.timestampMs, -3982045);
    assert.deepEqual(s[5]?.labels, { gc: 'Copy' });
    assert.equal(s[6]?.value, -0.5);
  });

  it("reads prom-client's own output, histogram buckets included", async () => {
    const registry = new Registry();
    const c = new Counter({ name: 'jobs_total', help: 'jobs', labelNames: ['queue'], registers: [registry] });
    const g = new Gauge({ name: 'queue_depth', help: 'depth', registers: [registry] });
    const h = new Histogram({ name: 'job_seconds', help: 'job time', buckets: [0.1, 1], registers: [registry] });
    c.inc({ queue: 'a "quoted" one' }, 3);
    g.set(7);
    h.observe(0.05);
    h.observe(5);
    const s = parsePrometheusText(await registry.metrics());
    const find = (name: string, labels: Record<string, string> = {}) => s.find((x) => x.name === name && JSON.stringify(x.labels) === JSON.stringify(labels))?.value;
    assert.equal(find('jobs_total', { queue: 'a "quoted" one' }), 3);
    assert.equal(find('queue_depth'), 7);
    assert.equal(find('job_seconds_bucket', { le: '0.1' }), 1);
    assert.equal(find('job_seconds_bucket', { le: '+Inf' }), 2);
    assert.equal(find('job_seconds_count'), 2);
    assert.equal(find('job_seconds_sum'), 5.05);
  });

  it('names the first bad line of a payload that is not the text format', () => {
    const cases: [string, number, RegExp][] = [
      ['<html><body>Not found</body></html>', 1, /metric name expected/],
      ['ok 1\nbroken{a="x" 2', 2, /"," or "}" expected/],
      ['ok 1\n\nnovalue', 3, /value \[timestamp\]/],
      ['x{a="unterminated} 1', 1, /unterminated/],
      ['x 1 2 3', 1, /value \[timestamp\]/],
      ['x abc', 1, /number expected/],
      ['x 1 1.5', 1, /integer timestamp/],
    ];
    for (const [text, line, message] of cases) {
      assert.throws(() => parsePrometheusText(text), (e: unknown) => e instanceof PromParseError && e.line === line && message.test(e.message), text);
    }
  });
});
