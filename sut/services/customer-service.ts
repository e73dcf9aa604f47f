/**
 * customer-service — Service Client: contacts (the owner of contact details), the call log, and the
 * ticketing tool: every logged call becomes a ticket through its Zendesk-compatible API, carrying no
 * sensitive data. A call can be redirected to a department.
 */
import type { FastifyInstance } from 'fastify';
import { dbOf, HttpError, notFound, onceFor, type ServiceContext, type ServiceModule } from '../lib/app.js';
import { callReasons, REFERENCE_DATE } from '../lib/french-data.js';
import { countRows, forEachPersonBatch, insertRows } from '../lib/seed-sql.js';
import { scrubFreeText } from '../lib/sensitive.js';
import { migrate } from '../lib/migrate.js';
import { availability, DEPARTMENTS, email, intIdParam, name, phone, uuidParam } from '../lib/schemas.js';

interface ContactRow {
  person_id: string;
  last_name: string;
  first_name: string;
  email: string;
  phone: string;
  availability: string;
}
interface CallRow {
  id: number;
  reason: string;
  called_at: Date;
  operator: string;
  actions: string;
  redirected_to: string | null;
  ticket_id: string | null;
}

const contactJson = (c: ContactRow) => ({ personId: c.person_id, lastName: c.last_name, firstName: c.first_name, email: c.email, phone: c.phone, availability: c.availability });
const callJson = (c: CallRow) => ({ id: c.id, reason: c.reason, calledAt: new Date(c.called_at).toISOString(), operator: c.operator, actions: c.actions, redirectedTo: c.redirected_to, ticketId: c.ticket_id });
const CALL_COLUMNS = 'id, reason, called_at, operator, actions, redirected_to, ticket_id';

/** The ticket sent to the ticketing SaaS: reason, date, operator actions; never health data or bank details. */
export function ticketFor(contact: ContactRow, call: { reason: string; actions: string; operator: string; calledAt: string; redirectTo?: string }) {
  return {
    ticket: {
      subject: scrubFreeText(`Appel : ${call.reason}`),
      comment: { body: scrubFreeText(`${call.actions || '(aucune action)'}\n\nAppel du ${call.calledAt}, opérateur ${call.operator}${call.redirectTo ? `, redirigé vers ${call.redirectTo}` : ''}.`), public: false },
      requester: { name: `${contact.first_name} ${contact.last_name}`, email: contact.email },
      external_id: contact.person_id,
      tags: ['service-client', ...(call.redirectTo ? [`redirection-${call.redirectTo}`] : [])],
    },
  };
}

