/**
 * Stands in for `k6/http` in scenario code when an APM is configured (bundle plugin, bundle-plugin.ts):
 * every request gets the headers the APM joins on (x-dynatrace-test, traceparent), then goes to the real
 * k6/http. Runs inside k6: imports only k6 modules and pure perfcell code.
 */
import http from 'k6/http';
import exec from 'k6/execution';
import type { BatchRequest, BatchRequests, Params, RequestBody } from 'k6/http';
import { dynatraceTestHeader, DYNATRACE_TEST_HEADER, newTraceparent, SOURCE_ID, stepNameFromUrl, TRACEPARENT_HEADER } from './headers.js';

export * from 'k6/http';

const kinds = (__ENV.PERFCELL_APM_HEADERS ?? '').split(',');
const dynatrace = kinds.includes('dynatrace');
const traceContext = kinds.includes('traceparent');
const loadTestName = __ENV.PERFCELL_LTN ?? '';

function randomBytes(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(Math.random() * 256);
  return b;
}

type Url = Parameters<typeof http.get>[0];

function withHeaders(url: Url, params: Params | null | undefined): Params {
  const headers: Record<string, string> = { ...(params?.headers ?? {}) };
  const name = params?.tags?.name ?? stepNameFromUrl(String(url));
  if (dynatrace) {
    const group = exec.vu.metrics.tags.group;
    headers[DYNATRACE_TEST_HEADER] = dynatraceTestHeader({
      VU: exec.vu.idInTest,
      SI: SOURCE_ID,
      TSN: name,
      LSN: exec.scenario.name,
      LTN: loadTestName,
      PC: typeof group === 'string' && group !== '' ? group : name,
    });
  }
  if (traceContext) headers[TRACEPARENT_HEADER] = newTraceparent(randomBytes);
  return { ...(params ?? {}), headers };
}

export function get(url: Url, params?: Params | null) {
  return http.get(url, withHeaders(url, params));
}
export function head(url: Url, params?: Params | null) {
  return http.head(url, withHeaders(url, params));
}
export function post(url: Url, body?: RequestBody | null, params?: Params | null) {
  return http.post(url, body, withHeaders(url, params));
}
export function put(url: Url, body?: RequestBody | null, params?: Params | null) {
  return http.put(url, body, withHeaders(url, params));
}
export function patch(url: Url, body?: RequestBody | null, params?: Params | null) {
  return http.patch(url, body, withHeaders(url, params));
}
export function del(url: Url, body?: RequestBody | null, params?: Params | null) {
  return http.del(url, body, withHeaders(url, params));
}
export function options(url: Url, body?: RequestBody | null, params?: Params | null) {
  return http.options(url, body, withHeaders(url, params));
}
export function request(method: string, url: Url, body?: RequestBody | null, params?: Params | null) {
  return http.request(method, url, body, withHeaders(url, params));
}
export function asyncRequest(method: string, url: Url, body?: RequestBody | null, params?: Params | null) {
  return http.asyncRequest(method, url, body, withHeaders(url, params));
}

function batchOne(r: BatchRequest): BatchRequest {
  if (Array.isArray(r)) return [r[0], r[1], r[2] ?? null, withHeaders(r[1], r[3])];
  if (typeof r === 'object' && 'method' in r) return { ...r, params: withHeaders(r.url, r.params) };
  return ['GET', r, null, withHeaders(r, null)];
}

export function batch(requests: BatchRequests) {
  if (Array.isArray(requests)) return http.batch(requests.map(batchOne));
  const out: Record<string, BatchRequest> = {};
  for (const [k, r] of Object.entries(requests)) out[k] = batchOne(r);
  return http.batch(out);
}

export default { ...http, get, head, post, put, patch, del, options, request, asyncRequest, batch };
