/**
 * Figures of issue 4.
 * - stub-capacity: the highest rate a WireMock stub with a 20 ms lognormal delay (sigma 0.1) sustains
 *   before WireMock's own overhead adds more than 2 ms to the median, k6 arrival-rate steps against it;
 *   baseline: the same for a no-delay stub (its median must stay ≤ 2 ms).
 * - campaign-overhead: per phase of a three-phase campaign on the reference target (profile smoke, 10 s
 *   of load per phase), the wall time beyond the load's planned duration (campaign.json's overheadMs).
 * BENCH_STUB_RATES ("500,1000,…"), BENCH_STUB_STEP ("10s") and BENCH_STUB_WARMUP ("10s") shrink the first
 * for a quick try.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { locateK6 } from '../src/k6/locate.js';
import { loadStubSet } from '../src/stubs/stub-set.js';
import { startStubServer } from '../src/stubs/wiremock.js';
import { runCampaign } from '../src/campaign/run-campaign.js';
import { referenceController } from '../src/campaign/reference-target.js';
import { referenceProject } from '../test/campaign/support/reference.js';
import { median, run, type BenchResult } from './harness.js';

const RATES = (process.env.BENCH_STUB_RATES ?? '500,1000,2000,3000,4000,5000,6000,8000').split(',').map(Number);
const STEP = process.env.BENCH_STUB_STEP ?? '10s';
const DELAY_MS = 20;
const ALLOWED_MS = 2;

function stubSet(root: string, delayed: boolean): string {
  const dir = join(root, delayed ? 'delayed' : 'plain');
  mkdirSync(join(dir, 'mappings'), { recursive: true });
  writeFileSync(join(dir, 'mappings', 'hello.json'), JSON.stringify({
    request: { method: 'GET', urlPath: '/hello' },
    response: { status: 200, body: 'hello', ...(delayed ? { delayDistribution: { type: 'lognormal', median: DELAY_MS, sigma: 0.1 } } : {}) },
  }));
  return dir;
}

/** Median latency (ms) at each offered rate; stops after the first step past the allowance. */
async function medians(url: string, allowedMedianMs: number, dir: string, k6: string): Promise<{ rate: number; med: number; achieved: number }[]> {
  const script = join(dir, 'step.js');
  writeFileSync(script, `import http from 'k6/http';
export const options = { discardResponseBodies: true, scenarios: { s: { executor: 'constant-arrival-rate', rate: __ENV.RATE * 1, timeUnit: '1s', duration: __ENV.STEP, preAllocatedVUs: Math.ceil(__ENV.RATE / 20), maxVUs: Math.ceil(__ENV.RATE / 5) } } };
export default function () { http.get('${url}/hello'); }
`);
  const out: { rate: number; med: number; achieved: number }[] = [];
  // A cold JVM answers late for its first seconds (JIT): warm it at the first rate, not counted.
  await run(k6, ['run', '-q', '--no-usage-report', script], { RATE: String(RATES[0]), STEP: process.env.BENCH_STUB_WARMUP ?? '10s' });
  for (const rate of RATES) {
    const summary = join(dir, `summary-${rate}.json`);
    await run(k6, ['run', '-q', '--no-usage-report', '--summary-export', summary, script], { RATE: String(rate), STEP });
    const m = (JSON.parse(readFileSync(summary, 'utf8')) as { metrics: Record<string, Record<string, number>> }).metrics;
    const med = m.http_req_duration?.med ?? Number.NaN;
    const seconds = Number.parseFloat(STEP);
    out.push({ rate, med, achieved: (m.http_reqs?.count ?? 0) / seconds });
    if (!(med <= allowedMedianMs)) break;
  }
  return out;
}

/** The highest offered rate whose median stayed within the allowance and whose rate was achieved (≥ 98 %). */
function capacity(steps: { rate: number; med: number; achieved: number }[], allowedMedianMs: number): number {
  return Math.max(0, ...steps.filter((s) => s.med <= allowedMedianMs && s.achieved >= 0.98 * s.rate).map((s) => s.rate));
}

export async function benchStubCapacity(): Promise<BenchResult[]> {
  const k6 = locateK6().path;
  const dir = mkdtempSync(join(tmpdir(), 'perfcell-bench-stubs-'));
  try {
    const results: Record<'plain' | 'delayed', { rate: number; med: number; achieved: number }[]> = { plain: [], delayed: [] };
    for (const delayed of [false, true]) {
      const root = stubSet(dir, delayed);
      const server = await startStubServer(loadStubSet(join(root, '..'), delayed ? 'delayed' : 'plain'), { heapMb: 512 });
      try {
        results[delayed ? 'delayed' : 'plain'] = await medians(server.url, delayed ? DELAY_MS + ALLOWED_MS : ALLOWED_MS, dir, k6);
      } finally {
        await server.stop();
      }
    }
    const fmt = (steps: { rate: number; med: number; achieved: number }[]) => steps.map((s) => `${s.rate}/s→p50 ${s.med.toFixed(1)} ms (${s.achieved.toFixed(0)}/s)`).join('; ');
    const delayedCap = capacity(results.delayed, DELAY_MS + ALLOWED_MS);
    const plainCap = capacity(results.plain, ALLOWED_MS);
    return [{
      name: 'stub-capacity',
      command: `WireMock ${'3.13.2'} (async responses, 50 threads, 512 MB), k6 constant-arrival-rate steps of ${STEP} at ${RATES.join(', ')}/s; capacity = highest rate with median ≤ ${DELAY_MS}+${ALLOWED_MS} ms (lognormal ${DELAY_MS} ms, sigma 0.1); baseline: no-delay stub, median ≤ ${ALLOWED_MS} ms`,
      unit: 'req/s',
      median: delayedCap,
      samples: results.delayed.map((s) => s.med),
      baseline: { name: 'no-delay stub', median: plainCap, samples: results.plain.map((s) => s.med) },
      ratio: plainCap > 0 ? delayedCap / plainCap : undefined,
      notes: `delayed: ${fmt(results.delayed)} | no delay: ${fmt(results.plain)}`,
    }];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchCampaignOverhead(): Promise<BenchResult[]> {
  const p = await referenceProject({ persons: 300 });
  try {
    const outcome = await runCampaign({ model: p.model, reportsDir: p.reports, quiet: true, log: () => {}, referenceController });
    const overhead = outcome.record.phases.map((ph) => (ph.overheadMs ?? Number.NaN) / 1000);
    return [{
      name: 'campaign-overhead',
      command: 'perfcell campaign load-models/grc-person.yaml (stubbed, unstubbed, e2e; profile smoke, 10 s each) on the reference target embedded; per phase wall time − planned load duration',
      unit: 's',
      median: median(overhead),
      samples: overhead,
      target: '≤ 10 s per phase',
      notes: outcome.record.phases.map((ph) => `${ph.phase} ${ph.status} ${((ph.overheadMs ?? 0) / 1000).toFixed(1)} s`).join(', '),
    }];
  } finally {
    p.remove();
  }
}
