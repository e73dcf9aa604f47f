/**
 * `npm run bench -- data`: perfcell data extract (extract + mask + load, leak check included) against a
 * plain `pg_dump --data-only | psql` of the same subset, in the same run, on a skewed "production"
 * database (test/support/data-skew.ts); then the extract's peak memory (RSS, /usr/bin/time) for subsets
 * of about 10 k, 100 k and 1 M rows, which should stay flat (streaming, fixed-size Bloom filter).
 * PERFCELL_BENCH_DATA_PERSONS sets the customer count (default 100 000 ≈ 5 M rows in all; a kept source,
 * PERFCELL_BENCH_DATA_KEEP_PROD=1, keeps the count it was seeded with).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BenchResult, median, run } from './harness.js';
import { admin, createProductionDb, createSchema, dbUrl, query } from '../test/support/data-skew.js';
import { classifyDatabase } from '../src/data/classify-db.js';

const SECRET = 'bench-secret-0123456789abcdef';
/** Database names start with this (PERFCELL_BENCH_DATA_DB_PREFIX): two checkouts can bench side by side. */
const DB = process.env.PERFCELL_BENCH_DATA_DB_PREFIX ?? 'perfcell_i18_bench';
const PROD = `${DB}_prod`;
const DST = `${DB}_dst`;
const PLAIN = `${DB}_plain`;
const REPEATS = 3;
/** Subset percentages giving about 10 k, 100 k and 1 M rows out of ≈ 5 M at 100 000 customers. */
const MEMORY_SUBSETS = [0.2, 2, 20];

/** A folder for the CPU profile (`node --cpu-prof`) of one more extract, run before the measured ones and not counted (PERFCELL_BENCH_DATA_CPU_PROF). */
const CPU_PROF = process.env.PERFCELL_BENCH_DATA_CPU_PROF;
const KEEP_PROD = process.env.PERFCELL_BENCH_DATA_KEEP_PROD === '1';

const cli = (args: string[], profile = false) =>
  run('/usr/bin/time', ['-f', 'maxrss_kb=%M', process.execPath, ...(profile && CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', CPU_PROF] : []), 'bin/perfcell.js', 'data', ...args], { PERFCELL_MASKING_SECRET: SECRET });

async function totalRows(url: string): Promise<number> {
  const r = await query<{ n: string }>(url, "SELECT sum(n_live_tup)::bigint AS n FROM pg_stat_user_tables");
  return Number(r[0]?.n ?? 0);
}

async function freshSchema(name: string): Promise<void> {
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${name}`);
  await createSchema(name);
}

export async function benchData(): Promise<BenchResult[]> {
  const persons = Number(process.env.PERFCELL_BENCH_DATA_PERSONS ?? 100_000);
  const work = mkdtempSync(join(tmpdir(), 'perfcell-bench-data-'));
  const rules = join(work, 'masking.yaml');
  try {
    // PERFCELL_BENCH_DATA_KEEP_PROD=1 keeps the seeded source (≈ 90 s to seed at 100 000) for the next run, which reuses it.
    const exists = (await query<{ n: string }>(dbUrl('postgres'), 'SELECT count(*) AS n FROM pg_database WHERE datname = $1', [PROD]))[0]?.n === '1';
    if (!(KEEP_PROD && exists)) await createProductionDb(PROD, persons);
    await classifyDatabase(dbUrl(PROD), rules);
    const oursRate: number[] = [];
    const plainRate: number[] = [];
    let rows = 0;
    if (CPU_PROF) {
      await freshSchema(DST);
      const r = await cli(['extract', '--from', dbUrl(PROD), '--rules', rules, '--subset', 'grc.persons:5%', '--to', dbUrl(DST), '--audit', join(work, 'audit.json')], true);
      process.stderr.write(`data extract profiled into ${CPU_PROF}: ${(r.ms / 1000).toFixed(2)} s, exit ${r.code}\n`);
    }
    for (let i = 0; i < REPEATS; i++) {
      await freshSchema(DST);
      const r = await cli(['extract', '--from', dbUrl(PROD), '--rules', rules, '--subset', 'grc.persons:5%', '--to', dbUrl(DST), '--audit', join(work, 'audit.json')]);
      if (r.code !== 0) throw new Error(`extract failed: ${r.stderr}`);
      // The extract's own phase lines (subset, originals filter, each table, leak check): where the time goes.
      process.stderr.write(`data extract ${i + 1}/${REPEATS}: ${(r.ms / 1000).toFixed(2)} s\n${r.stderr.split('\n').filter((l) => / in \d+ ms/.test(l)).map((l) => `  ${l.trim()}`).join('\n')}\n`);
      const audit = JSON.parse(readFileSync(join(work, 'audit.json'), 'utf8')) as { tables: { rows: number }[] };
      rows = audit.tables.reduce((n, t) => n + t.rows, 0);
      oursRate.push(rows / (r.ms / 1000));
      // Baseline: the same rows (the subset just loaded) dumped and restored by PostgreSQL's own tools.
      await freshSchema(PLAIN);
      const p = await run('bash', ['-o', 'pipefail', '-c', `pg_dump --data-only --no-owner -h 127.0.0.1 -U postgres ${DST} | psql -q -h 127.0.0.1 -U postgres ${PLAIN} >/dev/null`]);
      if (p.code !== 0) throw new Error(`pg_dump | psql failed: ${p.stderr}`);
      process.stderr.write(`pg_dump | psql ${i + 1}/${REPEATS}: ${(p.ms / 1000).toFixed(2)} s for ${rows} rows\n`);
      plainRate.push(rows / (p.ms / 1000));
    }
    const memory: number[] = [];
    const sizes: number[] = [];
    for (const pct of MEMORY_SUBSETS) {
      await freshSchema(DST);
      const r = await cli(['extract', '--from', dbUrl(PROD), '--rules', rules, '--subset', `grc.persons:${pct}%`, '--to', dbUrl(DST), '--audit', join(work, 'audit-mem.json')]);
      if (r.code !== 0) throw new Error(`extract failed: ${r.stderr}`);
      memory.push(Number(/maxrss_kb=(\d+)/.exec(r.stderr)?.[1] ?? 0) / 1024);
      sizes.push(await totalRows(dbUrl(DST)));
    }
    writeFileSync(join(work, 'done'), '');
    return [
      {
        name: 'data-extract-rate',
        command: `perfcell data extract --subset grc.persons:5% --to (${rows} rows, masked, leak check) on ${persons} customers; baseline: pg_dump --data-only | psql of the same rows`,
        unit: 'rows/s',
        median: median(oursRate),
        samples: oursRate,
        baseline: { name: 'pg_dump | psql', median: median(plainRate), samples: plainRate },
        ratio: median(oursRate) / median(plainRate),
        target: '≥ 0.3',
      },
      {
        name: 'data-extract-peak-memory',
        command: `perfcell data extract peak RSS for subsets of ${sizes.join(', ')} rows (${MEMORY_SUBSETS.join('%, ')}%)`,
        unit: 'MiB',
        median: median(memory),
        samples: memory,
        ratio: (memory[memory.length - 1] as number) / (memory[0] as number),
        target: 'flat: largest / smallest ≤ 1.5',
      },
    ];
  } finally {
    for (const d of KEEP_PROD ? [DST, PLAIN] : [PROD, DST, PLAIN]) await admin(`DROP DATABASE IF EXISTS ${d} WITH (FORCE)`);
    rmSync(work, { recursive: true, force: true });
  }
}
