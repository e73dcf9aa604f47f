/**
 * legal — Département Légal: health declarations (sensitive: masked unless the caller's role allows them)
 * and contracts with their digital copy; tells sales when a contract is signed.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { dbOf, notFound, onceFor, type ServiceContext, type ServiceModule } from '../lib/app.js';
import { PRODUCTS, REFERENCE_DATE, type SeedPerson } from '../lib/french-data.js';
import { forEachPersonBatch, insertRows } from '../lib/seed-sql.js';
import { maskHealth, roleOf } from '../lib/sensitive.js';
import { uuidParam } from '../lib/schemas.js';

interface HealthRow {
  person_id: string;
  tobacco: boolean;
  alcohol: string;
  illnesses: string;
}
interface ContractRow {
  id: string;
  person_id: string;
  product: string;
  status: string;
  signed_at: Date;
  offer_id: number | null;
  document_name: string;
  document_type: string;
  document_sha256: string;
}
const CONTRACT_COLUMNS = 'id, person_id, product, status, signed_at, offer_id, document_name, document_type, document_sha256';
const contractJson = (c: ContractRow) => ({ id: c.id, personId: c.person_id, product: c.product, status: c.status, signedAt: new Date(c.signed_at).toISOString(), offerId: c.offer_id, document: { name: c.document_name, type: c.document_type, sha256: c.document_sha256, href: `/contracts/${c.id}/document` } });
const healthJson = (h: HealthRow) => ({ tobacco: h.tobacco, alcohol: h.alcohol, illnesses: h.illnesses ? h.illnesses.split('|') : [] });

/** The stored digital copy: a small text rendering of the signed contract. */
export function contractDocument(contractId: string, personName: string, product: string, signedAt: string): string {
  return `LAE — Contrat ${product}\nN° ${contractId}\nSouscripteur : ${personName}\nSigné le ${signedAt.slice(0, 10)}\nConditions générales LAE-CG-2026, conditions particulières jointes.\n`;
}
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

async function recordContract(ctx: ServiceContext, personId: string, product: string, offerId: number | null, id: string = randomUUID()): Promise<ContractRow | undefined> {
  const db = dbOf(ctx);
  const [p] = await db.query<{ last_name: string; first_name: string }>('SELECT last_name, first_name FROM legal.persons WHERE person_id = $1', [personId]);
  if (!p) return undefined;
  const signedAt = new Date().toISOString();
  const doc = contractDocument(id, `${p.first_name} ${p.last_name}`, product, signedAt);
  const [inserted] = await db.query<ContractRow>(
    `INSERT INTO legal.contracts (id, person_id, product, status, signed_at, offer_id, document_name, document_type, document_sha256, document)
     VALUES ($1, $2, $3, 'signed', $4, $5, $6, 'text/plain', $7, convert_to($8, 'UTF8')) ON CONFLICT (id) DO NOTHING RETURNING ${CONTRACT_COLUMNS}`,
    [id, personId, product, signedAt, offerId, `contrat-${id}.txt`, sha256(doc), doc],
  );
  // Already there (a redelivered request): announce it again, sales applies it idempotently.
  const [c] = inserted ? [inserted] : await db.query<ContractRow>(`SELECT ${CONTRACT_COLUMNS} FROM legal.contracts WHERE id = $1`, [id]);
  if (c) await ctx.publish('contract.signed', { contractId: c.id, personId, offerId, product });
  return c;
}

