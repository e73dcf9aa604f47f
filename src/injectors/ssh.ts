/**
 * SSH injectors (adapter): the machine's OpenSSH client drives k6 on each host — no agent of perfcell's runs
 * there. One master connection per injector (ControlMaster) carries every call: the pre-flight (host, clock,
 * k6 version; this machine's k6 copied when the host has none of the run's version), the uploads (bundle,
 * data files, environment), the start at the agreed instant, and the fetch of k6's outputs into
 * injectors/<name>/. The scripts sent are src/injectors/ssh-command.ts's.
 */
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnManaged, stopChild } from '../../lib/process/children.js';
import { PerfcellError } from '../errors.js';
import { k6Args, K6_FIXED_ENV } from '../k6/run-k6.js';
import type { K6Binary } from '../k6/locate.js';
import { injectorDir, RUN_FILES } from '../store/folder.js';
import { segmentArgs, type InjectorResult, type InjectorsInput, type StartedInjectors } from './local.js';
import { hostLabel } from './record.js';
import { parseReach, reachScript, unreachableError } from './reach.js';
import { healthSamples, healthScript, parseHealth, REMOTE_HEALTH_INTERVAL_MS, type HealthReading } from './health.js';
import { formatMonitorLine } from '../store/monitor-samples.js';
import type { PlannedInjector } from './spec.js';
import {
  catScript, cleanupScript, commandArgs, envFile, exitMasterArgs, k6ExitFrom, leftoverScript, localUname, masterArgs, parseProbe, planK6,
  probeScript, remoteRunDir, REMOTE_OUTPUTS, SSH_CONNECT_TIMEOUT_S, startScript, uploadScript, type SshHost, type SshSettings,
} from './ssh-command.js';

/** Exit code of the OpenSSH client when the connection failed or dropped (remote commands' own codes pass through). */
export const SSH_FAILED = 255;
/** How often the master's socket is looked for while it logs in. A chosen value: small beside a login (≈ 0.1 s). */
const MASTER_POLL_MS = 25;

export interface SshInjector {
  injector: PlannedInjector;
  host: SshHost;
  settings: SshSettings;
  master: ChildProcess;
  /** The k6 command on the host and its version (always the run's: see planK6). */
  k6Command: string;
  k6Version: string;
  /** Host clock − this machine's clock, ms, measured ± half an SSH round trip. */
  clockOffsetMs: number;
  /** `~/.perfcell/bin/k6-<version>` was copied there by this run. */
  k6Copied: boolean;
}

export interface SshConnections {
  hosts: SshInjector[];
  close: () => Promise<void>;
}

interface SshCall {
  code: number;
  stdout: string;
  stderr: string;
}

/** One `ssh … script`, standard input from a file (uploads) and standard output to a file (fetches) when given. */
function sshCall(host: SshHost, settings: SshSettings, script: string, io: { stdinFile?: string; stdoutFile?: string } = {}): Promise<SshCall> {
  return new Promise((resolve, reject) => {
    const child = spawnManaged('ssh', commandArgs(host, settings, script), { stdio: [io.stdinFile ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    if (io.stdoutFile) child.stdout?.pipe(createWriteStream(io.stdoutFile));
    else child.stdout?.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    if (io.stdinFile && child.stdin) createReadStream(io.stdinFile).pipe(child.stdin);
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? SSH_FAILED, stdout, stderr }));
  });
}

const lastLine = (s: string) => s.trim().split('\n').filter(Boolean).pop() ?? '';

function sshError(i: PlannedInjector, what: string): PerfcellError {
  return new PerfcellError(`--injectors: ${i.name} (${hostLabel(i)}): ${what}`, 'environment');
}

