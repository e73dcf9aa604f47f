/**
 * An import plan (har-plan.ts) → a scenario file in the project's style (pure): one typed export, a
 * comment per page, named requests to `target()`, a check per request on its recorded status, correlated
 * values extracted right after the response that returned them, the recording's think times as sleeps.
 * The output passes `tsc -p tsconfig.scenarios.json` and eslint (test/api-contract/har-import.test.ts).
 */
import type { Dropped, ImportPlan, PlannedBody, PlannedRequest, Slot } from './har-plan.js';
import { tsLiteral } from './scaffold.js';

export interface ImportCodeInput {
  plan: ImportPlan;
  exportName: string;
  transaction: string;
  /** The HAR file, as the user named it. */
  source: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Literal text inside a template literal. */
const inTemplate = (s: string): string => s.replace(/[`\\]/g, (c) => `\\${c}`).replace(/\$\{/g, '\\${');
const oneLineText = (s: string): string => s.replace(/\s+/g, ' ').replace(/\*\//g, '* /').trim();
const key = (k: string): string => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : tsLiteral(k));

function urlExpression(r: PlannedRequest): string {
  const path = r.segments.map((s) => (s.variable ? `\${${s.variable}}` : inTemplate(s.raw))).join('/');
  const query = r.query.map(([k, s]) => `${inTemplate(k)}=${s.variable ? `\${encodeURIComponent(${s.variable})}` : inTemplate(encodeURIComponent(s.raw))}`).join('&');
  return `\`\${target(${tsLiteral(r.target)})}${r.segments.length > 0 ? `/${path}` : ''}${query ? `?${query}` : ''}\``;
}

function slotExpression(s: Slot, types: Map<string, 'string' | 'number'>): string {
  if (!s.variable) return tsLiteral(`${s.prefix ?? ''}${s.raw}`);
  if (s.prefix) return `\`${inTemplate(s.prefix)}\${${s.variable}}\``;
  return types.get(s.variable) === 'number' ? `String(${s.variable})` : s.variable;
}

/** A JSON body as a literal, variables where correlated values were ("/items/0/id" → variable). */
function jsonExpression(v: unknown, indent: string, path: string, vars: Map<string, string>, types: Map<string, 'string' | 'number'>): string {
  const variable = vars.get(path);
  if (variable) {
    const t = types.get(variable);
    if (typeof v === 'string' && t === 'number') return `String(${variable})`;
    if (typeof v === 'number' && t === 'string') return `Number(${variable})`;
    return variable;
  }
  const inner = `${indent}  `;
  if (Array.isArray(v)) return v.length === 0 ? '[]' : `[${v.map((x, i) => jsonExpression(x, indent, `${path}/${i}`, vars, types)).join(', ')}]`;
  if (isObj(v)) {
    const entries = Object.entries(v);
    if (entries.length === 0) return '{}';
    return `{\n${entries.map(([k, x]) => `${inner}${key(k)}: ${jsonExpression(x, inner, `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, vars, types)},`).join('\n')}\n${indent}}`;
  }
  return tsLiteral(v, indent);
}

function bodyExpression(b: PlannedBody, indent: string, types: Map<string, 'string' | 'number'>): string {
  if (b.kind === 'json') return `JSON.stringify(${jsonExpression(b.value, indent, '', b.variables, types)})`;
  if (b.kind === 'form') return b.params.length === 0 ? '{}' : `{\n${b.params.map(([k, s]) => `${indent}  ${key(k)}: ${slotExpression(s, types)},`).join('\n')}\n${indent}}`;
  return tsLiteral(b.text);
}

const HTTP_CALL: Readonly<Record<string, string>> = { GET: 'get', HEAD: 'head', POST: 'post', PUT: 'put', PATCH: 'patch', DELETE: 'del' };

function requestLines(r: PlannedRequest, first: boolean, types: Map<string, 'string' | 'number'>): string[] {
  const indent = '  ';
  const headers = r.headers.map(([k, s]) => `${key(k)}: ${slotExpression(s, types)}`);
  let params = `named(${tsLiteral(r.name)}${headers.length ? `, { headers: { ${headers.join(', ')} } }` : ''})`;
  if (r.noRedirects) params = `{ ...${params}, redirects: 0 }`;
  const url = urlExpression(r);
  const body = r.body ? bodyExpression(r.body, indent, types) : 'null';
  const fn = HTTP_CALL[r.method];
  const call = !fn ? `http.request(${tsLiteral(r.method)}, ${url}, ${body}, ${params})` : fn === 'get' || fn === 'head' ? `http.${fn}(${url}, ${params})` : `http.${fn}(${url}, ${body}, ${params})`;
  const lines = [`${indent}${first ? 'let res = ' : 'res = '}${call};`];
  const checks = [`'${r.name.replace(/'/g, "\\'")} ${r.status}': (r) => r.status === ${r.status}`];
  for (const x of r.extractions) checks.push(`'${r.name.replace(/'/g, "\\'")} gives ${x.variable}': (r) => ${x.from === 'json' ? `r.json(${tsLiteral(x.selector)})` : `r.headers[${tsLiteral(x.selector)}]`} !== undefined`);
  lines.push(checks.length === 1 ? `${indent}check(res, { ${checks[0] as string} });` : `${indent}check(res, {\n${checks.map((c) => `${indent}  ${c},`).join('\n')}\n${indent}});`);
  for (const x of r.extractions) {
    const read = x.from === 'json' ? `res.json(${tsLiteral(x.selector)})` : `res.headers[${tsLiteral(x.selector)}]`;
    lines.push(`${indent}const ${x.variable} = ${x.type === 'number' ? 'Number' : 'String'}(${read});`);
  }
  return lines;
}

