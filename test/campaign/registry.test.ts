import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig, resolveEnvironment } from '../../src/environments/registry.js';
import { parseModel } from '../../src/model/load.js';

const CONFIG = `
environments:
  local:
    loadTesting: allowed
    targets: { grc: "http://127.0.0.1:8080", legal: "http://127.0.0.1:8082" }
  recette:
    loadTesting: forbidden
    targets: { grc: "https://grc.recette.lae.example" }
  perf:
    loadTesting: allowed
    targets: { grc: "https://grc.perf.lae.example" }
  perf-open:
    loadTesting: allowed
    allowNonLoopback: true
    targets: { grc: "https://grc.perf.lae.example" }
campaigns: { anything: 1 }
`;
const model = (envs = '') => parseModel(`service: s\n${envs}transactions: [{ name: t, scenario: "a.ts#f", peakPerHour: 3600 }]\nprofiles: { p: { duration: 1m } }\n`, 'm.yaml');
const config = parseConfig(CONFIG, 'perfcell.config.yaml');

test('a model without environments uses the registry; local is the default choice', () => {
  const r = resolveEnvironment(config, model(), 'm.yaml');
  assert.equal(r.name, 'local');
  assert.equal(r.declaredIn, 'perfcell.config.yaml');
  assert.deepEqual(r.env.targets, { grc: 'http://127.0.0.1:8080', legal: 'http://127.0.0.1:8082' });
});

test("a model's environment of the same name overrides its fields and adds or replaces targets", () => {
  const r = resolveEnvironment(config, model('environments:\n  local: { loadTesting: allowed, targets: { grc: "http://127.0.0.1:9090", front: "http://127.0.0.1:8085" } }\n'), 'm.yaml');
  assert.equal(r.declaredIn, 'm.yaml');
  assert.deepEqual(r.env.targets, { grc: 'http://127.0.0.1:9090', legal: 'http://127.0.0.1:8082', front: 'http://127.0.0.1:8085' });
});

test('the production guard: an environment not marked for load, or a non-loopback host, is refused', () => {
  assert.throws(() => resolveEnvironment(config, model(), 'm.yaml', 'recette'), /perfcell\.config\.yaml: environments\.recette\.loadTesting: "allowed" before perfcell sends load there \(it is "forbidden"\)/);
  assert.throws(() => resolveEnvironment(config, model(), 'm.yaml', 'perf'), /environments\.perf\.targets\.grc: a loopback address .*grc\.perf\.lae\.example needs allowNonLoopback: true/);
  assert.equal(resolveEnvironment(config, model(), 'm.yaml', 'perf-open').name, 'perf-open');
  assert.throws(() => resolveEnvironment(config, model(), 'm.yaml', 'nope'), /m\.yaml: environments\.nope: an environment of this model \(it has: local, recette, perf, perf-open\)/);
});

test('a config file with a bad environment is refused naming the field', () => {
  assert.throws(() => parseConfig('environments:\n  local: { loadTesting: yes, targets: {} }\n', 'perfcell.config.yaml'), /perfcell\.config\.yaml: environments\.local\.loadTesting/);
  assert.throws(() => parseConfig('environments: [', 'perfcell.config.yaml'), /perfcell\.config\.yaml: not valid YAML/);
});
