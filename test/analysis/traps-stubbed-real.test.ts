/**
 * The missing index behind person search (SUT_TRAP_MISSING_INDEX), switched on in a real stubbed phase, is
 * named by slow-own-time on search-person: a campaign's stubbed phase (grc alone, its four departments
 * WireMock stubs, seeded with PERSONS customers and their prospects: a referential large enough that a
 * sequential scan costs), 15 s of searches and reads by key at a low rate (embedded PGlite runs every query
 * on the process's one thread: at 8 searches/s the scans delayed the reads by key to a 20 ms median as
 * well). Controls: the reads by key are not named; the same campaign without the trap names nothing.
 * The trap is read from the environment when the campaign starts the target in this process (node --test
 * runs each file in its own process).
 */

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyzeRun } from '../../src/analysis/analyze.js';
import { comparePhases } from '../../src/analysis/phases.js';
import { referenceController } from '../../src/campaign/reference-target.js';
import { runCampaign } from '../../src/campaign/run-campaign.js';
import { runRules } from '../../src/rules/catalogue.js';
import type { Recommendation } from '../../src/rules/types.js';
import { dbExecPerRequest, MIN_SERVER_DB_MS, PEER_RATIO } from '../../src/rules/slow-own-time.js';
import { injectorCpuMean, invalidBecause, measureValid } from '../support/valid-measurement.js';
import { prospectsFor } from '../../sut/services/grc.js';
import { referenceProject, writeGrcStubbedCampaign } from '../campaign/support/reference.js';

/**
 * 10 000 customers and 90 000 prospects: 100 000 rows to scan. Measured here (embedded, 2 shared cores):
 * grc started and seeded in 7.6 s, the whole campaign 31 s; with the trap search median 26 ms against 3.5 ms
 * for reads by key.
 */
const PERSONS = 10_000;

interface Phase {
  recs: Recommendation[];
  p50: (transaction: string) => number;
  seconds: number;
  cpu: number | null;
  /** grc's database execution per request, by route ("GET /persons/{}": ms). */
  dbExec: string;
}

/** One stubbed-phase campaign of searches and reads by key, the missing-index trap on or off. */
async function stubbedPhase(trap: boolean): Promise<Phase> {
  if (trap) process.env.SUT_TRAP_MISSING_INDEX = '1';
  else delete process.env.SUT_TRAP_MISSING_INDEX;
  const p = await referenceProject({ persons: PERSONS });
  try {
    // The campaign's model: the service's searches and reads by key, both served by grc alone.
    const campaign = writeGrcStubbedCampaign(p, { persons: PERSONS, slo: { searchP95Ms: 200, readP95Ms: 100, maxErrorRate: 0.005 } });
    const lines: string[] = [];
    const t0 = Date.now();
    const outcome = await runCampaign({ model: p.model, campaignFile: campaign, reportsDir: p.reports, phases: ['stubbed'], quiet: true, log: (l) => lines.push(l), referenceController });
    const phase = outcome.record.phases[0];
    assert.ok(phase && (phase.status === 'passed' || phase.status === 'slo-broken'), lines.join('\n'));
    assert.deepEqual([...phase.stubbed].sort(), ['billing', 'customer-service', 'legal', 'sales']);
    const a = await analyzeRun(join(outcome.dir, 'stubbed'));
    assert.equal(a.phase, 'stubbed');
    return {
      recs: runRules({ analysis: a, phases: [a], phaseComparison: comparePhases([a]), previous: null }),
      p50: (name) => a.transactions.find((x) => x.name === name)?.latencyMs?.p50 ?? NaN,
      seconds: (Date.now() - t0) / 1000,
      cpu: injectorCpuMean(a),
      dbExec: [...dbExecPerRequest(a.monitor, 'target:grc')].map(([k, v]) => `${k}: ${v.toFixed(2)} ms`).join(', '),
    };
  } finally {
    p.remove();
  }
}

const list = (recs: Recommendation[]) => recs.map((r) => `${r.ruleId}: ${r.text.en} ${JSON.stringify(r.evidence.numbers)}`).join('\n');

test('the missing index behind person search is named by slow-own-time in the stubbed phase', { timeout: 600_000 }, async (t) => {
  const trapped = await measureValid(() => stubbedPhase(true), (l) => t.diagnostic(l));
  assert.deepEqual(invalidBecause(trapped.recs), [], `no valid measurement in ${trapped.attempts} runs`);
  t.diagnostic(`campaign ${trapped.seconds.toFixed(1)} s (${trapped.attempts} run(s)); injector CPU ${trapped.cpu?.toFixed(0)} %; ${PERSONS + prospectsFor(PERSONS)} grc rows; p50 search ${trapped.p50('search-person').toFixed(1)} ms, read by key ${trapped.p50('read-person').toFixed(1)} ms`);
  const own = trapped.recs.filter((r) => r.ruleId === 'slow-own-time');
  t.diagnostic(list(own));
  t.diagnostic(`database execution per request: ${trapped.dbExec}`);
  assert.deepEqual(own.map((r) => r.transaction), ['search-person'], list(trapped.recs));
  // The evidence is the database's execution time per request of the search route, which queueing behind the
  // scans cannot inflate (the client medians can: reads by key queue behind the scans on a one-thread target).
  const n = own[0]!.evidence.numbers;
  const db = n.dbExecPerRequestMs!;
  const others = n.othersDbExecPerRequestMs!;
  t.diagnostic(`margin: search executes ${db.toFixed(2)} ms of queries a request, ${(db / MIN_SERVER_DB_MS).toFixed(1)}× the rule's ${MIN_SERVER_DB_MS} ms floor and ${(db / others).toFixed(1)}× the other routes' ${others.toFixed(2)} ms (rule: ${PEER_RATIO}×)`);
  assert.ok(db >= MIN_SERVER_DB_MS && db >= PEER_RATIO * others, JSON.stringify(n));
  assert.ok((n.dbQueryMeanMs ?? 0) > 0, JSON.stringify(n));
});

test('control: the same stubbed phase with the index names no slow own time', { timeout: 600_000 }, async (t) => {
  const normal = await measureValid(() => stubbedPhase(false), (l) => t.diagnostic(l));
  assert.deepEqual(invalidBecause(normal.recs), [], `no valid measurement in ${normal.attempts} runs`);
  t.diagnostic(`campaign ${normal.seconds.toFixed(1)} s (${normal.attempts} run(s)); injector CPU ${normal.cpu?.toFixed(0)} %; p50 search ${normal.p50('search-person').toFixed(1)} ms, read by key ${normal.p50('read-person').toFixed(1)} ms`);
  t.diagnostic(`database execution per request: ${normal.dbExec} (the rule's floor: ${MIN_SERVER_DB_MS} ms)`);
  assert.deepEqual(normal.recs.filter((r) => r.ruleId === 'slow-own-time'), [], list(normal.recs));
});
