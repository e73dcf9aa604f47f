/**
 * The static part of `scenarios check` (pure but for ajv): the bodies and query strings the scenarios
 * sent — a sample recorded by the run (`--record-bodies`, record-requests.ts) — validated against the
 * operations' documented request schemas and query parameters. It names the field a renamed or newly
 * required field breaks, where the dynamic check only sees the API's refusal (or nothing, when the API
 * ignores an unknown field).
 *
 * Why recorded requests rather than a dry run of an instrumented bundle: a dry run sends nothing, so every
 * value a scenario takes from an earlier answer (a correlated id, a token) is missing, and code behind
 * `if (found === 0) return` never runs; the sample is what the scripts really sent, taken from the smoke
 * run the check makes anyway, at the cost of a few log lines per request name and VU.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { candidateDocuments, indexSpecs, operationIn, type SpecIndex } from './operation-index.js';
import type { Finding } from './drift.js';
import type { ApiOperation, ApiSpec } from './operations.js';
import type { RecordedRequest } from './recorded-request.js';

/** Schema messages kept per finding: the first ones say what moved; the rest repeat it. */
const MESSAGES_PER_FINDING = 3;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * OpenAPI 3.0 schema dialect → JSON Schema: `nullable: true` adds "null" to the type; a readOnly property
 * is not required in a request; `$id`s are dropped. (3.1 schemas are JSON Schema already: the rules leave
 * them unchanged.)
 */
export function requestSchema(schema: unknown, seen = new WeakMap<object, unknown>()): unknown {
  if (Array.isArray(schema)) return schema.map((s) => requestSchema(s, seen));
  if (!isObj(schema)) return schema;
  const known = seen.get(schema);
  if (known) return known;
  const out: Obj = {};
  seen.set(schema, out);
  for (const [k, v] of Object.entries(schema)) {
    if (k === '$id' || k === '$schema') continue; // the same $id twice (a dereferenced document) would stop ajv
    out[k] = k === 'example' || k === 'examples' || k === 'default' || k === 'enum' || k === 'const' ? v : requestSchema(v, seen);
  }
  if (out.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  delete out.nullable;
  if (Array.isArray(out.required) && isObj(out.properties)) {
    const props = out.properties;
    out.required = (out.required as string[]).filter((r) => !(isObj(props[r]) && (props[r] as Obj).readOnly === true));
  }
  return out;
}

function newAjv(coerce: boolean): Ajv2020 {
  // strict off: a document's own keywords (example, discriminator, x-…) and unknown formats are not errors.
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true, coerceTypes: coerce ? 'array' : false, logger: false });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  return ajv;
}

/** "must have required property 'familyName'" / "/lastName: must NOT have additional property" → one line each. */
export function schemaMessages(errors: readonly ErrorObject[] | null | undefined, where: string): string[] {
  const out: string[] = [];
  for (const e of errors ?? []) {
    const at = `${where}${e.instancePath ? e.instancePath.replace(/\//g, '.') : ''}`;
    const extra = e.keyword === 'additionalProperties' ? ` '${String((e.params as { additionalProperty?: string }).additionalProperty)}'` : '';
    const m = `${at}: ${e.message ?? e.keyword}${extra}`.replace('must NOT have additional properties', 'must NOT have additional property');
    if (!out.includes(m)) out.push(m);
  }
  return out;
}

/** The documented operation a request reached (server, base path, template, method), if any. */
export function operationFor(indexes: readonly SpecIndex[], method: string, url: string): ApiOperation | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  return operationIn(candidateDocuments(indexes, u.origin, u.pathname), method.toUpperCase());
}

export interface StaticCheckResult {
  /** Recorded requests read. */
  recorded: number;
  /** Of them, those that reached a documented operation and were judged. */
  judged: number;
  findings: Finding[];
}

export class StaticCheck {
  private readonly indexes: SpecIndex[];
  private readonly bodyAjv = newAjv(false);
  private readonly paramAjv = newAjv(true);
  private readonly compiled = new Map<object, ValidateFunction | null>();
  private readonly found = new Map<string, Finding & { tx: Set<string> }>();
  private recorded = 0;
  private judged = 0;

