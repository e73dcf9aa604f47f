import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { runCampaign } from '../../src/campaign/run-campaign.js';
import { readCampaignRecord } from '../../src/campaign/record.js';
import { buildReportData } from '../../src/report/report-data.js';
import { viewModel } from '../../src/report/view-model.js';
import { readRunMeta } from '../../src/store/folder.js';
import { readRawSamples } from '../../src/store/raw-samples.js';
import { liveChildren } from '../../lib/process/children.js';
import { startTinyTarget } from '../support/tiny-target.js';
import { DASHBOARD_FILE } from '../../src/side-channels/k6-outputs.js';
import { freePort } from '../../src/stubs/wiremock.js';
import { startProgress } from '../../lib/progress.js';
import { relayProject } from './support/project.js';

async function medianLatency(runDir: string, name: string): Promise<number> {
  const xs: number[] = [];
  await readRawSamples(join(runDir, 'raw.csv.gz'), (s) => { if (s.name === name) xs.push(s.value); }, { metrics: new Set(['http_req_duration']) });
  xs.sort((a, b) => a - b);
  return xs[xs.length >> 1] as number;
}

test('stubbed then unstubbed: the stubbed latency reflects the stub delay, the unstubbed phase reaches the real dependency', async () => {
  const legal = await startTinyTarget(0, 0);
  const p = await relayProject(legal.port);
  const lines: string[] = [];
  try {
    const hitsBefore = legal.hits();
    const outcome = await runCampaign({ model: p.model, campaignFile: p.campaign, reportsDir: p.reports, phases: ['stubbed', 'unstubbed'], quiet: true, log: (l) => lines.push(l) });
    assert.equal(outcome.exitCode, 0, lines.join('\n'));
    assert.equal(outcome.dir, join(p.reports, 'relay-app', 'iteration-1'));
    const record = readCampaignRecord(outcome.dir);
    assert.equal(record.status, 'passed');
    assert.deepEqual(record.phases.map((x) => [x.phase, x.status, x.stubbed.join('+')]), [['stubbed', 'passed', 'legal+ticketing'], ['unstubbed', 'passed', 'ticketing']]);

    const stubbedRun = join(outcome.dir, 'stubbed');
    const unstubbedRun = join(outcome.dir, 'unstubbed');
    const meta = readRunMeta(stubbedRun);
    assert.equal(meta.phase, 'stubbed');
    assert.equal(meta.iteration, 1);
    assert.equal(meta.campaign, record.campaignId);
    assert.deepEqual(meta.targetsVersions.app, { status: 'ok', service: 'relay', version: '1.2.3' }, 'versions recorded from /health');

    // Stubbed: legal answers after a lognormal 200 ms; the relay adds little of its own.
    const stubbed = await medianLatency(stubbedRun, 'hello');
    const unstubbed = await medianLatency(unstubbedRun, 'hello');
    assert.ok(Math.abs(stubbed - unstubbed - 200) <= 20, `stubbed median ${stubbed.toFixed(1)} ms − unstubbed median ${unstubbed.toFixed(1)} ms should be the 200 ms stub delay ±10%`);

    // Unstubbed: the real legal got the traffic, the legal stub none; ticketing stayed stubbed.
    const [legalStub, ticketingStubbed] = record.phases[0]?.stubs ?? [];
    assert.equal(legalStub?.stubSet, 'legal');
    assert.ok((legalStub?.requests ?? 0) >= 70, `legal stub served ${legalStub?.requests} requests in the stubbed phase`);
    assert.equal(ticketingStubbed?.requests, legalStub?.requests);
    const unstubbedStubs = record.phases[1]?.stubs ?? [];
    assert.deepEqual(unstubbedStubs.map((v) => v.stubSet), ['ticketing']);
    const realCalls = legal.hits() - hitsBefore;
    assert.ok(realCalls >= 70 && realCalls === unstubbedStubs[0]?.requests, `real legal got ${realCalls} calls, ticketing stub ${unstubbedStubs[0]?.requests}`);
    assert.ok(existsSync(join(unstubbedRun, 'stubs.json')));
    for (const ph of record.phases) assert.ok((ph.overheadMs ?? 1e9) < 15_000, `${ph.phase} overhead ${ph.overheadMs} ms`);
    assert.equal(liveChildren().length, 0, 'stubs and target stopped');

    // The next campaign is iteration 2, automatically; this one with `campaign --dashboard` (k6's web dashboard
    // during the phase, its HTML export in the phase's folder) and progress lines from the plan.
    const dashboardPort = await freePort();
    const progressLines: string[] = [];
    const again = await runCampaign({
      model: p.model, campaignFile: p.campaign, reportsDir: p.reports, phases: ['unstubbed'], quiet: true, log: () => {},
      runHooks: { k6Outputs: { dashboardPort, outputs: [] } },
      progress: (plan) => startProgress(plan, true, (l) => progressLines.push(l)),
    });
    assert.equal(again.record.iteration, 2);
    assert.match(readFileSync(join(again.dir, 'unstubbed', DASHBOARD_FILE), 'utf8').slice(0, 2000), /<html/i);
    assert.equal(progressLines.length, 1, progressLines.join('\n'));
    assert.match(progressLines[0] as string, /^perfcell: campaign 1\/1 · phase unstubbed \(profile \w+\) · 0:00 elapsed · about \d+:\d\d left \(ETA \d\d:\d\d:\d\d UTC\)$/);
  } finally {
    await legal.close();
    p.remove();
  }
});

