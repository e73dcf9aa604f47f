/**
 * The PostgreSQL adapter of `perfcell data`: connecting (one clear line when it cannot), introspecting the
 * catalog (tables, columns, primary and foreign keys), sampling values, selecting the subset in temporary
 * tables inside one read-only repeatable-read snapshot, and COPY streams in and out (pg-copy-streams).
 */
import pg from 'pg';
import pgCopy from 'pg-copy-streams';
import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PerfcellError } from '../errors.js';
import type { Catalog, CatalogTable, ForeignKey } from './rules.js';
import type { Edge, SubsetSpec } from './plan.js';
import type { DistributionFigures } from './distribution.js';

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
    // The subset's key tables are temporary: kept in memory up to this size rather than spilled to disk
    // (8 MB by default, about 100 000 keys). A session setting, allocated only as used.
    await client.query("SET temp_buffers = '256MB'");
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

/** `via` of the root's rows; an edge j's up query marks its rows 2j, its down query 2j + 1. */
const VIA_ROOT = -1;
const viaUp = (j: number): number => 2 * j;
const viaDown = (j: number): number => 2 * j + 1;

/**
 * The columns each key table copies from its table: every column an edge joins on. Holding them next to
 * the ctid, the following queries read the (small) key tables instead of joining back to the (large)
 * source tables by ctid, which costs a whole scan of the source table per query.
 */
export function keyColumns(tables: readonly string[], edges: readonly Edge[]): Map<string, string[]> {
  const out = new Map(tables.map((t) => [t, [] as string[]]));
  const add = (t: string, cols: readonly string[]) => {
    const list = out.get(t);
    if (list) for (const c of cols) if (!list.includes(c)) list.push(c);
  };
  for (const e of edges) {
    add(e.child, e.childColumns);
    add(e.parent, e.parentColumns);
  }
  return out;
}

/**
 * In the open repeatable-read snapshot: the root's sample, then every edge followed until nothing new
 * comes in, set-based and semi-naive: each pass reads only the rows the previous pass added (`pass`), an
 * edge whose source table gained nothing is not queried, and the up query of an edge skips the children
 * its own down query brought (their parent is selected by construction, `via`). Returns the count of rows
 * selected per table (reachable tables only).
 */
