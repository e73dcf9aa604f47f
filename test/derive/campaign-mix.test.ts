/**
 * Round trip, production → model → run (issue 16): a production-like log from the project's generator, with
 * a known peak hour and mix, → `model derive` → the derived model, reviewed as a user would (its scenario
 * exports already point to the reference target's scenarios; the test maps its targets to the reference
 * environment's names and names the data file) → a real stubbed campaign phase on the reference target at
 * the derived `peak` profile → the analysis per transaction shows the production mix.
 *
 * Scale: the generated production peaks at 398 requests an hour (0.13/s with the 15 % growth). Played as
 * is, 12 s would send 1 or 2 requests: too few to see a mix. The profile keeps the derived volumes and
 * multiplies the peak by SCALE, to ≈ 30 requests/s — what this 2-core machine sustains beside the reference
 * target, WireMock and k6 (the PR gate's profile runs 43/s here) — for 12 s: ≈ 360 requests.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse, stringify } from 'yaml';
import { analyzeRun } from '../../src/analysis/analyze.js';
import { referenceController } from '../../src/campaign/reference-target.js';
import { runCampaign } from '../../src/campaign/run-campaign.js';
import { deriveFigures, loadRoutes } from '../../src/derive/derive.js';
import { defaultSpec, generateLogFile } from '../../src/derive/generate-logs.js';
import { writeDraft } from '../../src/derive/write.js';
import { PROJECT_ROOT } from '../../src/k6/locate.js';
import { referenceProject } from '../campaign/support/reference.js';

/** One day of 2 000 business requests × its day factor 1.5: a busiest hour (9–10 am) of 398 requests. */
const SPEC = defaultSpec({ days: 1, perDay: 2000, seed: 16 });
const GROWTH = 0.15;
const SCALE = 240;
const DURATION = '12s';
/**
 * Iterations an open-model transaction may run beyond or short of rate × duration: k6 starts the first at
 * 0 s and cuts the arrivals at the end of the duration (a chosen bound, checked against counts of 6 to 125).
 */
const EDGE_ITERATIONS = 2;
/**
 * The mix tolerance: a run of n requests shows each share p within 3 binomial standard errors,
 * 3 × √(p(1 − p) / n), if the requests were drawn from the mix at random (a closed model, or production).
 * With n ≈ 360: ±7.5 points for a share of 34 %, ±2 points for 1.6 %. An arrival-rate run is
 * deterministic and sits well inside it; the per-transaction count check above is the tight one.
 */
const BINOMIAL_Z = 3;
/**
 * Arrivals k6 may drop while it starts a VU on a stall (a cold stub's first answers): 5 %, a chosen bound.
 * The mix is judged on the requests that ran.
 */
const MAX_DROPPED_SHARE = 0.05;

interface ModelDoc {
  headroom: number;
  environments?: unknown;
  data?: Record<string, string>;
  transactions: { name: string; peakPerHour: number; scenario: string; targets?: string[] }[];
  profiles: Record<string, unknown>;
}

test('a model derived from production logs, run at its peak profile, reproduces production\'s mix', { timeout: 90_000 }, async (t) => {
  const p = await referenceProject();
  try {
    const t0 = Date.now();
    const log = join(p.dir, 'access.log');
    const truth = await generateLogFile(log, SPEC);
    const figures = await deriveFigures({ files: [log], ...loadRoutes({ routes: 'test/fixtures/derive/grc.routes' }) });
    const peakTotal = [...truth.peak.values()].reduce((s, x) => s + x, 0);
    assert.equal(figures.peak.totalPerHour, peakTotal);
    const w = writeDraft(figures, { output: join(p.dir, 'load-models', 'grc-person.derived.yaml'), service: 'grc-person', growth: GROWTH, baseUrl: p.urls.grc as string, sources: [log], now: new Date() });
    assert.equal(w.skeleton, undefined, 'every derived transaction found its scenario export');

    // The review: targets named as the reference environment names them, the data file, and the peak profile scaled.
    const doc = parse(readFileSync(w.model, 'utf8')) as ModelDoc;
    const reference = parse(readFileSync(join(PROJECT_ROOT, 'load-models', 'grc-person.yaml'), 'utf8')) as ModelDoc;
    assert.equal(doc.headroom, GROWTH);
    for (const tx of doc.transactions) {
      assert.equal(tx.peakPerHour, truth.peak.get(tx.name), `${tx.name}: derived peak = generated peak`);
      assert.equal(tx.scenario, `scenarios/grc/person.ts#${tx.scenario.split('#')[1]}`);
      tx.targets = reference.transactions.find((r) => r.name === tx.name)?.targets;
    }
    delete doc.environments;
    doc.data = { persons: 'data/generated/persons.csv' };
    doc.profiles = { ...doc.profiles, 'peak-scaled': { multiplier: Number(((1 + doc.headroom) * SCALE).toFixed(6)), duration: DURATION } };
    writeFileSync(w.model, stringify(doc));
    const campaign = join(p.dir, 'campaign.yaml');
    writeFileSync(campaign, `target: { kind: reference, persons: 300 }
dependencies: [customer-service, legal, sales, billing]
stubHeapMb: 128
phases:
  stubbed: { profile: peak-scaled, environment: test }
`);

    const lines: string[] = [];
    const outcome = await runCampaign({ model: w.model, campaignFile: campaign, reportsDir: p.reports, phases: ['stubbed'], quiet: true, log: (l) => lines.push(l), referenceController });
    const phase = outcome.record.phases[0];
    // The derived SLOs are production's (p95 + 20 %): the stubbed target may break them; the mix is what counts here.
    assert.ok(phase && ['passed', 'slo-broken', 'inconclusive'].includes(phase.status), lines.join('\n'));
    const a = await analyzeRun(join(outcome.dir, 'stubbed'));
    t.diagnostic(`${((Date.now() - t0) / 1000).toFixed(1)} s; phase ${phase.status}; ${a.overall.requests} requests in ${a.durationSec} s`);

    const n = a.transactions.reduce((s, x) => s + x.requests, 0);
    assert.ok(n >= 300, `${n} requests`);
    for (const [name, generated] of truth.peak) {
      const x = a.transactions.find((y) => y.name === name);
      assert.ok(x, `${name} ran`);
      // The derived rate was offered: arrivals = rate × duration up to the edges, and (almost) all of them ran.
      const scheduled = (x.targetRatePerSec ?? 0) * a.durationSec;
      assert.ok(Math.abs(x.iterations + x.dropped - scheduled) <= EDGE_ITERATIONS, `${name}: ${x.iterations} iterations + ${x.dropped} dropped for ${x.targetRatePerSec}/s × ${a.durationSec} s`);
      assert.ok(x.dropped <= MAX_DROPPED_SHARE * scheduled, `${name}: ${x.dropped} iterations dropped of ${scheduled}`);
      // The mix: the run's share against production's share in its peak hour.
      const want = generated / peakTotal;
      const got = x.requests / n;
      const tol = BINOMIAL_Z * Math.sqrt((want * (1 - want)) / n);
      t.diagnostic(`${name}: production ${(100 * want).toFixed(1)} %, run ${(100 * got).toFixed(1)} % (${x.requests}) ± ${(100 * tol).toFixed(1)}`);
      assert.ok(Math.abs(got - want) <= tol, `${name}: run share ${got.toFixed(4)}, production ${want.toFixed(4)} ± ${tol.toFixed(4)}`);
    }
  } finally {
    p.remove();
  }
});
