/**
 * Requests no stub matched, in the report's data, view model and summary.md: the recorded fixture
 * test/fixtures/runs/unmatched-stubs/iteration-1 is a stubbed phase whose campaign flagged 23 unmatched
 * requests (billing: 12 distinct calls, 20 requests; crm: 2 calls with markup in their URLs, 3 requests).
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PerfcellError } from '../../src/errors.js';
import { LABELS } from '../../src/report/i18n.js';
import { buildReportData, unmatchedStubsOf } from '../../src/report/report-data.js';
import { summaryMarkdown } from '../../src/report/summary-md.js';
import { UNMATCHED_ROWS, unmatchedStubsView, viewModel } from '../../src/report/view-model.js';
import type { StubVerification } from '../../src/stubs/verify.js';

const FIXTURE = 'test/fixtures/runs/unmatched-stubs/iteration-1';
const HOSTILE_URL = '/x?<img src=x onerror=alert(1)>';

const copy = (): string => {
  const dir = join(mkdtempSync(join(tmpdir(), 'perfcell-unmatched-')), 'iteration-1');
  cpSync(FIXTURE, dir, { recursive: true });
  return dir;
};

test('report data: the unmatched requests per stub server, most frequent first; a caveat in the verdict; a stubs-incomplete warning', async () => {
  const data = await buildReportData(FIXTURE);
  assert.deepEqual(data.unmatchedStubs.map((u) => [u.phase, u.stubSet, u.requests, u.unmatched.length]), [['stubbed', 'billing', 140, 12], ['stubbed', 'crm', 30, 2]]);
  const billing = data.unmatchedStubs[0]!;
  assert.deepEqual(billing.unmatched.slice(0, 3).map((u) => `${u.count} ${u.method} ${u.url}`), ['7 GET /api/v1/invoices/42/lines', '3 POST /api/v1/payments/retry', '1 GET /api/v1/accounts/1']);
  assert.equal(data.unmatchedStubs[1]!.unmatched[0]!.url, HOSTILE_URL, 'kept raw in the data: escaping is the renderer\'s job');
  const rec = data.recommendations.find((r) => r.ruleId === 'stubs-incomplete');
  assert.equal(rec?.severity, 'warning');
  assert.equal(rec?.evidence.numbers.unmatchedRequests, 23);
  // SLOs hold: GO, with the caveat that the figures are suspect.
  assert.equal(data.verdict.go, true);
  assert.equal(data.verdict.caveats.length, 1);
  assert.match(data.verdict.caveats[0]!.text.en, /^stubbed: 23 request\(s\) to the stubs matched no mapping/);
  assert.match(data.verdict.caveats[0]!.text.fr, /^bouchonné : 23 requête\(s\)/);
  assert.equal(data.verdict.caveats[0]!.anchor, 'stubbed-unmatched-stubs');
});

test('a phase without stubs has no unmatched entries and no caveat', async () => {
  const data = await buildReportData('test/fixtures/runs/basic-app/iteration-2');
  assert.deepEqual(data.unmatchedStubs, []);
  assert.deepEqual(data.verdict.caveats, []);
  assert.ok(viewModel(data, 'en').phases.every((p) => p.unmatchedStubs === null));
  assert.doesNotMatch(summaryMarkdown(data, 'en'), /no stub matched/);
});

test('unmatchedStubsOf merges a phase\'s run folders by stub server and call; servers without unmatched requests are left out', () => {
  const v = (stubSet: string, requests: number, unmatched: StubVerification['unmatched']): StubVerification => ({
    stubSet, url: `http://127.0.0.1/${stubSet}`, requests, mappings: [], unused: [], unmatched, journalOverflowed: false, ok: unmatched.length === 0,
  });
  const merged = unmatchedStubsOf('unstubbed', [
    { stubbed: ['a', 'b'], verifications: [v('a', 10, [{ method: 'GET', url: '/one', count: 1, firstAtMs: 5 }]), v('b', 4, [])] },
    { stubbed: ['a'], verifications: [v('a', 6, [{ method: 'GET', url: '/two', count: 2, firstAtMs: 1 }, { method: 'GET', url: '/one', count: 2, firstAtMs: 3 }])] },
  ]);
  assert.deepEqual(merged, [{
    phase: 'unstubbed', stubSet: 'a', url: 'http://127.0.0.1/a', requests: 16, journalOverflowed: false,
    unmatched: [{ method: 'GET', url: '/one', count: 3, firstAtMs: 3 }, { method: 'GET', url: '/two', count: 2, firstAtMs: 1 }],
  }]);
});

test('view model: a capped list per stub server with "and N more", counts only when a call repeats, in en and fr', async () => {
  const data = await buildReportData(FIXTURE);
  const en = viewModel(data, 'en').phases[0]!.unmatchedStubs!;
  assert.equal(en.id, 'stubbed-unmatched-stubs');
  const [billing, crm] = en.servers;
  assert.equal(billing!.title, 'Stub server billing (http://127.0.0.1:18081): 20 of 140 request(s) matched no mapping');
  assert.equal(billing!.rows.length, UNMATCHED_ROWS);
  assert.deepEqual(billing!.rows.slice(0, 3), [['GET', '/api/v1/invoices/42/lines', '× 7'], ['POST', '/api/v1/payments/retry', '× 3'], ['GET', '/api/v1/accounts/1', '']]);
  assert.equal(billing!.more, 'and 2 more (2 request(s))');
  assert.deepEqual(crm!.rows, [['GET', HOSTILE_URL, '× 2'], ['DELETE', '/contacts/"><script>alert(5)</script>', '']]);
  assert.equal(crm!.more, '');
  assert.equal(en.missing, '');
  const vm = viewModel(data, 'fr');
  assert.equal(vm.phases[0]!.unmatchedStubs!.servers[0]!.more, 'et 2 autre(s) (2 requête(s))');
  assert.match(vm.verdict.caveats[0]!.text, /^bouchonné : 23 requête\(s\)/);
});

test('a run flagged with unmatched requests but without its stubs.json still gets the block, saying the calls cannot be listed', async () => {
  const data = await buildReportData(FIXTURE);
  const phase = data.phases[0]!;
  const view = unmatchedStubsView(phase, [], 'en', LABELS.en);
  assert.deepEqual(view?.servers, []);
  assert.match(view?.missing ?? '', /flagged with 23 unmatched request\(s\) but its folder holds no stubs\.json/);
  assert.equal(unmatchedStubsView({ ...phase, runs: phase.runs.map((r) => ({ ...r, unmatchedStubRequests: 0 })) }, [], 'en', LABELS.en), null);
});

test('summary.md: one line naming the phase, the count and the stub servers', async () => {
  const md = summaryMarkdown(await buildReportData(FIXTURE), 'en');
  const lines = md.split('\n').filter((l) => /no stub matched/.test(l));
  assert.deepEqual(lines, ['> ⚠️ stubbed: 23 request(s) no stub matched (billing 20, crm 3): the stubs miss calls the service makes, figures suspect']);
  assert.match(summaryMarkdown(await buildReportData(FIXTURE), 'fr'), /> ⚠️ stubbed: 23 requête\(s\) sans bouchon correspondant \(billing 20, crm 3\)/);
});

test('a malformed stubs.json is an input error naming the file and the field', async () => {
  const dir = copy();
  try {
    const path = join(dir, 'stubbed', 'stubs.json');
    const json = JSON.parse(readFileSync(path, 'utf8')) as { verifications: { unmatched: { count: unknown }[] }[] };
    json.verifications[1]!.unmatched[0]!.count = 'two';
    writeFileSync(path, JSON.stringify(json));
    await assert.rejects(buildReportData(dir), (e: unknown) => e instanceof PerfcellError && e.message.startsWith(`${path}: verifications[1].unmatched[0].count: expected number, got "two"`));
    writeFileSync(path, '{ not json');
    await assert.rejects(buildReportData(dir), (e: unknown) => e instanceof PerfcellError && e.message.startsWith(`${path}: (root): valid JSON`));
  } finally {
    rmSync(join(dir, '..'), { recursive: true, force: true });
  }
});
