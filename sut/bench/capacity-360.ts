/**
 * The "Figures" bench of sut/README.md: the maximum sustainable rate of the 360° view (p95 < 300 ms,
 * errors < 0.5%, no dropped iteration, the offered rate achieved) for each mode and trap, found by one run
 * of perfcell's stress profile (open model, one step per rate) and perfcell's own capacity analysis (the
 * knee). For the lead to run alone on a quiet machine; try it on a tiny setting first:
 *
 *   node --import tsx sut/bench/capacity-360.ts --modes embedded --traps none --rates 5,10 --step 3s
 *   node --import tsx sut/bench/capacity-360.ts                      # everything: takes about an hour
 *
 * Options: --modes embedded,postgres  --traps none,n-plus-one,missing-index,sequential-360,leak,slowdown-10,slowdown-25
 *          --rates 10,20,40,…  --step 30s  --persons 20000  --out file.json
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { PROJECT_ROOT } from '../../src/k6/locate.js';
import { analyzeRun } from '../../src/analysis/analyze.js';
import { executeRun } from '../../src/run/execute.js';
import { startSut } from '../start.js';
import { SEEDED_SERVICES, seedSut } from '../seed.js';
import { deleteAmqpObjects } from '../lib/bus.js';
import { NO_TRAPS, type Traps } from '../lib/traps.js';
import { ANY_PORTS, pgAdmin } from '../test/support.js';
import { withRunHooks } from '../../src/side-channels/defaults.js';

const TRAPS: Record<string, Partial<Traps>> = {
  none: {},
  'n-plus-one': { nPlusOne: true }, // the 360° view's billing section is the history's first page
  'missing-index': { missingIndex: true },
  'sequential-360': { sequential360: true },
  leak: { leak: true },
  'slowdown-10': { slowdownPct: 10 },
  'slowdown-25': { slowdownPct: 25 },
};
const SLO = { p95Ms: 300, maxErrorRate: 0.005 };

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? (process.argv[i + 1] as string) : fallback;
}

const modes = arg('modes', 'embedded,postgres').split(',');
const traps = arg('traps', Object.keys(TRAPS).join(',')).split(',');
const rates = arg('rates', '10,20,40,60,80,100,120,160,200,240,320').split(',').map(Number);
const step = arg('step', '30s');
const persons = Number(arg('persons', '20000'));
const work = join(PROJECT_ROOT, '.perfcell', 'bench-360');
mkdirSync(work, { recursive: true });

interface Step { rate: number; achieved: number; p95Ms: number | undefined; errorRate: number | undefined; dropped: number; ok: boolean }
const results: { mode: string; trap: string; maxSustainable: number | null; kneeReason: string | null; uslPeakPerSec: number | null; steps: Step[] }[] = [];

for (const mode of modes) {
  for (const trap of traps) {
    const suffix = randomBytes(3).toString('hex');
    const database = `sut_bench_${suffix}`;
    const exchange = `sut.bench.${suffix}`;
    if (mode === 'postgres') await pgAdmin(`CREATE DATABASE ${database}`);
    const sut = await startSut({
      ports: ANY_PORTS,
      traps: { ...NO_TRAPS, ...TRAPS[trap] },
      ...(mode === 'postgres' ? { databaseUrl: `postgres://postgres@127.0.0.1:5432/${database}`, amqpUrl: 'amqp://guest:guest@127.0.0.1:5672', exchange } : {}),
    });
    const steps: Step[] = [];
    let knee: { reason: string | null; usl: number | null } | undefined;
    try {
      await seedSut(sut.urls, { persons, seed: 'bench', dataDir: join(work, 'data') });
      // One run of perfcell's stress profile: peak = 1 request/s, so each step's multiplier is its rate; the
      // analysis finds the knee (rate not achieved, dropped iterations, p95 over the SLO) as for any user.
      const model = join(work, 'capacity-360.yaml');
      writeFileSync(model, [
        'service: sut-capacity-360',
        'environments:',
        '  local: { loadTesting: allowed, targets: { grc: "http://127.0.0.1:8080" } }',
        `data: { persons: .perfcell/bench-360/data/persons.csv }`,
        'transactions:',
        '  - name: read-person-360',
        '    scenario: scenarios/grc/person.ts#readPerson360',
        '    peakPerHour: 3600',
        `    slo: { p95Ms: ${SLO.p95Ms}, maxErrorRate: ${SLO.maxErrorRate} }`,
        '    expectedResponseMs: 50',
        'profiles:',
        `  stress: { steps: [${rates.join(', ')}], stepDuration: ${step} }`,
        '',
      ].join('\n'));
      const outcome = await executeRun({ model, profile: 'stress', targetOverrides: sut.urls as Record<string, string>, quiet: true, out: join(work, 'runs', `${mode}-${trap}-${suffix}`), log: () => undefined, sideChannels: withRunHooks() });
      const capacity = (await analyzeRun(outcome.dir)).capacity.find((c) => c.transaction === 'read-person-360');
      if (!capacity) throw new Error(`${outcome.dir}: the analysis found no stress steps for read-person-360`);
      for (const [i, c] of capacity.steps.entries()) {
        const s: Step = { rate: c.offeredPerSec, achieved: c.achievedPerSec, p95Ms: c.p95Ms ?? undefined, errorRate: c.errorRate, dropped: c.dropped, ok: false };
        // The analysis's knee, and the SLO's error rate beside it.
        s.ok = (capacity.kneeStep === null || i < capacity.kneeStep) && c.errorRate < SLO.maxErrorRate && steps.every((x) => x.ok);
        steps.push(s);
        process.stderr.write(`${mode} ${trap} ${s.rate}/s: achieved ${s.achieved.toFixed(1)}/s, p95 ${s.p95Ms?.toFixed(1)} ms, errors ${((s.errorRate ?? 0) * 100).toFixed(2)}%, dropped ${s.dropped} → ${s.ok ? 'ok' : 'NOT sustainable'}\n`);
      }
      knee = { reason: capacity.kneeReason, usl: capacity.usl?.peakConcurrency !== null && capacity.usl ? capacity.usl.peakThroughputPerSec : null };
    } finally {
      await sut.stop();
      if (mode === 'postgres') {
        await pgAdmin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
        await deleteAmqpObjects('amqp://guest:guest@127.0.0.1:5672', exchange, SEEDED_SERVICES.map((n) => `${exchange}.${n}`)).catch(() => undefined);
      }
    }
    const ok = steps.filter((s) => s.ok);
    results.push({ mode, trap, maxSustainable: ok.length ? (ok[ok.length - 1] as Step).rate : null, kneeReason: knee?.reason ?? null, uslPeakPerSec: knee?.usl ?? null, steps });
  }
}

const p95At = (r: (typeof results)[number]) => r.steps.map((s) => `${s.p95Ms?.toFixed(0) ?? '–'}`).join(' / ');
process.stdout.write(`\n| mode | trap | max sustainable 360° rate (req/s) | knee | p95 (ms) at ${rates.join(' / ')} req/s |\n|---|---|---|---|---|\n`);
for (const r of results) process.stdout.write(`| ${r.mode} | ${r.trap} | ${r.maxSustainable ?? `< ${rates[0]}`}${r.steps.every((s) => s.ok) ? ' (highest rate tried)' : ''} | ${r.kneeReason ?? '–'} | ${p95At(r)} |\n`);
const out = arg('out', '');
if (out) writeFileSync(out, JSON.stringify({ persons, step, slo: SLO, results }, null, 2) + '\n');

