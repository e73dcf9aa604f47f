// The drift check's pure core on fixtures: an OpenAPI document perfcell never saw (bookshelf.yaml) and
// hand-made request lists, one per finding kind; a clean list gives no finding. Also the three outputs and
// the one-line errors for malformed documents; the static check on recorded bodies and query strings, and the
// recorder's place in the bundle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSpec, oneLine } from '../../src/api-contract/spec.js';
import { checkDrift, claimedShape, type ObservedRequest } from '../../src/api-contract/drift.js';
import { driftJson, driftJunit, driftTable } from '../../src/api-contract/format.js';
import { findOperation, serverOf } from '../../src/api-contract/operations.js';
import { volumesByOperation } from '../../src/api-contract/check.js';
import { PerfcellError } from '../../src/errors.js';
import { checkRecordedRequests } from '../../src/api-contract/static-check.js';
import { recordedRequestOf, requestRecorderPlugin } from '../../src/api-contract/record-requests.js';
import { apmHttpShimPlugin } from '../../src/apm/bundle-plugin.js';
import { bundleScenarios } from '../../src/scenario/bundle.js';
import type { Plugin } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { RECORD_MARKER, type RecordedRequest } from '../../src/api-contract/recorded-request.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const BOOKSHELF = 'test/fixtures/api-contract/bookshelf.yaml';
const HOST = 'https://api.bookshelf.example';
const req = (method: string, path: string, status: string, name = '', transaction = 'browse'): ObservedRequest => ({ method, url: `${HOST}${path}`, status, name: name || `${HOST}${path}`, transaction });

test('an unseen document: base path, $refs, shared path parameters, statuses with ranges and defaults', async () => {
  const spec = await loadSpec(BOOKSHELF);
  assert.equal(spec.title, 'Bookshelf API');
  assert.deepEqual(spec.servers, [{ origin: HOST, basePath: '/v2' }]);
  assert.deepEqual(spec.operations.map((o) => o.key), ['GET /v2/books', 'POST /v2/books', 'GET /v2/books/{isbn}', 'DELETE /v2/books/{isbn}', 'POST /v2/members/{memberId}/loans']);
  const get = findOperation(spec, 'GET /books/{x}');
  assert.equal(get?.operationId, 'getBook');
  assert.deepEqual(get?.parameters.map((p) => `${p.in}:${p.name}`), ['path:isbn']);
  assert.equal(findOperation(spec, 'lendBook')?.requestBody?.contentType, 'application/json');
  assert.deepEqual(findOperation(spec, 'addBook')?.requestBody?.example, { isbn: '9782070368228', title: "L'Étranger", author: 'Albert Camus', year: 1942 });
  assert.equal(findOperation(spec, 'DELETE /v2/books/{isbn}')?.operationId, 'removeBook');
});

test('clean: every request reaches a documented operation with a documented status (ranges, default)', async () => {
  const spec = await loadSpec(BOOKSHELF);
  const r = checkDrift([spec], [
    req('GET', '/v2/books?page=1', '200', 'GET /books'),
    req('GET', '/v2/books?page=1&author=x', '404', 'GET /books'), // 4XX
    req('GET', '/v2/books/9782070368228', '200', 'GET /books/{isbn}'),
    req('DELETE', '/v2/books/9782070368228', '500', 'removeBook'), // default
    req('POST', '/v2/members/7/loans', '201', 'POST /members/{memberId}/loans', 'lend'),
    req('POST', '/v2/members/7/loans', '0', 'POST /members/{memberId}/loans', 'lend'), // no answer: not judged
  ]);
  assert.deepEqual(r.findings, []);
  assert.equal(r.requests, 6);
  assert.equal(r.unanswered, 1);
  assert.deepEqual(r.coverage, { operations: 5, covered: 4, ratio: 0.8 });
  const lend = r.operations.find((o) => o.operationId === 'lendBook');
  assert.deepEqual(lend?.statuses, { 201: 1 });
  assert.deepEqual(lend?.transactions, ['lend']);
  assert.match(driftTable(r), /No drift/);
  assert.match(driftTable(r), /POST \/v2\/books\s+addBook\s+0\s+-\s+NOT COVERED/);
});

