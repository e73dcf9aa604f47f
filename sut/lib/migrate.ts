/** Migrations: one idempotent SQL file per department schema, the same for PostgreSQL and PGlite. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Db } from './db.js';

const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations/', import.meta.url));

export function migrationSql(schema: string): string {
  return readFileSync(`${MIGRATIONS_DIR}${schema}.sql`, 'utf8');
}

export async function migrate(db: Db, schema: string): Promise<void> {
  await db.exec(`CREATE SCHEMA IF NOT EXISTS ${schema};\n${migrationSql(schema)}`);
}
