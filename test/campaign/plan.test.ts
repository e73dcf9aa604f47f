import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCampaign } from '../../src/campaign/definition.js';
import { phaseTargets, planCampaign } from '../../src/campaign/plan.js';
import { parseConfig } from '../../src/environments/registry.js';
import { parseModel, type LoadedModel } from '../../src/model/load.js';

const CONFIG = parseConfig(
  `
environments:
  local:
    loadTesting: allowed
    targets: { grc: "http://127.0.0.1:8080", front: "http://127.0.0.1:8085", legal: "http://127.0.0.1:8082" }
  recette:
    loadTesting: forbidden
    targets: { grc: "https://grc.recette.lae.example" }
`,
  'perfcell.config.yaml',
);
const MODEL_YAML = `service: grc
transactions:
  - { name: search, scenario: "a.ts#search", peakPerHour: 3600, targets: [grc] }
  - { name: journey, scenario: "a.ts#journey", peakPerHour: 60, browser: true, targets: [front] }
profiles: { smoke: { duration: 10s }, nominal: { duration: 1m } }
`;
const loaded: LoadedModel = { model: parseModel(MODEL_YAML, 'm.yaml'), file: 'm.yaml', hash: 'h', root: '.' };
const DEF = { dependencies: ['legal', 'ticketing'], alwaysStubbed: ['ticketing'], target: { kind: 'reference' }, phases: { stubbed: { profile: 'smoke' }, unstubbed: { profile: 'nominal' }, e2e: { profile: 'smoke' } } };
const definition = parseCampaign(DEF, 'c.yaml', 'campaign');
const input = { definition, defFile: 'c.yaml', loaded, config: CONFIG };

test('the plan: phases in order, each with its environment, the stubbed dependencies once, and whether a browser is needed', () => {
  const plan = planCampaign(input, { phases: ['stubbed', 'unstubbed', 'e2e'] });
  assert.deepEqual(plan.phases.map((p) => [p.phase, p.profile, p.stubbed.join('+')]), [['stubbed', 'smoke', 'legal+ticketing'], ['unstubbed', 'nominal', 'ticketing'], ['e2e', 'smoke', 'ticketing']]);
  assert.deepEqual([...plan.environments.keys()], ['stubbed', 'unstubbed', 'e2e']);
  assert.deepEqual(plan.stubbedAny, ['legal', 'ticketing']);
  assert.equal(plan.needsBrowser, true);
  assert.equal(planCampaign(input, { phases: ['unstubbed'] }).needsBrowser, false, 'no e2e phase, no browser');
  assert.deepEqual(planCampaign(input, { phases: ['unstubbed'] }).stubbedAny, ['ticketing']);
});

test("a phase's targets: those its transactions declare, never a dependency", () => {
  const plan = planCampaign(input, { phases: ['unstubbed', 'e2e'] });
  const [unstubbed, e2e] = plan.phases;
  assert.deepEqual(phaseTargets(loaded, unstubbed!, plan.environments.get('unstubbed')!, definition), { grc: 'http://127.0.0.1:8080' });
  assert.deepEqual(phaseTargets(loaded, e2e!, plan.environments.get('e2e')!, definition), { grc: 'http://127.0.0.1:8080', front: 'http://127.0.0.1:8085' });
});

test('refusals name the file and field: an unknown profile, a forbidden environment, a missing target, an external target without stub ports', () => {
  assert.throws(() => planCampaign(input, { phases: ['stubbed'], profile: 'peak' }), /m\.yaml: profiles: a profile named "peak" for phase stubbed \(this model has: smoke, nominal\)/);
  assert.throws(() => planCampaign(input, { phases: ['stubbed'], env: 'recette' }), /perfcell\.config\.yaml: environments\.recette\.loadTesting/);
  const noFront = { ...input, config: parseConfig('environments:\n  local: { loadTesting: allowed, targets: { grc: "http://127.0.0.1:8080" } }\n', 'perfcell.config.yaml') };
  assert.throws(() => planCampaign(noFront, { phases: ['e2e'] }), /perfcell\.config\.yaml: environments\.local\.targets\.front: a URL for target "front" \(the transactions of phase e2e call it\)/);
  const external = { ...input, definition: parseCampaign({ ...DEF, target: { kind: 'external' } }, 'c.yaml', 'campaign') };
  assert.throws(() => planCampaign({ ...external, config: noFront.config }, { phases: ['unstubbed'] }), /environments\.local\.targets\.legal: the URL of dependency "legal" \(it is not stubbed in phase unstubbed\)/);
  assert.throws(() => planCampaign(external, { phases: ['stubbed'] }), /c\.yaml: stubPorts: a fixed port for legal, ticketing/);
  const withPorts = { ...external, definition: parseCampaign({ ...DEF, target: { kind: 'external' }, stubPorts: { legal: 9001, ticketing: 9002 } }, 'c.yaml', 'campaign') };
  assert.deepEqual(planCampaign(withPorts, { phases: ['stubbed'] }).stubbedAny, ['legal', 'ticketing']);
});

