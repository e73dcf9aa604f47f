/**
 * Access-log line parsers (pure): nginx/Apache "combined" and "common" formats and JSON lines. Each parser
 * fills one reused `LogRecord` (the hot loop allocates only the strings it keeps) and returns whether the
 * line parsed; the caller counts the lines that did not, with examples.
 */

export interface LogRecord {
  /** Epoch milliseconds. */
  timeMs: number;
  /** The log's own UTC offset in minutes (combined logs carry it; JSON ISO times too), for the daily profile. */
  offsetMin: number;
  method: string;
  /** Path and query as logged (`/persons?q=x`); empty when the request line was not HTTP (then `method` is ''). */
  url: string;
  status: number;
  /** Response body bytes; NaN when absent ("-"). */
  bytes: number;
  /** Request duration in ms; NaN when the log has none. */
  durationMs: number;
  ip: string;
  userAgent: string;
  /** A client/session id when the log has one (JSON mapping), else ''. */
  clientId: string;
}

export function emptyRecord(): LogRecord {
  return { timeMs: 0, offsetMin: 0, method: '', url: '', status: 0, bytes: NaN, durationMs: NaN, ip: '', userAgent: '', clientId: '' };
}

export type LineFormat = 'combined' | 'common' | 'json';
export type DurationUnit = 's' | 'ms' | 'us';

const MONTHS: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };
const UNIT_TO_MS: Record<DurationUnit, number> = { s: 1000, ms: 1, us: 0.001 };

const digit = (c: number) => c >= 48 && c <= 57;

function int(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (!digit(c)) return NaN;
    n = n * 10 + (c - 48);
  }
  return to > from ? n : NaN;
}

/**
 * `0.002`, `12`, `1.5` between `from` and `to` without slicing (nginx `$request_time`, Apache `%D`): the
 * slice and `Number()` of every line's last field cost 4 % of derive's time. Anything else (an exponent, a
 * sign, "-") goes through `Number()`.
 */
function decimal(s: string, from: number, to: number): number {
  let n = 0;
  let scale = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      n = n * 10 + (c - 48);
      if (scale) scale *= 10;
    } else if (c === 46 && scale === 0) scale = 1;
    else return Number(s.slice(from, to));
  }
  if (to === from) return NaN;
  return scale > 1 ? n / scale : n;
}

// Consecutive lines share their date: Date.UTC is called once per day and file, not once per line.
let lastDay = '';
let lastDayMs = 0;
// …and, in a busy log, their second: the whole stamp (offset included) is compared, then reused.
let lastStamp = '';
let lastStampMs = 0;
let lastStampOffset = 0;
/** `dd/Mon/yyyy:hh:mm:ss +hhmm` */
const CLF_TIME_CHARS = 26;

/**
 * `10/Oct/2000:13:55:36 -0700` (nginx $time_local, Apache %t) → epoch ms and offset, or false.
 * Writes into the record.
 */
export function parseClfTime(s: string, from: number, r: LogRecord): boolean {
  // dd/Mon/yyyy:hh:mm:ss +hhmm = 26 characters
  // The seconds' last digit first: a new second is told apart without comparing the whole stamp.
  if (lastStamp !== '' && s.charCodeAt(from + 19) === lastStamp.charCodeAt(19) && s.startsWith(lastStamp, from)) {
    r.offsetMin = lastStampOffset;
    r.timeMs = lastStampMs;
    return true;
  }
  if (s.length - from < CLF_TIME_CHARS || s.charCodeAt(from + 2) !== 47 || s.charCodeAt(from + 6) !== 47 || s.charCodeAt(from + 11) !== 58) return false;
  if (!s.startsWith(lastDay, from) || lastDay === '') {
    const day = s.slice(from, from + 11);
    const month = MONTHS[s.slice(from + 3, from + 6)];
    const d = int(s, from, from + 2);
    const y = int(s, from + 7, from + 11);
    if (month === undefined || Number.isNaN(d) || Number.isNaN(y)) return false;
    lastDayMs = Date.UTC(y, month, d);
    lastDay = Buffer.from(day).toString();
  }
  const h = int(s, from + 12, from + 14);
  const m = int(s, from + 15, from + 17);
  const sec = int(s, from + 18, from + 20);
  const sign = s.charCodeAt(from + 21);
  const oh = int(s, from + 22, from + 24);
  const om = int(s, from + 24, from + 26);
  if (Number.isNaN(h + m + sec + oh + om) || (sign !== 43 && sign !== 45)) return false;
  const offset = (sign === 45 ? -1 : 1) * (oh * 60 + om);
  r.offsetMin = offset;
  r.timeMs = lastDayMs + ((h * 60 + m) * 60 + sec) * 1000 - offset * 60_000;
  lastStamp = Buffer.from(s.slice(from, from + CLF_TIME_CHARS)).toString();
  lastStampMs = r.timeMs;
  lastStampOffset = offset;
  return true;
}

