/**
 * sales — Département Vente: profile (age category, profession, sex) and offers. Accepting an offer asks
 * legal for a contract and billing for an invoice (events); their answers come back as events too.
 */
import type { FastifyInstance } from 'fastify';
import { dbOf, HttpError, notFound, onceFor, type ServiceContext, type ServiceModule } from '../lib/app.js';
import { ageCategory, PRODUCTS, REFERENCE_DATE } from '../lib/french-data.js';
import { forEachPersonBatch, insertRows } from '../lib/seed-sql.js';
import { intIdParam, uuidParam } from '../lib/schemas.js';

interface ProfileRow {
  person_id: string;
  last_name: string;
  first_name: string;
  email: string;
  phone: string;
  age_category: string;
  profession: string;
  sex: string;
}
interface OfferRow {
  id: number;
  person_id: string;
  product: string;
  monthly_premium_cents: number;
  status: string;
  proposed_at: Date;
  accepted_at: Date | null;
  contract_id: string | null;
  invoice_id: number | null;
}
const OFFER_COLUMNS = 'id, person_id, product, monthly_premium_cents, status, proposed_at, accepted_at, contract_id, invoice_id';
const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
const offerJson = (o: OfferRow) => ({ id: o.id, personId: o.person_id, product: o.product, monthlyPremiumCents: o.monthly_premium_cents, status: o.status, proposedAt: iso(o.proposed_at), acceptedAt: iso(o.accepted_at), contractId: o.contract_id, invoiceId: o.invoice_id });
const profileJson = (p: ProfileRow) => ({ personId: p.person_id, lastName: p.last_name, firstName: p.first_name, email: p.email, phone: p.phone, ageCategory: p.age_category, profession: p.profession, sex: p.sex });

function routes(app: FastifyInstance, ctx: ServiceContext): void {
  const db = dbOf(ctx);
  const profile = async (id: string): Promise<ProfileRow> => {
    const [p] = await db.query<ProfileRow>('SELECT person_id, last_name, first_name, email, phone, age_category, profession, sex FROM sales.profiles WHERE person_id = $1', [id]);
    if (!p) throw notFound('person', id);
    return p;
  };
  const offersOf = (id: string) => db.query<OfferRow>(`SELECT ${OFFER_COLUMNS} FROM sales.offers WHERE person_id = $1 ORDER BY proposed_at DESC, id DESC`, [id]);

  app.get<{ Params: { id: string } }>('/persons/:id/summary', { schema: { params: uuidParam } }, async (request) => ({
    profile: profileJson(await profile(request.params.id)),
    offers: (await offersOf(request.params.id)).map(offerJson),
  }));

  app.patch<{ Params: { id: string }; Body: { profession: string } }>(
    '/persons/:id/profile',
    { schema: { params: uuidParam, body: { type: 'object', additionalProperties: false, required: ['profession'], properties: { profession: { type: 'string', minLength: 1, maxLength: 100 } } } } },
    async (request) => {
      const [p] = await db.query<ProfileRow>('UPDATE sales.profiles SET profession = $2, updated_at = now() WHERE person_id = $1 RETURNING person_id, last_name, first_name, email, phone, age_category, profession, sex', [request.params.id, request.body.profession]);
      if (!p) throw notFound('person', request.params.id);
      return profileJson(p);
    },
  );

  app.get<{ Params: { id: string } }>('/persons/:id/offers', { schema: { params: uuidParam } }, async (request) => {
    await profile(request.params.id);
    return { items: (await offersOf(request.params.id)).map(offerJson) };
  });

  app.post<{ Params: { id: string }; Body: { product: string; monthlyPremiumCents: number } }>(
    '/persons/:id/offers',
    { schema: { params: uuidParam, body: { type: 'object', additionalProperties: false, required: ['product', 'monthlyPremiumCents'], properties: { product: { enum: PRODUCTS }, monthlyPremiumCents: { type: 'integer', minimum: 100, maximum: 1_000_000 } } } } },
    async (request, reply) => {
      await profile(request.params.id);
      const [o] = await db.query<OfferRow>(`INSERT INTO sales.offers (person_id, product, monthly_premium_cents, status, proposed_at) VALUES ($1, $2, $3, 'proposed', now()) RETURNING ${OFFER_COLUMNS}`, [request.params.id, request.body.product, request.body.monthlyPremiumCents]);
      return reply.code(201).send(offerJson(o as OfferRow));
    },
  );

  app.post<{ Params: { id: number } }>('/offers/:id/accept', { schema: { params: intIdParam } }, async (request) => {
    const [o] = await db.query<OfferRow>(`UPDATE sales.offers SET status = 'accepted', accepted_at = now() WHERE id = $1 AND status = 'proposed' RETURNING ${OFFER_COLUMNS}`, [request.params.id]);
    if (!o) {
      const [existing] = await db.query<OfferRow>(`SELECT ${OFFER_COLUMNS} FROM sales.offers WHERE id = $1`, [request.params.id]);
      if (!existing) throw notFound('offer', request.params.id);
      throw new HttpError(409, `offer ${request.params.id} is ${existing.status}, only a proposed offer can be accepted`);
    }
    await ctx.publish('contract.requested', { offerId: o.id, personId: o.person_id, product: o.product });
    await ctx.publish('invoice.requested', { offerId: o.id, personId: o.person_id, label: `Première cotisation ${o.product}`, amountCents: o.monthly_premium_cents });
    return offerJson(o);
  });
}

