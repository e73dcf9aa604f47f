import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { RouteTable, isBot, isHealthCheck, isStatic, learnTemplate, nameFor, routesFromFile, routesFromOpenApi } from '../../src/derive/routes.js';

const FIX = 'test/fixtures/derive';

test('OpenAPI paths template URLs under the servers base path; operationIds name the transactions', () => {
  const routes = routesFromOpenApi(readFileSync(`${FIX}/openapi.yaml`, 'utf8'), 'openapi.yaml');
  assert.deepEqual(
    routes.map((r) => `${r.method} ${r.template} ${r.name}`),
    [
      'GET /api/v1/persons search-person',
      'POST /api/v1/persons create-person',
      'GET /api/v1/persons/search get-api-v1-persons-search',
      'GET /api/v1/persons/{id} read-person',
      'PATCH /api/v1/persons/{id} update-contact',
      'GET /api/v1/persons/{id}/360 read-person-360',
    ],
  );
  const table = new RouteTable();
  routes.forEach((r) => table.add(r));
  const name = (m: string, p: string) => routes[table.match(m, p)]?.name ?? null;
  assert.equal(name('GET', '/api/v1/persons/123'), 'read-person');
  assert.equal(name('GET', '/api/v1/persons/search'), 'get-api-v1-persons-search', 'a literal segment wins over {id}');
  assert.equal(name('GET', '/api/v1/persons/0b6e9c0e-3f4a-4d2b-9a51-2f1c9e7d8a01/360'), 'read-person-360');
  assert.equal(name('PATCH', '/api/v1/persons/9/'), 'update-contact', 'trailing slash');
  assert.equal(name('DELETE', '/api/v1/persons/9'), null, 'method not in the document');
  assert.equal(name('GET', '/api/v1/persons/9/calls'), null);
  assert.equal(name('GET', '/persons/9'), null, 'outside the base path');
});

test('OpenAPI documents in JSON work too; a document without paths is refused with its file', () => {
  const json = JSON.stringify({ swagger: '2.0', basePath: '/v2', paths: { '/pets/{petId}': { get: { operationId: 'showPetById' } } } });
  assert.deepEqual(routesFromOpenApi(json, 'p.json'), [{ method: 'GET', template: '/v2/pets/{petId}', name: 'show-pet-by-id' }]);
  assert.throws(() => routesFromOpenApi('openapi: 3.0.0\ninfo: {}\n', 'x.yaml'), /x\.yaml: paths: an OpenAPI document with a `paths` object$/);
});

test('routes file: names optional, * for any method, a bad line named by its number', () => {
  const routes = routesFromFile(readFileSync(`${FIX}/grc.routes`, 'utf8'), 'grc.routes');
  assert.equal(routes.length, 6);
  assert.deepEqual(routesFromFile('* /orders/{id}\n', 'r'), [{ method: '*', template: '/orders/{id}', name: 'any-orders-id' }]);
  assert.throws(() => routesFromFile('GET /a a\nGET orders\n', 'my.routes'), /my\.routes: line 2: "METHOD \/path\/\{param\} \[transaction-name\]", got "GET orders"/);
  assert.throws(() => routesFromFile('GET /a Bad_Name\n', 'my.routes'), /my\.routes: line 1: a transaction name/);
});

test('learned templates collapse numeric, UUID, hex and token segments, not words', () => {
  assert.equal(learnTemplate('/persons/123/360'), '/persons/{id}/360');
  assert.equal(learnTemplate('/persons/0b6e9c0e-3f4a-4d2b-9a51-2f1c9e7d8a01'), '/persons/{id}');
  assert.equal(learnTemplate('/objects/507f1f77bcf86cd799439011'), '/objects/{id}');
  assert.equal(learnTemplate('/t/AbCdEf0123456789xyZ/x'), '/t/{id}/x');
  assert.equal(learnTemplate('/v2/orders/search'), '/v2/orders/search');
  assert.equal(learnTemplate('/'), '/');
  assert.equal(nameFor('GET', '/persons/{id}/360'), 'get-persons-id-360');
  assert.equal(nameFor('POST', '/'), 'post-root');
});

test('health checks, static assets and bots are recognised', () => {
  for (const p of ['/health', '/healthz', '/ready', '/metrics', '/actuator/health', '/favicon.ico']) assert.ok(isHealthCheck(p), p);
  assert.ok(!isHealthCheck('/persons/health-declarations'));
  for (const p of ['/static/app.js', '/img/logo.PNG', '/fonts/x.woff2']) assert.ok(isStatic(p), p);
  assert.ok(!isStatic('/persons/42'));
  assert.ok(isBot('Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)'));
  assert.ok(isBot('kube-probe/1.31'));
  assert.ok(!isBot('Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0'));
});

test('a number right after an id is a sub-resource, not a second id', () => {
  assert.equal(learnTemplate('/orders/123/items/4'), '/orders/{id}/items/{id}');
  assert.equal(learnTemplate('/persons/0b6e9c0e-3f4a-4d2b-9a51-2f1c9e7d8a01/360'), '/persons/{id}/360');
  assert.equal(learnTemplate('/a/12/0b6e9c0e-3f4a-4d2b-9a51-2f1c9e7d8a01'), '/a/{id}/{id}');
});
