/**
 * `perfcell data extract`: a consistent, masked subset of a source database, loaded into another database
 * or written as COPY files, with an audit file and a leak check. Everything that can be wrong in the input
 * (rules, unknown or unclassified columns, unreachable databases, missing destination tables, a bad subset)
 * is found before the first write; each table is then loaded in its own transaction and recorded in the
 * audit, so `--resume` restarts at the first table not done.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { PerfcellError, inputError } from '../errors.js';
import { GLOBALLY_CHECKED, Masker, type MaskKind, secretFingerprint } from './mask.js';
import { BloomFilter, MAX_CANDIDATES, MIN_LEAK_LENGTH, addCopyLine, leakKey } from './leak.js';
import { decodeField, lineSink } from './copy-text.js';
import { MaskTransform } from './transform.js';
import { assignLanes, buildEdges, chooseSubset, loadOrder, parentsBefore, reachable, type Edge } from './plan.js';
import { checkRules, parseRules, qualifiedName, type Catalog, type TablePlan } from './rules.js';
import { compareDistribution, type DistributionCheck } from './distribution.js';
import { connect, copyIn, copyOut, copySchema, distributionFigures, estimatedRows, introspect, keyTable, quoteIdent, quoteTable, redactUrl, selectSubset, shareKeys } from './pg.js';

export const AUDIT_VERSION = 1;

export interface DataFileSpec {
  file: string;
  table: string;
  columns: string[];
  /** The CSV header of each column: the column's name, or the name the scenarios read (`person_id=id`). */
  headers?: string[];
}

export interface ExtractOptions {
  from: string;
  rulesFile: string;
  subset?: string;
  to?: string;
  out?: string;
  secret: Buffer;
  auditFile?: string;
  resume?: boolean;
  dataFiles?: DataFileSpec[];
  clock?: () => Date;
  log?: (line: string) => void;
}

export interface AuditTable {
  table: string;
  selection: 'subset' | 'whole';
  rows: number;
  status: 'done' | 'pending';
  columns: Record<string, string>;
}

export interface Audit {
  version: number;
  startedAt: string;
  finishedAt?: string;
  source: string;
  destination: string;
  rulesFile: string;
  rulesSha256: string;
  subset: string | null;
  secretFingerprint: string;
  relations: { child: string; parent: string; follow: 'up' | 'both'; declared: boolean }[];
  tables: AuditTable[];
  /** The rules' declared distributions, source vs destination (with --to). */
  distributions?: DistributionCheck[];
  leakCheck?: { checkedValues: number; candidates: number; leaks: { column: string; rows: number; kind: 'same row' | 'original value' }[]; passed: boolean };
  dataFiles: string[];
}

const IDENT = '[a-z_][a-z0-9_]*';
const DATA_FILE_SPEC = new RegExp(`^([^=]+)=(${IDENT}\\.${IDENT}):((?:${IDENT}=)?${IDENT}(?:,(?:${IDENT}=)?${IDENT})*)$`);

/**
 * "persons.csv=grc.persons:person_id=id,last_name" → where to write which masked columns, each under its
 * own name or the header the scenarios read (`header=column`).
 */
export function parseDataFileSpec(text: string): DataFileSpec {
  const m = DATA_FILE_SPEC.exec(text);
  if (!m) throw inputError('--data-file', '', `file=schema.table:column,header=column,… (got "${text}")`);
  const pairs = (m[3] as string).split(',').map((c) => (c.includes('=') ? (c.split('=') as [string, string]) : [c, c]));
  return { file: m[1] as string, table: m[2] as string, columns: pairs.map((p) => p[1] as string), headers: pairs.map((p) => p[0] as string) };
}

const sha256 = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');

/** Masked columns whose outputs the global leak check scans, per table. */
function checkedColumns(plan: TablePlan): string[] {
  return plan.columns.filter((c) => GLOBALLY_CHECKED.has(c.action as MaskKind)).map((c) => c.name);
}

function ensureDestination(catalog: Catalog, plans: readonly TablePlan[], url: string): void {
  const byName = new Map(catalog.tables.map((t) => [qualifiedName(t), new Set(t.columns.map((c) => c.name))]));
  const missing: string[] = [];
  for (const p of plans) {
    const cols = byName.get(p.table);
    if (!cols) missing.push(p.table);
    else for (const c of p.columns) if (!cols.has(c.name)) missing.push(`${p.table}.${c.name}`);
  }
  if (missing.length) throw new PerfcellError(`--to ${redactUrl(url)}: the destination lacks ${missing.join(', ')} (create its schema first, e.g. the target's migrations)`, 'input');
}

