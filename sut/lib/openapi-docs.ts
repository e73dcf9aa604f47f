/**
 * What the services' OpenAPI documents say beyond their validation schemas (see openapi.ts): per route
 * ("METHOD /url" as fastify writes it), the operationId, the success status and answer, examples and the
 * errors the common rules do not imply. A route missing here is still documented (200, a JSON object).
 */
import type { ServiceName } from '../topology.js';
import type { Drift } from './traps.js';

export interface RouteDoc {
  operationId?: string;
  summary?: string;
  /** Success status (default 200). */
  status?: number;
  description?: string;
  /** JSON schema of the success answer (default: a JSON object). */
  response?: Record<string, unknown>;
  /** A non-JSON success answer (HTML, text). */
  contentType?: string;
  example?: unknown;
  requestExample?: unknown;
  /** Error statuses besides 400 (validated input), 404 (a path parameter) and 503 (dependencies). */
  errors?: number[];
}

const str = { type: 'string' } as const;
const PERSON_ID = '5b0e7a8e-3c1d-4f2a-9b6e-2d4c8f1a7e30';

export const PERSON_SCHEMA = {
  type: 'object',
  required: ['id', 'lastName', 'firstName', 'birthDate', 'sex', 'email', 'phone', 'postcode', 'city'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    lastName: str,
    firstName: str,
    birthDate: { type: 'string', format: 'date' },
    sex: { enum: ['F', 'M'] },
    email: str,
    phone: str,
    postcode: str,
    city: str,
  },
} as const;

const PERSON_EXAMPLE = { id: PERSON_ID, lastName: 'DUPONT', firstName: 'Marie', birthDate: '1978-03-12', sex: 'F', email: 'marie.dupont@exemple.fr', phone: '06 12 34 56 78', postcode: '75011', city: 'Paris' };
const NEW_PERSON_EXAMPLE = { lastName: 'DUPONT', firstName: 'Marie', birthDate: '1978-03-12', sex: 'F', email: 'marie.dupont@exemple.fr', phone: '06 12 34 56 78', postcode: '75011', city: 'Paris', profession: 'cadre' };
const section = { type: ['object', 'null'], description: "the department's summary, null when it does not know the person (yet)" } as const;

const CALL_SCHEMA = {
  type: 'object',
  required: ['id', 'reason', 'calledAt', 'operator', 'actions', 'redirectedTo', 'ticketId'],
  properties: { id: { type: 'integer' }, reason: str, calledAt: { type: 'string', format: 'date-time' }, operator: str, actions: str, redirectedTo: { type: ['string', 'null'] }, ticketId: { type: ['string', 'null'] } },
} as const;
const CALL_EXAMPLE = { id: 42, reason: 'question sur un contrat', calledAt: '2026-03-02T09:14:00.000Z', operator: 'operateur-7', actions: 'Renseignement donné sur les garanties.', redirectedTo: null, ticketId: '1042' };
const NEW_CALL_EXAMPLE = { reason: 'question sur un contrat', operator: 'operateur-7', actions: 'Renseignement donné sur les garanties.' };

const HEALTH: RouteDoc = {
  operationId: 'getHealth',
  summary: 'health of the service and of what it depends on',
  description: 'up (503 when a dependency is down, same body)',
  response: { type: 'object', required: ['name', 'status'], properties: { name: str, version: str, commit: str, status: { enum: ['ok', 'unavailable'] }, mode: str, bus: str, traps: { type: 'array', items: str }, dependencies: { type: 'object' } } },
  errors: [503],
};
const COMMON: Readonly<Record<string, RouteDoc>> = {
  'GET /health': HEALTH,
  'GET /metrics': { operationId: 'getMetrics', summary: 'Prometheus metrics', contentType: 'text/plain' },
  'POST /admin/seed': { operationId: 'seed', summary: "replaces the department's data with N deterministic persons", requestExample: { persons: 100, seed: 'demo' }, response: { type: 'object', required: ['service', 'rows'], properties: { service: str, rows: { type: 'object' } } } },
};

const GRC: Readonly<Record<string, RouteDoc>> = {
  'GET /persons': {
    operationId: 'searchPersons',
    summary: 'search persons by last name prefix (then first name prefix)',
    response: { type: 'object', required: ['query', 'count', 'items'], properties: { query: str, count: { type: 'integer', minimum: 0 }, items: { type: 'array', items: PERSON_SCHEMA } } },
    example: { query: 'dupont ma', count: 1, items: [PERSON_EXAMPLE] },
  },
  'GET /persons/:id': { operationId: 'getPerson', summary: 'one person', response: PERSON_SCHEMA, example: PERSON_EXAMPLE },
  'GET /persons/:id/360': {
    operationId: 'getPerson360',
    summary: "the 360° view: the person and each department's summary",
    response: { type: 'object', required: ['person', 'customerService', 'legal', 'sales', 'billing'], properties: { person: PERSON_SCHEMA, customerService: section, legal: section, sales: section, billing: section } },
    example: { person: PERSON_EXAMPLE, customerService: null, legal: null, sales: null, billing: null },
  },
  'POST /persons': {
    operationId: 'createPerson',
    summary: 'register a person (the departments learn it by event)',
    status: 201,
    description: 'created (location: /persons/{id})',
    response: { type: 'object', required: [...PERSON_SCHEMA.required], properties: { ...PERSON_SCHEMA.properties, profession: str } },
    requestExample: NEW_PERSON_EXAMPLE,
    example: { id: PERSON_ID, ...NEW_PERSON_EXAMPLE },
  },
  'PATCH /persons/:id/contact': {
    operationId: 'updateContact',
    summary: "change a person's e-mail, phone or availability",
    response: PERSON_SCHEMA,
    requestExample: { email: 'marie.dupont@exemple.fr', phone: '06 12 34 56 78' },
    example: PERSON_EXAMPLE,
    errors: [502],
  },
  'POST /persons/:id/calls': { operationId: 'logCall', summary: 'log a call (customer-service records it and opens a ticket)', status: 201, response: CALL_SCHEMA, requestExample: NEW_CALL_EXAMPLE, example: CALL_EXAMPLE },
};

