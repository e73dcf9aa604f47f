/**
 * billing — Département Facturation: IBAN and SEPA mandate (masked unless the caller's role allows them),
 * the paged billing history, invoices (recorded on request or by sales' events); tells sales.
 */
import type { FastifyInstance } from 'fastify';
import { dbOf, HttpError, notFound, onceFor, type ServiceContext, type ServiceModule } from '../lib/app.js';
import { isValidIban, REFERENCE_DATE } from '../lib/french-data.js';
import { forEachPersonBatch, insertRows } from '../lib/seed-sql.js';
import { ibanFor, roleOf } from '../lib/sensitive.js';
import { uuidParam } from '../lib/schemas.js';
import { migrate } from '../lib/migrate.js';

interface AccountRow {
  person_id: string;
  last_name: string;
  first_name: string;
  email: string;
  phone: string;
  iban: string | null;
  sepa_mandate_ref: string | null;
  sepa_signed_at: Date | null;
}
interface InvoiceRow {
  id: number;
  issued_at: Date;
  period: string;
  amount_cents: number;
  status: string;
  offer_id: number | null;
}
interface LineRow {
  invoice_id: number;
  label: string;
  amount_cents: number;
}

const INVOICES_PER_PERSON = 12;
const ACCOUNT_COLUMNS = 'person_id, last_name, first_name, email, phone, iban, sepa_mandate_ref, sepa_signed_at';
const accountJson = (a: AccountRow, role: string) => ({
  personId: a.person_id,
  holder: `${a.first_name} ${a.last_name}`,
  email: a.email,
  iban: ibanFor(a.iban, role),
  sepaMandate: a.sepa_mandate_ref ? { reference: a.sepa_mandate_ref, signedAt: a.sepa_signed_at ? new Date(a.sepa_signed_at).toISOString() : null } : null,
});
const invoiceJson = (i: InvoiceRow, lines?: LineRow[]) => ({
  id: i.id,
  issuedAt: new Date(i.issued_at).toISOString(),
  period: i.period,
  amountCents: i.amount_cents,
  status: i.status,
  offerId: i.offer_id,
  ...(lines ? { lines: lines.map((l) => ({ label: l.label, amountCents: l.amount_cents })) } : {}),
});

/**
 * Records an invoice and its lines in one statement. With `eventId` (an invoice request from sales) the
 * "processed" mark is part of that statement: a redelivered request records nothing and only announces
 * the invoice it already made.
 */
async function recordInvoice(ctx: ServiceContext, personId: string, period: string, lines: { label: string; amountCents: number }[], offerId: number | null, eventId: string | null = null): Promise<InvoiceRow | undefined> {
  const total = lines.reduce((s, l) => s + l.amountCents, 0);
  const db = dbOf(ctx);
  let [inv] = await db.query<InvoiceRow>(
    `WITH first AS (INSERT INTO billing.processed_events (event_id) SELECT $7::uuid WHERE $7::uuid IS NOT NULL ON CONFLICT DO NOTHING RETURNING event_id),
     inv AS (
       INSERT INTO billing.invoices (person_id, issued_at, period, amount_cents, status, offer_id)
       SELECT $1, now(), $2, $3, 'due', $4 WHERE EXISTS (SELECT 1 FROM billing.accounts WHERE person_id = $1) AND ($7::uuid IS NULL OR EXISTS (SELECT 1 FROM first))
       RETURNING id, issued_at, period, amount_cents, status, offer_id),
     l AS (INSERT INTO billing.invoice_lines (invoice_id, label, amount_cents) SELECT inv.id, x.label, x.amount FROM inv, unnest($5::text[], $6::int[]) AS x(label, amount))
     SELECT * FROM inv`,
    [personId, period, total, offerId, lines.map((l) => l.label), lines.map((l) => l.amountCents), eventId],
  );
  if (!inv && eventId !== null && offerId !== null) {
    [inv] = await db.query<InvoiceRow>('SELECT id, issued_at, period, amount_cents, status, offer_id FROM billing.invoices WHERE offer_id = $1 ORDER BY id LIMIT 1', [offerId]);
  }
  if (inv) await ctx.publish('invoice.recorded', { invoiceId: inv.id, personId, offerId, amountCents: total });
  return inv;
}