export async function extract(o: ExtractOptions): Promise<Audit> {
  const clock = o.clock ?? (() => new Date());
  const log = o.log ?? (() => undefined);
  if (Boolean(o.to) === Boolean(o.out)) throw inputError('perfcell data extract', '--to/--out', 'exactly one destination: --to <postgres-url> or --out <dir>');
  if (!existsSync(o.rulesFile)) throw inputError(o.rulesFile, '', 'a rules file (perfcell data classify proposes one)');
  const rulesText = readFileSync(o.rulesFile, 'utf8');
  const rules = parseRules(rulesText, o.rulesFile);
  const subset = chooseSubset(rules, o.subset, o.rulesFile);
  const fingerprint = secretFingerprint(o.secret);
  const auditFile = o.auditFile ?? (o.out ? join(o.out, 'audit.json') : 'perfcell-data-audit.json');

  const source = await connect(o.from, '--from');
  let dest: pg.Client | undefined;
  /** Sessions in the source's snapshot for lanes 1…: the first also reads the originals for the filter. */
  const readers: pg.Client[] = [];
  /** Destination connections of lanes 1… (lane 0 uses `dest`). */
  const laneDests: pg.Client[] = [];
  let emptyDestination = false;
  try {
    const catalog = await introspect(source);
    const plans = checkRules(rules, catalog, o.rulesFile);
    const extracted = new Set(plans.map((p) => p.table));
    if (subset && !extracted.has(subset.root)) throw inputError(o.subset ? '--subset' : o.rulesFile, 'subset', `a table the rules extract (${subset.root} is ${catalog.tables.some((t) => qualifiedName(t) === subset.root) ? 'skipped' : 'not in the source database'})`);
    for (const spec of o.dataFiles ?? []) {
      const p = plans.find((x) => x.table === spec.table);
      const bad = p ? spec.columns.filter((c) => !p.columns.some((x) => x.name === c && x.action !== 'drop')) : spec.columns;
      if (!p || bad.length) throw inputError('--data-file', spec.file, `columns extracted by the rules (${spec.table}: ${bad.join(', ')} ${p ? 'not extracted' : 'table not extracted'})`);
    }
    const edges: Edge[] = buildEdges(catalog, rules.relations, extracted);
    const ordered = loadOrder(plans, edges);
    const linked = subset ? reachable(subset.root, edges) : new Set<string>();

    if (o.to) {
      dest = await connect(o.to, '--to');
      const destCatalog = await introspect(dest);
      // An empty destination (no table at all) gets the source's schema, once every check has passed.
      emptyDestination = destCatalog.tables.length === 0;
      if (!emptyDestination) ensureDestination(destCatalog, ordered, o.to);
      for (let i = 1; i < LOAD_LANES; i++) laneDests.push(await connect(o.to, '--to'));
    }

    const previous: Audit | undefined = o.resume && existsSync(auditFile) ? (JSON.parse(readFileSync(auditFile, 'utf8')) as Audit) : undefined;
    if (previous && (previous.secretFingerprint !== fingerprint || previous.rulesSha256 !== sha256(rulesText) || previous.subset !== (o.subset ?? rules.subset ?? null))) {
      throw inputError(auditFile, 'resume', 'the same secret, rules file and subset as the interrupted extract (they differ: start again without --resume)');
    }
    const done = new Set(previous?.tables.filter((t) => t.status === 'done').map((t) => t.table) ?? []);

    // One snapshot (repeatable read) for the whole source side: the subset, the copies and the leak check see the same rows.
    // Not READ ONLY: the subset's row ids go to temporary tables (the only writes on the source side).
    await source.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    // More sessions in the same snapshot: the first reads the originals while the source session selects
    // the subset (the filter is Node's work, the subset the database's: they overlap on two cores); each
    // then reads the tables of one more loading lane. Not READ ONLY: they receive their tables' key tables.
    const snapshot = (await source.query<{ id: string }>('SELECT pg_export_snapshot() AS id')).rows[0]?.id as string;
    for (let i = 1; i < LOAD_LANES; i++) {
      const r = await connect(o.from, '--from');
      readers.push(r);
      await r.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await r.query(`SET TRANSACTION SNAPSHOT '${snapshot}'`);
    }
    const linkedTables = ordered.map((p) => p.table).filter((t) => linked.has(t));
    let phase = performance.now();
    const lap = (what: string) => {
      log(`${what} in ${Math.round(performance.now() - phase)} ms`);
      phase = performance.now();
    };
    const timed = async <T>(what: string, work: Promise<T>): Promise<T> => {
      const t0 = performance.now();
      const value = await work;
      log(`${what} in ${Math.round(performance.now() - t0)} ms`);
      return value;
    };
    const [selected, bloom] = await Promise.all([
      subset ? timed('subset selected', selectSubset(source, subset, linkedTables, edges, (pass, added, queries) => log(`subset pass ${pass}: ${added} rows added (${queries.join(', ')})`))) : new Map<string, number>(),
      // The originals of identifying columns, before any masking: the masker steers clear of them.
      timed('originals filter built', originalsFilter(readers[0] ?? source, ordered)),
    ]);
    lap('subset and originals filter (overlapped)');
    const keyOf = (table: string): string | undefined => (linked.has(table) ? keyTable(linkedTables.indexOf(table)) : undefined);

    const audit: Audit = {
      version: AUDIT_VERSION,
      startedAt: clock().toISOString(),
      source: redactUrl(o.from),
      destination: o.to ? redactUrl(o.to) : o.out as string,
      rulesFile: o.rulesFile,
      rulesSha256: sha256(rulesText),
      subset: o.subset ?? rules.subset ?? null,
      secretFingerprint: fingerprint,
      relations: edges.map((e) => ({ child: `${e.child}(${e.childColumns.join(',')})`, parent: `${e.parent}(${e.parentColumns.join(',')})`, follow: e.down ? 'both' : 'up', declared: e.declared })),
      tables: ordered.map((p) => ({
        table: p.table,
        selection: subset && linked.has(p.table) ? 'subset' : 'whole',
        rows: previous?.tables.find((t) => t.table === p.table && t.status === 'done')?.rows ?? 0,
        status: done.has(p.table) ? 'done' : 'pending',
        columns: Object.fromEntries(p.columns.map((c) => [c.name, c.action])),
      })),
      dataFiles: [],
    };
    const saveAudit = () => {
      mkdirSync(dirname(auditFile) || '.', { recursive: true });
      writeFileSync(auditFile, JSON.stringify(audit, null, 2) + '\n');
    };

    // Nothing has been written so far. From here on, the destination changes.
    if (dest && emptyDestination) {
      await copySchema(o.from, o.to as string);
      log('destination empty: schema copied from the source (pg_dump --schema-only | psql)');
    }
    if (o.out) mkdirSync(o.out, { recursive: true });
    if (dest && done.size === 0) await dest.query(`TRUNCATE ${ordered.map((p) => quoteTable(p.table)).join(', ')}`);
    saveAudit();

    const masker = new Masker(o.secret, (n) => n.length >= MIN_LEAK_LENGTH && bloom.has(n));
    const rowLeaks: { column: string; rows: number }[] = [];
    // The global leak check tests each identifying output as the masker writes it (no second read of the output).
    const scan = new LeakScan(bloom);
    // Tables spread over the lanes by rows; a lane reading from a session other than the one that selected
    // the subset first receives its tables' key tables.
    const estimates = await estimatedRows(source, ordered.map((p) => p.table).filter((t) => !linked.has(t)));
    const laneTables = assignLanes(ordered, (t) => (done.has(t) ? 0 : (selected.get(t) ?? estimates.get(t) ?? 0)), LOAD_LANES);
    const lanes: LoadLane[] = laneTables.map((tables, i) => ({ source: i === 0 ? source : (readers[i - 1] as pg.Client), dest: i === 0 ? dest : laneDests[i - 1], tables }));
    for (const lane of lanes.slice(1)) {
      for (const p of lane.tables) {
        const key = keyOf(p.table);
        if (key && !done.has(p.table)) await shareKeys(source, lane.source, key);
      }
    }
    lap(`key tables shared with ${lanes.length - 1} more lane(s)`);
    await loadTables(lanes, { ordered, edges, audit, done, masker, scan, rowLeaks, keyOf, selected, o, saveAudit, log });
    for (const r of readers) await r.query('ROLLBACK');
    if (dest) await resetSequences(dest, ordered);
    lap('tables loaded');

    const leak = await confirmLeaks(source, ordered, scan);
    lap('leak check');
    const leaks = [...rowLeaks.map((l) => ({ ...l, kind: 'same row' as const })), ...leak.leaks.map((l) => ({ ...l, kind: 'original value' as const }))];
    audit.leakCheck = { checkedValues: leak.checked, candidates: leak.candidates, leaks, passed: leaks.length === 0 };
    // Declared distributions, the source in the extract's snapshot, the destination as loaded.
    const distributions: DistributionCheck[] = [];
    if (dest) {
      for (const d of rules.distributions) {
        distributions.push(compareDistribution(d.table, d.per, await distributionFigures(source, d.table, d.per), await distributionFigures(dest, d.table, d.per), d.tolerance));
      }
      audit.distributions = distributions;
    }
    await source.query('ROLLBACK');
    if (leaks.length > 0) {
      // The output holds original values: it must not stay anywhere.
      if (dest) await dest.query(`TRUNCATE ${ordered.map((p) => quoteTable(p.table)).join(', ')}`);
      if (o.out) for (const p of ordered) rmSync(join(o.out, `${p.table}.copy`), { force: true });
      audit.finishedAt = clock().toISOString();
      saveAudit();
      throw new PerfcellError(`leak check failed: original values found in ${leaks.map((l) => `${l.column} (${l.rows} rows, ${l.kind})`).join(', ')}; the output was removed (audit: ${auditFile})`, 'run');
    }
    const skewed = distributions.filter((d) => !d.passed);
    if (skewed.length > 0) {
      audit.finishedAt = clock().toISOString();
      saveAudit();
      const f = (x: number) => (Math.round(x * 100) / 100).toString();
      throw new PerfcellError(`declared distribution not kept: ${skewed.map((d) => `${d.table} per ${d.per}: mean ${f(d.source.mean)} → ${f(d.destination.mean)}, p50 ${f(d.source.p50)} → ${f(d.destination.p50)}, p90 ${f(d.source.p90)} → ${f(d.destination.p90)} (gap ${f(d.gap)} > ${d.tolerance})`).join('; ')} (audit: ${auditFile})`, 'run');
    }
    for (const spec of o.dataFiles ?? []) {
      await writeDataFile(spec, dest, o.out, ordered);
      audit.dataFiles.push(spec.file);
    }
    audit.finishedAt = clock().toISOString();
    saveAudit();
    return audit;
  } finally {
    await source.end().catch(() => undefined);
    await dest?.end().catch(() => undefined);
    for (const c of [...readers, ...laneDests]) await c.end().catch(() => undefined);
  }
}

