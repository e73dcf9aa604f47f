/**
 * Records the reference target's stub sets from the real services: starts every service embedded on free
 * ports, seeds a few persons, calls each endpoint grc (and customer-service) call exactly as they call it,
 * and writes stubs/<dependency>/mappings/*.json + __files/*.json with the real response bodies (the person
 * id in the body becomes a response template, so any id gets a consistent answer) and a lognormal delay
 * fitted to the latencies measured here. `perfcell stubs calibrate` later refits the delays from a real run.
 *
 *   node --import tsx scripts/record-reference-stubs.ts   (rewrites stubs/customer-service, legal, sales, billing, ticketing)
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSut } from '../sut/start.js';
import { DEFAULT_SEED, personsCsv } from '../sut/seed.js';
import { PROJECT_ROOT } from '../src/k6/locate.js';
import { addLog, lognormalFit, type LogMoments } from '../src/stubs/calibrate.js';

const STUBS = join(PROJECT_ROOT, 'stubs');
const PERSONS = 20;
const SAMPLES = 30;

interface Endpoint {
  dependency: 'customer-service' | 'legal' | 'sales' | 'billing' | 'ticketing';
  /** Mapping and body file name. */
  file: string;
  name: string;
  method: 'GET' | 'PUT' | 'POST';
  /** Path of the recorded call; WireMock matches urlPathPattern. */
  path: (id: string) => string;
  urlPathPattern: string;
  body?: (i: number) => unknown;
  headers?: Record<string, string>;
  /** metadata.endpoint: the k6 name tag `perfcell stubs calibrate` matches (stubs/calibration.yaml). */
  endpoint: string;
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const ROLE = { 'x-role': 'customer-service' };

const ENDPOINTS: Endpoint[] = [
  // A service's /health probes its dependencies' /health: without these the stubs would report it unmatched.
  ...(['customer-service', 'legal', 'sales', 'billing', 'ticketing'] as const).map((dependency): Endpoint => ({
    dependency, file: 'health', name: `GET /health (${dependency})`, method: 'GET',
    path: () => '/health', urlPathPattern: '/health', endpoint: `${dependency} GET /health`,
  })),
  ...(['customer-service', 'legal', 'sales', 'billing'] as const).map((dependency): Endpoint => ({
    dependency, file: 'person-summary', name: `GET /persons/{id}/summary (${dependency})`, method: 'GET',
    path: (id) => `/persons/${id}/summary`, urlPathPattern: `/persons/${UUID}/summary`, headers: ROLE, endpoint: `${dependency} GET /persons/{id}/summary`,
  })),
  {
    dependency: 'customer-service', file: 'contact-update', name: 'PUT /contacts/{id}', method: 'PUT',
    path: (id) => `/contacts/${id}`, urlPathPattern: `/contacts/${UUID}`, body: (i) => ({ email: `record.${i}@perf.lae.test`, phone: '06 12 34 56 78' }),
    endpoint: 'customer-service PUT /contacts/{id}',
  },
  {
    dependency: 'customer-service', file: 'call-log', name: 'POST /contacts/{id}/calls', method: 'POST',
    path: (id) => `/contacts/${id}/calls`, urlPathPattern: `/contacts/${UUID}/calls`, headers: { 'x-operator': 'operateur-1' },
    body: () => ({ reason: 'question sur un contrat', operator: 'operateur-1', actions: 'Renseignement donné sur les garanties.' }),
    endpoint: 'customer-service POST /contacts/{id}/calls',
  },
  {
    dependency: 'ticketing', file: 'ticket-create', name: 'POST /api/v2/tickets.json', method: 'POST',
    path: () => '/api/v2/tickets.json', urlPathPattern: '/api/v2/tickets\\.json',
    body: (i) => ({ ticket: { subject: 'Appel: question sur un contrat', comment: { body: 'Renseignement donné.' }, external_id: `record-${i}`, tags: ['grc', 'appel'] } }),
    endpoint: 'ticketing POST /api/v2/tickets.json',
  },
];

async function call(base: string, e: Endpoint, id: string, i: number): Promise<{ status: number; text: string; ms: number }> {
  const t0 = performance.now();
  const r = await fetch(`${base}${e.path(id)}`, {
    method: e.method,
    headers: { ...(e.body ? { 'content-type': 'application/json' } : {}), ...(e.headers ?? {}) },
    body: e.body ? JSON.stringify(e.body(i)) : undefined,
  });
  const text = await r.text();
  return { status: r.status, text, ms: performance.now() - t0 };
}

const sut = await startSut({ ports: { grc: 0, 'customer-service': 0, legal: 0, sales: 0, billing: 0, front: 0, ticketing: 0 } });
try {
  for (const [name, url] of Object.entries(sut.urls)) {
    if (name === 'front' || name === 'ticketing' || name === 'grc') continue;
    const r = await fetch(`${url}/admin/seed`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ persons: PERSONS, seed: DEFAULT_SEED }) });
    if (r.status !== 200) throw new Error(`seeding ${name}: HTTP ${r.status}`);
  }
  // person_id is the first column (a UUID, never quoted).
  const ids = personsCsv(PERSONS, DEFAULT_SEED).trim().split('\n').slice(1).map((line) => line.split(',')[0] as string);
  for (const dep of new Set(ENDPOINTS.map((e) => e.dependency))) rmSync(join(STUBS, dep), { recursive: true, force: true });
  for (const e of ENDPOINTS) {
    const base = sut.urls[e.dependency] as string;
    const first = await call(base, e, ids[0] as string, 0);
    if (first.status >= 300) throw new Error(`${e.dependency} ${e.method} ${e.path(ids[0] as string)}: HTTP ${first.status} ${first.text.slice(0, 200)}`);
    const moments: LogMoments = { n: 0, mean: 0, m2: 0 };
    for (let i = 1; i <= SAMPLES; i++) addLog(moments, (await call(base, e, ids[i % PERSONS] as string, i)).ms);
    const delay = lognormalFit(moments) ?? { type: 'lognormal' as const, median: 1, sigma: 0.3 };
    const dir = join(STUBS, e.dependency);
    mkdirSync(join(dir, 'mappings'), { recursive: true });
    mkdirSync(join(dir, '__files'), { recursive: true });
    // The recorded person's id stands for whichever id the request carries.
    const body = JSON.stringify(JSON.parse(first.text), null, 2).replaceAll(ids[0] as string, '{{request.pathSegments.[1]}}');
    writeFileSync(join(dir, '__files', `${e.file}.json`), body + '\n');
    const mapping = {
      name: e.name,
      request: { method: e.method, urlPathPattern: e.urlPathPattern },
      response: {
        status: first.status,
        headers: { 'Content-Type': 'application/json; charset=utf-8' },
        bodyFileName: `${e.file}.json`,
        transformers: ['response-template'],
        delayDistribution: delay,
      },
      metadata: { endpoint: e.endpoint, recordedFrom: `${e.dependency} ${e.method} ${e.path('{id}')}`, recordedAt: new Date().toISOString().slice(0, 10) },
    };
    writeFileSync(join(dir, 'mappings', `${e.file}.json`), JSON.stringify(mapping, null, 2) + '\n');
    process.stdout.write(`${e.dependency}: ${e.name} → HTTP ${first.status}, ${first.text.length} bytes, lognormal median ${delay.median} ms sigma ${delay.sigma}\n`);
  }
} finally {
  await sut.stop();
}
