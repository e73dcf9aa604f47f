/**
 * startSut: the reference target, embedded (one PGlite instance with a schema per department, in-process
 * bus) or on PostgreSQL (+ RabbitMQ), in this process or one process per service (`isolated`, each through
 * spawnManaged), all services or a subset (`only`), any dependency replaced by a URL (a stub).
 */
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { Writable } from 'node:stream';
import { PerfcellError } from '../lib/errors.js';
import { spawnManaged, stopChild } from '../lib/process/children.js';
import { SERVICES, SERVICE_NAMES, dependencyEnvVar, startOrder, startWaves, type ServiceName } from './topology.js';
import { startService, type RunningService } from './lib/app.js';
import { AmqpBus, InProcessBus, type Bus } from './lib/bus.js';
import { createPgDb, createPgliteInstance, wrapPglite, type Db } from './lib/db.js';
import { startEventRelay } from './lib/relay-bus.js';
import { NO_TRAPS, trapsFromEnv, trapsToEnv, type Traps } from './lib/traps.js';
import { SERVICE_MODULES } from './services/index.js';

export const DEFAULT_EXCHANGE = 'sut.events';

export interface StartSutOptions {
  /** PostgreSQL mode when given (one schema per department in that database); embedded PGlite otherwise. */
  databaseUrl?: string;
  /** RabbitMQ topic exchange when given; in-process bus otherwise. */
  amqpUrl?: string;
  /** One process per service (through spawnManaged) instead of all in this process. */
  isolated?: boolean;
  /** Start only these services (e.g. ["grc"] for the stubbed phase); default all (ticketing only if not overridden). */
  only?: readonly ServiceName[];
  /** Replaces a dependency's URL (a stub); otherwise a started service's URL, else $<NAME>_URL, else its default port. */
  dependencyUrls?: Partial<Record<ServiceName, string>>;
  /** Port per service; 0 = any free port. Default: topology's ports. */
  ports?: Partial<Record<ServiceName, number>>;
  /** Trap switches; default read from this process's environment (SUT_TRAP_*, SUT_SLOWDOWN_PCT). */
  traps?: Partial<Traps>;
  /** Topic exchange (and queue name prefix); tests use a unique one. */
  exchange?: string;
  /** Connections per service pool in PostgreSQL mode (default 10). */
  dbPoolMax?: number;
  /** How long to wait for every started service's /health to answer 200 (default 60 s; 0 = do not wait). */
  healthTimeoutMs?: number;
  /** Logs of the services (off unless given or SUT_LOG=1); sensitive fields are redacted. */
  logStream?: Writable;
}

export interface RunningSut {
  urls: Partial<Record<ServiceName, string>>;
  mode: 'embedded' | 'postgres';
  bus: 'in-process' | 'amqp' | 'relay';
  isolated: boolean;
  /** The running services (in-process mode only): tests use them to stop/start consumers. */
  services: Partial<Record<ServiceName, RunningService>>;
  stop(): Promise<void>;
}

const SERVICE_MAIN = fileURLToPath(new URL('./service-main.ts', import.meta.url));

export function selectServices(o: Pick<StartSutOptions, 'only' | 'dependencyUrls'>, env: NodeJS.ProcessEnv = process.env): ServiceName[] {
  const ticketingGiven = Boolean(o.dependencyUrls?.ticketing ?? env[dependencyEnvVar('ticketing')]);
  const wanted = o.only ? [...o.only] : SERVICE_NAMES.filter((n) => n !== 'ticketing' || !ticketingGiven);
  return startOrder(wanted);
}

function dependencyUrl(d: ServiceName, o: StartSutOptions, started: Partial<Record<ServiceName, string>>): string {
  return o.dependencyUrls?.[d] ?? started[d] ?? process.env[dependencyEnvVar(d)] ?? `http://127.0.0.1:${SERVICES[d].port}`;
}

export async function waitHealthy(urls: Partial<Record<ServiceName, string>>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const pending = new Set(Object.keys(urls) as ServiceName[]);
  let last: Record<string, string> = {};
  while (pending.size > 0) {
    for (const name of [...pending]) {
      try {
        const r = await fetch(`${urls[name]}/health`, { signal: AbortSignal.timeout(2000) });
        const body = await r.text();
        if (r.status === 200) pending.delete(name);
        else last[name] = `HTTP ${r.status} ${body.slice(0, 300)}`;
      } catch (error) {
        last[name] = error instanceof Error ? error.message : String(error);
      }
    }
    if (pending.size === 0) return;
    if (Date.now() > deadline) {
      throw new PerfcellError(`reference target not healthy after ${Math.round(timeoutMs / 1000)} s: ${[...pending].map((n) => `${n} (${last[n] ?? 'no answer'})`).join('; ')}`, 'environment');
    }
    await new Promise((r) => setTimeout(r, 250));
    last = { ...last };
  }
}