/**
 * Tables loaded at once, each lane with its own source session (in the extract's snapshot) and its own
 * destination connection. One table's load is a chain — the source reads, Node masks, the destination
 * writes, ends its COPY and commits — whose links wait on one another; a second chain fills those waits
 * on the 2-core machine. Two, as the machine has two cores; measured with the other changes of that
 * commit, not alone (docs/data.md: the whole extract went from 25 522 to 55 432 rows/s).
 */
export const LOAD_LANES = 2;

interface LoadLane {
  source: pg.Client;
  dest: pg.Client | undefined;
  tables: TablePlan[];
}

interface LoadContext {
  ordered: readonly TablePlan[];
  edges: readonly Edge[];
  audit: Audit;
  done: ReadonlySet<string>;
  masker: Masker;
  scan: LeakScan;
  rowLeaks: { column: string; rows: number }[];
  keyOf: (table: string) => string | undefined;
  selected: ReadonlyMap<string, number>;
  o: ExtractOptions;
  saveAudit: () => void;
  log: (line: string) => void;
}

/**
 * Runs the lanes; a table starts once its declared parents (earlier in the load order) are loaded, as the
 * destination checks their keys. The first failure stops every lane before its next table and is thrown
 * once all lanes have stopped (no connection is closed under a running COPY).
 */
