import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseModel } from '../../src/model/load.js';
import { chooseTimeUnit, compile, profileTimeline } from '../../src/model/compile.js';
import { parseDurationMs, formatDuration } from '../../src/model/duration.js';
import { selectEnvironment } from '../../src/model/environment.js';

const MODEL = `
service: grc-person
headroom: 0.30
environments:
  local:
    loadTesting: allowed
    targets: { grc: "http://127.0.0.1:8080", customer-service: "http://127.0.0.1:8081/" }
transactions:
  - name: search-person
    scenario: scenarios/grc/person.ts#searchPerson
    peakPerHour: 36000
    slo: { p95Ms: 300, p99Ms: 800, maxErrorRate: 0.005 }
  - name: read-person-360
    scenario: scenarios/grc/person.ts#readPerson360
    peakPerHour: 54000
    slo: { p95Ms: 400 }
    thinkTimeMs: 1000
profiles:
  smoke:     { multiplier: 0.1, duration: 1m }
  nominal:   { multiplier: 1.0, duration: 10m }
  peak:      { duration: 15m }
  stress:    { steps: [0.5, 1, 1.5, 2, 3], stepDuration: 2m }
  spike:     { base: 1.0, spike: 3.0, duration: 10m }
`;
const model = parseModel(MODEL, 'm.yaml');
const environment = selectEnvironment(model, 'm.yaml');
const run = (profile: string) => compile({ model, file: 'm.yaml', profile, environment, phase: 'stubbed', runId: 'r1', iteration: 3 });

test('durations parse and format both ways', () => {
  assert.equal(parseDurationMs('1h30m'), 5_400_000);
  assert.equal(parseDurationMs('500ms'), 500);
  assert.equal(parseDurationMs('90'), undefined);
  assert.equal(formatDuration(5_400_000), '1h30m');
  assert.equal(formatDuration(20_000), '20s');
});

test('a constant profile compiles to constant-arrival-rate at peakPerHour/3600 × multiplier', () => {
  const c = run('nominal');
  const sc = c.options.scenarios['search-person'];
  assert.equal(sc?.executor, 'constant-arrival-rate');
  assert.equal(sc?.timeUnit, '1s');
  assert.equal(sc?.rate, 10);
  assert.equal(sc?.duration, '10m');
  assert.equal(c.options.scenarios['read-person-360']?.rate, 15);
  assert.equal(c.durationMs, 600_000);
});

test('the peak profile applies the model headroom (1 + 0.30)', () => {
  const c = run('peak');
  assert.equal(c.transactions[0]?.peakRatePerSec, 13);
  assert.equal(c.options.scenarios['search-person']?.rate, 13);
  // 54000 × 1.3 / 3600 = 19.5/s: not whole per second, whole per minute.
  assert.equal(c.options.scenarios['read-person-360']?.timeUnit, '1m');
  assert.equal(c.options.scenarios['read-person-360']?.rate, 1170);
});

test("VUs follow Little's law: rate × (expected response + think time) × safety factor", () => {
  const c = run('nominal');
  // search: 10/s × 0.3 s (p95 SLO) × 2 = 6; read-360: 15/s × (0.4 + 1.0) s × 2 = 42.
  assert.equal(c.transactions[0]?.preAllocatedVUs, 6);
  assert.equal(c.transactions[1]?.preAllocatedVUs, 42);
  assert.equal(c.transactions[0]?.maxVUs, 24);
  assert.equal(c.transactions[1]?.maxVUs, 168);
});

test('a stress profile ramps between steps and holds each step', () => {
  const c = run('stress');
  const sc = c.options.scenarios['search-person'];
  assert.equal(sc?.executor, 'ramping-arrival-rate');
  assert.equal(sc?.startRate, 0);
  assert.deepEqual(sc?.stages?.map((s) => s.target), [5, 5, 10, 10, 15, 15, 20, 20, 30, 30]);
  assert.deepEqual(sc?.stages?.slice(0, 2).map((s) => s.duration), ['10s', '1m50s']);
  assert.equal(c.durationMs, 10 * 60_000);
  assert.deepEqual(c.transactions[0]?.stepRatesPerSec, [5, 10, 15, 20, 30]);
  // VUs are sized for the highest step.
  assert.equal(c.transactions[0]?.preAllocatedVUs, 18);
});

test('a spike profile goes base → spike → base within its duration', () => {
  const tl = profileTimeline(model, 'm.yaml', 'spike', model.profiles.spike!);
  assert.equal(tl.reduce((s, x) => s + x.durationMs, 0), 600_000);
  assert.equal(Math.max(...tl.map((x) => x.toMultiplier)), 3);
  assert.equal(tl.at(-1)?.toMultiplier, 1);
});

test('SLOs become per-transaction thresholds; every sample carries the run tags', () => {
  const c = run('smoke');
  assert.deepEqual(c.options.thresholds['http_req_duration{transaction:search-person}'], ['max>=0', 'p(95)<300', 'p(99)<800']);
  assert.deepEqual(c.options.thresholds['http_req_failed{transaction:search-person}'], ['rate>=0', 'rate<=0.005']);
  assert.deepEqual(c.options.tags, { service: 'grc-person', profile: 'smoke', phase: 'stubbed', run_id: 'r1', iteration: '3' });
  assert.deepEqual(c.options.scenarios['read-person-360']?.tags, { transaction: 'read-person-360' });
  assert.equal(c.options.scenarios['read-person-360']?.exec, 'tx_read_person_360');
});

test('targets become TARGET_<NAME> variables, "-" → "_", without a trailing slash', () => {
  assert.deepEqual(run('smoke').env, { TARGET_GRC: 'http://127.0.0.1:8080', TARGET_CUSTOMER_SERVICE: 'http://127.0.0.1:8081' });
});

test('timeUnit falls back to per-hour counts when neither seconds nor minutes are whole', () => {
  assert.equal(chooseTimeUnit([3600, 7200]).timeUnit, '1s');
  assert.equal(chooseTimeUnit([90]).timeUnit, '1h');
  assert.equal(chooseTimeUnit([90]).perUnit(90), 90);
});

test('a volume too small for the profile is refused with the field named', () => {
  const tiny = parseModel(MODEL.replace('peakPerHour: 36000', 'peakPerHour: 4'), 'm.yaml');
  assert.throws(
    () => compile({ model: tiny, file: 'm.yaml', profile: 'smoke', environment, phase: 'stubbed', runId: 'r', iteration: 1 }),
    /m\.yaml: transactions\[0\]\.peakPerHour: a volume that gives at least one arrival/,
  );
});

test('an explicit maxVUs bounds the pre-allocated VUs too', () => {
  const m = parseModel(MODEL.replace('    thinkTimeMs: 1000', '    thinkTimeMs: 1000\n    maxVUs: 10'), 'm.yaml');
  const c = compile({ model: m, file: 'm.yaml', profile: 'nominal', environment, phase: 'stubbed', runId: 'r', iteration: 1 });
  assert.equal(c.transactions[1]?.preAllocatedVUs, 10);
  assert.equal(c.transactions[1]?.maxVUs, 10);
});

test('run tags can be left off the samples (the run folder says which run they belong to)', () => {
  const c = compile({ model, file: 'm.yaml', profile: 'smoke', environment, phase: 'e2e', runId: 'r9', iteration: 2, runTagsOnSamples: false });
  assert.deepEqual(c.options.tags, {});
  // The transaction tag stays: it is what separates samples within one run.
  assert.deepEqual(c.options.scenarios['search-person']?.tags, { transaction: 'search-person' });
});
