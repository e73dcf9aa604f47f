/**
 * The WireMock adapter: the standalone jar from the npm `wiremock` package, run with the machine's Java
 * directly (the npm bin wrapper cannot pass JVM flags), one server per stub set on a loopback port.
 * WireMock reads the stub set itself (--root-dir: mappings/ and __files/, its own format, no translation);
 * wiremock-captain is the admin client that confirms every mapping is loaded and reads the journal.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { WireMock } from 'wiremock-captain';
import { PerfcellError } from '../errors.js';
import { spawnManaged, stopChild } from '../../lib/process/children.js';
import type { StubSet } from './stub-set.js';

export const WIREMOCK_VERSION = '3.13.2';
/** Found as Node finds the package: in perfcell's node_modules, or hoisted into the service's when perfcell is installed there. */
export const WIREMOCK_JAR = join(dirname(createRequire(import.meta.url).resolve('wiremock/package.json')), 'build', `wiremock-standalone-${WIREMOCK_VERSION}.jar`);

export interface WireMockSettings {
  /** Fixed port; default a free one. A port in use is an error before the JVM starts. */
  port?: number;
  /** JVM heap (-Xmx), MB. */
  heapMb?: number;
  /**
   * Bounded journal: enough for the collector (which polls every second) to see every request at a few
   * thousand requests per second, small enough to keep the heap flat over a long run.
   */
  journalEntries?: number;
  /** Jetty threads. With asynchronous responses a delayed stub does not hold one, so a few dozen suffice. */
  containerThreads?: number;
  /** WireMock's own output goes here (start-up errors are quoted from it). */
  logPath?: string;
  startTimeoutMs?: number;
}

export interface StubServer {
  name: string;
  url: string;
  port: number;
  pid: number;
  /** Mapping ids as WireMock loaded them → label. */
  mappings: Map<string, string>;
  admin: WireMock;
  stop: () => Promise<void>;
}

export const DEFAULT_SETTINGS = { heapMb: 256, journalEntries: 20_000, containerThreads: 50, startTimeoutMs: 30_000 } as const;

export function javaCommand(): string {
  return process.env.PERFCELL_JAVA ?? 'java';
}

/** Java answers `-version`, else an environment error before anything starts. */
export function checkJava(): string {
  const java = javaCommand();
  const r = spawnSync(java, ['-version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new PerfcellError(`Java not found (\`${java} -version\` failed): WireMock stubs need a JRE ≥ 11 (apt-get install default-jre-headless), or set PERFCELL_JAVA`, 'environment');
  }
  return /version "([^"]+)"/.exec(r.stderr)?.[1] ?? 'unknown';
}

export function checkJar(): void {
  if (!existsSync(WIREMOCK_JAR)) throw new PerfcellError(`WireMock jar missing (${WIREMOCK_JAR}): run \`npm run setup\``, 'environment');
}

/** Resolves when `port` can be bound on 127.0.0.1, else rejects with a clear error. */
export async function ensurePortFree(port: number, what: string): Promise<void> {
  await new Promise<void>((res, rej) => {
    const s = createServer();
    s.once('error', (e: NodeJS.ErrnoException) =>
      rej(new PerfcellError(`${what}: port 127.0.0.1:${port} is in use (${e.code ?? e.message}); choose another port or stop what holds it`, 'environment')),
    );
    s.listen(port, '127.0.0.1', () => s.close(() => res()));
  });
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => res(port));
    });
  });
}

export function wiremockArgs(set: StubSet, port: number, s: Required<Omit<WireMockSettings, 'port' | 'logPath'>>): string[] {
  return [
    `-Xmx${s.heapMb}m`,
    '-jar', WIREMOCK_JAR,
    '--port', String(port),
    '--bind-address', '127.0.0.1',
    '--root-dir', set.dir,
    '--disable-request-logging',
    '--async-response-enabled=true',
    '--max-request-journal-entries', String(s.journalEntries),
    '--container-threads', String(s.containerThreads),
  ];
}

async function healthy(url: string): Promise<boolean> {
  try {
    const r = await fetch(`${url}/__admin/health`, { signal: AbortSignal.timeout(1000) });
    return r.ok;
  } catch {
    return false;
  }
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/**
 * Starts WireMock on a stub set, waits until it is healthy and every mapping of the set is loaded.
 * On any failure the JVM is stopped before the error propagates: nothing half-started stays running.
 */
export async function startStubServer(set: StubSet, settings: WireMockSettings = {}): Promise<StubServer> {
  checkJar();
  checkJava();
  const s = { ...DEFAULT_SETTINGS, ...settings };
  const port = settings.port ?? (await freePort());
  if (settings.port !== undefined) await ensurePortFree(port, `stubs ${set.name}`);
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const child = spawnManaged(javaCommand(), wiremockArgs(set, port, s), { stdio: ['ignore', 'pipe', 'pipe'], deathSignal: 'KILL' });
  const log = settings.logPath ? (mkdirSync(join(settings.logPath, '..'), { recursive: true }), createWriteStream(settings.logPath)) : undefined;
  const collect = (chunk: Buffer) => {
    log?.write(chunk);
    if (output.length < 20_000) output += chunk.toString('utf8');
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  child.once('exit', () => log?.end());
  const stop = async () => {
    await stopChild(child, 'SIGTERM', 5000);
  };
  try {
    const deadline = Date.now() + s.startTimeoutMs;
    while (!(await healthy(url))) {
      if (exited(child)) {
        const reason = output.split('\n').find((l) => /Exception|Error|error/.test(l))?.trim() ?? `exit ${child.exitCode ?? child.signalCode}`;
        throw new PerfcellError(`stubs ${set.name}: WireMock stopped during start-up on port ${port}: ${reason}`, 'environment');
      }
      if (Date.now() > deadline) throw new PerfcellError(`stubs ${set.name}: WireMock not healthy on ${url} after ${s.startTimeoutMs / 1000} s`, 'environment');
      await new Promise((r) => setTimeout(r, 150));
    }
    const admin = new WireMock(url);
    const loaded = (await admin.getAllMappings()) as { id: string; name?: string; request?: Record<string, unknown> }[];
    if (loaded.length !== set.mappingCount) {
      throw new PerfcellError(`stubs ${set.name}: WireMock loaded ${loaded.length} of the ${set.mappingCount} mappings in ${set.dir}/mappings (see its output: ${output.slice(0, 300)})`, 'environment');
    }
    const mappings = new Map<string, string>();
    for (const m of loaded) {
      const r = m.request ?? {};
      const matcher = ['url', 'urlPath', 'urlPattern', 'urlPathPattern', 'urlPathTemplate'].map((k) => r[k]).find((v) => typeof v === 'string');
      mappings.set(m.id, m.name ?? `${String(r.method ?? 'ANY')} ${String(matcher ?? '?')}`);
    }
    return { name: set.name, url, port, pid: child.pid ?? 0, mappings, admin, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** Starts several stub servers; if one fails, those already started are stopped before the error propagates. */
export async function startStubServers(sets: StubSet[], settings: (set: StubSet) => WireMockSettings = () => ({})): Promise<StubServer[]> {
  const results = await Promise.allSettled(sets.map((set) => startStubServer(set, settings(set))));
  const started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(started.map((s) => s.stop()));
    throw failed.reason;
  }
  return started;
}
