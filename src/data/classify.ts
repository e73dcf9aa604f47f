/**
 * `perfcell data classify`: a complete rules file proposed from column names, types and sampled values.
 * Personal data gets the mask of its format, free text is scrubbed, identifiers and codes are kept; every
 * column the guess is not sure about carries a `# check:` comment for the person who reviews the file.
 * Pure: catalog and samples in, YAML text out.
 */
import type { Catalog, CatalogTable, ColumnAction } from './rules.js';
import { qualifiedName } from './rules.js';
import { isValidIban, isValidNir, luhnValid } from './mask.js';

export interface Classification {
  action: ColumnAction;
  /** Why, when the guess is uncertain (a reviewer must look). */
  unsure?: string;
  reason: string;
}

/** Distinct sampled values at most this many → a code or status column (kept). */
const LOW_CARDINALITY = 12;
/** Average sampled length above this, with spaces → free text (scrubbed). */
const FREE_TEXT_LENGTH = 24;
/** Share of sampled values that must match a format to classify by value. */
const FORMAT_SHARE = 0.8;

const NAME_RULES: readonly [RegExp, ColumnAction, string][] = [
  [/^(last_?name|surname|nom(_de_famille)?|family_name)_norm(alized)?$/, 'last_name_norm', 'normalised last name'],
  [/^(first_?name|given_name|prenom)_norm(alized)?$/, 'first_name_norm', 'normalised first name'],
  [/^(last_?name|surname|nom|nom_de_famille|family_name|maiden_name|nom_naissance)$/, 'last_name', 'last name'],
  [/^(first_?name|given_name|prenom|prénom)$/, 'first_name', 'first name'],
  [/(^|_)(e_?mail|courriel|mail)($|_)/, 'email', 'e-mail address'],
  [/(^|_)(phone|telephone|tel|mobile|portable|fax)($|_)/, 'phone', 'phone number'],
  [/(^|_)(iban|bban|rib)($|_)/, 'iban', 'bank account'],
  [/(^|_)(nir|ssn|num_secu|secu|social_security(_number)?|insee)($|_)/, 'nir', 'social security number (NIR)'],
  [/(^|_)siret($|_)/, 'siret', 'SIRET'],
  [/(^|_)siren($|_)/, 'siren', 'SIREN'],
  [/(^|_)(address|adresse|street|rue|address_line\d*)($|_)/, 'address', 'postal address'],
  [/(^|_)(postcode|post_code|zip(_?code)?|code_postal|cp)$/, 'postcode', 'postcode'],
  [/(^|_)(city|ville|town|commune)$/, 'city', 'city'],
  [/(^|_)(birth(_?date|day)?|date_naissance|naissance|dob)($|_)/, 'date_shift', 'birth date'],
  [/(^|_)(illness(es)?|disease|diagnos(is|tic)|health|medical|maladies?|comment|comments|notes?|remarks?|description|actions|message|body|free_text)($|_)/, 'scrub', 'free text'],
  [/(^|_)(mandate_ref|reference|ref|ticket_id|token|sha256|hash|document_name|file_?name|password|secret)($|_)/, 'token', 'reference or document name'],
];

const isKeyName = (name: string): boolean => name === 'id' || /_id$/.test(name) || /^id_/.test(name);
const TECHNICAL_TIMES = /^(created_at|updated_at|processed_at|modified_at|inserted_at)$/;

function share(values: readonly string[], test: (v: string) => boolean): number {
  return values.length === 0 ? 0 : values.filter(test).length / values.length;
}

