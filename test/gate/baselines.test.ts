/** The baseline store: set, list, resolve, and every way a baseline can be unusable (clear error). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerfcellError } from '../../src/errors.js';
import { listBaselines, resolveBaseline, setBaseline } from '../../src/gate/baselines.js';
import { runFile } from '../../src/store/folder.js';
import { steadyRequests, writeFakeRun } from './fake-run.js';

const scratch = mkdtempSync(join(tmpdir(), 'perfcell-baselines-'));
const store = join(scratch, 'store');
const expected = { service: 'gate-app', profile: 'single', modelFile: 'gate.yaml' };
const run = (name: string, meta = {}) => writeFakeRun(join(scratch, name), steadyRequests('hello', 2, 50, () => 5), meta);

function refused(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof PerfcellError, `a PerfcellError, got ${String(e)}`);
    assert.match(e.message, pattern);
    return true;
  });
}

test('set copies the run into <store>/<service>/<name>, show lists it, a name resolves to it', () => {
  const src = run('r1', { runId: '20261125T120000Z-aaaaaa' });
  const { dir, record } = setBaseline(src, { store, name: 'main', note: 'commit abc', now: () => new Date('2026-11-25T13:00:00Z') });
  assert.equal(dir, join(store, 'gate-app', 'main'));
  assert.ok(existsSync(runFile(dir, 'raw')) && existsSync(runFile(dir, 'meta')));
  assert.deepEqual({ ...record, source: '' }, {
    schemaVersion: 1, name: 'main', service: 'gate-app', profile: 'single', runId: '20261125T120000Z-aaaaaa', modelHash: 'f'.repeat(64),
    source: '', setAt: '2026-11-25T13:00:00.000Z', note: 'commit abc',
  });
  assert.deepEqual(listBaselines(store).map((b) => `${b.record.service}/${b.record.name}`), ['gate-app/main']);
  const resolved = resolveBaseline('main', expected, store);
  assert.equal(resolved.dir, dir);
  assert.equal(resolved.meta.runId, '20261125T120000Z-aaaaaa');
  // Setting again replaces: main is always the last accepted run.
  setBaseline(run('r2', { runId: '20261125T130000Z-bbbbbb' }), { store });
  assert.equal(resolveBaseline('main', expected, store).meta.runId, '20261125T130000Z-bbbbbb');
});

test('a missing baseline names the store and what it holds', () => {
  refused(() => resolveBaseline('release-1', expected, store), /no "release-1"; it has: main.*perfcell baseline set/);
  refused(() => resolveBaseline(join(scratch, 'nope'), expected, store), /does not exist/);
});

test('another service, another profile: refused with the field and both values', () => {
  refused(() => resolveBaseline(run('svc', { service: 'billing' }), expected, store), /run\.json: service: "gate-app".*a run of "billing"/);
  refused(() => resolveBaseline(run('prof', { profile: 'other' }), expected, store), /run\.json: profile: "single".*profile "other"/);
});

test('damaged or incomplete runs are refused', () => {
  const bad = run('json');
  writeFileSync(runFile(bad, 'meta'), '{ "schemaVersion": 1, ');
  refused(() => resolveBaseline(bad, expected, store), /run\.json: \(root\): valid JSON/);
  refused(() => resolveBaseline(run('failed', { status: 'failed' }), expected, store), /status: a complete run/);
  refused(() => setBaseline(run('interrupted', { status: 'interrupted' }), { store }), /status: a complete run/);
  const partial = run('fields');
  writeFileSync(runFile(partial, 'meta'), JSON.stringify({ ...JSON.parse(readFileSync(runFile(partial, 'meta'), 'utf8')), transactions: null }));
  refused(() => resolveBaseline(partial, expected, store), /the fields of a perfcell run\.json/);
  refused(() => setBaseline(run('r3'), { store, name: '../escape' }), /baseline name/);
});
