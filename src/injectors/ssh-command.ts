/**
 * SSH injectors, pure: the OpenSSH client's arguments and the short POSIX shell scripts perfcell sends to an
 * injector host (probe, upload, start k6, fetch, clean up), and what their output means. The adapter that
 * runs them is src/injectors/ssh.ts. Nothing here is a remote agent: each script is one `ssh host 'script'`.
 *
 * On the host everything lives under `~/.perfcell/` of the login user (relative paths are relative to the
 * login directory): `bin/k6-<version>` (copied once, reused by later runs) and `runs/<run id>-<injector>/`
 * (the bundle, data files, environment file and k6's outputs; removed once fetched).
 */

export interface SshHost {
  user: string;
  host: string;
  port: number;
}

export interface SshSettings {
  /** `-F file`: the user's OpenSSH settings (identity, known hosts, jump hosts); absent → ~/.ssh/config. */
  configFile?: string;
  /** The ControlMaster socket every call of this host shares (one TCP connection and one authentication). */
  controlPath: string;
}

/**
 * A chosen value: long enough for a host across a WAN to answer, short enough that an unreachable injector
 * fails the pre-flight in seconds rather than minutes.
 */
export const SSH_CONNECT_TIMEOUT_S = 10;
/**
 * Keep-alives: a link that answers none of 3 probes 2 s apart (≈ 6 s) is dead, and the injector is lost. A
 * chosen value: a few seconds of a run's load is what an injector may lose before perfcell says so.
 */
export const SSH_ALIVE = { intervalS: 2, countMax: 3 } as const;

/** The folder under the login directory where perfcell keeps its files on an injector host. */
export const REMOTE_HOME = '.perfcell';
/** What the start script prints when k6 ended: its absence means the link dropped before k6 did. */
export const EXIT_MARK = 'perfcell-k6-exit=';
/** Files an injector's k6 writes that come back to injectors/<name>/ (run folder names: src/store/folder.ts). */
export const REMOTE_OUTPUTS = ['raw.csv.gz', 'summary.json', 'k6.log'] as const;

/** POSIX single-quoting: safe for any byte string in a remote shell command. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function destination(h: SshHost): string {
  // OpenSSH takes an IPv6 address without brackets.
  return h.host.replace(/^\[(.*)\]$/, '$1');
}

function commonOptions(h: SshHost, s: SshSettings): string[] {
  return [
    ...(s.configFile ? ['-F', s.configFile] : []),
    // Never a password or passphrase prompt: an injector that cannot log in with a key fails at once.
    '-o', 'BatchMode=yes',
    '-o', `ConnectTimeout=${SSH_CONNECT_TIMEOUT_S}`,
    '-o', `ServerAliveInterval=${SSH_ALIVE.intervalS}`,
    '-o', `ServerAliveCountMax=${SSH_ALIVE.countMax}`,
    '-o', `ControlPath=${s.controlPath}`,
    '-p', String(h.port),
    '-l', h.user,
  ];
}

/** The master connection (`ssh -M -N`, kept in the foreground as perfcell's child): the other calls ride on it. */
export function masterArgs(h: SshHost, s: SshSettings): string[] {
  return [...commonOptions(h, s), '-M', '-N', '-o', 'ControlPersist=no', '-o', 'ExitOnForwardFailure=yes', destination(h)];
}

/** One command on the host through the master connection. */
export function commandArgs(h: SshHost, s: SshSettings, script: string): string[] {
  return [...commonOptions(h, s), '-o', 'ControlMaster=no', '-T', destination(h), script];
}

/** `ssh -O exit`: closes the master connection. */
export function exitMasterArgs(h: SshHost, s: SshSettings): string[] {
  return [...commonOptions(h, s), '-O', 'exit', destination(h)];
}

export function remoteK6Path(version: string): string {
  return `${REMOTE_HOME}/bin/k6-${version}`;
}

export function remoteRunDir(runId: string, injector: string): string {
  return `${REMOTE_HOME}/runs/${runId}-${injector}`;
}

/** The probe: the host's OS and machine (for the k6 binary), its clock, and the k6 versions it already has. */
export function probeScript(k6Version: string): string {
  const cached = shellQuote(remoteK6Path(k6Version));
  return [
    `printf 'uname=%s\\n' "$(uname -sm)"`,
    `printf 'clock=%s\\n' "$(date +%s%3N)"`,
    `if [ -x ${cached} ]; then printf 'cached=%s\\n' "$(${cached} version 2>&1 | head -n 1)"; else echo cached=; fi`,
    `if command -v k6 >/dev/null 2>&1; then printf 'path=%s\\n' "$(k6 version 2>&1 | head -n 1)"; else echo path=; fi`,
  ].join('; ');
}

export interface ProbeResult {
  /** `uname -sm`, e.g. "Linux x86_64". */
  uname: string;
  clockMs: number;
  /** `k6 version` of the cached copy / of a k6 on the host's PATH ('' when none). */
  cached: string;
  onPath: string;
}

export function parseProbe(stdout: string): ProbeResult | undefined {
  const kv = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) kv.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  const uname = kv.get('uname');
  const clockMs = Number(kv.get('clock'));
  if (!uname || !Number.isFinite(clockMs)) return undefined;
  return { uname, clockMs, cached: kv.get('cached') ?? '', onPath: kv.get('path') ?? '' };
}

