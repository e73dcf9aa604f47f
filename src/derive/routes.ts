/**
 * URL → transaction (pure): route templates from an OpenAPI document's `paths`, from a routes file, or
 * learned from the URLs themselves (numeric, UUID, hex and token segments collapsed to `{id}`). Matching
 * walks a segment trie (literal segments before parameters), so its cost does not grow with the number of
 * routes. Health checks, static assets and bots are recognised here too, to be excluded by default.
 */
import { parse as parseYaml } from 'yaml';
import { inputError } from '../errors.js';

export interface Route {
  /** Upper-case HTTP method, or `*` for any. */
  method: string;
  /** Template with `{param}` segments: `/persons/{id}/360`. */
  template: string;
  /** Transaction name (lower-case, digits, `-`). */
  name: string;
}

interface Node {
  literal: Map<string, Node>;
  param?: Node;
  /** method → route index at this node (`*` for any method). */
  routes?: Map<string, number>;
}

const newNode = (): Node => ({ literal: new Map() });

/** `GET /persons/{id}/360` → `get-persons-id-360` (a valid transaction name). */
export function nameFor(method: string, template: string): string {
  const slug = template
    .toLowerCase()
    .replace(/\{[^}]*\}/g, 'id')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `${method === '*' ? 'any' : method.toLowerCase()}${slug ? `-${slug}` : '-root'}`;
}

