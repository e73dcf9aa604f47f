/**
 * What every service shares: a fastify app with JSON-schema validation errors as 400 with the field named,
 * 404 for unknown routes and ids, 503 when the database, the broker or a called service is unreachable,
 * never a stack trace in a response; GET /health and GET /metrics; the slowed-route trap; the optional
 * POST /admin/seed; event consumers.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import Fastify, { type FastifyError, type FastifyInstance, type RouteHandlerMethod } from 'fastify';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { SERVICES, routingKeysConsumedBy, type ServiceName } from '../topology.js';
import { BrokerUnavailableError, type Bus, type DomainEvent, type Subscription } from './bus.js';
import { DbUnavailableError, type Db, type SqlValue } from './db.js';
import { migrate } from './migrate.js';
import { LOG_REDACT_PATHS } from './sensitive.js';
import { currentMethod, currentRoute, eventRoute, withRoute } from './request-context.js';
import { extraDelayMs, type Traps } from './traps.js';
import { accessLogHook } from './access-log.js';
import { registerOpenApi } from './openapi.js';
import { routeDocsFor } from './openapi-docs.js';

export class HttpError extends Error {
  constructor(readonly statusCode: number, message: string) {
    super(message);
    this.name = 'HttpError';
  }
}

export const notFound = (what: string, id: string | number): HttpError => new HttpError(404, `no ${what} with id ${id}`);

export class DependencyUnavailableError extends Error {
  constructor(readonly dependency: string, cause?: unknown) {
    super(`${dependency} unavailable`, { cause });
    this.name = 'DependencyUnavailableError';
  }
}

export interface ServiceMetrics {
  registry: Registry;
  publishDuration: Histogram<'routing_key'>;
  eventsConsumed: Counter<'routing_key' | 'outcome'>;
  /** Outbound HTTP calls by called service, method, the route being served and the answer's status. */
  clientDuration: Histogram<'dependency' | 'method' | 'route' | 'status_code'>;
  /** Present when the service has a database: its queries by the route being served. */
  dbQueries?: Counter<'route'>;
  dbQueryDuration?: Histogram<'route'>;
  /** Execution only (the wait for the connection left out), by method and route: what queueing cannot inflate. */
  dbQueryExec?: Histogram<'method' | 'route'>;
}

/** The server's and the client's latency buckets (seconds). */
const HTTP_BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2.5, 5];

export interface ServiceContext {
  name: ServiceName;
  /** The department's database (services without a schema have none: see dbOf). */
  db: Db | undefined;
  bus: Bus;
  /** Base URLs of the services this one calls. */
  deps: Readonly<Record<string, string>>;
  traps: Traps;
  metrics: ServiceMetrics;
  /** Publishes a department event, recording the publish latency. */
  publish(type: string, payload: Record<string, unknown>): Promise<DomainEvent>;
  /** Calls a dependency; unreachable → DependencyUnavailableError (503). Returns status and parsed JSON. */
  call<T = unknown>(dependency: string, path: string, init?: { method?: string; body?: unknown; headers?: Record<string, string> }): Promise<{ status: number; body: T }>;
}

export interface ServiceModule {
  name: ServiceName;
  routes(app: FastifyInstance, ctx: ServiceContext): void;
  /** Handlers by routing key (the keys must match topology's EVENT_CONSUMERS). */
  consumers?: Readonly<Record<string, (event: DomainEvent, ctx: ServiceContext) => Promise<void>>>;
  /** Runs after migrations (e.g. the missing-index trap). */
  prepare?(ctx: ServiceContext): Promise<void>;
  /** Replaces this department's data with `persons` deterministic persons of `seed`. */
  seed?(ctx: ServiceContext, persons: number, seed: string): Promise<Record<string, number>>;
}

export interface RunningService {
  name: ServiceName;
  url: string;
  port: number;
  app: FastifyInstance;
  ctx: ServiceContext;
  /** Stops consuming events (the queue keeps them) — used to prove catch-up after a consumer restart. */
  stopConsumers(): Promise<void>;
  startConsumers(): Promise<void>;
  close(): Promise<void>;
}

export interface StartServiceOptions {
  db?: Db;
  bus: Bus;
  deps: Readonly<Record<string, string>>;
  traps: Traps;
  port: number;
  host?: string;
  /** Prefix of the consumers' queue names (unique per test run). */
  queuePrefix: string;
  /** Where logs go when logging is on (SUT_LOG=1); sensitive fields are redacted. */
  logStream?: Writable;
  logLevel?: string;
  httpTimeoutMs?: number;
}