/** Opens the master connection; resolves once its socket exists, rejects with ssh's own last line if it exits. */
async function openMaster(i: PlannedInjector, host: SshHost, settings: SshSettings): Promise<ChildProcess> {
  const master = spawnManaged('ssh', masterArgs(host, settings), { stdio: ['ignore', 'ignore', 'pipe'], deathSignal: 'TERM' });
  let stderr = '';
  master.stderr?.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const deadline = Date.now() + (SSH_CONNECT_TIMEOUT_S + 5) * 1000;
  while (!existsSync(settings.controlPath)) {
    if (master.exitCode !== null || master.signalCode !== null) throw sshError(i, `cannot connect: ${lastLine(stderr) || `ssh exited ${master.exitCode}`}`);
    if (Date.now() > deadline) {
      await stopChild(master, 'SIGTERM', 1000);
      throw sshError(i, `no SSH connection after ${SSH_CONNECT_TIMEOUT_S + 5} s`);
    }
    await new Promise((r) => setTimeout(r, MASTER_POLL_MS));
  }
  return master;
}

/** Pre-flight of one host: connect, probe, and choose its k6 (a copy of this machine's is made later, once all answered). */
async function connectOne(i: PlannedInjector, k6: K6Binary, settings: SshSettings): Promise<SshInjector> {
  if (i.where.kind !== 'ssh') throw new Error(`${i.name} is not an SSH injector`);
  const host: SshHost = i.where;
  const master = await openMaster(i, host, settings);
  try {
    const t0 = Date.now();
    const probe = await sshCall(host, settings, probeScript(k6.version));
    const t1 = Date.now();
    const found = probe.code === 0 ? parseProbe(probe.stdout) : undefined;
    if (!found) throw sshError(i, `the probe failed (exit ${probe.code}): ${lastLine(probe.stderr) || lastLine(probe.stdout) || 'no output'} (a POSIX shell with uname and date is needed)`);
    const plan = planK6(found, k6.version, localUname(process.platform, process.arch));
    if (plan.use === 'refuse') throw sshError(i, plan.why);
    return { injector: i, host, settings, master, k6Command: plan.command, k6Version: k6.version, clockOffsetMs: Math.round(found.clockMs - (t0 + t1) / 2), k6Copied: plan.use === 'copy' };
  } catch (e) {
    await stopChild(master, 'SIGTERM', 1000);
    throw e;
  }
}

async function copyK6(h: SshInjector, k6: K6Binary, log: (line: string) => void): Promise<void> {
  log(`perfcell: ${h.injector.name}: copying k6 ${k6.version} (${Math.round(statSync(k6.path).size / 1048576)} MiB) to ~/${h.k6Command}`);
  const up = await sshCall(h.host, h.settings, uploadScript(h.k6Command, '755'), { stdinFile: k6.path });
  if (up.code !== 0) throw sshError(h.injector, `copying k6 failed (exit ${up.code}): ${lastLine(up.stderr)}`);
}

/**
 * Can this host open a TCP connection to every target (src/injectors/reach.ts says how and why so)? The
 * first target it cannot reach refuses the run, in one line naming the injector and the target.
 */
async function checkReach(h: SshInjector, targets: Record<string, string>): Promise<void> {
  if (Object.keys(targets).length === 0) return;
  const r = await sshCall(h.host, h.settings, reachScript(targets));
  const label = hostLabel(h.injector);
  if (r.code !== 0) throw sshError(h.injector, `the targets' reachability could not be checked (exit ${r.code}): ${lastLine(r.stderr) || 'no output'}`);
  const answer = parseReach(r.stdout, targets);
  if ('missing' in answer) throw sshError(h.injector, `the targets' reachability cannot be checked: the host has no \`${answer.missing}\` (bash and coreutils' timeout are needed)`);
  const first = answer.unreachable[0];
  if (first) throw unreachableError({ name: h.injector.name, label }, first.target, targets[first.target] as string, first.why);
}

/**
 * Pre-flight of every SSH injector, in parallel, before the run folder is written: any host that cannot be
 * reached, has no usable k6, or cannot reach a target refuses the run with one line naming it (exit 3),
 * before anything is copied anywhere. Then this machine's k6 goes to the hosts that lack the run's version.
 * The caller closes.
 */