/** Index of the quote closing a quoted field that starts after `from`, skipping `\"` escapes (Apache). */
function closingQuote(s: string, from: number): number {
  let i = s.indexOf('"', from);
  while (i > 0 && s.charCodeAt(i - 1) === 92 /* \ */) {
    // an escaped quote, unless the backslash is itself escaped
    let k = i - 1;
    let n = 0;
    while (k >= from && s.charCodeAt(k) === 92) {
      n++;
      k--;
    }
    if (n % 2 === 0) break;
    i = s.indexOf('"', i + 1);
  }
  return i;
}

const KNOWN_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

/** The method (`from` … `a`) as a constant string when it is a common one (no slice kept per record). */
function methodName(req: string, from: number, a: number): string {
  for (const m of KNOWN_METHODS) if (m.length === a - from && req.startsWith(m, from)) return m;
  return req.slice(from, a);
}

/**
 * The request line `req[from, to)` (`METHOD URL [PROTO]`) into the record; read in place, without a slice
 * of the whole request line per log line.
 */
function setRequest(req: string, r: LogRecord, from = 0, to = req.length): void {
  let a = req.indexOf(' ', from);
  if (a >= to) a = -1;
  let b = a < 0 ? -1 : req.indexOf(' ', a + 1);
  if (b >= to) b = -1;
  // A request line that is not `METHOD URL [PROTO]` (TLS bytes on the HTTP port, "-", a scanner's junk) is a
  // well-formed log line about a malformed request: kept, with an empty method, and excluded later.
  let upper = a - from >= 3 && a - from <= 10;
  for (let i = from; upper && i < a; i++) {
    const c = req.charCodeAt(i);
    upper = c >= 65 && c <= 90;
  }
  if (!upper || a + 1 >= to || (req.charCodeAt(a + 1) !== 47 /* / */ && !(to - a > 4 && req.startsWith('http', a + 1)))) {
    r.method = '';
    r.url = '';
    return;
  }
  r.method = methodName(req, from, a);
  let url = b < 0 ? req.slice(a + 1, to) : req.slice(a + 1, b);
  // An absolute-form target (proxies): keep its path.
  if (url.charCodeAt(0) !== 47) {
    const p = url.indexOf('/', url.indexOf('//') + 2);
    url = p < 0 ? '/' : url.slice(p);
  }
  r.url = url;
}

/**
 * nginx/Apache combined (`common` + ` "referer" "user agent"`), with an optional trailing request time
 * (nginx `$request_time` in seconds, or `durationUnit`). `common` lines (no referer/agent) parse too.
 */
