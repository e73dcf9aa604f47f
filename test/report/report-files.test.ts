import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PerfcellError } from '../../src/errors.js';
import { buildReportData, REPORT_SCHEMA_VERSION, type ReportData } from '../../src/report/report-data.js';
import { junitXml } from '../../src/report/junit.js';
import { summaryMarkdown } from '../../src/report/summary-md.js';
import { writeIterationReport } from '../../src/report/iteration.js';
import { writeReport } from '../../src/report/write.js';
import { EVIL_TX, evilRunCopy } from './evil-run.js';

const fixtures = 'test/fixtures/runs';
const tmp = () => mkdtempSync(join(tmpdir(), 'perfcell-report-'));

test('iteration report: phases from the folder, previous iteration beside it, regression named, verdict no-go', async () => {
  const data = await buildReportData(join(fixtures, 'basic-app/iteration-2'));
  assert.equal(data.kind, 'iteration');
  assert.equal(data.iteration, 2);
  assert.deepEqual(data.phases.map((a) => a.phase), ['stubbed', 'unstubbed']);
  assert.equal(data.previous?.iteration, 1);
  assert.deepEqual(data.previous?.comparisons.map((c) => c.phase), ['stubbed', 'unstubbed']);
  assert.ok(data.recommendations.some((r) => r.ruleId === 'regression' && r.phase === 'unstubbed'));
  assert.equal(data.verdict.go, false);
  assert.ok(data.verdict.reasons.some((r) => /p95 went from/.test(r.en) && /le p95 est passé/.test(r.fr)));
  // Most severe first.
  assert.equal(data.recommendations[0]?.severity, 'critical');
  const phaseRow = data.phaseComparison[0]!;
  assert.ok(phaseRow.dependenciesMs! > 50, 'the 60 ms target vs the 3 ms stubbed one');
});

test("the previous iteration's analysis.json is used when present (same schema)", async () => {
  const root = tmp();
  cpSync(join(fixtures, 'basic-app'), join(root, 'basic-app'), { recursive: true });
  const { report: firstHtml, verdict } = await writeIterationReport(join(root, 'basic-app/iteration-1'));
  assert.equal(verdict.status, 'go');
  assert.equal(firstHtml, join(root, 'basic-app/iteration-1/report.html'));
  const first = await writeReport(join(root, 'basic-app/iteration-1'));
  assert.equal(first.data.previous, null);
  const saved = JSON.parse(readFileSync(first.files.analysis, 'utf8')) as ReportData;
  assert.equal(saved.schemaVersion, REPORT_SCHEMA_VERSION);
  // Mark the saved analysis: if iteration 2's report uses it, the mark shows in the comparison.
  saved.phases[1]!.transactions[0]!.latencyMs!.p95 = 12.5;
  const { writeFileSync } = await import('node:fs');
  writeFileSync(first.files.analysis, JSON.stringify(saved));
  const second = await writeReport(join(root, 'basic-app/iteration-2'));
  const row = second.data.previous!.comparisons.find((c) => c.phase === 'unstubbed')!.rows[0]!;
  assert.equal(row.before?.p95, 12.5);
  for (const f of Object.values(second.files)) assert.ok(existsSync(f), f);
});

test('an incomplete run: flagged in every output, never a crash', async () => {
  const out = tmp();
  const { data, files } = await writeReport(join(fixtures, 'incomplete'), { out });
  assert.equal(data.verdict.go, false);
  assert.ok(data.verdict.reasons.some((r) => /incomplete/.test(r.en)));
  assert.match(readFileSync(files.html, 'utf8'), /class="incomplete"/);
  assert.match(readFileSync(files.summary, 'utf8'), /Incomplete/);
  assert.match(readFileSync(files.junit, 'utf8'), /<property name="incomplete"/);
});

test('writeIterationReport refuses a run folder; a folder that is neither is a clear error', async () => {
  await assert.rejects(writeIterationReport(join(fixtures, 'basic-smoke')), (e: unknown) => e instanceof PerfcellError && /a run folder, not an iteration folder/.test(e.message));
  await assert.rejects(buildReportData(tmp()), (e: unknown) => e instanceof PerfcellError && /neither a run folder/.test(e.message));
});

test('summary.md and junit.xml escape names; junit has one case per SLO per transaction, failures for broken ones', async () => {
  const data = await buildReportData(evilRunCopy());
  const p95 = data.phases[0]!.slo.find((s) => s.criterion === 'p95')!;
  p95.pass = false;
  const md = summaryMarkdown(data, 'en');
  assert.ok(!md.includes(EVIL_TX), 'raw markup never reaches the markdown');
  assert.ok(md.includes('\\<img src=x onerror=alert(1)\\>'));
  const xml = junitXml(data);
  assert.ok(!xml.includes('<img'));
  assert.equal((xml.match(/<testcase /g) ?? []).length, data.phases[0]!.slo.length);
  assert.equal((xml.match(/<failure /g) ?? []).length, 1);
  assert.match(xml, /classname="unstubbed.&lt;img src=x onerror=alert\(1\)&gt;"/);
});

const cli = (...args: string[]) => spawnSync(process.execPath, ['bin/perfcell.js', ...args], { encoding: 'utf8' });

test('CLI: analyze prints the table and writes analysis.json; compare prints and writes markdown; bad folders exit 2', () => {
  const out = tmp();
  const a = cli('analyze', join(fixtures, 'basic-smoke'), '-o', out);
  assert.equal(a.status, 0, a.stderr);
  assert.match(a.stdout, /hello\s+25\s+5\.00/);
  assert.ok(existsSync(join(out, 'analysis.json')));
  const md = join(out, 'cmp.md');
  const c = cli('compare', join(fixtures, 'basic-app/iteration-1'), join(fixtures, 'basic-app/iteration-2'), '--markdown', md);
  assert.equal(c.status, 0, c.stderr);
  assert.match(c.stdout, /unstubbed: iteration-1 → iteration-2/);
  assert.match(readFileSync(md, 'utf8'), /\| hello \|/);
  const bad = cli('report', tmp());
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /neither a run folder/);
  const lang = cli('report', join(fixtures, 'basic-smoke'), '--lang', 'de', '-o', out);
  assert.equal(lang.status, 2);
  assert.match(lang.stderr, /--lang: one of en, fr/);
});
