/** `perfcell sut start|stop|status|seed`: the reference target (sut/) in the background, its data. */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { PerfcellError, inputError } from '../errors.js';
import { PROJECT_ROOT } from '../k6/locate.js';
import { spawnDaemon } from '../../lib/process/children.js';
import { SERVICES, isServiceName, type ServiceName } from '../../sut/topology.js';
import { startSut, type StartSutOptions } from '../../sut/start.js';
import { DEFAULT_SEED, seedSut } from '../../sut/seed.js';
import { isAlive, readSutState, removeSutState, type SutState } from '../../sut/state.js';
import { activeTraps, trapsFromEnv } from '../../sut/lib/traps.js';
import { RUN_EXIT } from '../exit-codes.js';

const DAEMON = join(PROJECT_ROOT, 'sut', 'daemon.ts');
const DEFAULT_STATE = join(PROJECT_ROOT, '.perfcell', 'sut.json');

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
    healthTimeoutMs: Number(f.timeout) * 1000,
  };
}

function printUrls(out: NodeJS.WritableStream, state: Pick<SutState, 'urls' | 'mode' | 'bus' | 'isolated' | 'pid' | 'options'>): void {
  out.write(`reference target ready (${state.mode}, ${state.bus} bus${state.isolated ? ', one process per service' : ''}, pid ${state.pid})\n`);
  for (const [name, url] of Object.entries(state.urls)) out.write(`  ${name.padEnd(17)} ${url}\n`);
  const traps = state.options.traps ? activeTraps({ ...trapsFromEnv({}), ...state.options.traps }) : [];
  if (traps.length > 0) out.write(`  traps on: ${traps.join(', ')}\n`);
}

async function waitForState(file: string, pid: number, timeoutMs: number, logFile: string): Promise<SutState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = readSutState(file);
    if (s && s.pid === pid && s.status === 'ready') return s;
    if (s && s.pid === pid && s.status === 'failed') throw new PerfcellError(`reference target failed to start: ${s.error ?? 'see ' + logFile}`, 'environment');
    if (!isAlive(pid)) {
      const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').trim().split('\n').slice(-5).join('\n  ') : '';
      throw new PerfcellError(`reference target exited during start-up (log ${logFile}):\n  ${tail}`, 'environment');
    }
    if (Date.now() > deadline) throw new PerfcellError(`reference target not ready after ${Math.round(timeoutMs / 1000)} s (log ${logFile}); \`perfcell sut stop\` cleans up`, 'environment');
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function stopPid(pid: number, timeoutMs = 15_000): Promise<void> {
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-pid, s); // the daemon leads its own process group: its isolated services go too
    } catch {
      try {
        process.kill(pid, s);
      } catch {
        /* already gone */
      }
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(pid)) signal('SIGKILL');
  while (isAlive(pid)) await new Promise((r) => setTimeout(r, 50));
}

export function registerSutCommands(program: Command): void {
  const sut = program.command('sut').description('the LAE/GRC reference target: start, stop, status, seed');
  const stateOption = ['--state <file>', 'state file of the running target', DEFAULT_STATE] as const;

  sut
    .command('start')
    .description('start the reference target in the background, wait until healthy, print the URLs')
    .option('--embedded', 'PGlite and the in-process bus (the default when no --database-url is given)')
    .option('--database-url <url>', 'PostgreSQL database (one schema per department)')
    .option('--amqp-url <url>', 'RabbitMQ (topic exchange for department events)')
    .option('--isolated', 'one process per service')
    .option('--only <services>', 'comma-separated services to start (e.g. grc for the stubbed phase)')
    .option('--dependency <service=url>', 'replace a dependency by this URL (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--port-offset <n>', 'add n to every default port (8080…8086)', '0')
    .option('--timeout <seconds>', 'how long to wait until healthy', '90')
    .option('--foreground', 'run in this process until Ctrl-C instead of in the background')
    .option(...stateOption)
    .action(async (f: StartFlags) => {
      const options = startOptionsFromFlags(f);
      const stateFile = resolve(f.state);
      const existing = readSutState(stateFile);
      if (existing && isAlive(existing.pid)) throw new PerfcellError(`a reference target is already running (pid ${existing.pid}, ${stateFile}): \`perfcell sut stop\` first`, 'environment');
      if (f.foreground) {
        const running = await startSut(options);
        printUrls(process.stdout, { ...running, pid: process.pid, options });
        await new Promise<void>((res) => {
          process.once('SIGINT', res);
          process.once('SIGTERM', res);
        });
        await running.stop();
        return;
      }
      removeSutState(stateFile);
      const logFile = join(dirname(stateFile), 'sut.log');
      mkdirSync(dirname(stateFile), { recursive: true });
      const pid = spawnDaemon(process.execPath, ['--import', 'tsx', DAEMON, JSON.stringify(options), stateFile], { logFile, cwd: PROJECT_ROOT });
      const state = await waitForState(stateFile, pid, (options.healthTimeoutMs ?? 90_000) + 30_000, logFile);
      printUrls(process.stdout, state);
      process.stdout.write(`  log: ${logFile}\n  stop it with: perfcell sut stop\n`);
    });

  sut
    .command('stop')
    .description('stop the background reference target (no process is left behind)')
    .option(...stateOption)
    .action(async (f: { state: string }) => {
      const stateFile = resolve(f.state);
      const state = readSutState(stateFile);
      if (!state) {
        process.stdout.write('no reference target running\n');
        return;
      }
      if (isAlive(state.pid)) await stopPid(state.pid);
      removeSutState(stateFile);
      process.stdout.write(`stopped (pid ${state.pid})\n`);
    });

  sut
    .command('status')
    .description("print each service's URL and health; exit 3 when not running or unhealthy")
    .option(...stateOption)
    .action(async (f: { state: string }) => {
      const state = readSutState(resolve(f.state));
      if (!state || !isAlive(state.pid)) {
        process.stdout.write('not running\n');
        process.exitCode = RUN_EXIT.environment;
        return;
      }
      process.stdout.write(`running (${state.mode ?? '?'}, ${state.bus ?? '?'} bus, pid ${state.pid}, since ${state.startedAt})\n`);
      let healthy = state.status === 'ready';
      for (const [name, url] of Object.entries(state.urls)) {
        let line: string;
        try {
          const r = await fetch(`${url}/health`, { signal: AbortSignal.timeout(3000) });
          const body = (await r.json()) as { status?: string; dependencies?: Record<string, { status: string }> };
          const down = Object.entries(body.dependencies ?? {}).filter(([, d]) => d.status !== 'up').map(([n]) => n);
          line = `${r.status === 200 ? 'ok  ' : 'DOWN'} ${name.padEnd(17)} ${url}${down.length ? `  (unreachable: ${down.join(', ')})` : ''}`;
          if (r.status !== 200) healthy = false;
        } catch {
          line = `DOWN ${name.padEnd(17)} ${url}  (no answer)`;
          healthy = false;
        }
        process.stdout.write(`  ${line}\n`);
      }
      if (!healthy) process.exitCode = RUN_EXIT.environment;
    });

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
