/**
 * Test hosts for SSH injectors: N network namespaces, each joined to this host by a veth pair
 * (10.201.<k>.1 here, 10.201.<k>.2 there, a /30) and running Debian's sshd on its own address and port,
 * with a host key and a client key made for the test (key-only login as root). Each host has its own home:
 * its sshd runs in a private mount namespace where a temporary folder is bind-mounted on /root, so what
 * perfcell copies to `~/.perfcell` lands in that host's folder and nowhere else.
 *
 * Traffic stays on these addresses: the namespaces have no route but their /30 and the /32 of the target
 * address given. `close()` kills every process in the namespaces, deletes them and the temporary folders.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SSHD = '/usr/sbin/sshd';
/** The sshd port in every namespace: not 22, so that perfcell's `user@host:port` parsing is exercised. */
export const SSHD_PORT = 2222;
/** Chosen ranges: 10.201.<k>.0/30 per host, k from this base (another helper's test may hold lower ones). */
const SUBNET_PREFIX = '10.201';

export interface NetnsSshHost {
  /** Namespace name. */
  ns: string;
  /** This host's side of the veth (where a target in the root namespace listens). */
  hostAddress: string;
  /** The namespace's address (where its sshd listens). */
  address: string;
  port: number;
  /** The namespace host's /root (its home, where perfcell keeps ~/.perfcell). */
  home: string;
  /** `root@address:port`, an `--injectors` entry. */
  spec: string;
  sshd: ChildProcess;
}

export interface NetnsSshHosts {
  hosts: NetnsSshHost[];
  /** The OpenSSH client settings file (identity, known host keys): `--ssh-config`. */
  sshConfig: string;
  /** Processes left in a namespace (pid and command), for "nothing left running" checks. */
  processesIn: (ns: string) => string[];
  /** Kills every sshd of a namespace (its link to perfcell drops). */
  killSshd: (ns: string) => void;
  close: () => Promise<void>;
}

/** Why these tests cannot run here, or undefined: they need root (namespaces) and Debian's openssh-server. */
export function netnsSshUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (ip netns, veth): run as root, as CI does';
  if (!existsSync(SSHD)) return `needs ${SSHD}: apt-get install openssh-server (npm run setup does, as root)`;
  if (spawnSync('ip', ['netns', 'list'], { stdio: 'ignore' }).status !== 0) return 'needs iproute2 with network namespaces (ip netns)';
  return undefined;
}

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
const quiet = (f: () => unknown) => {
  try {
    f();
  } catch {
    /* already gone */
  }
};

/** Third octets of 10.201.x.y this machine already uses (another test's hosts): never reused. */
function usedOctets(): Set<number> {
  const out = execFileSync('ip', ['-4', '-o', 'addr'], { encoding: 'utf8' });
  return new Set([...out.matchAll(/10\.201\.(\d+)\./g)].map((m) => Number(m[1])));
}

