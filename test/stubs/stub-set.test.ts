import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listStubSets, loadStubSet, mappingLabel, parseMappingFile } from '../../src/stubs/stub-set.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

test('a stub set reads single-mapping and multi-mapping files, and names its mappings', () => {
  const set = loadStubSet(`${FIXTURES}stubs`, 'echo');
  assert.equal(set.mappingCount, 3);
  assert.deepEqual(set.files.map((f) => f.multi), [true, false]);
  const labels = set.files.flatMap((f) => f.mappings.map(mappingLabel));
  assert.deepEqual(labels, ['health', 'list contracts', 'get person']);
  assert.deepEqual(listStubSets(`${FIXTURES}stubs`), ['echo']);
});

test('a mapping file that is not JSON is refused with the file named', () => {
  assert.throws(() => parseMappingFile('m.json', '{ "request": '), /^PerfcellError: m\.json: \(root\): valid WireMock JSON/);
});

test('a mapping without a URL matcher is refused naming the field', () => {
  assert.throws(() => loadStubSet(`${FIXTURES}broken`, 'bad'), (e: Error) => /bad\.json: request: expected one of url, urlPath/.test(e.message));
});

test('a delay distribution of an unknown shape is refused naming the field', () => {
  const text = JSON.stringify({ request: { url: '/a' }, response: { delayDistribution: { type: 'lognormal', median: -1, sigma: 0.1 } } });
  assert.throws(() => parseMappingFile('d.json', text), /d\.json: response\.delayDistribution/);
});

test('a stub set that does not exist is an error listing the sets that do', () => {
  assert.throws(() => loadStubSet(`${FIXTURES}stubs`, 'nope'), /nope: mappings: a stub set folder with mappings\/ \(stub sets here: echo\)/);
});

test('a bodyFileName missing from __files is refused before any server starts', () => {
  const root = mkdtempSync(join(tmpdir(), 'perfcell-stubs-'));
  mkdirSync(join(root, 'dep', 'mappings'), { recursive: true });
  writeFileSync(join(root, 'dep', 'mappings', 'x.json'), JSON.stringify({ request: { url: '/a' }, response: { bodyFileName: 'x.json' } }));
  assert.throws(() => loadStubSet(root, 'dep'), /x\.json: response\.bodyFileName: a file in .*__files \(x\.json does not exist\)/);
  rmSync(root, { recursive: true });
});