export async function connectSshInjectors(
  injectors: PlannedInjector[],
  opts: { k6: K6Binary; configFile?: string; log: (line: string) => void; targets?: Record<string, string> },
): Promise<SshConnections> {
  // Unix socket paths are short (≈ 100 bytes): a short folder in /tmp, one socket per injector.
  const sockets = mkdtempSync('/tmp/pcssh-');
  const ssh = injectors.filter((i) => i.where.kind === 'ssh');
  const tries = await Promise.allSettled(ssh.map((i, k) => connectOne(i, opts.k6, { configFile: opts.configFile, controlPath: join(sockets, `m${k}`) })));
  const hosts = tries.flatMap((t) => (t.status === 'fulfilled' ? [t.value] : []));
  const close = async () => {
    await Promise.all(hosts.map(async (h) => {
      if (h.master.exitCode === null && h.master.signalCode === null) {
        spawnManaged('ssh', exitMasterArgs(h.host, h.settings), { stdio: 'ignore' });
        await stopChild(h.master, 'SIGTERM', 2000);
      }
    }));
    rmSync(sockets, { recursive: true, force: true });
  };
  try {
    const failed = tries.find((t) => t.status === 'rejected');
    if (failed) throw failed.reason;
    const reach = await Promise.allSettled(hosts.map((h) => checkReach(h, opts.targets ?? {})));
    const unreachable = reach.find((t) => t.status === 'rejected');
    if (unreachable) throw unreachable.reason;
    await Promise.all(hosts.filter((h) => h.k6Copied).map((h) => copyK6(h, opts.k6, opts.log)));
  } catch (e) {
    await close();
    throw e;
  }
  return { hosts, close };
}

/** Uploads what the injector's k6 needs into its folder on the host; the reason it failed, or undefined. */
export async function uploadRun(h: SshInjector, input: InjectorsInput, runId: string): Promise<string | undefined> {
  const dir = remoteRunDir(runId, h.injector.name);
  const local = injectorDir(input.dir, h.injector.name);
  mkdirSync(local, { recursive: true });
  const envPath = join(local, 'env.sh');
  writeFileSync(envPath, envFile({ ...input.env, ...K6_FIXED_ENV }), { mode: 0o600 });
  const files: [string, string, '600' | '644'][] = [
    [input.scriptPath, RUN_FILES.bundle, '644'],
    [`${input.scriptPath}.map`, RUN_FILES.bundleMap, '644'],
    ...Object.entries(input.dataFiles ?? {}).map(([name, path]): [string, string, '600'] => [path, name, '600']),
    [envPath, 'env.sh', '600'],
  ];
  try {
    for (const [from, name, mode] of files) {
      if (!existsSync(from)) continue;
      const r = await sshCall(h.host, h.settings, uploadScript(`${dir}/${name}`, mode), { stdinFile: from });
      if (r.code !== 0) return `uploading ${name} failed (exit ${r.code}): ${lastLine(r.stderr)}`;
    }
  } finally {
    // The environment may hold secrets: it stays on the host only as long as the run.
    rmSync(envPath, { force: true });
  }
  return undefined;
}

export interface SshRunResult extends InjectorResult {
  /** A k6 of this injector was still running after the session ended (and was killed). */
  leftover: boolean;
  /** Why the outputs could not all be fetched. */
  fetchProblem?: string;
}

/** Brings k6's outputs back, checks that no k6 of this injector is left (killing one if so), removes its folder. */
async function collect(h: SshInjector, input: InjectorsInput, runId: string): Promise<{ leftover: boolean; fetchProblem?: string }> {
  const dir = remoteRunDir(runId, h.injector.name);
  const local = injectorDir(input.dir, h.injector.name);
  const problems: string[] = [];
  for (const name of REMOTE_OUTPUTS) {
    const to = join(local, name);
    const r = await sshCall(h.host, h.settings, catScript(`${dir}/${name}`), { stdoutFile: to });
    if (r.code !== 0) {
      rmSync(to, { force: true });
      problems.push(`${name}: ${lastLine(r.stderr) || `exit ${r.code}`}`);
    }
  }
  const left = await sshCall(h.host, h.settings, `${leftoverScript(dir)}`);
  const pids = left.stdout.trim().split('\n').filter((l) => /^\d+$/.test(l));
  if (pids.length > 0) await sshCall(h.host, h.settings, `kill -KILL ${pids.join(' ')}`);
  if (left.code === 0) await sshCall(h.host, h.settings, cleanupScript(dir));
  return { leftover: pids.length > 0, fetchProblem: problems.length > 0 ? problems.join('; ') : left.code !== 0 ? 'the host no longer answers' : undefined };
}

