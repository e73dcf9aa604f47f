/**
 * `perfcell data` against the real PostgreSQL: a "production" database (the reference target's five
 * schemas, seeded, plus skew and odd characters: test/support/data-skew.ts), classified, then 5 % of its
 * persons extracted and masked into other databases and folders. PERFCELL_I18_PERSONS sets the customer
 * count (default 20 000 in the suite: 100 000 took 300 s here, 85 s of it seeding, a sixth of the whole suite's
 * budget; every check below is the same at 100 000 — PERFCELL_I18_PERSONS=100000 — and `npm run bench -- data`
 * extracts from 100 000).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { admin, createProductionDb, createSchema, dbUrl, query } from '../support/data-skew.js';
import { runCli } from '../support/cli.js';
import { classifyDatabase } from '../../src/data/classify-db.js';
import { extract, type Audit } from '../../src/data/extract.js';
import { parseRules } from '../../src/data/rules.js';
import { isValidIban, isValidNir, luhnValid, normalizeName } from '../../src/data/mask.js';

const PERSONS = Number(process.env.PERFCELL_I18_PERSONS ?? 20_000);
/** Database names start with this (PERFCELL_I18_DB_PREFIX): two checkouts can run the test side by side. */
const DB = process.env.PERFCELL_I18_DB_PREFIX ?? 'perfcell_i18';
const PROD = `${DB}_prod`;
const DST = `${DB}_dst`;
const DST_REFRESH = `${DB}_refresh`;
const LEAK = `${DB}_leak`;
const EMPTY = `${DB}_empty`;
const SECRET_A = Buffer.from('i18-secret-A-0123456789');
const SECRET_B = Buffer.from('i18-secret-B-0123456789');
const tmp = mkdtempSync(join(tmpdir(), 'perfcell-i18-'));
const rulesFile = join(tmp, 'masking.yaml');
let audit: Audit;
let seedSeconds = 0;

before(async () => {
  const t = performance.now();
  await createProductionDb(PROD, PERSONS);
  seedSeconds = (performance.now() - t) / 1000;
  for (const d of [DST, DST_REFRESH]) {
    await admin(`DROP DATABASE IF EXISTS ${d} WITH (FORCE)`);
    await admin(`CREATE DATABASE ${d}`);
    await createSchema(d);
  }
});

after(async () => {
  for (const d of [PROD, DST, DST_REFRESH, LEAK, EMPTY]) await admin(`DROP DATABASE IF EXISTS ${d} WITH (FORCE)`);
  rmSync(tmp, { recursive: true, force: true });
});

const count = async (url: string, sql: string, params: unknown[] = []): Promise<number> => Number((await query<{ n: string }>(url, sql, params))[0]?.n ?? 0);

