/** `gate --baseline <run> --candidate-run <run>`: two run folders judged without sending load. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGate } from '../../src/gate/gate.js';
import { fakeMeta, steadyRequests, writeFakeRun } from './fake-run.js';

const MODEL = 'test/gate/fixtures/gate.yaml'; // hello: slo { p95Ms: 100, maxErrorRate: 0.01 }

test("the candidate run's own stored SLOs are judged (its run.json is the truth), not the current model's", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'perfcell-gate-candidate-'));
  try {
    // Same latency both sides (no regression): 50–59 ms, p95 ≈ 59 ms, under the model's 100 ms SLO.
    const latency = (i: number) => 50 + (i % 10);
    const baseline = writeFakeRun(join(dir, 'baseline'), steadyRequests('hello', 8, 50, latency));
    const strict = fakeMeta().transactions.map((t) => ({ ...t, slo: { p95Ms: 40 } }));
    const candidate = writeFakeRun(join(dir, 'candidate'), steadyRequests('hello', 8, 50, latency), { runId: '20261125T120100Z-000002', transactions: strict });
    const outcome = await runGate({ model: MODEL, profile: 'single', baseline, candidateRun: candidate, out: join(dir, 'gate'), log: () => {} });
    const hello = outcome.verdict.transactions.find((t) => t.transaction === 'hello');
    assert.deepEqual(hello?.slo.map((c) => [c.slo, c.limit, c.broken]), [['p95Ms', 40, true]], 'the stored 40 ms objective, broken');
    assert.equal(outcome.verdict.status, 'slo-broken');

    // The same candidate folder stored with no SLO for the transaction: nothing to break.
    const lax = writeFakeRun(join(dir, 'lax'), steadyRequests('hello', 8, 50, latency), { runId: '20261125T120200Z-000003' });
    const passed = await runGate({ model: MODEL, profile: 'single', baseline, candidateRun: lax, out: join(dir, 'gate-lax'), log: () => {} });
    assert.deepEqual(passed.verdict.transactions.find((t) => t.transaction === 'hello')?.slo, []);
    assert.notEqual(passed.verdict.status, 'slo-broken');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
