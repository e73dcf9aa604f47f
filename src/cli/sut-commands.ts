/** `perfcell sut start|stop|status|seed`: the reference target (sut/) in the background, its data. */
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { PerfcellError, inputError } from '../errors.js';
import { PROJECT_ROOT } from '../k6/locate.js';
import { statePath } from '../../lib/state-dir.js';
import type { BackgroundService } from '../services/background.js';
import { durationFlag } from './convention.js';
import { FOREGROUND_OPTION, addStatusStop, startService, untilSignal } from './service-cli.js';
import { SERVICES, isServiceName, type ServiceName } from '../../sut/topology.js';
import { startSut, type StartSutOptions } from '../../sut/start.js';
import { DEFAULT_SEED, seedSut } from '../../sut/seed.js';
import { isAlive, readSutState, removeSutState, writeSutState, type SutState } from '../../sut/state.js';
import { activeTraps, trapsFromEnv } from '../../sut/lib/traps.js';

const DAEMON = join(PROJECT_ROOT, 'sut', 'daemon.ts');
const DEFAULT_STATE = statePath('sut.json');

interface StartFlags {
  embedded?: boolean;
  databaseUrl?: string;
  amqpUrl?: string;
  isolated?: boolean;
  only?: string;
  portOffset: string;
  dependency: string[];
  timeout: string;
  foreground?: boolean;
  state: string;
}

function parseServiceList(value: string, flag: string): ServiceName[] {
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) if (!isServiceName(n)) throw inputError(flag, '', `service names among ${Object.keys(SERVICES).join(', ')} (got "${n}")`);
  if (names.length === 0) throw inputError(flag, '', 'at least one service name');
  return names as ServiceName[];
}

/** Flags → startSut options (pure apart from reading trap switches from the environment). */
export function startOptionsFromFlags(f: StartFlags, env: NodeJS.ProcessEnv = process.env): StartSutOptions {
  if (f.embedded && (f.databaseUrl || f.amqpUrl)) throw inputError('--embedded', '', 'no --database-url or --amqp-url with it (embedded means PGlite and the in-process bus)');
  const offset = Number(f.portOffset);
  if (!Number.isInteger(offset) || offset < 0 || offset > 50000) throw inputError('--port-offset', '', `an integer between 0 and 50000 (got "${f.portOffset}")`);
  const dependencyUrls: Partial<Record<ServiceName, string>> = {};
  for (const d of f.dependency) {
    const m = /^([a-z-]+)=(https?:\/\/.+)$/.exec(d);
    if (!m || !isServiceName(m[1] as string)) throw inputError('--dependency', '', `service=URL with a known service (got "${d}")`);
    dependencyUrls[m[1] as ServiceName] = m[2] as string;
  }
  const ports = Object.fromEntries(Object.values(SERVICES).map((s) => [s.name, s.port + offset])) as Record<ServiceName, number>;
  return {
    databaseUrl: f.databaseUrl,
    amqpUrl: f.amqpUrl,
    isolated: Boolean(f.isolated),
    only: f.only ? parseServiceList(f.only, '--only') : undefined,
    dependencyUrls,
    ports,
    traps: trapsFromEnv(env),
    healthTimeoutMs: durationFlag('--timeout', f.timeout),
  };
}

function printUrls(out: NodeJS.WritableStream, state: Pick<SutState, 'urls' | 'mode' | 'bus' | 'isolated' | 'pid' | 'options'>): void {
  out.write(`reference target ready (${state.mode}, ${state.bus} bus${state.isolated ? ', one process per service' : ''}, pid ${state.pid})\n`);
  for (const [name, url] of Object.entries(state.urls)) out.write(`  ${name.padEnd(17)} ${url}\n`);
  const traps = state.options.traps ? activeTraps({ ...trapsFromEnv({}), ...state.options.traps }) : [];
  if (traps.length > 0) out.write(`  traps on: ${traps.join(', ')}\n`);
}

