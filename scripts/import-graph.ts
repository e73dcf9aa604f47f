/**
 * The folder-level import graph of src/: which src/ folder imports which at run time (type-only imports
 * bind nothing and are left out), its cycles, the src/ files that import sut/, and what lib/ imports.
 * test/architecture/import-graph.test.ts holds the rules; this script prints the graph:
 *
 *   npm run graph            (or: node --import tsx scripts/import-graph.ts [root])
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

export interface ImportEdge {
  /** Importing file, relative to the root, with / separators. */
  from: string;
  /** Imported file (resolved, without checking it exists), relative to the root. */
  to: string;
}

export interface ImportGraph {
  /** Runtime imports between files of src/, lib/ and sut/ (relative specifiers only). */
  edges: ImportEdge[];
  /** src/ folder → the src/ folders it imports (files at src/'s root, such as errors.ts, are no folder). */
  folders: Map<string, Set<string>>;
  /** Strongly connected groups of more than one folder, each sorted. */
  cycles: string[][];
}

function walk(dir: string, out: string[]): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const e of entries) {
    if (e === 'node_modules') continue;
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|mts)$/.test(e) && !e.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Relative module specifiers a file imports at run time (import/export … from, import()). */
export function runtimeImports(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false);
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly = clause !== undefined && (clause.isTypeOnly || (clause.name === undefined && clause.namedBindings !== undefined && ts.isNamedImports(clause.namedBindings) && clause.namedBindings.elements.length > 0 && clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      if (!typeOnly) out.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const typeOnly = node.isTypeOnly || (node.exportClause !== undefined && ts.isNamedExports(node.exportClause) && node.exportClause.elements.length > 0 && node.exportClause.elements.every((e) => e.isTypeOnly));
      if (!typeOnly) out.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const arg = node.arguments[0];
      if (arg && ts.isStringLiteral(arg)) out.push(arg.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out.filter((s) => s.startsWith('.'));
}

const posix = (p: string) => p.split(sep).join('/');

/** src/ folder of a root-relative path, or undefined (outside src/, or a file at src/'s root). */
export function srcFolderOf(path: string): string | undefined {
  const parts = path.split('/');
  return parts[0] === 'src' && parts.length > 2 ? parts[1] : undefined;
}

export function importGraph(root: string): ImportGraph {
  const edges: ImportEdge[] = [];
  for (const top of ['src', 'lib', 'sut']) {
    for (const file of walk(join(root, top), [])) {
      if (file.endsWith('.test.ts')) continue;
      for (const spec of runtimeImports(file, readFileSync(file, 'utf8'))) {
        const target = resolve(dirname(file), spec).replace(/\.js$/, '.ts');
        edges.push({ from: posix(relative(root, file)), to: posix(relative(root, target)) });
      }
    }
  }
  const folders = new Map<string, Set<string>>();
  for (const e of edges) {
    const a = srcFolderOf(e.from);
    const b = srcFolderOf(e.to);
    if (!a) continue;
    if (!folders.has(a)) folders.set(a, new Set());
    if (b && b !== a) folders.get(a)?.add(b);
  }
  return { edges, folders, cycles: cyclesOf(folders) };
}

/** Tarjan's strongly connected components of more than one node. */
export function cyclesOf(graph: Map<string, Set<string>>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const onStack = new Set<string>();
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const out: string[][] = [];
  const nodes = new Set([...graph.keys(), ...[...graph.values()].flatMap((s) => [...s])]);
  const connect = (v: string): void => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, idx.get(w) as number));
    }
    if (low.get(v) === idx.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) out.push(group.sort());
    }
  };
  for (const v of [...nodes].sort()) if (!idx.has(v)) connect(v);
  return out;
}

/** Folder graph as text: one line per src/ folder, from the lowest floor up (fewest dependencies first). */
export function formatGraph(graph: ImportGraph): string {
  const rows = [...graph.folders.entries()].sort((a, b) => a[1].size - b[1].size || a[0].localeCompare(b[0]));
  const lines = rows.map(([f, deps]) => `${f.padEnd(14)} → ${[...deps].sort().join(', ') || '(nothing in src/)'}`);
  const intoSut = [...new Set(graph.edges.filter((e) => e.from.startsWith('src/') && e.to.startsWith('sut/')).map((e) => e.from))].sort();
  const libOut = graph.edges.filter((e) => e.from.startsWith('lib/') && !e.to.startsWith('lib/'));
  const sutIntoSrc = [...new Set(graph.edges.filter((e) => e.from.startsWith('sut/') && e.to.startsWith('src/')).map((e) => e.from))].sort();
  return [
    ...lines,
    `cycles: ${graph.cycles.length ? graph.cycles.map((c) => c.join(' ⇄ ')).join('; ') : 'none'}`,
    `src files importing sut/: ${intoSut.length ? intoSut.join(', ') : 'none'}`,
    `sut files importing src/: ${sutIntoSrc.length ? sutIntoSrc.join(', ') : 'none'}`,
    `lib/ imports outside lib/: ${libOut.length ? libOut.map((e) => `${e.from} → ${e.to}`).join(', ') : 'none'}`,
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
  process.stdout.write(formatGraph(importGraph(root)) + '\n');
}