export async function selectSubset(client: pg.Client, subset: SubsetSpec, tables: readonly string[], edges: readonly Edge[], onPass?: (pass: number, added: number, queries: string[]) => void): Promise<Map<string, number>> {
  const idx = new Map(tables.map((t, i) => [t, i]));
  const cols = keyColumns(tables, edges);
  const k = (t: string) => keyTable(idx.get(t) as number);
  /** The key table's column holding `column` of its table. */
  const kc = (t: string, column: string) => `c${(cols.get(t) as string[]).indexOf(column)}`;
  const setup = performance.now();
  // One round trip for every key table: while the originals filter keeps Node busy, each round trip waits
  // for the event loop, and 30 of them took 1 s of the 100 000-customer bench's selection.
  const ddl = tables.map((t) => {
    const list = (cols.get(t) as string[]).map((c, i) => `, ${quoteIdent(c)} AS c${i}`).join('');
    return `CREATE TEMP TABLE ${k(t)} ON COMMIT DROP AS SELECT ctid AS t, 0 AS pass, 0 AS via${list} FROM ${quoteTable(t)} WITH NO DATA; ALTER TABLE ${k(t)} ADD PRIMARY KEY (t);`;
  });
  // Each pass looks up a few percent of a large table: by its index (the source's foreign-key columns are
  // indexed, as the target's are) rather than by a hash join that reads the whole table, when the planner
  // knows random reads cost little more than sequential ones — the case of a cached or SSD database. For
  // this transaction only.
  await client.query(`${ddl.join('\n')}\nSET LOCAL random_page_cost = 1.1;`);
  const fields = (t: string, alias: string) => (cols.get(t) as string[]).map((c) => `, ${alias}.${quoteIdent(c)}`).join('');
  // Rows added per table and `via` in the last pass: what the next pass starts from.
  let delta = new Map<string, Map<number, number>>();
  const record = (next: Map<string, Map<number, number>>, t: string, via: number, n: number) => {
    if (n === 0) return;
    const m = next.get(t) ?? new Map<number, number>();
    m.set(via, (m.get(via) ?? 0) + n);
    next.set(t, m);
  };
  const root = quoteTable(subset.root);
  // A percentage picks rows by a hash of the row's primary key (of its whole text without one): the same
  // rows every run on the same data. The key, not the row: turning every column of every row of the root
  // into text was 0.7 s of the 100 000-customer bench's selection.
  let pred = subset.filter.kind === 'where' ? `(${subset.filter.where})` : '';
  if (subset.filter.kind === 'percent') {
    const pk = await primaryKey(client, subset.root);
    const hashed = pk.length === 0 ? 'r::text' : pk.length === 1 ? `r.${quoteIdent(pk[0] as string)}::text` : `ROW(${pk.map((c) => `r.${quoteIdent(c)}`).join(', ')})::text`;
    pred = `(('x' || left(md5(${hashed}), 8))::bit(32)::int & 2147483647) % 1000000 < ${Math.round(subset.filter.percent * 10000)}`;
  }
  try {
    const t0 = performance.now();
    const r = await client.query(`INSERT INTO ${k(subset.root)} SELECT r.ctid, 0, ${VIA_ROOT}${fields(subset.root, 'r')} FROM ${root} r WHERE ${pred}`);
    record(delta, subset.root, VIA_ROOT, r.rowCount ?? 0);
    onPass?.(0, r.rowCount ?? 0, [`key tables ${Math.round(t0 - setup)} ms`, `${subset.root} root ${Math.round(performance.now() - t0)} ms`]);
  } catch (error) {
    throw new PerfcellError(`--subset: the root selection on ${subset.root} failed: ${error instanceof Error ? error.message : String(error)}`, 'input');
  }
  const counts = new Map<string, number>(tables.map((t) => [t, 0]));
  counts.set(subset.root, [...(delta.get(subset.root)?.values() ?? [])].reduce((a, b) => a + b, 0));
  const gained = (t: string, excludedVia?: number) => [...(delta.get(t) ?? new Map<number, number>())].reduce((n, [via, c]) => (via === excludedVia ? n : n + c), 0);
  for (let pass = 1; ; pass++) {
    const next = new Map<string, Map<number, number>>();
    const took: string[] = [];
    const run = async (target: string, via: number, sql: string) => {
      const t0 = performance.now();
      const n = (await client.query(sql)).rowCount ?? 0;
      took.push(`${target} ${via % 2 === 0 ? 'up' : 'down'} ${Math.round(performance.now() - t0)} ms`);
      record(next, target, via, n);
      counts.set(target, (counts.get(target) ?? 0) + n);
    };
    for (const [j, e] of edges.entries()) {
      const childKeys = e.childColumns.map((c) => `kc.${kc(e.child, c)}`).join(', ');
      const parentKeys = e.parentColumns.map((c) => `kp.${kc(e.parent, c)}`).join(', ');
      const parentCols = e.parentColumns.map((c) => `p.${quoteIdent(c)}`).join(', ');
      const childCols = e.childColumns.map((c) => `c.${quoteIdent(c)}`).join(', ');
      if (gained(e.child, viaDown(j)) > 0) {
        await run(e.parent, viaUp(j), `INSERT INTO ${k(e.parent)} SELECT p.ctid, ${pass}, ${viaUp(j)}${fields(e.parent, 'p')} FROM ${quoteTable(e.parent)} p
          WHERE (${parentCols}) IN (SELECT ${childKeys} FROM ${k(e.child)} kc WHERE kc.pass = ${pass - 1} AND kc.via <> ${viaDown(j)}) ON CONFLICT DO NOTHING`);
      }
      if (e.down && gained(e.parent) > 0) {
        await run(e.child, viaDown(j), `INSERT INTO ${k(e.child)} SELECT c.ctid, ${pass}, ${viaDown(j)}${fields(e.child, 'c')} FROM ${quoteTable(e.child)} c
          WHERE (${childCols}) IN (SELECT ${parentKeys} FROM ${k(e.parent)} kp WHERE kp.pass = ${pass - 1}) ON CONFLICT DO NOTHING`);
      }
    }
    // Statistics on what was added, so the next pass's plans (index lookups or hash joins) fit the sizes.
    const t0 = performance.now();
    for (const t of next.keys()) await client.query(`ANALYZE ${k(t)}`);
    took.push(`analyze ${Math.round(performance.now() - t0)} ms`);
    const added = [...next.keys()].reduce((n, t) => n + [...(next.get(t) as Map<number, number>).values()].reduce((a, b) => a + b, 0), 0);
    onPass?.(pass, added, took);
    if (added === 0) break;
    delta = next;
  }
  return counts;
}

/** The table's primary key columns, in key order (none without a primary key). */
async function primaryKey(client: pg.Client, table: string): Promise<string[]> {
  const r = await client.query<{ column: string }>(
    `SELECT a.attname AS column FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
      WHERE i.indrelid = $1::regclass AND i.indisprimary ORDER BY array_position(i.indkey::int2[], a.attnum)`,
    [quoteTable(table)],
  );
  return r.rows.map((x) => x.column);
}

