import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateRunJson, type MigrationStep } from '../../src/store/migrate.js';
import { readRunMeta, RUN_SCHEMA_VERSION } from '../../src/store/folder.js';

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
