/**
 * grc — Service Personne: the person API the front uses. Search, the 360° view (aggregates the four
 * departments over HTTP), person creation (departments learn it by event) and contact updates
 * (customer-service over HTTP, billing and sales by event).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { dbOf, HttpError, notFound, type ServiceContext, type ServiceModule } from '../lib/app.js';
import { normalizeName, REFERENCE_DATE } from '../lib/french-data.js';
import { forEachPersonBatch, insertRows } from '../lib/seed-sql.js';
import { ROLE_HEADER, roleOf } from '../lib/sensitive.js';
import { availability, DEPARTMENTS, email, name, phone, uuidParam } from '../lib/schemas.js';
import type { Drift } from '../lib/traps.js';

const SEARCH_INDEX_SQL = 'CREATE INDEX IF NOT EXISTS persons_search_idx ON grc.persons (last_name_norm, first_name_norm)';

interface PersonRow {
  id: string;
  last_name: string;
  first_name: string;
  birth_date: string;
  sex: string;
  email: string;
  phone: string;
  postcode: string;
  city: string;
}

const PERSON_COLUMNS = 'id, last_name, first_name, birth_date::text AS birth_date, sex, email, phone, postcode, city';

function personJson(r: PersonRow) {
  return { id: r.id, lastName: r.last_name, firstName: r.first_name, birthDate: r.birth_date, sex: r.sex, email: r.email, phone: r.phone, postcode: r.postcode, city: r.city };
}

/** "dup" → ["DUP", "DUQ"]: the half-open range of every name starting with the prefix (C collation). */
export function prefixRange(prefix: string): [string, string] {
  const last = prefix.charCodeAt(prefix.length - 1);
  return [prefix, prefix.slice(0, -1) + String.fromCharCode(last + 1)];
}

/** "Dupont ma" → last name prefix DUPONT, first name prefix MA. */
export function parseSearch(q: string): { last: string; first: string } {
  const [last = '', ...rest] = normalizeName(q).split(/\s+/).filter(Boolean);
  return { last, first: rest.join(' ') };
}

/** SUT_TRAP_LEAK: every 360° view kept forever under a unique key, never read: a cache with no bound. */
const leakyCache = new Map<string, unknown>();
let leakCounter = 0;
/** How many views the leak holds (tests prove the trap with it; an analysis sees the heap grow). */
export function leakedViews(): number {
  return leakyCache.size;
}

async function view360(ctx: ServiceContext, id: string, role: string) {
  const [person] = await dbOf(ctx).query<PersonRow>(`SELECT ${PERSON_COLUMNS} FROM grc.persons WHERE id = $1`, [id]);
  if (!person) throw notFound('person', id);
  const headers = role ? { [ROLE_HEADER]: role } : undefined;
  const fetchSection = async (dep: (typeof DEPARTMENTS)[number]) => {
    const r = await ctx.call<Record<string, unknown>>(dep, `/persons/${id}/summary`, { headers });
    return r.status === 200 ? r.body : null; // 404: the department does not know this person (yet)
  };
  let sections: (Record<string, unknown> | null)[];
  if (ctx.traps.sequential360) {
    sections = [];
    for (const d of DEPARTMENTS) sections.push(await fetchSection(d));
  } else {
    sections = await Promise.all(DEPARTMENTS.map(fetchSection));
  }
  const [customerService, legal, sales, billing] = sections;
  const view = { person: personJson(person), customerService, legal, sales, billing };
  if (ctx.traps.leak) {
    // Each view kept with a "render buffer" of numbers: ≈ leakKb on the JS heap (8 bytes a number).
    const n = ++leakCounter;
    leakyCache.set(`${id}#${n}`, { view: JSON.parse(JSON.stringify(view)), buffer: Array.from({ length: ctx.traps.leakKb * 128 }, (_, k) => k + n) });
  }
  return view;
}