/** The renamed field of SUT_DRIFT=renamed-field (grc's POST /persons takes familyName, not lastName). */
export function renamedLastName<T extends { lastName?: unknown }>(o: T): Omit<T, 'lastName'> & { familyName?: unknown } {
  const { lastName, ...rest } = o;
  return { familyName: lastName, ...rest };
}

function grcDocs(drift: Drift): Readonly<Record<string, RouteDoc>> {
  if (drift !== 'renamed-field') return GRC;
  const create = GRC['POST /persons'] as RouteDoc;
  return { ...GRC, 'POST /persons': { ...create, requestExample: renamedLastName(NEW_PERSON_EXAMPLE) } };
}

const CUSTOMER_SERVICE: Readonly<Record<string, RouteDoc>> = {
  'POST /contacts/:id/calls': { operationId: 'recordCall', status: 201, response: CALL_SCHEMA, requestExample: NEW_CALL_EXAMPLE, example: CALL_EXAMPLE },
  'POST /calls/:id/redirect': { operationId: 'redirectCall', response: CALL_SCHEMA, requestExample: { department: 'legal' } },
};
const LEGAL: Readonly<Record<string, RouteDoc>> = {
  'PUT /persons/:id/health-declaration': { operationId: 'declareHealth', status: 204, requestExample: { tobacco: false, alcohol: 'occasional', illnesses: [] } },
  'POST /persons/:id/contracts': { operationId: 'signContract', status: 201, requestExample: { product: 'santé' } },
  'GET /contracts/:id/document': { operationId: 'getContractDocument', summary: "the contract's digital copy", contentType: 'text/plain' },
};
const SALES: Readonly<Record<string, RouteDoc>> = {
  'POST /persons/:id/offers': { operationId: 'proposeOffer', status: 201, requestExample: { product: 'santé', monthlyPremiumCents: 4500 } },
  'POST /offers/:id/accept': { operationId: 'acceptOffer', errors: [409] },
  'PATCH /persons/:id/profile': { operationId: 'updateProfile', requestExample: { profession: 'cadre' } },
};
const BILLING: Readonly<Record<string, RouteDoc>> = {
  'PUT /persons/:id/bank-details': { operationId: 'setBankDetails', status: 204, requestExample: { iban: 'FR7630006000011234567890189' } },
  'POST /persons/:id/invoices': { operationId: 'recordInvoice', status: 201, requestExample: { period: '2026-03', lines: [{ label: 'Cotisation santé', amountCents: 4500 }] } },
};
const page = (summary: string, contentType: string): RouteDoc => ({ summary, contentType });
const FRONT: Readonly<Record<string, RouteDoc>> = {
  'GET /': { operationId: 'getPage', ...page("the operator's page", 'text/html') },
  'GET /index.html': { operationId: 'getIndexHtml', ...page("the operator's page", 'text/html') },
  'GET /app.js': { operationId: 'getAppJs', ...page("the page's script", 'text/javascript') },
  'GET /style.css': { operationId: 'getStyleCss', ...page("the page's style sheet", 'text/css') },
  'GET /config.js': { operationId: 'getConfigJs', ...page('where grc is, for the page', 'text/javascript') },
};
const TICKETING: Readonly<Record<string, RouteDoc>> = {
  'POST /api/v2/tickets.json': { operationId: 'createTicket', status: 201, requestExample: { ticket: { subject: 'Appel', comment: { body: 'Renseignement donné.' }, tags: ['service-client'] } } },
  'GET /api/v2/tickets/:id.json': { operationId: 'getTicket' },
  'GET /api/v2/tickets.json': { operationId: 'listTickets' },
};

const BY_SERVICE: Readonly<Record<ServiceName, Readonly<Record<string, RouteDoc>>>> = {
  grc: GRC,
  'customer-service': CUSTOMER_SERVICE,
  legal: LEGAL,
  sales: SALES,
  billing: BILLING,
  front: FRONT,
  ticketing: TICKETING,
};

/** The route docs of one service (common routes included), as the planted drift changes them. */
export function routeDocsFor(service: ServiceName, drift: Drift): Readonly<Record<string, RouteDoc>> {
  return { ...COMMON, ...(service === 'grc' ? grcDocs(drift) : BY_SERVICE[service]) };
}
