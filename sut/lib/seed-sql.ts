/** Set-based seeding: rows built in memory, inserted in batches with one INSERT … SELECT FROM unnest(…). */
import type { Db, SqlValue } from './db.js';
import { personAt, type SeedPerson } from './french-data.js';

export const SEED_BATCH = 5000;

/** Inserts rows (arrays in column order) with one statement per batch; columns are [name, SQL type]. */
export async function insertRows(db: Db, table: string, columns: readonly (readonly [string, string])[], rows: readonly (readonly SqlValue[])[]): Promise<void> {
  for (let start = 0; start < rows.length; start += SEED_BATCH) {
    const batch = rows.slice(start, start + SEED_BATCH);
    const arrays = columns.map((_, c) => batch.map((r) => r[c] as string | number | boolean | null));
    const sql = `INSERT INTO ${table} (${columns.map(([n]) => n).join(', ')}) SELECT * FROM unnest(${columns.map(([, t], i) => `$${i + 1}::${t}[]`).join(', ')})`;
    await db.query(sql, arrays);
  }
}

/** Persons 0..n-1 of `seed`, in batches, so that 100 000 persons never sit in memory at once with their rows. */
export async function forEachPersonBatch(n: number, seed: string, fn: (persons: SeedPerson[]) => Promise<void>): Promise<void> {
  for (let start = 0; start < n; start += SEED_BATCH) {
    const persons: SeedPerson[] = [];
    for (let i = start; i < Math.min(n, start + SEED_BATCH); i++) persons.push(personAt(seed, i));
    await fn(persons);
  }
}

export async function countRows(db: Db, table: string): Promise<number> {
  const [r] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return r?.n ?? 0;
}
