/**
 * The masking rules file (data/masking.yaml): for every table, skip it or classify every column (keep,
 * drop, or a mask kind), the per-person key of date shifts, the undeclared relations to follow, and a
 * default subset. Parsing is pure; checking against a database's catalog (unknown tables or columns,
 * unclassified columns — fail closed) is pure too, over the introspected shape.
 */
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { PerfcellError, inputError } from '../errors.js';
import { zodToError } from '../model/zod-errors.js';
import { MASK_KINDS } from './mask.js';

export const COLUMN_ACTIONS = ['keep', 'drop', ...MASK_KINDS] as const;
export type ColumnAction = (typeof COLUMN_ACTIONS)[number];

const qualified = z.string().regex(/^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/, 'schema.table in lower case');
const columnRef = z.string().regex(/^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/, 'schema.table.column in lower case');

/** `skip` (the table is not extracted) or the classification of every column. */
const tableRules = z.preprocess(
  (v) => (v === 'skip' ? { skip: true, columns: {} } : v),
  z
    .object({
      skip: z.literal(true).optional(),
      /** The column whose value keys the per-person constants (date shift, postcode + city pair). */
      person: z.string().optional(),
      columns: z.record(z.string(), z.enum(COLUMN_ACTIONS)),
    })
    .strict(),
);

export const relationSchema = z
  .object({
    /** The referencing column (child side). */
    from: columnRef,
    /** The referenced column (parent side). */
    to: columnRef,
    /**
     * up: an extracted child brings its parent (always, whatever is written: integrity needs it);
     * both: an extracted parent also brings all its children.
     */
    follow: z.enum(['up', 'both']).default('up'),
  })
  .strict();

/** A distribution kept by the extract: the count of `table`'s rows per `per` value, compared source vs destination. */
export const distributionSchema = z
  .object({
    table: qualified,
    per: z.string().regex(/^[a-z_][a-z0-9_]*$/, 'a column name in lower case'),
    /** Largest relative gap allowed on mean, p50 and p90 (default DEFAULT_DISTRIBUTION_TOLERANCE). */
    tolerance: z.number().positive().optional(),
  })
  .strict();

export const rulesSchema = z
  .object({
    version: z.literal(1),
    subset: z.string().optional(),
    relations: z.array(relationSchema).default([]),
    distributions: z.array(distributionSchema).default([]),
    tables: z.record(qualified, tableRules),
  })
  .strict();

export type Rules = z.infer<typeof rulesSchema>;
export type Relation = z.infer<typeof relationSchema>;
export type TableRules = Rules['tables'][string];

export function parseRules(text: string, file: string): Rules {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) throw new PerfcellError(`${file}: not valid YAML: ${doc.errors[0]?.message.split('\n')[0] ?? ''}`);
  const input: unknown = doc.toJS();
  if (input === null || typeof input !== 'object') throw inputError(file, '(root)', 'a mapping with version: 1 and tables:');
  const parsed = rulesSchema.safeParse(input);
  if (!parsed.success) throw zodToError(file, parsed.error, input);
  return parsed.data;
}

/** The database shape the rules are checked against (introspected by the pg adapter). */
export interface CatalogColumn {
  name: string;
  type: string;
  nullable: boolean;
}
export interface CatalogTable {
  schema: string;
  name: string;
  columns: CatalogColumn[];
}
export interface ForeignKey {
  name: string;
  child: string;
  childColumns: string[];
  parent: string;
  parentColumns: string[];
}
export interface Catalog {
  tables: CatalogTable[];
  foreignKeys: ForeignKey[];
}

export const qualifiedName = (t: { schema: string; name: string }): string => `${t.schema}.${t.name}`;

export interface ColumnPlan {
  name: string;
  action: ColumnAction;
}
export interface TablePlan {
  table: string;
  columns: ColumnPlan[];
  /** Index in `columns` of the person key, if any. */
  personIndex: number;
}

/**
 * Checks the rules against the source's catalog and returns what to extract, table by table. Fails closed:
 * every table of the catalog must be listed (skip or columns), every column classified; rules naming a
 * table or column the database lacks are errors too (a typo must not silently keep a column).
 */
export function checkRules(rules: Rules, catalog: Catalog, file: string): TablePlan[] {
  const problems: string[] = [];
  const unclassified: string[] = [];
  const byName = new Map(catalog.tables.map((t) => [qualifiedName(t), t]));
  for (const name of Object.keys(rules.tables)) if (!byName.has(name)) problems.push(`tables.${name}: no such table in the source database`);
  const plans: TablePlan[] = [];
  for (const table of catalog.tables) {
    const name = qualifiedName(table);
    const r = rules.tables[name];
    if (r === undefined) {
      unclassified.push(...table.columns.map((c) => `${name}.${c.name}`));
      continue;
    }
    if (r.skip) continue;
    const known = new Set(table.columns.map((c) => c.name));
    for (const col of Object.keys(r.columns)) if (!known.has(col)) problems.push(`tables.${name}.columns.${col}: no such column in the source database`);
    const columns: ColumnPlan[] = [];
    for (const c of table.columns) {
      const action = r.columns[c.name];
      if (action === undefined) {
        unclassified.push(`${name}.${c.name}`);
        continue;
      }
      if (action === 'drop' && !c.nullable) problems.push(`tables.${name}.columns.${c.name}: drop writes NULL, but the column is NOT NULL (mask it instead)`);
      columns.push({ name: c.name, action });
    }
    if (r.person !== undefined && !known.has(r.person)) problems.push(`tables.${name}.person: "${r.person}" is not a column of the table`);
    const needsPerson = columns.some((c) => c.action === 'date_shift');
    if (needsPerson && r.person === undefined) problems.push(`tables.${name}.person: the column keying the per-person date shift (the table has date_shift columns)`);
    plans.push({ table: name, columns, personIndex: r.person === undefined ? -1 : columns.findIndex((c) => c.name === r.person) });
  }
  for (const [i, rel] of rules.relations.entries()) {
    for (const [side, ref] of [['from', rel.from], ['to', rel.to]] as const) {
      const [s, t, c] = ref.split('.') as [string, string, string];
      const table = byName.get(`${s}.${t}`);
      if (!table || !table.columns.some((x) => x.name === c)) problems.push(`relations[${i}].${side}: ${ref} is not a column of the source database`);
    }
  }
  for (const [i, d] of rules.distributions.entries()) {
    const plan = plans.find((p) => p.table === d.table);
    if (!plan) problems.push(`distributions[${i}].table: ${d.table} is not a table the rules extract`);
    else if (!plan.columns.some((c) => c.name === d.per && c.action !== 'drop')) problems.push(`distributions[${i}].per: ${d.per} is not a column of ${d.table} the rules extract`);
  }
  if (unclassified.length > 0) problems.unshift(`${unclassified.length} column(s) not classified (keep, drop or a mask; a table may be skip): ${unclassified.join(', ')}`);
  if (problems.length > 0) throw new PerfcellError(`${file}: ${problems.join('; ')}`, 'input');
  return plans;
}
