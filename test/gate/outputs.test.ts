/** summary.md and junit.xml from a verdict: what CI posts and what it counts. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderFailureJunit, renderJunitXml, renderSummaryMarkdown, type GateContext } from '../../src/gate/outputs.js';
import { DEFAULT_THRESHOLDS, gateVerdict, judgeTransaction } from '../../src/gate/verdict.js';
import { seededRandom, windows } from './synthetic.js';

const ctx: GateContext = {
  service: 'gate-app', profile: 'pair', mode: 'baseline', baselineLabel: 'baseline `main`', candidateLabel: 'run X',
  reportUrl: 'https://ci.example/artifacts/42', wallSeconds: 93.4, sampling: 'windows of 5s',
};
const total = (p95Ms: number) => ({ p50Ms: 1, p90Ms: 1, p95Ms, p99Ms: p95Ms, errorRate: 0 });

function verdict() {
  const r = seededRandom(5);
  return gateVerdict('baseline', [
    judgeTransaction({ mode: 'baseline', transaction: 'search<&>', slo: { p95Ms: 200 }, candidateTotal: total(150), baseline: windows(8, 100, 0.03, r), candidate: windows(8, 150, 0.03, r) }, DEFAULT_THRESHOLDS),
    judgeTransaction({ mode: 'baseline', transaction: 'view', slo: {}, candidateTotal: total(100), baseline: windows(8, 100, 0.03, r), candidate: windows(8, 100, 0.03, r) }, DEFAULT_THRESHOLDS),
  ], DEFAULT_THRESHOLDS);
}

test('summary.md: verdict headline, one row per transaction, the reason of a failure, the report link', () => {
  const md = renderSummaryMarkdown(verdict(), ctx);
  assert.match(md, /^## Performance gate: ❌ \*\*regression\*\* \(exit 1\)/);
  const rows = md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| transaction'));
  assert.equal(rows.length, 2);
  assert.match(rows[0] as string, /^\| search<&> \| ❌ regression \| 10\d\.\d ms → 15\d\.\d ms \(\+[45]\d\.\d %, p < 0\.001\)/);
  assert.match(rows[1] as string, /^\| view \| ✅ pass \|/);
  assert.match(md, /- search<&>: p95 \+[45]\d\.\d %, significant \(p < 0\.001 < 0\.05\) and above the minimum effect \+10\.0 %/);
  assert.match(md, /\[Full report and run folders\]\(https:\/\/ci\.example\/artifacts\/42\)/);
});

test('junit.xml: a failure per regression, escaped names, counts in the suite', () => {
  const xml = renderJunitXml(verdict(), ctx);
  assert.match(xml, /<testsuite name="perfcell gate gate-app \(pair\)" tests="2" failures="1" errors="0" time="93\.4">/);
  assert.match(xml, /<testcase classname="[^"]+" name="search&lt;&amp;&gt;">\n\s+<failure type="regression"/);
  assert.match(xml, /<testcase classname="[^"]+" name="view"><\/testcase>/);
  assert.match(renderFailureJunit('no <baseline>', ctx), /<error type="could-not-measure" message="could not measure">no &lt;baseline&gt;<\/error>/);
});

test('summary.md: whole-gate notes are quoted under the labels', () => {
  const md = renderSummaryMarkdown(verdict(), { ...ctx, notes: ['the baseline was measured with another version of the load model'] });
  assert.match(md, /Candidate: run X\n\n> ⚠️ the baseline was measured with another version of the load model\n/);
});
