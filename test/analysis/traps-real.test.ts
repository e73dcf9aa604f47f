/**
 * The reference target's planted traps, switched on in a real run, named by the right rule: N+1 in billing
 * history → n-plus-one; added latency on the 360° view → latency-floor. One 15 s run against the embedded
 * target (its own ports and state file), the monitor scraping every second, mostly billing history (the
 * target counts queries per service, not per route, so billing history must dominate billing's traffic).
 * Not covered by a real run (the rules are tested on fixtures, see docs/recommendations.md): the leak (30 s
 * of 40 views/s leaks a few MB, inside the heap's warm-up noise: it needs an endurance-length run), the
 * missing index (a large seeded table and a stubbed phase) and the sequential 360° view (outbound-call
 * metrics the target does not export).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { analyzeRun } from '../../src/analysis/analyze.js';
import { comparePhases } from '../../src/analysis/phases.js';
import { runRules } from '../../src/rules/catalogue.js';
import type { Recommendation } from '../../src/rules/types.js';
import { executeRun } from '../../src/run/execute.js';
import { REPO, runCli } from '../support/cli.js';

const PORT_OFFSET = 530;
const scratch = mkdtempSync(join(tmpdir(), 'perfcell-traps-'));
const state = join(scratch, 'sut.json');
// The model lives in the project (gitignored .perfcell/) so that its scenarios resolve from the project root.
const modelDir = join(REPO, '.perfcell', `traps-test-${process.pid}`);
let mixed: Recommendation[] = [];

before(async () => {
  const started = await runCli(['sut', 'start', '--port-offset', String(PORT_OFFSET), '--state', state], { SUT_TRAP_N_PLUS_ONE: '1', SUT_TRAP_LATENCY_MS: '150' });
  assert.equal(started.code, 0, started.stderr);
  const seeded = await runCli(['sut', 'seed', '--persons', '300', '--data-dir', join(scratch, 'data'), '--state', state]);
  assert.equal(seeded.code, 0, seeded.stderr);
  mkdirSync(modelDir, { recursive: true });
  const model = join(modelDir, 'traps.yaml');
  writeFileSync(model, `service: traps-check
environments:
  traps:
    loadTesting: allowed
    targets: { grc: "http://127.0.0.1:${8080 + PORT_OFFSET}", billing: "http://127.0.0.1:${8084 + PORT_OFFSET}" }
data:
  persons: ${join(scratch, 'data', 'persons.csv')}
transactions:
  - name: billing-history
    scenario: scenarios/billing/invoices.ts#billingHistory
    peakPerHour: 36000
    expectedResponseMs: 20
    targets: [billing]
  - name: read-person-360
    scenario: scenarios/grc/person.ts#readPerson360
    peakPerHour: 7200
    expectedResponseMs: 200
    targets: [grc, customer-service, legal, sales, billing]
profiles:
  mixed: { multiplier: 1, duration: 15s }
`);
  const recommendations = async (modelFile: string, profile: string) => {
    const out = join(scratch, profile);
    await executeRun({ model: modelFile, profile, env: 'traps', out, quiet: true, hooks: { influx: null, monitorIntervalMs: 1000 }, log: () => {} });
    const a = await analyzeRun(out);
    assert.ok(a.monitor.length > 0, 'the monitor scraped the target');
    return runRules({ analysis: a, phases: [a], phaseComparison: comparePhases([a]), previous: null });
  };
  mixed = await recommendations(model, 'mixed');
});

const list = (recs: Recommendation[]) => recs.map((r) => `${r.ruleId}: ${r.text.en}`).join('\n');

after(async () => {
  await runCli(['sut', 'stop', '--state', state]);
  rmSync(modelDir, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
});

test('N+1 in billing history is named by n-plus-one on billing', { timeout: 180_000 }, () => {
  const found = mixed.filter((r) => r.ruleId === 'n-plus-one');
  assert.equal(found.length, 1, list(mixed));
  assert.match(found[0]!.text.en, /target:billing/);
  assert.ok(found[0]!.evidence.numbers.queriesPerRequest! >= 5);
  // Control in the same run: grc (no trap in its queries) serves the 360° views without being named.
});

test('the latency added to the 360° view is named by latency-floor on read-person-360', () => {
  const f = mixed.find((r) => r.ruleId === 'latency-floor' && r.transaction === 'read-person-360');
  assert.ok(f, list(mixed));
  assert.ok(f.evidence.numbers.minMs! >= 150);
  assert.ok(!mixed.some((r) => r.ruleId === 'latency-floor' && r.transaction === 'billing-history'));
});
