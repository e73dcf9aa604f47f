/** The one verdict: GO, NO-GO on a valid measurement, INCONCLUSIVE when the measurement is invalid. Pure. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runRules } from '../../src/rules/catalogue.js';
import type { Analysis } from '../../src/analysis/types.js';
import { junitXml } from '../../src/report/junit.js';
import { assemble } from '../../src/report/report-data.js';
import { summaryMarkdown } from '../../src/report/summary-md.js';
import { viewModel } from '../../src/report/view-model.js';
import { verdictOf, verdictStatus } from '../../src/verdict/verdict.js';
import { baseAnalysis, ctxOf, monitor, withPhase } from '../rules/fixture.js';

/** The fixture run with an overloaded injector host (CPU 90–99 %). */
function overloaded(a: Analysis): Analysis {
  a.monitor = [...a.monitor, monitor('injector', 'injector_host_cpu_percent', [92, 97, 99, 98])];
  return a;
}

function brokenSlo(a: Analysis): Analysis {
  const p95 = a.slo.find((s) => s.criterion === 'p95')!;
  p95.limit = 0.01;
  p95.pass = false;
  return a;
}

const judge = (phases: Analysis[]) => verdictOf(phases, phases.flatMap((a) => runRules(ctxOf(a, { phases }))));

test('a healthy run that keeps its SLOs is GO', async () => {
  const v = judge([await baseAnalysis()]);
  assert.equal(v.status, 'go');
  assert.equal(v.go, true);
  assert.match(v.headline.en, /^GO: every SLO held/);
  assert.deepEqual(v.groups, []);
});

test('a broken SLO on a healthy injector stays NO-GO', async () => {
  const v = judge([brokenSlo(await baseAnalysis())]);
  assert.equal(v.status, 'no-go');
  assert.equal(v.go, false);
  assert.match(v.headline.en, /^NO-GO in the unstubbed phase: hello: p95 is/);
  assert.equal(v.groups[0]!.cause, 'slo-broken');
  assert.equal(v.groups[0]!.judged, true);
});

test('the same broken SLO with the injector saturated is INCONCLUSIVE: the breach is shown as not judged', async () => {
  const v = judge([overloaded(brokenSlo(await baseAnalysis()))]);
  assert.equal(v.status, 'inconclusive');
  assert.equal(v.go, false);
  // The cause first, at most three sentences.
  assert.match(v.headline.en, /^INCONCLUSIVE: the measurement of the unstubbed phase is not valid, its SLOs are not judged\. The load generator host's CPU averaged 96\.5 %/);
  assert.ok(v.headline.en.split(/(?<=\.)\s/).length <= 3, v.headline.en);
  assert.deepEqual(v.groups.map((g) => [g.cause, g.invalidates, g.judged]), [['load-generator-overloaded', true, true], ['slo-broken', false, false]]);
  assert.deepEqual(v.reasons, [], 'nothing counts as a blocking reason in an invalid measurement');
});

test('phases: a real breach in one phase outweighs an invalid measurement in another (NO-GO); inconclusive + passed → INCONCLUSIVE', async () => {
  const base = await baseAnalysis();
  const mixed = judge([withPhase(brokenSlo(structuredClone(base)), 'stubbed'), overloaded(withPhase(base, 'e2e'))]);
  assert.equal(mixed.status, 'no-go');
  assert.deepEqual(mixed.phases.map((p) => p.status), ['no-go', 'inconclusive']);
  const v = judge([withPhase(base, 'stubbed'), withPhase(base, 'unstubbed'), overloaded(withPhase(base, 'e2e'))]);
  assert.equal(v.status, 'inconclusive');
  assert.match(v.headline.en, /end-to-end phase is not valid/);
  assert.match(v.headline.en, /The stubbed and unstubbed phases met every SLO\.$/);
  assert.match(v.headline.fr, /^NON CONCLUANT : la mesure de la phase « bout en bout » n'est pas valide/);
});

test('every output says INCONCLUSIVE the same way: report view, summary.md, junit.xml (error, not failure)', async () => {
  const a = overloaded(brokenSlo(await baseAnalysis()));
  const data = assemble({ kind: 'run', dir: '/tmp/x', iteration: 1, phases: [a], previous: null, campaign: null, generatedAt: '2026-12-02T00:00:00Z' });
  assert.equal(verdictStatus(data.verdict), 'inconclusive');
  const vm = viewModel(data, 'en');
  assert.equal(vm.verdict.status, 'inconclusive');
  assert.equal(vm.verdict.label, 'INCONCLUSIVE');
  assert.equal(vm.verdict.groups[1]!.note, 'not judged: the measurement of this phase is invalid');
  assert.match(summaryMarkdown(data, 'en'), /^## ⚠️ .* · INCONCLUSIVE\n\nINCONCLUSIVE: the measurement/);
  const xml = junitXml(data);
  assert.match(xml, /<testsuites [^>]*failures="0" errors="1">/);
  assert.match(xml, /<error message="not judged: the measurement is invalid \(The load generator host/);
  assert.doesNotMatch(xml, /<failure /);
  // The healthy breach: a failure.
  const healthy = assemble({ kind: 'run', dir: '/tmp/x', iteration: 1, phases: [brokenSlo(await baseAnalysis())], previous: null, campaign: null, generatedAt: '2026-12-02T00:00:00Z' });
  assert.match(junitXml(healthy), /failures="1" errors="0"/);
});

test('an analysis.json written before INCONCLUSIVE (only `go`) still reads', () => {
  assert.equal(verdictStatus({ go: true }), 'go');
  assert.equal(verdictStatus({ go: false }), 'no-go');
});