export function parseClfLine(s: string, r: LogRecord, durationUnit: DurationUnit = 's'): boolean {
  const sp = s.indexOf(' ');
  if (sp <= 0) return false;
  const lb = s.indexOf('[', sp);
  if (lb < 0) return false;
  const rb = s.indexOf(']', lb);
  if (rb < 0 || !parseClfTime(s, lb + 1, r)) return false;
  if (s.charCodeAt(rb + 1) !== 32 || s.charCodeAt(rb + 2) !== 34) return false;
  // The request's closing quote is the one followed by ` NNN ` (status): a quote inside a URL does not end it.
  let q = closingQuote(s, rb + 3);
  while (q > 0 && !(s.charCodeAt(q + 1) === 32 && digit(s.charCodeAt(q + 2)) && digit(s.charCodeAt(q + 3)) && digit(s.charCodeAt(q + 4)) && s.charCodeAt(q + 5) === 32)) {
    q = closingQuote(s, q + 1);
  }
  if (q < 0) return false;
  const status = int(s, q + 2, q + 5);
  if (Number.isNaN(status)) return false;
  let e = s.indexOf(' ', q + 6);
  if (e < 0) e = s.length;
  const bytesText = s.charCodeAt(q + 6) === 45 /* - */ ? NaN : int(s, q + 6, e);
  if (Number.isNaN(bytesText) && s.charCodeAt(q + 6) !== 45) return false;
  r.ip = s.slice(0, sp);
  setRequest(s, r, rb + 3, q);
  r.status = status;
  r.bytes = bytesText;
  r.userAgent = '';
  r.clientId = '';
  r.durationMs = NaN;
  if (e >= s.length) return true;
  // combined: "referer" "user agent"
  let p = e + 1;
  if (s.charCodeAt(p) === 34) {
    const refEnd = closingQuote(s, p + 1);
    if (refEnd < 0 || s.charCodeAt(refEnd + 1) !== 32 || s.charCodeAt(refEnd + 2) !== 34) return false;
    const uaEnd = closingQuote(s, refEnd + 3);
    if (uaEnd < 0) return false;
    r.userAgent = s.slice(refEnd + 3, uaEnd);
    p = uaEnd + 2;
  }
  // Optional trailing request time: the first number after the fixed fields (nginx `$request_time`, `%D`, …).
  if (p < s.length) {
    let end = s.indexOf(' ', p);
    if (end < 0) end = s.length;
    const v = decimal(s, p, end);
    if (Number.isFinite(v) && v >= 0) r.durationMs = v * UNIT_TO_MS[durationUnit];
  }
  return true;
}

/** Where each field of a JSON-lines log is (dotted paths for nested objects). */
export interface JsonMapping {
  time: string[];
  method: string[];
  /** Path with query, or the full request line (`GET /x HTTP/1.1`) when `request` is set instead. */
  path: string[];
  request: string[];
  status: string[];
  bytes: string[];
  duration: string[];
  ip: string[];
  userAgent: string[];
  clientId: string[];
  durationUnit: DurationUnit;
}

/** Common field names of JSON access logs (nginx `escape=json` templates, Envoy, Traefik, pino, ECS). */
export const DEFAULT_JSON_MAPPING: JsonMapping = {
  time: ['time', 'timestamp', '@timestamp', 'ts', 'time_iso8601', 'StartUTC', 'start_time'],
  method: ['method', 'request_method', 'verb', 'http.request.method', 'RequestMethod', 'req.method'],
  path: ['path', 'uri', 'request_uri', 'url', 'url.original', 'RequestPath', 'req.url'],
  request: ['request'],
  status: ['status', 'status_code', 'statusCode', 'response_code', 'http.response.status_code', 'DownstreamStatus', 'res.statusCode'],
  bytes: ['bytes', 'body_bytes_sent', 'bytes_sent', 'size', 'response_size', 'http.response.body.bytes', 'DownstreamContentSize'],
  duration: ['request_time', 'duration', 'latency', 'response_time', 'responseTime', 'elapsed'],
  ip: ['remote_addr', 'ip', 'client_ip', 'clientIp', 'client.ip', 'ClientHost', 'req.remoteAddress'],
  userAgent: ['http_user_agent', 'user_agent', 'userAgent', 'user_agent.original', 'request_User-Agent', 'req.headers.user-agent'],
  clientId: [],
  durationUnit: 's',
};

