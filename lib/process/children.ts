/**
 * Every child process perfcell starts goes through here: registered, stopped on exit/SIGINT/SIGTERM, and
 * (on Linux, via util-linux's setpriv) given a parent-death signal so that even a SIGKILL of perfcell leaves
 * no k6, JVM or target process behind.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { closeSync, openSync } from 'node:fs';

const live = new Set<ChildProcess>();
let setprivChecked: boolean | undefined;

function hasSetpriv(): boolean {
  if (setprivChecked === undefined) {
    setprivChecked = process.platform === 'linux' && spawnSync('setpriv', ['--help'], { stdio: 'ignore' }).status === 0;
  }
  return setprivChecked;
}

export interface ManagedOptions extends SpawnOptions {
  /** Signal the child gets if perfcell dies without cleaning up (default SIGTERM). */
  deathSignal?: 'TERM' | 'INT' | 'KILL';
}

export function spawnManaged(command: string, args: string[], options: ManagedOptions = {}): ChildProcess {
  const { deathSignal = 'TERM', ...rest } = options;
  const [cmd, argv] = hasSetpriv() ? ['setpriv', ['--pdeathsig', deathSignal, '--', command, ...args]] : [command, args];
  const child = spawn(cmd, argv, rest);
  live.add(child);
  child.once('exit', () => live.delete(child));
  child.once('error', () => live.delete(child));
  return child;
}

export function liveChildren(): ChildProcess[] {
  return [...live];
}

/** Sends `signal`, then SIGKILL after `graceMs` to whatever is still running; resolves when all exited. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export async function stopAll(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  await Promise.all(liveChildren().map((c) => stopChild(c, signal)));
}

let hooked = false;
/** On process exit, kill what is left synchronously (exit handlers cannot wait). */
export function installExitHook(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const c of live) if (c.exitCode === null) c.kill('SIGKILL');
  });
}

/**
 * The one kind of process meant to outlive perfcell (`perfcell sut start` leaves the reference target
 * running in the background): detached in its own process group, output appended to `logFile`, neither
 * registered nor given a parent-death signal. The caller records the returned pid; a later command stops
 * it (`perfcell sut stop`).
 */
export function spawnDaemon(command: string, args: string[], options: { logFile: string; env?: NodeJS.ProcessEnv; cwd?: string }): number {
  const fd = openSync(options.logFile, 'a');
  try {
    const child = spawn(command, args, { detached: true, stdio: ['ignore', fd, fd], env: options.env, cwd: options.cwd });
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

/** Whether a process runs: signal 0 reaches it (EPERM: it exists, not ours) and it is not a zombie. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    // No /proc (not Linux): signal 0 is all we can know.
    return process.platform !== 'linux';
  }
}
