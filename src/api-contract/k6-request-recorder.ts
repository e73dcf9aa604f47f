/**
 * Stands in for `k6/http` in scenario code when a run records its requests (`--record-bodies`,
 * record-requests.ts): the first requests of each name, per VU, are written to k6's log (method, URL,
 * name, content type, body), then sent unchanged. Runs inside k6: imports only k6 modules and pure
 * perfcell code. Its own `k6/http` is the real one, or the APM shim when an APM is configured too.
 */
import http from 'k6/http';
import { b64encode } from 'k6/encoding';
import exec from 'k6/execution';
import type { BatchRequest, BatchRequests, Params, RequestBody } from 'k6/http';
import { MAX_RECORDED_BODY_CHARS, RECORD_MARKER, RECORDED_PER_NAME, type RecordedRequest } from './recorded-request.js';

export * from 'k6/http';

type Url = Parameters<typeof http.get>[0];

const seen: Record<string, number> = {};

function urlText(url: Url): string {
  return typeof url === 'string' ? url : String((url as { url?: unknown }).url ?? url);
}

function record(method: string, url: Url, body: RequestBody | null | undefined, params: Params | null | undefined): void {
  const u = urlText(url);
  const name = params?.tags?.name ?? u;
  const key = `${method} ${name}`;
  const n = seen[key] ?? 0;
  if (n >= RECORDED_PER_NAME) return;
  seen[key] = n + 1;
  const headers = (params?.headers ?? {}) as Record<string, string>;
  const contentType = Object.keys(headers).find((h) => h.toLowerCase() === 'content-type');
  const r: RecordedRequest = { method: method.toUpperCase(), url: u, name, transaction: exec.scenario.name, contentType: contentType ? headers[contentType] : undefined };
  if (typeof body === 'string') {
    r.body = body.length > MAX_RECORDED_BODY_CHARS ? body.slice(0, MAX_RECORDED_BODY_CHARS) : body;
    if (body.length > MAX_RECORDED_BODY_CHARS) r.truncated = true;
  } else if (body && typeof body === 'object' && !(body instanceof ArrayBuffer)) {
    r.form = Object.fromEntries(Object.entries(body as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
    r.contentType ??= 'application/x-www-form-urlencoded';
  }
  // base64: the log line then needs no escaping, whatever the body holds.
  console.log(`${RECORD_MARKER} ${b64encode(JSON.stringify(r))}`);
}

export function get(url: Url, params?: Params | null) {
  record('GET', url, null, params);
  return http.get(url, params);
}
export function head(url: Url, params?: Params | null) {
  record('HEAD', url, null, params);
  return http.head(url, params);
}
export function post(url: Url, body?: RequestBody | null, params?: Params | null) {
  record('POST', url, body, params);
  return http.post(url, body, params);
}
export function put(url: Url, body?: RequestBody | null, params?: Params | null) {
  record('PUT', url, body, params);
  return http.put(url, body, params);
}
export function patch(url: Url, body?: RequestBody | null, params?: Params | null) {
  record('PATCH', url, body, params);
  return http.patch(url, body, params);
}
export function del(url: Url, body?: RequestBody | null, params?: Params | null) {
  record('DELETE', url, body, params);
  return http.del(url, body, params);
}
export function options(url: Url, body?: RequestBody | null, params?: Params | null) {
  record('OPTIONS', url, body, params);
  return http.options(url, body, params);
}
export function request(method: string, url: Url, body?: RequestBody | null, params?: Params | null) {
  record(method, url, body, params);
  return http.request(method, url, body, params);
}
export function asyncRequest(method: string, url: Url, body?: RequestBody | null, params?: Params | null) {
  record(method, url, body, params);
  return http.asyncRequest(method, url, body, params);
}

function recordOne(r: BatchRequest): void {
  if (Array.isArray(r)) record(r[0], r[1], r[2], r[3]);
  else if (typeof r === 'object' && 'method' in r) record(r.method, r.url, r.body, r.params);
  else record('GET', r, null, null);
}

export function batch(requests: BatchRequests) {
  for (const r of Array.isArray(requests) ? requests : Object.values(requests)) recordOne(r);
  return http.batch(requests);
}

export default { ...http, get, head, post, put, patch, del, options, request, asyncRequest, batch };
