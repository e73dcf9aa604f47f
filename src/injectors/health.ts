/**
 * An SSH injector's health, pure: the script that reads its k6's CPU time and resident memory and the host's
 * CPU from Linux /proc (one `ssh` call through the master connection, no agent), what its output means, and
 * two readings → monitor samples (src/store/monitor-samples.ts), source `injector:<name>`, the metrics the
 * local monitor writes for this host (src/monitor/monitor.ts). They go to injectors/<name>/monitor.jsonl;
 * the analysis reads them with the run's own, and the `load-generator-overloaded` rule names the injector.
 */
import type { MonitorSample } from '../store/monitor-samples.js';
import { cpuPercent, hostCpuPercent, parseHostStat, parseProcStat, parseProcStatusRss, type HostCpu } from '../monitor/proc-stats.js';
import { shellQuote } from './ssh-command.js';

/**
 * One reading per injector this often. A chosen value: CPU over an interval needs two readings, so an 8 s
 * run gets 3 intervals; each reading is one `ssh` exec on the master connection (a local ssh client
 * process, a remote shell and 4 small reads), negligible beside k6 on either host.
 */
export const REMOTE_HEALTH_INTERVAL_MS = 2000;

/** The host's clock (ms), k6's /proc/<pid>/stat and VmRSS line (once k6 wrote its pid), the host's CPU line. */
export function healthScript(remoteDir: string): string {
  return [
    `pid=$(cat ${shellQuote(`${remoteDir}/k6.pid`)} 2>/dev/null)`,
    `printf 'clock=%s\\n' "$(date +%s%3N)"`,
    `if [ -n "$pid" ] && [ -r /proc/"$pid"/stat ]; then printf 'stat=%s\\n' "$(cat /proc/"$pid"/stat)"; grep '^VmRSS:' /proc/"$pid"/status; fi`,
    `printf 'host=%s\\n' "$(head -n 1 /proc/stat 2>/dev/null)"`,
    'true',
  ].join('\n');
}

export interface HealthReading {
  /** Host clock, ms. */
  clockMs: number;
  k6?: { cpuSeconds: number; rssBytes: number };
  host?: HostCpu;
}

export function parseHealth(stdout: string): HealthReading | undefined {
  const line = (key: string) => new RegExp(`^${key}=(.*)$`, 'm').exec(stdout)?.[1];
  const clockMs = Number(line('clock'));
  if (!Number.isFinite(clockMs) || clockMs <= 0) return undefined;
  const stat = line('stat');
  const cpu = stat ? parseProcStat(stat) : undefined;
  const rss = parseProcStatusRss(stdout);
  const hostLine = line('host');
  const host = hostLine ? parseHostStat(hostLine) : undefined;
  return { clockMs, ...(cpu && rss !== undefined ? { k6: { cpuSeconds: cpu.cpuSeconds, rssBytes: rss } } : {}), ...(host ? { host } : {}) };
}

/**
 * A reading → samples, on this machine's clock (host clock − `clockOffsetMs`, as the run's other monitor
 * samples); CPU figures need the previous reading. Labels as the local monitor's: `process=k6`.
 */
export function healthSamples(injector: string, clockOffsetMs: number, prev: HealthReading | undefined, next: HealthReading): MonitorSample[] {
  const t = next.clockMs - clockOffsetMs;
  const source = `injector:${injector}`;
  const labels = { process: 'k6' };
  const out: MonitorSample[] = [];
  if (next.k6) {
    out.push({ t, source, metric: 'injector_rss_bytes', labels, value: next.k6.rssBytes });
    if (prev?.k6) out.push({ t, source, metric: 'injector_cpu_percent', labels, value: cpuPercent(prev.k6.cpuSeconds, next.k6.cpuSeconds, next.clockMs - prev.clockMs) });
  }
  if (next.host && prev?.host) out.push({ t, source, metric: 'injector_host_cpu_percent', labels: {}, value: hostCpuPercent(prev.host, next.host) });
  return out;
}
