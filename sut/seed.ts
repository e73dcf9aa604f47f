/**
 * `perfcell sut seed`: every department seeds its own share of the same deterministic persons (POST
 * /admin/seed on each service, set-based inserts), then the data files for scenarios are written
 * (data/generated/persons.csv: ids, search terms, contract ids) from the same pure generator.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PerfcellError } from '../lib/errors.js';
import { SERVICES, type ServiceName } from './topology.js';
import { normalizeName, personAt } from './lib/french-data.js';

export const DEFAULT_SEED = 'lae-2026';
export const SEEDED_SERVICES: readonly ServiceName[] = (Object.keys(SERVICES) as ServiceName[]).filter((n) => SERVICES[n].schema);

export interface SeedResult {
  persons: number;
  seed: string;
  durationMs: number;
  rows: Partial<Record<ServiceName, Record<string, number>>>;
  files: string[];
}

const csvField = (v: string): string => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** The scenarios' data set: one line per person (id, names, a search term, the seeded contract). Pure. */
export function personsCsv(persons: number, seed: string): string {
  const lines = ['person_id,last_name,first_name,search,postcode,contract_id'];
  for (let i = 0; i < persons; i++) {
    const p = personAt(seed, i);
    const search = `${normalizeName(p.lastName)} ${normalizeName(p.firstName).slice(0, 3)}`;
    lines.push([p.id, p.lastName, p.firstName, search, p.postcode, p.contractId].map(csvField).join(','));
  }
  return lines.join('\n') + '\n';
}

/**
 * Seeds the services of `urls` that hold data (all of them, or a subset such as grc alone in a stubbed
 * phase: the same persons either way).
 */
export async function seedSut(urls: Partial<Record<ServiceName, string>>, o: { persons: number; seed?: string; dataDir?: string; timeoutMs?: number }): Promise<SeedResult> {
  const seed = o.seed ?? DEFAULT_SEED;
  const started = performance.now();
  const rows: SeedResult['rows'] = {};
  const targets = SEEDED_SERVICES.filter((name) => urls[name]);
  if (targets.length === 0) throw new PerfcellError(`cannot seed: none of ${SEEDED_SERVICES.join(', ')} is running (start them with \`perfcell sut start\`)`, 'environment');
  await Promise.all(
    targets.map(async (name) => {
      const url = urls[name] as string;
      let res: Response;
      try {
        res = await fetch(`${url}/admin/seed`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ persons: o.persons, seed }), signal: AbortSignal.timeout(o.timeoutMs ?? 600_000) });
      } catch (error) {
        throw new PerfcellError(`cannot seed ${name} at ${url}: ${error instanceof Error ? error.message : String(error)}`, 'environment');
      }
      const body = (await res.json().catch(() => ({}))) as { rows?: Record<string, number>; message?: string };
      if (res.status !== 200) throw new PerfcellError(`seeding ${name} failed: HTTP ${res.status} ${body.message ?? ''}`, 'environment');
      rows[name] = body.rows ?? {};
    }),
  );
  const files: string[] = [];
  if (o.dataDir) {
    mkdirSync(o.dataDir, { recursive: true });
    const file = join(o.dataDir, 'persons.csv');
    writeFileSync(file, personsCsv(o.persons, seed));
    files.push(file);
  }
  return { persons: o.persons, seed, durationMs: Math.round(performance.now() - started), rows, files };
}