/** COPY of the table's columns (all rows, or the rows whose ids sit in `keys`) as a COPY text stream. */
export function copyOut(client: pg.Client, table: string, columns: readonly string[], keys?: string): Readable {
  const list = columns.map(quoteIdent).join(', ');
  // A TID scan of the selected rows: reading them where they lie instead of scanning the whole table.
  const where = keys ? ` WHERE ctid = ANY (ARRAY (SELECT t FROM ${keys}))` : '';
  return client.query(pgCopy.to(`COPY (SELECT ${list} FROM ${quoteTable(table)}${where}) TO STDOUT`));
}

/**
 * The row ids of key table `key` copied from one session to another in the same snapshot (temporary
 * tables are per session): a second loader then reads its tables' selected rows by TID scan too. A
 * stream of ids (6 bytes each), never held in memory.
 */
export async function shareKeys(from: pg.Client, to: pg.Client, key: string): Promise<void> {
  await to.query(`CREATE TEMP TABLE ${key} (t tid) ON COMMIT DROP`);
  await pipeline(from.query(pgCopy.to(`COPY (SELECT t FROM ${key}) TO STDOUT`)), to.query(pgCopy.from(`COPY ${key} (t) FROM STDIN`)));
}

/** The planner's row estimates of whole tables (pg_class.reltuples; 0 for a table never analysed). */
export async function estimatedRows(client: pg.Client, tables: readonly string[]): Promise<Map<string, number>> {
  if (tables.length === 0) return new Map();
  const r = await client.query<{ name: string; rows: number }>(
    'SELECT t.name, greatest(c.reltuples, 0)::float8 AS rows FROM unnest($1::text[]) AS t(name) JOIN pg_class c ON c.oid = t.name::regclass',
    [tables.map(quoteTable)],
  );
  const byQuoted = new Map(r.rows.map((x) => [x.name, Number(x.rows)]));
  return new Map(tables.map((t) => [t, byQuoted.get(quoteTable(t)) ?? 0]));
}

export function copyIn(client: pg.Client, table: string, columns: readonly string[]): Writable {
  return client.query(pgCopy.from(`COPY ${quoteTable(table)} (${columns.map(quoteIdent).join(', ')}) FROM STDIN`));
}

/**
 * An empty destination gets the source's schemas, tables, sequences and constraints: `pg_dump
 * --schema-only | psql`, PostgreSQL's own tools (they know every object kind and version quirk, which a
 * hand-written DDL copy would chase forever). Owners and grants are left out: the destination's role owns
 * what it creates. psql stops at the first error (ON_ERROR_STOP), named in the message.
 */
export async function copySchema(from: string, to: string): Promise<void> {
  const dump = spawn('pg_dump', ['--schema-only', '--no-owner', '--no-privileges', `--dbname=${from}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  const load = spawn('psql', ['-q', '-X', '-v', 'ON_ERROR_STOP=1', `--dbname=${to}`], { stdio: ['pipe', 'ignore', 'pipe'] });
  dump.stdout.pipe(load.stdin);
  const stderr = { dump: '', load: '' };
  dump.stderr.on('data', (b: Buffer) => (stderr.dump += b.toString()));
  load.stderr.on('data', (b: Buffer) => (stderr.load += b.toString()));
  const exit = (p: ReturnType<typeof spawn>) => new Promise<number>((resolve) => {
    p.on('error', () => resolve(-1));
    p.on('close', (code) => resolve(code ?? -1));
  });
  const [d, l] = await Promise.all([exit(dump), exit(load)]);
  if (d !== 0 || l !== 0) {
    const why = (d !== 0 ? `pg_dump: ${stderr.dump.trim() || `exit ${d} (is pg_dump installed?)`}` : `psql: ${stderr.load.trim() || `exit ${l} (is psql installed?)`}`).split('\n')[0];
    throw new PerfcellError(`--to ${redactUrl(to)}: copying the source's schema failed: ${why}`, 'environment');
  }
}

/** Rows per `per` value of a table (keys with at least one row): count, mean, p50, p90, p99. */
export async function distributionFigures(client: pg.Client, table: string, per: string): Promise<DistributionFigures> {
  const r = await client.query<{ keys: string; mean: string | null; q: number[] | null }>(
    `SELECT count(*) AS keys, avg(n)::float8 AS mean, percentile_cont(ARRAY[0.5, 0.9, 0.99]) WITHIN GROUP (ORDER BY n) AS q
       FROM (SELECT count(*) AS n FROM ${quoteTable(table)} WHERE ${quoteIdent(per)} IS NOT NULL GROUP BY ${quoteIdent(per)}) x`,
  );
  const row = r.rows[0];
  const q = row?.q ?? [0, 0, 0];
  return { keys: Number(row?.keys ?? 0), mean: Number(row?.mean ?? 0), p50: q[0] ?? 0, p90: q[1] ?? 0, p99: q[2] ?? 0 };
}
