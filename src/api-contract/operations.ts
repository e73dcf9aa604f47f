/**
 * An OpenAPI 3.x document (already validated and dereferenced: spec.ts) → the plain data the drift check
 * and the scaffolder work on: its servers and its operations, each with the statuses it documents. Pure.
 */
import { inputError } from '../errors.js';

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

export interface ApiParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  schema?: Record<string, unknown>;
  example?: unknown;
}

export interface ApiMedia {
  contentType: string;
  schema?: Record<string, unknown>;
  example?: unknown;
}

export interface ApiOperation {
  /** "GET /v1/persons/{id}": the method and the full path template (the server's base path included). */
  key: string;
  method: string;
  /** The path template as the document writes it (without the server's base path). */
  path: string;
  operationId?: string;
  summary?: string;
  /** Documented response statuses: "200", "4XX", "default". */
  statuses: string[];
  parameters: ApiParameter[];
  requestBody?: ApiMedia & { required: boolean };
  /** The first JSON (or other) answer of each documented status. */
  responses: Record<string, ApiMedia | undefined>;
}

export interface ApiServer {
  /** "http://127.0.0.1:8080", or undefined when the document gives a relative server (any host). */
  origin?: string;
  /** "/v1", "" for none. */
  basePath: string;
}

export interface ApiSpec {
  /** Where it was read from (file or URL), for messages. */
  source: string;
  title: string;
  version: string;
  servers: ApiServer[];
  operations: ApiOperation[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A server URL with its variables at their defaults, resolved against where the document came from. */
export function serverOf(url: string, variables: Obj | undefined, documentUrl: string | undefined): ApiServer {
  const filled = url.replace(/\{([^}]+)\}/g, (_, v: string) => {
    const d = isObj(variables?.[v]) ? (variables[v] as Obj).default : undefined;
    return typeof d === 'string' ? d : '';
  });
  let absolute: URL | undefined;
  try {
    absolute = new URL(filled, documentUrl && /^https?:/i.test(documentUrl) ? documentUrl : undefined);
  } catch {
    absolute = undefined;
  }
  if (absolute) return { origin: absolute.origin, basePath: absolute.pathname.replace(/\/+$/, '') };
  return { basePath: filled.replace(/[?#].*$/, '').replace(/\/+$/, '') };
}

function firstMedia(content: unknown): ApiMedia | undefined {
  if (!isObj(content)) return undefined;
  const entries = Object.entries(content);
  const [type, media] = entries.find(([t]) => /json/i.test(t)) ?? entries[0] ?? [];
  if (!type || !isObj(media)) return undefined;
  const examples = isObj(media.examples) ? Object.values(media.examples).find(isObj) : undefined;
  const schema = isObj(media.schema) ? media.schema : undefined;
  const schemaExample = schema && Array.isArray(schema.examples) ? (schema.examples as unknown[])[0] : schema?.example;
  return { contentType: type, schema, example: media.example ?? examples?.value ?? schemaExample };
}

function parametersOf(list: unknown): ApiParameter[] {
  if (!Array.isArray(list)) return [];
  return list.filter(isObj).map((p) => ({
    name: String(p.name),
    in: String(p.in) as ApiParameter['in'],
    required: p.required === true,
    schema: isObj(p.schema) ? p.schema : undefined,
    example: p.example ?? (isObj(p.schema) ? (p.schema.example ?? (Array.isArray(p.schema.examples) ? (p.schema.examples as unknown[])[0] : undefined)) : undefined),
  }));
}

/** The operations of a dereferenced OpenAPI 3.x document. `documentUrl`: where it was fetched from, if a URL. */
export function specFromDocument(doc: unknown, source: string, documentUrl?: string): ApiSpec {
  if (!isObj(doc)) throw inputError(source, '', 'an OpenAPI document (a JSON or YAML object)');
  if (typeof doc.openapi !== 'string' || !doc.openapi.startsWith('3.')) {
    throw inputError(source, 'openapi', `an OpenAPI 3.0 or 3.1 document (found ${doc.swagger ? `Swagger ${String(doc.swagger)}` : JSON.stringify(doc.openapi ?? null)})`);
  }
  const info = isObj(doc.info) ? doc.info : {};
  const rawServers = Array.isArray(doc.servers) ? doc.servers.filter(isObj) : [];
  const servers = rawServers.length > 0 ? rawServers.map((s) => serverOf(String(s.url ?? ''), isObj(s.variables) ? s.variables : undefined, documentUrl)) : [serverOf('/', undefined, documentUrl)];
  const base = servers[0]?.basePath ?? '';
  const operations: ApiOperation[] = [];
  for (const [path, item] of Object.entries(isObj(doc.paths) ? doc.paths : {})) {
    if (!path.startsWith('/') || !isObj(item)) continue;
    const shared = parametersOf(item.parameters);
    for (const m of HTTP_METHODS) {
      const op = item[m];
      if (!isObj(op)) continue;
      const own = parametersOf(op.parameters);
      const parameters = [...shared.filter((p) => !own.some((o) => o.name === p.name && o.in === p.in)), ...own];
      const responses = isObj(op.responses) ? op.responses : {};
      const body = isObj(op.requestBody) ? op.requestBody : undefined;
      const media = body ? firstMedia(body.content) : undefined;
      operations.push({
        key: `${m.toUpperCase()} ${base}${path}`,
        method: m.toUpperCase(),
        path,
        operationId: typeof op.operationId === 'string' ? op.operationId : undefined,
        summary: typeof op.summary === 'string' ? op.summary : undefined,
        statuses: Object.keys(responses),
        parameters,
        requestBody: media ? { ...media, required: body?.required === true } : undefined,
        responses: Object.fromEntries(Object.entries(responses).map(([s, r]) => [s, isObj(r) ? firstMedia(r.content) : undefined])),
      });
    }
  }
  return { source, title: String(info.title ?? source), version: String(info.version ?? ''), servers, operations };
}

/** Whether a status is documented: exactly, by its range ("4XX") or by "default". */
export function statusDocumented(op: ApiOperation, status: string): boolean {
  return op.statuses.some((s) => s === status || s === 'default' || (s.length === 3 && s.toUpperCase().endsWith('XX') && s[0] === status[0]));
}

/** "GET /persons/{personId}" → "GET /persons/{}": templates compared whatever the parameters are called. */
export function templateShape(key: string): string {
  return key.replace(/\{[^}]*\}/g, '{}').replace(/(.)\/+$/, '$1');
}

/** The operation an --operation argument names: an operationId or "METHOD /path". */
export function findOperation(spec: ApiSpec, wanted: string): ApiOperation | undefined {
  const byId = spec.operations.find((o) => o.operationId === wanted);
  if (byId) return byId;
  const m = /^([A-Za-z]+)\s+(\/\S*)$/.exec(wanted.trim());
  if (!m) return undefined;
  const shape = templateShape(`${(m[1] as string).toUpperCase()} ${m[2] as string}`);
  return spec.operations.find((o) => templateShape(o.key) === shape || templateShape(`${o.method} ${o.path}`) === shape);
}
