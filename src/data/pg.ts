/**
 * The PostgreSQL adapter of `perfcell data`: connecting (one clear line when it cannot), introspecting the
 * catalog (tables, columns, primary and foreign keys), sampling values, selecting the subset in temporary
 * tables inside one read-only repeatable-read snapshot, and COPY streams in and out (pg-copy-streams).
 */
import pg from 'pg';
import pgCopy from 'pg-copy-streams';
import type { Readable, Writable } from 'node:stream';
import { PerfcellError } from '../errors.js';
import type { Catalog, CatalogTable, ForeignKey } from './rules.js';
import type { Edge, SubsetSpec } from './plan.js';

/** How long a connection attempt may take before the database counts as unreachable. */
const CONNECT_TIMEOUT_MS = 5000;

/** The URL without its password, for messages and the audit. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

export const quoteIdent = (s: string): string => `"${s.replace(/"/g, '""')}"`;
export const quoteTable = (qualified: string): string => qualified.split('.').map(quoteIdent).join('.');

export async function connect(url: string, role: string): Promise<pg.Client> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new PerfcellError(`${role}: not a PostgreSQL URL (postgres://user@host:port/database): "${redactUrl(url)}"`, 'input');
  }
  if (!/^postgres(ql)?:$/.test(parsed.protocol)) throw new PerfcellError(`${role}: a postgres:// URL is expected (got ${parsed.protocol}//…)`, 'input');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, application_name: 'perfcell-data' });
  client.on('error', () => undefined);
  try {
    await client.connect();
    // Values leave in one stable text form whatever the server's settings.
    await client.query("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'iso_8601'; SET extra_float_digits = 3");
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new PerfcellError(`${role}: cannot connect to ${redactUrl(url)}: ${error instanceof Error ? error.message : String(error)}`, 'environment');
  }
  return client;
}

const SYSTEM_SCHEMAS = "('pg_catalog', 'information_schema', 'pg_toast')";

export async function introspect(client: pg.Client): Promise<Catalog> {
  const cols = await client.query<{ schema: string; table: string; column: string; type: string; nullable: boolean }>(
    `SELECT n.nspname AS schema, c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type, NOT a.attnotnull AS nullable
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid
      WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped AND NOT c.relispartition
        AND n.nspname NOT IN ${SYSTEM_SCHEMAS} AND n.nspname NOT LIKE 'pg_temp%' AND n.nspname NOT LIKE 'pg_toast_temp%'
        AND a.attgenerated = ''
      ORDER BY n.nspname, c.relname, a.attnum`,
  );
  const tables = new Map<string, CatalogTable>();
  for (const r of cols.rows) {
    const key = `${r.schema}.${r.table}`;
    let t = tables.get(key);
    if (!t) tables.set(key, (t = { schema: r.schema, name: r.table, columns: [] }));
    t.columns.push({ name: r.column, type: r.type, nullable: r.nullable });
  }
  const fks = await client.query<{ name: string; child: string; child_columns: string[]; parent: string; parent_columns: string[] }>(
    `SELECT con.conname AS name, cn.nspname || '.' || cc.relname AS child, pn.nspname || '.' || pc.relname AS parent,
            ARRAY(SELECT attname FROM unnest(con.conkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY o)::text[] AS child_columns,
            ARRAY(SELECT attname FROM unnest(con.confkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY o)::text[] AS parent_columns
       FROM pg_constraint con
       JOIN pg_class cc ON cc.oid = con.conrelid JOIN pg_namespace cn ON cn.oid = cc.relnamespace
       JOIN pg_class pc ON pc.oid = con.confrelid JOIN pg_namespace pn ON pn.oid = pc.relnamespace
      WHERE con.contype = 'f' AND cn.nspname NOT IN ${SYSTEM_SCHEMAS}
      ORDER BY 1`,
  );
  const foreignKeys: ForeignKey[] = fks.rows.map((r) => ({ name: r.name, child: r.child, childColumns: r.child_columns, parent: r.parent, parentColumns: r.parent_columns }));
  return { tables: [...tables.values()], foreignKeys };
}

/** Up to `limit` rows of the table, every column as text (for classification). */
export async function sampleRows(client: pg.Client, table: CatalogTable, limit: number): Promise<(string | null)[][]> {
  const list = table.columns.map((c) => (c.type === 'bytea' ? `left(encode(${quoteIdent(c.name)}, 'hex'), 16)` : `${quoteIdent(c.name)}::text`)).join(', ');
  const r = await client.query({ text: `SELECT ${list} FROM ${quoteTable(`${table.schema}.${table.name}`)} LIMIT ${limit}`, rowMode: 'array' });
  return r.rows as (string | null)[][];
}

