import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cyclesOf, importGraph, runtimeImports } from '../../scripts/import-graph.js';

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
/** The one file outside src/cli (the composition root) that may import sut/: the reference target's plug-in. */
const SUT_SEAM = 'src/campaign/reference-target.ts';
/** The stored run format is the lowest floor: it may import only these (src/errors.ts re-exports lib/errors.ts). */
const STORE_MAY_IMPORT = /^(src\/store\/|src\/errors\.ts$|lib\/)/;

const graph = importGraph(ROOT);

test('the src/ folders import each other one way: no cycle', () => {
  assert.deepEqual(graph.cycles, [], graph.cycles.map((c) => c.join(' ⇄ ')).join('; '));
  assert.ok(graph.folders.size >= 10, `src/ has its folders (${graph.folders.size} found): the graph is not empty`);
});

test('src/ imports sut/ only from src/cli and the reference target seam', () => {
  const offenders = [...new Set(graph.edges.filter((e) => e.from.startsWith('src/') && e.to.startsWith('sut/')).map((e) => e.from))]
    .filter((f) => !f.startsWith('src/cli/') && f !== SUT_SEAM);
  assert.deepEqual(offenders, []);
});

test('the stored run format (src/store) imports nothing from above it', () => {
  const up = graph.edges.filter((e) => e.from.startsWith('src/store/') && !STORE_MAY_IMPORT.test(e.to));
  assert.deepEqual(up, []);
  assert.ok(graph.edges.some((e) => e.from === 'src/store/folder.ts'), 'src/store/folder.ts is read');
});

test("lib/ imports neither src/ nor sut/, and sut/'s own code imports no src/", () => {
  assert.deepEqual(graph.edges.filter((e) => e.from.startsWith('lib/') && !e.to.startsWith('lib/')), []);
  const sutIntoSrc = graph.edges.filter((e) => e.from.startsWith('sut/') && !/^sut\/(test|bench)\//.test(e.from) && e.to.startsWith('src/'));
  assert.deepEqual(sutIntoSrc, []);
});

test('the checks see what they check: a cycle, a type-only import and a dynamic import', () => {
  assert.deepEqual(cyclesOf(new Map([['a', new Set(['b'])], ['b', new Set(['c'])], ['c', new Set(['a'])], ['d', new Set(['a'])]])), [['a', 'b', 'c']]);
  assert.deepEqual(cyclesOf(new Map([['a', new Set(['b'])], ['b', new Set<string>()]])), []);
  const text = [
    "import type { A } from '../a/x.js';",
    "import { type B } from '../b/x.js';",
    "import { c, type C } from '../c/x.js';",
    "export { d } from '../d/x.js';",
    "export type { E } from '../e/x.js';",
    "import 'node:fs';",
    "const f = await import('../f/x.js');",
  ].join('\n');
  assert.deepEqual(runtimeImports('x.ts', text), ['../c/x.js', '../d/x.js', '../f/x.js']);
});
