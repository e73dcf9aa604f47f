/**
 * Round trip through a real run (issue 16): the reference target writes an nginx combined access log
 * (SUT_ACCESS_LOG) of a short stubbed phase — k6 at 2 searches/s and 4 reads/s for 15 s on grc alone —
 * and `model derive` reads it back. Per transaction, the derived count must equal the run's own analysis
 * (k6's http_reqs) up to the requests cut at the run's edges, and the derived mix the run's mix.
 * The target starts in this process (node --test runs each file in its own process), so the environment
 * variable set here reaches its access-log hook.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyzeRun } from '../../src/analysis/analyze.js';
import { referenceController } from '../../src/campaign/reference-target.js';
import { runCampaign } from '../../src/campaign/run-campaign.js';
import { deriveFigures, loadRoutes } from '../../src/derive/derive.js';
import { closeAccessLogs } from '../../sut/lib/access-log.js';
import { referenceProject, writeGrcStubbedCampaign } from '../campaign/support/reference.js';

/**
 * Requests a run may count that the target did not log, or the reverse, per transaction: k6 stops at the
 * phase's end with at most one request in flight per VU, and a request that timed out client-side may still
 * be logged. A chosen bound of 3 (a handful of VUs at these rates), checked against counts of 30 and 60.
 */
const EDGE_REQUESTS = 3;

test('a run\'s own access log derives back to the run\'s volumes and mix', { timeout: 90_000 }, async (t) => {
  const p = await referenceProject();
  const log = join(p.dir, '{service}.access.log');
  process.env.SUT_ACCESS_LOG = log;
  try {
    const campaign = writeGrcStubbedCampaign(p, { persons: 300, slo: { searchP95Ms: 500, readP95Ms: 500, maxErrorRate: 0.05 } });
    const lines: string[] = [];
    const t0 = Date.now();
    const outcome = await runCampaign({ model: p.model, campaignFile: campaign, reportsDir: p.reports, phases: ['stubbed'], quiet: true, log: (l) => lines.push(l), referenceController });
    await closeAccessLogs();
    const phase = outcome.record.phases[0];
    assert.ok(phase && (phase.status === 'passed' || phase.status === 'slo-broken'), lines.join('\n'));
    const a = await analyzeRun(join(outcome.dir, 'stubbed'));
    const file = log.replace('{service}', 'grc');
    assert.ok(existsSync(file), `no access log at ${file}`);
    const f = await deriveFigures({ files: [file], ...loadRoutes({ routes: 'test/fixtures/derive/grc.routes' }) });
    t.diagnostic(`campaign ${((Date.now() - t0) / 1000).toFixed(1)} s; ${f.read.lines} log lines, ${f.read.bad} unparseable`);
    assert.equal(f.read.bad, 0, f.read.badExamples.join('\n'));
    const ran = new Map(a.transactions.map((x) => [x.name, x.requests]));
    const derived = new Map(f.transactions.map((x) => [x.name, x.total]));
    t.diagnostic(`run: ${JSON.stringify([...ran])}; derived: ${JSON.stringify([...derived])}`);
    for (const name of ['search-person', 'read-person']) {
      const want = ran.get(name) ?? 0;
      const got = derived.get(name) ?? 0;
      assert.ok(want >= 20, `${name}: ${want} requests in the run`);
      assert.ok(Math.abs(got - want) <= EDGE_REQUESTS, `${name}: derived ${got}, run ${want}`);
    }
    // The mix: each share within what the edge requests can move it.
    const runTotal = (ran.get('search-person') ?? 0) + (ran.get('read-person') ?? 0);
    const share = f.transactions.find((x) => x.name === 'search-person')!.share;
    const runShare = (ran.get('search-person') ?? 0) / runTotal;
    assert.ok(Math.abs(share - runShare) <= (2 * EDGE_REQUESTS) / runTotal, `search share derived ${share.toFixed(3)}, run ${runShare.toFixed(3)}`);
    // Only the two transactions: the phase's other traffic (health checks of the campaign's readiness probes) is excluded.
    assert.deepEqual([...derived.keys()].sort(), ['read-person', 'search-person']);
  } finally {
    delete process.env.SUT_ACCESS_LOG;
    p.remove();
  }
});
