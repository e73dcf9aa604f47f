// The reference target on this machine's PostgreSQL and RabbitMQ: a unique database and exchange per run,
// dropped afterwards. Events through RabbitMQ, consumer catch-up, seeding determinism, and the database or
// the broker going away (through a TCP proxy that can be cut): /health and routes answer 503, then recover.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startSut, type RunningSut } from '../start.js';
import { SEEDED_SERVICES, seedSut } from '../seed.js';
import { personAt } from '../lib/french-data.js';
import { deleteAmqpObjects } from '../lib/bus.js';
import { dbOf } from '../lib/app.js';
import { NO_TRAPS } from '../lib/traps.js';
import { ANY_PORTS, eventually, http, pgAdmin, tableDigest, TcpProxy } from './support.js';

const AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';
const SEED = 'pg-test';

describe('reference target on PostgreSQL and RabbitMQ', () => {
  const suffix = `${process.pid}_${randomBytes(3).toString('hex')}`;
  const database = `sut_test_${suffix}`;
  const exchange = `sut.test.${suffix}`;
  const dbProxy = new TcpProxy(5432);
  const amqpProxy = new TcpProxy(5672);
  let sut: RunningSut;

  before(async () => {
    await pgAdmin(`CREATE DATABASE ${database}`);
    await dbProxy.start();
    await amqpProxy.start();
    sut = await startSut({
      databaseUrl: `postgres://postgres@127.0.0.1:${dbProxy.port}/${database}`,
      amqpUrl: `amqp://guest:guest@127.0.0.1:${amqpProxy.port}`,
      exchange,
      ports: ANY_PORTS,
      traps: NO_TRAPS,
    });
    await seedSut(sut.urls, { persons: 500, seed: SEED });
  });

  after(async () => {
    await sut?.stop();
    await dbProxy.cut();
    await amqpProxy.cut();
    await deleteAmqpObjects(AMQP_URL, exchange, SEEDED_SERVICES.map((s) => `${exchange}.${s}`)).catch(() => undefined);
    await pgAdmin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  });

  test('one schema per department, migrated, seeded, with the search index', async () => {
    const db = dbOf(sut.services.grc!.ctx);
    const schemas = (await db.query<{ nspname: string }>("SELECT nspname FROM pg_namespace WHERE nspname IN ('grc','customer_service','legal','sales','billing') ORDER BY 1")).map((r) => r.nspname);
    assert.deepEqual(schemas, ['billing', 'customer_service', 'grc', 'legal', 'sales']);
    const [idx] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_indexes WHERE schemaname = 'grc' AND indexname = 'persons_search_idx'");
    assert.equal(idx?.n, 1);
    // Seeding ends with ANALYZE: every seeded department's tables have planner statistics at once.
    const unanalyzed = await db.query<{ t: string }>(
      "SELECT schemaname || '.' || relname AS t FROM pg_stat_user_tables WHERE schemaname IN ('grc','customer_service','legal','sales','billing') AND last_analyze IS NULL AND last_autoanalyze IS NULL AND n_live_tup > 0",
    );
    assert.deepEqual(unanalyzed.map((r) => r.t), []);
    const h = await http<{ mode: string; bus: string; dependencies: Record<string, { status: string }> }>('GET', `${sut.urls.billing}/health`);
    assert.equal(h.body.mode, 'postgres');
    assert.equal(h.body.bus, 'amqp');
    assert.equal(h.body.dependencies.broker?.status, 'up');
  });

  test('API behaviour and masking are the same on PostgreSQL: search, 360° view masked, 404, 400 naming the field', async () => {
    const p = personAt(SEED, 5);
    const s = await http<{ items: { id: string }[] }>('GET', `${sut.urls.grc}/persons?q=${encodeURIComponent(`${p.lastName} ${p.firstName}`)}`);
    assert.ok(s.body.items.some((i) => i.id === p.id));
    const v = await http('GET', `${sut.urls.grc}/persons/${p.id}/360`);
    assert.equal(v.status, 200);
    assert.ok(!v.text.includes(p.iban.slice(4, 20)), 'IBAN masked');
    assert.match(v.text, /"healthDeclaration":"\*\*\*"/);
    assert.equal((await http<{ iban: string }>('GET', `${sut.urls.billing}/persons/${p.id}/account`, undefined, { 'x-role': 'billing' })).body.iban, p.iban);
    assert.equal((await http('GET', `${sut.urls.legal}/contracts/00000000-0000-4000-8000-000000000000`)).status, 404);
    const bad = await http<{ fields: { field: string }[] }>('POST', `${sut.urls.sales}/persons/${p.id}/offers`, { product: 'yacht', monthlyPremiumCents: 10 });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body.fields.map((f) => f.field).sort(), ['body.monthlyPremiumCents', 'body.product']);
  });

  test('a contact update reaches billing and sales through RabbitMQ; a stopped consumer catches up from its durable queue', async () => {
    const p = personAt(SEED, 3);
    assert.equal((await http('PATCH', `${sut.urls.grc}/persons/${p.id}/contact`, { email: 'par.rabbitmq@example.fr' })).status, 200);
    for (const check of [() => http<{ email: string }>('GET', `${sut.urls.billing}/persons/${p.id}/account`).then((r) => r.body.email), () => http<{ profile: { email: string } }>('GET', `${sut.urls.sales}/persons/${p.id}/summary`).then((r) => r.body.profile.email)]) {
      await eventually('the update propagated', async () => ((await check()) === 'par.rabbitmq@example.fr' ? true : undefined));
    }

    const sales = sut.services.sales!;
    await sales.stopConsumers();
    for (let i = 0; i < 5; i++) assert.equal((await http('PATCH', `${sut.urls.grc}/persons/${p.id}/contact`, { phone: `06 00 00 00 0${i}` })).status, 200);
    const billingDb = dbOf(sut.services.billing!.ctx);
    await eventually('billing (still consuming) applied the last one', async () => ((await billingDb.query<{ phone: string }>('SELECT phone FROM billing.accounts WHERE person_id = $1', [p.id]))[0]?.phone === '06 00 00 00 04' ? true : undefined));
    assert.notEqual((await http<{ profile: { phone: string } }>('GET', `${sut.urls.sales}/persons/${p.id}/summary`)).body.profile.phone, '06 00 00 00 04', 'sales is stopped');
    await sales.startConsumers();
    await eventually('sales caught up with the last update', async () => ((await http<{ profile: { phone: string } }>('GET', `${sut.urls.sales}/persons/${p.id}/summary`)).body.profile.phone === '06 00 00 00 04' ? true : undefined));
    // Six contact events in all (one before the stop, five during it): each processed once, none lost.
    await eventually('all six events processed', async () => ((await dbOf(sales.ctx).query<{ n: number }>('SELECT count(*)::int AS n FROM sales.processed_events'))[0]?.n === 6 ? true : undefined));
    assert.equal((await http<{ profile: { phone: string } }>('GET', `${sut.urls.sales}/persons/${p.id}/summary`)).body.profile.phone, '06 00 00 00 04');
  });

  test('seeding is deterministic on PostgreSQL too', async () => {
    const d = async () => Promise.all([
      tableDigest(dbOf(sut.services.grc!.ctx), 'grc.persons', 'id'),
      tableDigest(dbOf(sut.services.billing!.ctx), 'billing.invoices', 'id'),
      tableDigest(dbOf(sut.services['customer-service']!.ctx), 'customer_service.calls', 'id'),
    ]);
    await seedSut(sut.urls, { persons: 200, seed: 'pg-det' });
    const first = await d();
    await seedSut(sut.urls, { persons: 200, seed: 'pg-det' });
    assert.deepEqual(await d(), first);
    await seedSut(sut.urls, { persons: 500, seed: SEED });
  });

  test('database unreachable: /health and routes answer 503 (no 500, no stack), then recover', async () => {
    const p = personAt(SEED, 9);
    await dbProxy.cut();
    try {
      const h = await http<{ dependencies: Record<string, { status: string }> }>('GET', `${sut.urls.legal}/health`);
      assert.equal(h.status, 503);
      assert.equal(h.body.dependencies.database?.status, 'down');
      const r = await http('GET', `${sut.urls.legal}/persons/${p.id}/contracts`);
      assert.equal(r.status, 503, r.text);
      assert.doesNotMatch(r.text, /stack|ECONNREFUSED|\n\s+at /);
      const v = await http('GET', `${sut.urls.grc}/persons/${p.id}/360`);
      assert.equal(v.status, 503);
    } finally {
      await dbProxy.start();
    }
    await eventually('legal healthy again', async () => ((await http('GET', `${sut.urls.legal}/health`)).status === 200 ? true : undefined));
    assert.equal((await http('GET', `${sut.urls.grc}/persons/${p.id}/360`)).status, 200);
  });

  test('broker unreachable: /health and publishing routes answer 503, then recover and events flow again', async () => {
    const p = personAt(SEED, 12);
    await amqpProxy.cut();
    try {
      await eventually('billing sees the broker down', async () => ((await http('GET', `${sut.urls.billing}/health`)).status === 503 ? true : undefined));
      const h = await http<{ dependencies: Record<string, { status: string }> }>('GET', `${sut.urls.billing}/health`);
      assert.equal(h.body.dependencies.broker?.status, 'down');
      const offer = await http<{ id: number }>('POST', `${sut.urls.sales}/persons/${p.id}/offers`, { product: 'auto', monthlyPremiumCents: 4000 });
      const accept = await http('POST', `${sut.urls.sales}/offers/${offer.body.id}/accept`);
      assert.equal(accept.status, 503, accept.text);
    } finally {
      await amqpProxy.start();
    }
    await eventually('billing healthy again', async () => ((await http('GET', `${sut.urls.billing}/health`)).status === 200 ? true : undefined), 15_000);
    assert.equal((await http('PATCH', `${sut.urls.grc}/persons/${p.id}/contact`, { email: 'apres.panne@example.fr' })).status, 200);
    await eventually('events flow again', async () => ((await http<{ email: string }>('GET', `${sut.urls.billing}/persons/${p.id}/account`)).body.email === 'apres.panne@example.fr' ? true : undefined), 15_000);
  });
});