/** "4 static assets, 2 CORS preflights; third-party hosts: fonts.example (2)". */
export function droppedSummary(dropped: readonly Dropped[]): string {
  if (dropped.length === 0) return 'nothing';
  const counts = new Map<string, number>();
  const hosts = new Map<string, number>();
  for (const d of dropped) {
    if (d.reason === 'third-party host') {
      const host = URL.canParse(d.url) ? new URL(d.url).host : d.url;
      hosts.set(host, (hosts.get(host) ?? 0) + 1);
    } else counts.set(d.reason, (counts.get(d.reason) ?? 0) + 1);
  }
  const parts = [...counts].map(([r, n]) => `${n} ${r === 'no answer' ? `request${n > 1 ? 's' : ''} without an answer` : `${r}${n > 1 ? 's' : ''}`}`);
  const third = hosts.size > 0 ? `third-party hosts: ${[...hosts].map(([h, n]) => `${h} (${n})`).join(', ')}` : '';
  return [parts.join(', '), third].filter(Boolean).join('; ');
}

export function importedSource(input: ImportCodeInput): string {
  const { plan } = input;
  const requests = plan.pages.flatMap((p) => p.requests);
  const types = new Map(requests.flatMap((r) => r.extractions.map((x) => [x.variable, x.type] as const)));
  const think = requests.reduce((s, r) => s + r.thinkBefore, 0);
  const usesSleep = requests.some((r) => r.thinkBefore > 0);
  const out: string[] = [];
  const recorded = plan.recordedAt ? ` on ${plan.recordedAt.slice(0, 10)}` : '';
  out.push(`// Recorded${plan.creator ? ` with ${oneLineText(plan.creator)}` : ''}${recorded} and imported by \`perfcell scenario import --har ${oneLineText(input.source)}\`;`);
  out.push('// maintained by hand from here. Hosts are the model\'s targets; ids and tokens the application returns are');
  out.push('// read from its answers, user input stays as recorded.');
  out.push("import http from 'k6/http';");
  out.push(`import { ${usesSleep ? 'check, sleep' : 'check'} } from 'k6';`);
  out.push("import { named, target } from 'perfcell/k6';");
  out.push('');
  out.push('/**');
  out.push(` * ${input.transaction}: ${plan.pages.length} page${plan.pages.length > 1 ? 's' : ''}, ${requests.length} request${requests.length > 1 ? 's' : ''}, ${Math.round(think * 10) / 10} s of think time.`);
  if (plan.correlations.length > 0) out.push(' * Correlated (read from the answer that returned them):', ...plan.correlations.map((c) => ` * - ${c.variable}: ${c.source} → ${c.selector}`));
  out.push(` * Dropped from the recording: ${oneLineText(droppedSummary(plan.dropped))}.`);
  out.push(' */');
  out.push(`export function ${input.exportName}(): void {`);
  let first = true;
  plan.pages.forEach((page, i) => {
    if (i > 0) out.push('');
    const what = [page.title, page.url].map(oneLineText).filter(Boolean);
    out.push(`  // Page ${i + 1}${what.length ? `: ${what[0]}${what[1] && what[1] !== what[0] ? ` (${what[1]})` : ''}` : ''}`);
    for (const r of page.requests) {
      if (r.thinkBefore > 0) out.push(`  sleep(${r.thinkBefore});`);
      out.push(...requestLines(r, first, types));
      first = false;
    }
  });
  out.push('}');
  let code = `${out.join('\n')}\n`;
  // One request: nothing reassigns `res` (prefer-const).
  if (requests.length === 1) code = code.replace('  let res = ', '  const res = ');
  return code;
}
