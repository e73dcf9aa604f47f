import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateRunJson, type MigrationStep } from '../../src/store/migrate.js';
import { readRunMeta, RUN_SCHEMA_VERSION, writeRunMeta } from '../../src/store/folder.js';
import { DEFAULT_HEADROOM } from '../../src/store/run-schema.js';
import { analyzeRun } from '../../src/analysis/analyze.js';

test('a run.json of the current version is read as written', () => {
  const json = { schemaVersion: 1, runId: 'r', flags: ['interrupted'] };
  assert.deepEqual(migrateRunJson(json, 1, 'run.json'), json);
});

test('an older run.json goes through each step up to the current version, in order', () => {
  const steps: Record<number, MigrationStep> = {
    1: (v1) => ({ ...v1, peaks: [(v1.rate as number) / 2] }),
    2: (v2) => ({ ...v2, peaks: (v2.peaks as number[]).map((p) => p * 10) }),
  };
  assert.deepEqual(migrateRunJson({ schemaVersion: 1, rate: 8 }, 3, 'run.json', steps), { schemaVersion: 3, rate: 8, peaks: [40] });
  assert.deepEqual(migrateRunJson({ schemaVersion: 2, peaks: [3] }, 3, 'run.json', steps), { schemaVersion: 3, peaks: [30] });
});

test('a version newer than this perfcell, or one with no step, is refused naming the file and the field', () => {
  assert.throws(() => migrateRunJson({ schemaVersion: 7 }, 1, 'x/run.json'), /x\/run\.json.*schemaVersion.*got 7/);
  assert.throws(() => migrateRunJson({ schemaVersion: 0 }, 1, 'x/run.json'), /got 0/);
  assert.throws(() => migrateRunJson({}, 1, 'x/run.json'), /got undefined/);
  assert.throws(() => migrateRunJson([], 1, 'x/run.json'), /a JSON object/);
});

test('readRunMeta refuses a run folder written by a newer perfcell', () => {
  const dir = mkdtempSync(join(tmpdir(), 'perfcell-migrate-'));
  writeFileSync(join(dir, 'run.json'), JSON.stringify({ schemaVersion: RUN_SCHEMA_VERSION + 1 }));
  assert.throws(() => readRunMeta(dir), new RegExp(`schemaVersion.*got ${RUN_SCHEMA_VERSION + 1}`));
});

/** A copy of a recorded run folder of schema version 1, optionally with its run.json and model.yaml changed. */
function v1Folder(edit: (meta: Record<string, unknown>) => void = () => {}, model?: string | null): string {
  const dir = mkdtempSync(join(tmpdir(), 'perfcell-v1-'));
  cpSync('test/fixtures/runs/unmatched-stubs/iteration-1/stubbed', dir, { recursive: true });
  const meta = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(meta.schemaVersion, 1, 'the fixture is a version 1 run folder');
  edit(meta);
  writeFileSync(join(dir, 'run.json'), JSON.stringify(meta));
  if (model === null) rmSync(join(dir, 'model.yaml'));
  else if (model !== undefined) writeFileSync(join(dir, 'model.yaml'), model);
  return dir;
}

test('version 1 → 2 on a recorded run folder: SLO objects, business peak, headroom and targets, the stub flag as a number', () => {
  const meta = readRunMeta(v1Folder());
  assert.equal(meta.schemaVersion, 2);
  const [t] = meta.transactions;
  assert.deepEqual(t?.slo, { p95Ms: 100, maxErrorRate: 0.01 });
  assert.equal('thresholds' in (t ?? {}), false);
  // Constant profile at multiplier 0.1 and 5/s: the model's peak is 50/s.
  assert.equal(t?.peakPerSec, 50);
  assert.deepEqual(t?.targets, []);
  assert.equal(meta.headroom, 0.3);
  assert.equal(meta.unmatchedStubRequests, 23);
  assert.deepEqual(meta.flags, []);
});

test('version 1 → 2: a stress profile\'s peak is its first step\'s rate ÷ multiplier; headroom and targets come from the folder\'s model.yaml', () => {
  const model = readFileSync('test/fixtures/runs/basic-smoke/model.yaml', 'utf8').replace('headroom: 0.30', 'headroom: 0.45').replace('slo: { p95Ms: 100, maxErrorRate: 0.01 }', 'slo: { p95Ms: 100, maxErrorRate: 0.01 }\n    targets: [app, billing]');
  assert.match(model, /headroom: 0\.45/);
  assert.match(model, /targets: \[app, billing\]/);
  const dir = v1Folder((m) => {
    m.timeline = [{ fromMultiplier: 0, toMultiplier: 0.5, durationMs: 1000 }, { fromMultiplier: 0.5, toMultiplier: 0.5, durationMs: 4000 }, { fromMultiplier: 0.5, toMultiplier: 1, durationMs: 1000 }, { fromMultiplier: 1, toMultiplier: 1, durationMs: 4000 }];
    m.transactions = [{ name: 'hello', scenario: 's.ts#hello', peakRatePerSec: 20, stepRatesPerSec: [10, 20], preAllocatedVUs: 1, maxVUs: 4, thresholds: ['http_req_duration med<20', 'http_req_duration p(90)<40', 'http_req_duration p(99)<90', 'http_req_failed rate<=0.002', 'http_req_duration max>=0'] }];
    m.flags = ['interrupted', 'unmatched-stub-requests:2', 'unmatched-stub-requests:3', 'unmatched-stub-requests:x'];
  }, model);
  const meta = readRunMeta(dir);
  const [t] = meta.transactions;
  assert.equal(t?.peakPerSec, 20);
  assert.deepEqual(t?.slo, { p50Ms: 20, p90Ms: 40, p99Ms: 90, maxErrorRate: 0.002 });
  assert.deepEqual(t?.targets, ['app', 'billing']);
  assert.equal(meta.headroom, 0.45);
  assert.equal(meta.unmatchedStubRequests, 5);
  // A malformed count is dropped with the flag it came in.
  assert.deepEqual(meta.flags, ['interrupted']);
  // The run folder on disk is left as it was written.
  assert.equal((JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as { schemaVersion: number }).schemaVersion, 1);
});

test('version 1 → 2 without a readable model.yaml: the default headroom, no targets', () => {
  assert.equal(readRunMeta(v1Folder(() => {}, null)).headroom, DEFAULT_HEADROOM);
  assert.equal(readRunMeta(v1Folder(() => {}, 'headroom: [not yaml')).headroom, DEFAULT_HEADROOM);
});

test('a migrated version 1 folder analyses exactly as the same run written as version 2', async () => {
  const old = v1Folder();
  const rewritten = v1Folder();
  writeRunMeta(rewritten, readRunMeta(rewritten));
  assert.equal((JSON.parse(readFileSync(join(rewritten, 'run.json'), 'utf8')) as { schemaVersion: number }).schemaVersion, RUN_SCHEMA_VERSION);
  const [a, b] = [await analyzeRun(old), await analyzeRun(rewritten)];
  const strip = (x: typeof a) => ({ ...x, runs: x.runs.map((r) => ({ ...r, dir: '' })) });
  assert.deepEqual(strip(a), strip(b));
  assert.deepEqual(a.slo.map((s) => [s.criterion, s.op, s.limit]), [['p95', '<', 100], ['errorRate', '<=', 0.01]]);
  assert.equal(a.runs[0]?.unmatchedStubRequests, 23);
});