/** The `uname -sm` of a machine running this Node.js (linux/x64 → "Linux x86_64"). */
export function localUname(platform: string, arch: string): string {
  const os = ({ linux: 'Linux', darwin: 'Darwin', freebsd: 'FreeBSD' } as Record<string, string>)[platform] ?? platform;
  const machine = ({ x64: 'x86_64', arm64: os === 'Darwin' ? 'arm64' : 'aarch64', ia32: 'i686', arm: 'armv7l' } as Record<string, string>)[arch] ?? arch;
  return `${os} ${machine}`;
}

/** The version in `k6 version`'s line, which starts with the binary's own name ("k6-v2.2.0 v2.2.0 (go1.26.8, linux/amd64)"). */
export const versionIn = (k6VersionLine: string) => /(?:^|\s)(v\d+\.\d+\.\d+[\w.-]*)/.exec(k6VersionLine)?.[1];

export type K6Plan = { use: 'cached' | 'path'; command: string } | { use: 'copy'; command: string } | { use: 'refuse'; why: string };

/**
 * Which k6 the host runs: its cached copy or the one on its PATH when either is exactly this run's version;
 * else a copy of this machine's k6 when the host is of the same OS and machine; else a refusal naming what
 * was found (perfcell never runs another k6 version than the one it checked here).
 */
export function planK6(probe: ProbeResult, k6Version: string, localMachine: string): K6Plan {
  const cachedPath = remoteK6Path(k6Version);
  if (versionIn(probe.cached) === k6Version) return { use: 'cached', command: cachedPath };
  if (versionIn(probe.onPath) === k6Version) return { use: 'path', command: 'k6' };
  if (probe.uname === localMachine) return { use: 'copy', command: cachedPath };
  const found = [probe.cached && `~/${cachedPath}: ${probe.cached}`, probe.onPath && `k6 on PATH: ${probe.onPath}`].filter(Boolean).join('; ') || 'no k6';
  return { use: 'refuse', why: `k6 ${k6Version} is needed and the host has ${found}; it is a ${probe.uname} machine and this one's k6 is for ${localMachine}: install k6 ${k6Version} there (on PATH)` };
}

/** Writes standard input to `path` on the host atomically (temp name + rename: concurrent uploads never mix). */
export function uploadScript(path: string, mode: '600' | '644' | '755'): string {
  const dir = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '.';
  // The quoted path then an unquoted suffix: the remote shell expands $$ (its pid) there only.
  const tmp = `${shellQuote(path)}.tmp.$$`;
  return `umask 077 && mkdir -p ${shellQuote(dir)} && cat > ${tmp} && chmod ${mode} ${tmp} && mv -f ${tmp} ${shellQuote(path)}`;
}

/** The k6 environment as a file the start script sources (never on a command line: `ps` would show it). */
export function envFile(env: Record<string, string>): string {
  return Object.entries(env)
    .filter(([k]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k))
    .map(([k, v]) => `export ${k}=${shellQuote(v)}\n`)
    .join('');
}

export interface StartScriptInput {
  dir: string;
  /** The k6 command on the host (`.perfcell/bin/k6-v2.2.0`, or `k6`). */
  k6: string;
  /** `k6 run …` arguments, paths relative to `dir`. */
  args: string[];
}

/**
 * Starts k6 in the injector's folder and waits for it. k6 runs in the background of this one remote shell so
 * that a watcher can forward signals: each line perfcell writes on the session's standard input (the signal
 * perfcell got, "INT" or "TERM") sends TERM to k6; end of input (perfcell stopped it, or the link dropped and
 * sshd closed the session) sends TERM too, so no k6 outlives its session. TERM whatever the line: a
 * background job of a non-interactive shell starts with SIGINT ignored (POSIX), and k6 treats INT and TERM
 * alike (the first stops gracefully, the second aborts). The exit line tells k6's own exit code from ssh's (255).
 */
export function startScript(i: StartScriptInput): string {
  // A cached k6 is relative to the login directory, which the shell leaves for the injector's folder.
  const k6 = i.k6.includes('/') ? `"$top"/${shellQuote(i.k6)}` : shellQuote(i.k6);
  const cmd = [k6, ...i.args.map(shellQuote)].join(' ');
  return [
    `top=$PWD`,
    `cd ${shellQuote(i.dir)} || exit 125`,
    `. ./env.sh`,
    `exec 3<&0`,
    `${cmd} </dev/null >>k6.log 2>&1 3<&- &`,
    `pid=$!`,
    `echo "$pid" > k6.pid`,
    `( while read -r _; do kill -s TERM "$pid" 2>/dev/null; done; kill -s TERM "$pid" 2>/dev/null ) <&3 >/dev/null 2>&1 &`,
    `exec 3<&-`,
    `wait "$pid"; code=$?`,
    `echo "${EXIT_MARK}$code"`,
    `exit "$code"`,
  ].join('\n');
}

/** k6's exit code from the start script's output, or undefined when the link dropped before k6 ended. */
export function k6ExitFrom(stdout: string): number | undefined {
  const m = new RegExp(`^${EXIT_MARK}(\\d+)$`, 'm').exec(stdout);
  return m ? Number(m[1]) : undefined;
}

/** Whether a k6 of this run's injector folder is still running on the host (prints its pids, one per line). */
export function leftoverScript(dir: string): string {
  return `pid=$(cat ${shellQuote(`${dir}/k6.pid`)} 2>/dev/null) && kill -0 "$pid" 2>/dev/null && echo "$pid"; true`;
}

export function catScript(path: string): string {
  return `cat ${shellQuote(path)}`;
}

export function cleanupScript(dir: string): string {
  return `rm -rf ${shellQuote(dir)}`;
}