const CREATE_PERSON_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['lastName', 'firstName', 'birthDate', 'sex', 'email', 'phone', 'postcode', 'city'],
  properties: { lastName: name, firstName: name, birthDate: { type: 'string', format: 'date' }, sex: { enum: ['F', 'M'] }, email, phone, postcode: { type: 'string', pattern: '^[0-9]{5}$' }, city: name, profession: { type: 'string', maxLength: 100 } },
} as const;

/** POST /persons' body schema; SUT_DRIFT=renamed-field renames lastName to familyName. */
function createPersonBody(drift: Drift) {
  if (drift !== 'renamed-field') return CREATE_PERSON_BODY;
  const { lastName, ...others } = CREATE_PERSON_BODY.properties;
  return { ...CREATE_PERSON_BODY, required: CREATE_PERSON_BODY.required.map((f) => (f === 'lastName' ? 'familyName' : f)), properties: { familyName: lastName, ...others } };
}

/** The drifted body read back into the stored shape. */
function renamedBack(body: Record<string, unknown>): Record<string, unknown> {
  const { familyName, ...rest } = body;
  return { lastName: familyName, ...rest };
}

function routes(app: FastifyInstance, ctx: ServiceContext): void {
  const db = dbOf(ctx);
  const drift = ctx.traps.drift;

  app.get<{ Querystring: { q: string; limit: number } }>(
    '/persons',
    { schema: { querystring: { type: 'object', required: ['q'], additionalProperties: false, properties: { q: { type: 'string', minLength: 2, maxLength: 100 }, limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 } } } } },
    async (request) => {
      const { last, first } = parseSearch(request.query.q);
      if (last.length < 2) throw new HttpError(400, 'querystring.q needs at least two letters of a last name');
      const [lo, hi] = prefixRange(last);
      const params: (string | number)[] = [lo, hi, request.query.limit];
      let firstFilter = '';
      if (first) {
        const [flo, fhi] = prefixRange(first);
        params.push(flo, fhi);
        firstFilter = 'AND first_name_norm >= $4 AND first_name_norm < $5';
      }
      const rows = await db.query<PersonRow>(
        `SELECT ${PERSON_COLUMNS} FROM grc.persons WHERE last_name_norm >= $1 AND last_name_norm < $2 ${firstFilter} ORDER BY last_name_norm, first_name_norm, id LIMIT $3`,
        params,
      );
      return { query: request.query.q, count: rows.length, items: rows.map(personJson) };
    },
  );

  // SUT_DRIFT=removed-route: the route is gone (the drift check must see scripts still calling it).
  if (drift !== 'removed-route') {
    app.get<{ Params: { id: string } }>('/persons/:id', { schema: { params: uuidParam } }, async (request) => {
      const [p] = await db.query<PersonRow>(`SELECT ${PERSON_COLUMNS} FROM grc.persons WHERE id = $1`, [request.params.id]);
      if (!p) throw notFound('person', request.params.id);
      return personJson(p);
    });
  }

  app.get<{ Params: { id: string } }>('/persons/:id/360', { schema: { params: uuidParam } }, async (request) => view360(ctx, request.params.id, roleOf(request.headers)));

  app.post<{ Body: { lastName: string; firstName: string; birthDate: string; sex: 'F' | 'M'; email: string; phone: string; postcode: string; city: string; profession?: string } }>(
    '/persons',
    {
      schema: {
        body: createPersonBody(drift),
      },
    },
    async (request, reply) => {
      // SUT_DRIFT=renamed-field: the body's lastName is now familyName (see createPersonBody).
      const b = drift === 'renamed-field' ? (renamedBack(request.body as unknown as Record<string, unknown>) as unknown as typeof request.body) : request.body;
      const id = randomUUID();
      await db.query(
        'INSERT INTO grc.persons (id, last_name, first_name, last_name_norm, first_name_norm, birth_date, sex, email, phone, postcode, city) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)',
        [id, b.lastName, b.firstName, normalizeName(b.lastName), normalizeName(b.firstName), b.birthDate, b.sex, b.email, b.phone, b.postcode, b.city],
      );
      await ctx.publish('person.created', { personId: id, lastName: b.lastName, firstName: b.firstName, birthDate: b.birthDate, sex: b.sex, email: b.email, phone: b.phone, profession: b.profession ?? 'non renseignée' });
      // SUT_DRIFT=changed-status: 200 where the document says 201.
      return reply.code(drift === 'changed-status' ? 200 : 201).header('location', `/persons/${id}`).send({ id, ...b });
    },
  );

  app.patch<{ Params: { id: string }; Body: { email?: string; phone?: string; availability?: string } }>(
    '/persons/:id/contact',
    { schema: { params: uuidParam, body: { type: 'object', additionalProperties: false, minProperties: 1, properties: { email, phone, availability } } } },
    async (request) => {
      const { id } = request.params;
      const b = request.body;
      const [p] = await db.query<PersonRow>(
        `UPDATE grc.persons SET email = COALESCE($2, email), phone = COALESCE($3, phone), updated_at = now() WHERE id = $1 RETURNING ${PERSON_COLUMNS}`,
        [id, b.email ?? null, b.phone ?? null],
      );
      if (!p) throw notFound('person', id);
      const cs = await ctx.call('customer-service', `/contacts/${id}`, { method: 'PUT', body: { email: p.email, phone: p.phone, ...(b.availability ? { availability: b.availability } : {}) } });
      if (cs.status !== 200 && cs.status !== 404) throw new HttpError(502, `customer-service answered ${cs.status}`);
      await ctx.publish('contact.updated', { personId: id, lastName: p.last_name, firstName: p.first_name, email: p.email, phone: p.phone });
      return personJson(p);
    },
  );

  // The front logs calls through grc (the operator's page talks to one API).
  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>('/persons/:id/calls', { schema: { params: uuidParam, body: { type: 'object' } } }, async (request, reply) => {
    const r = await ctx.call<Record<string, unknown>>('customer-service', `/contacts/${request.params.id}/calls`, { method: 'POST', body: request.body, headers: { 'x-operator': String(request.headers['x-operator'] ?? '') } });
    return reply.code(r.status).send(r.body);
  });
}

