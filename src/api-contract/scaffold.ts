/**
 * One OpenAPI operation → the source of a k6 scenario export that reads like a person wrote it (pure):
 * a named request to a `target()`, path parameters from the data file's columns, a body from the
 * operation's example (or its required fields), checks on the documented success statuses and on one
 * field of the answer. The output passes `tsc -p tsconfig.scenarios.json` and eslint (test/api-contract).
 */
import type { ApiOperation, ApiParameter } from './operations.js';

export interface ScaffoldInput {
  op: ApiOperation;
  /** Transaction name (kebab-case): check labels. */
  transaction: string;
  exportName: string;
  target: string;
  /** The model's data set and its CSV columns, when it has one. */
  data?: { name: string; columns: string[] };
  /** Where the operation comes from, for the doc comment. */
  origin: string;
}

export interface ScaffoldOutput {
  code: string;
  /** Names the file must import: from 'perfcell/k6', and whether k6's `check` and `http` are used. */
  perfcellImports: string[];
  /** Values the scaffold could not find (a path parameter without a column): said to the user. */
  notes: string[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const snake = (s: string): string => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[^A-Za-z0-9]+/g, '_').toLowerCase();
const singular = (s: string): string => s.replace(/ies$/, 'y').replace(/s$/, '');

/** The data column that holds a path parameter: same name, snake_case, or "{segment}_id" for an {id}. */
export function columnFor(param: string, path: string, columns: readonly string[]): string | undefined {
  const wanted = [param, snake(param)];
  if (/^id$/i.test(param)) {
    const before = /\/([A-Za-z_-]+)\/\{[^}]+\}/.exec(path.slice(0, path.indexOf(`{${param}}`) + param.length + 2))?.[1];
    if (before) wanted.push(`${snake(singular(before))}_id`);
  }
  return wanted.map((w) => columns.find((c) => c.toLowerCase() === w.toLowerCase())).find((c) => c !== undefined);
}

/** A value for a schema: its example, default, first enum value, or a plain placeholder of its type. */
export function sampleOf(schema: unknown, depth = 0): unknown {
  if (!isObj(schema) || depth > 6) return null;
  if (schema.example !== undefined) return schema.example;
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  if (schema.default !== undefined) return schema.default;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  if (schema.const !== undefined) return schema.const;
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'object': {
      const props = isObj(schema.properties) ? schema.properties : {};
      const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
      return Object.fromEntries(required.filter((k) => k in props).map((k) => [k, sampleOf(props[k], depth + 1)]));
    }
    case 'array':
      return typeof schema.minItems === 'number' && schema.minItems > 0 ? [sampleOf(schema.items, depth + 1)] : [];
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 1;
    case 'boolean':
      return false;
    case 'string':
      return schema.format === 'date' ? '2026-01-15' : schema.format === 'date-time' ? '2026-01-15T09:00:00Z' : schema.format === 'email' ? 'someone@example.com' : schema.format === 'uuid' ? '00000000-0000-4000-8000-000000000000' : 'text';
    default:
      return isObj(schema.properties) ? sampleOf({ ...schema, type: 'object' }, depth) : null;
  }
}

/** A JSON value as a TypeScript literal, indented like hand-written code (single quotes, bare keys). */
export function tsLiteral(v: unknown, indent = ''): string {
  const inner = `${indent}  `;
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  if (Array.isArray(v)) return v.length === 0 ? '[]' : `[${v.map((x) => tsLiteral(x, indent)).join(', ')}]`;
  if (isObj(v)) {
    const entries = Object.entries(v);
    if (entries.length === 0) return '{}';
    const key = (k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : tsLiteral(k));
    return `{\n${entries.map(([k, x]) => `${inner}${key(k)}: ${tsLiteral(x, inner)},`).join('\n')}\n${indent}}`;
  }
  return 'null';
}

const HTTP_CALL: Readonly<Record<string, string>> = { GET: 'get', POST: 'post', PUT: 'put', PATCH: 'patch', DELETE: 'del', HEAD: 'head', OPTIONS: 'options' };

function paramValue(p: ApiParameter): unknown {
  return p.example ?? sampleOf(p.schema ?? { type: 'string' });
}

