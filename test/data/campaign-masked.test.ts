/**
 * The reference target on a masked extract (issue 18): a small "production" database of the reference
 * target (test/support/data-skew.ts: its own seeders plus skew and odd characters), 20 % of its persons
 * extracted and masked into an empty database together with the scenarios' data file (`--data-file`, the
 * model's `data: persons`), then a campaign whose target runs on that database as it is (`seeded: false`,
 * `databaseUrl`: SUT_DATABASE_URL's in-process equivalent) plays a short real phase — searches by the masked
 * names, reads and 360° views by the extracted ids, every department real. The phase must pass with no
 * failed check, and every id of the data file must exist in the masked database.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { admin, createProductionDb, dbUrl, query } from '../support/data-skew.js';
import { classifyDatabase } from '../../src/data/classify-db.js';
import { extract, parseDataFileSpec } from '../../src/data/extract.js';
import { normalizeName } from '../../src/data/mask.js';
import { runCampaign } from '../../src/campaign/run-campaign.js';
import { referenceController } from '../../src/campaign/reference-target.js';
import { analyzeRun } from '../../src/analysis/analyze.js';
import { referenceProject, type ReferenceProject } from '../campaign/support/reference.js';

/** Customers of the "production" database: enough for 200-odd extracted persons, seeded in a few seconds. */
const PERSONS = 1000;
const DB = process.env.PERFCELL_I18_DB_PREFIX ?? 'perfcell_i18';
const PROD = `${DB}_campaign_prod`;
const MASKED = `${DB}_campaign_masked`;
const SECRET = Buffer.from('i18-campaign-secret-0123456789');
let p: ReferenceProject;

before(async () => {
  p = await referenceProject();
  await createProductionDb(PROD, PERSONS);
  await admin(`DROP DATABASE IF EXISTS ${MASKED} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${MASKED}`);
});

after(async () => {
  for (const d of [PROD, MASKED]) await admin(`DROP DATABASE IF EXISTS ${d} WITH (FORCE)`);
  p.remove();
});

test('the reference target runs on a masked extract and a real phase passes with the data file the extract wrote', { timeout: 120_000 }, async (t) => {
  const t0 = performance.now();
  const rules = join(p.dir, 'masking.yaml');
  await classifyDatabase(dbUrl(PROD), rules);
  const dataFile = join(p.dir, 'data', 'generated', 'persons.csv');
  // The columns the grc scenarios read: person_id for reads and views, search (a masked name) for searches.
  const spec = parseDataFileSpec(`${dataFile}=grc.persons:person_id=id,last_name,first_name,search=last_name_norm`);
  const audit = await extract({ from: dbUrl(PROD), rulesFile: rules, subset: 'grc.persons:20%', to: dbUrl(MASKED), secret: SECRET, auditFile: join(p.dir, 'audit.json'), dataFiles: [spec] });
  assert.equal(audit.leakCheck?.passed, true);
  const extracted = performance.now();

  writeFileSync(p.model, `service: grc-person
data:
  persons: data/generated/persons.csv
transactions:
  - name: search-person
    scenario: scenarios/grc/person.ts#searchPerson
    peakPerHour: 7200
    slo: { p95Ms: 500, maxErrorRate: 0.01 }
    expectedResponseMs: 20
    targets: [grc]
  - name: read-person
    scenario: scenarios/grc/person.ts#readPerson
    peakPerHour: 14400
    slo: { p95Ms: 500, maxErrorRate: 0.01 }
    expectedResponseMs: 10
    targets: [grc]
  - name: read-person-360
    scenario: scenarios/grc/person.ts#readPerson360
    peakPerHour: 7200
    slo: { p95Ms: 500, maxErrorRate: 0.01 }
    expectedResponseMs: 40
    targets: [grc, customer-service, legal, sales, billing]
profiles:
  check: { multiplier: 1, duration: 10s }
`);
  // Every department real, on the masked database; nothing seeded, the data file is the extract's.
  const campaign = join(p.dir, 'campaign.yaml');
  writeFileSync(campaign, `target: { kind: reference, databaseUrl: "${dbUrl(MASKED)}", seeded: false }
dependencies: [customer-service, legal, sales, billing, ticketing]
phases:
  unstubbed: { stubbed: [], profile: check, environment: test }
`);
  const lines: string[] = [];
  const outcome = await runCampaign({ model: p.model, campaignFile: campaign, reportsDir: p.reports, phases: ['unstubbed'], quiet: true, log: (l) => lines.push(l), referenceController });
  const phase = outcome.record.phases[0];
  assert.equal(phase?.status, 'passed', lines.join('\n'));
  assert.ok(lines.some((l) => /data as found in the database/.test(l)), 'the target was not seeded');
  const a = await analyzeRun(join(outcome.dir, 'unstubbed'));
  for (const name of ['search-person', 'read-person', 'read-person-360']) {
    const tx = a.transactions.find((x) => x.name === name);
    assert.ok(tx && tx.requests >= 10, `${name}: ${tx?.requests} requests`);
    assert.equal(tx.errors, 0, `${name}: ${JSON.stringify(tx.statusCounts)}`);
    // Searches found someone by the masked name, reads and views answered 200 for the extracted ids.
    assert.equal(tx.checks.fails, 0, `${name}: ${tx.checks.fails} failed checks`);
  }

  // The data file lists exactly the masked database's persons, and their masked names, not the originals.
  const csv = readFileSync(dataFile, 'utf8').trim().split('\n');
  assert.equal(csv[0], 'person_id,last_name,first_name,search');
  const rows = csv.slice(1).map((l) => l.split(','));
  const ids = rows.map((r) => r[0] as string);
  const [{ n: masked } = { n: '0' }] = await query<{ n: string }>(dbUrl(MASKED), 'SELECT count(*) AS n FROM grc.persons');
  assert.equal(ids.length, Number(masked));
  const [{ n: found } = { n: '0' }] = await query<{ n: string }>(dbUrl(MASKED), 'SELECT count(*) AS n FROM grc.persons WHERE id = ANY($1::uuid[])', [ids]);
  assert.equal(Number(found), ids.length, 'every id of the data file exists in the masked database');
  const originals = new Map((await query<{ id: string; last_name: string }>(dbUrl(PROD), 'SELECT id, last_name FROM grc.persons WHERE id = ANY($1::uuid[])', [ids])).map((r) => [r.id, r.last_name]));
  assert.equal(rows.filter((r) => normalizeName(r[1] ?? '') === normalizeName(originals.get(r[0] as string) ?? '')).length, 0, 'no original last name in the data file');
  t.diagnostic(`extract ${((extracted - t0) / 1000).toFixed(1)} s (${audit.tables.reduce((n, x) => n + x.rows, 0)} rows, ${ids.length} persons); campaign ${((performance.now() - extracted) / 1000).toFixed(1)} s`);
});