function routes(app: FastifyInstance, ctx: ServiceContext): void {
  const db = dbOf(ctx);
  const getContact = async (id: string): Promise<ContactRow> => {
    const [c] = await db.query<ContactRow>('SELECT person_id, last_name, first_name, email, phone, availability FROM customer_service.contacts WHERE person_id = $1', [id]);
    if (!c) throw notFound('contact', id);
    return c;
  };

  app.get<{ Params: { id: string } }>('/contacts/:id', { schema: { params: uuidParam } }, async (request) => contactJson(await getContact(request.params.id)));

  app.put<{ Params: { id: string }; Body: { lastName?: string; firstName?: string; email?: string; phone?: string; availability?: string } }>(
    '/contacts/:id',
    { schema: { params: uuidParam, body: { type: 'object', additionalProperties: false, minProperties: 1, properties: { lastName: name, firstName: name, email, phone, availability } } } },
    async (request) => {
      const b = request.body;
      const [c] = await db.query<ContactRow>(
        `UPDATE customer_service.contacts SET last_name = COALESCE($2, last_name), first_name = COALESCE($3, first_name), email = COALESCE($4, email), phone = COALESCE($5, phone), availability = COALESCE($6, availability), updated_at = now()
         WHERE person_id = $1 RETURNING person_id, last_name, first_name, email, phone, availability`,
        [request.params.id, b.lastName ?? null, b.firstName ?? null, b.email ?? null, b.phone ?? null, b.availability ?? null],
      );
      if (!c) throw notFound('contact', request.params.id);
      return contactJson(c);
    },
  );

  app.get<{ Params: { id: string } }>('/persons/:id/summary', { schema: { params: uuidParam } }, async (request) => {
    const contact = await getContact(request.params.id);
    const calls = await db.query<CallRow>(`SELECT ${CALL_COLUMNS} FROM customer_service.calls WHERE person_id = $1 ORDER BY called_at DESC, id DESC LIMIT 5`, [request.params.id]);
    return { contact: contactJson(contact), recentCalls: calls.map(callJson) };
  });

  app.get<{ Params: { id: string }; Querystring: { limit: number; offset: number } }>(
    '/contacts/:id/calls',
    { schema: { params: uuidParam, querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 }, offset: { type: 'integer', minimum: 0, default: 0 } } } } },
    async (request) => {
      await getContact(request.params.id);
      const rows = await db.query<CallRow>(`SELECT ${CALL_COLUMNS} FROM customer_service.calls WHERE person_id = $1 ORDER BY called_at DESC, id DESC LIMIT $2 OFFSET $3`, [request.params.id, request.query.limit, request.query.offset]);
      return { items: rows.map(callJson) };
    },
  );

  app.post<{ Params: { id: string }; Body: { reason: string; operator: string; actions?: string; redirectTo?: string } }>(
    '/contacts/:id/calls',
    {
      schema: {
        params: uuidParam,
        body: { type: 'object', additionalProperties: false, required: ['reason', 'operator'], properties: { reason: { type: 'string', minLength: 3, maxLength: 200 }, operator: { type: 'string', minLength: 1, maxLength: 64 }, actions: { type: 'string', maxLength: 4000 }, redirectTo: { enum: [...DEPARTMENTS.filter((d) => d !== 'customer-service')] } } },
      },
    },
    async (request, reply) => {
      const contact = await getContact(request.params.id);
      const b = request.body;
      const calledAt = new Date().toISOString();
      const t = await ctx.call<{ ticket?: { id?: number | string } }>('ticketing', '/api/v2/tickets.json', { method: 'POST', body: ticketFor(contact, { ...b, actions: b.actions ?? '', calledAt }) });
      if (t.status !== 201 && t.status !== 200) throw new HttpError(502, `ticketing answered ${t.status}`);
      const ticketId = t.body?.ticket?.id !== undefined ? String(t.body.ticket.id) : null;
      const [call] = await db.query<CallRow>(
        `INSERT INTO customer_service.calls (person_id, reason, called_at, operator, actions, redirected_to, ticket_id) VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING ${CALL_COLUMNS}`,
        [contact.person_id, b.reason, calledAt, b.operator, b.actions ?? '', b.redirectTo ?? null, ticketId],
      );
      return reply.code(201).send(callJson(call as CallRow));
    },
  );

  app.post<{ Params: { id: number }; Body: { department: string } }>(
    '/calls/:id/redirect',
    { schema: { params: intIdParam, body: { type: 'object', additionalProperties: false, required: ['department'], properties: { department: { enum: ['legal', 'sales', 'billing'] } } } } },
    async (request) => {
      const [c] = await db.query<CallRow>(`UPDATE customer_service.calls SET redirected_to = $2 WHERE id = $1 RETURNING ${CALL_COLUMNS}`, [request.params.id, request.body.department]);
      if (!c) throw notFound('call', request.params.id);
      return callJson(c);
    },
  );
}

export const customerService: ServiceModule = {
  name: 'customer-service',
  routes,
  consumers: {
    'person.created': async (event, ctx) => {
      const p = event.payload as { personId: string; lastName: string; firstName: string; email: string; phone: string };
      await onceFor(dbOf(ctx), 'customer_service', event,
        'INSERT INTO customer_service.contacts (person_id, last_name, first_name, email, phone) SELECT $2::uuid, $3, $4, $5, $6 WHERE EXISTS (SELECT 1 FROM first) ON CONFLICT (person_id) DO NOTHING',
        [p.personId, p.lastName, p.firstName, p.email, p.phone]);
    },
  },
  async seed(ctx, persons, seed) {
    const db = dbOf(ctx);
    await db.exec('TRUNCATE customer_service.contacts, customer_service.calls, customer_service.processed_events RESTART IDENTITY');
    await db.exec('DROP INDEX IF EXISTS customer_service.calls_person_idx'); // rebuilt once after the bulk load
    await forEachPersonBatch(persons, seed, (batch) =>
      insertRows(db, 'customer_service.contacts', [['person_id', 'uuid'], ['last_name', 'text'], ['first_name', 'text'], ['email', 'text'], ['phone', 'text'], ['updated_at', 'timestamptz']], batch.map((p) => [p.id, p.lastName, p.firstName, p.email, p.phone, new Date(REFERENCE_DATE).toISOString()])),
    );
    // Three past calls per person, derived in SQL from the contact (deterministic: hashtext, fixed dates).
    await db.query(
      `INSERT INTO customer_service.calls (person_id, reason, called_at, operator, actions, ticket_id)
       SELECT c.person_id, ($1::text[])[1 + abs(hashtext(c.person_id::text || g)) % array_length($1::text[], 1)],
              $2::timestamptz - ((g * 61 + abs(hashtext(c.person_id::text)) % 60) || ' days')::interval,
              'operateur-' || (1 + abs(hashtext(c.person_id::text || 'op' || g)) % 40), 'renseignement donné', 'seed-' || g
       FROM customer_service.contacts c CROSS JOIN generate_series(1, 3) g ORDER BY c.person_id, g`,
      [callReasons(), new Date(REFERENCE_DATE).toISOString()],
    );
    await migrate(db, 'customer_service');
    await db.exec('ANALYZE customer_service.contacts; ANALYZE customer_service.calls');
    return { contacts: persons, calls: await countRows(db, 'customer_service.calls') };
  },
};