async function loadTables(lanes: readonly LoadLane[], c: LoadContext): Promise<void> {
  const finished = new Map<string, { promise: Promise<void>; resolve: () => void }>();
  for (const p of c.ordered) {
    let resolve: () => void = () => undefined;
    const promise = new Promise<void>((r) => (resolve = r));
    finished.set(p.table, { promise, resolve });
  }
  let failed = false;
  const runLane = async (lane: LoadLane): Promise<void> => {
    for (const plan of lane.tables) {
      await Promise.all(parentsBefore(plan.table, c.ordered, c.edges).map((t) => finished.get(t)?.promise));
      if (failed) return;
      try {
        await loadTable(lane, plan, c);
      } finally {
        finished.get(plan.table)?.resolve();
      }
    }
  };
  const results = await Promise.allSettled(
    lanes.map((lane) =>
      runLane(lane).catch((error: unknown) => {
        failed = true;
        for (const f of finished.values()) f.resolve();
        throw error;
      }),
    ),
  );
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
}

/** One table: COPY out of the lane's source session, masked, COPY into the lane's destination (one transaction) or a file. */
async function loadTable(lane: LoadLane, plan: TablePlan, c: LoadContext): Promise<void> {
  const { o } = c;
  const entry = c.audit.tables.find((t) => t.table === plan.table) as AuditTable;
  if (c.done.has(plan.table)) {
    // Masked in the interrupted run: its outputs are read back for the leak check.
    const checked = checkedColumns(plan);
    if (checked.length > 0) await scanOutput(lane.dest, o.out, plan, checked, (column, v) => c.scan.test(`${plan.table}.${column}`, v));
    c.log(`${plan.table}: done in the interrupted run, skipped`);
    return;
  }
  const started = performance.now();
  const columns = plan.columns.map((x) => x.name);
  const transform = new MaskTransform(plan, c.masker, (column, v) => c.scan.test(`${plan.table}.${column}`, v));
  const input = copyOut(lane.source, plan.table, columns, c.keyOf(plan.table));
  if (lane.dest) {
    await lane.dest.query('BEGIN');
    try {
      if (c.done.size > 0) await lane.dest.query(`TRUNCATE ${quoteTable(plan.table)}`);
      await pipeline(input, transform, copyIn(lane.dest, plan.table, columns));
      await lane.dest.query('COMMIT');
    } catch (error) {
      await lane.dest.query('ROLLBACK').catch(() => undefined);
      throw new PerfcellError(`${plan.table}: loading into ${redactUrl(o.to as string)} failed: ${error instanceof Error ? error.message : String(error)}`, 'run');
    }
  } else {
    const file = join(o.out as string, `${plan.table}.copy`);
    await pipeline(input, transform, createWriteStream(`${file}.part`));
    renameSync(`${file}.part`, file);
  }
  entry.rows = transform.stats.rows;
  entry.status = 'done';
  for (const [column, rows] of Object.entries(transform.stats.rowLeaks)) c.rowLeaks.push({ column: `${plan.table}.${column}`, rows });
  c.saveAudit();
  c.log(`${plan.table}: ${entry.rows} rows in ${Math.round(performance.now() - started)} ms${c.selected.has(plan.table) ? '' : ' (whole table)'}`);
}

