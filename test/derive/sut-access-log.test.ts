// The reference target's opt-in access log (sut/lib/access-log.ts) is read back by `model derive`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { accessLogHook, closeAccessLogs } from '../../sut/lib/access-log.js';
import { deriveFigures, loadRoutes } from '../../src/derive/derive.js';

test('a service writing nginx combined lines: derive finds its routes, statuses and request times', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'perfcell-derive-sut-'));
  try {
    const app = Fastify();
    app.addHook('onResponse', accessLogHook('grc', join(dir, '{service}.access.log'))!);
    app.get('/persons/:id', async () => ({ ok: true }));
    app.get('/persons/:id/360', async () => ({ ok: true }));
    app.get('/health', async () => ({ status: 'ok' }));
    for (let i = 0; i < 30; i++) await app.inject({ method: 'GET', url: `/persons/${1000 + i}?v=x`, headers: { 'user-agent': 'k6/0.55 "quoted" (https://k6.io/)' } });
    for (let i = 0; i < 12; i++) await app.inject({ method: 'GET', url: `/persons/0b6e9c0e-3f4a-4d2b-9a51-2f1c9e7d8a0${i % 10}/360` });
    await app.inject({ method: 'GET', url: '/health' });
    await app.inject({ method: 'GET', url: '/nope' });
    await app.close();
    await closeAccessLogs();
    const file = join(dir, 'grc.access.log');
    const text = readFileSync(file, 'utf8');
    assert.match(text.split('\n')[0] ?? '', /^127\.0\.0\.1 - - \[\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET \/persons\/1000\?v=x HTTP\/1\.1" 200 \d+ "-" "k6\/0\.55 \\x22quoted\\x22 \(https:\/\/k6\.io\/\)" \d+\.\d{3}$/);
    const f = await deriveFigures({ files: [file], ...loadRoutes({ routes: 'test/fixtures/derive/grc.routes' }) });
    assert.equal(f.read.bad, 0);
    assert.deepEqual(f.transactions.map((t) => [t.name, t.total]), [['read-person', 30], ['read-person-360', 12]]);
    assert.equal(f.excluded.healthChecks, 1);
    assert.equal(f.excluded.notFound, 1);
    assert.ok(f.transactions[0]?.latencyMs !== null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
