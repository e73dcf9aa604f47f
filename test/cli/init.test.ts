/**
 * `perfcell init` against a target perfcell never saw (a small HTTP API this test starts): the files it
 * writes, the scenario skeletons type-checked by tsc, then a 5 s smoke run that passes and really reached
 * the API. The pure part (src/init/scaffold.ts) on fixtures.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runCli, startCli, REPO } from '../support/cli.js';
import { environmentEntry, parseTransaction, scaffold, smokeMultiplier, SMOKE_MAX_RATE } from '../../src/init/scaffold.js';
import { mergeRegistry } from '../../src/cli/init-commands.js';
import { loadModel } from '../../src/model/load.js';
import { k6Unfit, locateK6 } from '../../src/k6/locate.js';

test('scaffold: transactions, smoke rates, the load guard per environment, the registry merged', () => {
  assert.deepEqual(parseTransaction('list-orders=GET /orders@1800'), { name: 'list-orders', method: 'GET', path: '/orders', peakPerHour: 1800 });
  assert.deepEqual(parseTransaction('add=post /orders/{id}/lines@12.5'), { name: 'add', method: 'POST', path: '/orders/{id}/lines', peakPerHour: 12.5 });
  assert.equal(parseTransaction('home=/').peakPerHour, 3600);
  assert.throws(() => parseTransaction('Orders=GET /x'), /--transaction.*name=METHOD \/path@perHour/);
  assert.throws(() => parseTransaction('x=FETCH /x'), /an HTTP method/);
  // Slowest at 1/s; the busiest capped at SMOKE_MAX_RATE.
  assert.equal(smokeMultiplier([{ name: 'a', method: 'GET', path: '/', peakPerHour: 360 }]), 10);
  const m = smokeMultiplier([{ name: 'a', method: 'GET', path: '/', peakPerHour: 36 }, { name: 'b', method: 'GET', path: '/', peakPerHour: 36_000 }]);
  assert.equal((36_000 / 3600) * m, SMOKE_MAX_RATE);
  assert.deepEqual(environmentEntry('s', 'http://localhost:3000', []), { loadTesting: 'allowed', targets: { s: 'http://localhost:3000' } });
  assert.deepEqual(environmentEntry('s', 'https://s.test.corp', ['s.test.corp']), { loadTesting: 'allowed', allowNonLoopback: true, targets: { s: 'https://s.test.corp' } });
  assert.equal(environmentEntry('s', 'https://s.prod.corp', ['s.test.corp']).loadTesting, 'forbidden');
  const s = scaffold({ service: 'orders', baseUrls: { local: 'http://127.0.0.1:3000', prod: 'https://orders.corp' }, transactions: [parseTransaction('list=GET /orders@60')], testHosts: [], p95Ms: 300, dependencies: [] });
  const merged = parse(mergeRegistry('# kept\nenvironments:\n  local:\n    loadTesting: allowed\n    targets: { billing: "http://127.0.0.1:9000" }\n', s, 'orders')) as { environments: Record<string, { loadTesting: string; targets: Record<string, string> }> };
  assert.deepEqual(merged.environments.local?.targets, { billing: 'http://127.0.0.1:9000', orders: 'http://127.0.0.1:3000' });
  assert.equal(merged.environments.prod?.loadTesting, 'forbidden');
  assert.match(mergeRegistry('# kept\nenvironments: {}\n', s, 'orders'), /^# kept/);
  assert.throws(() => scaffold({ service: 'Orders', baseUrls: { local: 'http://127.0.0.1:1' }, transactions: [parseTransaction('a=/')], testHosts: [], p95Ms: 1, dependencies: [] }), /service/);
});

test('k6 feature probe: any v2.x with the run flags perfcell passes; v1 or a missing flag refused, saying why', () => {
  const help = '  -o, --out uri\n      --summary-export string\n      --no-usage-report\n  -q, --quiet\n      --no-color\n      --execution-segment string\n';
  assert.equal(k6Unfit('v2.2.0', help), undefined);
  assert.equal(k6Unfit('v2.7.1', help), undefined);
  assert.equal(k6Unfit('v1.4.2', help), 'k6 v1.4.2 is not a v2.x');
  assert.equal(k6Unfit('v3.0.0', help), 'k6 v3.0.0 is not a v2.x');
  assert.equal(k6Unfit('v2.9.0', help.replace('--execution-segment', '--segment')), 'k6 v2.9.0: `k6 run --help` lacks --execution-segment');
});

// An API perfcell never saw: GET /api/books, GET /api/books/{id}, POST /api/books (201); anything else 404.
const hits: Record<string, number> = {};
const api = createServer((req, res) => {
  const key = `${req.method} ${req.url?.replace(/\/\d+$/, '/{id}')}`;
  hits[key] = (hits[key] ?? 0) + 1;
  req.resume();
  req.on('end', () => {
    const known = key === 'GET /api/books' || key === 'GET /api/books/{id}' || key === 'POST /api/books';
    res.writeHead(known ? (req.method === 'POST' ? 201 : 200) : 404, { 'content-type': 'application/json' });
    res.end(known ? '{"ok":true}' : '{}');
  });
});
await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
const repo = mkdtempSync(join(tmpdir(), 'perfcell-init-'));
after(() => {
  api.close();
  rmSync(repo, { recursive: true, force: true });
});

test('init on a new API: model, type-checked scenarios, stub set, environment; its 5 s smoke run passes', async () => {
  writeFileSync(join(repo, 'package.json'), '{ "name": "bookshop", "private": true }\n');
  const init = await runCli(['init', 'bookshop', '-C', repo, '--base-url', base, '--base-url', 'staging=https://bookshop.staging.corp',
    '-t', 'list-books=GET /api/books@1800', '-t', 'get-book=GET /api/books/42@3600', '-t', 'add-book=POST /api/books@360', '--p95', '250ms']);
  assert.equal(init.code, 0, init.stderr);
  for (const f of ['load-models/bookshop.yaml', 'scenarios/bookshop/bookshop.ts', 'scenarios/tsconfig.json', 'stubs/bookshop-dependency/mappings/.gitkeep', 'perfcell.config.yaml']) assert.ok(existsSync(join(repo, f)), f);
  const model = join(repo, 'load-models', 'bookshop.yaml');
  const next = init.stdout.slice(init.stdout.indexOf('next:')).trim().split('\n').slice(1).map((l) => l.trim());
  assert.equal(next.length, 3);
  assert.match(next[2] as string, /^perfcell run \S+bookshop\.yaml -p smoke$/);
  const config = parse(readFileSync(join(repo, 'perfcell.config.yaml'), 'utf8')) as { environments: Record<string, { loadTesting: string }> };
  assert.deepEqual(Object.fromEntries(Object.entries(config.environments).map(([k, v]) => [k, v.loadTesting])), { local: 'allowed', staging: 'forbidden' });
  const loaded = loadModel(model);
  assert.deepEqual(loaded.model.transactions.map((t) => [t.name, t.peakPerHour, t.slo?.p95Ms]), [['list-books', 1800, 250], ['get-book', 3600, 250], ['add-book', 360, 250]]);
  // A second init does not overwrite what a person may have edited.
  const again = await runCli(['init', 'bookshop', '-C', repo, '--base-url', base, '-t', 'x=GET /']);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /bookshop\.yaml.*does not exist yet \(--force replaces it\)/);

  const tsc = spawnSync(process.execPath, [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(repo, 'scenarios')], { encoding: 'utf8' });
  assert.equal(tsc.status, 0, `the skeletons type-check: ${tsc.stdout}${tsc.stderr}`);

  // Any k6 v2.x that passes the feature probe runs, and run.json says which: the real k6 under a newer
  // version number (a later v2 release is not on this machine; its flags are those of the k6 it wraps).
  const k6 = join(repo, 'k6-v2.9.0');
  writeFileSync(k6, `#!/bin/sh\nif [ "$1" = version ]; then echo "k6 v2.9.0 (go1.26.0, linux/amd64)"; exit 0; fi\nexec ${locateK6().path} "$@"\n`, { mode: 0o755 });
  // The same run with k6's web dashboard (live on loopback, its HTML export kept in the run folder) and an
  // extra k6 output passed through (--k6-out json=…).
  const dashboardPort = await new Promise<number>((res) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const p = (srv.address() as AddressInfo).port;
      srv.close(() => res(p));
    });
  });
  const started = startCli(['run', model, '-p', 'smoke', '-q', '--no-influx', '--no-monitor', '-o', join(repo, 'run'), '--dashboard', String(dashboardPort), '--k6-out', `json=${join(repo, 'k6.json')}`], { PERFCELL_K6: k6 });
  let dashboardLive = false;
  let finished = false;
  const poll = (async () => {
    while (!finished && !dashboardLive) {
      dashboardLive = await fetch(`http://127.0.0.1:${dashboardPort}/`).then((r) => r.ok, () => false);
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  const run = await started.done;
  finished = true;
  await poll;
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.ok(dashboardLive, 'the dashboard answered on loopback during the run');
  assert.match(readFileSync(join(repo, 'run', 'dashboard.html'), 'utf8').slice(0, 2000), /<html/i);
  assert.match(readFileSync(join(repo, 'k6.json'), 'utf8'), /"metric":"http_reqs"/);
  const meta = JSON.parse(readFileSync(join(repo, 'run', 'run.json'), 'utf8')) as { k6: { path: string; version: string } };
  assert.deepEqual(meta.k6, { ...meta.k6, path: k6, version: 'v2.9.0' });
  assert.match(run.stdout + run.stderr, /verdict: GO/);
  // 5 s at the smoke rates (add-book 1/s, list-books 5/s, get-book 10/s): every transaction reached the API.
  assert.ok((hits['POST /api/books'] ?? 0) >= 4, JSON.stringify(hits));
  assert.ok((hits['GET /api/books'] ?? 0) >= 20, JSON.stringify(hits));
  assert.ok((hits['GET /api/books/{id}'] ?? 0) >= 40, JSON.stringify(hits));
  // Besides the pre-flight (GET / answers HTTP, GET /health recorded), only the three transactions' routes.
  const preflight = ['GET /', 'GET /health'];
  assert.deepEqual(Object.keys(hits).filter((k) => !k.startsWith('GET /api/books') && k !== 'POST /api/books' && !preflight.includes(k)), [], JSON.stringify(hits));
});