/**
 * Reads the injector's health (src/injectors/health.ts) every interval through its master connection, into
 * injectors/<name>/monitor.jsonl, until `stop`. A reading that fails (the link dropped) is skipped: the
 * session's end says what happened to the injector. Resolves how many readings found k6.
 */
function watchHealth(h: SshInjector, runId: string, localDir: string): { stop: () => Promise<{ readings: number; withK6: number }> } {
  const file = join(localDir, RUN_FILES.monitor);
  let stopped = false;
  let wake: (() => void) | undefined;
  const counts = { readings: 0, withK6: 0 };
  const loop = (async () => {
    let prev: HealthReading | undefined;
    while (!stopped) {
      const r = await sshCall(h.host, h.settings, healthScript(remoteRunDir(runId, h.injector.name))).catch(() => undefined);
      const reading = r?.code === 0 ? parseHealth(r.stdout) : undefined;
      if (reading) {
        counts.readings++;
        if (reading.k6) counts.withK6++;
        const samples = healthSamples(h.injector.name, h.clockOffsetMs, prev, reading);
        if (samples.length > 0) appendFileSync(file, samples.map(formatMonitorLine).join(''));
        prev = reading;
      }
      if (stopped) break;
      await new Promise<void>((res) => {
        const timer = setTimeout(res, REMOTE_HEALTH_INTERVAL_MS);
        wake = () => {
          clearTimeout(timer);
          res();
        };
      });
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      wake?.();
      await loop;
      return counts;
    },
  };
}

/**
 * Starts every SSH injector's k6 now (the caller waited for the agreed instant). A signal is forwarded as a
 * line on the session's standard input (see startScript); the session's end is k6's.
 */
export function startSshInjectors(hosts: SshInjector[], input: InjectorsInput & { log?: (line: string) => void }, runId: string): StartedInjectors & { done: Promise<SshRunResult[]> } {
  const stops: ((s: NodeJS.Signals) => void)[] = [];
  const running = hosts.map(async (h): Promise<SshRunResult> => {
    const args = k6Args({
      scriptPath: RUN_FILES.bundle,
      rawPath: RUN_FILES.raw,
      summaryPath: RUN_FILES.summary,
      extraOutputs: input.extraOutputs,
      extraArgs: segmentArgs(h.injector),
      quiet: true,
    });
    const processStartMs = Date.now();
    const child = spawnManaged('ssh', commandArgs(h.host, h.settings, startScript({ dir: remoteRunDir(runId, h.injector.name), k6: h.k6Command, args })), {
      stdio: ['pipe', 'pipe', 'pipe'],
      // Own process group: a terminal Ctrl-C reaches perfcell only, which forwards it as a line.
      detached: true,
    });
    let stdout = '';
    const health = watchHealth(h, runId, injectorDir(input.dir, h.injector.name));
    const sshLog = createWriteStream(join(injectorDir(input.dir, h.injector.name), 'ssh.log'));
    child.stdout?.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr?.pipe(sshLog);
    child.stdin?.on('error', () => undefined);
    stops.push((signal) => {
      if (child.stdin?.writable) child.stdin.write(`${signal.replace(/^SIG/, '')}\n`);
    });
    const code = await new Promise<number>((resolve) => {
      child.once('error', () => resolve(SSH_FAILED));
      child.once('close', (c) => resolve(c ?? SSH_FAILED));
    });
    child.stdin?.end();
    const watched = await health.stop();
    if (watched.readings > 1 && watched.withK6 === 0) input.log?.(`perfcell: injector ${h.injector.name}: its k6's CPU and memory could not be read (the host has no Linux /proc?); not monitored`);
    const k6Exit = k6ExitFrom(stdout);
    const kept = await collect(h, input, runId);
    return { name: h.injector.name, exitCode: k6Exit ?? (code === 0 ? SSH_FAILED : code), signalled: null, args, processStartMs, ...kept };
  });
  return { stops, pids: [], done: Promise.all(running) };
}
