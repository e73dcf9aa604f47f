import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseModel } from '../../src/model/load.js';
import { compile } from '../../src/model/compile.js';
import { guardEnvironment, selectEnvironment } from '../../src/model/environment.js';

const BASE = `service: s
environments:
  local: { loadTesting: allowed, targets: { app: "http://127.0.0.1:8080" } }
transactions:
  - name: t
    scenario: scenarios/a.ts#f
    peakPerHour: 3600
profiles:
  smoke: { multiplier: 1, duration: 10s }
`;

function errorOf(text: string): string {
  try {
    parseModel(text, 'models/x.yaml');
  } catch (e) {
    return (e as Error).message;
  }
  assert.fail('expected a validation error');
}

test('a valid model parses with defaults filled in', () => {
  const m = parseModel(BASE, 'x.yaml');
  assert.equal(m.headroom, 0.3);
  assert.equal(m.transactions[0]?.thinkTimeMs, 0);
  assert.deepEqual(m.vus, { safetyFactor: 2, maxFactor: 4 });
});

test('a misspelled field is named with its path', () => {
  assert.equal(
    errorOf(BASE.replace('peakPerHour: 3600', 'peakPerHour: 3600\n    thinktime: 5')),
    'models/x.yaml: transactions[0]: unknown field "thinktime" (check the spelling; see docs/load-model.md)',
  );
});

test('a negative or zero volume is refused', () => {
  assert.match(errorOf(BASE.replace('3600', '-5')), /^models\/x\.yaml: transactions\[0\]\.peakPerHour: expected a number > 0, got -5$/);
  assert.match(errorOf(BASE.replace('3600', '0')), /transactions\[0\]\.peakPerHour: expected a number > 0, got 0/);
});

test('a scenario that is not file#function is refused', () => {
  assert.match(errorOf(BASE.replace('scenarios/a.ts#f', 'scenarios/a.ts')), /transactions\[0\]\.scenario: expected "path\/to\/file\.ts#exportedFunction"/);
});

test('a bad profile names the closest profile shape', () => {
  assert.match(errorOf(BASE.replace('duration: 10s', 'duration: ten')), /profiles\.smoke\.duration: expected a positive duration/);
  assert.match(errorOf(BASE.replace('{ multiplier: 1, duration: 10s }', '{ steps: [1, 2] }')), /profiles\.smoke\.stepDuration/);
});

test('invalid YAML is reported with its position', () => {
  assert.match(errorOf('service: [unclosed'), /^models\/x\.yaml:\d+:\d+ not valid YAML/);
});

test('duplicate transaction names are refused', () => {
  const dup = BASE.replace('profiles:', '  - name: t\n    scenario: scenarios/a.ts#g\n    peakPerHour: 10\nprofiles:');
  assert.match(errorOf(dup), /transactions\[1\]\.name: expected unique names/);
});

test('an unknown profile or environment lists the ones that exist', () => {
  const m = parseModel(BASE, 'x.yaml');
  assert.throws(() => selectEnvironment(m, 'x.yaml', 'prod'), /x\.yaml: environments\.prod: an environment of this model \(it has: local\)/);
  const environment = selectEnvironment(m, 'x.yaml');
  assert.throws(
    () => compile({ model: m, file: 'x.yaml', profile: 'peek', environment, phase: 'stubbed', runId: 'r', iteration: 1 }),
    /x\.yaml: profiles: a profile named "peek" \(this model has: smoke\)/,
  );
});

test('the guard refuses environments not marked for load and non-loopback hosts', () => {
  const m = parseModel(
    BASE.replace('environments:', `environments:
  prod: { loadTesting: forbidden, targets: { app: "http://127.0.0.1:8080" } }
  remote: { loadTesting: allowed, targets: { app: "http://10.1.2.3:8080" } }
  remote-ok: { loadTesting: allowed, allowNonLoopback: true, targets: { app: "http://10.1.2.3:8080" } }`),
    'x.yaml',
  );
  assert.throws(() => guardEnvironment('x.yaml', 'prod', m.environments.prod!), /environments\.prod\.loadTesting: "allowed" before perfcell sends load there/);
  assert.throws(() => guardEnvironment('x.yaml', 'remote', m.environments.remote!), /environments\.remote\.targets\.app: a loopback address .*10\.1\.2\.3 needs allowNonLoopback: true/);
  assert.doesNotThrow(() => guardEnvironment('x.yaml', 'remote-ok', m.environments['remote-ok']!));
  assert.doesNotThrow(() => guardEnvironment('x.yaml', 'local', m.environments.local!));
});