/** camelCase or snake_case operationId → kebab-case transaction name. */
export function kebab(s: string): string {
  return s
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([a-zA-Z])([0-9])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** The path part of a logged URL, without query or fragment. */
export function pathOf(url: string): string {
  let end = url.length;
  const q = url.indexOf('?');
  if (q >= 0) end = q;
  const h = url.indexOf('#');
  if (h >= 0 && h < end) end = h;
  return end === url.length ? url : url.slice(0, end);
}

export class RouteTable {
  readonly routes: Route[] = [];
  private readonly root = newNode();

  add(route: Route): number {
    let node = this.root;
    for (const seg of splitPath(route.template)) {
      if (seg.startsWith('{') && seg.endsWith('}')) node = node.param ??= newNode();
      else {
        let next = node.literal.get(seg);
        if (!next) node.literal.set(seg, (next = newNode()));
        node = next;
      }
    }
    node.routes ??= new Map();
    const existing = node.routes.get(route.method);
    if (existing !== undefined) return existing;
    this.routes.push(route);
    node.routes.set(route.method, this.routes.length - 1);
    return this.routes.length - 1;
  }

  /** Route index for a method and path, or -1. Literal segments win over parameters (`/persons/search`). */
  match(method: string, path: string): number {
    let end = path.length;
    // A trailing slash is the same route (`/persons/` = `/persons`).
    if (end > 1 && path.charCodeAt(end - 1) === 47) end--;
    return matchAt(this.root, path, 1, end, method);
  }
}

function leaf(node: Node, method: string): number {
  if (!node.routes) return -1;
  return node.routes.get(method) ?? node.routes.get('*') ?? -1;
}

/** Walks the segment starting at `start` (up to `end`) without splitting the path into an array. */
function matchAt(node: Node, path: string, start: number, end: number, method: string): number {
  let slash = path.indexOf('/', start);
  if (slash < 0 || slash > end) slash = end;
  const seg = path.slice(start, slash);
  const last = slash >= end;
  const lit = node.literal.get(seg);
  if (lit) {
    const r = last ? leaf(lit, method) : matchAt(lit, path, slash + 1, end, method);
    if (r >= 0) return r;
  }
  if (!node.param || seg === '') return -1;
  return last ? leaf(node.param, method) : matchAt(node.param, path, slash + 1, end, method);
}

function splitPath(path: string): string[] {
  const segs = path.split('/');
  segs.shift(); // leading ''
  // A trailing slash is the same route (`/persons/` = `/persons`).
  if (segs.length > 1 && segs[segs.length - 1] === '') segs.pop();
  return segs;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** The routes of an OpenAPI (3.x) or Swagger (2.0) document, JSON or YAML, with its servers' base path. */
export function routesFromOpenApi(text: string, file: string): Route[] {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    throw inputError(file, '', `an OpenAPI document in JSON or YAML (${(error as Error).message.split('\n')[0]})`);
  }
  const paths = (doc as { paths?: unknown } | null)?.paths;
  if (!paths || typeof paths !== 'object') throw inputError(file, 'paths', 'an OpenAPI document with a `paths` object');
  const d = doc as { servers?: { url?: string }[]; basePath?: string };
  let base = d.basePath ?? '';
  const server = d.servers?.[0]?.url;
  if (server) {
    const m = /^(?:[a-z]+:\/\/[^/]+)?(\/[^?#]*)?/i.exec(server);
    base = m?.[1] ?? '';
  }
  base = base.replace(/\/+$/, '');
  const routes: Route[] = [];
  const used = new Set<string>();
  for (const [template, item] of Object.entries(paths as Record<string, unknown>)) {
    if (!template.startsWith('/') || !item || typeof item !== 'object') continue;
    for (const method of METHODS) {
      const op = (item as Record<string, unknown>)[method] as { operationId?: unknown } | undefined;
      if (!op || typeof op !== 'object') continue;
      const full = base + template;
      let name = typeof op.operationId === 'string' && kebab(op.operationId) ? kebab(op.operationId) : nameFor(method.toUpperCase(), full);
      if (!/^[a-z0-9]/.test(name)) name = `op-${name}`;
      while (used.has(name)) name = `${name}-2`;
      used.add(name);
      routes.push({ method: method.toUpperCase(), template: full, name });
    }
  }
  if (routes.length === 0) throw inputError(file, 'paths', 'at least one path with an operation (get, post, …)');
  return routes;
}

/**
 * A routes file: one route per line, `METHOD /template/{param} [transaction-name]`, `#` comments, `*` for
 * any method. Example: `GET /persons/{id}/360 read-person-360`.
 */
export function routesFromFile(text: string, file: string): Route[] {
  const routes: Route[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) return;
    const parts = line.split(/\s+/);
    const [method, template, name] = parts;
    if (parts.length > 3 || !method || !template || !/^([A-Za-z]+|\*)$/.test(method) || !template.startsWith('/')) {
      throw inputError(file, `line ${i + 1}`, `"METHOD /path/{param} [transaction-name]", got "${raw.trim()}"`);
    }
    if (name !== undefined && !/^[a-z0-9][a-z0-9-]*$/.test(name)) throw inputError(file, `line ${i + 1}`, `a transaction name of lower-case letters, digits and "-", got "${name}"`);
    const m = method.toUpperCase();
    routes.push({ method: m, template, name: name ?? nameFor(m, template) });
  });
  if (routes.length === 0) throw inputError(file, '', 'at least one route line "METHOD /path [name]"');
  return routes;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NUMBER = /^-?\d+([.,]\d+)?$/;
/** Hex ids (Mongo ObjectIds, hashes): at least 8 hex digits with at least one digit (so `deadbeef`-like words stay). */
const HEX = /^(?=.*\d)[0-9a-f]{8,}$/i;
/** Opaque tokens (base64/base62 ids): 16+ characters mixing letters and digits. */
const TOKEN = /^(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9_~=-]{16,}$/;

/** A path segment that is an identifier rather than a resource name. */
export function isIdSegment(seg: string): boolean {
  return NUMBER.test(seg) || UUID.test(seg) || HEX.test(seg) || TOKEN.test(seg);
}

/**
 * `/persons/0b6e…/360` → `/persons/{id}/360`. REST paths alternate resources and ids, so a number right
 * after an id is a resource name (`/persons/{id}/360`) and stays; UUIDs, hex ids and tokens never do.
 */
export function learnTemplate(path: string): string {
  let out = '';
  let start = 1;
  if (path === '/' || path === '') return '/';
  let afterId = false;
  for (;;) {
    const slash = path.indexOf('/', start);
    const seg = slash < 0 ? path.slice(start) : path.slice(start, slash);
    const id: boolean = afterId ? UUID.test(seg) || HEX.test(seg) || TOKEN.test(seg) : isIdSegment(seg);
    out += '/' + (id ? '{id}' : seg);
    afterId = id;
    if (slash < 0) break;
    start = slash + 1;
  }
  return out;
}

const HEALTH = /^\/(health[a-z]*|healthz|readyz?|livez?|liveness|readiness|ping|status|metrics|actuator(\/.*)?|_health|server-status|nginx_status|favicon\.ico|robots\.txt)(\/.*)?$/i;
const STATIC = /\.(js|mjs|css|map|png|jpe?g|gif|svg|ico|webp|avif|woff2?|ttf|eot|otf|html?|txt|xml|json\.gz|pdf|mp4|webm|mp3|wasm)$/i;
const BOT = /bot\b|bot\/|crawler|spider|slurp|crawling|facebookexternalhit|headlesschrome|python-requests|curl\/|wget\/|go-http-client|apache-httpclient|uptime|pingdom|monitor|kube-probe|elb-healthchecker|prometheus/i;

export const isHealthCheck = (path: string): boolean => HEALTH.test(path);
/** Only a path whose last segment has an extension can be a static asset: the regex runs on those alone. */
export const isStatic = (path: string): boolean => {
  for (let i = path.length - 1; i >= 0; i--) {
    const c = path.charCodeAt(i);
    if (c === 46 /* . */) return STATIC.test(path);
    if (c === 47 /* / */) return false;
  }
  return false;
};
export const isBot = (userAgent: string): boolean => BOT.test(userAgent);