/** The request's URL as a template literal: `${target('grc')}/persons/${p.person_id}?limit=20`. */
function urlExpression(input: ScaffoldInput, notes: string[]): { url: string; usesRow: boolean } {
  const { op, data } = input;
  let usesRow = false;
  const path = op.key.slice(op.method.length + 1).replace(/\{([^}]+)\}/g, (_, name: string) => {
    const column = data ? columnFor(name, op.path, data.columns) : undefined;
    if (column) {
      usesRow = true;
      return /^[A-Za-z_$][\w$]*$/.test(column) ? `\${p.${column}}` : `\${p['${column}']}`;
    }
    const param = op.parameters.find((x) => x.in === 'path' && x.name === name);
    notes.push(`path parameter {${name}}: no data column holds it; the scenario uses the document's example (give the model a data file with a "${snake(name)}" column)`);
    return encodeURIComponent(String(param ? paramValue(param) : name)).replace(/[`$\\]/g, (c) => `\\${c}`);
  });
  const query = op.parameters.filter((x) => x.in === 'query' && x.required);
  const qs = query.map((q) => {
    const column = data ? columnFor(q.name, '', data.columns) : undefined;
    if (column) usesRow = true;
    if (!column) return `${encodeURIComponent(q.name)}=${encodeURIComponent(String(paramValue(q)))}`; // a constant, written out
    return `${encodeURIComponent(q.name)}=\${encodeURIComponent(p.${column})}`;
  });
  return { url: `\`\${target(${tsLiteral(input.target)})}${path}${qs.length ? `?${qs.join('&')}` : ''}\``, usesRow };
}

/** A top-level field of the success answer to check: the first required one, else the first listed. */
function answerField(op: ApiOperation, status: string): string | undefined {
  const raw = op.responses[status]?.schema;
  if (!isObj(raw)) return undefined;
  // allOf: the parts' properties and requirements together.
  const parts = Array.isArray(raw.allOf) ? raw.allOf.filter(isObj) : [];
  const schema = parts.length === 0 ? raw : { properties: Object.assign({}, ...parts.map((x) => x.properties ?? {})), required: parts.flatMap((x) => (Array.isArray(x.required) ? x.required : [])) };
  const props = isObj(schema.properties) ? Object.keys(schema.properties) : [];
  const required = Array.isArray(schema.required) ? (schema.required as string[]).filter((r) => props.includes(r)) : [];
  return [...required, ...props].find((f) => /^[A-Za-z_$][\w$]*$/.test(f));
}

export function scaffoldSource(input: ScaffoldInput): ScaffoldOutput {
  const { op, transaction } = input;
  const notes: string[] = [];
  const { url, usesRow } = urlExpression(input, notes);
  const success = op.statuses.filter((s) => /^2\d\d$/.test(s));
  const statuses = success.length > 0 ? success : ['200'];
  const lines: string[] = [];
  lines.push(`/** ${op.method} ${op.key.slice(op.method.length + 1)}${op.summary ? `: ${op.summary}` : ''}. From ${input.origin}${op.operationId ? ` (${op.operationId})` : ''}. */`);
  lines.push(`export function ${input.exportName}(): void {`);
  if (usesRow && input.data) lines.push(`  const p = row(${tsLiteral(input.data.name)});`);
  const media = op.requestBody;
  const hasBody = media !== undefined && ['POST', 'PUT', 'PATCH', 'DELETE'].includes(op.method);
  if (hasBody) {
    const body = media.example ?? sampleOf(media.schema ?? { type: 'object' });
    lines.push(`  const body = ${tsLiteral(body, '  ')};`);
  }
  const params = `named(${tsLiteral(`${op.method} ${op.key.slice(op.method.length + 1)}`)}${hasBody ? `, { headers: { 'content-type': ${tsLiteral(media.contentType)} } }` : ''})`;
  const fn = HTTP_CALL[op.method];
  const call = !fn
    ? `http.request(${tsLiteral(op.method)}, ${url}, ${hasBody ? 'JSON.stringify(body)' : 'null'}, ${params})`
    : fn === 'get' || fn === 'head'
      ? `http.${fn}(${url}, ${params})`
      : `http.${fn}(${url}, ${hasBody ? 'JSON.stringify(body)' : 'null'}, ${params})`;
  lines.push(`  const res = ${call};`);
  const checks = [statuses.length === 1 ? `    '${transaction} ${statuses[0]}': (r) => r.status === ${statuses[0]},` : `    '${transaction} ${statuses.join('/')}': (r) => [${statuses.join(', ')}].includes(r.status),`];
  const field = answerField(op, statuses[0] as string);
  if (field) checks.push(`    '${transaction} answers ${field}': (r) => r.status === ${statuses[0]} && r.json(${tsLiteral(field)}) !== undefined,`);
  lines.push('  check(res, {', ...checks, '  });', '}');
  return { code: `${lines.join('\n')}\n`, perfcellImports: ['named', ...(usesRow ? ['row'] : []), 'target'], notes };
}

/** Adds the imports a scaffolded export needs to a scenario file's text (new or existing). */
export function withImports(text: string, perfcellNames: readonly string[]): string {
  let out = text;
  const header: string[] = [];
  if (!/^import http from 'k6\/http';/m.test(out)) header.push("import http from 'k6/http';");
  const k6 = /^import \{([^}]*)\} from 'k6';/m.exec(out);
  if (!k6) header.push("import { check } from 'k6';");
  else if (!k6[1]?.split(',').map((s) => s.trim()).includes('check')) out = out.replace(k6[0], `import {${k6[1]?.replace(/\s*$/, '')}, check } from 'k6';`);
  const pk = /^import \{([^}]*)\} from 'perfcell\/k6';/m.exec(out);
  if (!pk) header.push(`import { ${[...perfcellNames].sort().join(', ')} } from 'perfcell/k6';`);
  else {
    const have = (pk[1] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const all = [...new Set([...have, ...perfcellNames])].sort();
    out = out.replace(pk[0], `import { ${all.join(', ')} } from 'perfcell/k6';`);
  }
  if (header.length === 0) return out;
  // After the file's leading comment and existing imports.
  const lines = out.split('\n');
  let at = 0;
  for (let i = 0; i < lines.length; i++) if (/^import /.test(lines[i] as string)) at = i + 1;
  if (at === 0) while (at < lines.length && /^\/\/|^\s*$/.test(lines[at] as string) && lines[at] !== '') at++;
  lines.splice(at, 0, ...header);
  return lines.join('\n');
}
