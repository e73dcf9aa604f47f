/**
 * Figures of `perfcell run` (issue 2): its overhead on the smoke profile, and the request rate its bundle
 * achieves at the machine's maximum against a minimal hand-written k6 script (same executor, same target,
 * same run, measured alternately so that the machine's drift hits both).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTinyTarget } from '../test/support/tiny-target.js';
import { locateK6 } from '../src/k6/locate.js';
import { compared, run, type BenchResult } from './harness.js';
import { RUN_EXIT } from '../src/exit-codes.js';

/**
 * `perfcell run` exits with its verdict on its own folder: the max profile offers far more than 2 cores serve,
 * so its verdict is NO-GO (99) by design — a finished run either way. Any other code is a failure of the bench.
 */
const VERDICT_CODES: readonly number[] = [RUN_EXIT.passed, RUN_EXIT.sloBroken, RUN_EXIT.inconclusive];

const BIN = fileURLToPath(new URL('../bin/perfcell.js', import.meta.url));
const MODEL = fileURLToPath(new URL('./fixtures/load-models/max-rate.yaml', import.meta.url));

function requestsOf(summaryPath: string, key: string): number {
  const s = JSON.parse(readFileSync(summaryPath, 'utf8')) as { metrics: Record<string, { count?: number }> };
  return s.metrics[key]?.count ?? 0;
}

export async function benchRun(repeats = 4): Promise<BenchResult[]> {
  const k6 = locateK6();
  const target = await startTinyTarget();
  const dir = mkdtempSync(join(tmpdir(), 'perfcell-bench-run-'));
  try {
    // Minimal hand-written script: same executor and VUs, plain default function, same raw output.
    const script = join(dir, 'minimal.js');
    writeFileSync(script, `import http from 'k6/http';
export const options = { scenarios: { hello: { executor: 'constant-arrival-rate', rate: __ENV.RATE * 1, timeUnit: '1s', duration: __ENV.DURATION, preAllocatedVUs: 40, maxVUs: 40 } } };
export default function () { http.get('${target.url}/hello'); }
`);
    const overhead: number[] = [];
    const bareOverhead: number[] = [];
    const perfcellRate: number[] = [];
    const bareRate: number[] = [];
    const perfcellMax = async (i: number) => {
      const r = await run(process.execPath, [BIN, 'run', MODEL, '-p', 'max', '-q', '-t', `app=${target.url}`, '-o', join(dir, `max-${i}`)]);
      if (!VERDICT_CODES.includes(r.code ?? -1)) throw new Error(`perfcell run failed (exit ${r.code}): ${r.stderr}`);
      perfcellRate.push(requestsOf(join(dir, `max-${i}`, 'summary.json'), 'http_reqs{transaction:hello}') / 10);
    };
    const bareMax = async (i: number) => {
      const sum = join(dir, `bare-max-${i}.json`);
      // In its own session like perfcell's k6: the same CPU scheduling group for both sides (harness.ts run).
      await run(k6.path, ['run', '-q', '--no-usage-report', '--out', `csv=${join(dir, `bare-max-${i}.csv.gz`)}`, '--summary-export', sum, script], { RATE: '20000', DURATION: '10s' }, true);
      bareRate.push(requestsOf(sum, 'http_reqs') / 10);
    };
    for (let i = 0; i < repeats; i++) {
      let r = await run(process.execPath, [BIN, 'run', MODEL, '-p', 'smoke', '-q', '-t', `app=${target.url}`, '-o', join(dir, `smoke-${i}`)]);
      if (!VERDICT_CODES.includes(r.code ?? -1)) throw new Error(`perfcell run failed (exit ${r.code}): ${r.stderr}`);
      overhead.push(r.ms / 1000 - 5);
      r = await run(k6.path, ['run', '-q', '--no-usage-report', '--out', `csv=${join(dir, `bare-smoke-${i}.csv.gz`)}`, script], { RATE: '10', DURATION: '5s' });
      bareOverhead.push(r.ms / 1000 - 5);
      // Who goes first alternates: the target (in this process) and the machine drift between two runs, and the
      // run that always followed a smoke run would carry that drift alone.
      if (i % 2 === 0) { await perfcellMax(i); await bareMax(i); }
      else { await bareMax(i); await perfcellMax(i); }
    }
    return [
      compared(
        { name: 'run-overhead', unit: 's', target: '≤ 3 s', command: `perfcell run bench/fixtures/load-models/max-rate.yaml -p smoke (5 s of load), wall time − 5 s; baseline: k6 run of a minimal script, wall time − 5 s` },
        overhead,
        { name: 'bare k6 run', samples: bareOverhead },
      ),
      compared(
        { name: 'max-request-rate', unit: 'req/s', target: 'ratio ≥ 0.95', command: `perfcell run … -p max (20 000/s offered, 40 VUs, 10 s) vs k6 run of a minimal script (same executor, VUs, target, raw CSV output, own session as perfcell's k6), alternated, first one alternating` },
        perfcellRate,
        { name: 'minimal hand-written k6 script', samples: bareRate },
      ),
    ];
  } finally {
    await target.close();
  }
}