/** One column's proposed action from its name, type and sampled non-null values. */
export function classifyColumn(table: CatalogTable, column: { name: string; type: string; nullable: boolean }, samples: readonly string[]): Classification {
  const name = column.name.toLowerCase();
  const type = column.type.toLowerCase();
  if (type === 'bytea') return { action: 'blob', reason: 'binary content (documents can hold anything personal)' };
  if (type === 'boolean' || /^(integer|bigint|smallint|numeric|real|double precision)/.test(type)) {
    if (isKeyName(name) || /(_cents|amount|count|total|price|premium|quantity)$/.test(name)) return { action: 'keep', reason: 'number' };
    return { action: 'keep', reason: 'number or flag', unsure: /(tobacco|alcohol|weight|height|salary|income)/.test(name) ? 'a number about a person (health, income): keep only if not sensitive' : undefined };
  }
  if (type === 'uuid') return { action: 'keep', reason: 'identifier (kept so that joins hold)' };
  for (const [re, action, reason] of NAME_RULES) if (re.test(name)) {
    if (action === 'date_shift' && !/^(date|timestamp)/.test(type)) return { action: 'token', reason: `${reason} stored as ${type}`, unsure: 'a birth date that is not a date type: token keeps its shape only' };
    return { action, reason };
  }
  if (/^(date|timestamp)/.test(type)) {
    if (TECHNICAL_TIMES.test(name)) return { action: 'keep', reason: 'technical timestamp' };
    return { action: 'keep', reason: 'event date', unsure: 'an event in a person\'s history: date_shift if it could identify them (shifted per person, intervals kept)' };
  }
  if (isKeyName(name)) return { action: 'keep', reason: 'identifier', unsure: type.startsWith('text') || type.startsWith('character') ? 'a text identifier: token if it comes from outside (ticket, file, mandate)' : undefined };
  // Text: look at the values.
  const v = samples.filter((s) => s !== '');
  if (v.length > 0) {
    if (share(v, (s) => /^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i.test(s)) >= FORMAT_SHARE) return { action: 'email', reason: 'values look like e-mail addresses' };
    if (share(v, isValidIban) >= FORMAT_SHARE) return { action: 'iban', reason: 'values are valid IBANs' };
    if (share(v, isValidNir) >= FORMAT_SHARE) return { action: 'nir', reason: 'values are valid NIRs' };
    if (share(v, (s) => /^\d{14}$/.test(s.replace(/\s/g, '')) && luhnValid(s.replace(/\s/g, ''))) >= FORMAT_SHARE) return { action: 'siret', reason: 'values are 14-digit Luhn numbers (SIRET)' };
    if (share(v, (s) => /^\d{9}$/.test(s.replace(/\s/g, '')) && luhnValid(s.replace(/\s/g, ''))) >= FORMAT_SHARE) return { action: 'siren', reason: 'values are 9-digit Luhn numbers (SIREN)' };
    if (share(v, (s) => /^(\+33\s?|0)[1-9]([\s.-]?\d{2}){4}$/.test(s)) >= FORMAT_SHARE) return { action: 'phone', reason: 'values look like French phone numbers' };
  }
  const distinct = new Set(v).size;
  const avg = v.length ? v.reduce((n, s) => n + s.length, 0) / v.length : 0;
  if (v.length > 0 && distinct <= LOW_CARDINALITY && avg <= FREE_TEXT_LENGTH) {
    return { action: 'keep', reason: `${distinct} distinct value(s) in the sample (a code or status)`, unsure: v.length < LOW_CARDINALITY * 2 ? 'few rows sampled: check it is a code' : undefined };
  }
  if (v.length > 0 && avg > FREE_TEXT_LENGTH && share(v, (s) => /\s/.test(s)) >= 0.5) return { action: 'scrub', reason: 'free text' };
  if (v.length === 0) return { action: 'scrub', reason: 'no sampled value', unsure: 'empty in the sample: scrubbed to be safe; keep it if it never holds personal data' };
  return { action: 'scrub', reason: 'varied text', unsure: 'varied short text of unknown meaning: scrubbed to be safe; keep if it is a code, or choose its format' };
}

/** The column keying per-person constants: person_id, else id in a table of persons. */
export function personColumn(table: CatalogTable): string | undefined {
  const names = table.columns.map((c) => c.name);
  if (names.includes('person_id')) return 'person_id';
  if (/^(persons?|people|individus?|customers?|clients?|insured|assures?)$/.test(table.name) && names.includes('id')) return 'id';
  return undefined;
}

export interface ProposedRelation {
  from: string;
  to: string;
  follow: 'up' | 'both';
}

/**
 * Undeclared relations guessed from names: a column `x_id` refers to a table `xs` (same schema first)
 * whose `id` has the same type. A NOT NULL reference is ownership (both ways), a nullable one an
 * association (up only).
 */