test('a request no mapping matches is reported, marks the phase a defect and stops the campaign, keeping what was recorded', async () => {
  const legal = await startTinyTarget(0, 0);
  const p = await relayProject(legal.port);
  try {
    const model = readFileSync(p.model, 'utf8').replace('scenario: scenarios/relay.ts#hello', 'scenario: scenarios/relay.ts#helloExtra');
    (await import('node:fs')).writeFileSync(p.model, model);
    const lines: string[] = [];
    const outcome = await runCampaign({ model: p.model, campaignFile: p.campaign, reportsDir: p.reports, phases: ['stubbed', 'unstubbed'], quiet: true, log: (l) => lines.push(l) });
    assert.equal(outcome.exitCode, 4);
    const record = readCampaignRecord(outcome.dir);
    assert.equal(record.status, 'failed');
    assert.deepEqual(record.phases.map((x) => x.status), ['defect', 'skipped']);
    assert.match(record.reason ?? '', /phase stubbed defect: \d+ request\(s\) to stubs matched no mapping/);
    const ticketing = record.phases[0]?.stubs.find((v) => v.stubSet === 'ticketing');
    assert.equal(ticketing?.unmatched[0]?.method, 'POST');
    assert.equal(ticketing?.unmatched[0]?.url, '/api/v2/tickets/unknown');
    assert.deepEqual(ticketing?.unused.map((u) => u.label), ['create ticket']);
    const meta = readRunMeta(join(outcome.dir, 'stubbed'));
    // A number in run.json (the calls themselves are in stubs.json), no longer a flag string.
    assert.ok((meta.unmatchedStubRequests ?? 0) > 0, JSON.stringify(meta.unmatchedStubRequests));
    assert.ok(!meta.flags.some((f) => f.startsWith('unmatched-stub-requests')), meta.flags.join(','));
    assert.ok(lines.some((l) => l.includes('UNMATCHED')), 'shown in the output');
    // The iteration report lists the call from the run folder's stubs.json and flags the phase's figures.
    const data = await buildReportData(outcome.dir);
    const flagged = meta.unmatchedStubRequests;
    assert.equal(data.recommendations.find((r) => r.ruleId === 'stubs-incomplete')?.evidence.numbers.unmatchedRequests, flagged);
    assert.equal(data.verdict.caveats.length, 1);
    const block = viewModel(data, 'en').phases.find((ph) => ph.phase === 'stubbed')?.unmatchedStubs;
    const server = block?.servers.find((s) => s.title.startsWith('Stub server ticketing '));
    assert.equal(server?.rows[0]?.slice(0, 2).join(' '), 'POST /api/v2/tickets/unknown');
  } finally {
    await legal.close();
    p.remove();
  }
});

test('bad input is refused before anything starts: missing stub set, unknown profile, forbidden environment', async () => {
  const p = await relayProject(1);
  try {
    renameSync(join(p.dir, 'stubs', 'legal'), join(p.dir, 'stubs', 'legal-old'));
    await assert.rejects(runCampaign({ model: p.model, campaignFile: p.campaign, reportsDir: p.reports, quiet: true, log: () => {}, phases: ['stubbed'] }), /stubs\/legal: mappings: a stub set folder with mappings\/ \(stub sets here: legal-old, ticketing\)/);
    renameSync(join(p.dir, 'stubs', 'legal-old'), join(p.dir, 'stubs', 'legal'));
    await assert.rejects(runCampaign({ model: p.model, campaignFile: p.campaign, reportsDir: p.reports, quiet: true, log: () => {}, profile: 'nope' }), /profiles: a profile named "nope"/);
    await assert.rejects(runCampaign({ model: p.model, campaignFile: p.campaign, reportsDir: p.reports, quiet: true, log: () => {} }), /campaign\.yaml: phases\.e2e\.profile: a profile for this phase, or --profile/);
    const fs = await import('node:fs');
    fs.writeFileSync(p.model, fs.readFileSync(p.model, 'utf8').replace('loadTesting: allowed', 'loadTesting: forbidden'));
    await assert.rejects(runCampaign({ model: p.model, campaignFile: p.campaign, reportsDir: p.reports, quiet: true, log: () => {}, phases: ['stubbed', 'unstubbed'] }), /environments\.local\.loadTesting: "allowed" before perfcell sends load there/);
    assert.equal(existsSync(p.reports), false, 'no iteration folder');
    assert.equal(liveChildren().length, 0, 'nothing started');
  } finally {
    p.remove();
  }
});
