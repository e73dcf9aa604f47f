/**
 * A recorded session (har.ts) → what a maintainable scenario replays (pure): the requests the
 * application served, grouped per page, with the user's think times, hosts as target names, and the
 * dynamic values a response returns and a later request sends (ids, tokens) turned into variables
 * extracted from that response. What is dropped — static assets, third-party hosts, CORS preflights,
 * requests without an answer — is listed. har-code.ts writes the plan as TypeScript.
 */
import { headerOf, responseText, type Har, type HarEntry } from './har.js';

/**
 * Idle time between requests (from the end of every earlier request to the next start) that counts as the
 * user's think time. A browser chains its own requests (document → script → fetch, a click's handler →
 * fetch) within a few tens of ms; a person reading a page and acting takes longer than a reaction to a
 * signal, ~250 ms at the fastest. Gaps below this are the browser's own and are not replayed as sleeps.
 */
export const THINK_TIME_MIN_MS = 250;

/**
 * Integers under this stay constants even when a response returned them: counts, limits and page sizes
 * (20, 100) would otherwise be "correlated" with a query's `limit=20`. Numeric ids are larger in any
 * application with data.
 */
export const MIN_NUMERIC_ID = 1000;

/** Leaves of one JSON answer looked at for correlation: a page of search results, not a data export. */
const MAX_LEAVES_PER_RESPONSE = 20_000;

/** Resource types (Chromium's `_resourceType`) of what a page loads for itself: not the application's work. */
const STATIC_RESOURCE_TYPES = new Set(['stylesheet', 'script', 'image', 'font', 'media', 'manifest', 'texttrack', 'imageset', 'object', 'ping', 'csp_violation_report', 'prefetch', 'signed-exchange']);
const STATIC_EXTENSIONS = /\.(m?js|css|map|png|jpe?g|gif|svg|ico|webp|avif|bmp|woff2?|ttf|otf|eot|mp4|webm|mp3|ogg|wav|wasm|webmanifest)$/i;
const STATIC_MIME = /^(text\/css|(text|application)\/(x-)?javascript|image\/|font\/|audio\/|video\/|application\/(font|x-font|vnd\.ms-fontobject|wasm|manifest))/i;

/** Request headers the browser adds by itself, or that k6 sets (cookies from its jar, length, host). */
const DROPPED_HEADERS = /^(:.*|host|connection|content-length|accept-encoding|accept-language|user-agent|cookie|referer|origin|sec-.*|upgrade-insecure-requests|cache-control|pragma|if-none-match|if-modified-since|priority|dnt|te|keep-alive|purpose|x-client-data)$/i;
/** Response headers that are never a value a later request sends back. */
const PLAIN_RESPONSE_HEADERS = /^(date|content-.*|connection|keep-alive|server|vary|cache-control|set-cookie|access-control-.*|expires|last-modified|transfer-encoding|location|age|via|strict-transport-security|x-content-type-options|x-frame-options|referrer-policy|keep-alive)$/i;

export type DropReason = 'static asset' | 'third-party host' | 'CORS preflight' | 'no answer' | 'not HTTP';

export interface Dropped {
  reason: DropReason;
  method: string;
  url: string;
}

/** Where a correlated value is read from, right after its request. */
export interface Extraction {
  variable: string;
  from: 'json' | 'header';
  /** k6's `res.json()` selector (gjson: "items.3.id") or the header's canonical name ("X-Csrf-Token"). */
  selector: string;
  type: 'string' | 'number';
  value: string;
}

/** A recorded value, or a variable (with what surrounds it in a header: "Bearer "). */
export interface Slot {
  raw: string;
  variable?: string;
  prefix?: string;
}

export type PlannedBody =
  | { kind: 'json'; value: unknown; contentType: string; variables: Map<string, string> }
  | { kind: 'form'; params: [string, Slot][] }
  | { kind: 'text'; text: string; contentType: string };

export interface PlannedRequest {
  method: string;
  target: string;
  /** Path segments after the target's base path (raw, as recorded), each possibly a variable. */
  segments: Slot[];
  /** Query pairs: raw key, value (decoded) as a slot. */
  query: [string, Slot][];
  headers: [string, Slot][];
  body?: PlannedBody;
  /** "GET /persons/{personId}/360": the request's name (what `scenarios check` reads as a claim). */
  name: string;
  /** The status the replay checks (a recorded 304 is a 200 without the browser's cache headers). */
  status: number;
  /** A recorded redirect is replayed as such (k6 would otherwise follow it). */
  noRedirects: boolean;
  /** Seconds of think time before this request. */
  thinkBefore: number;
  extractions: Extraction[];
}

