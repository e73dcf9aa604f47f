// `--from-prometheus` against a real Prometheus (the Debian package, /usr/bin/prometheus) started on
// loopback, scraping a small local server that exposes the reference target's request histogram
// (http_request_duration_seconds_count{method,route,status_code}) while the test counts known requests.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Histogram, Registry } from 'prom-client';
import { Aggregator } from '../../src/derive/aggregate.js';
import { readPrometheus, templateOfRouteLabel } from '../../src/derive/prometheus.js';
import { routesFromFile } from '../../src/derive/routes.js';

const PROMETHEUS = '/usr/bin/prometheus';
/** Counted traffic: 20 s at these rates per second (health checks must be excluded). */
const RATES: [string, string, string, number][] = [
  ['GET', '/persons/:id', '200', 12],
  ['GET', '/persons', '200', 6],
  ['POST', '/persons/:id/calls', '201', 3],
  ['GET', '/health', '200', 2],
];
const SECONDS = 20;

let dir: string;
let server: Server;
let prom: ChildProcess | undefined;
let promUrl = '';
const window = { start: 0, end: 0 };

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

const available = existsSync(PROMETHEUS);

before(async () => {
  if (!available) return;
  dir = mkdtempSync(join(tmpdir(), 'perfcell-derive-prom-'));
  const registry = new Registry();
  const h = new Histogram({ name: 'http_request_duration_seconds', help: 'by route', labelNames: ['method', 'route', 'status_code'], buckets: [0.01, 0.1], registers: [registry] });
  server = createServer((_req, res) => {
    void registry.metrics().then((text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const target = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const port = await freePort();
  promUrl = `http://127.0.0.1:${port}`;
  writeFileSync(join(dir, 'prometheus.yml'), `global: { scrape_interval: 1s, evaluation_interval: 1s }\nscrape_configs:\n  - job_name: grc\n    static_configs: [{ targets: ["${target}"] }]\n`);
  prom = spawn(PROMETHEUS, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${promUrl}/-/ready`)).ok) break;
    } catch {
      /* starting */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  // Let a first scrape see the series at zero, then count for SECONDS seconds, and let a last scrape see the end.
  for (const [method, route, status_code] of RATES) h.observe({ method, route, status_code }, 0.005);
  await new Promise((r) => setTimeout(r, 3000));
  window.start = Math.floor(Date.now() / 1000) * 1000;
  for (let s = 0; s < SECONDS; s++) {
    for (const [method, route, status_code, n] of RATES) for (let k = 0; k < n; k++) h.observe({ method, route, status_code }, 0.005);
    await new Promise((r) => setTimeout(r, 1000));
  }
  await new Promise((r) => setTimeout(r, 3000));
  window.end = Math.ceil(Date.now() / 1000) * 1000;
});

after(async () => {
  prom?.kill('SIGTERM');
  if (prom && prom.exitCode === null) await new Promise((r) => prom!.once('exit', r));
  await new Promise((r) => (server ? server.close(r) : r(null)));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('route labels in Fastify/Express/Flask style become templates', () => {
  assert.equal(templateOfRouteLabel('/persons/:id/360'), '/persons/{id}/360');
  assert.equal(templateOfRouteLabel('/users/<int:uid>'), '/users/{uid}');
});

test('request counters from a real Prometheus give the counted volumes and mix', { skip: available ? false : `${PROMETHEUS} not installed` }, async () => {
  const routes = routesFromFile('GET /persons/{id} read-person\nGET /persons search-person\nPOST /persons/{id}/calls log-call\n', 'routes');
  const agg = new Aggregator({ routes, routesFrom: 'routes' });
  const series = await readPrometheus({ url: promUrl, metric: 'http_request_duration_seconds_count', startMs: window.start - 2000, endMs: window.end, stepSec: 5 }, agg);
  assert.equal(series, 4);
  const f = agg.finish();
  assert.equal(f.excluded.healthChecks > 0, true, 'the health route is excluded');
  const byName = new Map(f.transactions.map((t) => [t.name, t.total]));
  for (const [method, route, , n] of RATES.slice(0, 3)) {
    const name = routes.find((r) => r.method === method && r.template === templateOfRouteLabel(route))!.name;
    const want = n * SECONDS;
    const got = byName.get(name) ?? 0;
    // Differences of the counter's own values: within one scrape of the counted requests (5 %).
    assert.ok(Math.abs(got - want) <= 0.05 * want, `${name}: ${got.toFixed(1)} from Prometheus, ${want} counted`);
  }
  const share = f.transactions.find((t) => t.name === 'read-person')!.share;
  assert.ok(Math.abs(share - 12 / 21) < 0.03, String(share));
});

test('an unreachable server is an environment error naming it', async () => {
  const port = await freePort();
  await assert.rejects(readPrometheus({ url: `http://127.0.0.1:${port}`, metric: 'x', startMs: 0, endMs: 60_000 }, new Aggregator()), (e: Error) => e.message.startsWith(`http://127.0.0.1:${port}: Prometheus HTTP API not reachable`));
});
