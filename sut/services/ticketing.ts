/**
 * ticketing — a small Zendesk-compatible fake (POST /api/v2/tickets.json, GET /api/v2/tickets/{id}.json,
 * GET /api/v2/tickets.json), started only when no TICKETING_URL is given. Campaigns replace it by a WireMock
 * stub. It keeps the last tickets in memory (bounded) so that tests can read what was sent.
 */
import type { FastifyInstance } from 'fastify';
import { notFound, type ServiceModule } from '../lib/app.js';

const KEEP = 5000;

interface Ticket {
  id: number;
  subject: string;
  description: string;
  status: 'new';
  requester: unknown;
  external_id: string | null;
  tags: string[];
  created_at: string;
}

function routes(app: FastifyInstance): void {
  const tickets = new Map<number, Ticket>();
  let nextId = 1;
  app.post<{ Body: { ticket: { subject?: string; comment: { body: string }; requester?: unknown; external_id?: string; tags?: string[] } } }>(
    '/api/v2/tickets.json',
    {
      schema: {
        body: {
          type: 'object',
          required: ['ticket'],
          properties: { ticket: { type: 'object', required: ['comment'], properties: { subject: { type: 'string' }, comment: { type: 'object', required: ['body'], properties: { body: { type: 'string', minLength: 1 } } }, external_id: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } } } } },
        },
      },
    },
    async (request, reply) => {
      const t = request.body.ticket;
      const ticket: Ticket = { id: nextId++, subject: t.subject ?? '', description: t.comment.body, status: 'new', requester: t.requester ?? null, external_id: t.external_id ?? null, tags: t.tags ?? [], created_at: new Date().toISOString() };
      tickets.set(ticket.id, ticket);
      if (tickets.size > KEEP) tickets.delete(tickets.keys().next().value as number);
      return reply.code(201).header('location', `/api/v2/tickets/${ticket.id}.json`).send({ ticket });
    },
  );
  app.get<{ Params: { id: number } }>('/api/v2/tickets/:id.json', { schema: { params: { type: 'object', properties: { id: { type: 'integer' } } } } }, async (request) => {
    const t = tickets.get(request.params.id);
    if (!t) throw notFound('ticket', request.params.id);
    return { ticket: t };
  });
  app.get('/api/v2/tickets.json', async () => ({ tickets: [...tickets.values()].slice(-100), count: tickets.size }));
}

export const ticketing: ServiceModule = { name: 'ticketing', routes };