export interface PlannedPage {
  title: string;
  url: string;
  requests: PlannedRequest[];
}

export interface ImportPlan {
  pages: PlannedPage[];
  dropped: Dropped[];
  /** Target name → base URL, for every target the scenario uses. */
  targets: Map<string, string>;
  /** Targets named here that the model's environments lack (they need adding before a run). */
  newTargets: string[];
  correlations: { variable: string; source: string; selector: string; uses: number }[];
  recordedAt?: string;
  creator?: string;
}

export interface PlanOptions {
  /** The model's targets (every environment): name and base URL. */
  knownTargets: { name: string; url: string }[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a value looks generated by the server (an id, a token) rather than typed or constant. */
export function looksDynamic(v: string | number): boolean {
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) >= MIN_NUMERIC_ID;
  if (UUID.test(v)) return true;
  if (/^\d{4}-\d{2}-\d{2}/.test(v)) return false; // dates
  if (v.length >= 20 && /\d/.test(v) && /^[A-Za-z0-9._~+/=-]+$/.test(v)) return true; // tokens: JWT, opaque (not a long-hyphenated-word)
  // Ids mixing letters and digits (ord_8f3a2c91); three digits at least, so that a typed constant such as
  // "operateur-1" or "v2" stays one.
  return v.length >= 6 && (v.match(/\d/g)?.length ?? 0) >= 3 && /^[A-Za-z0-9._~:-]+$/.test(v);
}

/** "the site" of a host: its last two labels (shop.example for api.shop.example), or the host itself for an IP or a single label. */
export function siteOf(hostname: string): string {
  if (/^[\d.]+$/.test(hostname) || hostname.includes(':') || !hostname.includes('.')) return hostname;
  return hostname.split('.').slice(-2).join('.');
}

function isStatic(e: HarEntry, path: string): boolean {
  const type = e._resourceType?.toLowerCase();
  if (type && STATIC_RESOURCE_TYPES.has(type)) return true;
  if (type && type !== 'other') return false; // document, xhr, fetch…: the application's
  return STATIC_EXTENSIONS.test(path) || STATIC_MIME.test(e.response.content.mimeType ?? '');
}

const isDocument = (e: HarEntry): boolean => e._resourceType === 'document' || (e.request.method === 'GET' && /^text\/html/i.test(e.response.content.mimeType ?? ''));

/** Go's canonical header name, as k6 gives response headers: "x-csrf-token" → "X-Csrf-Token". */
export function canonicalHeader(name: string): string {
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_, d: string, c: string) => `${d}${c.toUpperCase()}`);
}

