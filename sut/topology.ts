/**
 * The reference target's shape: its services, their default ports and which services each one calls over
 * HTTP. Campaigns, stubs and the CLI code against these names; every dependency URL is read from the
 * environment variable `dependencyEnvVar(name)` so that a stub can replace any of them.
 */
export const SERVICE_NAMES = ['grc', 'customer-service', 'legal', 'sales', 'billing', 'front', 'ticketing'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface ServiceSpec {
  name: ServiceName;
  port: number;
  /** Services this one calls over HTTP (events go through the bus and are not listed here). */
  dependsOn: readonly ServiceName[];
  /** SQL schema the service owns (one per department), absent for stateless services. */
  schema?: string;
  description: string;
}

export const SERVICES: Readonly<Record<ServiceName, ServiceSpec>> = {
  grc: { name: 'grc', port: 8080, dependsOn: ['customer-service', 'legal', 'sales', 'billing'], schema: 'grc', description: 'Service Personne: person search, 360° view, person creation, contact updates' },
  'customer-service': { name: 'customer-service', port: 8081, dependsOn: ['ticketing'], schema: 'customer_service', description: 'Service Client: contacts, call log (each call becomes a ticket), redirection to a department' },
  legal: { name: 'legal', port: 8082, dependsOn: [], schema: 'legal', description: 'Département Légal: contracts with their digital copy, health declarations' },
  sales: { name: 'sales', port: 8083, dependsOn: [], schema: 'sales', description: 'Département Vente: age category, profession, sex, offers' },
  billing: { name: 'billing', port: 8084, dependsOn: [], schema: 'billing', description: 'Département Facturation: IBAN, SEPA mandate, invoices' },
  front: { name: 'front', port: 8085, dependsOn: ['grc'], description: "the customer-service operator's web page (static HTML + JS calling grc)" },
  ticketing: { name: 'ticketing', port: 8086, dependsOn: [], description: 'a small Zendesk-compatible fake, started only when no TICKETING_URL is given' },
};

export function isServiceName(value: string): value is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(value);
}

/** The reference target follows perfcell's convention for dependency URLs (lib/dependency-env.ts). */
export { dependencyEnvVar } from '../lib/dependency-env.js';

/** Services in an order where each one starts after the services it calls (its URL is then known). */
export function startOrder(names: readonly ServiceName[]): ServiceName[] {
  const wanted = new Set(names);
  const out: ServiceName[] = [];
  const visit = (n: ServiceName): void => {
    if (out.includes(n)) return;
    for (const d of SERVICES[n].dependsOn) if (wanted.has(d)) visit(d);
    out.push(n);
  };
  for (const n of SERVICE_NAMES) if (wanted.has(n)) visit(n);
  return out;
}

/** Start order in waves: every service of a wave depends only on services of earlier waves (they start together). */
export function startWaves(names: readonly ServiceName[]): ServiceName[][] {
  const waves: ServiceName[][] = [];
  const placed = new Map<ServiceName, number>();
  for (const n of startOrder(names)) {
    const wave = Math.max(-1, ...SERVICES[n].dependsOn.filter((d) => placed.has(d)).map((d) => placed.get(d) as number)) + 1;
    placed.set(n, wave);
    (waves[wave] ??= []).push(n);
  }
  return waves;
}

/** Routing keys of the department events and which services consume them. */
export const EVENT_CONSUMERS: Readonly<Record<string, readonly ServiceName[]>> = {
  'person.created': ['customer-service', 'legal', 'sales', 'billing'],
  'contact.updated': ['billing', 'sales'],
  'contract.requested': ['legal'],
  'contract.signed': ['sales'],
  'invoice.requested': ['billing'],
  'invoice.recorded': ['sales'],
};

export function routingKeysConsumedBy(service: ServiceName): string[] {
  return Object.entries(EVENT_CONSUMERS).filter(([, c]) => c.includes(service)).map(([k]) => k);
}