/** The reference target as a background service: its state file (sut.json) read into the common shape. */
export function sutService(stateFile: string): BackgroundService {
  return {
    name: 'sut',
    label: 'reference target',
    stateFile,
    logFile: join(dirname(stateFile), 'sut.log'),
    read: () => {
      const s = readSutState(stateFile);
      if (!s) return undefined;
      const endpoints = Object.entries(s.urls).map(([name, url]) => ({ name, url: url as string }));
      return { pid: s.pid, ready: s.status === 'ready', error: s.status === 'failed' ? (s.error ?? 'failed') : undefined, since: s.startedAt, endpoints };
    },
    remove: () => removeSutState(stateFile),
    probe: async ({ url }) => {
      try {
        const r = await fetch(`${url}/health`, { signal: AbortSignal.timeout(3000) });
        const body = (await r.json()) as { dependencies?: Record<string, { status: string }> };
        const down = Object.entries(body.dependencies ?? {}).filter(([, d]) => d.status !== 'up').map(([n]) => n);
        return { up: r.status === 200, ...(down.length ? { note: `unreachable: ${down.join(', ')}` } : {}) };
      } catch {
        return { up: false, note: 'no answer' };
      }
    },
  };
}

export function registerSutCommands(program: Command): void {
  const sut = program.command('sut').description('the LAE/GRC reference target: start, stop, status, seed');
  const stateOption = ['--state <file>', 'state file of the running target', DEFAULT_STATE] as const;

  sut
    .command('start')
    .description('start the reference target in the background (or --foreground), wait until healthy, print the URLs')
    .option('--embedded', 'PGlite and the in-process bus (the default when no --database-url is given)')
    .option('--database-url <url>', 'PostgreSQL database (one schema per department)')
    .option('--amqp-url <url>', 'RabbitMQ (topic exchange for department events)')
    .option('--isolated', 'one process per service')
    .option('--only <services>', 'comma-separated services to start (e.g. grc for the stubbed phase)')
    .option('--dependency <service=url>', 'replace a dependency by this URL (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--port-offset <n>', 'add n to every default port (8080…8086)', '0')
    .option('--timeout <duration>', 'how long to wait until healthy', '90s')
    .option(...FOREGROUND_OPTION)
    .option(...stateOption)
    .action(async (f: StartFlags) => {
      const options = startOptionsFromFlags(f);
      const stateFile = resolve(f.state);
      const service = sutService(stateFile);
      await startService(service, {
        foreground: f.foreground,
        timeoutMs: (options.healthTimeoutMs ?? 90_000) + 30_000,
        command: [process.execPath, '--import', 'tsx', DAEMON, JSON.stringify(options), stateFile],
        cwd: PROJECT_ROOT,
        runForeground: async () => {
          const existing = service.read();
          if (existing && isAlive(existing.pid)) throw new PerfcellError(`reference target already running (pid ${existing.pid}, ${stateFile}): \`perfcell sut stop\` first`, 'environment');
          const running = await startSut(options);
          const state: SutState = { status: 'ready', pid: process.pid, urls: running.urls, mode: running.mode, bus: running.bus, isolated: running.isolated, startedAt: new Date().toISOString(), options };
          writeSutState(stateFile, state);
          printUrls(process.stdout, state);
          await untilSignal();
          await running.stop();
          removeSutState(stateFile);
        },
        printReady: () => {
          const state = readSutState(stateFile);
          if (state) printUrls(process.stdout, state);
        },
      });
    });

  addStatusStop(sut, (f) => sutService(resolve(f.state as string)), (c) => c.option(...stateOption));

  sut
    .command('seed')
    .description('seed every department with N deterministic persons and write data/generated/persons.csv')
    .requiredOption('--persons <n>', 'number of persons')
    .option('--seed <text>', 'seed of the generator (same seed → same data)', DEFAULT_SEED)
    .option('--data-dir <dir>', 'where the CSV data files go', join(PROJECT_ROOT, 'data', 'generated'))
    .option(...stateOption)
    .action(async (f: { persons: string; seed: string; dataDir: string; state: string }) => {
      const persons = Number(f.persons);
      if (!Number.isInteger(persons) || persons < 1 || persons > 2_000_000) throw inputError('--persons', '', `an integer between 1 and 2000000 (got "${f.persons}")`);
      const state = readSutState(resolve(f.state));
      if (!state || !isAlive(state.pid)) throw new PerfcellError('no reference target running: `perfcell sut start` first', 'environment');
      const r = await seedSut(state.urls, { persons, seed: f.seed, dataDir: resolve(f.dataDir) });
      process.stdout.write(`seeded ${persons} persons (seed "${r.seed}") in ${(r.durationMs / 1000).toFixed(1)} s\n`);
      for (const [name, rows] of Object.entries(r.rows)) process.stdout.write(`  ${name.padEnd(17)} ${Object.entries(rows).map(([t, n]) => `${t} ${n}`).join(', ')}\n`);
      for (const file of r.files) process.stdout.write(`  wrote ${file}\n`);
    });
}