export const sales: ServiceModule = {
  name: 'sales',
  routes,
  consumers: {
    'person.created': async (event, ctx) => {
      const p = event.payload as { personId: string; lastName: string; firstName: string; email: string; phone: string; birthDate: string; sex: string; profession: string };
      await onceFor(dbOf(ctx), 'sales', event,
        'INSERT INTO sales.profiles (person_id, last_name, first_name, email, phone, age_category, profession, sex) SELECT $2::uuid, $3, $4, $5, $6, $7, $8, $9 WHERE EXISTS (SELECT 1 FROM first) ON CONFLICT (person_id) DO NOTHING',
        [p.personId, p.lastName, p.firstName, p.email, p.phone, ageCategory(p.birthDate, Date.now()), p.profession, p.sex]);
    },
    'contact.updated': async (event, ctx) => {
      const p = event.payload as { personId: string; lastName: string; firstName: string; email: string; phone: string };
      // Older events never overwrite newer data: updated_at carries the event time.
      await onceFor(dbOf(ctx), 'sales', event,
        'UPDATE sales.profiles SET last_name = $3, first_name = $4, email = $5, phone = $6, updated_at = $7 WHERE person_id = $2 AND updated_at <= $7 AND EXISTS (SELECT 1 FROM first)',
        [p.personId, p.lastName, p.firstName, p.email, p.phone, event.occurredAt]);
    },
    'contract.signed': async (event, ctx) => {
      const p = event.payload as { offerId: number | null; contractId: string };
      if (p.offerId === null) return;
      await dbOf(ctx).query("UPDATE sales.offers SET status = 'signed', contract_id = $2 WHERE id = $1", [p.offerId, p.contractId]);
    },
    'invoice.recorded': async (event, ctx) => {
      const p = event.payload as { offerId: number | null; invoiceId: number };
      if (p.offerId === null) return;
      await dbOf(ctx).query('UPDATE sales.offers SET invoice_id = $2 WHERE id = $1', [p.offerId, p.invoiceId]);
    },
  },
  async seed(ctx, persons, seed) {
    const db = dbOf(ctx);
    await db.exec('TRUNCATE sales.profiles, sales.offers, sales.processed_events RESTART IDENTITY');
    const ref = new Date(REFERENCE_DATE).toISOString();
    await forEachPersonBatch(persons, seed, async (batch) => {
      await insertRows(db, 'sales.profiles', [['person_id', 'uuid'], ['last_name', 'text'], ['first_name', 'text'], ['email', 'text'], ['phone', 'text'], ['age_category', 'text'], ['profession', 'text'], ['sex', 'text'], ['updated_at', 'timestamptz']],
        batch.map((p) => [p.id, p.lastName, p.firstName, p.email, p.phone, ageCategory(p.birthDate), p.profession, p.sex, ref]));
      // Per person: the signed offer behind legal's seeded contract, and one still proposed.
      await insertRows(db, 'sales.offers', [['person_id', 'uuid'], ['product', 'text'], ['monthly_premium_cents', 'int'], ['status', 'text'], ['proposed_at', 'timestamptz'], ['accepted_at', 'timestamptz'], ['contract_id', 'uuid']],
        batch.flatMap((p, k) => {
          const other = PRODUCTS[(PRODUCTS.indexOf(p.product) + 1 + (k % 3)) % PRODUCTS.length] as string;
          return [
            [p.id, p.product, 2500 + (k * 37) % 9000, 'signed', ref, ref, p.contractId],
            [p.id, other, 1500 + (k * 53) % 6000, 'proposed', ref, null, null],
          ];
        }));
    });
    await db.exec('ANALYZE sales.profiles; ANALYZE sales.offers');
    return { profiles: persons, offers: persons * 2 };
  },
};
