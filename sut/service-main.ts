/**
 * One service in its own process (startSut's isolated mode): configuration from the environment
 * (SUT_SERVICE, SUT_PORT, SUT_DATABASE_URL, SUT_AMQP_URL, SUT_EXCHANGE, <DEP>_URL, traps), prints
 * "SUT_LISTENING <port>" once it listens, stops cleanly on SIGTERM/SIGINT.
 */
import { SERVICES, dependencyEnvVar, isServiceName } from './topology.js';
import { startService } from './lib/app.js';
import { AmqpBus, InProcessBus, type Bus } from './lib/bus.js';
import { RelayBus } from './lib/relay-bus.js';
import { createPgDb, createPgliteInstance, wrapPglite, type Db } from './lib/db.js';
import { trapsFromEnv } from './lib/traps.js';
import { SERVICE_MODULES } from './services/index.js';
import { DEFAULT_EXCHANGE } from './start.js';

const name = process.env.SUT_SERVICE ?? '';
if (!isServiceName(name)) {
  process.stderr.write(`SUT_SERVICE must name a service, got "${name}"\n`);
  process.exit(2);
}
const spec = SERVICES[name];
const exchange = process.env.SUT_EXCHANGE ?? DEFAULT_EXCHANGE;
let db: Db | undefined;
if (spec.schema) {
  db = process.env.SUT_DATABASE_URL ? createPgDb(process.env.SUT_DATABASE_URL, Number(process.env.SUT_DB_POOL_MAX ?? 10)) : wrapPglite(await createPgliteInstance(32), true);
}
// RabbitMQ when given; else the launcher's event relay (isolated embedded mode); else events stay in-process.
const bus: Bus = process.env.SUT_AMQP_URL
  ? await AmqpBus.connect({ url: process.env.SUT_AMQP_URL, exchange })
  : process.env.SUT_EVENT_RELAY_URL
    ? new RelayBus(process.env.SUT_EVENT_RELAY_URL)
    : new InProcessBus();
const deps = Object.fromEntries(spec.dependsOn.map((d) => [d, process.env[dependencyEnvVar(d)] ?? `http://127.0.0.1:${SERVICES[d].port}`]));
const service = await startService(SERVICE_MODULES[name], { db, bus, deps, traps: trapsFromEnv(process.env), port: Number(process.env.SUT_PORT ?? spec.port), queuePrefix: exchange });
process.stdout.write(`SUT_LISTENING ${service.port}\n`);

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  await service.close().catch(() => undefined);
  await bus.close();
  await db?.close().catch(() => undefined);
  process.exit(0);
};
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
