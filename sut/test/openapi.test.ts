// Each service's OpenAPI 3.1 document (GET /openapi.json): a valid document, every served route in it,
// every example valid against its schema, and grc's real answers valid against what the document says.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { validate } from '@readme/openapi-parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { startSut, type RunningSut } from '../start.js';
import { seedSut } from '../seed.js';
import { personAt } from '../lib/french-data.js';
import { NO_TRAPS } from '../lib/traps.js';
import { servedRoutes } from '../lib/openapi.js';
import { ANY_PORTS } from './support.js';

const SEED = 'openapi-test';

interface Media { schema?: object; example?: unknown; examples?: Record<string, { value: unknown }> }
interface Operation { operationId?: string; requestBody?: { content: Record<string, Media> }; responses: Record<string, { content?: Record<string, Media> }> }
type Doc = { openapi: string; servers: { url: string }[]; paths: Record<string, Record<string, Operation>> };

const ajv = new Ajv2020({ strict: false, allErrors: true });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);

/** "GET /persons/:id/360" → "GET /persons/{id}/360" (OpenAPI's path templates). */
const templated = (route: string): string => route.replace(/:([A-Za-z_]\w*)/g, '{$1}');

function operations(doc: Doc): [string, Operation][] {
  return Object.entries(doc.paths).flatMap(([path, byMethod]) => Object.entries(byMethod).map(([m, op]): [string, Operation] => [`${m.toUpperCase()} ${path}`, op]));
}

function examplesOf(media: Media): unknown[] {
  return [...(media.example !== undefined ? [media.example] : []), ...Object.values(media.examples ?? {}).map((e) => e.value)];
}

describe('the reference target publishes OpenAPI 3.1', () => {
  let sut: RunningSut;
  const docs = new Map<string, Doc>();

  before(async () => {
    sut = await startSut({ ports: ANY_PORTS, traps: NO_TRAPS });
    await seedSut(sut.urls, { persons: 20, seed: SEED });
    for (const [name, url] of Object.entries(sut.urls)) docs.set(name, (await fetch(`${url}/openapi.json`).then((r) => r.json())) as Doc);
  });
  after(async () => {
    await sut?.stop();
  });

  test('every service: a valid 3.1 document naming its server, every served route documented with an operationId', async () => {
    assert.equal(docs.size, 7);
    for (const [name, doc] of docs) {
      assert.equal(doc.openapi, '3.1.0', name);
      const v = await validate(structuredClone(doc) as never);
      assert.equal(v.valid, true, `${name}: ${JSON.stringify(v)}`);
      assert.equal(doc.servers[0]?.url, sut.urls[name as keyof RunningSut['urls']]);
      const documented = new Set(operations(doc).map(([k]) => k));
      const served = servedRoutes(sut.services[name as keyof RunningSut['services']]?.app as never).map(templated);
      assert.ok(served.length >= 3, `${name} serves ${served.length} routes`);
      for (const r of served) assert.ok(documented.has(r), `${name}: ${r} is served but not documented`);
      assert.equal(documented.size, served.length, `${name}: documented operations no route serves`);
      const ids = operations(doc).map(([, op]) => op.operationId);
      assert.equal(new Set(ids).size, ids.length, `${name}: operationIds are unique`);
    }
  });

  test('every example is valid against its schema, and there are examples to check', () => {
    let checked = 0;
    for (const [name, doc] of docs) {
      for (const [key, op] of operations(doc)) {
        const media = [...Object.entries(op.requestBody?.content ?? {}).map(([t, m]) => [`request ${t}`, m] as const), ...Object.entries(op.responses).flatMap(([s, r]) => Object.entries(r.content ?? {}).map(([t, m]) => [`${s} ${t}`, m] as const))];
        for (const [where, m] of media) {
          for (const example of examplesOf(m)) {
            const ok = ajv.validate(m.schema ?? {}, example);
            assert.ok(ok, `${name} ${key} ${where}: ${ajv.errorsText()}`);
            checked++;
          }
        }
      }
    }
    assert.ok(checked >= 20, `${checked} examples checked`);
  });

  test("grc's real answers match the documented status and schema", async () => {
    const doc = docs.get('grc') as Doc;
    const grc = sut.urls.grc as string;
    const p = personAt(SEED, 3);
    const json = { 'content-type': 'application/json' };
    const calls: [string, string, string, RequestInit?][] = [
      ['GET /persons', '/persons', `/persons?q=${encodeURIComponent(p.lastName)}`],
      ['GET /persons/{id}', '/persons/{id}', `/persons/${p.id}`],
      ['GET /persons/{id}/360', '/persons/{id}/360', `/persons/${p.id}/360`],
      ['POST /persons', '/persons', '/persons', { method: 'POST', headers: json, body: JSON.stringify({ lastName: 'CONTRAT', firstName: 'Test', birthDate: '1990-01-02', sex: 'M', email: 'contrat.test@exemple.fr', phone: '0612345678', postcode: '69001', city: 'Lyon' }) }],
      ['PATCH /persons/{id}/contact', '/persons/{id}/contact', `/persons/${p.id}/contact`, { method: 'PATCH', headers: json, body: JSON.stringify({ phone: '0698765432' }) }],
      ['POST /persons/{id}/calls', '/persons/{id}/calls', `/persons/${p.id}/calls`, { method: 'POST', headers: json, body: JSON.stringify({ reason: 'question sur un contrat', operator: 'op-1' }) }],
      ['GET /persons/{id} (unknown id)', '/persons/{id}', '/persons/00000000-0000-4000-8000-000000000000'],
      ['POST /persons (bad body)', '/persons', '/persons', { method: 'POST', headers: json, body: '{"lastName":"X"}' }],
    ];
    for (const [label, path, url, init] of calls) {
      const method = (init?.method ?? 'GET').toLowerCase();
      const res = await fetch(`${grc}${url}`, init);
      const body: unknown = await res.json();
      const documented = doc.paths[path]?.[method]?.responses[String(res.status)];
      assert.ok(documented, `${label}: answered ${res.status}, not documented`);
      const schema = documented.content?.['application/json']?.schema ?? {};
      assert.ok(ajv.validate(schema, body), `${label} ${res.status}: ${ajv.errorsText()} in ${JSON.stringify(body).slice(0, 200)}`);
    }
  });
});