/** serial / identity columns continue after the loaded ids, so the target can insert. */
async function resetSequences(dest: pg.Client, plans: readonly TablePlan[]): Promise<void> {
  for (const p of plans) {
    for (const c of p.columns) {
      const r = await dest.query<{ seq: string | null }>('SELECT pg_get_serial_sequence($1, $2) AS seq', [quoteTable(p.table), c.name]);
      const seq = r.rows[0]?.seq;
      if (seq) await dest.query(`SELECT setval($1, GREATEST(1, COALESCE((SELECT max(${quoteIdent(c.name)}) FROM ${quoteTable(p.table)}), 1)), (SELECT count(*) > 0 FROM ${quoteTable(p.table)}))`, [seq]);
    }
  }
}

/** Streams the values of `columns` (COPY text fields, decoded) from the destination or the output file. */
async function scanOutput(dest: pg.Client | undefined, out: string | undefined, plan: TablePlan, columns: string[], onValue: (column: string, value: string) => void): Promise<void> {
  const indexes = columns.map((c) => plan.columns.findIndex((x) => x.name === c));
  const source = dest ? copyOut(dest, plan.table, columns) : createReadStream(join(out as string, `${plan.table}.copy`));
  const pick = dest ? columns.map((_, i) => i) : indexes;
  const onLine = (line: Buffer) => {
    const fields = line.toString('utf8').split('\t');
    for (const [k, idx] of pick.entries()) {
      const v = decodeField(fields[idx] as string);
      if (v !== null) onValue(columns[k] as string, v);
    }
  };
  await pipeline(
    source,
    lineSink(onLine),
  );
}