  constructor(specs: readonly ApiSpec[]) {
    this.indexes = indexSpecs(specs);
  }

  /** A compiled validator, or null when the document's schema does not compile (then nothing is judged). */
  private validator(ajv: Ajv2020, schema: Obj): ValidateFunction | null {
    if (!this.compiled.has(schema)) {
      try {
        this.compiled.set(schema, ajv.compile(requestSchema(schema) as Obj));
      } catch {
        this.compiled.set(schema, null);
      }
    }
    return this.compiled.get(schema) ?? null;
  }

  private finding(kind: 'invalid-body' | 'invalid-query', op: ApiOperation, message: string, transaction: string): void {
    const k = `${kind} ${op.key} ${message}`;
    const f = this.found.get(k) ?? { kind, subject: op.key, requests: 0, transactions: [], message, tx: new Set<string>() };
    this.found.set(k, f);
    f.requests++;
    f.tx.add(transaction);
  }

  add(r: RecordedRequest): void {
    this.recorded++;
    const op = operationFor(this.indexes, r.method, r.url);
    if (!op) return; // the dynamic check reports requests no operation takes
    this.judged++;
    const query = this.queryProblems(op, r.url);
    if (query.length > 0) this.finding('invalid-query', op, query.slice(0, MESSAGES_PER_FINDING).join('; '), r.transaction);
    const body = this.bodyProblems(op, r);
    if (body.length > 0) this.finding('invalid-body', op, body.slice(0, MESSAGES_PER_FINDING).join('; '), r.transaction);
  }

  private queryProblems(op: ApiOperation, url: string): string[] {
    const sent = new Map<string, string[]>();
    for (const [k, v] of new URL(url).searchParams) sent.set(k, [...(sent.get(k) ?? []), v]);
    const documented = op.parameters.filter((p) => p.in === 'query');
    const problems: string[] = [];
    for (const k of sent.keys()) if (!documented.some((p) => p.name === k)) problems.push(`query parameter '${k}' is not documented (${documented.map((p) => p.name).join(', ') || 'none is'})`);
    for (const p of documented) {
      const values = sent.get(p.name);
      if (!values) {
        if (p.required) problems.push(`required query parameter '${p.name}' is missing`);
        continue;
      }
      if (!p.schema) continue;
      const validate = this.validator(this.paramAjv, p.schema);
      if (validate && !validate(p.schema.type === 'array' ? values : values[0])) problems.push(...schemaMessages(validate.errors, `query.${p.name}`));
    }
    return problems;
  }

  private bodyProblems(op: ApiOperation, r: RecordedRequest): string[] {
    const sentBody = r.body !== undefined && r.body !== '' ? r.body : undefined;
    const documented = op.requestBody;
    if (!documented) return sentBody !== undefined || r.form ? ['a body is sent; the operation documents none'] : [];
    if (sentBody === undefined && !r.form) return documented.required ? ['the required body is missing'] : [];
    if (r.truncated || !documented.schema) return [];
    let value: unknown;
    if (r.form) value = r.form;
    else if (/json/i.test(documented.contentType)) {
      try {
        value = JSON.parse(sentBody as string);
      } catch {
        return [`the body is not JSON (the operation takes ${documented.contentType})`];
      }
    } else return []; // a text or binary body: its schema says little a sample can check
    const validate = this.validator(r.form ? this.paramAjv : this.bodyAjv, documented.schema);
    return validate && !validate(value) ? schemaMessages(validate.errors, 'body') : [];
  }

  result(): StaticCheckResult {
    const findings = [...this.found.values()].map(({ tx, ...f }) => ({ ...f, transactions: [...tx].sort() }));
    return { recorded: this.recorded, judged: this.judged, findings };
  }
}

export function checkRecordedRequests(specs: readonly ApiSpec[], requests: Iterable<RecordedRequest>): StaticCheckResult {
  const c = new StaticCheck(specs);
  for (const r of requests) c.add(r);
  return c.result();
}
