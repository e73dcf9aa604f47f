/**
 * A private InfluxDB 1.x instance (the Debian `influxd`) for local use: its own meta/data/wal directories,
 * HTTP and RPC bound to loopback ports, usage reporting and self-monitoring off. `perfcell influx start`
 * and the tests start one; the state file lets `perfcell influx status|stop` and `perfcell run` find it.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { PerfcellError } from '../errors.js';
import { spawnManaged, stopChild } from '../../lib/process/children.js';
import { statePath } from '../../lib/state-dir.js';

export const INFLUXD_PATH = process.env.PERFCELL_INFLUXD ?? '/usr/bin/influxd';
/** In the `.perfcell` state folder (lib/state-dir.ts). */
export const DEFAULT_INSTANCE_DIR = statePath('influxdb');
const STATE_FILE = 'instance.json';

export interface InstanceLayout {
  dir: string;
  httpPort: number;
  rpcPort: number;
  /** HTTP authentication on (the first user must then be created as an admin: CREATE USER … WITH ALL PRIVILEGES). */
  authEnabled?: boolean;
}

export interface InstanceState extends InstanceLayout {
  url: string;
  /** pid of the process that owns influxd (perfcell itself, or influxd when started without a supervisor). */
  ownerPid: number;
  influxdPid: number;
  startedAt: string;
}

export interface InfluxInstance extends InstanceState {
  child: ChildProcess;
  stop: () => Promise<void>;
}

/** influxd's configuration for a private instance. Pure. */
export function influxdConfig({ dir, httpPort, rpcPort, authEnabled = false }: InstanceLayout): string {
  const q = (p: string) => JSON.stringify(p);
  return [
    'reporting-disabled = true',
    `bind-address = ${q(`127.0.0.1:${rpcPort}`)}`,
    '',
    '[meta]',
    `  dir = ${q(join(dir, 'meta'))}`,
    '  logging-enabled = false',
    '',
    '[data]',
    `  dir = ${q(join(dir, 'data'))}`,
    `  wal-dir = ${q(join(dir, 'wal'))}`,
    '  query-log-enabled = false',
    '',
    '[http]',
    '  enabled = true',
    `  bind-address = ${q(`127.0.0.1:${httpPort}`)}`,
    '  log-enabled = false',
    `  auth-enabled = ${authEnabled}`,
    '',
    '[monitor]',
    // No _internal database: it would write every 10 s into our data directory for nobody.
    '  store-enabled = false',
    '',
    '[continuous_queries]',
    '  enabled = false',
    '',
  ].join('\n');
}

export async function freeLoopbackPort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => res(port));
    });
  });
}

/** True when `url/ping` answers 204 within `timeoutMs`. */
export async function pingInflux(url: string, timeoutMs = 1000): Promise<boolean> {
  try {
    const r = await fetch(`${url.replace(/\/$/, '')}/ping`, { signal: AbortSignal.timeout(timeoutMs) });
    return r.status === 204;
  } catch {
    return false;
  }
}

export interface StartOptions {
  dir?: string;
  httpPort?: number;
  rpcPort?: number;
  authEnabled?: boolean;
  /** How long influxd may take to answer /ping. */
  timeoutMs?: number;
  /** Write instance.json so that other perfcell commands find the instance (the CLI does; tests need not). */
  writeState?: boolean;
  log?: (line: string) => void;
}

export async function startInfluxd(options: StartOptions = {}): Promise<InfluxInstance> {
  if (!existsSync(INFLUXD_PATH)) {
    throw new PerfcellError(`${INFLUXD_PATH}: influxd (the Debian package "influxdb"; or set PERFCELL_INFLUXD)`, 'environment');
  }
  const dir = resolve(options.dir ?? DEFAULT_INSTANCE_DIR);
  mkdirSync(dir, { recursive: true });
  const httpPort = options.httpPort ?? (await freeLoopbackPort());
  const rpcPort = options.rpcPort ?? (await freeLoopbackPort());
  const configPath = join(dir, 'influxdb.conf');
  writeFileSync(configPath, influxdConfig({ dir, httpPort, rpcPort, authEnabled: options.authEnabled ?? false }));
  const logLines: string[] = [];
  const child = spawnManaged(INFLUXD_PATH, ['run', '-config', configPath], { stdio: ['ignore', 'ignore', 'pipe'], deathSignal: 'TERM' });
  child.stderr?.on('data', (chunk: Buffer) => {
    // Keep the last lines only: shown when start-up fails.
    logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (logLines.length > 40) logLines.splice(0, logLines.length - 40);
  });
  const url = `http://127.0.0.1:${httpPort}`;
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  let exited = false;
  child.once('exit', () => (exited = true));
  while (!(await pingInflux(url, 500))) {
    if (exited || Date.now() > deadline) {
      await stopChild(child, 'SIGTERM', 2000);
      throw new PerfcellError(`influxd did not answer ${url}/ping (${exited ? 'it exited' : 'timeout'}): ${logLines.slice(-5).join(' | ')}`, 'environment');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const state: InstanceState = {
    dir, httpPort, rpcPort, url, ownerPid: process.pid, influxdPid: child.pid ?? -1, startedAt: new Date().toISOString(),
  };
  const statePath = join(dir, STATE_FILE);
  if (options.writeState) writeFileSync(statePath, JSON.stringify(state, null, 2) + '\n');
  return {
    ...state,
    child,
    stop: async () => {
      await stopChild(child, 'SIGTERM', 10_000);
      if (options.writeState) rmSync(statePath, { force: true });
    },
  };
}

/** The state of the private instance in `dir`, if one was started there and its owner still runs. */
export function readInstanceState(dir: string = DEFAULT_INSTANCE_DIR): InstanceState | undefined {
  const path = join(resolve(dir), STATE_FILE);
  if (!existsSync(path)) return undefined;
  try {
    const state = JSON.parse(readFileSync(path, 'utf8')) as InstanceState;
    process.kill(state.ownerPid, 0);
    return state;
  } catch {
    return undefined;
  }
}
