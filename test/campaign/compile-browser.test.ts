import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseModel } from '../../src/model/load.js';
import { compile, type Phase } from '../../src/model/compile.js';
import { selectEnvironment } from '../../src/model/environment.js';

const MODEL = `
service: grc
environments:
  local: { loadTesting: allowed, targets: { grc: "http://127.0.0.1:8080", front: "http://127.0.0.1:8085" } }
transactions:
  - name: search-person
    scenario: scenarios/grc/person.ts#searchPerson
    peakPerHour: 36000
  - name: operator-journey
    scenario: scenarios/grc/operator-journey.ts#operatorJourney
    peakPerHour: 360
    browser: true
    expectedResponseMs: 5000
profiles:
  demo: { multiplier: 1, duration: 1m }
`;
const model = parseModel(MODEL, 'm.yaml');
const environment = selectEnvironment(model, 'm.yaml');
const run = (phase: Phase) => compile({ model, file: 'm.yaml', profile: 'demo', environment, phase, runId: 'r', iteration: 1 });

test('a browser transaction runs only in the e2e phase, as a chromium k6 scenario beside the protocol load', () => {
  for (const phase of ['stubbed', 'unstubbed'] as const) {
    const c = run(phase);
    assert.deepEqual(Object.keys(c.options.scenarios), ['search-person'], phase);
    assert.equal(c.env.K6_BROWSER_HEADLESS, undefined, 'no browser settings without a browser scenario');
  }
  const e2e = run('e2e');
  assert.deepEqual(Object.keys(e2e.options.scenarios), ['search-person', 'operator-journey']);
  assert.deepEqual(e2e.options.scenarios['operator-journey']?.options, { browser: { type: 'chromium' } });
  assert.equal(e2e.options.scenarios['search-person']?.options, undefined, 'protocol scenarios are unchanged');
  assert.equal(e2e.options.scenarios['operator-journey']?.rate, 6, '360/h → 6 per minute');
  assert.equal(e2e.options.scenarios['operator-journey']?.timeUnit, '1m');
  assert.equal(e2e.env.K6_BROWSER_HEADLESS, 'true');
  assert.match(e2e.env.K6_BROWSER_ARGS ?? '', /no-sandbox/);
  assert.ok(e2e.options.thresholds['browser_web_vital_lcp{transaction:operator-journey}'], 'the summary carries the journey LCP');
  assert.equal(e2e.options.thresholds['http_reqs{transaction:operator-journey}'], undefined);
});

test('a model without browser transactions compiles exactly as before (no options key on scenarios)', () => {
  const plain = parseModel(MODEL.replace(/ {2}- name: operator-journey[\s\S]*expectedResponseMs: 5000\n/, ''), 'm.yaml');
  const c = compile({ model: plain, file: 'm.yaml', profile: 'demo', environment: selectEnvironment(plain, 'm.yaml'), phase: 'e2e', runId: 'r', iteration: 1 });
  assert.equal(JSON.stringify(c.options).includes('"options"'), false);
  assert.deepEqual(Object.keys(c.options.scenarios), ['search-person']);
});

test('a model whose only transaction is a browser one is refused outside e2e', () => {
  const only = parseModel(MODEL.replace(/ {2}- name: search-person\n.*\n.*\n/, ''), 'm.yaml');
  assert.throws(
    () => compile({ model: only, file: 'm.yaml', profile: 'demo', environment: selectEnvironment(only, 'm.yaml'), phase: 'stubbed', runId: 'r', iteration: 1 }),
    /m\.yaml: transactions: at least one transaction that runs in phase "stubbed"/,
  );
});