let buildInfo: { version: string; commit: string } | undefined;
export function sutBuildInfo(): { version: string; commit: string } {
  if (!buildInfo) {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    let commit = process.env.SUT_COMMIT ?? 'unknown';
    if (!process.env.SUT_COMMIT) {
      try {
        commit = execFileSync('git', ['-C', new URL('..', import.meta.url).pathname, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
      } catch {
        /* not a git checkout: "unknown" */
      }
    }
    buildInfo = { version: pkg.version, commit };
  }
  return buildInfo;
}

export function dbOf(ctx: ServiceContext): Db {
  if (!ctx.db) throw new Error(`${ctx.name} has no database`);
  return ctx.db;
}

function createMetrics(name: ServiceName, db: Db | undefined): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service: name });
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });
  if (db) new Gauge({
    name: 'db_pool_connections',
    help: 'database pool connections by state (total, idle, in_use, waiting)',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const s = db.poolStats();
      this.set({ state: 'total' }, s.total);
      this.set({ state: 'idle' }, s.idle);
      this.set({ state: 'in_use' }, s.total - s.idle);
      this.set({ state: 'waiting' }, s.waiting);
    },
  });
  return {
    registry,
    // The route label lets an analysis count queries per request of each route: N+1 on one route is not
    // diluted by the others, and event consumers' queries (route "event:<key>") are not charged to requests.
    ...(db
      ? {
          dbQueries: new Counter({ name: 'db_queries_total', help: 'SQL queries sent by this service, by the route being served (event:<routing key> for consumers)', labelNames: ['route'], registers: [registry] }),
          dbQueryDuration: new Histogram({ name: 'db_query_duration_seconds', help: 'SQL query duration (pool wait included), by the route being served', labelNames: ['route'], buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers: [registry] }),
          dbQueryExec: new Histogram({ name: 'db_query_exec_seconds', help: 'SQL query execution time (the wait for a connection left out), by the method and route being served', labelNames: ['method', 'route'], buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers: [registry] }),
        }
      : {}),
    clientDuration: new Histogram({ name: 'http_client_request_duration_seconds', help: 'outbound HTTP calls to other services (body read included), by dependency and the route being served', labelNames: ['dependency', 'method', 'route', 'status_code'], buckets: HTTP_BUCKETS, registers: [registry] }),
    publishDuration: new Histogram({ name: 'event_publish_duration_seconds', help: 'time to publish a department event (broker confirm included)', labelNames: ['routing_key'], buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers: [registry] }),
    eventsConsumed: new Counter({ name: 'events_consumed_total', help: 'department events handled', labelNames: ['routing_key', 'outcome'], registers: [registry] }),
  };
}

/** The service's database with every query counted and timed under the route being served. */
function instrumentDb(db: Db, metrics: ServiceMetrics): Db {
  const { dbQueries, dbQueryDuration, dbQueryExec } = metrics;
  if (!dbQueries || !dbQueryDuration || !dbQueryExec) return db;
  return {
    kind: db.kind,
    async query<T extends object>(sql: string, params?: readonly SqlValue[]) {
      const route = currentRoute();
      const method = currentMethod();
      dbQueries.inc({ route });
      const end = dbQueryDuration.startTimer({ route });
      try {
        return await db.query<T>(sql, params, (seconds) => dbQueryExec.observe({ method, route }, seconds));
      } finally {
        end();
      }
    },
    exec: (sql) => db.exec(sql),
    poolStats: () => db.poolStats(),
    queryCount: () => db.queryCount(),
    close: () => db.close(),
  };
}

function fieldErrors(error: FastifyError): { field: string; message: string }[] {
  return (error.validation ?? []).map((v) => {
    const missing = (v.params as { missingProperty?: string; additionalProperty?: string }).missingProperty;
    const extra = (v.params as { additionalProperty?: string }).additionalProperty;
    const path = (v.instancePath ?? '').split('/').filter(Boolean).join('.');
    const field = [error.validationContext ?? 'body', path, missing ?? extra].filter(Boolean).join('.');
    return { field, message: extra ? 'is not a known field' : (v.message ?? 'is invalid') };
  });
}

async function probe(url: string, timeoutMs: number): Promise<'up' | 'down'> {
  try {
    await fetch(`${url}/health`, { signal: AbortSignal.timeout(timeoutMs) }).then((r) => r.arrayBuffer());
    return 'up'; // any HTTP answer means reachable (a stub may not implement /health)
  } catch {
    return 'down';
  }
}

