/**
 * One helper for perfcell's background services — the reference target (`sut`), the WireMock stub servers
 * (`stubs`) and the private InfluxDB (`influx`): `start` runs the service in the background (a detached
 * process, output in a log file beside its state file) and returns once it is ready; `--foreground` keeps
 * it in the terminal until Ctrl-C; `stop` ends it and whatever it started (its process group); `status`
 * prints the same shape for all three. Each service keeps its own state file format; an adapter reads it
 * into the common ServiceState. State files live in the `.perfcell` folder (lib/state-dir.ts).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { PerfcellError } from '../errors.js';
import { isProcessAlive, spawnDaemon } from '../../lib/process/children.js';

export type ServiceName = 'sut' | 'stubs' | 'influx';

export interface ServiceState {
  pid: number;
  ready: boolean;
  /** Start-up failed (the service wrote why). */
  error?: string;
  since?: string;
  endpoints: { name: string; url: string }[];
}

export interface BackgroundService {
  name: ServiceName;
  /** What it is, for messages: "reference target", "stub servers", "InfluxDB". */
  label: string;
  stateFile: string;
  logFile: string;
  read(): ServiceState | undefined;
  remove(): void;
  /** Whether an endpoint answers (with a short note when something is off). */
  probe(endpoint: { name: string; url: string }): Promise<{ up: boolean; note?: string }>;
}

export interface ServiceStatus {
  service: ServiceName;
  running: boolean;
  /** Running and every endpoint answers. */
  healthy: boolean;
  pid?: number;
  since?: string;
  state: string;
  log: string;
  endpoints: { name: string; url: string; up: boolean; note?: string }[];
}

/** How long `stop` waits after SIGTERM before SIGKILL: the reference target drains its HTTP servers and PGlite. */
export const STOP_GRACE_MS = 15_000;
const POLL_MS = 200;

/** The command that runs this very CLI invocation in the foreground: what the background process runs. */
export function foregroundCommand(argv: string[] = process.argv): string[] {
  return [process.execPath, ...process.execArgv, argv[1] as string, ...argv.slice(2), '--foreground'];
}

function logTail(file: string, lines = 5): string {
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n  ') : '';
}

/** Refuses when the service already runs; else starts `command` detached and waits until its state says ready. */
export async function startInBackground(service: BackgroundService, command: string[], timeoutMs: number, cwd?: string): Promise<ServiceState> {
  const existing = service.read();
  if (existing && isProcessAlive(existing.pid)) {
    throw new PerfcellError(`${service.label} already running (pid ${existing.pid}, ${service.stateFile}): \`perfcell ${service.name} stop\` first`, 'environment');
  }
  service.remove();
  mkdirSync(dirname(service.logFile), { recursive: true });
  const pid = spawnDaemon(command[0] as string, command.slice(1), { logFile: service.logFile, cwd });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = service.read();
    if (s && s.pid === pid && s.error) throw new PerfcellError(`${service.label} failed to start: ${s.error} (log ${service.logFile})`, 'environment');
    if (s && s.pid === pid && s.ready) return s;
    if (!isProcessAlive(pid)) throw new PerfcellError(`${service.label} exited during start-up (log ${service.logFile}):\n  ${logTail(service.logFile)}`, 'environment');
    if (Date.now() > deadline) {
      await stopPid(pid);
      service.remove();
      throw new PerfcellError(`${service.label} not ready after ${Math.round(timeoutMs / 1000)} s (log ${service.logFile})`, 'environment');
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** SIGTERM to the process group (a background service leads its own), SIGKILL after the grace period. */
export async function stopPid(pid: number, graceMs = STOP_GRACE_MS): Promise<void> {
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-pid, s);
    } catch {
      try {
        process.kill(pid, s);
      } catch {
        /* already gone */
      }
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isProcessAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (isProcessAlive(pid)) signal('SIGKILL');
  while (isProcessAlive(pid)) await new Promise((r) => setTimeout(r, 50));
}

/** Stops the service if it runs; removes its state either way. The pid stopped, or undefined when none ran. */
export async function stopService(service: BackgroundService): Promise<number | undefined> {
  const s = service.read();
  if (!s) return undefined;
  if (isProcessAlive(s.pid)) await stopPid(s.pid);
  service.remove();
  return s.pid;
}

export async function serviceStatus(service: BackgroundService): Promise<ServiceStatus> {
  const s = service.read();
  const base = { service: service.name, state: service.stateFile, log: service.logFile };
  if (!s || !isProcessAlive(s.pid)) return { ...base, running: false, healthy: false, endpoints: [] };
  const endpoints = await Promise.all(s.endpoints.map(async (e) => ({ ...e, ...(await service.probe(e)) })));
  return { ...base, running: true, healthy: s.ready && endpoints.every((e) => e.up), pid: s.pid, since: s.since, endpoints };
}

/** The one text shape of `perfcell sut|stubs|influx status`. `mark` may colour "ok"/"DOWN". */
export function formatStatus(st: ServiceStatus, mark: (text: string, up: boolean) => string = (t) => t): string {
  if (!st.running) return `${st.service}: not running\n`;
  const lines = [`${st.service}: ${st.healthy ? 'running' : 'running, unhealthy'} (pid ${st.pid}${st.since ? `, since ${st.since}` : ''}, log ${st.log})`];
  for (const e of st.endpoints) lines.push(`  ${mark(e.up ? 'ok  ' : 'DOWN', e.up)} ${e.name.padEnd(17)} ${e.url}${e.note ? `  (${e.note})` : ''}`);
  return lines.join('\n') + '\n';
}

/** GET `url`; up when the status is `expected`. */
export async function httpProbe(url: string, expected = 200, timeoutMs = 3000): Promise<{ up: boolean; note?: string }> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await r.arrayBuffer();
    return r.status === expected ? { up: true } : { up: false, note: `HTTP ${r.status}` };
  } catch {
    return { up: false, note: 'no answer' };
  }
}