/** Temporary table holding the row ids (ctid, stable within the snapshot) of a table's extracted rows. */
export const keyTable = (i: number): string => `pc_keys_${i}`;

/**
 * In the open read-only snapshot: the root's sample, then every edge followed until nothing new comes in.
 * Returns the count of rows selected per table (reachable tables only).
 */
export async function selectSubset(client: pg.Client, subset: SubsetSpec, tables: readonly string[], edges: readonly Edge[], onPass?: (pass: number, added: number) => void): Promise<Map<string, number>> {
  const idx = new Map(tables.map((t, i) => [t, i]));
  for (const [, i] of idx) await client.query(`CREATE TEMP TABLE ${keyTable(i)} (t tid PRIMARY KEY) ON COMMIT DROP`);
  const k = (t: string) => keyTable(idx.get(t) as number);
  const root = quoteTable(subset.root);
  // A percentage picks rows by a hash of the row's text: the same rows every run on the same data.
  const pred =
    subset.filter.kind === 'where'
      ? `(${subset.filter.where})`
      : `(('x' || left(md5(r::text), 8))::bit(32)::int & 2147483647) % 1000000 < ${Math.round(subset.filter.percent * 10000)}`;
  try {
    await client.query(`INSERT INTO ${k(subset.root)} SELECT r.ctid FROM ${root} r WHERE ${pred}`);
  } catch (error) {
    throw new PerfcellError(`--subset: the root selection on ${subset.root} failed: ${error instanceof Error ? error.message : String(error)}`, 'input');
  }
  const tuple = (alias: string, cols: string[]) => `(${cols.map((c) => `${alias}.${quoteIdent(c)}`).join(', ')})`;
  for (let pass = 1; ; pass++) {
    let added = 0;
    for (const e of edges) {
      const up = `INSERT INTO ${k(e.parent)} SELECT p.ctid FROM ${quoteTable(e.parent)} p WHERE ${tuple('p', e.parentColumns)} IN (SELECT ${tuple('c', e.childColumns).slice(1, -1)} FROM ${quoteTable(e.child)} c JOIN ${k(e.child)} kc ON c.ctid = kc.t) ON CONFLICT DO NOTHING`;
      added += (await client.query(up)).rowCount ?? 0;
      if (e.down) {
        const down = `INSERT INTO ${k(e.child)} SELECT c.ctid FROM ${quoteTable(e.child)} c WHERE ${tuple('c', e.childColumns)} IN (SELECT ${tuple('p', e.parentColumns).slice(1, -1)} FROM ${quoteTable(e.parent)} p JOIN ${k(e.parent)} kp ON p.ctid = kp.t) ON CONFLICT DO NOTHING`;
        added += (await client.query(down)).rowCount ?? 0;
      }
    }
    onPass?.(pass, added);
    if (added === 0) break;
  }
  const counts = new Map<string, number>();
  for (const t of tables) counts.set(t, Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${k(t)}`)).rows[0]?.n ?? 0));
  return counts;
}

/** COPY of the table's columns (all rows, or the rows whose ids sit in `keys`) as a COPY text stream. */
export function copyOut(client: pg.Client, table: string, columns: readonly string[], keys?: string): Readable {
  const list = columns.map(quoteIdent).join(', ');
  const where = keys ? ` WHERE ctid IN (SELECT t FROM ${keys})` : '';
  return client.query(pgCopy.to(`COPY (SELECT ${list} FROM ${quoteTable(table)}${where}) TO STDOUT`));
}

export function copyIn(client: pg.Client, table: string, columns: readonly string[]): Writable {
  return client.query(pgCopy.from(`COPY ${quoteTable(table)} (${columns.map(quoteIdent).join(', ')}) FROM STDIN`));
}
