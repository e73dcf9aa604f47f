import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventPoint, monitorPoint, parseExtraTags, runEvents, runTags, samplePointBuilder, sampleTimestampNs } from '../../src/metrics/points.js';
import type { RawSample } from '../../src/store/raw-samples.js';
import type { RunMeta } from '../../src/store/folder.js';

const meta = {
  schemaVersion: 1, runId: 'R1', perfcellVersion: '0', service: 'grc', profile: 'stress', phase: 'stubbed', iteration: 2, campaign: 'c1',
  model: { file: 'm.yaml', hash: 'h' }, scenariosCommit: null, scenariosDirty: false, environment: { name: 'local', targets: {} }, targetsVersions: {},
  k6: { path: 'k6', version: 'v2', args: [] },
  timeline: [
    { fromMultiplier: 1, toMultiplier: 1, durationMs: 10_000 },
    { fromMultiplier: 1, toMultiplier: 2, durationMs: 1_000 },
    { fromMultiplier: 2, toMultiplier: 2, durationMs: 9_000 },
  ],
  plannedDurationMs: 20_000, transactions: [], headroom: 0.3, startedAt: '2026-01-01T00:00:00.000Z', endedAt: '2026-01-01T00:00:21.500Z',
  k6ExitCode: 0, exitCode: 0, interrupted: false, status: 'passed', flags: [],
} satisfies RunMeta;

function sample(over: Partial<RawSample>): RawSample {
  return {
    metric: 'http_reqs', timeMs: 1_700_000_000_123, value: 1, check: '', error: '', errorCode: '', expectedResponse: 'true', group: '', method: 'GET',
    name: 'get-person', transaction: 'read-person', status: '200', url: '', extraTags: 'run_id=R1&transaction=read-person&vu=3&url=http%3A%2F%2Fx%2F1', ...over,
  };
}

describe('InfluxDB points from a run', () => {
  it('run tags are those compile.ts gives k6', () => {
    assert.deepEqual(runTags(meta), { service: 'grc', profile: 'stress', phase: 'stubbed', run_id: 'R1', iteration: '2', campaign: 'c1' });
  });

  it('timestamps: the millisecond, then the sample position in the file as nanoseconds', () => {
    assert.equal(sampleTimestampNs(1_700_000_000_123, 0), '1700000000123000000');
    assert.equal(sampleTimestampNs(1_700_000_000_123, 42), '1700000000123000042');
    assert.equal(sampleTimestampNs(1_700_000_000_123, 1_000_042), '1700000000123000042');
  });

  it('a sample mirrors k6: system columns and extra tags as tags, vu/iter/url never, empty tags left out', () => {
    const build = samplePointBuilder(runTags(meta));
    const p = build(sample({}), 7);
    assert.equal(p.measurement, 'http_reqs');
    assert.deepEqual(p.fields, { value: 1 });
    assert.deepEqual(p.tags, {
      service: 'grc', profile: 'stress', phase: 'stubbed', run_id: 'R1', iteration: '2', campaign: 'c1', transaction: 'read-person',
      status: '200', method: 'GET', name: 'get-person', expected_response: 'true', scenario: 'read-person',
    });
    assert.equal(p.timestamp, '1700000000123000007');
    const dropped = build(sample({ metric: 'dropped_iterations', method: '', name: '', status: '', expectedResponse: '', extraTags: 'run_id=R1' }), 8);
    assert.equal(dropped.tags.transaction, undefined, 'k6 does not tag dropped iterations with the scenario tags');
    assert.equal(dropped.tags.scenario, 'read-person');
  });

  it('two samples of one series in the same millisecond stay two points; the same file gives the same points', () => {
    const build = samplePointBuilder(runTags(meta));
    const a = build(sample({ value: 1 }), 0);
    const b = build(sample({ value: 1 }), 1);
    assert.deepEqual(a.tags, b.tags);
    assert.notEqual(a.timestamp, b.timestamp);
    assert.deepEqual(samplePointBuilder(runTags(meta))(sample({}), 0), a);
  });

  it('extra tags decode URL escapes and drop the field-only tags', () => {
    assert.deepEqual(parseExtraTags('a=1&b=x%20y&vu=2&iter=3&url=u&empty='), { a: '1', b: 'x y' });
    assert.deepEqual(parseExtraTags(''), {});
  });

  it('monitor samples: source, metric and labels as tags; a label cannot override a run tag', () => {
    const p = monitorPoint({ t: 1_700_000_000_000, source: 'target:grc', metric: 'http_server_requests', labels: { route: '/p', service: 'evil', code: '' }, value: 5 }, 3, runTags(meta));
    assert.equal(p.measurement, 'monitor');
    assert.equal(p.tags.service, 'grc');
    assert.equal(p.tags.label_service, 'evil');
    assert.equal(p.tags.route, '/p');
    assert.equal(p.tags.code, undefined);
    assert.equal(p.timestamp, '1700000000000000003');
  });

  it('events: start, each ramp, end with the status', () => {
    const events = runEvents(meta);
    assert.deepEqual(events.map((e) => [e.kind, e.timeMs - Date.parse(meta.startedAt)]), [['run-start', 0], ['step', 10_000], ['run-end', 21_500]]);
    assert.match(events[2]?.title ?? '', /end: passed/);
    const p = eventPoint(events[0] as (typeof events)[number], runTags(meta));
    assert.equal(p.tags.event, 'run-start');
    assert.equal(p.fields.title, 'stubbed run R1 start');
    assert.deepEqual(runEvents({ ...meta, endedAt: null }).map((e) => e.kind), ['run-start', 'step']);
  });
});