function lookup(obj: Record<string, unknown>, path: string): unknown {
  if (path in obj) return obj[path];
  if (!path.includes('.')) return undefined;
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function first(obj: Record<string, unknown>, paths: string[]): unknown {
  for (const p of paths) {
    const v = lookup(obj, p);
    if (v !== undefined && v !== null && v !== '') return v;
  }
  return undefined;
}

const ISO_OFFSET = /(Z|([+-])(\d\d):?(\d\d))$/;

function setJsonTime(v: unknown, r: LogRecord): boolean {
  if (typeof v === 'number') {
    // Epoch seconds (with a fraction) or milliseconds: any date after 2001 in ms is above 1e12.
    r.timeMs = v > 1e12 ? v : v * 1000;
    r.offsetMin = 0;
    return Number.isFinite(r.timeMs);
  }
  if (typeof v !== 'string') return false;
  if (v.length >= 26 && v.charCodeAt(2) === 47) return parseClfTime(v, 0, r);
  const t = Date.parse(v);
  if (Number.isNaN(t)) return false;
  r.timeMs = t;
  const m = ISO_OFFSET.exec(v);
  r.offsetMin = m && m[1] !== 'Z' ? (m[2] === '-' ? -1 : 1) * (Number(m[3]) * 60 + Number(m[4])) : 0;
  return true;
}

/** One JSON-lines record; false when the line is not a JSON object or lacks a time, a path or a status. */
export function parseJsonLine(s: string, r: LogRecord, m: JsonMapping): boolean {
  let obj: unknown;
  try {
    obj = JSON.parse(s);
  } catch {
    return false;
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return false;
  const o = obj as Record<string, unknown>;
  if (!setJsonTime(first(o, m.time), r)) return false;
  const status = Number(first(o, m.status));
  if (!Number.isInteger(status) || status < 100 || status > 999) return false;
  r.status = status;
  const method = first(o, m.method);
  const path = first(o, m.path);
  if (typeof method === 'string' && typeof path === 'string') {
    setRequest(`${method.toUpperCase()} ${path}`, r);
  } else {
    const request = first(o, m.request);
    if (typeof request !== 'string') return false;
    setRequest(request, r);
  }
  const bytes = Number(first(o, m.bytes));
  r.bytes = Number.isFinite(bytes) ? bytes : NaN;
  const d = first(o, m.duration);
  const dn = typeof d === 'number' ? d : typeof d === 'string' ? Number(d) : NaN;
  r.durationMs = Number.isFinite(dn) ? dn * UNIT_TO_MS[m.durationUnit] : NaN;
  const ip = first(o, m.ip);
  r.ip = typeof ip === 'string' ? ip : '';
  const ua = first(o, m.userAgent);
  r.userAgent = typeof ua === 'string' ? ua : '';
  const id = first(o, m.clientId);
  r.clientId = typeof id === 'string' || typeof id === 'number' ? String(id) : '';
  return true;
}

/** Picks the format of a file from its first non-empty line; undefined when none fits. */
export function detectFormat(line: string): LineFormat | undefined {
  const t = line.trimStart();
  if (t.startsWith('{')) return 'json';
  const r = emptyRecord();
  if (!parseClfLine(t, r)) return undefined;
  return /"[^"]*" "[^"]*"/.test(t.slice(t.indexOf(']'))) && /" \d{3} (\d+|-) "/.test(t) ? 'combined' : 'common';
}

/** What each format expects, for the one-line error naming a bad line. */
export const FORMAT_EXPECTATION: Record<LineFormat, string> = {
  combined: 'nginx/Apache combined: IP - user [dd/Mon/yyyy:hh:mm:ss +zzzz] "METHOD /path HTTP/x" status bytes "referer" "user agent" [request_time]',
  common: 'common log format: IP - user [dd/Mon/yyyy:hh:mm:ss +zzzz] "METHOD /path HTTP/x" status bytes',
  json: 'a JSON object per line with a time, a method and path (or a request line) and a status',
};
