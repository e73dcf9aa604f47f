/**
 * What a service is working for right now — the route template of the HTTP request being served, or the
 * event being consumed — carried across awaits (AsyncLocalStorage), so that the database queries and the
 * outbound calls it makes can be counted per route without passing the route through every function.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** Label value of work done outside any request or event (start-up, migrations). */
export const NO_ROUTE = 'none';

const storage = new AsyncLocalStorage<{ route: string; method: string }>();

/** Runs `fn` (and everything it awaits) on behalf of `route` (and the HTTP method that asked for it; '' for an event). */
export function withRoute<T>(route: string, fn: () => T, method = ''): T {
  return storage.run({ route, method }, fn);
}

/** The route template being served (`/persons/:id/invoices`), `event:<routing key>`, or NO_ROUTE. */
export function currentRoute(): string {
  return storage.getStore()?.route ?? NO_ROUTE;
}

/** The HTTP method of the request being served ('' outside a request). */
export function currentMethod(): string {
  return storage.getStore()?.method ?? '';
}

/** The label of a consumed event's work: consumers run no HTTP request, so their queries are not a route's. */
export function eventRoute(routingKey: string): string {
  return `event:${routingKey}`;
}