test('classify proposes a rules file classifying every column, with comments on the unsure ones', async () => {
  const r = await classifyDatabase(dbUrl(PROD), rulesFile);
  const text = readFileSync(rulesFile, 'utf8');
  const columns = await count(dbUrl(PROD), "SELECT count(*) AS n FROM information_schema.columns WHERE table_schema IN ('grc','legal','sales','billing','customer_service')");
  assert.equal(r.columns, columns);
  assert.equal(r.tables, 15);
  assert.ok(r.unsure >= 5 && r.unsure <= (text.match(/# check:/g) ?? []).length, `${r.unsure} unsure`);
  const rules = parseRules(text, rulesFile);
  const persons = rules.tables['grc.persons'];
  assert.deepEqual(persons?.columns, { id: 'keep', last_name: 'last_name', first_name: 'first_name', last_name_norm: 'last_name_norm', first_name_norm: 'first_name_norm', birth_date: 'date_shift', sex: 'keep', email: 'email', phone: 'phone', postcode: 'postcode', city: 'city', created_at: 'keep', updated_at: 'keep' });
  assert.deepEqual(rules.tables['legal.identities']?.columns, { person_id: 'keep', nir: 'nir', employer_siren: 'siren', employer_siret: 'siret', notes: 'scrub' });
  assert.equal(rules.tables['billing.accounts']?.columns.iban, 'iban');
  assert.equal(rules.tables['legal.contracts']?.columns.document, 'blob');
  assert.equal(rules.subset, 'grc.persons:5%');
  process.stderr.write(`  production database: ${PERSONS} customers seeded with skew in ${seedSeconds.toFixed(1)} s\n`);
});

test('extract 5 % into another database: every relation holds, counts match the source, identifiers valid, no original value', async () => {
  const started = performance.now();
  audit = await extract({ from: dbUrl(PROD), rulesFile, to: dbUrl(DST), secret: SECRET_A, auditFile: join(tmp, 'audit.json'), dataFiles: [{ file: join(tmp, 'persons.csv'), table: 'grc.persons', columns: ['id', 'last_name', 'first_name'] }] });
  process.stderr.write(`  extract --to: ${audit.tables.reduce((n, t) => n + t.rows, 0)} rows in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  const src = dbUrl(PROD);
  const dst = dbUrl(DST);
  // The sample: 5 % of the person referential, chosen by a hash of each row.
  const all = await count(src, 'SELECT count(*) AS n FROM grc.persons');
  const picked = await count(dst, 'SELECT count(*) AS n FROM grc.persons');
  assert.ok(Math.abs(picked / all - 0.05) < 0.005, `${picked} of ${all}`);
  const ids = (await query<{ id: string }>(dst, 'SELECT id FROM grc.persons')).map((r) => r.id);
  // Row counts: every department row of the picked persons, and nothing else.
  for (const t of ['billing.accounts', 'billing.invoices', 'customer_service.contacts', 'customer_service.calls', 'legal.persons', 'legal.contracts', 'legal.identities', 'sales.profiles', 'sales.offers']) {
    const expected = await count(src, `SELECT count(*) AS n FROM ${t} WHERE person_id = ANY($1::uuid[])`, [ids]);
    const got = await count(dst, `SELECT count(*) AS n FROM ${t}`);
    assert.equal(got, expected, t);
    assert.equal(audit.tables.find((x) => x.table === t)?.rows, got, `audit rows of ${t}`);
  }
  const lines = await count(src, 'SELECT count(*) AS n FROM billing.invoice_lines l JOIN billing.invoices i ON i.id = l.invoice_id WHERE i.person_id = ANY($1::uuid[])', [ids]);
  assert.equal(await count(dst, 'SELECT count(*) AS n FROM billing.invoice_lines'), lines);
  // Skew survives: the heaviest person keeps its long history.
  assert.ok((await count(dst, 'SELECT max(n) AS n FROM (SELECT count(*) AS n FROM billing.invoices GROUP BY person_id) x')) >= 240 || PERSONS < 50_000);
  // Every relation (declared or from the rules) holds in the destination.
  const rules = parseRules(readFileSync(rulesFile, 'utf8'), rulesFile);
  for (const r of rules.relations) {
    const [cs, ct, cc] = r.from.split('.');
    const [ps, pt, pc] = r.to.split('.');
    const orphans = await count(dst, `SELECT count(*) AS n FROM ${cs}.${ct} c WHERE c.${cc} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${ps}.${pt} p WHERE p.${pc} = c.${cc})`);
    assert.equal(orphans, 0, `${r.from} → ${r.to}`);
  }
  // No original personal value, by an independent query: the picked persons' originals looked up in the output.
  const orig = await query<{ email: string; phone: string; iban: string; nir: string; siret: string | null; last_name: string }>(
    src,
    `SELECT p.email, p.phone, a.iban, i.nir, i.employer_siret AS siret, p.last_name FROM grc.persons p LEFT JOIN billing.accounts a ON a.person_id = p.id LEFT JOIN legal.identities i ON i.person_id = p.id WHERE p.id = ANY($1::uuid[])`,
    [ids],
  );
  const col = (k: keyof (typeof orig)[number]) => orig.map((o) => o[k]).filter((v): v is string => v !== null);
  assert.equal(await count(dst, 'SELECT count(*) AS n FROM grc.persons WHERE email = ANY($1) OR phone = ANY($2)', [col('email'), col('phone')]), 0);
  assert.equal(await count(dst, 'SELECT count(*) AS n FROM billing.accounts WHERE email = ANY($1) OR phone = ANY($2) OR iban = ANY($3)', [col('email'), col('phone'), col('iban')]), 0);
  assert.equal(await count(dst, 'SELECT count(*) AS n FROM customer_service.contacts WHERE email = ANY($1) OR phone = ANY($2)', [col('email'), col('phone')]), 0);
  assert.equal(await count(dst, 'SELECT count(*) AS n FROM legal.identities WHERE nir = ANY($1) OR employer_siret = ANY($2)', [col('nir'), col('siret')]), 0);
  const sameName = await query<{ id: string; last_name: string }>(dst, 'SELECT id, last_name FROM grc.persons');
  const origName = new Map((await query<{ id: string; last_name: string }>(src, 'SELECT id, last_name FROM grc.persons WHERE id = ANY($1::uuid[])', [ids])).map((r) => [r.id, r.last_name]));
  assert.equal(sameName.filter((r) => normalizeName(r.last_name) === normalizeName(origName.get(r.id) ?? '')).length, 0);
  // Joins across services still match: the same person has the same masked name everywhere.
  assert.equal(await count(dst, 'SELECT count(*) AS n FROM grc.persons p JOIN billing.accounts a ON a.person_id = p.id WHERE a.last_name <> p.last_name OR a.email <> p.email'), 0);
  // The search columns still agree with the names.
  for (const r of await query<{ last_name: string; last_name_norm: string }>(dst, "SELECT last_name, last_name_norm FROM grc.persons WHERE last_name NOT LIKE '%\\%' LIMIT 500")) assert.equal(r.last_name_norm, normalizeName(r.last_name));
  // Identifiers keep valid check digits.
  const idents = await query<{ nir: string; siren: string | null; siret: string | null }>(dst, 'SELECT nir, employer_siren AS siren, employer_siret AS siret FROM legal.identities');
  assert.ok(idents.length > 0);
  for (const r of idents) {
    assert.ok(isValidNir(r.nir), r.nir);
    if (r.siren) assert.ok(luhnValid(r.siren), r.siren);
    if (r.siret) assert.ok(luhnValid(r.siret) && r.siret.length === 14, r.siret);
  }
  const ibans = await query<{ iban: string }>(dst, 'SELECT iban FROM billing.accounts WHERE iban IS NOT NULL');
  assert.ok(ibans.length > 0 && ibans.every((r) => isValidIban(r.iban)));
  // Evidence: the audit holds counts, rules, the fingerprint, and no value nor the secret.
  const auditText = readFileSync(join(tmp, 'audit.json'), 'utf8');
  assert.equal(audit.leakCheck?.passed, true);
  assert.match(audit.secretFingerprint, /^[0-9a-f]{16}$/);
  assert.ok(!auditText.includes(SECRET_A.toString()));
  for (const v of col('email').slice(0, 50)) assert.ok(!auditText.includes(v));
  // The scenarios' data file lists ids that exist in the masked database, with the masked names.
  const csv = readFileSync(join(tmp, 'persons.csv'), 'utf8').trim().split('\n');
  assert.equal(csv[0], 'id,last_name,first_name');
  assert.equal(csv.length - 1, picked);
  // Sequences continue after the loaded ids (the target can insert).
  const next = await query<{ id: number }>(dst, "INSERT INTO billing.invoices (person_id, issued_at, period, amount_cents, status) VALUES ($1, now(), '2026-01', 1, 'due') RETURNING id", [ids[0]]);
  assert.ok((next[0]?.id ?? 0) > (await count(dst, 'SELECT max(id) - 1 AS n FROM billing.invoices')));
});

test('an empty destination gets the source schema (pg_dump --schema-only | psql), then the same rows and constraints', async () => {
  await admin(`DROP DATABASE IF EXISTS ${EMPTY} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${EMPTY}`);
  const started = performance.now();
  const a = await extract({ from: dbUrl(PROD), rulesFile, to: dbUrl(EMPTY), secret: SECRET_A, auditFile: join(tmp, 'audit-empty.json') });
  process.stderr.write(`  extract --to an empty database: ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  const constraints = "SELECT count(*) AS n FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname IN ('grc','legal','sales','billing','customer_service') AND c.contype IN ('p', 'f', 'u', 'c')";
  assert.equal(await count(dbUrl(EMPTY), constraints), await count(dbUrl(PROD), constraints));
  // The same snapshot-free data and secret as the first extract: the same rows per table.
  assert.deepEqual(a.tables.map((t) => [t.table, t.rows]), audit.tables.map((t) => [t.table, t.rows]));
  assert.equal(a.leakCheck?.passed, true);
  // A database with some tables but not all is not "empty": the missing ones are listed, nothing copied.
  await query(dbUrl(EMPTY), 'DROP TABLE billing.invoice_lines');
  await assert.rejects(extract({ from: dbUrl(PROD), rulesFile, to: dbUrl(EMPTY), secret: SECRET_A, auditFile: join(tmp, 'audit-empty.json') }), /the destination lacks billing\.invoice_lines/);
});

test('a declared distribution (invoices per person) is compared source vs destination in the audit, and fails the extract when not kept', async () => {
  const declared = join(tmp, 'masking-dist.yaml');
  writeFileSync(declared, readFileSync(rulesFile, 'utf8') + 'distributions:\n  - { table: billing.invoices, per: person_id }\n');
  const a = await extract({ from: dbUrl(PROD), rulesFile: declared, to: dbUrl(DST), secret: SECRET_A, auditFile: join(tmp, 'audit-dist.json') });
  const d = a.distributions?.[0];
  assert.ok(d, 'the audit holds the distribution');
  const src = await query<{ keys: string; mean: number }>(dbUrl(PROD), 'SELECT count(*) AS keys, avg(n)::float8 AS mean FROM (SELECT count(*) AS n FROM billing.invoices GROUP BY person_id) x');
  assert.equal(d.source.keys, Number(src[0]?.keys));
  assert.ok(Math.abs(d.source.mean - (src[0]?.mean ?? 0)) < 1e-9);
  assert.equal(d.destination.keys, await count(dbUrl(DST), 'SELECT count(DISTINCT person_id) AS n FROM billing.invoices'));
  assert.ok(d.passed && d.gap <= d.tolerance, `gap ${d.gap}`);
  process.stderr.write(`  invoices per person: mean ${d.source.mean.toFixed(2)} → ${d.destination.mean.toFixed(2)}, p90 ${d.source.p90} → ${d.destination.p90}, gap ${d.gap.toFixed(3)}\n`);
  // A subset that does not follow persons down to their invoices breaks the shape: one invoice per person at most.
  const narrow = join(tmp, 'masking-narrow.yaml');
  writeFileSync(narrow, readFileSync(declared, 'utf8').replace(/\{ from: billing\.invoices\.person_id, to: grc\.persons\.id, follow: both \}/, '{ from: billing.invoices.person_id, to: grc.persons.id, follow: up }'));
  await assert.rejects(extract({ from: dbUrl(PROD), rulesFile: narrow, subset: 'billing.invoices:1%', to: dbUrl(DST), secret: SECRET_A, auditFile: join(tmp, 'audit-narrow.json') }), /declared distribution not kept: billing\.invoices per person_id: mean/);
});

test('masking is deterministic across runs and keyed: two runs with one secret give identical files, another secret unrelated values', async () => {
  const files = async (dir: string, secret: Buffer) => {
    await extract({ from: dbUrl(PROD), rulesFile, out: dir, secret });
    return Object.fromEntries(readdirSync(dir).filter((f) => f.endsWith('.copy')).map((f) => [f, readFileSync(join(dir, f))]));
  };
  const a1 = await files(join(tmp, 'a1'), SECRET_A);
  const a2 = await files(join(tmp, 'a2'), SECRET_A);
  const b = await files(join(tmp, 'b'), SECRET_B);
  const h = (x: Buffer | undefined) => createHash('sha256').update(x ?? Buffer.alloc(0)).digest('hex');
  assert.equal(Object.keys(a1).length, 15);
  for (const f of Object.keys(a1)) assert.equal(h(a2[f]), h(a1[f]), f);
  // Restartable: an extract interrupted before its last table resumes there, leaving the finished ones alone.
  const dir = join(tmp, 'a2');
  const auditPath = join(dir, 'audit.json');
  const interrupted = JSON.parse(readFileSync(auditPath, 'utf8')) as Audit;
  const last = interrupted.tables[interrupted.tables.length - 1] as Audit['tables'][number];
  last.status = 'pending';
  writeFileSync(auditPath, JSON.stringify(interrupted));
  rmSync(join(dir, `${last.table}.copy`));
  const firstFile = join(dir, `${interrupted.tables[0]?.table}.copy`);
  const firstMtime = statSync(firstFile).mtimeMs;
  await extract({ from: dbUrl(PROD), rulesFile, out: dir, secret: SECRET_A, resume: true });
  assert.equal(h(readFileSync(join(dir, `${last.table}.copy`))), h(a1[`${last.table}.copy`]));
  assert.equal(statSync(firstFile).mtimeMs, firstMtime);
  await assert.rejects(extract({ from: dbUrl(PROD), rulesFile, out: dir, secret: SECRET_B, resume: true }), /the same secret, rules file and subset as the interrupted extract/);
  // Other secret: same rows, but every e-mail and IBAN differs.
  const emails = (x: Record<string, Buffer>) => new Map((x['billing.accounts.copy'] as Buffer).toString().trim().split('\n').map((l) => l.split('\t')).map((f) => [f[0], [f[3], f[5]]]));
  const ea = emails(a1);
  const eb = emails(b);
  assert.equal(eb.size, ea.size);
  let same = 0;
  for (const [id, v] of ea) if (eb.get(id)?.[0] === v[0] || eb.get(id)?.[1] === v[1]) same++;
  assert.equal(same, 0);
});

const cli = (args: string[], env: Record<string, string> = {}) => runCli(['data', ...args], { PERFCELL_MASKING_SECRET: SECRET_A.toString(), PERFCELL_CONFIG: join(tmp, 'perfcell.config.yaml'), ...env });

test('bad input stops the extract with one clear line and writes nothing to the destination', async () => {
  writeFileSync(join(tmp, 'perfcell.config.yaml'), `environments:\n  perf:\n    loadTesting: allowed\n    targets: { grc: "http://127.0.0.1:8080" }\n  perf2:\n    loadTesting: allowed\n    targets: { grc: "http://127.0.0.1:8080" }\n  prod:\n    loadTesting: forbidden\n    targets: { grc: "http://127.0.0.1:8080" }\ndata:\n  sources:\n    production: { url: "${dbUrl(PROD)}", extractAllowed: true, production: true }\n    other: { url: "${dbUrl(PROD)}" }\n  environments:\n    perf: { source: production, rules: "${rulesFile}", subset: "grc.persons:1%", database: "${dbUrl(DST_REFRESH)}" }\n    prod: { source: production, rules: "${rulesFile}", database: "${dbUrl(`${DB}_recette`)}" }\n    perf2: { source: other, rules: "${rulesFile}", database: "${dbUrl(DST_REFRESH)}" }\n`);
  const before = await count(dbUrl(DST), 'SELECT count(*) AS n FROM grc.persons');
  const text = readFileSync(rulesFile, 'utf8');
  const bad = (name: string, content: string) => {
    const f = join(tmp, name);
    writeFileSync(f, content);
    return f;
  };
  const cases: [string, string[], RegExp, Record<string, string>?][] = [
    ['not YAML', ['--rules', bad('a.yaml', 'version: 1\ntables: [')], /a\.yaml: not valid YAML/],
    ['unknown column', ['--rules', bad('b.yaml', text.replace('      sex: keep', '      sex: keep\n      sexe: keep'))], /tables\.grc\.persons\.columns\.sexe: no such column in the source database/],
    ['unclassified column', ['--rules', bad('c.yaml', text.replace(/\n {6}iban: iban[^\n]*/, ''))], /1 column\(s\) not classified .*: billing\.accounts\.iban$/m],
    ['unknown mask', ['--rules', bad('d.yaml', text.replace('nir: nir', 'nir: social'))], /tables\.legal\.identities\.columns\.nir/],
    ['unreachable source', ['--rules', rulesFile, '--from', 'postgres://postgres@127.0.0.1:1/x'], /--from: cannot connect to postgres:\/\/postgres@127\.0\.0\.1:1\/x/],
    ['unreachable destination', ['--rules', rulesFile, '--to', `postgres://postgres@127.0.0.1:5432/${DB}_nosuch`], new RegExp(`--to: cannot connect to .*database "${DB}_nosuch" does not exist`)],
    ['production destination', ['--rules', rulesFile, '--to', dbUrl(PROD).replace('127.0.0.1', 'localhost')], new RegExp(`refused: the destination 127\\.0\\.0\\.1:5432/${PROD} is the production source "production"`)],
    ['bad subset', ['--rules', rulesFile, '--subset', 'grc.persons:no_such_column > 1'], /--subset: the root selection on grc\.persons failed: column "no_such_column" does not exist/],
    ['no secret', ['--rules', rulesFile], /no masking secret/, { PERFCELL_MASKING_SECRET: '' }],
  ];
  for (const [name, args, re, env] of cases) {
    const full = ['extract', '--from', dbUrl(PROD), '--to', dbUrl(DST), ...args];
    // The last --from/--to given wins (commander): the case's own replace the defaults.
    const r = await cli(full, env);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `${name}: ${r.stderr}`);
    assert.match(lines[0] as string, re, name);
    assert.ok(r.code !== 0, name);
    assert.equal(await count(dbUrl(DST), 'SELECT count(*) AS n FROM grc.persons'), before, `${name}: destination untouched`);
  }
  const out = join(tmp, 'never');
  const r = await cli(['extract', '--from', dbUrl(PROD), '--out', out, '--rules', join(tmp, 'c.yaml')]);
  assert.match(r.stderr, /not classified/);
  assert.equal(existsSync(out), false);
  // refresh: a forbidden environment and a source not allowed are refused; the allowed one runs.
  assert.match((await cli(['refresh', '-e', 'prod'])).stderr, /environments\.prod\.loadTesting: "allowed" before perfcell writes test data there/);
  assert.match((await cli(['refresh', '-e', 'perf2'])).stderr, /data\.sources\.other\.extractAllowed: true before perfcell extracts from this source/);
  const ok = await cli(['refresh', '-e', 'perf', '--audit', join(tmp, 'refresh-audit.json')]);
  assert.equal(ok.code, 0, ok.stderr);
  const refreshed = await count(dbUrl(DST_REFRESH), 'SELECT count(*) AS n FROM grc.persons');
  const all = await count(dbUrl(PROD), 'SELECT count(*) AS n FROM grc.persons');
  assert.ok(Math.abs(refreshed / all - 0.01) < 0.003, `${refreshed} of ${all}`);
});

test('the leak check fails the extract and empties the destination when an output equals an original value', async () => {
  await admin(`DROP DATABASE IF EXISTS ${LEAK} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${LEAK}`);
  // Scrubbed one-word notes become one of 20 neutral words; the references hold all 20 as originals.
  const words = ['dossier', 'suivi', 'demande', 'échange', 'courrier', 'pièce', 'rappel', 'contrat', 'client', 'service', 'traité', 'transmis', 'noté', 'vérifié', 'information', 'document', 'relance', 'accord', 'réponse', 'question'];
  await query(dbUrl(LEAK), `CREATE SCHEMA crm; CREATE TABLE crm.notes (id int PRIMARY KEY, note text, ref text);`);
  await query(dbUrl(LEAK), `INSERT INTO crm.notes SELECT g, 'mot' || chr(97 + g % 26) || chr(97 + (g / 26) % 26), ($1::text[])[1 + g % 20] FROM generate_series(1, 200) g`, [words]);
  const rules = join(tmp, 'leak.yaml');
  writeFileSync(rules, 'version: 1\ntables:\n  crm.notes: { columns: { id: keep, note: scrub, ref: token } }\n');
  const out = join(tmp, 'leak-out');
  await assert.rejects(extract({ from: dbUrl(LEAK), rulesFile: rules, out, secret: SECRET_A }), /leak check failed: original values found in crm\.notes\.note \(\d+ rows, original value\); the output was removed/);
  assert.equal(existsSync(join(out, 'crm.notes.copy')), false);
  const a = JSON.parse(readFileSync(join(out, 'audit.json'), 'utf8')) as Audit;
  assert.equal(a.leakCheck?.passed, false);
});
