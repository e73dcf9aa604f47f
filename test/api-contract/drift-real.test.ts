// The drift check end to end: the reference target's grc with each planted drift (SUT_DRIFT), a real k6
// smoke run of three grc scenarios, then `perfcell scenarios check` against the target's own
// /openapi.json. Each drift is caught as its kind of finding; the clean target gives none (and there the
// check makes its smoke run itself, without --run, recording a sample of bodies and query strings). The
// renamed field is caught statically too, from a run made with --record-bodies.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSut } from '../../sut/start.js';
import { seedSut } from '../../sut/seed.js';
import { NO_TRAPS, type Drift } from '../../sut/lib/traps.js';
import { REPO, runCli } from '../support/cli.js';

let dir: string;
const DOWN = 'http://127.0.0.1:9'; // grc's departments are not needed by these three transactions

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'perfcell-contract-'));
  mkdirSync(join(dir, 'scenarios', 'grc'), { recursive: true });
  copyFileSync(join(REPO, 'scenarios/grc/person.ts'), join(dir, 'scenarios/grc/person.ts'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function writeModel(grcUrl: string): string {
  const file = join(dir, 'contract.yaml');
  writeFileSync(
    file,
    `service: grc-contract
environments:
  local: { loadTesting: allowed, targets: { grc: "${grcUrl}" } }
data: { persons: data/persons.csv }
transactions:
  - { name: search-person, scenario: scenarios/grc/person.ts#searchPerson, peakPerHour: 3600, expectedResponseMs: 20, targets: [grc] }
  - { name: read-person, scenario: scenarios/grc/person.ts#readPerson, peakPerHour: 3600, expectedResponseMs: 20, targets: [grc] }
  - { name: create-person, scenario: scenarios/grc/person.ts#createPerson, peakPerHour: 3600, expectedResponseMs: 20, targets: [grc] }
profiles:
  smoke: { multiplier: 4, duration: 2s }
`,
  );
  return file;
}

interface Report { clean: boolean; findings: { kind: string; subject: string; status?: string; requests: number; message: string }[]; coverage: { covered: number; operations: number; weighted?: { covered: number; total: number; ratio: number } }; operations: unknown[]; requests: number; static?: { recorded: number; judged: number; note?: string } }

/** A model as `perfcell derive` writes it: transactions named after operationIds, production volumes. */
function writeVolumes(): string {
  const file = join(dir, 'derived.yaml');
  writeFileSync(
    file,
    `service: grc-derived
environments:
  local: { loadTesting: allowed, targets: { grc: "http://127.0.0.1:9" } }
data: { persons: data/persons.csv }
transactions:
  - { name: search-persons, scenario: scenarios/grc/person.ts#searchPerson, peakPerHour: 900 }
  - { name: get-person, scenario: scenarios/grc/person.ts#readPerson, peakPerHour: 90 }
  - { name: update-contact, scenario: scenarios/grc/person.ts#updateContact, peakPerHour: 10 }
profiles:
  peak: { duration: 10m }
`,
  );
  return file;
}

async function checkWith(drift: Drift, useRun: boolean, recordBodies = false, extraArgs: string[] = []): Promise<{ code: number | null; report: Report; junit: string; stderr: string }> {
  const sut = await startSut({ only: ['grc'], ports: { grc: 0 }, traps: { ...NO_TRAPS, drift }, dependencyUrls: { 'customer-service': DOWN, legal: DOWN, sales: DOWN, billing: DOWN }, healthTimeoutMs: 0 });
  try {
    const grc = sut.urls.grc as string;
    await seedSut(sut.urls, { persons: 30, seed: 'contract', dataDir: join(dir, 'data') });
    const model = writeModel(grc);
    const args = ['scenarios', 'check', model, '--openapi', `${grc}/openapi.json`, '--json', '--junit', join(dir, `${drift}.xml`), ...extraArgs];
    if (useRun) {
      const out = join(dir, `run-${drift}`);
      const run = await runCli(['run', model, '-p', 'smoke', '-q', '--no-influx', '--no-monitor', '-o', out, ...(recordBodies ? ['--record-bodies'] : [])]);
      assert.ok(existsSync(join(out, 'raw.csv.gz')), run.stderr);
      args.push('--run', out);
    }
    const r = await runCli(args);
    assert.ok(r.stdout.length > 0, r.stderr);
    return { code: r.code, report: JSON.parse(r.stdout) as Report, junit: readFileSync(join(dir, `${drift}.xml`), 'utf8'), stderr: r.stderr };
  } finally {
    await sut.stop();
  }
}

const summary = (r: Report) => r.findings.map((f) => `${f.kind} ${f.subject}${f.status ? ` ${f.status}` : ''}`);

test('a clean target: no finding, exit 0, the three operations covered (smoke run made by the check)', { timeout: 60_000 }, async () => {
  const { code, report, junit, stderr } = await checkWith('none', false, false, ['--volumes', writeVolumes()]);
  assert.deepEqual(summary(report), []);
  assert.equal(code, 0, stderr);
  assert.match(stderr, /no --run given: a smoke run/);
  assert.ok(report.requests >= 15, `${report.requests} requests`);
  assert.equal(report.coverage.covered, 3);
  assert.match(junit, /failures="0"/);
  // The check's own smoke run recorded a sample of its requests: bodies and query strings match the schemas.
  assert.ok((report.static?.judged ?? 0) >= 3, JSON.stringify(report.static));
  // Coverage weighted by the derived model's volumes: updateContact (10/h) is the only one not exercised.
  assert.deepEqual(report.coverage.weighted, { covered: 990, total: 1000, ratio: 0.99 });
  // JUnit: one test case per documented operation (skipped when not covered), none failed.
  assert.equal((junit.match(/<testcase /g) ?? []).length, report.operations.length);
  assert.ok((junit.match(/<skipped /g) ?? []).length === report.operations.length - 3, junit);
});

test('renamed field: the scripts\' bodies are refused (400) and, statically, do not match the schema, exit 1', { timeout: 60_000 }, async () => {
  const { code, report, junit } = await checkWith('renamed-field', true, true);
  assert.deepEqual(summary(report), ['rejected-request POST /persons 400', 'invalid-body POST /persons']);
  assert.equal(code, 1);
  // The static finding names the field: what the document requires now and what the script still sends.
  const body = report.findings.find((f) => f.kind === 'invalid-body');
  assert.match(body?.message ?? '', /body: must have required property 'familyName'/);
  assert.match(body?.message ?? '', /body: must NOT have additional property 'lastName'/);
  assert.equal(report.static?.recorded, report.static?.judged);
  assert.match(junit, /name="POST \/persons \(createPerson\)"><failure message="rejected-request 400: .*; invalid-body: body: must/);
});

test('removed route: requests to a path no operation has, and a name claiming it, exit 1', { timeout: 60_000 }, async () => {
  const { code, report } = await checkWith('removed-route', true);
  assert.deepEqual(summary(report), ['undocumented-path GET /persons/{id}', 'claimed-not-hit GET /persons/{id}']);
  assert.equal(code, 1);
});

test('changed status: 200 where the document says 201, exit 1', { timeout: 60_000 }, async () => {
  const { code, report } = await checkWith('changed-status', true);
  assert.deepEqual(summary(report), ['undocumented-status POST /persons 200']);
  assert.equal(code, 1);
});

test('bad input is exit 2 in one line; an unreachable document is exit 3', { timeout: 30_000 }, async () => {
  const model = writeModel('http://127.0.0.1:9');
  const bad = await runCli(['scenarios', 'check', model, '--openapi', 'test/fixtures/api-contract/malformed.yaml', '--run', dir]);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
  assert.match(bad.stderr, /malformed\.yaml: \(root\): a valid OpenAPI document: must have required property 'version'/);
  const down = await runCli(['scenarios', 'check', model, '--openapi', 'http://127.0.0.1:9/openapi.json', '--run', dir]);
  assert.equal(down.code, 3, down.stderr);
  assert.match(down.stderr, /could not read the OpenAPI document/);
});