/** A page of a person's billing history, newest first, each invoice with its lines. */
async function historyPage(ctx: ServiceContext, personId: string, page: number, pageSize: number) {
  const db = dbOf(ctx);
  const invoices = await db.query<InvoiceRow>('SELECT id, issued_at, period, amount_cents, status, offer_id FROM billing.invoices WHERE person_id = $1 ORDER BY issued_at DESC, id DESC LIMIT $2 OFFSET $3', [personId, pageSize, (page - 1) * pageSize]);
  let lines: LineRow[];
  if (ctx.traps.nPlusOne) {
    // SUT_TRAP_N_PLUS_ONE: one query per invoice of the page.
    lines = [];
    for (const inv of invoices) lines.push(...(await db.query<LineRow>('SELECT invoice_id, label, amount_cents FROM billing.invoice_lines WHERE invoice_id = $1 ORDER BY id', [inv.id])));
  } else {
    lines = await db.query<LineRow>('SELECT invoice_id, label, amount_cents FROM billing.invoice_lines WHERE invoice_id = ANY($1::int[]) ORDER BY id', [invoices.map((i) => i.id)]);
  }
  const byInvoice = new Map<number, LineRow[]>();
  for (const l of lines) byInvoice.set(l.invoice_id, [...(byInvoice.get(l.invoice_id) ?? []), l]);
  return invoices.map((i) => invoiceJson(i, byInvoice.get(i.id) ?? []));
}

