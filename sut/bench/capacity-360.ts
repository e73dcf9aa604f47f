/**
 * The "Figures" bench of sut/README.md: the maximum sustainable rate of the 360° view (p95 < 300 ms,
 * errors < 0.5%, no dropped iteration, ≥ 95% of the target rate achieved) for each mode and trap, found by
 * constant-rate k6 runs of increasing rate (perfcell run, open model). For the lead to run alone on a quiet
 * machine; try it on a tiny setting first:
 *
 *   node --import tsx sut/bench/capacity-360.ts --modes embedded --traps none --rates 5,10 --step 3s
 *   node --import tsx sut/bench/capacity-360.ts                      # everything: takes about an hour
 *
 * Options: --modes embedded,postgres  --traps none,n-plus-one,missing-index,sequential-360,leak,slowdown-10,slowdown-25
 *          --rates 10,20,40,…  --step 30s  --persons 20000  --out file.json
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { PROJECT_ROOT } from '../../src/k6/locate.js';
import { executeRun } from '../../src/run/execute.js';
import { runFile } from '../../src/run/folder.js';
import type { K6SummaryExport } from '../../src/run/k6-summary.js';
import { startSut } from '../start.js';
import { SEEDED_SERVICES, seedSut } from '../seed.js';
import { deleteAmqpObjects } from '../lib/bus.js';
import { NO_TRAPS, type Traps } from '../lib/traps.js';
import { ANY_PORTS, pgAdmin } from '../test/support.js';

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
const results: { mode: string; trap: string; maxSustainable: number | null; steps: Step[] }[] = [];

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
    try {
      await seedSut(sut.urls, { persons, seed: 'bench', dataDir: join(work, 'data') });
      for (const rate of rates) {
        const model = join(work, 'capacity-360.yaml');
        writeFileSync(model, [
          'service: sut-capacity-360',
          'environments:',
          '  local: { loadTesting: allowed, targets: { grc: "http://127.0.0.1:8080" } }',
          `data: { persons: .perfcell/bench-360/data/persons.csv }`,
          'transactions:',
          '  - name: read-person-360',
          '    scenario: scenarios/grc/person.ts#readPerson360',
          `    peakPerHour: ${rate * 3600}`,
          `    slo: { p95Ms: ${SLO.p95Ms}, maxErrorRate: ${SLO.maxErrorRate} }`,
          '    expectedResponseMs: 50',
          'profiles:',
          `  step: { multiplier: 1, duration: ${step} }`,
          '',
        ].join('\n'));
        const outcome = await executeRun({ model, profile: 'step', targetOverrides: sut.urls as Record<string, string>, quiet: true, out: join(work, 'runs', `${mode}-${trap}-${rate}`), log: () => undefined });
        const summary = JSON.parse(readFileSync(runFile(outcome.dir, 'summary'), 'utf8')) as K6SummaryExport;
        const m = (n: string) => summary.metrics[`${n}{transaction:read-person-360}`] ?? {};
        const seconds = outcome.meta.plannedDurationMs / 1000;
        const requests = m('http_reqs').count ?? 0;
        const s: Step = { rate, achieved: requests / seconds, p95Ms: m('http_req_duration')['p(95)'], errorRate: m('http_req_failed').value, dropped: m('dropped_iterations').count ?? 0, ok: false };
        s.ok = s.p95Ms !== undefined && s.p95Ms < SLO.p95Ms && (s.errorRate ?? 1) < SLO.maxErrorRate && s.dropped === 0 && s.achieved >= 0.95 * rate;
        steps.push(s);
        process.stderr.write(`${mode} ${trap} ${rate}/s: p95 ${s.p95Ms?.toFixed(1)} ms, errors ${((s.errorRate ?? 0) * 100).toFixed(2)}%, dropped ${s.dropped} → ${s.ok ? 'ok' : 'NOT sustainable'}\n`);
        if (!s.ok) break;
      }
    } finally {
      await sut.stop();
      if (mode === 'postgres') {
        await pgAdmin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
        await deleteAmqpObjects('amqp://guest:guest@127.0.0.1:5672', exchange, SEEDED_SERVICES.map((n) => `${exchange}.${n}`)).catch(() => undefined);
      }
    }
    const ok = steps.filter((s) => s.ok);
    results.push({ mode, trap, maxSustainable: ok.length ? (ok[ok.length - 1] as Step).rate : null, steps });
  }
}

process.stdout.write('\n| mode | trap | max sustainable 360° rate (req/s) |\n|---|---|---|\n');
for (const r of results) process.stdout.write(`| ${r.mode} | ${r.trap} | ${r.maxSustainable ?? `< ${rates[0]}`}${r.steps.every((s) => s.ok) ? ' (highest rate tried)' : ''} |\n`);
const out = arg('out', '');
if (out) writeFileSync(out, JSON.stringify({ persons, step, slo: SLO, results }, null, 2) + '\n');

