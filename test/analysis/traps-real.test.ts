/**
 * The reference target's planted traps, switched on in a real run, named by the right rule. Two 15 s runs
 * against the embedded target (each its own ports and state file), the monitor scraping every second:
 * - **mixed**: N+1 in billing history → n-plus-one on billing's history route (queries are counted per
 *   route); added latency on the 360° view → latency-floor. Controls in the same run: grc is not named by
 *   n-plus-one, the 360° view's calls run in parallel so sequential-dependencies stays silent although the
 *   added latency makes the view slow, and nothing leaks so memory-growth stays silent.
 * - **view-360**: the sequential 360° view → sequential-dependencies on grc's 360° route (from
 *   http_client_request_duration_seconds{dependency,route}); the leak at 100 KB a view
 *   (SUT_TRAP_LEAK_KB: just under V8's 128 KB large-object limit, so the views land in the old space the rule
 *   reads) → memory-growth on grc. Only grc is monitored: in embedded mode every service shares one process
 *   and one heap, so any monitored service would show the leak.
 * The missing index needs a stubbed phase and a larger table: traps-stubbed-real.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { analyzeRun } from '../../src/analysis/analyze.js';
import { comparePhases } from '../../src/analysis/phases.js';
import { runRules } from '../../src/rules/catalogue.js';
import { MAX_QUERIES_PER_REQUEST } from '../../src/rules/n-plus-one.js';
import { MIN_GROWTH_BYTES } from '../../src/rules/memory-growth.js';
import type { Recommendation } from '../../src/rules/types.js';
import { executeRun } from '../../src/run/execute.js';
import { REPO, runCli } from '../support/cli.js';
import { SERVICES, type ServiceName } from '../../sut/topology.js';
import { invalidBecause, measureValid } from '../support/valid-measurement.js';
import { withRunHooks } from '../../src/side-channels/defaults.js';

const scratch = mkdtempSync(join(tmpdir(), 'perfcell-traps-'));
// The models live in the project (gitignored .perfcell/) so that their scenarios resolve from the project root.
const modelDir = join(REPO, '.perfcell', `traps-test-${process.pid}`);
const started: string[] = [];
let mixed: Recommendation[] = [];
/** The 360° view alone at 30 views/s for 15 s (the sequential and leak runs). */
const VIEW_ONLY = `  - name: read-person-360
    scenario: scenarios/grc/person.ts#readPerson360
    peakPerHour: 108000
    expectedResponseMs: 50
    targets: [grc, customer-service, legal, sales, billing]
`;
let view360: Recommendation[] = [];
let leak: Recommendation[] = [];

/**
 * Starts the target with `traps`, seeds it, runs a 15 s model of `transactions` (YAML list items) against the
 * `entry` services, returns the rules' findings.
 */
async function trapRun(name: string, portOffset: number, traps: Record<string, string>, entry: readonly ServiceName[], transactions: string): Promise<Recommendation[]> {
  const state = join(scratch, `${name}.json`);
  const up = await runCli(['sut', 'start', '--port-offset', String(portOffset), '--state', state], traps);
  assert.equal(up.code, 0, up.stderr);
  started.push(state);
  const data = join(scratch, `${name}-data`);
  const seeded = await runCli(['sut', 'seed', '--persons', '300', '--data-dir', data, '--state', state]);
  assert.equal(seeded.code, 0, seeded.stderr);
  const file = join(modelDir, `${name}.yaml`);
  const targets = entry.map((n) => `${JSON.stringify(n)}: "http://127.0.0.1:${SERVICES[n].port + portOffset}"`).join(', ');
  writeFileSync(file, `service: traps-check
environments:
  traps:
    loadTesting: allowed
    targets: { ${targets} }
data:
  persons: ${join(data, 'persons.csv')}
transactions:
${transactions}profiles:
  check: { multiplier: 1, duration: 15s }
`);
  const out = join(scratch, name);
  await executeRun({ model: file, profile: 'check', env: 'traps', out, quiet: true, sideChannels: withRunHooks({ influx: null, monitorIntervalMs: 1000 }), log: () => {} });
  const a = await analyzeRun(out);
  assert.ok(a.monitor.length > 0, 'the monitor scraped the target');
  await runCli(['sut', 'stop', '--state', state]);
  started.splice(started.indexOf(state), 1);
  return runRules({ analysis: a, phases: [a], phaseComparison: comparePhases([a]), previous: null });
}

/** A trap run, measured again when its measurement was not valid (an overloaded injector on a busy or slow machine). */
async function validTrapRun(name: string, ...rest: Parameters<typeof trapRun> extends [string, ...infer R] ? R : never): Promise<Recommendation[]> {
  const got = await measureValid(async (attempt) => ({ recs: await trapRun(`${name}-${attempt}`, ...rest) }), (l) => process.stderr.write(`${name}: ${l}\n`));
  assert.deepEqual(invalidBecause(got.recs), [], `${name}: no valid measurement in ${got.attempts} runs`);
  return got.recs;
}

