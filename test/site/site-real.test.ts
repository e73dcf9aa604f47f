/**
 * Real runs into the site: two iterations of the reference target (embedded, its own ports and state
 * file), the second with 300 ms added to the 360° view (SUT_TRAP_LATENCY_MS). Each iteration is a real run
 * folder and a real `perfcell report` (analysis.json, report.html); the site built from them shows
 * latency-floor on read-person-360 as **appeared** between #1 and #2, and the view's p95 trend moving by
 * the planted latency. About a minute of load: run under the flock.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { withRunHooks } from '../../src/side-channels/defaults.js';
import { executeRun } from '../../src/run/execute.js';
import { writeReport } from '../../src/report/write.js';
import { buildSite } from '../../src/site/build.js';
import { loadSite } from '../../src/site/load.js';
import { servicePage } from '../../src/site/model.js';
import { REPO, runCli } from '../support/cli.js';
import { SERVICES } from '../../sut/topology.js';

const PORT_OFFSET = 590;
const TRAP_MS = 300;
const scratch = mkdtempSync(join(tmpdir(), 'perfcell-site-real-'));
const modelDir = join(REPO, '.perfcell', `site-real-${process.pid}`);
const started: string[] = [];

after(async () => {
  for (const state of started) await runCli(['sut', 'stop', '--state', state]);
  rmSync(modelDir, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
});

async function iteration(n: number, traps: Record<string, string>, reportsDir: string): Promise<void> {
  const state = join(scratch, `sut-${n}.json`);
  const up = await runCli(['sut', 'start', '--port-offset', String(PORT_OFFSET), '--state', state], traps);
  assert.equal(up.code, 0, up.stderr);
  started.push(state);
  const data = join(scratch, `data-${n}`);
  const seeded = await runCli(['sut', 'seed', '--persons', '300', '--data-dir', data, '--state', state]);
  assert.equal(seeded.code, 0, seeded.stderr);
  const port = (s: keyof typeof SERVICES) => SERVICES[s].port + PORT_OFFSET;
  mkdirSync(modelDir, { recursive: true });
  const file = join(modelDir, `site-real-${n}.yaml`);
  writeFileSync(file, `service: site-real
environments:
  site-real:
    loadTesting: allowed
    targets: { grc: "http://127.0.0.1:${port('grc')}" }
data:
  persons: ${join(data, 'persons.csv')}
transactions:
  - name: read-person-360
    scenario: scenarios/grc/person.ts#readPerson360
    peakPerHour: 36000
    slo: { p95Ms: 1000 }
    expectedResponseMs: 50
    targets: [grc, customer-service, legal, sales, billing]
  - name: read-person
    scenario: scenarios/grc/person.ts#readPerson
    peakPerHour: 36000
    expectedResponseMs: 10
    targets: [grc]
profiles:
  check: { multiplier: 1, duration: 15s }
`);
  const dir = join(reportsDir, 'site-real', `iteration-${n}`);
  await executeRun({ model: file, profile: 'check', env: 'site-real', phase: 'unstubbed', iteration: n, out: join(dir, 'unstubbed'), quiet: true, sideChannels: withRunHooks({ influx: null, monitorIntervalMs: 1000 }), log: () => {} });
  await runCli(['sut', 'stop', '--state', state]);
  started.splice(started.indexOf(state), 1);
  await writeReport(dir);
}

test('two real iterations, a trap switched on in the second: the site shows its finding as appeared and the p95 trend moving', { timeout: 300_000 }, async () => {
  const reportsDir = join(scratch, 'reports');
  await iteration(1, {}, reportsDir);
  await iteration(2, { SUT_TRAP_LATENCY_MS: String(TRAP_MS) }, reportsDir);
  const out = join(scratch, 'site');
  const r = await buildSite({ reportsDir, outDir: out, store: null, configFile: null });
  assert.equal(r.iterations, 2);
  assert.equal(r.problems, 0);
  const { input } = loadSite({ reportsDir, store: null, configFile: null });
  const [one, two] = input.services[0]?.iterations ?? [];
  const p95 = (it: typeof one) => it?.phases[0]?.transactions.find((t) => t.name === 'read-person-360')?.p95 ?? NaN;
  assert.ok(p95(two) - p95(one) >= TRAP_MS * 0.8, `p95 ${p95(one)} → ${p95(two)} ms`);
  assert.ok(!one?.findings.some((f) => f.ruleId === 'latency-floor' && f.transaction === 'read-person-360'), JSON.stringify(one?.findings));
  const html = readFileSync(join(out, servicePage('site-real')), 'utf8');
  const changes = html.slice(html.indexOf('#1 → #2'));
  assert.match(changes.slice(0, changes.indexOf('</tr>')), /▲ appeared · \w+<\/span> <span class="mono">latency-floor<\/span> · read-person-360/);
  // The trend chart of the view holds both iterations' p95 and p99 with the SLO line.
  assert.match(html, /read-person-360 · unstubbed · p95\/p99 \(ms\)/);
  assert.match(html, /SLO p95 1[ ,.]?000 ms/);
});
