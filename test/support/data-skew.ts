/**
 * A "production" database for `perfcell data` tests and the bench: the reference target's five schemas
 * (its own migrations and seeders, called directly on PostgreSQL), plus what synthetic seeding lacks and
 * production has: skew (a few persons with hundreds of invoices and long call histories), odd characters
 * (apostrophes, tabs, newlines, backslashes, emoji) and identifiers with check digits (NIR, SIREN, SIRET)
 * in one more table with a declared cross-schema foreign key. Deterministic (seeded).
 */
import pg from 'pg';
import { SERVICE_MODULES } from '../../sut/services/index.js';
import type { ServiceContext } from '../../sut/lib/app.js';
import { createPgDb } from '../../sut/lib/db.js';
import { migrate } from '../../sut/lib/migrate.js';
import { SEEDED_SERVICES } from '../../sut/seed.js';
import { SERVICES } from '../../sut/topology.js';
import { luhnCheckDigit, nirKey } from '../../src/data/mask.js';
import { seededRandom } from '../../lib/random.js';

export const PG_BASE = 'postgres://postgres@127.0.0.1:5432';
export const dbUrl = (name: string): string => `${PG_BASE}/${name}`;

export async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: dbUrl('postgres') });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

export async function query<T extends object>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql, params)).rows as T[];
  } finally {
    await c.end();
  }
}

/** The table the skew adds: identifiers with check digits, referencing grc.persons by a declared key. */
const IDENTITY_DDL = `CREATE TABLE IF NOT EXISTS legal.identities (
  person_id uuid PRIMARY KEY REFERENCES grc.persons (id),
  nir text NOT NULL,
  employer_siren text,
  employer_siret text,
  notes text
)`;

/** Persons with a long history: this share of customers gets HEAVY_INVOICES more invoices and HEAVY_CALLS more calls. */
export const HEAVY_SHARE = 0.01;
export const HEAVY_INVOICES = 240;
export const HEAVY_CALLS = 60;

const ODD_NOTES = [
  "Appel de M. O'Brien-Ñúñez\tà rappeler",
  'Ligne 1\nLigne 2 avec \\ antislash',
  'Client 😀 très satisfait — « guillemets » et "doubles"',
  'IBAN donné au téléphone : FR76 3000 6000 0112 3456 7890 189',
  'diabète déclaré, suivi par Dr Martin',
];

/** Creates the schemas (and the extra table) in an empty database. */
export async function createSchema(name: string): Promise<void> {
  const db = createPgDb(dbUrl(name), 2);
  try {
    for (const s of SEEDED_SERVICES) await migrate(db, SERVICES[s].schema as string);
    await db.exec(IDENTITY_DDL);
  } finally {
    await db.close();
  }
}

/** A fresh database `name` seeded with `persons` customers of the reference target plus the skew. */
export async function createProductionDb(name: string, persons: number, seed = 'i18-prod'): Promise<void> {
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${name}`);
  const db = createPgDb(dbUrl(name), 2);
  try {
    for (const s of SEEDED_SERVICES) await migrate(db, SERVICES[s].schema as string);
    for (const s of SEEDED_SERVICES) {
      const module = SERVICE_MODULES[s];
      // The seeders only use the context's database.
      await module.seed?.({ name: s, db } as unknown as ServiceContext, persons, seed);
    }
    // Skew: heavy persons (the first HEAVY_SHARE of billing accounts by id order) with long histories.
    await db.query(
      `WITH heavy AS (SELECT person_id FROM billing.accounts ORDER BY md5(person_id::text) LIMIT $1)
       INSERT INTO billing.invoices (person_id, issued_at, period, amount_cents, status)
       SELECT h.person_id, timestamptz '2025-12-01' - (g || ' days')::interval, to_char(timestamptz '2025-12-01' - (g || ' days')::interval, 'YYYY-MM'), 100 + g, 'paid'
       FROM heavy h CROSS JOIN generate_series(1, $2) g`,
      [Math.max(1, Math.round(persons * HEAVY_SHARE)), HEAVY_INVOICES],
    );
    await db.exec(`INSERT INTO billing.invoice_lines (invoice_id, label, amount_cents)
       SELECT i.id, 'Régularisation', i.amount_cents FROM billing.invoices i LEFT JOIN billing.invoice_lines l ON l.invoice_id = i.id WHERE l.id IS NULL`);
    await db.query(
      `WITH heavy AS (SELECT person_id FROM customer_service.contacts ORDER BY md5(person_id::text) LIMIT $1)
       INSERT INTO customer_service.calls (person_id, reason, called_at, operator, actions, ticket_id)
       SELECT h.person_id, 'réclamation', timestamptz '2025-12-01' - (g || ' hours')::interval, 'operateur-' || (g % 40), ($3::text[])[1 + g % array_length($3::text[], 1)], 'ZD-' || (100000 + g)
       FROM heavy h CROSS JOIN generate_series(1, $2) g`,
      [Math.max(1, Math.round(persons * HEAVY_SHARE)), HEAVY_CALLS, ODD_NOTES],
    );
    // Odd characters in names (one person in 50): apostrophes, tabs, backslashes, emoji.
    const odd = `'D''ARC' || chr(9) || 'DU\\PONT 😀'`;
    const oddRow = (col: string) => `('x' || left(md5(${col}::text), 4))::bit(16)::int % 50 = 0`;
    await db.exec(`UPDATE grc.persons SET last_name = ${odd}, last_name_norm = 'DARC DUPONT' WHERE ${oddRow('id')}`);
    // The same person has the same name in every department.
    for (const t of ['billing.accounts', 'customer_service.contacts', 'legal.persons', 'sales.profiles']) await db.exec(`UPDATE ${t} SET last_name = ${odd} WHERE ${oddRow('person_id')}`);
    await db.exec(IDENTITY_DDL);
    // Identities with valid check digits for the customers (not the prospects).
    const rand = seededRandom(18);
    const ids = await db.query<{ person_id: string; sex: string }>('SELECT a.person_id, p.sex FROM billing.accounts a JOIN grc.persons p ON p.id = a.person_id ORDER BY a.person_id');
    const BATCH = 5000;
    for (let start = 0; start < ids.length; start += BATCH) {
      const rows = ids.slice(start, start + BATCH).map((r) => {
        const d = (n: number) => Array.from({ length: n }, () => String(Math.floor(rand() * 10))).join('');
        const body = `${r.sex === 'F' ? 2 : 1}${d(2)}${String(1 + Math.floor(rand() * 12)).padStart(2, '0')}${String(1 + Math.floor(rand() * 19)).padStart(2, '0')}${d(6)}`;
        const nir = `${body}${String(nirKey(body)).padStart(2, '0')}`;
        const p = d(8);
        const siren = p + luhnCheckDigit(p);
        const q = siren + d(4);
        const employed = rand() < 0.6;
        return [r.person_id, rand() < 0.5 ? nir : `${nir.slice(0, 1)} ${nir.slice(1, 3)} ${nir.slice(3, 5)} ${nir.slice(5, 7)} ${nir.slice(7, 10)} ${nir.slice(10, 13)} ${nir.slice(13)}`, employed ? siren : null, employed ? q + luhnCheckDigit(q) : null, rand() < 0.1 ? (ODD_NOTES[Math.floor(rand() * ODD_NOTES.length)] as string) : null];
      });
      const cols = [0, 1, 2, 3, 4].map((c) => rows.map((r) => r[c] ?? null));
      await db.query('INSERT INTO legal.identities SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[])', cols as never);
    }
    await db.exec('ANALYZE');
  } finally {
    await db.close();
  }
}
