/** The pure core of `perfcell data`: keyed maskers, the COPY text codec, rules checking, subset planning, classification. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MASK_MEMO_ENTRIES, Masker, normalizeName, isValidIban, isValidNir, luhnValid, normalizeValue, secretFingerprint, shiftDate, ibanMod97 } from '../../src/data/mask.js';
import { decodeField, encodeField, LineSplitter } from '../../src/data/copy-text.js';
import { checkRules, parseRules, type Catalog } from '../../src/data/rules.js';
import { assignLanes, buildEdges, loadOrder, parentsBefore, parseSubset, reachable } from '../../src/data/plan.js';
import { classifyColumn, proposeRules } from '../../src/data/classify.js';
import { createRowMasker } from '../../src/data/transform.js';
import { BloomFilter, addCopyLine, leakKey } from '../../src/data/leak.js';
import { keyColumns } from '../../src/data/pg.js';
import { loadSecret } from '../../src/data/secret.js';
import { compareDistribution } from '../../src/data/distribution.js';
import { parseDataFileSpec } from '../../src/data/extract.js';

const A = new Masker(Buffer.from('secret-A-0123456789abcdef'));
const B = new Masker(Buffer.from('secret-B-0123456789abcdef'));

test('the same input and secret give the same output; another secret gives another output', () => {
  const inputs: [Parameters<Masker['mask']>[0], string][] = [['last_name', 'DUPONT'], ['first_name', 'Émilie'], ['email', 'emilie.dupont3@orange.fr'], ['phone', '06 12 34 56 78'], ['iban', 'FR7630006000011234567890189'], ['nir', '285027512345678'], ['siret', '73282932000074'], ['token', 'LAE-SEPA-00000042']];
  let differ = 0;
  for (const [kind, v] of inputs) {
    assert.equal(A.mask(kind, v), A.mask(kind, v), kind);
    if (A.mask(kind, v) !== B.mask(kind, v)) differ++;
  }
  // Names come from lists of ≈ 60–80: two secrets may pick the same one; identifiers never do.
  assert.ok(differ >= inputs.length - 1, `${differ} of ${inputs.length} differ`);
  assert.notEqual(secretFingerprint(Buffer.from('secret-A-0123456789abcdef')), secretFingerprint(Buffer.from('secret-B-0123456789abcdef')));
});

test('names are keyed on their normalised form, so DUPONT, Dupont and the _norm column agree', () => {
  assert.equal(normalizeValue(A.mask('last_name', 'DUPONT')), normalizeValue(A.mask('last_name', 'Dupont')));
  assert.equal(A.mask('last_name_norm', 'DUPONT'), normalizeName(A.mask('last_name', 'Dupont')));
  assert.equal(A.mask('first_name_norm', 'EMILIE'), normalizeName(A.mask('first_name', 'Émilie')));
  assert.equal(A.mask('last_name', 'DUPONT'), A.mask('last_name', 'DUPONT').toUpperCase());
});

test('1 000 masked IBANs, NIRs, SIRENs and SIRETs all have valid check digits, and no masker returns its input', () => {
  for (let i = 0; i < 1000; i++) {
    const iban = A.mask('iban', `FR76300060000112345678${String(i).padStart(5, '0')}`);
    assert.ok(isValidIban(iban), iban);
    assert.equal(ibanMod97(iban), 1);
    const nir = A.mask('nir', `1850275${String(i).padStart(6, '0')}42`);
    assert.ok(isValidNir(nir), nir);
    const siren = A.mask('siren', String(100000000 + i));
    assert.ok(luhnValid(siren) && siren.length === 9, siren);
    const siret = A.mask('siret', `${100000000 + i}00017`);
    assert.ok(luhnValid(siret) && siret.length === 14, siret);
    assert.equal(siret.slice(0, 9), A.mask('siren', siret.length ? `${100000000 + i}` : ''), 'a SIRET keeps its masked SIREN');
    assert.notEqual(A.mask('phone', `06 12 34 ${String(i).padStart(4, '0').replace(/(..)(..)/, '$1 $2')}`), `06 12 34 ${String(i).padStart(4, '0').replace(/(..)(..)/, '$1 $2')}`);
  }
  assert.match(A.mask('iban', 'FR76 3000 6000 0112 3456 7890 189'), /^FR\d{2}( \d{4}){5} \d{3}$/);
  assert.match(A.mask('nir', '1 85 02 75 123 456 42'), /^1 \d{2} \d{2} \d{2} \d{3} \d{3} \d{2}$/);
  assert.match(A.mask('phone', '+33 6 12 34 56 78'), /^\+33 6 \d{2} \d{2} \d{2} \d{2}$/);
  assert.match(A.mask('email', 'a.b@c.fr'), /^[a-z-]+\.[a-z-]+\.\d{6}@[a-z.]+$/);
});

test('dates move by one constant per person (1…180 days, never 0): intervals within a person are kept', () => {
  const p = 'b1f0e4a2-0000-4000-8000-000000000001';
  const d = A.shiftDays(p);
  assert.ok(d !== 0 && Math.abs(d) <= 180);
  const a = A.mask('date_shift', '2025-01-31', p);
  const b = A.mask('date_shift', '2025-03-02 10:15:00+00', p);
  assert.equal((Date.parse(b.slice(0, 10)) - Date.parse(a)) / 86_400_000, 30);
  assert.equal(b.slice(10), ' 10:15:00+00');
  assert.equal(shiftDate('2024-02-28', 2), '2024-03-01');
});

test('free text is rewritten word by word, digits included, layout kept', () => {
  const s = A.mask('scrub', 'IBAN FR76 3000, diabète\tsuivi');
  assert.doesNotMatch(s, /IBAN|3000|diab/i);
  assert.equal(s.split('\t').length, 2);
});

test('COPY text fields round-trip tabs, newlines, backslashes, NULL and emoji', () => {
  for (const v of ['a\tb', 'l1\nl2\r', 'C:\\x', '😀 « é »', '', null]) assert.equal(decodeField(encodeField(v)), v);
  assert.equal(decodeField('\\101\\x42'), 'AB');
  const lines: string[] = [];
  const s = new LineSplitter();
  s.push(Buffer.from('ab\tc\nde'), (l) => lines.push(l.toString()));
  s.push(Buffer.from('f\n'), (l) => lines.push(l.toString()));
  s.end((l) => lines.push(l.toString()));
  assert.deepEqual(lines, ['ab\tc', 'def']);
});

const catalog: Catalog = {
  tables: [
    { schema: 'grc', name: 'persons', columns: [{ name: 'id', type: 'uuid', nullable: false }, { name: 'last_name', type: 'text', nullable: false }, { name: 'birth_date', type: 'date', nullable: false }] },
    { schema: 'billing', name: 'invoices', columns: [{ name: 'id', type: 'integer', nullable: false }, { name: 'person_id', type: 'uuid', nullable: false }, { name: 'note', type: 'text', nullable: true }] },
    { schema: 'billing', name: 'lines', columns: [{ name: 'id', type: 'integer', nullable: false }, { name: 'invoice_id', type: 'integer', nullable: false }] },
    { schema: 'ref', name: 'products', columns: [{ name: 'code', type: 'text', nullable: false }] },
  ],
  foreignKeys: [{ name: 'lines_fk', child: 'billing.lines', childColumns: ['invoice_id'], parent: 'billing.invoices', parentColumns: ['id'] }],
};
const goodRules = `version: 1
subset: "grc.persons:5%"
relations:
  - { from: billing.invoices.person_id, to: grc.persons.id, follow: both }
  - { from: billing.lines.invoice_id, to: billing.invoices.id, follow: both }
tables:
  grc.persons: { person: id, columns: { id: keep, last_name: last_name, birth_date: date_shift } }
  billing.invoices: { person: person_id, columns: { id: keep, person_id: keep, note: drop } }
  billing.lines: { columns: { id: keep, invoice_id: keep } }
  ref.products: skip
`;

test('rules: a complete file passes; every unclassified column is listed; unknown names and NULL into NOT NULL are refused', () => {
  const plans = checkRules(parseRules(goodRules, 'm.yaml'), catalog, 'm.yaml');
  assert.deepEqual(plans.map((p) => p.table), ['grc.persons', 'billing.invoices', 'billing.lines']);
  assert.equal(plans[0]?.personIndex, 0);
  const missing = goodRules.replace(', note: drop', '').replace('  ref.products: skip\n', '');
  assert.throws(() => checkRules(parseRules(missing, 'm.yaml'), catalog, 'm.yaml'), /^PerfcellError: m\.yaml: 2 column\(s\) not classified.*: billing\.invoices\.note, ref\.products\.code$/);
  assert.throws(() => checkRules(parseRules(goodRules.replace('note: drop', 'note: drop, nope: keep'), 'm.yaml'), catalog, 'm.yaml'), /tables\.billing\.invoices\.columns\.nope: no such column/);
  assert.throws(() => checkRules(parseRules(goodRules.replace('last_name: last_name', 'last_name: drop'), 'm.yaml'), catalog, 'm.yaml'), /last_name: drop writes NULL, but the column is NOT NULL/);
  assert.throws(() => parseRules(goodRules.replace('last_name: last_name', 'last_name: lastname'), 'm.yaml'), /m\.yaml: tables\.grc\.persons\.columns\.last_name/);
  assert.throws(() => parseRules('version: 1\ntables: [', 'm.yaml'), /m\.yaml: not valid YAML/);
  assert.throws(() => checkRules(parseRules(goodRules.replace('person: id, ', ''), 'm.yaml'), catalog, 'm.yaml'), /tables\.grc\.persons\.person: the column keying/);
  const withDist = (d: string) => goodRules.replace('tables:\n', `distributions:\n  - ${d}\ntables:\n`);
  assert.equal(checkRules(parseRules(withDist('{ table: billing.invoices, per: person_id }'), 'm.yaml'), catalog, 'm.yaml').length, 3);
  assert.throws(() => checkRules(parseRules(withDist('{ table: ref.products, per: code }'), 'm.yaml'), catalog, 'm.yaml'), /distributions\[0\]\.table: ref\.products is not a table the rules extract/);
  assert.throws(() => checkRules(parseRules(withDist('{ table: billing.invoices, per: note }'), 'm.yaml'), catalog, 'm.yaml'), /distributions\[0\]\.per: note is not a column of billing\.invoices the rules extract/);
});

test('subset plan: declared keys go up, rules relations go both ways as written; load order puts parents first', () => {
  const rules = parseRules(goodRules, 'm.yaml');
  const edges = buildEdges(catalog, rules.relations, new Set(['grc.persons', 'billing.invoices', 'billing.lines']));
  assert.equal(edges.length, 2);
  assert.deepEqual(edges.map((e) => [e.child, e.down, e.declared]), [['billing.lines', true, true], ['billing.invoices', true, false]]);
  assert.deepEqual([...reachable('grc.persons', edges)].sort(), ['billing.invoices', 'billing.lines', 'grc.persons']);
  const plans = checkRules(rules, catalog, 'm.yaml');
  assert.deepEqual(loadOrder([...plans].reverse(), edges).map((p) => p.table), ['billing.invoices', 'billing.lines', 'grc.persons']);
  assert.deepEqual(parseSubset('grc.persons:5%', 'x'), { root: 'grc.persons', filter: { kind: 'percent', percent: 5 } });
  assert.deepEqual(parseSubset("grc.persons: where city = 'Lyon'", 'x'), { root: 'grc.persons', filter: { kind: 'where', where: "city = 'Lyon'" } });
  assert.throws(() => parseSubset('grc.persons:150%', 'x'), /percentage in \(0, 100\]/);
  assert.throws(() => parseSubset('persons', 'x'), /schema\.table:N%/);
});

test('a row is masked column by column; a masked value equal to its own original counts as a row leak', () => {
  const plans = checkRules(parseRules(goodRules, 'm.yaml'), catalog, 'm.yaml');
  const m = createRowMasker(plans[0] as never, A);
  const out = m.maskLine('b1f0e4a2-0000-4000-8000-000000000001\tDUPONT\t1980-05-17').split('\t');
  assert.equal(out[0], 'b1f0e4a2-0000-4000-8000-000000000001');
  assert.notEqual(out[1], 'DUPONT');
  assert.notEqual(out[2], '1980-05-17');
  assert.deepEqual(m.stats, { rows: 1, rowLeaks: {} });
  const inv = createRowMasker(plans[1] as never, A);
  assert.equal(inv.maskLine('1\tb1f0e4a2-0000-4000-8000-000000000001\tsecret note'), '1\tb1f0e4a2-0000-4000-8000-000000000001\t\\N');
});

test('classify: formats from names and values, codes kept, unknown text scrubbed with a comment', () => {
  const t = catalog.tables[0] as Catalog['tables'][number];
  assert.equal(classifyColumn(t, { name: 'nom', type: 'text', nullable: false }, []).action, 'last_name');
  assert.equal(classifyColumn(t, { name: 'contact', type: 'text', nullable: false }, ['a@b.fr', 'c.d@e.com']).action, 'email');
  assert.equal(classifyColumn(t, { name: 'x', type: 'text', nullable: false }, ['FR7630006000011234567890189']).action, 'iban');
  assert.equal(classifyColumn(t, { name: 'x', type: 'text', nullable: false }, ['285027512345665'.slice(0, 13) + String(97 - Number(2850275123456n % 97n)).padStart(2, '0')]).action, 'nir');
  const status = classifyColumn(t, { name: 'status', type: 'text', nullable: false }, Array.from({ length: 50 }, (_, i) => ['paid', 'due'][i % 2] as string));
  assert.deepEqual([status.action, status.unsure], ['keep', undefined]);
  const odd = classifyColumn(t, { name: 'label2', type: 'text', nullable: false }, Array.from({ length: 50 }, (_, i) => `v${i}`));
  assert.equal(odd.action, 'scrub');
  assert.match(odd.unsure ?? '', /scrubbed to be safe/);
  const proposed = proposeRules(catalog, new Map(), 'db');
  const rules = parseRules(proposed.text, 'p.yaml');
  // What classify writes, extract accepts as written.
  assert.equal(checkRules(rules, catalog, 'p.yaml').length, 4);
  assert.deepEqual(rules.relations.map((r) => `${r.from}>${r.to}:${r.follow}`), ['billing.invoices.person_id>grc.persons.id:both', 'billing.lines.invoice_id>billing.invoices.id:both']);
});

test('the Bloom filter has no false negatives', () => {
  const b = new BloomFilter(16);
  for (let i = 0; i < 1000; i++) b.add(`V${i}`);
  for (let i = 0; i < 1000; i++) assert.ok(b.has(`V${i}`));
  let fp = 0;
  for (let i = 0; i < 1000; i++) if (b.has(`W${i}`)) fp++;
  assert.ok(fp < 20, `${fp} false positives`);
});

test('addCopyLine adds exactly what add(leakKey(value)) adds, field by field, for ASCII, accents, escapes and NULL', () => {
  const values = ['jean.dupont@example.fr', '06 12 34 56 78', 'FR76 3000 6000 0112 3456 7890 189', 'Réclamation Nº 4', "D'ARC\tDU\\PONT 😀", 'ab', 'a-b-c', 'ÆSCHYLE Straße', 'ligne 1\nligne 2', null];
  const byLine = new BloomFilter(16);
  const byValue = new BloomFilter(16);
  addCopyLine(byLine, Buffer.from(values.map((v) => encodeField(v)).join('\t'), 'utf8'));
  for (const v of values) {
    const k = v === null ? undefined : leakKey(v);
    if (k) byValue.add(k);
  }
  // Same bits set: compare the two filters through every value's key and the raw bit arrays.
  assert.deepEqual((byLine as unknown as { bits: Uint32Array }).bits, (byValue as unknown as { bits: Uint32Array }).bits);
  for (const v of values) {
    const k = v === null ? undefined : leakKey(v);
    if (k) assert.ok(byLine.has(k), v ?? '');
  }
});

test('normalizeValue: the ASCII fast path agrees with the full Unicode path', () => {
  const full = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toUpperCase().replace(/[^A-Z0-9]/g, '');
  for (const v of ['jean.dupont@example.fr', '06-12 34', 'a_b~c', '', 'Éloïse', 'Straße']) assert.equal(normalizeValue(v), full(v));
});

test('the subset key tables hold every column an edge joins on, once', () => {
  const edges = [
    { child: 'b.inv', childColumns: ['person_id'], parent: 'g.p', parentColumns: ['id'], up: true as const, down: true, declared: false },
    { child: 'b.line', childColumns: ['invoice_id'], parent: 'b.inv', parentColumns: ['id'], up: true as const, down: true, declared: true },
    { child: 'g.p', childColumns: ['partner_id'], parent: 'g.p', parentColumns: ['id'], up: true as const, down: false, declared: true },
  ];
  assert.deepEqual(Object.fromEntries(keyColumns(['g.p', 'b.inv', 'b.line'], edges)), { 'g.p': ['id', 'partner_id'], 'b.inv': ['person_id', 'id'], 'b.line': ['invoice_id'] });
});

test('a declared distribution passes within its tolerance on mean, p50 and p90, and fails beyond or when empty', () => {
  const src = { keys: 1000, mean: 14.4, p50: 12, p90: 20, p99: 240 };
  assert.equal(compareDistribution('b.inv', 'person_id', src, { keys: 50, mean: 15, p50: 12, p90: 21, p99: 80 }).passed, true);
  const off = compareDistribution('b.inv', 'person_id', src, { keys: 50, mean: 1, p50: 1, p90: 1, p99: 1 });
  assert.equal(off.passed, false);
  assert.ok(Math.abs(off.gap - 0.95) < 1e-9, String(off.gap));
  assert.equal(compareDistribution('b.inv', 'person_id', src, { keys: 0, mean: 0, p50: 0, p90: 0, p99: 0 }).passed, false);
  assert.equal(compareDistribution('b.inv', 'person_id', src, { keys: 50, mean: 16, p50: 12, p90: 20, p99: 9 }, 0.05).passed, false);
});

test('the secret comes from a file or PERFCELL_MASKING_SECRET only, at least 16 characters', () => {
  assert.throws(() => loadSecret(undefined, {}), /no masking secret: give --secret-file <file> or set PERFCELL_MASKING_SECRET/);
  assert.throws(() => loadSecret(undefined, { PERFCELL_MASKING_SECRET: 'short' }), /at least 16 characters \(it has 5\)/);
  assert.throws(() => loadSecret('/nonexistent/secret'), /--secret-file \/nonexistent\/secret: the file does not exist/);
  assert.equal(loadSecret(undefined, { PERFCELL_MASKING_SECRET: '0123456789abcdef' }).length, 16);
});

test('remembered masks equal computed ones, past the memo\'s bound, per person where the person keys them', () => {
  const secret = Buffer.from('secret-A-0123456789abcdef');
  const used = new Masker(secret);
  // More inputs than the memo holds: it is emptied once on the way, and answers the same after.
  const names = Array.from({ length: MASK_MEMO_ENTRIES + 1000 }, (_, i) => `NOM${i}`);
  const first = names.map((n) => used.mask('last_name', n));
  for (let i = 0; i < names.length; i += 997) {
    assert.equal(used.mask('last_name', names[i] as string), first[i]);
    assert.equal(new Masker(secret).mask('last_name', names[i] as string), first[i]);
  }
  // The postcode is keyed by the person: the same input for two persons is remembered apart.
  for (const person of ['p1', 'p2', 'p3']) {
    assert.equal(used.mask('postcode', '75011', person), new Masker(secret).mask('postcode', '75011', person));
    assert.equal(used.mask('date_shift', '1980-05-17', person), new Masker(secret).mask('date_shift', '1980-05-17', person));
  }
  assert.equal(used.mask('scrub', 'x'.repeat(500)), new Masker(secret).mask('scrub', 'x'.repeat(500)));
});

test('a data file spec names columns, optionally under the header the scenarios read', () => {
  assert.deepEqual(parseDataFileSpec('data/p.csv=grc.persons:person_id=id,last_name,search=last_name_norm'), {
    file: 'data/p.csv', table: 'grc.persons', columns: ['id', 'last_name', 'last_name_norm'], headers: ['person_id', 'last_name', 'search'],
  });
  assert.deepEqual(parseDataFileSpec('p.csv=grc.persons:id').columns, ['id']);
  for (const bad of ['p.csv=grc.persons:', 'p.csv=grc.persons:id,,x', 'p.csv=persons:id', 'p.csv=grc.persons:a=b=c']) assert.throws(() => parseDataFileSpec(bad), /--data-file: .*file=schema\.table:column,header=column/, bad);
});

test('loading lanes: tables spread by rows, each lane in load order, waiting only for declared parents loaded before', () => {
  const rules = parseRules(goodRules, 'm.yaml');
  const edges = buildEdges(catalog, rules.relations, new Set(['grc.persons', 'billing.invoices', 'billing.lines']));
  const ordered = loadOrder(checkRules(rules, catalog, 'm.yaml'), edges);
  const rows: Record<string, number> = { 'billing.invoices': 70_000, 'billing.lines': 140_000, 'grc.persons': 10_000 };
  const lanes = assignLanes(ordered, (t) => rows[t] ?? 0, 2);
  // The lines alone on one lane, the invoices and persons on the other, in load order.
  assert.deepEqual(lanes.map((l) => l.map((p) => p.table)), [['billing.lines'], ordered.map((p) => p.table).filter((t) => t !== 'billing.lines')]);
  assert.deepEqual(assignLanes(ordered, () => 0, 1).map((l) => l.map((p) => p.table)), [ordered.map((p) => p.table)]);
  // lines → invoices is declared: the lines wait for the invoices; the undeclared relation makes no wait.
  assert.deepEqual(parentsBefore('billing.lines', ordered, edges), ['billing.invoices']);
  assert.deepEqual(parentsBefore('billing.invoices', ordered, edges), []);
  // A declared parent the order puts later (a cycle of keys) is not waited for.
  assert.deepEqual(parentsBefore('billing.lines', [...ordered].reverse(), edges), []);
});