test("a phase's injectors: --injectors, else the campaign file's phase, else its environment's; each phase its own set, checked before anything starts", () => {
  const config = parseConfig(
    `
environments:
  local:
    loadTesting: allowed
    targets: { grc: "http://127.0.0.1:8080", front: "http://127.0.0.1:8085", legal: "http://127.0.0.1:8082" }
  perf:
    loadTesting: allowed
    allowNonLoopback: true
    targets: { grc: "http://grc.perf.internal:8080", front: "http://front.perf.internal:8085", legal: "http://legal.perf.internal:8082" }
    injectors: "perf@inj1.perf.internal,perf@inj2.perf.internal:2222"
`,
    'perfcell.config.yaml',
  );
  const def = parseCampaign({ ...DEF, phases: { stubbed: { profile: 'smoke', injectors: 'local:2' }, unstubbed: { profile: 'nominal', environment: 'perf' }, e2e: { profile: 'smoke' } } }, 'c.yaml', 'campaign');
  const withInjectors = { ...input, definition: def, config };
  const plan = planCampaign(withInjectors, { phases: ['stubbed', 'unstubbed', 'e2e'] });
  assert.deepEqual(plan.phases.map((p) => [p.phase, p.injectors?.spec, p.injectors?.from]), [
    ['stubbed', 'local:2', 'c.yaml: phases.stubbed.injectors'],
    ['unstubbed', 'perf@inj1.perf.internal,perf@inj2.perf.internal:2222', 'perfcell.config.yaml: environments.perf.injectors'],
    ['e2e', undefined, undefined],
  ]);
  // --injectors is every phase's.
  assert.deepEqual(planCampaign(withInjectors, { phases: ['stubbed', 'e2e'], injectors: 'local:3' }).phases.map((p) => p.injectors), [
    { spec: 'local:3', from: '--injectors' },
    { spec: 'local:3', from: '--injectors' },
  ]);
  // Refusals name where the spec came from; an SSH injector never calls this machine's loopback.
  const bad = (phases: Record<string, unknown>) => planCampaign({ ...withInjectors, definition: parseCampaign({ ...DEF, phases }, 'c.yaml', 'campaign') }, { phases: ['stubbed'] });
  assert.throws(() => bad({ stubbed: { profile: 'smoke', injectors: 'local:0' } }), /^PerfcellError: c\.yaml: phases\.stubbed\.injectors: local:0: local:N with N ≥ 1 k6 processes, got "0"$/);
  assert.throws(
    () => bad({ stubbed: { profile: 'smoke', injectors: 'perf@inj1.perf.internal' } }),
    /^PerfcellError: perfcell\.config\.yaml: environments\.local\.targets: grc: an address SSH injector inj1\.perf\.internal \(c\.yaml: phases\.stubbed\.injectors\) can reach: http:\/\/127\.0\.0\.1:8080 is this machine's loopback, the injector would call itself$/,
  );
  const e2eRemote = { ...withInjectors, definition: parseCampaign({ ...DEF, phases: { e2e: { profile: 'smoke', environment: 'perf' } } }, 'c.yaml', 'campaign') };
  assert.throws(() => planCampaign(e2eRemote, { phases: ['e2e'] }), /^PerfcellError: perfcell\.config\.yaml: environments\.perf\.injectors: inj1\.perf\.internal: local injectors in phase e2e: its browser transactions drive the one Chromium perfcell starts on this machine$/);
  assert.throws(() => planCampaign(withInjectors, { phases: ['unstubbed'], injectors: 'local=0:1/2,local=1/3:1' }), /^PerfcellError: --injectors: local=0:1\/2,local=1\/3:1: segments that cover 0\.\.1 once/);
});
