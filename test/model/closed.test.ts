// Closed-model (VU) profiles: the split over transactions (pure), what they compile to, and what refuses them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apportion, closedPlan } from '../../src/model/closed.js';
import { compile } from '../../src/model/compile.js';
import { parseModel } from '../../src/model/load.js';
import { selectEnvironment } from '../../src/model/environment.js';
import { checkDuetProfile } from '../../src/run/duet.js';
import { summaryRows } from '../../src/run/k6-summary.js';

// The CRM's mix at the generated peak hour (src/derive/generate-logs.ts GRC_MIX) and production-like p95s.
const MIX = [
  { weight: 1345, expectedMs: 42 },
  { weight: 1138, expectedMs: 70 },
  { weight: 414, expectedMs: 16 },
  { weight: 889, expectedMs: 110 },
  { weight: 134, expectedMs: 62 },
  { weight: 62, expectedMs: 64 },
];

test('apportion: whole counts that sum to n, largest remainders first', () => {
  assert.deepEqual(apportion(10, [1, 1, 1]), [4, 3, 3]);
  assert.deepEqual(apportion(7, [5, 0, 2]), [5, 0, 2]);
  assert.equal(apportion(23, MIX.map((m) => m.weight)).reduce((s, x) => s + x, 0), 23);
});

test('closed plan: N users at a mean pause Z give X = N / (Z + R̄), split so that the mix holds', () => {
  const vus = 25;
  const z = 19_900;
  const plan = closedPlan(vus, z, MIX);
  const total = MIX.reduce((s, m) => s + m.weight, 0);
  const meanMs = MIX.reduce((s, m) => s + (m.weight / total) * m.expectedMs, 0);
  const x = vus / ((z + meanMs) / 1000);
  assert.equal(plan.transactions.reduce((s, t) => s + t.vus, 0), vus);
  // Pauses are whole milliseconds: the rates are exact to about 1 ms in 20 s.
  assert.ok(Math.abs(plan.expectedPerSec - x) / x < 1e-4, `${plan.expectedPerSec} vs ${x}`);
  plan.transactions.forEach((t, i) => {
    const m = MIX[i]!;
    assert.ok(t.vus >= 1, `transaction ${i} keeps a user`);
    assert.ok(Math.abs(t.expectedPerSec / plan.expectedPerSec - m.weight / total) < 1e-4, `share of ${i}: ${t.expectedPerSec / plan.expectedPerSec} vs ${m.weight / total}`);
    // Little's law per transaction: its users = its rate × (response + pause).
    assert.ok(Math.abs(t.vus - t.expectedPerSec * ((m.expectedMs + t.thinkTimeMs) / 1000)) < 1e-9);
  });
  // The whole-user rounding is absorbed by the pauses, whose request-weighted mean is Z.
  const meanPause = plan.transactions.reduce((s, t) => s + t.expectedPerSec * t.thinkTimeMs, 0) / plan.expectedPerSec;
  assert.ok(Math.abs(meanPause - z) < 1, `mean pause ${meanPause}`);
  // The smallest transaction (62 of 3 982) gets one user and a pause long enough to keep its 1.6 %.
  assert.equal(plan.transactions[5]!.vus, 1);
  assert.ok(plan.transactions[5]!.thinkTimeMs > 2 * z, String(plan.transactions[5]!.thinkTimeMs));
});

test('closed plan: too few users for the transactions is refused; maxVUs bounds a transaction\'s users', () => {
  assert.throws(() => closedPlan(5, 1000, MIX), /at least one VU per transaction \(6\), got 5/);
  const p = closedPlan(40, 0, [{ weight: 1, expectedMs: 100 }, { weight: 1, expectedMs: 100, maxVUs: 5 }]);
  assert.deepEqual(p.transactions.map((t) => t.vus), [20, 5]);
  // Without a pause to shorten, 5 users at 100 ms do 50/s, not the 200/s of the share: said, not hidden.
  assert.equal(p.transactions[1]!.thinkTimeMs, 0);
  assert.equal(p.transactions[1]!.expectedPerSec, 50);
});

const MODEL = `
service: grc-person
environments:
  local: { loadTesting: allowed, targets: { grc: "http://127.0.0.1:8080" } }
transactions:
  - name: search-person
    scenario: scenarios/grc/person.ts#searchPerson
    peakPerHour: 3600
    expectedResponseMs: 50
    thinkTimeMs: 300
    slo: { p95Ms: 200 }
  - name: read-person
    scenario: scenarios/grc/person.ts#readPerson
    peakPerHour: 1800
    slo: { p95Ms: 100 }
profiles:
  users:       { vus: 12, thinkTimeMs: 1000, duration: 30s }
  users-ramp:  { vus: 12, thinkTimeMs: 1000, duration: 30s, rampUp: 10s }
  open:        { multiplier: 1, duration: 10s }
`;
const model = parseModel(MODEL, 'm.yaml');
const run = (profile: string) => compile({ model, file: 'm.yaml', profile, environment: selectEnvironment(model, 'm.yaml'), phase: 'stubbed', runId: 'r', iteration: 1 });

