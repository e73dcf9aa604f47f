/**
 * How long seeding takes on PostgreSQL (the issue asks for 100 000 persons in well under a minute): a fresh
 * database, the target started on it, `seedSut`, the time printed, the database dropped.
 *
 *   node --import tsx sut/bench/seed-100k.ts [--persons 100000]
 */
import { randomBytes } from 'node:crypto';
import { startSut } from '../start.js';
import { seedSut } from '../seed.js';
import { NO_TRAPS } from '../lib/traps.js';
import { ANY_PORTS, pgAdmin } from '../test/support.js';

const i = process.argv.indexOf('--persons');
const persons = i >= 0 ? Number(process.argv[i + 1]) : 100_000;
const database = `sut_seedbench_${randomBytes(3).toString('hex')}`;

await pgAdmin(`CREATE DATABASE ${database}`);
const sut = await startSut({ databaseUrl: `postgres://postgres@127.0.0.1:5432/${database}`, ports: ANY_PORTS, traps: NO_TRAPS, only: ['grc', 'customer-service', 'legal', 'sales', 'billing'], dependencyUrls: { ticketing: 'http://127.0.0.1:9' }, healthTimeoutMs: 0 });
try {
  const r = await seedSut(sut.urls, { persons, seed: 'bench' });
  process.stdout.write(`${persons} persons seeded on PostgreSQL in ${(r.durationMs / 1000).toFixed(1)} s\n${JSON.stringify(r.rows)}\n`);
} finally {
  await sut.stop();
  await pgAdmin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
}