/** A gjson path segment (k6's `res.json()` selector): special characters escaped. */
const gjsonSegment = (s: string): string => s.replace(/[.*?|#@\\]/g, (c) => `\\${c}`);

const singular = (s: string): string => s.replace(/ies$/, 'y').replace(/(ss|x|ch|sh)es$/, '$1').replace(/([^s])s$/, '$1');
const camelOf = (s: string): string => s.replace(/[^A-Za-z0-9]+([A-Za-z0-9])/g, (_, c: string) => c.toUpperCase()).replace(/^[A-Z]/, (c) => c.toLowerCase()).replace(/[^A-Za-z0-9]/g, '');
const GENERIC_KEYS = /^(id|uuid|key|value|items|data|results|content|records|list|rows|hits|entries)$/i;
const RESERVED = new Set(['res', 'http', 'check', 'sleep', 'named', 'target', 'row', 'body', 'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'enum', 'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'new', 'null', 'return', 'super', 'switch', 'this', 'throw', 'true', 'try', 'typeof', 'var', 'void', 'while', 'with', 'let', 'static', 'yield', 'await', 'implements', 'interface', 'package', 'private', 'protected', 'public']);

interface Candidate {
  request: number;
  from: 'json' | 'header';
  selector: string;
  type: 'string' | 'number';
  /** Keys from the root to the leaf (numbers for array indexes). */
  keys: (string | number)[];
  /** The last literal segment of the source request's path ("persons"). */
  sourceResource: string;
}

/** A variable name for a correlated value: its key ("token", "ticketId"), or "<resource>Id" for a bare "id". */
export function variableName(c: Pick<Candidate, 'keys' | 'sourceResource'>, useResource: string | undefined): string {
  const names = c.keys.filter((k): k is string => typeof k === 'string');
  const key = names[names.length - 1] ?? '';
  if (key && !GENERIC_KEYS.test(key)) return camelOf(key) || 'value';
  if (useResource && /[a-z]_?id$/i.test(useResource)) return camelOf(useResource); // ?personId=…, person_id=…
  const parent = [...names.slice(0, -1)].reverse().find((k) => !GENERIC_KEYS.test(k));
  const resource = useResource ?? parent ?? c.sourceResource;
  const base = resource ? camelOf(singular(resource)) : '';
  const suffix = /^uuid$/i.test(key) ? 'Uuid' : 'Id';
  return base ? `${base}${suffix}` : 'id';
}

function leaves(v: unknown, keys: (string | number)[], out: { keys: (string | number)[]; value: string | number }[]): void {
  if (out.length >= MAX_LEAVES_PER_RESPONSE) return;
  if (typeof v === 'string' || typeof v === 'number') out.push({ keys, value: v });
  else if (Array.isArray(v)) v.forEach((x, i) => leaves(x, [...keys, i], out));
  else if (isObj(v)) for (const [k, x] of Object.entries(v)) leaves(x, [...keys, k], out);
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined || !/^\s*[[{]/.test(text)) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function targetFor(url: URL, known: { name: string; url: string }[]): { name: string; base: string } | undefined {
  let best: { name: string; base: string } | undefined;
  for (const t of known) {
    let u: URL;
    try {
      u = new URL(t.url);
    } catch {
      continue;
    }
    const basePath = u.pathname.replace(/\/+$/, '');
    if (u.origin !== url.origin || !(url.pathname === basePath || url.pathname.startsWith(`${basePath}/`) || basePath === '')) continue;
    if (!best || basePath.length > best.base.length - u.origin.length) best = { name: t.name, base: `${u.origin}${basePath}` };
  }
  return best;
}

/** A target name for a host the model does not know: its first label ("api" for api.shop.example), else host-port. */
function derivedTargetName(url: URL, taken: Set<string>): string {
  const label = url.hostname.split('.').find((l) => l !== 'www' && !/^\d+$/.test(l));
  let name = (label && !/^[\d.:[\]]+$/.test(url.hostname) && url.hostname !== 'localhost' ? label : `host-${url.port || (url.protocol === 'https:' ? '443' : '80')}`).toLowerCase().replace(/[^a-z0-9-]/g, '-');
  if (!/^[a-z][a-z0-9-]*$/.test(name)) name = `host-${name}`.replace(/-+/g, '-');
  if (taken.has(name)) name = `${name}-${url.port || url.protocol.replace(':', '')}`;
  return name;
}

/** The percent-decoded text, or `fallback` when it is not valid percent-encoding. */
function decodedOr(text: string, fallback: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return fallback;
  }
}

/** Whether a path segment is an identifier (named {id} in request names when no variable holds it). */
const idLike = (s: string): boolean => UUID.test(s) || /^\d+$/.test(s) || (s.length >= 12 && /\d/.test(s) && /^[A-Za-z0-9_-]+$/.test(s));

interface Working {
  entry: HarEntry;
  index: number;
  url: URL;
  target: string;
  request: PlannedRequest;
}

function requestSlots(w: Working): Slot[] {
  const r = w.request;
  const slots = [...r.segments, ...r.query.map(([, s]) => s), ...r.headers.map(([, s]) => s)];
  if (r.body?.kind === 'form') slots.push(...r.body.params.map(([, s]) => s));
  return slots;
}

function bearerSplit(value: string): Slot {
  const m = /^(Bearer|Token|Basic)\s+(.+)$/i.exec(value);
  return m ? { raw: m[2] as string, prefix: `${m[1] as string} ` } : { raw: value };
}

function planRequest(e: HarEntry, url: URL, target: string, base: string): PlannedRequest {
  const rel = `${url.origin}${url.pathname}`.slice(base.length) || '';
  const segments = rel.split('/').slice(1).map((raw) => ({ raw }));
  const query: [string, Slot][] = url.search
    ? url.search
        .slice(1)
        .split('&')
        .filter(Boolean)
        .map((pair): [string, Slot] => {
          const eq = pair.indexOf('=');
          const key = eq < 0 ? pair : pair.slice(0, eq);
          const value = eq < 0 ? '' : pair.slice(eq + 1);
          return [key, { raw: decodedOr(value.replace(/\+/g, ' '), value) }];
        })
    : [];
  const headers: [string, Slot][] = e.request.headers.filter((h) => !DROPPED_HEADERS.test(h.name) && !(h.name.toLowerCase() === 'accept' && !/json/i.test(h.value))).map((h): [string, Slot] => [h.name.toLowerCase(), h.name.toLowerCase() === 'authorization' ? bearerSplit(h.value) : { raw: h.value }]);
  let body: PlannedBody | undefined;
  const post = e.request.postData;
  if (post && (post.text || post.params?.length)) {
    const contentType = post.mimeType ?? headerOf(e.request.headers, 'content-type') ?? 'application/octet-stream';
    const json = /json/i.test(contentType) ? parseJson(post.text) : undefined;
    if (json !== undefined) body = { kind: 'json', value: json, contentType, variables: new Map() };
    else if (/x-www-form-urlencoded/i.test(contentType)) {
      const params = post.params?.length ? post.params.map((p): [string, Slot] => [p.name, { raw: p.value }]) : [...new URLSearchParams(post.text ?? '')].map(([k, v]): [string, Slot] => [k, { raw: v }]);
      body = { kind: 'form', params };
    } else body = { kind: 'text', text: post.text ?? '', contentType };
  }
  const status = e.response.status === 304 ? 200 : e.response.status;
  return { method: e.request.method, target, segments, query, headers, body, name: '', status, noRedirects: status >= 300 && status < 400, thinkBefore: 0, extractions: [] };
}

function requestName(r: PlannedRequest, base: string): string {
  const basePath = new URL(base).pathname.replace(/\/+$/, '');
  // Paths alternate resource and id: a segment after an id is a resource or an action (/persons/{id}/360).
  const path = r.segments.map((s, i) => (s.variable ? `{${s.variable}}` : idLike(s.raw) && !(i > 0 && (r.segments[i - 1]?.variable || idLike(r.segments[i - 1]?.raw ?? ''))) ? '{id}' : s.raw)).join('/');
  return `${r.method} ${basePath}/${path}`;
}

/** Splits what was recorded into what the scenario replays and what it drops (with the reason). */
function triage(har: Har, opts: PlanOptions): { kept: Working[]; dropped: Dropped[]; targets: Map<string, string>; newTargets: string[] } {
  const dropped: Dropped[] = [];
  const urls = har.entries.map((e) => {
    try {
      return new URL(e.request.url);
    } catch {
      return undefined;
    }
  });
  // First-party: hosts the model names, and hosts of the same site as those or as the first page.
  const sites = new Set<string>();
  har.entries.forEach((e, i) => {
    const u = urls[i];
    if (u && /^https?:$/.test(u.protocol) && targetFor(u, opts.knownTargets)) sites.add(siteOf(u.hostname));
  });
  const first = har.entries.findIndex((e, i) => isDocument(e) && /^https?:$/.test(urls[i]?.protocol ?? ''));
  const firstUrl = urls[first >= 0 ? first : har.entries.findIndex((_, i) => /^https?:$/.test(urls[i]?.protocol ?? ''))];
  if (firstUrl) sites.add(siteOf(firstUrl.hostname));
  const targets = new Map<string, string>();
  const derived = new Map<string, string>(); // origin → derived name
  const newTargets: string[] = [];
  const kept: Working[] = [];
  har.entries.forEach((e, index) => {
    const url = urls[index];
    const drop = (reason: DropReason) => dropped.push({ reason, method: e.request.method, url: e.request.url });
    if (!url || !/^https?:$/.test(url.protocol)) return drop('not HTTP');
    if (!sites.has(siteOf(url.hostname))) return drop('third-party host');
    if (e.request.method === 'OPTIONS' && headerOf(e.request.headers, 'access-control-request-method') !== undefined) return drop('CORS preflight');
    if (e._resourceType === 'preflight') return drop('CORS preflight');
    if (isStatic(e, url.pathname)) return drop('static asset');
    if (e.response.status <= 0) return drop('no answer'); // 0 or -1: aborted, blocked, no answer
    let t = targetFor(url, opts.knownTargets);
    if (!t) {
      let name = derived.get(url.origin);
      if (!name) {
        name = derivedTargetName(url, new Set([...opts.knownTargets.map((k) => k.name), ...derived.values()]));
        derived.set(url.origin, name);
        newTargets.push(name);
      }
      t = { name, base: url.origin };
    }
    targets.set(t.name, t.base);
    kept.push({ entry: e, index, url, target: t.name, request: planRequest(e, url, t.name, t.base) });
  });
  return { kept, dropped, targets, newTargets };
}

/** Values a response returns that look generated, keyed by their text, first response first. */
function registerCandidates(w: Working, position: number, sent: Set<string>, candidates: Map<string, Candidate>): void {
  const resource = [...w.request.segments].reverse().find((s) => !idLike(s.raw) && s.raw !== '')?.raw ?? '';
  const add = (value: string | number, c: Omit<Candidate, 'type'>) => {
    const key = String(value);
    if (!looksDynamic(value) || sent.has(key) || candidates.has(key)) return;
    candidates.set(key, { ...c, type: typeof value === 'number' ? 'number' : 'string' });
  };
  const json = /json/i.test(w.entry.response.content.mimeType ?? '') || w.entry.response.content.mimeType === undefined ? parseJson(responseText(w.entry)) : undefined;
  if (json !== undefined) {
    const out: { keys: (string | number)[]; value: string | number }[] = [];
    leaves(json, [], out);
    for (const l of out) add(l.value, { request: position, from: 'json', selector: l.keys.map((k) => (typeof k === 'number' ? String(k) : gjsonSegment(k))).join('.'), keys: l.keys, sourceResource: resource });
  }
  for (const h of w.entry.response.headers) {
    if (PLAIN_RESPONSE_HEADERS.test(h.name)) continue;
    add(h.value, { request: position, from: 'header', selector: canonicalHeader(h.name), keys: [h.name.toLowerCase()], sourceResource: resource });
  }
}

function jsonSlots(v: unknown, keys: string, out: { path: string; value: string | number }[]): void {
  if (typeof v === 'string' || typeof v === 'number') out.push({ path: keys, value: v });
  else if (Array.isArray(v)) v.forEach((x, i) => jsonSlots(x, `${keys}/${i}`, out));
  else if (isObj(v)) for (const [k, x] of Object.entries(v)) jsonSlots(x, `${keys}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, out);
}

type Bind = (value: string, useResource: string | undefined) => string | undefined;

/** Each value a request sends (path segment, query value, header, form or JSON field) given to `bind`. */
function bindSlots(r: PlannedRequest, bind: Bind, sent: Set<string>): void {
  r.segments.forEach((s, i) => {
    const before = i > 0 ? r.segments[i - 1]?.raw : undefined;
    s.variable = bind(decodedOr(s.raw, s.raw), before && !idLike(before) ? before : undefined);
  });
  for (const [key, s] of r.query) s.variable = bind(s.raw, key);
  for (const [, s] of r.headers) s.variable = bind(s.raw, undefined);
  if (r.body?.kind === 'form') for (const [key, s] of r.body.params) s.variable = bind(s.raw, key);
  if (r.body?.kind === 'json') {
    const out: { path: string; value: string | number }[] = [];
    jsonSlots(r.body.value, '', out);
    for (const o of out) {
      const v = bind(String(o.value), undefined);
      if (v) r.body.variables.set(o.path, v);
      sent.add(String(o.value));
    }
  }
}

/** Replaces, in each request, the values an earlier response returned by variables extracted there. */
function correlate(kept: Working[]): ImportPlan['correlations'] {
  const candidates = new Map<string, Candidate>();
  const bound = new Map<string, string>(); // value → variable
  const uses = new Map<string, number>();
  const taken = new Set<string>();
  const sent = new Set<string>();
  const bind: Bind = (value, useResource) => {
    const known = bound.get(value);
    if (known) {
      uses.set(known, (uses.get(known) ?? 0) + 1);
      return known;
    }
    const c = candidates.get(value);
    if (!c) return undefined;
    const base = RESERVED.has(variableName(c, useResource)) ? `${variableName(c, useResource)}Value` : variableName(c, useResource);
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base}${n}`;
    taken.add(name);
    bound.set(value, name);
    uses.set(name, 1);
    (kept[c.request] as Working).request.extractions.push({ variable: name, from: c.from, selector: c.selector, type: c.type, value });
    return name;
  };
  kept.forEach((w, position) => {
    bindSlots(w.request, bind, sent);
    for (const s of requestSlots(w)) sent.add(s.raw);
    registerCandidates(w, position, sent, candidates);
  });
  const correlations: ImportPlan['correlations'] = [];
  kept.forEach((w) => {
    for (const x of w.request.extractions) correlations.push({ variable: x.variable, source: '', selector: x.from === 'json' ? x.selector : `header ${x.selector}`, uses: uses.get(x.variable) ?? 0 });
  });
  return correlations;
}

const endOf = (e: HarEntry): number => Date.parse(e.startedDateTime) + e.time;

/**
 * Think time: the idle time before a request, after every earlier request (kept or not) has ended. The
 * idle time before a dropped request (a CORS preflight the action started with) goes to the next kept one.
 */
function setThinkTimes(sorted: readonly HarEntry[], keptAt: ReadonlyMap<number, Working>): void {
  let busyUntil = -Infinity;
  let pending = 0;
  sorted.forEach((e, i) => {
    const idle = Number.isFinite(busyUntil) ? Date.parse(e.startedDateTime) - busyUntil : 0;
    if (idle >= THINK_TIME_MIN_MS) pending += idle;
    const w = keptAt.get(i);
    if (w) {
      w.request.thinkBefore = Math.round(pending / 100) / 10;
      pending = 0;
    }
    busyUntil = Math.max(busyUntil, endOf(e));
  });
}

/** Pages: the recording's own (pageref), else a new page at each document the browser navigated to. */
function groupPages(pagesOfHar: Har['pages'], sorted: readonly HarEntry[], keptAt: ReadonlyMap<number, Working>): PlannedPage[] {
  const pages: PlannedPage[] = [];
  const byRef = new Map<string, PlannedPage>();
  let current: PlannedPage | undefined;
  sorted.forEach((e, i) => {
    let page: PlannedPage | undefined;
    if (e.pageref !== undefined) {
      page = byRef.get(e.pageref);
      if (!page) {
        page = { title: pagesOfHar.find((x) => x.id === e.pageref)?.title ?? e.pageref, url: '', requests: [] };
        byRef.set(e.pageref, page);
        pages.push(page);
      }
    } else {
      if (!current || (isDocument(e) && current.requests.length > 0)) {
        current = { title: '', url: '', requests: [] };
        pages.push(current);
      }
      page = current;
    }
    if (!page.url && isDocument(e)) page.url = e.request.url;
    const w = keptAt.get(i);
    if (w) page.requests.push(w.request);
  });
  return pages.filter((p) => p.requests.length > 0);
}

export function planImport(har: Har, opts: PlanOptions): ImportPlan {
  const order = har.entries.map((_, i) => i).sort((a, b) => Date.parse((har.entries[a] as HarEntry).startedDateTime) - Date.parse((har.entries[b] as HarEntry).startedDateTime) || a - b);
  const sorted: Har = { ...har, entries: order.map((i) => har.entries[i] as HarEntry) };
  const { kept, dropped, targets, newTargets } = triage(sorted, opts);
  const correlations = correlate(kept);
  const keptAt = new Map(kept.map((w) => [w.index, w]));
  setThinkTimes(sorted.entries, keptAt);
  for (const w of kept) w.request.name = requestName(w.request, targets.get(w.target) as string);
  for (const w of kept) {
    for (const x of w.request.extractions) {
      const c = correlations.find((k) => k.variable === x.variable);
      if (c) c.source = w.request.name;
    }
  }
  return { pages: groupPages(har.pages, sorted.entries, keptAt), dropped, targets, newTargets, correlations, recordedAt: sorted.entries[0]?.startedDateTime, creator: har.creator };
}
