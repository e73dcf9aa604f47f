import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCampaign, parsePhases, planPhases } from '../../src/campaign/definition.js';
import { chooseIteration, campaignStatus, nextIteration, type PhaseRecord } from '../../src/campaign/record.js';
import { dependencyEnv } from '../../src/campaign/targets.js';
import { servicesToStart } from '../../src/campaign/reference-target.js';
import { locateChromium } from '../../src/campaign/browser.js';

const DEF = { dependencies: ['customer-service', 'legal', 'ticketing'], alwaysStubbed: ['ticketing'], phases: { stubbed: { profile: 'demo' } } };

test('phases by default: stubbed stubs every dependency, the others only the always-stubbed ones', () => {
  const def = parseCampaign(DEF, 'c.yaml', 'campaign');
  assert.equal(def.target.kind, 'reference');
  const plans = planPhases(def, ['stubbed', 'unstubbed', 'e2e'], { profile: 'smoke', file: 'c.yaml' });
  assert.deepEqual(plans.map((p) => [p.phase, p.stubbed, p.real, p.profile]), [
    ['stubbed', ['customer-service', 'legal', 'ticketing'], [], 'smoke'],
    ['unstubbed', ['ticketing'], ['customer-service', 'legal'], 'smoke'],
    ['e2e', ['ticketing'], ['customer-service', 'legal'], 'smoke'],
  ]);
});

test('a phase may stub some dependencies; the always-stubbed ones are added; its profile is used without --profile', () => {
  const def = parseCampaign({ ...DEF, phases: { unstubbed: { stubbed: ['legal'], profile: 'nominal', environment: 'perf' } } }, 'c.yaml', 'campaign');
  const [p] = planPhases(def, ['unstubbed'], { file: 'c.yaml' });
  assert.deepEqual(p, { phase: 'unstubbed', stubbed: ['legal', 'ticketing'], real: ['customer-service'], profile: 'nominal', environment: 'perf' });
  assert.throws(() => planPhases(def, ['e2e'], { file: 'c.yaml' }), /c\.yaml: phases\.e2e\.profile: a profile for this phase, or --profile/);
});

test('a reference target used as found (seeded: false) needs the database that holds the data', () => {
  assert.throws(() => parseCampaign({ ...DEF, target: { kind: 'reference', seeded: false } }, 'c.yaml', 'campaign'), /c\.yaml: campaign\.target\.seeded: .*false with target\.databaseUrl/);
  const def = parseCampaign({ ...DEF, target: { kind: 'reference', seeded: false, databaseUrl: 'postgres://postgres@127.0.0.1:5432/lae_perf' } }, 'c.yaml', 'campaign');
  assert.equal(def.target.kind === 'reference' && def.target.seeded, false);
  const seededByDefault = parseCampaign(DEF, 'c.yaml', 'campaign').target;
  assert.ok(seededByDefault.kind === 'reference' && seededByDefault.seeded);
});

test('a campaign naming an unknown dependency is refused naming the field', () => {
  assert.throws(() => parseCampaign({ ...DEF, phases: { stubbed: { stubbed: ['lgal'] } } }, 'perfcell.config.yaml', 'campaigns.grc'), /perfcell\.config\.yaml: campaigns\.grc\.phases\.stubbed\.stubbed\[0\]: .*one of dependencies \(customer-service, legal, ticketing\)/);
  assert.throws(() => parseCampaign({ ...DEF, target: { kind: 'command' } }, 'f.yaml', 'campaign'), /f\.yaml: campaign\.target\.command/);
  assert.throws(() => parsePhases('stubbed,e2e2'), /--phases: .*stubbed, unstubbed, e2e, got "e2e2"/);
  assert.deepEqual(parsePhases('e2e, stubbed'), ['e2e', 'stubbed']);
});

test('iterations are numbered after the highest existing one; an iteration holding a campaign is refused', () => {
  assert.equal(nextIteration([]), 1);
  assert.equal(nextIteration(['iteration-1', 'iteration-12', 'runs', 'iteration-x', 'iteration-3']), 13);
  assert.equal(chooseIteration('/nonexistent/reports/svc'), 1);
  assert.equal(chooseIteration('/nonexistent/reports/svc', 4), 4);
  assert.throws(() => chooseIteration('/nonexistent', 0), /--iteration: .*a positive integer/);
});

test('the campaign status is the worst of its phases', () => {
  const ph = (status: PhaseRecord['status']) => ({ status }) as PhaseRecord;
  assert.equal(campaignStatus([ph('passed'), ph('passed')]), 'passed');
  assert.equal(campaignStatus([ph('passed'), ph('slo-broken')]), 'slo-broken');
  assert.equal(campaignStatus([ph('defect'), ph('skipped')]), 'failed');
  assert.equal(campaignStatus([ph('passed'), ph('interrupted'), ph('skipped')]), 'interrupted');
});

test('rewiring: one <DEPENDENCY>_URL per dependency, or the name the campaign gives', () => {
  assert.deepEqual(dependencyEnv({ 'customer-service': 'http://127.0.0.1:1', legal: 'http://127.0.0.1:2' }, { legal: 'LEGAL_API' }), {
    CUSTOMER_SERVICE_URL: 'http://127.0.0.1:1',
    LEGAL_API: 'http://127.0.0.1:2',
  });
});

test('reference target: the services a phase starts follow the topology and stop at stubbed dependencies', () => {
  assert.deepEqual(servicesToStart(['grc'], ['customer-service', 'legal', 'sales', 'billing', 'ticketing']), ['grc']);
  assert.deepEqual(servicesToStart(['grc'], ['ticketing']).sort(), ['billing', 'customer-service', 'grc', 'legal', 'sales']);
  assert.deepEqual(servicesToStart(['front', 'grc'], ['ticketing']).sort(), ['billing', 'customer-service', 'front', 'grc', 'legal', 'sales']);
});

test('Chromium missing is a clear environment error', () => {
  assert.throws(() => locateChromium({ K6_BROWSER_EXECUTABLE_PATH: '/nonexistent/chromium' }), (e: Error & { kind?: string }) => e.kind === 'environment' && /needs Chromium/.test(e.message));
  assert.equal(locateChromium({}), '/usr/bin/chromium');
});