export async function startService(module: ServiceModule, o: StartServiceOptions): Promise<RunningService> {
  const spec = SERVICES[module.name];
  const metrics = createMetrics(module.name, o.db);
  const db = o.db && instrumentDb(o.db, metrics);
  const httpTimeoutMs = o.httpTimeoutMs ?? 5000;
  const ctx: ServiceContext = {
    name: module.name,
    db,
    bus: o.bus,
    deps: o.deps,
    traps: o.traps,
    metrics,
    async publish(type, payload) {
      const end = metrics.publishDuration.startTimer({ routing_key: type });
      const event = await o.bus.publish(type, payload);
      end();
      return event;
    },
    async call<T>(dependency: string, path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) {
      const base = o.deps[dependency];
      if (!base) throw new DependencyUnavailableError(dependency);
      const method = init.method ?? 'GET';
      const end = metrics.clientDuration.startTimer({ dependency, method, route: currentRoute() });
      let res: Response;
      let text: string;
      try {
        res = await fetch(`${base}${path}`, {
          method,
          headers: { ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...(init.headers ?? {}) },
          body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
          signal: AbortSignal.timeout(httpTimeoutMs),
        });
        text = await res.text();
      } catch (error) {
        end({ status_code: 'unreachable' });
        throw new DependencyUnavailableError(dependency, error);
      }
      end({ status_code: String(res.status) });
      if (res.status >= 500) throw new DependencyUnavailableError(dependency, new Error(`HTTP ${res.status}`));
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        body = text;
      }
      return { status: res.status, body: body as T };
    },
  };

  if (spec.schema) {
    if (!db) throw new Error(`${module.name} needs a database`);
    await migrate(db, spec.schema);
  }
  await module.prepare?.(ctx);

  const loggingOn = o.logStream !== undefined || process.env.SUT_LOG === '1';
  const app = Fastify({
    logger: loggingOn ? { level: o.logLevel ?? 'info', stream: o.logStream ?? process.stdout, redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' } } : false,
    ajv: { customOptions: { removeAdditional: false, allErrors: true, coerceTypes: 'array' } },
    return503OnClosing: true,
  });
  // Before any route: the generator collects each route as it is added.
  await registerOpenApi(app, module.name, sutBuildInfo().version, routeDocsFor(module.name, o.traps.drift));

  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route (route template, not the raw URL)',
    labelNames: ['method', 'route', 'status_code'],
    buckets: HTTP_BUCKETS,
    registers: [metrics.registry],
  });

  // Every handler (registered after this hook) runs inside its route's context: see request-context.ts.
  app.addHook('onRoute', (route) => {
    const handler = route.handler;
    const template = route.url ?? route.path;
    route.handler = function (this: FastifyInstance, request, reply) {
      return withRoute(template, () => handler.call(this, request, reply), request.method);
    } as RouteHandlerMethod;
  });

  // The front page (another origin) calls grc from the browser.
  app.addHook('onRequest', async (request, reply) => {
    reply.header('access-control-allow-origin', '*');
    if (request.method === 'OPTIONS') {
      return reply.header('access-control-allow-methods', 'GET,POST,PUT,PATCH,DELETE,OPTIONS').header('access-control-allow-headers', 'content-type,x-role,x-operator').code(204).send();
    }
    return undefined;
  });
  const slowRoute = o.traps.slowRoute;
  app.addHook('onSend', async (request, reply, payload) => {
    if ((o.traps.latencyMs > 0 || o.traps.slowdownPct > 0) && `${request.method} ${request.routeOptions.url ?? ''}` === slowRoute) {
      const delay = extraDelayMs(o.traps, reply.elapsedTime);
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    }
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    httpDuration.observe({ method: request.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  const accessLog = accessLogHook(module.name);
  if (accessLog) app.addHook('onResponse', accessLog);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.validation) {
      const fields = fieldErrors(error);
      return reply.code(400).send({ error: 'Bad Request', message: fields.map((f) => `${f.field} ${f.message}`).join('; '), fields });
    }
    if (error instanceof HttpError) return reply.code(error.statusCode).send({ error: error.statusCode === 404 ? 'Not Found' : 'Error', message: error.message });
    if (error instanceof DbUnavailableError || error instanceof BrokerUnavailableError || error instanceof DependencyUnavailableError) {
      return reply.code(503).header('retry-after', '1').send({ error: 'Service Unavailable', message: error.message });
    }
    if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.code(error.statusCode).send({ error: 'Bad Request', message: error.message });
    }
    // A bug: logged by name and code only (a database error's detail may quote a sensitive value).
    request.log.error({ err: { name: error.name, code: error.code } }, 'unexpected error');
    return reply.code(500).send({ error: 'Internal Server Error', message: 'unexpected error' });
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: 'Not Found', message: `no route ${request.method} ${request.url.split('?')[0]}` }));

  app.get('/health', async (_request, reply) => {
    const dependencies: Record<string, { status: 'up' | 'down'; url?: string }> = {};
    if (db) {
      try {
        await Promise.race([db.query('SELECT 1'), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 1500))]);
        dependencies.database = { status: 'up' };
      } catch {
        dependencies.database = { status: 'down' };
      }
    }
    if (spec.schema) dependencies.broker = { status: o.bus.healthy() ? 'up' : 'down' };
    await Promise.all(
      spec.dependsOn.map(async (d) => {
        const url = o.deps[d];
        dependencies[d] = { status: url ? await probe(url, 1000) : 'down', url };
      }),
    );
    const ok = Object.values(dependencies).every((d) => d.status === 'up');
    return reply.code(ok ? 200 : 503).send({ name: module.name, ...sutBuildInfo(), status: ok ? 'ok' : 'unavailable', mode: db?.kind ?? 'stateless', bus: o.bus.kind, traps: Object.keys(o.traps).filter((k) => o.traps[k as keyof Traps] === true), dependencies });
  });
  app.get('/metrics', async (_request, reply) => reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics()));

  if (module.seed) {
    const seed = module.seed;
    app.post<{ Body: { persons: number; seed: string } }>(
      '/admin/seed',
      { schema: { body: { type: 'object', required: ['persons', 'seed'], additionalProperties: false, properties: { persons: { type: 'integer', minimum: 0, maximum: 2_000_000 }, seed: { type: 'string', minLength: 1, maxLength: 64 } } } } },
      async (request) => {
        const rows = await seed(ctx, request.body.persons, request.body.seed);
        // Bulk-loaded tables have no planner statistics until autovacuum's analyze comes round, up to a
        // minute later — and then the plans change under load: a test started right after seeding would
        // measure that (the capacity bench saw p95 stalls of ~1 s in its first minute). Analyze now, as one
        // does after a bulk load.
        if (db && spec.schema) await analyzeSchema(db, spec.schema);
        return { service: module.name, rows };
      },
    );
  }

  module.routes(app, ctx);

  await app.listen({ port: o.port, host: o.host ?? '127.0.0.1' });
  const port = (app.server.address() as AddressInfo).port;

  let subscription: Subscription | undefined;
  const consumers = module.consumers;
  const startConsumers = async (): Promise<void> => {
    if (!consumers || subscription) return;
    const keys = routingKeysConsumedBy(module.name);
    subscription = await o.bus.subscribe(`${o.queuePrefix}.${module.name}`, keys, async (event) => {
      const handler = consumers[event.type];
      if (!handler) return;
      try {
        await withRoute(eventRoute(event.type), () => handler(event, ctx));
        metrics.eventsConsumed.inc({ routing_key: event.type, outcome: 'ok' });
      } catch (error) {
        metrics.eventsConsumed.inc({ routing_key: event.type, outcome: 'retry' });
        throw error;
      }
    });
  };
  const stopConsumers = async (): Promise<void> => {
    const s = subscription;
    subscription = undefined;
    await s?.close();
  };
  await startConsumers();

  return {
    name: module.name,
    url: `http://127.0.0.1:${port}`,
    port,
    app,
    ctx,
    stopConsumers,
    startConsumers,
    async close() {
      await stopConsumers();
      await app.close();
    },
  };
}

/** ANALYZE every table of one department's schema (planner statistics after a bulk load). */
async function analyzeSchema(db: Db, schema: string): Promise<void> {
  const tables = await db.query<{ name: string }>(`SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables WHERE schemaname = $1`, [schema]);
  for (const t of tables) await db.query(`ANALYZE ${t.name}`);
}

/**
 * Applies `sql` as one idempotent effect of `event`: nothing happens if the event was already processed.
 * `sql` must filter on `EXISTS (SELECT 1 FROM first)`; $1 is the event id, its own parameters start at $2.
 */
export async function onceFor<T extends object = Record<string, unknown>>(db: Db, schema: string, event: DomainEvent, sql: string, params: readonly SqlValue[]): Promise<T[]> {
  // The effect and the "processed" mark are one statement, so a crash between them cannot apply it twice.
  return db.query<T>(`WITH first AS (INSERT INTO ${schema}.processed_events (event_id) VALUES ($1) ON CONFLICT DO NOTHING RETURNING event_id) ${sql}`, [event.id, ...params]);
}