function routes(app: FastifyInstance, ctx: ServiceContext): void {
  const db = dbOf(ctx);
  const health = async (id: string): Promise<HealthRow> => {
    const [h] = await db.query<HealthRow>('SELECT person_id, tobacco, alcohol, illnesses FROM legal.persons WHERE person_id = $1', [id]);
    if (!h) throw notFound('person', id);
    return h;
  };
  const contractsOf = (id: string) => db.query<ContractRow>(`SELECT ${CONTRACT_COLUMNS} FROM legal.contracts WHERE person_id = $1 ORDER BY signed_at DESC, id`, [id]);

  app.get<{ Params: { id: string } }>('/persons/:id/summary', { schema: { params: uuidParam } }, async (request) => {
    const h = await health(request.params.id);
    const contracts = await contractsOf(request.params.id);
    return { healthDeclaration: maskHealth(healthJson(h), roleOf(request.headers)), contracts: contracts.map(contractJson) };
  });

  app.get<{ Params: { id: string } }>('/persons/:id/health-declaration', { schema: { params: uuidParam } }, async (request) => ({
    personId: request.params.id,
    healthDeclaration: maskHealth(healthJson(await health(request.params.id)), roleOf(request.headers)),
  }));

  app.put<{ Params: { id: string }; Body: { tobacco: boolean; alcohol: string; illnesses: string[] } }>(
    '/persons/:id/health-declaration',
    { schema: { params: uuidParam, body: { type: 'object', additionalProperties: false, required: ['tobacco', 'alcohol', 'illnesses'], properties: { tobacco: { type: 'boolean' }, alcohol: { enum: ['none', 'occasional', 'regular'] }, illnesses: { type: 'array', maxItems: 20, items: { type: 'string', minLength: 1, maxLength: 100, pattern: '^[^|]+$' } } } } } },
    async (request, reply) => {
      const b = request.body;
      const rows = await db.query('UPDATE legal.persons SET tobacco = $2, alcohol = $3, illnesses = $4, declared_at = now() WHERE person_id = $1 RETURNING person_id', [request.params.id, b.tobacco, b.alcohol, b.illnesses.join('|')]);
      if (rows.length === 0) throw notFound('person', request.params.id);
      return reply.code(204).send();
    },
  );

  app.get<{ Params: { id: string } }>('/persons/:id/contracts', { schema: { params: uuidParam } }, async (request) => {
    await health(request.params.id);
    return { items: (await contractsOf(request.params.id)).map(contractJson) };
  });

  app.post<{ Params: { id: string }; Body: { product: string } }>(
    '/persons/:id/contracts',
    { schema: { params: uuidParam, body: { type: 'object', additionalProperties: false, required: ['product'], properties: { product: { enum: PRODUCTS } } } } },
    async (request, reply) => {
      const c = await recordContract(ctx, request.params.id, request.body.product, null);
      if (!c) throw notFound('person', request.params.id);
      return reply.code(201).send(contractJson(c));
    },
  );

  app.get<{ Params: { id: string } }>('/contracts/:id', { schema: { params: uuidParam } }, async (request) => {
    const [c] = await db.query<ContractRow>(`SELECT ${CONTRACT_COLUMNS} FROM legal.contracts WHERE id = $1`, [request.params.id]);
    if (!c) throw notFound('contract', request.params.id);
    return contractJson(c);
  });

  app.get<{ Params: { id: string } }>('/contracts/:id/document', { schema: { params: uuidParam } }, async (request, reply) => {
    const [d] = await db.query<{ document_type: string; document_name: string; body: string }>("SELECT document_type, document_name, convert_from(document, 'UTF8') AS body FROM legal.contracts WHERE id = $1", [request.params.id]);
    if (!d) throw notFound('contract', request.params.id);
    return reply.header('content-type', `${d.document_type}; charset=utf-8`).header('content-disposition', `inline; filename="${d.document_name}"`).send(d.body);
  });
}

const seedContract = (p: SeedPerson, i: number) => {
  const signedAt = new Date(REFERENCE_DATE - (30 + (i % 700)) * 86400000).toISOString();
  const doc = contractDocument(p.contractId, `${p.firstName} ${p.lastName}`, p.product, signedAt);
  return [p.contractId, p.id, p.product, 'signed', signedAt, `contrat-${p.contractId}.txt`, 'text/plain', sha256(doc), doc];
};

export const legal: ServiceModule = {
  name: 'legal',
  routes,
  consumers: {
    'person.created': async (event, ctx) => {
      const p = event.payload as { personId: string; lastName: string; firstName: string };
      await onceFor(dbOf(ctx), 'legal', event, 'INSERT INTO legal.persons (person_id, last_name, first_name) SELECT $2::uuid, $3, $4 WHERE EXISTS (SELECT 1 FROM first) ON CONFLICT (person_id) DO NOTHING', [p.personId, p.lastName, p.firstName]);
    },
    'contract.requested': async (event, ctx) => {
      const p = event.payload as { personId: string; product: string; offerId: number };
      // The contract id is the request's event id, so a redelivered request cannot sign twice.
      await recordContract(ctx, p.personId, p.product, p.offerId, event.id);
    },
  },
  async seed(ctx, persons, seed) {
    const db = dbOf(ctx);
    await db.exec('TRUNCATE legal.persons, legal.contracts, legal.processed_events');
    let i = 0;
    await forEachPersonBatch(persons, seed, async (batch) => {
      await insertRows(db, 'legal.persons', [['person_id', 'uuid'], ['last_name', 'text'], ['first_name', 'text'], ['tobacco', 'boolean'], ['alcohol', 'text'], ['illnesses', 'text'], ['declared_at', 'timestamptz']],
        batch.map((p) => [p.id, p.lastName, p.firstName, p.tobacco, p.alcohol, p.illnesses.join('|'), new Date(REFERENCE_DATE).toISOString()]));
      const rows = batch.map((p) => seedContract(p, i++));
      for (let s = 0; s < rows.length; s += 5000) {
        const chunk = rows.slice(s, s + 5000);
        const col = (k: number) => chunk.map((r) => r[k] as string);
        await db.query(
          `INSERT INTO legal.contracts (id, person_id, product, status, signed_at, document_name, document_type, document_sha256, document)
           SELECT id, person_id, product, status, signed_at, name, type, sha, convert_to(doc, 'UTF8') FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::text[], $8::text[], $9::text[]) AS t(id, person_id, product, status, signed_at, name, type, sha, doc)`,
          [col(0), col(1), col(2), col(3), col(4), col(5), col(6), col(7), col(8)],
        );
      }
    });
    await db.exec('ANALYZE legal.persons; ANALYZE legal.contracts');
    return { persons, contracts: persons };
  },
};
