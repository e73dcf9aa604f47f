/**
 * `perfcell stubs start|status|stop|verify|calibrate`. `start` runs the stub servers in the background (or
 * in the terminal with --foreground; the JVMs die with their owner process, even on SIGKILL) and records
 * them in .perfcell/stubs.json so that `status`, `verify` and `stop` find them (src/services/background.ts).
 */
import type { Command } from 'commander';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { WireMock } from 'wiremock-captain';
import { PerfcellError, inputError } from '../errors.js';
import { calibrateStubs } from '../stubs/calibrate.js';
import { verifyNow } from '../stubs/journal.js';
import { listStubSets, loadStubSet, stubsRoot } from '../stubs/stub-set.js';
import { formatVerification } from '../stubs/verify.js';
import { startStubServers } from '../stubs/wiremock.js';
import { dependencyEnvVar } from '../../lib/dependency-env.js';
import { isProcessAlive } from '../../lib/process/children.js';
import { RUN_EXIT } from '../exit-codes.js';
import { statePath as stateFile } from '../../lib/state-dir.js';
import { foregroundCommand, httpProbe, type BackgroundService } from '../services/background.js';
import { FOREGROUND_OPTION, addStatusStop, startService, untilSignal } from './service-cli.js';

interface StubsState {
  ownerPid: number;
  startedAt?: string;
  servers: { name: string; url: string; port: number; pid: number; mappings: [string, string][] }[];
}

const statePath = () => stateFile('stubs.json');

function readStateFile(): StubsState | undefined {
  try {
    return JSON.parse(readFileSync(statePath(), 'utf8')) as StubsState;
  } catch {
    return undefined;
  }
}

/** The stub servers as a background service: the owner process and one endpoint per stub set. */
export function stubsService(): BackgroundService {
  const file = statePath();
  return {
    name: 'stubs',
    label: 'stub servers',
    stateFile: file,
    logFile: join(dirname(file), 'stubs.log'),
    read: () => {
      const s = readStateFile();
      return s && { pid: s.ownerPid, ready: true, since: s.startedAt, endpoints: s.servers.map((x) => ({ name: x.name, url: x.url })) };
    },
    remove: () => rmSync(file, { force: true }),
    probe: ({ url }) => httpProbe(`${url}/__admin/mappings?limit=1`),
  };
}

function readState(): StubsState {
  const path = statePath();
  if (!existsSync(path)) throw new PerfcellError(`no stub servers recorded (${path} does not exist): start them with \`perfcell stubs start\``, 'environment');
  return JSON.parse(readFileSync(path, 'utf8')) as StubsState;
}

function parsePorts(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) {
    const m = /^([a-z][a-z0-9-]*)=(\d+)$/.exec(v);
    if (!m) throw inputError('--port', '', `<stub set>=<port>, got "${v}"`);
    out[m[1] as string] = Number(m[2]);
  }
  return out;
}

