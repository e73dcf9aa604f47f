import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DEFAULT_JSON_MAPPING, detectFormat, emptyRecord, parseClfLine, parseJsonLine } from '../../src/derive/parse.js';
import { jsonMappingFrom } from '../../src/derive/derive.js';

const FIX = 'test/fixtures/derive';
const corpus = readFileSync(`${FIX}/corpus.log`, 'utf8').split('\n').filter(Boolean);

function parse(line: string) {
  const r = emptyRecord();
  return parseClfLine(line, r) ? { ...r } : undefined;
}

test('combined lines: time with its offset, method, URL with query, status, bytes, user agent, request time', () => {
  const r = parse(corpus[0] as string);
  assert.ok(r);
  assert.equal(r.timeMs, Date.UTC(2026, 11, 1, 8, 0, 1));
  assert.equal(r.offsetMin, 60);
  assert.equal(r.method, 'GET');
  assert.equal(r.url, '/persons?q=dupont&limit=20');
  assert.equal(r.status, 200);
  assert.equal(r.bytes, 5123);
  assert.equal(r.ip, '192.0.2.10');
  assert.equal(r.userAgent, 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0');
  assert.equal(r.durationMs, 18);
});

test('IPv6 and IPv4-mapped clients, HTTP/2, unicode user agents, percent-encoded queries', () => {
  assert.equal(parse(corpus[1] as string)?.ip, '2001:db8::7334');
  assert.equal(parse(corpus[1] as string)?.url, '/persons/0b6e9c0e-3f4a-4d2b-9a51-2f1c9e7d8a01/360');
  assert.equal(parse(corpus[2] as string)?.userAgent, 'PortailAgence/3.2 (Windows; fr-FR) — poste conseiller Zoé');
  assert.equal(parse(corpus[3] as string)?.userAgent, 'Mozilla/5.0 (Linux; Android 14) 日本語 ブラウザ');
  assert.equal(parse(corpus[3] as string)?.url, '/persons?q=L%C3%A9a%20M%C3%BCller&limit=20');
  const v4mapped = parse(corpus[5] as string);
  assert.equal(v4mapped?.ip, '::ffff:192.0.2.14');
  assert.equal(v4mapped?.status, 503);
  assert.equal(v4mapped?.durationMs, 1204);
});

test('an escaped quote inside the request (Apache \\") does not end it', () => {
  const r = parse(corpus[4] as string);
  assert.equal(r?.url, '/search?q=a\\"b');
  assert.equal(r?.status, 200);
  assert.equal(r?.userAgent, 'curl/8.5.0');
});

test('non-HTTP request lines parse as malformed requests (empty method), not as unparseable lines', () => {
  for (const i of [7, 8]) {
    const r = parse(corpus[i] as string);
    assert.ok(r, corpus[i]);
    assert.equal(r.method, '');
    assert.equal(r.status, 400);
  }
});

test('absolute-form targets keep their path; "-" bytes and a missing request time are NaN', () => {
  assert.equal(parse(corpus[9] as string)?.url, '/persons/7');
  const r = parse(corpus[11] as string);
  assert.ok(r);
  assert.ok(Number.isNaN(r.bytes));
  assert.ok(Number.isNaN(r.durationMs));
});

test('broken lines are refused: not a log, a bad date, a torn line', () => {
  assert.equal(parse(corpus[10] as string), undefined);
  assert.equal(parse(corpus[12] as string), undefined);
  assert.equal(parse(corpus[14] as string), undefined);
  // UTC offset +0000 and a query on a DELETE
  const r = parse(corpus[15] as string);
  assert.equal(r?.timeMs, Date.UTC(2026, 11, 1, 8, 0, 15));
  assert.equal(r?.url, '/persons/12?hard=true');
});

test('a very long URL (8 000 characters of query) parses whole', () => {
  const q = 'x'.repeat(8000);
  const r = parse(`10.0.0.1 - - [01/Dec/2026:09:00:01 +0100] "GET /persons?q=${q} HTTP/1.1" 414 0 "-" "Mozilla/5.0" 0.000`);
  assert.equal(r?.url.length, '/persons?q='.length + 8000);
  assert.equal(r?.status, 414);
});

test('common log format (no referer, no agent) and a negative offset', () => {
  const lines = readFileSync(`${FIX}/common.log`, 'utf8').split('\n').filter(Boolean);
  assert.equal(detectFormat(lines[0] as string), 'common');
  assert.equal(detectFormat(corpus[0] as string), 'combined');
  const r = parse(lines[0] as string);
  assert.equal(r?.timeMs, Date.UTC(2000, 9, 10, 20, 55, 36));
  assert.equal(r?.offsetMin, -420);
  assert.equal(r?.userAgent, '');
  assert.equal(parse(lines[2] as string)?.method, 'POST');
});

test('JSON lines through a mapping file: nested fields, ms durations, client ids, ISO offsets', () => {
  const m = jsonMappingFrom([], `${FIX}/json-mapping.yaml`);
  const lines = readFileSync(`${FIX}/access.jsonl`, 'utf8').split('\n').filter(Boolean);
  assert.equal(detectFormat(lines[0] as string), 'json');
  const r = emptyRecord();
  assert.equal(parseJsonLine(lines[0] as string, r, m), true);
  assert.equal(r.timeMs, Date.UTC(2026, 11, 1, 8, 0, 1, 250));
  assert.equal(r.offsetMin, 60);
  assert.equal(r.method, 'GET');
  assert.equal(r.url, '/orders/123?x=1');
  assert.equal(r.status, 200);
  assert.equal(r.durationMs, 12.5);
  assert.equal(r.clientId, 's-1');
  assert.equal(r.bytes, 100);
  assert.equal(parseJsonLine(lines[3] as string, r, m), false, 'not JSON');
  assert.equal(parseJsonLine(lines[4] as string, r, m), false, 'no path');
});

test('JSON lines with the default field names and --field overrides', () => {
  const r = emptyRecord();
  assert.equal(parseJsonLine('{"time":1764579601.5,"request":"GET /a/1 HTTP/1.1","status":"404","request_time":0.25}', r, DEFAULT_JSON_MAPPING), true);
  assert.equal(r.timeMs, 1764579601500);
  assert.equal(r.url, '/a/1');
  assert.equal(r.status, 404);
  assert.equal(r.durationMs, 250);
  const m = jsonMappingFrom(['status=code', 'duration=took'], undefined, 'us');
  assert.equal(parseJsonLine('{"time":"2026-12-01T08:00:00Z","method":"PUT","path":"/b","code":204,"took":1500}', r, m), true);
  assert.equal(r.status, 204);
  assert.equal(r.durationMs, 1.5);
  assert.throws(() => jsonMappingFrom(['nope=x']), /--field: nope: one of time, method/);
});
