/**
 * A closed-model (VU) profile run for real (issue 16: VUs sized from sessions): k6's constant-vus against a
 * small local target made slower than the model expects. The users' rate falls as Little's law says —
 * an outcome, not a failure — and the analysis offers no rate to compare it with, so no rule calls it a
 * throughput limit (the same figures with the plan's rate as an offered rate would).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { analyzeRun } from '../../src/analysis/analyze.js';
import { runRules } from '../../src/rules/catalogue.js';
import { readRunMeta } from '../../src/store/folder.js';
import { startTinyTarget } from '../support/tiny-target.js';
import { runCli } from '../support/cli.js';

/** The target's delay: four times the 100 ms the model expects. */
const DELAY_MS = 400;
const MODEL = `service: closed-demo
environments:
  local: { loadTesting: allowed, targets: { app: "http://127.0.0.1:18080" } }
transactions:
  - name: greet
    scenario: scenarios/basic.ts#hello
    peakPerHour: 7200
    expectedResponseMs: 100
    slo: { p95Ms: 2000, maxErrorRate: 0.01 }
  - name: greet-again
    scenario: scenarios/basic.ts#hello
    peakPerHour: 3600
    expectedResponseMs: 100
    slo: { p95Ms: 2000, maxErrorRate: 0.01 }
profiles:
  users: { vus: 6, thinkTimeMs: 150, duration: 6s }   # 6 / (0.1 + 0.15) s = 24/s expected; 4 + 2 users
`;

test('a closed profile runs constant VUs; a slow target lowers the rate by Little\'s law, and no rule calls it a limit', { timeout: 60_000 }, async (t) => {
  const target = await startTinyTarget(0, DELAY_MS);
  const dir = mkdtempSync(join(tmpdir(), 'perfcell-closed-'));
  try {
    symlinkSync(resolve('test/fixtures/basic/scenarios'), join(dir, 'scenarios'));
    mkdirSync(join(dir, 'load-models'));
    const model = join(dir, 'load-models', 'closed.yaml');
    writeFileSync(model, MODEL);
    const out = join(dir, 'run');
    const r = await runCli(['run', model, '-p', 'users', '-q', '-t', `app=${target.url}`, '-o', out]);
    assert.equal(r.code, 0, r.stderr);
    const meta = readRunMeta(out);
    assert.deepEqual(meta.closedModel, { vus: 6, thinkTimeMs: 150 });
    const options = JSON.parse(readFileSync(join(out, 'options.json'), 'utf8')) as { scenarios: Record<string, { executor: string; vus: number }> };
    assert.deepEqual(Object.values(options.scenarios).map((s) => [s.executor, s.vus]), [['constant-vus', 4], ['constant-vus', 2]]);

    const a = await analyzeRun(out);
    const planned = meta.transactions.reduce((s, x) => s + x.peakRatePerSec, 0);
    t.diagnostic(`planned ${planned.toFixed(1)}/s at 100 ms; ran ${a.overall.ratePerSec.toFixed(2)}/s at ${DELAY_MS} ms; ${a.transactions.map((x) => `${x.name} ${x.requests} (${x.iterationMeanMs?.toFixed(0)} ms/iteration)`).join(', ')}`);
    assert.ok(Math.abs(planned - 24) < 0.1, `planned ${planned}/s`);
    assert.equal(a.overall.targetRatePerSec, null);
    assert.deepEqual(a.capacity, []);
    assert.ok(a.vus.max <= 6 && a.vus.max >= 5, `VUs ${a.vus.max}`);
    const users = { greet: 4, 'greet-again': 2 } as Record<string, number>;
    for (const x of a.transactions) {
      assert.equal(x.targetRatePerSec, null, `${x.name}: no offered rate in a closed-model run`);
      assert.equal(x.dropped, 0);
      // An iteration holds its user for the response (400 ms) and the pause (150 ms), plus k6's own time.
      const it = x.iterationMeanMs ?? 0;
      assert.ok(it >= DELAY_MS + 150 && it < DELAY_MS + 150 + 100, `${x.name}: ${it} ms per iteration`);
      // Little's law: rate = users / iteration time (10 %: the first and last iterations of 6 s).
      const little = (users[x.name] as number) / (it / 1000);
      assert.ok(Math.abs(x.ratePerSec - little) / little < 0.1, `${x.name}: ${x.ratePerSec}/s vs ${little}/s`);
    }
    // The users keep the mix (2 : 1) at any response time, and their rate fell to well under the plan's.
    const [g, ga] = a.transactions;
    assert.ok(Math.abs(g!.requests / (g!.requests + ga!.requests) - 2 / 3) < 0.05, `${g!.requests} : ${ga!.requests}`);
    assert.ok(a.overall.ratePerSec < 0.6 * planned, `${a.overall.ratePerSec}/s`);

    const ids = (analysis: typeof a) => runRules({ analysis, phases: [analysis], phaseComparison: [], previous: null }).map((x) => `${x.ruleId}:${x.severity}`);
    const found = ids(a);
    assert.ok(!found.some((x) => x.startsWith('throughput-limit') || x.startsWith('load-generator-overloaded')), found.join(', '));
    // The same figures read as an open-model run (the plan's rate offered) would be a critical limit.
    const asOpen = { ...a, transactions: a.transactions.map((x, i) => ({ ...x, targetRatePerSec: meta.transactions[i]!.peakRatePerSec })) };
    assert.ok(ids(asOpen).includes('throughput-limit:critical'), ids(asOpen).join(', '));
  } finally {
    await target.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