test('a closed profile compiles to constant-vus (ramping-vus with a ramp), without arrival-rate fields', () => {
  const c = run('users');
  const sc = c.options.scenarios['search-person']!;
  assert.equal(sc.executor, 'constant-vus');
  assert.equal(sc.duration, '30s');
  for (const k of ['rate', 'timeUnit', 'preAllocatedVUs', 'maxVUs', 'startRate']) assert.ok(!(k in sc), `${k} in a constant-vus scenario`);
  // R̄ = (2 × 50 + 1 × 100) / 3 = 66.7 ms; X = 12 / 1.0667 s = 11.25/s, two thirds of it searches.
  const x = 12 / ((1000 + 200 / 3) / 1000);
  assert.equal(c.transactions.reduce((s, t) => s + t.maxVUs, 0), 12);
  assert.ok(Math.abs(c.transactions[0]!.peakRatePerSec - (2 / 3) * x) < 0.01);
  assert.ok(Math.abs(c.transactions[1]!.peakRatePerSec - (1 / 3) * x) < 0.01);
  // The profile's pause replaces the transaction's own thinkTimeMs (300 ms): it sets the closed model's rate.
  assert.ok(c.transactions[0]!.thinkTimeMs > 900, String(c.transactions[0]!.thinkTimeMs));
  assert.deepEqual(c.closedModel, { vus: 12, thinkTimeMs: 1000 });
  // The timeline (charts) is the expected rate over the model's peak (1.5/s).
  assert.ok(Math.abs(c.timeline[0]!.fromMultiplier - x / 1.5) < 0.01);
  assert.equal(c.durationMs, 30_000);
  assert.equal(run('open').closedModel, undefined);

  const r = run('users-ramp');
  const rs = r.options.scenarios['read-person']!;
  assert.equal(rs.executor, 'ramping-vus');
  assert.equal(rs.startVUs, 0);
  assert.deepEqual(rs.stages, [{ target: r.transactions[1]!.maxVUs, duration: '10s' }, { target: r.transactions[1]!.maxVUs, duration: '30s' }]);
  assert.equal(r.durationMs, 40_000);
});

test('closed profiles: bad input names the file and the field; a duet refuses them', () => {
  const errorOf = (text: string, profile = 'users') => {
    try {
      const m = parseModel(text, 'm.yaml');
      compile({ model: m, file: 'm.yaml', profile, environment: selectEnvironment(m, 'm.yaml'), phase: 'stubbed', runId: 'r', iteration: 1 });
    } catch (e) {
      return (e as Error).message;
    }
    return 'no error';
  };
  assert.equal(errorOf(MODEL.replace('{ vus: 12, thinkTimeMs: 1000, duration: 30s }', '{ vus: 1, thinkTimeMs: 1000, duration: 30s }')), 'm.yaml: profiles.users.vus: at least one VU per transaction (2), got 1');
  assert.match(errorOf(MODEL.replace('{ vus: 12, thinkTimeMs: 1000, duration: 30s }', '{ vus: 12, thinktime: 1000, duration: 30s }')), /^m\.yaml: profiles\.users\.thinkTimeMs: expected number, got nothing/);
  assert.match(errorOf(MODEL.replace('{ vus: 12, thinkTimeMs: 1000, duration: 30s }', '{ vus: 2.5, thinkTimeMs: 1000, duration: 30s }')), /^m\.yaml: profiles\.users\.vus: expected int, got 2\.5$/);
  assert.throws(() => checkDuetProfile(run('users'), { file: 'm.yaml', profile: 'users' }), /m\.yaml: profiles\.users: .*a constant profile/);
});

test('the run summary shows no offered rate for a closed-model run', () => {
  const c = run('users');
  const transactions = c.transactions.map((t) => ({ name: t.name, scenario: t.scenario, peakPerSec: t.peakPerSec, peakRatePerSec: t.peakRatePerSec, stepRatesPerSec: t.stepRatesPerSec, preAllocatedVUs: t.preAllocatedVUs, maxVUs: t.maxVUs, slo: t.slo, targets: t.targets }));
  const summary = { metrics: { 'http_reqs{transaction:search-person}': { count: 100 } } };
  assert.equal(summaryRows({ transactions, closedModel: c.closedModel }, summary, 10)[0]!.targetRatePerSec, undefined);
  assert.equal(summaryRows({ transactions }, summary, 10)[0]!.targetRatePerSec, c.transactions[0]!.peakRatePerSec);
});
