// The reference target in its default mode (one PGlite instance, in-process bus, all services in this
// process): API behaviour, bad input, masking, events, consumer restart, ticketing, logs, seeding, traps.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { startSut, type RunningSut } from '../start.js';
import { seedSut } from '../seed.js';
import { personAt } from '../lib/french-data.js';
import { newEvent } from '../lib/bus.js';
import { dbOf } from '../lib/app.js';
import { NO_TRAPS } from '../lib/traps.js';
import { SERVICE_MODULES } from '../services/index.js';
import { leakedViews } from '../services/grc.js';
import { ANY_PORTS, collectGarbage, eventually, freePort, http, median, startSlowDepartments, tableDigest } from './support.js';

const SEED = 'embedded-test';
const PERSONS = 300;

describe('embedded reference target', () => {
  let sut: RunningSut;
  const logs: string[] = [];
  const url = (name: keyof RunningSut['urls'], path: string) => `${sut.urls[name]}${path}`;

  before(async () => {
    const logStream = new Writable({ write(chunk: Buffer, _enc, cb) { logs.push(chunk.toString('utf8')); cb(); } });
    sut = await startSut({ ports: ANY_PORTS, traps: NO_TRAPS, logStream });
    await seedSut(sut.urls, { persons: PERSONS, seed: SEED });
  });
  after(async () => {
    await sut?.stop();
  });

  test('every service reports its health with name, version, commit and dependencies, and serves Prometheus metrics', async () => {
    for (const [name, u] of Object.entries(sut.urls)) {
      const h = await http<{ name: string; version: string; commit: string; status: string; dependencies: Record<string, { status: string }> }>('GET', `${u}/health`);
      assert.equal(h.status, 200, `${name}: ${h.text}`);
      assert.equal(h.body.name, name);
      assert.match(h.body.version, /^\d+\.\d+\.\d+/);
      assert.ok(h.body.commit.length > 0);
      for (const d of Object.values(h.body.dependencies)) assert.equal(d.status, 'up');
    }
    const grcHealth = await http<{ dependencies: Record<string, unknown> }>('GET', url('grc', '/health'));
    assert.deepEqual(Object.keys(grcHealth.body.dependencies).sort(), ['billing', 'broker', 'customer-service', 'database', 'legal', 'sales']);
    const person = personAt(SEED, 3);
    await http('GET', url('grc', `/persons/${person.id}/360`));
    const m = await fetch(url('grc', '/metrics')).then((r) => r.text());
    assert.match(m, /http_request_duration_seconds_bucket\{[^}]*route="\/persons\/:id\/360"/);
    for (const name of ['nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes', 'process_cpu_seconds_total', 'db_pool_connections{state="waiting"', 'db_queries_total', 'event_publish_duration_seconds']) assert.ok(m.includes(name), name);
  });

  test('search finds seeded persons by last name and first-name prefix; the 360° view aggregates the four departments', async () => {
    const p = personAt(SEED, 7);
    const s = await http<{ items: { id: string; lastName: string; firstName: string }[] }>('GET', url('grc', `/persons?q=${encodeURIComponent(`${p.lastName} ${p.firstName.slice(0, 2)}`)}`));
    assert.equal(s.status, 200);
    assert.ok(s.body.items.some((i) => i.id === p.id), 'the person is found');
    for (const i of s.body.items) assert.equal(i.lastName, p.lastName);
    const v = await http<Record<string, Record<string, unknown>>>('GET', url('grc', `/persons/${p.id}/360`));
    assert.equal(v.status, 200);
    assert.equal(v.body.person?.email, p.email);
    assert.equal((v.body.customerService?.contact as { email: string }).email, p.email);
    assert.equal((v.body.legal?.contracts as { id: string }[])[0]?.id, p.contractId);
    assert.equal((v.body.sales?.profile as { profession: string }).profession, p.profession);
    assert.equal((v.body.billing?.lastInvoices as unknown[]).length, 3);
    const doc = await fetch(url('legal', `/contracts/${p.contractId}/document`));
    assert.equal(doc.status, 200);
    assert.match(await doc.text(), new RegExp(`Contrat ${p.product}`));
    const history = await http<{ total: number; items: { lines: unknown[] }[] }>('GET', url('billing', `/persons/${p.id}/invoices?page=2&pageSize=5`));
    assert.equal(history.body.total, 12);
    assert.equal(history.body.items.length, 5);
    assert.equal(history.body.items[0]?.lines.length, 2);
  });

  test('bad input: 400 naming the field, 404 for unknown ids and routes, never a 500 or a stack trace', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    const cases = [
      { r: await http('GET', url('grc', `/persons/${unknown}`)), status: 404 },
      { r: await http('GET', url('grc', `/persons/${unknown}/360`)), status: 404 },
      { r: await http('GET', url('grc', '/persons/not-a-uuid')), status: 400, field: 'params.id' },
      { r: await http('GET', url('grc', '/persons?q=a')), status: 400, field: 'querystring.q' },
      { r: await http('POST', url('grc', '/persons'), { lastName: 'X', firstName: 'Y', birthDate: '1990-01-01', sex: 'F', email: 'not-an-email', phone: '06 00 00 00 00', postcode: '75011', city: 'Paris' }), status: 400, field: 'body.email' },
      { r: await http('POST', url('grc', '/persons'), { firstName: 'Y' }), status: 400, field: 'body.lastName' },
      { r: await http('PATCH', url('grc', `/persons/${personAt(SEED, 1).id}/contact`), { email: 'a@b.fr', shoeSize: 42 }), status: 400, field: 'body.shoeSize' },
      { r: await http('PUT', url('billing', `/persons/${personAt(SEED, 1).id}/bank-details`), { iban: 'FR7630006000011234567890188' }), status: 400, field: 'body.iban' },
      { r: await http('GET', url('billing', `/persons/${personAt(SEED, 1).id}/invoices?pageSize=1000`)), status: 400, field: 'querystring.pageSize' },
      { r: await http('POST', url('sales', '/offers/999999/accept')), status: 404 },
      { r: await http('GET', url('legal', '/no/such/route')), status: 404 },
      { r: await fetch(url('grc', '/persons'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' }).then(async (res) => ({ status: res.status, text: await res.text(), body: {} })), status: 400 },
    ];
    for (const { r, status, field } of cases) {
      assert.equal(r.status, status, r.text);
      assert.doesNotMatch(r.text, /"stack"|\n\s+at |node_modules/);
      if (field) {
        const fields = (r.body as { fields?: { field: string }[]; message: string });
        assert.ok(fields.fields?.some((f) => f.field === field) || fields.message.startsWith(field), `${field} named in ${r.text}`);
      }
    }
  });

  test('IBAN and health declarations are masked unless the role header allows them', async () => {
    const p = personAt(SEED, 11);
    const masked = await http<{ iban: string }>('GET', url('billing', `/persons/${p.id}/account`));
    assert.notEqual(masked.body.iban, p.iban);
    assert.ok(!masked.text.includes(p.iban.slice(4, 20)));
    assert.equal((await http<{ iban: string }>('GET', url('billing', `/persons/${p.id}/account`), undefined, { 'x-role': 'billing' })).body.iban, p.iban);
    const health = await http<{ healthDeclaration: unknown }>('GET', url('legal', `/persons/${p.id}/health-declaration`));
    assert.equal(health.body.healthDeclaration, '***');
    const legalView = await http<{ healthDeclaration: { tobacco: boolean } }>('GET', url('legal', `/persons/${p.id}/health-declaration`), undefined, { 'x-role': 'legal' });
    assert.equal(legalView.body.healthDeclaration.tobacco, p.tobacco);
    const view = await http('GET', url('grc', `/persons/${p.id}/360`), undefined, { 'x-role': 'customer-service' });
    assert.ok(!view.text.includes(p.iban.slice(4, 20)));
    assert.match(view.text, /"healthDeclaration":"\*\*\*"/);
  });

  test('a new person reaches the four departments by event; a contact update reaches billing and sales', async () => {
    const created = await http<{ id: string }>('POST', url('grc', '/persons'), { lastName: 'Événement', firstName: 'Zoé', birthDate: '1990-03-04', sex: 'F', email: 'zoe.evenement@example.fr', phone: '06 11 22 33 44', postcode: '69003', city: 'Lyon', profession: 'cadre' });
    assert.equal(created.status, 201);
    const id = created.body.id;
    for (const dep of ['customer-service', 'legal', 'sales', 'billing'] as const) {
      await eventually(`${dep} knows the new person`, async () => ((await http('GET', url(dep, `/persons/${id}/summary`))).status === 200 ? true : undefined));
    }
    const upd = await http('PATCH', url('grc', `/persons/${id}/contact`), { email: 'zoe.nouvelle@example.fr', phone: '07 99 88 77 66' });
    assert.equal(upd.status, 200, upd.text);
    assert.equal((await http<{ email: string }>('GET', url('customer-service', `/contacts/${id}`))).body.email, 'zoe.nouvelle@example.fr'); // synchronous
    await eventually('billing has the new e-mail', async () => ((await http<{ email: string }>('GET', url('billing', `/persons/${id}/account`))).body.email === 'zoe.nouvelle@example.fr' ? true : undefined));
    await eventually('sales has the new phone', async () => ((await http<{ profile: { phone: string } }>('GET', url('sales', `/persons/${id}/summary`))).body.profile.phone === '07 99 88 77 66' ? true : undefined));
  });

  test('accepting an offer: legal signs a contract and billing records an invoice, sales hears of both', async () => {
    const p = personAt(SEED, 20);
    const offer = await http<{ id: number }>('POST', url('sales', `/persons/${p.id}/offers`), { product: 'moto', monthlyPremiumCents: 3100 });
    assert.equal(offer.status, 201);
    assert.equal((await http('POST', url('sales', `/offers/${offer.body.id}/accept`))).status, 200);
    assert.equal((await http('POST', url('sales', `/offers/${offer.body.id}/accept`))).status, 409);
    const done = await eventually('offer signed and invoiced', async () => {
      const o = (await http<{ items: { id: number; status: string; contractId: string | null; invoiceId: number | null }[] }>('GET', url('sales', `/persons/${p.id}/offers`))).body.items.find((x) => x.id === offer.body.id);
      return o?.status === 'signed' && o.invoiceId !== null ? o : undefined;
    });
    assert.equal((await http<{ product: string }>('GET', url('legal', `/contracts/${done.contractId}`))).body.product, 'moto');
    const inv = await http<{ items: { id: number; amountCents: number }[] }>('GET', url('billing', `/persons/${p.id}/invoices`));
    assert.equal(inv.body.items.find((i) => i.id === done.invoiceId)?.amountCents, 3100);
  });

  test('a consumer that was stopped catches up without losing events, and a redelivered event has no second effect', async () => {
    const p = personAt(SEED, 30);
    const billing = sut.services.billing!;
    await billing.stopConsumers();
    await http('PATCH', url('grc', `/persons/${p.id}/contact`), { email: 'pendant.arret@example.fr' });
    await eventually('sales applied it', async () => ((await http<{ profile: { email: string } }>('GET', url('sales', `/persons/${p.id}/summary`))).body.profile.email === 'pendant.arret@example.fr' ? true : undefined));
    assert.equal((await http<{ email: string }>('GET', url('billing', `/persons/${p.id}/account`))).body.email, p.email, 'billing is down: not applied yet');
    await billing.startConsumers();
    await eventually('billing caught up', async () => ((await http<{ email: string }>('GET', url('billing', `/persons/${p.id}/account`))).body.email === 'pendant.arret@example.fr' ? true : undefined));

    const event = newEvent('invoice.requested', { personId: p.id, offerId: 424242, label: 'Test', amountCents: 1234 });
    const handler = SERVICE_MODULES.billing.consumers!['invoice.requested']!;
    await handler(event, billing.ctx);
    await handler(event, billing.ctx);
    const [n] = await dbOf(billing.ctx).query<{ n: number }>('SELECT count(*)::int AS n FROM billing.invoices WHERE offer_id = 424242');
    assert.equal(n?.n, 1);
  });

  test('a logged call becomes a ticket that carries neither bank details nor health data', async () => {
    const p = personAt(SEED, 40);
    const call = await http<{ ticketId: string }>('POST', url('grc', `/persons/${p.id}/calls`), { reason: 'question sur une facture', operator: 'op-7', actions: `Le client dicte son IBAN ${p.iban} et parle de son diabète.`, redirectTo: 'billing' });
    assert.equal(call.status, 201, call.text);
    const ticket = await http('GET', url('ticketing', `/api/v2/tickets/${call.body.ticketId}.json`));
    assert.equal(ticket.status, 200);
    assert.match(ticket.text, /question sur une facture/);
    assert.match(ticket.text, new RegExp(p.email.replace(/[.]/g, '\\.')));
    assert.ok(!ticket.text.includes(p.iban) && !ticket.text.includes(p.iban.slice(4, 14)), ticket.text);
    assert.doesNotMatch(ticket.text, /diab/i);
    const calls = await http<{ items: { ticketId: string; redirectedTo: string }[] }>('GET', url('customer-service', `/contacts/${p.id}/calls?limit=1`));
    assert.equal(calls.body.items[0]?.ticketId, call.body.ticketId);
    assert.equal(calls.body.items[0]?.redirectedTo, 'billing');
  });

  test('sensitive data never reaches the logs', async () => {
    const p = personAt(SEED, 50);
    const newIban = 'FR7630006000011234567890189';
    assert.equal((await http('PUT', url('billing', `/persons/${p.id}/bank-details`), { iban: newIban, sepaMandateRef: 'MANDAT-1' })).status, 204);
    assert.equal((await http('PUT', url('legal', `/persons/${p.id}/health-declaration`), { tobacco: true, alcohol: 'regular', illnesses: ['maladie-tres-rare-xyz'] })).status, 204);
    await http('GET', url('billing', `/persons/${p.id}/account`), undefined, { 'x-role': 'billing' });
    await http('GET', url('legal', `/persons/${p.id}/health-declaration`), undefined, { 'x-role': 'legal' });
    const all = logs.join('');
    assert.ok(all.length > 0, 'logging was on');
    assert.ok(all.includes(`/persons/${p.id}/bank-details`), 'requests are logged');
    for (const secret of [newIban, p.iban, 'maladie-tres-rare-xyz']) assert.ok(!all.includes(secret), `${secret} leaked into the logs`);
  });

  test('seeding is deterministic: the same seed gives the same data, another seed other data', async () => {
    const tables: [keyof RunningSut['services'], string, string][] = [
      ['grc', 'grc.persons', 'id'], ['customer-service', 'customer_service.contacts', 'person_id'], ['customer-service', 'customer_service.calls', 'id'], ['legal', 'legal.persons', 'person_id'], ['legal', 'legal.contracts', 'id'],
      ['sales', 'sales.offers', 'id'], ['billing', 'billing.accounts', 'person_id'], ['billing', 'billing.invoices', 'id'], ['billing', 'billing.invoice_lines', 'id'],
    ];
    const digests = async () => Promise.all(tables.map(([s, t, o]) => tableDigest(dbOf(sut.services[s]!.ctx), t, o)));
    await seedSut(sut.urls, { persons: 120, seed: 'det-a' });
    const a1 = await digests();
    await seedSut(sut.urls, { persons: 120, seed: 'det-b' });
    const b = await digests();
    await seedSut(sut.urls, { persons: 120, seed: 'det-a' });
    const a2 = await digests();
    assert.deepEqual(a2, a1);
    tables.forEach(([, t], i) => assert.notEqual(b[i], a1[i], t));
    assert.match(a1[0]!, /^1200:/); // 120 customers + 1 080 prospects in the person referential
    assert.match(a1[7]!, /^1440:/); // 120 persons × 12 invoices
  });
});

describe('planted traps', () => {
  test('missing index, N+1 and leak: search plans a sequential scan, history sends one query per invoice, the cache grows', async () => {
    const normal = await startSut({ ports: ANY_PORTS, traps: NO_TRAPS, only: ['grc', 'billing', 'customer-service', 'legal', 'sales', 'ticketing'] });
    const trapped = await startSut({ ports: ANY_PORTS, traps: { ...NO_TRAPS, missingIndex: true, nPlusOne: true, leak: true }, only: ['grc', 'billing', 'customer-service', 'legal', 'sales', 'ticketing'] });
    try {
      await Promise.all([seedSut(normal.urls, { persons: 200, seed: 'traps' }), seedSut(trapped.urls, { persons: 200, seed: 'traps' })]);
      const plan = async (sut: RunningSut) =>
        (await dbOf(sut.services.grc!.ctx).query<{ 'QUERY PLAN': string }>("EXPLAIN SELECT id FROM grc.persons WHERE last_name_norm >= 'DU' AND last_name_norm < 'DV' ORDER BY last_name_norm, first_name_norm, id LIMIT 20")).map((r) => r['QUERY PLAN']).join('\n');
      await dbOf(normal.services.grc!.ctx).exec('SET enable_seqscan = off'); // 200 rows: make the planner show the index it has
      assert.match(await plan(normal), /Index/);
      await dbOf(trapped.services.grc!.ctx).exec('SET enable_seqscan = off');
      assert.doesNotMatch(await plan(trapped), /Index/);

      const p = personAt('traps', 5);
      const queries = async (sut: RunningSut) => {
        const db = dbOf(sut.services.billing!.ctx);
        const before = db.queryCount();
        const r = await http<{ items: { lines: unknown[] }[] }>('GET', `${sut.urls.billing}/persons/${p.id}/invoices?pageSize=10`);
        assert.equal(r.body.items.length, 10);
        assert.equal(r.body.items[9]?.lines.length, 2);
        return db.queryCount() - before;
      };
      assert.equal(await queries(normal), 4); // account, count, page, all lines at once
      assert.equal(await queries(trapped), 13); // account, count, page, then one per invoice
      // The 360° view's billing section is the history's first page (3 invoices): the trap reaches it too.
      const summaryQueries = async (sut: RunningSut) => {
        const db = dbOf(sut.services.billing!.ctx);
        const before = db.queryCount();
        await http('GET', `${sut.urls.grc}/persons/${p.id}/360`);
        return db.queryCount() - before;
      };
      assert.equal(await summaryQueries(normal), 3);
      assert.equal(await summaryQueries(trapped), 5);

      const leakBefore = leakedViews();
      for (let i = 0; i < 5; i++) await http('GET', `${normal.urls.grc}/persons/${p.id}/360`);
      assert.equal(leakedViews(), leakBefore);
      collectGarbage();
      const heapBefore = process.memoryUsage().heapUsed;
      for (let i = 0; i < 40; i++) await http('GET', `${trapped.urls.grc}/persons/${p.id}/360`);
      assert.equal(leakedViews(), leakBefore + 40);
      // 40 views × 64 KB ≈ 2.6 MB that no collection can free (allocation noise is far smaller).
      collectGarbage();
      const grown = process.memoryUsage().heapUsed - heapBefore;
      assert.ok(grown > 1.5 * 1024 * 1024, `heap grew by ${(grown / 1048576).toFixed(1)} MB`);
    } finally {
      await normal.stop();
      await trapped.stop();
    }
  });

  test('grc alone against stubbed departments: /health reports an unreachable dependency with 503 and recovers; sequential 360, the slowdown and the added latency show in its latency', async () => {
    const stubPort = await freePort();
    const deps = { 'customer-service': `http://127.0.0.1:${stubPort}`, legal: `http://127.0.0.1:${stubPort}`, sales: `http://127.0.0.1:${stubPort}`, billing: `http://127.0.0.1:${stubPort}` };
    const grcOnly = (traps: typeof NO_TRAPS) => startSut({ only: ['grc'], ports: ANY_PORTS, dependencyUrls: deps, traps, healthTimeoutMs: 0 });
    const parallel = await grcOnly(NO_TRAPS);
    let stub: Awaited<ReturnType<typeof startSlowDepartments>> | undefined;
    const others: RunningSut[] = [];
    try {
      const down = await http<{ status: string; dependencies: Record<string, { status: string }> }>('GET', `${parallel.urls.grc}/health`);
      assert.equal(down.status, 503);
      assert.equal(down.body.dependencies.legal?.status, 'down');
      assert.equal(down.body.dependencies.database?.status, 'up');
      const seeded = await seedSut(parallel.urls, { persons: 3, seed: 'stub' }); // grc alone: only grc is seeded
      assert.deepEqual(Object.keys(seeded.rows), ['grc']);
      const id = personAt('stub', 1).id;
      assert.equal((await http('GET', `${parallel.urls.grc}/persons/${id}/360`)).status, 503, 'a dependency down: 503, not 500');

      stub = await startSlowDepartments(stubPort, 60);
      assert.equal((await http('GET', `${parallel.urls.grc}/health`)).status, 200, 'recovered');

      const sequential = await grcOnly({ ...NO_TRAPS, sequential360: true });
      const slowed = await grcOnly({ ...NO_TRAPS, slowdownPct: 50 });
      const delayed = await grcOnly({ ...NO_TRAPS, latencyMs: 100 });
      others.push(sequential, slowed, delayed);
      for (const s of others) await seedSut(s.urls, { persons: 3, seed: 'stub' });
      const timeOf = async (sut: RunningSut) => {
        const xs: number[] = [];
        for (let i = 0; i < 7; i++) {
          const t0 = performance.now();
          const r = await http('GET', `${sut.urls.grc}/persons/${id}/360`);
          assert.equal(r.status, 200);
          xs.push(performance.now() - t0);
        }
        return median(xs);
      };
      const [tParallel, tSequential, tSlowed, tDelayed] = [await timeOf(parallel), await timeOf(sequential), await timeOf(slowed), await timeOf(delayed)];
      assert.ok(tDelayed - tParallel > 80 && tDelayed - tParallel < 160, `+100 ms on the route: ${tDelayed.toFixed(0)} vs ${tParallel.toFixed(0)} ms`);
      const other = performance.now();
      assert.equal((await http('GET', `${delayed.urls.grc}/persons/${id}`)).status, 200);
      assert.ok(performance.now() - other < 80, 'other routes are not delayed');
      assert.ok(tParallel >= 60 && tParallel < 150, `parallel 360 ≈ one department call (60 ms): ${tParallel.toFixed(0)} ms`);
      assert.ok(tSequential >= 240, `sequential 360 ≈ four department calls: ${tSequential.toFixed(0)} ms`);
      const ratio = tSlowed / tParallel;
      assert.ok(ratio > 1.3 && ratio < 1.8, `+50% slowdown of the route's own time: ${tSlowed.toFixed(0)} vs ${tParallel.toFixed(0)} ms (×${ratio.toFixed(2)})`);
    } finally {
      await parallel.stop();
      for (const s of others) await s.stop();
      await stub?.close();
    }
  });
});
