/**
 * docs/recommendations.md's rule table, generated from each rule's metadata (`npm run docs:rules` writes it,
 * test/rules/catalogue.test.ts fails when the file and the metadata differ). Pure.
 */
import type { Rule, RuleThreshold } from './types.js';

/** The generated part of docs/recommendations.md lies between these two lines. */
export const DOC_BEGIN = '<!-- rules:begin (generated from src/rules/*.ts by `npm run docs:rules`: edit the rules, not this table) -->';
export const DOC_END = '<!-- rules:end -->';

const MIB = 1024 * 1024;
/** Count units: the noun is for the thresholds table; in a sentence the number stands alone. */
const COUNTS = new Set(['requests', 'windows', 'queries', 'names', 'points', 'factor', 'score']);

const num = (x: number): string => String(Number(x.toPrecision(6)));

/** A threshold as a sentence writes it: 0.1 share → "10 %", 5 ms → "5 ms", 20 windows → "20". */
export function formatThreshold(t: RuleThreshold): string {
  switch (t.unit) {
    case 'share': return `${num(t.value * 100)} %`;
    case 'point': return `${num(t.value * 100)} point`;
    case '%': return `${num(t.value)} %`;
    case 'bytes': return t.value % MIB === 0 ? `${num(t.value / MIB)} MB` : `${num(t.value)} bytes`;
    case 'cores': return `${num(t.value)} core`;
    default: return COUNTS.has(t.unit) ? num(t.value) : `${num(t.value)} ${t.unit}`;
  }
}

/** The rule's sentence with each `{NAME}` replaced by that threshold's value; an unknown name is an error. */
export function firesWhen(rule: Rule): string {
  return rule.meta.firesWhen.replace(/\{([A-Z][A-Z0-9_]*)\}/g, (_, name: string) => {
    const t = rule.meta.thresholds.find((x) => x.name === name);
    if (!t) throw new Error(`rule ${rule.id}: "{${name}}" in meta.firesWhen names no declared threshold`);
    return formatThreshold(t);
  });
}

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The two tables: what each rule looks for, then every threshold with the measurement behind it. */
export function rulesSection(rules: readonly Rule[]): string {
  const lines = ['| id | severity | fires when | evidence |', '|---|---|---|---|'];
  for (const r of rules) lines.push(`| \`${r.id}\` | ${cell(r.meta.severity)} | ${cell(firesWhen(r))} | ${cell(r.meta.evidence)} |`);
  lines.push('', '### Thresholds', '', 'Each value is the constant the rule\'s code uses (its `meta.thresholds`), with the measurement or reference behind it.', '');
  lines.push('| rule | threshold | value | why |', '|---|---|---|---|');
  for (const r of rules) {
    for (const t of r.meta.thresholds) {
      const value = COUNTS.has(t.unit) && t.unit !== 'factor' && t.unit !== 'score' ? `${formatThreshold(t)} ${t.unit}` : formatThreshold(t);
      lines.push(`| \`${r.id}\` | \`${t.name}\` | ${value} | ${cell(t.why)} |`);
    }
  }
  return lines.join('\n');
}

/** The document with its generated part replaced; the markers must be there once each. */
export function withRulesSection(doc: string, rules: readonly Rule[]): string {
  const from = doc.indexOf(DOC_BEGIN);
  const to = doc.indexOf(DOC_END);
  if (from < 0 || to < from) throw new Error(`docs/recommendations.md: the markers "${DOC_BEGIN}" and "${DOC_END}" are missing`);
  return `${doc.slice(0, from + DOC_BEGIN.length)}\n${rulesSection(rules)}\n${doc.slice(to)}`;
}
