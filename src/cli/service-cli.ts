/**
 * `perfcell sut|stubs|influx start|status|stop` share this: `start` in the background unless
 * `--foreground`, `stop` that leaves no process, `status [--json]` with one shape and exit 3 when the
 * service is not running or not healthy (src/services/background.ts).
 */
import type { Command } from 'commander';
import { RUN_EXIT } from '../exit-codes.js';
import { formatStatus, serviceStatus, startInBackground, stopService, type BackgroundService, type ServiceState, type ServiceStatus } from '../services/background.js';
import { displayPath, paint } from './convention.js';

export const FOREGROUND_OPTION = ['--foreground', 'stay in this terminal until Ctrl-C instead of running in the background'] as const;

export interface StartPlan {
  foreground?: boolean;
  /** Runs the service in this process until Ctrl-C / SIGTERM, keeping its state file up to date. */
  runForeground: () => Promise<void>;
  /** The background process's command (default: this invocation with --foreground). */
  command: string[];
  timeoutMs: number;
  /** Working directory of the background process (default: this one). */
  cwd?: string;
  /** Prints what a user needs once it is ready (URLs, environment variables). */
  printReady: (state: ServiceState) => void;
}

export async function startService(service: BackgroundService, plan: StartPlan): Promise<void> {
  if (plan.foreground) return plan.runForeground();
  const state = await startInBackground(service, plan.command, plan.timeoutMs, plan.cwd);
  plan.printReady(state);
  process.stdout.write(`  log: ${displayPath(service.logFile)}\n  status: perfcell ${service.name} status · stop: perfcell ${service.name} stop\n`);
}

export async function printStop(service: BackgroundService): Promise<void> {
  const pid = await stopService(service);
  process.stdout.write(pid === undefined ? `${service.name}: not running\n` : `${service.name}: stopped (pid ${pid})\n`);
}

/** Prints the status (text or --json); exit 3 unless running and healthy. `extra` adds service-specific fields. */
export async function printStatus(service: BackgroundService, json: boolean | undefined, extra: (st: ServiceStatus) => Promise<{ fields?: Record<string, unknown>; lines?: string[]; healthy?: boolean }> = async () => ({})): Promise<void> {
  const st = await serviceStatus(service);
  const more = await extra(st);
  const shown = { ...st, state: displayPath(st.state), log: displayPath(st.log), ...more.fields };
  if (json) process.stdout.write(JSON.stringify(shown, null, 2) + '\n');
  else process.stdout.write(formatStatus(shown, (t, up) => paint(t, up ? 'green' : 'red')) + (more.lines ?? []).map((l) => `${l}\n`).join(''));
  if (!(more.healthy ?? st.healthy)) process.exitCode = RUN_EXIT.environment;
}

/** Waits for SIGINT or SIGTERM (or `also`), once. */
export function untilSignal(also?: (resolve: () => void) => void): Promise<void> {
  return new Promise<void>((res) => {
    process.once('SIGINT', () => res());
    process.once('SIGTERM', () => res());
    also?.(res);
  });
}

export function addStatusStop(group: Command, service: (opts: Record<string, string>) => BackgroundService, options: (c: Command) => Command = (c) => c, extra?: Parameters<typeof printStatus>[2]): void {
  options(group.command('stop').description(`stop the background ${group.name()} (no process is left behind)`)).action(async (opts: Record<string, string>) => printStop(service(opts)));
  options(group.command('status').description('state and health, one shape for sut, stubs and influx; exit 3 when not running or unhealthy'))
    .option('--json', 'print the status as JSON')
    .action(async (opts: Record<string, string> & { json?: boolean }) => printStatus(service(opts), opts.json, extra));
}
