/** The pure core of distributed runs (src/injectors): specs, segments, skew, outcome, summaries — on fixtures. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseInjectors, isSingleLocal } from '../../src/injectors/spec.js';
import { equalSegments, segmentSequence, segmentsProblem, parseFraction, formatSegment, fraction } from '../../src/injectors/segments.js';
import { startSkew, agreedStart } from '../../src/injectors/skew.js';
import { distributedOutcome } from '../../src/injectors/record.js';
import { mergeSummaries } from '../../src/injectors/summary.js';
import { PerfcellError } from '../../src/errors.js';

const refused = (spec: string, re: RegExp) =>
  assert.throws(() => parseInjectors(spec, '--injectors'), (e: unknown) => e instanceof PerfcellError && e.kind === 'input' && re.test(e.message) && !e.message.includes('\n'), spec);

test('local:N splits into N equal segments of one sequence', () => {
  const three = parseInjectors('local:3', '--injectors');
  assert.deepEqual(three.map((i) => [i.name, i.segment, i.sequence]), [
    ['local-1', '0:1/3', '0,1/3,2/3,1'],
    ['local-2', '1/3:2/3', '0,1/3,2/3,1'],
    ['local-3', '2/3:1', '0,1/3,2/3,1'],
  ]);
  assert.equal(isSingleLocal(parseInjectors('local:1', 'x')), true);
  assert.equal(isSingleLocal(three), false);
  // Exact fractions: 4 segments reduce to halves and quarters, as k6 writes them.
  assert.equal(segmentSequence(equalSegments(4)), '0,1/4,1/2,3/4,1');
  assert.deepEqual(equalSegments(4).map(formatSegment), ['0:1/4', '1/4:1/2', '1/2:3/4', '3/4:1']);
});

test('SSH hosts: user@host[:port], names unique, explicit segments must tile 0..1', () => {
  const hosts = parseInjectors('perf@10.200.1.2,perf@10.200.1.3:2222,ssh://perf@inj-a.example', 'cfg');
  assert.deepEqual(hosts.map((h) => h.name), ['10.200.1.2', '10.200.1.3-2222', 'inj-a.example']);
  assert.deepEqual(hosts[1]?.where, { kind: 'ssh', user: 'perf', host: '10.200.1.3', port: 2222 });
  assert.deepEqual(parseInjectors('a@h,b@h', 'x').map((h) => h.name), ['h-1', 'h-2']);
  const weighted = parseInjectors('local=0:0.25,perf@10.0.0.2=1/4:1', 'x');
  assert.deepEqual(weighted.map((w) => [w.name, w.segment, w.sequence]), [['local-1', '0:1/4', '0,1/4,1'], ['10.0.0.2', '1/4:1', '0,1/4,1']]);
});

test('bad specs: one clear line each (N < 1, overlap, gap, host syntax, port, mixed segments)', () => {
  refused('local:0', /--injectors: local:0: local:N with N ≥ 1/);
  refused('local:-2', /N ≥ 1/);
  refused('local:two', /N ≥ 1/);
  refused('local:1000', /N ≤ 64/);
  refused('', /at least one injector/);
  refused('local:2,,local', /an entry is empty/);
  refused('local=0:1/2,local=1/3:1', /overlaps the one ending at 1\/2/);
  refused('local=0:1/3,local=1/2:1', /a gap from 1\/3 to 1\/2/);
  refused('local=0:1/2', /a gap from 1\/2 to 1/);
  refused('local=1/2:1/2,local=0:1', /is empty/);
  refused('local=0:3/2', /fractions in 0\.\.1/);
  refused('local=0:1/2,local', /a segment on every injector or on none/);
  refused('perf@', /user@host\[:port\]/);
  refused('10.0.0.2', /user@host\[:port\]/);
  refused('perf@10.0.0.999', /a host name or IP address/);
  refused('perf@bad_host', /a host name or IP address/);
  refused('perf@10.0.0.2:70000', /a port in 1\.\.65535/);
  refused('p erf@h', /user@host/);
});

test('segments: fractions parse exactly; problems are named', () => {
  assert.deepEqual(parseFraction('2/6'), fraction(1, 3));
  assert.deepEqual(parseFraction('0.5'), fraction(1, 2));
  assert.equal(parseFraction('1/0'), undefined);
  assert.equal(parseFraction('1.5'), undefined);
  assert.equal(segmentsProblem(equalSegments(7)), undefined);
});

test('start skew: on test starts when all have one, else on process starts; limit 1 s', () => {
  const s = startSkew([
    { name: 'a', processStartMs: 1000, testStartMs: 1500 },
    { name: 'b', processStartMs: 1003, testStartMs: 1507 },
  ]);
  assert.deepEqual(s, { offsetsMs: { a: 0, b: 7 }, skewMs: 7, basis: 'vus-tick', withinLimit: true });
  const p = startSkew([{ name: 'a', processStartMs: 1000, testStartMs: 9000 }, { name: 'b', processStartMs: 2200 }]);
  assert.deepEqual(p, { offsetsMs: { a: 0, b: 1200 }, skewMs: 1200, basis: 'process-start', withinLimit: false });
  assert.equal(agreedStart(1_000_050, 300), 1_000_400);
});

test('outcome: a lost injector names its segment, the run is incomplete, the others count', () => {
  const planned = parseInjectors('local:3', 'x');
  const o = (name: string, exitCode: number, t: number) => ({ name, exitCode, processStartMs: 100, testStartMs: t, k6Version: 'v2.2.0' });
  const lost = distributedOutcome(planned, [o('local-1', 0, 500), o('local-2', 128, 520), o('local-3', 99, 510)], 100, false);
  assert.deepEqual(lost.flags, ['incomplete', 'injector-lost:local-2:1/3:2/3']);
  assert.equal(lost.k6ExitCode, 99);
  assert.deepEqual(lost.injectors.list.map((i) => [i.name, i.lost, i.startOffsetMs, i.host, i.k6ExitCode]), [
    ['local-1', false, 0, 'local', 0], ['local-2', true, 20, 'local', 128], ['local-3', false, 10, 'local', 99],
  ]);
  assert.equal(lost.injectors.skewMs, 20);
  assert.equal(lost.injectors.startAt, new Date(100).toISOString());
  const stopped = distributedOutcome(planned, planned.map((p) => o(p.name, 105, 500)), 0, true);
  assert.deepEqual(stopped.flags, []);
  assert.equal(stopped.k6ExitCode, 105);
  const allLost = distributedOutcome(planned, planned.map((p) => o(p.name, 107, 500)), 0, false);
  assert.equal(allLost.k6ExitCode, 107);
  const skewed = distributedOutcome(planned.slice(0, 2), [o('local-1', 0, 0), o('local-2', 0, 1500)], 0, false);
  assert.deepEqual(skewed.flags, ['start-skew:1500ms>1000ms']);
});

test('summaries merge counts and rates, never percentiles', () => {
  const m = mergeSummaries([
    { metrics: { 'http_reqs{transaction:t}': { count: 10, rate: 2 }, http_req_failed: { passes: 1, fails: 9, value: 0.1 }, http_req_duration: { 'p(95)': 30, avg: 10 }, vus: { value: 3, min: 0, max: 3 } } },
    { metrics: { 'http_reqs{transaction:t}': { count: 30, rate: 6 }, http_req_failed: { passes: 3, fails: 27, value: 0.1 }, http_req_duration: { 'p(95)': 50, avg: 20 }, vus: { value: 2, min: 0, max: 2 } } },
  ]);
  assert.equal(m.metrics['http_reqs{transaction:t}']?.count, 40);
  assert.equal(m.metrics['http_reqs{transaction:t}']?.rate, undefined);
  assert.equal(m.metrics.http_req_failed?.value, 0.1);
  assert.equal(m.metrics.http_req_failed?.passes, 4);
  assert.deepEqual(m.metrics.http_req_duration, {});
});
