/**
 * The request headers an APM joins its traces on. Pure and free of Node and k6 imports: the k6 shim
 * (bundled into the test) and perfcell's own tests use the same functions.
 */

/** The x-dynatrace-test keys (Dynatrace's load-testing integration). */
export interface DynatraceTestFields {
  /** Virtual user id. */
  VU: string | number;
  /** Source id: the tool that sent the request. */
  SI: string;
  /** Test step name: the request (its k6 name tag). */
  TSN: string;
  /** Load script name: the perfcell transaction. */
  LSN: string;
  /** Load test name: the run. */
  LTN: string;
  /** Page context: the k6 group the request was sent from (else the step name). */
  PC: string;
}

export const DYNATRACE_TEST_HEADER = 'x-dynatrace-test';
export const TRACEPARENT_HEADER = 'traceparent';
export const SOURCE_ID = 'perfcell-k6';

/** ";" and "=" separate the pairs: they may not appear inside a value. */
function clean(value: string | number): string {
  return String(value).replace(/[;=\r\n]/g, '_');
}

/** "VU=3;SI=perfcell-k6;TSN=get-person;LSN=read-person;LTN=20260101T…;PC=get-person". */
export function dynatraceTestHeader(f: DynatraceTestFields): string {
  return (['VU', 'SI', 'TSN', 'LSN', 'LTN', 'PC'] as const).map((k) => `${k}=${clean(f[k])}`).join(';');
}

export function parseDynatraceTestHeader(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of value.split(';')) {
    const eq = pair.indexOf('=');
    if (eq > 0) out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

function hex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += (b < 16 ? '0' : '') + b.toString(16);
  return s;
}

/**
 * A W3C trace context `traceparent` (version 00, sampled) with fresh trace and parent ids from
 * `randomBytes`; an all-zero id is invalid in the spec, so it is redrawn.
 */
export function newTraceparent(randomBytes: (n: number) => Uint8Array): string {
  let trace = hex(randomBytes(16));
  while (/^0+$/.test(trace)) trace = hex(randomBytes(16));
  let parent = hex(randomBytes(8));
  while (/^0+$/.test(parent)) parent = hex(randomBytes(8));
  return `00-${trace}-${parent}-01`;
}

export const TRACEPARENT_RE = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;

/** The step name of a request without a name tag: its path, without query string and ids in it. */
export function stepNameFromUrl(url: string): string {
  const path = url.replace(/^[a-z]+:\/\/[^/]+/i, '').replace(/[?#].*$/, '') || '/';
  return path.replace(/\/\d+(?=\/|$)/g, '/{id}');
}

/** Which headers the k6 shim adds; passed to k6 as PERFCELL_APM_HEADERS. */
export type HeaderKind = 'dynatrace' | 'traceparent';