export function proposeRelations(catalog: Catalog): ProposedRelation[] {
  const out: ProposedRelation[] = [];
  const declared = new Set(catalog.foreignKeys.map((f) => `${f.child}.${f.childColumns.join(',')}`));
  for (const t of catalog.tables) {
    for (const c of t.columns) {
      const m = /^([a-z0-9_]+)_id$/.exec(c.name);
      if (!m || declared.has(`${qualifiedName(t)}.${c.name}`)) continue;
      const plural = [`${m[1]}s`, m[1] as string, `${m[1]}es`];
      const candidates = catalog.tables.filter((p) => plural.includes(p.name) && p.columns.some((x) => x.name === 'id' && x.type === c.type) && p !== t);
      const parent = candidates.find((p) => p.schema === t.schema) ?? candidates[0];
      if (!parent) continue;
      out.push({ from: `${qualifiedName(t)}.${c.name}`, to: `${qualifiedName(parent)}.id`, follow: c.nullable ? 'up' : 'both' });
    }
  }
  for (const f of catalog.foreignKeys) {
    if (f.childColumns.length !== 1) continue;
    const child = catalog.tables.find((t) => qualifiedName(t) === f.child);
    const col = child?.columns.find((c) => c.name === f.childColumns[0]);
    if (col && !col.nullable) out.push({ from: `${f.child}.${f.childColumns[0]}`, to: `${f.parent}.${f.parentColumns[0]}`, follow: 'both' });
  }
  return out;
}

const yamlKey = (s: string): string => (/^[a-z_][a-z0-9_.]*$/.test(s) ? s : JSON.stringify(s));

/** The proposed rules file, commented. `samples` maps schema.table to sampled rows (columns in catalog order). */
export function proposeRules(catalog: Catalog, samples: ReadonlyMap<string, readonly (readonly (string | null)[])[]>, source: string): { text: string; unsure: number; columns: number } {
  const lines: string[] = [
    `# Masking rules proposed by \`perfcell data classify\` from ${source}.`,
    '# Review every "# check:" line before the first extract; extract refuses any column this file does not classify.',
    '# Actions: keep, drop (NULL), or a mask: first_name last_name first_name_norm last_name_norm email phone iban nir',
    '# siren siret address postcode city date_shift scrub token blob.',
    'version: 1',
  ];
  const root = catalog.tables.find((t) => personColumn(t) === 'id');
  if (root) lines.push(`# The default subset: a sample of ${qualifiedName(root)} and everything that follows their relations.`, `subset: "${qualifiedName(root)}:5%"`);
  const relations = proposeRelations(catalog);
  lines.push('# Relations to follow: up = an extracted row brings the row it refers to; both = an extracted parent also brings its children.');
  lines.push('# Declared foreign keys are followed up without being listed; a NOT NULL one is listed here as both.');
  if (relations.length === 0) lines.push('relations: []');
  else {
    lines.push('relations:');
    for (const r of relations) lines.push(`  - { from: ${r.from}, to: ${r.to}, follow: ${r.follow} }${catalog.foreignKeys.some((f) => `${f.child}.${f.childColumns[0]}` === r.from) ? '  # declared' : '  # check: guessed from the column name'}`);
  }
  lines.push('tables:');
  let unsure = 0;
  let columns = 0;
  for (const t of catalog.tables) {
    const name = qualifiedName(t);
    lines.push(`  ${name}:`);
    const person = personColumn(t);
    if (person) lines.push(`    person: ${person}`);
    lines.push('    columns:');
    const rows = samples.get(name) ?? [];
    const decisions = t.columns.map((c, i) => classifyColumn(t, c, rows.map((r) => r[i]).filter((v): v is string => v !== null && v !== undefined)));
    if (!person && decisions.some((d) => d.action === 'date_shift')) {
      lines.splice(lines.length - 1, 0, `    person: ${t.columns[0]?.name ?? 'id'}   # check: no person column found; the date shift is keyed by this one`);
      unsure++;
    }
    for (const [i, c] of t.columns.entries()) {
      const d = decisions[i] as Classification;
      columns++;
      if (d.unsure) unsure++;
      lines.push(`      ${yamlKey(c.name)}: ${d.action}   # ${d.unsure ? `check: ${d.unsure}` : d.reason} (${c.type})`);
    }
  }
  return { text: lines.join('\n') + '\n', unsure, columns };
}
