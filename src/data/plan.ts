/**
 * The subset plan, pure: which relations to follow in which direction (declared foreign keys and the rules
 * file's undeclared ones), the root sample, and the order to load tables in (parents before children).
 */
import { inputError } from '../errors.js';
import type { Catalog, Relation, Rules, TablePlan } from './rules.js';

export interface Edge {
  child: string;
  childColumns: string[];
  parent: string;
  parentColumns: string[];
  /** Always true: an extracted child brings its parent. */
  up: true;
  /** An extracted parent brings all its children. */
  down: boolean;
  declared: boolean;
}

export type RootFilter = { kind: 'percent'; percent: number } | { kind: 'where'; where: string };
export interface SubsetSpec {
  root: string;
  filter: RootFilter;
}

/** "grc.persons:5%" or "grc.persons:<WHERE clause>" (source named `--subset` or the rules' subset:). */
export function parseSubset(text: string, origin: string): SubsetSpec {
  const m = /^\s*([a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*)\s*:\s*(.+)$/s.exec(text);
  if (!m) throw inputError(origin, 'subset', `schema.table:N% or schema.table:<WHERE clause> (got "${text}")`);
  const root = m[1] as string;
  const rest = (m[2] as string).trim();
  const pct = /^(\d+(?:\.\d+)?)\s*%$/.exec(rest);
  if (pct) {
    const percent = Number(pct[1]);
    if (!(percent > 0 && percent <= 100)) throw inputError(origin, 'subset', `a percentage in (0, 100] (got ${rest})`);
    return { root, filter: { kind: 'percent', percent } };
  }
  if (/;/.test(rest)) throw inputError(origin, 'subset', 'one WHERE condition, without ";"');
  return { root, filter: { kind: 'where', where: rest.replace(/^where\s+/i, '') } };
}

const split = (ref: string): [string, string] => {
  const i = ref.lastIndexOf('.');
  return [ref.slice(0, i), ref.slice(i + 1)];
};

/**
 * Edges between extracted tables: every declared foreign key (up; both when a rules relation with the same
 * columns says so) and every rules relation. Edges touching a skipped table are left out.
 */
export function buildEdges(catalog: Catalog, relations: readonly Relation[], extracted: ReadonlySet<string>): Edge[] {
  const edges: Edge[] = [];
  const key = (child: string, cc: string[], parent: string, pc: string[]) => `${child}(${cc.join(',')})>${parent}(${pc.join(',')})`;
  const index = new Map<string, Edge>();
  for (const fk of catalog.foreignKeys) {
    if (!extracted.has(fk.child) || !extracted.has(fk.parent)) continue;
    const e: Edge = { child: fk.child, childColumns: fk.childColumns, parent: fk.parent, parentColumns: fk.parentColumns, up: true, down: false, declared: true };
    edges.push(e);
    index.set(key(e.child, e.childColumns, e.parent, e.parentColumns), e);
  }
  for (const r of relations) {
    const [child, cc] = split(r.from);
    const [parent, pc] = split(r.to);
    if (!extracted.has(child) || !extracted.has(parent)) continue;
    const existing = index.get(key(child, [cc], parent, [pc]));
    if (existing) {
      existing.down = r.follow === 'both';
      continue;
    }
    edges.push({ child, childColumns: [cc], parent, parentColumns: [pc], up: true, down: r.follow === 'both', declared: false });
  }
  return edges;
}

/** Tables reachable from the root through the edges (either direction): the others are extracted whole. */
export function reachable(root: string, edges: readonly Edge[]): Set<string> {
  const seen = new Set([root]);
  const stack = [root];
  while (stack.length) {
    const t = stack.pop() as string;
    for (const e of edges) {
      for (const next of e.child === t ? [e.parent] : e.parent === t ? [e.child] : []) {
        if (!seen.has(next)) {
          seen.add(next);
          stack.push(next);
        }
      }
    }
  }
  return seen;
}

/** Parents before children along declared foreign keys (what the destination enforces); stable otherwise. */
export function loadOrder(tables: readonly TablePlan[], edges: readonly Edge[]): TablePlan[] {
  const names = tables.map((t) => t.table);
  const parents = new Map(names.map((n) => [n, new Set(edges.filter((e) => e.declared && e.child === n && e.parent !== n).map((e) => e.parent))]));
  const out: TablePlan[] = [];
  const done = new Set<string>();
  while (out.length < tables.length) {
    const next = tables.find((t) => !done.has(t.table) && [...(parents.get(t.table) ?? [])].every((p) => done.has(p)))
      // A cycle of declared keys: take the first remaining (the destination then needs deferred constraints).
      ?? tables.find((t) => !done.has(t.table)) as TablePlan;
    out.push(next);
    done.add(next.table);
  }
  return out;
}

/** The rules' subset unless the command line gives one; none → every table whole. */
export function chooseSubset(rules: Rules, flag: string | undefined, rulesFile: string): SubsetSpec | undefined {
  if (flag) return parseSubset(flag, '--subset');
  return rules.subset ? parseSubset(rules.subset, rulesFile) : undefined;
}

/**
 * Pure: the tables spread over `lanes` loaders by their row counts (the largest first, each to the lane
 * with the fewest rows so far), each lane keeping the load order. A lane waits only for declared parents
 * earlier in the load order (`parentsBefore`), so lanes never wait on each other in a circle.
 */
export function assignLanes(ordered: readonly TablePlan[], rows: (table: string) => number, lanes: number): TablePlan[][] {
  const out = Array.from({ length: Math.max(1, lanes) }, () => ({ rows: 0, tables: [] as TablePlan[] }));
  const position = new Map(ordered.map((p, i) => [p.table, i]));
  for (const p of [...ordered].sort((a, b) => rows(b.table) - rows(a.table))) {
    const lightest = out.reduce((m, l) => (l.rows < m.rows ? l : m));
    lightest.tables.push(p);
    lightest.rows += rows(p.table);
  }
  return out.map((l) => l.tables.sort((a, b) => (position.get(a.table) as number) - (position.get(b.table) as number)));
}

/** The declared parents of `table` that the load order puts before it (the ones the destination checks on load). */
export function parentsBefore(table: string, ordered: readonly TablePlan[], edges: readonly Edge[]): string[] {
  const position = new Map(ordered.map((p, i) => [p.table, i]));
  const own = position.get(table) ?? -1;
  return [...new Set(edges.filter((e) => e.declared && e.child === table && e.parent !== table && (position.get(e.parent) ?? Infinity) < own).map((e) => e.parent))];
}