before(async () => {
  mkdirSync(modelDir, { recursive: true });
  // Mostly billing history, so that its N+1 dominates billing's traffic; a few 360° views, 300 ms slower.
  mixed = await validTrapRun('mixed', 530, { SUT_TRAP_N_PLUS_ONE: '1', SUT_TRAP_LATENCY_MS: '300' }, ['grc', 'billing'], `  - name: billing-history
    scenario: scenarios/billing/invoices.ts#billingHistory
    peakPerHour: 36000
    expectedResponseMs: 20
    targets: [billing]
  - name: read-person-360
    scenario: scenarios/grc/person.ts#readPerson360
    peakPerHour: 7200
    expectedResponseMs: 350
    targets: [grc, customer-service, legal, sales, billing]
`);
  // The sequential view alone: the leak's garbage-collection pauses (event-loop lag ≈ 170 ms on a fresh
  // clone's full suite) put queueing into the view's time and hid the calls' sum.
  view360 = await validTrapRun('view-360', 540, { SUT_TRAP_SEQUENTIAL_360: '1' }, ['grc'], VIEW_ONLY);
  // 30 views/s for 15 s: ≈ 450 views, ≈ 45 MB kept by the leak.
  leak = await validTrapRun('leak', 560, { SUT_TRAP_LEAK: '1', SUT_TRAP_LEAK_KB: '100' }, ['grc'], VIEW_ONLY);
});

const list = (recs: Recommendation[]) => recs.map((r) => `${r.ruleId}: ${r.text.en} ${JSON.stringify(r.evidence.numbers)}`).join('\n');

after(async () => {
  for (const state of started) await runCli(['sut', 'stop', '--state', state]);
  rmSync(modelDir, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
});

test('N+1 in billing history is named by n-plus-one on billing history\'s route', { timeout: 240_000 }, (t) => {
  const found = mixed.filter((r) => r.ruleId === 'n-plus-one');
  t.diagnostic(list(found));
  const history = found.find((r) => r.text.en.startsWith('target:billing /persons/:id/invoices:'));
  assert.ok(history, list(mixed));
  // A page of the scenario's history: 3 queries + one per invoice, against 4 without the trap.
  t.diagnostic(`margin: ${history.evidence.numbers.queriesPerRequest!.toFixed(1)} queries a request against the rule's ${MAX_QUERIES_PER_REQUEST}`);
  assert.ok(history.evidence.numbers.queriesPerRequest! >= 2 * MAX_QUERIES_PER_REQUEST, list(found));
  // The trap also reaches billing's summary (the 360° view's first 3 invoices: 5 queries instead of 3);
  // grc, without a trap in its queries, serves the 360° views without being named.
  for (const r of found) assert.match(r.text.en, /^target:billing \/persons\/:id\/(invoices|summary):/, list(found));
});

test('the latency added to the 360° view is named by latency-floor on read-person-360', () => {
  const f = mixed.find((r) => r.ruleId === 'latency-floor' && r.transaction === 'read-person-360');
  assert.ok(f, list(mixed));
  assert.ok(f.evidence.numbers.minMs! >= 300);
  assert.ok(!mixed.some((r) => r.ruleId === 'latency-floor' && r.transaction === 'billing-history'));
});

// Not asserted here: "no memory growth" in this 15 s run. Under 120 s the rule relies on its size thresholds
// alone (docs/recommendations.md) and the target's warm-up reached them on a fresh clone (old space +11.5 MB
// from 23 MB, three runs in a row); the leak run below is the rule's real-run check.
test('controls: parallel calls of a slow 360° view are not sequential', (t) => {
  t.diagnostic(list(mixed));
  assert.ok(!mixed.some((r) => r.ruleId === 'sequential-dependencies'), list(mixed));
});

// The view's four calls take about 2 ms each here: the rule counts calls relative to the request (it dropped
// calls under an absolute 2 ms before, and missed this trap in 3 of 4 runs).
test('the sequential 360° view is named by sequential-dependencies on grc\'s 360° route', (t) => {
  const f = view360.find((r) => r.ruleId === 'sequential-dependencies');
  assert.ok(f, list(view360));
  t.diagnostic(list([f]));
  assert.match(f.text.en, /^target:grc \/persons\/:id\/360: /);
  for (const d of ['customer-service', 'legal', 'sales', 'billing']) assert.match(f.text.en, new RegExp(`\\b${d} [0-9.]+ ms`));
  const n = f.evidence.numbers;
  // The view takes at least the sum of its four calls, well beyond the longest.
  assert.ok(n.serverMeanMs! >= n.callsSumMs! && n.callsSumMs! >= 2 * n.longestCallMs!, JSON.stringify(n));
});

test('the leak is named by memory-growth on grc', (t) => {
  const f = leak.find((r) => r.ruleId === 'memory-growth');
  assert.ok(f, list(leak));
  t.diagnostic(list([f]));
  t.diagnostic(`margin: ${(f.evidence.numbers.growthBytes! / 1e6).toFixed(1)} MB of growth against the rule's ${(MIN_GROWTH_BYTES / 1e6).toFixed(1)} MB`);
  assert.equal(f.evidence.numbers.growthBytes! >= MIN_GROWTH_BYTES, true);
  assert.match(f.text.en, /^target:grc: nodejs_heap_space_size_used_bytes after collections/);
});