export function registerStubsCommands(program: Command): void {
  const stubs = program.command('stubs').description('WireMock stub servers: start, stop, verify, calibrate');

  stubs
    .command('start')
    .argument('[sets...]', 'stub sets (folders of stubs/); default all')
    .option('--stubs-dir <dir>', 'folder of stub sets (default ./stubs)')
    .option('--port <set=port...>', 'fixed port of a stub set (default a free port)', [])
    .option('--heap <mb>', 'JVM heap per stub server, MB', '256')
    .option(...FOREGROUND_OPTION)
    .description('start one WireMock per stub set on 127.0.0.1 in the background (or --foreground) until `perfcell stubs stop`')
    .action(async (names: string[], opts: { stubsDir?: string; port: string[]; heap: string; foreground?: boolean }) => {
      const root = opts.stubsDir ? resolve(opts.stubsDir) : stubsRoot(process.cwd());
      const chosen = names.length > 0 ? names : listStubSets(root);
      if (chosen.length === 0) throw inputError(root, '', 'a folder of stub sets (stubs/<dependency>/mappings/*.json); none found');
      const ports = parsePorts(opts.port);
      const sets = chosen.map((n) => loadStubSet(root, n));
      const service = stubsService();
      await startService(service, {
        foreground: opts.foreground,
        command: foregroundCommand(),
        // JVM start-up: about 2 s each on 2 cores, several in parallel; heavy machines need more.
        timeoutMs: 120_000,
        printReady: (st) => {
          const s = readStateFile();
          for (const x of s?.servers ?? []) process.stdout.write(`${dependencyEnvVar(x.name)}=${x.url}   # ${x.name}: ${x.mappings.length} mapping(s)\n`);
          process.stdout.write(`perfcell: stubs running (pid ${st.pid})\n`);
        },
        runForeground: async () => {
          const existing = readStateFile();
          if (existing && isProcessAlive(existing.ownerPid)) throw new PerfcellError(`stub servers already running (perfcell pid ${existing.ownerPid}); \`perfcell stubs stop\` first`, 'environment');
          const servers = await startStubServers(sets, (s) => ({ port: ports[s.name], heapMb: Number(opts.heap) }));
          const state: StubsState = {
            ownerPid: process.pid,
            startedAt: new Date().toISOString(),
            servers: servers.map((s) => ({ name: s.name, url: s.url, port: s.port, pid: s.pid, mappings: [...s.mappings] })),
          };
          mkdirSync(dirname(statePath()), { recursive: true });
          writeFileSync(statePath(), JSON.stringify(state, null, 2) + '\n');
          for (const s of servers) process.stdout.write(`${dependencyEnvVar(s.name)}=${s.url}   # ${s.name}: ${s.mappings.size} mapping(s)\n`);
          process.stdout.write('perfcell: stubs running; Ctrl-C or `perfcell stubs stop` to stop them\n');
          await untilSignal();
          await Promise.all(servers.map((s) => s.stop()));
          rmSync(statePath(), { force: true });
          process.stdout.write('perfcell: stubs stopped\n');
        },
      });
    });

  addStatusStop(stubs, () => stubsService());

  stubs
    .command('verify')
    .option('--json', 'print the verification as JSON')
    .description('per running stub server: mappings that got no traffic, and every request that matched no mapping (a test defect)')
    .action(async (opts: { json?: boolean }) => {
      const state = readState();
      const results = [];
      for (const s of state.servers) {
        const loaded = (await new WireMock(s.url).getAllMappings().catch(() => undefined)) as { id: string }[] | undefined;
        if (!loaded) throw new PerfcellError(`stubs ${s.name}: ${s.url} is not answering`, 'environment');
        results.push(await verifyNow({ name: s.name, url: s.url, mappings: new Map(s.mappings) }));
      }
      process.stdout.write(opts.json ? JSON.stringify(results, null, 2) + '\n' : results.map(formatVerification).join('\n') + '\n');
      if (results.some((r) => !r.ok)) process.exitCode = RUN_EXIT.failed;
    });

  stubs
    .command('calibrate')
    .argument('<run>', 'run folder of an unstubbed run whose requests reached the dependencies')
    .option('--stubs-dir <dir>', 'folder of stub sets (default ./stubs)')
    .option('--dry-run', 'print the distributions without writing the mapping files')
    .description("write lognormal delays (median, sigma) into the stub mappings from the run's per-endpoint latencies (mapping metadata.endpoint = the request's name tag)")
    .action(async (run: string, opts: { stubsDir?: string; dryRun?: boolean }) => {
      const root = opts.stubsDir ? resolve(opts.stubsDir) : stubsRoot(process.cwd());
      const r = await calibrateStubs(resolve(run), root, { dryRun: opts.dryRun });
      for (const c of r.changes) {
        process.stdout.write(`${c.stubSet}: ${c.mapping} ← ${c.endpoint}: lognormal median ${c.after.median} ms, sigma ${c.after.sigma} (${c.samples} samples)\n`);
      }
      for (const u of r.unmeasured) process.stdout.write(`${u.stubSet}: ${u.mapping}: endpoint "${u.endpoint}" not in the run, unchanged\n`);
      if (r.unused.length > 0) process.stdout.write(`measured but named by no mapping: ${r.unused.join(', ')}\n`);
      if (r.changes.length === 0) throw new PerfcellError(`${run}: no endpoint of the run matches a mapping's metadata.endpoint; nothing calibrated`, 'input');
      process.stdout.write(opts.dryRun ? 'perfcell: dry run, nothing written\n' : `perfcell: ${r.changes.length} mapping(s) calibrated\n`);
    });
}