test('each kind of drift is found, and named after what the script sent', async () => {
  const spec = await loadSpec(BOOKSHELF);
  const r = checkDrift([spec], [
    req('GET', '/v2/authors/12', '200', 'GET /authors/{id}'),
    req('PUT', '/v2/books/978', '200', 'PUT /books/{isbn}', 'edit'),
    req('POST', '/v2/books', '202', 'POST /books', 'catalogue'),
    req('POST', '/v2/books', '400', 'POST /books', 'catalogue'),
    req('POST', '/v2/books', '400', 'POST /books', 'catalogue'),
    req('POST', '/v2/members/7/loans', '400', 'POST /members/{memberId}/loans', 'lend'),
    req('GET', '/v2/books?page=1', '200', 'getBook', 'browse'), // claims getBook, reaches listBooks
    { method: 'GET', url: 'http://127.0.0.1:9/health', status: '200', name: 'health', transaction: 'ping' },
  ]);
  const kinds = r.findings.map((f) => `${f.kind} ${f.subject}${f.status ? ` ${f.status}` : ''} ×${f.requests}`);
  assert.deepEqual(kinds, [
    // one document: its paths judge every host (a public API's document tested elsewhere)
    'undocumented-path GET /authors/{id} ×1',
    'undocumented-path GET health ×1',
    'undocumented-method PUT /books/{isbn} ×1',
    // a name claims an operation: the documents lack it, or its requests went elsewhere
    'claimed-not-hit GET /authors/{id} ×1',
    'claimed-not-hit PUT /books/{isbn} ×1',
    'claimed-not-hit getBook ×1',
    'undocumented-status POST /v2/books 202 ×1',
    // 400 is not among lendBook's statuses (201, 409): undocumented comes first
    'undocumented-status POST /v2/members/{memberId}/loans 400 ×1',
    'rejected-request POST /v2/books 400 ×2',
  ]);
  assert.match(r.findings.find((f) => f.subject === 'getBook')?.message ?? '', /claims GET \/v2\/books\/\{isbn\} but its requests reached GET \/v2\/books/);
  assert.match(r.findings.find((f) => f.kind === 'undocumented-method')?.message ?? '', /documented for GET, DELETE only/);
  const junit = driftJunit(r);
  assert.equal((junit.match(/<testcase /g) ?? []).length, 5 + 6); // 5 operations + 6 findings no operation owns
  assert.match(junit, /failures="8"/); // 2 operations + 6
  assert.match(junit, /<testcase classname="test\/fixtures\/api-contract\/bookshelf.yaml" name="POST \/v2\/books \(addBook\)"><failure message="undocumented-status 202/);
  assert.equal(JSON.parse(driftJson(r)).clean, false);
});

test("perfcell's runs record no URL: a \"METHOD /path\" name is matched as its template; a free-form one is not judged", async () => {
  const spec = await loadSpec(BOOKSHELF);
  const noUrl = (method: string, name: string, status: string): ObservedRequest => ({ method, url: '', status, name, transaction: 't' });
  const r = checkDrift([spec], [noUrl('GET', 'GET /v2/books/{isbn}', '200'), noUrl('GET', 'GET /v2/books?page', '200'), noUrl('POST', 'POST /v2/books', '202'), noUrl('GET', 'GET /v2/authors/{id}', '200'), noUrl('GET', 'browse the shelf', '200')]);
  assert.deepEqual(r.findings.map((f) => `${f.kind} ${f.subject}${f.status ? ` ${f.status}` : ''}`), ['undocumented-path GET /v2/authors/{id}', 'claimed-not-hit GET /v2/authors/{id}', 'undocumented-status POST /v2/books 202']);
  assert.equal(r.unjudged, 1);
  assert.equal(r.coverage.covered, 3);
});

test('several documents: a request goes to the one whose server names its host; another host is unknown', async () => {
  const a = await loadSpec(BOOKSHELF);
  const b = { ...a, source: 'other.yaml', servers: [serverOf('http://127.0.0.1:8080', undefined, undefined)], operations: a.operations.map((o) => ({ ...o, key: `${o.method} ${o.path}` })) };
  const r = checkDrift([a, b], [
    { method: 'GET', url: 'http://127.0.0.1:8080/books/1', status: '200', name: 'x', transaction: 't' },
    { method: 'GET', url: `${HOST}/v2/books/1`, status: '200', name: 'y', transaction: 't' },
    { method: 'GET', url: 'http://10.0.0.1/books/1', status: '200', name: 'z', transaction: 't' },
  ]);
  assert.deepEqual(r.findings.map((f) => `${f.kind} ${f.subject}`), ['unknown-server GET http://10.0.0.1']);
  assert.equal(r.operations.filter((o) => o.requests === 1).length, 2);
});

test('coverage weighted by production volume: derive names transactions after operationIds or method-path', async () => {
  const spec = await loadSpec(BOOKSHELF);
  const weights = volumesByOperation([spec], [{ name: 'list-books', peakPerHour: 900 }, { name: 'get-v2-books-id', peakPerHour: 90 }, { name: 'lend-book', peakPerHour: 10 }]);
  assert.deepEqual([...weights], [['GET /v2/books', 900], ['GET /v2/books/{isbn}', 90], ['POST /v2/members/{memberId}/loans', 10]]);
  const r = checkDrift([spec], [req('GET', '/v2/books?page=1', '200'), req('POST', '/v2/members/1/loans', '201')], weights);
  assert.deepEqual(r.coverage.weighted, { covered: 910, total: 1000, ratio: 0.91 });
  assert.match(driftTable(r), /91 % of the production volume/);
});

test('claimed shapes: a method and a path template, query and parameter names ignored', () => {
  assert.equal(claimedShape('GET /persons?q'), 'GET /persons');
  assert.equal(claimedShape('PATCH /persons/{personId}/contact'), 'PATCH /persons/{}/contact');
  assert.equal(claimedShape('journey: search'), undefined);
});

test('malformed documents: one clear line naming the file, the problem and its line', async () => {
  const message = async (source: string) => {
    try {
      await loadSpec(source);
    } catch (e) {
      assert.ok(e instanceof PerfcellError);
      return e.message;
    }
    return 'no error';
  };
  assert.equal(await message('test/fixtures/api-contract/malformed.yaml'), "test/fixtures/api-contract/malformed.yaml: (root): a valid OpenAPI document: must have required property 'version' (in \"info\")");
  assert.match(await message('test/fixtures/api-contract/swagger2.json'), /swagger2\.json: openapi: an OpenAPI 3\.0 or 3\.1 document \(found Swagger 2\.0\)$/);
  assert.match(await message('test/fixtures/api-contract/not-yaml.yaml'), /not-yaml\.yaml: \(root\): an OpenAPI document in JSON or YAML \(/);
  assert.match(await message('test/fixtures/api-contract/nope.yaml'), /nope\.yaml: \(root\): an OpenAPI document, JSON or YAML \(the file does not exist\)$/);
  for (const m of [await message('test/fixtures/api-contract/malformed.yaml'), await message('test/fixtures/api-contract/not-yaml.yaml')]) assert.ok(!m.includes('\n'), m);
  assert.equal(oneLine('REQUIRED must have required property \'x\'\n\n> 12 |   "info": {'), 'must have required property \'x\' (in "info")');
});

test('static check: recorded bodies and query strings against the schemas; a clean sample gives nothing', async () => {
  const spec = await loadSpec(BOOKSHELF);
  const rec = (method: string, path: string, body?: unknown, transaction = 'catalogue'): RecordedRequest => ({ method, url: `${HOST}${path}`, name: `${method} ${path}`, transaction, ...(body === undefined ? {} : { contentType: 'application/json', body: typeof body === 'string' ? body : JSON.stringify(body) }) });
  const clean = checkRecordedRequests([spec], [
    rec('GET', '/v2/books?page=2&author=Camus'),
    rec('POST', '/v2/books', { isbn: '9782070368228', title: "L'Étranger", author: 'Albert Camus', year: 1942 }),
    rec('POST', '/v2/members/7/loans', { isbn: '9782070368228', days: 14 }, 'lend'),
    rec('GET', '/v2/authors/1'), // no operation: the dynamic check's business
  ]);
  assert.deepEqual(clean, { recorded: 4, judged: 3, findings: [] });
  const drifted = checkRecordedRequests([spec], [
    rec('GET', '/v2/books?pages=2'),
    rec('GET', '/v2/books?page=zero'),
    rec('POST', '/v2/books', { isbn: '978', name: 'Le Mythe de Sisyphe', author: 'Albert Camus' }),
    rec('POST', '/v2/books', { isbn: '979', name: 'La Peste', author: 'Albert Camus' }),
    rec('POST', '/v2/members/7/loans', { isbn: '978', days: 60 }, 'lend'),
    rec('POST', '/v2/members/7/loans', '{"isbn": ', 'lend'),
    rec('DELETE', '/v2/books/978', { reason: 'lost' }),
    rec('POST', '/v2/books'),
  ]);
  assert.deepEqual(drifted.findings.map((f) => `${f.kind} ${f.subject} ×${f.requests}: ${f.message}`), [
    "invalid-query GET /v2/books ×1: query parameter 'pages' is not documented (author, page); required query parameter 'page' is missing",
    'invalid-query GET /v2/books ×1: query.page: must be integer',
    "invalid-body POST /v2/books ×2: body: must have required property 'title'",
    'invalid-body POST /v2/members/{memberId}/loans ×1: body.days: must be <= 28',
    'invalid-body POST /v2/members/{memberId}/loans ×1: the body is not JSON (the operation takes application/json)',
    'invalid-body DELETE /v2/books/{isbn} ×1: a body is sent; the operation documents none',
    'invalid-body POST /v2/books ×1: the required body is missing',
  ]);
  // In the report: the operation's JUnit case fails with them, the table counts the sample.
  const r = checkDrift([spec], [req('POST', '/v2/books', '201', 'POST /books', 'catalogue')], undefined, { ...drifted, findings: drifted.findings.filter((f) => f.kind === 'invalid-body' && f.subject === 'POST /v2/books') });
  assert.deepEqual(r.findings.map((f) => f.kind), ['invalid-body', 'invalid-body']);
  assert.match(driftJunit(r), /name="POST \/v2\/books \(addBook\)"><failure message="invalid-body: body: must have required property &apos;title&apos;; invalid-body: the required body is missing"/);
  assert.match(driftTable(r), /Bodies and query strings: 8 recorded, 8 judged against the schemas/);
});

test('recorded requests come back from k6 log lines (base64: no escaping), other lines are ignored', () => {
  const r: RecordedRequest = { method: 'POST', url: 'http://h/persons', name: 'POST /persons', transaction: 'create', contentType: 'application/json', body: '{"lastName":"DÉJÀ \\"vu\\"\\n"}' };
  const line = `time="2026-12-02T15:00:00Z" level=info msg="${RECORD_MARKER} ${Buffer.from(JSON.stringify(r)).toString('base64')}" source=console`;
  assert.deepEqual(recordedRequestOf(line), r);
  assert.equal(recordedRequestOf('time="…" level=info msg="hello" source=console'), undefined);
  assert.equal(recordedRequestOf(`msg="${RECORD_MARKER} bm90IGpzb24="`), undefined);
});

test('--record-bodies bundles the recorder in front of k6/http, and in front of the APM shim when both are on (no cycle)', async () => {
  const entry = "import http from 'k6/http';\nexport default function () {\n  http.post('http://127.0.0.1:9/x', '{}');\n}\n";
  const text = (plugins: Plugin[]) => bundleScenarios(entry, REPO, plugins).then((b) => Buffer.from(b.script).toString('utf8'));
  const alone = await text([requestRecorderPlugin()]);
  assert.ok(alone.includes(RECORD_MARKER));
  // The shim's default import of the real module (its `export *` adds an `import * as`, not counted).
  const realImports = (t: string) => (t.match(/^import \w+ from "k6\/http";/gm) ?? []).length;
  assert.equal(realImports(alone), 1);
  const both = await text([requestRecorderPlugin(), apmHttpShimPlugin()]);
  assert.ok(both.includes(RECORD_MARKER) && both.includes('x-dynatrace-test'));
  assert.equal(realImports(both), 1, 'the real k6/http is imported once (by the APM shim): the two shims make no cycle');
});