/**
 * An insurer's person referential holds more than its customers: prospects, former customers,
 * beneficiaries. Persons N… of the seed are those, unknown to the departments: min(9 N, 100 000) of them.
 * It also makes the missing-index trap visible at demo scale: 3 000 customers → 30 000 rows to scan
 * without the index (3 000 rows alone scan in about a millisecond and hide the trap).
 */
export function prospectsFor(customers: number): number {
  return Math.min(9 * customers, 100_000);
}

export const grc: ServiceModule = {
  name: 'grc',
  routes,
  async prepare(ctx) {
    // SUT_TRAP_MISSING_INDEX: the search index is dropped; without the trap it is (re)created.
    await dbOf(ctx).exec(ctx.traps.missingIndex ? 'DROP INDEX IF EXISTS grc.persons_search_idx' : SEARCH_INDEX_SQL);
  },
  async seed(ctx, persons, seed) {
    const db = dbOf(ctx);
    await db.exec('TRUNCATE grc.persons');
    const ref = new Date(REFERENCE_DATE).toISOString(); // timestamps too: same seed, same rows
    const prospects = prospectsFor(persons);
    await forEachPersonBatch(persons + prospects, seed, (batch) =>
      insertRows(
        db,
        'grc.persons',
        [['id', 'uuid'], ['last_name', 'text'], ['first_name', 'text'], ['last_name_norm', 'text'], ['first_name_norm', 'text'], ['birth_date', 'date'], ['sex', 'text'], ['email', 'text'], ['phone', 'text'], ['postcode', 'text'], ['city', 'text'], ['created_at', 'timestamptz'], ['updated_at', 'timestamptz']],
        batch.map((p) => [p.id, p.lastName, p.firstName, normalizeName(p.lastName), normalizeName(p.firstName), p.birthDate, p.sex, p.email, p.phone, p.postcode, p.city, ref, ref]),
      ),
    );
    await db.exec('ANALYZE grc.persons');
    return { persons, prospects };
  },
};
