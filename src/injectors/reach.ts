/**
 * Can each injector reach each target? Pure: which targets an SSH injector can never reach (this machine's
 * loopback), the script an SSH injector runs to try the others, and what its answer means. The adapter is
 * src/injectors/ssh.ts `checkReach`.
 *
 * How the host tries: a TCP connect to the target's host and port with bash's `/dev/tcp` under `timeout`
 * (coreutils). Why not an HTTP request: the host may have no curl or wget, k6 itself has no one-shot request
 * command (`k6 run` of a script would cost a second per target and a file upload), and a connect is what
 * load needs first — an HTTP answer is checked on this machine's side already (src/run/preflight.ts), and
 * the host's route, firewall and name resolution are what differ from one injector to another. Why bash:
 * dash and busybox sh have no /dev/tcp; bash is installed on the usual server distributions (Debian, Ubuntu,
 * RHEL), not on Alpine (`apk add bash`). A host without bash (or without `timeout`) is refused with what is
 * missing, never silently let through.
 */
import { PerfcellError, inputError } from '../errors.js';
import { shellQuote } from './ssh-command.js';
import type { PlannedInjector } from './spec.js';

/**
 * A TCP connect that takes longer is a target the injector cannot reach. A chosen value: a handshake takes a
 * round trip (a few hundred ms across continents, with SYN retransmits at 1 s and 3 s on a lossy link); a
 * filtered port never answers and would otherwise hold the pre-flight for Linux's ≈ 2 min of SYN retries.
 */
export const REACH_TIMEOUT_S = 5;

/** Where a target URL connects: host (brackets stripped from IPv6) and port (the scheme's default). */
export function targetAddress(url: string): { host: string; port: number } {
  const u = new URL(url);
  const port = u.port !== '' ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
  return { host: u.hostname.replace(/^\[(.*)\]$/, '$1'), port };
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|::1|0\.0\.0\.0|::)$/i;

/** Whether a URL's host is this machine's loopback (or any-address): another host would call itself there. */
export function isLoopback(url: string): boolean {
  return LOOPBACK.test(targetAddress(url).host) || /\.localhost$/i.test(targetAddress(url).host);
}

/**
 * An SSH injector and a target on this machine's loopback: the injector would load its own loopback (or
 * nothing). Refused before anything is written, naming the first injector, the target and where it is set.
 */
export function checkRemoteTargets(injectors: readonly PlannedInjector[], targets: Record<string, string>, where: { injectors: string; targets: string }): void {
  const remote = injectors.find((i) => i.where.kind === 'ssh');
  if (!remote) return;
  for (const [name, url] of Object.entries(targets)) {
    if (isLoopback(url)) {
      throw inputError(where.targets, name, `an address SSH injector ${remote.name} (${where.injectors}) can reach: ${url} is this machine's loopback, the injector would call itself`);
    }
  }
}

/** Marks of the reach script's answer, one line per target. */
const OK = 'reach-ok';
const FAIL = 'reach-fail';
const MISSING = 'reach-missing';

/**
 * One script for all targets of a host: for each, `timeout N bash -c 'exec 3<>/dev/tcp/host/port'`, and a
 * line `reach-ok <k>` or `reach-fail <k> <exit>` (k: the target's index; exit 124: timed out, else refused or
 * unresolvable); first `reach-missing <tool>` when bash or timeout is absent.
 */
export function reachScript(targets: Record<string, string>): string {
  const lines = [
    `for t in bash timeout; do command -v "$t" >/dev/null 2>&1 || { echo "${MISSING} $t"; exit 0; }; done`,
  ];
  // Targets are numbered in the script: a name never reaches the remote shell.
  Object.values(targets).forEach((url, k) => {
    const { host, port } = targetAddress(url);
    const connect = shellQuote(`exec 3<>/dev/tcp/${host}/${port}`);
    lines.push(`timeout ${REACH_TIMEOUT_S} bash -c ${connect} 2>/dev/null && echo "${OK} ${k}" || echo "${FAIL} ${k} $?"`);
  });
  return lines.join('\n');
}

export type ReachAnswer = { missing: string } | { unreachable: { target: string; why: string }[] };

/** The script's output → what is missing, or the targets not reached (empty: all reached). */
export function parseReach(stdout: string, targets: Record<string, string>): ReachAnswer {
  const missing = new RegExp(`^${MISSING} (\\S+)$`, 'm').exec(stdout);
  if (missing) return { missing: missing[1] as string };
  const unreachable: { target: string; why: string }[] = [];
  for (const [k, name] of Object.keys(targets).entries()) {
    if (new RegExp(`^${OK} ${k}$`, 'm').test(stdout)) continue;
    const code = new RegExp(`^${FAIL} ${k} (\\d+)$`, 'm').exec(stdout)?.[1];
    const why = code === undefined ? 'no answer from the check' : code === '124' ? `no TCP answer within ${REACH_TIMEOUT_S} s` : 'no TCP connection (refused, no route, or unknown host name)';
    unreachable.push({ target: name, why });
  }
  return { unreachable };
}

/** The one line naming the injector and the target it cannot reach (exit 3: the environment, not the input). */
export function unreachableError(i: { name: string; label: string }, target: string, url: string, why: string): PerfcellError {
  const { host, port } = targetAddress(url);
  return new PerfcellError(`--injectors: ${i.name} (${i.label}) cannot reach target ${target} (${url}, TCP ${host}:${port}): ${why}`, 'environment');
}