export async function startSut(options: StartSutOptions = {}): Promise<RunningSut> {
  const traps: Traps = { ...NO_TRAPS, ...trapsFromEnv(process.env), ...(options.traps ?? {}) };
  const names = selectServices(options);
  const exchange = options.exchange ?? DEFAULT_EXCHANGE;
  const run = options.isolated ? startIsolated(names, options, traps, exchange) : startInProcess(names, options, traps, exchange);
  const sut = await run;
  if ((options.healthTimeoutMs ?? 60_000) > 0) {
    try {
      await waitHealthy(sut.urls, options.healthTimeoutMs ?? 60_000);
    } catch (error) {
      await sut.stop();
      throw error;
    }
  }
  return sut;
}

async function startInProcess(names: ServiceName[], o: StartSutOptions, traps: Traps, exchange: string): Promise<RunningSut> {
  const pglite = o.databaseUrl ? undefined : await createPgliteInstance();
  const bus: Bus = o.amqpUrl ? await AmqpBus.connect({ url: o.amqpUrl, exchange }) : new InProcessBus();
  const dbs: Db[] = [];
  const services: Partial<Record<ServiceName, RunningService>> = {};
  const urls: Partial<Record<ServiceName, string>> = {};
  const stop = async () => {
    for (const n of [...names].reverse()) await services[n]?.close().catch(() => undefined);
    await bus.close();
    for (const db of dbs) await db.close().catch(() => undefined);
    await pglite?.close().catch(() => undefined);
  };
  try {
    for (const name of names) {
      const spec = SERVICES[name];
      let db: Db | undefined;
      if (spec.schema) {
        db = pglite ? wrapPglite(pglite, false) : createPgDb(o.databaseUrl as string, o.dbPoolMax ?? 10);
        dbs.push(db);
      }
      const deps = Object.fromEntries(spec.dependsOn.map((d) => [d, dependencyUrl(d, o, urls)]));
      const s = await startService(SERVICE_MODULES[name], { db, bus, deps, traps, port: o.ports?.[name] ?? spec.port, queuePrefix: exchange, logStream: o.logStream });
      services[name] = s;
      urls[name] = s.url;
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { urls, services, mode: o.databaseUrl ? 'postgres' : 'embedded', bus: bus.kind, isolated: false, stop };
}

async function startIsolated(names: ServiceName[], o: StartSutOptions, traps: Traps, exchange: string): Promise<RunningSut> {
  const children = new Map<ServiceName, ReturnType<typeof spawnManaged>>();
  const urls: Partial<Record<ServiceName, string>> = {};
  // Without RabbitMQ, events cross processes through a relay hosted here.
  const relay = o.amqpUrl ? undefined : await startEventRelay();
  const stop = async () => {
    for (const n of [...names].reverse()) {
      const c = children.get(n);
      if (c) await stopChild(c, 'SIGTERM', 5000);
    }
    await relay?.close();
  };
  // A child's configuration comes from these options only, not from SUT_* variables this process inherited.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SUT_') || k === 'SUT_LOG' || k === 'SUT_COMMIT'));
  const startOne = async (name: ServiceName): Promise<void> => {
    const spec = SERVICES[name];
    const env: NodeJS.ProcessEnv = {
      ...inherited,
      ...trapsToEnv(traps),
      SUT_SERVICE: name,
      SUT_PORT: String(o.ports?.[name] ?? spec.port),
      SUT_EXCHANGE: exchange,
      ...(o.databaseUrl ? { SUT_DATABASE_URL: o.databaseUrl } : {}),
      ...(o.amqpUrl ? { SUT_AMQP_URL: o.amqpUrl } : {}),
      ...(relay ? { SUT_EVENT_RELAY_URL: relay.url } : {}),
      ...(o.dbPoolMax ? { SUT_DB_POOL_MAX: String(o.dbPoolMax) } : {}),
      ...Object.fromEntries(spec.dependsOn.map((d) => [dependencyEnvVar(d), dependencyUrl(d, o, urls)])),
    };
    const child = spawnManaged(process.execPath, ['--import', 'tsx', SERVICE_MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.set(name, child);
    urls[name] = `http://127.0.0.1:${await listeningPort(name, child)}`;
  };
  try {
    // Services of a wave start together; a wave starts once the services it calls listen.
    for (const wave of startWaves(names)) await Promise.all(wave.map(startOne));
  } catch (error) {
    await stop();
    throw error;
  }
  return { urls, services: {}, mode: o.databaseUrl ? 'postgres' : 'embedded', bus: o.amqpUrl ? 'amqp' : 'relay', isolated: true, stop };
}

/** Waits for the child's "SUT_LISTENING <port>" line; its stderr tail explains a failure. */
async function listeningPort(name: ServiceName, child: ReturnType<typeof spawnManaged>, timeoutMs = 60_000): Promise<number> {
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString('utf8')).slice(-4000);
  });
  let out = '';
  const port = new Promise<number>((resolve) => {
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      const m = /SUT_LISTENING (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
  });
  const exited = once(child, 'exit').then(([code]) => {
    throw new PerfcellError(`sut service ${name} exited (code ${String(code)}) before listening: ${stderr.trim().split('\n').slice(-5).join(' | ')}`, 'environment');
  });
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new PerfcellError(`sut service ${name} did not listen within ${timeoutMs / 1000} s`, 'environment')), timeoutMs).unref());
  const p = await Promise.race([port, exited, timeout]);
  // Keep draining the pipes so that a chatty child never blocks on a full pipe.
  child.stdout?.resume();
  return p;
}