function routes(app: FastifyInstance, ctx: ServiceContext): void {
  const db = dbOf(ctx);
  const account = async (id: string): Promise<AccountRow> => {
    const [a] = await db.query<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM billing.accounts WHERE person_id = $1`, [id]);
    if (!a) throw notFound('person', id);
    return a;
  };

  app.get<{ Params: { id: string } }>('/persons/:id/summary', { schema: { params: uuidParam } }, async (request) => {
    const a = await account(request.params.id);
    // The 360° view shows the first page of the history (3 invoices), through the same code path.
    return { account: accountJson(a, roleOf(request.headers)), lastInvoices: await historyPage(ctx, request.params.id, 1, 3) };
  });

  app.get<{ Params: { id: string } }>('/persons/:id/account', { schema: { params: uuidParam } }, async (request) => accountJson(await account(request.params.id), roleOf(request.headers)));

  app.put<{ Params: { id: string }; Body: { iban: string; sepaMandateRef?: string } }>(
    '/persons/:id/bank-details',
    { schema: { params: uuidParam, body: { type: 'object', additionalProperties: false, required: ['iban'], properties: { iban: { type: 'string', pattern: '^[A-Z]{2}[0-9]{2}[A-Z0-9 ]{11,40}$' }, sepaMandateRef: { type: 'string', minLength: 1, maxLength: 35 } } } } },
    async (request, reply) => {
      const iban = request.body.iban.replace(/\s+/g, '');
      if (!isValidIban(iban)) throw new HttpError(400, 'body.iban has wrong check digits (ISO 13616 mod 97)');
      const rows = await db.query('UPDATE billing.accounts SET iban = $2, sepa_mandate_ref = COALESCE($3, sepa_mandate_ref), sepa_signed_at = CASE WHEN $3::text IS NULL THEN sepa_signed_at ELSE now() END, updated_at = now() WHERE person_id = $1 RETURNING person_id', [request.params.id, iban, request.body.sepaMandateRef ?? null]);
      if (rows.length === 0) throw notFound('person', request.params.id);
      return reply.code(204).send();
    },
  );

  app.get<{ Params: { id: string }; Querystring: { page: number; pageSize: number } }>(
    '/persons/:id/invoices',
    { schema: { params: uuidParam, querystring: { type: 'object', additionalProperties: false, properties: { page: { type: 'integer', minimum: 1, maximum: 10000, default: 1 }, pageSize: { type: 'integer', minimum: 1, maximum: 100, default: 10 } } } } },
    async (request) => {
      const { id } = request.params;
      const { page, pageSize } = request.query;
      await account(id);
      const [{ total } = { total: 0 }] = await db.query<{ total: number }>('SELECT count(*)::int AS total FROM billing.invoices WHERE person_id = $1', [id]);
      return { personId: id, page, pageSize, total, items: await historyPage(ctx, id, page, pageSize) };
    },
  );

  app.post<{ Params: { id: string }; Body: { period: string; lines: { label: string; amountCents: number }[]; offerId?: number } }>(
    '/persons/:id/invoices',
    {
      schema: {
        params: uuidParam,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['period', 'lines'],
          properties: {
            period: { type: 'string', pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$' },
            lines: { type: 'array', minItems: 1, maxItems: 50, items: { type: 'object', additionalProperties: false, required: ['label', 'amountCents'], properties: { label: { type: 'string', minLength: 1, maxLength: 200 }, amountCents: { type: 'integer', minimum: 0, maximum: 100_000_000 } } } },
            offerId: { type: 'integer', minimum: 1 },
          },
        },
      },
    },
    async (request, reply) => {
      const inv = await recordInvoice(ctx, request.params.id, request.body.period, request.body.lines, request.body.offerId ?? null);
      if (!inv) throw notFound('person', request.params.id);
      return reply.code(201).send(invoiceJson(inv, request.body.lines.map((l) => ({ invoice_id: inv.id, label: l.label, amount_cents: l.amountCents }))));
    },
  );
}

export const billing: ServiceModule = {
  name: 'billing',
  routes,
  consumers: {
    'person.created': async (event, ctx) => {
      const p = event.payload as { personId: string; lastName: string; firstName: string; email: string; phone: string };
      await onceFor(dbOf(ctx), 'billing', event,
        'INSERT INTO billing.accounts (person_id, last_name, first_name, email, phone) SELECT $2::uuid, $3, $4, $5, $6 WHERE EXISTS (SELECT 1 FROM first) ON CONFLICT (person_id) DO NOTHING',
        [p.personId, p.lastName, p.firstName, p.email, p.phone]);
    },
    'contact.updated': async (event, ctx) => {
      const p = event.payload as { personId: string; lastName: string; firstName: string; email: string; phone: string };
      await onceFor(dbOf(ctx), 'billing', event,
        'UPDATE billing.accounts SET last_name = $3, first_name = $4, email = $5, phone = $6, updated_at = $7 WHERE person_id = $2 AND updated_at <= $7 AND EXISTS (SELECT 1 FROM first)',
        [p.personId, p.lastName, p.firstName, p.email, p.phone, event.occurredAt]);
    },
    'invoice.requested': async (event, ctx) => {
      const p = event.payload as { personId: string; offerId: number; label: string; amountCents: number };
      await recordInvoice(ctx, p.personId, event.occurredAt.slice(0, 7), [{ label: p.label, amountCents: p.amountCents }], p.offerId, event.id);
    },
  },
  async seed(ctx, persons, seed) {
    const db = dbOf(ctx);
    await db.exec('TRUNCATE billing.accounts, billing.invoices, billing.invoice_lines, billing.processed_events RESTART IDENTITY');
    // Bulk load without the history indexes, rebuilt once at the end (several times faster than maintaining them).
    await db.exec('DROP INDEX IF EXISTS billing.invoices_person_idx; DROP INDEX IF EXISTS billing.invoice_lines_invoice_idx');
    const ref = new Date(REFERENCE_DATE).toISOString();
    await forEachPersonBatch(persons, seed, (batch) =>
      insertRows(db, 'billing.accounts', [['person_id', 'uuid'], ['last_name', 'text'], ['first_name', 'text'], ['email', 'text'], ['phone', 'text'], ['iban', 'text'], ['sepa_mandate_ref', 'text'], ['sepa_signed_at', 'timestamptz'], ['updated_at', 'timestamptz']],
        batch.map((p) => [p.id, p.lastName, p.firstName, p.email, p.phone, p.iban, p.sepaMandateRef, ref, ref])),
    );
    // A year of monthly invoices per person, two lines each, generated set-based in SQL.
    await db.query(
      `INSERT INTO billing.invoices (person_id, issued_at, period, amount_cents, status)
       SELECT a.person_id, $1::timestamptz - (g || ' months')::interval, to_char($1::timestamptz - (g || ' months')::interval, 'YYYY-MM'),
              2000 + abs(hashtext(a.person_id::text)) % 8000, CASE WHEN g = 0 THEN 'due' ELSE 'paid' END
       FROM billing.accounts a CROSS JOIN generate_series(0, $2::int - 1) g ORDER BY a.person_id, g`,
      [ref, INVOICES_PER_PERSON],
    );
    await db.exec(`INSERT INTO billing.invoice_lines (invoice_id, label, amount_cents)
       SELECT id, label, amount FROM (
         SELECT id, 1 AS k, 'Cotisation ' || period AS label, amount_cents - 150 AS amount FROM billing.invoices
         UNION ALL SELECT id, 2, 'Frais de gestion', 150 FROM billing.invoices) x`);
    await migrate(db, 'billing');
    await db.exec('ANALYZE billing.accounts; ANALYZE billing.invoices; ANALYZE billing.invoice_lines');
    return { accounts: persons, invoices: persons * INVOICES_PER_PERSON, invoiceLines: persons * INVOICES_PER_PERSON * 2 };
  },
};