function waitForPort(address: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const s = connect({ host: address, port });
      s.once('connect', () => { s.destroy(); resolve(); });
      s.once('error', () => {
        s.destroy();
        if (Date.now() > deadline) reject(new Error(`sshd on ${address}:${port} did not listen within ${timeoutMs} ms`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

function pidsIn(ns: string): number[] {
  try {
    return execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).split('\n').filter((l) => /^\d+$/.test(l.trim())).map(Number);
  } catch {
    return [];
  }
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return '';
  }
}

/**
 * Starts `n` hosts; `targetAddress` (an address of this machine, e.g. the first host's hostAddress) gets a
 * /32 route in every namespace. Any failure tears down what was made before rethrowing.
 */
export async function startNetnsSshHosts(n: number): Promise<NetnsSshHosts> {
  const tag = `pc${process.pid % 100000}`;
  const scratch = mkdtempSync(join(tmpdir(), 'perfcell-netns-ssh-'));
  const hosts: NetnsSshHost[] = [];
  const made: string[] = [];
  const close = async () => {
    for (const h of hosts) {
      h.sshd.kill('SIGKILL');
    }
    for (const ns of made) {
      for (const pid of pidsIn(ns)) quiet(() => process.kill(pid, 'SIGKILL'));
      quiet(() => ip('netns', 'delete', ns));
    }
    // Deleting a namespace deletes its veth end, and with it the pair; this is for a half-made one.
    for (let k = 1; k <= n; k++) quiet(() => ip('link', 'delete', `${tag}h${k}`));
    rmSync(scratch, { recursive: true, force: true });
  };
  try {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'perfcell-test-client', '-f', join(scratch, 'id')]);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'perfcell-test-host', '-f', join(scratch, 'host_key')]);
    writeFileSync(join(scratch, 'authorized_keys'), readFileSync(join(scratch, 'id.pub')));
    const hostKey = readFileSync(join(scratch, 'host_key.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' ');
    // sshd's privilege separation directory (Debian's package creates it only when its service starts).
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    const used = usedOctets();
    const octets: number[] = [];
    for (let x = 1; octets.length < n && x < 255; x++) if (!used.has(x)) octets.push(x);
    const config: string[] = [];
    for (let k = 1; k <= n; k++) {
      const x = octets[k - 1] as number;
      const ns = `${tag}-${k}`;
      const hostSide = `${tag}h${k}`;
      const nsSide = `${tag}n${k}`;
      const hostAddress = `${SUBNET_PREFIX}.${x}.1`;
      const address = `${SUBNET_PREFIX}.${x}.2`;
      ip('netns', 'add', ns);
      made.push(ns);
      ip('link', 'add', hostSide, 'type', 'veth', 'peer', 'name', nsSide);
      ip('link', 'set', nsSide, 'netns', ns);
      ip('addr', 'add', `${hostAddress}/30`, 'dev', hostSide);
      ip('link', 'set', hostSide, 'up');
      ip('-n', ns, 'addr', 'add', `${address}/30`, 'dev', nsSide);
      ip('-n', ns, 'link', 'set', nsSide, 'up');
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      const home = join(scratch, `home-${k}`);
      mkdirSync(home, { mode: 0o700 });
      const cfg = join(scratch, `sshd-${k}.conf`);
      writeFileSync(cfg, [
        `ListenAddress ${address}`,
        `Port ${SSHD_PORT}`,
        `HostKey ${join(scratch, 'host_key')}`,
        `PidFile ${join(scratch, `sshd-${k}.pid`)}`,
        `AuthorizedKeysFile ${join(scratch, 'authorized_keys')}`,
        'PubkeyAuthentication yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PermitRootLogin prohibit-password',
        'UsePAM no',
        'StrictModes no',
        'PrintMotd no',
        'LogLevel ERROR',
        '',
      ].join('\n'));
      // A private mount namespace (inside the network one): the bind mount on /root is this host's alone.
      const sshd = spawn('ip', ['netns', 'exec', ns, 'unshare', '--mount', '--propagation', 'private', 'sh', '-c',
        `mount --bind "$0" /root && exec ${SSHD} -D -e -f "$1"`, home, cfg], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      sshd.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
      hosts.push({ ns, hostAddress, address, port: SSHD_PORT, home, spec: `root@${address}:${SSHD_PORT}`, sshd });
      await waitForPort(address, SSHD_PORT, 10_000).catch((e: Error) => {
        throw new Error(`${e.message}: ${stderr.trim()}`);
      });
      writeFileSync(join(scratch, 'known_hosts'), `[${address}]:${SSHD_PORT} ${hostKey}\n`, { flag: 'a' });
      config.push(`Host ${address}`, `  IdentityFile ${join(scratch, 'id')}`, '  IdentitiesOnly yes', `  UserKnownHostsFile ${join(scratch, 'known_hosts')}`,
        '  GlobalKnownHostsFile /dev/null', '  StrictHostKeyChecking yes', '');
    }
    const sshConfig = join(scratch, 'ssh_config');
    writeFileSync(sshConfig, config.join('\n'), { mode: 0o600 });
    return {
      hosts,
      sshConfig,
      processesIn: (ns) => pidsIn(ns).map((p) => `${p} ${commandOf(p)}`),
      killSshd: (ns) => {
        for (const p of pidsIn(ns)) if (/(^|\/)sshd( |$)|sshd:/.test(commandOf(p))) quiet(() => process.kill(p, 'SIGKILL'));
      },
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

/** Routes `address` (an address of this machine) from every namespace through its veth, so k6 there reaches a target here. */
export function routeTo(hosts: NetnsSshHost[], address: string): void {
  for (const h of hosts) if (h.hostAddress !== address) ip('-n', h.ns, 'route', 'add', `${address}/32`, 'via', h.hostAddress);
}