/** Streams every non-null original of `columns` of a source table (all rows, in the open snapshot). */
async function scanSource(source: pg.Client, table: string, columns: string[], onValue: (value: string) => void): Promise<void> {
  const onLine = (line: Buffer) => {
    for (const f of line.toString('utf8').split('\t')) {
      const v = decodeField(f);
      if (v !== null) onValue(v);
    }
  };
  await pipeline(
    copyOut(source, table, columns),
    lineSink(onLine),
  );
}

/**
 * The output scanned for original values of the identifying masked columns: a Bloom filter of every
 * original (whole source tables), the output's values tested against it, the positives confirmed exactly.
 */
export async function originalsFilter(source: pg.Client, plans: readonly TablePlan[]): Promise<BloomFilter> {
  const bloom = new BloomFilter();
  for (const plan of plans) {
    const columns = checkedColumns(plan);
    if (columns.length === 0) continue;
    await pipeline(copyOut(source, plan.table, columns), lineSink((line) => addCopyLine(bloom, line)));
  }
  return bloom;
}

/**
 * The global leak check's first half: masked outputs of the identifying columns tested against the
 * filter of every original, as they are written (or read back, for tables a resumed extract skips). The
 * positives are kept, per normalised value and column, up to MAX_CANDIDATES.
 */
export class LeakScan {
  scanned = 0;
  overflow = false;
  readonly candidates = new Map<string, Map<string, number>>();
  constructor(private readonly bloom: BloomFilter) {}
  test(column: string, value: string): void {
    this.scanned++;
    const k = leakKey(value);
    if (!k || !this.bloom.has(k)) return;
    let perColumn = this.candidates.get(k);
    if (!perColumn) {
      if (this.candidates.size >= MAX_CANDIDATES) {
        this.overflow = true;
        return;
      }
      this.candidates.set(k, (perColumn = new Map()));
    }
    perColumn.set(column, (perColumn.get(column) ?? 0) + 1);
  }
}

/** The second half: the candidates confirmed (or not) against the originals exactly, in one streaming pass of the source. */
export async function confirmLeaks(source: pg.Client, plans: readonly TablePlan[], scan: LeakScan): Promise<{ checked: number; candidates: number; leaks: { column: string; rows: number }[] }> {
  const { candidates } = scan;
  if (scan.overflow) return { checked: scan.scanned, candidates: candidates.size, leaks: [{ column: '(too many candidates to confirm)', rows: MAX_CANDIDATES }] };
  const confirmed = new Map<string, number>();
  if (candidates.size > 0) {
    const hit = new Set<string>();
    for (const plan of plans) {
      const columns = checkedColumns(plan);
      if (columns.length === 0) continue;
      await scanSource(source, plan.table, columns, (v) => {
        const k = leakKey(v);
        if (k && candidates.has(k)) hit.add(k);
      });
    }
    for (const k of hit) for (const [col, n] of candidates.get(k) ?? []) confirmed.set(col, (confirmed.get(col) ?? 0) + n);
  }
  return { checked: scan.scanned, candidates: candidates.size, leaks: [...confirmed].map(([column, rows]) => ({ column, rows })) };
}

const csvField = (v: string | null): string => (v === null ? '' : /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** A scenario data file (CSV with a header) of masked columns, read back from the output. */
async function writeDataFile(spec: DataFileSpec, dest: pg.Client | undefined, out: string | undefined, plans: readonly TablePlan[]): Promise<void> {
  mkdirSync(dirname(spec.file) || '.', { recursive: true });
  const ws = createWriteStream(spec.file);
  ws.write((spec.headers ?? spec.columns).join(',') + '\n');
  // A COPY file holds the plan's columns in order; the destination is asked for the wanted ones only.
  const cols = plans.find((p) => p.table === spec.table)?.columns.map((c) => c.name) ?? [];
  const indexes = dest ? undefined : spec.columns.map((c) => cols.indexOf(c));
  const onLine = (line: Buffer) => {
    const fields = line.toString('utf8').split('\t');
    const picked = indexes ? indexes.map((i) => fields[i] as string) : fields;
    ws.write(picked.map((f) => csvField(decodeField(f))).join(',') + '\n');
  };
  const input = dest ? copyOut(dest, spec.table, spec.columns) : createReadStream(join(out as string, `${spec.table}.copy`));
  await pipeline(
    input,
    lineSink(onLine),
  );
  await new Promise<void>((resolve, reject) => ws.end((err?: Error | null) => (err ? reject(err) : resolve())));
}
